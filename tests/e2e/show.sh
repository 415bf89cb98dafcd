# ctip show: a person or a case with everything linked to it.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
pid=$(pid BG-R-1)
cid=$(cid PA-7)
"$CTIP" show "P$pid" >"$T/p" 2>&1
check "show person prints the name" contains "$T/p" "Ánh Tuyết"
check "show person prints the case" contains "$T/p" "BG-2023-001"
check "show person prints events" contains "$T/p" "ExitOrRescue"
check "show person labels codes" contains "$T/p" "Debt bondage"
"$CTIP" show "C$cid" >"$T/c" 2>&1
check "show case lists its persons" contains "$T/c" "Mạc"
check "show case prints proceedings" contains "$T/c" "Convicted"
"$CTIP" show --json "C$cid" >"$T/j" 2>&1
check "show --json is JSON with the persons" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['case']['persons'])==2" "$T/j"
"$CTIP" show P999999 >"$T/n" 2>&1
check "an unknown id exits 1" test $? -eq 1
"$CTIP" show xyz >/dev/null 2>&1
check "a malformed id is a usage error" test $? -eq 2
