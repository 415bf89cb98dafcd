#!/bin/sh
# Benchmark of issue 4: statistics on about 1,000,000 generated cases.
#   sh bench/stats.sh [PERSONS]     (default 2000000 person rows, which make ~1,000,000 cases)
# Reuses $BENCH_DIR/stats.db when it holds the same number of rows (REBUILD=1 to redo it).
# Prints, for each command, the median of 5 runs: wall time and CPU time (user + sys).
set -eu
cd "$(dirname "$0")/.."
N=${1:-2000000}
CTIP=$(pwd)/build/ctip
W=${BENCH_DIR:-build/bench}
mkdir -p "$W"
DB="$W/stats.db"

# median LABEL CMD...: 5 runs, the median wall and CPU seconds
median() {
	label=$1
	shift
	i=0
	: >"$W/times"
	while [ $i -lt 5 ]; do
		/usr/bin/time -f "%e %U %S" -o "$W/t1" "$@" >"$W/out" 2>"$W/err" || { cat "$W/err"; exit 1; }
		awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$W/t1" >>"$W/times"
		i=$((i + 1))
	done
	wall=$(cut -d' ' -f1 "$W/times" | sort -n | sed -n 3p)
	cpu=$(cut -d' ' -f2 "$W/times" | sort -n | sed -n 3p)
	printf '%-62s %6.0f ms wall %6.0f ms cpu\n' "$label" "$(echo "$wall * 1000" | bc)" "$(echo "$cpu * 1000" | bc)"
}
once() {
	label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$W/t1" "$@" >"$W/out" 2>"$W/err" || { cat "$W/err"; exit 1; }
	read -r wall u s kb <"$W/t1"
	printf '%-62s %6.1f s wall %6.1f s cpu %6.0f MB peak\n' "$label" "$wall" "$(echo "$u + $s" | bc)" "$(echo "$kb / 1024" | bc)"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
if [ "${REBUILD:-0}" = 1 ] || [ ! -f "$DB" ] || [ "$(sqlite3 "$DB" 'select count(*) from case_person' 2>/dev/null)" != "$N" ]; then
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm"
	once "demo generate --persons $N" "$CTIP" demo generate --persons "$N" --seed 1 -o "$W/stats.csv"
	once "init" "$CTIP" --db "$DB" init
	once "import" "$CTIP" --db "$DB" import "$W/stats.csv"
	rm -f "$W/stats.csv"
fi
echo "data: $(sqlite3 "$DB" 'select count(*) from cases') cases, $(sqlite3 "$DB" "select count(*) from case_person where role='Victim'") victims in cases, $(sqlite3 "$DB" "select count(*) from case_person where role='Perpetrator'") defendants; database $(du -h "$DB" | cut -f1)"

sqlite3 "$DB" "update stats_state set stale = 1" 2>/dev/null || true
once "first stats: snapshot built and cached" "$CTIP" --db "$DB" stats cases
echo "snapshot: $(sqlite3 "$DB" 'select sum(length(data)) / 1048576 from stats_part') MB cached in the database"
for q in "victims --by gender,age_group,exploitation_type" \
	"victims --by year,gender,origin_province" \
	"victims --by origin_province,destination_country,exploitation_type" \
	"victims --by control_method,recruitment_method,exploitation_type" \
	"victims --by destination_country,citizenship,control_method" \
	"assistance --by assistance_kind,gender,year" \
	"offenders --by stage,gender --year 2023" \
	"cases --by year,org,stage" \
	"offenders --by article,stage,sentence"; do
	# shellcheck disable=SC2086
	median "stats $q" "$CTIP" --db "$DB" stats $q
done
median "report annual --year 2024 (terminal)" "$CTIP" --db "$DB" report annual --year 2024
median "report annual --year 2024 --format html" "$CTIP" --db "$DB" report annual --year 2024 --format html -o "$W/annual.html"
median "report tip --year 2024 --format json" "$CTIP" --db "$DB" report tip --year 2024 --format json

# The same cross-tabulations as one GROUP BY in the sqlite3 shell (interior cells only: SQLite
# has no ROLLUP, the margins would be more queries; age from the recorded age only).
median "sqlite3 GROUP BY victims gender x age group x exploitation type" sqlite3 "$DB" \
	"SELECT p.gender, CASE WHEN v.age_when_trafficked IS NULL THEN 'Unknown' WHEN v.age_when_trafficked < 16 THEN '0-15' WHEN v.age_when_trafficked < 18 THEN '16-17' ELSE '18+' END, j.value, count(DISTINCT cp.person_id) FROM case_person cp JOIN person p ON p.id = cp.person_id LEFT JOIN victim v ON v.case_person_id = cp.id LEFT JOIN json_each(v.exploitation_types) j WHERE cp.role = 'Victim' GROUP BY 1, 2, 3"
median "sqlite3 GROUP BY victims year x gender x origin province" sqlite3 "$DB" \
	"SELECT substr(coalesce(v.status_date, c.opened), 1, 4), p.gender, p.province_2025, count(DISTINCT cp.person_id) FROM case_person cp JOIN person p ON p.id = cp.person_id JOIN cases c ON c.id = cp.case_id LEFT JOIN victim v ON v.case_person_id = cp.id WHERE cp.role = 'Victim' GROUP BY 1, 2, 3"

# After a write to one case: the next query patches the snapshot (the case's rows and those of
# its victims' other cases, beside the saved snapshot), then the queries after it read the
# saved rows and the delta.
# five rounds: edit one victim of another case, time the next query; the median
: >"$W/times"
for r in 1 2 3 4 5; do
	vp=$(sqlite3 "$DB" "select person_id from case_person where role = 'Victim' and case_id >= (select max(id) / 2 + $r * 1000 from cases) limit 1")
	sqlite3 "$DB" "update person set gender = case gender when 'Masculine' then 'Feminine' else 'Masculine' end where id = $vp"
	/usr/bin/time -f "%e %U %S" -o "$W/t1" "$CTIP" --db "$DB" stats victims --by gender,age_group,exploitation_type >"$W/out" 2>"$W/err" || { cat "$W/err"; exit 1; }
	awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$W/t1" >>"$W/times"
done
printf '%-62s %6.0f ms wall %6.0f ms cpu\n' "stats after a one-case edit (patch; median of 5)" \
	"$(cut -d' ' -f1 "$W/times" | sort -n | sed -n 3p | awk '{print $1 * 1000}')" \
	"$(cut -d' ' -f2 "$W/times" | sort -n | sed -n 3p | awk '{print $1 * 1000}')"
echo "delta: $(sqlite3 "$DB" 'select count(*) from stats_delta') cases, $(sqlite3 "$DB" 'select count(*) from stats_delta_key') victim keys"
median "the same query again (saved rows + delta)" "$CTIP" --db "$DB" stats victims --by gender,age_group,exploitation_type
median "victims --by control_method,recruitment_method,exploitation_type (+ delta)" "$CTIP" --db "$DB" stats victims --by control_method,recruitment_method,exploitation_type
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
