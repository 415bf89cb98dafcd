# ctip init: creates and migrates the database; twice is harmless.
. tests/e2e/lib.sh
"$CTIP" --db "$T/sub/dir/a.db" init >"$T/out" 2>&1
check "init creates the database and its directory" test -s "$T/sub/dir/a.db"
check "init reports the schema migration" contains "$T/out" "migrated from version 0"
v=$(sqlite3 "$T/sub/dir/a.db" "PRAGMA user_version")
check "user_version equals the newest migration" test "$v" -ge 1
n1=$(sqlite3 "$T/sub/dir/a.db" "select count(*) from vocab")
check "init loads the vocabularies" test "$n1" -gt 300
check "the gender vocabulary has Vietnamese labels" \
	test "$(sqlite3 "$T/sub/dir/a.db" "select label_vi from vocab where vocab='gender' and code='Feminine'")" = "Nữ"
check "63 provinces of 2008 and 34 of 2025" \
	test "$(sqlite3 "$T/sub/dir/a.db" "select count(*) from vocab where vocab='province_2008'") $(sqlite3 "$T/sub/dir/a.db" "select count(*) from vocab where vocab='province_2025'")" = "63 34"
CTIP_DB="$T/sub/dir/a.db" "$CTIP" init >"$T/out2" 2>&1
check "second init succeeds" test $? -eq 0
check "second init says the schema is current" contains "$T/out2" "is current"
n2=$(sqlite3 "$T/sub/dir/a.db" "select count(*) from vocab")
check "second init leaves the vocabularies as they were" test "$n1" = "$n2"
"$CTIP" --db "$T/none.db" search x >"$T/out3" 2>&1
rc=$?
check "a command on a missing database fails and says to run init" test $rc -ne 0
check "... with a hint" contains "$T/out3" "ctip init"
