# ctip import: HTCDS CSV and JSON, organisations created, one transaction per file.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
# what was imported is read back through ctip (export, stats; lib.sh's exported, prs)
"$CTIP" import "$FIX/basic.csv" >"$T/out" 2>&1
rc=$?
check "import of a valid CSV succeeds" test $rc -eq 0
check "import says which organisations it created" contains "$T/out" "new organisation 'Công an tỉnh Thử Nghiệm' (Police)"
check "the referral's receiving organisation is created too" contains "$T/out" "new organisation 'Trung tâm Bảo trợ Thử Nghiệm'"
check "4 rows become 2 cases and 4 person records" contains "$T/out" "imported 4 rows: 2 cases, 4 person records"
check "province without diacritics is recognised" test "$(prs BG-R-1 .prs_MailingState)" = "Nghệ An"
# by the province of 2025: BG-R-1 and PA-R-1 in Nghệ An (40), BG-R-2 in Lạng Sơn (20)
"$CTIP" stats victims --by origin_province --no-suppress --format csv >"$T/prov" 2>&1
check "the 2025 province is derived" test "$(grep -v '^#' "$T/prov" | grep -E '^(20|40),' | tr '\n' ' ')" = "20,1 40,2 "
check "country name in Vietnamese is recognised" test "$(prs BG-R-2 '.prs_Citizenship | join(";")')" = "VN"
check "gender alias is canonicalised" test "$(prs PA-R-1 .prs_Gender)" = "Feminine"
"$CTIP" export --format json --identities clear -o "$T/basic.json" 2>/dev/null
check "phone is stored as E.164" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert [p['prs_MobilePhone'] for c in d['cases'] for p in c['persons'] if p['src_RecordId']=='BG-R-1'] == [['+84912345678']]" "$T/basic.json"
check "year-only birth date is kept at year precision" test "$(prs BG-R-2 .prs_Birthdate)" = "2001"
check "multi-valued picklist kept as a list of codes" test "$(prs BG-R-1 '.vic_MethodsOfControl | join("|")')" = "DebtBondage|WithholdsDocuments"
check "events kept as parallel lists" test "$(exported '[.cases[].persons[].events // [] | length] | add')" = "3"
check "proceedings per defendant" test "$(exported '[.cases[].persons[].proceedings // [] | .[] | select(.ctip_ProcStage == "Convicted" and .ctip_ProcSentenceMonths == 96)] | length')" = "1"
check "referral recorded" test "$(exported '[.cases[].referrals // [] | .[] | select(.ctip_OutgoingReferralStatus == "Accepted")] | length')" = "1"
check "the same organisation name is one organisation" contains "$T/out" ", 3 new organisations"
"$CTIP" org add "Trung tâm Bảo trợ Thử Nghiệm" --type NGO >"$T/orgdup" 2>&1
check "... the referral's receiver among them" contains "$T/orgdup" "organisation 'Trung tâm Bảo trợ Thử Nghiệm' already exists"

# the same file again: already there, nothing added
"$CTIP" import "$FIX/basic.csv" >"$T/out2" 2>&1
rc=$?
check "importing the same file twice is refused" test $rc -ne 0
check "... naming the row" contains "$T/out2" "basic.csv:2: src_CaseId: case 'BG-2023-001'"
check "... and nothing was added" test "$(exported '[.cases[].persons[]] | length')" = "4"

# JSON import
cat >"$T/a.json" <<'JSON'
{"cases": [{"src_Organisation": "Tổ chức Phi chính phủ Thử Nghiệm", "org_Type": "NGO", "src_CaseId": "NGO-1",
  "cas_Status": "FollowUp", "comments": [{"cco_CaseComment": "Gặp lần đầu; ổn định", "ctip_CommentDate": "2023-05-01"}],
  "persons": [{"src_RecordId": "N-1", "ctip_Role": "Victim", "prs_SecondName": "Lò", "prs_FirstName": "Thị Hoa",
     "prs_Birthdate": "2004-02", "prs_Gender": "female", "prs_Citizenship": ["VN"], "vic_AgeWhenTrafficked": 17,
     "vic_TypeOfExploitation": ["SexualExploitation"], "con_Consent": true,
     "assistance": [{"ctip_AssistanceKind": "Medical", "ctip_AssistanceDate": "2023-05-02"},
                    {"ctip_AssistanceKind": "Psychological"}]}]}]}
