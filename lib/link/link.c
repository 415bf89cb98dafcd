/*
 * link.c - the linkage run and its explanation (see link.h): read and prepare the records
 * (link_prep.c), block (link_block.c), compare and weigh (link_model.c), cluster
 * (link_cluster.c), incrementally after a first run (link_incr.c), and store.
 */
#include "link.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "link_block.h"
#include "link_cache.h"
#include "link_cluster.h"
#include "link_incr.h"
#include "link_model.h"
#include "link_prep.h"
#include "link_quality.h"
#include "progress.h"

static json_t *last_quality(ctip_store *s);

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ctip_link_provenance(ctip_store *s, char *buf, size_t n)
{
	json_t *q = last_quality(s);
	*buf = 0;
	if (!q)
		return;
	const char *at = json_string_value(json_object_get(q, "run_at"));
	snprintf(buf, n,
	         "linkage: full run of %s (threshold %.3f): all records into %lld persons, "
	         "expected %.0f (%lld to %lld)",
	         at ? at : "?", json_real_value(json_object_get(q, "threshold")),
	         (long long)json_integer_value(json_object_get(q, "persons")),
	         json_real_value(json_object_get(q, "persons_expected")),
	         (long long)json_integer_value(json_object_get(q, "persons_low")),
	         (long long)json_integer_value(json_object_get(q, "persons_high")));
	json_decref(q);
}

/* The quality object of the last run's stored model, or NULL. */
static json_t *last_quality(ctip_store *s)
{
	char *params = NULL;
	ctip_err e = {0};
	json_t *q = NULL;
	if (!s->ops->link_params(s, &params, &e) && params) {
		json_t *o = json_loads(params, 0, NULL);
		q = json_deep_copy(json_object_get(o, "quality"));
		json_decref(o);
	}
	free(params);
	return q;
}

/* Two records are two persons when their own comparison weighs less than LK_CONFLICT_W: a
 * scored link never joins clusters holding such a pair (namesakes chained by records that
 * each lack the field telling them apart). -5 bits, chosen on the poor profile and checked on
 * the others and the independent data: -3 refuses true links (F1 0.905 on poor, 0.886
 * independent), -8 and below lets chains through (0.906, 0.893 at -12). */
struct conflict_ctx {
	const struct lk_data *d;
	const struct lk_model *md;
	const struct lk_wtab *wt;
	double wmin;
};

enum { LK_CONFLICT_W = -5 }; /* bits: a probability under 1/33 */

static int conflict(void *ctx, uint32_t x, uint32_t y)
{
	const struct conflict_ctx *c = ctx;
	uint32_t a = x < y ? x : y, b = x < y ? y : x;
	lk_pat pat = lk_compare(c->d, &c->d->r[a], &c->d->r[b]);
	return lk_pair_weight(c->wt, c->md, c->d, &c->d->r[a], pat) < c->wmin;
}

static const float *sort_w;
static int cmp_weight_desc(const void *x, const void *y);

/* After clustering at the threshold of weight *wthr: the persons expected from the match
 * probabilities; while there are more, the pairs below *wthr (down to LK_TFLOOR) are joined,
 * strongest first, and *wthr lowered to the last one joined. The floor, measured on every
 * profile and seed (docs/BENCHMARKS.md, issue 12): 0.2 left the independent data at +3.4 % of
 * persons (the count stopped at the floor); 0.1 brings them to +1 % (poor stops above it, at
 * 0.15); 0.05 gains the independent data 0.7 % more and over-links the typical profile, whose
 * expected persons run 0.8 % low (-0.4 %): each step down costs pairwise F1 on plain data. */
