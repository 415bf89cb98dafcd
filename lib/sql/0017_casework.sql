-- 0017: casework (docs/CASEWORK.md): the workflow of a case (stage, assigned caseworker,
-- supervisors' approvals), re-trafficking risk assessments, the follow-up plan and its
-- contacts, alerts, and hotline contacts as records of their own. Free text (comments of
-- approvals, notes of follow-up and hotline contacts, a named caller) is sealed like the
-- other free text (0003), bound to its place "table.column:id". Everything else stays in
-- clear for statistics. Accounts are named by username, as in the audit log.

-- The workflow of a case: one row per case that entered it (cases without one are at
-- stage 'identification', unassigned). The HTCDS status (cases.status) is kept alongside:
-- an approved closure sets it to Closed, the follow-up stage to FollowUp.
CREATE TABLE IF NOT EXISTS case_work (
  case_id     INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  stage       TEXT NOT NULL DEFAULT 'identification'
              CHECK (stage IN ('identification', 'assessment', 'case_plan', 'services',
                               'followup_reintegration', 'closed')),
  assigned_to TEXT,
  plan_approved INTEGER NOT NULL DEFAULT 0,
  -- the follow-up plan's state: none, active, lost (lost to follow-up) or completed
  followup    TEXT NOT NULL DEFAULT 'none'
              CHECK (followup IN ('none', 'active', 'lost', 'completed')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS case_work_assigned ON case_work(assigned_to);

-- A supervisor's approval of a case plan or of a case's closure: requested by a
-- caseworker, then approved or rejected (with a comment) by another account of the
-- organisation with the supervisor role.
CREATE TABLE IF NOT EXISTS case_approval (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('case_plan', 'close')),
  status       TEXT NOT NULL DEFAULT 'requested'
               CHECK (status IN ('requested', 'approved', 'rejected')),
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  request_sealed BLOB,         -- the requester's comment
  decided_by   TEXT,
  decided_at   TEXT,
  comment_sealed BLOB          -- the supervisor's comment
);
CREATE INDEX IF NOT EXISTS case_approval_case ON case_approval(case_id);

-- A re-trafficking risk assessment (data/risk/): the answers as a JSON object of question
-- code to answer code, the score and level they give, by the instrument's rule.
CREATE TABLE IF NOT EXISTS risk_assessment (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  date       TEXT NOT NULL,
  answers    TEXT NOT NULL,
  score      INTEGER NOT NULL,
  level      TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS risk_assessment_case ON risk_assessment(case_id, date);

-- The follow-up plan: one row per planned contact (due date); done when a contact reached
-- the person.
CREATE TABLE IF NOT EXISTS followup_due (
  id      INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  due     TEXT NOT NULL,
  months  INTEGER NOT NULL,    -- after return, as planned (0: added after a high risk)
  done    TEXT                 -- the date of the contact that reached the person
);
CREATE INDEX IF NOT EXISTS followup_due_case ON followup_due(case_id, due);
CREATE INDEX IF NOT EXISTS followup_due_open ON followup_due(due) WHERE done IS NULL;

-- Each follow-up contact or attempt.
CREATE TABLE IF NOT EXISTS followup_contact (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  due_id       INTEGER REFERENCES followup_due(id) ON DELETE SET NULL,
  date         TEXT NOT NULL,
  mode         TEXT NOT NULL,  -- vocabulary followup_mode
  who          TEXT NOT NULL,  -- who made the contact (account or name of the worker)
  outcome      TEXT NOT NULL,  -- vocabulary followup_outcome
  notes_sealed BLOB,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS followup_contact_case ON followup_contact(case_id, date);

-- Settings of an organisation (followup_months: "1,3,6,12,24"; followup_lost_after: "3").
CREATE TABLE IF NOT EXISTS org_setting (
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  name   TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (org_id, name)
) WITHOUT ROWID;

-- Alerts on a case (a high risk level, lost to follow-up), until cleared.
CREATE TABLE IF NOT EXISTS case_alert (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,    -- high_risk, lost_to_followup
  detail     TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  cleared_at TEXT
);
CREATE INDEX IF NOT EXISTS case_alert_case ON case_alert(case_id);

-- Hotline contacts (calls, messages, chats, web forms, walk-ins), kept apart from cases as
-- the HTCDS helpline guidance keeps them; anonymous unless the caller gives a name.
CREATE TABLE IF NOT EXISTS hotline_contact (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES organisation(id),
  channel       TEXT NOT NULL,  -- vocabulary contact_channel
  at            TEXT NOT NULL,  -- date and time, YYYY-MM-DDTHH:MM
  caller_type   TEXT,           -- vocabulary caller_type
  reason        TEXT,           -- vocabulary contact_reason
  province      TEXT,           -- province_2025 code
  anonymous     INTEGER NOT NULL DEFAULT 1,
  caller_sealed BLOB,           -- name or number, when not anonymous
  notes_sealed  BLOB,
  case_id       INTEGER REFERENCES cases(id) ON DELETE SET NULL,
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS hotline_contact_org ON hotline_contact(org_id, at);
