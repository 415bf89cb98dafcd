#!/bin/sh
# PostgreSQL beside SQLite on the same data and machine (issue 11): import, export and search
# of N generated person records, on the throwaway cluster of scripts/pg-cluster.sh (started
# here when it is not running, stopped again after).
#   sh bench/pg_import.sh [N]      (default 100000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
CTIP=${CTIP:-build/ctip}
W=${BENCH_DIR:-build/bench-pg}
mkdir -p "$W"
started=""
if ! sh scripts/pg-cluster.sh status; then
	sh scripts/pg-cluster.sh start >/dev/null
	started=1
fi
HOST=$(pwd)/build/pg/run
DB=ctip_bench_$$
psql -X -q -h "$HOST" -d postgres -c "CREATE DATABASE $DB"
cleanup() {
	psql -X -q -h "$HOST" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
	if [ -n "$started" ]; then sh scripts/pg-cluster.sh stop; fi
}
trap cleanup EXIT
PG="postgresql:///$DB?host=$HOST"
SQ="$W/bench.db"
rm -f "$SQ" "$SQ-wal" "$SQ-shm" "$SQ.audit" "$SQ.audit-wal" "$SQ.audit-shm" "$SQ.key" "$W/pg.key"

run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$W/time" "$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
	read -r secs kb <"$W/time"
	printf '%-34s %8.2f s  %8.1f MB peak\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
median_ms() { # median wall time of 11 runs of a command
	: >"$W/ms"
	i=0
	while [ $i -lt 11 ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >>"$W/ms"
		i=$((i + 1))
	done
	printf '%.1f' "$(echo "$(sort -n "$W/ms" | sed -n 6p) / 1000" | bc -l)"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(psql -X -h "$HOST" -d postgres -tAc 'SHOW server_version')"
echo "records: $N"
run "demo generate" $CTIP demo generate --persons "$N" --seed 1 -o "$W/data.csv"
for b in sqlite pg; do
	if [ $b = sqlite ]; then C="$CTIP --db $SQ"; else C="$CTIP --db $PG --key $W/pg.key"; fi
	run "$b: init" $C init
	run "$b: import" $C import "$W/data.csv"
	run "$b: export csv" $C export --format csv --identities clear -o "$W/$b.csv"
	printf '%-34s %8s ms (median of 11, whole process)\n' "$b: search 'nguyen van'" \
		"$(median_ms $C search --limit 50 "nguyen van")"
	printf '%-34s %8s ms\n' "$b: show P1000" "$(median_ms $C show P1000)"
done
cmp -s "$W/sqlite.csv" "$W/pg.csv" && echo "exports identical: yes" || echo "exports identical: NO"
echo "postgresql database: $(psql -X -h "$HOST" -d "$DB" -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))"), sqlite: $(du -h "$SQ" | cut -f1)"
