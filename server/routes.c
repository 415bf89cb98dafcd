/*
 * routes.c - the one route table of the API, and the checks every request
 * passes before its handler: the path and method, the session, the CSRF
 * token of a state-changing request, the role, and a JSON object body.
 *
 * A path that matches no route is 404, a known path with another method 405.
 * {id} matches a positive decimal integer only, so "/api/cases/1;x" and
 * "/api/cases/../x" match nothing; so does {sub}, an id within {id}'s
 * (an assessment of a case).
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "server.h"

static const struct route routes[] = {
        {"POST", "/api/login", h_login, 0},
        {"POST", "/api/logout", h_logout, ROLES_ANY},
        {"GET", "/api/me", h_me, ROLES_ANY},
        {"GET", "/api/orgs", h_orgs, ROLES_ANY},
        {"GET", "/api/vocab/{name}", h_vocab, ROLES_ANY},
        {"GET", "/api/home", h_home, ROLES_CASE},
        {"GET", "/api/cases", h_cases_list, ROLES_CASE},
        {"POST", "/api/cases", h_case_create, ROLES_CASE},
        {"GET", "/api/cases/{id}", h_case_get, ROLES_CASE},
        {"PATCH", "/api/cases/{id}", h_case_patch, ROLES_CASE},
        {"GET", "/api/persons", h_persons_list, ROLES_CASE},
        {"POST", "/api/persons", h_person_create, ROLES_CASE},
        {"GET", "/api/persons/{id}", h_person_get, ROLES_CASE},
        {"PATCH", "/api/persons/{id}", h_person_patch, ROLES_CASE},
        {"POST", "/api/me/password", h_password_change, ROLES_ANY},
        {"GET", "/api/accounts", h_accounts_list, ROLE_ADMIN},
        {"POST", "/api/accounts", h_account_create, ROLE_ADMIN},
        {"PATCH", "/api/accounts/{id}", h_account_patch, ROLE_ADMIN},
        {"POST", "/api/accounts/{id}/unlock", h_account_unlock, ROLE_ADMIN},
        {"GET", "/api/referrals/unread", h_referrals_unread, ROLES_CASE},
        {"POST", "/api/referrals/{id}/read", h_referral_read, ROLES_CASE},
        {"GET", "/api/referrals", h_referrals_list, ROLES_CASE},
        {"POST", "/api/referrals", h_referral_create, ROLES_CASE},
        {"GET", "/api/referrals/{id}", h_referral_get, ROLES_CASE},
        {"PATCH", "/api/referrals/{id}", h_referral_patch, ROLES_CASE},
        {"GET", "/api/assistance", h_assistance_list, ROLES_CASE},
        {"POST", "/api/assistance", h_assistance_create, ROLES_CASE},
        {"GET", "/api/assistance/{id}", h_assistance_get, ROLES_CASE},
        {"PATCH", "/api/assistance/{id}", h_assistance_patch, ROLES_CASE},
        {"GET", "/api/events", h_events_list, ROLES_CASE},
        {"POST", "/api/events", h_event_create, ROLES_CASE},
        {"GET", "/api/events/{id}", h_event_get, ROLES_CASE},
        {"PATCH", "/api/events/{id}", h_event_patch, ROLES_CASE},
        {"GET", "/api/proceedings", h_proceedings_list, ROLES_CASE},
        {"POST", "/api/proceedings", h_proceeding_create, ROLES_CASE},
        {"GET", "/api/proceedings/{id}", h_proceeding_get, ROLES_CASE},
        {"PATCH", "/api/proceedings/{id}", h_proceeding_patch, ROLES_CASE},
        {"GET", "/api/search", h_search, ROLES_CASE},
        {"GET", "/api/audit", h_audit, ROLE_AUDITOR | ROLE_SUPERVISOR},
        {"GET", "/api/stats", h_stats, ROLE_ANALYST | ROLE_SUPERVISOR | ROLE_ADMIN | ROUTE_WIDE},
        /* the dark figure (docs/ESTIMATION.md): analysts and supervisors */
        {"GET", "/api/estimate", h_estimate, ROLE_ANALYST | ROLE_SUPERVISOR | ROUTE_WIDE},
        /* the register of labour-export companies (docs/COMPANIES.md) */
        {"GET", "/api/companies", h_companies_list, ROLES_ANY},
        {"POST", "/api/companies", h_company_create, ROLE_SUPERVISOR | ROLE_ADMIN},
        {"GET", "/api/companies/{id}", h_company_get, ROLES_ANY},
        {"POST", "/api/companies/{id}/sanctions", h_company_sanction, ROLE_SUPERVISOR | ROLE_ADMIN},
        /* recruiters and brokers: a person's name, so the case roles only (routes_recruiters.c) */
        {"GET", "/api/recruiters", h_recruiters_list, ROLES_CASE},
        {"POST", "/api/recruiters", h_recruiter_create, ROLES_CASE},
        {"GET", "/api/recruiters/{id}", h_recruiter_get, ROLES_CASE},
        /* releases (docs/RELEASE.md): made and read by analysts; the ledger for auditors */
        {"POST", "/api/releases", h_release_create, ROLE_ANALYST | ROUTE_WIDE},
        {"GET", "/api/releases", h_releases_list, ROLE_ANALYST | ROLE_AUDITOR | ROUTE_WIDE},
        {"GET", "/api/releases/{id}", h_release_get, ROLE_ANALYST | ROUTE_WIDE},
        {"GET", "/api/link/review", h_link_review, ROLE_SUPERVISOR | ROUTE_WIDE},
        {"GET", "/api/link/pair", h_link_pair, ROLE_SUPERVISOR | ROUTE_WIDE},
        {"POST", "/api/link/decide", h_link_decide, ROLE_SUPERVISOR | ROUTE_WIDE},
        /* casework (docs/CASEWORK.md) */
        {"GET", "/api/cases/{id}/workflow", h_cw_workflow, ROLES_CASE},
        {"POST", "/api/cases/{id}/assign", h_cw_assign, ROLES_CASE},
        {"POST", "/api/cases/{id}/stage", h_cw_stage, ROLES_CASE},
        {"GET", "/api/cases/{id}/assessments", h_cw_assessments, ROLES_CASE},
        {"POST", "/api/cases/{id}/assessments", h_cw_assess, ROLES_CASE},
        {"PATCH", "/api/cases/{id}/assessments/{sub}", h_cw_assess_patch, ROLES_CASE},
        {"GET", "/api/cases/{id}/followups", h_cw_followups, ROLES_CASE},
        {"POST", "/api/cases/{id}/followups", h_cw_followup_record, ROLES_CASE},
        {"POST", "/api/cases/{id}/followups/plan", h_cw_followup_plan, ROLES_CASE},
        {"PATCH", "/api/cases/{id}/followups/{sub}", h_cw_followup_patch, ROLES_CASE},
        {"GET", "/api/approvals", h_cw_approvals, ROLES_CASE},
        {"POST", "/api/approvals/{id}", h_cw_approval_decide, ROLE_SUPERVISOR},
        {"GET", "/api/alerts", h_cw_alerts, ROLES_CASE},
        {"GET", "/api/risk/instrument", h_cw_instrument, ROLES_CASE},
        {"GET", "/api/followups/due", h_cw_followups_due, ROLES_CASE},
        {"GET", "/api/contacts", h_cw_contacts, ROLES_CASE},
        {"POST", "/api/contacts", h_cw_contact_add, ROLES_CASE},
        {"GET", "/api/contacts/{id}", h_cw_contact_get, ROLES_CASE},
        {"POST", "/api/contacts/{id}/convert", h_cw_contact_convert, ROLES_CASE},
        /* the communications tracker (docs/COMMS.md); roles checked again in comms.c */
        {"GET", "/api/comms", h_comms_list, ROLES_COMMS},
        {"POST", "/api/comms", h_comms_add, ROLES_COMMS},
        {"GET", "/api/comms/{id}", h_comms_get, ROLES_COMMS},
        {"PATCH", "/api/comms/{id}", h_comms_save, ROLES_COMMS},
        {"GET", "/api/comms/{id}/reply", h_comms_reply, ROLES_COMMS | ROUTE_WIDE},
        {"POST", "/api/comms/{id}/record", h_comms_record, ROLES_COMMS | ROUTE_WIDE},
        {NULL, NULL, NULL, 0},
};

