# ctip estimate (issue 13): multiple systems estimation from capture histories.
. tests/e2e/lib.sh
UK="$FIX/mse/UKdat_5.csv"

"$CTIP" estimate --histories "$UK" --bootstrap 200 --seed 3 >"$T/t.txt" 2>"$T/t.err"
check "UKdat_5: SparseMSE's point estimate 11,313" contains "$T/t.txt" "11,313"
check "... with SparseMSE's interactions in its order" \
	contains "$T/t.txt" "LA:NG NG:GP PFNCA:GP LA:PFNCA GO:GP NG:GO"
check "... fitted against observed counts and the dark figure" contains "$T/t.txt" "(no list: the dark figure)"
check "... the pair with no overlap is named" contains "$T/t.txt" "no overlap: LA:GP"

"$CTIP" estimate --histories "$UK" --bootstrap 200 --seed 3 --format json >"$T/e.json"
check "JSON: the estimate" test "$(jq '.estimates[0].methods[0].estimate | round' "$T/e.json")" = "11313"
check "JSON: the BCa interval holds the estimate" \
	test "$(jq '.estimates[0].methods[0].interval | .lower < 11313 and .upper > 11313 and .replicates == 200' "$T/e.json")" = "true"
check "JSON: the normal interval is SparseMSE's (9,884.4 - 13,027.4)" \
	test "$(jq -c '.estimates[0].methods[0].normal_interval | [(.lower | round), (.upper | round)]' "$T/e.json")" = "[9884,13027]"
check "JSON: 31 fitted cells, 2,744 observed" \
	test "$(jq -r '[(.estimates[0].methods[0].fitted | length), .estimates[0].observed] | @csv' "$T/e.json")" = "31,2744"
check "JSON: provenance" test "$(jq -r '.provenance.source' "$T/e.json")" = "capture histories file"

"$CTIP" estimate --histories "$UK" --bootstrap 200 --seed 3 --format csv >"$T/e.csv"
check "CSV: a header and one row per method" test "$(lines "$T/e.csv")" = "2"
check "CSV: the same interval as JSON (same seed)" \
	contains "$T/e.csv" "$(jq -r '.estimates[0].methods[0].interval | "\(.lower * 10 | round / 10),\(.upper * 10 | round / 10)"' "$T/e.json")"
"$CTIP" estimate --histories "$UK" --bootstrap 0 --format html -o "$T/e.html"
check "HTML: a page with the estimate" contains "$T/e.html" "<td>11,313</td>"

# the other published data sets: the point estimates of MultipleSystemsEstimation's tests
for d in Western:2483 NewOrl:1184 NewOrl_5:1034; do
	"$CTIP" estimate --histories "$FIX/mse/${d%%:*}.csv" --bootstrap 0 --format json >"$T/p.json"
	check "${d%%:*}: the published stepwise estimate ${d##*:}" \
		test "$(jq '.estimates[0].methods[0].estimate | round' "$T/p.json")" = "${d##*:}"
done

# --method all: the three methods side by side
"$CTIP" estimate --histories "$UK" --method all --bootstrap 50 --iterations 2000 --format json >"$T/all.json"
check "--method all: stepwise, bic and lcm" \
	test "$(jq -c '[.estimates[0].methods[].method]' "$T/all.json")" = '["stepwise","bic","lcm"]'
check "--method all: each with an estimate and an interval around it" \
	test "$(jq '[.estimates[0].methods[] | .interval.lower < .estimate and .estimate < .interval.upper] | all' "$T/all.json")" = "true"
check "lcm: posterior quantiles over 1,600 kept samples" \
	test "$(jq '.estimates[0].methods[2] | .interval.method == "posterior quantiles" and .samples == 1600' "$T/all.json")" = "true"
"$CTIP" estimate --histories "$FIX/mse/Korea.csv" --method bic --bootstrap 0 --format json >"$T/k.json"
check "bic on Korea: MultipleSystemsEstimation's [12,23], 157.17" \
	test "$(jq -c '.estimates[0].methods[0] | [.interactions, (.estimate * 100 | round)]' "$T/k.json")" = '[["b:c","c:d"],15717]'

