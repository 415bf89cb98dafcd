# ctip export --identities: what a file holds of people is a stated choice (issue 10, item 10).
# omit (the default) and pseudonym leave every identity out, clear writes it with a warning,
# sealed encrypts it to a recipient's public key; each round-trips through an empty registry;
# the terminal says what the file holds; the audit log lists every record that left.
. tests/e2e/lib.sh
"$CTIP" init >/dev/null
"$CTIP" demo generate --persons 300 --seed 7 -o "$T/demo.csv" 2>/dev/null
"$CTIP" import "$T/demo.csv" >/dev/null 2>&1
"$CTIP" export --format csv --identities clear -o "$T/clear.csv" 2>"$T/clear.err"
check "clear: says the file holds identities in clear" grep -q "WARNING: .* identities in clear" "$T/clear.err"
# what must not leave: every identity-document number, phone and street of the registry (names
# are checked field by field below: a family name such as Dương is also part of a province's)
python3 - "$T/clear.csv" >"$T/secrets" <<'PY'
import csv, sys
out = set()
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    for k in ("prs_IdentityNumber", "prs_MobilePhone", "prs_HomePhone", "prs_MailingStreet"):
        for v in r[k].split(";"):
            if len(v) >= 6:
                out.add(v)
print("\n".join(sorted(out)))
PY
# no_identity FILE: every identifying column empty, births a year at most
no_identity() {
	python3 - "$1" <<'PY'
import csv, sys
cols = ("prs_SecondName", "prs_MiddleName", "prs_FirstName", "prs_IdentityNumber", "ctip_IdentityType",
        "prs_MobilePhone", "prs_HomePhone", "prs_MailingStreet", "ctip_MailingCommune", "prs_MailingCity",
        "cco_CaseComment", "cas_ReasonForCaseClosure", "ctip_Recruiter", "ctip_ExploitationPlace", "hte_City")
bad = [(r["src_RecordId"], c) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
       for c in cols if r.get(c)] + [r["prs_Birthdate"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
                                     if len(r["prs_Birthdate"]) > 4]
if bad: print(bad[:5])
sys.exit(1 if bad else 0)
PY
}
check "the registry holds identities to leave out ($(lines "$T/secrets") values)" test "$(lines "$T/secrets")" -gt 100
if no_identity "$T/clear.csv" >/dev/null; then notok "(no_identity finds them in the clear export)"; else ok "(no_identity finds them in the clear export)"; fi
# same_rows A B: the same rows, whatever their order and record ids, and as many records
same_rows() {
	python3 - "$1" "$2" <<'PY'
import csv, sys
def load(p):
    rows = list(csv.reader(open(p, encoding="utf-8")))
    i = rows[0].index("src_RecordId")
    return sorted(r[:i] + r[i + 1:] for r in rows), len({r[i] for r in rows[1:]})
a, b = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if a == b else 1)
PY
}
for m in omit pseudonym; do
	if [ $m = omit ]; then "$CTIP" export --format csv -o "$T/$m.csv" 2>"$T/$m.err"; else
		"$CTIP" export --format csv --identities $m -o "$T/$m.csv" 2>"$T/$m.err"; fi
	check "$m: written" test -s "$T/$m.csv"
	check "$m: says what the file holds" grep -q "without identities\|pseudonymised" "$T/$m.err"
	check "$m: no document number, phone or street of the registry in it" \
		sh -c "! grep -qF -f '$T/secrets' '$T/$m.csv'"
	check "$m: every name, document, phone, address below the province, free text about people, day of birth left out" no_identity "$T/$m.csv"
	CTIP_DB="$T/$m.db" "$CTIP" init >/dev/null
	check "$m: imports into an empty registry" sh -c "CTIP_DB='$T/$m.db' '$CTIP' import '$T/$m.csv' >/dev/null 2>&1"
	CTIP_DB="$T/$m.db" "$CTIP" export --format csv --identities $m -o "$T/$m.2.csv" 2>/dev/null
	check "$m: export -> import -> export keeps every row (record ids aside)" same_rows "$T/$m.csv" "$T/$m.2.csv"
	"$CTIP" export --format json --identities $m -o "$T/$m.json" 2>/dev/null
	CTIP_DB="$T/$m-j.db" "$CTIP" init >/dev/null
	check "$m: JSON imports too" sh -c "CTIP_DB='$T/$m-j.db' '$CTIP' import '$T/$m.json' >/dev/null 2>&1"
