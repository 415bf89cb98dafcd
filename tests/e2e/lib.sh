# Helpers for the end-to-end tests: each test prints "ok NAME" or "not ok NAME".
# $CTIP is the binary under test; every test gets its own scratch directory and database.
set -u
: "${CTIP:=$(pwd)/build/asan/ctip}"
FIX="$(pwd)/tests/fixtures"
T=$(mktemp -d "${TMPDIR:-/tmp}/ctip-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CTIP_DB="$T/ctip.db"
# CTIP_E2E_PG_URL set to a cluster's URL (tests/e2e/pg_company.sh, pg_comms.sh): the same test
# on a PostgreSQL database of its own (made here, dropped at exit, with the server's role that
# init makes), the key in the scratch directory.
E2E_PGDB=""
if [ -n "${CTIP_E2E_PG_URL:-}" ]; then
	E2E_PGHOST=${CTIP_E2E_PG_URL#*host=}
	E2E_PGDB=ctip_e2e_$$
	psql -X -q -h "$E2E_PGHOST" -d postgres -c "CREATE DATABASE $E2E_PGDB" >/dev/null || exit 1
	export CTIP_DB="postgresql:///$E2E_PGDB?host=$E2E_PGHOST"
	export CTIP_KEY="$T/pg.key"
	trap 'psql -X -q -h "$E2E_PGHOST" -d postgres -c "DROP DATABASE IF EXISTS $E2E_PGDB WITH (FORCE)" -c "DROP ROLE IF EXISTS ${E2E_PGDB}_app" >/dev/null 2>&1; rm -rf "$T"' EXIT
fi

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
# dbbytes: what the store holds, as bytes (the SQLite files; a dump of the PostgreSQL database)
dbbytes() {
	if [ -n "$E2E_PGDB" ]; then
		pg_dump -h "$E2E_PGHOST" -d "$E2E_PGDB" 2>/dev/null
	else
		cat "$CTIP_DB"* 2>/dev/null
	fi
}
# sql QUERY: a value from the test database
sql() { sqlite3 "$CTIP_DB" "$1"; }
