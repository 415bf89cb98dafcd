#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a linkage (ctip link export --format csv) against
the truth of `ctip demo generate --truth` (src_Organisation,src_RecordId,person_id), and the
true against the estimated number of distinct persons. Records missing from either file are
left out of both counts.

    link_eval.py TRUTH KEYS [CANDIDATES]

CANDIDATES: the candidate pairs of the run (written by `ctip link run` when the environment
variable CTIP_LINK_CANDIDATES names a file): their number and the recall of the blocking (the
share of true pairs that are candidates)."""
import csv
import sys
from collections import Counter


def load(path, col):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return {(row["src_Organisation"], row["src_RecordId"]): row[col] for row in r}


def pairs(counter):
    return sum(n * (n - 1) // 2 for n in counter.values())


def main():
    truth = load(sys.argv[1], "person_id")
    found = load(sys.argv[2], "person_key")
    keys = truth.keys() & found.keys()
    tp = pairs(Counter((truth[k], found[k]) for k in keys))
    t = pairs(Counter(truth[k] for k in keys))
    p = pairs(Counter(found[k] for k in keys))
    prec = tp / p if p else 1.0
    rec = tp / t if t else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print("records %d (truth %d, linked %d)" % (len(keys), len(truth), len(found)))
    print("pairs: true %d, linked %d, correct %d" % (t, p, tp))
    print("precision %.4f recall %.4f F1 %.4f" % (prec, rec, f1))
    print("persons: true %d, estimated %d" % (len({truth[k] for k in keys}),
                                              len({found[k] for k in keys})))
    if len(sys.argv) > 3:
        cand = 0
        hit = 0
        with open(sys.argv[3], encoding="utf-8") as f:
            next(f)
            for line in f:
                oa, ra, ob, rb = line.split("\t")[:4]
                cand += 1
                a, b = truth.get((oa, ra)), truth.get((ob, rb))
                hit += a is not None and a == b
        print("candidate pairs %d, blocking recall %.4f" % (cand, hit / t if t else 1.0))


main()
