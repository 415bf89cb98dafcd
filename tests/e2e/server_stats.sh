# GET /api/stats: the JSON of ctip stats, for analysts, supervisors and admins; suppressed
# unless an analyst asks for raw counts, which is audited.
. tests/e2e/lib.sh
python3 tests/e2e/server_stats.py
