# ctip import --map: an agency's own spreadsheet (CSV in any separator and encoding, XLSX),
# laid out like seed 000's published list (tests/fixtures/agency_list.*, synthetic people).
. tests/e2e/lib.sh
MAP="$FIX/agency_list.map.json"
"$CTIP" init >/dev/null
head0=$("$CTIP" audit head 2>&1)
[ -z "$E2E_PGDB" ] && sqlite3 "$CTIP_DB" .schema >"$T/schema0"

# --- dry run: how each column is mapped, a sample, nothing written -------------------------
"$CTIP" import --map "$MAP" --dry-run "$FIX/agency_list.csv" >"$T/dry" 2>"$T/dry.err"
rc=$?
check "dry run of the seed-000-like CSV succeeds" test $rc -eq 0
check "... names the separator it detected" contains "$T/dry" "CSV, separator ',' (detected), encoding UTF-8"
check "... shows how NAME is mapped" contains "$T/dry" "NAME                     -> prs_SecondName, prs_MiddleName, prs_FirstName (name split"
check "... shows the century rule of D.O.B" contains "$T/dry" "prs_Birthdate (date DD-MM-YY; years 00-10 are 20xx, 11-99 are 19xx)"
check "... shows a column left out" contains "$T/dry" "NOTE                     -> (left out)"
check "... shows a sample of converted rows" contains "$T/dry" "line 3: src_Organisation=Synthetic Hotline; src_CaseId=synthetic-list-2021#1;"
check "... the address split, the province found in capitals without diacritics" \
	contains "$T/dry" "ctip_MailingCommune=XA AN; prs_MailingCity=HUYEN DIEN CHAU; prs_MailingState=Nghệ An;"
check "... D.O.B 06-04-70 is 1970-04-06 (pivot 10)" contains "$T/dry" "prs_Birthdate=1970-04-06;"
check "... the expiry before issue is flagged in the sample" contains "$T/dry" "[flag: expiry_before_issue]"
check "... and counted" contains "$T/dry" "dry run: 12 rows would be imported (2 with a data-quality flag)"
check "... writes no audit entry" test "$("$CTIP" audit head 2>&1)" = "$head0"
check "... writes no person" test "$(nrecords)" = 0
if [ -z "$E2E_PGDB" ]; then
	sqlite3 "$CTIP_DB" .schema >"$T/schema1"
	check "... and leaves every index and trigger of the empty registry in place" cmp -s "$T/schema0" "$T/schema1"
fi

# --- the import ----------------------------------------------------------------------------
"$CTIP" import --map "$MAP" "$FIX/agency_list.csv" >"$T/imp" 2>&1
rc=$?
check "import of the seed-000-like CSV succeeds" test $rc -eq 0
check "... 12 rows, 2 with a data-quality flag" contains "$T/imp" "imported 12 rows: 12 cases, 12 person records, 2 new organisations, 2 rows with a data-quality flag"
check "... the dry run created neither of them" contains "$T/imp" "new organisation 'Synthetic Hotline'"
check "... the record id from NO with its prefix" test "$(exported '[.cases[].persons[] | select(.src_RecordId == "synthetic-list-2021#7")] | length')" = 1
check "... DD-MM-YY 13-09-05 read with pivot 10 as 2005" test "$(prs 'synthetic-list-2021#7' .prs_Birthdate)" = "2005-09-13"
check "... DD-MM-YY 27-01-99 as 1999" test "$(prs 'synthetic-list-2021#5' .prs_Birthdate)" = "1999-01-27"
check "... the document's expiry 26-01-22 with pivot 50 as 2022" test "$(prs 'synthetic-list-2021#1' '.identity_documents[0].ctip_IdentityExpiryDate')" = "2022-01-26"
check "... province NGHE AN is Nghệ An" test "$(prs 'synthetic-list-2021#1' .prs_MailingState)" = "Nghệ An"
check "... POSITION translated to an industry" test "$(exported '[.cases[].persons[] | select(.vic_ForcedLabourIndustry == "F_Construction")] | length')" = 12
# the flags themselves: the dry run's sample (line 5 is synthetic-list-2021#3) and the
# completeness report's counts below
check "... the expiry before issue kept" test "$(prs 'synthetic-list-2021#3' '.identity_documents[0] | .ctip_IdentityIssueDate + ">" + .ctip_IdentityExpiryDate')" = "2020-07-08>2020-07-07"
check "... (the dry run flagged that record)" sh -c "grep '^  line 5: ' '$T/dry' | grep -F 'src_RecordId=synthetic-list-2021#3;' | grep -qF '[flag: expiry_before_issue]'"
"$CTIP" audit log >"$T/alog" 2>&1
check "... audited with its mapping" test "$(grep -E '^[0-9]+ .* import +.*, mapping .*agency_list.map.json$' "$T/alog" | wc -l)" = 1
"$CTIP" export --format json --identities clear -o "$T/exp.json" 2>/dev/null
check "... commune and district stored from the address column" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for c in d['cases'] for p in c['persons'] if p['src_RecordId'] == 'synthetic-list-2021#1'][0]
assert p['ctip_MailingCommune'] == 'XA AN' and p['prs_MailingCity'] == 'HUYEN DIEN CHAU', p
assert p['prs_SecondName'] == 'PHAM' and p['prs_MiddleName'] == 'VAN' and p['prs_FirstName'] == 'VIET', p
" "$T/exp.json"

