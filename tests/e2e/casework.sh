# Casework on the command line (docs/CASEWORK.md): hotline contacts, the workflow with
# supervisors' approvals, risk assessments (also from record linkage), the follow-up plan and
# lost to follow-up, what is due, key rotation of the sealed notes, and the audit entries.
# Synthetic people only.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" org add "NGO Thử A" --type NGO >/dev/null
"$CTIP" org add "Công an Thử B" --type Police >/dev/null
adduser() { echo "a long test password 1" | "$CTIP" user add "$1" --org "$2" --role "$3" >/dev/null; }
adduser a.cw "NGO Thử A" caseworker
adduser a.cw2 "NGO Thử A" caseworker
adduser a.sup "NGO Thử A" supervisor
adduser a.sup2 "NGO Thử A" supervisor
adduser a.ana "NGO Thử A" analyst
adduser b.cw "Công an Thử B" caseworker
adduser b.sup "Công an Thử B" supervisor

# ---- hotline contacts ----------------------------------------------------------------------
# (a date in the year the report below is asked for, whenever the test runs)
"$CTIP" contact add --channel call --reason request_help --province "Nghệ An" --at 2026-06-01T10:00 \
	--notes "SECRETNOTE sister missing since May" --as a.cw >"$T/c1" 2>&1
check "contact add: anonymous by default" contains "$T/c1" "contact H1 recorded (anonymous)"
"$CTIP" contact add --channel "tin nhắn" --caller "Người Gọi Thử" --at 2026-01-02T08:30 --as b.cw >"$T/c2" 2>&1
check "contact add: a channel by its Vietnamese label; a named caller" contains "$T/c2" "contact H2 recorded (caller named)"
"$CTIP" contact add --channel pigeon --as a.cw >"$T/c3" 2>&1
check "contact add: an unknown channel fails naming it and the choices" \
	test $? -eq 1 -a -n "$(grep 'channel: unknown' "$T/c3" | grep 'walk_in')"
"$CTIP" contact add --channel call >"$T/c4" 2>&1
check "contact add: without --as it says to give the account" test $? -eq 1 -a -n "$(grep -- '--as USERNAME' "$T/c4")"
"$CTIP" contact add --channel call --as a.ana >"$T/c5" 2>&1
check "contact add: an analyst may not" contains "$T/c5" "does not take contacts"
"$CTIP" contact list --org "NGO Thử A" >"$T/l1" 2>&1
check "contact list --org: the organisation's only" test "$(grep -c '^H' "$T/l1")" = 1
check "contact list: the province as its 2025 code" contains "$T/l1" "request_help"
check "sealed: the notes are not in the database file in clear" notindb SECRETNOTE
"$CTIP" contact convert H2 --as a.cw >"$T/cv0" 2>&1
check "contact convert: another organisation's contact is not found" contains "$T/cv0" "no such contact H2"
"$CTIP" contact convert H1 --as a.cw >"$T/cv" 2>&1
case_id=$(sed -n 's/.*opened as case C\([0-9]*\).*/\1/p' "$T/cv")
check "contact convert: a new case" test -n "$case_id"
C="C$case_id"
"$CTIP" contact convert H1 --as a.cw >"$T/cv2" 2>&1
check "contact convert: twice fails" contains "$T/cv2" "attached to case $C already"

# ---- workflow ------------------------------------------------------------------------------
"$CTIP" case show "$C" >"$T/s1" 2>&1
check "case show: the new case at identification, its taker assigned" \
	test -n "$(grep 'stage      identification' "$T/s1")" -a -n "$(grep 'assigned   a.cw$' "$T/s1")"
