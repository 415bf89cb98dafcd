# Key rotation (ctip key rotate): every sealed value and keyed index moves to a new key in one
# transaction; the old key opens nothing afterwards and none of its blind indexes is left in
# the file; an interrupted or failed rotation leaves a working database. On PostgreSQL the key
# file is CTIP_KEY's, and the bytes searched for what the old key made are a pg_dump.
. tests/e2e/lib.sh
KEY="${CTIP_KEY:-$CTIP_DB.key}"
"$CTIP" init >/dev/null 2>&1
cat >"$T/p.csv" <<'CSV'
src_Organisation,src_CaseId,src_RecordId,prs_SecondName,prs_MiddleName,prs_FirstName,prs_Birthdate,prs_IdentityNumber,prs_MobilePhone,prs_HomePhone,prs_MailingStreet,cco_CaseComment,cas_ReasonForCaseClosure,ctip_ExploitationCountry,ctip_ExploitationPlace
Trạm Thử Nghiệm,K-1,K-R-1,Khuất,Nhược,Khuê,1999-02-03,079 301-004 321,0987.654.321,024 3826 1111,Xóm Đồi Mơ,Gặp ở bến xe Mỹ Đình,Chuyển về Xóm Đồi Mơ,KH,Khu Zartiên
Trạm Thử Nghiệm,K-2,K-R-2,Ngụy,Văn,Bính,1990,,,,,,,,
CSV
"$CTIP" import "$T/p.csv" >/dev/null 2>&1
"$CTIP" import "$FIX/basic.csv" >/dev/null 2>&1
pid=$(dbq "select id from person where src_record_id = 'K-R-1'")
cid=$(dbq "select case_id from case_person where person_id = $pid")
searches() { # the same searches, before and after
	{
		"$CTIP" search KHUAT NHUOC KHUE
		"$CTIP" search 079301004321
		"$CTIP" search "+84 987 654 321"
		"$CTIP" search "024 3826 1111"
		"$CTIP" search ngụy bính
		"$CTIP" search dinh thi anh tuyet
		"$CTIP" show "C$cid"
	} 2>&1 | sed 's/ *$//'
}
searches >"$T/before"
check "before: the searches find the records" contains "$T/before" "Khuất Nhược Khuê"
# every value made under the key: blind indexes, name-index terms, sealed values
# (stolen-file attack: read from the raw file, as a thief with a copy would, to show that
# nothing made under the old key is left in it; no ctip command may show these)
old_bidx() {
	if [ -z "$E2E_PGDB" ]; then
		sqlite3 "$CTIP_DB" "select hex(number_bidx) from identity_doc where number_bidx is not null
			union all select hex(e164_bidx) from phone where e164_bidx is not null" | LC_ALL=C sort
	else
		psu "select upper(encode(number_bidx, 'hex')) from identity_doc where number_bidx is not null
			union all select upper(encode(e164_bidx, 'hex')) from phone where e164_bidx is not null" |
			LC_ALL=C sort
	fi
}
terms() {
	if [ -z "$E2E_PGDB" ]; then
		sqlite3 "$CTIP_DB" "create virtual table temp.v using fts5vocab(main, person_name, row);
			create virtual table temp.r using fts5vocab(main, person_referred, row);
			select term from temp.v union select term from temp.r" | LC_ALL=C sort
	else
		psu "select distinct unnest(tokens) from person_name union
			select distinct split_part(unnest(tokens), ':', 2) from person_referred" | LC_ALL=C sort
	fi
}
old_bidx >"$T/bidx0"
terms >"$T/terms0"
check "the database has blind indexes and name-index terms to rotate" \
	test "$(lines "$T/bidx0")" -ge 3 -a "$(lines "$T/terms0")" -ge 20
cp "$KEY" "$T/key0"

