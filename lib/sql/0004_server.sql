-- 0004: what the server adds. Referrals made through the API have an id and a status that
-- the receiving organisation sets; a referral that is not declined lets the receiving
-- organisation see the case (only the parts the victim consented to share).

CREATE TABLE case_referral (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  from_org_id INTEGER NOT NULL REFERENCES organisation(id),
  to_org_id   INTEGER NOT NULL REFERENCES organisation(id),
  date        TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL DEFAULT 'Pending'
              CHECK (status IN ('Pending', 'Accepted', 'Declined', 'Completed')),
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX case_referral_to ON case_referral(to_org_id, case_id);
CREATE INDEX case_referral_from ON case_referral(from_org_id, case_id);
CREATE INDEX case_referral_case ON case_referral(case_id);
-- the cases an organisation owns, newest first
CREATE INDEX cases_org ON cases(org_id, id);
