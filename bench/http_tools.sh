# bench/http_tools.sh - sourced by the server benchmarks (server.sh, server_pg.sh): wrk and curl
# are the benchmarks' own tools, not the build's, so they are installed here (Debian's packages)
# when missing rather than by scripts/install-deps.sh.
missing=""
for tool in wrk curl; do command -v $tool >/dev/null 2>&1 || missing="$missing $tool"; done
if [ -n "$missing" ]; then
	echo "bench: installing$missing (Debian)" >&2
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
