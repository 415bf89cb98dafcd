# Accounts and the audit log: who saw which person, and a chain that shows tampering.
# On PostgreSQL the log is the registry database's audit table, append-only even to its owner:
# it is tampered with as the superuser with its triggers off (what only one who owns the server
# can do). What is about SQLite's files alone (the log's own file, its index by person kept by
# ctip, a missing file, schema 5's migration, the registry file's write lock, the password
# absent from the file) is checked on SQLite, and PostgreSQL's counterpart where it has one.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
pid=$(dbq "select id from person where src_record_id='BG-R-1'")
"$CTIP" show "P$pid" >/dev/null
"$CTIP" search dinh thi anh tuyet >/dev/null
"$CTIP" export --format csv --identities clear -o "$T/x.csv" 2>/dev/null
"$CTIP" audit verify >"$T/v" 2>&1
check "a fresh log verifies" test $? -eq 0
check "... and says how many entries" contains "$T/v" "audit log intact"
"$CTIP" audit log --person "P$pid" >"$T/l"
check "the log shows the view of the person" grep -q " view  *P$pid" "$T/l"
check "... and the search that displayed it" grep -q " search_hit  *P$pid" "$T/l"
"$CTIP" audit log >"$T/all"
check "the import is logged" grep -q " import " "$T/all"
check "the export is logged" grep -q " export  *$T/x.csv" "$T/all"
check "what audit log shows names no one" sh -c "! grep -qiE 'tuy|Đinh|dinh' '$T/all'"
if [ -z "$E2E_PGDB" ]; then
	# the log is its own database file next to the registry: DB.audit
	A="$CTIP_DB.audit"
	asql() { sqlite3 "$A" "$1"; }
	check "the log is in its own file next to the database" test "$(asql "select count(*) from audit")" -gt 3
	check "... and no longer in the registry's" test "$(sql "select count(*) from sqlite_master where name = 'audit'")" = "0"
	check "the log names no one: no name of a person in it" \
		test "$(asql "select count(*) from audit where detail like '%Tuy%' or object like '%Tuy%' or detail like '%Đinh%'")" = "0"
	n=$(asql "select count(*) from audit")

	cp "$CTIP_DB" "$T/good.db"
	cp "$A" "$T/good.db.audit"
	restore() { cp "$T/good.db" "$CTIP_DB"; cp "$T/good.db.audit" "$A"; }
	# tamper SQL: a write to the log's file (anyone who can write the file)
	tamper() { asql "$1"; }
else
	# the log is the audit table of the registry's database, which refuses any change
	check "the log is in the registry's database" test "$(psu "select count(*) from audit")" -gt 3
	psu "update audit set detail = 'nothing to see' where id = 3" >"$T/ro" 2>&1
	check "... where no entry may be changed, not even by a superuser" test $? -ne 0
	check "... saying the log is append-only" contains "$T/ro" "the audit log is append-only"
	psu "delete from audit where id = 2" >"$T/ro2" 2>&1
	check "... nor removed" contains "$T/ro2" "the audit log is append-only"
	check "the log names no one: no name of a person in it" \
		test "$(psu "select count(*) from audit where detail like '%Tuy%' or object like '%Tuy%' or detail like '%Đinh%'")" = "0"
	n=$(psu "select count(*) from audit")

	psu "create schema e2e; create table e2e.audit_good as select * from audit"
	# tamper SQL: a write to the log by the superuser with its triggers off (one who owns the
	# server); restore: the log as it was
	tamper() { psu "set session_replication_role = replica; $1"; }
	restore() { tamper "delete from audit; insert into audit select * from e2e.audit_good"; }
fi
tamper "update audit set detail = 'nothing to see' where id = 3"
"$CTIP" audit verify >"$T/v1" 2>&1
check "an altered entry breaks verification" test $? -ne 0
check "... which names it" contains "$T/v1" "entry 3 was altered"

restore
tamper "delete from audit where id = 2"
"$CTIP" audit verify >"$T/v2" 2>&1
check "a removed entry breaks verification" test $? -ne 0
check "... which names where" contains "$T/v2" "entry 3: entries 2 to 2 are missing"

