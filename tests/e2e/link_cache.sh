# The sealed cache of prepared records: a full run stores it, an incremental run opens it
# instead of every identity and reads only the records added or changed since; it gives the
# same result as reading every record, and it is disposable (one that does not open is
# rebuilt).
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" demo generate --persons 2500 --seed 9 -o "$T/d.csv" --truth "$T/truth.csv" >/dev/null 2>&1
python3 tests/e2e/link_split.py "$T/d.csv" 0.8 "$T/p1.csv" "$T/p2.csv"
python3 tests/e2e/link_split.py "$T/p2.csv" 0.5 "$T/p2a.csv" "$T/p2b.csv"
"$CTIP" import "$T/p1.csv" >/dev/null 2>&1
"$CTIP" link run >/dev/null 2>&1
check "a full run stores the cache" test "$(sql "select count(*) from link_cache")" -ge 1
fam=$(python3 -c "import csv; print(next(r['prs_SecondName'] for r in csv.DictReader(open('$T/p1.csv')) if r['prs_SecondName']))")
check "the cache is sealed (no name in clear)" \
	test "$(sql "select count(*) from link_cache where instr(data, cast('$fam' as blob)) > 0")" = 0

# the same incremental runs with and without the cache
before=$(sql "select count(*) from link_person")
"$CTIP" import "$T/p2a.csv" >/dev/null 2>&1
cp "$CTIP_DB" "$T/nc.db"
cp "$CTIP_DB.key" "$T/nc.db.key"
cp "$CTIP_DB.audit" "$T/nc.db.audit"
sqlite3 "$T/nc.db" "delete from link_cache"
"$CTIP" link run --timing >"$T/r1" 2>&1
n=$(sql "select count(*) from person")
check "the incremental run takes the records linked before from the cache" \
	grep -q "^$before records from the cache" "$T/r1"
CTIP_DB="$T/nc.db" "$CTIP" link run --timing >"$T/r1n" 2>&1
check "without a cache it reads every record" grep -q "^0 records from the cache" "$T/r1n"
check "without a cache the run stores one" test "$(sqlite3 "$T/nc.db" "select count(*) from link_cache")" -ge 1
"$CTIP" link export --format csv --pairs -o "$T/k1.csv" 2>/dev/null
CTIP_DB="$T/nc.db" "$CTIP" link export --format csv --pairs -o "$T/k1n.csv" 2>/dev/null
check "with and without the cache: the same keys and pairs" cmp -s "$T/k1.csv" "$T/k1n.csv"

# a record changed after the cache was made is read again at every later run
id=$(sql "select person_id from link_person group by person_key having count(*) >= 2 limit 1")
for db in "$CTIP_DB" "$T/nc.db"; do
	sqlite3 "$db" "update person set birth_date = '1903-03-03' where id = $id"
done
check "a change to a period of exploitation marks its record changed" sh -c "
	sqlite3 '$CTIP_DB' \"update exploitation set start_date = '1999-01-01' where case_person_id =
	(select id from case_person where person_id = (select max(person_id) from link_person) limit 1)\";
	test \"\$(sqlite3 '$CTIP_DB' 'select count(*) from link_changed')\" = 2"
sqlite3 "$T/nc.db" "update exploitation set start_date = '1999-01-01' where case_person_id =
	(select id from case_person where person_id = (select max(person_id) from link_person) limit 1)"
"$CTIP" link run >/dev/null 2>&1
check "the changed records are listed as read again by later runs" \
	test "$(sql "select count(*) from link_cache_extra")" = 2
CTIP_DB="$T/nc.db" "$CTIP" link run >/dev/null 2>&1
"$CTIP" import "$T/p2b.csv" >/dev/null 2>&1
CTIP_DB="$T/nc.db" "$CTIP" import "$T/p2b.csv" >/dev/null 2>&1
"$CTIP" link run --timing >"$T/r2" 2>&1
check "the cache is still used" grep -q "[1-9][0-9]* records from the cache" "$T/r2"
sqlite3 "$T/nc.db" "delete from link_cache"
CTIP_DB="$T/nc.db" "$CTIP" link run >/dev/null 2>&1
"$CTIP" link export --format csv --pairs -o "$T/k2.csv" 2>/dev/null
CTIP_DB="$T/nc.db" "$CTIP" link export --format csv --pairs -o "$T/k2n.csv" 2>/dev/null
check "after changes and more records: the same keys and pairs as without the cache" \
	cmp -s "$T/k2.csv" "$T/k2n.csv"

# disposable: a cache that does not open is read around and rebuilt
sql "update link_cache set data = randomblob(length(data))"
"$CTIP" import "$T/p2b.csv" >/dev/null 2>&1
"$CTIP" link run --timing >"$T/r3" 2>&1
check "a damaged cache: the run reads every record and succeeds" grep -q "^0 records from the cache" "$T/r3"
"$CTIP" link run --timing >"$T/r4" 2>&1
check "... and the next run uses the rebuilt cache" grep -q "^$n[0-9]* records from the cache\|^[1-9][0-9]* records from the cache" "$T/r4"
check "a full run empties the list of records read again" sh -c "
	'$CTIP' link run --full >/dev/null 2>&1 && test \"\$(sqlite3 '$CTIP_DB' 'select count(*) from link_cache_extra')\" = 0"
# a full run writes only the person keys that change: the same result leaves them (and the
# statistics built on them) as they were
"$CTIP" stats victims >/dev/null 2>&1
check "(the statistics are built)" test "$(sql "select stale from stats_state where id = 1")" = 0
v1=$(sql "select version from stats_state where id = 1")
k1=$(sql "select count(*), group_concat(person_key) from (select person_key from link_person order by person_id)" | md5sum)
"$CTIP" link run --full >/dev/null 2>&1
v2=$(sql "select version from stats_state where id = 1")
k2=$(sql "select count(*), group_concat(person_key) from (select person_key from link_person order by person_id)" | md5sum)
check "a full run with the same result keeps every key" test "$k1" = "$k2"
check "... and does not make the statistics stale (version $v1 = $v2)" test -n "$v1" -a "$v1" = "$v2"
# the run sets the statistics triggers of link_person aside while it writes the keys: they are
# back afterwards, and a run that writes a key marks the statistics stale once
check "the statistics triggers of link_person are back after the runs" \
	test "$(sql "select count(*) from sqlite_master where type = 'trigger' and tbl_name = 'link_person'")" = 3
sql "delete from link_person where person_id = (select min(person_id) from link_person)"
check "... and fire: a key removed makes the statistics stale" test "$(sql "select stale from stats_state where id = 1")" = 1
"$CTIP" stats victims >/dev/null 2>&1
"$CTIP" link run >/dev/null 2>&1
check "a run that writes a key makes the statistics stale" test "$(sql "select stale from stats_state where id = 1")" = 1
