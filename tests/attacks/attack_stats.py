#!/usr/bin/env python3
"""Attack: get a small cell, or one victim's profile, out of the statistics (issue 10, item 2).

1. threshold=1 from an admin or a supervisor returned every cell of 1-4, with no audit entry.
2. Differencing: moving to= by one day changed the analyst's total by one, and comparing the two
   suppressed tables dimension by dimension gave that one victim's profile (age band,
   ethnicity, province, exploitation type, destination).
3. The same with what is still allowed: all time minus every single year's table, cell by cell,
   uncovers a year's withheld cell whenever it is the only one withheld on its line.
Now a threshold may only raise suppression unless raw counts are asked for (analyst, raw=1,
audited), a period without raw counts is one whole calendar year, the suppression pattern is
that of one joint table (all time by the dimensions and year), and every query is audited."""
import os

from harness import Registry, finish, report

reg = Registry()
reg.skip_unless("attack_stats", "stats", "victims", "--by", "year")
csv = os.path.join(reg.dir, "demo.csv")
r = reg.ctip("demo", "generate", "--persons", "1500", "--seed", "4", "-o", csv)
r2 = reg.ctip("import", csv)
report("stats: demo data imported (1,500 synthetic persons, 2014-2025)", r.returncode == 0 and r2.returncode == 0,
       r.stderr + r2.stderr)
reg.serve()
cw = reg.client("a.caseworker")
# the victim to single out: alone on her day, 2026-03-15; a few others in 2026
TARGET = {"role": "victim", "prs_FirstName": "Xuân", "prs_SecondName": "Giàng", "prs_Birthdate": "2009-05-01",
          "prs_Gender": "Feminine", "ctip_Ethnicity": "Hmong", "prs_MailingState": "Ha Giang",
          "vic_TypeOfExploitation": ["ForcedMarriage"], "exploitation": [{"ctip_ExploitationCountry": "CN"}]}
st, js = cw.post("/api/cases", {"ctip_CaseOpenedDate": "2026-03-15", "persons": [TARGET]})
report("stats: the target's case", st == 201, js)
for i in range(6):
    st, js = cw.post("/api/cases", {"ctip_CaseOpenedDate": f"2026-0{4 + i % 5}-02", "persons": [{
        "role": "victim", "prs_FirstName": f"Người {i}", "prs_Birthdate": "1990-01-01", "prs_Gender": "Masculine",
        "ctip_Ethnicity": "Kinh", "vic_TypeOfExploitation": ["ForcedLabour"],
        "exploitation": [{"ctip_ExploitationCountry": "MY"}]}]})
TRUTH = {"age_group": None, "ethnicity": "Hmong", "origin_province": None, "exploitation_type": "ForcedMarriage",
         "destination_country": "CN"}
DIMS = list(TRUTH)
users = {k: reg.client(k) for k in ["a.analyst", "a.supervisor", "a.admin"]}


def stats(c, q):
    st, js, text, _ = c.req("GET", "/api/stats?count=victims&" + q)
    return st, js


def cells(js, dim):
    """{level: count or None} of a one-dimension table, and the total."""
    return {x[dim]: x["count"] for x in js["rows"]}, js["total"]


# 1. threshold
for k, c in users.items():
    st, js = stats(c, "by=age_group&threshold=1")
    small = [x for x in (js or {}).get("rows", []) if x["count"] is not None and 0 < x["count"] < 5]
    report(f"stats: {k} with threshold=1 gets no cell of 1-4 (403 raw_only)",
           st == 403 and not small and js.get("code") == "raw_only", (st, small[:3], js))
    st, js = stats(c, "by=age_group&threshold=10")
    report(f"stats (control): {k} may raise the threshold (200, 10)",
           st == 200 and js["suppression"]["threshold"] == 10, (st, js and js.get("suppression")))
st, js = stats(users["a.analyst"], "by=age_group&raw=1&threshold=2")
report("stats: an analyst's raw=1&threshold=2 is answered (raw counts, audited below)", st == 200, st)
st, js = stats(users["a.supervisor"], "by=age_group&age_bands=0-15,16-17,18-")
report("stats: own age bands without raw counts are refused (403)", st == 403, st)

