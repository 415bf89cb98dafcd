# Helpers for the end-to-end tests: each test prints "ok NAME" or "not ok NAME".
# $CTIP is the binary under test; every test gets its own scratch directory and database.
set -u
: "${CTIP:=$(pwd)/build/asan/ctip}"
export CTIP # (for the Python of some scripts)
FIX="$(pwd)/tests/fixtures"
T=$(mktemp -d "${TMPDIR:-/tmp}/ctip-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CTIP_DB="$T/ctip.db"
# CTIP_E2E_PG_URL set to a cluster's URL (tests/e2e/pg_e2e.sh): the same test
# on a PostgreSQL database of its own (made here, dropped at exit, with the server's role that
# init makes), the key in the scratch directory.
E2E_PGDB=""
if [ -n "${CTIP_E2E_PG_URL:-}" ]; then
	E2E_PGHOST=${CTIP_E2E_PG_URL#*host=}
	E2E_PGDB=ctip_e2e_$$
	psql -X -q -h "$E2E_PGHOST" -d postgres -c "CREATE DATABASE $E2E_PGDB" >/dev/null || exit 1
	export CTIP_DB="postgresql:///$E2E_PGDB?host=$E2E_PGHOST"
	export CTIP_KEY="$T/pg.key"
	# (with the databases dbcopy and dbnew made, named in $T/pgdbs)
	trap 'for _d in $(cat "$T/pgdbs" 2>/dev/null) $E2E_PGDB; do psql -X -q -h "$E2E_PGHOST" -d postgres -c "DROP DATABASE IF EXISTS $_d WITH (FORCE)" -c "DROP ROLE IF EXISTS ${_d}_app" >/dev/null 2>&1; done; rm -rf "$T"' EXIT
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
# notindb TEXT: the store's bytes (dbbytes; there are some) do not hold TEXT
notindb() { [ "$(dbbytes | wc -c)" -gt 1000 ] && ! dbbytes | grep -qaF -- "$1"; }
# sql QUERY: a value from the test database, SQLite only: the scripts of tests/e2e/pg_e2e.sh's
# list use it only behind `[ -z "$E2E_PGDB" ]` (the file's own structure) and read everything
# else through ctip (below)
sql() { sqlite3 "$CTIP_DB" "$1"; }
# psu QUERY: psql as the cluster's superuser on the test's PostgreSQL database, printed as
# sqlite3 prints (unaligned, '|' between columns): the PostgreSQL side of a check guarded by
# `[ -z "$E2E_PGDB" ]` that reads or changes the store's tables behind ctip's back (an
# attacker's write, a state no command shows)
psu() { pgin "$CTIP_DB" "$1"; }
pgin() { # pgin URL QUERY: psu on the database of URL
	_d=${1#postgresql:///}
	psql -X -q -At -v ON_ERROR_STOP=1 -h "$E2E_PGHOST" -d "${_d%%\?*}" -c "$2"
}
# dbq QUERY: the same, on either back end (sql or psu), for a QUERY valid on both: the state
# of linkage and of the statistics' snapshot that no ctip command shows, or a write to the
# tables behind ctip's back (an edit as a later command would make it)
dbq() { dbin "$CTIP_DB" "$1"; }
# dbin DB QUERY: dbq on the store DB (a CTIP_DB: a SQLite file, a PostgreSQL URL)
dbin() {
	if [ -n "$E2E_PGDB" ]; then pgin "$1" "$2"; else sqlite3 "$1" "$2"; fi
}
# dbcopy NAME: a copy of the store as it is now (its key and audit log with it), to compare a
# second run with; prints the copy's CTIP_DB (SQLite: $T/NAME.db; PostgreSQL: a database made
# with this one as its template, dropped at exit, under the same key file)
dbcopy() {
	if [ -n "$E2E_PGDB" ]; then
		echo "${E2E_PGDB}_$1" >>"$T/pgdbs"
		psql -X -q -h "$E2E_PGHOST" -d postgres -c "CREATE DATABASE ${E2E_PGDB}_$1 TEMPLATE $E2E_PGDB" >/dev/null || return 1
		echo "postgresql:///${E2E_PGDB}_$1?host=$E2E_PGHOST"
	else
		cp "$CTIP_DB" "$T/$1.db"
		cp "$CTIP_DB.key" "$T/$1.db.key"
		cp "$CTIP_DB.audit" "$T/$1.db.audit"
		echo "$T/$1.db"
	fi
}
# dbnew NAME: the CTIP_DB of a second store, not yet initialised (SQLite: $T/NAME.db;
# PostgreSQL: a new empty database, dropped at exit, under the same key file)
dbnew() {
	if [ -n "$E2E_PGDB" ]; then
		echo "${E2E_PGDB}_$1" >>"$T/pgdbs"
		psql -X -q -h "$E2E_PGHOST" -d postgres -c "CREATE DATABASE ${E2E_PGDB}_$1" >/dev/null || return 1
		echo "postgresql:///${E2E_PGDB}_$1?host=$E2E_PGHOST"
	else
		echo "$T/$1.db"
	fi
}
# naudit ACTION: how many entries of the audit log record ACTION (by `ctip audit log`)
naudit() { "$CTIP" audit log 2>/dev/null | awk -v a="$1" '$4 == a' | wc -l | tr -d ' '; }

# Reading back through ctip, the same on both back ends:
# exported JQ: jq -r JQ on `ctip export --format json --identities clear`
exported() { "$CTIP" export --format json --identities clear 2>/dev/null | jq -r "$1"; }
# prs RECORD JQ: JQ on the first exported person record RECORD (its src_RecordId)
prs() { exported "[.cases[].persons[] | select(.src_RecordId == \"$1\")][0] | $2"; }
# nrecords: the number of person records in cases (a person in two cases counts twice)
nrecords() { exported '[.cases[].persons[]] | length'; }
# ncases: the number of cases
ncases() { exported '.cases | length'; }
# pid RECORD: the number N of the person record PN with that src_RecordId, by `ctip show --json`
# from P1 on (ids need not be dense: 20 missing in a row end the search). Each show is audited.
pid() {
	_i=1
	_miss=0
	while [ $_miss -lt 20 ]; do
		_r=$("$CTIP" show --json "P$_i" 2>/dev/null | jq -r .person.src_RecordId 2>/dev/null)
		if [ -z "$_r" ]; then _miss=$((_miss + 1)); else _miss=0; fi
		[ "$_r" = "$1" ] && echo "$_i" && return 0
		_i=$((_i + 1))
	done
	return 1
}
# cid CASEID: the number N of the case CN with that src_CaseId (as pid)
cid() {
	_i=1
	_miss=0
	while [ $_miss -lt 20 ]; do
		_r=$("$CTIP" show --json "C$_i" 2>/dev/null | jq -r .case.src_CaseId 2>/dev/null)
		if [ -z "$_r" ]; then _miss=$((_miss + 1)); else _miss=0; fi
		[ "$_r" = "$1" ] && echo "$_i" && return 0
		_i=$((_i + 1))
	done
	return 1
}
# freshdb: the registry empty again, not initialised (a new SQLite file; a new PostgreSQL
# database of the same name), without its key and audit log
freshdb() {
	if [ -n "$E2E_PGDB" ]; then
		psql -X -q -h "$E2E_PGHOST" -d postgres -c "DROP DATABASE IF EXISTS $E2E_PGDB WITH (FORCE)" \
			-c "DROP ROLE IF EXISTS ${E2E_PGDB}_app" -c "CREATE DATABASE $E2E_PGDB" >/dev/null
		rm -f "$CTIP_KEY"
	else
		rm -f "$CTIP_DB" "$CTIP_DB-wal" "$CTIP_DB-shm" "$CTIP_DB.key" "$CTIP_DB.audit"
	fi
}
# stats_rebuild: the statistics' snapshot to be rebuilt in full when next read (SQLite: marked
# stale; PostgreSQL: not built)
stats_rebuild() {
	if [ -n "$E2E_PGDB" ]; then psu "update stats_state set built = false"; else sql "update stats_state set stale = 1"; fi
}
