#!/usr/bin/env python3
"""What the joint suppression of GET /api/stats costs (docs/BENCHMARKS.md, issue 10): the same
queries with raw=1 (one table, the peer) and without (the table and the joint table by year).
Usage: CTIP_DB=DB python3 bench/stats_joint.py CTIP USER PASSWORD, for an analyst USER of DB
(e.g. after `ctip demo generate --persons 20000 --seed 3 -o d.csv && ctip import d.csv`,
`ctip org add "Bench Org"` and `ctip user add b.analyst --org "Bench Org" --role analyst`)."""
import http.client
import json
import socket
import subprocess
import sys
import time

C, USER, PW = sys.argv[1:4]
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
srv = subprocess.Popen([C, "serve", "--listen", f"127.0.0.1:{port}"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
srv.stdout.readline()


def req(m, p, body=None, h=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(m, p, body=json.dumps(body) if body else None, headers=h or {})
    r = c.getresponse()
    t = r.read()
    hd = dict(r.getheaders())
    c.close()
    return r.status, t, hd


st, t, h = req("POST", "/api/login", {"username": USER, "password": PW}, {"Content-Type": "application/json"})
ck = {"Cookie": h["Set-Cookie"].split(";")[0]}
for q in ["by=origin_province,gender,age_group", "by=origin_province,exploitation_type,age_group",
          "by=gender&year=2023"]:
    for mode in ["&raw=1", ""]:
        req("GET", "/api/stats?count=victims&" + q + mode, h=ck)
        ts = []
        for i in range(10):
            t0 = time.perf_counter()
            st, body, _ = req("GET", "/api/stats?count=victims&" + q + mode, h=ck)
            ts.append(time.perf_counter() - t0)
        ts.sort()
        print(f"{q:50s} {'raw' if mode else 'joint':5s} status {st} median {ts[5] * 1000:.1f} ms "
              f"max {ts[-1] * 1000:.1f} ms")
srv.terminate()
srv.wait()
