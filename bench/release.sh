#!/bin/sh
# Benchmark of issue 16: privacy-safe releases of about 1,000,000 person records.
#   sh bench/release.sh [PERSONS]      (default 1000000 generated person rows)
# Reuses $BENCH_DIR/release.db when it holds the same number of rows (REBUILD=1 to redo it), or
# RELEASE_DB=PATH (an imported registry). Prints the median of 3 runs of each command (wall and
# CPU), and in the same run a peer: `ctip stats` of one 3-dimension table, whose time the
# release's can be compared with on another machine (ratios hold, seconds do not).
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
CTIP=$(pwd)/build/ctip
W=${BENCH_DIR:-build/bench}
mkdir -p "$W"
DB=${RELEASE_DB:-$W/release.db}

median() {
	label=$1
	shift
	i=0
	: >"$W/times"
	while [ $i -lt 3 ]; do
		/usr/bin/time -f "%e %U %S %M" -o "$W/t1" "$@" >"$W/out" 2>"$W/err" || { cat "$W/err"; exit 1; }
		awk '{printf "%.3f %.3f %.0f\n", $1, $2 + $3, $4 / 1024}' "$W/t1" >>"$W/times"
		i=$((i + 1))
	done
	wall=$(cut -d' ' -f1 "$W/times" | sort -n | sed -n 2p)
	cpu=$(cut -d' ' -f2 "$W/times" | sort -n | sed -n 2p)
	mb=$(cut -d' ' -f3 "$W/times" | sort -n | sed -n 2p)
	printf '%-58s %6.1f s wall %6.1f s cpu %5.0f MB\n' "$label" "$wall" "$cpu" "$mb"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
if [ -z "${RELEASE_DB:-}" ] && { [ "${REBUILD:-0}" = 1 ] || [ ! -f "$DB" ]; }; then
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm" "$DB.key"
	"$CTIP" demo generate --persons "$N" --seed 11 -o "$W/release.csv" 2>/dev/null
	"$CTIP" --db "$DB" init >/dev/null
	"$CTIP" --db "$DB" import "$W/release.csv" >/dev/null
	rm -f "$W/release.csv"
fi
"$CTIP" --db "$DB" init >/dev/null
echo "data: $(sqlite3 "$DB" "select count(*) from case_person where role='Victim'") victims in cases, $(sqlite3 "$DB" 'select count(*) from person') person records"
# the snapshot is built once (as a first `ctip stats` would), then every command reads it
"$CTIP" --db "$DB" stats victims --by gender >/dev/null

median "peer: stats victims --by gender,age_group,exploitation_type" \
	"$CTIP" --db "$DB" stats victims --by gender,age_group,exploitation_type
median "release microdata --k 11 --no-evaluate (all columns quasi-identifiers)" \
	"$CTIP" --db "$DB" release microdata --k 11 --seed 1 --no-evaluate -o "$W/micro.csv"
grep -E 'persons in scope|records suppressed|cells suppressed|levels chosen|search|information loss' "$W/out" | sed 's/^/    /'
median "release microdata --k 11 (with its evaluation report)" \
	"$CTIP" --db "$DB" release microdata --k 11 --seed 1 -o "$W/micro.csv"
grep -E 'evaluation' "$W/out" | sed 's/^/    /'
median "release microdata --k 11 --sensitive meansOfControl --l 2 --no-evaluate" \
	"$CTIP" --db "$DB" release microdata --k 11 --sensitive meansOfControl --l 2 --seed 1 --no-evaluate -o "$W/micro_l.csv"
median "release synthetic --k 10 --length 4 --no-evaluate" \
	"$CTIP" --db "$DB" release synthetic --k 10 --length 4 --seed 1 --no-evaluate -o "$W/syn.csv"
grep -E 'synthetic records|left blank|length' "$W/out" | sed 's/^/    /'
median "release synthetic --k 10 --length 4 (with its evaluation report)" \
	"$CTIP" --db "$DB" release synthetic --k 10 --length 4 --seed 1 -o "$W/syn.csv"
grep -E 'evaluation' "$W/out" | sed 's/^/    /'
median "release aggregates --by yearOfRegistration,gender,ageBroad,CountryOfExploitation" \
	"$CTIP" --db "$DB" release aggregates --by yearOfRegistration,gender,ageBroad,CountryOfExploitation -o "$W/agg.csv"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
