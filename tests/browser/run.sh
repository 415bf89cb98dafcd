#!/bin/sh
# The web UI: translation and CSP checks (node), then the multi-organisation flow in Debian's
# headless Chromium (flow.mjs). Prints "ok NAME" / "not ok NAME" lines; tests/run.sh counts them.
# Skipped, with a SKIP line, only when the ctip under test has no `serve` command.
# `sh tests/browser/run.sh --docs` refreshes the screenshots kept in docs/screenshots/.
set -u
[ "${1:-}" = "--docs" ] && export SCREENSHOTS=docs/screenshots
cd "$(dirname "$0")"
: "${CTIP:=$(pwd)/../../build/asan/ctip}"
export CTIP
if ! command -v node >/dev/null 2>&1; then
	echo "not ok browser: node is missing (scripts/install-deps.sh installs it)"
	exit 1
fi
node i18n_check.mjs
rc=$?
if ! "$CTIP" help 2>&1 | grep -q '^  serve '; then
	echo "SKIP browser flow: $CTIP has no serve command"
	exit $rc
fi
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "not ok browser: $CHROMIUM is missing (scripts/install-deps.sh installs Debian's chromium)"
	exit 1
fi
export CHROMIUM
if ! npm ci --no-audit --no-fund --loglevel=error >npm-ci.log 2>&1; then
	echo "not ok browser: npm ci (playwright-core) failed"
	sed 's/^/  /' npm-ci.log | tail -n 10
	exit 1
fi
rm -f npm-ci.log
node flow.mjs || rc=1
# every workflow in both languages and at both widths, axe-core on every page (issue 14 item 6)
node walk.mjs || rc=1
# every workflow again on PostgreSQL (tests/run.sh's throwaway cluster), its lines prefixed "pg: "
if [ -n "${CTIP_PG_URL:-}" ]; then
	out=$(mktemp)
	CTIP_TEST_DB_URL=$CTIP_PG_URL SCREENSHOTS=none node flow.mjs >"$out" 2>&1 || rc=1
	sed 's/^ok /ok pg: /; s/^not ok /not ok pg: /; s/^# browser:/# browser on PostgreSQL:/' "$out"
	rm -f "$out"
fi
exit $rc