"$CTIP" report completeness --year 2021 --no-suppress >"$T/rep" 2>&1
check "the completeness report counts the flagged records" python3 -c "
import sys
t = open(sys.argv[1]).read()
assert '== Data quality: persons in cases imported with a data-quality flag (all years) ==\nvictims: 2' in t, t[-800:]
assert '== Data quality: flag expiry_before_issue (all years) ==\nvictims: 1' in t
assert '== Data quality: flag age_out_of_range (all years) ==\nvictims: 1' in t
" "$T/rep"

# the same file again: refused as a duplicate, like any import
"$CTIP" import --map "$MAP" "$FIX/agency_list.csv" >"$T/again" 2>&1
check "importing the same list twice is refused" test $? -eq 1
check "... naming the row" contains "$T/again" "agency_list.csv:3: src_CaseId: case 'synthetic-list-2021#1'"

# --- the same list as XLSX (dates of birth as date cells, NO as numbers) ---------------------
# record id, birth date, province, documents' issue/expiry: as stored, read back by export
rows() { exported '.cases[].persons[] | [.src_RecordId, .prs_Birthdate, .prs_MailingState, ([.identity_documents // [] | .[] | (.ctip_IdentityIssueDate // "") + "/" + (.ctip_IdentityExpiryDate // "")] | join(","))] | join("|")' | sort; }
rows >"$T/csv.rows"
freshdb
"$CTIP" init >/dev/null
"$CTIP" import --map "$MAP" "$FIX/agency_list.xlsx" >"$T/ximp" 2>&1
rc=$?
check "import of the seed-000-like XLSX succeeds" test $rc -eq 0
check "... 12 rows, 2 flagged" contains "$T/ximp" "imported 12 rows: 12 cases, 12 person records, 2 new organisations, 2 rows with a data-quality flag"
rows >"$T/xlsx.rows"
check "... the same records, dates and provinces as from the CSV" cmp -s "$T/csv.rows" "$T/xlsx.rows"
check "... (12 of them)" test "$(lines "$T/xlsx.rows")" = 12
"$CTIP" import --map "$MAP" --sheet Other --dry-run "$FIX/agency_list.xlsx" >"$T/sheet" 2>&1
check "--sheet names a sheet the workbook lacks: refused" test $? -eq 1
check "... saying so" contains "$T/sheet" "the workbook has no sheet named 'Other'"

# the 1904 date system: the same serial numbers are 1,462 days later
python3 - "$FIX/agency_list.xlsx" "$T/d1904.xlsx" <<'EOF'
import sys, zipfile
zi = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as zo:
    for it in zi.infolist():
        d = zi.read(it.filename)
        if it.filename == "xl/workbook.xml":
            d = d.replace(b"<workbookPr", b"<workbookPr date1904=\"1\"", 1)
        zo.writestr(it.filename, d)
EOF
"$CTIP" import --map "$MAP" --dry-run "$T/d1904.xlsx" >"$T/d1904" 2>&1
check "an XLSX in the 1904 date system: 1970-04-06 becomes 1974-04-07" contains "$T/d1904" "prs_Birthdate=1974-04-07;"

# an XLSX whose header names ctip columns needs no mapping
printf 'src_RecordId,prs_FirstName,prs_Birthdate\nX-1,An,1990-05-01\n' >"$T/plain.csv"
python3 - "$T/plain.xlsx" <<'EOF'
import sys, zipfile
ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
wb = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
sh = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
      '<row r="1"><c r="A1" t="inlineStr"><is><t>src_RecordId</t></is></c><c r="B1" t="inlineStr"><is><t>prs_FirstName</t></is></c><c r="C1" t="inlineStr"><is><t>prs_Birthdate</t></is></c></row>'
      '<row r="2"><c r="A2" t="inlineStr"><is><t>X-1</t></is></c><c r="B2" t="inlineStr"><is><t>An</t></is></c><c r="C2" t="inlineStr"><is><t>1990-05-01</t></is></c></row>'
      '</sheetData></worksheet>')
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("[Content_Types].xml", ct); z.writestr("xl/workbook.xml", wb)
    z.writestr("xl/_rels/workbook.xml.rels", rels); z.writestr("xl/worksheets/sheet1.xml", sh)
