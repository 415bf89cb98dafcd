/*
 * routes_link.c - clerical review of record linkage in the web UI (issue 5):
 *   GET  /api/link/review[?min=P&...]      the undecided pairs of the uncertain band, filtered,
 *                                          sorted, paged with the total, or as CSV (issue 14)
 *   GET  /api/link/pair?a=ID&b=ID          two records side by side with each comparison's
 *                                          level and weight (as `ctip link explain`)
 *   POST /api/link/decide {"a","b","decision": "same"|"different"}  (as `ctip link decide`)
 *
 * Supervisors only (routes.c): a decision merges or parts persons across organisations, so
 * it is a supervisor's. How two records compare tells about both (a probe record of one's
 * own compared with a hidden one recovers its name in a few requests: issue 10), so a
 * supervisor reviews, explains and decides only pairs of which it may see both records'
 * identities (access.c: its organisation's cases, or referred ones with the consent to
 * share identity); and the server compares only records that the last run linked and that
 * did not change since (never a record made after it, scored on demand). Any other pair is
 * 404 with the body of a pair that does not exist, so that an answer reveals nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "server.h"

enum { REVIEW_SCAN = 5000, REVIEW_MAX = 100, REVIEW_PER_PAGE = 200 };

/* A probability query argument in [0, 1): 0 ok, else a 400 was set. */
static int arg_prob(struct req *r, const char *name, double def, double *v)
{
	const char *a = srv_arg(r, name);
	*v = def;
	if (!a)
		return 0;
	char *end;
	double x = strtod(a, &end);
	if (!*a || *end || !(x >= 0 && x < 1))
		return srv_error(r, 400, name, "%s must be a probability from 0 to below 1", name);
	*v = x;
	return 0;
}

/* The threshold of the last run and its review band ([bmin, bmax): the run's quality
 * estimate's, or the threshold's for a run before it); 0 when linkage never ran. */
static int last_threshold(struct req *r, double *thr, double *bmin, double *bmax, ctip_err *e)
{
	char *params = NULL;
	*thr = 0;
	*bmin = 0.5;
	int rc = r->s->ops->link_params(r->s, &params, e);
	if (rc == CTIP_ENOTFOUND)
		return CTIP_OK;
	if (rc)
		return rc;
	json_t *o = json_loads(params, 0, NULL);
	free(params);
	*thr = o ? json_real_value(json_object_get(o, "threshold")) : 0;
	json_t *band = json_object_get(json_object_get(o, "quality"), "review");
	*bmax = band ? json_real_value(json_object_get(band, "max")) : *thr;
	if (band)
		*bmin = json_real_value(json_object_get(band, "min"));
	json_decref(o);
	if (*thr <= 0 || *thr >= 1)
		return ctip_err_set(e, CTIP_EDB, "the stored linkage model is damaged");
	return CTIP_OK;
}

struct band {
	struct ctip_link_pair *p;
	size_t n;
};

static int take_pair(void *ctx, const struct ctip_link_pair *p)
{
	struct band *b = ctx;
	b->p[b->n++] = *p;
	return b->n == REVIEW_SCAN ? 100 : 0;
}

/* Whether the requester may see record id with its identity (access.c). */
static int sees(struct req *r, int64_t id, ctip_err *e, int *rc)
{
	int64_t case_id = 0;
	int access;
	*rc = srv_person_access(r, id, &case_id, &access, 1, e);
	return !*rc && case_id;
}

/* The one answer for a pair the requester may not review and for one that does not exist. */
static int no_pair(struct req *r)
{
	return srv_error(r, 404, NULL, "no such pair");
}

/* Whether the requester may see record id with its identity, remembered for the request (a
 * record is in many pairs of the band). */
struct seen {
	int64_t *id;
	signed char *ok; /* 0 unknown, 1 sees, -1 does not */
	size_t cap;      /* a power of two */
};

static int sees_cached(struct req *r, struct seen *c, int64_t id, ctip_err *e, int *rc)
{
	size_t i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 20) & (c->cap - 1);
	while (c->ok[i] && c->id[i] != id)
		i = (i + 1) & (c->cap - 1);
	if (!c->ok[i]) {
		c->id[i] = id;
		c->ok[i] = sees(r, id, e, rc) ? 1 : -1;
	}
	return c->ok[i] > 0;
}

