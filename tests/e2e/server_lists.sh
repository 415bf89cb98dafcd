# The server's long lists (issue 14, item 5): GET /api/cases filtered, sorted and paged with the
# victim's name where the user may see it, GET /api/home, the audit page's filters and paging,
# CSV exports; never another organisation's case, never a hidden name, no order or filter by a
# hidden name (tests/e2e/server_lists.py; one "ok" line per check).
. tests/e2e/lib.sh
python3 tests/e2e/server_lists.py
