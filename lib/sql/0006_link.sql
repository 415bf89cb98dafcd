-- 0006: record linkage (lib/link/link.c, docs/DESIGN.md "Linkage"). Source records are never
-- changed: a linkage run writes, beside them, the linked person each record belongs to and
-- the scored candidate pairs, replacing those of the previous run. No identifying value is
-- stored here: pairs and keys refer to records by id.

-- One row per run: what it read and found, and the model it estimated (JSON: m and u of
-- each comparison level, the prior, the threshold), which `ctip link explain` reuses.
CREATE TABLE link_run (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  records  INTEGER NOT NULL,
  pairs    INTEGER NOT NULL,
  persons  INTEGER NOT NULL,
  params   TEXT NOT NULL
);

-- The linked person of each record: a stable key, derived from the smallest (organisation,
-- record id) of its cluster.
CREATE TABLE link_person (
  person_id  INTEGER PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,
  person_key TEXT NOT NULL
);
CREATE INDEX link_person_key ON link_person(person_key);

-- Scored candidate pairs (a < b) of the last run, with their match weight (log2 of the
-- Bayes factor), probability and whether the clustering linked them.
CREATE TABLE link_pair (
  a           INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  b           INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  weight      REAL NOT NULL,
  probability REAL NOT NULL,
  linked      INTEGER NOT NULL,
  PRIMARY KEY (a, b)
) WITHOUT ROWID;

-- Clerical review: a person's decision that two records are (same = 1) or are not (same = 0)
-- one person. Later runs respect it: records decided the same are linked whatever their
-- score, records decided different are never put in one person. Kept across runs; every
-- decision is also in the audit log.
CREATE TABLE link_decision (
  a          INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  b          INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  same       INTEGER NOT NULL CHECK (same IN (0, 1)),
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  PRIMARY KEY (a, b),
  CHECK (a < b)
) WITHOUT ROWID;
