-- lib/sql/pg/0036: policies that do not nest (issue 11 item 8; docs/DESIGN.md, "Isolation on
-- PostgreSQL").
--
-- Why: a row of a case's child table (case_person, referral, comment, ...) was visible when
-- its case was, `EXISTS (SELECT 1 FROM cases c WHERE c.id = t.case_id)`, and that subquery
-- reads cases under cases' own policy, which probes case_access: two subplans deep, three for
-- the tables under case_person (event, exploitation, victim, ...). PostgreSQL initialises
-- every subplan of a plan at every execution whether it runs or not, and under `ctip serve`
-- on PostgreSQL that initialisation was the largest single cost (ExecutorStart, 31 % of the
-- machine's CPU during case views: perf, docs/BENCHMARKS.md). Now case_access also holds a row
-- per case for the organisation that owns it (own = true), so a child row's policy is one
-- probe of case_access, whose own policy is a plain comparison, not a subplan.
--
-- The owner's row is kept by triggers on cases (below), as the referred rows are by those on
-- the referral tables (0034). What "referred" means stays the rule of access_rule.h: the
-- refresh function (store_pg_access.c) forgets and makes only rows with own = false, and
-- everything that asks for the cases referred to an organisation reads `NOT own`.
ALTER TABLE case_access ADD COLUMN own boolean NOT NULL DEFAULT false;

INSERT INTO case_access (org_id, case_id, own)
SELECT org_id, id, true FROM cases
ON CONFLICT (org_id, case_id) DO UPDATE SET own = true;

-- New cases, as one statement: a COPY of a million-record load is one insertion here.
CREATE FUNCTION ctip_case_access_own_ins() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO case_access (org_id, case_id, own)
  SELECT org_id, id, true FROM ctip_new WHERE org_id IS NOT NULL
  ON CONFLICT (org_id, case_id) DO UPDATE SET own = true;
  RETURN NULL;
END
$$;

-- A case given to another organisation (rare; the WHEN keeps every other update of cases, such
-- as its version, free of the call): the old owner keeps the case only if it is referred to it.
CREATE FUNCTION ctip_case_access_own_upd() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM case_access WHERE org_id = OLD.org_id AND case_id = OLD.id AND own;
  PERFORM ctip_case_access_redo(ARRAY[OLD.org_id], ARRAY[OLD.id]);
  IF NEW.org_id IS NOT NULL THEN
    INSERT INTO case_access (org_id, case_id, own) VALUES (NEW.org_id, NEW.id, true)
    ON CONFLICT (org_id, case_id) DO UPDATE SET own = true;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER case_access_own_ins AFTER INSERT ON cases REFERENCING NEW TABLE AS ctip_new
  FOR EACH STATEMENT EXECUTE FUNCTION ctip_case_access_own_ins();
CREATE TRIGGER case_access_own_upd AFTER UPDATE OF org_id ON cases FOR EACH ROW
  WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION ctip_case_access_own_upd();

-- The cases referred to the organisation (0019's ctip_linked_victim_elsewhere asks): not its own.
CREATE OR REPLACE FUNCTION ctip_referred_cases() RETURNS SETOF bigint LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT case_id FROM case_access WHERE org_id = ctip_org() AND NOT own
$$;

-- Each child table of a case: one probe of case_access. (cases keeps `org_id = ctip_org() OR`
-- its probe: an INSERT ... RETURNING of a case is checked against it before the statement's
-- trigger has written the owner's row.)
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_person', 'referral', 'case_comment', 'case_work',
                           'case_approval', 'case_alert', 'followup_due', 'followup_contact',
                           'risk_assessment', 'recruiter_case'] LOOP
    EXECUTE format($p$ALTER POLICY ctip_org ON %I
      USING (EXISTS (SELECT 1 FROM case_access a WHERE a.org_id = ctip_org()
                                                   AND a.case_id = %I.case_id))$p$, t, t);
  END LOOP;
  EXECUTE $p$ALTER POLICY ctip_org ON case_referral
    USING (from_org_id = ctip_org() OR to_org_id = ctip_org()
           OR EXISTS (SELECT 1 FROM case_access a WHERE a.org_id = ctip_org()
                                                    AND a.case_id = case_referral.case_id))$p$;
  -- a person: the organisation's own, or one of a case referred to it (as 0034 had it)
  EXECUTE $p$ALTER POLICY ctip_org ON person
    USING (org_id = ctip_org()
           OR EXISTS (SELECT 1 FROM case_person cp JOIN case_access a ON a.case_id = cp.case_id
                       WHERE cp.person_id = person.id AND a.org_id = ctip_org()
                         AND NOT a.own))$p$;
END
$$;
