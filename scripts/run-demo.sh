#!/bin/sh
# The main job of `make run`: a fresh embedded database filled with a synthetic data set, a
# first admin account and a demo caseworker (passwords generated, printed once), then the
# server in the foreground (Ctrl-C or SIGTERM stops it cleanly).
#   CTIP_DB (var/demo.db), DEMO_PERSONS (20000), CTIP_LISTEN (127.0.0.1:8080)
set -eu
cd "$(dirname "$0")/.."
CTIP=build/ctip
DB=${CTIP_DB:-var/demo.db}
N=${DEMO_PERSONS:-20000}
LISTEN=${CTIP_LISTEN:-127.0.0.1:8080}
mkdir -p var
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm"
echo "== ctip init ($DB)"
$CTIP --db "$DB" init
echo "== ctip demo generate --persons $N --seed 2026"
$CTIP demo generate --persons "$N" --seed 2026 -o var/demo.csv --truth var/demo-truth.csv
echo "== ctip import var/demo.csv (creates the organisations of the data set)"
$CTIP --db "$DB" import var/demo.csv | tail -n 3
# the organisation with the most cases gets the demo accounts
org=$(sqlite3 "$DB" "select o.name from cases c join organisation o on o.id = c.org_id group by o.id order by count(*) desc limit 1")
pw() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16; }
admin_pw=$(pw)
cw_pw=$(pw)
echo "$admin_pw" | $CTIP --db "$DB" user add admin --org "$org" --role admin >/dev/null
echo "$cw_pw" | $CTIP --db "$DB" user add demo.caseworker --org "$org" --role caseworker >/dev/null
echo
echo "== ctip serve: http://$LISTEN/"
echo "   admin            $admin_pw   (accounts and settings; no case content)"
echo "   demo.caseworker  $cw_pw   (caseworker of $org)"
echo "   More accounts: build/ctip --db $DB user add NAME --org ORG --role ROLE (password on stdin)"
echo
exec $CTIP --db "$DB" serve --listen "$LISTEN"
