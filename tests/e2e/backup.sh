#!/bin/sh
# ctip backup, ctip backup --verify and ctip restore (lib/backup, docs/DEPLOYMENT.md) on SQLite
# and, when a throwaway cluster can be started (scripts/pg-cluster.sh), on PostgreSQL; with the
# attacks: a stolen backup reveals no identity without the passphrase, and a tampered backup is
# refused with a clear message.
. "$(dirname "$0")/lib.sh"

# every synthetic identity of basic.csv that must never be readable in a backup
secrets_in() {
	python3 - "$@" <<'PY'
import os, sys
needles = ["Tuyết", "Tuyet", "TUYET", "Ánh", "038198001234", "912345678", "0912 345 678"]
hits = []
for root in sys.argv[1:]:
    for d, _, fs in os.walk(root):
        for f in fs:
            b = open(os.path.join(d, f), "rb").read()
            for n in needles:
                if n.encode() in b or n.encode("utf-16-le") in b:
                    hits.append(f + ":" + n)
print("\n".join(hits))
sys.exit(1 if hits else 0)
PY
}
# flip one byte of FILE at the first occurrence of TEXT (an attacker editing a copy)
tamper() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys
p, needle, repl = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
b = open(p, "rb").read()
i = b.find(needle)
assert i >= 0, "not found"
open(p, "wb").write(b[:i] + repl + b[i + len(repl):])
PY
}
# rewrite the manifest's size and SHA-256 of FILE to match it (an attacker covering tracks)
fix_manifest() {
	python3 - "$1" "$2" <<'PY'
import hashlib, json, os, sys
d, name = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(d, "manifest.json")))
for f in m["files"]:
    if f["name"] == name:
        b = open(os.path.join(d, name), "rb").read()
        f["sha256"], f["bytes"] = hashlib.sha256(b).hexdigest(), len(b)
json.dump(m, open(os.path.join(d, "manifest.json"), "w"), indent=2)
PY
}

"$CTIP" init >/dev/null 2>&1
"$CTIP" org add "Vietnam Women's Union" --type NGO >/dev/null
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
"$CTIP" demo generate --persons 1500 --seed 5 -o "$T/demo.csv" >/dev/null 2>&1
"$CTIP" import --org "Backup Org" "$T/demo.csv" >/dev/null 2>&1
echo 'a-long-test-password-1' | "$CTIP" user add bk1 --org "Vietnam Women's Union" --role caseworker >/dev/null
"$CTIP" export --format csv --identities clear -o "$T/orig.csv" >/dev/null 2>&1

# ---- SQLite ------------------------------------------------------------------------------
# writers keep going while the backup is taken: the copy is one consistent snapshot
(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do "$CTIP" org add "Busy Org $i" --type NGO >/dev/null 2>&1; done) &
writer=$!
"$CTIP" backup "$T/b1" >"$T/out1" 2>&1
rc=$?
wait $writer
check "sqlite: backup writes the registry and its audit log" \
	sh -c "test $rc -eq 0 && test -s '$T/b1/registry.db' && test -s '$T/b1/registry.db.audit' && test -s '$T/b1/manifest.json' || { echo 'backup (status $rc) said:'; cat '$T/out1'; false; } >&2"
check "sqlite: ... and says what it holds, and how to check it" \
	sh -c "grep -q '[0-9]\{4\} person records' '$T/out1' && grep -q 'ctip backup --verify' '$T/out1'"
check "sqlite: the manifest lists every file with its SHA-256 and counts the tables" \
	python3 -c "
import json, sys
m = json.load(open('$T/b1/manifest.json'))
assert m['format'] == 'ctip-backup-1' and m['backend'] == 'sqlite'
assert {f['name'] for f in m['files']} == {'registry.db', 'registry.db.audit'}
assert all(len(f['sha256']) == 64 for f in m['files'])
assert m['tables']['person'] > 1000 and m['tables']['auditlog.audit'] == m['audit']['entries']
assert m['key_included'] is False
"
check "sqlite: no key in a backup unless asked" test ! -e "$T/b1/key.sealed"
"$CTIP" audit log >"$T/log1" 2>&1
check "sqlite: the backup is audited" grep -q "backup .*registry .*to $T/b1" "$T/log1"
"$CTIP" backup --verify "$T/b1" >"$T/v1" 2>&1
check "sqlite: backup --verify: intact" sh -c "test $? -eq 0 && grep -q 'intact' '$T/v1'"
"$CTIP" restore --check "$T/b1" >"$T/v1b" 2>&1
check "sqlite: restore --check verifies the same way" sh -c "test $? -eq 0 && grep -q 'intact' '$T/v1b'"
"$CTIP" backup "$T/b1" >"$T/again" 2>&1
check "sqlite: a backup never writes into a directory that holds one" \
	sh -c "test $? -ne 0 && grep -q 'not empty' '$T/again'"

