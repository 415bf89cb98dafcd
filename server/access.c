/*
 * access.c - the one place that decides what an account sees.
 *
 * A case belongs to the organisation that created it. Another organisation
 * sees it only through a live referral (neither declined nor withdrawn), and
 * then, field by field (docs/SECURITY.md, "What a referral organisation sees"):
 * - a person's identifying fields, and the free text about that person in the
 *   case (the recruiter, places of exploitation and of events: a name or an
 *   address can be written there) and who assisted them (a shelter locates
 *   them), only when that person consented to sharing
 *   with referral organisations and to sharing the identity; otherwise they
 *   are left out and the person, or assistance item, is shown with
 *   "redacted": true (srv_redact, srv_redact_item);
 * - the case's free text (the reason it was closed) only when every person of
 *   the case shows their identity to it, since it may name any of them; the
 *   comments (the owner's working notes) never; of the case's referrals only
 *   those made to it (a referral to a shelter tells where a victim is)
 *   (srv_case_redact).
 * Anything else is 404, exactly as for a case that does not exist, so that a
 * URL reveals nothing. Roles are checked before (routes.c): analysts,
 * auditors and admins never reach case content.
 */
#include <string.h>

#include "access_rule.h"
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

/* The consent rule is access_rule.h's (one definition for C and SQL). */
int srv_identity_shown(int access, int consent, const char *scope)
{
	return ctip_identity_shown(access, consent, scope);
}

int srv_identity_visible(int access, const ctip_row *rw)
{
	if (access == CTIP_ACCESS_OWN)
		return 1;
	const char *c = ctip_row_get(rw, CF_CONSENT);
	return access == CTIP_ACCESS_REFERRAL &&
	       ctip_consent_shares_identity(c && !strcmp(c, "true"),
	                                    ctip_row_get(rw, CF_CONSENT_SCOPE));
}

/* A person's identity: names, documents, phones, address, the organisation's record id. */
static const char *const identity_keys[] = {"prs_SecondName",
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
                                            NULL};
/* Free text about the person in the case, shown with the identity only: the recruiter (a
 * company's name, or a person's), the places of exploitation and of the events (free text: an
 * address fits), who assisted them. Countries, provinces of recruitment and picklists stay:
 * the facts a receiving organisation works with, and statistics'. */
static const char *const person_text_keys[] = {"ctip_Recruiter", NULL};
static const struct {
	const char *group, *key;
} person_group_text[] = {
        {"exploitation", "ctip_ExploitationPlace"},
        {"events", "hte_State"},
        {"events", "hte_City"},
        {"assistance", "ctip_AssistanceProvider"}, /* an organisation, but a shelter locates */
};

void srv_redact(json_t *p)
{
	for (const char *const *k = identity_keys; *k; k++)
		json_object_del(p, *k);
	for (const char *const *k = person_text_keys; *k; k++)
		json_object_del(p, *k);
	json_object_del(p, "ctip_ExploitationPlace");
	for (size_t g = 0; g < sizeof(person_group_text) / sizeof(*person_group_text); g++) {
		json_t *items = json_object_get(p, person_group_text[g].group);
		size_t i;
		json_t *x;
		json_array_foreach(items, i, x) json_object_del(x, person_group_text[g].key);
	}
	json_object_set_new(p, "redacted", json_true());
}

void srv_redact_item(json_t *item)
{
	/* where a person was helped (a shelter) locates them */
	json_object_del(item, "ctip_AssistanceProvider");
	json_object_set_new(item, "redacted", json_true());
}

void srv_case_redact(json_t *c, int access, int all_identities, const char *org)
{
	if (access == CTIP_ACCESS_OWN)
		return;
	/* the owner's working notes: free text that may name anyone */
	json_object_del(c, "comments");
	json_object_set_new(c, "comments_redacted", json_true());
	/* the reason for closing may name any person of the case */
	if (!all_identities) {
		json_object_del(c, "cas_ReasonForCaseClosure");
		json_object_set_new(c, "closure_redacted", json_true());
	}
	/* only the referrals made to this organisation */
	json_t *refs = json_object_get(c, "referrals");
	for (size_t i = json_array_size(refs); i-- > 0;) {
		const char *to =
		        json_string_value(json_object_get(json_array_get(refs, i), "to_org"));
		if (!to || strcmp(to, org))
			json_array_remove(refs, i);
	}
}

struct pacc {
	int64_t case_id;
	int access, need_identity;
};

static int on_case(void *ctx, int64_t case_id, int access, int consent, const char *scope)
{
	struct pacc *a = ctx;
	int shows = access == CTIP_ACCESS_OWN || ctip_consent_shares_identity(consent, scope);
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
