# Bad input: a clear FILE:LINE: column: reason, a non-zero exit, and no change at all.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
"$CTIP" export --format csv --identities clear -o "$T/before.csv" 2>/dev/null

H='src_Organisation,src_CaseId,src_RecordId,prs_FirstName,prs_Birthdate,prs_Gender,ctip_IdentityIssueDate,ctip_IdentityExpiryDate,prs_IdentityNumber'
good='Org X,C1,R1,Lan,1990-01-01,Feminine,,,'
# bad NAME EXPECTED-MESSAGE CONTENT: the file (header + a good row + CONTENT) is rejected whole
bad() {
	name=$1 msg=$2
	printf '%s\n%s\n%b' "$H" "$good" "$3" >"$T/$name.csv"
	"$CTIP" import "$T/$name.csv" >"$T/$name.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && grep -qF -- "$msg" "$T/$name.out"; then ok "$name is rejected: $msg"
	else notok "$name is rejected: $msg" "exit $rc" "$(cat "$T/$name.out")"; fi
}
printf '%s\n%s\nOrg X,C1,R2,\377\376bad,,,,,\n' "$H" "$good" >"$T/bad.csv"
"$CTIP" import "$T/bad.csv" >"$T/bad.out" 2>&1
check "invalid UTF-8 is rejected" test $? -ne 0
check "... at its line and column" contains "$T/bad.out" "bad.csv:3: prs_FirstName: invalid UTF-8"
bad impossible-date "impossible-date.csv:3: prs_Birthdate: day 30 does not exist in 1990-02" 'Org X,C1,R2,Mai,1990-02-30,,,,\n'
bad two-digit-year "two-digit year" 'Org X,C1,R2,Mai,87,,,,\n'
bad ambiguous-date "day and month order is ambiguous" 'Org X,C1,R2,Mai,03/04/1990,,,,\n'
bad future-date "is in the future" 'Org X,C1,R2,Mai,2099-01-01,,,,\n'
bad expiry-before-issue "ctip_IdentityExpiryDate: item 1: expiry 2015-01-01 is before ctip_IdentityIssueDate 2016-05-01" 'Org X,C1,R2,Mai,,,2016-05-01,2015-01-01,C0000001\n'
bad unknown-picklist "prs_Gender: unknown value 'robot'" 'Org X,C1,R2,Mai,,robot,,,\n'
bad duplicate-id "duplicate: record 'R1' is already in case 'C1' at line 2" 'Org X,C1,R1,Lan,1990-01-01,Feminine,,,\n'
bad conflicting-record "prs_Birthdate: differs from line 2 of the same record" 'Org X,C2,R1,Lan,1991-01-01,Feminine,,,\n'
bad short-row "row has 3 fields but the header has 9" 'Org X,C1,R3\n'
bad truncated-quote "file is truncated" 'Org X,C1,R3,"Mai\n'
bad stray-quote "malformed CSV" 'Org X,C1,R3,Ma"i,,,,,\n'
bad missing-required "src_RecordId: required, but empty" 'Org X,C1,,Mai,,,,,\n'

printf 'src_Organisation,src_RecordId,prs_Nickname\nOrg X,R1,Bo\n' >"$T/unknown-col.csv"
"$CTIP" import "$T/unknown-col.csv" >"$T/uc.out" 2>&1
check "an unknown column is refused" test $? -ne 0
check "... naming it at line 1" contains "$T/uc.out" "unknown-col.csv:1: prs_Nickname: unknown column"
printf 'prs_FirstName\nLan\n' >"$T/noreq.csv"
"$CTIP" import "$T/noreq.csv" >"$T/nr.out" 2>&1
check "a file without src_Organisation (and no --org) is refused" contains "$T/nr.out" "noreq.csv:1: src_Organisation: no such column"
: >"$T/empty.csv"
"$CTIP" import "$T/empty.csv" >"$T/em.out" 2>&1
check "an empty file is refused" test $? -ne 0
check "... with its reason" contains "$T/em.out" "empty.csv:1: empty file"

"$CTIP" import "$T/no-such-file.csv" >"$T/nf.out" 2>&1
check "a file that does not exist is refused" test $? -ne 0
check "... saying it cannot be opened" contains "$T/nf.out" "no-such-file.csv: cannot open"
check "... and nothing else (no count of errors never read)" lacks "$T/nf.out" "more errors"

# all rows are reported, not only the first
printf '%s\nOrg X,C1,R1,Lan,1990-13-01,,,,\nOrg X,C1,R2,Mai,1990-01-01,nope,,,\n' "$H" >"$T/two.csv"
"$CTIP" import "$T/two.csv" >"$T/two.out" 2>&1
check "every rejected row is reported (line 2)" contains "$T/two.out" "two.csv:2: prs_Birthdate"
check "every rejected row is reported (line 3)" contains "$T/two.out" "two.csv:3: prs_Gender"

# JSON
printf '{"cases": [{"src_Organisation": "Org J", "persons": [{"src_RecordId": "J1"' >"$T/trunc.json"
"$CTIP" import "$T/trunc.json" >"$T/tj.out" 2>&1
check "truncated JSON is refused" contains "$T/tj.out" "invalid JSON"
printf '{"cases": [{"src_Organisation": "Org J", "persons": [{"src_RecordId": "J1", "shoe_size": 42}]}]}' >"$T/unk.json"
"$CTIP" import "$T/unk.json" >"$T/uj.out" 2>&1
check "an unknown JSON field is refused with its path" contains "$T/uj.out" "cases[0].persons[0]: shoe_size: unknown field"
printf '{"cases": [{"src_Organisation": "Org J", "persons": [{"src_RecordId": "J1", "prs_FirstName": {"a": 1}}]}]}' >"$T/type.json"
"$CTIP" import "$T/type.json" >"$T/ty.out" 2>&1
check "a wrong JSON type is refused" contains "$T/ty.out" "prs_FirstName: must be a string"

"$CTIP" export --format csv --identities clear -o "$T/after.csv" 2>/dev/null
check "after all of that the database is unchanged" cmp -s "$T/before.csv" "$T/after.csv"
# an organisation that exists cannot be added again ("already exists"): both can be, so
# neither was created
neworgs() { "$CTIP" org add "Org X" --type NGO >"$T/ox" 2>&1 && "$CTIP" org add "Org J" --type NGO >>"$T/ox" 2>&1; }
check "no organisation was created by a rejected file" neworgs