#define LK_TFLOOR 0.1
static int count_to_expected(const struct lk_data *d, const struct lk_pairs *P, const float *w,
                             unsigned char *linked, float *jp, size_t *njoin, struct lk_uf *u,
                             const struct lk_block_stats *bs, double threshold, long max_cluster,
                             double *wthr, struct ctip_link_stats *st)
{
	long persons = 0;
	for (long i = 0; i < d->n; i++)
		persons += lk_find(u->parent, (uint32_t)i) == (uint32_t)i;
	for (size_t i = 0; i < P->n; i++)
		linked[i] = lk_find(u->parent, P->a[i]) == lk_find(u->parent, P->b[i]);
	struct lk_quality_in qi = {P->a,   P->b,      w,    linked,  P->n,      jp,
	                           *njoin, u->parent, d->n, persons, threshold, bs};
	json_t *q = lk_quality(&qi);
	if (!q)
		return -1;
	double expected = json_real_value(json_object_get(q, "persons_expected"));
	json_decref(q);
	if (persons <= expected + 0.5)
		return 0;
	double wfloor = log2(LK_TFLOOR / (1 - LK_TFLOOR));
	size_t nb = 0;
	uint32_t *below = malloc(P->n * sizeof(*below) + 1);
	if (!below)
		return -1;
	for (size_t i = 0; i < P->n; i++)
		if (w[i] < *wthr && w[i] >= wfloor)
			below[nb++] = (uint32_t)i;
	qsort(below, nb, sizeof(*below), cmp_weight_desc);
	for (size_t k = 0; k < nb && persons > expected + 0.5; k++) {
		uint32_t i = below[k];
		int r = lk_uf_join(u, P->a[i], P->b[i], max_cluster);
		if (r == 1) {
			st->links++, jp[(*njoin)++] = (float)lk_prob(w[i]);
			persons--;
			*wthr = w[i];
		} else if (r == 0) {
			st->refused++;
		}
	}
	free(below);
	return 0;
}
static int cmp_weight_desc(const void *x, const void *y)
{
	float a = sort_w[*(const uint32_t *)x], b = sort_w[*(const uint32_t *)y];
	return a > b ? -1 : a < b;
}

/* ---- the name frequencies of a run, stored for explain ------------------------------------ */

/* The keyed hash under which a name's (kind 'n'), a middle name's (kind 'm') or a full name's
 * (kind 'p': the two names in byte order, so that it does not depend on a run's dictionary ids)
 * frequency is stored: the blind index of a value no name token can be (it starts with a
 * control byte). The number of records with a middle name is stored as the count of kind 'T'
 * (the totals' table predates it): none stored, the middle name weighs by its average. */
static int64_t freq_hash(const ctip_crypto *c, char kind, const char *x, size_t nx, const char *y,
                         size_t ny)
{
	char buf[1024];
	if (y) { /* byte order, shorter first on a common prefix */
		int o = memcmp(x, y, nx < ny ? nx : ny);
		if (o > 0 || (o == 0 && nx > ny)) {
			const char *t = x;
			size_t tn = nx;
			x = y, nx = ny, y = t, ny = tn;
		}
	}
	size_t n = 0;
	buf[n++] = 1;
	buf[n++] = kind;
	size_t room = sizeof(buf) - 3;
	size_t cx = nx < room ? nx : room;
	memcpy(buf + n, x, cx);
	n += cx;
	if (y) {
		buf[n++] = 0x1f;
		size_t cy = ny < sizeof(buf) - n ? ny : sizeof(buf) - n;
		memcpy(buf + n, y, cy);
		n += cy;
	}
	unsigned char h[CTIP_BIDX_BYTES];
	ctip_bidx(c, CTIP_BIDX_NAME, buf, n, h);
	uint64_t v = 0;
	for (int i = 0; i < CTIP_BIDX_BYTES; i++)
		v = v << 8 | h[i];
	return (int64_t)v;
}

/* Which key the stored hashes are under: explain trusts them only under the same key (after
 * a key rotation they no longer match until the next run). */
