-- 0011: what `ctip link explain` needs to weigh a pair as the last run did, without reading
-- every record (lib/link.c). link_freq: how many records of the last run held each folded
-- name, and each full name (family and given, unordered), for the names held by two records
-- or more; keyed by the keyed blind index (lib/crypto.c) of the name, never the name itself.
-- The run's totals are in link_freq_total. Both are rebuilt by every run; when the key changes
-- the hashes no longer match and explain reads the records instead, until the next run.
-- link_pair_b: an incremental run replaces the stored pairs of the records it relinks (on
-- either side of a pair). (IF NOT EXISTS: tests take a database back to an older version by
-- dropping only the tables of the migrations they undo.)
CREATE TABLE IF NOT EXISTS link_freq (
  h INTEGER PRIMARY KEY,
  n INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS link_pair_b ON link_pair(b);

-- The totals the frequencies are shares of (records, records with a family name, a given
-- name, both), and the check of the key the hashes are under: one row, of the last run.
CREATE TABLE IF NOT EXISTS link_freq_total (
  records   INTEGER NOT NULL,
  family    INTEGER NOT NULL,
  given     INTEGER NOT NULL,
  full      INTEGER NOT NULL,
  key_check TEXT NOT NULL
);
