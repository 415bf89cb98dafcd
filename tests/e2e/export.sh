# ctip export: export, import into an empty database, export again gives identical output.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
"$CTIP" demo generate --persons 300 --seed 7 -o "$T/demo.csv" 2>/dev/null
"$CTIP" import "$T/demo.csv" >/dev/null 2>&1
check "demo data imports" test "$(nrecords)" -ge 304
for fmt in csv json; do
	"$CTIP" export --format $fmt --identities clear -o "$T/e1.$fmt" 2>/dev/null
	check "$fmt export written" test -s "$T/e1.$fmt"
	CTIP_DB="$T/fresh-$fmt.db" "$CTIP" init >/dev/null
	CTIP_DB="$T/fresh-$fmt.db" "$CTIP" import "$T/e1.$fmt" >"$T/imp-$fmt" 2>&1
	check "$fmt export imports into an empty database" test $? -eq 0
	CTIP_DB="$T/fresh-$fmt.db" "$CTIP" export --format $fmt --identities clear -o "$T/e2.$fmt" 2>/dev/null
	check "$fmt export -> import -> export is identical" cmp -s "$T/e1.$fmt" "$T/e2.$fmt"
done
check "CSV export has one row per person in a case, plus the header" \
	test "$(nrecords)" -eq "$(($(python3 -c "import csv,sys;print(sum(1 for _ in csv.reader(open(sys.argv[1]))))" "$T/e1.csv") - 1))"
"$CTIP" export --format json --identities clear >"$T/stdout.json" 2>/dev/null
check "export without -o writes to standard output" cmp -s "$T/e1.json" "$T/stdout.json"
check "JSON export is valid JSON" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['cases']" "$T/e1.json"
"$CTIP" export --format xml >/dev/null 2>&1
check "an unknown format is refused" test $? -ne 0
