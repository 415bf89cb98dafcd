-- Issue 14, item 7: a caseworker's own high-risk cases (GET /api/cases?assigned=me&risk=high,
-- and any list filtered by both an assigned worker and a risk level) in the list's default
-- order, read as one index range and stopped after the page. Without it the list walked every
-- case of the risk level in the organisation and read each row for its assigned worker (1,274
-- rows, 2.3 ms at 50,000 cases).
CREATE INDEX IF NOT EXISTS cases_org_assigned_risk_activity
  ON cases(org_id, assigned, risk, coalesce(activity, opened, ''), id)
  WHERE assigned IS NOT NULL AND risk IS NOT NULL;