/* Matches path against pattern, filling r->id or r->param. */
static int match(const char *pattern, const char *path, struct req *r)
{
	const char *p = pattern, *s = path;
	while (*p) {
		int sub = !strncmp(p, "{sub}", 5);
		if (sub || !strncmp(p, "{id}", 4)) {
			int64_t v = 0;
			int n = 0;
			for (; *s >= '0' && *s <= '9'; s++, n++)
				if (n < 18) /* more digits than that is no id: refused below */
					v = v * 10 + (*s - '0');
			if (n == 0 || n > 18 || v <= 0)
				return 0;
			*(sub ? &r->sub : &r->id) = v;
			p += sub ? 5 : 4;
		} else if (!strncmp(p, "{name}", 6)) {
			size_t n = 0;
			for (; (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_';
			     s++)
				if (n + 1 < sizeof(r->param))
					r->param[n++] = *s;
			r->param[n] = 0;
			if (!n)
				return 0;
			p += 6;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	return *s == 0;
}

static const char *cookie_token(struct req *r)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "ctip_session");
}

int srv_route(struct req *r)
{
	const struct route *rt = NULL;
	int path_known = 0;
	for (const struct route *x = routes; x->method; x++) {
		if (!match(x->pattern, r->path, r))
			continue;
		path_known = 1;
		if (!strcmp(x->method, r->method)) {
			rt = x;
			break;
		}
	}
	if (!rt)
		return path_known ? srv_error(r, 405, NULL, "method not allowed")
		                  : srv_error(r, 404, NULL, "no such endpoint");
	int changes = strcmp(r->method, "GET") != 0;
	/* a standby's server: reads only (a login or logout changes no record) */
	if (srv_read_only && changes && strcmp(r->path, "/api/login") &&
	    strcmp(r->path, "/api/logout"))
		return srv_error(
		        r, 403, NULL,
		        "this server is read-only (a standby): make changes on the primary");
	if (rt->roles) {
		const char *tok = cookie_token(r);
		if (!tok || srv_session_get(tok, &r->sess))
			return srv_error(r, 401, NULL, "not logged in");
		r->have_session = 1;
		if (changes) {
			const char *csrf = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
			                                               "X-CSRF-Token");
			if (!csrf || strlen(csrf) != 64 ||
			    sodium_memcmp(csrf, r->sess.csrf, 64) != 0)
				return srv_error(r, 403, NULL, "missing or wrong CSRF token");
		}
		if (!(rt->roles & r->sess.role_bit))
			return srv_error(r, 403, NULL, "your role (%s) may not do this",
			                 r->sess.role);
	}
	if (!strcmp(r->method, "POST") || !strcmp(r->method, "PATCH")) {
		json_error_t je;
		/* no body is an empty object: the handler names what is missing */
		r->in = r->len ? json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &je)
		               : json_object();
		if (!r->in)
			return srv_error(r, 400, NULL, "malformed JSON: %s (line %d, column %d)",
			                 je.text, je.line, je.column);
		if (!json_is_object(r->in))
			return srv_error(r, 400, NULL, "the body must be a JSON object");
	}
	/* the organisation this request acts for: a back end that isolates organisations itself
	 * (PostgreSQL's row-level security) shows this connection no other's cases */
	r->s->srv->scope(r->s, r->have_session ? r->sess.org_id : 0);
	ctip_err e = {0};
	int wide = (rt->roles & ROUTE_WIDE) && r->s->srv->registry_wide;
	if (wide && r->s->srv->registry_wide(r->s, 1, &e))
		return e.code == CTIP_EDENIED ? srv_error(r, 403, NULL, "%s", e.msg)
		                              : srv_fail(r, &e);
	int status;
	/* a read sees one snapshot from its access check to its last row */
	if (strcmp(r->method, "GET"))
		status = rt->fn(r);
	else if (r->s->srv->read_begin(r->s, &e))
		status = srv_fail(r, &e);
	else {
		status = rt->fn(r);
		r->s->srv->read_end(r->s);
	}
	if (wide && r->s->srv->registry_wide(r->s, 0, &e) && status < 500) {
		/* the answer was made, but the connection could not return to the server's role:
		 * it was dropped (the next request opens it afresh), and this one is not sent */
		json_decref(r->out);
		r->out = NULL;
		status = srv_fail(r, &e);
	}
	return status;
}
