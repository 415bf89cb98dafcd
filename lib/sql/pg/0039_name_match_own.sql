-- lib/sql/pg/0039: the name index's function answers the server's role for its organisation's
-- records only (docs/DESIGN.md, "Search on PostgreSQL").
--
-- Why: ctip_name_match runs as the owner (under the server's role the policy of person_name
-- would be applied first and @>, not leakproof, could not use the GIN index). It returned every
-- record of the registry holding the tokens, and every role may execute it: the server's role,
-- given the global tokens of a name (a record of its own holds them), learnt which records of
-- other organisations bear that name. The search asks it only for the tokens scoped to the
-- organisation (its own records); the records referred to it come from ctip_referred_match
-- (0037). So under the server's role it now keeps the organisation's own records; the owner (the
-- command line, which sees everything) keeps the whole registry.
CREATE OR REPLACE FUNCTION ctip_name_match(q text[]) RETURNS SETOF bigint LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  app text := current_database() || '_app';
BEGIN
  IF session_user = app OR current_setting('role', true) = app THEN
    RETURN QUERY SELECT n.person_id FROM person_name n JOIN person p ON p.id = n.person_id
                  WHERE n.tokens @> q AND p.org_id = ctip_org();
  ELSE
    RETURN QUERY SELECT person_id FROM person_name WHERE tokens @> q;
  END IF;
END
$$;
