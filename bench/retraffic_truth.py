#!/usr/bin/env python3
"""The number of persons trafficked more than once in a generated data set, by its truth file:
persons (truth person_id) who are victims in cases whose exploitation periods do not overlap,
counted as `ctip link retrafficked` counts linked persons (partial dates at their widest)."""
import csv
import sys
from collections import defaultdict


def widen(d, end):
    if len(d) >= 10:
        return d[:10]
    if len(d) >= 7:
        return d[:7] + ("-31" if end else "-01")
    return d[:4] + ("-12-31" if end else "-01-01")


def main():
    truth = {}
    with open(sys.argv[2], newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            truth[(r["src_Organisation"], r["src_RecordId"])] = r["person_id"]
    periods = defaultdict(dict)  # person -> case -> [start, end]
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r.get("ctip_Role") != "Victim":
                continue
            pid = truth.get((r["src_Organisation"], r["src_RecordId"]))
            starts = [x for x in r.get("ctip_ExploitationStart", "").split(";") if x]
            ends = [x for x in r.get("ctip_ExploitationEnd", "").split(";") if x]
            if pid is None or not starts:
                continue
            case = (r["src_Organisation"], r["src_CaseId"])
            s = min(widen(x, False) for x in starts)
            e = max([widen(x, True) for x in ends] + [widen(x, True) for x in starts])
            periods[pid][case] = (s, e)
    n = 0
    for pid, cases in periods.items():
        ep, cur = 0, ""
        for s, e in sorted(cases.values()):
            if not ep or s > cur:
                ep, cur = ep + 1, e
            elif e > cur:
                cur = e
        n += ep >= 2
    print("persons trafficked more than once (truth): %d" % n)


main()
