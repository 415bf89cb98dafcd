#!/usr/bin/env python3
"""Attack: releases over the API (docs/RELEASE.md). Who may make and read them (the access
matrix of every role, and no session), what a release holds (no class of quasi-identifiers under
k, a planted unique person absent, no name or record id), bad options (no seed, no path, no
shell), a file changed on disk, a file made outside the server, the privacy budget, CSRF."""
import csv
import io
import os
import subprocess
import tempfile

from harness import CTIP, ROLES, Registry, finish, report

reg = Registry()
tmp = tempfile.mkdtemp(prefix="ctip-rel.")
demo = os.path.join(tmp, "d.csv")
subprocess.run([CTIP, "demo", "generate", "--persons", "3000", "--seed", "5", "-o", demo],
               capture_output=True, env=reg.env)
reg.ctip("import", demo)
reg.ctip("import", os.path.join(os.path.dirname(__file__), "..", "fixtures", "release_planted.csv"))
reg.serve()
users = {role: reg.client(f"a.{role}") for role in ROLES}
c_analyst = reg.client("c.analyst")
MICRO = {"kind": "microdata", "options": {"k": 11}}

# the access matrix: only analysts make and read releases; auditors see the ledger
made = {}
for role, cl in users.items():
    st, js = cl.post("/api/releases", MICRO)
    made[role] = (st, js)
    want = 201 if role == "analyst" else 403
    report(f"release: a {role} making a release gets {want}", st == want, (st, js))
rid = made["analyst"][1]["id"] if made["analyst"][0] == 201 else 0
for role, cl in users.items():
    st, _ = cl.get("/api/releases")
    want = 200 if role in ("analyst", "auditor") else 403
    report(f"release: a {role} listing the ledger gets {want}", st == want, st)
    st, _ = cl.get(f"/api/releases/{rid}")
    want = 200 if role == "analyst" else 403
    report(f"release: a {role} reading the file gets {want}", st == want, st)
anon = reg.client()
report("release: no session: 401", anon.get("/api/releases")[0] == 401 and
       anon.post("/api/releases", MICRO)[0] == 401)
st, js = c_analyst.get(f"/api/releases/{rid}")
report("release: an analyst of another organisation reads it too (national, protected data)", st == 200, st)

# what the file holds
st, js = users["analyst"].get(f"/api/releases/{rid}")
content = js.get("content", "") if js else ""
rows = list(csv.reader(io.StringIO(content)))
body = ["\x1f".join(r) for r in rows[1:]]
counts = {}
for b in body:
    counts[b] = counts.get(b, 0) + 1
report("release: every combination of all columns holds >= 11 records", body and min(counts.values()) >= 11,
       min(counts.values()) if counts else "empty")
report("release: the planted unique person's values are absent", ",IS," not in content and "Trans/" not in content)
report("release: no name, record id or seed in the answer",
       "Zzplanted" not in content and "PLANT-" not in content and "seed" not in js)
report("release: the answer's hash is the ledger's", js and js.get("sha256") == made["analyst"][1]["sha256"])
st, js = users["auditor"].get("/api/releases")
report("release: the ledger names who made it and never a path or seed",
       st == 200 and js["releases"][0]["actor"] == "a.analyst" and "file" not in js["releases"][0]
       and "seed" not in js["releases"][0] and "/" not in js["releases"][0]["name"], js)
log = reg.ctip("audit", "log").stdout
report("release: making and downloading are audited",
       " release " in log and "release-download" in log, log[-400:])

# bad options: 400, nothing made
an = users["analyst"]
n0 = len(an.get("/api/releases")[1]["releases"])
bad = [
    ({"kind": "everything"}, "an unknown kind"),
    ({"kind": "microdata", "options": {"seed": 1}}, "a seed"),
    ({"kind": "microdata", "options": {"o": "/tmp/x.csv"}}, "an output path"),
    ({"kind": "microdata", "options": {"quasi": "nosuch"}}, "an unknown column"),
    ({"kind": "microdata", "options": {"k": "11; rm -rf /"}}, "a shell in k"),
    ({"kind": "microdata", "options": {"k": {"a": 1}}}, "an object as k"),
    ({"kind": "microdata", "options": {"k": 1}}, "k = 1"),
    ({"kind": "microdata", "options": {"format": "xlsx"}}, "an option of another kind"),
    ({"kind": "aggregates", "options": {"by": "meansOfControl", "mode": "dp", "epsilon": 0.1}},
     "dp on a column without a public list of values"),
    ({"kind": "microdata", "extra": 1}, "an unknown field"),
]
for b, what in bad:
    st, js = an.post("/api/releases", b)
    report(f"release: {what}: 400 with a reason", st == 400 and js and js.get("error"), (st, js))
report("release: ... and nothing recorded", len(an.get("/api/releases")[1]["releases"]) == n0)
st, _, _, _ = an.req("POST", "/api/releases", MICRO, csrf=False)
report("release: without the CSRF token: 403", st == 403, st)

# a file changed on disk is not sent; a file made outside the server is not served
# beside the database file, or beside the key of a registry on PostgreSQL (ctip serve --release-dir)
rel_dir = (reg.env["CTIP_KEY"] if reg.db.startswith("postgresql:") else reg.db) + ".releases"
files = [os.path.join(rel_dir, f) for f in os.listdir(rel_dir)] if os.path.isdir(rel_dir) else []
report("release: the server's files are in DB.releases (KEY.releases on PostgreSQL), mode 0700",
       files and oct(os.stat(rel_dir).st_mode & 0o777) == "0o700", files)
name = an.get("/api/releases")[1]["releases"][0]["name"]
target = os.path.join(rel_dir, name)
report("release: the ledger's name is the file's in that directory", target in files, (name, files))
if target in files:
    with open(target, "a") as f:
        f.write("2020,Female,,,,,,\n")
st, js = an.get(f"/api/releases/{rid}")
report("release: a file changed after its release is refused (409)", st == 409, (st, js))
cli_out = os.path.join(tmp, "cli.csv")
reg.ctip("release", "microdata", "--k", "11", "-o", cli_out)
last = an.get("/api/releases")[1]["releases"][-1]["id"]
st, js = an.get(f"/api/releases/{last}")
report("release: a release made on the command line is not served from its path (404)", st == 404, (st, js))
report("release: no such release: 404", an.get("/api/releases/99999")[0] == 404)

# the privacy budget (1.0 by default)
DP = {"kind": "aggregates", "options": {"by": "ageBroad,gender", "mode": "dp", "epsilon": 0.6}}
st1, js1 = an.post("/api/releases", DP)
st2, js2 = an.post("/api/releases", DP)
report("release: a dp release within the budget: 201", st1 == 201, (st1, js1))
report("release: the next one past the budget is refused (409) and says why",
       st2 == 409 and "budget" in js2.get("error", ""), (st2, js2))
st, js = an.post("/api/releases", {"kind": "synthetic", "options": {"k": 10, "length": 3}})
report("release: synthetic over the API", st == 201 and js["records"] > 0, (st, js))

report("release: the server stops cleanly", reg.stop() == 0, getattr(reg, "last_err", ""))
finish()