restore
tamper "insert into audit(id, at, actor, action, object, detail, prev_hash, hash) values ($((n + 1)), '2026-01-01T00:00:00Z', 'x', 'view', 'P1', '', 'forged', 'forged')"
"$CTIP" audit verify >"$T/v3" 2>&1
check "an inserted entry breaks verification" test $? -ne 0
check "... which names it" contains "$T/v3" "entry $((n + 1)) does not follow entry $n"

restore
tamper "update audit set hash = 'x' where id = $n"
"$CTIP" audit verify >"$T/v4" 2>&1
check "rewriting the last hash is found too" contains "$T/v4" "entry $n was altered"

# a head recorded elsewhere (`ctip audit head`) also shows entries cut from the end, and a log
# rewritten and re-hashed from some entry on by someone who can write the file
restore
"$CTIP" audit head >"$T/head" 2>&1
check "audit head prints ID:HASH of the last entry" grep -qE "^$n:[0-9a-f]{64}$" "$T/head"
head=$(cat "$T/head")
"$CTIP" audit verify --head "$head" >"$T/h0" 2>&1
check "the log verifies against its head" test $? -eq 0
check "... and says so" contains "$T/h0" "entry $n is the recorded head"
"$CTIP" show "P$pid" >/dev/null
"$CTIP" audit verify --head "$head" >/dev/null 2>&1
check "... and still does after more entries" test $? -eq 0
restore
tamper "delete from audit where id >= $((n - 1))"
"$CTIP" audit verify >/dev/null 2>&1
check "entries cut from the end leave a chain that verifies alone" test $? -eq 0
"$CTIP" audit verify --head "$head" >"$T/h1" 2>&1
check "... but not against the recorded head" test $? -ne 0
check "... which says entries were removed from the end" contains "$T/h1" "the log ends at entry $((n - 2)), but entry $n was recorded as the head"
restore
# rewrite entry 3 and re-hash the chain after it (BLAKE2b-256 of length-prefixed fields)
log_sql="select id, at, actor, action, object, detail, prev_hash from audit order by id"
if [ -z "$E2E_PGDB" ]; then
	sqlite3 -csv -header "$A" "$log_sql" >"$T/log.csv"
else
	psql -X -q --csv -h "$E2E_PGHOST" -d "$E2E_PGDB" -c "$log_sql" >"$T/log.csv"
fi
python3 - "$T/log.csv" >"$T/rehash.sql" <<'PY'
import csv, hashlib, struct, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
q = lambda v: "'" + v.replace("'", "''") + "'"
prev = None
for (i, at, actor, action, obj, detail, ph) in rows:
    i = int(i)
    if i == 3:
        detail = "nothing to see"
    if prev is not None:
        ph = prev
    h = hashlib.blake2b(digest_size=32)
    for f in (ph, str(i), at, actor, action, obj, detail):
        b = (f or "").encode()
        h.update(struct.pack("<Q", len(b)) + b)
    prev = h.hexdigest()
    if i >= 3:  # the entries before the one rewritten stay as they are
        print("update audit set detail = %s, prev_hash = %s, hash = %s where id = %d;" % (q(detail), q(ph), q(prev), i))
PY
tamper "$(cat "$T/rehash.sql")"
"$CTIP" audit verify >/dev/null 2>&1
check "a log rewritten and re-hashed verifies alone" test $? -eq 0
"$CTIP" audit verify --head "$head" >"$T/h2" 2>&1
check "... but not against the recorded head" test $? -ne 0
check "... which names the head" contains "$T/h2" "entry $n is not the one recorded as the head"
"$CTIP" audit verify --head "12:zz" >"$T/h3" 2>&1
check "a malformed head is a usage error" test $? -eq 2
check "... which says what is expected" contains "$T/h3" "expected ID:HASH"

