-- 0013: referrals made through the API follow a state machine (issue 10; server/
-- routes_referrals.c): Pending (sent) -> Accepted or Declined by the receiver, Accepted ->
-- Completed by the receiver, Pending, Accepted or Completed -> Withdrawn by the referring
-- organisation; Declined and Withdrawn are final. A referral that is Declined or Withdrawn no
-- longer shows the case (the access queries and person_referred: store_sqlite.c,
-- store_sqlite_srv.c). SQLite cannot change a CHECK constraint: the table is rebuilt, ids kept.
CREATE TABLE case_referral_0013 (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  from_org_id INTEGER NOT NULL REFERENCES organisation(id),
  to_org_id   INTEGER NOT NULL REFERENCES organisation(id),
  date        TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL DEFAULT 'Pending'
              CHECK (status IN ('Pending', 'Accepted', 'Declined', 'Completed', 'Withdrawn')),
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO case_referral_0013(id, case_id, from_org_id, to_org_id, date, reason, status,
                               created_by, created_at)
  SELECT id, case_id, from_org_id, to_org_id, date, reason, status, created_by, created_at
  FROM case_referral;
DROP TABLE case_referral;
ALTER TABLE case_referral_0013 RENAME TO case_referral;
CREATE INDEX case_referral_to ON case_referral(to_org_id, case_id);
CREATE INDEX case_referral_from ON case_referral(from_org_id, case_id);
CREATE INDEX case_referral_case ON case_referral(case_id);
