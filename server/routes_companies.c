/*
 * routes_companies.c - the register of labour-export companies over the API
 * (docs/COMPANIES.md): GET /api/companies[?q=TEXT&sort=name|licence|cases|sanctions&page=N],
 * GET /api/companies/{id}, POST /api/companies and POST /api/companies/{id}/sanctions
 * (supervisors and admins).
 *
 * Who sees which counts (lib/company/company.c counts them):
 * - caseworkers and supervisors: the cases, victims and exploitation types of the cases their
 *   organisation may see (its own and those referred to it, server/access.c), never another
 *   organisation's;
 * - analysts: every organisation's cases;
 * - auditors and admins: the register only, no counts.
 * Counts of 1 to 4 are withheld (null) for every role, as /api/stats withholds them. Every
 * reading is audited (`view companies`), every change (`company-add`, `company-sanction`).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "company.h"
#include "server.h"
#include "text.h"

#define PAGE 50

static int sees(void *ctx, int64_t case_id, int64_t case_org)
{
	struct req *r = ctx;
	if (case_org == r->sess.org_id)
		return 1;
	int access = CTIP_ACCESS_NONE;
	ctip_err e = {0};
	return !r->s->srv->case_access(r->s, case_id, r->sess.org_id, &access, &e) &&
	       access != CTIP_ACCESS_NONE;
}

static int report(struct req *r, int64_t id, json_t **out)
{
	ctip_err e = {0};
	char scope[320];
	struct ctip_co_view v = {NULL, r, 5, 1, "every organisation's cases"};
	if (r->sess.role_bit & ROLES_CASE) {
		v.visible = sees;
		snprintf(scope, sizeof scope,
		         "the cases %s may see (its own and those referred to it)", r->sess.org);
		v.scope = scope;
	} else if (r->sess.role_bit != ROLE_ANALYST) {
		v.counts = 0;
	}
	if (ctip_company_report(r->s, &v, id, out, &e)) {
		if (e.code == CTIP_ENOTFOUND)
			return srv_error(r, 404, NULL, "no such company");
		return srv_fail(r, &e);
	}
	return 0;
}

static const char *sort_key;

static long num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (json_is_array(v))
		return (long)json_array_size(v);
	return json_is_integer(v) ? (long)json_integer_value(v) : json_is_null(v) ? 1 : 0;
}

static int by_key(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	if (!strcmp(sort_key, "cases") || !strcmp(sort_key, "sanctions")) {
		long p = num(x, sort_key), q = num(y, sort_key);
		if (p != q)
			return p < q ? 1 : -1; /* most first */
	}
	const char *k = !strcmp(sort_key, "licence") ? "licence_no" : "name";
	const char *p = json_string_value(json_object_get(x, k)),
	           *q = json_string_value(json_object_get(y, k));
	return strcmp(p ? p : "", q ? q : "");
}

int h_companies_list(struct req *r)
{
	const char *q = srv_arg(r, "q"), *sort = srv_arg(r, "sort");
	int64_t page;
	if (srv_arg_int(r, "page", 1, 100000, &page))
		return 400;
	if (sort && strcmp(sort, "name") && strcmp(sort, "licence") && strcmp(sort, "cases") &&
	    strcmp(sort, "sanctions"))
		return srv_error(r, 400, "sort", "sort: name, licence, cases or sanctions");
	if (q && strlen(q) > 200)
		return srv_error(r, 400, "q", "q: at most 200 bytes");
	json_t *rep;
	int st = report(r, 0, &rep);
	if (st)
		return st;
	json_t *all = json_object_get(rep, "companies");
	size_t n = json_array_size(all), m = 0;
	json_t **v = malloc(sizeof *v * (n ? n : 1));
	char *fq = q && *q ? ctip_text_fold(q) : NULL;
	for (size_t i = 0; v && i < n; i++) {
		json_t *k = json_array_get(all, i);
		if (fq) {
			const char *nm = json_string_value(json_object_get(k, "name")),
			           *lic = json_string_value(json_object_get(k, "licence_no"));
			char *fn = ctip_text_fold(nm ? nm : ""),
			     *fl = ctip_text_fold(lic ? lic : "");
			int hit = (fn && strstr(fn, fq)) || (fl && strstr(fl, fq));
			free(fn);
			free(fl);
			if (!hit)
				continue;
		}
		v[m++] = k;
	}
	free(fq);
	if (!v) {
		json_decref(rep);
		return srv_error(r, 500, NULL, "out of memory");
	}
	sort_key = sort ? sort : "name"; /* qsort has no context; requests sort one at a time */
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	qsort(v, m, sizeof *v, by_key);
	pthread_mutex_unlock(&mu);
	json_t *out = json_array();
	for (size_t i = (size_t)(page - 1) * PAGE; i < m && i < (size_t)page * PAGE; i++) {
		json_t *k = json_deep_copy(v[i]);
		json_object_set_new(k, "sanctions",
		                    json_integer((json_int_t)json_array_size(
		                            json_object_get(v[i], "sanctions"))));
		json_array_append_new(out, k);
	}
	free(v);
	r->out = json_object();
	json_object_set_new(r->out, "companies", out);
	json_object_set_new(r->out, "total", json_integer((json_int_t)m));
	json_object_set_new(r->out, "page", json_integer(page));
	json_object_set_new(r->out, "per_page", json_integer(PAGE));
	json_t *u = json_object_get(rep, "forced_labour_without_sanction");
	if (u)
		json_object_set(r->out, "forced_labour_without_sanction", u);
	json_object_set(r->out, "suppression", json_object_get(rep, "suppression"));
	json_object_set(r->out, "scope", json_object_get(rep, "scope"));
	json_decref(rep);
	const char *obj = "companies";
	if (srv_audit(r->sess.username, "view", &obj, 1, q && *q ? "list q" : "list"))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	return 200;
}