EOF
"$CTIP" import --org "Plain Org" "$T/plain.xlsx" >"$T/plainx" 2>&1
check "an XLSX in HTCDS form imports without a mapping" contains "$T/plainx" "imported 1 rows: 1 cases, 1 person records"

# --- separators and encodings (into an empty registry: the dry runs find no duplicate) ------
freshdb
"$CTIP" init >/dev/null
python3 tools/agency_list.py --sep ';' >"$T/semi.csv"
"$CTIP" import --map "$MAP" --dry-run "$T/semi.csv" >"$T/semi" 2>&1
check "a ';'-separated file: the separator is detected and named" contains "$T/semi" "CSV, separator ';' (detected)"
check "... and its 12 rows read" contains "$T/semi" "dry run: 12 rows would be imported"
python3 tools/agency_list.py --sep tab >"$T/tab.csv"
"$CTIP" import --map "$MAP" --dry-run "$T/tab.csv" >"$T/tab" 2>&1
check "a tab-separated file: detected" contains "$T/tab" "CSV, separator tab (detected)"
check "... and its 12 rows read" contains "$T/tab" "dry run: 12 rows would be imported"
"$CTIP" import --org X "$T/semi.csv" >"$T/semi-plain" 2>&1
check "without a mapping, a ';' file is refused naming its separator and the fix" \
	contains "$T/semi-plain" "the file is separated by ';', not ','. Fix: import it through a mapping"

sed 's/PHAM VAN VIET/PHAM VAN VIÊT JOSÉ/' "$FIX/agency_list.csv" | iconv -f UTF-8 -t ISO-8859-1 >"$T/latin1.csv"
"$CTIP" import --map "$MAP" --dry-run "$T/latin1.csv" >"$T/l1" 2>&1
check "a Latin-1 file is refused" test $? -eq 1
check "... naming its encoding and the fix" contains "$T/l1" "latin1.csv:3: not UTF-8 (byte 0xCA); it looks like ISO-8859-1. Fix: add \"encoding\": \"ISO-8859-1\" to the mapping, or convert the file: iconv -f ISO-8859-1 -t UTF-8"
sed 's/"header_row": 2,/"header_row": 2, "encoding": "ISO-8859-1",/' "$MAP" >"$T/l1.map.json"
"$CTIP" import --map "$T/l1.map.json" --dry-run "$T/latin1.csv" >"$T/l1ok" 2>&1
check "... and read when the mapping names the encoding" contains "$T/l1ok" "prs_FirstName=JOSÉ;"
sed 's/PHAM VAN VIET/PHẠM VĂN VIỆT/; s/THO XAY/THỢ XÂY/' "$FIX/agency_list.csv" | iconv -f UTF-8 -t WINDOWS-1258 >"$T/w1258.csv"
"$CTIP" import --map "$MAP" --dry-run "$T/w1258.csv" >"$T/w" 2>&1
check "a Windows-1258 file is named as such" contains "$T/w" "it looks like WINDOWS-1258. Fix: add \"encoding\": \"WINDOWS-1258\""
sed 's/"header_row": 2,/"header_row": 2, "encoding": "WINDOWS-1258",/' "$MAP" >"$T/w.map.json"
"$CTIP" import --map "$T/w.map.json" --dry-run "$T/w1258.csv" >"$T/wok" 2>&1
check "... and read when the mapping names it (tone marks composed)" contains "$T/wok" "prs_SecondName=PHẠM; prs_MiddleName=VĂN; prs_FirstName=VIỆT;"

