# ctip help: every command with a line; columns; vocabularies.
. tests/e2e/lib.sh
"$CTIP" help >"$T/h"
for c in init import export search show demo org user audit help; do
	check "help lists $c" grep -q "^  $c " "$T/h"
done
"$CTIP" help columns >"$T/c"
check "help columns lists prs_FirstName" contains "$T/c" "prs_FirstName"
"$CTIP" init >/dev/null
"$CTIP" help vocab gender >"$T/v"
check "help vocab shows Vietnamese labels" contains "$T/v" "Nữ"
"$CTIP" nonsense >/dev/null 2>&1
check "an unknown command exits 2" test $? -eq 2
