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
DELETE FROM person_referred;
INSERT INTO person_referred(rowid, tokens)
  SELECT p.id * 1048576 + v.org, ctip_name_doc(ctip_sortkey(p.identity, p.id), v.org, 0)
  FROM (SELECT cp.person_id, cr.to_org_id AS org FROM case_person cp
        JOIN case_referral cr ON cr.case_id = cp.case_id
        WHERE cr.status <> 'Declined' AND cr.to_org_id < 1048576 AND cp.consent = 1
          AND cp.consent_scope LIKE '%"ShareWithReferralOrgs"%'
          AND cp.consent_scope LIKE '%"ShareIdentity"%'
        UNION
        SELECT cp.person_id, rf.other_org_id FROM case_person cp
        JOIN referral rf ON rf.case_id = cp.case_id AND rf.direction = 'out'
        WHERE coalesce(rf.status, '') <> 'Declined' AND rf.other_org_id < 1048576
          AND cp.consent = 1 AND cp.consent_scope LIKE '%"ShareWithReferralOrgs"%'
          AND cp.consent_scope LIKE '%"ShareIdentity"%') v
  JOIN person p ON p.id = v.person_id
  WHERE p.identity IS NOT NULL;
INSERT INTO person_name(person_name) VALUES ('optimize');
INSERT INTO person_referred(person_referred) VALUES ('optimize');
