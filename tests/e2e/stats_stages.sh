# Stages count in the year the proceedings reached them, not the year the case was opened
# (fixture stage_dates.csv: a case opened in 2022 prosecuted in 2023 and convicted in 2024, one
# opened in 2023 with an undated investigation, one opened in 2021 prosecuted in 2023).
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" import "$FIX/stage_dates.csv" >/dev/null 2>&1

st() { "$CTIP" stats "$@" --no-suppress --format json; }
cell() { jq -r --arg s "$1" '[.rows[] | select(.stage == $s) | .count] | add' "$2"; }

st offenders --by stage --year 2023 >"$T/o23.json"
check "2023: defendants investigated, one by its own date and one undated (the case's year)" \
	test "$(cell Investigated "$T/o23.json")" = 2
check "2023: defendants prosecuted that year although their cases opened in 2021 and 2022" \
	test "$(cell Prosecuted "$T/o23.json")" = 2
check "2023: no conviction (it came in 2024)" test "$(cell Convicted "$T/o23.json")" = 0
check "2023: the total is the defendants with a stage reached that year" \
	test "$(jq .total "$T/o23.json")" = 3
check "the provenance says stages are dated by the proceedings" \
	test "$(jq -r .provenance.stage_dates.counted_by "$T/o23.json")" = "proceeding date"
check "... and how many fell back to the case's year" \
	test "$(jq .provenance.stage_dates.without_proceeding_date "$T/o23.json")" = 1
check "... which the notes state" \
	test "$(jq -r .notes "$T/o23.json" | grep -c '1 of the 3 offenders counted at a stage had a stage without a proceeding date')" = 1
st offenders --by stage --year 2024 >"$T/o24.json"
check "2024: tried and convicted in the year of the judgment" \
	test "$(cell Tried "$T/o24.json")/$(cell Convicted "$T/o24.json")/$(jq .total "$T/o24.json")" = 1/1/1
st offenders --by stage --year 2021 >"$T/o21.json"
check "2021: a case opened then whose proceedings came later counts at no stage" \
	test "$(jq .total "$T/o21.json")" = 0
st cases --by stage --year 2023 >"$T/c23.json"
check "cases by stage in 2023" \
	test "$(cell Denounced "$T/c23.json")/$(cell Investigated "$T/c23.json")/$(cell Prosecuted "$T/c23.json")/$(jq .total "$T/c23.json")" = 1/2/2/3
st victims --by stage --year 2023 >"$T/v23.json"
check "victims count at their case's stages by the stage's year" \
	test "$(cell Investigated "$T/v23.json")/$(cell Prosecuted "$T/v23.json")/$(cell Denounced "$T/v23.json")" = 1/1/0
st offenders --by year,stage >"$T/oy.json"
check "by year and stage: each stage in its own year" \
	test "$(jq -c '[.rows[] | select(.count > 0) | "\(.year):\(.stage)=\(.count)"] | sort' "$T/oy.json")" = \
	'["2022:Denounced=1","2022:Investigated=1","2023:Denounced=1","2023:Investigated=2","2023:Prosecuted=2","2024:Convicted=1","2024:Tried=1"]'
check "... a defendant counts once in a year's total over stages, once overall" \
	test "$(jq -c '[.margins[] | select(has("stage") | not) | .count]' "$T/oy.json") $(jq .total "$T/oy.json")" = '[2,3,1,0] 3'
check "... the years are those stages are counted in: no empty row for 2021, when a case opened whose stages came later" \
	test "$(jq -c '[.rows[].year] | unique' "$T/oy.json")" = '["2022","2023","2024","Unknown"]'
st offenders --by year --where stage=Convicted >"$T/oc.json"
check "with a stage filter, the years of that stage only" \
	test "$(jq -c '[.rows[] | "\(.year)=\(.count)"]' "$T/oc.json")" = '["2024=1","Unknown=0"]'
st cases --by year,stage --from 2023 --to 2023-12-31 >"$T/cy.json"
check "with a period, the years in it only" \
	test "$(jq -c '[.rows[].year] | unique' "$T/cy.json")" = '["2023","Unknown"]'
st cases --where stage=Prosecuted --year 2023 >"$T/w.json"
check "a stage filter with a period uses the stage's date" test "$(jq .total "$T/w.json")" = 2
check "without a stage, a period still means the year the case was opened" \
	test "$(st cases --year 2023 | jq .total)" = 1
"$CTIP" report annual --year 2023 --no-suppress --format json >"$T/a.json"
check "annual report: cases by stage counted by the proceedings' year" \
	test "$(jq -c '[.sections[0].table.rows[] | .count]' "$T/a.json")" = '[1,2,2,0,0,0]'
check "... and its notes say so" \
	test "$(jq -r '.sections[0].table.notes' "$T/a.json" | grep -c 'year the proceedings reached them')" = 1
"$CTIP" report tip --year 2024 --no-suppress --format json >"$T/t.json"
check "TIP I.2.3: the conviction in the year of the judgment" \
	test "$(jq '[.sections[] | select(.title | startswith("I.2.3 Convictions: defendants convicted")) | .table.total] | .[0]' "$T/t.json")" = 1
