#!/usr/bin/env python3
"""Attack: get small counts, or another agency's numbers, out of the dark figure
(GET /api/estimate, issue 13 item 3).

An estimate rests on capture histories: how many persons each combination of lists holds,
cells of one or two persons. A supervisor (no raw counts) tries:
1. the capture histories and fitted counts of the JSON (`ctip estimate --format json` has them);
2. lists=org: one list per organisation, each agency's count and its overlaps with the others;
3. by= strata with tiny counts (by=origin_province: strata of 1 or 2 persons), and the warnings
   that would say "too few persons: 2 observed" or "list Court is too small (2 persons)";
4. differencing: the strata's observed numbers against /api/stats, and the record and person
   totals of the provenance against the published strata;
5. periods that differ by a day (from/to), a bootstrap of a million replicates (work), raw=1.
Then an analyst with raw=1 gets everything, audited as estimate-raw."""
import os
import re

from harness import Registry, finish, report

reg = Registry()
csv = os.path.join(reg.dir, "demo.csv")
r = reg.ctip("demo", "generate", "--persons", "3000", "--seed", "4", "-o", csv)
r2 = reg.ctip("import", csv)
r3 = reg.ctip("link", "run")
report("estimate: demo data imported and linked (3,000 synthetic persons)",
       r.returncode == 0 and r2.returncode == 0 and r3.returncode == 0, r.stderr + r2.stderr + r3.stderr)
reg.serve()
sup = reg.client("b.supervisor")
ana = reg.client("a.analyst")
B = "&bootstrap=50"

# 1. capture histories
st, js = sup.get("/api/estimate?year=2024" + B)
e = (js or {}).get("estimates", [{}])[0]
report("estimate: the supervisor gets an estimate for 2024 (200, estimated)",
       st == 200 and e.get("estimated") is True and isinstance(e["methods"][0]["estimate"], int), (st, js))
report("estimate: no capture histories or fitted counts leave (no 'fitted', deviance, AIC, BIC)",
       all(k not in m for m in e.get("methods", []) for k in ("fitted", "deviance", "aic", "bic")), e)
report("estimate: no persons per list", all("persons" not in li for li in e.get("lists", [])), e.get("lists"))
prov = (js or {}).get("provenance", {})
report("estimate: no record or person totals in the provenance (the sum of the strata)",
       not any(k in prov for k in ("records", "persons", "records_without_date")), prov)
report("estimate: the disclosure says what is withheld", (js or {}).get("disclosure", {}).get("raw") is False, js)

# 2. one list per organisation
st, js = sup.get("/api/estimate?lists=org" + B)
report("estimate: lists=org refused to the supervisor (403, field lists)",
       st == 403 and js.get("field") == "lists", (st, js))
st, js = ana.get("/api/estimate?lists=org" + B)
report("estimate: lists=org refused to the analyst without raw=1 (403)", st == 403, (st, js))
st, js = sup.get("/api/estimate?lists=org&raw=1" + B)
report("estimate: raw=1 refused to the supervisor (403)", st == 403, (st, js))

# 3. tiny strata, and the warnings
st, js = sup.get("/api/estimate?year=2024&by=origin_province" + B)
ests = (js or {}).get("estimates", [])
report("estimate by=origin_province: 200 with strata", st == 200 and len(ests) > 5, (st, js))
small = [x for x in ests if x.get("observed") is not None and x["observed"] < 20]
report("estimate: no stratum publishes an observed number under 20", not small, small[:2])
report("estimate: the strata of few persons say why, without their number",
       any(x.get("observed") is None and x.get("observed_withheld") for x in ests), ests[:2])
counted = re.compile(r"(?<!than )\b\d+ (persons|observed)|\(\d+\)")
bad = [w for x in ests for w in x.get("warnings", []) if counted.search(w)]
report("estimate: no warning names a count of persons", not bad, bad[:3])
withheld = [x for x in ests if x.get("observed") is None]
report("estimate: a withheld stratum has no dark figure, and its estimate is in tens",
       withheld and all("dark_figure" not in m and (m.get("estimate") is None or m["estimate"] % 10 == 0)
                        for x in withheld for m in x["methods"]), withheld[:2])
st, js = sup.get("/api/estimate?year=2024&by=gender" + B)
gen = {x["stratum"].split("=", 1)[1]: x.get("observed") for x in (js or {}).get("estimates", [])}
st2, stj = sup.get("/api/stats?count=victims&by=gender&year=2024")
cell = {x["gender"]: x["count"] for x in (stj or {}).get("rows", [])}
report("estimate: a published observed number is the one /api/stats publishes",
       gen and all(v is None or cell.get(k) == v for k, v in gen.items()), (gen, cell))
report("estimate: a count /api/stats withholds is withheld here too",
       all(gen.get(k) is None for k, v in cell.items() if v is None and k in gen), (gen, cell))

# 4/5. periods, work, dimensions
for q, code in [("from=2024-01-01&to=2024-06-30", 400), ("bootstrap=1000000", 400), ("method=magic", 400),
                ("by=org", 400), ("by=gender,age_group,year", 400), ("lists=../../etc", 400),
                ("year=20x4", 400)]:
    st, js = sup.get("/api/estimate?" + q)
    report(f"estimate: {q} refused ({code})", st == code and js and "error" in js, (st, js))

# the analyst's raw counts: everything, audited
st, js = ana.get("/api/estimate?raw=1&year=2024" + B)
e = (js or {}).get("estimates", [{}])[0]
report("estimate: the analyst with raw=1 gets the capture histories and persons per list",
       st == 200 and "fitted" in e.get("methods", [{}])[0] and "persons" in e.get("lists", [{}])[0], (st, js))
st, js = ana.get("/api/estimate?lists=org&raw=1&year=2024" + B)
report("estimate: ... and may ask for lists=org (the demo's 13 organisations are too many lists: 400 with "
       "the reason, not 403)", st == 400 and "more than 10 lists" in js.get("error", ""), (st, js))
log = reg.ctip("audit", "log").stdout
report("estimate: raw counts audited as estimate-raw, the others as estimate",
       "estimate-raw" in log and re.search(r"\bestimate\b.*lists=org_type", log) is not None, log[-600:])
for role in ["caseworker", "auditor", "admin"]:
    st, js = reg.client("b." + role).get("/api/estimate")
    report(f"estimate: {role} 403", st == 403, (st, js))
report("estimate: the server stops cleanly", reg.stop() == 0, getattr(reg, "last_err", ""))
finish()
