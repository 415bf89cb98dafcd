# ctip report annual|tip|completeness: every format, provenance, suppression, figures that
# agree with ctip stats.
. tests/e2e/lib.sh
"$CTIP" demo generate --persons 3000 --seed 9 -o "$T/d.csv" 2>/dev/null
"$CTIP" init >/dev/null
"$CTIP" import "$T/d.csv" >/dev/null 2>&1
Y=2024
for r in annual tip completeness; do
	"$CTIP" report $r --year $Y >"$T/$r.txt" 2>&1
	check "report $r: terminal table" test $? -eq 0 -a -s "$T/$r.txt"
	check "report $r: provenance line" grep -q "^computed .* by ctip .* data version" "$T/$r.txt"
	"$CTIP" report $r --year $Y --format json >"$T/$r.json"
	check "report $r: JSON with sections and provenance" \
		test "$(jq '(.sections | length > 0) and (.provenance | has("computed_at") and has("records") and has("ctip_version"))' "$T/$r.json")" = "true"
	"$CTIP" report $r --year $Y --format csv -o "$T/$r.csv"
	check "report $r: CSV file" grep -q "^# computed" "$T/$r.csv"
	"$CTIP" report $r --year $Y --format html -o "$T/$r.html"
	check "report $r: one HTML file" grep -q "</html>" "$T/$r.html"
	check "report $r: self-contained (no external resource)" \
		test "$(grep -cE '(src|href)="(https?:)?//' "$T/$r.html")" = "0"
	"$CTIP" report $r --year $Y --format xlsx -o "$T/$r.xlsx"
	check "report $r: XLSX workbook (a zip with a workbook part)" \
		sh -c "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); sys.exit(0 if 'xl/workbook.xml' in z.namelist() and len([n for n in z.namelist() if n.startswith('xl/worksheets/')])>1 else 1)\" '$T/$r.xlsx'"
done
check "annual: SVG bar chart" grep -q 'class="bar' "$T/annual.html"
check "annual: SVG time series" grep -q '<polyline class="line"' "$T/annual.html"
check "annual: SVG origin-to-destination flow" grep -q 'class="flow"' "$T/annual.html"
check "annual: print rules for PDF" grep -q '@media print' "$T/annual.html"
check "annual: withheld cells drawn as x, not as values" grep -q '<td class="x">x</td>' "$T/annual.html"

# the report's figures are the same as ctip stats gives
a=$(jq '.sections[] | select(.title == "Victims by sex") | .table.total' "$T/annual.json")
b=$("$CTIP" stats victims --by gender --year $Y --format json | jq .total)
check "annual victims by sex equals ctip stats victims --by gender --year" test "$a" = "$b"
c=$(jq '.sections[] | select(.title | startswith("Cases by year")) | .table.total' "$T/annual.json")
check "the series over every year counts every case" test "$c" = "$(ncases)"
check "annual: no published count under 5 except 0" \
	test "$(jq '[.sections[].table | select(. != null) | (.rows[], .margins[]) | select(.count != null and .count > 0 and .count < 5)] | length' "$T/annual.json")" = "0"
# tables that share cells withhold the same ones: a 1-D table is the margin of the 2-D one
one=$(jq -c '[.sections[] | select(.title == "Offenders (defendants) by stage of proceedings") | .table.rows[] | [.stage, .count == null]] | sort' "$T/annual.json")
two=$(jq -c '[.sections[] | select(.title == "Offenders by article and stage") | .table.margins[] | select(has("article") | not) | [.stage, .count == null]] | sort' "$T/annual.json")
check "a table and the margin of another withhold the same cells" test "$one" = "$two"
one=$(jq -c '[.sections[] | select(.title == "Victims by sex") | .table.rows[] | [.gender, .count == null]] | sort' "$T/annual.json")
two=$(jq -c '[.sections[] | select(.title == "Victims by sex and age group") | .table.margins[] | select(has("age_group") | not) | [.gender, .count == null]] | sort' "$T/annual.json")
check "... victims by sex and the sex margin of sex by age group" test "$one" = "$two"
"$CTIP" report annual --year $Y --no-suppress --format json >"$T/raw.json"
check "--no-suppress: no null count" \
	test "$(jq '[.sections[].table | select(. != null) | .rows[] | select(.count == null)] | length' "$T/raw.json")" = "0"
check "completeness: a share per organisation and dimension" \
	test "$(jq '.sections[0].unknown_share[0] | has("gender") and has("age_group")' "$T/completeness.json")" = "true"
"$CTIP" report annual >/dev/null 2>&1
check "a report without --year is refused" test $? -eq 2
"$CTIP" report weekly --year 2024 >/dev/null 2>&1
check "an unknown report is refused" test $? -eq 2
"$CTIP" report annual --year 2024 --format xlsx >/dev/null 2>&1
check "xlsx without -o is refused" test $? -eq 2

# what the issue asks of the annual report: cases, offenders and victims by stage; offenders
# by sex; sentence bands by their names; hotlines alone in the hotline table
titles=$(jq -r '.sections[].title' "$T/annual.json")
check "annual: victims by stage of their cases' proceedings" \
	test "$(jq '[.sections[] | select(.title | startswith("Victims by stage"))] | length' "$T/annual.json")" = 1
check "annual: offenders by sex" \
	test "$(jq '[.sections[] | select(.title | startswith("Offenders (defendants) by sex")) | .table.rows[].gender] | length > 1' "$T/annual.json")" = true
# the hotlines that have cases (read back by export)
hot=$(exported '[.cases[] | select(.org_Type == "Hotline") | .src_Organisation] | unique | length')
check "annual: the hotline table lists hotlines (and Unknown), not every organisation at 0" \
	test "$(jq '[.sections[] | select(.title | startswith("Hotline")) | .table.rows[]] | length' "$T/raw.json")" -le "$((hot + 1))"
check "... with the hotline's cases" \
	test "$(jq '[.sections[] | select(.title | startswith("Hotline")) | .table.total] | .[0]' "$T/raw.json")" = \
	"$(exported "[.cases[] | select(.org_Type == \"Hotline\" and (.ctip_CaseOpenedDate // \"\" | startswith(\"$Y\")))] | length")"
check "... and says the others are not listed" \
	test "$(jq -r '[.sections[] | select(.title | startswith("Hotline")) | .table.notes] | .[0]' "$T/raw.json" | grep -c 'values of org with no cases are not listed')" = 1
check "annual HTML: sentence bands by name" contains "$T/annual.html" "Prison 7 to 15 years"
check "annual HTML: a label too long for the chart is cut, whole in its tooltip" \
	grep -q '<title>Forced criminality, e.g. online scam compounds, cannabis farms (ctip extension, not an HTCDS value)</title>Forced criminality, e.g. online scam compound…' "$T/annual.html"
check "annual: persons re-trafficked with the victims' tables, before the series over every year" \
	test "$(printf '%s\n' "$titles" | grep -n -e '^Persons re-trafficked' -e '^Victims by year' | cut -d: -f2 | cut -c1-7 | tr '\n' ' ')" = "Persons Victims "
