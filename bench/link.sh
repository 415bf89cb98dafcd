#!/bin/sh
# Benchmark of issue 5 (record linkage): generate N person records with their truth, import
# them, link them, and measure pairwise precision, recall and F1 against the truth and the
# true against the estimated number of distinct persons; wall time and peak memory of
# `ctip link run` (and of reading the identities alone).
#   sh bench/link.sh [N]      (default 100000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
CTIP=build/ctip
W=${BENCH_DIR:-build/bench-link}
mkdir -p "$W"
DB="$W/link.db"

run() {
	label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
	read -r secs user sys kb <"$W/time"
	printf '%-22s %7.2f s wall %7.2f s cpu %8.1f MB peak\n' "$label" "$secs" \
		"$(echo "$user + $sys" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1 /proc/loadavg)"
echo "records: $N"
# the data is made once per N (BENCH_FRESH=1 to remake it)
if [ ! -f "$W/db-$N.done" ] || [ "${BENCH_FRESH:-0}" = 1 ]; then
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$W"/db-*.done
	$CTIP demo generate --persons "$N" --seed 1 -o "$W/data.csv" --truth "$W/truth.csv" >/dev/null
	$CTIP --db "$DB" init >/dev/null
	$CTIP --db "$DB" import "$W/data.csv" >/dev/null
	touch "$W/db-$N.done"
fi
run "link run" $CTIP --db "$DB" link run --timing ${LINK_ARGS:-}
cat "$W/out"
run "link export" $CTIP --db "$DB" link export --format csv -o "$W/keys.csv"
python3 bench/link_eval.py "$W/truth.csv" "$W/keys.csv"
# re-trafficking: persons victims in cases whose exploitation periods do not overlap
$CTIP --db "$DB" link retrafficked 2>&1 >/dev/null | sed 's/^/found: /'
python3 bench/retraffic_truth.py "$W/data.csv" "$W/truth.csv"
