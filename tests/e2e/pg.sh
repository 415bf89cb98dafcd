#!/bin/sh
# End-to-end tests of the PostgreSQL back end against the throwaway cluster of
# scripts/pg-cluster.sh (tests/run.sh starts it and sets CTIP_PG_URL; run alone, this script
# starts it and stops it again). Each run works in a database of its own, dropped at the end.
# Prints one SKIP line and passes only when no PostgreSQL can be started here.
. "$(dirname "$0")/lib.sh"

started=""
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>"$T/pg-cluster.log"); then
		echo "SKIP pg: no PostgreSQL cluster could be started: $(tail -n 1 "$T/pg-cluster.log")"
		exit 0
	fi
	started=1
fi
PGHOST_DIR=${CTIP_PG_URL#*host=}
PGDB=ctip_e2e_$$
PG="postgresql:///$PGDB?host=$PGHOST_DIR"
# psql as the superuser the cluster made for us (the tests read what the server stores)
psql_su() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_DIR" "$@"; }
cleanup() {
	psql_su -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" -c "DROP ROLE IF EXISTS ${PGDB}_app" >/dev/null 2>&1
	[ -n "$started" ] && sh scripts/pg-cluster.sh stop >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

check "pg: the throwaway cluster answers" psql_su -d postgres -c "SELECT 1"
check "pg: a database of the test's own" psql_su -d postgres -c "CREATE DATABASE $PGDB"

# pgc ARGS...: ctip on the test's PostgreSQL database, the key file in the scratch directory
K="$T/pg.key"
pgc() { "$CTIP" --db "$PG" --key "$K" "$@"; }
# sq ARGS...: the same commands on a SQLite file, to compare with
sq() { "$CTIP" --db "$T/ref.db" "$@"; }

pgc init >"$T/init" 2>&1
check "pg: init creates the schema and the key" \
	sh -c "grep -q 'schema migrated from version 0 to' '$T/init' && test -s '$K'"
pgc init >"$T/init2" 2>&1
check "pg: init again: the schema is current" contains "$T/init2" "is current"
"$CTIP" --db "$PG" export --format csv >"$T/nokey" 2>&1
rc=$?
check "pg: without --key or CTIP_KEY a clear error (no key file beside a server)" \
	sh -c "test $rc -ne 0 && grep -q 'give the key file with --key' '$T/nokey'"
"$CTIP" --db "postgresql:///ctip_no_such_db_$$?host=$PGHOST_DIR" --key "$K" init >"$T/nodb" 2>&1
rc=$?
check "pg: a database that does not exist: a clear error" \
	sh -c "test $rc -ne 0 && grep -q 'cannot connect to PostgreSQL' '$T/nodb'"
"$CTIP" --db "postgresql://someone:pw-s3cr3t-1@/ctip_no_such_db_$$?host=$PGHOST_DIR&password=pw-s3cr3t-2" \
	--key "$K" init >"$T/pw" 2>&1
check "pg: a password in the URL never appears in a message" \
	sh -c "grep -q 'cannot connect' '$T/pw' && ! grep -q 's3cr3t' '$T/pw'"
CTIP_DB="$PG" CTIP_KEY="$K" "$CTIP" org add "Vietnam Women's Union" --type NGO >"$T/org" 2>&1
check "pg: org add through CTIP_DB and CTIP_KEY" contains "$T/org" "added"
echo 'a-long-test-password-1' | pgc user add pguser --org "Vietnam Women's Union" --role caseworker \
	>"$T/user" 2>&1
check "pg: user add" contains "$T/user" "'pguser' (caseworker"
check "pg: the account is stored with a password hash" \
	test "$(psql_su -d "$PGDB" -tAc "SELECT count(*) FROM account WHERE username = 'pguser' AND pw_hash LIKE '\$argon2id\$%'")" = 1

# the same data into PostgreSQL and into a SQLite file: the exports must agree
"$CTIP" demo generate --persons 700 --seed 11 -o "$T/demo.csv" 2>/dev/null
sq init >/dev/null 2>&1
sq org add "Vietnam Women's Union" --type NGO >/dev/null 2>&1
for f in "$FIX/basic.csv" "$T/demo.csv"; do sq import "$f" >/dev/null 2>&1; done
pgc import "$FIX/basic.csv" >"$T/imp1" 2>&1
check "pg: import of basic.csv" contains "$T/imp1" "imported 4 rows: 2 cases, 4 person records"
pgc import "$T/demo.csv" >"$T/imp2" 2>&1
check "pg: import of 700 synthetic persons (more than a page of export)" test $? -eq 0
pgc import "$FIX/basic.csv" >"$T/imp3" 2>&1
rc=$?
check "pg: importing a file again is refused (its records are already in)" \
	sh -c "test $rc -ne 0 && grep -q 'already in the database' '$T/imp3'"
head -n 3 "$FIX/basic.csv" >"$T/bad.csv"
sed -n 4p "$FIX/basic.csv" | sed 's/,1998,/,1998-13-45,/; s/BG-R-/NEW-R-/; s/CA-R-/NEW-R-/' >>"$T/bad.csv"
sed -i 's/BG-2023-001/NEW-2023-001/g' "$T/bad.csv"
pgc export --format csv --identities clear -o "$T/before.csv" >/dev/null 2>&1
pgc import "$T/bad.csv" >"$T/imp4" 2>&1
rc=$?
pgc export --format csv --identities clear -o "$T/after.csv" >/dev/null 2>&1
check "pg: a file with a bad row is refused whole (one file, one transaction)" \
	sh -c "test $rc -ne 0 && cmp -s '$T/before.csv' '$T/after.csv'"

for fmt in csv json; do
	sq export --format $fmt --identities clear -o "$T/sq.$fmt" >/dev/null 2>&1
	pgc export --format $fmt --identities clear -o "$T/pg.$fmt" >/dev/null 2>&1
	check "pg: $fmt export equals SQLite's on the same data" cmp -s "$T/sq.$fmt" "$T/pg.$fmt"
done
check "pg: the export holds every row (704 and the header)" test "$(lines "$T/pg.csv")" -ge 705
psql_su -d postgres -c "CREATE DATABASE ${PGDB}_b" >/dev/null
PG2="postgresql:///${PGDB}_b?host=$PGHOST_DIR"
"$CTIP" --db "$PG2" --key "$K" init >/dev/null 2>&1
"$CTIP" --db "$PG2" --key "$K" import "$T/pg.csv" >/dev/null 2>&1
"$CTIP" --db "$PG2" --key "$K" export --format csv --identities clear -o "$T/pg2.csv" >/dev/null 2>&1
check "pg: export -> import into an empty database -> export is identical" cmp -s "$T/pg.csv" "$T/pg2.csv"
psql_su -d postgres -c "DROP DATABASE ${PGDB}_b WITH (FORCE)" >/dev/null

pgc search "dinh anh tuyet" >"$T/s1" 2>&1
check "pg: search by name without diacritics finds both records" \
	sh -c "grep -q '^P1 ' '$T/s1' && grep -q 'DINH THI ANH TUYET' '$T/s1'"
pgc search "038198001234" >"$T/s2" 2>&1
check "pg: search by identity-document number" contains "$T/s2" "Đinh Thị Ánh Tuyết"
pgc search "0912 345 678" >"$T/s3" 2>&1
check "pg: search by phone" contains "$T/s3" "Đinh Thị Ánh Tuyết"
sq search "nguyen" >"$T/s4sq" 2>&1
pgc search "nguyen" >"$T/s4pg" 2>&1
check "pg: a common name: the same hits in the same order as SQLite" \
	sh -c "test -s '$T/s4pg' && cmp -s '$T/s4sq' '$T/s4pg'"
pgc search "zzzzqqqq" >"$T/s5" 2>&1
check "pg: no match: nothing shown" lacks "$T/s5" "P1 "
pgc show P1 >"$T/show" 2>&1
check "pg: show a person with the cases it is in" \
	sh -c "grep -q 'Ánh Tuyết' '$T/show' && grep -q 'Case C1' '$T/show'"
sq show P1 >"$T/showsq" 2>&1
check "pg: show prints what SQLite's show prints" cmp -s "$T/show" "$T/showsq"

pgc audit verify >"$T/av" 2>&1
check "pg: audit verify: the chain is intact" contains "$T/av" "audit log intact"
pgc audit log --person P1 >"$T/al" 2>&1
check "pg: audit log --person lists the views and search hits of P1" \
	sh -c "grep -q ' view ' '$T/al' && grep -q 'search_hit' '$T/al'"
psql_su -d "$PGDB" -c "UPDATE audit SET actor = 'x' WHERE id = 2" >"$T/upd" 2>&1
check "pg: the audit log refuses UPDATE, even to a superuser" contains "$T/upd" "append-only"
psql_su -d "$PGDB" -c "DELETE FROM audit WHERE id = 2" >"$T/del" 2>&1
check "pg: the audit log refuses DELETE" contains "$T/del" "append-only"
psql_su -d "$PGDB" -c "TRUNCATE audit" >"$T/tr" 2>&1
check "pg: the audit log refuses TRUNCATE" contains "$T/tr" "append-only"
psql_su -d "$PGDB" -c "SET ROLE ctip_server" -c "DELETE FROM audit WHERE id = 2" >"$T/role" 2>&1
check "pg: the server's role has no DELETE on the audit log" contains "$T/role" "permission denied"
psql_su -d "$PGDB" -c "SET ROLE ctip_server" -c "SELECT count(*) FROM audit" >"$T/role2" 2>&1
check "pg: ... but reads it" test $? -eq 0
psql_su -d "$PGDB" -c "ALTER TABLE audit DISABLE TRIGGER audit_no_change" \
	-c "UPDATE audit SET actor = 'someone else' WHERE id = 2" >/dev/null 2>&1
pgc audit verify >"$T/av2" 2>&1
rc=$?
check "pg: audit verify finds an entry altered behind ctip's back" \
	sh -c "test $rc -ne 0 && grep -qi 'entry 2' '$T/av2'"
psql_su -d "$PGDB" -c "ALTER TABLE audit ENABLE TRIGGER audit_no_change" >/dev/null 2>&1

# what a PostgreSQL superuser reads: no synthetic name, document number or phone
# (bytea columns decoded too: a value stored in clear as bytes would show)
pg_dump -h "$PGHOST_DIR" --data-only "$PGDB" 2>/dev/null | python3 -c '
import re, sys
t = sys.stdin.read()
print(t)
for h in re.findall(r"\\\\x([0-9a-f]+)", t):
    print(bytes.fromhex(h).decode("utf-8", "replace"))
' >"$T/dump.sql"
check "pg: the superuser's dump holds the records" contains "$T/dump.sql" "BG-R-1"
for x in "Tuyết" "Tuyet" "TUYET" "Đinh" "038198001234" "912345678" "0912 345 678" \
	"$(sed -n 2p "$T/demo.csv" | python3 -c "import csv,sys; r=next(csv.DictReader(open(sys.argv[1]))); print(r['prs_FirstName'])" "$T/demo.csv")"; do
	check "pg: no '$x' in what the server stores" lacks "$T/dump.sql" "$x"
done
check "pg: (the fixture does hold them)" contains "$FIX/basic.csv" "038198001234"

openssl rand -hex 32 >"$T/wrong.key"
chmod 600 "$T/wrong.key"
"$CTIP" --db "$PG" --key "$T/wrong.key" export --format csv >"$T/wk" 2>&1
rc=$?
check "pg: a wrong key is refused" \
	sh -c "test $rc -ne 0 && test $rc -lt 128 && grep -q 'wrong key' '$T/wk' && ! grep -q Sanitizer '$T/wk'"

# the company register and the communications tracker are on PostgreSQL too (their own tests
# run there again: tests/e2e/pg_e2e.sh); here, that they answer
pgc company list >"$T/cl" 2>&1
rc=$?
check "pg: ctip company list answers (the register, empty: its header only)" \
	sh -c "test $rc -eq 0 && test \$(wc -l <'$T/cl') -eq 1 && grep -q '^company.name.licence' '$T/cl'"
