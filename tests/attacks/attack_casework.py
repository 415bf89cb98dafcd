"""Casework over the API (docs/CASEWORK.md): the workflow, approvals, risk assessments,
follow-up and hotline contacts work for the owning organisation, and every other account is
refused: an insider of another organisation (caseworker, supervisor, analyst) reading or writing
assessments, follow-ups, approvals or contacts; the organisation a case was referred to; a
caseworker approving; a supervisor approving their own request; bad input. Every change is in the
audit log; notes are sealed in the database file. Synthetic people only."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ORGS, PW, Registry, finish, report  # noqa: E402

NEXT_YEAR = (datetime.date.today() + datetime.timedelta(days=366)).isoformat()
reg = Registry()
reg.ctip("user", "add", "a.supervisor2", "--org", ORGS["A"][0], "--role", "supervisor", stdin=PW + "\n")
reg.serve()
try:
    cl = {}
    for k in "ABC":
        for role in ("caseworker", "supervisor", "analyst", "auditor", "admin"):
            cl[f"{k}.{role}"] = reg.client(f"{k.lower()}.{role}")
    cl["A.supervisor2"] = reg.client("a.supervisor2")
    a, asup, asup2 = cl["A.caseworker"], cl["A.supervisor"], cl["A.supervisor2"]

    VICTIM = {"role": "victim", "prs_FirstName": "Thử", "prs_SecondName": "Nguyễn", "prs_Birthdate": "2001"}
    st, js = a.post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active"})
    ca = js["id"]
    ca2 = a.post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active"})[1]["id"]
    cb = cl["B.caseworker"].post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active"})[1]["id"]
    st, _ = a.post("/api/referrals", {"case_id": ca, "to_org": ORGS["B"][0], "reason": "Shelter"})
    report("set-up: A's case referred to B", st == 201, st)

    # ---- the owner's workflow --------------------------------------------------------------
    st, js = a.get(f"/api/cases/{ca}/workflow")
    report("workflow: a new case is at identification, unassigned",
           st == 200 and js["stage"] == "identification" and js["assigned_to"] is None, (st, js))
    st, js = a.post(f"/api/cases/{ca}/assign", {"to": "a.caseworker"})
    report("assign: a caseworker takes an unassigned case", st == 200, (st, js))
    st, js = a.post(f"/api/cases/{ca}/assign", {"to": "a.supervisor"})
    report("assign: a caseworker cannot reassign (403)", st == 403, (st, js))
    st, js = asup.post(f"/api/cases/{ca}/assign", {"to": "a.analyst"})
    report("assign: not to an analyst (400 naming to)", st == 400 and js.get("field") == "to", (st, js))
    st, js = asup.post(f"/api/cases/{ca}/assign", {"to": "b.caseworker"})
    report("assign: not to another organisation's account (400)", st == 400, (st, js))
    for stg in ("assessment", "case_plan"):
        st, js = a.post(f"/api/cases/{ca}/stage", {"stage": stg})
        report(f"stage: the assigned caseworker moves the case to {stg}", st == 200 and js["stage"] == stg, (st, js))
    st, js = a.post(f"/api/cases/{ca}/stage", {"stage": "services", "comment": "plan: shelter, training"})
    report("stage: services before the plan is approved asks a supervisor (202)",
           st == 202 and js["status"] == "requested", (st, js))
    plan_ap = js.get("approval")
    st, js = a.post(f"/api/cases/{ca}/stage", {"stage": "closed"})
    report("stage: a second request while one waits is 400", st == 400, (st, js))
    st, js = a.post(f"/api/approvals/{plan_ap}", {"decision": "approved"})
    report("approve: a caseworker may not (403)", st == 403, (st, js))
    st, js = cl["B.supervisor"].post(f"/api/approvals/{plan_ap}", {"decision": "approved"})
    report("approve: another organisation's supervisor gets 404", st == 404, (st, js))
    st, js = cl["B.supervisor"].get("/api/approvals")
    report("approvals: another organisation's supervisor sees none of A's",
           st == 200 and all(x["case_id"] != ca for x in js["approvals"]), (st, js))
    st, js = asup.get("/api/approvals")
    report("approvals: A's supervisor sees the request with its comment",
           st == 200 and any(x["id"] == plan_ap and x["request_comment"] == "plan: shelter, training"
                             for x in js["approvals"]), (st, js))
    st, js = asup.post(f"/api/approvals/{plan_ap}", {"decision": "approved", "comment": "good plan"})
    report("approve: A's supervisor approves the case plan", st == 200 and js["kind"] == "case_plan", (st, js))
    st, js = asup2.post(f"/api/approvals/{plan_ap}", {"decision": "rejected"})
    report("approve: a decided approval cannot be decided again (400)", st == 400, (st, js))
    st, js = a.get(f"/api/cases/{ca}/workflow")
    report("workflow: the approved plan moved the case to services",
           st == 200 and js["stage"] == "services" and js["plan_approved"] is True, (st, js))
    # self-approval: a supervisor requests the closure of a case and cannot approve it
    st, js = asup.post(f"/api/cases/{ca2}/stage", {"stage": "closed", "comment": "done"})
    close_ap = js.get("approval")
    report("close: a supervisor's request is recorded (202)", st == 202, (st, js))
    st, js = asup.post(f"/api/approvals/{close_ap}", {"decision": "approved"})
    report("approve: a supervisor may not approve their own request (403)", st == 403, (st, js))
    st, js = asup2.post(f"/api/approvals/{close_ap}", {"decision": "maybe"})
    report("approve: a decision other than approved/rejected is 400", st == 400 and js.get("field") == "decision", (st, js))
    st, js = asup2.post(f"/api/approvals/{close_ap}", {"decision": "approved", "comment": "closing"})
    report("approve: another supervisor closes the case", st == 200, (st, js))
    st, js = asup.get(f"/api/cases/{ca2}")
    report("close: HTCDS cas_Status is Closed too", st == 200 and js.get("cas_Status") == "Closed", (st, str(js)[:300]))
    st, js = a.post(f"/api/cases/{ca2}/stage", {"stage": "services"})
    report("reopen: a caseworker may not reopen a closed case (403)", st == 403, (st, js))

    # ---- risk and follow-up -----------------------------------------------------------------
    st, js = a.get("/api/risk/instrument")
    qs = {q["code"] for q in js.get("questions", [])} if st == 200 else set()
    report("instrument: every question of the brief, with both labels",
           {"debt", "stigma", "papers", "trafficker_nearby", "income", "earlier_trafficking",
            "family_involvement", "health", "dependants"} <= qs and
           all(q["label_vi"] and q["label_en"] for q in js["questions"]), (st, qs))
    st, js = a.post(f"/api/cases/{ca}/followups/plan", {"from": "2026-01-15"})
    report("plan: the default plan has 5 contacts", st == 201 and js["planned"] == 5, (st, js))
    st, js = a.get(f"/api/cases/{ca}/followups")
    dues = [d["due"] for d in js.get("plan", [])]
    report("plan: 1, 3, 6, 12 and 24 months after return",
           dues == ["2026-02-15", "2026-04-15", "2026-07-15", "2027-01-15", "2028-01-15"], dues)
    st, js = a.post(f"/api/cases/{ca}/assessments", {"date": "2026-03-01",
                                                     "answers": {"debt": "bank", "income": "irregular"}})
    report("assess: a low score is low", st == 201 and js["level"] == "low" and js["score"] == 2, (st, js))
    st, js = a.post(f"/api/cases/{ca}/assessments", {"date": "2026-05-01",
                                                     "answers": {"debt": "recruiter", "income": "none"}})
    report("assess: a critical answer is high, raises an alert and brings follow-up forward",
           st == 201 and js["level"] == "high" and js["alert"] is True and js["followups_moved"] >= 1, (st, js))
    st, js = a.get(f"/api/cases/{ca}/followups")
    dues2 = [d["due"] for d in js.get("plan", [])]
    report("assess: the later contacts are closer than planned",
           st == 200 and "2027-01-15" not in dues2 and "2028-01-15" not in dues2, dues2)
    st, js = a.get(f"/api/cases/{ca}/assessments")
    report("assessments: the trend is rising, latest high",
           st == 200 and js["trend"] == "rising" and js["level"] == "high" and len(js["assessments"]) == 2, (st, js))
    st, js = a.get("/api/alerts")
    report("alerts: the high risk shows", st == 200 and any(x["case_id"] == ca and x["kind"] == "high_risk"
                                                             for x in js["alerts"]), (st, js))
    st, js = a.get("/api/followups/due?overdue=1")
    report("due: the overdue contacts of the organisation", st == 200 and any(d["case_id"] == ca and d["overdue"]
                                                                              for d in js["due"]), (st, js))
    for i in range(3):
        st, js = a.post(f"/api/cases/{ca}/followups", {"mode": "phone", "outcome": "not_reached",
                                                        "notes": f"SECRETNOTE-{i} no answer"})
    report("record: the third failed attempt makes the case lost to follow-up",
           st == 201 and js["followup"] == "lost" and js["failed_attempts"] == 3, (st, js))
    st, js = a.get(f"/api/cases/{ca}/followups")
    report("followups: the contacts with their notes, for the owner",
           st == 200 and js["state"] == "lost" and js["contacts"][0]["notes"] == "SECRETNOTE-0 no answer", (st, js))
    st, js = a.post(f"/api/cases/{ca}/followups", {"mode": "home_visit", "outcome": "reached_stable"})
    report("record: a reached contact brings the case back", st == 201 and js["followup"] == "active", (st, js))

    # ---- hotline contacts --------------------------------------------------------------------
    st, js = a.post("/api/contacts", {"channel": "call", "reason": "request_help", "province": "Nghệ An",
                                      "notes": "SECRETHOTLINE caller fears for sister"})
    report("contact: recorded anonymous by default", st == 201 and js["anonymous"] is True, (st, js))
    h1 = js.get("id")
    st, js = a.post("/api/contacts", {"channel": "web_form", "caller": "Người Gọi Thử", "at": "2026-11-01T09:30"})
    h2 = js.get("id")
    report("contact: a named caller is not anonymous", st == 201 and js["anonymous"] is False, (st, js))
    st, js = a.post("/api/contacts", {"channel": "pigeon"})
    report("contact: an unknown channel is 400 naming it", st == 400 and js.get("field") == "channel", (st, js))
    st, js = a.post("/api/contacts", {"channel": "call", "at": NEXT_YEAR + "T00:00"})
    report("contact: a time in the future is 400", st == 400 and js.get("field") == "at", (st, js))
    st, js = a.post("/api/contacts", {"channel": "call", "anonymous": True, "caller": "X"})
    report("contact: anonymous with a caller is 400", st == 400, (st, js))
    st, js = a.get("/api/contacts")
    report("contacts: the list has no notes or caller",
           st == 200 and len(js["contacts"]) == 2 and all("notes" not in x and "caller" not in x for x in js["contacts"]),
           (st, js))
    st, js = a.get(f"/api/contacts/{h1}")
    report("contact: the owner reads its notes", st == 200 and js["notes"].startswith("SECRETHOTLINE"), (st, js))
    st, js = a.post(f"/api/contacts/{h1}/convert", {})
    report("convert: a contact opens a new case", st == 201 and js["new_case"] is True, (st, js))
    new_case = js.get("case_id")
    st, js = a.get(f"/api/cases/{new_case}/workflow")
    report("convert: the new case is the taker's, at identification",
           st == 200 and js["assigned_to"] == "a.caseworker" and js["stage"] == "identification", (st, js))
    st, js = a.post(f"/api/contacts/{h1}/convert", {})
    report("convert: twice is 400", st == 400, (st, js))
    st, js = a.post(f"/api/contacts/{h2}/convert", {"case_id": cb})
    report("convert: not onto another organisation's case (404)", st == 404, (st, js))
    st, js = a.post(f"/api/contacts/{h2}/convert", {"case_id": ca})
    report("convert: attached to an existing case of the organisation", st == 200 and js["case_id"] == ca, (st, js))

    # ---- the access matrix: every endpoint, every other account ------------------------------
    hb = cl["B.caseworker"].post("/api/contacts", {"channel": "chat"})[1]["id"]
    endpoints = [
        ("GET", f"/api/cases/{ca}/workflow", None),
        ("POST", f"/api/cases/{ca}/assign", {"to": "a.caseworker"}),
        ("POST", f"/api/cases/{ca}/stage", {"stage": "assessment"}),
        ("GET", f"/api/cases/{ca}/assessments", None),
        ("POST", f"/api/cases/{ca}/assessments", {"answers": {"debt": "none"}}),
        ("GET", f"/api/cases/{ca}/followups", None),
        ("POST", f"/api/cases/{ca}/followups", {"mode": "phone", "outcome": "not_reached"}),
        ("POST", f"/api/cases/{ca}/followups/plan", {}),
        ("GET", f"/api/contacts/{h2}", None),
        ("POST", f"/api/contacts/{h2}/convert", {}),
    ]
    # B was referred the case: it sees the case but none of its casework (403); C sees nothing
    # (404, as for a case that does not exist); analysts, auditors and admins never reach it.
    want = {"B.caseworker": 403, "B.supervisor": 403, "C.caseworker": 404, "C.supervisor": 404,
            "A.analyst": 403, "A.auditor": 403, "A.admin": 403, "B.analyst": 403, "C.analyst": 403}
    for who, code in want.items():
        for m, path, body in endpoints:
            c = cl[who]
            exp = code
            if path.startswith("/api/contacts") and who.endswith(("caseworker", "supervisor")):
                exp = 404  # a contact is its organisation's alone
            st, js, text, _ = c.req(m, path, body)
            report(f"matrix: {who} {m} {path.replace(str(ca), 'A-case')} -> {exp}", st == exp,
                   (st, text[:200]))
            if "SECRET" in text:
                report(f"matrix: {who} {m} {path}: no notes leak", False, text[:200])
    for who in ("B.caseworker", "C.supervisor"):
        st, js = cl[who].get("/api/contacts")
        report(f"contacts: {who} lists none of A's", st == 200 and all(x["id"] not in (h1, h2) for x in js["contacts"]),
               (st, js))
        st, js = cl[who].get("/api/followups/due")
        report(f"due: {who} sees none of A's", st == 200 and all(d["case_id"] != ca for d in js["due"]), (st, js))
        st, js = cl[who].get("/api/alerts")
        report(f"alerts: {who} sees none of A's", st == 200 and all(x["case_id"] != ca for x in js["alerts"]), (st, js))
    st, js = a.get(f"/api/contacts/{hb}")
    report("contact: A cannot read B's contact (404)", st == 404, (st, js))
    st, js = cl["B.caseworker"].post(f"/api/contacts/{hb}/convert", {"case_id": ca})
    report("convert: B cannot attach its contact to A's case referred to it (403)", st == 403, (st, js))
    st, js = cl["C.caseworker"].post(f"/api/contacts/{cl['C.caseworker'].post('/api/contacts', {'channel': 'call'})[1]['id']}/convert",
                                      {"case_id": ca})
    report("convert: C cannot attach a contact to A's case (404)", st == 404, (st, js))
    for who in ("A.analyst", "B.analyst", "A.auditor"):
        for path in ("/api/contacts", "/api/approvals", "/api/alerts", "/api/followups/due", "/api/risk/instrument"):
            st, js = cl[who].get(path)
            report(f"roles: {who} GET {path} is 403", st == 403, (st, js))
    st, js = cl["A.analyst"].post("/api/contacts", {"channel": "call"})
    report("roles: an analyst cannot record a contact (403)", st == 403, (st, js))

    # ---- bad input ------------------------------------------------------------------------------
    bad = [
        (f"/api/cases/{ca}/stage", {"stage": "flying"}, "stage"),
        (f"/api/cases/{ca}/stage", {"stage": "services", "extra": 1}, "extra"),
        (f"/api/cases/{ca}/assessments", {"answers": "debt=none"}, "answers"),
        (f"/api/cases/{ca}/assessments", {"answers": {"debt": "lots"}}, "debt"),
        (f"/api/cases/{ca}/assessments", {"answers": {"nosuch": "x"}}, "answers"),
        (f"/api/cases/{ca}/assessments", {"date": "2026-13-40", "answers": {}}, "date"),
        (f"/api/cases/{ca}/assessments", {"date": NEXT_YEAR, "answers": {}}, "date"),
        (f"/api/cases/{ca}/followups", {"mode": "telepathy", "outcome": "not_reached"}, "mode"),
        (f"/api/cases/{ca}/followups", {"mode": "phone", "outcome": "fine"}, "outcome"),
        (f"/api/cases/{ca}/followups", {"mode": "phone"}, "outcome"),
        (f"/api/cases/{ca}/followups/plan", {"months": "6,3"}, "months"),
        (f"/api/cases/{ca}/followups/plan", {"months": "1,x"}, "months"),
        (f"/api/cases/{ca}/followups/plan", {"from": "yesterday"}, "from"),
        (f"/api/cases/{ca}/followups", {"mode": "phone", "outcome": "not_reached", "notes": "x" * 9000}, "notes"),
    ]
    for path, body, field in bad:
        st, js = asup.post(path, body)
        report(f"bad input: {str(body)[:60]} -> 400 naming {field}", st == 400 and js.get("field") == field, (st, js))
    st, js, text, _ = a.req("POST", f"/api/cases/{ca}/assessments", raw=b'{"answers": {"debt": ')
    report("bad input: malformed JSON is 400", st == 400, (st, text))
    st, js, text, _ = a.req("POST", f"/api/cases/{ca}/stage", {"stage": "assessment"}, csrf=False)
    report("CSRF: a casework POST without the token is 403", st == 403, (st, text))
    st, js = a.get("/api/cases/999999/workflow")
    report("a case that does not exist is 404", st == 404, (st, js))
finally:
    rc = reg.stop()
report("the server stops cleanly", rc == 0, rc)

# ---- audit and sealing ---------------------------------------------------------------------
log = reg.ctip("audit", "log").stdout
for action in ("case_assign", "case_stage", "approval_request", "approval_approve", "assess",
               "followup_plan", "followup_record", "contact_add", "contact_convert"):
    report(f"audit: {action} entries are in the log", f" {action} " in log, log[-400:])
report("audit: the chain is intact", reg.ctip("audit", "verify").returncode == 0)
raw = reg.raw()
report("sealed: no note, comment or caller in clear in the database files",
       raw and b"SECRETNOTE" not in raw and b"SECRETHOTLINE" not in raw and b"good plan" not in raw
       and "Người Gọi Thử".encode() not in raw)
finish()