"$CTIP" key rotate >"$T/r1" 2>&1
check "key rotate succeeds" test $? -eq 0
check "... and says the old key is gone" contains "$T/r1" "the old key is gone"
check "the key file holds a new key" test "$(cat "$KEY")" != "$(cat "$T/key0")"
check "... with mode 0600" test "$(stat -c %a "$KEY")" = "600"
check "... and no KEY.new or KEY.old is left" test ! -e "$KEY.new" -a ! -e "$KEY.old"
searches >"$T/after"
check "search finds the same records after rotation (names, documents, phones, a case)" \
	cmp -s "$T/before" "$T/after"
"$CTIP" --key "$T/key0" show "P$pid" >"$T/oldkey" 2>&1
check "the old key no longer opens the records" test $? -ne 0
check "... it is refused as the wrong key" contains "$T/oldkey" "wrong key"
old_bidx >"$T/bidx1"
terms >"$T/terms1"
check "every blind index changed" test -z "$(comm -12 "$T/bidx0" "$T/bidx1")"
check "... and every name-index term" test -z "$(comm -12 "$T/terms0" "$T/terms1")"
if [ -n "$E2E_PGDB" ]; then
	pg_dump -h "$E2E_PGHOST" -d "$E2E_PGDB" >"$T/pg_dump"
	db="$T/pg_dump"
else
	db="$CTIP_DB"
fi
python3 - "$db" "$T/bidx0" "$T/terms0" "$E2E_PGDB" >"$T/grep" <<'PY'
import sys, os
db, bidx, terms, pg = sys.argv[1:]
data = b"".join(open(p, "rb").read() for p in (db, db + "-wal") if os.path.exists(p))
# (a pg_dump writes bytea in hexadecimal)
old = [l.strip().lower().encode() if pg else bytes.fromhex(l.strip()) for l in open(bidx) if l.strip()]
old += [l.strip().encode() for l in open(terms) if len(l.strip()) == 13]
print(sum(1 for v in old if v in data), len(old))
PY
check "a grep of the database for the old blind indexes and terms finds none" \
	test "$(cut -d' ' -f1 "$T/grep")" = "0" -a "$(cut -d' ' -f2 "$T/grep")" -ge 20
"$CTIP" audit log >"$T/log" 2>&1
check "the rotation is audited" grep -q " key_rotate  *key" "$T/log"
check "... with no key in the log" lacks "$T/log" "$(cat "$T/key0")"
"$CTIP" audit verify >/dev/null 2>&1
check "the audit log verifies" test $? -eq 0

# --keep-old, --new-key
cp "$KEY" "$T/key1"
"$CTIP" key rotate --keep-old >"$T/r2" 2>&1
check "--keep-old keeps the old key as KEY.old" cmp -s "$KEY.old" "$T/key1"
check "... with mode 0600" test "$(stat -c %a "$KEY.old")" = "600"
"$CTIP" --key "$KEY.old" show "P$pid" >/dev/null 2>&1
check "... which no longer opens the database" test $? -ne 0
"$CTIP" key rotate --keep-old >"$T/r3" 2>&1
check "--keep-old refuses to overwrite a KEY.old" test $? -ne 0
if [ -z "$E2E_PGDB" ]; then
	"$CTIP" --db "$T/other.db" init >/dev/null 2>&1
else
	CTIP_KEY="$T/other.db.key" "$CTIP" --db "$(dbnew other)" init >/dev/null 2>&1
fi
"$CTIP" key rotate --new-key "$T/other.db.key" >/dev/null 2>&1
check "--new-key PATH rotates to that key" cmp -s "$KEY" "$T/other.db.key"
searches >"$T/after2"
check "... and search still finds the same records" cmp -s "$T/before" "$T/after2"
chmod 644 "$T/other.db.key"
"$CTIP" key rotate --new-key "$T/other.db.key" >"$T/r4" 2>&1
check "--new-key refuses a key file others may read" test $? -ne 0

# a rotation that fails half-way (a sealed comment that does not open) changes nothing
cp "$KEY" "$T/good.key"
# (tampering with the raw file: an attacker's write, not something ctip lets a user do)
if [ -z "$E2E_PGDB" ]; then
	cp "$CTIP_DB" "$T/good.db"
	sqlite3 "$CTIP_DB" "update case_comment set body_sealed = zeroblob(60) where case_id = $cid"