static void freq_check(const ctip_crypto *c, char out[17])
{
	int64_t h = freq_hash(c, 'k', "link_freq", 9, NULL, 0);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* The totals of the stored frequencies: 0, or 1 when none are stored under this key, -1 on
 * error (e set). */
static int stored_totals(ctip_store *s, long total[4], ctip_err *e)
{
	char check[17], want[17];
	int rc = s->ops->link_freq_total(s, total, check, e);
	if (rc == CTIP_ENOTFOUND)
		return 1;
	if (rc)
		return -1;
	freq_check(s->crypto, want);
	return strcmp(check, want) ? 1 : 0;
}

static void pair_ids(const struct lk_data *d, size_t j, uint32_t *lo, uint32_t *hi)
{
	*lo = (uint32_t)(d->pair_key[j] >> 32);
	*hi = (uint32_t)d->pair_key[j];
}

struct hc {
	int64_t h;
	uint32_t n;
};

static int cmp_hc(const void *x, const void *y)
{
	int64_t a = ((const struct hc *)x)->h, b = ((const struct hc *)y)->h;
	return a < b ? -1 : a > b;
}

/* freq_freeze's code for a middle name: its id plus this */
#define LK_MID_OFF (1L << 33)

static int64_t mid_total_hash(const ctip_crypto *c)
{
	return freq_hash(c, 'T', "middle", 6, NULL, 0);
}

/* The frequencies to store (names, middle names and full names of two records or more, and
 * the number of records with a middle name; *n of them). */
static int freq_collect(const ctip_crypto *c, const struct lk_data *d, int64_t **h, uint32_t **cnt,
                        long *n)
{
	const struct lk_dict *nd = &d->names;
	size_t cap = 2 * (size_t)nd->n + d->npair_slot + 2;
	*h = malloc(cap * sizeof(**h));
	*cnt = malloc(cap * sizeof(**cnt));
	*n = 0;
	if (!*h || !*cnt)
		return -1;
	for (uint32_t id = 1; id < nd->n; id++) {
		uint32_t k = nd->cnt_fam[id] + nd->cnt_giv[id];
		if (k < 2)
			continue;
		(*h)[*n] = freq_hash(c, 'n', nd->str[id], nd->len[id], NULL, 0);
		(*cnt)[(*n)++] = k;
	}
	for (uint32_t id = 1; id < nd->n; id++) {
		if (nd->cnt_mid[id] < 2)
			continue;
		(*h)[*n] = freq_hash(c, 'm', nd->str[id], nd->len[id], NULL, 0);
		(*cnt)[(*n)++] = nd->cnt_mid[id];
	}
	if (d->n_mid > 0) {
		(*h)[*n] = mid_total_hash(c);
		(*cnt)[(*n)++] = (uint32_t)d->n_mid;
	}
	for (size_t j = 0; j < d->npair_slot; j++) {
		if (!d->pair_key[j] || d->pair_cnt[j] < 2)
			continue;
		uint32_t lo, hi;
		pair_ids(d, j, &lo, &hi);
		(*h)[*n] = freq_hash(c, 'p', nd->str[lo], nd->len[lo], nd->str[hi], nd->len[hi]);
		(*cnt)[(*n)++] = d->pair_cnt[j];
	}
	/* in hash order: appended to the table's b-tree, not inserted at random */
	struct hc *v = malloc((size_t)*n * sizeof(*v) + 1);
	if (!v)
		return -1;
	for (long i = 0; i < *n; i++)
		v[i] = (struct hc){(*h)[i], (*cnt)[i]};
	qsort(v, (size_t)*n, sizeof(*v), cmp_hc);
	for (long i = 0; i < *n; i++)
		(*h)[i] = v[i].h, (*cnt)[i] = v[i].n;
	free(v);
	return 0;
}

/* An incremental run weighs with the frequencies the last full run stored (as it does with its
 * model), so that every stored pair keeps the weight explain gives it: the names of the
 * records it links (only pairs with one of them are weighed, and agreeing on a name means
 * both hold it) take their stored counts; those with none stored that two records or more
 * now hold are added (*h, *cnt: *n of them), and never changed later. 1 when nothing usable
 * is stored (the run then stores its own), -1 on error (e set). */
static int freq_freeze(ctip_store *s, struct lk_data *d, const unsigned char *isnew, int64_t **h,
                       uint32_t **cnt, long *nh, long total[4], ctip_err *e)
{
	int stored = stored_totals(s, total, e);
	if (stored)
		return stored;
	struct lk_dict *nd = &d->names;
	size_t cap = 1024, n = 0;
	unsigned char *seen = calloc(nd->n + 1, 1), *seen_p = calloc(d->npair_slot + 1, 1),
	              *seen_m = calloc(nd->n + 1, 1);
	int64_t *hh = malloc(cap * sizeof(*hh));
	long *what = malloc(cap * sizeof(*what)); /* name id, or -1 - pair slot */
	uint32_t *got = NULL;
	int ret = -1;
	if (!seen || !seen_p || !seen_m || !hh || !what)
		goto oom;
	/* what: a name id, LK_MID_OFF + a middle name's id, -1 - a full name's slot; first the
	 * number of records with a middle name */
	what[n] = 0;
	hh[n++] = mid_total_hash(s->crypto);
	for (long i = 0; i < d->n; i++) {
		if (!isnew[i])
			continue;
		const struct lk_rec *r = &d->r[i];
		long ws[4] = {r->fam, r->giv, 0, r->mid ? LK_MID_OFF + (long)r->mid : 0};
		long slot = lk_name_slot(d, r);
		ws[2] = slot >= 0 ? -1 - slot : 0;
		for (int k = 0; k < 4; k++) {
			long w = ws[k];
			if (!w || (w >= LK_MID_OFF ? seen_m[w - LK_MID_OFF]
			           : w > 0         ? seen[w]
			                           : seen_p[-1 - w]))
				continue;
			if (n == cap) {
				cap *= 2;
				int64_t *t1 = realloc(hh, cap * sizeof(*hh));
				if (t1)
					hh = t1;
				long *t2 = realloc(what, cap * sizeof(*what));
				if (t2)
					what = t2;
				if (!t1 || !t2)
					goto oom;
			}
			if (w >= LK_MID_OFF) {
				long id = w - LK_MID_OFF;
				seen_m[id] = 1;
				hh[n] = freq_hash(s->crypto, 'm', nd->str[id], nd->len[id], NULL,
				                  0);
			} else if (w > 0) {
				seen[w] = 1;
				hh[n] = freq_hash(s->crypto, 'n', nd->str[w], nd->len[w], NULL, 0);
			} else {
				uint32_t lo, hi;
				seen_p[-1 - w] = 1;
				pair_ids(d, (size_t)(-1 - w), &lo, &hi);
				hh[n] = freq_hash(s->crypto, 'p', nd->str[lo], nd->len[lo],
				                  nd->str[hi], nd->len[hi]);
			}
			what[n++] = w;
		}
	}
	if (!(got = malloc(n * sizeof(*got) + 1)) || !(*h = malloc(n * sizeof(**h) + 1)) ||
	    !(*cnt = malloc(n * sizeof(**cnt) + 1)))
		goto oom;
	*nh = 0;
	for (size_t k = 0; k < n; k += 1 << 16) {
		size_t m = n - k < (1u << 16) ? n - k : 1u << 16;
		if (s->ops->link_freq(s, hh + k, (int)m, got + k, e))
			goto out;
	}
	/* a run that stored no number of records with a middle name stored no middle names:
	 * the middle name weighs by its average, as under explain */
	long n_mid = got[0];
	for (size_t k = 1; k < n; k++) {
		long w = what[k];
		uint32_t now = w >= LK_MID_OFF ? nd->cnt_mid[w - LK_MID_OFF]
		               : w > 0         ? nd->cnt_fam[w] + nd->cnt_giv[w]
		                               : d->pair_cnt[-1 - w];
		if (!got[k] && now >= 2 && (w < LK_MID_OFF || n_mid > 0)) {
			(*h)[*nh] = hh[k];
			(*cnt)[(*nh)++] = now;
		}
		uint32_t use = got[k] ? got[k] : now;
		if (w >= LK_MID_OFF)
			nd->cnt_mid[w - LK_MID_OFF] = use;
		else if (w > 0)
			nd->cnt_fam[w] = use, nd->cnt_giv[w] = 0;
		else
			d->pair_cnt[-1 - w] = use;
	}
	d->n_mid = n_mid;
	d->n_freq = total[0];
	d->n_fam = total[1];
	d->n_giv = total[2];
	d->n_pair = total[3];
	ret = 0;
	goto out;
oom:
	ctip_err_set(e, CTIP_ENOMEM, "out of memory");
out:
	free(seen);
	free(seen_p);
	free(seen_m);
	free(hh);
	free(what);
	free(got);
	return ret;
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

/* For the benchmark's blocking recall (bench/link.sh): with CTIP_LINK_CANDIDATES=FILE, every
 * candidate pair as organisation and source record id of each record (no identity), its weight
 * and its comparison pattern. */
static void candidates_dump(const struct lk_data *d, const struct lk_pairs *P, const float *w)
{
	const char *path = getenv("CTIP_LINK_CANDIDATES");
	FILE *f = path && *path ? fopen(path, "w") : NULL;
	if (!f)
		return;
	fputs("org_a\trec_a\torg_b\trec_b\tweight\tpattern\n", f);
	for (size_t i = 0; i < P->n; i++) {
		const struct lk_rec *a = &d->r[P->a[i]], *b = &d->r[P->b[i]];
		fprintf(f, "%s\t%s\t%s\t%s\t%.3f\t%" PRIu64 "\n", d->orgs.str[a->org], a->src,
		        d->orgs.str[b->org], b->src, w[i], P->pat[i]);
	}
	fclose(f);
}

int ctip_link_run(ctip_store *s, const struct ctip_link_opts *o, struct ctip_link_stats *st,
                  ctip_err *e)
{
	/* 0: chosen by the model (lk_auto_threshold) on a full run */
	double threshold = o && o->threshold > 0 ? o->threshold : 0;
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
	uint32_t *parent = NULL, *size = NULL, *order = NULL, *first = NULL, *next = NULL;
	float *w = NULL, *jp = NULL;
	size_t njoin = 0;
	struct lk_block_stats bstats;
	json_t *quality = NULL;
	unsigned char *linked = NULL;
	char *keys = NULL, *params = NULL;
	const char **keyp = NULL, **kout = NULL;
	int64_t *ids = NULL, *touched = NULL, *relinked = NULL, *freq_h = NULL;
	uint32_t *freq_n = NULL;
	long nchanged = 0, ntouched = 0, nrelinked = 0, nfreq = 0, freq_total[4];
	int frozen = 0;
	struct ctip_link_pair *out = NULL;
	int rc, have_model = 0, incr = 0;

	double t0 = now();
	ctip_progress_report("link run", 0, 6, "steps"); /* reading records */
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
	/* an incremental run opens the cache of prepared records, not every identity */
	int from_cache = 0, cache_save = !incr;
	if (incr) {
		long ncached = 0, nread = 0;
		rc = lk_cache_load(s, &d, &ncached, &nread, e);
		if (rc > 1)
			goto done;
		from_cache = rc == 0;
		st->cached = ncached;
		/* rebuilt when unusable, or when the records read again outgrow it */
		cache_save = !from_cache || nread * 8 > ncached;
	}
	if (!from_cache && (rc = s->ops->link_input(s, NULL, 0, lk_data_add, &d, e))) {
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
	next = malloc(n * sizeof(*next) + 1);
	if (!parent || !size || !first || !next) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		parent[i] = first[i] = next[i] = (uint32_t)i, size[i] = 1;
	u = (struct lk_uf){.parent = parent, .size = size, .first = first, .next = next, .d = &d};
	if ((rc = lk_decisions_load(s, &u, e)))
		goto done;
	if (incr) {
		pv.d = &d;
		if ((rc = lk_prev_load(s, &pv, &u, e)))
			goto done;
		st->incremental = 1;
		st->new_records = pv.nnew;
		if (s->crypto) {
			int r = freq_freeze(s, &d, pv.isnew, &freq_h, &freq_n, &nfreq, freq_total,
			                    e);
			if (r < 0) {
				rc = e->code;
				goto done;
			}
			frozen = r == 0;
		}
	}
	double t1 = now();
	ctip_progress_report("link run", 1, 6, "steps"); /* blocking */
	st->t_read = t1 - t0;
	if ((rc = lk_block(&d, incr ? pv.isnew : NULL, pv.nnew, &P, &bstats, e)))
		goto done;
	st->pairs = (long)P.n;
	double t2 = now();
	ctip_progress_report("link run", 2, 6, "steps"); /* comparing pairs */
	st->t_block = t2 - t1;
	if (!(P.pat = malloc(P.n * sizeof(*P.pat) + 1))) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	lk_score(&d, P.a, P.b, P.pat, P.n, threads);
	double t3 = now();
	ctip_progress_report("link run", 3, 6, "steps"); /* fitting the model */
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
	ctip_progress_report("link run", 4, 6, "steps"); /* clustering */
	st->t_em = t4 - t3;

	/* weights, then clustering from the strongest link down */
	w = malloc(P.n * sizeof(*w) + 1);
	order = malloc(P.n * sizeof(*order) + 1);
	linked = calloc(P.n + 1, 1);
	jp = malloc(n * sizeof(*jp) + 1);
	if (!w || !order || !linked || !jp) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	size_t nl = 0, nout = 0;
	struct lk_wtab wt;
	if (lk_wtab_init(&wt, &md, &d)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < P.n; i++)
		w[i] = (float)lk_pair_weight(&wt, &md, &d, &d.r[P.a[i]], P.pat[i]);
	if (threshold <= 0)
		threshold = lk_auto_threshold(w, P.n);
	st->threshold = threshold;
	double wthr = log2(threshold / (1 - threshold));
	for (size_t i = 0; i < P.n; i++) {
		if (w[i] >= wthr)
			order[nl++] = (uint32_t)i;
		if (lk_prob(w[i]) >= 0.05)
			nout++;
	}
	candidates_dump(&d, &P, w);
	sort_w = w;
	qsort(order, nl, sizeof(*order), cmp_weight_desc);
	/* reviewers' decisions first: "same" links whatever the score or the cluster's size */
	for (size_t k = 0; k < u.nd; k++)
		if (u.dsame[k]) {
			int r = lk_uf_join(&u, u.dx[k], u.dy[k], 0);
			if (r == 1)
				st->decided++, jp[njoin++] = 1;
			else if (r == 0)
				st->refused++;
		}
	struct conflict_ctx cc = {&d, &md, &wt, LK_CONFLICT_W};
	u.conflict = conflict;
	u.cctx = &cc;
	for (size_t k = 0; k < nl; k++) {
		uint32_t i = order[k];
		int r = lk_uf_join(&u, P.a[i], P.b[i], max_cluster);
		if (r == 1)
			st->links++, jp[njoin++] = (float)lk_prob(w[i]);
		else if (r == 0)
			st->refused++;
	}
	/* a threshold chosen by the model: while the persons outnumber those the match
	 * probabilities expect, the next pairs below it are linked too (strongest first, under
	 * the same guards), so that counts of persons rest on what the model believes */
	if (!(o && o->threshold > 0) && !incr) {
		double wnew = wthr;
		if (count_to_expected(&d, &P, w, linked, jp, &njoin, &u, &bstats, threshold,
		                      max_cluster, &wnew, st)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			lk_wtab_free(&wt);
			goto done;
		}
		threshold = st->threshold = lk_prob(wnew);
	}
	lk_wtab_free(&wt);
	u.conflict = NULL;
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
		/* the changed records' stored pairs are replaced by the ones scored now */
		if (!(relinked = malloc((size_t)pv.nnew * sizeof(*relinked) + 1))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < n; i++)
			if (pv.isnew[i] && pv.key[i][0])
				relinked[nrelinked++] = d.r[i].id;
		res.relinked = relinked;
		res.nrelinked = nrelinked;
	}
	if (s->crypto && !frozen && freq_collect(s->crypto, &d, &freq_h, &freq_n, &nfreq)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	res.freq_h = freq_h;
	res.freq_n = freq_n;
	res.nfreq = nfreq;
	res.freq_add = frozen;
	res.freq_total[0] = d.n_freq;
	res.freq_total[1] = d.n_fam;
	res.freq_total[2] = d.n_giv;
	res.freq_total[3] = d.n_pair;
	char check[17] = "";
	if (s->crypto)
		freq_check(s->crypto, check);
	res.freq_check = check;
	double t5 = now();
	ctip_progress_report("link run", 5, 6, "steps"); /* saving */
	st->t_cluster = t5 - t4;
	if (!(params = lk_model_json(&md, threshold))) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	/* the run's own estimate of its quality (a full run's; an incremental run keeps the
	 * last full run's with its model) */
	if (!incr) {
		struct lk_quality_in qi = {P.a,   P.b,    w,   linked,      P.n,       jp,
		                           njoin, parent, d.n, st->persons, threshold, &bstats};
		quality = lk_quality(&qi);
		char at[32];
		time_t tnow = time(NULL);
		struct tm tm;
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tnow, &tm));
		if (quality) {
			json_object_set_new(quality, "run_at", json_string(at));
			json_object_set_new(quality, "records", json_integer(d.n));
		}
	} else {
		quality = last_quality(s); /* the model stays as stored, so does this */
	}
	if (quality) {
		json_t *po = json_loads(params, 0, NULL);
		char *np = NULL;
		if (po && !json_object_set(po, "quality", quality))
			np = json_dumps(po, JSON_COMPACT);
		json_decref(po);
		if (np) {
			free(params);
			params = np;
		}
	}
	res.params = params;
	if ((rc = s->ops->begin(s, e)))
		goto done;
	if ((rc = s->ops->link_save(s, &res, e)) ||
	    (cache_save && (rc = lk_cache_save(s, &d, e)))) {
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
	free(relinked);
	free(freq_h);
	free(freq_n);
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
	free(next);
	free(jp);
	json_decref(quality);
	lk_pairs_free(&P);
	lk_data_free(&d);
	ctip_progress_finish();
	return rc;
}

/* ---- explain ---------------------------------------------------------------------------- */

/* Gives the two records of d (only they were read) the name frequencies the last run stored:
 * 1 when it stored none (a name held by one record is not stored). 1 when none are stored
 * under this key (explain then reads every record), -1 on error. */
static int stored_freq(ctip_store *s, struct lk_data *d, ctip_err *e)
{
	long total[4];
	int stored = stored_totals(s, total, e);
	if (stored)
		return stored;
	struct lk_dict *nd = &d->names;
	int64_t h[64];
	uint32_t cnt[64], id[64];
	size_t slot[64];
	int n = 0;
	h[n++] = mid_total_hash(s->crypto);
	for (uint32_t i = 1; i < nd->n && n < 40; i++)
		if (nd->cnt_fam[i] + nd->cnt_giv[i]) {
			h[n] = freq_hash(s->crypto, 'n', nd->str[i], nd->len[i], NULL, 0);
			id[n++] = i;
		}
	int nn = n;
	for (uint32_t i = 1; i < nd->n && n < 52; i++)
		if (nd->cnt_mid[i]) {
			h[n] = freq_hash(s->crypto, 'm', nd->str[i], nd->len[i], NULL, 0);
			id[n++] = i;
		}
	int nm = n;
	for (size_t j = 0; j < d->npair_slot && n < 64; j++)
		if (d->pair_key[j]) {
			uint32_t lo, hi;
			pair_ids(d, j, &lo, &hi);
			h[n] = freq_hash(s->crypto, 'p', nd->str[lo], nd->len[lo], nd->str[hi],
			                 nd->len[hi]);
			slot[n++] = j;
		}
	if (s->ops->link_freq(s, h, n, cnt, e))
		return -1;
	for (int k = 1; k < nn; k++) {
		nd->cnt_fam[id[k]] = cnt[k] ? cnt[k] : 1;
		nd->cnt_giv[id[k]] = 0;
	}
	for (int k = nn; k < nm; k++)
		nd->cnt_mid[id[k]] = cnt[k] ? cnt[k] : 1;
	for (int k = nm; k < n; k++)
		d->pair_cnt[slot[k]] = cnt[k] ? cnt[k] : 1;
	d->n_mid = cnt[0]; /* 0: none stored, the middle name weighs by its average */
	d->n_freq = total[0];
	d->n_fam = total[1];
	d->n_giv = total[2];
	d->n_pair = total[3];
	return 0;
}

/* Reads the two records with the last run's frequencies, or when those are not at hand (no
 * run since they were stored, another key), every record. */
static int explain_data(ctip_store *s, int64_t a, int64_t b, struct lk_data *d, ctip_err *e)
{
	int64_t ids[2] = {a, b};
	int rc = s->ops->link_input(s, ids, 2, lk_data_add, d, e);
	if (!rc && lk_data_count_names(d))
		rc = CTIP_ENOMEM;
	if (!rc) {
		int r = stored_freq(s, d, e);
		if (r <= 0)
			return r ? e->code : CTIP_OK;
		lk_data_free(d);
		lk_data_init(d);
		rc = s->ops->link_input(s, NULL, 0, lk_data_add, d, e);
		if (!rc && lk_data_count_names(d))
			rc = CTIP_ENOMEM;
	}
	if (rc == CTIP_ENOMEM)
		ctip_err_set(e, rc, "out of memory");
	return rc;
}

_Static_assert((int)CTIP_LK_NCMP == (int)C_N, "explain shows every comparison");

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
	if ((rc = explain_data(s, a, b, &d, e))) {
		lk_data_free(&d);
		return rc;
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
	/* as the run compares them: the record of the smaller id first */
	if (a > b) {
		const struct lk_rec *t = ra;
		ra = rb;
		rb = t;
	}
	lk_pat pat = lk_compare(&d, ra, rb);
	x->swapped = lk_crossed(pat);
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
	if ((rc = s->ops->link_pair_state(s, a, b, x->key_a, x->key_b, &x->decision, e)))
		return rc;
	x->linked = x->key_a[0] && !strcmp(x->key_a, x->key_b);
	return CTIP_OK;
}