# What follows up to the accounts is about SQLite's files: the log's index by person that ctip
# keeps in the log's file (on PostgreSQL an index of the table, kept by PostgreSQL), the log's
# file gone missing, and the log moved out of a schema-5 registry file.
if [ -z "$E2E_PGDB" ]; then
	# the index by person (kept in arrears) must match the log: a row removed from it would hide
	# a view from `audit log --person`
	restore
	sqlite3 "$A" "insert into audit_by_object select 0, object, id from audit where object = 'P$pid';
		insert into audit_segment values (0); update audit_indexed set last = (select max(id) from audit)"
	"$CTIP" audit log --person "P$pid" >"$T/ix1"
	check "entries indexed by person are found through the index" grep -q " view  *P$pid" "$T/ix1"
	"$CTIP" audit verify >/dev/null 2>&1
	check "... which verify finds incomplete (only one person's entries)" test $? -ne 0
	restore
	# (an entry listing records, search_hit or export_records, is indexed under each of them)
	sqlite3 "$A" "insert into audit_by_object select 0, object, id from audit where action not in
		('search_hit', 'export_records');
		with recursive split(id, rest, obj) as (select id, object || ' ', '' from audit where action in
		('search_hit', 'export_records') union all select id, substr(rest, instr(rest, ' ') + 1),
		substr(rest, 1, instr(rest, ' ') - 1) from split where rest <> '')
		insert into audit_by_object select 0, obj, id from split where obj <> '';
		insert into audit_segment values (0); update audit_indexed set last = (select max(id) from audit)"
	"$CTIP" audit verify >/dev/null 2>&1
	check "a complete index verifies" test $? -eq 0
	sqlite3 "$A" "delete from audit_by_object where object = 'P$pid'"
	"$CTIP" audit log --person "P$pid" >"$T/ix2" 2>&1
	"$CTIP" audit verify >"$T/ix3" 2>&1
	check "a view removed from the index is found by verify" test $? -ne 0
	check "... which says what it hides" contains "$T/ix3" "hidden from \`audit log --person\`"

	# a missing log is an error, never a new empty one
	mv "$A" "$T/away"
	"$CTIP" audit verify >"$T/v5" 2>&1
	check "a missing audit file is an error" test $? -ne 0
	check "... which says so" contains "$T/v5" "the audit log of $CTIP_DB is missing"
	"$CTIP" init >"$T/v6" 2>&1
	check "init does not start a new log in its place" test $? -ne 0
	check "... and creates no file" test ! -e "$A"

	# a database of schema 5 (the log in the registry's file) is migrated by init: every entry
	# moves, ids and hashes unchanged; an interrupted move is finished by running init again
	restore
	to_v5() { # DB: put the log back into the registry's file, as schema 5 had it
		# (without the case's list columns of migration 0022: their triggers and indexes first)
		sqlite3 "$1" "select 'DROP ' || upper(type) || ' ' || name || ';' from sqlite_master where
			(type = 'trigger' and name like 'case_activity%') or (type = 'index' and name like 'cases_org_%')" |
			sqlite3 "$1"
		sqlite3 "$1" "alter table cases drop column activity; alter table cases drop column risk;
			alter table cases drop column assigned;"
		sqlite3 "$1" "attach '$1.audit' as l; $(sed -n '/^CREATE TABLE audit/,$p' lib/sql/0002_accounts_audit.sql)
			insert into main.audit select * from l.audit; pragma user_version = 5;
			drop table link_run; drop table link_person; drop table link_pair; drop table link_decision;"
	}
	cp "$CTIP_DB" "$T/v5.db"
	cp "$CTIP_DB.key" "$T/v5.db.key"
	cp "$A" "$T/v5.db.audit"
	to_v5 "$T/v5.db"
	rm "$T/v5.db.audit"
	sumof() { sqlite3 "$1" "select count(*), max(id), group_concat(hash, '') from audit" | md5sum; }
	before=$(sumof "$T/v5.db")
	CTIP_DB="$T/v5.db" "$CTIP" init >"$T/m5" 2>&1
	check "init migrates a schema-5 database's log" contains "$T/m5" "migrated from version 5 to "
	check "... into its own file, every entry with its id and hash" test "$(sumof "$T/v5.db.audit")" = "$before"
	check "... and drops the registry's table" test "$(sqlite3 "$T/v5.db" "select count(*) from sqlite_master where name = 'audit'")" = "0"
	CTIP_DB="$T/v5.db" "$CTIP" audit verify >"$T/m5v" 2>&1
	check "... and the chain verifies" contains "$T/m5v" "audit log intact: $n entries"
	CTIP_DB="$T/v5.db" "$CTIP" audit log --person "P$pid" >"$T/m5l" 2>&1
	check "... and audit log --person still finds the view" grep -q " view  *P$pid" "$T/m5l"
	# interrupted after part of the copy (the file holds the first entries only)
	to_v5 "$T/v5.db"
	sqlite3 "$T/v5.db.audit" "delete from audit where id > 2"
	CTIP_DB="$T/v5.db" "$CTIP" init >"$T/m6" 2>&1
	check "an interrupted move is finished by init" contains "$T/m6" "migrated from version 5 to "
	check "... with every entry" test "$(sumof "$T/v5.db.audit")" = "$before"
	# another database's log in the way is refused, and nothing is dropped
	to_v5 "$T/v5.db"
	sqlite3 "$T/v5.db.audit" "update audit set hash = 'other' where id = 1"
	CTIP_DB="$T/v5.db" "$CTIP" init >"$T/m7" 2>&1
	check "an audit file with other entries is refused" test $? -ne 0
	check "... saying it is not this database's log" contains "$T/m7" "not this database's audit log"
	check "... and the registry keeps its log" test "$(sumof "$T/v5.db")" = "$before"