"$CTIP" case assign "$C" a.cw2 --as b.sup >"$T/a0" 2>&1
check "case assign: another organisation's supervisor finds no such case" contains "$T/a0" "no such case $C"
"$CTIP" case assign "$C" a.cw2 --as a.cw >"$T/a1" 2>&1
check "case assign: a caseworker may not reassign" contains "$T/a1" "a supervisor assigns and reassigns"
"$CTIP" case assign "$C" a.ana --as a.sup >"$T/a2" 2>&1
check "case assign: not to an analyst" contains "$T/a2" "active caseworker or supervisor"
"$CTIP" case assign "$C" a.cw2 --as a.sup >"$T/a3" 2>&1
check "case assign: a supervisor reassigns" contains "$T/a3" "assigned to a.cw2"
"$CTIP" case stage "$C" assessment --as a.cw >"$T/g0" 2>&1
check "case stage: the former worker may no longer change it" contains "$T/g0" "assigned to a.cw2"
"$CTIP" case stage "$C" assessment --as a.cw2 >/dev/null 2>&1
"$CTIP" case stage "$C" services --as a.cw2 >"$T/g1" 2>&1
check "case stage: services needs a case plan first" contains "$T/g1" "approved before services"
"$CTIP" case stage "$C" case_plan --as a.cw2 >/dev/null 2>&1
"$CTIP" case stage "$C" services --comment "plan: shelter, vocational training" --as a.cw2 >"$T/g2" 2>&1
ap=$(sed -n 's/.*approval \([0-9]*\) requested.*/\1/p' "$T/g2")
check "case stage: the case plan goes to a supervisor" test -n "$ap"
"$CTIP" case approvals >"$T/ap" 2>&1
check "case approvals: the request with its comment" contains "$T/ap" "plan: shelter, vocational training"
"$CTIP" case approve "$ap" --as a.cw >"$T/p1" 2>&1
check "case approve: a caseworker may not" contains "$T/p1" "only a supervisor"
"$CTIP" case approve "$ap" --as b.sup >"$T/p2" 2>&1
check "case approve: another organisation's supervisor finds none" contains "$T/p2" "no such approval"
"$CTIP" case approve "$ap" --comment "fine" --as a.sup >"$T/p3" 2>&1
check "case approve: a supervisor approves" contains "$T/p3" "approved"
"$CTIP" case show "$C" >"$T/s2" 2>&1
check "case show: at services, plan approved" \
	test -n "$(grep 'stage      services' "$T/s2")" -a -n "$(grep 'case plan  approved' "$T/s2")"
"$CTIP" case stage "$C" closed --as a.sup >"$T/g3" 2>&1
ap2=$(sed -n 's/.*approval \([0-9]*\) requested.*/\1/p' "$T/g3")
"$CTIP" case approve "$ap2" --as a.sup >"$T/p4" 2>&1
check "case approve: not one's own request" contains "$T/p4" "another supervisor decides it"
"$CTIP" case approve "$ap2" --reject --comment "follow-up first" --as a.sup2 >"$T/p5" 2>&1
check "case approve --reject: rejected, the case stays open" \
	test -n "$(grep rejected "$T/p5")" -a "$("$CTIP" show --json "C$case_id" | jq -r .case.cas_Status)" = Active

# ---- follow-up and risk --------------------------------------------------------------------
"$CTIP" followup config --org "NGO Thử A" --months 1,2,6 --lost-after 2 >"$T/f0" 2>&1
check "followup config: months and failed attempts of the organisation" contains "$T/f0" "months 1,2,6"
"$CTIP" followup config --org "NGO Thử A" --months 6,1 >"$T/f0b" 2>&1
check "followup config: months must increase" test $? -eq 1
"$CTIP" followup plan "$C" --from 2026-01-10 --as a.cw2 >"$T/f1" 2>&1
check "followup plan: the organisation's months" contains "$T/f1" "3 follow-up contacts planned"
"$CTIP" followup list "$C" >"$T/f2" 2>&1
check "followup list: 1, 2 and 6 months after return" \
	test "$(grep -c -e 2026-02-10 -e 2026-03-10 -e 2026-07-10 "$T/f2")" = 3
"$CTIP" assess add "$C" debt=moneylender income=none stigma=community --date 2026-02-01 --as a.cw2 >"$T/r1" 2>&1
check "assess add: score 7 is medium" contains "$T/r1" "score 7, level medium"
"$CTIP" assess add "$C" debt=nope --as a.cw2 >"$T/r2" 2>&1
check "assess add: an unknown answer names the answers" contains "$T/r2" "unknown answer to debt (answers: none"
"$CTIP" assess add "$C" trafficker_nearby=yes debt=moneylender income=none --date 2026-03-01 --as a.cw2 >"$T/r3" 2>&1
check "assess add: a critical answer is high and raises an alert" \
	test -n "$(grep 'level high' "$T/r3")" -a -n "$(grep 'ALERT high risk' "$T/r3")"
