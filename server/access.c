/*
 * access.c - the one place that decides what an account sees.
 *
 * A case belongs to the organisation that created it. Another organisation
 * sees it only through a referral that is live (neither declined nor withdrawn), and then only the
 * identifying fields of persons who consented to sharing with referral
 * organisations and to sharing their identity; the rest of such a person is
 * shown with "redacted": true. Anything else is 404, exactly as for a case
 * that does not exist, so that a URL reveals nothing. Roles are checked
 * before (routes.c): analysts, auditors and admins never reach case content.
 */
#include <string.h>

#include "server.h"

int srv_case_access(struct req *r, int64_t case_id, int *access)
{
	ctip_err e = {0};
	*access = CTIP_ACCESS_NONE;
	if (r->s->srv->case_access(r->s, case_id, r->sess.org_id, access, &e))
		return srv_fail(r, &e);
	if (*access == CTIP_ACCESS_NONE)
		return srv_error(r, 404, NULL, "no such case");
	return 0;
}

static int scope_has(const char *scope, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = scope; p && (p = strstr(p, code)); p += n)
		if ((p == scope || p[-1] == ';') && (p[n] == 0 || p[n] == ';'))
			return 1;
	return 0;
}

static int consent_shares_identity(int consent, const char *scope)
{
	return consent == 1 && scope_has(scope, "ShareWithReferralOrgs") &&
	       scope_has(scope, "ShareIdentity");
}

int srv_identity_shown(int access, int consent, const char *scope)
{
	return access == CTIP_ACCESS_OWN ||
	       (access == CTIP_ACCESS_REFERRAL && consent_shares_identity(consent, scope));
}

int srv_identity_visible(int access, const ctip_row *rw)
{
	if (access == CTIP_ACCESS_OWN)
		return 1;
	const char *c = ctip_row_get(rw, CF_CONSENT);
	return access == CTIP_ACCESS_REFERRAL &&
	       consent_shares_identity(c && !strcmp(c, "true"), ctip_row_get(rw, CF_CONSENT_SCOPE));
}

void srv_redact(json_t *p)
{
	static const char *const keys[] = {"prs_SecondName",
	                                   "prs_MiddleName",
	                                   "prs_FirstName",
	                                   "identity_documents",
	                                   "prs_MobilePhone",
	                                   "prs_HomePhone",
	                                   "prs_MailingStreet",
	                                   "ctip_MailingCommune",
	                                   "ctip_MailingCommuneCode",
	                                   "prs_MailingCity",
	                                   "ctip_MailingDistrictCode",
	                                   "src_RecordId",
	                                   "ctip_ExploitationPlace",
	                                   NULL};
	for (const char *const *k = keys; *k; k++)
		json_object_del(p, *k);
	json_t *ex = json_object_get(p, "exploitation");
	size_t i;
	json_t *x;
	json_array_foreach(ex, i, x) json_object_del(x, "ctip_ExploitationPlace");
	json_object_set_new(p, "redacted", json_true());
}

struct pacc {
	int64_t case_id;
	int access, need_identity;
};

static int on_case(void *ctx, int64_t case_id, int access, int consent, const char *scope)
{
	struct pacc *a = ctx;
	int shows = access == CTIP_ACCESS_OWN || consent_shares_identity(consent, scope);
	if (a->need_identity && !shows)
		return 0;
	/* the best view: own, then a referral showing identity, then any */
	int rank = access == CTIP_ACCESS_OWN ? 3 : shows ? 2 : 1;
	int cur = !a->case_id ? 0 : a->access == CTIP_ACCESS_OWN ? 3 : a->need_identity ? 2 : 1;
	if (rank > cur) {
		a->case_id = case_id;
		a->access = access;
	}
	return 0;
}

int srv_person_access(struct req *r, int64_t person_id, int64_t *case_id, int *access,
                      int need_identity, ctip_err *e)
{
	struct pacc a = {0, CTIP_ACCESS_NONE, need_identity};
	int rc = r->s->srv->person_visible_cases(r->s, person_id, r->sess.org_id, on_case, &a, e);
	*case_id = a.case_id;
	*access = a.case_id ? a.access : CTIP_ACCESS_NONE;
	return rc;
}

/* Casework (routes_workflow.c, routes_assess.c, routes_followup.c): a case's workflow,
 * assessments and follow-up are its owner's alone. An organisation a case was referred to
 * sees the case as above, but none of its casework (403: the case itself it may see); any
 * other gets 404 as for a case that does not exist. */
int srv_case_owned(struct req *r, int64_t case_id)
{
	int access, st = srv_case_access(r, case_id, &access);
	if (st)
		return st;
	if (access != CTIP_ACCESS_OWN)
		return srv_error(r, 403, NULL,
		                 "the casework of a case (workflow, assessments, follow-up) is its "
		                 "organisation's alone");
	return 0;
}