fi

# accounts
restore
"$CTIP" org add "NGO Thử Nghiệm B" --type NGO >"$T/o" 2>&1
check "org add registers an organisation" test "$(dbq "select type from organisation where name = 'NGO Thử Nghiệm B'")" = "NGO"
"$CTIP" org add "Something" --type Spaceship >"$T/o2" 2>&1
check "org add refuses an unknown type" test $? -ne 0
echo 'correct horse battery staple' | "$CTIP" user add lan.nguyen --org "NGO Thử Nghiệm B" --role caseworker >"$T/u" 2>&1
check "user add creates an account, password from standard input" test "$(dbq "select role from account where username = 'lan.nguyen'")" = "caseworker"
check "the password is stored as an Argon2id hash" test "$(dbq "select substr(pw_hash, 1, 10) from account where username = 'lan.nguyen'")" = '$argon2id$'
if [ -z "$E2E_PGDB" ]; then
	check "the password itself is nowhere in the database file" sh -c "! grep -aq 'horse battery' '$CTIP_DB' '$CTIP_DB-wal' 2>/dev/null"
else
	check "the password itself is nowhere in the database (pg_dump)" notindb "horse battery"
fi
echo 'short' | "$CTIP" user add bao --org "NGO Thử Nghiệm B" --role caseworker >"$T/u2" 2>&1
check "a short password is refused" contains "$T/u2" "at least 10 characters"
echo 'long enough password' | "$CTIP" user add bao --org "NGO Thử Nghiệm B" --role janitor >"$T/u3" 2>&1
check "an unknown role is refused" contains "$T/u3" "unknown role 'janitor'"
echo 'long enough password' | "$CTIP" user add bao --org "Nowhere" --role analyst >"$T/u4" 2>&1
check "an unknown organisation is refused" contains "$T/u4" "no organisation 'Nowhere'"
echo 'long enough password' | "$CTIP" user add lan.nguyen --org "NGO Thử Nghiệm B" --role analyst >"$T/u5" 2>&1
check "a user name is taken once" contains "$T/u5" "already exists"
"$CTIP" audit verify >/dev/null 2>&1
check "the log still verifies after accounts were added" test $? -eq 0

# an older database is told to migrate
if [ -z "$E2E_PGDB" ]; then
	sqlite3 "$T/good.db" "PRAGMA user_version = 1"
	"$CTIP" --db "$T/good.db" search x >"$T/m" 2>&1
