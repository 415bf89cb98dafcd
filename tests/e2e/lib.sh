# Helpers for the end-to-end tests: each test prints "ok NAME" or "not ok NAME".
# $CTIP is the binary under test; every test gets its own scratch directory and database.
set -u
: "${CTIP:=$(pwd)/build/asan/ctip}"
FIX="$(pwd)/tests/fixtures"
T=$(mktemp -d "${TMPDIR:-/tmp}/ctip-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CTIP_DB="$T/ctip.db"

ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; [ $# -gt 0 ] && printf '  %s\n' "$@"; }

# check NAME CONDITION-COMMAND...: ok when the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name" "command failed: $*"; fi
}
# contains FILE TEXT: the file holds the fixed string.
contains() { grep -qF -- "$2" "$1"; }
# lacks FILE TEXT
lacks() { ! grep -qF -- "$2" "$1"; }
# lines FILE: number of lines
lines() { wc -l <"$1" | tr -d ' '; }
# sql QUERY: a value from the test database
sql() { sqlite3 "$CTIP_DB" "$1"; }
