# The communications tracker on the command line (docs/COMMS.md): the shipped UN letter AL VNM
# 1/2025 (its nine questions) and the government's reply with its statistics from the ledger; a
# letter recorded by hand, questions, answers and evidence; its reply as HTML, XLSX and JSON with
# every figure computed from records and cited; the reply's figures entering the ledger, where
# `ctip figures check` finds that they contradict the published ones; overdue letters; errors
# that name the field; who may do what; key rotation; the audit log. Synthetic people only.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" org add "Bộ Thử nghiệm A" --type OtherGovernment >/dev/null
"$CTIP" org add "Bộ Thử nghiệm B" --type OtherGovernment >/dev/null
adduser() { echo "a long test password 1" | "$CTIP" user add "$1" --org "$2" --role "$3" >/dev/null; }
adduser a.ana "Bộ Thử nghiệm A" analyst
adduser a.aud "Bộ Thử nghiệm A" auditor
adduser a.cw "Bộ Thử nghiệm A" caseworker
adduser b.ana "Bộ Thử nghiệm B" analyst
"$CTIP" demo generate --persons 1500 --seed 5 -o "$T/d.csv" >/dev/null 2>&1
"$CTIP" import "$T/d.csv" >/dev/null 2>&1
"$CTIP" figures import data/figures/vietnam.csv >/dev/null 2>&1

# ---- the shipped communications ----------------------------------------------------------------
"$CTIP" comms import data/comms/al_vnm_1_2025.json --as a.ana >"$T/i1" 2>&1
check "import: AL VNM 1/2025 with its nine questions" contains "$T/i1" "AL VNM 1/2025 (9 questions)"
"$CTIP" comms import data/comms/vnm_reply_al_vnm_1_2025.json --as a.ana >"$T/i2" 2>&1
check "import: the government's reply" contains "$T/i2" "(9 questions)"
"$CTIP" comms show "al vnm 1/2025" --as a.ana >"$T/s1" 2>&1
check "show: by reference, whatever the case; due 60 days after receipt" contains "$T/s1" "due:       2025-05-09"
check "show: the ninth question, verbatim" contains "$T/s1" "9. Please highlight the steps"
check "show: cited" contains "$T/s1" "seeds/003_2a56e31092304202.txt"
"$CTIP" comms reply "Reply of Viet Nam to AL VNM 1/2025" --format json --as a.ana >"$T/r0.json" 2>&1
check "reply of the shipped reply: its statistics from the ledger, cited (311 victims in 2023)" \
	python3 -c "
import json,sys
r=json.load(open('$T/r0.json'))
ev=[e for q in r['questions'] for e in q['evidence'] if e['kind']=='ledger'][0]
v=[f for f in ev['figures'] if f['measure']=='victims_identified' and f['period']=='2023' and not f['breakdown']]
sys.exit(0 if v and v[0]['value']==311 and 'line 109' in v[0]['citation'] else 1)"

# ---- a letter recorded by hand -----------------------------------------------------------------
"$CTIP" comms add --ref "UA TST 2/2026" --kind urgent_appeal --sender "A test mandate" \
	--received 2026-01-05 --as a.ana >"$T/a1" 2>&1
check "add: prints the new communication's id" contains "$T/a1" "M3"
"$CTIP" comms add --ref "UA TST 2/2026" --kind urgent_appeal --sender x --received 2026-01-05 --as a.ana >"$T/a2" 2>&1
check "add: the same reference twice fails naming ref" test $? -eq 1 -a -n "$(grep 'ref: the organisation already has' "$T/a2")"
"$CTIP" comms add --ref "X 1" --kind postcard --sender x --received 2026-01-05 --as a.ana >"$T/a3" 2>&1
check "add: an unknown kind fails with the choices" test $? -eq 1 -a -n "$(grep 'kind: unknown' "$T/a3" | grep allegation_letter)"
"$CTIP" comms add --ref "X 2" --kind urgent_appeal --sender x --received 05/01/2026 --as a.ana >"$T/a4" 2>&1
check "add: a date not in ISO form fails saying what to write" contains "$T/a4" "received: '05/01/2026' is not a date: give YYYY-MM-DD"
"$CTIP" comms add --ref "X 3" --kind urgent_appeal --sender x --received 2099-01-01 --as a.ana >"$T/a5" 2>&1
check "add: a date in the future fails" contains "$T/a5" "in the future"
"$CTIP" comms add --ref "X 4" --kind urgent_appeal --sender x --received 2026-01-05 --as a.cw >"$T/a6" 2>&1
check "add: a caseworker may not" contains "$T/a6" "does not record communications"
"$CTIP" comms add --ref "X 5" --kind urgent_appeal --sender x --received 2026-01-05 --as a.aud >"$T/a7" 2>&1
check "add: an auditor may not" contains "$T/a7" "does not record communications"
"$CTIP" comms list --overdue --as a.ana >"$T/l1" 2>&1
check "list --overdue: the unanswered appeal past its due date" test "$(grep -c OVERDUE "$T/l1")" = 1
check "list --overdue: not the answered letter" lacks "$T/l1" "AL VNM 1/2025	"
"$CTIP" comms list --as b.ana >"$T/l2" 2>&1
check "list: another organisation sees none of A's" test "$(lines "$T/l2")" = 1
"$CTIP" comms show "UA TST 2/2026" --as b.ana >"$T/s2" 2>&1
check "show: another organisation's is as if there were none" contains "$T/s2" "no communication 'UA TST 2/2026'"

