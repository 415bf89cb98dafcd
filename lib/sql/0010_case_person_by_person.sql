-- 0010: the cases of a person record read from the index alone. A search shows each record
-- with the cases it is in (GET /api/search); with the index on person_id only, each of those
-- cost a seek into case_person as well (a third of that query; docs/BENCHMARKS.md, Server).
DROP INDEX case_person_person;
CREATE INDEX case_person_person ON case_person(person_id, case_id);
