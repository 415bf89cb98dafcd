-- lib/sql/pg/0014: who sees a recruiter under `ctip serve` (issue 15; server/routes_recruiters.c,
-- docs/COMPANIES.md). A recruiter's name singles out a person (a trafficker, or a victim's
-- relative), and may single out the victim: the organisation that recorded it sees it, and an
-- organisation that owns a case it is linked to; one a case was only referred to does not (as
-- the recruiter field of a case is withheld from it without the victim's consent). A link is
-- made only to a case of the request's organisation. Replaces 0013's policies of recruiter and
-- recruiter_case (what they showed a referral organisation).
DO $$
DECLARE
  app text := current_database() || '_app';
BEGIN
  EXECUTE 'DROP POLICY IF EXISTS ctip_org ON recruiter';
  EXECUTE 'DROP POLICY IF EXISTS ctip_org ON recruiter_case';
  EXECUTE format($p$CREATE POLICY ctip_org ON recruiter TO %I
    USING (recorded_org = ctip_org()
           OR EXISTS (SELECT 1 FROM recruiter_case x JOIN cases c ON c.id = x.case_id
                       WHERE x.recruiter_id = recruiter.id AND c.org_id = ctip_org()))
    WITH CHECK (recorded_org = ctip_org())$p$, app);
  -- a link: visible with its case (own or referred); made to one's own cases only
  EXECUTE format($p$CREATE POLICY ctip_org ON recruiter_case TO %I
    USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id))
    WITH CHECK (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id AND c.org_id = ctip_org()))$p$,
    app);
END
$$;
