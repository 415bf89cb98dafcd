# The statistics snapshot is patched after a write, not rebuilt: the cases written are recorded
# by triggers and only their rows recomputed. Each count after an edit, an added proceeding, a
# removed record, a person put into a second case and a linkage run equals a full rebuild's.
# PostgreSQL rebuilds the snapshot after a write instead (store_pg_stats.c): there each count
# after the same writes equals a full rebuild's too; how SQLite records and patches stays its.
. tests/e2e/lib.sh
pg() { [ -n "$E2E_PGDB" ]; }
"$CTIP" demo generate --persons 3000 --seed 11 -o "$T/d.csv" 2>/dev/null
"$CTIP" init >/dev/null
"$CTIP" import "$T/d.csv" >/dev/null 2>&1

# every table below, as JSON without the provenance's times
tables() {
	for q in "victims --by gender,age_group" "victims --by exploitation_type,trafficking_status" \
		"victims --by year,origin_province" "victims --by event,citizenship" "cases --by org,stage" "cases --by stage --year 2023" \
		"offenders --by article,stage,sentence" "offenders --by gender,year" \
		"referrals --by referral_reason" "assistance --by assistance_kind,gender"; do
		# shellcheck disable=SC2086
		"$CTIP" stats $q --no-suppress --format json | jq -c '[.rows, .margins, .total]'
	done
}
# same NAME: the tables equal a full rebuild's, and the patch (not a rebuild) made them
same() {
	tables >"$T/patched"
	pg || check "$1: the snapshot was patched, not rebuilt" \
		test "$(sql "select stale from stats_state")/$(sql "select count(*) > 0 from stats_part where unit >= 5")" = "0/1"
	stats_rebuild
	tables >"$T/full"
	check "$1: every count equals a full rebuild's" cmp -s "$T/patched" "$T/full"
	pg || check "... and the rebuild emptied the delta" test "$(sql "select count(*) from stats_part where unit >= 5 or part = -4")" = 0
}
tables >/dev/null
pg || check "the snapshot is saved and current" test "$(sql "select stale || (select count(*) from stats_dirty) from stats_state")" = "00"

# an edit: a victim's sex and age changed
vp=$(dbq "select person_id from case_person where role = 'Victim' order by id limit 1")
before=$("$CTIP" stats victims --by gender --no-suppress --format json | jq '[.rows[] | select(.gender == "Masculine") | .count] | add')
g=$(dbq "select gender from person where id = $vp")
dbq "update person set gender = case when '$g' = 'Masculine' then 'Feminine' else 'Masculine' end, birth_date = '2010-01-01' where id = $vp"
pg || check "an edit records the person's cases" test "$(sql "select count(*) > 0 from stats_dirty")" = 1
pg || check "... and bumps the data version" test "$(sql "select ndirty from stats_state")" -ge 1
after=$("$CTIP" stats victims --by gender --no-suppress --format json | jq '[.rows[] | select(.gender == "Masculine") | .count] | add')
check "the edit changes the count by one" test "$(( after - before ))" = "$([ "$g" = Masculine ] && echo -1 || echo 1)"
same "an edited person"

# a proceeding added: a defendant convicted
cp=$(dbq "select id from case_person where role = 'Perpetrator' order by id desc limit 1")
dbq "insert into proceeding (case_person_id, seq, stage, date, article, sentence_kind, sentence_months)
	values ($cp, 99, 'Convicted', '2023-06-30', 'Art151', 'Imprisonment', 100)"
same "an added proceeding"

# a return recorded for a victim (an event)
cpv=$(dbq "select id from case_person where role = 'Victim' order by id limit 1 offset 3")
dbq "insert into event (case_person_id, seq, type, date, country) values ($cpv, 99, 'ReturnOrRepatriation', '2023-05-05', 'VN')"
same "an added return event"

# a record removed: a victim taken out of a case, and a whole case deleted
dbq "$(pg || echo "pragma foreign_keys = on;") delete from case_person where id = (select id from case_person where role = 'Victim' order by id desc limit 1)"
same "a removed victim"
dbq "$(pg || echo "pragma foreign_keys = on;") delete from cases where id = (select max(id) from cases)"
same "a deleted case"

# a person already in a case put into another: counted once, over both
p2=$(dbq "select person_id from case_person where role = 'Victim' order by id limit 1 offset 7")
c2=$(dbq "select min(id) from cases where id not in (select case_id from case_person where person_id = $p2)")
dbq "insert into case_person (id, case_id, person_id, role) values ((select max(id) + 1 from case_person), $c2, $p2, 'Victim')"
same "a person in a second case"

# several writes in a row: the delta accumulates
dbq "update cases set opened = '2019-02-03' where id = (select min(id) from cases)"
tables >/dev/null
dbq "update person set province_2025 = null where id = $p2"
same "two patches in a row"

# linkage changes who is who: the snapshot is rebuilt (marked stale by the trigger)
"$CTIP" link run >/dev/null 2>&1
if pg; then
	check "a linkage run marks the snapshot stale" test "$(psu "select count(*) > 0 from stats_write")" = t
else
	check "a linkage run marks the snapshot stale" test "$(sql "select stale from stats_state")" = 1
fi
tables >"$T/l1"
stats_rebuild
tables >"$T/l2"
check "... and the rebuilt counts are a full rebuild's" cmp -s "$T/l1" "$T/l2"
# after linkage, an edit to a linked person patches every record of that person
lp=$(dbq "select l1.person_id from link_person l1 join link_person l2 on l2.person_key = l1.person_key and l2.person_id <> l1.person_id join case_person cp on cp.person_id = l1.person_id and cp.role = 'Victim' limit 1")
if [ -n "$lp" ]; then
	dbq "update person set gender = 'Feminine', ethnicity = 'Kinh' where id = $lp"
	same "a linked person edited"
else
	notok "the demo data has a linked victim"
fi

# identities sealed again, the ceiling of recorded writes: SQLite's recording of writes
pg && exit 0
# identities sealed again (a new key) or a closure reason written: not columns statistics read
n0=$(sql "select ndirty from stats_state")
dbq "update person set identity = identity where id in (select person_id from case_person limit 50);
	update cases set closure_sealed = closure_sealed where id < 20"
check "re-sealing identities leaves the snapshot alone" \
	test "$(sql "select ndirty || stale || (select count(*) from stats_dirty) from stats_state")" = "${n0}00"

# many writes: a rebuild, not a patch
dbq "update stats_state set ndirty = 19999"
dbq "update person set ethnicity = ethnicity where id in (select person_id from case_person limit 5)"
check "after 20,000 recorded writes the snapshot is marked stale instead" \
	test "$(sql "select stale from stats_state")" = 1
