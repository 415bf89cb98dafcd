#!/bin/sh
# Benchmark of the caseworker's pages (issue 14, item 7): an organisation with 50,000 cases
# (synthetic), 20 caseworkers sharing them, a tenth assessed (some high risk), a tenth with a
# follow-up plan, and wrk on loopback with 32 connections against one caseworker's
#   GET /api/home                       (the home page: counts and the first items)
#   GET /api/cases                      (the case list, first page, default order)
#   GET /api/cases?page=N               (random pages 1..100 of the default order)
#   GET /api/cases?assigned=me&risk=... (a filtered list)
# and, as the floor and the peer of the same server in the same run, GET /api/me (session check
# only, the cheapest authenticated request) and GET /api/cases/{id} (one case, audited like a
# list page that shows names). Goal: p99 <= 100 ms for the home page and the case list.
#   sh bench/casework_ui.sh [CASES]   (default 50000)
#   BENCH_DURATION (15s), BENCH_CONNECTIONS (32), BENCH_PORT (18701)
set -eu
cd "$(dirname "$0")/.."
N=${1:-50000}
DUR=${BENCH_DURATION:-15s}
CONNS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18701}
DB=var/bench-cwui.db
CTIP=build/ctip
missing=""
for tool in wrk curl sqlite3; do command -v $tool >/dev/null 2>&1 || missing="$missing $tool"; done
if [ -n "$missing" ]; then
	echo "bench: installing$missing (Debian)" >&2
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
make --no-print-directory build/ctip >/dev/null
mkdir -p var
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm"
$CTIP --db "$DB" init >/dev/null
ORG="NGO Thử nghiệm Tải (bench)"
# N cases of ORG, one victim each, plus a tenth as many of two other organisations (synthetic
# names from short lists; nothing from real data)
python3 - "$N" "$ORG" >"var/bench-cwui-$N.csv" <<'PY'
import csv, random, sys
n, org = int(sys.argv[1]), sys.argv[2]
random.seed(14)
fam = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
mid = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Hữu"]
giv = ["An", "Bình", "Cúc", "Dũng", "Hà", "Hải", "Hoa", "Khôi", "Lan", "Mai", "Nam", "Oanh",
       "Phúc", "Quân", "Sơn", "Tâm", "Uyên", "Vy", "Xuân", "Yến"]
w = csv.writer(sys.stdout)
w.writerow(["src_Organisation", "org_Type", "src_CaseId", "cas_Status", "ctip_CaseOpenedDate",
            "src_RecordId", "ctip_Role", "prs_SecondName", "prs_MiddleName", "prs_FirstName",
            "prs_Gender", "con_Consent", "ctip_ConsentScope"])
