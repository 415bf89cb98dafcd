#!/bin/sh
# Benchmark of `ctip serve` on PostgreSQL beside SQLite (issue 11, item 8): the same demo data
# loaded into a SQLite file and into a database of the throwaway cluster (scripts/pg-cluster.sh),
# a caseworker of the organisation owning the most cases, and wrk on loopback, in the same run,
# one back end after the other, against authenticated
#   GET /api/cases/{id}   (random cases of that organisation; every view audited)
#   GET /api/search?q=... (random names of that organisation's records)
# The PostgreSQL server works as the role <database>_app under row-level security (as deployed).
# Target: PostgreSQL at least half of SQLite's requests/s, with p99 <= 100 ms.
#   sh bench/server_pg.sh [PERSONS]   (default 60000 persons, about 27,000 cases)
#   BENCH_DURATION (15s), BENCH_CONNECTIONS (16), BENCH_THREADS (server, default 2 x cores)
set -eu
cd "$(dirname "$0")/.."
N=${1:-60000}
DUR=${BENCH_DURATION:-15s}
CONNS=${BENCH_CONNECTIONS:-16}
PORT_S=${BENCH_PORT:-18250}
PORT_P=$((PORT_S + 1))
CTIP=build/ctip
DB=var/bench-pg.db
PGDB=ctip_bench_server
. bench/http_tools.sh # wrk and curl, installed when missing
command -v psql >/dev/null 2>&1 || { echo "bench: psql is missing (sh scripts/install-deps.sh installs PostgreSQL)" >&2; exit 1; }
make --no-print-directory build/ctip >/dev/null
mkdir -p var
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm" var/bench-pg.key
URL=$(sh scripts/pg-cluster.sh start)
HOST=${URL#*host=}
psql -X -q -h "$HOST" -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" \
	-c "DROP ROLE IF EXISTS ${PGDB}_app" -c "CREATE DATABASE $PGDB"
PG="postgresql:///$PGDB?host=$HOST"
CSV=var/bench-server-pg-$N.csv
[ -f "$CSV" ] || $CTIP demo generate --persons "$N" --seed 33 -o "$CSV" >/dev/null
$CTIP --db "$DB" init >/dev/null
$CTIP --db "$PG" --key var/bench-pg.key init >/dev/null
t0=$(date +%s.%N)
$CTIP --db "$DB" import "$CSV" 2>/dev/null | tail -n 1
t1=$(date +%s.%N)
$CTIP --db "$PG" --key var/bench-pg.key import "$CSV" 2>/dev/null | tail -n 1
t2=$(date +%s.%N)
echo "import: SQLite $(echo "$t1 - $t0" | bc | cut -c1-6) s, PostgreSQL $(echo "$t2 - $t1" | bc | cut -c1-6) s"
psql -X -q -h "$HOST" -d "$PGDB" -c "VACUUM ANALYZE" >/dev/null
org=$(sqlite3 "$DB" "select o.name from cases c join organisation o on o.id = c.org_id group by c.org_id order by count(*) desc limit 1")
PW=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)
echo "$PW" | $CTIP --db "$DB" user add bench.caseworker --org "$org" --role caseworker >/dev/null
echo "$PW" | $CTIP --db "$PG" --key var/bench-pg.key user add bench.caseworker --org "$org" --role caseworker >/dev/null
echo "cases: $(sqlite3 "$DB" "select count(*) from cases"), persons: $(sqlite3 "$DB" "select count(*) from person"), of '$org': $(sqlite3 "$DB" "select count(*) from cases c join organisation o on o.id = c.org_id where o.name = '$org'")"

$CTIP --db "$DB" serve --listen "127.0.0.1:$PORT_S" ${BENCH_THREADS:+--threads $BENCH_THREADS} >var/bench-server-sqlite.log 2>&1 &
SRV_S=$!
$CTIP --db "$PG" --key var/bench-pg.key serve --listen "127.0.0.1:$PORT_P" ${BENCH_THREADS:+--threads $BENCH_THREADS} >var/bench-server-pg.log 2>&1 &
SRV_P=$!
trap 'kill -TERM $SRV_S $SRV_P 2>/dev/null; wait $SRV_S $SRV_P 2>/dev/null || true' EXIT
sleep 2
login() {
	curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"bench.caseworker\",\"password\":\"$PW\"}" "http://127.0.0.1:$1/api/login" |
		tr -d '\r' | sed -n 's/^Set-Cookie: \(ctip_session=[0-9a-f]*\).*/\1/p'
}
cookie_s=$(login $PORT_S)
cookie_p=$(login $PORT_P)
[ -n "$cookie_s" ] && [ -n "$cookie_p" ] || { echo "bench: login failed" >&2; exit 1; }
ids_s=$(sqlite3 "$DB" "select group_concat(id, ',') from (select c.id from cases c join organisation o on o.id = c.org_id where o.name = '$org' order by random() limit 20000)")
ids_p=$(psql -X -At -h "$HOST" -d "$PGDB" -c "select string_agg(id::text, ',') from (select c.id from cases c join organisation o on o.id = c.org_id where o.name = '$org' order by random() limit 20000) x")
python3 - "$CSV" "$org" >var/bench-pg-queries.txt <<'PY'
import csv, sys, random
random.seed(5)
names = []
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if row["src_Organisation"] == sys.argv[2] and row["prs_SecondName"] and row["prs_FirstName"]:
        names.append(row["prs_SecondName"] + " " + row["prs_FirstName"])
