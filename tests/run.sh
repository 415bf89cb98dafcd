#!/bin/sh
# Runs every test: the cmocka unit tests (built with ASan+UBSan), the end-to-end tests of
# the commands (tests/e2e/*.sh, against the sanitizer build), the web UI in headless Chromium
# (tests/browser/run.sh), and a clang warning check.
# Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=""
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp
log=build/test-logs
mkdir -p "$log"

for t in build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if "$t" >"$log/$name.log" 2>&1; then
		n=$(grep -c '^\[       OK \]' "$log/$name.log")
		passed=$((passed + n))
		echo "ok   $name ($n)"
	else
		ok=$(grep -c '^\[       OK \]' "$log/$name.log")
		bad=$(grep -c '^\[  FAILED  \]' "$log/$name.log")
		[ "$bad" -eq 0 ] && bad=1
		passed=$((passed + ok))
		failed=$((failed + bad))
		failures="$failures $name"
		echo "FAIL $name"
		tail -n 30 "$log/$name.log"
	fi
done

# PostgreSQL: a throwaway cluster under build/pg (scripts/pg-cluster.sh, a Unix socket, no
# system service) for the tests of the PostgreSQL back end (tests/e2e/pg*.sh), stopped when
# the run ends, also on failure or interruption. CTIP_PG_URL is its maintenance URL; each test
# makes its own database.
trap 'sh scripts/pg-cluster.sh stop >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
if CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>"$log/pg-cluster.log"); then
	export CTIP_PG_URL
	echo "ok   PostgreSQL cluster started ($CTIP_PG_URL)"
else
	unset CTIP_PG_URL
	echo "SKIP PostgreSQL: no throwaway cluster ($(tail -n 1 "$log/pg-cluster.log")); the pg tests skip"
fi

# The unit tests that take a PostgreSQL database, again on PostgreSQL (issue 11 item 6): the
# store conformance suite (the same cases through the store interface) and key rotation's list
# of sealed columns against the schema; each in a database of its own, dropped afterwards.
for name in test_store_conformance test_rekey; do
	conf=build/asan/tests/$name
	[ -n "${CTIP_PG_URL:-}" ] && [ -x "$conf" ] || continue
	pghost=${CTIP_PG_URL#*host=}
	pgdb=ctip_conf_$$
	if psql -X -q -h "$pghost" -d postgres -c "CREATE DATABASE $pgdb" >"$log/pg-conf.log" 2>&1 &&
		CTIP_TEST_PG_URL="postgresql:///$pgdb?host=$pghost" "$conf" >"$log/${name}_pg.log" 2>&1 &&
		! grep -q '^\[  SKIPPED \]' "$log/${name}_pg.log"; then
		n=$(grep -c '^\[       OK \]' "$log/${name}_pg.log")
		passed=$((passed + n))
		echo "ok   $name on PostgreSQL ($n)"
	else
		failed=$((failed + 1))
		failures="$failures ${name}_pg"
		echo "FAIL $name on PostgreSQL"
		tail -n 30 "$log/pg-conf.log" "$log/${name}_pg.log"
	fi
	psql -X -q -h "$pghost" -d postgres -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1
done

# End-to-end tests: each script prints "ok NAME" / "not ok NAME" lines.
CTIP="$(pwd)/build/asan/ctip"
export CTIP
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	out="$log/e2e-$name.log"
	sh "$t" >"$out" 2>&1
	rc=$?
	ok=$(grep -c '^ok ' "$out")
	bad=$(grep -c '^not ok ' "$out")
	if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -gt 0 ]; then
		failures="$failures $name"
		echo "FAIL e2e/$name"
		grep -B2 -A12 '^not ok ' "$out" | head -n 60
		[ $rc -ne 0 ] && tail -n 20 "$out"
	else
		echo "ok   e2e/$name ($ok)"
	fi
done

# The web UI in Debian's headless Chromium (tests/browser/run.sh): "ok"/"not ok" per step.
out="$log/browser.log"
sh tests/browser/run.sh >"$out" 2>&1
rc=$?
ok=$(grep -c '^ok ' "$out")
bad=$(grep -c '^not ok ' "$out")
if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
passed=$((passed + ok))
failed=$((failed + bad))
grep '^SKIP' "$out"
if [ "$bad" -gt 0 ]; then
	failures="$failures browser"
	echo "FAIL browser"
	grep -A8 '^not ok ' "$out" | head -n 60
	[ $rc -ne 0 ] && tail -n 20 "$out"
else
	echo "ok   browser ($ok)"
fi

# step LABEL TARGET: a make target that must succeed counts as one test.
step() {
	if make --no-print-directory "$2" >"$log/$2.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $1"
	else
		failed=$((failed + 1))
		failures="$failures $2"
		echo "FAIL $1"
		tail -n 20 "$log/$2.log"
	fi
}
step "clang -Wall -Wextra -Werror (gcc built everything above)" check-clang
step "cppcheck" cppcheck
step "clang-format: one style" format-check

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
