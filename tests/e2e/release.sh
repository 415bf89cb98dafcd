# ctip release: k-anonymous microdata (the adversary's checks: no class of quasi-identifiers under
# k, a planted unique person absent), the ledger (hash, audit, reproduce, budget refusal),
# protected tables, and bad input.
. tests/e2e/lib.sh
"$CTIP" demo generate --persons 3000 --seed 5 -o "$T/d.csv" 2>/dev/null
"$CTIP" init >/dev/null
"$CTIP" import "$T/d.csv" >/dev/null 2>&1
# a synthetic person with a rare combination: transgender, 69, Icelandic, exploited in Iceland
"$CTIP" import "$FIX/release_planted.csv" >/dev/null 2>&1

# qi_min FILE COLS: the size of the smallest class of the columns COLS (cut -f list; all: -)
qi_min() {
	tail -n +2 "$1" | cut -d, -f"$2" | sort | uniq -c | sort -n | head -1 | awk '{print $1}'
}

"$CTIP" release microdata --k 11 --seed 7 -o "$T/m.csv" >"$T/m.out" 2>&1
check "microdata: written" test -s "$T/m.csv"
check "microdata: CTDC's columns" \
	grep -q '^yearOfRegistration,gender,ageBroad,majorityStatus,citizenship,CountryOfExploitation,' "$T/m.csv"
check "adversary: every combination of all columns (all quasi-identifiers) holds >= 11 records" \
	test "$(qi_min "$T/m.csv" 1-)" -ge 11
check "adversary: the planted person's citizenship is nowhere" lacks "$T/m.csv" ",IS,"
check "adversary: nor their gender" lacks "$T/m.csv" "Trans/"
check "adversary: no name, number or record id of the registry in the file" \
	sh -c "! grep -qiE 'Zzplanted|PLANT-|CALL-[0-9]' '$T/m.csv'"
check "the report: records and cells suppressed, levels, loss, the three risks" \
	sh -c "grep -q 'records suppressed' '$T/m.out' && grep -q 'cells suppressed' '$T/m.out' &&
	       grep -q 'levels chosen' '$T/m.out' && grep -q 'information loss' '$T/m.out' &&
	       grep -q 'prosecutor risk' '$T/m.out' && grep -q 'journalist risk' '$T/m.out' &&
	       grep -q 'marketer risk' '$T/m.out'"
check "prosecutor risk at most 1/k" \
	awk '/prosecutor risk/ {exit !($4 + 0 <= 0.0910)}' "$T/m.out"
persons=$(awk '/persons in scope/ {print $4}' "$T/m.out")
released=$(($(lines "$T/m.csv") - 1))
# the victims ctip stats counts with any status but "not a victim of trafficking"
victims=$("$CTIP" stats victims --where trafficking_status=PossibleVictimOfTrafficking \
	--where trafficking_status=ActualVictimOfTrafficking --where trafficking_status=Unknown \
	--no-suppress --format json | jq .total)
check "one record per person in scope (not per case)" test "$persons" = "$victims"
check "records released + suppressed = persons" \
	test $((released + $(awk '/records suppressed/ {print $3}' "$T/m.out"))) = "$persons"

# quasi-identifiers named: classes of those columns only (year, gender, ageBroad, majority)
"$CTIP" release microdata --k 20 --quasi yearOfRegistration,gender,ageBroad --seed 1 -o "$T/q.csv" >/dev/null 2>&1
check "--quasi: every class of the named columns holds >= 20" test "$(qi_min "$T/q.csv" 1-4)" -ge 20
check "--quasi: the other columns are released as they are" grep -q ',VN,' "$T/q.csv"
"$CTIP" release microdata --k 5 --year 2024 --seed 1 -o "$T/y.csv" >/dev/null 2>&1
check "--year: only that year's registrations" \
	test "$(tail -n +2 "$T/y.csv" | cut -d, -f1 | sort -u | grep -v '^\*$' | tr '\n' ' ')" = "2024 "

# the evaluation report beside the release
E="$T/m.csv.evaluation.json"
check "evaluation: JSON and HTML with SVG charts beside the release" \
	sh -c "test -s '$E' && grep -q '<svg' '$T/m.csv.evaluation.html'"
check "evaluation: combinations by length 1-3, none fabricated by a k release" \
	test "$(jq '[.lengths[] | .fabricated] | add' "$E")-$(jq '.lengths | length' "$E")" = "0-3"
check "evaluation: rare combinations of the source counted as suppressed" \
	test "$(jq '.lengths[2].suppressed' "$E")" -gt 0
