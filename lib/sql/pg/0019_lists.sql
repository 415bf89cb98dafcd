-- lib/sql/pg/0019: what the case list, the home page and the referral inbox keep on
-- PostgreSQL (store_pg_lists.c, store_pg_srv.c): SQLite's migrations 0022 and 0025.
--
-- cases.activity: when anything last happened to the case through ctip (a change of its
-- fields, a comment, its workflow, an assessment, a follow-up contact, an approval, a
-- referral), as YYYY-MM-DDTHH:MM:SS.mmmZ; NULL until then (the list then uses the opening
-- date). cases.risk: the level of its latest risk assessment (by date, then id). cases.assigned:
-- the caseworker the workflow assigns the case to. All three are kept by the triggers below.
ALTER TABLE cases ADD COLUMN IF NOT EXISTS activity text;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS risk text;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS assigned text;

UPDATE cases c SET assigned = w.assigned_to FROM case_work w
 WHERE w.case_id = c.id AND w.assigned_to IS NOT NULL;
UPDATE cases c SET risk = (SELECT level FROM risk_assessment a WHERE a.case_id = c.id
                           ORDER BY date DESC, id DESC LIMIT 1)
 WHERE c.id IN (SELECT case_id FROM risk_assessment);

-- The referral's note for the receiving organisation (sealed by ctip for
-- "case_referral.note:<id>") and when the receiver first opened it (the inbox's unread count).
ALTER TABLE case_referral ADD COLUMN IF NOT EXISTS note_sealed bytea;
ALTER TABLE case_referral ADD COLUMN IF NOT EXISTS read_at text;

-- The list's orders and filters within an organisation (as SQLite's 0022).
CREATE INDEX IF NOT EXISTS cases_org_activity ON cases(org_id, (coalesce(activity, opened, '')), id);
CREATE INDEX IF NOT EXISTS cases_org_opened ON cases(org_id, (coalesce(opened, '')), id);
CREATE INDEX IF NOT EXISTS cases_org_risk ON cases(org_id, risk, status) WHERE risk IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_org_assigned ON cases(org_id, assigned, status)
  WHERE assigned IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_org_status ON cases(org_id, status);
CREATE INDEX IF NOT EXISTS case_work_assigned_stage ON case_work(assigned_to, stage);
CREATE INDEX IF NOT EXISTS followup_due_case_open ON followup_due(case_id, due) WHERE done IS NULL;
CREATE INDEX IF NOT EXISTS case_approval_open ON case_approval(case_id) WHERE status = 'requested';
CREATE INDEX IF NOT EXISTS case_referral_to_status ON case_referral(to_org_id, status);
CREATE INDEX IF NOT EXISTS case_referral_unread ON case_referral(to_org_id) WHERE read_at IS NULL;

-- The triggers run as the tables' owner (SECURITY DEFINER): a receiving organisation that
-- accepts a referral moves the sending organisation's case's activity, which row-level
-- security would not let its own role update. They write only these three columns.
CREATE OR REPLACE FUNCTION ctip_now_text() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE OR REPLACE FUNCTION case_activity() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cid bigint;
BEGIN
  IF TG_TABLE_NAME = 'cases' THEN
    cid := NEW.id;
  ELSE
    cid := NEW.case_id;
  END IF;
  IF TG_TABLE_NAME = 'case_work' THEN
    UPDATE cases SET activity = ctip_now_text(), assigned = nullif(NEW.assigned_to, '')
     WHERE id = cid;
  ELSIF TG_TABLE_NAME = 'risk_assessment' THEN
    UPDATE cases SET activity = ctip_now_text(),
      risk = (SELECT level FROM risk_assessment a WHERE a.case_id = cid
              ORDER BY date DESC, id DESC LIMIT 1)
     WHERE id = cid;
  ELSE
    UPDATE cases SET activity = ctip_now_text() WHERE id = cid;
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS case_activity_fields ON cases;
CREATE TRIGGER case_activity_fields AFTER UPDATE OF status, closure_sealed, opened, closed,
  reopened ON cases FOR EACH ROW
  WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION case_activity();
DO $$
DECLARE t text;
BEGIN
  -- as SQLite's 0022: what a row's insert means, and the updates that are activity (a
  -- referral opened by its receiver is not)
  FOREACH t IN ARRAY ARRAY['case_comment:INSERT', 'case_work:INSERT OR UPDATE',
                           'risk_assessment:INSERT', 'followup_contact:INSERT',
                           'case_approval:INSERT OR UPDATE OF status',
                           'case_referral:INSERT OR UPDATE OF status']
  LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS case_activity ON %I', split_part(t, ':', 1));
    EXECUTE format('CREATE TRIGGER case_activity AFTER %s ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION case_activity()', split_part(t, ':', 2),
                   split_part(t, ':', 1));
  END LOOP;
END
$$;

-- The triggers of statistics' freshness (0002) write a table the server's role may not
-- (stats_write): they too run as the owner. (Linkage's, which write link_changed, are made so
-- by store_pg_link_watch.c.)
ALTER FUNCTION stats_written() SECURITY DEFINER SET search_path = public, pg_temp;

-- Administrators manage accounts through `ctip serve` (GET/POST/PATCH /api/accounts): the
-- server's role may add an account and change whether it is disabled and its password hash,
-- nothing else of it.
DO $$
DECLARE
  app text := current_database() || '_app';
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
    EXECUTE format('GRANT INSERT, UPDATE (disabled, pw_hash) ON account TO %I', app);
  END IF;
END
$$;

-- A risk assessment asks whether the case's victim is linked (record linkage) to a victim of
-- another case: the server's role may not read the linkage's tables, and would see the other
-- case's records only when its organisation may. This function answers yes or no as the
-- owner, for a case the caller may see (its organisation's, or referred to it; any case for
-- a caller that is not the server's role, such as the command line as the owner).
CREATE OR REPLACE FUNCTION ctip_linked_victim_elsewhere(c bigint) RETURNS boolean LANGUAGE plpgsql
STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  app text := current_database() || '_app';
BEGIN
  IF (session_user = app OR current_setting('role', true) = app)
     AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.id = c AND (k.org_id = ctip_org()
                     OR k.id IN (SELECT ctip_referred_cases()))) THEN
    RETURN false;
  END IF;
  RETURN EXISTS (SELECT 1 FROM case_person cp JOIN link_person l ON l.person_id = cp.person_id
                 JOIN link_person l2 ON l2.person_key = l.person_key
                 JOIN case_person cp2 ON cp2.person_id = l2.person_id
                 WHERE cp.case_id = c AND cp.role = 'Victim' AND cp2.role = 'Victim'
                   AND cp2.case_id <> c);
END
$$;
