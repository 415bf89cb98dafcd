# The release binary under valgrind: no invalid access, no leak, on every command.
. tests/e2e/lib.sh
# the release binary uses jemalloc: have valgrind replace its malloc as it does glibc's
V="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --soname-synonyms=somalloc=*jemalloc*"
R="$(pwd)/build/ctip"
vg() { name=$1; shift; $V "$@" >"$T/vg.out" 2>&1; rc=$?; if [ $rc -ne 99 ]; then ok "valgrind: $name"; else notok "valgrind: $name" "$(tail -n 20 "$T/vg.out")"; fi; }
vg "init" "$R" init
vg "import CSV" "$R" import "$FIX/basic.csv"
vg "import of a bad file" "$R" import "$FIX/basic.csv"
vg "export csv" "$R" export --format csv -o "$T/x.csv"
vg "export json" "$R" export --format json -o "$T/x.json"
vg "search" "$R" search dinh thi anh tuyet
vg "show" "$R" show C1
vg "stats (builds the snapshot)" "$R" stats victims --by gender,exploitation_type
vg "stats (from the cache)" "$R" stats offenders --by article,stage,sentence --format json
vg "report annual html" "$R" report annual --year 2024 --format html -o "$T/r.html"
vg "report tip xlsx" "$R" report tip --year 2024 --format xlsx -o "$T/r.xlsx"
vg "report completeness" "$R" report completeness --year 2024
vg "figures import" "$R" figures import data/figures/vietnam.csv
vg "figures check" "$R" figures check --format json
vg "demo generate" "$R" demo generate --persons 200 --seed 3 -o "$T/d.csv" --truth "$T/t.csv"
export CTIP_DB="$T/j.db"
"$R" init >/dev/null
vg "import JSON" "$R" import "$T/x.json"

# record linkage on a generated set: every link command
export CTIP_DB="$T/l.db"
"$R" init >/dev/null
"$R" import "$T/d.csv" >/dev/null 2>&1
"$R" link decide P1 P2 different >/dev/null 2>&1
vg "link run" "$R" link run
vg "link export" "$R" link export --format csv --pairs -o "$T/lp.csv"
vg "link explain" "$R" link explain P1 P3
vg "link review" "$R" link review --min 0.01
vg "link decide" "$R" link decide P3 P4 same
vg "link retrafficked" "$R" link retrafficked

# The importer's two threads under helgrind: no data race, on a good file and on a bad one.
"$R" demo generate --persons 300 --seed 11 -o "$T/h.csv" 2>/dev/null
export CTIP_DB="$T/h.db"
"$R" init >/dev/null
hg() { name=$1; shift; valgrind -q --tool=helgrind --error-exitcode=99 --suppressions=tests/helgrind.supp --soname-synonyms=somalloc=*jemalloc* "$@" >"$T/hg.out" 2>&1; rc=$?; if [ $rc -ne 99 ]; then ok "helgrind: $name"; else notok "helgrind: $name" "$(grep -A12 'Possible data race' "$T/hg.out" | head -n 30)"; fi; }
hg "import of 300 records" "$R" import "$T/h.csv"
hg "link run (scoring on two threads)" "$R" link run
sed '50s/,20[0-9][0-9]-/,2099-/' "$T/h.csv" >"$T/hbad.csv"
hg "import of a file that is rejected (stop path)" "$R" import "$T/hbad.csv"
