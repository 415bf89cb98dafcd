# The middle name weighs by its frequency (issue 12): agreeing on Thị or Văn (most records)
# says less than agreeing on a rare one; explain gives the weight the run gave (stored
# frequencies: tests/e2e/link_explain.sh), also for a run whose stored frequencies predate it.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" demo generate --persons 1500 --seed 11 -o "$T/d.csv" >/dev/null 2>&1
"$CTIP" import "$T/d.csv" >/dev/null 2>&1
"$CTIP" link run >/dev/null 2>&1
# the middle-name weight of linked pairs agreeing on it, with the middle name's count
dbq "select a, b from link_pair where linked = 1 order by a, b limit 400" >"$T/pairs"
: >"$T/w"
while IFS='|' read -r a b; do
	"$CTIP" link explain "P$a" "P$b" 2>/dev/null |
		awk -v a="$a" '$1 == "middle_name" && $2 == "exact" {print a, $3}'
done <"$T/pairs" >>"$T/w"
dbq "select id, src_record_id from person" >"$T/src"
python3 - "$T/w" "$T/d.csv" "$T/src" >"$T/res" <<'PY'
import csv, sys, unicodedata
from collections import Counter
def fold(s):
    s = s.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn").lower()
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
cnt = Counter(fold(r["prs_MiddleName"]) for r in rows if r["prs_MiddleName"])
src = dict(l.rstrip("\n").split("|", 1) for l in open(sys.argv[3], encoding="utf-8"))
mid = {r["src_RecordId"]: fold(r["prs_MiddleName"]) for r in rows}
w = {}
for line in open(sys.argv[1]):
    a, x = line.split()
    m = mid.get(src.get(a, ""), "")
    if m:
        w.setdefault(m, set()).add(round(float(x), 2))
common = max(w, key=lambda m: cnt[m])
rare = min(w, key=lambda m: cnt[m])
print(len(w), cnt[common], max(w[common]), cnt[rare], min(w[rare]))
PY
read -r nmid ccommon wcommon crare wrare <"$T/res"
check "linked pairs agree on several middle names ($nmid)" test "$nmid" -ge 3
check "a rare middle name ($crare records) weighs more than the commonest ($ccommon): $wrare > $wcommon" \
	python3 -c "import sys; sys.exit(0 if $wrare > $wcommon + 1 else 1)"
