#!/usr/bin/env python3
"""Attack: keep or regain the view of a case after a referral ended (issue 10, item 6). Before
the fix the receiving organisation could decline a referral and later set it back to Accepted,
and the owner could not withdraw a referral at all (403 not_receiver). Now a referral follows a
state machine: Pending (sent) -> Accepted | Declined by the receiver, Accepted -> Completed by
the receiver, Pending | Accepted | Completed -> Withdrawn by the owner; Declined and Withdrawn are
final; each move is audited, and the case, its persons and the name search follow it."""
from harness import Registry, finish, report

reg = Registry()
reg.serve()
a = reg.client("a.caseworker")
b = reg.client("b.caseworker")
c = reg.client("c.caseworker")
B = reg.orgs["B"][0]
SHARE = {"role": "victim", "prs_SecondName": "Mạc", "prs_MiddleName": "Thị", "con_Consent": True,
         "ctip_ConsentScope": ["ShareWithReferralOrgs", "ShareIdentity"]}


def new_case(given):
    cid = a.post("/api/cases", {"persons": [dict(SHARE, prs_FirstName=given)]})[1]["id"]
    pid = a.get(f"/api/cases/{cid}")[1]["persons"][0]["id"]
    ref = a.post("/api/referrals", {"case_id": cid, "to_org": B})[1]["id"]
    return cid, pid, ref


def b_sees(cid, pid, given):
    """What B sees of the case: (GET case, GET person, the name search finds it)."""
    st1 = b.get(f"/api/cases/{cid}")[0]
    st2 = b.get(f"/api/persons/{pid}")[0]
    st, js = b.get(f"/api/search?q=mac%20thi%20{given}")
    found = st == 200 and pid in [x["id"] for x in js["results"]]
    return st1 == 200, st2 == 200, found


def move(cl, ref, status):
    st, js, text, _ = cl.req("PATCH", f"/api/referrals/{ref}", {"status": status})
    return st, (js or {}).get("code"), text


# 1. declined is final
cid, pid, ref = new_case("Hiền")
report("referral: a referred case is seen by the receiver (case, person, search)",
       b_sees(cid, pid, "hien") == (True, True, True))
st, code, text = move(b, ref, "Declined")
report("referral: the receiver declines (200)", st == 200, text)
report("referral: ... and no longer sees the case, the person, or finds the name",
       b_sees(cid, pid, "hien") == (False, False, False), b_sees(cid, pid, "hien"))
for to in ["Accepted", "Completed", "Pending"]:
    st, code, text = move(b, ref, to)
    report(f"referral: a declined referral cannot become {to} (the receiver tries)",
           st in (400, 409) and code in ("referral_state", "unknown_status"), (st, text))
report("referral: ... the case stays hidden", b_sees(cid, pid, "hien") == (False, False, False))

# 2. the owner withdraws a pending referral; withdrawn is final
cid, pid, ref = new_case("Loan")
st, code, text = move(b, ref, "Withdrawn")
report("referral: the receiver cannot withdraw (403 not_sender)", st == 403 and code == "not_sender", text)
st, code, text = move(a, ref, "Accepted")
report("referral: the owner cannot accept its own referral (403 not_receiver)",
       st == 403 and code == "not_receiver", text)
st, code, text = move(a, ref, "Withdrawn")
report("referral: the owner withdraws a pending referral (200)", st == 200 and '"Withdrawn"' in text, text)
report("referral: ... the receiver no longer sees the case, the person, or finds the name",
       b_sees(cid, pid, "loan") == (False, False, False), b_sees(cid, pid, "loan"))
st, code, text = move(b, ref, "Accepted")
report("referral: a withdrawn referral cannot be accepted (409)", st == 409 and code == "referral_state", text)
st, code, text = move(a, ref, "Withdrawn")
report("referral: nor withdrawn twice (409)", st == 409 and code == "referral_state", text)

# 3. accepted, completed, then withdrawn by the owner
cid, pid, ref = new_case("Ngân")
report("referral: accept (200)", move(b, ref, "Accepted")[0] == 200)
st, code, text = move(b, ref, "Declined")
report("referral: an accepted referral cannot be declined afterwards (409)", st == 409, text)
report("referral: complete (200); the receiver still sees the completed case",
       move(b, ref, "Completed")[0] == 200 and b_sees(cid, pid, "ngan") == (True, True, True))
st, code, text = move(a, ref, "Withdrawn")
report("referral: the owner withdraws a completed referral (200) and the receiver's view ends",
       st == 200 and b_sees(cid, pid, "ngan") == (False, False, False), (text, b_sees(cid, pid, "ngan")))

# 4. others
st, code, text = move(c, ref, "Withdrawn")
report("referral: another organisation's move is 404 as for a missing referral", st == 404, text)
st, js = b.get("/api/referrals?box=in")
report("referral: the receiver's inbox shows the final states",
       st == 200 and sorted(x["status"] for x in js["referrals"]) == ["Declined", "Withdrawn", "Withdrawn"],
       js)
report("referral: the server stops cleanly", reg.stop() == 0, reg.last_err)
log = reg.ctip("audit", "log").stdout
report("referral: each move is audited with the state it left",
       "Withdrawn (was Pending)" in log and "Withdrawn (was Completed)" in log and "Declined (was Pending)" in log,
       log[-800:])
finish()