done
"$CTIP" export --format csv -o "$T/omit.b.csv" 2>/dev/null
"$CTIP" export --format csv --identities pseudonym -o "$T/pseudonym.b.csv" 2>/dev/null
check "pseudonym: the same pseudonyms in every export of this registry" cmp -s "$T/pseudonym.csv" "$T/pseudonym.b.csv"
check "omit: record ids valid in one file only (another export, other ids)" sh -c "! cmp -s '$T/omit.csv' '$T/omit.b.csv'"
check "omit and pseudonym ids differ" sh -c "! cmp -s '$T/omit.csv' '$T/pseudonym.csv'"

# sealed to a recipient
(cd "$T" && "$CTIP" key recipient org2 2>/dev/null && "$CTIP" key recipient other 2>/dev/null)
check "key recipient: the secret key is mode 0600" test "$(stat -c %a "$T/org2.secret")" = 600
"$CTIP" key recipient "$T/org2" >/dev/null 2>&1
check "key recipient never overwrites a key" test $? -ne 0
"$CTIP" export --format json --identities sealed -o "$T/s.sealed" 2>"$T/s.err"
check "sealed without --recipient is refused" test $? -eq 2
"$CTIP" export --format json --identities sealed --recipient "$T/org2.pub" -o "$T/s.sealed" 2>"$T/s.err"
check "sealed: says to whom" grep -q "sealed to $T/org2.pub" "$T/s.err"
check "sealed: no identity readable in the file" sh -c "! grep -qaF -f '$T/secrets' '$T/s.sealed'"
CTIP_DB="$T/s.db" "$CTIP" init >/dev/null
CTIP_DB="$T/s.db" "$CTIP" import "$T/s.sealed" >"$T/s.out" 2>&1
check "sealed: import without the secret key is refused, saying which option" sh -c "grep -q -- '--secret-key' '$T/s.out'"
CTIP_DB="$T/s.db" "$CTIP" import --secret-key "$T/other.secret" "$T/s.sealed" >"$T/s.out" 2>&1
check "sealed: another recipient's key does not open it" grep -q "does not open it" "$T/s.out"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[-20]^=1; open(sys.argv[2],'wb').write(b)" "$T/s.sealed" "$T/bad.sealed"
CTIP_DB="$T/s.db" "$CTIP" import --secret-key "$T/org2.secret" "$T/bad.sealed" >"$T/s.out" 2>&1
check "sealed: an altered file is refused" test $? -ne 0
head -c 2000 "$T/s.sealed" >"$T/cut.sealed"
CTIP_DB="$T/s.db" "$CTIP" import --secret-key "$T/org2.secret" "$T/cut.sealed" >"$T/s.out" 2>&1
check "sealed: a file cut short is refused" test $? -ne 0
check "... and nothing of either was imported" test "$(export CTIP_DB="$T/s.db"; nrecords)" -eq 0
check "sealed: the secret key opens and imports it" sh -c "CTIP_DB='$T/s.db' '$CTIP' import --secret-key '$T/org2.secret' '$T/s.sealed' >/dev/null 2>&1"
CTIP_DB="$T/s.db" "$CTIP" export --format csv --identities clear -o "$T/s.csv" 2>/dev/null
check "sealed: export -> import -> export gives the registry's clear export, byte for byte" cmp -s "$T/clear.csv" "$T/s.csv"

# the audit: which records left, and how
p=1 # the first record imported
"$CTIP" show "P$p" >/dev/null 2>&1 || p=none
"$CTIP" audit log --person "P$p" >"$T/log" 2>&1
check "audit: the records that left are listed (export_records, with the file and the choice)" \
	sh -c "grep -q 'export_records.*omit.csv csv identities=omit' '$T/log' && grep -q 'export_records.*s.sealed json identities=sealed' '$T/log'"
check "audit: the chain verifies" sh -c "'$CTIP' audit verify >/dev/null 2>&1"
"$CTIP" export --format csv --identities everything -o "$T/x.csv" 2>/dev/null
check "an unknown --identities is refused" test $? -eq 2
