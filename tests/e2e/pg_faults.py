#!/usr/bin/env python3
"""Fault tests of `ctip serve` on PostgreSQL (issue 11, item 7), on the test cluster of
scripts/pg-cluster.sh (tests/e2e/pg_faults.sh):
1. kill -9 of a `ctip serve` under a loop of writes;
2. kill -9 of the PostgreSQL postmaster under a loop of writes (the cluster is started again);
3. a PostgreSQL restart (pg_ctl restart) while `ctip serve` runs: 503 with a clear message while
   it is down, then the same server answers again without being restarted.
After each: every acknowledged write (201 for a case, 200 for a comment) is there, with its
audit entry, and `ctip audit verify` passes. Prints "ok NAME" / "not ok NAME". Synthetic people."""
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "attacks"))
import harness as h  # noqa: E402

if h.BACKEND != "pg":
    print("SKIP pg_faults: CTIP_TEST_DB_URL names no PostgreSQL cluster")
    sys.exit(0)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
reg = h.Registry(orgs={"A": h.ORGS["A"]}, roles=["caseworker"])


def cluster(*args):
    return subprocess.run(["sh", os.path.join(ROOT, "scripts", "pg-cluster.sh"), *args], capture_output=True,
                          text=True, timeout=300)


class Writer:
    """A loop of writes through one server: new cases, and comments on the first; what was
    acknowledged is kept (case ids; comments by text)."""

    def __init__(self, port, tag):
        self.c = h.Client(port)
        st, _, _ = self.c.login("a.caseworker", h.PW)
        if st != 200:
            raise SystemExit(f"not ok faults: login ({st})")
        self.tag, self.cases, self.comments, self.codes = tag, [], [], {}
        self.answers = []  # (when it was sent, when answered, status) of every request
        self.stop = False
        self.first = None
        self.t = threading.Thread(target=self.run)

    def run(self):
        i = 0
        while not self.stop:
            i += 1
            sent = time.time()
            try:
                if self.first is None or i % 2:
                    st, js = self.c.post("/api/cases", {"persons": [{"role": "victim", "prs_FirstName": "Lan",
                                                                     "prs_SecondName": f"Thử {self.tag}{i}"}]})
                    if st == 201:
                        self.cases.append(js["id"])
                        self.first = self.first or js["id"]
                else:
                    text = f"{self.tag} note {i}"
                    st, js, _, _ = self.c.req("PATCH", f"/api/cases/{self.first}", {"comment": text}, timeout=15)
                    if st == 200:
                        self.comments.append(text)
                self.codes[st] = self.codes.get(st, 0) + 1
                self.answers.append((sent, time.time(), st))
            except OSError:
                self.codes["refused"] = self.codes.get("refused", 0) + 1
                time.sleep(0.05)

    def __enter__(self):
        self.t.start()
        return self

    def until(self, n, seconds=60):
        """Waits until n writes were acknowledged (at most seconds)."""
        end = time.time() + seconds
        while len(self.cases) + len(self.comments) < n and time.time() < end:
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.stop = True
        self.t.join(timeout=120)


def stacks():
    """The server's threads, when it hangs (gdb, if installed): what the report shows."""
    if not reg.srv:
        return ""
    r = subprocess.run(["gdb", "-p", str(reg.srv.pid), "-batch", "-ex", "thread apply all bt 12"],
                       capture_output=True, text=True, timeout=120)
    out = "\n".join(line for line in r.stdout.splitlines() if line.startswith(("#", "Thread")))
    if os.environ.get("PG_FAULTS_STACKS"):  # the whole of it, for a developer
        with open(os.environ["PG_FAULTS_STACKS"], "a") as f:
            f.write(out + "\n----\n")
    # the threads in libpq or ctip's store: where it waits
    keep = [b for b in out.split("\nThread ") if "PQ" in b or "pg_" in b or "audit" in b]
    return "\n".join(keep)[-3000:]


def get(c, path, timeout=30):
    """c.get, or (0, what happened) when the server does not answer in time."""
    try:
        st, js, _, _ = c.req("GET", path, timeout=timeout)
        return st, js
    except OSError as e:
        return 0, f"{e}\n{stacks()}"


