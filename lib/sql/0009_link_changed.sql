-- 0009: incremental record linkage (lib/link/link_incr.c). `ctip link run` after a first run links only
-- the records it has not seen (no row in link_person) and those changed since it saw them,
-- which this table lists: a change to what linkage compares (the sealed identity, birth date,
-- gender, province) of a linked record marks it here, and the next run relinks it and empties
-- the table. Only record ids are kept. (IF NOT EXISTS: tests take a database back to an older
-- version by dropping only the tables of the migrations they undo.)
CREATE TABLE IF NOT EXISTS link_changed (
  person_id INTEGER PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE
);

CREATE TRIGGER IF NOT EXISTS link_changed_person AFTER UPDATE OF identity, birth_date, gender, province_2025
ON person WHEN EXISTS (SELECT 1 FROM link_person WHERE person_id = NEW.id)
BEGIN
  INSERT OR IGNORE INTO link_changed(person_id) VALUES (NEW.id);
END;
