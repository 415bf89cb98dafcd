-- lib/sql/pg/0006: isolation by the database too (issue 11, item 3; docs/DESIGN.md, "Isolation
-- on PostgreSQL"). `ctip serve` works as the role <database>_app, made here: it owns no table,
-- may read and write the records but not change the schema, may only append to the audit log,
-- and sees rows through row-level security, enabled and forced on every table that holds case
-- data. Each request names its organisation (set_config('ctip.org', ...), for the session and
-- again in each transaction: store_pg_srv.c); the policies show that role the cases of that
-- organisation and those referred to it by a live referral (the rule of
-- store_sqlite_referral.h: neither declined nor withdrawn), their persons, and the identity
-- rows (documents, phones, name tokens) of a referred case's person only with their consent to
-- share the identity with referral organisations (access.c's rule). With no organisation set
-- it sees no case data at all. The role that ran `ctip init` (the tables' owner: imports,
-- exports, statistics, key rotation) keeps seeing everything through a policy of its own.
--
-- The referral rule reads the referral tables as their owner (SECURITY DEFINER functions):
-- a policy of cases that read them under their own policies would recurse. A child row's policy
-- is a correlated EXISTS on its parent (an index lookup per row read), not `IN (SELECT id FROM
-- parent)`, which PostgreSQL evaluates as the whole visible parent table for every query.

CREATE FUNCTION ctip_org() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('ctip.org', true), '')::bigint $$;

CREATE FUNCTION ctip_referred_cases() RETURNS SETOF bigint LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT case_id FROM case_referral
   WHERE to_org_id = ctip_org() AND status NOT IN ('Declined', 'Withdrawn')
  UNION
  SELECT case_id FROM referral
   WHERE other_org_id = ctip_org() AND direction = 'out'
     AND coalesce(status, '') NOT IN ('Declined', 'Withdrawn')
$$;

CREATE FUNCTION ctip_referred_persons() RETURNS SETOF bigint LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT person_id FROM case_person WHERE case_id IN (SELECT ctip_referred_cases())
$$;

-- consent: given, to share with referral organisations and to share the identity
CREATE FUNCTION ctip_referred_identities() RETURNS SETOF bigint LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT person_id FROM case_person
   WHERE case_id IN (SELECT ctip_referred_cases()) AND consent = 1
     AND consent_scope LIKE '%"ShareWithReferralOrgs"%' AND consent_scope LIKE '%"ShareIdentity"%'
$$;

-- The records whose name index holds every token of a search, read as the owner: under
-- row-level security PostgreSQL would not use the GIN index (@> is not leakproof) and would
-- check the policy of every row first. Only ids come out; the records are then read through
-- person's policy.
CREATE FUNCTION ctip_name_match(q text[]) RETURNS SETOF bigint LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT person_id FROM person_name WHERE tokens @> q
$$;

-- The ids a load gives (store_pg_rows.c, under its table lock): the maxima of the whole
-- registry, which the server's role cannot see.
CREATE FUNCTION ctip_max_ids(OUT cases bigint, OUT person bigint, OUT case_person bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT (SELECT coalesce(max(id), 0) FROM cases), (SELECT coalesce(max(id), 0) FROM person),
         (SELECT coalesce(max(id), 0) FROM case_person)
$$;

DO $$
DECLARE
  app text := current_database() || '_app';
  t text;
  case_tables text[] := ARRAY['cases', 'person', 'identity_doc', 'phone', 'person_name',
    'case_person', 'victim', 'exploitation', 'event', 'assistance', 'proceeding', 'referral',
    'case_comment', 'case_referral', 'case_work', 'case_approval', 'risk_assessment',
    'followup_due', 'followup_contact', 'case_alert', 'hotline_contact', 'org_setting'];
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
    BEGIN
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', app);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'cannot create the role % that ctip serve works as', app
        USING HINT = format('run ctip init as a user with CREATEROLE, or have the DBA run: '
                            'CREATE ROLE %I LOGIN; then ctip init again', app);
    END;
  END IF;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app);
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
  EXECUTE format('GRANT SELECT ON ctip_schema, setting, vocab, organisation, account TO %I', app);
  EXECUTE format('GRANT INSERT ON organisation TO %I', app);
  -- the log: read and append, never change (the trigger of 0001 refuses it even to the owner)
  EXECUTE format('GRANT SELECT, INSERT ON audit TO %I', app);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM %I', app);
  EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', app);
  FOREACH t IN ARRAY case_tables LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO %I', t, app);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY ctip_owner ON %I TO %I USING (true) WITH CHECK (true)',
                   t, current_user);
  END LOOP;

  -- an organisation's cases, and those referred to it; it writes its own only
  EXECUTE format($p$CREATE POLICY ctip_org ON cases TO %I
    USING (org_id = ctip_org() OR id IN (SELECT ctip_referred_cases()))
    WITH CHECK (org_id = ctip_org())$p$, app);
  EXECUTE format($p$CREATE POLICY ctip_org ON person TO %I
    USING (org_id = ctip_org() OR id IN (SELECT ctip_referred_persons()))
    WITH CHECK (org_id = ctip_org())$p$, app);
  -- identity rows: of its own records, or with the person's consent to share them
  FOREACH t IN ARRAY ARRAY['identity_doc', 'phone', 'person_name'] LOOP
    EXECUTE format($p$CREATE POLICY ctip_org ON %I TO %I
      USING (EXISTS (SELECT 1 FROM person p WHERE p.id = person_id AND p.org_id = ctip_org())
             OR person_id IN (SELECT ctip_referred_identities()))
      WITH CHECK (person_id IN (SELECT id FROM person WHERE org_id = ctip_org()))$p$, t, app);
  END LOOP;
  -- what hangs on a case: visible with the case, written by its owner
  FOREACH t IN ARRAY ARRAY['case_person', 'referral', 'case_comment', 'case_work',
      'case_approval', 'risk_assessment', 'followup_due', 'followup_contact', 'case_alert'] LOOP
    EXECUTE format($p$CREATE POLICY ctip_org ON %I TO %I
      USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id))
      WITH CHECK (case_id IN (SELECT id FROM cases WHERE org_id = ctip_org()))$p$, t, app);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['victim', 'exploitation', 'event', 'assistance', 'proceeding'] LOOP
    EXECUTE format($p$CREATE POLICY ctip_org ON %I TO %I
      USING (EXISTS (SELECT 1 FROM case_person cp WHERE cp.id = case_person_id))
      WITH CHECK (case_person_id IN (SELECT cp.id FROM case_person cp JOIN cases c
                                     ON c.id = cp.case_id WHERE c.org_id = ctip_org()))$p$,
      t, app);
  END LOOP;
  -- referrals made through the API: seen by both ends and with the case; the receiver
  -- moves their state, the sender makes them
  EXECUTE format($p$CREATE POLICY ctip_org ON case_referral TO %I
    USING (from_org_id = ctip_org() OR to_org_id = ctip_org()
           OR EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id))
    WITH CHECK (from_org_id = ctip_org() OR to_org_id = ctip_org())$p$, app);
  EXECUTE format($p$CREATE POLICY ctip_org ON hotline_contact TO %I
    USING (org_id = ctip_org()) WITH CHECK (org_id = ctip_org())$p$, app);
  EXECUTE format($p$CREATE POLICY ctip_org ON org_setting TO %I
    USING (org_id = ctip_org()) WITH CHECK (org_id = ctip_org())$p$, app);
END
$$;
