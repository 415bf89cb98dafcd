#!/usr/bin/env python3
"""Attack: lock everyone out with wrong passwords (issue 10, item 5). Behind the reverse proxy
that docs/SECURITY.md recommends every user shares the proxy's address, and before the fix five
wrong passwords from it locked the whole system out for 15 minutes. Now failures are counted per
account (with backoff) and per client address separately, the client address is taken from
X-Forwarded-For / X-Real-IP only when the peer is a proxy named by `ctip serve --trusted-proxy`,
and every lockout is audited."""
from harness import PW, Registry, finish, report

reg = Registry()
reg.serve("--trusted-proxy", "127.0.0.1")


def login(user, pw, xff=None, real=None):
    h = {}
    if xff:
        h["X-Forwarded-For"] = xff
    if real:
        h["X-Real-IP"] = real
    c = reg.client()
    st, js, _ = c.login(user, pw) if not h else (lambda r: (r[0], r[1], r[3]))(
        c.req("POST", "/api/login", {"username": user, "password": pw}, headers=h))
    return st


# 1. a crowd of wrong passwords against one account, each from another address
codes = [login("a.caseworker", f"wrong {i}", xff=f"10.1.0.{i + 1}") for i in range(30)]
report("login: a crowd against one account: 401 then 429 (the account throttled)",
       codes[:5] == [401] * 5 and 429 in codes, codes)
report("login: ... the other accounts still log in, from the crowd's addresses too",
       login("b.caseworker", PW, xff="10.1.0.3") == 200 and login("a.supervisor", PW, xff="10.2.0.9") == 200)
st = login("a.caseworker", PW, xff="10.2.0.10")
report("login: ... the attacked account is locked for a while (429), even with its password", st == 429, st)

# 2. one address behind the proxy tries many accounts
names = [f"{k}.{r}" for k in "abc" for r in ["caseworker", "supervisor", "analyst", "auditor", "admin"]
         if f"{k}.{r}" != "a.caseworker"]
codes = [login(names[i % len(names)], f"guess {i}", xff="10.0.0.66") for i in range(25)]
report("login: one address trying many accounts is locked out (429) after 20 failures",
       codes[:20] == [401] * 20 and codes[20:] == [429] * 5, codes)
report("login: ... its spoofed X-Forwarded-For prefix does not help (the proxy's last entry counts)",
       login("c.admin", PW, xff="10.0.0.7, 10.0.0.66") == 429)
ok = [login(n, PW, xff=f"10.0.0.{100 + i}") for i, n in enumerate(names)]
report("login: ... everyone else behind the same proxy still logs in, the tried accounts too",
       ok == [200] * len(ok), ok)
report("login: X-Real-IP is taken when X-Forwarded-For is absent",
       login("c.admin", PW, real="10.0.0.66") == 429 and login("c.admin", PW, real="10.0.0.67") == 200)
report("login: a header that holds no address leaves the proxy's own address",
       login("c.admin", PW, xff="not-an-address") == 200)
report("login: the server stops cleanly", reg.stop() == 0, reg.last_err)

a = reg.ctip("audit", "log")
report("login: the account's lockout is audited", "login_lockout" in a.stdout and "a.caseworker" in a.stdout,
       a.stdout[-600:])
report("login: the address's lockout is audited, naming the address",
       any("login_lockout" in line and "10.0.0.66" in line for line in a.stdout.splitlines()), a.stdout[-600:])

# 3. without a trusted proxy the headers are ignored: a client cannot pick its address
reg.serve("--trusted-proxy", "10.255.255.1")
codes = [login(names[i % len(names)], f"guess {i}", xff=f"10.3.0.{i + 1}", real=f"10.4.0.{i + 1}")
         for i in range(21)]
report("login: from an untrusted peer X-Forwarded-For and X-Real-IP are ignored (the peer is locked)",
       codes[:20] == [401] * 20 and codes[20] == 429, codes)
report("login: the server stops cleanly (2)", reg.stop() == 0, reg.last_err)
r = reg.ctip("serve", "--trusted-proxy", "proxy.example")
report("login: --trusted-proxy with no IP address is refused with a hint",
       r.returncode == 2 and "not an IP address" in r.stderr, (r.returncode, r.stderr))
finish()
