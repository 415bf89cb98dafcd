#!/bin/sh
# Benchmark of issue 2: generate N person records, import them, then search by name.
# Prints wall time and peak memory of each step, and the median of 21 searches.
#   sh bench/import_search.sh [N]      (default 1000000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
CTIP=${CTIP:-build/ctip} # CTIP=path: compare two builds on the same data
W=${BENCH_DIR:-build/bench}
mkdir -p "$W"
DB="$W/bench.db"
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm"

# run LABEL CMD...: wall seconds and peak RSS of one command
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$W/time" "$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
	read -r secs kb <"$W/time"
	printf '%-28s %8.2f s  %8.1f MB peak\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo "records: $N"
run "demo generate" $CTIP demo generate --persons "$N" --seed 1 -o "$W/data.csv" --truth "$W/truth.csv"
run "init" $CTIP --db "$DB" init
run "import" $CTIP --db "$DB" import --timing "$W/data.csv"
tail -n 2 "$W/out"
echo "database: $(du -h "$DB" | cut -f1)"

# names to look for: a common one, a rare one, one without diacritics in upper case
# (taken from the generated file: the database keeps names encrypted)
names=$(python3 - "$W/data.csv" <<'PY'
import collections, csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r.get("prs_SecondName") and r.get("prs_FirstName")]
common = next(r for r in rows if r["prs_SecondName"] == "Nguyễn")
print(" ".join(x for x in (common["prs_SecondName"], common.get("prs_MiddleName", ""), common["prs_FirstName"]) if x))
count = collections.Counter(r["prs_SecondName"] for r in rows)
rare = next(r for r in rows if count[r["prs_SecondName"]] < 200)
print(rare["prs_SecondName"] + " " + rare["prs_FirstName"])
PY
)
common=$(echo "$names" | sed -n 1p)
rare=$(echo "$names" | sed -n 2p)
upper=$(python3 -c 'import sys,unicodedata as u; s=sys.argv[1].replace("đ","d").replace("Đ","D"); print("".join(c for c in u.normalize("NFD",s) if not u.combining(c)).upper())' "$common")
for q in "$common" "$rare" "$upper"; do
	i=0
	: >"$W/ms"
	while [ $i -lt 21 ]; do
		s=$(date +%s%N)
		$CTIP --db "$DB" search --limit 50 "$q" >"$W/hits" 2>/dev/null || true
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >>"$W/ms"
		i=$((i + 1))
	done
	med=$(sort -n "$W/ms" | sed -n 11p)
	printf 'search %-32s median %6.1f ms (whole process), %s hits shown\n' "'$q'" "$(echo "$med / 1000" | bc -l)" "$(wc -l <"$W/hits")"
done
