# ctip init: creates and migrates the database; twice is harmless.
. tests/e2e/lib.sh
# SQLite: a file in directories init makes; PostgreSQL: the test's own (empty) database
if [ -n "$E2E_PGDB" ]; then DB=$CTIP_DB; else DB="$T/sub/dir/a.db"; fi
"$CTIP" --db "$DB" init >"$T/out" 2>&1
[ -z "$E2E_PGDB" ] && check "init creates the database and its directory" test -s "$T/sub/dir/a.db"
check "init reports the schema migration" contains "$T/out" "migrated from version 0"
if [ -z "$E2E_PGDB" ]; then
	v=$(sqlite3 "$T/sub/dir/a.db" "PRAGMA user_version")
	check "user_version equals the newest migration" test "$v" -ge 1
fi
# vocab: what the registry's vocabularies say, by ctip help vocab (read from the database)
vocab() { "$CTIP" --db "$DB" help vocab "$@"; }
vocab >"$T/v1" 2>&1
check "init loads the vocabularies" test "$(lines "$T/v1")" -ge 30
check "the gender vocabulary has Vietnamese labels" \
	test "$(vocab gender | awk '$1 == "Feminine"' | sed 's/.*  //')" = "Nữ"
check "63 provinces of 2008 and 34 of 2025" \
	test "$(vocab province_2008 | wc -l) $(vocab province_2025 | wc -l)" = "63 34"
for v in gender province_2008 province_2025 exploitation_type; do vocab $v; done >>"$T/v1" 2>&1
CTIP_DB="$DB" "$CTIP" init >"$T/out2" 2>&1
check "second init succeeds" test $? -eq 0
check "second init says the schema is current" contains "$T/out2" "is current"
vocab >"$T/v2" 2>&1
for v in gender province_2008 province_2025 exploitation_type; do vocab $v; done >>"$T/v2" 2>&1
check "second init leaves the vocabularies as they were" cmp -s "$T/v1" "$T/v2"
"$CTIP" --db "$T/none.db" search x >"$T/out3" 2>&1
rc=$?
check "a command on a missing database fails and says to run init" test $rc -ne 0
check "... with a hint" contains "$T/out3" "ctip init"
