# The server's long lists (issue 14, item 5): GET /api/cases filtered, sorted and paged with the
# victim's name where the user may see it, GET /api/home, the audit page's filters and paging,
# CSV exports; never another organisation's case, never a hidden name, no order or filter by a
# hidden name (tests/e2e/server_lists.py; one "ok" line per check).
. tests/e2e/lib.sh
CTIP_TEST_DB_URL="" python3 tests/e2e/server_lists.py
status=$?
# again on tests/run.sh's PostgreSQL cluster (lines prefixed "pg: ")
if [ -n "${CTIP_PG_URL:-}" ]; then
	CTIP_TEST_DB_URL=$CTIP_PG_URL python3 tests/e2e/server_lists.py >"$T/pg.out" 2>&1
	rc=$?
	sed 's/^ok /ok pg: /; s/^not ok /not ok pg: /' "$T/pg.out"
	if [ $rc -ne 0 ]; then
		status=$rc
		grep -q '^not ok ' "$T/pg.out" || echo "not ok pg: server_lists.py ended with status $rc"
	fi
fi
exit $status