JSON
"$CTIP" import "$T/a.json" >"$T/out3" 2>&1
check "JSON import succeeds" test $? -eq 0
"$CTIP" export --format csv --identities clear 2>/dev/null | grep -c 'Gặp lần đầu\\; ổn định' >"$T/com"
check "JSON comment with ';' survives (sealed, exported escaped)" test "$(cat "$T/com")" = "1"
check "JSON assistance array stored" test "$(prs N-1 '[.assistance[].ctip_AssistanceKind] | join(" ")')" = "Medical Psychological"
check "JSON integer field stored" test "$(prs N-1 .vic_AgeWhenTrafficked)" = "17"

# a file with any subset of columns
printf 'src_Organisation,src_RecordId,prs_FirstName\nHotline 111 Thử Nghiệm,H-1,Lan\n' >"$T/min.csv"
"$CTIP" import "$T/min.csv" >"$T/out4" 2>&1
check "a file with only three columns imports" test $? -eq 0
check "a row without a case id is its own case" test "$(exported '[.cases[] | select(.src_Organisation == "Hotline 111 Thử Nghiệm") | .src_CaseId] | join(" ")')" = "H-1"

# a file with neither src_Organisation nor src_RecordId: --org names the organisation, ids come
# from the file's name and line, so the same file cannot be imported twice
printf 'prs_SecondName,prs_FirstName,prs_Gender\nLò,Văn Chiến,nam\nGiàng,Thị Dua,nữ\n' >"$T/noids.csv"
"$CTIP" import --org "Trung tâm Thử Nghiệm" "$T/noids.csv" >"$T/out5" 2>&1
check "--org imports a file without src_Organisation" test $? -eq 0
check "records get ids from the file name and line" test "$(exported '[.cases[] | select(.src_Organisation == "Trung tâm Thử Nghiệm") | .persons[].src_RecordId] | sort | join(" ")')" = "noids.csv#2 noids.csv#3"
"$CTIP" import --org "Trung tâm Thử Nghiệm" "$T/noids.csv" >"$T/out6" 2>&1
check "... so importing it again is refused" test $? -ne 0

# a first load drops the triggers with the indexes (one program run per row otherwise) and puts
# them back; statistics computed on the empty registry are stale after it
freshdb
"$CTIP" init >/dev/null
# SQLite's first load (lib/store/sqlite): its schema's own indexes and triggers
schema() { sql "select type, name, sql from sqlite_master where type in ('index', 'trigger') order by type, name" | md5sum; }
[ -z "$E2E_PGDB" ] && before=$(schema)
"$CTIP" stats cases --by org --no-suppress --format csv >"$T/st0" 2>&1
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
if [ -z "$E2E_PGDB" ]; then
	check "a first load leaves every index and trigger as init made them" test "$(schema)" = "$before"
	check "... the triggers among them" test "$(sql "select count(*) from sqlite_master where type = 'trigger'")" -gt 30
fi
"$CTIP" stats cases --no-suppress --format json >"$T/st1" 2>&1
check "statistics of the empty registry are recomputed after the load" \
	python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['total'] == 2" "$T/st1"
if [ -z "$E2E_PGDB" ]; then
	pid=$(sql "select id from person where src_record_id='BG-R-2'")
	sql "update person set gender = 'Masculine' where id = $pid"
	check "... and a later edit is tracked by the restored triggers" test "$(sql "select count(*) from stats_dirty")" -ge 1
fi
