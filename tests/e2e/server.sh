# ctip serve: the access matrix, redaction by consent, CSRF, hostile input, rate limit and a
# clean SIGTERM (tests/e2e/server_matrix.py; one "ok" line per check).
. tests/e2e/lib.sh
python3 tests/e2e/server_matrix.py
