#!/bin/sh
# ctip serve on PostgreSQL (tests/e2e/pg_serve.py): row-level security for the server's role
# checked with hand-written SQL, the audit log append-only for it, two servers on one database
# with a 409 on the stale update. On tests/run.sh's cluster (CTIP_PG_URL); run alone, this
# script starts the cluster and stops it again. One SKIP line when no PostgreSQL can start.
. "$(dirname "$0")/lib.sh"
started=""
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>"$T/pg-cluster.log"); then
		echo "SKIP pg_serve: no PostgreSQL cluster could be started: $(tail -n 1 "$T/pg-cluster.log")"
		exit 0
	fi
	started=1
fi
CTIP_TEST_DB_URL=$CTIP_PG_URL CTIP=$CTIP python3 tests/e2e/pg_serve.py
rc=$?
[ -n "$started" ] && sh scripts/pg-cluster.sh stop >/dev/null 2>&1
exit $rc
