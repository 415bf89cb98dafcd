-- lib/sql/pg/0037: an index of the names an organisation sees through referrals, as SQLite's
-- person_referred (issue 11 item 8; docs/DESIGN.md, "Search on PostgreSQL").
--
-- Why: a search within what an organisation sees found its own records by tokens scoped to
-- it, but the records of cases referred to it by the global tokens of the name across the
-- whole registry, each match then checked against the organisation's referrals and consents
-- (ctip_referred_shown). A common name (Nguyễn, and a given name) matched hundreds of records
-- of every organisation for the few referred ones: most of a search's time, and growing with
-- the registry, not with what the organisation sees. Now person_referred holds, for each
-- record and each organisation that sees its identity through a referral, its global name
-- tokens prefixed with that organisation's id ("7:abcd..."), so the search's referred half is
-- one GIN lookup of that organisation's entries.
--
-- The rows are derived from three tables and kept by statement-level triggers on each
-- (below): case_access (which cases are referred to whom, itself kept from the referrals),
-- case_person (who is in a case, and the consent) and person_name (the name's tokens). The
-- rule (referred, not own, and consent to share the identity) is not written here: the
-- refresh function, ctip_person_referred_redo, is made by the store from
-- lib/store/access_rule.h with the others of the rule (store_pg_access.c), which also fills
-- the table; the comment cleared at the end makes the `ctip init` that runs this migration
-- install the rule again, whatever it held before. The index only narrows: the
-- search still asks ctip_referred_shown of each candidate, so a row that were wrong could
-- hide a record, never show one.
--
-- The global tokens come first in person_name.tokens (identity.c, ctip_name_doc); n_global
-- says how many. Rows written before this migration have NULL there: `ctip init` counts them
-- again from the sealed identities with the key (store_pg_names.c).
ALTER TABLE person_name ADD COLUMN n_global smallint;

CREATE TABLE person_referred (
  person_id bigint NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  org_id    bigint NOT NULL,
  tokens    text[] NOT NULL,
  PRIMARY KEY (person_id, org_id)
);
-- Without GIN's pending list: the rows come one trigger at a time, never by a bulk build, and
-- a search would read every entry still pending in a list (0.7 ms for 6,555 rows, against
-- 0.04 ms from the tree) until a vacuum merged them.
CREATE INDEX person_referred_tokens ON person_referred USING gin (tokens)
  WITH (fastupdate = off);


-- The records a statement touched, refreshed once. case_access: the records of the cases
-- whose referred rows (not the owners') came or went.
CREATE FUNCTION ctip_person_referred_ca() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  cs bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT case_id) INTO cs FROM ctip_new WHERE NOT own;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT case_id) INTO cs FROM ctip_old WHERE NOT own;
  ELSE
    SELECT array_agg(DISTINCT c) INTO cs FROM
      (SELECT case_id FROM ctip_new WHERE NOT own UNION
       SELECT case_id FROM ctip_old WHERE NOT own) k(c);
  END IF;
  IF cs IS NOT NULL THEN
    PERFORM ctip_person_referred_redo(ARRAY(SELECT DISTINCT person_id FROM case_person
                                             WHERE case_id = ANY (cs)));
  END IF;
  RETURN NULL;
END
$$;

-- case_person and person_name: the records of the rows.
CREATE FUNCTION ctip_person_referred_p() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  ps bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT person_id) INTO ps FROM ctip_new;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT person_id) INTO ps FROM ctip_old;
  ELSE
    SELECT array_agg(DISTINCT p) INTO ps FROM
      (SELECT person_id FROM ctip_new UNION SELECT person_id FROM ctip_old) k(p);
  END IF;
  IF ps IS NOT NULL THEN
    PERFORM ctip_person_referred_redo(ps);
  END IF;
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
  f text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_access', 'case_person', 'person_name'] LOOP
    f := CASE t WHEN 'case_access' THEN 'ctip_person_referred_ca' ELSE 'ctip_person_referred_p' END;
    EXECUTE format('CREATE TRIGGER person_referred_ins AFTER INSERT ON %I REFERENCING NEW TABLE '
                   'AS ctip_new FOR EACH STATEMENT EXECUTE FUNCTION %I()', t, f);
    EXECUTE format('CREATE TRIGGER person_referred_upd AFTER UPDATE ON %I REFERENCING OLD TABLE '
                   'AS ctip_old NEW TABLE AS ctip_new FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                   t, f);
    EXECUTE format('CREATE TRIGGER person_referred_del AFTER DELETE ON %I REFERENCING OLD TABLE '
                   'AS ctip_old FOR EACH STATEMENT EXECUTE FUNCTION %I()', t, f);
  END LOOP;
END
$$;

-- The search's referred matches (store_pg_rows.c): the organisation's entries holding every
-- global token of q. As the owner, as ctip_name_match is: under the server's role the policy below
-- would be applied first and @> (not leakproof) could not use the GIN index, a scan of every
-- row. The server's role may ask it for its own organisation only.
CREATE FUNCTION ctip_referred_match(q text[], org bigint) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  app text := current_database() || '_app';
  k text[];
BEGIN
  IF (session_user = app OR current_setting('role', true) = app)
     AND org IS DISTINCT FROM ctip_org() THEN
    RETURN;
  END IF;
  -- the organisation's tokens: its prefix on each (no org_id = org here, which the planner
  -- could take for a scan of the organisation's rows instead of the GIN index)
  k := ARRAY(SELECT org || ':' || t FROM unnest(q) t);
  RETURN QUERY SELECT person_id FROM person_referred WHERE tokens @> k;
END
$$;
REVOKE ALL ON FUNCTION ctip_referred_match(text[], bigint) FROM PUBLIC;

-- The server's role reads its organisation's rows only; the triggers write them, as the owner.
DO $$
DECLARE
  app text := current_database() || '_app';
BEGIN
  EXECUTE format('GRANT SELECT ON person_referred TO %I', app);
  EXECUTE format('GRANT EXECUTE ON FUNCTION ctip_referred_match(text[], bigint) TO %I', app);
  EXECUTE 'ALTER TABLE person_referred ENABLE ROW LEVEL SECURITY';
  EXECUTE 'ALTER TABLE person_referred FORCE ROW LEVEL SECURITY';
  EXECUTE format('CREATE POLICY ctip_owner ON person_referred TO %I USING (true) '
                 'WITH CHECK (true)', current_user);
  EXECUTE format('CREATE POLICY ctip_org ON person_referred TO %I USING (org_id = ctip_org())',
                 app);
END
$$;

-- The rule installed again by this `ctip init` (store_pg_access.c, pg_access_rule): it makes
-- ctip_person_referred_redo and fills person_referred.
COMMENT ON FUNCTION ctip_case_access_redo(bigint[], bigint[]) IS NULL;