R="$T/restored.db"
cp "$CTIP_DB.key" "$R.key"
"$CTIP" restore "$T/b1" --db "$R" >"$T/r1" 2>&1
check "sqlite: restore into a new file" sh -c "test $? -eq 0 && grep -q 'audit log intact' '$T/r1'"
"$CTIP" --db "$R" audit verify >"$T/av1" 2>&1
check "sqlite: audit verify passes on the restored registry" contains "$T/av1" "audit log intact"
"$CTIP" --db "$R" audit log >"$T/rlog" 2>&1
check "sqlite: the restored log holds the backup's entry and the restore's" \
	sh -c "grep -q ' backup ' '$T/rlog' && grep -q ' restore .*from $T/b1' '$T/rlog'"
"$CTIP" --db "$R" export --format csv --identities clear -o "$T/rest.csv" >/dev/null 2>&1
check "sqlite: the restored registry exports the same records" cmp -s "$T/orig.csv" "$T/rest.csv"
"$CTIP" --db "$R" search "dinh anh tuyet" >"$T/rs" 2>&1
check "sqlite: search works on the restored registry" contains "$T/rs" "Đinh Thị Ánh Tuyết"

"$CTIP" --db "$R" org add "After Restore" --type NGO >/dev/null 2>&1
"$CTIP" --db "$R" export --format csv --identities clear -o "$T/r-before.csv" >/dev/null 2>&1
"$CTIP" restore "$T/b1" --db "$R" >"$T/r2" 2>&1
rc=$?
"$CTIP" --db "$R" export --format csv --identities clear -o "$T/r-after.csv" >/dev/null 2>&1
check "sqlite: restore refuses to overwrite a registry, and says how" \
	sh -c "test $rc -ne 0 && grep -q 'already holds a registry' '$T/r2' && grep -q -- '--force' '$T/r2'"
check "sqlite: ... and leaves it as it was" \
	sh -c "cmp -s '$T/r-before.csv' '$T/r-after.csv' && '$CTIP' --db '$R' audit verify >/dev/null 2>&1"
"$CTIP" restore "$T/b1" --db "$R" --force >"$T/r3" 2>&1
check "sqlite: restore --force replaces it" sh -c "test $? -eq 0 && '$CTIP' --db '$R' audit verify >/dev/null 2>&1"
"$CTIP" --db "$R" org add "After Restore" --type NGO >"$T/r4" 2>&1
check "sqlite: ... with the backup's contents (the later organisation is gone)" contains "$T/r4" "added"

# a progress bar on a terminal (lib/core/progress.c), as the other long commands draw
python3 - "$T/pty.out" env -u CI CTIP_PROGRESS_DELAY=0 "$CTIP" backup "$T/b-pty" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
data = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    data += b
os.waitpid(pid, 0)
open(sys.argv[1], "wb").write(data)
PY
check "sqlite: backup on a terminal draws a progress bar" grep -qa 'backup: the registry \[' "$T/pty.out"

# the key: only sealed, with a passphrase or to a recipient's public key
"$CTIP" backup "$T/bk-nopw" --with-key >"$T/k0" 2>&1
check "sqlite: --with-key alone is refused: the key is never written in clear" \
	sh -c "test $? -eq 2 && grep -q 'only sealed' '$T/k0' && test ! -e '$T/bk-nopw/key.sealed'"
echo "short" >"$T/pw-short"
"$CTIP" backup "$T/bk-short" --with-key --passphrase-file "$T/pw-short" >"$T/k1" 2>&1
check "sqlite: a short passphrase is refused" sh -c "test $? -ne 0 && grep -q 'shorter than' '$T/k1'"
echo "correct horse battery staple 7" >"$T/pw"
"$CTIP" backup "$T/bk" --with-key --passphrase-file "$T/pw" >"$T/k2" 2>&1
check "sqlite: backup --with-key --passphrase-file" \
	sh -c "test $? -eq 0 && test -s '$T/bk/key.sealed' && grep -q 'sealed with the passphrase' '$T/k2'"
