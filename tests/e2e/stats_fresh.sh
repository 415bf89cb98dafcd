# The statistics snapshot sees every write of a column it reads, on both back ends: the
# triggers are made from one declaration (lib/stats/freshness.h) by `ctip init`, which makes
# them again when one is missing. Each write below sets only the one column (as a targeted
# write path would): the figures after it must equal a full rebuild's. The victim's recruiting
# company and an event's date were read by statistics but watched by no trigger before.
. tests/e2e/lib.sh
"$CTIP" demo generate --persons 1500 --seed 21 -o "$T/d.csv" 2>/dev/null
"$CTIP" init >/dev/null
"$CTIP" import "$T/d.csv" >/dev/null 2>&1

# w SQL: a write to the registry's tables, as its owner (no ctip in between)
w() {
	if [ -n "$E2E_PGDB" ]; then
		psql -X -q -v ON_ERROR_STOP=1 -h "$E2E_PGHOST" -d "$E2E_PGDB" -c "$1" >/dev/null
	else
		sqlite3 "$CTIP_DB" "$1"
	fi
}
# forget: the snapshot rebuilt from the tables at the next query
forget() {
	if [ -n "$E2E_PGDB" ]; then w "INSERT INTO stats_write (xact) VALUES (-1) ON CONFLICT DO NOTHING"; else w "UPDATE stats_state SET stale = 1"; fi
}
tables() {
	for q in "victims --by company" "victims --by event --year 2023" "victims --by event --year 2019" \
		"victims --by trafficking_status" "offenders --by stage"; do
		# shellcheck disable=SC2086
		"$CTIP" stats $q --no-suppress --format json >"$T/j" 2>"$T/j.err" || echo "ERR $q: $(cat "$T/j.err")"
		jq -c '[.rows, .total]' "$T/j"
	done
}
# fresh NAME: the figures now equal a full rebuild's
fresh() {
	tables >"$T/after"
	forget
	tables >"$T/full"
	check "$1: the figures after it equal a full rebuild's" cmp -s "$T/after" "$T/full"
}
tables >"$T/before"
check "the tables are made" sh -c "! grep -q '^ERR' '$T/before' && test \$(wc -l <'$T/before') -eq 5"

# a victim's recruiting company set (only that column)
w "UPDATE victim SET recruiter_org_id = (SELECT min(id) FROM organisation) WHERE case_person_id IN (SELECT case_person_id FROM victim WHERE recruiter_org_id IS NULL ORDER BY case_person_id LIMIT 40)"
tables >"$T/after"
check "the write changes the figures by company" sh -c "! cmp -s '$T/before' '$T/after'"
fresh "a victim's recruiting company"

# an event's date moved to another year (only that column)
w "UPDATE event SET date = '2019-03-03' WHERE case_person_id IN (SELECT case_person_id FROM event WHERE date LIKE '2023%' ORDER BY case_person_id LIMIT 30) AND date LIKE '2023%'"
fresh "an event's date"

# a column statistics do not read leaves the snapshot current (no rebuild, same version)
v0=$("$CTIP" stats victims --by gender --no-suppress --format json | jq -r '.provenance.data_version // empty')
w "UPDATE case_person SET consent_date = '2024-01-01' WHERE id IN (SELECT id FROM case_person ORDER BY id LIMIT 10)"
v1=$("$CTIP" stats victims --by gender --no-suppress --format json | jq -r '.provenance.data_version // empty')
check "a write of a column statistics do not read keeps the snapshot's data version" test -n "$v0" -a "$v0" = "$v1"

# a trigger dropped by hand: init makes it again (the snapshot is then rebuilt once, and
# patched again after the next write)
if [ -n "$E2E_PGDB" ]; then w "DROP TRIGGER stats_written_update ON victim"; else w "DROP TRIGGER stats_stale_victim_U"; fi
"$CTIP" init >/dev/null 2>&1
tables >/dev/null
w "UPDATE victim SET status = 'NotAVictimOfTrafficking' WHERE case_person_id IN (SELECT case_person_id FROM victim WHERE status = 'ActualVictimOfTrafficking' ORDER BY case_person_id LIMIT 60)"
fresh "after init made a dropped trigger again, a victim's status"
