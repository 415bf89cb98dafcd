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
check "500 person-in-case rows" test "$(nrecords)" = "500"
check "one truth line per person record" test "$(($(lines "$T/a.truth") - 1))" = \
	"$(exported '[.cases[] | .src_Organisation as $o | .persons[] | [$o, .src_RecordId]] | unique | length')"
check "several reporting organisations" test "$(exported '[.cases[].src_Organisation] | unique | length')" -ge 5
check "several countries of exploitation" test "$(dbq "select count(distinct country) from exploitation")" -ge 5
check "some true persons have several records" \
	test "$(cut -d, -f3 "$T/a.truth" | sort | uniq -d | wc -l)" -gt 10
check "referrals, assistance and proceedings present" \
	test "$(dbq "select (select count(*) from referral) * (select count(*) from assistance) * (select count(*) from proceeding) > 0")" = "$([ -n "$E2E_PGDB" ] && echo t || echo 1)"

# data-quality profiles and knobs (issue 12)
"$CTIP" demo generate --persons 500 --seed 42 --quality typical -o "$T/t.csv" 2>/dev/null
check "--quality typical is the default writing" cmp -s "$T/a.csv" "$T/t.csv"
"$CTIP" demo generate --persons 3000 --seed 42 --quality poor -o "$T/p.csv" 2>/dev/null
"$CTIP" demo generate --persons 3000 --seed 42 --quality good -o "$T/g.csv" 2>/dev/null
# the share (percent) of rows whose column $2 is empty (-v e=1) or not, in file $1
share() {
	python3 -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
f = lambda v: v.strip(';') == '' if sys.argv[3] == 'empty' else v.strip(';') != ''
print(round(100 * sum(1 for r in rows if f(r[sys.argv[2]])) / len(rows)))" "$1" "$2" "$3"
}
b=$(share "$T/p.csv" prs_Birthdate empty)
check "poor: birth date missing in about 15 % ($b)" test "$b" -ge 12 -a "$b" -le 18
b=$(share "$T/p.csv" prs_MailingState empty)
check "poor: province missing in about 20 % ($b)" test "$b" -ge 16 -a "$b" -le 24
check "poor: nothing below the province" test "$(share "$T/p.csv" prs_MailingCity set)" = 0
check "poor: no dates of exploitation" test "$(share "$T/p.csv" ctip_ExploitationStart set)" = 0
b=$(share "$T/p.csv" prs_IdentityNumber set)
check "poor: documents on fewer than half the records ($b)" test "$b" -lt 50 -a "$b" -ge 30
b=$(share "$T/p.csv" prs_MobilePhone set)
check "poor: phones on about a third ($b)" test "$b" -ge 27 -a "$b" -le 40
b=$(share "$T/g.csv" prs_Birthdate empty)
check "good: birth date rarely missing ($b)" test "$b" -le 3
"$CTIP" demo generate --persons 3000 --seed 42 --quality poor --missing-birth 0 -o "$T/k.csv" 2>/dev/null
check "a knob overrides the profile" test "$(share "$T/k.csv" prs_Birthdate empty)" = 0
"$CTIP" demo generate --persons 10 --typos 1.5 -o "$T/x.csv" 2>"$T/err"
check "a rate above 1 is refused" test $? -eq 2
check "the refusal says what is expected" grep -q "a rate from 0 to 1" "$T/err"
"$CTIP" demo generate --persons 10 --quality awful -o "$T/x.csv" 2>"$T/err"
check "an unknown profile is refused with the known ones" grep -q "good, typical or poor" "$T/err"
check "nothing written on refusal" test ! -e "$T/x.csv"
"$CTIP" demo generate --persons 10 --typos abc -o "$T/x.csv" 2>"$T/err"
check "a rate that is not a number is refused" test $? -eq 2
"$CTIP" demo generate --persons 10 --docs -0.1 -o "$T/x.csv" 2>"$T/err"
check "a negative rate is refused" test $? -eq 2
"$CTIP" demo generate --persons 10 -o "$T/x.csv" --quality 2>"$T/err"
check "--quality without a profile is refused" test $? -ne 0 -a ! -e "$T/x.csv"