# --- the century rule, rejected rows, the mapping's own mistakes -------------------------------
sed 's/"pivot": 10/"pivot": 4/' "$MAP" >"$T/p4.map.json"
"$CTIP" import --map "$T/p4.map.json" "$FIX/agency_list.csv" >/dev/null 2>&1
check "pivot 4 reads D.O.B 13-09-05 as 1905-09-13" test "$(prs 'synthetic-list-2021#7' .prs_Birthdate)" = "1905-09-13"
check "... and 03-..-04 years stay 2004 for the documents' pivot 50" test "$(exported '[.cases[].persons[].identity_documents // [] | .[] | select(.ctip_IdentityExpiryDate >= "2020")] | length')" -ge 10
freshdb
"$CTIP" init >/dev/null
python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
del m['columns']['D.O.B']['pivot']
json.dump(m, open(sys.argv[2], 'w'))
" "$MAP" "$T/nopivot.map.json"
"$CTIP" import --map "$T/nopivot.map.json" --dry-run "$FIX/agency_list.csv" >"$T/np" 2>&1
check "DD-MM-YY without a century rule: the mapping is refused" test $? -eq 1
check "... saying what to add" contains "$T/np" "columns.\"D.O.B\": a two-digit year needs a century rule: \"pivot\": N"
python3 - "$FIX/agency_list.csv" "$T/bad.csv" <<'EOF'
import sys
rows = open(sys.argv[1], newline="").read().split("\r\n")
rows[2] = rows[2].replace("06-04-70", "31-02-70")
rows[3] = rows[3].replace("THO XAY", "DRIVER")
rows[4] = rows[4].replace("08-05-88", "08-05-09")  # born 2009, the exploitation began 2021-03: age 11
rows[5] = rows[5].replace("19-06-97", "19-06-07").replace("11-10-19", "11-10-19")
rows[6] = rows[6].replace("XA HUNG - HUYEN HUONG SON - HA TINH", "A - B - C - HA TINH")
open(sys.argv[2], "w", newline="").write("\r\n".join(rows))
EOF
sed 's/"birth_after_exploitation": "reject"/"birth_after_exploitation": "reject"/; s/"min": 18, "max": 65, "action": "flag"/"min": 14, "max": 65, "action": "reject"/' "$MAP" >"$T/rej.map.json"
"$CTIP" import --map "$T/rej.map.json" --dry-run "$T/bad.csv" >"$T/bad.out" 2>"$T/bad.err"
check "a dry run with bad rows fails" test $? -eq 1
check "... lists the bad date as FILE:LINE: column: reason" contains "$T/bad.err" "bad.csv:3: D.O.B: '31-02-70' is not a date written DD-MM-YY"
check "... lists the value not in the mapping" contains "$T/bad.err" "bad.csv:4: POSITION: 'DRIVER' is not among the mapping's values"
check "... rejects the age out of range as the mapping says" contains "$T/bad.err" "bad.csv:5: prs_Birthdate: age 11 at the exploitation, outside 14-65 (the mapping rejects such rows: quality.age_out_of_range)"
check "... rejects an address of four parts" contains "$T/bad.err" "bad.csv:7: PROVINCE: more than three parts separated by '-'"
check "... says nothing was written" contains "$T/bad.out" "rejected (listed on standard error); nothing was written"
sed 's/"expiry_before_issue": "flag"/"expiry_before_issue": "reject"/' "$MAP" >"$T/rexp.map.json"
"$CTIP" import --map "$T/rexp.map.json" --dry-run "$FIX/agency_list.csv" >/dev/null 2>"$T/rexp"
check "an expiry before issue is rejected when the mapping says so" contains "$T/rexp" "agency_list.csv:5: ctip_IdentityExpiryDate: item 1: expiry 2020-07-07 is before ctip_IdentityIssueDate 2020-07-08"
python3 - "$FIX/agency_list.csv" "$T/born.csv" <<'EOF'
import sys
rows = open(sys.argv[1], newline="").read().split("\r\n")
rows[2] = rows[2].replace("06-04-70", "06-04-09").replace(",2", ",2", 1)
open(sys.argv[2], "w", newline="").write("\r\n".join(rows))
EOF
sed 's/"ctip_ExploitationStart": "2021-03"/"ctip_ExploitationStart": "2008-03"/' "$MAP" >"$T/born.map.json"
"$CTIP" import --map "$T/born.map.json" --dry-run "$T/born.csv" >/dev/null 2>"$T/born"
check "a birth after the exploitation began is rejected as the mapping says" contains "$T/born" "born.csv:3: prs_Birthdate: born 2009-04-06, after the exploitation began (2008-03)"

sed 's/"NOTE": null/"NOTES": null/' "$MAP" >"$T/miss.map.json"
"$CTIP" import --map "$T/miss.map.json" --dry-run "$FIX/agency_list.csv" >"$T/miss" 2>&1
check "a header column the mapping does not name is refused, with the fix" contains "$T/miss" "agency_list.csv:2: NOTE: not in the mapping $T/miss.map.json: map it, or add \"NOTE\": null"
check "... and a mapped column the header lacks" contains "$T/miss" "agency_list.csv:2: NOTES: the mapping names this column but the header (row 2) has no such column"
sed 's/"prs_IdentityNumber"/"prs_PassportNo"/' "$MAP" >"$T/col.map.json"
"$CTIP" import --map "$T/col.map.json" "$FIX/agency_list.csv" >"$T/col" 2>&1
check "a mapping naming an unknown ctip column is refused" test $? -eq 1
check "... naming the key" contains "$T/col" "columns.\"PASSPORT NO\": 'prs_PassportNo' is not a ctip column"

