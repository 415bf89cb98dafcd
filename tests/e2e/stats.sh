# ctip stats: counts that match the records, unknown rows, margins, suppression on by default,
# JSON shape, the snapshot cache and its invalidation, errors.
. tests/e2e/lib.sh
"$CTIP" demo generate --persons 3000 --seed 5 -o "$T/d.csv" 2>/dev/null
"$CTIP" init >/dev/null
"$CTIP" import "$T/d.csv" >/dev/null 2>&1

# the records, read back by ctip export, counted here: vics FILTER is the number of distinct
# victim person records (organisation and record id) whose case entry passes the jq FILTER
"$CTIP" export --format json --identities clear -o "$T/x.json" 2>/dev/null
vics() { jq "[.cases[] | .src_Organisation as \$o | .persons[] | select(.ctip_Role == \"Victim\" and ($1)) | [\$o, .src_RecordId]] | unique | length" "$T/x.json"; }
victims=$(vics true)
"$CTIP" stats victims --by gender --no-suppress --format csv >"$T/g.csv" 2>&1
check "victims: the total is the number of distinct victim person records" \
	contains "$T/g.csv" "Total,$victims"
check "unknown gender is its own row" grep -q '^Unknown,' "$T/g.csv"
fem=$(vics '.prs_Gender == "Feminine"')
check "the Feminine row equals a GROUP BY on the database" contains "$T/g.csv" "Feminine,$fem"
check "provenance is stated" grep -q '^# computed .* by ctip .* from [0-9]* records' "$T/g.csv"
check "raw counts say they are not for release" contains "$T/g.csv" "not for release"

cases=$(jq '.cases | length' "$T/x.json")
"$CTIP" stats cases --by year,org_type --format json >"$T/c.json" 2>&1
check "cases: JSON total is the number of cases" \
	test "$(jq '.total' "$T/c.json")" = "$cases"
check "JSON rows carry the dimension names and count" \
	test "$(jq '[.rows[] | has("year") and has("org_type") and has("count")] | all' "$T/c.json")" = "true"
check "JSON provenance: computed_at, filters, records, ctip_version" \
	test "$(jq '.provenance | has("computed_at") and has("filters") and has("records") and has("ctip_version")' "$T/c.json")" = "true"
y2023=$(jq '[.cases[] | select(.ctip_CaseOpenedDate // "" | startswith("2023"))] | length' "$T/x.json")
"$CTIP" stats cases --by org_type --year 2023 --no-suppress --format json >"$T/c23.json"
check "--year keeps the cases opened that year" test "$(jq '.total' "$T/c23.json")" = "$y2023"
check "... and says so in the provenance" test "$(jq -r '.provenance.filters.from' "$T/c23.json")" = "2023"

# suppression on by default, the terminal included
"$CTIP" stats victims --by origin_province,gender >"$T/s.txt" 2>&1
check "terminal table withholds small cells (x)" grep -q ' x' "$T/s.txt"
check "... and says why" contains "$T/s.txt" "withheld"
"$CTIP" stats victims --by origin_province,gender --format json >"$T/s.json"
check "JSON: a withheld count is null" test "$(jq '[.rows[] | select(.count == null)] | length > 0' "$T/s.json")" = "true"
check "JSON: no published cell under 5 other than 0" \
	test "$(jq '[.rows[], .margins[] | select(.count != null and .count > 0 and .count < 5)] | length' "$T/s.json")" = "0"
"$CTIP" stats victims --by origin_province,gender --threshold 20 --format json >"$T/s20.json"
check "--threshold raises the bar" \
	test "$(jq '[.rows[] | select(.count != null and .count > 0 and .count < 20)] | length' "$T/s20.json")" = "0"

# multi-valued dimensions: stated, margin is distinct victims
"$CTIP" stats victims --by exploitation_type --no-suppress --format json >"$T/m.json"
sum=$(jq '[.rows[].count] | add' "$T/m.json")
check "multi-valued: the cells add up to more than the distinct total" test "$sum" -gt "$(jq .total "$T/m.json")"
check "... and the output says so" test "$(jq -r .notes "$T/m.json" | grep -c 'multi-valued')" = "1"
check "--where on a multi-valued dimension" \
	test "$("$CTIP" stats victims --where exploitation_type=ForcedLabour --no-suppress --format json | jq .total)" = \
	"$(vics '(.vic_TypeOfExploitation // []) | index("ForcedLabour") != null')"

# trafficking events: victims with a return or repatriation recorded (TIP II.5)
check "--where event=ReturnOrRepatriation counts the victims with such an event" \
	test "$("$CTIP" stats victims --where event=ReturnOrRepatriation --no-suppress --format json | jq .total)" = \
	"$(vics '[.events // [] | .[] | select(.hte_Type == "ReturnOrRepatriation")] | length > 0')"
