/*
 * routes_recruiters.c - recruiters and brokers over the API (docs/COMPANIES.md, docs/API.md),
 * as `ctip recruiter add|list`:
 *
 *   GET  /api/recruiters[?q=TEXT&page=N]   those the organisation may see, 50 a page
 *   GET  /api/recruiters/{id}              one
 *   POST /api/recruiters                   {"kind", "name", "company", "province", "cases"}
 *
 * A recruiter's name is identifying data about a person (a trafficker, or a victim's relative
 * who brokered the trip), sealed at rest like persons' identities. Who sees one:
 * caseworkers and supervisors of the organisation that recorded it, or of an organisation
 * that owns a case it is linked to. An organisation a case was only referred to does not:
 * a name there may single out the victim, as the recruiter field of a case is withheld from
 * it without the victim's consent (access.c). Of its cases, those the organisation may see
 * are listed. Any other recruiter is 404 as one that does not exist. Analysts, auditors and
 * admins get 403 (the counts per company are the company report's). A recruiter is linked
 * only to cases the organisation owns. Every reading is audited (`view`, the recruiters
 * shown), every addition (`recruiter-add`, with the cases linked); the name never enters the
 * log. On PostgreSQL row-level security keeps the same rule (lib/sql/pg/0014).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "company.h"
#include "server.h"
#include "text.h"

#define PAGE      50
#define MAX_CASES 64

struct seen {
	struct req *r;
	int64_t only; /* one recruiter (GET /{id}), or 0 */
	char *fq;     /* the folded search text, or NULL */
	json_t *list;
	int failed;
};

