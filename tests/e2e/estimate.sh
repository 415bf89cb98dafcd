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
