#!/bin/sh
# Benchmark of `ctip serve` (issue 3): a registry of ~100,000 demo cases, a caseworker of the
# organisation owning the most cases, and wrk on loopback against authenticated
#   GET /api/cases/{id}   (random cases the caseworker sees; every view audited)
#   GET /api/search?q=... (random names of that organisation's records)
# Goal: >= 3,000 requests/s with p99 <= 50 ms on 2 cores. Figures go in docs/BENCHMARKS.md.
#   sh bench/server.sh [PERSONS]      (default 220000 persons, about 100,000 cases)
#   BENCH_DURATION (20s), BENCH_CONNECTIONS (32), BENCH_THREADS (server, default 2 x cores)
set -eu
cd "$(dirname "$0")/.."
N=${1:-220000}
DUR=${BENCH_DURATION:-20s}
CONNS=${BENCH_CONNECTIONS:-32}
DB=var/bench-server.db
PORT=${BENCH_PORT:-18443}
CTIP=build/ctip
. bench/http_tools.sh # wrk and curl, installed when missing
make --no-print-directory build/ctip >/dev/null
mkdir -p var
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm"
$CTIP --db "$DB" init >/dev/null
[ -f "var/bench-server-$N.csv" ] ||
	$CTIP demo generate --persons "$N" --seed 33 -o "var/bench-server-$N.csv" >/dev/null
$CTIP --db "$DB" import "var/bench-server-$N.csv" 2>/dev/null | tail -n 1
org_id=$(sqlite3 "$DB" "select org_id from cases group by org_id order by count(*) desc limit 1")
org=$(sqlite3 "$DB" "select name from organisation where id = $org_id")
PW=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)
echo "$PW" | $CTIP --db "$DB" user add bench.caseworker --org "$org" --role caseworker >/dev/null
echo "cases: $(sqlite3 "$DB" "select count(*) from cases"), persons: $(sqlite3 "$DB" "select count(*) from person"), of '$org': $(sqlite3 "$DB" "select count(*) from cases where org_id = $org_id")"

$CTIP --db "$DB" serve --listen "127.0.0.1:$PORT" ${BENCH_THREADS:+--threads $BENCH_THREADS} >var/bench-server.log 2>&1 &
SRV=$!
trap 'kill -TERM $SRV 2>/dev/null; wait $SRV 2>/dev/null || true' EXIT
sleep 1
cookie=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
	-d "{\"username\":\"bench.caseworker\",\"password\":\"$PW\"}" "http://127.0.0.1:$PORT/api/login" |
	tr -d '\r' | sed -n 's/^Set-Cookie: \(ctip_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "bench: login failed" >&2; exit 1; }

# the cases the caseworker sees, and names of the organisation's records (from the demo file,
# so that this works whatever the database keeps in clear)
ids=$(sqlite3 "$DB" "select group_concat(id, ',') from (select id from cases where org_id = $org_id order by random() limit 20000)")
python3 - "var/bench-server-$N.csv" "$org" >var/bench-queries.txt <<'PY'
import csv, sys, random
random.seed(5)
names = []
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if row["src_Organisation"] == sys.argv[2] and row["prs_SecondName"] and row["prs_FirstName"]:
        names.append(row["prs_SecondName"] + " " + row["prs_FirstName"])
for n in random.sample(names, min(500, len(names))):
    print(n)
PY
q=$(python3 -c "import sys,urllib.parse; print(','.join('\"'+urllib.parse.quote(l.strip())+'\"' for l in open('var/bench-queries.txt')))")
cat >var/bench-cases.lua <<LUA
local ids = {$ids}
wrk.headers["Cookie"] = "$cookie"
request = function() return wrk.format("GET", "/api/cases/" .. ids[math.random(#ids)]) end
LUA
cat >var/bench-search.lua <<LUA
local qs = {$q}
wrk.headers["Cookie"] = "$cookie"
request = function() return wrk.format("GET", "/api/search?q=" .. qs[math.random(#qs)]) end
LUA
curl -s -o /dev/null -w "check: GET /api/cases/{id} -> %{http_code}\n" -b "$cookie" \
	"http://127.0.0.1:$PORT/api/cases/$(echo "$ids" | cut -d, -f1)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
cpu0=$(awk '{print $14 + $15}' /proc/$SRV/stat)
echo "== wrk -t2 -c$CONNS -d$DUR GET /api/cases/{id}"
wrk -t2 -c"$CONNS" -d"$DUR" --latency -s var/bench-cases.lua "http://127.0.0.1:$PORT" |
	grep -E 'Requests/sec|Latency |  (50|90|99)%|requests in|Non-2xx'
cpu1=$(awk '{print $14 + $15}' /proc/$SRV/stat)
echo "server CPU (user+sys): $(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK)" | bc -l | cut -c1-6) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== wrk -t2 -c$CONNS -d$DUR GET /api/search?q=NAME"
wrk -t2 -c"$CONNS" -d"$DUR" --latency -s var/bench-search.lua "http://127.0.0.1:$PORT" |
	grep -E 'Requests/sec|Latency |  (50|90|99)%|requests in|Non-2xx'
cpu2=$(awk '{print $14 + $15}' /proc/$SRV/stat)
echo "server CPU (user+sys): $(echo "($cpu2 - $cpu1) / $(getconf CLK_TCK)" | bc -l | cut -c1-6) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "audit entries: $(sqlite3 "$DB.audit" "select count(*) from audit")"
kill -TERM $SRV
wait $SRV && echo "server stopped cleanly (exit 0)"
trap - EXIT
$CTIP --db "$DB" audit verify
