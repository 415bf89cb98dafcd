#!/usr/bin/env python3
"""Where a linkage loses (issue 12): the true pairs it missed, split into those never
candidate pairs (the blocking), those scored below the threshold (the weights) and those above
it but not joined (the cluster guards); the false pairs in its persons, split into direct links
and pairs joined only through others; and the commonest comparison patterns of the false direct
links and of the true pairs scored below the threshold.

    link_loss.py TRUTH KEYS CANDIDATES THRESHOLD

TRUTH and KEYS as for link_eval.py; CANDIDATES written by `ctip link run` with
CTIP_LINK_CANDIDATES=FILE (weights and patterns); THRESHOLD the run's match probability
(`ctip link report --json`: threshold). bench/link.sh runs it with LOSS=1."""
import csv
import math
import sys
from collections import Counter, defaultdict

CMP = ["fam", "giv", "mid", "birth", "doc", "phone", "prov", "gender", "place", "period",
       "country"]
# the organisation's bit and the crossed names' bit (lib/link/link_prep.h: LK_PAT_ORG,
# LK_PAT_CROSSED; the comparisons' 3-bit fields are below them)
PAT_ORG, PAT_CROSSED = 62, 63


def load(path, col):
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["src_Organisation"], r["src_RecordId"]): r[col] for r in csv.DictReader(f)}


def pattern(p):
    """The levels of a pattern (lib/link/link_prep.h: 3 bits each, the organisation in bit
    PAT_ORG) as text; '-' for missing, place and period left out (plain data have neither)."""
    p = int(p)
    lv = ["%s=%s" % (CMP[i], "-" if (p >> 3 * i) & 7 == 7 else (p >> 3 * i) & 7)
          for i in list(range(8)) + [10]]
    return " ".join(lv + ["org=" + ("same" if not (p >> PAT_ORG) & 1 else "diff")])


def main():
    truth, keys = load(sys.argv[1], "person_id"), load(sys.argv[2], "person_key")
    thr = float(sys.argv[4])
    wthr = math.log2(thr / (1 - thr))
    cand = {}
    with open(sys.argv[3], encoding="utf-8") as f:
        next(f)
        for line in f:
            oa, ra, ob, rb, w, p = line.rstrip("\n").split("\t")
            cand[frozenset([(oa, ra), (ob, rb)])] = (float(w), p)
    never = below = guarded = 0
    below_pat = Counter()
    byp = defaultdict(list)
    for k, v in truth.items():
        if k in keys:
            byp[v].append(k)
    for ks in byp.values():
        for i, a in enumerate(ks):
            for b in ks[i + 1:]:
                if keys[a] == keys[b]:
                    continue
                c = cand.get(frozenset([a, b]))
                if c is None:
                    never += 1
                elif c[0] < wthr:
                    below += 1
                    below_pat[pattern(c[1])] += 1
                else:
                    guarded += 1
    print("true pairs missed: never candidates %d, scored below the threshold %d, "
          "above it but refused by the guards %d" % (never, below, guarded))
    byk = defaultdict(list)
    for k, v in keys.items():
        if k in truth:
            byk[v].append(k)
    false = direct = 0
    false_pat = Counter()
    for ks in byk.values():
        for i, a in enumerate(ks):
            for b in ks[i + 1:]:
                if truth[a] == truth[b]:
                    continue
                false += 1
                c = cand.get(frozenset([a, b]))
                if c is not None and c[0] >= wthr:
                    direct += 1
                    false_pat[pattern(c[1])] += 1
    print("false pairs in persons: %d, linked directly %d, through others %d"
          % (false, direct, false - direct))
    print("commonest patterns of the false direct links:")
    for p, n in false_pat.most_common(8):
        print("  %6d  %s" % (n, p))
    print("commonest patterns of the true pairs below the threshold:")
    for p, n in below_pat.most_common(8):
        print("  %6d  %s" % (n, p))


main()