static _Thread_local int pair_sort, pair_desc; /* qsort has no context: per thread */

static int pair_cmp(const void *pa, const void *pb)
{
	const struct ctip_link_pair *x = pa, *y = pb;
	int c = 0;
	if (pair_sort == 1)
		c = (x->weight > y->weight) - (x->weight < y->weight);
	else if (pair_sort == 0)
		c = (x->probability > y->probability) - (x->probability < y->probability);
	if (!c)
		c = x->a != y->a ? (x->a > y->a) - (x->a < y->a) : (x->b > y->b) - (x->b < y->b);
	return pair_desc ? -c : c;
}

/* GET /api/link/review: the band's undecided pairs the requester may review, filtered
 * (record, linked, max), sorted (probability, weight, record) and paged with the total, or
 * every one as CSV. Nothing identifying is listed: record ids and scores. */
int h_link_review(struct req *r)
{
	double lo, hi, thr, bmin = 0.5, bmax = 0;
	int64_t limit, page, per, record;
	ctip_err e = {0};
	if (last_threshold(r, &thr, &bmin, &bmax, &e))
		return srv_fail(r, &e);
	/* limit: the page's size before pages existed (1 to 100); per_page up to 200 */
	if (arg_prob(r, "min", bmin, &lo) || srv_arg_int(r, "limit", 20, REVIEW_MAX, &limit) ||
	    srv_arg_int(r, "per_page", srv_arg(r, "limit") ? limit : 50, REVIEW_PER_PAGE, &per) ||
	    srv_arg_int(r, "page", 1, 1000000, &page) ||
	    srv_arg_int(r, "record", 0, INT64_MAX / 2, &record))
		return 400;
	hi = bmax;
	if (srv_arg(r, "max")) {
		if (arg_prob(r, "max", bmax, &hi))
			return 400;
		if (hi > bmax)
			hi = bmax; /* never beyond the band */
	}
	const char *ln = srv_arg(r, "linked"), *sort = srv_arg(r, "sort"), *dir = srv_arg(r, "dir"),
	           *format = srv_arg(r, "format");
	int want_linked = -1;
	if (ln && *ln) {
		if (strcmp(ln, "yes") && strcmp(ln, "no"))
			return srv_error(r, 400, "linked", "linked: yes or no");
		want_linked = !strcmp(ln, "yes");
	}
	int by = 0;
	if (sort && *sort) {
		by = !strcmp(sort, "probability") ? 0
		     : !strcmp(sort, "weight")    ? 1
		     : !strcmp(sort, "record")    ? 2
		                                  : -1;
		if (by < 0)
			return srv_error(r, 400, "sort", "sort: probability, weight or record");
	}
	if (dir && *dir && strcmp(dir, "asc") && strcmp(dir, "desc"))
		return srv_error(r, 400, "dir", "dir: asc or desc");
	int desc = dir && *dir ? !strcmp(dir, "desc") : by != 2;
	int csv = format && !strcmp(format, "csv");
	if (format && *format && !csv && strcmp(format, "json"))
		return srv_error(r, 400, "format", "format: json or csv");
	json_t *out = json_array();
	r->out = json_pack("{s:o,s:f,s:f,s:f,s:b,s:i,s:I,s:I,s:b}", "pairs", out, "min", lo, "max",
	                   bmax, "threshold", thr, "linked", thr > 0, "total", 0, "page",
	                   (json_int_t)page, "per_page", (json_int_t)per, "more", 0);
	if (!csv && (thr <= 0 || lo >= hi))
		return 200;
	/* the band is read first, then each pair's visibility looked up */
	struct band b = {malloc(REVIEW_SCAN * sizeof(*b.p)), 0};
	struct seen seen = {calloc(4 * REVIEW_SCAN, sizeof(int64_t)), calloc(4 * REVIEW_SCAN, 1),
	                    4 * REVIEW_SCAN};
	if (!b.p || !seen.id || !seen.ok) {
		free(b.p);
		free(seen.id);
		free(seen.ok);
		return srv_error(r, 503, NULL, "the server is out of memory");
	}
	int rc = thr > 0 && lo < hi ? r->s->ops->link_uncertain(r->s, lo, hi, take_pair, &b, &e)
	                            : CTIP_OK;
	if (rc == 100)
		rc = CTIP_OK;
	size_t n = 0; /* the pairs kept, moved to the front */
	for (size_t i = 0; !rc && i < b.n; i++) {
		const struct ctip_link_pair *p = &b.p[i];
		if ((record && p->a != record && p->b != record) ||
		    (want_linked >= 0 && !!p->linked != want_linked))
			continue;
		if (!sees_cached(r, &seen, p->a, &e, &rc) || !sees_cached(r, &seen, p->b, &e, &rc))
			continue;
		b.p[n++] = *p;
	}
	r->s->srv->read_end(r->s);
	free(seen.id);
	free(seen.ok);
	if (rc) {
		free(b.p);
		return srv_fail(r, &e);
	}
	pair_sort = by;
	pair_desc = desc;
	qsort(b.p, n, sizeof(*b.p), pair_cmp);
	if (csv) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (!f) {
			free(b.p);
			return srv_error(r, 503, NULL, "the server is out of memory");
		}
		fputs("a,b,probability,weight,linked\n", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "P%lld,P%lld,%.6f,%.4f,%s\n", (long long)b.p[i].a,
			        (long long)b.p[i].b, (double)b.p[i].probability,
			        (double)b.p[i].weight, b.p[i].linked ? "yes" : "no");
		fclose(f);
		free(b.p);
		json_decref(r->out);
		r->out = NULL;
		r->out_doc = buf;
		r->out_doc_len = len;
		r->out_doc_type = "text/csv; charset=utf-8";
		snprintf(r->out_doc_name, sizeof(r->out_doc_name), "review.csv");
		return 200;
	}
	size_t from = (size_t)((page - 1) * per) < n ? (size_t)((page - 1) * per) : n;
	size_t to = from + (size_t)per < n ? from + (size_t)per : n;
	for (size_t i = from; i < to; i++) {
		const struct ctip_link_pair *p = &b.p[i];
		json_array_append_new(out, json_pack("{s:I,s:I,s:f,s:f,s:b,s:b,s:b}", "a",
		                                     (json_int_t)p->a, "b", (json_int_t)p->b,
		                                     "probability", (double)p->probability,
		                                     "weight", (double)p->weight, "linked",
		                                     p->linked, "a_visible", 1, "b_visible", 1));
	}
	free(b.p);
	json_object_set_new(r->out, "total", json_integer((json_int_t)n));
	json_object_set_new(r->out, "more", json_boolean(b.n == REVIEW_SCAN));
	return 200;
}