# the same seed gives the same interval with any number of threads
"$CTIP" estimate --histories "$UK" --bootstrap 100 --seed 9 --threads 1 --format csv >"$T/a.csv"
"$CTIP" estimate --histories "$UK" --bootstrap 100 --seed 9 --threads 2 --format csv >"$T/b.csv"
check "the interval does not depend on the thread count" cmp -s "$T/a.csv" "$T/b.csv"

# too few persons: a reason instead of a number
printf 'A,B,C,count\n1,0,0,4\n0,1,0,3\n1,1,0,2\n0,0,1,1\n' >"$T/few.csv"
"$CTIP" estimate --histories "$T/few.csv" >"$T/few.txt"
check "too few persons: no estimate, and why" contains "$T/few.txt" "too few persons to estimate: 10 observed"

# a list overlapping no other list is left out, and said so
printf 'police,ngo,shelter,count\n1,0,0,80\n0,1,0,60\n1,1,0,20\n0,0,1,15\n' >"$T/iso.csv"
"$CTIP" estimate --histories "$T/iso.csv" --bootstrap 0 --format json >"$T/iso.json"
check "a list overlapping no other: left out with a warning" \
	test "$(jq '[.estimates[0].warnings[] | select(test("shelter overlaps no other list"))] | length' "$T/iso.json")" = "1"
check "... the estimate from the other two (100 x 80 / 20)" \
	test "$(jq '.estimates[0].methods[0].estimate | round' "$T/iso.json")" = "400"

# bad input: the file, line and field, nothing written
printf 'A,B,count\n1,0,5\n1,x,3\n' >"$T/bad.csv"
"$CTIP" estimate --histories "$T/bad.csv" -o "$T/out.json" 2>"$T/bad.err"
check "a bad cell: an error with file, line and list" contains "$T/bad.err" "bad.csv:3: B: 'x' is not 0 or 1"
check "... and no output file" test ! -e "$T/out.json"
"$CTIP" estimate --histories "$T/none.csv" 2>"$T/none.err"
check "a missing file: says so" contains "$T/none.err" "cannot open"
"$CTIP" estimate --histories "$UK" --method nonsense 2>"$T/m.err"
check "an unknown method is refused" contains "$T/m.err" "--method stepwise, bic, lcm or all"
"$CTIP" estimate --histories "$UK" --bootstrap -5 2>"$T/b.err"
check "a negative bootstrap is refused" contains "$T/b.err" "--bootstrap: a number"
"$CTIP" estimate --histories "$UK" --year 2023 2>"$T/y.err"
check "--histories with registry options is refused" contains "$T/y.err" "are for the registry"

# --- from the registry: linked victims, one list per organisation type -------------------
"$CTIP" init >/dev/null
"$CTIP" demo generate --persons 1500 --seed 11 -o "$T/demo.csv" >/dev/null 2>&1
"$CTIP" import "$T/demo.csv" >/dev/null 2>&1
"$CTIP" estimate --bootstrap 0 >"$T/r0.txt" 2>&1
check "before linkage: records are persons of their own (and an estimate is made)" contains "$T/r0.txt" "Persons observed"
"$CTIP" link run >/dev/null 2>&1
"$CTIP" estimate --bootstrap 20 --sensitivity --format json >"$T/r.json" 2>"$T/r.err"
"$CTIP" stats victims --by year --no-suppress --format json >"$T/s.json" 2>/dev/null
check "registry: the persons observed are the victims ctip stats counts" \
	test "$(jq '.estimates[0].observed' "$T/r.json")" = "$(jq '.total' "$T/s.json")"
check "registry: an estimate above the number observed" \
	test "$(jq '.estimates[0] | .methods[0].estimate > .observed' "$T/r.json")" = "true"
check "registry: provenance names the linkage run and its threshold" \
	test "$(jq '.provenance.linkage | has("threshold") and .run == "the last `ctip link run`"' "$T/r.json")" = "true"
check "registry: provenance counts records and persons" \
	test "$(jq '.provenance | .records > .persons and .persons > 0' "$T/r.json")" = "true"