"$CTIP" backup --verify "$T/bk" >/dev/null 2>&1
check "sqlite: ... verifies" test $? -eq 0

# ATTACK: the backup directory stolen, without the passphrase
check "attack: a stolen backup holds no name, document number or phone in clear" secrets_in "$T/bk" "$T/b1"
check "attack: ... nor the key" sh -c "! grep -rqF '$(cat "$CTIP_DB.key")' '$T/bk' '$T/b1'"
echo "not the right passphrase" >"$T/pw-wrong"
R2="$T/r2.db"
"$CTIP" restore "$T/bk" --db "$R2" --passphrase-file "$T/pw-wrong" >"$T/k3" 2>&1
check "attack: a wrong passphrase opens nothing, and nothing is written" \
	sh -c "test $? -ne 0 && grep -q 'passphrase does not open the key' '$T/k3' && test ! -e '$R2' && test ! -e '$R2.key'"
"$CTIP" restore "$T/bk" --db "$R2" >"$T/k4" 2>&1
"$CTIP" --db "$R2" show P1 >"$T/k4s" 2>&1
check "attack: restored without the passphrase: no key, no identity" \
	sh -c "test ! -e '$R2.key' && grep -q 'key file not found' '$T/k4s' && ! grep -q 'Tuyết' '$T/k4s'"
R3="$T/r3.db"
"$CTIP" restore "$T/bk" --db "$R3" --passphrase-file - <"$T/pw" >"$T/k5" 2>&1
check "sqlite: restore with the passphrase brings the key back (mode 0600)" \
	sh -c "grep -q 'key: written' '$T/k5' && test \"\$(stat -c %a '$R3.key')\" = 600 && cmp -s '$R3.key' '$CTIP_DB.key'"
"$CTIP" --db "$R3" show P1 >"$T/k5s" 2>&1
check "sqlite: ... and the identities open with it" contains "$T/k5s" "Tuyết"

(cd "$T" && "$CTIP" key recipient ministry >/dev/null 2>&1)
"$CTIP" backup "$T/bk-r" --with-key --recipient "$T/ministry.pub" >/dev/null 2>&1
check "sqlite: backup --with-key --recipient KEY.pub" test -s "$T/bk-r/key.sealed"
check "attack: ... holds no identity either" secrets_in "$T/bk-r"
R4="$T/r4.db"
"$CTIP" restore "$T/bk-r" --db "$R4" --secret-key "$T/ministry.secret" >"$T/k6" 2>&1
check "sqlite: restore --secret-key opens it" \
	sh -c "grep -q 'key: written' '$T/k6' && cmp -s '$R4.key' '$CTIP_DB.key'"

# ATTACK: tampered backups are refused, with the reason
cp -a "$T/b1" "$T/t1"
tamper "$T/t1/registry.db" "BG-R-1" "XG"
"$CTIP" backup --verify "$T/t1" >"$T/t1v" 2>&1
check "attack: a byte changed in the registry: verify says the backup was altered" \
	sh -c "test $? -ne 0 && grep -q 'registry.db: its SHA-256 differs from the manifest' '$T/t1v'"
"$CTIP" restore "$T/t1" --db "$T/t1.db" >"$T/t1r" 2>&1
check "attack: ... and restore refuses it, writing nothing" \
	sh -c "test $? -ne 0 && grep -q 'is not restored' '$T/t1r' && test ! -e '$T/t1.db'"
cp -a "$T/b1" "$T/t2"
tamper "$T/t2/registry.db.audit" "cli:" "xli:"
fix_manifest "$T/t2" registry.db.audit
"$CTIP" restore "$T/t2" --db "$T/t2.db" >"$T/t2r" 2>&1
check "attack: an audit entry edited and the manifest's hash fixed up: the chain refuses it" \
	sh -c "test $? -ne 0 && grep -q 'audit entry [0-9]* was altered' '$T/t2r' && test ! -e '$T/t2.db'"
cp -a "$T/b1" "$T/t3"
rm "$T/t3/registry.db.audit"
"$CTIP" backup --verify "$T/t3" >"$T/t3v" 2>&1
check "attack: a file removed from the backup is named" \
	sh -c "test $? -ne 0 && grep -q 'registry.db.audit is missing' '$T/t3v'"
"$CTIP" backup --verify "$T/nothing" >"$T/t4v" 2>&1
check "sqlite: verify of a directory without a manifest: a clear error" contains "$T/t4v" "no manifest.json"

