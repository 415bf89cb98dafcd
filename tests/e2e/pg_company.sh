#!/bin/sh
# tests/e2e/company.sh again on PostgreSQL (issue 15: the company register and recruiters on
# the PostgreSQL back end, lib/store/pg/store_pg_company.c): every check of that script on a database of its own
# (tests/e2e/lib.sh, CTIP_E2E_PG_URL), its lines prefixed "pg: ". On tests/run.sh's cluster
# (CTIP_PG_URL); run alone, this script starts the cluster and stops it again. One SKIP line
# when no PostgreSQL can start.
started=""
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>/dev/null); then
		echo "SKIP pg_company: no PostgreSQL cluster could be started"
		exit 0
	fi
	started=1
fi
CTIP_E2E_PG_URL=$CTIP_PG_URL sh tests/e2e/company.sh | sed -e 's/^ok /ok pg: /' -e 's/^not ok /not ok pg: /'
rc=$?
[ -n "$started" ] && sh scripts/pg-cluster.sh stop >/dev/null 2>&1
exit $rc