check "registry: sensitivity at the lower end of the review band" \
	test "$(jq '.estimates[0].linkage_sensitivity | .review_min == 0.5 and .observed_at_review_min < .observed_at_threshold and .at_review_min > 0' "$T/r.json")" = "true"
check "registry: lists too small are left out, and said so" \
	test "$(jq '[.estimates[0].warnings[] | select(test("is too small"))] | length > 0' "$T/r.json")" = "true"
"$CTIP" audit log >"$T/audit.txt" 2>&1
check "registry: the estimate is audited" contains "$T/audit.txt" "estimate      victims    lists=org_type"

"$CTIP" estimate --bootstrap 0 --by gender,age_group --format csv >"$T/by.csv"
check "--by: one row per stratum" test "$(lines "$T/by.csv")" -gt 4
check "--by: a stratum with too few persons gets the reason, not a number" contains "$T/by.csv" "too few persons to estimate"
"$CTIP" estimate --bootstrap 0 --by year --year 2024 --format json >"$T/y.json"
check "--year with --by year: one stratum, 2024" test "$(jq -c '[.estimates[].stratum]' "$T/y.json")" = '["year=2024"]'
"$CTIP" estimate --bootstrap 0 --by name 2>"$T/byerr"
check "--by an unknown dimension is refused" contains "$T/byerr" "is not a dimension of victims"
"$CTIP" estimate --lists org 2>"$T/org.err"
check "--lists org with more than 10 organisations: refused with the way out" contains "$T/org.err" "with --lists FILE"
printf 'organisation,list\n' >"$T/map.csv"
exported '[.cases[].src_Organisation] | unique | .[]' >"$T/orgs"
head -4 "$T/orgs" | awk '{print "\"" $0 "\",group" (NR % 2)}' >>"$T/map.csv"
sed -n 5,7p "$T/orgs" | awk '{print "\"" $0 "\",group2"}' >>"$T/map.csv"
"$CTIP" estimate --lists "$T/map.csv" --bootstrap 0 --format json >"$T/m.json" 2>"$T/m.err"
check "--lists FILE: the groups of the file are the lists" \
	test "$(jq -c '[.estimates[0].lists[].name] | sort' "$T/m.json")" = '["group0","group1","group2"]'
check "--lists FILE: records of organisations on no list are counted in the provenance" \
	test "$(jq '.provenance.records_of_organisations_on_no_list > 0' "$T/m.json")" = "true"

# --- a simulated population of known size: only the detected are written -----------------
"$CTIP" demo generate --population 4000 --lists 4 --seed 2 -o "$T/pop.csv" --truth "$T/pop.truth" 2>"$T/pop.err"
check "demo generate --population: the true total in the truth file" \
	test "$(sed -n 1p "$T/pop.truth" | cut -d' ' -f2)" = "population=4000"
check "... and fewer persons detected than the population" \
	test "$(tail -n +3 "$T/pop.truth" | cut -d, -f3 | sort -u | wc -l)" -lt 4000
"$CTIP" demo generate --population 4000 --lists 12 -o "$T/bad.csv" 2>"$T/pop12.err"
check "demo generate --population: more than 10 agencies refused" contains "$T/pop12.err" "--lists: from 2 to 10"
export CTIP_DB="$T/pop.db"
"$CTIP" init >/dev/null
"$CTIP" import "$T/pop.csv" >/dev/null 2>&1
# the annual report's dark figure (lib/report/report_estimate.c): a warning, not a number, before linkage
"$CTIP" report annual --year 2024 --format json >"$T/an0.json"
check "annual report before linkage: the dark figure says why there is no estimate" \
	test "$(jq '[.sections[] | select(.title | startswith("The dark figure")) | .dark_figure | (has("estimate") | not) and (.warnings[0] | test("linkage never ran"))] == [true]' "$T/an0.json")" = "true"
