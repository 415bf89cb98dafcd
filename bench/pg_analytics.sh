#!/bin/sh
# PostgreSQL beside SQLite on the same data, machine and run (issue 11 item 8): a
# three-dimension statistics table (the query time once the snapshot is built and cached, median
# of 5, whole process) and record linkage (a full `ctip link run`, 1 thread and the default),
# with the PostgreSQL/SQLite ratio. On the throwaway cluster of scripts/pg-cluster.sh (started
# here when it is not running, stopped again after).
#   sh bench/pg_analytics.sh [PERSONS]   (default 200000 person rows: about 100,000 cases and
#                                         100,000 person records; 2000000 for a million cases)
#   BENCH_LINK=0: the statistics only (the linkage rounds take most of the time at a million)
set -eu
cd "$(dirname "$0")/.."
N=${1:-200000}
CTIP=${CTIP:-build/ctip}
W=${BENCH_DIR:-build/bench-pg-analytics}
mkdir -p "$W"
started=""
if ! sh scripts/pg-cluster.sh status >/dev/null 2>&1; then
	sh scripts/pg-cluster.sh start >/dev/null
	started=1
fi
HOST=$(sh scripts/pg-cluster.sh url | sed 's/.*host=//')
DB=ctip_bench_an_$$
psql -X -q -h "$HOST" -d postgres -c "CREATE DATABASE $DB"
cleanup() {
	psql -X -q -h "$HOST" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
	if [ -n "$started" ]; then sh scripts/pg-cluster.sh stop; fi
}
trap cleanup EXIT
PG="postgresql:///$DB?host=$HOST"
SQ="$W/bench.db"
rm -f "$SQ" "$SQ-wal" "$SQ-shm" "$SQ.audit" "$SQ.audit-wal" "$SQ.audit-shm" "$SQ.key" "$W/pg.key"
sq() { "$CTIP" --db "$SQ" "$@"; }
pg() { "$CTIP" --db "$PG" --key "$W/pg.key" "$@"; }

once() { # LABEL CMD...: wall seconds of one run
	label=$1
	shift
	s=$(date +%s%N)
	"$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
	e=$(date +%s%N)
	printf '%-58s %9.2f s\n' "$label" "$(echo "($e - $s) / 1000000000" | bc -l)"
}
median_ms() { # CMD...: median wall time in ms of 5 runs
	: >"$W/ms"
	i=0
	while [ $i -lt 5 ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { "$@"; exit 1; }
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >>"$W/ms"
		i=$((i + 1))
	done
	printf '%.0f' "$(echo "$(sort -n "$W/ms" | sed -n 3p) / 1000" | bc -l)"
}
secs() { # CMD...: wall seconds of one run
	s=$(date +%s%N)
	"$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
	e=$(date +%s%N)
	printf '%.2f' "$(echo "($e - $s) / 1000000000" | bc -l)"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg) at start (shared: other work may be running), $(psql -X -h "$HOST" -d postgres -tAc 'SHOW server_version')"
once "demo generate --persons $N" "$CTIP" demo generate --persons "$N" --seed 1 -o "$W/d.csv"
sq init >/dev/null 2>&1
pg init >/dev/null 2>&1
once "import, SQLite" sq import "$W/d.csv"
once "import, PostgreSQL" pg import "$W/d.csv"
echo "data: $(sqlite3 "$SQ" 'select count(*) from cases') cases, $(sqlite3 "$SQ" 'select count(*) from person') person records, $(sqlite3 "$SQ" "select count(*) from case_person where role='Victim'") victims in cases"

# statistics: the snapshot built and cached once, then each table counted from the cache
once "first stats (snapshot built and cached), SQLite" sq stats cases
once "first stats (snapshot built and cached), PostgreSQL" pg stats cases
printf '%-62s %8s %8s %6s\n' "table (median of 5, whole process)" "SQLite" "PG" "PG/SQ"
for q in "victims --by year,gender,origin_province" \
	"victims --by gender,age_group,exploitation_type" \
	"victims --by origin_province,destination_country,exploitation_type" \
	"cases --by year,org,stage"; do
	# shellcheck disable=SC2086
	a=$(median_ms sq stats $q)
	# shellcheck disable=SC2086
	b=$(median_ms pg stats $q)
	printf '%-62s %5s ms %5s ms %6.2f\n' "stats $q" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done

if [ "${BENCH_LINK:-1}" = 0 ]; then
	echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	exit 0
fi
# linkage: full runs, SQLite then PostgreSQL, twice each, alternating
printf '%-62s %8s %8s %6s\n' "link run --full (wall)" "SQLite" "PG" "PG/SQ"
for threads in 1 0; do
	opt=""
	[ "$threads" = 1 ] && opt="--threads 1"
	for round in 1 2; do
		# shellcheck disable=SC2086
		a=$(secs sq link run --full $opt)
		# shellcheck disable=SC2086
		b=$(secs pg link run --full $opt)
		printf '%-62s %6s s %6s s %6.2f\n' "link run --full ${opt:-(all cores)}, round $round" "$a" "$b" "$(echo "$b / $a" | bc -l)"
	done
done
sq link export --format csv --pairs -o "$W/sq.pairs" >/dev/null 2>&1
pg link export --format csv --pairs -o "$W/pg.pairs" >/dev/null 2>&1
if cmp -s "$W/sq.pairs" "$W/pg.pairs"; then echo "link export --pairs: identical on both"; else echo "link export --pairs: DIFFERENT"; fi
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
