-- 0001: the case registry (HTCDS 2.0, extended for Vietnam).
-- An organisation's record of a person (person) stays as it was reported, keyed by
-- (org_id, src_record_id); case_person links it into a case with a role, and everything
-- about the person *in that case* (victim context, events, assistance, consent,
-- proceedings) hangs off case_person.

CREATE TABLE vocab (
  vocab    TEXT NOT NULL,
  code     TEXT NOT NULL,
  label_en TEXT NOT NULL,
  label_vi TEXT NOT NULL,
  aliases  TEXT NOT NULL DEFAULT '',
  extra    TEXT NOT NULL DEFAULT '',
  sort     INTEGER NOT NULL,
  PRIMARY KEY (vocab, code)
) WITHOUT ROWID;

CREATE TABLE organisation (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  name_fold  TEXT NOT NULL UNIQUE,
  type       TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE cases (
  id             INTEGER PRIMARY KEY,
  org_id         INTEGER NOT NULL REFERENCES organisation(id),
  src_case_id    TEXT NOT NULL,
  status         TEXT,
  closure_reason TEXT,
  opened         TEXT,
  closed         TEXT,
  reopened       TEXT,
  imported_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX cases_src ON cases(org_id, src_case_id);

CREATE TABLE person (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES organisation(id),
  src_record_id TEXT NOT NULL,
  family_name   TEXT,
  middle_name   TEXT,
  given_name    TEXT,
  birth_date    TEXT,      -- YYYY, YYYY-MM or YYYY-MM-DD: the precision is the length
  gender        TEXT,
  ethnicity     TEXT,
  street        TEXT,
  commune       TEXT,
  commune_code  TEXT,
  district      TEXT,
  district_code TEXT,
  province_era  TEXT CHECK (province_era IN ('2008', '2025')),
  province_code TEXT,      -- official code in the list of province_era
  province_2025 TEXT,      -- the same place in the 34-province list
  home_country  TEXT,
  citizenship   TEXT       -- JSON array of ISO 3166 alpha-2 codes
);
CREATE UNIQUE INDEX person_src ON person(org_id, src_record_id);

CREATE TABLE identity_doc (
  person_id   INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  doc_type    TEXT,
  number      TEXT NOT NULL,
  number_norm TEXT NOT NULL,  -- letters and digits only, upper case
  issued      TEXT,
  expires     TEXT,
  PRIMARY KEY (person_id, seq)
) WITHOUT ROWID;
CREATE INDEX identity_doc_number ON identity_doc(number_norm);

CREATE TABLE phone (
  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL CHECK (kind IN ('mobile', 'home')),
  seq       INTEGER NOT NULL,
  e164      TEXT NOT NULL,
  PRIMARY KEY (person_id, kind, seq)
) WITHOUT ROWID;
CREATE INDEX phone_e164 ON phone(e164);

-- Folded name tokens of each person record ("nguyen sy hanh"): diacritic- and
-- case-insensitive search. Contentless: the names themselves live in person.
CREATE VIRTUAL TABLE person_name USING fts5(tokens, content='', detail=none);

CREATE TABLE case_person (
  id        INTEGER PRIMARY KEY,
  case_id   INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES person(id),
  role      TEXT NOT NULL,
  consent      INTEGER,  -- 1 given, 0 refused, NULL unknown
  consent_date TEXT,
  consent_scope TEXT,    -- JSON array of consent_scope codes
  perpetrator_roles TEXT -- JSON array of perpetrator_role codes
);
CREATE UNIQUE INDEX case_person_pair ON case_person(case_id, person_id);
CREATE INDEX case_person_person ON case_person(person_id);

CREATE TABLE victim (
  case_person_id      INTEGER PRIMARY KEY REFERENCES case_person(id) ON DELETE CASCADE,
  status              TEXT,
  decision_org_type   TEXT,
  decided_by_org_id   INTEGER REFERENCES organisation(id),
  status_date         TEXT,
  certificate_kind    TEXT,
  age_when_trafficked INTEGER,
  recruitment_country TEXT,
  recruitment_province TEXT,  -- name as canonicalised
  relationship        TEXT,
  recruiter_org_id    INTEGER REFERENCES organisation(id),
  labour_industry     TEXT,
  -- Multi-valued picklists, as JSON arrays of codes (json_each() splits them in SQL; the
  -- analytic modules read them into memory). A child table per list cost a B-tree insert
  -- per value, most of the import time.
  recruitment_methods    TEXT,
  recruitment_apps       TEXT,
  control_methods        TEXT,
  exploitation_types     TEXT,
  sex_exploitation_types TEXT,
  vulnerabilities        TEXT
);

CREATE TABLE exploitation (
  case_person_id INTEGER NOT NULL REFERENCES case_person(id) ON DELETE CASCADE,
  seq            INTEGER NOT NULL,
  country        TEXT,
  place          TEXT,
  start_date     TEXT,
  end_date       TEXT,
  PRIMARY KEY (case_person_id, seq)
) WITHOUT ROWID;

CREATE TABLE event (
  case_person_id INTEGER NOT NULL REFERENCES case_person(id) ON DELETE CASCADE,
  seq            INTEGER NOT NULL,
  type           TEXT NOT NULL,
  date           TEXT,
  country        TEXT,
  state          TEXT,
  city           TEXT,
  PRIMARY KEY (case_person_id, seq)
) WITHOUT ROWID;

CREATE TABLE assistance (
  case_person_id  INTEGER NOT NULL REFERENCES case_person(id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  date            TEXT,
  provider_org_id INTEGER REFERENCES organisation(id),
  amount          TEXT,
  PRIMARY KEY (case_person_id, seq)
) WITHOUT ROWID;

-- Proceedings: on a perpetrator's case_person they are that defendant's; on any other
-- row they are the case's (denunciation, verification).
CREATE TABLE proceeding (
  case_person_id  INTEGER NOT NULL REFERENCES case_person(id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  stage           TEXT NOT NULL,
  date            TEXT,
  article         TEXT,
  sentence_kind   TEXT,
  sentence_months INTEGER,
  PRIMARY KEY (case_person_id, seq)
) WITHOUT ROWID;

CREATE TABLE referral (
  case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  direction    TEXT NOT NULL CHECK (direction IN ('out', 'in')),
  seq          INTEGER NOT NULL,
  other_org_id INTEGER NOT NULL REFERENCES organisation(id),
  date         TEXT,
  reason       TEXT,
  status       TEXT,
  PRIMARY KEY (case_id, direction, seq)
) WITHOUT ROWID;
CREATE INDEX referral_other ON referral(other_org_id);

CREATE TABLE case_comment (
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  date    TEXT,
  body    TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