"$CTIP" followup list "$C" >"$T/f3" 2>&1
check "high risk: the 6-month contact is brought forward (2026-05-05)" contains "$T/f3" "2026-05-05"
"$CTIP" assess list "$C" >"$T/r4" 2>&1
check "assess list: the trend" test -n "$(grep 'high	rising' "$T/r4")"
"$CTIP" followup due --overdue >"$T/d1" 2>&1
check "followup due --overdue: the overdue contacts" test "$(grep -c "OVERDUE" "$T/d1")" -ge 2
"$CTIP" followup due --org "Công an Thử B" >"$T/d2" 2>&1
check "followup due --org: another organisation's has none of it" test "$(lines "$T/d2")" = 1
"$CTIP" followup record "$C" --mode phone --outcome not_reached --notes "SECRETNOTE2 no answer" --as a.cw2 >"$T/o1" 2>&1
"$CTIP" followup record "$C" --mode "thăm nhà" --outcome moved --as a.cw2 >"$T/o2" 2>&1
check "followup record: lost to follow-up after the organisation's 2 failed attempts" \
	test -n "$(grep 'follow-up lost' "$T/o2")" -a -n "$(grep 'ALERT' "$T/o2")"
"$CTIP" followup due >"$T/d3" 2>&1
check "followup due: a case lost to follow-up is no longer listed as due" test -z "$(grep "^$C	" "$T/d3")"
"$CTIP" followup record "$C" --mode home_visit --outcome reached_stable --as a.cw2 >"$T/o3" 2>&1
check "followup record: reached again, every contact due by then is done: the plan is completed" \
	contains "$T/o3" "follow-up completed"
"$CTIP" followup record "$C" --mode phone --outcome fine --as a.cw2 >"$T/o4" 2>&1
check "followup record: an unknown outcome names the outcomes" contains "$T/o4" "outcome: unknown"
"$CTIP" followup record "$C" --mode phone --outcome reached_stable --date "$(date -u -d '+1 year' +%Y-%m-%d)" --as a.cw2 >"$T/o5" 2>&1
check "followup record: a date in the future is refused" contains "$T/o5" "in the future"
check "sealed: follow-up notes are not in clear" notindb SECRETNOTE2

# ---- statistics ------------------------------------------------------------------------------
"$CTIP" stats contacts --by channel --no-suppress --format csv >"$T/st1" 2>&1
check "stats contacts: by channel (COUNT contacts)" \
	test -n "$(grep '^call,1$' "$T/st1")" -a -n "$(grep '^message,1$' "$T/st1")" -a -n "$(grep '^Total,2$' "$T/st1")"
"$CTIP" stats followups --by followup_outcome --no-suppress --format csv >"$T/st2" 2>&1
check "stats followups: by followup_outcome" \
	test -n "$(grep '^not_reached,1$' "$T/st2")" -a -n "$(grep '^moved,1$' "$T/st2")" -a -n "$(grep '^reached_stable,1$' "$T/st2")"
"$CTIP" stats assessments --by risk_level,org --no-suppress --format csv >"$T/st3" 2>&1
check "stats assessments: by risk_level and org" \
	test -n "$(grep '^medium,NGO Thử A,1$' "$T/st3")" -a -n "$(grep '^high,NGO Thử A,1$' "$T/st3")"
"$CTIP" stats followups --by followup_outcome --where risk_level=high --no-suppress --format csv >"$T/st4" 2>&1
check "stats followups --where risk_level=high: the contacts after the high assessment" \
	test -n "$(grep '^Total,3$' "$T/st4")"
"$CTIP" stats contacts --by channel >"$T/st5" 2>&1
check "stats contacts: small cells withheld by default" contains "$T/st5" "withheld"
"$CTIP" stats contacts --by gender >"$T/st6" 2>&1
check "stats contacts --by gender: refused, naming why" contains "$T/st6" "contacts cannot be broken down by gender"
"$CTIP" stats contacts --by channel --year 2025 --no-suppress --format csv >"$T/st7" 2>&1
check "stats contacts --year: the period filters by the contact's date" test -n "$(grep '^Total,0$' "$T/st7")"
"$CTIP" report tip --year 2026 --no-suppress >"$T/tip" 2>&1
check "report tip: the II.4 hotline tables from contacts, before II.5" \
	test "$(grep '^== II' "$T/tip" | sed -n 3p)" = "== II.4 Hotline: contacts (calls, messages, chats, web forms, walk-ins), by channel ==" \
	-a -n "$(grep -A4 'contacts by reason' "$T/tip" | grep 'Request for help by a victim  *1')"

