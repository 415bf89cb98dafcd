-- 0002: accounts and the tamper-evident audit log.

CREATE TABLE account (
  id         INTEGER PRIMARY KEY,
  username   TEXT NOT NULL UNIQUE,
  org_id     INTEGER NOT NULL REFERENCES organisation(id),
  role       TEXT NOT NULL CHECK (role IN ('caseworker', 'supervisor', 'analyst', 'auditor', 'admin')),
  pw_hash    TEXT NOT NULL,   -- Argon2id (libsodium crypto_pwhash_str)
  disabled   INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Append-only. Each entry's hash is BLAKE2b over the previous entry's hash and this entry's
-- fields, so an entry altered, removed or inserted breaks the chain from there on
-- (`ctip audit verify`). Entries name people by record id, never by name.
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,    -- account name, or "cli:<os user>"
  action    TEXT NOT NULL,    -- view, export, import, search, login, login_failed, ...
  object    TEXT NOT NULL,    -- P12, C7, a file name, ...
  detail    TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX audit_object ON audit(object);
