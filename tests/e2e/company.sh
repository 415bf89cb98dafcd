# The register of labour-export companies and recruiters on the command line
# (docs/COMPANIES.md, issue 15 item 1): company add|list|show|report|sanction add, recruiter
# add|list (a person's name sealed), the statistics dimension company, the report within an
# organisation's cases with small counts withheld, bad input, key rotation and the audit
# entries. Synthetic companies and people only.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" import "$FIX/company_cases.csv" >/dev/null 2>&1
adduser() { echo "a long test password 1" | "$CTIP" user add "$1" --org "$2" --role "$3" >/dev/null; }
adduser a.sup "Công an Thử nghiệm A" supervisor
adduser b.sup "Tổ chức Thử nghiệm B" supervisor
K1="Công ty Cung ứng Nhân lực Thử nghiệm Một"
K2="Công ty Xuất khẩu Lao động Thử nghiệm Hai"
K3="Công ty Dịch vụ Việc làm Thử nghiệm Ba"
"$CTIP" company add "$K1" --licence 101/TN-GP --status active --from 2019-05-01 --to 2026-05-01 \
	--province "Hà Nội" --address "Số 1 Phố Thử nghiệm" --source "register extract (synthetic)" --as a.sup >"$T/a1" 2>&1
check "company add: K1 added" contains "$T/a1" "company K1 added to the register"
"$CTIP" company add "$K2" --licence 202/TN-GP --status suspended --as a.sup >/dev/null 2>&1
"$CTIP" company add "$K3" --licence 303/TN-GP --province "ha noi" --as b.sup >/dev/null 2>&1
"$CTIP" company add "$K1" --as a.sup 2>"$T/dup"
check "company add: a company twice is refused, naming its entry" contains "$T/dup" "already in the register (K1)"
"$CTIP" company add "Công ty Khác Thử nghiệm" --licence 101/TN-GP --as a.sup 2>"$T/lic"
check "company add: one licence, one company" contains "$T/lic" "licence 101/TN-GP is already registered"
"$CTIP" company add "Công ty Sai Thử nghiệm" --status closed --as a.sup 2>"$T/st"
check "company add: a bad licence status names the field and the values" contains "$T/st" "active, suspended, revoked or expired"
"$CTIP" company add "Công ty Sai Thử nghiệm" --from 2024-05-01 --to 2023-01-01 --as a.sup 2>"$T/dt"
check "company add: a licence that ends before it starts is refused" contains "$T/dt" "ends (2023-01-01) before it starts"
"$CTIP" company add "Công ty Sai Thử nghiệm" --province Atlantis --as a.sup 2>"$T/pv"
check "company add: an unknown province is refused" contains "$T/pv" "unknown province 'Atlantis'"
"$CTIP" company add "Công ty Sai Thử nghiệm" 2>"$T/noas"
check "company add: without an account (--as) nothing is recorded" sh -c "! \"$CTIP\" company list | grep -q 'Công ty Sai'"
"$CTIP" company sanction add K2 --date 2024-09-01 --authority "Bộ Thử nghiệm" --decision "licence suspended for 12 months" --as b.sup >"$T/s1" 2>&1
check "company sanction add: recorded" contains "$T/s1" "sanction 1 recorded for company K2"
"$CTIP" company sanction add K9 --date 2024-09-01 --authority X --decision Y --as b.sup 2>"$T/s9"
check "company sanction add: an unknown company is refused" contains "$T/s9" "no company K9"
"$CTIP" company sanction add K2 --date 2024-13-01 --authority X --decision Y --as b.sup 2>"$T/sd"
check "company sanction add: a bad date is refused" contains "$T/sd" "not a date YYYY-MM-DD"
"$CTIP" company list >"$T/list"
check "company list: three companies with licence, status and sanctions" \
	sh -c "grep -q 'K1.*101/TN-GP.*active.*2019-05-01.*2026-05-01.*01.*0' '$T/list' && grep -q 'K2.*suspended.*1\$' '$T/list' && test \$(wc -l <'$T/list') -eq 4"
check "company list: the province as its 2025 code" grep -q "K3.*303/TN-GP.*01" "$T/list"

# the report: every organisation's cases (the operator), counts under 5 withheld
"$CTIP" company report --format json >"$T/r.json"
check "company report: cases, victims and forced labour per company" \
	test "$(jq -c '[.companies[] | [.id, .cases, .victims, .exploitation_types.ForcedLabour]]' "$T/r.json")" = '[[1,6,6,6],[3,5,5,null],[2,5,5,5]]'
