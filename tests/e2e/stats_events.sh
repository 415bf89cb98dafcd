# Events count in the year they happened: TIP II.5's repatriations are victims returned in the
# year, by the date of the ReturnOrRepatriation event, not the year they were identified.
# Four victims of cases opened in 2022: one returned in 2024 (and exploited abroad in 2021), one
# returned on an unknown date, one never returned, one returned twice (2022 and 2025).
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
cat >"$T/v.csv" <<'CSV'
src_Organisation,org_Type,src_CaseId,ctip_CaseOpenedDate,src_RecordId,ctip_Role,prs_FirstName,prs_Gender
Police Test Province,Police,EV-1,2022-11-10,EV-V1,Victim,Test A,Feminine
Police Test Province,Police,EV-2,2022-12-01,EV-V2,Victim,Test C,Masculine
Police Test Province,Police,EV-3,2022-12-02,EV-V3,Victim,Test D,Feminine
Police Test Province,Police,EV-4,2022-12-03,EV-V4,Victim,Test E,Feminine
CSV
"$CTIP" import "$T/v.csv" >"$T/imp.log" 2>&1 || cat "$T/imp.log"
check "four victims imported" test "$(dbq "select count(*) from case_person where role = 'Victim'")" = 4
"$CTIP" stats victims --by gender >/dev/null 2>&1 # a snapshot, patched by the events below
cpid() { dbq "select cp.id from case_person cp join cases c on c.id = cp.case_id where c.src_case_id = '$1'"; }
dbq "insert into event (case_person_id, seq, type, date) values ($(cpid EV-1), 1, 'Exploitation', '2021-04-01'), ($(cpid EV-1), 2, 'ReturnOrRepatriation', '2024-03-01'), ($(cpid EV-2), 1, 'ReturnOrRepatriation', NULL), ($(cpid EV-4), 1, 'ReturnOrRepatriation', '2025-01-01'), ($(cpid EV-4), 2, 'ReturnOrRepatriation', '2022-06-01')"

st() { "$CTIP" stats "$@" --no-suppress --format json; }
ret() { st victims --where event=ReturnOrRepatriation "$@"; }
check "2024: the victim returned that year, though identified (case opened) in 2022" \
	test "$(ret --year 2024 | jq .total)" = 1
check "2022: the victim returned on an unknown date (by the case's year) and the one first returned then" \
	test "$(ret --year 2022 | jq .total)" = 2
check "2025: a second return of the same victim does not count again" \
	test "$(ret --year 2025 | jq .total)" = 0
check "2021: an event of another kind that year is not a return" \
	test "$(ret --year 2021 | jq .total)" = 0
ret --year 2022 >"$T/r22.json"
check "the provenance says events are dated" \
	test "$(jq -r '.provenance.event_dates | "\(.counted_by) \(.rows) \(.without_event_date)"' "$T/r22.json")" = "event date 2 1"
check "... and the notes say how many fell back" \
	test "$(jq -r .notes "$T/r22.json" | grep -c '1 of the 2 victim records counted by an event had an event without a date')" = 1
st victims --by year --where event=ReturnOrRepatriation >"$T/y.json"
check "by year: each victim in the year of their first return, no empty years" \
	test "$(jq -c '[.rows[] | "\(.year)=\(.count)"]' "$T/y.json")" = '["2022=2","2023=0","2024=1","Unknown=0"]'
check "without a period, all victims returned" test "$(ret | jq .total)" = 3
check "a table of victims by event in a year: each kind by its own date" \
	test "$(st victims --by event --year 2021 | jq -c '[.rows[] | select(.count > 0) | "\(.event)=\(.count)"]')" = '["Exploitation=1"]'
"$CTIP" report tip --year 2024 --no-suppress --format json >"$T/t.json"
check "TIP II.5 repatriation: the victim returned in 2024" \
	test "$(jq '[.sections[] | select(.title | startswith("II.5 Repatriation")) | .table.total] | unique' "$T/t.json")" = '[
  1
]'
check "... and its notes say events are counted by their date" \
	test "$(jq -r '[.sections[] | select(.title | startswith("II.5 Repatriation"))][0].table.notes' "$T/t.json" | grep -c 'Events count in the year they happened')" = 1
if [ -z "$E2E_PGDB" ]; then
	# (SQLite patches the snapshot after a write; PostgreSQL rebuilds it)
	check "the counts above came from a patched snapshot" \
		test "$(sql "select count(*) > 0 from stats_part where unit >= 5")" = 1
fi
stats_rebuild
check "a rebuilt snapshot counts the same" test "$(ret --year 2022 | jq .total)/$(ret --year 2024 | jq .total)" = 2/1