# --- malformed and hostile XLSX files: reported, never a crash --------------------------------
head -c 3000 "$FIX/agency_list.xlsx" >"$T/trunc.xlsx"
python3 - "$FIX/agency_list.xlsx" "$T" <<'EOF'
import sys, zipfile
src, d = sys.argv[1], sys.argv[2]
zi = zipfile.ZipFile(src)
def rewrite(out, fn):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for it in zi.infolist():
            zo.writestr(it.filename, fn(it.filename, zi.read(it.filename)))
rewrite(d + "/badxml.xlsx", lambda n, b: b.replace(b"</row>", b"</rowx>", 3) if n.endswith("sheet1.xml") else b)
rewrite(d + "/doctype.xlsx", lambda n, b: b.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>', 1) if n.endswith("sheet1.xml") else b)
rewrite(d + "/badsst.xlsx", lambda n, b: b.replace(b"<v>3</v>", b"<v>99999</v>", 1) if n.endswith("sheet1.xml") else b)
# a shared-strings bomb: about 290 MiB once uncompressed, under 1 MiB compressed
with zipfile.ZipFile(d + "/bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as zo:
    for it in zi.infolist():
        if it.filename == "xl/sharedStrings.xml":
            with zo.open(it.filename, "w", force_zip64=True) as w:
                w.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                si = b"<si><t>" + b"A" * 1000 + b"</t></si>"
                for i in range(300000):
                    w.write(si)
                w.write(b"</sst>")
        else:
            zo.writestr(it.filename, zi.read(it.filename))
# the same bomb declaring a size of 1,000 bytes: refused by what is read, not what is declared
with zipfile.ZipFile(d + "/liar.xlsx", "w", zipfile.ZIP_DEFLATED) as zo:
    for it in zi.infolist():
        if it.filename == "xl/sharedStrings.xml":
            with zo.open(it.filename, "w") as w:
                w.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                si = b"<si><t>" + b"A" * 1000 + b"</t></si>"
                for i in range(300000):
                    w.write(si)
                w.write(b"</sst>")
        else:
            zo.writestr(it.filename, zi.read(it.filename))
import struct
b = bytearray(open(d + "/liar.xlsx", "rb").read())
name = b"xl/sharedStrings.xml"
for sig, size_at, name_len_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):
    i = b.find(sig)
    while i >= 0:
        nl = struct.unpack_from("<H", b, i + name_len_at)[0]
        if b[i + name_at:i + name_at + nl] == name:
            struct.pack_into("<I", b, i + size_at, 1000)
        i = b.find(sig, i + 4)
open(d + "/liar.xlsx", "wb").write(b)
EOF
for f in trunc badxml doctype badsst bomb liar; do
	"$CTIP" import --map "$MAP" "$T/$f.xlsx" >"$T/$f.out" 2>&1
	echo $? >"$T/$f.rc"
done
check "a truncated XLSX is refused (exit 1, no crash)" test "$(cat "$T/trunc.rc")" = 1
check "... saying it is not a readable XLSX file" contains "$T/trunc.out" "trunc.xlsx: not a readable XLSX file"
check "an XLSX with bad XML is refused (exit 1)" test "$(cat "$T/badxml.rc")" = 1
check "... naming the part and the XML error" contains "$T/badxml.out" "xl/worksheets/sheet1.xml: malformed XML at line 2, after row 1: mismatched tag"
check "an XLSX with a DTD (entity expansion) is refused" contains "$T/doctype.out" "a document type declaration (refused: XLSX parts have none)"
check "a cell naming a shared string that does not exist is refused" contains "$T/badsst.out" "a cell refers to a shared string that does not exist"
check "a shared-strings zip bomb is refused with its limit" contains "$T/bomb.out" "xl/sharedStrings.xml is 290 MiB once uncompressed, more than the 256 MiB allowed"
check "... exit 1" test "$(cat "$T/bomb.rc")" = 1
check "a bomb that lies about its size is refused by what it holds" grep -qE "the shared strings take more memory than allowed|more than the 256 MiB allowed" "$T/liar.out"
check "... exit 1" test "$(cat "$T/liar.rc")" = 1
check "nothing was written by any of them" test "$(nrecords)" = 0
