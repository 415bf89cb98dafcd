#!/usr/bin/env python3
"""Attacks on account management (issue 14 item 5; server/routes_accounts.c): a caseworker or
any other role but an administrator calling the administrators' endpoints; a change of one's own
password without the old one (a stolen session); an administrator disabling the last
administrator, alone or in a race with another; an unlock used to get round the login throttle;
an escalation through a role the system does not have or a field the endpoint does not take."""
import subprocess
import threading
import time

import harness
from harness import PW, ORGS, report

reg = harness.Registry()
reg.serve()
adm = reg.client("a.admin")
st, js = adm.get("/api/accounts")
ids = {a["username"]: a["id"] for a in js["accounts"]}

# ---- every role but admin is refused, and nothing changes ------------------------------------
for role in ("caseworker", "supervisor", "analyst", "auditor"):
    c = reg.client(f"a.{role}")
    tries = [
        ("GET", "/api/accounts", None),
        ("POST", "/api/accounts", {"username": f"evil.{role}", "org": ORGS["A"][0],
                                   "role": "admin", "password": "evil password 123"}),
        ("PATCH", f"/api/accounts/{ids['a.admin']}", {"disabled": True}),
        ("PATCH", f"/api/accounts/{ids['b.caseworker']}", {"password": "taken over 12345"}),
        ("POST", f"/api/accounts/{ids['b.caseworker']}/unlock", {}),
    ]
    for method, path, body in tries:
        st, js, text, _ = c.req(method, path, body)
        report(f"accounts: {role} {method} {path.split('/api/')[1]} -> 403", st == 403
               and js.get("code") == "role_forbidden", text[:200])
st, js, _ = reg.client().login("evil.caseworker", "evil password 123")
report("accounts: no account was created by a caseworker", st == 401, js)
st, js, _ = reg.client().login("b.caseworker", PW)
report("accounts: b.caseworker's password was not reset by others", st == 200, js)
st, js, _ = reg.client().login("a.admin", PW)
report("accounts: a.admin was not disabled by others", st == 200, js)

# ---- no escalation: a role the system does not have, or a field not taken ------------------
st, js = adm.post("/api/accounts", {"username": "x.super", "org": ORGS["A"][0], "role": "superadmin",
                                    "password": "long enough password"})
report("accounts: a role the system does not have: 400", st == 400 and js.get("code") == "unknown_role", js)
st, js, text, _ = adm.req("PATCH", f"/api/accounts/{ids['a.caseworker']}", {"role": "admin"})
report("accounts: PATCH cannot change a role: 400 unknown_field", st == 400
       and js.get("code") == "unknown_field", text)
st, js, text, _ = adm.req("POST", "/api/accounts", {"username": "x.csrf", "org": ORGS["A"][0],
                                                    "role": "admin", "password": "long enough password"},
                          csrf=False)
report("accounts: POST without the CSRF token: 403", st == 403 and js.get("code") == "csrf", text)

# ---- one's own password needs the old one ----------------------------------------------------
thief = reg.client("a.caseworker")
st, js, text, _ = thief.req("POST", "/api/me/password", {"new_password": "stolen session pw 1"})
report("own password: without the old one: 400", st == 400 and js.get("field") == "old_password", text)
st, js, text, _ = thief.req("POST", "/api/me/password", {"old_password": "", "new_password": "stolen session pw 1"})
report("own password: with an empty old one: 400", st == 400, text)
st, js, _ = reg.client().login("a.caseworker", PW)
report("own password: unchanged after both", st == 200, js)
# guessing the old password through a stolen session is throttled like a login
codes = []
for i in range(6):
    st, js, text, _ = thief.req("POST", "/api/me/password", {"old_password": f"guess {i} guess",
                                                             "new_password": "stolen session pw 1"})
    codes.append(st)
report("own password: guessing the old one is locked out like a login (429)", codes[-1] == 429, codes)
adm.post(f"/api/accounts/{ids['a.caseworker']}/unlock", {})

# ---- the last administrator ------------------------------------------------------------------
for k in ("b", "c"):
    st, js, text, _ = adm.req("PATCH", f"/api/accounts/{ids[k + '.admin']}", {"disabled": True})
    report(f"admins: a.admin disables {k}.admin", st == 200, text)