for n in random.sample(names, min(500, len(names))):
    print(n)
PY
q=$(python3 -c "import sys,urllib.parse; print(','.join('\"'+urllib.parse.quote(l.strip())+'\"' for l in open('var/bench-pg-queries.txt')))")
for b in s p; do
	eval "ids=\$ids_$b; cookie=\$cookie_$b"
	cat >var/bench-pg-cases-$b.lua <<LUA
local ids = {$ids}
wrk.headers["Cookie"] = "$cookie"
request = function() return wrk.format("GET", "/api/cases/" .. ids[math.random(#ids)]) end
LUA
	cat >var/bench-pg-search-$b.lua <<LUA
local qs = {$q}
wrk.headers["Cookie"] = "$cookie"
request = function() return wrk.format("GET", "/api/search?q=" .. qs[math.random(#qs)]) end
LUA
done
for b in s p; do
	eval "port=\$PORT_$(echo $b | tr sp SP)"
	id=$(eval "echo \$ids_$b" | cut -d, -f1)
	eval "cookie=\$cookie_$b"
	curl -s -o /dev/null -w "check ($b): GET /api/cases/{id} -> %{http_code}\n" -b "$cookie" "http://127.0.0.1:$port/api/cases/$id"
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# CPU ticks (user + system, /proc) of the processes given: the server's, and the cluster's
# backends; their difference over a run per request depends far less on the machine's load than
# the throughput does (a loaded machine's figures compare as CPU per request)
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done | awk '{s += $1} END {print s + 0}'; }
pg_pids() { pgrep -d ' ' -f '^postgres' || true; }
# the client sessions ([local]: the servers' connections) apart from the cluster's background
# processes (checkpointer, autovacuum, WAL writer): the latter varied between runs
pg_sessions() { for p in $(pg_pids); do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '\[local\]' && echo "$p"; done; }
run() { # endpoint backend port server-pid
	echo "== $2: wrk -t2 -c$CONNS -d$DUR GET $1"
	# a checkpoint now rather than one falling in the run by chance (after the load's WAL)
	psql -X -q -h "$HOST" -d "$PGDB" -c CHECKPOINT >/dev/null
	c0=$(ticks "$4"); p0=$(ticks $(pg_pids)); q0=$(ticks $(pg_sessions))
	wrk -t2 -c"$CONNS" -d"$DUR" --latency -s "var/bench-pg-$1-$(echo "$2" | cut -c1 | tr SP sp).lua" "http://127.0.0.1:$3" |
		tee "var/bench-pg-$1-$2.out" | grep -E 'Requests/sec|Latency |  (50|90|99)%|requests in|Non-2xx'
	c1=$(ticks "$4"); p1=$(ticks $(pg_pids)); q1=$(ticks $(pg_sessions))
	n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "var/bench-pg-$1-$2.out")
	hz=$(getconf CLK_TCK)
	echo "CPU per request: ctip $(echo "scale=3; 1000 * ($c1 - $c0) / $hz / ${n:-1}" | bc) ms, PostgreSQL $(echo "scale=3; 1000 * ($p1 - $p0) / $hz / ${n:-1}" | bc) ms (sessions $(echo "scale=3; 1000 * ($q1 - $q0) / $hz / ${n:-1}" | bc) ms, the rest background processes)"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}
run cases SQLite $PORT_S $SRV_S
run cases PostgreSQL $PORT_P $SRV_P
run search SQLite $PORT_S $SRV_S
run search PostgreSQL $PORT_P $SRV_P
python3 - <<'PY'
import re
def get(f):
    t = open(f).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", t)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    return rps, p99, int(bad.group(1)) if bad else 0
for ep in ("cases", "search"):
    s, p = get(f"var/bench-pg-{ep}-SQLite.out"), get(f"var/bench-pg-{ep}-PostgreSQL.out")
    ok = p[0] >= 0.5 * s[0] and p[1] <= 100 and not p[2]
    print(f"{ep}: SQLite {s[0]:.0f}/s p99 {s[1]:.1f} ms; PostgreSQL {p[0]:.0f}/s p99 {p[1]:.1f} ms; "
          f"ratio {p[0] / s[0]:.2f} (target >= 0.50, p99 <= 100 ms): {'met' if ok else 'NOT met'}"
          + (f"; non-2xx: SQLite {s[2]}, PostgreSQL {p[2]}" if s[2] or p[2] else ""))
PY
kill -TERM $SRV_S $SRV_P
wait $SRV_S && echo "SQLite server stopped cleanly"
wait $SRV_P && echo "PostgreSQL server stopped cleanly"
trap - EXIT
$CTIP --db "$DB" audit verify
$CTIP --db "$PG" --key var/bench-pg.key audit verify
psql -X -q -h "$HOST" -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" -c "DROP ROLE IF EXISTS ${PGDB}_app"
