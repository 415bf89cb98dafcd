-- 0011: what `ctip link explain` needs to weigh a pair as the last run did, without reading
-- every record (lib/link/link.c). link_freq: how many records of the last run held each folded
-- name, and each full name (family and given, unordered), for the names held by two records
-- or more; keyed by the keyed blind index (lib/core/crypto.c) of the name, never the name itself.
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

-- A disposable cache of the records as a full run prepared them (lib/link/link_cache.c), sealed
-- with the database's key in chunks, so that an incremental run opens one cache instead of
-- every sealed identity; link_cache_extra lists the records changed since it was made (read
-- again from the registry, like those added since). When it does not open (another key,
-- another build) it is rebuilt by the next run.
CREATE TABLE IF NOT EXISTS link_cache (
  seq  INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS link_cache_extra (
  person_id INTEGER PRIMARY KEY
);

-- The period of exploitation is compared too: a change to it marks the record changed (not
-- one to the sealed place, which a key rotation rewrites). The triggers are made from
-- lib/link/link_watch.h by `ctip init` (store_sqlite_link_watch.c).
