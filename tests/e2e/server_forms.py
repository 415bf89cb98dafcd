#!/usr/bin/env python3
"""End-to-end test of what the web UI's forms need from `ctip serve` (issue 14 item 5):
accounts managed by administrators (GET/POST/PATCH /api/accounts, unlock), everyone's own
password (POST /api/me/password), referrals with a note and an unread count
(GET /api/referrals/unread, POST /api/referrals/{id}/read), and an assistance provider that is
not a registered organisation kept as text, never registered as a new organisation.
Prints "ok NAME" / "not ok NAME". Synthetic people only. Standard library only."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "attacks"))
import harness  # noqa: E402
from harness import PW, ORGS, report  # noqa: E402

reg = harness.Registry()
reg.serve()
A = reg.client("a.caseworker")
B = reg.client("b.caseworker")
ADM = reg.client("a.admin")

# ---- an assistance provider that is not an organisation stays text --------------------------
st, js = A.post("/api/cases", {"cas_Status": "Active", "persons": [
    {"role": "victim", "prs_SecondName": "Đỗ", "prs_FirstName": "Thử", "con_Consent": True}]})
report("forms: a case to work on", st == 201, js)
case = js["id"]
st, c = A.get(f"/api/cases/{case}")
pid = c["persons"][0]["id"]
typed = "Nhà tạm lánh Hy Vọng Thử nghiệm"
st, js = A.post("/api/assistance", {"case_id": case, "person_id": pid,
                                    "ctip_AssistanceKind": "Psychological",
                                    "ctip_AssistanceProvider": typed})
report("assistance with a provider that is no organisation: 201", st == 201, js)
st, c = A.get(f"/api/cases/{case}")
got = [a.get("ctip_AssistanceProvider") for a in c["persons"][0].get("assistance", [])]
report("the provider reads back as typed", got == [typed], got)

def registered(name):
    """Whether name is an organisation: `ctip org add` refuses a name that exists."""
    r = reg.ctip("org", "add", name, "--type", "NGO")
    return "already exists" in r.stderr


report("ctip org add: the typed provider did not become an organisation", not registered(typed))
st, js = A.get("/api/orgs")
report("GET /api/orgs: nor there", typed not in str(js), js)
st, js = A.post("/api/assistance", {"case_id": case, "person_id": pid,
                                    "ctip_AssistanceKind": "Legal",
                                    "ctip_AssistanceProvider": ORGS["C"][0]})
st, c = A.get(f"/api/cases/{case}")
got = [a.get("ctip_AssistanceProvider") for a in c["persons"][0].get("assistance", [])]
report("a provider that is a registered organisation is linked to it", got == [typed, ORGS["C"][0]], got)
# an edit of the item keeps the same rule
st, js = A.get(f"/api/assistance?case_id={case}")
items = js.get("assistance", js.get("items", [])) if isinstance(js, dict) else []
aid = items[0].get("id") if items else None
report("GET /api/assistance lists the items", aid is not None, js)
if aid is not None:
    other = "Trung tâm Thử nghiệm Khác"
    st, js, text, _ = A.req("PATCH", f"/api/assistance/{aid}", {"ctip_AssistanceProvider": other})
    report("PATCH of a provider: text, no new organisation", st == 200 and not registered(other), (st, text))

# ---- referrals: a note, the unread count, read by the receiver ------------------------------
st, js = B.get("/api/referrals/unread")
report("GET /api/referrals/unread: 0 before any referral", st == 200 and js == {"unread": 0}, js)
note = "Chị ấy cần chỗ ở an toàn và hỗ trợ pháp lý; gọi trước khi đến."
st, js = A.post("/api/referrals", {"case_id": case, "to_org": ORGS["B"][0], "reason": "Legal", "note": note})
report("POST /api/referrals with a note: 201", st == 201, js)
ref = js["id"]
st, js = B.get("/api/referrals/unread")
report("the receiver has 1 unread referral", js == {"unread": 1}, js)
st, js = A.get("/api/referrals/unread")
report("the sender has none", js == {"unread": 0}, js)
st, js = B.get("/api/referrals?box=in")
r = [x for x in js["referrals"] if x["id"] == ref]
report("the inbox shows the note and unread", r and r[0]["note"] == note and r[0]["unread"] is True, r)
st, js = A.get("/api/referrals?box=out")
r = [x for x in js["referrals"] if x["id"] == ref]
report("the outbox shows the note", r and r[0]["note"] == note, r)
st, _, text, _ = A.req("POST", f"/api/referrals/{ref}/read", {})
report("the sender cannot mark it read: 403", st == 403, text)
st, _, text, _ = B.req("POST", f"/api/referrals/{ref}/read", {})
report("the receiver marks it read: 204", st == 204, text)
st, js = B.get("/api/referrals/unread")
report("then 0 unread", js == {"unread": 0}, js)
st, js = B.get(f"/api/referrals/{ref}")
report("and the referral says read", st == 200 and js["unread"] is False, js)
raw = reg.raw()
report("the note is sealed at rest (not in the database)", note.encode() not in raw and len(raw) > 1000)
log = "\n".join(x for x in reg.ctip("audit", "log").stdout.splitlines() if f"C{case}" in x)
report("referral_read is audited", "referral_read" in log, log[-500:])
report("the note is not in the audit log", note not in log)
st, js = A.post("/api/referrals", {"case_id": case, "to_org": ORGS["C"][0], "note": "x" * 4001})
report("a note of more than 4000 bytes: 400 on note", st == 400 and js.get("field") == "note", js)

# ---- accounts, by an administrator ----------------------------------------------------------
st, js = ADM.get("/api/accounts")
names = [a["username"] for a in js.get("accounts", [])]
report("GET /api/accounts: every account, no hash", st == 200 and "b.caseworker" in names
       and "pw_hash" not in str(js) and "argon2" not in str(js), str(js)[:300])
report("GET /api/accounts: the roles the system has",
       js.get("roles") == ["caseworker", "supervisor", "analyst", "auditor", "admin"], js.get("roles"))
newpw = "a brand new password 7"
st, js = ADM.post("/api/accounts", {"username": "a.new", "org": ORGS["A"][0], "role": "caseworker",
                                    "password": newpw})
report("POST /api/accounts: 201", st == 201 and js.get("username") == "a.new", js)
new_id = js.get("id")
N = reg.client()
st, js, _ = N.login("a.new", newpw)
report("the new account signs in", st == 200 and js["role"] == "caseworker", js)
st, js = ADM.post("/api/accounts", {"username": "a.new", "org": ORGS["A"][0], "role": "caseworker",
                                    "password": newpw})
report("the same name again: 409 account_exists", st == 409 and js.get("code") == "account_exists", js)
st, js = ADM.post("/api/accounts", {"username": "a.root", "org": ORGS["A"][0], "role": "root",
                                    "password": newpw})
report("a role the system does not have: 400 unknown_role", st == 400 and js.get("field") == "role"
       and js.get("code") == "unknown_role", js)
st, js = ADM.post("/api/accounts", {"username": "a.short", "org": ORGS["A"][0], "role": "analyst",
                                    "password": "short"})
report("a short password: 400 password_too_short", st == 400 and js.get("code") == "password_too_short", js)
st, js = ADM.post("/api/accounts", {"username": "a x", "org": ORGS["A"][0], "role": "analyst",
                                    "password": newpw})
report("a user name with a space: 400 bad_username", st == 400 and js.get("code") == "bad_username", js)
st, js = ADM.post("/api/accounts", {"username": "a.nowhere", "org": "Không có tổ chức này",
                                    "role": "analyst", "password": newpw})
report("an organisation that is not registered: 400 on org", st == 400 and js.get("field") == "org", js)

st, js, text, _ = ADM.req("PATCH", f"/api/accounts/{new_id}", {"disabled": True})
report("PATCH disabled: 200, its session ended", st == 200 and js["disabled"] is True
       and js["sessions_ended"] == 1, text)
st, _ = N.get("/api/me")
report("the disabled account's session is gone: 401", st == 401, st)
st, js, _ = reg.client().login("a.new", newpw)
report("a disabled account cannot sign in", st == 401, js)
st, js, text, _ = ADM.req("PATCH", f"/api/accounts/{new_id}", {"disabled": False})
st, js, _ = reg.client().login("a.new", newpw)
report("enabled again, it signs in", st == 200, js)
reset = "reset by the admin 42"
st, js, text, _ = ADM.req("PATCH", f"/api/accounts/{new_id}", {"password": reset})
report("PATCH password (reset): 200", st == 200, text)
st, js, _ = reg.client().login("a.new", newpw)
report("the old password no longer works", st == 401, js)
st, js, _ = reg.client().login("a.new", reset)
report("the reset password works", st == 200, js)
st, js, text, _ = ADM.req("PATCH", "/api/accounts/987654", {"disabled": True})
report("PATCH of no account: 404", st == 404, text)
st, js, text, _ = ADM.req("PATCH", f"/api/accounts/{new_id}", {"disabled": "yes"})
report("disabled must be a boolean: 400", st == 400 and js.get("code") == "not_boolean", text)
st, js, text, _ = ADM.req("PATCH", f"/api/accounts/{new_id}", {})
report("nothing to change: 400", st == 400 and js.get("code") == "nothing_to_change", text)

# a lockout, then an unlock
for _ in range(5):
    reg.client(source="127.0.0.3").login("a.new", "wrong password here")
st, js, _ = reg.client(source="127.0.0.4").login("a.new", reset)
report("five wrong passwords lock the account: 429", st == 429, js)
st, js = ADM.get("/api/accounts")
locked = [a for a in js["accounts"] if a["username"] == "a.new"]
report("the account list shows the lockout", locked and locked[0]["locked_seconds"] > 0, locked)
st, js = ADM.post(f"/api/accounts/{new_id}/unlock", {})
report("POST unlock: 200 with the seconds it had left", st == 200 and js["was_locked_seconds"] > 0, js)
st, js, _ = reg.client(source="127.0.0.4").login("a.new", reset)
report("after the unlock the account signs in", st == 200, js)

log = "\n".join(x for x in reg.ctip("audit", "log").stdout.splitlines() if "a.new" in x)
for action in ("account_add", "account_disable", "account_enable", "password_reset", "account_unlock"):
    report(f"audited: {action}", action in log, log[-800:])
report("no password in the audit log", newpw not in log and reset not in log)

# ---- one's own password -----------------------------------------------------------------------
C1 = reg.client("b.supervisor")
C2 = reg.client("b.supervisor")
st, js, text, _ = C1.req("POST", "/api/me/password", {"new_password": "another password 99"})
report("own password without the old one: 400 on old_password", st == 400
       and js.get("field") == "old_password", text)
st, js, text, _ = C1.req("POST", "/api/me/password", {"old_password": "not it at all",
                                                      "new_password": "another password 99"})
report("own password with a wrong old one: 400 wrong_password", st == 400
       and js.get("code") == "wrong_password", text)
st, js, text, _ = C1.req("POST", "/api/me/password", {"old_password": PW, "new_password": PW})
report("the same password again: 400 same_password", st == 400 and js.get("code") == "same_password", text)
st, js, text, _ = C1.req("POST", "/api/me/password", {"old_password": PW, "new_password": "short"})
report("a short new password: 400 on new_password", st == 400 and js.get("field") == "new_password", text)
mine = "my very own password 3"
st, js, text, _ = C1.req("POST", "/api/me/password", {"old_password": PW, "new_password": mine})
report("own password changed: 200, the other session ended", st == 200 and js["sessions_ended"] == 1, text)
st, _ = C1.get("/api/me")
report("this session goes on", st == 200, st)
st, _ = C2.get("/api/me")
report("the other session of that user ended: 401", st == 401, st)
st, js, _ = reg.client().login("b.supervisor", PW)
report("the old password no longer signs in", st == 401, js)
st, js, _ = reg.client().login("b.supervisor", mine)
report("the new one does", st == 200, js)
log = "\n".join(x for x in reg.ctip("audit", "log").stdout.splitlines() if "b.supervisor" in x)
report("audited: password_change", "password_change" in log, log[-500:])

rc = reg.stop()
report("forms: the server stops with status 0", rc == 0, getattr(reg, "last_err", ""))
sys.exit(1 if harness.FAILS else 0)