/* The ids of r->case_ids this organisation may see (into a), and whether it owns one. */
static int cases_seen(struct req *r, const char *ids, json_t *a, int *owns)
{
	*owns = 0;
	for (const char *p = ids; p && *p;) {
		char *end;
		long long id = strtoll(p, &end, 10);
		if (end == p)
			break;
		int access = CTIP_ACCESS_NONE;
		ctip_err e = {0};
		if (r->s->srv->case_access(r->s, id, r->sess.org_id, &access, &e))
			return -1;
		if (access == CTIP_ACCESS_OWN)
			*owns = 1;
		if (access != CTIP_ACCESS_NONE)
			json_array_append_new(a, json_integer(id));
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static json_t *str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int each(void *ctx, const struct ctip_recruiter *x)
{
	struct seen *v = ctx;
	if (v->only && x->id != v->only)
		return 0;
	json_t *cases = json_array();
	int owns = 0;
	if (cases_seen(v->r, x->case_ids, cases, &owns)) {
		json_decref(cases);
		v->failed = 1;
		return CTIP_EDB;
	}
	if (x->recorded_org_id != v->r->sess.org_id && !owns) {
		json_decref(cases);
		return 0;
	}
	if (v->fq) {
		char *fn = ctip_text_fold(x->name ? x->name : ""),
		     *fc = ctip_text_fold(x->company ? x->company : "");
		int hit = (fn && strstr(fn, v->fq)) || (fc && strstr(fc, v->fq));
		free(fn);
		free(fc);
		if (!hit) {
			json_decref(cases);
			return 0;
		}
	}
	json_t *j = json_object(), *rec = json_object();
	json_object_set_new(j, "id", json_integer(x->id));
	json_object_set_new(j, "kind", str(x->kind));
	json_object_set_new(j, "name", str(x->name));
	json_object_set_new(j, "company", str(x->company));
	json_object_set_new(j, "province", str(x->province));
	json_object_set_new(j, "cases", cases);
	json_object_set_new(rec, "organisation", str(x->recorded_org));
	json_object_set_new(rec, "by", str(x->recorded_by));
	json_object_set_new(rec, "at", str(x->recorded_at));
	json_object_set_new(j, "recorded", rec);
	json_array_append_new(v->list, j);
	return 0;
}

/* The recruiters the session may see (one when only != 0), into *out. */
static int collect(struct req *r, int64_t only, const char *q, json_t **out)
{
	ctip_err e = {0};
	const struct ctip_co_ops *o = ctip_co_ops(r->s, &e);
	if (!o)
		return srv_fail(r, &e);
	struct seen v = {r, only, q && *q ? ctip_text_fold(q) : NULL, json_array(), 0};
	int rc = o->recruiter_list(r->s, 0, each, &v, &e);
	r->s->srv->read_end(r->s);
	free(v.fq);
	if (rc || v.failed) {
		json_decref(v.list);
		if (!e.msg[0])
			ctip_err_set(&e, CTIP_EDB, "the cases of a recruiter could not be read");
		return srv_fail(r, &e);
	}
	*out = v.list;
	return 0;
}

/* Audits a reading of the recruiters in list (the objects R<id>; "recruiters" when none). */
static int audit_view(struct req *r, json_t *list, const char *detail)
{
	size_t n = json_array_size(list);
	char(*ids)[24] = calloc(n ? n : 1, sizeof *ids);
	const char **objs = calloc(n ? n : 1, sizeof *objs);
	int rc = 0;
	if (!ids || !objs) {
		rc = srv_error(r, 500, NULL, "out of memory");
	} else {
		for (size_t i = 0; i < n; i++) {
			snprintf(ids[i], sizeof ids[i], "R%lld",
			         (long long)json_integer_value(
			                 json_object_get(json_array_get(list, i), "id")));
			objs[i] = ids[i];
		}
		const char *none = "recruiters";
		if (srv_audit(r->sess.username, "view", n ? objs : &none, n ? (int)n : 1, detail))
			rc = srv_error(r, 500, NULL, SRV_AUDIT_FAILED);
	}
	free(ids);
	free(objs);
	return rc;
}

int h_recruiters_list(struct req *r)
{
	const char *q = srv_arg(r, "q");
	int64_t page;
	if (srv_arg_int(r, "page", 1, 100000, &page))
		return 400;
	if (q && strlen(q) > 200)
		return srv_error(r, 400, "q", "q is longer than 200 bytes");
	char *fq = q && *q ? ctip_text_fold(q) : NULL;
	if (q && *q && !fq)
		return srv_error(r, 400, "q", "q is not valid UTF-8");
	free(fq);
	json_t *all;
	int st = collect(r, 0, q, &all);
	if (st)
		return st;
	size_t n = json_array_size(all);
	json_t *pg = json_array();
	for (size_t i = (size_t)(page - 1) * PAGE; i < n && i < (size_t)page * PAGE; i++)
		json_array_append(pg, json_array_get(all, i));
	json_decref(all);
	if ((st = audit_view(r, pg, q && *q ? "list q" : "list"))) {
		json_decref(pg);
		return st;
	}
	r->out = json_object();
	json_object_set_new(r->out, "recruiters", pg);
	json_object_set_new(r->out, "total", json_integer((json_int_t)n));
	json_object_set_new(r->out, "page", json_integer(page));
	json_object_set_new(r->out, "per_page", json_integer(PAGE));
	return 200;
}

int h_recruiter_get(struct req *r)
{
	json_t *one;
	int st = collect(r, r->id, NULL, &one);
	if (st)
		return st;
	if (!json_array_size(one)) {
		json_decref(one);
		return srv_error(r, 404, NULL, "no such recruiter");
	}
	if ((st = audit_view(r, one, "recruiter"))) {
		json_decref(one);
		return st;
	}
	r->out = json_incref(json_array_get(one, 0));
	json_decref(one);
	return 200;
}

int h_recruiter_create(struct req *r)
{
	static const char *const keys[] = {"kind", "name", "company", "province", "cases", NULL};
	struct ctip_recruiter x = {.kind = "person"};
	const char *company = NULL;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "kind", 0, 16, &x.kind) ||
	    srv_get_str(r, r->in, "name", 0, 250, &x.name) ||
	    srv_get_str(r, r->in, "company", 0, 250, &company) ||
	    srv_get_str(r, r->in, "province", 0, 100, &x.province))
		return 400;
	if (!x.kind || !*x.kind)
		x.kind = "person";
	json_t *cs = json_object_get(r->in, "cases");
	if (cs && !json_is_array(cs))
		return srv_error(r, 400, "cases", "cases: an array of case ids (at most %d)",
		                 MAX_CASES);
	if (json_array_size(cs) > MAX_CASES)
		return srv_error(r, 400, "cases", "cases: at most %d", MAX_CASES);
	int64_t ids[MAX_CASES];
	int n = 0;
	size_t i;
	json_t *c;
	json_array_foreach(cs, i, c)
	{
		if (!json_is_integer(c) || json_integer_value(c) < 1)
			return srv_error(r, 400, "cases", "cases[%zu]: a case id (a whole number)",
			                 i);
		int access = CTIP_ACCESS_NONE;
		ctip_err e = {0};
		if (r->s->srv->case_access(r->s, json_integer_value(c), r->sess.org_id, &access,
		                           &e))
			return srv_fail(r, &e);
		if (access == CTIP_ACCESS_NONE)
			return srv_error(r, 404, "cases", "no such case");
		if (access != CTIP_ACCESS_OWN)
			return srv_error(r, 403, "cases",
			                 "only the organisation that owns a case changes it");
		ids[n++] = json_integer_value(c);
	}
	r->s->srv->read_end(r->s);
	ctip_err e = {0};
	char prov[16];
	int64_t company_org = 0, id = 0;
	const struct ctip_co_ops *o = ctip_co_ops(r->s, &e);
	if (!o)
		return srv_fail(r, &e);
	if (company && *company) {
		int rc = r->s->ops->org_find(r->s, company, &company_org, NULL, &e);
		if (rc == CTIP_ENOTFOUND)
			return srv_error(r, 400, "company",
			                 "no organisation of that name is registered");
		if (rc)
			return srv_fail(r, &e);
	}
	if (ctip_recruiter_check(r->s, &x, company_org != 0, prov, &e))
		return e.code == CTIP_EINVAL && e.field[0] ? srv_error(r, 400, e.field, "%s", e.msg)
		                                           : srv_fail(r, &e);
	if (!strcmp(x.kind, "company"))
		x.name = NULL; /* a company's name is its organisation's */
	x.recorded_by = r->sess.username;
	const char *objs[1 + MAX_CASES];
	char names[1 + MAX_CASES][24];
	if (r->s->ops->begin(r->s, &e) ||
	    o->recruiter_add(r->s, &x, company_org, r->sess.org_id, ids, n, &id, &e)) {
		r->s->ops->rollback(r->s);
		if (e.code == CTIP_ENOTFOUND)
			return srv_error(r, 404, "cases", "no such case");
		return srv_fail(r, &e);
	}
	snprintf(names[0], sizeof names[0], "R%lld", (long long)id);
	objs[0] = names[0];
	for (int k = 0; k < n; k++) {
		snprintf(names[k + 1], sizeof names[k + 1], "C%lld", (long long)ids[k]);
		objs[k + 1] = names[k + 1];
	}
	if (srv_audit_tx(r, "recruiter-add", objs, 1 + n, x.kind, &e) ||
	    r->s->ops->commit(r->s, &e)) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:I}", "id", (json_int_t)id);
	return 201;
}
