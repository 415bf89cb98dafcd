# The server's shared cache of prepared statements, made tiny (CTIP_STMT_CACHE=3): when full it
# finalises a statement of the same connection that is not in use to make room, so every
# request is still answered and nothing leaks (the sanitizer build reports leaks at exit; a
# statement dropped unfinalised also keeps sqlite3_close from closing its connection).
. tests/e2e/lib.sh
CTIP_STMT_CACHE=3 python3 - <<'PY'
import sys
sys.path.insert(0, "tests/attacks")
import harness as h
reg = h.Registry(orgs={"A": h.ORGS["A"], "B": h.ORGS["B"]}, roles=["caseworker"])
reg.serve("--threads", "2")
a = reg.client("a.caseworker")
statuses = []
for i in range(12):
    st, js = a.post("/api/cases", {"persons": [{"role": "victim", "prs_FirstName": f"Thử{i}",
                                                "prs_SecondName": "Nguyễn"}], "cas_Status": "Active"})
    statuses.append(st)
    cid = js.get("id") if js else None
    if cid:
        statuses.append(a.get(f"/api/cases/{cid}")[0])
        statuses.append(a.req("PATCH", f"/api/cases/{cid}", {"comment": f"note {i}"})[0])
        statuses.append(a.post("/api/referrals", {"case_id": cid, "to_org": h.ORGS["B"][0]})[0])
        statuses.append(a.get(f"/api/referrals?case_id={cid}")[0])
    statuses.append(a.get("/api/cases")[0])
    statuses.append(a.get("/api/search?q=nguyen")[0])
    statuses.append(a.get("/api/persons")[0])
bad = [s for s in statuses if s >= 500]
h.report("a cache of 3 statements: every request answered (no 500)", not bad and len(statuses) > 80,
         statuses)
rc = reg.stop()
err = reg.server_err()  # the harness keeps the server's stderr in a file
h.report("... and the server stops cleanly (exit 0) with no leak", rc == 0 and "LeakSanitizer" not in err
         and "ERROR" not in err, (rc, err[-1500:]))
h.finish()
PY
