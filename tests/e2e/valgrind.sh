# The release binary under valgrind: no invalid access, no leak, on every command.
# Each check states the exit status the command must end with: anything else (a crash, 139; an
# abort, 134; valgrind's error status, 99; a missing binary, 127) fails it, as does any line
# valgrind itself printed (it runs with -q: it prints only errors).
. tests/e2e/lib.sh
# the release binary uses jemalloc: have valgrind replace its malloc as it does glibc's
V="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --soname-synonyms=somalloc=*jemalloc*"
R="$(pwd)/build/ctip"
# verdict TOOL NAME WANT RC OUT: ok only for the wanted status and no valgrind line in OUT
verdict() {
	if [ "$4" -eq "$3" ] && ! grep -qE '^(==[0-9]+==|valgrind:)' "$5"; then
		ok "$1: $2"
	else
		notok "$1: $2" "exit status $4, expected $3" "$(grep -E -A12 '^(==[0-9]+==|valgrind:)' "$5" | head -n 30)" "$(tail -n 5 "$5")"
	fi
}
[ -x "$R" ] || notok "valgrind: the release binary $R exists (make build/ctip)"
# vg NAME WANT COMMAND...: the command under memcheck ends with status WANT
vg() { name=$1; want=$2; shift 2; $V "$@" >"$T/vg.out" 2>&1; verdict valgrind "$name" "$want" $? "$T/vg.out"; }
vg "init" 0 "$R" init
vg "import CSV" 0 "$R" import "$FIX/basic.csv"
vg "import of a bad file" 1 "$R" import "$FIX/basic.csv"
vg "export csv" 0 "$R" export --format csv --identities clear -o "$T/x.csv"
vg "export json" 0 "$R" export --format json --identities clear -o "$T/x.json"
vg "search" 0 "$R" search dinh thi anh tuyet
vg "show" 0 "$R" show C1
vg "stats (builds the snapshot)" 0 "$R" stats victims --by gender,exploitation_type
vg "stats (from the cache)" 0 "$R" stats offenders --by article,stage,sentence --format json
vg "report annual html" 0 "$R" report annual --year 2024 --format html -o "$T/r.html"
vg "report tip xlsx" 0 "$R" report tip --year 2024 --format xlsx -o "$T/r.xlsx"
vg "report completeness" 0 "$R" report completeness --year 2024
vg "figures import" 0 "$R" figures import data/figures/vietnam.csv
vg "figures check" 0 "$R" figures check --format json
vg "demo generate" 0 "$R" demo generate --persons 200 --seed 3 -o "$T/d.csv" --truth "$T/t.csv"
export CTIP_DB="$T/j.db"
"$R" init >/dev/null
vg "import JSON" 0 "$R" import "$T/x.json"

# record linkage on a generated set: every link command
export CTIP_DB="$T/l.db"
"$R" init >/dev/null
"$R" import "$T/d.csv" >/dev/null 2>&1
"$R" link decide P1 P2 different >/dev/null 2>&1
vg "link run" 0 "$R" link run
vg "link export" 0 "$R" link export --format csv --pairs -o "$T/lp.csv"
vg "link explain" 0 "$R" link explain P1 P3
vg "link review" 0 "$R" link review --min 0.01
vg "link decide" 0 "$R" link decide P3 P4 same
vg "link retrafficked" 0 "$R" link retrafficked

# The importer's two threads under helgrind: no data race, on a good file and on a bad one.
"$R" demo generate --persons 300 --seed 11 -o "$T/h.csv" 2>/dev/null
export CTIP_DB="$T/h.db"
"$R" init >/dev/null
hg() { name=$1; want=$2; shift 2; valgrind -q --tool=helgrind --error-exitcode=99 --suppressions=tests/helgrind.supp --soname-synonyms=somalloc=*jemalloc* "$@" >"$T/hg.out" 2>&1; verdict helgrind "$name" "$want" $? "$T/hg.out"; }
hg "import of 300 records" 0 "$R" import "$T/h.csv"
hg "link run (scoring on two threads)" 0 "$R" link run
sed '50s/,20[0-9][0-9]-/,2099-/' "$T/h.csv" >"$T/hbad.csv"
hg "import of a file that is rejected (stop path)" 1 "$R" import "$T/hbad.csv"
