/*
 * link.c - the linkage run and its explanation (see link.h): read and prepare the records
 * (link_prep.c), block (link_block.c), compare and weigh (link_model.c), cluster
 * (link_cluster.c), incrementally after a first run (link_incr.c), and store.
 */
#include "link.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link_block.h"
#include "link_cluster.h"
#include "link_incr.h"
#include "link_model.h"
#include "link_prep.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const float *sort_w;
static int cmp_weight_desc(const void *x, const void *y)
{
	float a = sort_w[*(const uint32_t *)x], b = sort_w[*(const uint32_t *)y];
	return a > b ? -1 : a < b;
}

/* ---- the run ---------------------------------------------------------------------------- */

/* The model of the last run; -1 when there was none. */
static int last_model(ctip_store *s, struct lk_model *md, double *threshold, ctip_err *e)
{
	char *params = NULL;
	int rc = s->ops->link_params(s, &params, e);
	if (rc == CTIP_ENOTFOUND)
		return -1;
	if (rc)
		return rc;
	int bad = lk_model_parse(params, md, threshold);
	free(params);
	if (bad)
		return ctip_err_set(e, CTIP_EDB, "%s: the stored linkage model is damaged",
		                    s->path);
	return CTIP_OK;
}

int ctip_link_run(ctip_store *s, const struct ctip_link_opts *o, struct ctip_link_stats *st,
                  ctip_err *e)
{
	double threshold = o && o->threshold > 0 ? o->threshold : 0.97;
	int threads = o && o->threads > 0 ? o->threads : 2;
	long max_cluster = o && o->max_cluster > 0 ? o->max_cluster : 40;
	memset(st, 0, sizeof(*st));
	struct lk_data d;
	lk_data_init(&d);
	struct lk_pairs P = {0};
	struct lk_model md;
	memset(&md, 0, sizeof(md));
	struct lk_prev pv = {0};
	struct lk_uf u = {0};
	uint32_t *parent = NULL, *size = NULL, *order = NULL, *first = NULL;
	float *w = NULL;
	unsigned char *linked = NULL;
	char *keys = NULL, *params = NULL;
	const char **keyp = NULL, **kout = NULL;
	int64_t *ids = NULL, *touched = NULL;
	long nchanged = 0, ntouched = 0;
	struct ctip_link_pair *out = NULL;
	int rc, have_model = 0, incr = 0;

	double t0 = now();
	/* the last run's model: an incremental run weighs with it (so its weights and review
	 * band stay), as does --reuse-model; --full or another threshold recomputes all */
	if (!(o && o->full) || (o && o->reuse_model)) {
		double old_threshold = 0;
		rc = last_model(s, &md, &old_threshold, e);
		if (rc < 0 && o && o->reuse_model)
			rc = ctip_err_set(e, CTIP_ENOTFOUND, "no linkage yet: run `ctip link run`");
		if (rc > 0)
			goto done;
		have_model = rc == 0;
		incr = have_model && !(o && (o->full || o->reuse_model)) &&
		       !(o && o->threshold > 0 && fabs(o->threshold - old_threshold) > 1e-9);
		if (incr)
			threshold = old_threshold;
		if (!have_model)
			memset(&md, 0, sizeof(md));
	}
	if ((rc = s->ops->link_input(s, NULL, 0, lk_data_add, &d, e))) {
		if (rc == CTIP_ENOMEM)
			ctip_err_set(e, rc, "out of memory");
		goto done;
	}
	if (d.n > 0xFFFFFFF0L) {
		rc = ctip_err_set(e, CTIP_EINVAL, "too many records to link");
		goto done;
	}
	st->records = d.n;
	if (lk_data_count_names(&d)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	size_t n = (size_t)d.n;
	parent = malloc(n * sizeof(*parent) + 1);
	size = malloc(n * sizeof(*size) + 1);
	first = malloc(n * sizeof(*first) + 1);
	if (!parent || !size || !first) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		parent[i] = first[i] = (uint32_t)i, size[i] = 1;
	u = (struct lk_uf){.parent = parent, .size = size, .first = first, .d = &d};
	if ((rc = lk_decisions_load(s, &u, e)))
		goto done;
	if (incr) {
		pv.d = &d;
		if ((rc = lk_prev_load(s, &pv, &u, e)))
			goto done;
		st->incremental = 1;
		st->new_records = pv.nnew;
	}
	double t1 = now();
	st->t_read = t1 - t0;
	if ((rc = lk_block(&d, incr ? pv.isnew : NULL, pv.nnew, &P, e)))
		goto done;
	st->pairs = (long)P.n;
	double t2 = now();
	st->t_block = t2 - t1;
	if (!(P.pat = malloc(P.n * sizeof(*P.pat) + 1))) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	lk_score(&d, P.a, P.b, P.pat, P.n, threads);
	double t3 = now();
	st->t_score = t3 - t2;
	if (!have_model) {
		lk_model_init_m(&md);
		lk_estimate_u(&d, &md, threads);
		if (lk_estimate_m(&md, P.pat, P.n, d.n, &st->em_iterations)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
	}
	st->lambda = md.lambda;
	double t4 = now();
	st->t_em = t4 - t3;

	/* weights, then clustering from the strongest link down */
	w = malloc(P.n * sizeof(*w) + 1);
	order = malloc(P.n * sizeof(*order) + 1);
	linked = calloc(P.n + 1, 1);
	if (!w || !order || !linked) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	double wthr = log2(threshold / (1 - threshold));
	size_t nl = 0, nout = 0;
	struct lk_wtab wt;
	if (lk_wtab_init(&wt, &md, &d)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < P.n; i++) {
		w[i] = (float)lk_pair_weight(&wt, &md, &d, &d.r[P.a[i]], P.pat[i]);
		if (w[i] >= wthr)
			order[nl++] = (uint32_t)i;
		if (lk_prob(w[i]) >= 0.05)
			nout++;
	}
	lk_wtab_free(&wt);
	sort_w = w;
	qsort(order, nl, sizeof(*order), cmp_weight_desc);
	/* reviewers' decisions first: "same" links whatever the score or the cluster's size */
	for (size_t k = 0; k < u.nd; k++)
		if (u.dsame[k]) {
			int r = lk_uf_join(&u, u.dx[k], u.dy[k], 0);
			if (r == 1)
				st->decided++;
			else if (r == 0)
				st->refused++;
		}
	for (size_t k = 0; k < nl; k++) {
		uint32_t i = order[k];
		int r = lk_uf_join(&u, P.a[i], P.b[i], max_cluster);
		if (r == 1)
			st->links++;
		else if (r == 0)
			st->refused++;
	}
	for (size_t i = 0; i < P.n; i++)
		linked[i] = lk_find(parent, P.a[i]) == lk_find(parent, P.b[i]);
	keys = malloc(n * 24 + 1);
	keyp = malloc(n * sizeof(*keyp) + 1);
	ids = malloc(n * sizeof(*ids) + 1);
	out = malloc(nout * sizeof(*out) + 1);
	if (!keys || !keyp || !ids || !out) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if (lk_find(parent, (uint32_t)i) == i) {
			if (!incr)
				lk_person_key(&d, first[i], 0, keys + i * 24);
			st->persons++;
		}
	if (incr && lk_prev_keys(&d, &pv, parent, first, keys)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		keyp[i] = keys + (size_t)lk_find(parent, (uint32_t)i) * 24;
		ids[i] = d.r[i].id;
	}
	nout = 0;
	for (size_t i = 0; i < P.n; i++) {
		double p = lk_prob(w[i]);
		if (p < 0.05)
			continue;
		int64_t a = d.r[P.a[i]].id, b = d.r[P.b[i]].id;
		out[nout++] = (struct ctip_link_pair){a < b ? a : b, a < b ? b : a, w[i], (float)p,
		                                      linked[i]};
	}
	struct ctip_link_result res = {.ids = ids,
	                               .keys = keyp,
	                               .n = d.n,
	                               .pairs = out,
	                               .npairs = (long)nout,
	                               .persons = st->persons};
	if (incr) {
		if (!(kout = malloc(n * sizeof(*kout) + 1)) ||
		    lk_prev_changes(&d, &pv, parent, keyp, ids, kout, &nchanged, &touched,
		                    &ntouched)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		res.keys = kout;
		res.n = nchanged;
		res.incremental = 1;
		res.records = d.n;
		res.touched = touched;
		res.ntouched = ntouched;
		st->changed = nchanged;
	}
	double t5 = now();
	st->t_cluster = t5 - t4;
	if (!(params = lk_model_json(&md, threshold))) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	res.params = params;
	if ((rc = s->ops->begin(s, e)))
		goto done;
	if ((rc = s->ops->link_save(s, &res, e))) {
		s->ops->rollback(s);
		goto done;
	}
	if ((rc = s->ops->commit(s, e)))
		goto done;
	st->t_save = now() - t5;
done:
	lk_uf_free(&u);
	lk_prev_free(&pv);
	free(params);
	free(keys);
	free(keyp);
	free(kout);
	free(ids);
	free(touched);
	free(out);
	free(w);
	free(order);
	free(linked);
	free(parent);
	free(size);
	free(first);
	lk_pairs_free(&P);
	lk_data_free(&d);
	return rc;
}

/* ---- explain ---------------------------------------------------------------------------- */

struct key_find {
	int64_t a, b;
	char *ka, *kb;
	int decision;
};

static int find_decision(void *ctx, int64_t a, int64_t b, int same)
{
	struct key_find *k = ctx;
	if ((a == k->a && b == k->b) || (a == k->b && b == k->a))
		k->decision = same;
	return 0;
}

static int find_keys(void *ctx, int64_t id, const char *org, const char *src, const char *key)
{
	struct key_find *k = ctx;
	if (id == k->a)
		snprintf(k->ka, 24, "%s", key ? key : "");
	if (id == k->b)
		snprintf(k->kb, 24, "%s", key ? key : "");
	return 0;
}

int ctip_link_explain(ctip_store *s, int64_t a, int64_t b, struct ctip_link_explain *x, ctip_err *e)
{
	memset(x, 0, sizeof(*x));
	char *params = NULL;
	struct lk_model md;
	int rc = s->ops->link_params(s, &params, e);
	if (rc)
		return rc;
	int bad = lk_model_parse(params, &md, &x->threshold);
	free(params);
	if (bad)
		return ctip_err_set(e, CTIP_EDB, "%s: the stored linkage model is damaged",
		                    s->path);
	struct lk_data d;
	lk_data_init(&d);
	/* every record: the name frequencies weigh exact agreement */
	if ((rc = s->ops->link_input(s, NULL, 0, lk_data_add, &d, e))) {
		if (rc == CTIP_ENOMEM)
			ctip_err_set(e, rc, "out of memory");
		lk_data_free(&d);
		return rc;
	}
	if (lk_data_count_names(&d)) {
		lk_data_free(&d);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	const struct lk_rec *ra = NULL, *rb = NULL;
	for (long i = 0; i < d.n; i++) {
		if (d.r[i].id == a)
			ra = &d.r[i];
		if (d.r[i].id == b)
			rb = &d.r[i];
	}
	if (!ra || !rb) {
		lk_data_free(&d);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no person record P%lld",
		                    (long long)(ra ? b : a));
	}
	uint32_t pat = lk_compare(&d, ra, rb);
	x->swapped = (int)(pat >> 31);
	x->prior = log2(md.lambda / (1 - md.lambda));
	x->total = x->prior;
	for (int c = 0; c < C_N; c++) {
		int l = lk_level(pat, c);
		x->name[c] = lk_cmp_name[c];
		x->level[c] = lk_level_name(c, l);
		x->weight[c] = lk_counted(pat, c) ? lk_level_weight(&md, &d, ra, c, l) : 0;
		x->total += x->weight[c];
	}
	x->full_name = lk_full_name_adjust(&md, &d, ra, pat);
	x->total += x->full_name;
	x->probability = lk_prob(x->total);
	lk_data_free(&d);
	struct key_find kf = {a, b, x->key_a, x->key_b, -1};
	if ((rc = s->ops->link_persons(s, find_keys, &kf, e)) ||
	    (rc = s->ops->link_decisions(s, find_decision, &kf, e)))
		return rc;
	x->decision = kf.decision;
	x->linked = x->key_a[0] && !strcmp(x->key_a, x->key_b);
	return CTIP_OK;
}
