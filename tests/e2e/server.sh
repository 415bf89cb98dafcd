# ctip serve: the access matrix, redaction by consent, CSRF, hostile input, rate limit and a
# clean SIGTERM (tests/e2e/server_matrix.py; one "ok" line per check). With tests/run.sh's
# PostgreSQL cluster (CTIP_PG_URL), the same checks again on a database of that cluster
# (lines prefixed "pg: "; what cannot run there yet prints a SKIP line with the reason).
. tests/e2e/lib.sh
CTIP_TEST_DB_URL="" python3 tests/e2e/server_matrix.py
status=$?
if [ -n "${CTIP_PG_URL:-}" ]; then
	CTIP_TEST_DB_URL=$CTIP_PG_URL python3 tests/e2e/server_matrix.py >"$T/pg.out" 2>&1
	rc=$?
	sed 's/^ok /ok pg: /; s/^not ok /not ok pg: /' "$T/pg.out"
	if [ $rc -ne 0 ]; then
		status=$rc
		grep -q '^not ok ' "$T/pg.out" || echo "not ok pg: server_matrix.py ended with status $rc"
	fi
fi
exit $status