# 2. the differencing attack of the issue, as the analyst saw it
profile, attack_answered = {}, False
for dim in DIMS:
    q = f"by={dim}&from=2014-01-01&to=2026-03-"
    st1, a1 = stats(users["a.analyst"], q + "14")
    st2, a2 = stats(users["a.analyst"], q + "15")
    if st1 != 200 or st2 != 200:
        continue
    attack_answered = True
    c1, t1 = cells(a1, dim)
    c2, t2 = cells(a2, dim)
    if t1 is not None and t2 is not None and t2 - t1 == 1:
        for lev in c2:
            if c1.get(lev) is not None and c2[lev] is not None and c2[lev] - c1[lev] == 1:
                profile[dim] = lev
report("stats: moving to= by one day singles out no victim (the profile stays unknown)", not profile,
       (attack_answered, profile))
for k, c in users.items():
    st1, a1 = stats(c, "by=ethnicity&from=2026-01-01&to=2026-03-14")
    st2, a2 = stats(c, "by=ethnicity&from=2026-01-01&to=2026-03-15")
    report(f"stats: {k}: a period within one year is widened to the year (the same answer a day later)",
           st1 == st2 == 200 and a1["rows"] == a2["rows"] and a1["total"] == a2["total"], (st1, st2))
    st, js = stats(c, "by=ethnicity&from=2020&to=2026")
    report(f"stats: {k}: a period of several years is refused without raw counts (400 period_one_year)",
           st == 400 and js.get("code") == "period_one_year", (st, js))

# 3. all time against every year, line by line (the attacker's elimination), for each dimension
years = [str(y) for y in range(2014, 2027)]
revealed = {}
for dim in DIMS:
    st, alltime = stats(users["a.supervisor"], f"by={dim}")
    byyear = {y: stats(users["a.supervisor"], f"by={dim}&year={y}")[1] for y in years}
    if st != 200 or any(v is None or "rows" not in v for v in byyear.values()):
        continue
    known = {y: cells(byyear[y], dim)[0] for y in years}
    at, _ = cells(alltime, dim)
    for lev, total in at.items():
        if total is None:
            continue
        unknown = [y for y in years if known[y].get(lev) is None]
        if len(unknown) == 1 and unknown[0] == "2026":
            v = total - sum(known[y].get(lev) or 0 for y in years if y != "2026")
            if v > 0:
                revealed[(dim, lev)] = v
report("stats: all time minus every year's table uncovers no withheld 2026 cell", not revealed, revealed)
st, js = stats(users["a.supervisor"], "by=ethnicity,year")
rows = {(x["ethnicity"], x["year"]): x["count"] for x in js["rows"]} if st == 200 else {}
report("stats (control): the withheld cell is a real one (Hmong 2026, withheld in by=ethnicity,year)",
       st == 200 and ("Hmong", "2026") in rows and rows[("Hmong", "2026")] is None, (st, rows.get(("Hmong", "2026"))))
raw = stats(users["a.analyst"], "by=ethnicity&year=2026&raw=1")[1]
report("stats (control): the analyst's raw counts do show her (Hmong, 1 in 2026)",
       raw and {x["ethnicity"]: x["count"] for x in raw["rows"]}.get("Hmong") == 1, raw and raw["rows"][:4])
report("stats: the server stops cleanly", reg.stop() == 0, reg.last_err)

log = reg.ctip("audit", "log").stdout.splitlines()
sup = [x for x in log if "a.supervisor" in x and " stats " in f" {x} "]
report("stats: every query is audited with its filters (the supervisor's, by and year)",
       any("by=ethnicity" in x and "from=20260000" in x for x in sup) and len(sup) >= 14, sup[:3])
report("stats: raw counts with a low threshold are audited as stats-raw",
       any("a.analyst" in x and "stats-raw" in x and "threshold=2" in x for x in log), log[-5:])
# the command line is the trusted local operator's: a low threshold is allowed there, and audited
r = reg.ctip("stats", "victims", "--by", "ethnicity", "--threshold", "2")
log = reg.ctip("audit", "log").stdout
report("stats: ctip stats --threshold 2 (the local operator) is audited as stats-raw",
       r.returncode == 0 and "--threshold 2" in log, log[-300:])
finish()