else
	psu "create table e2e_comment as select * from case_comment where case_id = $cid;
		update case_comment set body_sealed = decode(repeat('00', 60), 'hex') where case_id = $cid"
fi
"$CTIP" key rotate >"$T/r5" 2>&1
check "a rotation meeting a value that does not open fails" test $? -ne 0
check "... saying nothing was changed" contains "$T/r5" "nothing was changed"
check "... the key file is unchanged" cmp -s "$KEY" "$T/good.key"
check "... and no KEY.new is left" test ! -e "$KEY.new"
"$CTIP" search KHUAT NHUOC KHUE >"$T/s6" 2>&1
check "... and the database works under the old key" contains "$T/s6" "Khuất Nhược Khuê"
if [ -z "$E2E_PGDB" ]; then
	cp "$T/good.db" "$CTIP_DB"
	rm -f "$CTIP_DB-wal" "$CTIP_DB-shm"
else
	psu "update case_comment c set body_sealed = g.body_sealed from e2e_comment g
		where c.case_id = g.case_id and c.seq = g.seq; drop table e2e_comment"
fi

# interrupted before the commit: a KEY.new left behind protects nothing
if [ -z "$E2E_PGDB" ]; then
	"$CTIP" --db "$T/stray.db" init >/dev/null 2>&1
else
	CTIP_KEY="$T/stray.db.key" "$CTIP" --db "$(dbnew stray)" init >/dev/null 2>&1
fi
cp "$T/stray.db.key" "$KEY.new"
"$CTIP" search KHUAT NHUOC KHUE >"$T/s7" 2>&1
check "interrupted before the commit: the database works under KEY" contains "$T/s7" "Khuất Nhược Khuê"
"$CTIP" key rotate >/dev/null 2>&1
check "... and the next rotation succeeds" test $? -eq 0 -a ! -e "$KEY.new"
# interrupted after the commit, before KEY.new replaced KEY: the next command finishes it
cp "$KEY" "$T/key2"
"$CTIP" key rotate >/dev/null 2>&1
mv "$KEY" "$KEY.new"
cp "$T/key2" "$KEY"
"$CTIP" search KHUAT NHUOC KHUE >"$T/s8" 2>&1
check "interrupted after the commit: the next command works" contains "$T/s8" "Khuất Nhược Khuê"
check "... saying it finished the rotation" contains "$T/s8" "finished an interrupted key rotation"
check "... and KEY now holds the new key" test ! -e "$KEY.new" -a "$(cat "$KEY")" != "$(cat "$T/key2")"
searches >"$T/after3"
check "... with every search as before" cmp -s "$T/before" "$T/after3"

# linkage: re-sealing identities is not a change of what linkage compares, so a rotation leaves
# the list of records to relink as it was (an incremental run after it stays incremental)
"$CTIP" link run >/dev/null 2>&1
pid1=$(dbq "select person_id from link_person order by person_id limit 1")
dbq "update person set birth_date = '1990-01-01' where id = $pid1"
check "an edit of a linked record lists it for relinking" test "$(dbq "select count(*) || ':' || min(person_id) from link_changed")" = "1:$pid1"
"$CTIP" key rotate >/dev/null 2>&1
check "a rotation keeps that list as it was" test "$(dbq "select count(*) || ':' || min(person_id) from link_changed")" = "1:$pid1"
check "... and drops what linkage kept under the old key (cache, name frequencies)" \
	test "$(dbq "select (select count(*) from link_cache) + (select count(*) from link_freq) + (select count(*) from link_freq_total)")" = "0"
"$CTIP" link run >"$T/lr" 2>&1
check "the next link run works under the new key" test $? -eq 0
check "... and stores them again" test "$(dbq "select count(*) from link_freq_total")" = "1" -a "$(dbq "select count(*) from link_changed")" = "0"
