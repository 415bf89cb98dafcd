# ctip figures: the ledger of published figures and its contradictions (issue 4, item 5).
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" figures import data/figures/vietnam.csv >"$T/imp" 2>&1
check "the shipped ledger of Vietnam imports" contains "$T/imp" "figures imported"
"$CTIP" figures check --format json >"$T/c.json"
check "figures check --format json is JSON with findings" test "$(jq '.findings | length > 0' "$T/c.json")" = "true"
# 002: sentences for 221 defendants among 225 tried
check "002: the sentence bands (221) do not add up to the 225 defendants tried" \
	test "$(jq '[.findings[] | select(.kind == "sum" and .measure == "defendants_tried" and .period == "2023" and .total == 225 and .sum_of_parts == 221)] | length' "$T/c.json")" = "1"
check "... cited by document and line" \
	test "$(jq -r '.findings[] | select(.kind == "sum" and .measure == "defendants_tried") | .figures[0].citation' "$T/c.json")" = "seeds/002_34ba50477f94f037.txt line 1272"
# 001: 670 victims identified in 2017 in one passage, 500 in another
check "001: 670 and 500 victims identified in 2017 are reported as a conflict" \
	test "$(jq -c '[.findings[] | select(.kind == "conflict" and .measure == "victims_identified" and .period == "2017") | .figures[].value] | sort' "$T/c.json")" = "[500,670]"
check "... each with its citation" \
	test "$(jq -r '[.findings[] | select(.kind == "conflict" and .measure == "victims_identified" and .period == "2017") | .figures[].citation] | join("|")' "$T/c.json")" = \
	"seeds/001_53c18e256a1a2a35.txt line 1655 (TIP 2019 p. 500)|seeds/001_53c18e256a1a2a35.txt line 2749 (TIP 2019 p. 500)"
check "parts that add up raise nothing (311 = 116 + 195)" \
	test "$(jq '[.findings[] | select(.measure == "victims_identified" and .period == "2023")] | length' "$T/c.json")" = "0"
check "an \"of which\" part under its total raises nothing" \
	test "$(jq '[.findings[] | select(.measure == "cases_investigated")] | length' "$T/c.json")" = "0"
"$CTIP" figures check >"$T/c.txt"
check "the terminal listing names the contradiction" contains "$T/c.txt" "the parts by sentence add up to 221, the total given is 225"

# importing again replaces, not duplicates
"$CTIP" figures import data/figures/vietnam.csv >/dev/null 2>&1
# nfigures: the figures in the ledger, as figures check lists them
nfigures() { "$CTIP" figures check --format json | jq '.figures | length'; }
check "a second import replaces the same figures" test "$(nfigures)" = "$(($(lines data/figures/vietnam.csv) - 1))"

# the registry: a published figure that differs from what the records say
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
yr=$(exported '[.cases[].ctip_CaseOpenedDate | select(. != null)] | sort | .[0][0:4]')
printf 'source,citation,published,measure,period,breakdown,value\nTest ministry,test line 3,2024,victims_detected,%s,,999\n' "$yr" >"$T/reg2.csv"
"$CTIP" figures import "$T/reg2.csv" >/dev/null 2>&1
"$CTIP" figures check --format json >"$T/r.json"
check "a published figure the registry computes differently is reported" \
	test "$(jq --arg y "$yr" '[.findings[] | select(.kind == "registry" and .measure == "victims_detected" and .period == $y and .registry != 999)] | length' "$T/r.json")" = "1"

# bad files: nothing imported, FILE:LINE: column: reason
before=$(nfigures)
printf 'source,citation,published,measure,period,breakdown,value\nA,b,2024,victims,2023,,12\nA,b,2024,victims,2023,,1.5\n' >"$T/bad.csv"
"$CTIP" figures import "$T/bad.csv" >"$T/bad.out" 2>&1
check "a bad value is refused with file, line and column" contains "$T/bad.out" "bad.csv:3: value:"
check "... and nothing is imported" test "$(nfigures)" = "$before"
printf 'source,citation,measure,period,value\n' >"$T/bad2.csv"
"$CTIP" figures import "$T/bad2.csv" >"$T/bad2.out" 2>&1
check "a missing column is named" contains "$T/bad2.out" "published: missing column"
printf 'source,citation,published,measure,period,breakdown,value\nA,b,2024,Victims Identified,2023,,12\n' >"$T/bad3.csv"
"$CTIP" figures import "$T/bad3.csv" >"$T/bad3.out" 2>&1
check "a measure that is not a name is refused" contains "$T/bad3.out" "measure:"
printf 'source,citation,published,measure,period,breakdown,value\nA,b,2024,victims,23,,12\n' >"$T/bad4.csv"
"$CTIP" figures import "$T/bad4.csv" >"$T/bad4.out" 2>&1
check "a period that is not a period is refused" contains "$T/bad4.out" "period:"
