-- 0003: identities encrypted at rest (docs/SECURITY.md).
-- Identifying values are stored sealed (libsodium XChaCha20-Poly1305, a version byte, nonce,
-- ciphertext and tag) under a key kept outside the database, each bound to its place (table,
-- column, record id) so that a sealed value moved to another row no longer opens. Search goes
-- through keyed blind indexes (SipHash-2-4, 64 bits) of the normalised values. A database
-- that already holds records is refused by the migration (the program checks before running
-- this file): export with the ctip that wrote it, then import into a new database.

-- Settings of the database; key_check lets ctip recognise a wrong key.
CREATE TABLE setting (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- person: one sealed message holds the names, the address below the province (street,
-- commune and its code, district and its code), the identity-document numbers and the phone
-- numbers. Birth date, gender, ethnicity, province and country stay in clear for statistics.
ALTER TABLE person ADD COLUMN identity BLOB;
ALTER TABLE person DROP COLUMN family_name;
ALTER TABLE person DROP COLUMN middle_name;
ALTER TABLE person DROP COLUMN given_name;
ALTER TABLE person DROP COLUMN street;
ALTER TABLE person DROP COLUMN commune;
ALTER TABLE person DROP COLUMN commune_code;
ALTER TABLE person DROP COLUMN district;
ALTER TABLE person DROP COLUMN district_code;

-- Identity documents and phones keep, instead of the number, its blind index (of the letters
-- and digits, upper case; of the E.164 form for phones) for search.
DROP INDEX identity_doc_number;
ALTER TABLE identity_doc DROP COLUMN number;
ALTER TABLE identity_doc DROP COLUMN number_norm;
ALTER TABLE identity_doc ADD COLUMN number_bidx BLOB;
CREATE INDEX identity_doc_bidx ON identity_doc(number_bidx);

DROP INDEX phone_e164;
ALTER TABLE phone DROP COLUMN e164;
ALTER TABLE phone ADD COLUMN e164_bidx BLOB;
CREATE INDEX phone_bidx ON phone(e164_bidx);

-- Free text that may identify a person: case comments, the reason a case was closed and the
-- place of exploitation. (The city or place of a trafficking event stays in clear: border
-- gates and transit cities, for statistics of routes; see docs/SECURITY.md.)
ALTER TABLE case_comment DROP COLUMN body;
ALTER TABLE case_comment ADD COLUMN body_sealed BLOB;
ALTER TABLE cases DROP COLUMN closure_reason;
ALTER TABLE cases ADD COLUMN closure_sealed BLOB;
ALTER TABLE exploitation DROP COLUMN place;
ALTER TABLE exploitation ADD COLUMN place_sealed BLOB;

-- The name index now holds blind-index tokens (13 base32 characters per folded token)
-- instead of the folded tokens themselves.
DROP TABLE person_name;
CREATE VIRTUAL TABLE person_name USING fts5(tokens, content='', detail=none);
