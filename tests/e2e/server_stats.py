#!/usr/bin/env python3
"""GET /api/stats (issue 4, item 6). Prints "ok NAME" / "not ok NAME" lines."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile

CTIP = os.environ.get("CTIP", "build/asan/ctip")
T = tempfile.mkdtemp(prefix="ctip-srvstats.")
DB = os.path.join(T, "ctip.db")
ENV = dict(os.environ, CTIP_DB=DB)
PW = "a long test password 1"


def report(name, cond, detail=""):
    print(("ok " if cond else "not ok ") + name)
    if not cond and detail:
        print("  " + str(detail)[:600])
    sys.stdout.flush()


def ctip(*args, stdin=None):
    return subprocess.run([CTIP, *args], input=stdin, capture_output=True, text=True, env=ENV)


s = socket.socket()
s.bind(("127.0.0.1", 0))
PORT = s.getsockname()[1]
s.close()


class Client:
    def __init__(self):
        self.cookie = None

    def req(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        h = {"Cookie": self.cookie} if self.cookie else {}
        data = json.dumps(body).encode() if body is not None else None
        if data:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        try:
            return r.status, json.loads(text), hdrs
        except ValueError:
            return r.status, None, hdrs

    def login(self, user):
        st, js, h = self.req("POST", "/api/login", {"username": user, "password": PW})
        if st == 200:
            self.cookie = h["set-cookie"].split(";")[0]
        return st


ctip("init")
ctip("demo", "generate", "--persons", "1500", "--seed", "4", "-o", os.path.join(T, "d.csv"))
r = ctip("import", os.path.join(T, "d.csv"))
report("stats api: demo data imported", r.returncode == 0, r.stderr)
ctip("org", "add", "Tổ chức Thống kê Thử nghiệm", "--type", "NGO")
for role in ["analyst", "caseworker", "supervisor", "admin", "auditor"]:
    ctip("user", "add", "s." + role, "--org", "Tổ chức Thống kê Thử nghiệm", "--role", role,
         stdin=PW + "\n")
srv = subprocess.Popen([CTIP, "serve", "--listen", f"127.0.0.1:{PORT}"], env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
srv.stdout.readline()
try:
    u = {}
    for role in ["analyst", "caseworker", "supervisor", "admin", "auditor"]:
        u[role] = Client()
        report(f"stats api: {role} logs in", u[role].login("s." + role) == 200)
    q = "/api/stats?count=victims&by=origin_province,gender"
    st, js, _ = u["analyst"].req("GET", q)
    report("analyst: 200 with rows, margins, total and provenance",
           st == 200 and js and "rows" in js and "total" in js and "provenance" in js, (st, js))
    rows = js["rows"] if js else []
    report("rows carry the dimension names and count",
           all("origin_province" in r and "gender" in r and "count" in r for r in rows))
    report("suppressed by default: some counts are null", any(r["count"] is None for r in rows))
    report("no published count under 5 other than 0",
           not any(r["count"] is not None and 0 < r["count"] < 5 for r in rows + js["margins"]))
    cli = json.loads(ctip("stats", "victims", "--by", "origin_province,gender", "--format", "json").stdout)
    report("the same table as ctip stats", cli["rows"] == rows and cli["total"] == js["total"])
    st, js, _ = u["analyst"].req("GET", q + "&raw=1")
    report("analyst raw=1: no null count", st == 200 and all(r["count"] is not None for r in js["rows"]), st)
    a = ctip("audit", "log")
    report("raw counts are audited", "stats-raw" in a.stdout, a.stdout[-300:])
    st, js, _ = u["supervisor"].req("GET", q)
    report("supervisor: 200, suppressed", st == 200 and any(r["count"] is None for r in js["rows"]), st)
    st, js, _ = u["supervisor"].req("GET", q + "&raw=1")
    report("supervisor raw=1: 403, suppression stays on", st == 403, st)
    st, js, _ = u["admin"].req("GET", "/api/stats?count=cases&by=year&year=2024")
    report("admin: cases by year for 2024", st == 200 and js["provenance"]["filters"].get("from") == "2024", (st, js))
    for role in ["caseworker", "auditor"]:
        st, js, _ = u[role].req("GET", q)
        report(f"{role}: 403", st == 403, st)
    st, js, _ = Client().req("GET", q)
    report("no session: 401", st == 401, st)
    st, js, _ = u["analyst"].req("GET", "/api/stats?count=victims&where=exploitation_type=ForcedLabour&where=gender=Feminine")
    report("where=, several", st == 200 and isinstance(js["total"], (int, type(None))), (st, js))
    st, js1, _ = u["analyst"].req("GET", "/api/stats?count=cases&raw=1")
    st, js2, _ = u["analyst"].req("GET", "/api/stats?count=cases&raw=1")
    report("the snapshot kept in memory gives the same answer", js1["total"] == js2["total"], (js1, js2))
    r = ctip("import", os.path.join(os.getcwd(), "tests/fixtures/basic.csv"))
    st, js3, _ = u["analyst"].req("GET", "/api/stats?count=cases&raw=1")
    report("after a write the server counts the new data",
           r.returncode == 0 and js3["total"] == js1["total"] + 2, (r.stderr, js1["total"], js3["total"]))
    # casework's counts (followups, assessments, contacts): as ctip stats counts them, suppressed
    for i in range(9):
        r = ctip("contact", "add", "--channel", "call" if i < 7 else "tin nhắn", "--reason", "request_help", "--at",
                 f"2025-0{1 + i % 3}-1{i}T10:00", "--as", "s.caseworker")
    report("casework: nine hotline contacts recorded", r.returncode == 0, r.stderr)
    for count in ["followups", "assessments", "contacts"]:
        st, js, _ = u["supervisor"].req("GET", f"/api/stats?count={count}&by=year")
        report(f"count={count}: 200 for the supervisor", st == 200 and js and "total" in js, (st, js))
    st, js, _ = u["supervisor"].req("GET", "/api/stats?count=contacts&by=channel&year=2025")
    cli = json.loads(ctip("stats", "contacts", "--by", "channel", "--year", "2025", "--format", "json").stdout)
    report("count=contacts: the total of ctip stats (9), published",
           st == 200 and js["total"] == 9 == cli["total"], (st, js, cli.get("total")))
    st, js, _ = u["supervisor"].req("GET", "/api/stats?count=contacts&by=year,channel")
    report("count=contacts: no published cell under 5 other than 0",
           st == 200 and not any(x["count"] is not None and 0 < x["count"] < 5 for x in js["rows"] + js["margins"]),
           (st, js))
    st, js, _ = u["analyst"].req("GET", "/api/stats?count=contacts&by=year,channel&raw=1")
    report("count=contacts raw=1 (analyst): the small cells",
           st == 200 and any(x["count"] is not None and 0 < x["count"] < 5 for x in js["rows"]), (st, js))
    st, js, _ = u["caseworker"].req("GET", "/api/stats?count=contacts")
    report("count=contacts: caseworker 403", st == 403, st)
    st, js, _ = u["analyst"].req("GET", "/api/stats?count=contacts&by=gender")
    report("count=contacts by=gender: 400 (contacts have no gender)", st == 400, (st, js))
    a = ctip("audit", "log")
    report("casework counts audited as stats", "contacts" in a.stdout, a.stdout[-300:])
    for bad in ["/api/stats", "/api/stats?count=people", "/api/stats?count=cases&by=gender",
                "/api/stats?count=victims&by=colour", "/api/stats?count=victims&where=gender",
                "/api/stats?count=victims&year=20x3", "/api/stats?count=victims&age_bands=5-9"]:
        st, js, _ = u["analyst"].req("GET", bad)
        report(f"400 for {bad}", st == 400 and js and "error" in js, (st, js))
finally:
    srv.send_signal(signal.SIGTERM)
    try:
        srv.wait(timeout=30)
    except subprocess.TimeoutExpired:
        srv.kill()