check "evaluation: the linkage attack re-identifies nobody in a k = 11 release" \
	test "$(jq '.linkage_attack.reidentified' "$E")" = "0"
check "evaluation: the report names no value the release withholds" \
	sh -c "! grep -q 'Trans/' '$T/m.csv.evaluation.html' && ! grep -q '>IS<' '$T/m.csv.evaluation.html'"
# the same attack on a release that treats only the year as a quasi-identifier: the other
# columns, released as they are, single people out, and the attack finds them
"$CTIP" release microdata --k 11 --quasi yearOfRegistration --seed 1 -o "$T/weak.csv" >/dev/null 2>&1
check "evaluation: the attack re-identifies people in a release with too few quasi-identifiers" \
	test "$(jq '.linkage_attack.reidentified' "$T/weak.csv.evaluation.json")" -gt 0
check "evaluation: without a linkage run the attack weighs with the documented defaults" \
	test "$(jq -r '.linkage_attack.m_source + " " + (.linkage_attack.m.gender|tostring)' "$T/weak.csv.evaluation.json")" = "defaults 0.95"
"$CTIP" release microdata --k 11 --seed 1 --no-evaluate -o "$T/ne.csv" >/dev/null 2>&1
check "--no-evaluate: the release without its report" \
	sh -c "test -s '$T/ne.csv' && test ! -e '$T/ne.csv.evaluation.json'"

# the ledger
check "ledger: the release is listed" sh -c "'$CTIP' release list | grep -q 'microdata'"
sha=$(sha256sum "$T/m.csv" | cut -d' ' -f1)
check "ledger: the file's SHA-256 is recorded" sh -c "'$CTIP' release list | grep -q '$sha'"
check "ledger: JSON with parameters, seed kept out, data version" \
	test "$("$CTIP" release list --format json | jq -r '.[0] | has("params") and has("data_version") and (has("seed") | not)')" = "true"
check "audit: the release is in the audit log" sh -c "'$CTIP' audit log | grep -q ' release .*R1'"
"$CTIP" release reproduce R1 >"$T/r.out" 2>&1
check "reproduce: the same file again from the ledger's record" grep -q 'identical' "$T/r.out"
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
"$CTIP" release reproduce R1 >"$T/r2.out" 2>&1
rc=$?
check "reproduce after the registry changed: not identical, exit 1, says why" \
	sh -c "test $rc = 1 && grep -q 'registry changed' '$T/r2.out'"

# protected tables
"$CTIP" release aggregates --by citizenship,gender --format json -o "$T/a.json" >/dev/null 2>&1
check "aggregates (k): no published count from 1 to 4" \
	test "$(jq '[.rows[] | select(.count != null and .count > 0 and .count < 5)] | length' "$T/a.json")" = "0"
check "aggregates (k): a rare country is not even named (merged into Other)" lacks "$T/a.json" '"IS"'
"$CTIP" release aggregates --by ageBroad,gender --format xlsx -o "$T/a.xlsx" >/dev/null 2>&1
check "aggregates: XLSX" sh -c "head -c 2 '$T/a.xlsx' | grep -q PK"
"$CTIP" release aggregates --by ageBroad,gender --mode dp --epsilon 0.6 -o "$T/dp1.csv" >"$T/dp1.out" 2>&1
check "aggregates (dp): written, epsilon spent" grep -q 'epsilon spent' "$T/dp1.out"
check "aggregates (dp): every band of the public list, seen or not" test "$(grep -c '^0--8,' "$T/dp1.csv")" = 5
n_before=$("$CTIP" release list --format json | jq length)
"$CTIP" release aggregates --by ageBroad --mode dp --epsilon 0.6 -o "$T/dp2.csv" >"$T/dp2.out" 2>&1
rc=$?
check "budget: a dp release past the budget is refused" sh -c "test $rc != 0 && grep -q 'refused' '$T/dp2.out'"
check "budget: ... and writes nothing" test ! -e "$T/dp2.csv"
check "budget: ... and records nothing" test "$("$CTIP" release list --format json | jq length)" = "$n_before"
"$CTIP" release budget --epsilon 2 >/dev/null 2>&1
"$CTIP" release aggregates --by ageBroad --mode dp --epsilon 0.6 -o "$T/dp3.csv" >/dev/null 2>&1
check "budget: raised by an administrator, the release goes through" test -s "$T/dp3.csv"
check "budget: spent is the sum of the epsilons" sh -c "'$CTIP' release budget | grep -q 'spent 1.2'"
check "aggregates (dp): refused for a column without a public list of values" \
	sh -c "! '$CTIP' release aggregates --by meansOfControl --mode dp --epsilon 0.1 -o '$T/x.csv' 2>&1 | grep -q '^release R'"