/* One side of a pair: the record as GET /api/persons/{id} gives it (audited as a view). */
static int side(struct req *r, int64_t id, json_t **out)
{
	*out = json_pack("{s:I,s:b,s:b}", "id", (json_int_t)id, "visible", 1, "identity", 1);
	int64_t case_id;
	int access, st;
	ctip_err e = {0};
	if (srv_person_access(r, id, &case_id, &access, 1, &e))
		return srv_fail(r, &e);
	if (!case_id) /* changed meanwhile: nothing shown */
		return no_pair(r);
	json_t *c = NULL;
	if ((st = srv_case_body(r, case_id, access, id, &c)))
		return st;
	json_t *p = json_array_get(json_object_get(c, "persons"), 0);
	if (!p || json_is_true(json_object_get(p, "redacted"))) {
		json_decref(c);
		return no_pair(r);
	}
	json_object_set(*out, "record", p);
	/* the organisation that recorded it (compared too: issue 12) */
	json_object_set(*out, "organisation", json_object_get(c, "src_Organisation"));
	json_decref(c);
	return 0;
}

/* The pair's records: 0 ok, else an error status set (404 unless the requester may see both
 * identities, and, when compare, both were linked by the last run unchanged since). */
static int pair_args(struct req *r, json_t *body, int compare, int64_t *a, int64_t *b)
{
	if (body) {
		if (srv_get_int(r, body, "a", 1, a) || srv_get_int(r, body, "b", 1, b))
			return 400;
	} else {
		if (srv_arg_int(r, "a", 0, INT64_MAX / 2, a) ||
		    srv_arg_int(r, "b", 0, INT64_MAX / 2, b))
			return 400;
		if (!*a || !*b)
			return srv_error(r, 400, *a ? "b" : "a", "a and b are required");
	}
	if (*a <= 0 || *b <= 0)
		return srv_error(r, 400, *a <= 0 ? "a" : "b", "a record id is a positive integer");
	if (*a == *b)
		return srv_error(r, 400, "b", "a record is always its own person");
	ctip_err e = {0};
	int rc = CTIP_OK, ok = sees(r, *a, &e, &rc) && sees(r, *b, &e, &rc), current = 0;
	if (!rc && ok && compare)
		rc = r->s->ops->link_current ? r->s->ops->link_current(r->s, *a, *b, &current, &e)
		                             : CTIP_OK;
	if (rc)
		return srv_fail(r, &e);
	if (!ok || (compare && !current))
		return no_pair(r);
	return 0;
}

