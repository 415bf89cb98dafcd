# Progress bars (lib/core/progress.c): on a terminal a bar with done, total, rate and time left
# appears on standard error; redirected, or with CI=true, nothing does.
. tests/e2e/lib.sh
export CTIP_PROGRESS_DELAY=0 # a bar from the first update, however fast the machine
"$CTIP" init >/dev/null
"$CTIP" demo generate --persons 6000 --seed 3 -o "$T/demo.csv" >/dev/null 2>&1
check "a demo file to import" test "$(lines "$T/demo.csv")" -gt 3000

# run CMD... on a pseudo-terminal; what it wrote goes to $T/pty.out, its status to $T/pty.rc
on_pty() {
	python3 - "$T/pty.out" "$@" <<'PY'
import os, pty, sys
out = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
data = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    data += b
_, st = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(st))
PY
	echo $? >"$T/pty.rc"
}

env -u CI "$CTIP" --version >/dev/null 2>&1
CI= on_pty env -u CI "$CTIP" import --org "Progress Org" "$T/demo.csv"
check "import on a terminal succeeds" test "$(cat "$T/pty.rc")" = 0
check "... and draws a bar with the share done" grep -qa 'importing demo.csv \[#*\.*\] *[0-9]*%' "$T/pty.out"
check "... the amount done of the total" grep -qa 'MiB of [0-9.]* MiB' "$T/pty.out"
check "... the rate and the time left" grep -qa 'MiB/s  [0-9]*:[0-9][0-9] left' "$T/pty.out"
check "... and clears it before the summary" grep -qa "$(printf '\r\033\\[K')" "$T/pty.out"

freshdb
"$CTIP" init >/dev/null
env -u CI "$CTIP" import --org "Progress Org" "$T/demo.csv" >"$T/redir.out" 2>"$T/redir.err"
check "import redirected succeeds" test $? = 0
check "... and draws nothing on standard error" test ! -s "$T/redir.err"
check "... nor any carriage return on standard output" lacks "$T/redir.out" "$(printf '\r')"

CI= on_pty env -u CI "$CTIP" export --format csv --identities clear -o "$T/exp.csv"
check "export on a terminal draws its bar" grep -qa 'exporting \[#*\.*\] *[0-9]*%' "$T/pty.out"
CI= on_pty env CI=true "$CTIP" export --format csv --identities clear -o "$T/exp2.csv"
check "with CI=true on a terminal: no bar" lacks "$T/pty.out" "exporting"
check "... and the export still done" test "$(lines "$T/exp2.csv")" -gt 3000

CI= on_pty env -u CI "$CTIP" stats victims --by year
check "the statistics snapshot on a terminal draws its bar" grep -qa 'statistics snapshot \[#*\.*\] *[0-9]*%' "$T/pty.out"
CI= on_pty env -u CI "$CTIP" link run
check "a link run on a terminal draws its steps" grep -qa 'link run \[#*\.*\] *[0-9]*%  [0-9] steps of 6 steps' "$T/pty.out"
CI= on_pty env -u CI "$CTIP" key rotate
check "key rotate on a terminal draws its bar" grep -qa 'rotating the key \[#*\.*\] *[0-9]*%  [0-9]* values of [0-9]* values' "$T/pty.out"
check "... and rotates" grep -qa 'rotated to a new key' "$T/pty.out"
CI= on_pty env -u CI "$CTIP" release microdata --k 5 --seed 1 -o "$T/micro.csv"
check "release microdata on a terminal draws its steps" grep -qa 'release microdata \[#*\.*\] *[0-9]*%  [0-9] steps of 5 steps' "$T/pty.out"
check "... and releases" test "$(cat "$T/pty.rc")" = 0 -a -s "$T/micro.csv"
CI= on_pty env -u CI "$CTIP" release synthetic --mode k --k 5 --seed 1 -o "$T/syn.csv"
check "release synthetic on a terminal draws its steps" grep -qa 'release synthetic \[#*\.*\] *[0-9]*%  [0-9] steps of 5 steps' "$T/pty.out"
env -u CI "$CTIP" release microdata --k 5 --seed 2 -o "$T/micro2.csv" 2>"$T/rel.err" >/dev/null
check "release redirected: no bar on standard error" lacks "$T/rel.err" "steps of"

# a rejected row reported while the bar is drawn starts on a line of its own
python3 - "$T/demo.csv" "$T/bad.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
i = rows[0].index("prs_Birthdate")
rows[-1][i] = "31/12/1990"
csv.writer(open(sys.argv[2], "w", newline="")).writerows(rows)
PY
freshdb
"$CTIP" init >/dev/null
CI= on_pty env -u CI "$CTIP" import --org "Progress Org" "$T/bad.csv"
check "a rejected row on a terminal: the import fails" test "$(cat "$T/pty.rc")" = 1
check "... the bar was drawn" grep -qa 'importing bad.csv \[' "$T/pty.out"
check "... and cleared before the row's error" grep -qa "$(printf '\r\033\\[K')$T/bad.csv:[0-9]*: prs_Birthdate" "$T/pty.out"
