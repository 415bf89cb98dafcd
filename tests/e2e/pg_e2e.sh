#!/bin/sh
# The end-to-end tests again on PostgreSQL (issue 11 item 6: the same tests on both back ends).
# Every script of LIST runs a second time with CTIP_E2E_PG_URL set, so that tests/e2e/lib.sh
# gives it a PostgreSQL database of its own (made for the script, dropped at its exit) and the
# key in its scratch directory; each of its lines is prefixed "pg: SCRIPT: ". A script that
# exits non-zero without a "not ok" line of its own counts as one "not ok". These scripts
# check through ctip's commands and output, not one back end's schema; what is about SQLite's
# file alone (the .db file's bytes, WAL, migrations of old SQLite files) is guarded there by
# `[ -z "$E2E_PGDB" ]`.
#
#   sh tests/e2e/pg_e2e.sh            every script of LIST
#   sh tests/e2e/pg_e2e.sh show key   only these (names without .sh)
#
# On tests/run.sh's cluster (CTIP_PG_URL); run alone, this script starts the cluster and stops
# it again. One SKIP line when no PostgreSQL can start.
LIST="
init import import_map import_hostile
export export_identities
search show
stats stats_stages stats_fresh
report figures
link_count link_quality
errors casework release estimate
company comms
demo progress audit
link link_incremental link_middle link_org link_explain link_cache
stats_events crypto key stats_patch
"
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] && LIST="$*"
started=""
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>/dev/null); then
		echo "SKIP pg_e2e: no PostgreSQL cluster could be started"
		exit 0
	fi
	started=1
fi
out=$(mktemp "${TMPDIR:-/tmp}/ctip-pg-e2e.XXXXXX")
rc=0
for s in $LIST; do
	CTIP_E2E_PG_URL=$CTIP_PG_URL sh "tests/e2e/$s.sh" >"$out" 2>&1
	src=$?
	sed -e "s/^ok /ok pg: $s: /" -e "s/^not ok /not ok pg: $s: /" "$out"
	if [ $src -ne 0 ]; then
		rc=1
		grep -q '^not ok ' "$out" || echo "not ok pg: $s: the script exited $src"
	fi
done
rm -f "$out"
[ -n "$started" ] && sh scripts/pg-cluster.sh stop >/dev/null 2>&1
exit $rc