check "company report: companies with forced labour and no sanction: K1 only" \
	test "$(jq -c '[.forced_labour_without_sanction[].id]' "$T/r.json")" = '[1]'
check "company report: provenance of each entry (organisation, account, source)" \
	test "$(jq -r '.companies[0].recorded | "\(.organisation)|\(.by)|\(.source)"' "$T/r.json")" = "Công an Thử nghiệm A|a.sup|register extract (synthetic)"
check "company report: sanctions with date, authority and decision" \
	test "$(jq -r '.companies[2].sanctions[0] | "\(.date)|\(.authority)|\(.decision)"' "$T/r.json")" = "2024-09-01|Bộ Thử nghiệm|licence suspended for 12 months"
# within an organisation's cases: A sees its 6 for K1 and 2 for K2 (withheld), none of B's
"$CTIP" company report --org "Công an Thử nghiệm A" --format json >"$T/ra.json"
check "company report --org: only the organisation's cases; 2 withheld as x (null)" \
	test "$(jq -c '[.companies[] | [.id, .cases, .victims]]' "$T/ra.json")" = '[[1,6,6],[3,0,0],[2,null,null]]'
"$CTIP" company report --org "Công an Thử nghiệm A" --raw --format json >"$T/rr.json"
check "company report --raw: the small counts, audited" \
	sh -c "test \"\$(jq -c '[.companies[2].cases]' '$T/rr.json')\" = '[2]' && \"$CTIP\" audit log | grep -q company-report-raw"
for f in table csv html; do
	"$CTIP" company report --format $f -o "$T/r.$f"
	check "company report ($f): the companies and the list without sanction" \
		sh -c "grep -q '101/TN-GP' '$T/r.$f' && grep -q 'Thử nghiệm Hai' '$T/r.$f'"
done
check "company report (html): escaped, a page of its own" contains "$T/r.html" "<h2>Companies with cases of forced labour and no sanction</h2>"
"$CTIP" company show K2 --format json >"$T/k2.json"
check "company show: one company" test "$(jq '.companies | length' "$T/k2.json")" = "1"
"$CTIP" company show K7 2>"$T/k7"
check "company show: an unknown company" contains "$T/k7" "no company K7"

# the statistics dimension company (the victim's ctip_Recruiter)
"$CTIP" stats victims --by company --format json >"$T/st.json"
check "stats --by company: victims per recruiting company" \
	test "$(jq -c '[.rows[] | select(.company != "Unknown") | .count]' "$T/st.json")" = '[6,5,5]'
"$CTIP" stats victims --by company,gender --format json >"$T/st2.json"
check "stats --by company,gender: small cells withheld" \
	test "$(jq '[.rows[] | select(.count != null and .count > 0 and .count < 5)] | length' "$T/st2.json")" = "0"

# recruiters: a person's name sealed, never in the database in clear
"$CTIP" recruiter add "Người Môi Giới Thử Nghiệm" --company "$K1" --cases C1,C2 --as a.sup >"$T/r1" 2>&1
check "recruiter add: recorded, name sealed" contains "$T/r1" "recruiter R1 recorded (person, name sealed)"
dbbytes >"$T/bytes"
check "recruiter add: the name is not in the database (file or dump) in clear" \
	sh -c "test -s '$T/bytes' && ! grep -qa 'Người Môi Giới' '$T/bytes'"
"$CTIP" recruiter add "$K2" --kind company --company "$K2" --as a.sup >/dev/null 2>&1
"$CTIP" recruiter list --as a.sup >"$T/rl"
check "recruiter list: the person's name opened, its company and cases" grep -q "R1.*person.*Người Môi Giới Thử Nghiệm.*Thử nghiệm Một.*2\$" "$T/rl"
check "recruiter list: audited (view recruiters)" sh -c "\"$CTIP\" audit log | grep -q 'recruiters'"
"$CTIP" recruiter add "X" --cases C999 --as a.sup 2>"$T/rc"
check "recruiter add: an unknown case is refused" contains "$T/rc" "no case C999"
check "changes audited: company-add, company-sanction, recruiter-add" \
	sh -c "\"$CTIP\" audit log >'$T/log' && grep -q company-add '$T/log' && grep -q company-sanction '$T/log' && grep -q recruiter-add '$T/log'"
"$CTIP" key rotate >/dev/null 2>&1
"$CTIP" recruiter list --as a.sup >"$T/rl2" 2>&1
check "key rotate: the recruiter's name still opens" grep -q "Người Môi Giới Thử Nghiệm" "$T/rl2"
