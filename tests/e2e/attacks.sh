#!/bin/sh
# The attacker's test suite: every attack on ctip that was found or imagined, one file each in
# tests/attacks/ (attack_*.py or attack_*.sh), each playing one attacker from docs/SECURITY.md's
# threat model (the stolen database file, the snooping insider with a valid account, the crowd of
# connections, the crash). New endpoints add their attacks there. Each file prints "ok NAME" /
# "not ok NAME"; a file that dies without saying "not ok" is counted as one failure here.
# With tests/run.sh's PostgreSQL cluster (CTIP_PG_URL), every attack runs again on PostgreSQL
# (CTIP_TEST_DB_URL: tests/attacks/harness.py), its lines prefixed "pg: "; an attack that
# cannot run there prints a SKIP line with the reason.
set -u
cd "$(dirname "$0")/../.."
: "${CTIP:=$(pwd)/build/asan/ctip}"
export CTIP
rounds="sqlite"
[ -n "${CTIP_PG_URL:-}" ] && rounds="sqlite pg"
for round in $rounds; do
	if [ "$round" = pg ]; then
		CTIP_TEST_DB_URL=$CTIP_PG_URL
		prefix="pg: "
	else
		CTIP_TEST_DB_URL=""
		prefix=""
	fi
	export CTIP_TEST_DB_URL
	for f in tests/attacks/attack_*; do
		[ -f "$f" ] || continue
		out=$(mktemp)
		case "$f" in
		*.py) python3 "$f" >"$out" 2>&1 ;;
		*.sh) sh "$f" >"$out" 2>&1 ;;
		*) continue ;;
		esac
		rc=$?
		sed "s/^ok /ok $prefix/; s/^not ok /not ok $prefix/" "$out"
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
			echo "not ok ${prefix}attacks: $(basename "$f") ended with status $rc"
			tail -n 15 "$out" | sed 's/^/  /'
		fi
		rm -f "$out"
	done
done
