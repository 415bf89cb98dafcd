# The sealed cache of prepared records: a full run stores it, an incremental run opens it
# instead of every identity and reads only the records added or changed since; it gives the
# same result as reading every record, and it is disposable (one that does not open is
# rebuilt).
. tests/e2e/lib.sh
# stale: 1 when the statistics' snapshot is to be rebuilt before it is read (SQLite: marked
# stale; PostgreSQL: not built, or a write recorded in stats_write since), else 0
stale() {
	if [ -z "$E2E_PGDB" ]; then
		sql "select stale from stats_state where id = 1"
	else
		psu "select case when built and not exists (select 1 from stats_write) then 0 else 1 end
			from stats_state where id = 1"
	fi
}
"$CTIP" init >/dev/null
"$CTIP" demo generate --persons 2500 --seed 9 -o "$T/d.csv" --truth "$T/truth.csv" >/dev/null 2>&1
python3 tests/e2e/link_split.py "$T/d.csv" 0.8 "$T/p1.csv" "$T/p2.csv"
python3 tests/e2e/link_split.py "$T/p2.csv" 0.5 "$T/p2a.csv" "$T/p2b.csv"
"$CTIP" import "$T/p1.csv" >/dev/null 2>&1
"$CTIP" link run >/dev/null 2>&1
check "a full run stores the cache" test "$(dbq "select count(*) from link_cache")" -ge 1
fam=$(python3 -c "import csv; print(next(r['prs_SecondName'] for r in csv.DictReader(open('$T/p1.csv')) if r['prs_SecondName']))")
if [ -z "$E2E_PGDB" ]; then
	check "the cache is sealed (no name in clear)" \
		test "$(sql "select count(*) from link_cache where instr(data, cast('$fam' as blob)) > 0")" = 0
else
	check "the cache is sealed (no name in clear)" \
		test "$(psu "select count(*) from link_cache where position(convert_to('$fam', 'UTF8') in data) > 0")" = 0
fi

# the same incremental runs with and without the cache
before=$(dbq "select count(*) from link_person")
"$CTIP" import "$T/p2a.csv" >/dev/null 2>&1
nc=$(dbcopy nc)
dbin "$nc" "delete from link_cache"
"$CTIP" link run --timing >"$T/r1" 2>&1
n=$(dbq "select count(*) from person")
check "the incremental run takes the records linked before from the cache" \
	grep -q "^$before records from the cache" "$T/r1"
CTIP_DB="$nc" "$CTIP" link run --timing >"$T/r1n" 2>&1
check "without a cache it reads every record" grep -q "^0 records from the cache" "$T/r1n"
check "without a cache the run stores one" test "$(dbin "$nc" "select count(*) from link_cache")" -ge 1
"$CTIP" link export --format csv --pairs -o "$T/k1.csv" 2>/dev/null
CTIP_DB="$nc" "$CTIP" link export --format csv --pairs -o "$T/k1n.csv" 2>/dev/null
check "with and without the cache: the same keys and pairs" cmp -s "$T/k1.csv" "$T/k1n.csv"

# a record changed after the cache was made is read again at every later run
id=$(dbq "select min(person_id) from link_person group by person_key having count(*) >= 2 limit 1")
for db in "$CTIP_DB" "$nc"; do
	dbin "$db" "update person set birth_date = '1903-03-03' where id = $id"
done
dbq "update exploitation set start_date = '1999-01-01' where case_person_id =
	(select id from case_person where person_id = (select max(person_id) from link_person) limit 1)"
check "a change to a period of exploitation marks its record changed" \
	test "$(dbq "select count(*) from link_changed")" = 2
dbin "$nc" "update exploitation set start_date = '1999-01-01' where case_person_id =
	(select id from case_person where person_id = (select max(person_id) from link_person) limit 1)"
"$CTIP" link run >/dev/null 2>&1
check "the changed records are listed as read again by later runs" \
	test "$(dbq "select count(*) from link_cache_extra")" = 2
CTIP_DB="$nc" "$CTIP" link run >/dev/null 2>&1
"$CTIP" import "$T/p2b.csv" >/dev/null 2>&1
CTIP_DB="$nc" "$CTIP" import "$T/p2b.csv" >/dev/null 2>&1
"$CTIP" link run --timing >"$T/r2" 2>&1
check "the cache is still used" grep -q "[1-9][0-9]* records from the cache" "$T/r2"
dbin "$nc" "delete from link_cache"
CTIP_DB="$nc" "$CTIP" link run >/dev/null 2>&1
"$CTIP" link export --format csv --pairs -o "$T/k2.csv" 2>/dev/null
CTIP_DB="$nc" "$CTIP" link export --format csv --pairs -o "$T/k2n.csv" 2>/dev/null
check "after changes and more records: the same keys and pairs as without the cache" \
	cmp -s "$T/k2.csv" "$T/k2n.csv"

# disposable: a cache that does not open is read around and rebuilt
if [ -z "$E2E_PGDB" ]; then
	sql "update link_cache set data = randomblob(length(data))"
else
	psu "update link_cache set data = decode(md5(random()::text || seq), 'hex') || substr(data, 17)"
fi
"$CTIP" import "$T/p2b.csv" >/dev/null 2>&1
"$CTIP" link run --timing >"$T/r3" 2>&1
check "a damaged cache: the run reads every record and succeeds" grep -q "^0 records from the cache" "$T/r3"
"$CTIP" link run --timing >"$T/r4" 2>&1
check "... and the next run uses the rebuilt cache" grep -q "^$n[0-9]* records from the cache\|^[1-9][0-9]* records from the cache" "$T/r4"
"$CTIP" link run --full >/dev/null 2>&1
check "a full run empties the list of records read again" test $? -eq 0 -a "$(dbq "select count(*) from link_cache_extra")" = 0
# a full run writes only the person keys that change: the same result leaves them (and the
# statistics built on them) as they were
"$CTIP" stats victims >/dev/null 2>&1
check "(the statistics are built)" test "$(stale)" = 0
v1=$(dbq "select version from stats_state where id = 1")
k1=$(dbq "select person_id, person_key from link_person order by person_id" | md5sum)
"$CTIP" link run --full >/dev/null 2>&1
v2=$(dbq "select version from stats_state where id = 1")
k2=$(dbq "select person_id, person_key from link_person order by person_id" | md5sum)
check "a full run with the same result keeps every key" test "$k1" = "$k2"
check "... and does not make the statistics stale (version $v1 = $v2)" test -n "$v1" -a "$v1" = "$v2"
# the run sets the statistics triggers of link_person aside while it writes the keys: they are
# back afterwards, and a run that writes a key marks the statistics stale once
if [ -z "$E2E_PGDB" ]; then
	check "the statistics triggers of link_person are back after the runs" \
		test "$(sql "select count(*) from sqlite_master where type = 'trigger' and tbl_name = 'link_person'")" = 3
else
	# insert or delete, update, truncate (store_pg_fresh.c)
	check "the statistics triggers of link_person are there after the runs" test "$(psu "select count(*)
		from pg_trigger where tgrelid = 'link_person'::regclass and not tgisinternal and tgenabled = 'O'")" = 3
fi
dbq "delete from link_person where person_id = (select min(person_id) from link_person)"
check "... and fire: a key removed makes the statistics stale" test "$(stale)" = 1
"$CTIP" stats victims >/dev/null 2>&1
"$CTIP" link run >/dev/null 2>&1
check "a run that writes a key makes the statistics stale" test "$(stale)" = 1