"$CTIP" report tip --year 2024 --format json --no-suppress >"$T/tip.json"
check "the TIP report's repatriation tables count returned victims" \
	test "$(jq '[.sections[] | select(.title | startswith("II.5 Repatriation")) | .table.total] | unique | length' "$T/tip.json")" = 1
check "... and the hotline's referrals are a table" \
	test "$(jq '[.sections[] | select(.title | startswith("II.4 Hotline: referrals"))] | length' "$T/tip.json")" = 1

# the snapshot: cached, and rebuilt after a write
# (SQLite's cache tables, stats_state and stats_dirty; the data version on both by provenance)
[ -z "$E2E_PGDB" ] && check "the snapshot is cached in the database" test "$(sql "select stale from stats_state")" = "0"
v1=$(jq .provenance.data_version "$T/c.json")
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
[ -z "$E2E_PGDB" ] && check "a small import records its cases for a patch, the snapshot not stale" \
	test "$(sql "select stale, count(*) > 0 from stats_state, stats_dirty")" = "0|1"
"$CTIP" stats cases --no-suppress --format json >"$T/c2.json"
check "the next stats sees the new cases" test "$(jq .total "$T/c2.json")" = "$(ncases)"
check "... from a new data version" test "$(jq .provenance.data_version "$T/c2.json")" -gt "$v1"

# age bands
"$CTIP" stats victims --by age_group --age-bands 0-17,18- --no-suppress --format csv >"$T/a.csv"
check "--age-bands makes the bands" grep -q '^0-17,' "$T/a.csv"
check "... with unknown ages apart" grep -q '^Unknown,' "$T/a.csv"

# output to a file, and errors
"$CTIP" stats offenders --by article,stage -o "$T/o.txt"
check "-o writes the file" contains "$T/o.txt" "Art150"
"$CTIP" stats cases --by gender >"$T/e1" 2>&1
check "a dimension the count does not have is refused" test $? -eq 2
check "... with a reason" contains "$T/e1" "cannot be broken down by gender"
"$CTIP" stats people --by gender >/dev/null 2>&1
check "an unknown count is refused" test $? -eq 2
"$CTIP" stats victims --by colour >"$T/e2" 2>&1
check "an unknown dimension is refused, listing the dimensions" contains "$T/e2" "destination_country"
"$CTIP" stats victims --age-bands 0-10,12- >/dev/null 2>&1
check "bands with a gap are refused" test $? -eq 2
"$CTIP" stats victims --no-suppress >/dev/null 2>&1
check "raw counts are audited" test "$("$CTIP" audit log | awk '$4 == "stats-raw"' | wc -l)" -ge 1

# SQLite's migrations of its own files from here on
[ -n "$E2E_PGDB" ] && exit 0

# migration 0008: the statistics tables and their triggers come with `ctip init`
"$CTIP" --db "$T/m8.db" init >/dev/null 2>&1
check "init creates the statistics cache, stale until first use" \
	test "$(sqlite3 "$T/m8.db" "select stale from stats_state")" = "1"
check "... with three triggers per table statistics read" \
	test "$(sqlite3 "$T/m8.db" "select count(*) from sqlite_master where type='trigger' and name like 'stats_stale_%'")" = "33"
check "... and the ledger of figures" \
	test "$(sqlite3 "$T/m8.db" "select count(*) from figure")" = "0"
# a database of version 7, whose statistics tables were made on first use (one trigger short,
# a figure recorded): init migrates it, keeping the figure and dropping the cached snapshot
sqlite3 "$T/m8.db" "drop trigger stats_stale_link_person_D; delete from stats_part;
	insert into stats_part values (0, -1, x'00');
	update stats_state set stale = 0, version = 41;
	insert into figure (source, citation, published, measure, period, breakdown, value, note)
	values ('S', 'p. 1', '2024', 'victims', '2023', '', 7, '');
	pragma user_version = 7"
"$CTIP" --db "$T/m8.db" stats cases >"$T/m8.err" 2>&1
check "a database of version 7 is told to run init" contains "$T/m8.err" "run \`ctip init\`"
"$CTIP" --db "$T/m8.db" init >/dev/null 2>&1
check "init migrates it to version 8 or later" test "$(sqlite3 "$T/m8.db" "pragma user_version")" -ge 8
check "... the figures kept" test "$(sqlite3 "$T/m8.db" "select count(*) from figure")" = "1"
check "... the old snapshot dropped" test "$(sqlite3 "$T/m8.db" "select (select count(*) from stats_part) || (select stale from stats_state)")" = "01"
check "... every trigger back" \
	test "$(sqlite3 "$T/m8.db" "select count(*) from sqlite_master where type='trigger' and name like 'stats_stale_%'")" = "33"
"$CTIP" --db "$T/m8.db" stats cases --no-suppress >"$T/m8.out" 2>&1
check "statistics work after the migration" test $? -eq 0
