-- 0014: the ledger of releases (issue 16; lib/release*.c, cli/cmd_release.c). Every file that
-- `ctip release` writes is recorded: who, when, what (kind and the options, canonical, so that
-- `ctip release reproduce ID` can run it again), from which data version, with which seed, the
-- SHA-256 of the file, and the privacy loss (epsilon, delta) it spent from its data set.
-- A differentially private release that would take a data set past its budget is refused
-- (release_budget; a data set without a row has the default budget of cli/cmd_release.c).
-- IF NOT EXISTS: tests put a database back to an older version with the later tables in place.
CREATE TABLE IF NOT EXISTS release (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  kind         TEXT NOT NULL,        -- microdata, aggregates, synthetic
  params       TEXT NOT NULL,        -- the options, canonical
  data_version INTEGER NOT NULL,     -- of the statistics snapshot it read
  seed         TEXT NOT NULL,
  file         TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  records      INTEGER NOT NULL,
  dataset      TEXT NOT NULL,
  epsilon      REAL NOT NULL DEFAULT 0,
  delta        REAL NOT NULL DEFAULT 0,
  summary      TEXT NOT NULL         -- what it did (JSON): levels, suppression, loss, risks
);
CREATE INDEX IF NOT EXISTS release_dataset ON release (dataset);
CREATE TABLE IF NOT EXISTS release_budget (
  dataset TEXT PRIMARY KEY,
  epsilon REAL NOT NULL CHECK (epsilon >= 0)
);
