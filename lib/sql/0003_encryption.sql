-- 0003: identities encrypted at rest (docs/SECURITY.md).
-- Identifying values are stored sealed (libsodium XChaCha20-Poly1305: a version byte, nonce,
-- ciphertext and tag) under a key kept outside the database, each bound to its place (table,
-- column, row id) so that a sealed value moved to another row no longer opens. Search goes
-- through keyed blind indexes (SipHash-2-4, 64 bits) of the normalised values.
--
-- Records already in the database are sealed here by SQL functions of the program
-- (store_sqlite.c: ctip_seal, ctip_seal_identity, ctip_bidx, ctip_name_bidx), under the key
-- `ctip init` loaded; the plaintext columns are then dropped, with secure_delete on, and the
-- program vacuums the file afterwards so that no plaintext stays in its free pages.

-- Settings of the database; key_check lets ctip recognise a wrong key.
CREATE TABLE setting (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- person: one sealed message holds the names, the address below the province (street,
-- commune and its code, district and its code), the identity-document numbers and the phone
-- numbers (as `;` lists, items escaped as in the import format, in the order of seq: the
-- primary keys' order). Birth date, gender, ethnicity, province and
-- country stay in clear for statistics.
ALTER TABLE person ADD COLUMN identity BLOB;
UPDATE person SET identity = ctip_seal_identity(id, family_name, middle_name, given_name,
  street, commune, commune_code, district, district_code,
  (SELECT group_concat(replace(replace(number, '\', '\\'), ';', '\;'), ';') FROM identity_doc d
   WHERE d.person_id = person.id),
  (SELECT group_concat(e164, ';') FROM phone f WHERE f.person_id = person.id AND kind = 'mobile'),
  (SELECT group_concat(e164, ';') FROM phone f WHERE f.person_id = person.id AND kind = 'home'));

-- Identity documents and phones keep, instead of the number, its blind index (of the letters
-- and digits, upper case; of the E.164 form for phones) for search.
ALTER TABLE identity_doc ADD COLUMN number_bidx BLOB;
UPDATE identity_doc SET number_bidx = ctip_bidx('d', number_norm);
ALTER TABLE phone ADD COLUMN e164_bidx BLOB;
UPDATE phone SET e164_bidx = ctip_bidx('p', e164);

-- Free text that may identify a person: case comments, the reason a case was closed and the
-- place of exploitation. (The city or place of a trafficking event stays in clear: border
-- gates and transit cities, for statistics of routes; see docs/SECURITY.md.)
ALTER TABLE case_comment ADD COLUMN body_sealed BLOB;
UPDATE case_comment SET body_sealed = ctip_seal('case_comment.body:' || case_id || ':' || seq, body);
ALTER TABLE cases ADD COLUMN closure_sealed BLOB;
UPDATE cases SET closure_sealed = ctip_seal('cases.closure_reason:' || id, closure_reason);
ALTER TABLE exploitation ADD COLUMN place_sealed BLOB;
UPDATE exploitation SET place_sealed = ctip_seal('exploitation.place:' || case_person_id || ':' || seq, place);

-- The name index holds blind-index tokens (13 base32 characters per folded token) instead of
-- the folded tokens themselves.
DROP TABLE person_name;
CREATE VIRTUAL TABLE person_name USING fts5(tokens, content='', detail=none);
INSERT INTO person_name(rowid, tokens)
  SELECT id, ctip_name_bidx(family_name, middle_name, given_name) FROM person
  WHERE ctip_name_bidx(family_name, middle_name, given_name) <> '';

-- The plaintext goes.
DROP INDEX identity_doc_number;
DROP INDEX phone_e164;
ALTER TABLE person DROP COLUMN family_name;
ALTER TABLE person DROP COLUMN middle_name;
ALTER TABLE person DROP COLUMN given_name;
ALTER TABLE person DROP COLUMN street;
ALTER TABLE person DROP COLUMN commune;
ALTER TABLE person DROP COLUMN commune_code;
ALTER TABLE person DROP COLUMN district;
ALTER TABLE person DROP COLUMN district_code;
ALTER TABLE identity_doc DROP COLUMN number;
ALTER TABLE identity_doc DROP COLUMN number_norm;
ALTER TABLE phone DROP COLUMN e164;
ALTER TABLE case_comment DROP COLUMN body;
ALTER TABLE cases DROP COLUMN closure_reason;
ALTER TABLE exploitation DROP COLUMN place;
CREATE INDEX identity_doc_bidx ON identity_doc(number_bidx);
CREATE INDEX phone_bidx ON phone(e164_bidx);
