-- lib/sql/pg/0020: the functions the row-level security policies call (0006) in PL/pgSQL
-- instead of SQL, with the same queries and results.
--
-- Why: every query of `ctip serve` under the policies of cases, person and the identity tables
-- calls them, often several times (once per policy instance in a plan). A set-returning SQL
-- function that cannot be inlined (SECURITY DEFINER) is planned again at each call: 10-13 ms for
-- ctip_referred_cases() of an organisation with 2,841 referred cases, of which 1.4 ms is the
-- query. PL/pgSQL keeps each statement's plan for the session (a generic plan after five
-- calls), and ctip_referred_persons/identities read case_person by its (case_id) index for the
-- referred cases rather than semi-joining the whole table: 15-18 ms -> a few ms.
CREATE OR REPLACE FUNCTION ctip_referred_cases() RETURNS SETOF bigint LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  SELECT case_id FROM case_referral
   WHERE to_org_id = ctip_org() AND status NOT IN ('Declined', 'Withdrawn')
  UNION
  SELECT case_id FROM referral
   WHERE other_org_id = ctip_org() AND direction = 'out'
     AND coalesce(status, '') NOT IN ('Declined', 'Withdrawn');
END
$$;

CREATE OR REPLACE FUNCTION ctip_referred_persons() RETURNS SETOF bigint LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  SELECT cp.person_id FROM (SELECT DISTINCT r FROM ctip_referred_cases() r) x
    JOIN case_person cp ON cp.case_id = x.r;
END
$$;

-- consent: given, to share with referral organisations and to share the identity
CREATE OR REPLACE FUNCTION ctip_referred_identities() RETURNS SETOF bigint LANGUAGE plpgsql
STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  SELECT cp.person_id FROM (SELECT DISTINCT r FROM ctip_referred_cases() r) x
    JOIN case_person cp ON cp.case_id = x.r
   WHERE cp.consent = 1 AND cp.consent_scope LIKE '%"ShareWithReferralOrgs"%'
     AND cp.consent_scope LIKE '%"ShareIdentity"%';
END
$$;

CREATE OR REPLACE FUNCTION ctip_name_match(q text[]) RETURNS SETOF bigint LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY SELECT person_id FROM person_name WHERE tokens @> q;
END
$$;
