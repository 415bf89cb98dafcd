# Many ctip processes on one SQLite registry at once (a backup beside writers, cron jobs, a
# clerk's import while an analyst runs statistics): none fails with "database is locked". A
# process opening the registry while another closes its last connection (which checkpoints and
# removes the WAL under a lock) used to fail at once: the busy timeout was set only after the
# first statement (store_sqlite_open.c). 6 of 150 such opens failed before the fix.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null 2>&1
writer() {
	i=0
	while [ $i -lt 60 ]; do
		"$CTIP" org add "Writer $1 $i" --type NGO >/dev/null 2>>"$T/w$1.err" && echo ok >>"$T/w$1.ok"
		i=$((i + 1))
	done
}
writer 1 &
w1=$!
writer 2 &
w2=$!
i=0
: >"$T/r.err"
while [ $i -lt 100 ]; do
	"$CTIP" audit head >/dev/null 2>>"$T/r.err"
	i=$((i + 1))
done
wait $w1 $w2
check "100 readers beside two writers: none told the registry is locked" lacks "$T/r.err" "locked"
check "... nor any writer" sh -c "! cat '$T/w1.err' '$T/w2.err' | grep -q locked"
check "... every organisation was added (120)" test "$(cat "$T/w1.ok" "$T/w2.ok" 2>/dev/null | wc -l)" -eq 120