# synthetic records from protected aggregates (k mode), as Microsoft's showcase
"$CTIP" release synthetic --k 10 --length 4 --seed 3 -o "$T/s.csv" >"$T/s.out" 2>&1
check "synthetic: records and their protected aggregates written" \
	sh -c "test -s '$T/s.csv' && test -s '$T/s.csv.aggregates.csv'"
check "synthetic: about as many records as persons" \
	test $(($(lines "$T/s.csv") - 1)) -ge $((persons * 9 / 10))
check "adversary: no synthetic record holds a combination (up to 4) absent from the aggregates, every count >= 10 and a multiple of 10" \
	python3 tests/e2e/release_check.py synthetic "$T/s.csv" 10 4
check "evaluation (synthetic): no combination fabricated, lengths 1-4" \
	test "$(jq '[.lengths[] | .fabricated] | add' "$T/s.csv.evaluation.json")-$(jq '.lengths | length' "$T/s.csv.evaluation.json")" = "0-4"
check "adversary: the planted person's country is in neither file" \
	sh -c "! grep -q 'IS' '$T/s.csv.aggregates.csv' && ! grep -q ',IS,' '$T/s.csv'"
check "synthetic: recorded and reproducible" sh -c "'$CTIP' release list | grep -q synthetic &&
	'$CTIP' release reproduce \$('$CTIP' release list --format json | jq -r '[.[] | select(.kind == \"synthetic\")][0].id') | grep -q identical"
"$CTIP" release synthetic --mode dp --epsilon 0.5 --delta 1e-6 --length 2 --seed 3 -o "$T/sd.csv" >"$T/sd.out" 2>&1
check "synthetic (dp): written, thresholds and epsilon said" \
	sh -c "grep -q 'noisy count >=' '$T/sd.out' && grep -q 'epsilon spent' '$T/sd.out'"
check "adversary (dp): no combination outside the noisy aggregates" \
	python3 tests/e2e/release_check.py dpsynthetic "$T/sd.csv" 2
"$CTIP" release synthetic --mode dp --epsilon 0.5 --delta 1e-6 -o "$T/sd2.csv" >"$T/sd2.out" 2>&1
check "synthetic (dp): past the budget, refused, nothing written" \
	sh -c "grep -q refused '$T/sd2.out' && test ! -e '$T/sd2.csv' && test ! -e '$T/sd2.csv.aggregates.csv'"
check "synthetic: dp without --delta is an error" \
	sh -c "'$CTIP' release synthetic --mode dp --epsilon 1 -o '$T/x.csv' 2>&1 | grep -q -- '--delta'"

# bad input: exit 2 and a hint, no file
"$CTIP" release microdata --quasi nosuch -o "$T/bad.csv" >"$T/e1" 2>&1
check "error: unknown column named, columns listed" sh -c "test $? = 2 && grep -q \"no column 'nosuch'\" '$T/e1' && grep -q 'ageBroad' '$T/e1'"
check "error: --l without --sensitive" sh -c "'$CTIP' release microdata --l 2 -o '$T/bad.csv' 2>&1 | grep -q 'needs --sensitive'"
check "error: -o required" sh -c "'$CTIP' release microdata 2>&1 | grep -q 'required'"
check "error: --k 1 refused" sh -c "'$CTIP' release microdata --k 1 -o '$T/bad.csv' 2>&1 | grep -q -- '--k'"
"$CTIP" release microdata --k 100000 -o "$T/bad.csv" >"$T/e2" 2>&1
check "error: fewer persons than k: refused, nothing written" \
	sh -c "grep -q 'fewer than k' '$T/e2' && test ! -e '$T/bad.csv' && test ! -e '$T/bad.csv.tmp'"
check "error: reproduce of no such release" sh -c "'$CTIP' release reproduce R999 2>&1 | grep -q 'no release R999'"

# after a linkage run the attack weighs with the stored model's m (gender from its comparison)
"$CTIP" link run --full >/dev/null 2>&1
"$CTIP" release microdata --k 11 --quasi yearOfRegistration --seed 1 -o "$T/lm.csv" >/dev/null 2>&1
check "evaluation: after a linkage run the attack weighs with the stored model" \
	test "$(jq '.linkage_attack.m_source == "linkage model" and .linkage_attack.m.gender != 0.95 and .linkage_attack.reidentified > 0' "$T/lm.csv.evaluation.json")" = true
