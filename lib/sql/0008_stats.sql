-- 0008: the statistics snapshot's cache (lib/store/sqlite/store_sqlite_stats.c) and the ledger of published
-- figures (lib/stats/figures.c). Until this migration they were created the first time statistics
-- or figures were asked for; a database that has them already keeps its figures and its
-- data version, and its cached snapshot is dropped (the next statistics query rebuilds it).
--
-- stats_state holds the data version the cached snapshot was built from and whether it is
-- stale; stats_part the snapshot itself, as arrays (facts.h, "the cache's parts"). A write to
-- a table the snapshot is built from goes through the triggers below:
--  - one that touches cases (a case, a person in it, a victim's details, exploitation,
--    assistance, an event, a proceeding, a referral, a person's own columns) records the cases in
--    stats_dirty, and the next statistics query recomputes the rows of those cases only
--    (store_sqlite_stats.c, "patching"); after 20,000 such writes the
--    snapshot is marked stale instead, for one rebuild (an import of millions of rows);
--  - one that may change every case (an organisation renamed or retyped, the linkage of
--    persons) marks the snapshot stale.
-- Each bumps version (a server keeps its snapshot in memory while the version holds). The WHEN
-- clause makes a stale snapshot cost one read of one row per written row. An UPDATE trigger
-- names the columns statistics read (store_sqlite_stats.c): sealing identities again (a new
-- key) or writing a comment leaves the snapshot alone.
-- A table added later that statistics read must get its three triggers in its own migration.

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

CREATE TRIGGER stats_stale_organisation_I AFTER INSERT ON organisation
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  UPDATE stats_state SET version = version + 1 WHERE id = 1; -- no case has it yet
END;
CREATE TRIGGER stats_stale_organisation_U AFTER UPDATE OF id, name, type
  ON organisation
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_organisation_D AFTER DELETE ON organisation
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_cases_I AFTER INSERT ON cases
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (NEW.id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_cases_U AFTER UPDATE OF id, org_id, opened
  ON cases
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (OLD.id);
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (NEW.id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_cases_D AFTER DELETE ON cases
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (OLD.id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_person_I AFTER INSERT ON person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE person_id = NEW.id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_person_U AFTER UPDATE OF id, gender, birth_date, ethnicity, citizenship, province_2025
  ON person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE person_id = NEW.id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_person_D AFTER DELETE ON person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE person_id = OLD.id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_case_person_I AFTER INSERT ON case_person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (NEW.case_id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_case_person_U AFTER UPDATE OF id, case_id, person_id, role
  ON case_person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (OLD.case_id);
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (NEW.case_id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_case_person_D AFTER DELETE ON case_person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (OLD.case_id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_victim_I AFTER INSERT ON victim
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_victim_U AFTER UPDATE OF case_person_id, status, status_date, age_when_trafficked, labour_industry,
  recruitment_methods, control_methods, exploitation_types
  ON victim
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_victim_D AFTER DELETE ON victim
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_exploitation_I AFTER INSERT ON exploitation
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_exploitation_U AFTER UPDATE OF case_person_id, country, start_date
  ON exploitation
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_exploitation_D AFTER DELETE ON exploitation
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_assistance_I AFTER INSERT ON assistance
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_assistance_U AFTER UPDATE OF case_person_id, seq, date, kind, provider_org_id
  ON assistance
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_assistance_D AFTER DELETE ON assistance
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_proceeding_I AFTER INSERT ON proceeding
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_proceeding_U AFTER UPDATE OF case_person_id, stage, date, article, sentence_kind, sentence_months
  ON proceeding
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_proceeding_D AFTER DELETE ON proceeding
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_referral_I AFTER INSERT ON referral
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (NEW.case_id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_referral_U AFTER UPDATE OF case_id, direction, seq, date, reason
  ON referral
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (OLD.case_id);
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (NEW.case_id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_referral_D AFTER DELETE ON referral
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (OLD.case_id);
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_link_person_I AFTER INSERT ON link_person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_link_person_U AFTER UPDATE ON link_person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_link_person_D AFTER DELETE ON link_person
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_event_I AFTER INSERT ON event
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_event_U AFTER UPDATE OF case_person_id, type
  ON event
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = NEW.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
CREATE TRIGGER stats_stale_event_D AFTER DELETE ON event
WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN
  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id FROM case_person WHERE id = OLD.case_person_id;
  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,
    stale = ndirty >= 20000 WHERE id = 1;
END;
