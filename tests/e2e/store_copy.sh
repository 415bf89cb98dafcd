#!/bin/sh
# ctip store copy --to URL (issue 11, item 5): a SQLite registry moved to an empty PostgreSQL
# database with its ids, sealed values and audit log; the same records, the same search, the
# same statistics there, the audit chain intact with the move recorded on both sides; never
# over a registry, never with the wrong key, never half-written. On tests/run.sh's cluster
# (CTIP_PG_URL); run alone, this script starts the cluster and stops it again.
. "$(dirname "$0")/lib.sh"

started=""
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>"$T/pg-cluster.log"); then
		echo "SKIP store_copy: no PostgreSQL cluster could be started: $(tail -n 1 "$T/pg-cluster.log")"
		exit 0
	fi
	started=1
fi
PGHOST_DIR=${CTIP_PG_URL#*host=}
PGDB=ctip_copy_$$
PG="postgresql:///$PGDB?host=$PGHOST_DIR"
PG2="postgresql:///${PGDB}_b?host=$PGHOST_DIR"
psql_su() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PGHOST_DIR" "$@"; }
cleanup() {
	psql_su -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" \
		-c "DROP DATABASE IF EXISTS ${PGDB}_b WITH (FORCE)" -c "DROP ROLE IF EXISTS ${PGDB}_app" \
		-c "DROP ROLE IF EXISTS ${PGDB}_b_app" >/dev/null 2>&1
	[ -n "$started" ] && sh scripts/pg-cluster.sh stop >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# the source: a SQLite registry with records, linkage and a few audited reads
S="$T/src.db"
sq() { "$CTIP" --db "$S" "$@"; }
pgc() { "$CTIP" --db "$PG" --key "$S.key" "$@"; }
sq init >/dev/null 2>&1
sq import tests/fixtures/basic.csv >/dev/null 2>&1
sq link run >/dev/null 2>&1
sq search "dinh anh tuyet" >"$T/sq.search" 2>&1
sq show 1 >/dev/null 2>&1
check "store copy: the source registry is ready" test -s "$T/sq.search"

psql_su -d postgres -c "CREATE DATABASE $PGDB" -c "CREATE DATABASE ${PGDB}_b" >/dev/null
"$CTIP" --db "$PG" --key "$S.key" init >/dev/null 2>&1
sq --key "$S.key" store copy --to "$PG" >"$T/into-reg" 2>&1
rc=$?
check "store copy: never into a database that holds a registry (exit $rc, says so)" \
	sh -c "test $rc -ne 0 && grep -q 'not empty' '$T/into-reg'"
psql_su -d postgres -c "DROP DATABASE $PGDB WITH (FORCE)" -c "CREATE DATABASE $PGDB" >/dev/null

openssl rand -hex 32 >"$T/wrong.key"
chmod 600 "$T/wrong.key"
sq --key "$T/wrong.key" store copy --to "$PG2" >"$T/wrongkey" 2>&1
rc=$?
check "store copy: a wrong key is refused (exit $rc), the target left empty" \
	sh -c "test $rc -ne 0 && test $rc -lt 128 && grep -q 'does not open' '$T/wrongkey' && \
		test \"\$(psql -X -At -h '$PGHOST_DIR' -d ${PGDB}_b -c \"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'\")\" = 0"

sq --key "$S.key" store copy --to "$PG" >"$T/copy" 2>&1
rc=$?
check "store copy: SQLite to PostgreSQL (exit $rc)" \
	sh -c "test $rc -eq 0 && grep -q 'every table counted on both sides; audit log intact' '$T/copy'"
sq export --format csv 2>/dev/null | sed 's/,R[0-9a-f]\{16\},/,R,/' | sort >"$T/sq.csv"
pgc export --format csv 2>/dev/null | sed 's/,R[0-9a-f]\{16\},/,R,/' | sort >"$T/pg.csv"
check "store copy: the same records on the target (export, row for row)" \
	sh -c "test -s '$T/pg.csv' && cmp -s '$T/sq.csv' '$T/pg.csv'"
pgc search "dinh anh tuyet" >"$T/pg.search" 2>&1
check "store copy: the name index made again on the target finds the same persons" \
	sh -c "grep -c '^P' '$T/sq.search' >'$T/a'; grep -c '^P' '$T/pg.search' >'$T/b'; cmp -s '$T/a' '$T/b' && test \"\$(cat '$T/a')\" -ge 2"
check "store copy: ... each name with its count of global tokens (the index of referred names, 0037)" \
	test "$(psql_su -d "$PGDB" -c 'SELECT count(*) > 0 AND count(n_global) = count(*) FROM person_name')" = t
pgc show 1 >"$T/pg.show" 2>&1
check "store copy: the sealed identity opens with the same key" contains "$T/pg.show" "Ánh Tuyết"
pgc audit verify >"$T/verify" 2>&1
check "store copy: the audit chain verifies on the target" contains "$T/verify" "audit log intact"
pgc audit log >"$T/pglog" 2>&1
sq audit log >"$T/sqlog" 2>&1
check "store copy: the source's reads are in the target's log (view P1)" \
	sh -c "grep -q ' view ' '$T/pglog' && grep -q 'store-copy' '$T/pglog'"
check "store copy: ... and the move is in the source's log too" contains "$T/sqlog" "store-copy"
pgc stats victims --by gender >"$T/pg.stats" 2>&1
sq stats victims --by gender >"$T/sq.stats" 2>&1
check "store copy: the same statistics from the target" \
	sh -c "head -n 5 '$T/pg.stats' >'$T/a'; head -n 5 '$T/sq.stats' >'$T/b'; cmp -s '$T/a' '$T/b'"
pg_dump -h "$PGHOST_DIR" --data-only "$PGDB" >"$T/dump" 2>/dev/null
check "store copy: no name or document number in clear on the target (superuser's dump)" \
	sh -c "test -s '$T/dump' && ! grep -q 'Tuyết' '$T/dump' && ! grep -q 'TUYET' '$T/dump'"
pgc link run >"$T/relink" 2>&1
check "store copy: linkage runs on the target into the same persons" contains "$T/relink" "into 3 persons"

sq --key "$S.key" store copy --to "$PG" >"$T/again" 2>&1
rc=$?
check "store copy: a second copy into the filled target is refused (exit $rc)" \
	sh -c "test $rc -ne 0 && grep -q 'not empty' '$T/again'"
# ... and back: PostgreSQL to a new SQLite file (the registry taken off the server)
B="$T/back.db"
bk() { "$CTIP" --db "$B" --key "$S.key" "$@"; }
"$CTIP" --db "$PG" --key "$T/wrong.key" store copy --to "$B" >"$T/back-wrong" 2>&1
rc=$?
check "store copy back: a wrong key is refused (exit $rc), no file left" \
	sh -c "test $rc -ne 0 && test $rc -lt 128 && grep -q 'does not open' '$T/back-wrong' && test ! -e '$B' && test ! -e '$B.audit'"
"$CTIP" --db "$PG" --key "$S.key" store copy --to "$T/back.db" >"$T/back" 2>&1
rc=$?
check "store copy back: PostgreSQL to SQLite (exit $rc)" \
	sh -c "test $rc -eq 0 && grep -q 'every table counted on both sides; audit log intact' '$T/back'"
bk export --format csv 2>/dev/null | sed 's/,R[0-9a-f]\{16\},/,R,/' | sort >"$T/back.csv"
check "store copy back: the same records as the first registry (export, row for row)" \
	sh -c "test -s '$T/back.csv' && cmp -s '$T/sq.csv' '$T/back.csv'"
bk search "dinh anh tuyet" >"$T/back.search" 2>&1
check "store copy back: the name index made again finds the same persons" \
	sh -c "grep '^P' '$T/sq.search' | cut -c1-60 >'$T/a'; grep '^P' '$T/back.search' | cut -c1-60 >'$T/b'; cmp -s '$T/a' '$T/b' && test -s '$T/a'"
bk show 1 >"$T/back.show" 2>&1
check "store copy back: the sealed identity opens with the same key" contains "$T/back.show" "Ánh Tuyết"
bk audit verify >"$T/back.verify" 2>&1
check "store copy back: the audit chain verifies" contains "$T/back.verify" "audit log intact"
bk audit log >"$T/backlog" 2>&1
check "store copy back: the log holds both moves (SQLite to PostgreSQL, and back)" \
	sh -c "grep -q 'store-copy .*copied from .*src.db' '$T/backlog' && grep -q 'store-copy .*copied from postgresql' '$T/backlog' && grep -q ' view ' '$T/backlog'"
bk stats victims --by gender >"$T/back.stats" 2>&1
check "store copy back: the same statistics" \
	sh -c "head -n 5 '$T/back.stats' >'$T/a'; head -n 5 '$T/sq.stats' >'$T/b'; cmp -s '$T/a' '$T/b'"
bk link run >"$T/back.relink" 2>&1
check "store copy back: linkage runs on the copy into the same persons" contains "$T/back.relink" "into 3 persons"
cp "$B" "$T/back.before"
"$CTIP" --db "$PG" --key "$S.key" store copy --to "$B" >"$T/back-again" 2>&1
rc=$?
check "store copy back: never over an existing file (exit $rc), the file unchanged" \
	sh -c "test $rc -ne 0 && grep -q 'exists' '$T/back-again' && cmp -s '$B' '$T/back.before'"
sq store copy --to "$T/other.db" >"$T/same" 2>&1
rc=$?
check "store copy: SQLite to SQLite is refused with the way (backup and restore) (exit $rc)" \
	sh -c "test $rc -ne 0 && grep -q 'backup and restore' '$T/same' && test ! -e '$T/other.db'"
# a failure after the target's schema was made (a table of records ctip on PostgreSQL has no
# place for) leaves the target empty again
sqlite3 "$S" "CREATE TABLE stray (x); INSERT INTO stray VALUES (1)"
sq store copy --to "$PG2" >"$T/stray" 2>&1
rc=$?
check "store copy: records with no place on the target: refused, nothing copied (exit $rc)" \
	sh -c "test $rc -ne 0 && grep -q 'stray' '$T/stray' && \
		test \"\$(psql -X -At -h '$PGHOST_DIR' -d ${PGDB}_b -c \"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'\")\" = 0"