"$CTIP" link run >/dev/null 2>&1
"$CTIP" estimate --bootstrap 100 --format json >"$T/pop.json"
"$CTIP" estimate --year 2024 --method stepwise --bootstrap 200 --seed 20250101 --format json >"$T/an.est.json"
"$CTIP" report annual --year 2024 --format json >"$T/an.json"
check "annual report: the dark figure is ctip estimate's stepwise estimate (200 BCa, fixed seed)" \
	test "$(jq --slurpfile x "$T/an.est.json" '[.sections[] | select(.title | startswith("The dark figure")) | .dark_figure | (.estimate | tonumber) == ($x[0].estimates[0].methods[0].estimate | round) and (.interval | test("^[0-9]+ to [0-9]+ .*200 replicates")) and (.model | startswith("stepwise")) and (.observed | startswith(($x[0].estimates[0].observed | tostring) + " persons"))] == [true]' "$T/an.json")" = "true"
for f in table csv html; do
	"$CTIP" report annual --year 2024 --format $f >"$T/an.$f"
	check "annual report ($f): the dark figure with estimate, interval and model" \
		sh -c "grep -q 'The dark figure' '$T/an.$f' && grep -q 'BCa bootstrap, 200 replicates' '$T/an.$f' && grep -q 'stepwise log-linear' '$T/an.$f'"
done
"$CTIP" report annual --year 2024 --format xlsx -o "$T/an.xlsx"
check "annual report (xlsx): the dark figure with its estimate" \
	sh -c "unzip -p '$T/an.xlsx' xl/sharedStrings.xml | grep -q 'The dark figure' && unzip -p '$T/an.xlsx' xl/sharedStrings.xml | grep -q 'BCa bootstrap, 200 replicates'"
"$CTIP" report annual --year 2023 --format json >"$T/an23.json"
check "annual report of a year without victims: a warning instead of a number" \
	test "$(jq '[.sections[] | .dark_figure | select(. != null) | (has("estimate") | not) and (.warnings[0] | test("no victims"))] == [true]' "$T/an23.json")" = "true"
det=$(tail -n +3 "$T/pop.truth" | cut -d, -f3 | sort -u | wc -l)
check "the population: linkage finds the persons detected (within 1 %)" \
	test "$(jq --argjson d "$det" '(.estimates[0].observed - $d) | fabs <= $d / 100' "$T/pop.json")" = "true"
check "the population: four lists, an estimate above the persons observed" \
	test "$(jq '.estimates[0] | (.lists | length) == 4 and .methods[0].estimate > .observed' "$T/pop.json")" = "true"

# --- hostile input ---------------------------------------------------------------------------
export CTIP_DB="$T/ctip.db"
printf '"<script>alert(1)</script>",B,C,count\n1,0,0,30\n0,1,0,40\n1,1,0,10\n0,0,1,20\n1,0,1,5\n0,1,1,6\n1,1,1,2\n' >"$T/xss.csv"
"$CTIP" estimate --histories "$T/xss.csv" --bootstrap 0 --format html -o "$T/xss.html"
check "HTML: a list name is escaped, never markup" lacks "$T/xss.html" "<script>"
check "... and shown escaped" contains "$T/xss.html" "&lt;script&gt;"
printf 'A,B,C,D,E,F,G,H,I,J,K,count\n1,0,0,0,0,0,0,0,0,0,0,5\n' >"$T/wide.csv"
"$CTIP" estimate --histories "$T/wide.csv" 2>"$T/wide.err"
check "more than 10 lists: refused with the limit" contains "$T/wide.err" "expected 2 to 10 lists"
printf 'A,B,count\n1,0,99999999999999999999\n' >"$T/huge.csv"
"$CTIP" estimate --histories "$T/huge.csv" 2>"$T/huge.err"
check "an absurd count: refused" contains "$T/huge.err" "is not a whole number of persons"
printf 'A,B,count\n1,0,5\n1,0\n' >"$T/short.csv"
"$CTIP" estimate --histories "$T/short.csv" 2>"$T/short.err"
check "a short row: refused with its line" contains "$T/short.err" "short.csv:3"
"$CTIP" estimate --histories "$UK" --bootstrap 1000000 2>"$T/boot.err"
check "an absurd number of replicates: refused" contains "$T/boot.err" "--bootstrap: a number from 0 to 100000"
printf 'only-one-field\n' >"$T/map1.csv"
"$CTIP" estimate --lists "$T/map1.csv" 2>"$T/map1.err"
check "--lists FILE of the wrong shape: refused with its line" contains "$T/map1.err" "map1.csv:1: expected two fields: organisation,list"