orgs = [(org, n), ("Công an Thử nghiệm Tải", n // 10), ("Tòa án Thử nghiệm Tải", n // 10)]
for o, k in orgs:
    for i in range(k):
        y = random.randint(2019, 2025)
        w.writerow([o, "NGO", f"B-{i:06d}", random.choice(["Active", "Active", "FollowUp", "Closed"]),
                    f"{y}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}", f"R-{i:06d}", "Victim",
                    random.choice(fam), random.choice(mid), random.choice(giv),
                    random.choice(["Feminine", "Masculine"]), "true",
                    random.choice(["ShareWithReferralOrgs;ShareIdentity", "ShareWithReferralOrgs"])])
PY
$CTIP --db "$DB" import "var/bench-cwui-$N.csv" 2>/dev/null | tail -n 1
org_id=$(sqlite3 "$DB" "select id from organisation where name = '$ORG'")
PW=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)
for i in $(seq 1 20); do
	echo "$PW" | $CTIP --db "$DB" user add "bench.cw$i" --org "$ORG" --role caseworker >/dev/null
done
echo "$PW" | $CTIP --db "$DB" user add bench.sup --org "$ORG" --role supervisor >/dev/null
# casework, written straight into the tables (a benchmark's set-up, not a test; the triggers of
# migration 0022 keep the case's activity and risk): every case assigned to one of 20
# caseworkers, a tenth assessed (a third of those high), a tenth with a follow-up plan
sqlite3 "$DB" <<SQL
BEGIN;
INSERT INTO case_work (case_id, stage, assigned_to, followup)
  SELECT id, CASE abs(random()) % 5 WHEN 0 THEN 'assessment' WHEN 1 THEN 'services'
         WHEN 2 THEN 'followup_reintegration' ELSE 'identification' END,
         'bench.cw' || (1 + abs(random()) % 20), CASE WHEN id % 10 = 3 THEN 'active' ELSE 'none' END
  FROM cases WHERE org_id = $org_id;
INSERT INTO risk_assessment (case_id, date, answers, score, level, created_by)
  SELECT id, '2025-0' || (1 + id % 9) || '-15', '{}', id % 15,
         CASE WHEN id % 3 = 0 THEN 'high' WHEN id % 3 = 1 THEN 'medium' ELSE 'low' END, 'bench.cw1'
  FROM cases WHERE org_id = $org_id AND id % 10 = 7;
INSERT INTO followup_due (case_id, due, months)
  SELECT c.id, date(c.opened, '+' || m.v || ' months'), m.v FROM cases c,
    (SELECT 1 AS v UNION ALL SELECT 3 UNION ALL SELECT 6 UNION ALL SELECT 12 UNION ALL SELECT 24) m
  WHERE c.org_id = $org_id AND c.id % 10 = 3;
COMMIT;
ANALYZE;
SQL
echo "cases: $(sqlite3 "$DB" "select count(*) from cases"), of '$ORG': $(sqlite3 "$DB" "select count(*) from cases where org_id = $org_id"), of bench.cw1: $(sqlite3 "$DB" "select count(*) from case_work where assigned_to = 'bench.cw1'"), assessed: $(sqlite3 "$DB" "select count(*) from risk_assessment"), follow-ups planned: $(sqlite3 "$DB" "select count(*) from followup_due")"

$CTIP --db "$DB" serve --listen "127.0.0.1:$PORT" >var/bench-cwui.log 2>&1 &
SRV=$!
trap 'kill -TERM $SRV 2>/dev/null; wait $SRV 2>/dev/null || true' EXIT
sleep 1
cookie=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
	-d "{\"username\":\"bench.cw1\",\"password\":\"$PW\"}" "http://127.0.0.1:$PORT/api/login" |
	tr -d '\r' | sed -n 's/^Set-Cookie: \(ctip_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "bench: login failed" >&2; exit 1; }
for u in /api/home /api/cases "/api/cases?assigned=me&risk=high"; do
	curl -s -b "$cookie" -o var/bench-cwui.json -w "check: GET $u -> %{http_code}, %{size_download} bytes, %{time_total} s alone; " \
		"http://127.0.0.1:$PORT$u"
	python3 -c "import json; d = json.load(open('var/bench-cwui.json')); print('total', d.get('total', d.get('counts')))"
done
ids=$(sqlite3 "$DB" "select group_concat(id, ',') from (select id from cases where org_id = $org_id order by random() limit 5000)")
cat >var/bench-cwui-case.lua <<LUA
local ids = {$ids}
wrk.headers["Cookie"] = "$cookie"
request = function() return wrk.format("GET", "/api/cases/" .. ids[math.random(#ids)]) end
LUA
cat >var/bench-cwui-pages.lua <<LUA
wrk.headers["Cookie"] = "$cookie"
request = function() return wrk.format("GET", "/api/cases?page=" .. math.random(100)) end
LUA
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# the server's CPU seconds per request (user + system, from /proc), which the machine's load
# changes less than the latencies
run() {
	echo "== wrk -t2 -c$CONNS -d$DUR $1"
	cpu0=$(awk '{print $14 + $15}' /proc/$SRV/stat)
	# shellcheck disable=SC2086
	wrk -t2 -c"$CONNS" -d"$DUR" --latency -H "Cookie: $cookie" $2 >var/bench-cwui.wrk
	cpu1=$(awk '{print $14 + $15}' /proc/$SRV/stat)
	grep -E 'Requests/sec|Latency |  (50|90|99)%|Non-2xx' var/bench-cwui.wrk
	n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' var/bench-cwui.wrk)
	echo "server CPU per request: $(echo "$cpu0 $cpu1 $n $(getconf CLK_TCK)" |
		awk '{printf "%.2f ms", ($2 - $1) * 1000 / $4 / ($3 ? $3 : 1)}')"
}
run "GET /api/me (floor: session check only)" "http://127.0.0.1:$PORT/api/me"
# the peer: one case's page (an audited view, like every list page that shows names: each
# waits for the audit writer's group commit)
run "GET /api/cases/{id} (peer: one audited case view)" "-s var/bench-cwui-case.lua http://127.0.0.1:$PORT"
run "GET /api/home" "http://127.0.0.1:$PORT/api/home"
run "GET /api/cases (first page)" "http://127.0.0.1:$PORT/api/cases"
run "GET /api/cases?page=1..100" "-s var/bench-cwui-pages.lua http://127.0.0.1:$PORT"
run "GET /api/cases?assigned=me&risk=high" "http://127.0.0.1:$PORT/api/cases?assigned=me&risk=high"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
