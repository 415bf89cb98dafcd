-- 0022: what the case list and the home page sort and count by (issue 14, items 5 and 7;
-- docs/WEB_UI.md, docs/BENCHMARKS.md). A caseworker's list of 50,000 cases is ordered by
-- last activity and filtered by risk level: both are kept on the case, so that the list
-- walks an index instead of sorting or probing every case.
--
-- cases.activity: when anything last happened to the case through ctip (a change of its
-- fields, a comment, its workflow, an assessment, a follow-up contact, an approval, a
-- referral), as YYYY-MM-DDTHH:MM:SSZ; NULL until then (the list then uses the opening date).
-- cases.risk: the level of its latest risk assessment (by date, then id), NULL when none.
-- Both are kept by the triggers below; nothing else writes them.
ALTER TABLE cases ADD COLUMN activity TEXT;
ALTER TABLE cases ADD COLUMN risk TEXT;
-- cases.assigned: the caseworker the workflow assigns the case to (case_work.assigned_to),
-- kept here too so that "my cases" is an index range of the case table.
ALTER TABLE cases ADD COLUMN assigned TEXT;

UPDATE cases SET assigned = (SELECT assigned_to FROM case_work w WHERE w.case_id = cases.id)
 WHERE id IN (SELECT case_id FROM case_work WHERE assigned_to IS NOT NULL);

UPDATE cases SET risk = (SELECT level FROM risk_assessment a WHERE a.case_id = cases.id
                         ORDER BY date DESC, id DESC LIMIT 1)
 WHERE id IN (SELECT case_id FROM risk_assessment);
UPDATE cases SET activity = (SELECT max(t) FROM (
         SELECT updated_at AS t FROM case_work WHERE case_id = cases.id
         UNION ALL SELECT created_at FROM risk_assessment WHERE case_id = cases.id
         UNION ALL SELECT created_at FROM followup_contact WHERE case_id = cases.id
         UNION ALL SELECT coalesce(decided_at, requested_at) FROM case_approval
                   WHERE case_id = cases.id
         UNION ALL SELECT created_at FROM case_referral WHERE case_id = cases.id))
 WHERE id IN (SELECT case_id FROM case_work UNION SELECT case_id FROM risk_assessment
              UNION SELECT case_id FROM followup_contact UNION SELECT case_id FROM case_approval
              UNION SELECT case_id FROM case_referral);

-- The list's default order (last activity, newest first) within an organisation, and the
-- other orders and filters of a large organisation's list.
CREATE INDEX IF NOT EXISTS cases_org_activity ON cases(org_id, coalesce(activity, opened, ''), id);
CREATE INDEX IF NOT EXISTS cases_org_opened ON cases(org_id, coalesce(opened, ''), id);
CREATE INDEX IF NOT EXISTS cases_org_risk ON cases(org_id, risk, status) WHERE risk IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_org_risk_activity ON cases(org_id, risk, coalesce(activity, opened, ''), id)
  WHERE risk IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_org_assigned ON cases(org_id, assigned, status) WHERE assigned IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_org_assigned_activity
  ON cases(org_id, assigned, coalesce(activity, opened, ''), id) WHERE assigned IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_org_status ON cases(org_id, status);
-- The home page: a caseworker's cases, approvals waiting.
CREATE INDEX IF NOT EXISTS case_work_assigned_stage ON case_work(assigned_to, stage);
CREATE INDEX IF NOT EXISTS case_work_followup_active ON case_work(assigned_to, followup)
  WHERE followup = 'active';
CREATE INDEX IF NOT EXISTS followup_due_case_open ON followup_due(case_id, due, done, months)
  WHERE done IS NULL;
CREATE INDEX IF NOT EXISTS case_approval_open ON case_approval(case_id) WHERE status = 'requested';
CREATE INDEX IF NOT EXISTS case_referral_to_status ON case_referral(to_org_id, status);

CREATE TRIGGER IF NOT EXISTS case_activity_fields AFTER UPDATE OF status, closure_reason, opened,
  closed, reopened ON cases
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_comment AFTER INSERT ON case_comment
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_work_i AFTER INSERT ON case_work
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    assigned = nullif(NEW.assigned_to, '') WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_work_u AFTER UPDATE ON case_work
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    assigned = nullif(NEW.assigned_to, '') WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_assess AFTER INSERT ON risk_assessment
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    risk = (SELECT level FROM risk_assessment a WHERE a.case_id = NEW.case_id
            ORDER BY date DESC, id DESC LIMIT 1)
   WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_followup AFTER INSERT ON followup_contact
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_approval_i AFTER INSERT ON case_approval
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_approval_u AFTER UPDATE OF status ON case_approval
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_referral_i AFTER INSERT ON case_referral
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.case_id;
END;
CREATE TRIGGER IF NOT EXISTS case_activity_referral_u AFTER UPDATE OF status ON case_referral
BEGIN
  UPDATE cases SET activity = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.case_id;
END;