static const char *decision_name(int d)
{
	return d == 1 ? "same" : d == 0 ? "different" : NULL;
}

int h_link_pair(struct req *r)
{
	int64_t a, b;
	int st;
	if ((st = pair_args(r, NULL, 1, &a, &b)))
		return st;
	ctip_err e = {0};
	struct ctip_link_explain x;
	int rc = ctip_link_explain(r->s, a, b, &x, &e);
	if (rc == CTIP_ENOTFOUND)
		return no_pair(r);
	if (rc)
		return srv_fail(r, &e);
	/* the levels say how two identities compare: a view of both, as the command line's */
	char oa[24], ob[24];
	snprintf(oa, sizeof(oa), "P%lld", (long long)a);
	snprintf(ob, sizeof(ob), "P%lld", (long long)b);
	const char *objs[2] = {oa, ob};
	if (srv_audit(r->sess.username, "link_explain", objs, 2, ""))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	json_t *cmp = json_array();
	for (int i = 0; i < CTIP_LK_NCMP; i++)
		json_array_append_new(cmp, json_pack("{s:s,s:s,s:f}", "name", x.name[i], "level",
		                                     x.level[i], "weight", x.weight[i]));
	json_t *ja = NULL, *jb = NULL;
	if ((st = side(r, a, &ja)) || (st = side(r, b, &jb))) {
		json_decref(ja);
		json_decref(jb);
		json_decref(cmp);
		return st;
	}
	const char *dec = decision_name(x.decision);
	r->out = json_pack("{s:o,s:o,s:o,s:f,s:f,s:f,s:f,s:f,s:b,s:b,s:o}", "a", ja, "b", jb,
	                   "comparisons", cmp, "prior", x.prior, "full_name", x.full_name, "total",
	                   x.total, "probability", x.probability, "threshold", x.threshold,
	                   "swapped", x.swapped, "linked", x.linked, "decision",
	                   dec ? json_string(dec) : json_null());
	return 200;
}

int h_link_decide(struct req *r)
{
	static const char *const keys[] = {"a", "b", "decision", NULL};
	int64_t a, b;
	int st;
	const char *d;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "decision", 1, 16, &d))
		return 400;
	if (strcmp(d, "same") && strcmp(d, "different"))
		return srv_error(r, 400, "decision", "decision is \"same\" or \"different\"");
	if ((st = pair_args(r, r->in, 0, &a, &b)))
		return st;
	int same = !strcmp(d, "same");
	ctip_err e = {0};
	/* stored exactly as `ctip link decide` stores it, the account as who decided */
	char obj[64];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "P%lld,P%lld", (long long)(a < b ? a : b),
	         (long long)(a < b ? b : a));
	int rc = r->s->ops->begin(r->s, &e);
	if (!rc && ((rc = r->s->ops->link_decide(r->s, a, b, same, r->sess.username, &e)) ||
	            (rc = srv_audit_tx(r, "link_decide", &o, 1, d, &e))))
		r->s->ops->rollback(r->s);
	else if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	if (rc == CTIP_ENOTFOUND)
		return no_pair(r);
	if (rc)
		return srv_fail(r, &e);
	r->out = json_pack("{s:I,s:I,s:s}", "a", (json_int_t)(a < b ? a : b), "b",
	                   (json_int_t)(a < b ? b : a), "decision", d);
	return 200;
}
