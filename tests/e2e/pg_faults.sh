#!/bin/sh
# Fault tests of ctip serve on PostgreSQL (tests/e2e/pg_faults.py): kill -9 of the server and of
# the postmaster under writes, and a PostgreSQL restart under a running server. It stops and
# starts the test cluster (scripts/pg-cluster.sh restart|pid|start). On tests/run.sh's cluster
# (CTIP_PG_URL); run alone, this script starts the cluster and stops it again. One SKIP line
# when no PostgreSQL can start.
. "$(dirname "$0")/lib.sh"
started=""
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>"$T/pg-cluster.log"); then
		echo "SKIP pg_faults: no PostgreSQL cluster could be started: $(tail -n 1 "$T/pg-cluster.log")"
		exit 0
	fi
	started=1
fi
CTIP_TEST_DB_URL=$CTIP_PG_URL CTIP=$CTIP python3 tests/e2e/pg_faults.py
rc=$?
# the cluster is left running as it was found
sh scripts/pg-cluster.sh start >/dev/null 2>&1
[ -n "$started" ] && sh scripts/pg-cluster.sh stop >/dev/null 2>&1
exit $rc
