#!/bin/sh
# The main job of `make run`: a fresh embedded database filled with a synthetic data set,
# then a few of the things a user does with it.
set -eu
cd "$(dirname "$0")/.."
CTIP=build/ctip
DB=${CTIP_DB:-var/demo.db}
N=${DEMO_PERSONS:-20000}
mkdir -p var
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== ctip init ($DB)"
$CTIP --db "$DB" init
echo "== ctip demo generate --persons $N --seed 2026"
$CTIP demo generate --persons "$N" --seed 2026 -o var/demo.csv --truth var/demo-truth.csv
echo "== ctip import var/demo.csv"
$CTIP --db "$DB" import var/demo.csv | tail -n 3
# a name to look for, from the generated file (the database keeps names encrypted)
name=$(python3 -c 'import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x.get("prs_SecondName") and x.get("prs_FirstName")][7]; print((r["prs_SecondName"]+" "+r["prs_FirstName"]).upper())' var/demo.csv)
echo "== ctip search '$name'"
$CTIP --db "$DB" search --limit 10 "$name" || true
cid=$(sqlite3 "$DB" "select case_id from case_person group by case_id order by count(*) desc limit 1")
echo "== ctip show C$cid"
$CTIP --db "$DB" show "C$cid" | head -n 60
echo
echo "The database is $DB; try: build/ctip --db $DB help"
