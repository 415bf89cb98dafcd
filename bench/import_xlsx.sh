#!/bin/sh
# Benchmark of issue 15: an agency's list (laid out like seed 000's, synthetic people) of N rows
# imported through its mapping, as XLSX and as CSV, in the same run and into fresh databases.
# The XLSX file is written by build/tools/csv2xlsx from the same CSV (shared strings, dates of
# birth as date cells), so both hold the same rows. Goal: XLSX at most twice the time of CSV.
#   sh bench/import_xlsx.sh [N]      (default 100000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
CTIP=${CTIP:-build/ctip}
W=${BENCH_DIR:-build/bench}
MAP=tests/fixtures/agency_list.map.json
mkdir -p "$W"
make -s build/ctip build/tools/csv2xlsx

# run LABEL CMD...: wall seconds (into $secs) and peak RSS of one command
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$W/time" "$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
	read -r secs kb <"$W/time"
	printf '%-34s %8.2f s  %8.1f MB peak\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
fresh() {
	rm -f "$1" "$1-wal" "$1-shm" "$1.audit" "$1.audit-wal" "$1.audit-shm" "$1.key"
	$CTIP --db "$1" init >/dev/null
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rows: $N"
python3 tools/agency_list.py --rows "$N" --seed 15 >"$W/list.csv"
run "write the XLSX (csv2xlsx)" build/tools/csv2xlsx --sheet List --numbers 1 --dates 3 --pivot 10 \
	"$W/list.csv" "$W/list.xlsx"
echo "files: CSV $(du -h "$W/list.csv" | cut -f1), XLSX $(du -h "$W/list.xlsx" | cut -f1)"

fresh "$W/csv.db"
run "import CSV through the mapping" $CTIP --db "$W/csv.db" import --timing --map "$MAP" "$W/list.csv"
csv=$secs
tail -n 1 "$W/out"
fresh "$W/xlsx.db"
run "import XLSX through the mapping" $CTIP --db "$W/xlsx.db" import --timing --map "$MAP" "$W/list.xlsx"
xlsx=$secs
tail -n 1 "$W/out"
q="select count(*), count(distinct birth_date), sum(province_code) from person"
[ "$(sqlite3 "$W/csv.db" "$q")" = "$(sqlite3 "$W/xlsx.db" "$q")" ] ||
	{ echo "the two imports differ"; exit 1; }
ratio=$(echo "$xlsx / $csv" | bc -l)
printf 'XLSX / CSV: %.2f (goal: at most 2)\n' "$ratio"
[ "$(echo "$ratio <= 2" | bc)" = 1 ] || { echo "XLSX import slower than twice the CSV's"; exit 1; }
