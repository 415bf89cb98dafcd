#!/usr/bin/env python3
"""The adversary's checks of a synthetic release (tests/e2e/release.sh).

    release_check.py synthetic FILE K LENGTH   every combination of up to LENGTH values of a
                                               synthetic record is in FILE.aggregates.csv; every
                                               published count is >= K and a multiple of K
    release_check.py dpsynthetic FILE LENGTH   the first check only (dp counts are noisy)
Prints what failed and exits 1.
"""
import csv
import itertools
import sys

EXPLOIT = ["ForcedLabour", "SexualExploit", "OtherExploit", None, "ForcedMarriage",
           "ForcedMilitary", "OrganRemoval", "SlaveryAndPractices"]


def flags(row, first, names, prefix=""):
    """The label of a flag group: set flags' names joined by '+', 'none', or None (blank)."""
    vals = row[first:first + len(names)]
    if all(v == "" for v in vals):
        return None
    on = [n for n, v in zip(names, vals) if n and v == "1"]
    return "+".join(on) if on else "none"


def attributes(header, row):
    col = {h: i for i, h in enumerate(header)}
    out = {}
    for name in ["yearOfRegistration", "gender", "ageBroad", "citizenship",
                 "CountryOfExploitation", "provinceOfOrigin"]:
        if row[col[name]] != "":
            out[name] = row[col[name]]
    ex = flags(row, col["isForcedLabour"], EXPLOIT)
    if ex is not None:
        out["isExploit"] = ex
    lab = [h[len("typeOfLabour"):] for h in header if h.startswith("typeOfLabour")]
    v = flags(row, col["typeOfLabour" + lab[0]], lab)
    if v is not None:
        out["typeOfLabour"] = v
    con = [h[len("meansOfControl"):] for h in header if h.startswith("meansOfControl")]
    v = flags(row, col["meansOfControl" + con[0]], con)
    if v is not None:
        out["meansOfControl"] = v
    return out


def main():
    mode, path = sys.argv[1], sys.argv[2]
    k = int(sys.argv[3]) if mode == "synthetic" else 0
    length = int(sys.argv[-1])
    published = set()
    bad = []
    with open(path + ".aggregates.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            published.add(frozenset(r["combination"].split(";")))
            c = int(r["count"])
            if k and (c < k or c % k):
                bad.append(f"published count {c} of {r['combination']} is under k or not a multiple")
    n = 0
    with open(path, newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        header = next(rd)
        for row in rd:
            n += 1
            a = sorted(f"{key}:{val}" for key, val in attributes(header, row).items())
            for size in range(1, length + 1):
                for combo in itertools.combinations(a, size):
                    if frozenset(combo) not in published:
                        bad.append(f"record {n}: {';'.join(combo)} is not in the aggregates")
    for b in bad[:10]:
        print(b)
    if n == 0:
        print("no synthetic record")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
