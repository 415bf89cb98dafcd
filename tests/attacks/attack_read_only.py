#!/usr/bin/env python3
"""The attacker with a valid account on a read-only server (`ctip serve --read-only`, a
standby's front end for analysts; docs/DEPLOYMENT.md): every route that changes something,
taken from the server's own route table so that a new one is covered too, is refused with 403
and code read_only, with a valid session and CSRF token, and changes nothing; reads still work
and are still audited (a read-only server starts only when its audit log takes entries); an
--audit-db that is not this registry's primary is refused. SQLite here; the PostgreSQL standby in
tests/e2e/pg_standby.sh. Synthetic people only."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import CTIP, PW, Registry, finish, report  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
ORG = "Đồn Biên phòng Thử Nghiệm"  # an organisation of basic.csv

reg = Registry(orgs={"A": ("Tổ chức Thử nghiệm A", "NGO")})
r = reg.ctip("import", os.path.join(FIX, "basic.csv"))
report("read-only: a registry with records", r.returncode == 0, r.stderr)
for role in ("caseworker", "supervisor", "analyst", "admin"):
    reg.ctip("user", "add", f"bg.{role}", "--org", ORG, "--role", role, stdin=PW + "\n")


def export():
    return reg.ctip("export", "--format", "json", "--identities", "clear").stdout


before = export()

# --audit-db only with --read-only, and only the registry's own primary
r = subprocess.run([CTIP, "serve", "--listen", "127.0.0.1:1", "--audit-db", reg.db],
                   env=reg.env, capture_output=True, text=True)
report("read-only: --audit-db without --read-only is refused", r.returncode == 2 and
       "--read-only" in r.stderr, r.stderr)


def refused_with(audit_db, env):
    """ctip serve --read-only with --audit-db: its status and message; a server that starts
    instead (it listens on port 1 until stopped) is stopped after 20 s."""
    try:
        r = subprocess.run([CTIP, "--audit-db", audit_db, "serve", "--read-only", "--listen",
                            "127.0.0.1:1"], env=env, capture_output=True, text=True, timeout=20)
        return r.returncode, r.stderr
    except subprocess.TimeoutExpired as ex:
        return "served", str(ex.stderr or "")


other = Registry(orgs={"Z": ("Tổ chức Khác Z", "NGO")})
st, err = refused_with(other.db, reg.env)
report("read-only: an --audit-db of another registry is refused (its log is not ours)",
       st not in (0, "served") and "not the audit log of" in err, (st, err))

# Two registries begun in the same second with the same first change (an NGO added): each log
# still begins with an entry of its own (the registry's creation, with a random id). Before,
# both began with "org_add O1 NGO" at the same second, the same entry: the standby served,
# auditing its reads into another registry's log (a CI run hung on it here).
tmp = tempfile.mkdtemp(prefix="ctip-ro.")


def twin(i):
    if h.BACKEND == "pg":
        url, _ = h.pg_database(tmp)
        env = dict(os.environ, CTIP_DB=url, CTIP_KEY=os.path.join(tmp, f"t{i}.key"))
    else:
        url = os.path.join(tmp, f"t{i}.db")
        env = dict(os.environ, CTIP_DB=url)
    subprocess.run([CTIP, "init"], env=env, capture_output=True, text=True)
    subprocess.run([CTIP, "org", "add", "Tổ chức Sinh đôi", "--type", "NGO"], env=env,
                   capture_output=True, text=True)
    first = subprocess.run([CTIP, "audit", "log"], env=env, capture_output=True, text=True).stdout
    return url, env, (first.split() + ["", ""])[1]


for attempt in range(6):  # until both were begun in the same second
    twins = [twin(2 * attempt + 1), twin(2 * attempt + 2)]
    if twins[0][2] == twins[1][2]:
        break
st, err = refused_with(twins[1][0], twins[0][1])
report("read-only: the --audit-db of a registry begun in the same second is refused",
       twins[0][2] == twins[1][2] and st not in (0, "served") and "not the audit log of" in err,
       (twins[0][2], twins[1][2], st, err))
shutil.rmtree(tmp, ignore_errors=True)

port = reg.serve("--read-only")
admin = reg.client("bg.admin")
cw = reg.client("bg.caseworker")
report("read-only: logging in works (the session is in memory)", cw.cookie is not None)

st, js = cw.get("/api/cases/1")
report("read-only: a case is read", st == 200 and js and js.get("id") in (1, "C1"), (st, js))
st, js = cw.get("/api/search?q=dinh%20anh%20tuyet")
report("read-only: search works", st == 200, (st, js))

# every route that changes something, from the route table itself
src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "server",
                        "routes.c"), encoding="utf-8").read()
writes = [(m, p) for m, p in re.findall(r'\{"(POST|PATCH|PUT|DELETE)", "(/api/[^"]*)"', src)
          if p not in ("/api/login", "/api/logout")]
report("read-only: the route table lists the writes", len(writes) >= 20, writes)
bad = []
for method, path in writes:
    p = path.replace("{id}", "1").replace("{sub}", "1").replace("{name}", "gender")
    for who in (cw, admin):
        st, js, _, _ = who.req(method, p, {"status": "Closed", "name": "x"})
        if st != 403 or not js or js.get("code") != "read_only":
            bad.append((method, p, st, js))
report("read-only: every write route: 403, code read_only (with a valid session and CSRF)",
       not bad, bad[:5])
st, js, _, _ = cw.req("POST", "/api/cases", {"src_case_id": "X"}, csrf=False)
report("read-only: ... also without a CSRF token (nothing to forge)", st == 403 and js and
       js.get("code") == "read_only", (st, js))
st, js = cw.post("/api/logout")
report("read-only: logging out works", st in (200, 204), (st, js))
rc = reg.stop()
report("read-only: SIGTERM stops it cleanly", rc == 0, getattr(reg, "last_err", ""))

report("read-only: the registry is unchanged", export() == before)
log = reg.ctip("audit", "log").stdout
report("read-only: the start is audited", "serve_read_only" in log, log[-800:])
report("read-only: the reads are audited (the case viewed, the logins)",
       re.search(r"bg\.caseworker\s+view\s+P\d+\s+C1", log) is not None and " login " in log,
       "\n".join(l for l in log.splitlines() if "bg.caseworker" in l))
v = reg.ctip("audit", "verify")
report("read-only: audit verify passes", v.returncode == 0 and "intact" in v.stdout, v.stderr)
finish()