def wait_ok(c, path, seconds):
    end = time.time() + seconds
    last = None
    while time.time() < end:
        try:
            last = c.get(path)
            if last[0] == 200:
                return last
        except OSError as e:
            last = (0, str(e))
        time.sleep(0.2)
    if last and last[0] == 0:
        last = (0, f"{last[1]}\n{stacks()}")
    return last


def check_acknowledged(name, w, port):
    """Every acknowledged write of w is there (read through a server on port) with its audit
    entry, and the audit chain verifies."""
    c = h.Client(port)
    try:
        c.login("a.caseworker", h.PW)
    except OSError as e:
        h.report(f"{name}: the server answers a login", False, f"{e}\n{stacks()}")
        return
    missing = [i for i in w.cases if get(c, f"/api/cases/{i}")[0] != 200]
    h.report(f"{name}: every acknowledged case ({len(w.cases)}) is there", w.cases and not missing,
             (missing[:5], w.codes))
    st, js = get(c, f"/api/cases/{w.first}") if w.first else (0, {})
    js = js if isinstance(js, dict) else {}
    have = {x["cco_CaseComment"] for x in (js or {}).get("comments", [])}
    lost = [t for t in w.comments if t not in have]
    h.report(f"{name}: every acknowledged comment ({len(w.comments)}) is there", not lost, (lost[:5], w.codes))
    log = reg.ctip("audit", "log").stdout
    created = {int(tok[1:]) for line in log.splitlines() if " create " in line
               for tok in line.split() if tok.startswith("C") and tok[1:].isdigit()}
    unaudited = [i for i in w.cases if i not in created]
    updates = sum(1 for line in log.splitlines() if " update " in line and f"C{w.first}" in line.split())
    h.report(f"{name}: each has its audit entry (create C.., update C{w.first} x{len(w.comments)})",
             not unaudited and updates >= len(w.comments), (unaudited[:5], updates, len(w.comments)))
    r = reg.ctip("audit", "verify")
    h.report(f"{name}: ctip audit verify passes", r.returncode == 0, r.stdout + r.stderr)


def drain(srv):
    """Reads the server's stderr as it comes (a pipe nobody reads fills, and blocks it)."""
    def run():
        for line in srv.stderr or ():  # the harness keeps stderr in a file (server_err())
            reg.err_tail = (getattr(reg, "err_tail", "") + line)[-4000:]
    threading.Thread(target=run, daemon=True).start()


# ---- 1. kill -9 of ctip serve under writes --------------------------------------------------
port = reg.serve()
drain(reg.srv)
with Writer(port, "s") as w:
    w.until(8)
    reg.srv.send_signal(signal.SIGKILL)
    reg.srv.wait()
    reg.srv = None
    time.sleep(0.5)
h.report("kill -9 of ctip serve: writes were acknowledged before", len(w.cases) > 3, w.codes)
port = reg.serve()
drain(reg.srv)
check_acknowledged("kill -9 of ctip serve", w, port)

# ---- 2. kill -9 of the PostgreSQL postmaster under writes ------------------------------------
with Writer(port, "p") as w:
    w.until(8)
    pid = cluster("pid").stdout.strip()
    os.kill(int(pid), signal.SIGKILL)
    killed = time.time()
    time.sleep(3)  # writes fail meanwhile: 503 or refused, never acknowledged
    restarting = time.time()
    r = cluster("start")
    h.report("kill -9 of the postmaster: the cluster starts again (crash recovery)", r.returncode == 0, r.stderr)
    c = h.Client(port)
    c.login("a.caseworker", h.PW)
    time.sleep(2)
h.report("kill -9 of the postmaster: writes were acknowledged before", len(w.cases) > 3, w.codes)
# While PostgreSQL is down a write is refused (503), or it waits: a change committed just before
# the kill whose audit entry was not yet written is held while the audit writer tries again (up
# to 10 s), and answered once PostgreSQL is back. Never is one acknowledged while it is down.
acked_down = [a for a in w.answers if killed + 0.5 < a[1] < restarting and 200 <= a[2] < 300]
held = [a for a in w.answers if a[0] < killed + 0.5 and a[1] > restarting]
h.report("kill -9 of the postmaster: no write acknowledged while PostgreSQL was down (503, or held until "
         "it was back)", not acked_down and (w.codes.get(503, 0) > 0 or held), (acked_down[:3], held[:3], w.codes))
