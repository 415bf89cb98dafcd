# Accounts and the audit log: who saw which person, and a chain that shows tampering.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
pid=$(sql "select id from person where src_record_id='BG-R-1'")
"$CTIP" show "P$pid" >/dev/null
"$CTIP" search dinh thi anh tuyet >/dev/null
"$CTIP" export --format csv -o "$T/x.csv" 2>/dev/null
"$CTIP" audit verify >"$T/v" 2>&1
check "a fresh log verifies" test $? -eq 0
check "... and says how many entries" contains "$T/v" "audit log intact"
"$CTIP" audit log --person "P$pid" >"$T/l"
check "the log shows the view of the person" grep -q " view  *P$pid" "$T/l"
check "... and the search that displayed it" grep -q " search_hit  *P$pid" "$T/l"
"$CTIP" audit log >"$T/all"
check "the import is logged" grep -q " import " "$T/all"
check "the export is logged" grep -q " export  *$T/x.csv" "$T/all"
check "the log names no one: no name of a person in it" \
	test "$(sql "select count(*) from audit where detail like '%Tuy%' or object like '%Tuy%' or detail like '%Đinh%'")" = "0"
n=$(sql "select count(*) from audit")

cp "$CTIP_DB" "$T/good.db"
sql "update audit set detail = 'nothing to see' where id = 3"
"$CTIP" audit verify >"$T/v1" 2>&1
check "an altered entry breaks verification" test $? -ne 0
check "... which names it" contains "$T/v1" "entry 3 was altered"

cp "$T/good.db" "$CTIP_DB"
sql "delete from audit where id = 2"
"$CTIP" audit verify >"$T/v2" 2>&1
check "a removed entry breaks verification" test $? -ne 0
check "... which names where" contains "$T/v2" "entry 3: entries 2 to 2 are missing"

cp "$T/good.db" "$CTIP_DB"
sql "insert into audit(id, at, actor, action, object, detail, prev_hash, hash) values ($((n + 1)), '2026-01-01T00:00:00Z', 'x', 'view', 'P1', '', 'forged', 'forged')"
"$CTIP" audit verify >"$T/v3" 2>&1
check "an inserted entry breaks verification" test $? -ne 0
check "... which names it" contains "$T/v3" "entry $((n + 1)) does not follow entry $n"

cp "$T/good.db" "$CTIP_DB"
sql "update audit set hash = 'x' where id = $n"
"$CTIP" audit verify >"$T/v4" 2>&1
check "rewriting the last hash is found too" contains "$T/v4" "entry $n was altered"

# accounts
cp "$T/good.db" "$CTIP_DB"
"$CTIP" org add "NGO Thử Nghiệm B" --type NGO >"$T/o" 2>&1
check "org add registers an organisation" test "$(sql "select type from organisation where name = 'NGO Thử Nghiệm B'")" = "NGO"
"$CTIP" org add "Something" --type Spaceship >"$T/o2" 2>&1
check "org add refuses an unknown type" test $? -ne 0
echo 'correct horse battery staple' | "$CTIP" user add lan.nguyen --org "NGO Thử Nghiệm B" --role caseworker >"$T/u" 2>&1
check "user add creates an account, password from standard input" test "$(sql "select role from account where username = 'lan.nguyen'")" = "caseworker"
check "the password is stored as an Argon2id hash" test "$(sql "select substr(pw_hash, 1, 10) from account where username = 'lan.nguyen'")" = '$argon2id$'
check "the password itself is nowhere in the database file" sh -c "! grep -aq 'horse battery' '$CTIP_DB' '$CTIP_DB-wal' 2>/dev/null"
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
sqlite3 "$T/good.db" "PRAGMA user_version = 1"
"$CTIP" --db "$T/good.db" search x >"$T/m" 2>&1
check "a database of an older schema is told to run init" contains "$T/m" "run \`ctip init\` to migrate"
