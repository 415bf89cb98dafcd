/*
 * routes_search.c - GET /api/search?q=TEXT: persons by name (insensitive to
 * case and diacritics), document or phone number, among those the user may
 * see with their identity: a record reached only through a referral without
 * consent to share identity is not matched by its identity either. The store
 * matches only within what the organisation owns or was referred with consent
 * (inside the name index: docs/DESIGN.md, Search); each hit is still checked
 * here, case by case. Each record shown is audited (search_hit), never the
 * query, which may be a name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SEARCH_CANDIDATES 400
#define SEARCH_SHOWN      50

struct hits {
	struct req *r;
	json_t *a;
	char *objs[SEARCH_SHOWN];
	int n;
	ctip_err *e;
};

struct cases_of {
	json_t *ids;
	int shows;
};

static int on_case(void *ctx, int64_t case_id, int access, int consent, const char *scope)
{
	struct cases_of *c = ctx;
	int shows = access == CTIP_ACCESS_OWN ||
	            (consent == 1 && scope && strstr(scope, "ShareWithReferralOrgs") &&
	             strstr(scope, "ShareIdentity"));
	if (shows) {
		json_array_append_new(c->ids, json_integer(case_id));
		c->shows = 1;
	}
	return 0;
}

static int on_hit(void *ctx, const struct ctip_person_hit *h)
{
	struct hits *x = ctx;
	struct cases_of c = {json_array(), 0};
	int rc = x->r->s->srv->person_visible_cases(x->r->s, h->id, x->r->sess.org_id, on_case, &c,
	                                            x->e);
	if (rc || !c.shows) {
		json_decref(c.ids);
		return rc;
	}
	char name[512], obj[32];
	snprintf(name, sizeof(name), "%s%s%s%s%s", h->family ? h->family : "", h->middle ? " " : "",
	         h->middle ? h->middle : "", h->given ? " " : "", h->given ? h->given : "");
	snprintf(obj, sizeof(obj), "P%lld", (long long)h->id);
	json_array_append_new(x->a,
	                      json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:o}", "id", (json_int_t)h->id,
	                                "name", name[0] == ' ' ? name + 1 : name, "birth", h->birth,
	                                "province", h->province, "org", h->org, "cases", c.ids));
	x->objs[x->n++] = strdup(obj);
	return x->n >= SEARCH_SHOWN ? 100 : 0;
}

int h_search(struct req *r)
{
	const char *q = srv_arg(r, "q");
	if (!q || !*q)
		return srv_error(r, 400, "q", "q is required");
	if (strlen(q) > 200)
		return srv_error(r, 400, "q", "q is longer than 200 bytes");
	/* names, document and phone numbers: letters, digits, spaces and . , ' - + / only; a
	 * query of anything else (SQL, wildcards, markup) is refused rather than folded away */
	for (const unsigned char *p = (const unsigned char *)q; *p; p++)
		if (*p < 0x80 && !isalnum(*p) && !strchr(" .,'-+/", *p))
			return srv_error(r, 400, "q",
			                 "search for letters, digits, spaces and . , ' - + / only");
	ctip_err e = {0};
	struct hits x = {r, json_array(), {0}, 0, &e};
	int rc = r->s->ops->search(r->s, q, r->sess.org_id, SEARCH_CANDIDATES, on_hit, &x, &e),
	    st = 200;
	r->s->srv->read_end(r->s); /* the reads are done: no snapshot held while auditing */
	if (rc && rc != 100) {
		st = e.code == CTIP_EINVAL ? srv_error(r, 400, "q", "%s", e.msg) : srv_fail(r, &e);
		json_decref(x.a);
	} else if (srv_audit(r->sess.username, "search_hit", (const char *const *)x.objs, x.n,
	                     "api")) {
		st = srv_error(r, 500, NULL, "the audit log cannot be written");
		json_decref(x.a);
	} else {
		r->out = json_pack("{s:o}", "results", x.a);
	}
	for (int i = 0; i < x.n; i++)
		free(x.objs[i]);
	return st;
}
