# ctip demo generate: deterministic, the import format, a truth file.
. tests/e2e/lib.sh
"$CTIP" demo generate --persons 500 --seed 42 -o "$T/a.csv" --truth "$T/a.truth" 2>/dev/null
"$CTIP" demo generate --persons 500 --seed 42 -o "$T/b.csv" 2>/dev/null
"$CTIP" demo generate --persons 500 --seed 43 -o "$T/c.csv" 2>/dev/null
check "same seed, same data" cmp -s "$T/a.csv" "$T/b.csv"
check "another seed, other data" test -n "$(cmp "$T/a.csv" "$T/c.csv" 2>&1)"
check "the truth file has the documented header" test "$(head -n1 "$T/a.truth")" = "src_Organisation,src_RecordId,person_id"
"$CTIP" init >/dev/null
"$CTIP" import "$T/a.csv" >"$T/imp" 2>&1
check "generated data imports cleanly" test $? -eq 0
check "500 person-in-case rows" test "$(sql "select count(*) from case_person")" = "500"
check "one truth line per person record" test "$(($(lines "$T/a.truth") - 1))" = "$(sql "select count(*) from person")"
check "several reporting organisations" test "$(sql "select count(distinct org_id) from cases")" -ge 5
check "several countries of exploitation" test "$(sql "select count(distinct country) from exploitation")" -ge 5
check "some true persons have several records" \
	test "$(cut -d, -f3 "$T/a.truth" | sort | uniq -d | wc -l)" -gt 10
check "referrals, assistance and proceedings present" \
	test "$(sql "select (select count(*) from referral)>0 and (select count(*) from assistance)>0 and (select count(*) from proceeding)>0")" = "1"
