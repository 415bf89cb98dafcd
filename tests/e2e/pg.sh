#!/bin/sh
# End-to-end tests of the PostgreSQL back end against the throwaway cluster of
# scripts/pg-cluster.sh (tests/run.sh starts it and sets CTIP_PG_URL; run alone, this script
# starts it and stops it again). Each run works in a database of its own, dropped at the end.
# Prints one SKIP line and passes only when no PostgreSQL can be started here.
. "$(dirname "$0")/lib.sh"

started=""
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>"$T/pg-cluster.log"); then
		echo "SKIP pg: no PostgreSQL cluster could be started: $(tail -n 1 "$T/pg-cluster.log")"
		exit 0
	fi
	started=1
fi
PGHOST_DIR=${CTIP_PG_URL#*host=}
PGDB=ctip_e2e_$$
PG="postgresql:///$PGDB?host=$PGHOST_DIR"
# psql as the superuser the cluster made for us (the tests read what the server stores)
psql_su() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_DIR" "$@"; }
cleanup() {
	psql_su -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1
	[ -n "$started" ] && sh scripts/pg-cluster.sh stop >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

check "pg: the throwaway cluster answers" psql_su -d postgres -c "SELECT 1"
check "pg: a database of the test's own" psql_su -d postgres -c "CREATE DATABASE $PGDB"
