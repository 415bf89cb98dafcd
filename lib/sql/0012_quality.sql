-- 0012: data-quality flags. A row imported through a mapping (lib/io/import_map.h) that passed
-- validation but looks wrong (a document expiring before it was issued, a person born after
-- the exploitation began, an age out of the mapping's range) is kept with a flag, one row per
-- flag of the person in the case, and `ctip report completeness` counts them.
CREATE TABLE IF NOT EXISTS quality_flag (
  case_person_id INTEGER NOT NULL REFERENCES case_person(id) ON DELETE CASCADE,
  flag           TEXT NOT NULL,
  PRIMARY KEY (case_person_id, flag)
) WITHOUT ROWID;