st, js, text, _ = adm.req("PATCH", f"/api/accounts/{ids['a.admin']}", {"disabled": True})
report("admins: the last administrator cannot disable their account: 409 last_admin", st == 409
       and js.get("code") == "last_admin", text)
st, js = adm.get("/api/me")
report("admins: and stays signed in", st == 200, js)
# two administrators disabling each other at once: one of them stays. Each round sends three
# requests from each side at once (libmicrohttpd's threads take new connections as they wake, so
# two requests alone often ran one after the other on one thread), and is run several times.


def enabled_admins():
    out = reg.sql("SELECT username FROM account WHERE role = 'admin' AND disabled = 0 "
                  "AND username IN ('a.admin', 'b.admin') ORDER BY username").stdout
    return out.split()


adm.req("PATCH", f"/api/accounts/{ids['b.admin']}", {"disabled": False})
rounds = []
for rnd in range(8):
    res = []
    cl = {"a": reg.client("a.admin"), "b": reg.client("b.admin")}
    go = threading.Barrier(6)

    def disable(who, target):
        go.wait()
        res.append((who, cl[who].req("PATCH", f"/api/accounts/{ids[target]}",
                                     {"disabled": True})[0]))

    ts = [threading.Thread(target=disable, args=(w, t))
          for w, t in (("a", "b.admin"), ("b", "a.admin")) * 3]
    hold = None
    if harness.BACKEND == "pg" and rnd < 3:
        # Widen the window on PostgreSQL: a lock that lets the requests read the accounts but
        # holds their UPDATEs for a second, so that both sides read before either writes unless
        # ctip serialises the decision itself.
        hold = subprocess.Popen(["psql", "-X", "-q", "-h", harness.pg_host(), "-d", reg.dbname,
                                 "-c", "BEGIN; LOCK TABLE account IN EXCLUSIVE MODE; "
                                 "SELECT pg_sleep(1); COMMIT"], stdout=subprocess.DEVNULL)
        time.sleep(0.3)
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if hold:
        hold.wait()
    left = enabled_admins()
    rounds.append((sorted(res), left))
    if len(left) != 1:
        break
    if rnd < 7:  # the survivor enables the other for the next round
        other = "b.admin" if left == ["a.admin"] else "a.admin"
        reg.client(left[0]).req("PATCH", f"/api/accounts/{ids[other]}", {"disabled": False})
report("admins: in a race to disable each other, one administrator stays (8 rounds of 3 + 3)",
       len(rounds) == 8 and len(left) == 1, rounds[-2:])
st = 200 if left == ["a.admin"] else 0
survivor = reg.client("a.admin" if st == 200 else "b.admin")
st, js, text, _ = survivor.req("PATCH", f"/api/accounts/{ids['a.admin' if st == 200 else 'b.admin']}",
                               {"disabled": True})
report("admins: the survivor is the last one and cannot disable it", st == 409, text)
st, js, text, _ = survivor.req("PATCH", f"/api/accounts/{ids['a.caseworker']}", {"disabled": True})
st2, js2, text2, _ = survivor.req("PATCH", f"/api/accounts/{ids['a.caseworker']}", {"disabled": False})
report("admins: other accounts can still be disabled and enabled", st == 200 and st2 == 200, (text, text2))

# ---- an unlock is no way round the throttle of an address ------------------------------------
src = "127.0.0.9"
names = [f"{k.lower()}.{r}" for k in ORGS for r in harness.ROLES]
last = None
for i in range(20):
    last = reg.client(source=src).login(names[i % len(names)], "wrong wrong wrong")[0]
st, js, _ = reg.client(source=src).login("a.supervisor", PW)
report("throttle: 20 failures lock the address (429 even with the right password)", st == 429, (last, st))
survivor.post(f"/api/accounts/{ids['a.supervisor']}/unlock", {})
st, js, _ = reg.client(source=src).login("a.supervisor", PW)
report("throttle: an unlock of the account does not unlock the address", st == 429, js)
st, js, _ = reg.client(source="127.0.0.10").login("a.supervisor", PW)
report("throttle: from another address the unlocked account signs in", st == 200, js)
log = reg.ctip("audit", "log").stdout
report("throttle: the unlock is audited", "account_unlock" in log)

rc = reg.stop()
report("accounts attacks: the server stops with status 0", rc == 0, getattr(reg, "last_err", ""))
raise SystemExit(1 if harness.FAILS else 0)