st = wait_ok(h.Client(port), "/api/me", 1)
c = h.Client(port)
st, js, _ = c.login("a.caseworker", h.PW)
h.report("kill -9 of the postmaster: the same ctip serve answers again (not restarted)", st == 200,
         (st, js))
check_acknowledged("kill -9 of the postmaster", w, port)

# ---- 3. a PostgreSQL restart while ctip serve runs --------------------------------------------
c = h.Client(port)
c.login("a.caseworker", h.PW)
st, js = get(c, "/api/cases")
h.report("restart: the server answers before", st == 200, (st, js))
r = cluster("stop")
st, js = get(c, "/api/cases")
h.report("restart: while PostgreSQL is down, 503 with a clear message (code database_unavailable)",
         st == 503 and isinstance(js, dict) and js.get("code") == "database_unavailable" and
         "database" in js.get("error", ""),
         (st, js))
r = cluster("start")
h.report("restart: PostgreSQL started again", r.returncode == 0, r.stderr)
st, js = wait_ok(c, "/api/cases", 30)
h.report("restart: the same ctip serve answers again, without being restarted", st == 200, (st, js))
with Writer(port, "r") as w:
    w.until(6)
    r = cluster("restart")
    time.sleep(3)
h.report("restart (pg_ctl restart) under writes: PostgreSQL restarted", r.returncode == 0, r.stderr)
h.report("restart under writes: writes acknowledged", len(w.cases) > 3, w.codes)
check_acknowledged("pg_ctl restart under writes", w, port)
st, js = get(c, "/api/cases")
h.report("restart: the session survived (sessions are the server's, not the database's)", st == 200, (st, js))

# ---- 4. the server's sessions ended one by one (pg_terminate_backend) under reads -------------
# A case view reads its child tables in one pipeline: a session ended between its answers was
# a 500 (the first answer, FATAL 57P01, was taken for an error of the query), and a use after
# free once the pipeline's statement names moved. Every answer is 200 or 503, never 500, and
# the server lives on.
c = h.Client(port)
c.login("a.caseworker", h.PW)
ids = []
for i in range(4):
    st, js = c.post("/api/cases", {"persons": [{"role": "victim", "prs_FirstName": "Lan",
                                                "prs_SecondName": f"Đọc {i}"}]})
    if st == 201:
        ids.append(js["id"])
codes, stop = {}, []


def reader(k):
    cl = h.Client(port)
    cl.login("a.caseworker", h.PW)
    i = 0
    while not stop and ids:
        i += 1
        try:
            path = "/api/cases?q=Lan" if i % 5 == 0 else f"/api/cases/{ids[(i + k) % len(ids)]}"
            st = cl.req("GET", path, timeout=15)[0]
        except OSError:
            st = "refused"
            time.sleep(0.05)
        codes[st] = codes.get(st, 0) + 1


readers = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
for t in readers:
    t.start()
end = time.time() + 8
kills = 0
while time.time() < end:
    time.sleep(0.2)
    r = h.pg_psql("postgres", "-c", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                  f"WHERE datname = '{reg.dbname}' AND pid <> pg_backend_pid()")
    kills += int(r.stdout.strip() or 0)
stop.append(1)
for t in readers:
    t.join(timeout=60)
h.report("sessions ended under reads: the sessions were ended", kills > 5 and len(ids) == 4, (kills, ids))
h.report("sessions ended under reads: every answer 200 or 503 (database_unavailable), never 500",
         codes.get(200, 0) > 50 and set(codes) <= {200, 503}, codes)
st, js = wait_ok(c, f"/api/cases/{ids[0]}" if ids else "/api/me", 10)
h.report("sessions ended under reads: the server answers on", st == 200, (st, js))
h.report("the server stops cleanly after all that", reg.stop() == 0, getattr(reg, "err_tail", ""))
log = getattr(reg, "err_tail", "") or reg.server_err()
h.report("the outages are in the server's log, said every 10 s, not once per refused request",
         "PostgreSQL" in log and log.count("\n") < 80, log[-1500:])
h.finish()
