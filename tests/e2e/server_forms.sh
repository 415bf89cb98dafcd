# What the web UI's forms need from ctip serve (issue 14 item 5): accounts managed by
# administrators, one's own password, referrals with a note and an unread count, and an
# assistance provider kept as text (never a new organisation). tests/e2e/server_forms.py.
. tests/e2e/lib.sh
CTIP_TEST_DB_URL="" python3 tests/e2e/server_forms.py
status=$?
# again on tests/run.sh's PostgreSQL cluster (lines prefixed "pg: ")
if [ -n "${CTIP_PG_URL:-}" ]; then
	CTIP_TEST_DB_URL=$CTIP_PG_URL python3 tests/e2e/server_forms.py >"$T/pg.out" 2>&1
	rc=$?
	sed 's/^ok /ok pg: /; s/^not ok /not ok pg: /' "$T/pg.out"
	if [ $rc -ne 0 ]; then
		status=$rc
		grep -q '^not ok ' "$T/pg.out" || echo "not ok pg: server_forms.py ended with status $rc"
	fi
fi
exit $status