else
	v=$(psu "select max(version) from ctip_schema")
	psu "delete from ctip_schema where version = $v"
	"$CTIP" search x >"$T/m" 2>&1
	psu "insert into ctip_schema(version) values ($v)"
fi
check "a database of an older schema is told to run init" contains "$T/m" "run \`ctip init\` to migrate"

# appending to the log takes the audit file's lock only: a long write to the registry (an
# import holding its write lock) does not hold up the views it audits (on PostgreSQL the log's
# own advisory lock only, not the write lock and the tables' EXCLUSIVE locks an import holds)
if [ -z "$E2E_PGDB" ]; then
	python3 - "$CTIP_DB" "$CTIP" >"$T/lk" 2>&1 <<'PY'
import sqlite3, subprocess, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
t = time.time()
r = subprocess.run([sys.argv[2], "search", "dinh", "thi", "anh", "tuyet"], capture_output=True, timeout=60)
con.execute("ROLLBACK")
print(r.returncode, "fast" if time.time() - t < 5 else "slow")
PY
	check "a search is audited while another process holds the registry's write lock" contains "$T/lk" "0 fast"
else
	PGAPPNAME=ctip_e2e_lock psql -X -q -h "$E2E_PGHOST" -d "$E2E_PGDB" -c "begin;
		select pg_advisory_xact_lock($(printf %d 0x63746977));
		lock table cases, person, case_person in exclusive mode; select pg_sleep(20)" >/dev/null 2>&1 &
	lk=$!
	s0=$(naudit search_hit)
	w=0
	while [ "$(psu "select count(*) from pg_stat_activity where application_name = 'ctip_e2e_lock'
		and wait_event = 'PgSleep'")" != 1 ] && [ $w -lt 100 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	t0=$(date +%s)
	"$CTIP" search dinh thi anh tuyet >/dev/null 2>&1
	r=$?
	[ $(($(date +%s) - t0)) -lt 5 ] && echo "$r fast" >"$T/lk" || echo "$r slow" >"$T/lk"
	psu "select pg_cancel_backend(pid) from pg_stat_activity where application_name = 'ctip_e2e_lock'" >/dev/null
	wait $lk
	check "(an import's locks were held)" test $w -lt 100
	check "a search is audited while another session holds an import's locks" contains "$T/lk" "0 fast"
	check "... and its hits are in the log" test "$(naudit search_hit)" -gt "$s0"
fi

# the index by person is written in chunks of about 1,024 records named, into a segment that
# closes at 8,192 rows: searches that showed 2,000 records leave it indexed, and it verifies
# (SQLite only: the index ctip keeps in the log's file)
if [ -z "$E2E_PGDB" ]; then
	B="$T/big.db"
	"$CTIP" --db "$B" init >/dev/null 2>&1
	"$CTIP" demo generate --persons 3000 --seed 7 -o "$T/big.csv" >/dev/null 2>&1
	"$CTIP" --db "$B" import "$T/big.csv" >/dev/null 2>&1
	for q in nguyen tran le pham hoang vu dang; do "$CTIP" --db "$B" search --limit 400 "$q" >/dev/null 2>&1; done
	bsql() { sqlite3 "$B.audit" "$1"; }
	n=$(bsql "select count(*) from audit where action = 'search_hit'")
	ix=$(bsql "select last from audit_indexed")
	check "a chunk of the log was indexed while searches were audited" test "$n" -gt 1100 -a "$ix" -ge 1024
	check "... not all of it at once" test "$ix" -lt "$(bsql "select max(id) from audit")"
	check "... into one open segment" test "$(bsql "select count(*) from audit_segment")" = "1"
	p=$(bsql "select object from audit where action = 'search_hit' and id <= $ix limit 1 offset 7")
	"$CTIP" --db "$B" audit log --person "$p" >"$T/bp" 2>&1
	check "... where audit log --person finds it" grep -q " search_hit  *$p" "$T/bp"
	"$CTIP" --db "$B" audit verify >"$T/bv" 2>&1
	check "... and the log with its index verifies" test $? -eq 0
fi
