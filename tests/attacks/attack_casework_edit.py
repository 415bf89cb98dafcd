"""Correcting a recorded risk assessment or follow-up contact (PATCH /api/cases/{id}/assessments/{aid}
and /api/cases/{id}/followups/{cid}; issue 14 item 5). The owner corrects: score and level are
recomputed by the instrument as on add (a level that becomes high raises the alert and brings the
follow-up forward), a contact's outcome corrected recomputes the failed attempts and the lost state.
Everyone else is refused: the organisation the case was referred to (403), another organisation
(404, the very answer of a missing case), analysts, auditors and administrators. A stale copy is 409
and changes nothing; of two corrections from one copy one wins. Bad values and unknown fields are
400 with the field named. Notes stay sealed in the database; every correction is audited.
Synthetic people only."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ORGS, Registry, finish, report  # noqa: E402

reg = Registry()
reg.serve()
try:
    cl = {}
    for k in "ABC":
        for role in ("caseworker", "supervisor", "analyst", "auditor", "admin"):
            cl[f"{k}.{role}"] = reg.client(f"{k.lower()}.{role}")
    a, asup = cl["A.caseworker"], cl["A.supervisor"]
    VICTIM = {"role": "victim", "prs_FirstName": "Thử", "prs_SecondName": "Đặng", "prs_Birthdate": "2000"}
    st, js = a.post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active"})
    report("set-up: A's case", st == 201, (st, js))
    ca = js["id"]
    st, _ = a.post("/api/referrals", {"case_id": ca, "to_org": ORGS["B"][0], "reason": "Shelter"})
    report("set-up: A's case referred to B", st == 201, st)
    st, js = a.post(f"/api/cases/{ca}/followups/plan", {"from": "2026-01-15"})
    report("set-up: a follow-up plan of 5 contacts", st == 201 and js["planned"] == 5, (st, js))
    st, js = a.post(f"/api/cases/{ca}/assessments", {"date": "2026-03-01",
                                                     "answers": {"debt": "bank", "income": "irregular"}})
    report("set-up: a low assessment", st == 201 and js["level"] == "low", (st, js))
    aid = js["id"]

    def version():
        return a.get(f"/api/cases/{ca}")[1]["version"]

    def assessment():
        return next(x for x in a.get(f"/api/cases/{ca}/assessments")[1]["assessments"] if x["id"] == aid)

    def contact(cid):
        return next(x for x in a.get(f"/api/cases/{ca}/followups")[1]["contacts"] if x["id"] == cid)

    def alerts(kind):
        return sum(1 for x in a.get("/api/alerts")[1]["alerts"] if x["case_id"] == ca and x["kind"] == kind)

    def plan():
        return [d["due"] for d in a.get(f"/api/cases/{ca}/followups")[1]["plan"] if not d.get("done")]

    # ---- the owner corrects an assessment -------------------------------------------------------
    v = version()
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/assessments/{aid}",
                         {"answers": {"income": "stable"}, "version": v})
    report("assessment: the owner corrects one answer (200), score recomputed, version moves on",
           st == 200 and js.get("score") == 1 and js.get("level") == "low" and js.get("version") == v + 1, (st, js))
    x = assessment()
    report("assessment: the answers are merged, the others kept, the date kept",
           x["answers"] == {"debt": "bank", "income": "stable"} and x["date"] == "2026-03-01"
           and x["created_by"] == "a.caseworker", x)
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/assessments/{aid}", {"answers": {"income": None},
                                                                         "date": "2026-03-02"})
    x = assessment()
    report("assessment: null unanswers a question; the date corrected; no version: applied",
           st == 200 and x["answers"] == {"debt": "bank"} and x["date"] == "2026-03-02", (st, x))
    high_before, plan_before = alerts("high_risk"), plan()
    v = version()
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/assessments/{aid}", {"answers": {"debt": "recruiter"}},
                         headers={"If-Match": f'"{v}"'})
    report("assessment: a critical answer makes it high, the alert raised, contacts brought forward",
           st == 200 and js.get("level") == "high" and js.get("alert") is True
           and js.get("followups_moved", 0) >= 1 and js.get("version") == v + 1, (st, js))
    report("assessment: one more high_risk alert", alerts("high_risk") == high_before + 1,
           (high_before, alerts("high_risk")))
    report("assessment: the open planned contacts are closer than before", plan() != plan_before,
           (plan_before, plan()))
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/assessments/{aid}", {"date": "2026-03-03"})
    report("assessment: still high after a date correction: no second alert",
           st == 200 and js.get("alert") is False and alerts("high_risk") == high_before + 1, (st, js))

    # ---- the owner corrects a contact --------------------------------------------------------------
    cids = []
    for i in range(3):
        st, js = a.post(f"/api/cases/{ca}/followups", {"date": f"2026-04-0{i + 1}", "mode": "phone",
                                                        "outcome": "not_reached", "notes": f"EDITNOTE-{i} no answer"})
        cids.append(js.get("id"))
    report("set-up: three failed attempts make the case lost to follow-up",
           st == 201 and js["followup"] == "lost" and js["failed_attempts"] == 3, (st, js))
    v = version()
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/followups/{cids[1]}",
                         {"outcome": "reached_stable", "notes": "EDITFIX reached after all", "version": v})
    report("contact: the second failed attempt corrected to reached: 200, no longer lost",
           st == 200 and js.get("followup") == "active" and js.get("failed_attempts") == 1
           and js.get("version") == v + 1, (st, js))
    x = contact(cids[1])
    report("contact: the correction is stored (outcome, notes), mode and date kept",
           x["outcome"] == "reached_stable" and x["notes"] == "EDITFIX reached after all"
           and x["mode"] == "phone" and x["date"] == "2026-04-02", x)
    st, js = a.get(f"/api/cases/{ca}/workflow")
    report("contact: the case's follow-up state is active", js.get("followup") == "active", js.get("followup"))
    lost_before = alerts("lost_to_followup")
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/followups/{cids[1]}", {"outcome": "moved"})
    report("contact: corrected back to a failed attempt: lost again, 3 attempts",
           st == 200 and js.get("followup") == "lost" and js.get("failed_attempts") == 3, (st, js))
    report("contact: becoming lost raises the alert again", alerts("lost_to_followup") == lost_before + 1,
           (lost_before, alerts("lost_to_followup")))
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/followups/{cids[0]}",
                         {"date": "2026-04-01", "mode": "home_visit", "who": "a.supervisor", "notes": ""})
    x = contact(cids[0])
    report("contact: date, mode and who corrected, notes removed; still lost (outcome unchanged)",
           st == 200 and js.get("followup") == "lost" and x["mode"] == "home_visit"
           and x["who"] == "a.supervisor" and x.get("notes") is None, (st, x))

    # ---- a stale copy ---------------------------------------------------------------------------
    v = version()
    for path, body in ((f"/api/cases/{ca}/assessments/{aid}", {"answers": {"debt": "none"}}),
                       (f"/api/cases/{ca}/followups/{cids[2]}", {"outcome": "reached_stable"})):
        what = "assessment" if "assess" in path else "contact"
        st, js, _, _ = a.req("PATCH", path, dict(body, version=v - 1))
        report(f"{what}: a correction on a stale copy is refused (409)", st == 409, (st, js))
        st, js, _, _ = a.req("PATCH", path, body, headers={"If-Match": f'"{v - 1}"'})
        report(f"{what}: the same through If-Match (409)", st == 409, (st, js))
        st, js, _, _ = a.req("PATCH", path, dict(body, version="3"))
        report(f"{what}: a version that is not a number is 400 naming version",
               st == 400 and js.get("field") == "version", (st, js))
    report("the stale corrections changed nothing: the version, the assessment, the contact, the state",
           version() == v and assessment()["level"] == "high" and contact(cids[2])["outcome"] == "not_reached"
           and a.get(f"/api/cases/{ca}/workflow")[1]["followup"] == "lost", version())

    # colleagues correcting the same case at once from one copy: each time one wins, the others are
    # told (6 rounds of 3, so that a check made outside the write transaction is caught)
    racers = [a, asup, reg.client("a.caseworker")]
    for path, bodies in ((f"/api/cases/{ca}/assessments/{aid}", ({"answers": {"papers": "complete"}},
                                                                 {"answers": {"papers": "missing_both"}},
                                                                 {"answers": {"papers": "missing_identity"}})),
                         (f"/api/cases/{ca}/followups/{cids[2]}", ({"who": "a.caseworker"},
                                                                   {"who": "a.supervisor"},
                                                                   {"who": "a.caseworker"}))):
        rounds = []
        for _ in range(6):
            now, res = version(), []

            def fix(c, body):
                st, js, _, _ = c.req("PATCH", path, dict(body, version=now))
                res.append(st)

            ts = [threading.Thread(target=fix, args=(c, body)) for c, body in zip(racers, bodies)]
            [t.start() for t in ts]
            [t.join() for t in ts]
            rounds.append((sorted(res), version() - now))
        report(f"{'assessment' if 'assess' in path else 'contact'}: three corrections from one copy at once, "
               "6 times: each time one 200, two 409, the version moved on once",
               all(r == ([200, 409, 409], 1) for r in rounds), rounds)

    # ---- bad input ------------------------------------------------------------------------------
    v = version()
    for path, body, field, what in (
            (f"/api/cases/{ca}/assessments/{aid}", {"answers": {"debt": "lots"}}, "debt", "an unknown answer"),
            (f"/api/cases/{ca}/assessments/{aid}", {"answers": {"nosuch": "x"}}, "answers", "an unknown question"),
            (f"/api/cases/{ca}/assessments/{aid}", {"answers": "debt=none"}, "answers", "answers not an object"),
            (f"/api/cases/{ca}/assessments/{aid}", {"date": "2026-13-40"}, "date", "a date that does not exist"),
            (f"/api/cases/{ca}/assessments/{aid}", {"date": "2099-01-01"}, "date", "a date in the future"),
            (f"/api/cases/{ca}/assessments/{aid}", {"date": ""}, "date", "an emptied date"),
            (f"/api/cases/{ca}/assessments/{aid}", {"score": 0}, "score", "setting the score"),
            (f"/api/cases/{ca}/assessments/{aid}", {"level": "low"}, "level", "setting the level"),
            (f"/api/cases/{ca}/assessments/{aid}", {}, None, "nothing to correct"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"mode": "telepathy"}, "mode", "an unknown mode"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"outcome": "fine"}, "outcome", "an unknown outcome"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"outcome": ""}, "outcome", "an emptied outcome"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"date": "2099-01-01"}, "date", "a date in the future"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"date": "1/4/2026"}, "date", "a date not YYYY-MM-DD"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"notes": 5}, "notes", "notes not a string"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"case_id": 1}, "case_id", "moving it to another case"),
            (f"/api/cases/{ca}/followups/{cids[2]}", {"due_id": 1}, "due_id", "setting its planned contact")):
        st, js, _, _ = a.req("PATCH", path, body)
        report(f"400 for {what}" + (f", naming {field}" if field else ""),
               st == 400 and (field is None or js.get("field") == field), (st, js))
    report("the refused corrections changed nothing (version, assessment, contact)",
           version() == v and assessment()["level"] == "high" and contact(cids[2])["mode"] == "phone", version())

    # ---- ids that are not this case's --------------------------------------------------------
    ca2 = a.post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active"})[1]["id"]
    for path, what in ((f"/api/cases/{ca2}/assessments/{aid}", "an assessment of another case of the owner"),
                       (f"/api/cases/{ca}/assessments/99999999", "an assessment that does not exist"),
                       (f"/api/cases/{ca2}/followups/{cids[0]}", "a contact of another case of the owner"),
                       (f"/api/cases/{ca}/followups/99999999", "a contact that does not exist")):
        st, js, _, _ = a.req("PATCH", path, {"date": "2026-04-05"})
        report(f"{what} is 404", st == 404, (st, js))
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/followups/plan", {"date": "2026-04-05"})
    report("PATCH on the plan's path is no correction (405)", st == 405, (st, js))

    # ---- who may not ----------------------------------------------------------------------------
    snapshot = (version(), assessment(), contact(cids[2]))
    missing = {}
    for kind, sub in (("assessments", aid), ("followups", cids[2])):
        missing[kind] = cl["C.caseworker"].req("PATCH", f"/api/cases/99999999/{kind}/{sub}",
                                              {"date": "2026-04-05"})[:2]
    for who, c in cl.items():
        if who in ("A.caseworker", "A.supervisor"):
            continue
        for kind, sub in (("assessments", aid), ("followups", cids[2])):
            st, js, text, _ = c.req("PATCH", f"/api/cases/{ca}/{kind}/{sub}", {"date": "2026-04-05"})
            if who in ("B.caseworker", "B.supervisor"):
                report(f"{who} (referred the case) may not correct its {kind} (403)", st == 403, (st, js))
            elif who in ("C.caseworker", "C.supervisor"):
                report(f"{who} (another organisation) gets the answer of a missing case ({kind})",
                       st == 404 and [st, js] == list(missing[kind]), (st, js, missing[kind]))
            else:
                report(f"{who}: refused ({kind}, 403)", st == 403, (st, js))
            if "EDIT" in text:
                report(f"{who}: no notes leak", False, text[:200])
    st, js, _, _ = a.req("PATCH", f"/api/cases/{ca}/followups/{cids[2]}", {"date": "2026-04-05"}, csrf=False)
    report("without the CSRF token: refused (403)", st == 403, (st, js))
    report("none of the refused attempts changed anything", (version(), assessment(), contact(cids[2])) == snapshot,
           snapshot)

    # ---- sealed and audited -------------------------------------------------------------------
    raw = reg.raw()
    report("sealed: the corrected notes are not in clear in the database files",
           raw and b"EDITFIX" not in raw and b"EDITNOTE" not in raw)
    r = reg.sql(f"SELECT count(*) FROM followup_contact WHERE id = {cids[1]} AND notes_sealed IS NOT NULL")
    report("sealed: the corrected contact's notes are stored sealed", r.stdout.strip() == "1", (r.stdout, r.stderr))
    r = reg.sql(f"SELECT count(*) FROM followup_contact WHERE id = {cids[0]} AND notes_sealed IS NULL")
    report("sealed: removed notes leave nothing", r.stdout.strip() == "1", (r.stdout, r.stderr))
    log = reg.ctip("audit", "log").stdout
    lines = [x for x in log.splitlines() if " assess_correct " in x and f"C{ca}" in x]
    report("audit: each accepted assessment correction (4 + 6) is in the log", len(lines) == 10, "\n".join(lines))
    lines = [x for x in log.splitlines() if " followup_correct " in x and f"C{ca}" in x]
    report("audit: each accepted contact correction (3 + 6) is in the log", len(lines) == 9, "\n".join(lines))
    report("audit: no note in the log", "EDIT" not in log)
    r = reg.ctip("audit", "verify")
    report("the audit chain verifies", r.returncode == 0, r.stdout + r.stderr)
finally:
    rc = reg.stop()
report("the server stops cleanly (under the sanitizers: no leak, no error)", rc == 0, (rc, reg.server_err()[-2000:]))
finish()