int h_company_get(struct req *r)
{
	json_t *rep;
	int st = report(r, r->id, &rep);
	if (st)
		return st;
	r->out = json_incref(json_array_get(json_object_get(rep, "companies"), 0));
	json_object_set(r->out, "suppression", json_object_get(rep, "suppression"));
	json_object_set(r->out, "scope", json_object_get(rep, "scope"));
	json_decref(rep);
	char obj[32];
	const char *o = obj;
	snprintf(obj, sizeof obj, "K%lld", (long long)r->id);
	if (srv_audit(r->sess.username, "view", &o, 1, "company"))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	return 200;
}

static int write_err(struct req *r, ctip_err *e)
{
	r->s->ops->rollback(r->s);
	if (e->code == CTIP_ENOTFOUND)
		return srv_error(r, 404, NULL, "%s", e->msg);
	if (e->code == CTIP_EINVAL)
		return srv_error(r, 400, e->field[0] ? e->field : NULL, "%s", e->msg);
	return srv_fail(r, e);
}

int h_company_create(struct req *r)
{
	static const char *const keys[] = {"name",         "licence_no", "licence_status",
	                                   "licence_from", "licence_to", "address",
	                                   "province",     "source",     NULL};
	struct ctip_company k = {0};
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "name", 1, 250, &k.name) ||
	    srv_get_str(r, r->in, "licence_no", 0, 64, &k.licence_no) ||
	    srv_get_str(r, r->in, "licence_status", 0, 16, &k.licence_status) ||
	    srv_get_str(r, r->in, "licence_from", 0, 10, &k.licence_from) ||
	    srv_get_str(r, r->in, "licence_to", 0, 10, &k.licence_to) ||
	    srv_get_str(r, r->in, "address", 0, 500, &k.address) ||
	    srv_get_str(r, r->in, "province", 0, 100, &k.province) ||
	    srv_get_str(r, r->in, "source", 0, 500, &k.source))
		return 400;
	ctip_err e = {0};
	char prov[16];
	int64_t id = 0;
	const struct ctip_co_ops *o = ctip_co_ops(r->s, &e);
	if (!o || ctip_company_check(r->s, &k, prov, &e))
		return e.code == CTIP_EINVAL && e.field[0] ? srv_error(r, 400, e.field, "%s", e.msg)
		                                           : srv_fail(r, &e);
	k.recorded_by = r->sess.username;
	if (r->s->ops->begin(r->s, &e) || o->company_add(r->s, &k, r->sess.org_id, &id, &e))
		return write_err(r, &e);
	char obj[32];
	const char *ob = obj;
	snprintf(obj, sizeof obj, "K%lld", (long long)id);
	if (srv_audit_tx(r, "company-add", &ob, 1, k.name, &e) || r->s->ops->commit(r->s, &e))
		return write_err(r, &e);
	r->out = json_pack("{s:I}", "id", (json_int_t)id);
	return 201;
}

int h_company_sanction(struct req *r)
{
	static const char *const keys[] = {"date", "authority", "decision", NULL};
	struct ctip_sanction x = {.company_id = r->id};
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "date", 1, 10, &x.date) ||
	    srv_get_str(r, r->in, "authority", 1, 250, &x.authority) ||
	    srv_get_str(r, r->in, "decision", 1, 1000, &x.decision))
		return 400;
	ctip_err e = {0};
	int64_t id = 0;
	const struct ctip_co_ops *o = ctip_co_ops(r->s, &e);
	if (!o || ctip_sanction_check(&x, &e))
		return e.code == CTIP_EINVAL && e.field[0] ? srv_error(r, 400, e.field, "%s", e.msg)
		                                           : srv_fail(r, &e);
	x.recorded_by = r->sess.username;
	if (r->s->ops->begin(r->s, &e) || o->sanction_add(r->s, &x, r->sess.org_id, &id, &e))
		return write_err(r, &e);
	char obj[32];
	const char *ob = obj;
	snprintf(obj, sizeof obj, "K%lld", (long long)r->id);
	if (srv_audit_tx(r, "company-sanction", &ob, 1, x.date, &e) || r->s->ops->commit(r->s, &e))
		return write_err(r, &e);
	r->out = json_pack("{s:I}", "id", (json_int_t)id);
	return 201;
}
