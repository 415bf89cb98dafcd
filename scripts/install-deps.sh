#!/bin/sh
# Installs the Debian packages ctip needs to build, test and run, only when one is missing.
# Used by `make run` and `make test`; safe to run again. Needs root (or sudo) on Debian 12.
set -eu

PKGS="build-essential clang clang-format libclang-rt-14-dev pkg-config sqlite3 libsqlite3-dev libutf8proc-dev
postgresql postgresql-client libpq-dev
libjansson-dev libsodium-dev libmicrohttpd-dev libcmocka-dev libcsv-dev uthash-dev libjemalloc-dev libxlsxwriter-dev libzip-dev libexpat1-dev valgrind cppcheck python3 openssl bc jq
libglpk-dev
time chromium"
# The browser test (tests/browser/) runs playwright-core under node. A node installed some other
# way (e.g. a vendor's nodejs package, which brings its own npm) is used as it is.
if ! command -v node >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
elif ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS npm"
fi
[ "${1:-}" = "--print" ] && { echo $PKGS; exit 0; }

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "ctip: installing missing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
