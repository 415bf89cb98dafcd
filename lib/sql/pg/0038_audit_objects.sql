-- lib/sql/pg/0038: the records named inside an audit entry that names several (search_hit: a
-- page of search results; export_records: an export), found by index (docs/DESIGN.md, "The
-- audit log on PostgreSQL").
--
-- Why: `ctip audit log --object P12` and the auditor's page ("who saw this victim's record")
-- matched an object inside such an entry by a substring test on every entry of the log (a
-- sequential scan, twice a page: the count and the rows; 0.3 s for 4.9 million entries, and
-- growing with the log). A GIN index of the list, for those two actions only, answers it with
-- the entries that hold the record; an entry naming one object is found by audit_object (0001).
-- The list's order and the entry's text are unchanged: the index is derived from `object`.
CREATE INDEX audit_objects ON audit USING gin (string_to_array(object, ' '))
  WHERE action IN ('search_hit', 'export_records');
