-- lib/sql/pg/0034: which cases an organisation sees through a referral, kept as rows that the
-- row-level security policies read by index (issue 11 item 8; docs/DESIGN.md, "Isolation on
-- PostgreSQL").
--
-- Why: the policies of 0006 asked `id IN (SELECT ctip_referred_cases())`, a set the database
-- computed again for every policy instance of a plan (2.6 ms for an organisation with 2,841
-- referred cases, three or more instances per query of `ctip serve`): a case read and a search
-- cost 3 to 25 ms of policy before any work. Now `case_access` holds one row (org, case) per
-- case referred, live, to an organisation, and a policy is one index probe per row it checks.
--
-- The rows are written by statement-level triggers on the two referral tables (one call per
-- statement, with its transition table, so a COPY of the referrals of a million-record load is
-- one set-based refresh, not one per row). What "live" means is not written here: the refresh
-- function, ctip_case_access_redo, is made by the store from lib/store/access_rule.h
-- (store_pg.c, pg_access_rule), the one definition of the rule, and the table is filled by it
-- when this migration has run. Until then the function below refuses, so no row can be
-- written under a rule ctip did not give.
CREATE TABLE case_access (
  org_id  bigint NOT NULL,
  case_id bigint NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  PRIMARY KEY (org_id, case_id)
);
CREATE INDEX case_access_case ON case_access(case_id);

CREATE FUNCTION ctip_case_access_redo(orgs bigint[], cases bigint[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'ctip_case_access_redo: the access rule is not installed'
    USING HINT = 'run ctip init with this version of ctip';
END
$$;

-- The (organisation, case) pairs a statement on a referral table touched, refreshed once.
CREATE FUNCTION ctip_case_access_cr() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM ctip_case_access_redo(array_agg(to_org_id), array_agg(case_id)) FROM ctip_new;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM ctip_case_access_redo(array_agg(to_org_id), array_agg(case_id)) FROM ctip_old;
  ELSE
    PERFORM ctip_case_access_redo(array_agg(o), array_agg(c))
       FROM (SELECT to_org_id, case_id FROM ctip_new UNION
             SELECT to_org_id, case_id FROM ctip_old) k(o, c);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION ctip_case_access_rf() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM ctip_case_access_redo(array_agg(other_org_id), array_agg(case_id))
       FROM ctip_new WHERE direction = 'out';
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM ctip_case_access_redo(array_agg(other_org_id), array_agg(case_id))
       FROM ctip_old WHERE direction = 'out';
  ELSE
    PERFORM ctip_case_access_redo(array_agg(o), array_agg(c))
       FROM (SELECT other_org_id, case_id FROM ctip_new WHERE direction = 'out' UNION
             SELECT other_org_id, case_id FROM ctip_old WHERE direction = 'out') k(o, c);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER case_access_ins AFTER INSERT ON case_referral REFERENCING NEW TABLE AS ctip_new
  FOR EACH STATEMENT EXECUTE FUNCTION ctip_case_access_cr();
CREATE TRIGGER case_access_upd AFTER UPDATE ON case_referral
  REFERENCING OLD TABLE AS ctip_old NEW TABLE AS ctip_new
  FOR EACH STATEMENT EXECUTE FUNCTION ctip_case_access_cr();
CREATE TRIGGER case_access_del AFTER DELETE ON case_referral REFERENCING OLD TABLE AS ctip_old
  FOR EACH STATEMENT EXECUTE FUNCTION ctip_case_access_cr();
CREATE TRIGGER case_access_ins AFTER INSERT ON referral REFERENCING NEW TABLE AS ctip_new
  FOR EACH STATEMENT EXECUTE FUNCTION ctip_case_access_rf();
CREATE TRIGGER case_access_upd AFTER UPDATE ON referral
  REFERENCING OLD TABLE AS ctip_old NEW TABLE AS ctip_new
  FOR EACH STATEMENT EXECUTE FUNCTION ctip_case_access_rf();
CREATE TRIGGER case_access_del AFTER DELETE ON referral REFERENCING OLD TABLE AS ctip_old
  FOR EACH STATEMENT EXECUTE FUNCTION ctip_case_access_rf();

-- The referred cases of 0006/0020, for what still asks for them (0019's
-- ctip_linked_victim_elsewhere), now read from the table.
CREATE OR REPLACE FUNCTION ctip_referred_cases() RETURNS SETOF bigint LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT case_id FROM case_access WHERE org_id = ctip_org()
$$;

-- The server's role reads its organisation's rows only (the policies below read them as that
-- role); it never writes them: the triggers do, as the owner.
DO $$
DECLARE
  app text := current_database() || '_app';
  t text;
BEGIN
  EXECUTE format('GRANT SELECT ON case_access TO %I', app);
  EXECUTE 'ALTER TABLE case_access ENABLE ROW LEVEL SECURITY';
  EXECUTE 'ALTER TABLE case_access FORCE ROW LEVEL SECURITY';
  EXECUTE format('CREATE POLICY ctip_owner ON case_access TO %I USING (true) WITH CHECK (true)',
                 current_user);
  EXECUTE format('CREATE POLICY ctip_org ON case_access TO %I USING (org_id = ctip_org())', app);

  -- the policies of 0006 that asked for the referred sets, as index probes
  EXECUTE 'DROP POLICY ctip_org ON cases';
  EXECUTE format($p$CREATE POLICY ctip_org ON cases TO %I
    USING (org_id = ctip_org()
           OR EXISTS (SELECT 1 FROM case_access a WHERE a.org_id = ctip_org()
                                                     AND a.case_id = cases.id))
    WITH CHECK (org_id = ctip_org())$p$, app);
  EXECUTE 'DROP POLICY ctip_org ON person';
  EXECUTE format($p$CREATE POLICY ctip_org ON person TO %I
    USING (org_id = ctip_org()
           OR EXISTS (SELECT 1 FROM case_person cp JOIN case_access a ON a.case_id = cp.case_id
                       WHERE cp.person_id = person.id AND a.org_id = ctip_org()))
    WITH CHECK (org_id = ctip_org())$p$, app);
  -- the identity rows' policies hold the consent rule: made by the store with the redo
  -- function (pg_access_rule); until then the server's role sees no identity row of any kind
  FOREACH t IN ARRAY ARRAY['identity_doc', 'phone', 'person_name'] LOOP
    EXECUTE format('DROP POLICY ctip_org ON %I', t);
  END LOOP;
END
$$;

-- The referred persons and identities of 0006/0020: no policy asks for them any more.
DROP FUNCTION ctip_referred_identities();
DROP FUNCTION ctip_referred_persons();