# ---- key rotation keeps casework's sealed text readable ---------------------------------------
"$CTIP" key rotate >/dev/null 2>&1
"$CTIP" followup list "$C" >"$T/k1" 2>&1
check "key rotate: the follow-up notes open under the new key" contains "$T/k1" "SECRETNOTE2 no answer"
"$CTIP" contact list >"$T/k2" 2>&1
check "key rotate: the hotline notes and caller open too" \
	test -n "$(grep 'SECRETNOTE sister' "$T/k2")" -a -n "$(grep 'Người Gọi Thử' "$T/k2")"
"$CTIP" case approvals --org "NGO Thử A" >/dev/null 2>&1
"$CTIP" case show "$C" --json >"$T/k3" 2>&1
check "key rotate: the approvals' comments open" contains "$T/k3" "follow-up first"

# ---- earlier trafficking from record linkage ------------------------------------------------
"$CTIP" demo generate --persons 400 --seed 3 -o "$T/d.csv" >/dev/null 2>&1
"$CTIP" import "$T/d.csv" >/dev/null 2>&1
"$CTIP" link run >/dev/null 2>&1
# a victim whose person key (ctip link export) is a victim's in another case too: its case's
# number and organisation (its record found by name with ctip search, its case by ctip show)
row=$(python3 - "$CTIP" <<'PY'
import csv, io, json, subprocess, sys
C = sys.argv[1]
run = lambda *a: subprocess.run([C, *a], capture_output=True, text=True).stdout
rec = {}  # (org, record) -> (case, name) of the victims
for c in json.loads(run("export", "--format", "json", "--identities", "clear"))["cases"]:
    for p in c["persons"]:
        if p.get("ctip_Role") == "Victim":
            name = " ".join(p.get(k, "") for k in ("prs_SecondName", "prs_MiddleName", "prs_FirstName"))
            rec[(c["src_Organisation"], p["src_RecordId"])] = (c["src_CaseId"], " ".join(name.split()))
keys = {}
for r in csv.DictReader(io.StringIO(run("link", "export", "--format", "csv"))):
    k = (r["src_Organisation"], r["src_RecordId"])
    if k in rec:
        keys.setdefault(r["person_key"], []).append(k)
for recs in keys.values():
    if len({(o, rec[(o, r)][0]) for o, r in recs}) < 2:
        continue
    org, rid = recs[0]
    for line in run("search", "--limit", "50", rec[(org, rid)][1]).splitlines():
        pid = line.split()[0]
        d = json.loads(run("show", "--json", pid) or "{}").get("person", {})
        if d.get("src_RecordId") != rid:
            continue
        for c in d["cases"]:
            if c["src_Organisation"] == org and c.get("ctip_Role") == "Victim":
                print(c["id"][1:] + "|" + org)
                sys.exit(0)
PY
)
lcase=${row%%|*}
lorg=${row#*|}
adduser l.cw "$lorg" caseworker
"$CTIP" assess add "C$lcase" earlier_trafficking=no --as l.cw >"$T/x1" 2>&1
check "assess add: earlier trafficking found by linkage makes the level high" \
	test -n "$(grep 'found by record linkage' "$T/x1")" -a -n "$(grep 'level high' "$T/x1")"
"$CTIP" assess add "C$case_id" earlier_trafficking=no --as a.cw2 >"$T/x2" 2>&1
check "assess add: a case without a linked earlier case is not flagged" \
	test -n "$(grep 'score 0, level low' "$T/x2")" -a -z "$(grep 'linkage' "$T/x2")"

# ---- audit --------------------------------------------------------------------------------------
"$CTIP" audit log >"$T/audit" 2>&1
for a in contact_add contact_convert case_assign case_stage approval_request approval_approve \
	approval_reject assess followup_plan followup_record followup_config; do
	check "audit: $a recorded" grep -q " $a " "$T/audit"
done
check "audit: the chain is intact" "$CTIP" audit verify