R="UA TST 2/2026"
"$CTIP" comms question "$R" 1 "How many victims were identified in 2023, and of which sex?" --as a.ana
"$CTIP" comms answer "$R" 1 "SECRETANSWER The registry's count is below, with the published one." --as a.ana
"$CTIP" comms evidence "$R" 1 --figure victims_identified:2023 --label "Victims identified" --as a.ana
"$CTIP" comms evidence "$R" 1 --count victims --by gender --year 2023 --label "Victims by sex" --as a.ana
"$CTIP" comms evidence "$R" 1 --ledger "Viet Nam, reply to AL VNM 1/2025" --measure victims_identified --period 2023 --as a.ana
"$CTIP" comms evidence "$R" 1 --document "Reply of Viet Nam" --citation "seeds/004 line 109" --as a.ana
"$CTIP" comms evidence "$R" 1 --figure victims_rescued:2023 --as a.ana >"$T/e1" 2>&1
check "evidence: a measure the registry does not compute fails with the list" \
	test $? -eq 1 -a -n "$(grep 'evidence.measure: the registry does not compute' "$T/e1" | grep victims_identified)"
"$CTIP" comms evidence "$R" 1 --count victims --by gender --year 2023-06 --as a.ana >"$T/e2" 2>&1
check "evidence: a table is one calendar year" contains "$T/e2" "evidence.year: a calendar year"
"$CTIP" comms evidence "$R" 7 --figure victims_identified:2023 --as a.ana >"$T/e3" 2>&1
check "evidence: a question that does not exist" contains "$T/e3" "has no question 7"
"$CTIP" comms reply "$R" --format json --as a.ana >"$T/r1.json" 2>"$T/r1.err"
check "reply: json" test -s "$T/r1.json"
reg=$("$CTIP" stats victims --where trafficking_status=ActualVictimOfTrafficking --year 2023 --format json | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])")
check "reply: the figure is what ctip stats counts, cited [1]" python3 -c "
import json,sys
r=json.load(open('$T/r1.json'))
f=r['questions'][0]['evidence'][0]
sys.exit(0 if f['value']==$reg and f['cite']==1 and r['figures'][0]['value']==$reg else 1)"
check "reply: the table is suppressed as statistics that leave are" python3 -c "
import json,sys
t=json.load(open('$T/r1.json'))['questions'][0]['evidence'][1]['table']
sys.exit(0 if t['suppression']['threshold']==5 and t['total']>0 else 1)"
check "reply: provenance (snapshot, time, ctip version)" python3 -c "
import json,sys
p=json.load(open('$T/r1.json'))['provenance']
sys.exit(0 if p['snapshot_version']>0 and p['computed_at'] and p['ctip_version'] else 1)"
"$CTIP" comms reply "$R" -o "$T/r1.html" --as a.ana
check "reply: HTML with the question, the answer, the figure and its source" \
	sh -c "grep -q 'How many victims' '$T/r1.html' && grep -q 'SECRETANSWER' '$T/r1.html' && grep -q '<strong>$reg</strong> <sup>\[1\]</sup>' '$T/r1.html' && grep -q 'Sources of the figures' '$T/r1.html'"
check "reply: HTML prints (print stylesheet)" contains "$T/r1.html" "@media print"
"$CTIP" comms reply "$R" --format xlsx -o "$T/r1.xlsx" --as a.ana
check "reply: XLSX with a sheet per table" sh -c "unzip -p '$T/r1.xlsx' xl/workbook.xml | grep -q 'Q1 table 1'"
"$CTIP" comms reply "$R" --format xlsx --as a.ana >"$T/x" 2>&1
check "reply: XLSX needs -o" contains "$T/x" "give -o FILE.xlsx"

# ---- the reply's figures in the ledger ---------------------------------------------------------
"$CTIP" comms reply "$R" -o "$T/r2.html" --record --as a.ana 2>"$T/rec"
check "record: the computed figure enters the ledger" contains "$T/rec" "1 figures entered into the ledger"
"$CTIP" figures check >"$T/fc" 2>&1
check "figures check: the reply contradicts the published 311 for 2023" \
	sh -c "grep -A8 'conflict: victims_identified 2023' '$T/fc' | grep -q 'Reply to UA TST 2/2026'"

# ---- status, key rotation, what is on disk, the audit log --------------------------------------
"$CTIP" comms status "$R" answered --as a.ana
"$CTIP" comms list --overdue --as a.ana >"$T/l3" 2>&1
check "status answered: no longer overdue" test "$(grep -c OVERDUE "$T/l3")" = 0
"$CTIP" comms status "$R" lost --as a.ana >"$T/st" 2>&1
check "status: an unknown one fails with the choices" contains "$T/st" "status: unknown 'lost'"
dbbytes >"$T/bytes"
check "sealed: the answers are not in the database (file or dump) in clear" \
	sh -c "test -s '$T/bytes' && ! grep -qa SECRETANSWER '$T/bytes'"
"$CTIP" key rotate >/dev/null 2>&1
"$CTIP" comms show "$R" --as a.ana >"$T/s3" 2>&1
check "key rotate: the answers open under the new key" contains "$T/s3" "SECRETANSWER"
"$CTIP" audit log >"$T/log" 2>&1
for a in comms-add comms-update comms-show comms-reply comms-record; do
	check "audit: $a" contains "$T/log" "$a"
done
check "audit: the log verifies" "$CTIP" audit verify