# ---- PostgreSQL --------------------------------------------------------------------------
if [ -z "${CTIP_PG_URL:-}" ]; then
	if ! CTIP_PG_URL=$(sh scripts/pg-cluster.sh start 2>"$T/pg-cluster.log"); then
		echo "SKIP backup/pg: no PostgreSQL cluster could be started: $(tail -n 1 "$T/pg-cluster.log")"
		exit 0
	fi
	trap 'sh scripts/pg-cluster.sh stop >/dev/null 2>&1; rm -rf "$T"' EXIT
fi
H=${CTIP_PG_URL#*host=}
DB=ctip_bk_$$
psql_su() { psql -X -q -v ON_ERROR_STOP=1 -h "$H" "$@"; }
pgurl() { echo "postgresql:///$1?host=$H"; }
trap 'for d in $DB ${DB}_r ${DB}_s; do psql_su -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done; rm -rf "$T"' EXIT
for d in $DB ${DB}_r ${DB}_s; do psql_su -d postgres -c "CREATE DATABASE $d" >/dev/null; done
PK="$T/pg.key"
P=$(pgurl $DB)
"$CTIP" --db "$P" --key "$PK" init >/dev/null 2>&1
"$CTIP" --db "$P" --key "$PK" org add "Vietnam Women's Union" --type NGO >/dev/null 2>&1
"$CTIP" --db "$P" --key "$PK" import "$FIX/basic.csv" >/dev/null 2>&1
"$CTIP" --db "$P" --key "$PK" import --org "Backup Org" "$T/demo.csv" >/dev/null 2>&1
echo 'a-long-test-password-1' | "$CTIP" --db "$P" --key "$PK" user add pgbk --org "Vietnam Women's Union" --role caseworker >/dev/null 2>&1
"$CTIP" --db "$P" --key "$PK" export --format csv --identities clear -o "$T/pg-orig.csv" >/dev/null 2>&1
"$CTIP" --db "$P" --key "$PK" link run >/dev/null 2>&1

"$CTIP" --db "$P" backup "$T/pb" >"$T/p1" 2>&1
check "pg: backup (every table in one snapshot, COPY)" \
	sh -c "test $? -eq 0 && test -s '$T/pb/tables/person.copy' && test -s '$T/pb/tables/audit.copy' && grep -q '[0-9]\{4\} person records' '$T/p1'"
"$CTIP" backup --verify "$T/pb" >"$T/pv" 2>&1
check "pg: backup --verify: intact" sh -c "test $? -eq 0 && grep -q 'postgresql registry' '$T/pv'"
check "attack: a PostgreSQL backup holds no identity in clear" secrets_in "$T/pb"
R=$(pgurl ${DB}_r)
"$CTIP" restore "$T/pb" --db "$R" >"$T/pr" 2>&1
check "pg: restore into a new database" sh -c "test $? -eq 0 && grep -q 'audit log intact' '$T/pr'"
"$CTIP" --db "$R" audit verify >"$T/pav" 2>&1
check "pg: audit verify passes on the restored registry" contains "$T/pav" "audit log intact"
"$CTIP" --db "$R" --key "$PK" export --format csv --identities clear -o "$T/pg-rest.csv" >/dev/null 2>&1
check "pg: the restored registry exports the same records" cmp -s "$T/pg-orig.csv" "$T/pg-rest.csv"
"$CTIP" --db "$R" --key "$PK" org add "Next Org" --type NGO >"$T/pnext" 2>&1
check "pg: new ids go on after the restored ones" contains "$T/pnext" "organisation O"
check "pg: ... not one already used" sh -c "! grep -q 'O1 ' '$T/pnext' && ! grep -qi 'duplicate' '$T/pnext'"
# the statistics triggers come back with the restore (made from lib/stats/freshness.h, as
# `ctip init` makes them): a load into the restored registry changes its figures
n0=$("$CTIP" --db "$R" --key "$PK" stats cases --no-suppress --format json 2>/dev/null | jq '.total')
sed -e 's/BG-2023-001/RS-2023-001/; s/,PA-7,/,RS-7,/; s/,BG-R-\([0-9]\),/,RS-BG-\1,/; s/,PA-R-\([0-9]\),/,RS-PA-\1,/' "$FIX/basic.csv" >"$T/after.csv"
"$CTIP" --db "$R" --key "$PK" import "$T/after.csv" >/dev/null 2>&1
n1=$("$CTIP" --db "$R" --key "$PK" stats cases --no-suppress --format json 2>/dev/null | jq '.total')
check "pg: the restored registry's statistics see a later load" test "${n1:-0}" -gt "${n0:-0}"
# linkage's triggers come back as init makes them (lib/link/link_watch.h), made once the rows
# are in; and the owners' rows the access policies read (0036) with the cases
trg() { psql_su -d "$1" -tA -c "SELECT string_agg(pg_get_triggerdef(oid), ' ' ORDER BY tgname) || obj_description('link_changed'::regclass, 'pg_class') FROM pg_trigger WHERE tgname LIKE 'link\_changed\_%'"; }
check "pg: the restored registry has linkage's triggers as init makes them" \
	sh -c "test -n '$(trg $DB)' && test '$(trg $DB)' = '$(trg ${DB}_r)'"
check "pg: ... no linked record taken for changed by the restore" \
	test "$(psql_su -d ${DB}_r -tA -c "SELECT (SELECT count(*) FROM link_person) > 100, count(*) FROM link_changed")" = "t|0"
check "pg: ... and a row of case_access for each case's owner" \
	test "$(psql_su -d ${DB}_r -tA -c "SELECT count(*) = (SELECT count(*) FROM cases) FROM case_access WHERE own")" = t
"$CTIP" restore "$T/pb" --db "$R" >"$T/pr2" 2>&1
check "pg: restore refuses a database that holds a registry" \
	sh -c "test $? -ne 0 && grep -q 'restore never overwrites one' '$T/pr2'"
"$CTIP" restore "$T/pb" --db "$R" --force >"$T/pr3" 2>&1
check "pg: restore --force replaces it" sh -c "test $? -eq 0 && '$CTIP' --db '$R' audit verify >/dev/null 2>&1"
"$CTIP" restore "$T/pb" --db "$T/x.db" >"$T/px" 2>&1
check "pg: a PostgreSQL backup is not restored into a file: says how to move it" \
	sh -c "test $? -ne 0 && grep -q 'ctip store copy' '$T/px' && test ! -e '$T/x.db'"
"$CTIP" restore "$T/b1" --db "$(pgurl ${DB}_s)" >"$T/px2" 2>&1
check "pg: a SQLite backup is not restored into PostgreSQL" \
	sh -c "test $? -ne 0 && grep -q 'SQLite registry' '$T/px2'"
cp -a "$T/pb" "$T/pt"
tamper "$T/pt/tables/audit.copy" "cli:" "xli:"
fix_manifest "$T/pt" tables/audit.copy
"$CTIP" restore "$T/pt" --db "$(pgurl ${DB}_s)" >"$T/ptr" 2>&1
check "attack: pg: an audit entry edited, the manifest fixed up: refused by the chain" \
	sh -c "test $? -ne 0 && grep -q 'audit entry [0-9]* was altered' '$T/ptr'"
check "attack: pg: ... and the target stays empty" \
	test "$(psql_su -d ${DB}_s -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0
cp -a "$T/pb" "$T/pt2"
sed -i '1d' "$T/pt2/tables/person.copy"
fix_manifest "$T/pt2" tables/person.copy
"$CTIP" backup --verify "$T/pt2" >"$T/pt2v" 2>&1
check "attack: pg: a row removed, the hash fixed up: the count refuses it" \
	sh -c "test $? -ne 0 && grep -q 'person.copy: [0-9]* rows, the manifest counts [0-9]*: the backup was altered' '$T/pt2v'"
"$CTIP" --db "$P" --key "$PK" backup "$T/pbk" --with-key --passphrase-file "$T/pw" >/dev/null 2>&1
S=$(pgurl ${DB}_s)
"$CTIP" restore "$T/pbk" --db "$S" --passphrase-file "$T/pw" >"$T/pk" 2>&1
check "pg: a key restores only to a path given with --key" \
	sh -c "test $? -eq 2 && grep -q 'give --key PATH' '$T/pk'"
"$CTIP" --key "$T/pg-restored.key" restore "$T/pbk" --db "$S" --passphrase-file "$T/pw" >"$T/pk2" 2>&1
check "pg: restore with the key" sh -c "test $? -eq 0 && cmp -s '$T/pg-restored.key' '$PK'"
"$CTIP" --db "$S" --key "$T/pg-restored.key" show P1 >"$T/pks" 2>&1
check "pg: ... the identities open" contains "$T/pks" "Tuyết"
