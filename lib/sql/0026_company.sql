-- 0026: labour-export companies and recruiters (issue 15 item 1; docs/COMPANIES.md).
-- A company is an organisation (the one a victim's ctip_Recruiter names, created by an import
-- when unknown) with its register entry: licence, address, province, sanctions. Each entry
-- and sanction is an organisation's record, with its provenance (who recorded it, when,
-- from what source), as person records are. Recruiters and brokers (persons or companies)
-- are recorded by an organisation too; a person's name is personal data and sealed under the
-- store's key, as victims' identities are ("recruiter.name_sealed:<id>").
CREATE TABLE IF NOT EXISTS company (
  id             INTEGER PRIMARY KEY,
  org_id         INTEGER NOT NULL UNIQUE REFERENCES organisation(id),
  licence_no     TEXT,
  licence_status TEXT CHECK (licence_status IN ('active', 'suspended', 'revoked', 'expired')),
  licence_from   TEXT,           -- YYYY-MM-DD
  licence_to     TEXT,
  address        TEXT,           -- the registered office (a company's, not a person's)
  province       TEXT,           -- province_2025 code
  recorded_org   INTEGER NOT NULL REFERENCES organisation(id),
  recorded_by    TEXT NOT NULL,
  source         TEXT,
  recorded_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX IF NOT EXISTS company_licence ON company(licence_no) WHERE licence_no IS NOT NULL;

CREATE TABLE IF NOT EXISTS company_sanction (
  id           INTEGER PRIMARY KEY,
  company_id   INTEGER NOT NULL REFERENCES company(id) ON DELETE CASCADE,
  date         TEXT NOT NULL,    -- YYYY-MM-DD
  authority    TEXT NOT NULL,
  decision     TEXT NOT NULL,
  recorded_org INTEGER NOT NULL REFERENCES organisation(id),
  recorded_by  TEXT NOT NULL,
  recorded_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS company_sanction_company ON company_sanction(company_id, date);

CREATE TABLE IF NOT EXISTS recruiter (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('person', 'company')),
  name_sealed  BLOB,             -- a person's name, sealed; a company's in company_org
  company_org  INTEGER REFERENCES organisation(id), -- the company it is, or works for
  province     TEXT,
  recorded_org INTEGER NOT NULL REFERENCES organisation(id),
  recorded_by  TEXT NOT NULL,
  recorded_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- which cases a recruiter recruited in (a victim's recruitment: the company is the victim's
-- ctip_Recruiter, the recruiter is linked to the case)
CREATE TABLE IF NOT EXISTS recruiter_case (
  recruiter_id INTEGER NOT NULL REFERENCES recruiter(id) ON DELETE CASCADE,
  case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  PRIMARY KEY (recruiter_id, case_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recruiter_case_case ON recruiter_case(case_id);
