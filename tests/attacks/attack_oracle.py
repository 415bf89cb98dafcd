#!/usr/bin/env python3
"""Attack: an insider of organisation C probes ids to learn whether another organisation's
case, person, referral, assistance item or proceeding exists (issue 10, item 8). Before the fix
GET /api/assistance/ID answered `no_such_case` for another organisation's item and
`no_such_item` for a missing one (proceedings too). Every endpoint that takes an id must give
an item it may not see exactly the answer (status and body) of one that does not exist."""
from harness import Registry, finish, report

reg = Registry()
reg.serve()
a = reg.client("a.caseworker")
c = reg.client("c.caseworker")
V = {"role": "victim", "prs_FirstName": "Tâm", "prs_SecondName": "Hồ", "prs_Birthdate": "1999-01-02"}
case = a.post("/api/cases", {"persons": [V]})[1]["id"]
person = a.get(f"/api/cases/{case}")[1]["persons"][0]["id"]
st, js = a.post("/api/assistance", {"case_id": case, "person_id": person, "ctip_AssistanceKind": "Medical"})
item = js["id"]
st2, js = a.post("/api/proceedings", {"case_id": case, "person_id": person, "ctip_ProcStage": "Investigated"})
proc = js["id"]
st3, js = a.post("/api/referrals", {"case_id": case, "to_org": reg.orgs["B"][0]})
ref = js["id"]
report("oracle: set-up (an assistance item, a proceeding and a referral of A)",
       st == 201 and st2 == 201 and st3 == 201, (st, st2, st3))
# ids that exist nowhere, of the same shapes (an item id is link * 65536 + position)
MISSING = 900000
checks = [
    ("GET case", "GET", f"/api/cases/{case}", f"/api/cases/{MISSING}", None),
    ("PATCH case", "PATCH", f"/api/cases/{case}", f"/api/cases/{MISSING}", {"cas_Status": "Active"}),
    ("GET person", "GET", f"/api/persons/{person}", f"/api/persons/{MISSING}", None),
    ("PATCH person", "PATCH", f"/api/persons/{person}", f"/api/persons/{MISSING}", {"prs_FirstName": "X"}),
    ("persons of a case", "GET", f"/api/persons?case_id={case}", f"/api/persons?case_id={MISSING}", None),
    ("GET assistance item", "GET", f"/api/assistance/{item}", f"/api/assistance/{MISSING * 65536}", None),
    ("GET assistance item (next position)", "GET", f"/api/assistance/{item}", f"/api/assistance/{item + 1}", None),
    ("PATCH assistance item", "PATCH", f"/api/assistance/{item}", f"/api/assistance/{MISSING * 65536}",
     {"ctip_AssistanceKind": "Medical"}),
    ("assistance of a case", "GET", f"/api/assistance?case_id={case}", f"/api/assistance?case_id={MISSING}", None),
    ("GET proceeding", "GET", f"/api/proceedings/{proc}", f"/api/proceedings/{MISSING * 65536}", None),
    ("PATCH proceeding", "PATCH", f"/api/proceedings/{proc}", f"/api/proceedings/{MISSING * 65536}",
     {"ctip_ProcStage": "Investigated"}),
    ("proceedings of a case", "GET", f"/api/proceedings?case_id={case}", f"/api/proceedings?case_id={MISSING}",
     None),
    ("GET referral", "GET", f"/api/referrals/{ref}", f"/api/referrals/{MISSING}", None),
    ("PATCH referral", "PATCH", f"/api/referrals/{ref}", f"/api/referrals/{MISSING}", {"status": "Accepted"}),
    ("add assistance to a case", "POST", "/api/assistance", "/api/assistance", None),
    ("add a person to a case", "POST", "/api/persons", "/api/persons", None),
    ("refer a case", "POST", "/api/referrals", "/api/referrals", None),
]
for name, method, theirs, missing, body in checks:
    if method == "POST":
        bt = {"case_id": case, "person_id": person, "ctip_AssistanceKind": "Medical"} if "assistance" in theirs \
            else {"case_id": case, "to_org": reg.orgs["C"][0]} if "referrals" in theirs \
            else {"case_id": case, "prs_FirstName": "X"}
        bm = dict(bt, case_id=MISSING)
    else:
        bt = bm = body
    st1, _, t1, _ = c.req(method, theirs, bt)
    st2, _, t2, _ = c.req(method, missing, bm)
    report(f"oracle: {name}: A's and a missing one answer alike ({st1})",
           st1 == st2 == 404 and t1 == t2, (st1, t1[:200], st2, t2[:200]))
# the owner still reads them (so the 404s above are about access, not broken ids)
report("oracle (control): A reads its item and proceeding",
       a.get(f"/api/assistance/{item}")[0] == 200 and a.get(f"/api/proceedings/{proc}")[0] == 200)
report("oracle: the server stops cleanly", reg.stop() == 0, reg.last_err)
finish()
