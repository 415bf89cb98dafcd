"""The communications tracker over the API (docs/COMMS.md): an organisation's supervisors,
analysts and admins record and answer communications, its auditors read them; everyone else is
refused. Attacks: another organisation's insider reading, saving or making the reply of A's
communication (404 as for none); a caseworker (403); a stale save overwriting a newer one (409);
a reply citing another organisation's case (the case is not shown, not even its stage); a
statistics query in a reply used to read a small cell (suppressed as in GET /api/stats, one
calendar year only); figures below the threshold given as numbers; answers in clear in the
database file; writes without audit entries. Synthetic people only."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Registry, finish, report  # noqa: E402

LETTER = {
    "ref": "TEST AL 1/2026", "kind": "allegation_letter", "sender": "A test mandate",
    "received": "2026-01-10",
    "questions": [{"num": 1, "text": "How many victims were identified?"},
                  {"num": 2, "text": "Please describe one case."}],
}

reg = Registry()
reg.serve()
try:
    cl = {}
    for k in "AB":
        for role in ("caseworker", "supervisor", "analyst", "auditor", "admin"):
            cl[f"{k}.{role}"] = reg.client(f"{k.lower()}.{role}")
    ana, sup, aud = cl["A.analyst"], cl["A.supervisor"], cl["A.auditor"]

    # a case of B's, with one victim (a single person: any count of it is a small cell)
    VICTIM = {"role": "victim", "prs_FirstName": "Thử", "prs_SecondName": "Lê", "prs_Birthdate": "1999",
              "prs_Gender": "Feminine"}
    st, js = cl["B.caseworker"].post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active",
                                                     "ctip_CaseOpenedDate": "2026-03-15"})
    case_b = js["id"]
    st, js = cl["A.caseworker"].post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active"})
    case_a = js["id"]

    # ---- who may record --------------------------------------------------------------------
    st, js = cl["A.caseworker"].post("/api/comms", LETTER)
    report("comms: a caseworker may not record a communication (403)", st == 403, (st, js))
    st, js = aud.post("/api/comms", LETTER)
    report("comms: an auditor may not record one (403)", st == 403, (st, js))
    st, js = ana.post("/api/comms", LETTER)
    report("comms: an analyst records one (201)", st == 201 and js["version"] == 1, (st, js))
    mid = js["id"]
    st, js = ana.post("/api/comms", LETTER)
    report("comms: the same reference twice is refused naming ref (400)",
           st == 400 and js.get("field") == "ref", (st, js))
    st, js = ana.post("/api/comms", dict(LETTER, ref="X", received="2026-13-01"))
    report("comms: a bad date is refused naming the field", st == 400 and js.get("field") == "received",
           (st, js))
    st, js = ana.post("/api/comms", dict(LETTER, ref="Y", kind="postcard"))
    report("comms: an unknown kind is refused with the choices",
           st == 400 and js.get("field") == "kind" and "allegation_letter" in js.get("error", ""), (st, js))
    st, js = ana.post("/api/comms", dict(LETTER, ref="Z", questions=[{"num": 1, "text": "q", "evidence": [
        {"kind": "stats", "count": "victims", "by": ["gender"], "year": "2026-06"}]}]))
    report("comms: a statistics query is one calendar year (no months to difference)",
           st == 400 and "year" in (js.get("field") or ""), (st, js))

    # ---- another organisation's insider --------------------------------------------------
    for role in ("supervisor", "analyst", "auditor", "admin"):
        c = cl[f"B.{role}"]
        st, js = c.get(f"/api/comms/{mid}")
        report(f"comms: B's {role} cannot read A's communication (404)", st == 404, (st, js))
        st, js = c.get(f"/api/comms/{mid}/reply")
        report(f"comms: B's {role} cannot make A's reply (404)", st == 404, (st, js))
        st, js = c.get("/api/comms")
        report(f"comms: B's {role} does not list A's", st == 200 and js["total"] == 0, (st, js))
    st, js, _, _ = cl["B.analyst"].req("PATCH", f"/api/comms/{mid}", dict(LETTER, version=1))
    report("comms: B's analyst cannot save A's (404)", st == 404, (st, js))
    st, js = cl["A.caseworker"].get(f"/api/comms/{mid}")
    report("comms: A's caseworker cannot read it (403)", st == 403, (st, js))
    st, js = aud.get(f"/api/comms/{mid}")
    report("comms: A's auditor reads it", st == 200 and js["ref"] == LETTER["ref"], (st, js))

    # ---- answers, evidence, versions --------------------------------------------------------
    st, js = ana.get(f"/api/comms/{mid}")
    doc = js
    doc["questions"][0]["answer"] = "SECRETANSWER the registry counts them below."
    doc["questions"][0]["evidence"] = [
        {"kind": "figure", "measure": "victims_detected", "period": "2026", "label": "Victims"},
        {"kind": "stats", "count": "victims", "by": ["gender"], "label": "By sex"},
        {"kind": "stats", "count": "victims", "by": ["gender"], "where": ["org=" + reg.orgs["B"][0]],
         "label": "B's victims by sex"}]
    doc["questions"][1]["evidence"] = [{"kind": "case", "case": f"C{case_b}"},
                                       {"kind": "case", "case": f"C{case_a}"}]
    st, js, _, _ = ana.req("PATCH", f"/api/comms/{mid}", doc)
    report("comms: the analyst saves answers and evidence (version 2)", st == 200 and js["version"] == 2,
           (st, js))
    st, js, _, _ = sup.req("PATCH", f"/api/comms/{mid}", dict(doc, status="in_progress"))
    report("comms: a save over a newer version is refused (409 conflict), not overwritten",
           st == 409 and js.get("code") == "conflict", (st, js))
    st, js, _, _ = sup.req("PATCH", f"/api/comms/{mid}", {k: v for k, v in doc.items() if k != "version"})
    report("comms: a save without the version read is refused (400 version)",
           st == 400 and js.get("field") == "version", (st, js))
    st, js = ana.get(f"/api/comms/{mid}")
    report("comms: the first save is kept", st == 200 and js["version"] == 2
           and js["questions"][0]["answer"].startswith("SECRETANSWER"), (st, js))

    # ---- the reply: computed now, within the access rules ---------------------------------------
    st, rep = ana.get(f"/api/comms/{mid}/reply")
    report("reply: made (200)", st == 200 and rep and "provenance" in rep, (st, rep))
    ev0 = rep["questions"][0]["evidence"]
    report("reply: a figure of one victim is withheld, not given as 1",
           ev0[0]["value"] is None and "withheld" in ev0[0].get("note", ""), ev0[0])
    cells = [r["count"] for r in ev0[2]["table"]["rows"] if r.get("gender") == "Feminine"]
    report("reply: B's single victim in a table is a withheld cell (null), as in /api/stats",
           cells == [None], ev0[2]["table"])
    ev1 = rep["questions"][1]["evidence"]
    report("reply: B's case is not shown to A (no stage, no organisation)",
           ev1[0]["visible"] is False and "stage" not in ev1[0] and "organisation" not in ev1[0], ev1[0])
    report("reply: A's own case is shown", ev1[1]["visible"] is True and ev1[1].get("stage"), ev1[1])
    st, _, text, h = ana.req("GET", f"/api/comms/{mid}/reply?format=html")
    report("reply: HTML is a download (attachment), with the question and the answer",
           st == 200 and "attachment" in h.get("content-disposition", "")
           and "How many victims" in text and "SECRETANSWER" in text, (st, h))
    st, _, text, h = ana.req("GET", f"/api/comms/{mid}/reply?format=xlsx")
    report("reply: XLSX is a download of a workbook", st == 200 and h.get("content-type", "").startswith(
        "application/vnd.openxmlformats") and text.startswith("PK"), (st, h))
    st, js = ana.get(f"/api/comms/{mid}/reply?format=pdf")
    report("reply: an unknown format is refused (400)", st == 400, (st, js))
    st, js = aud.post(f"/api/comms/{mid}/record")
    report("record: an auditor may not change the ledger (403)", st == 403, (st, js))
    st, js = cl["B.analyst"].post(f"/api/comms/{mid}/record")
    report("record: another organisation's analyst cannot (404)", st == 404, (st, js))
    st, js = ana.post(f"/api/comms/{mid}/record")
    report("record: the analyst records the reply's figures (none given: all withheld)",
           st == 200 and js["figures"] == 0, (st, js))
finally:
    reg.stop()

# ---- what is on disk, and in the audit log ----------------------------------------------------
raw = b""
for f in os.listdir(reg.dir):
    with open(os.path.join(reg.dir, f), "rb") as fh:
        raw += fh.read()
report("stolen file: the answers are sealed (not in the database files in clear)",
       b"SECRETANSWER" not in raw)
r = reg.ctip("audit", "log")
log = r.stdout
for action in ("comms-add", "comms-update", "comms-show", "comms-reply", "comms-record"):
    report(f"audit: {action} is in the log", action in log, r.stderr[-300:])
report("audit: the log verifies", reg.ctip("audit", "verify").returncode == 0)
finish()
