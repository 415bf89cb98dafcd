"""Shared set-up of the attack tests (tests/attacks/attack_*.py, run by tests/e2e/attacks.sh):
a scratch registry with three organisations and one account per role in each, a running
`ctip serve` on a free loopback port, and an HTTP client that keeps its session.
Each attack file imports this, plays one attacker (an insider of another organisation, an
analyst, a crowd of connections, a crash) and prints "ok NAME" / "not ok NAME" lines.
Synthetic people only. Standard library only.

Back end: SQLite files by default; with CTIP_TEST_DB_URL set to a PostgreSQL URL (tests/run.sh's
throwaway cluster: tests/e2e/attacks.sh sets it from CTIP_PG_URL for a second round), each
Registry is a database of its own on that cluster, made here and dropped at exit, with its key
in the scratch directory. An attack that cannot run on PostgreSQL says so (only_sqlite)."""
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

CTIP = os.environ.get("CTIP", "build/asan/ctip")
FAILS = 0
ROLES = ["caseworker", "supervisor", "analyst", "auditor", "admin"]
ORGS = {"A": ("Tổ chức Thử nghiệm A", "NGO"), "B": ("Công an Thử nghiệm B", "Police"),
        "C": ("Tòa án Thử nghiệm C", "Court")}
PW = "a long test password 1"
PG_BASE = os.environ.get("CTIP_TEST_DB_URL", "")
BACKEND = "pg" if PG_BASE.startswith(("postgresql://", "postgres://")) else "sqlite"


def only_sqlite(name, why):
    """Ends an attack file that cannot run on PostgreSQL yet, saying why (never silently)."""
    if BACKEND == "pg":
        print(f"SKIP pg: {name}: {why}")
        sys.stdout.flush()
        sys.exit(0)


def pg_host():
    """The socket directory of CTIP_TEST_DB_URL (host=...)."""
    return PG_BASE.split("host=", 1)[1].split("&", 1)[0]


def pg_psql(db, *args, user=None):
    """psql on database db of the test cluster (as its superuser, or as user)."""
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", pg_host(), "-d", db]
    if user:
        cmd += ["-U", user]
    return subprocess.run(cmd + list(args), capture_output=True, text=True)


_pg_count = 0


