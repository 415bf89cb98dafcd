-- 0009: incremental record linkage (lib/link/link_incr.c). `ctip link run` after a first run links only
-- the records it has not seen (no row in link_person) and those changed since it saw them,
-- which this table lists: a change to what linkage compares (the sealed identity, birth date,
-- gender, province) of a linked record marks it here, and the next run relinks it and empties
-- the table. Only record ids are kept. (IF NOT EXISTS: tests take a database back to an older
-- version by dropping only the tables of the migrations they undo.)
CREATE TABLE IF NOT EXISTS link_changed (
  person_id INTEGER PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE
);

-- Its triggers (a change to what linkage reads of a linked record marks it) are made by `ctip
-- init` from lib/link/link_watch.h, the one declaration for every back end
-- (store_sqlite_link_watch.c).
