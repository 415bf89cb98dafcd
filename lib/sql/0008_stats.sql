-- 0008: the statistics snapshot's cache (lib/store/sqlite/store_sqlite_stats.c) and the ledger of published
-- figures (lib/stats/figures.c). Until this migration they were created the first time statistics
-- or figures were asked for; a database that has them already keeps its figures and its
-- data version, and its cached snapshot is dropped (the next statistics query rebuilds it).
--
-- stats_state holds the data version the cached snapshot was built from and whether it is
-- stale; stats_part the snapshot itself, as arrays (facts.h, "the cache's parts"); stats_dirty
-- the cases written since it was saved (the next statistics query recomputes their rows only:
-- store_sqlite_stats.c, "patching").
--
-- The triggers that fill stats_dirty or mark the snapshot stale are not here: they are made
-- from the one declaration of what statistics read (lib/stats/freshness.h), for every back end,
-- and installed by `ctip init` after the migrations (lib/store/sqlite/store_sqlite_fresh.c).
-- This migration drops those a database made before it had (on first use).

DROP TRIGGER IF EXISTS stats_stale_organisation_I;
DROP TRIGGER IF EXISTS stats_stale_organisation_U;
DROP TRIGGER IF EXISTS stats_stale_organisation_D;
DROP TRIGGER IF EXISTS stats_stale_cases_I;
DROP TRIGGER IF EXISTS stats_stale_cases_U;
DROP TRIGGER IF EXISTS stats_stale_cases_D;
DROP TRIGGER IF EXISTS stats_stale_person_I;
DROP TRIGGER IF EXISTS stats_stale_person_U;
DROP TRIGGER IF EXISTS stats_stale_person_D;
DROP TRIGGER IF EXISTS stats_stale_case_person_I;
DROP TRIGGER IF EXISTS stats_stale_case_person_U;
DROP TRIGGER IF EXISTS stats_stale_case_person_D;
DROP TRIGGER IF EXISTS stats_stale_victim_I;
DROP TRIGGER IF EXISTS stats_stale_victim_U;
DROP TRIGGER IF EXISTS stats_stale_victim_D;
DROP TRIGGER IF EXISTS stats_stale_exploitation_I;
DROP TRIGGER IF EXISTS stats_stale_exploitation_U;
DROP TRIGGER IF EXISTS stats_stale_exploitation_D;
DROP TRIGGER IF EXISTS stats_stale_assistance_I;
DROP TRIGGER IF EXISTS stats_stale_assistance_U;
DROP TRIGGER IF EXISTS stats_stale_assistance_D;
DROP TRIGGER IF EXISTS stats_stale_proceeding_I;
DROP TRIGGER IF EXISTS stats_stale_proceeding_U;
DROP TRIGGER IF EXISTS stats_stale_proceeding_D;
DROP TRIGGER IF EXISTS stats_stale_referral_I;
DROP TRIGGER IF EXISTS stats_stale_referral_U;
DROP TRIGGER IF EXISTS stats_stale_referral_D;
DROP TRIGGER IF EXISTS stats_stale_link_person_I;
DROP TRIGGER IF EXISTS stats_stale_link_person_U;
DROP TRIGGER IF EXISTS stats_stale_link_person_D;
DROP TRIGGER IF EXISTS stats_stale_event_I;
DROP TRIGGER IF EXISTS stats_stale_event_U;
DROP TRIGGER IF EXISTS stats_stale_event_D;

-- made on first use before: its version goes on (a server compares it), the cache is dropped
CREATE TABLE IF NOT EXISTS stats_state (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  stale   INTEGER NOT NULL
);
INSERT OR IGNORE INTO stats_state (id, version, stale) VALUES (1, 0, 1);
CREATE TABLE stats_state_8 (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  stale   INTEGER NOT NULL,
  ndirty  INTEGER NOT NULL DEFAULT 0  -- writes recorded in stats_dirty since the last save
);
INSERT INTO stats_state_8 (id, version, stale, ndirty)
  SELECT 1, version + 1, 1, 0 FROM stats_state WHERE id = 1;
DROP TABLE stats_state;
ALTER TABLE stats_state_8 RENAME TO stats_state;

CREATE TABLE IF NOT EXISTS stats_part (
  unit INTEGER NOT NULL,
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (unit, part)
);
DELETE FROM stats_part;

-- Cases written since the snapshot was saved.
CREATE TABLE IF NOT EXISTS stats_dirty (case_id INTEGER PRIMARY KEY);
-- What the snapshot's delta holds (store_sqlite_stats.c, "patching"): the rows of these cases,
-- and for victims every row of these victim keys; the saved rows they replace are marked dead.
CREATE TABLE IF NOT EXISTS stats_delta (case_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS stats_delta_key (key INTEGER PRIMARY KEY);
DELETE FROM stats_dirty;
DELETE FROM stats_delta;
DELETE FROM stats_delta_key;

-- The ledger of published figures (`ctip figures import`): one figure per source, citation,
-- measure, period and breakdown.
CREATE TABLE IF NOT EXISTS figure (
  id        INTEGER PRIMARY KEY,
  source    TEXT NOT NULL,
  citation  TEXT NOT NULL,
  published TEXT NOT NULL,
  measure   TEXT NOT NULL,
  period    TEXT NOT NULL,
  breakdown TEXT NOT NULL,
  value     INTEGER NOT NULL,
  note      TEXT NOT NULL,
  UNIQUE (source, citation, measure, period, breakdown)
);
