-- 0010: faster searches (docs/BENCHMARKS.md, Server). The cases of a person record are read
-- from the index alone: a search shows each record with the cases it is in, and with the index
-- on person_id only each of those cost a seek into case_person too (a third of that query).
DROP INDEX case_person_person;
CREATE INDEX case_person_person ON case_person(person_id, case_id);

-- The name indexes get pair tokens (ctip_bidx_org_pairs): one per two distinct tokens of a
-- record's name, scoped to the organisation, so that a search of "family given" reads a
-- doclist of a few dozen records instead of the family name's thousands (docs/DESIGN.md,
-- Search). Rebuilt from the sort keys sealed with the identities, as 0005 built them.
INSERT INTO person_name(person_name) VALUES ('delete-all');
INSERT INTO person_name(rowid, tokens)
  SELECT id, doc FROM (SELECT id, ctip_name_doc(ctip_sortkey(identity, id), org_id, 1) AS doc
                       FROM person WHERE identity IS NOT NULL)
  WHERE doc <> '';
-- person_referred is rebuilt after this migration by the store (store_sqlite_open.c), from
-- the one definition of the access rule (lib/store/access_rule.h).
INSERT INTO person_name(person_name) VALUES ('optimize');