def pg_database(tmpdir):
    """A new database on the test cluster, dropped at exit; returns (url, name)."""
    global _pg_count
    _pg_count += 1
    name = f"ctip_t{os.getpid()}_{_pg_count}"
    r = pg_psql("postgres", "-c", f"CREATE DATABASE {name}")
    if r.returncode:
        raise SystemExit("not ok set-up: CREATE DATABASE on the test cluster\n  " + r.stderr)
    # the server's role (ctip init makes <database>_app) is the cluster's: it goes too
    atexit.register(lambda: pg_psql("postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                                    "-c", f"DROP ROLE IF EXISTS {name}_app"))
    return f"postgresql:///{name}?host={pg_host()}", name


def report(name, cond, detail=""):
    """Prints ok/not ok for one check; the detail says what was seen instead."""
    global FAILS
    if cond:
        print("ok " + name)
    else:
        FAILS += 1
        print("not ok " + name)
        if detail:
            print("  " + str(detail)[:600])
    sys.stdout.flush()
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Registry:
    """A scratch database with ORGS and an account per role (username k.role, e.g. a.supervisor)."""

    made = []

    def __init__(self, orgs=ORGS, roles=ROLES):
        Registry.made.append(self)
        self.dir = tempfile.mkdtemp(prefix="ctip-attack.")
        # the machine is shared: the scratch registry goes when the attack ends
        atexit.register(shutil.rmtree, self.dir, True)
        if BACKEND == "pg":
            self.db, self.dbname = pg_database(self.dir)
            self.env = dict(os.environ, CTIP_DB=self.db, CTIP_KEY=os.path.join(self.dir, "ctip.key"))
        else:
            self.db = os.path.join(self.dir, "ctip.db")
            self.env = dict(os.environ, CTIP_DB=self.db)
        self.orgs = orgs
        r = self.ctip("init")
        if r.returncode:
            raise SystemExit("not ok attack set-up: init\n  " + r.stderr)
        for k, (name, typ) in orgs.items():
            self.ctip("org", "add", name, "--type", typ)
            for role in roles:
                r = self.ctip("user", "add", f"{k.lower()}.{role}", "--org", name, "--role", role,
                              stdin=PW + "\n")
                if r.returncode:
                    raise SystemExit(f"not ok attack set-up: user {k}.{role}\n  " + r.stderr)
        self.srv = None
        self.port = None

    def raw(self):
        """Every byte the registry keeps: its files (SQLite), or a dump of its database
        (PostgreSQL, as the cluster's superuser), for the checks that nothing is in clear."""
        if BACKEND == "pg":
            r = subprocess.run(["pg_dump", "-h", pg_host(), "--data-only", self.dbname],
                               capture_output=True)
            return r.stdout
        raw = b""
        for f in os.listdir(self.dir):
            if f.startswith("ctip.db"):
                with open(os.path.join(self.dir, f), "rb") as fh:
                    raw += fh.read()
        return raw

    def skip_unless(self, name, *args):
        """On PostgreSQL, ends the attack file (SKIP line with the reason) when the ctip
        command args says it is not yet available there."""
        if BACKEND != "pg":
            return
        r = self.ctip(*args)
        if "not yet available on PostgreSQL" in r.stderr:
            only_sqlite(name, r.stderr.strip().splitlines()[-1])

    def sql(self, query):
        """A query past ctip, for the checks of what is stored: sqlite3 on the file, or psql as
        the cluster's superuser on PostgreSQL (stdout: rows, columns separated by |)."""
        if BACKEND == "pg":
            return pg_psql(self.dbname, "-F", "|", "-c", query)
        return subprocess.run(["sqlite3", self.db, query], capture_output=True, text=True)

    def ctip(self, *args, stdin=None):
        return subprocess.run([CTIP, *args], input=stdin, capture_output=True, text=True,
                              env=self.env)

    def serve(self, *extra):
        """Starts ctip serve on a free port; returns the port."""
        self.port = free_port()
        # The server's stderr goes to a file, not a pipe: a pipe nobody reads fills at 64 KiB and
        # blocks the server, and a file survives a crash for the report (server_err()).
        self.err_file = tempfile.NamedTemporaryFile("w+", prefix="ctip-serve-", suffix=".err")
        self.srv = subprocess.Popen([CTIP, "serve", "--listen", f"127.0.0.1:{self.port}", *extra],
                                    env=self.env, stdout=subprocess.PIPE, stderr=self.err_file,
                                    text=True)
        # a server left running by an attack that ended early is stopped at exit
        atexit.register(lambda srv=self.srv: srv.poll() is None and srv.kill())
        atexit.register(self._report_crash)
        banner = self.srv.stdout.readline()
        if f"127.0.0.1:{self.port}" not in banner:
            raise SystemExit("not ok attack set-up: serve\n  " + banner + self.server_err())
        return self.port

    def stop(self):
        """SIGTERM, then the exit status (0 expected)."""
        if not self.srv:
            return 0
        self.srv.send_signal(signal.SIGTERM)
        try:
            rc = self.srv.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.srv.kill()
            rc = -9
        self.last_err = self.server_err()[-1500:]  # what it said, for a failed check
        self.srv = None
        return rc

    def server_err(self):
        try:
            with open(self.err_file.name, encoding="utf-8", errors="replace") as f:
                return f.read()
        except (OSError, AttributeError):
            return ""

    def _report_crash(self):
        """At exit: a server that died under an attack says why (its stderr's tail)."""
        if self.srv is not None and self.srv.poll() is not None:
            print(f"  the server ended with status {self.srv.returncode}:\n" +
                  "\n".join("  " + x for x in self.server_err()[-3000:].splitlines()))

    def client(self, user=None, source=None):
        c = Client(self.port, source)
        if user:
            st, js, _ = c.login(user, PW)
            if st != 200:
                raise SystemExit(f"not ok attack set-up: login {user}: {st} {js}")
        return c


class Client:
    """One user's session against the server (cookie and CSRF token kept)."""

    def __init__(self, port, source=None):
        self.port = port
        self.source = source  # another loopback address (127.0.0.2 ...): another client address
        self.cookie = None
        self.csrf = None

    def req(self, method, path, body=None, raw=None, csrf=True, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                       source_address=(self.source, 0) if self.source else None)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        try:
            js = json.loads(text) if text else None
        except ValueError:
            js = None
        return r.status, js, text, hdrs

    def get(self, path, **kw):
        st, js, _, _ = self.req("GET", path, **kw)
        return st, js

    def post(self, path, body=None, **kw):
        st, js, _, _ = self.req("POST", path, body, **kw)
        return st, js

    def login(self, user, pw):
        st, js, text, h = self.req("POST", "/api/login", {"username": user, "password": pw})
        if st == 200:
            self.cookie = h["set-cookie"].split(";")[0]
            self.csrf = js["csrf_token"]
        return st, js, h


def finish():
    """Exit status of an attack file: non-zero when a check failed (then what the servers
    said on stderr, for the reader of the failure)."""
    if FAILS:
        for reg in Registry.made:
            err = reg.server_err()
            if err.strip():
                print("  the server said:\n" + "\n".join("  " + x for x in err[-2000:].splitlines()))
    sys.exit(1 if FAILS else 0)
