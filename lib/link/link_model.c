/*
 * link_model.c - the weights of record linkage (link_model.h): comparing the candidate pairs
 * on threads, estimating u among random pairs and m by EM, the prior, the name-frequency
 * adjustment, each pair's weight, and the model as stored (JSON).
 */
#include "link_model.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *const lk_cmp_name[C_N] = {
        "family_name", "given_name", "middle_name", "birth_date",   "document",     "phone",
        "province",    "gender",     "place",       "exploitation", "expl_country", "organisation"};
const int lk_cmp_levels[C_N] = {LK_NAME_N, LK_NAME_N, LK_MID_N,   LK_DATE_N, LK_ID_N,   LK_ID_N,
                                LK_EQ_N,   LK_EQ_N,   LK_PLACE_N, LK_PER_N,  LK_CTRY_N, LK_EQ_N};
static const char *const name_lv[] = {"exact", "close", "far", "different"};
static const char *const mid_lv[] = {"exact", "different"};
static const char *const date_lv[] = {"exact", "close", "partial", "within a year", "different"};
static const char *const id_lv[] = {"exact", "close", "different"};
static const char *const eq_lv[] = {"same", "different"};
static const char *const place_lv[] = {"commune", "district", "different"};
static const char *const per_lv[] = {"same start", "overlapping", "disjoint"};
static const char *const ctry_lv[] = {"one in common", "none in common"};

const char *lk_level_name(int c, int l)
{
	if (l == LK_MISSING)
		return "missing";
	switch (c) {
	case C_FAMILY:
	case C_GIVEN: return name_lv[l];
	case C_MIDDLE: return mid_lv[l];
	case C_BIRTH: return date_lv[l];
	case C_DOC:
	case C_PHONE: return id_lv[l];
	case C_PLACE: return place_lv[l];
	case C_PERIOD: return per_lv[l];
	case C_COUNTRY: return ctry_lv[l];
	default: return eq_lv[l];
	}
}

/* ---- scoring on threads ----------------------------------------------------------------- */

struct score_job {
	const struct lk_data *d;
	const uint32_t *a, *b;
	lk_pat *pat;
	size_t from, to;
};

static void *score_thread(void *arg)
{
	struct score_job *j = arg;
	for (size_t i = j->from; i < j->to; i++)
		j->pat[i] = lk_compare(j->d, &j->d->r[j->a[i]], &j->d->r[j->b[i]]);
	return NULL;
}

int lk_score(const struct lk_data *d, const uint32_t *a, const uint32_t *b, lk_pat *pat, size_t n,
             int threads)
{
	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	pthread_t th[16];
	struct score_job job[16];
	int started = 0;
	for (int t = 0; t < threads; t++) {
		job[t] = (struct score_job){d,
		                            a,
		                            b,
		                            pat,
		                            n * (size_t)t / (size_t)threads,
		                            n * (size_t)(t + 1) / (size_t)threads};
		if (t == threads - 1 || pthread_create(&th[t], NULL, score_thread, &job[t])) {
			score_thread(&job[t]);
			break;
		}
		started++;
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	return 0;
}

/* ---- the model -------------------------------------------------------------------------- */

void lk_model_init_m(struct lk_model *md)
{
	static const double m0[C_N][5] = {{0.85, 0.08, 0.04, 0.03},
	                                  {0.85, 0.08, 0.04, 0.03},
	                                  {0.8, 0.2},
	                                  {0.6, 0.1, 0.2, 0.05, 0.05},
	                                  {0.9, 0.05, 0.05},
	                                  {0.9, 0.01, 0.09},
	                                  {0.95, 0.05},
	                                  {0.98, 0.02},
	                                  {0.7, 0.2, 0.1},
	                                  {0.6, 0.3, 0.1},
	                                  /* countries of exploitation: mostly one in common
	                                   * (EM learns how often a person is taken again to
	                                   * another country, or a record names another) */
	                                  {0.8, 0.2},
	                                  /* organisation: no opinion to start with (EM learns
	                                   * how often one organisation records a person twice) */
	                                  {0.2, 0.8}};
	for (int c = 0; c < C_N; c++)
		for (int l = 0; l < lk_cmp_levels[c]; l++)
			md->m[c][l] = m0[c][l];
	md->lambda = 0.3;
}

enum { U_PRIOR_PAIRS = 1000 };

/* u from random pairs: how often records of different persons agree, level by level. */
void lk_estimate_u(const struct lk_data *d, struct lk_model *md, int threads)
{
	size_t n = d->n < 2 ? 0 : (size_t)(d->n * 4 < 400000 ? d->n * 4 : 400000);
	uint32_t *a = calloc(n + 1, sizeof(*a)), *b = calloc(n + 1, sizeof(*b));
	lk_pat *pat = malloc(n * sizeof(*pat) + 1);
	double cnt[C_N][8] = {{0}};
	if (a && b && pat) {
		uint64_t x = 0x2545F4914F6CDD1Dull;
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			uint32_t p = (uint32_t)((x >> 32) % (uint64_t)d->n);
			uint32_t q = (uint32_t)(x % (uint64_t)d->n);
			if (p != q)
				a[k] = p, b[k] = q, k++;
		}
		lk_score(d, a, b, pat, k, threads);
		for (size_t i = 0; i < k; i++)
			for (int c = 0; c < C_N; c++)
				cnt[c][lk_level(pat[i], c)] += 1;
	}
	/* typical values, counting as U_PRIOR_PAIRS random pairs: a small registry has too few
	 * pairs to measure the rare agreements */
	static const double u0[C_N][5] = {{0.05, 0.02, 0.05, 0.88},
	                                  {0.03, 0.02, 0.05, 0.9},
	                                  {0.2, 0.8},
	                                  {0.001, 0.001, 0.01, 0.1, 0.888},
	                                  {0.0001, 0.0001, 0.9998},
	                                  {0.0001, 0.0001, 0.9998},
	                                  {0.1, 0.9},
	                                  {0.5, 0.5},
	                                  {0.005, 0.01, 0.985},
	                                  {0.01, 0.1, 0.89},
	                                  {0.2, 0.8},
	                                  {0.2, 0.8}};
	for (int c = 0; c < C_N; c++) {
		double tot = 0;
		for (int l = 0; l < lk_cmp_levels[c]; l++)
			tot += cnt[c][l] + U_PRIOR_PAIRS * u0[c][l];
		for (int l = 0; l < lk_cmp_levels[c]; l++)
			md->u[c][l] = md->ur[c][l] = (cnt[c][l] + U_PRIOR_PAIRS * u0[c][l]) / tot;
	}
	free(a);
	free(b);
	free(pat);
}

struct pat_count {
	lk_pat pat;
	double n;
};

static int cmp_pat(const void *x, const void *y)
{
	lk_pat a = *(const lk_pat *)x, b = *(const lk_pat *)y;
	return a < b ? -1 : a > b;
}

/* The empty slot of count_patterns' table: never a pattern there (the crossed names' bit is
 * cleared). */
#define PAT_NONE (~(lk_pat)0)

static size_t pat_hash(lk_pat q, size_t cap)
{
	return (size_t)((q * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* The distinct patterns of the candidate pairs with their counts (malloc'd into *out). */
static int count_patterns(const lk_pat *pat, size_t n, struct pat_count **out, size_t *np)
{
	/* a hash table of the patterns (a few thousand distinct ones), then sorted */
	size_t cap = 1 << 16, k = 0;
	lk_pat *key = NULL;
	uint32_t *cnt = NULL;
	for (;;) {
		free(key);
		free(cnt);
		key = malloc(cap * sizeof(*key));
		cnt = calloc(cap, sizeof(*cnt));
		if (!key || !cnt) {
			free(key);
			free(cnt);
			return -1;
		}
		memset(key, 0xFF, cap * sizeof(*key));
		k = 0;
		size_t i;
		for (i = 0; i < n && k < cap / 2; i++) {
			lk_pat q = pat[i] & ~((lk_pat)1 << LK_PAT_CROSSED);
			size_t h = pat_hash(q, cap);
			while (key[h] != q && key[h] != PAT_NONE)
				h = (h + 1) & (cap - 1);
			if (key[h] != q) {
				key[h] = q;
				k++;
			}
			cnt[h]++;
		}
		if (i == n)
			break;
		cap *= 4;
	}
	lk_pat *s = malloc(k * sizeof(*s) + 1);
	struct pat_count *pc = malloc(k * sizeof(*pc) + 1);
	if (!s || !pc) {
		free(s);
		free(pc);
		free(key);
		free(cnt);
		return -1;
	}
	size_t j = 0;
	for (size_t h = 0; h < cap; h++)
		if (key[h] != PAT_NONE)
			s[j++] = key[h];
	qsort(s, k, sizeof(*s), cmp_pat);
	for (size_t i = 0; i < k; i++) {
		size_t h = pat_hash(s[i], cap);
		while (key[h] != s[i])
			h = (h + 1) & (cap - 1);
		pc[i] = (struct pat_count){s[i], cnt[h]};
	}
	free(s);
	free(key);
	free(cnt);
	*out = pc;
	*np = k;
	return 0;
}

enum { PRIOR_PAIRS = 50 };

/* One training population: the candidate pairs agreeing exactly on comparison `on` (for
 * names: on family and given name both); the m of the comparisons in `est` are estimated
 * there by EM, u staying as among random pairs. A blocked-on comparison says nothing there
 * (all agree), hence two populations, each estimating what the other cannot. */
static int em_population(const struct pat_count *pc, size_t np, int on, unsigned est,
                         double m[C_N][8], const struct lk_model *md, double *lambda)
{
	double lam = 0.1, m0[C_N][8];
	memcpy(m0, m, sizeof(m0));
	int it;
	for (it = 0; it < 200; it++) {
		double mm[C_N][8] = {{0}}, mt[C_N] = {0}, tot = 0, all = 0;
		for (size_t i = 0; i < np; i++) {
			lk_pat q = pc[i].pat;
			int in = on == C_FAMILY ? lk_level(q, C_FAMILY) == LK_NAME_EXACT &&
			                                  lk_level(q, C_GIVEN) == LK_NAME_EXACT
			                        : lk_level(q, on) == 0;
			if (!in)
				continue;
			double lm = log(lam), lu = log(1 - lam);
			for (int c = 0; c < C_N; c++) {
				int l = lk_level(q, c);
				if (l == LK_MISSING || !(est >> c & 1))
					continue;
				lm += log(m[c][l]);
				lu += log(md->ur[c][l]);
			}
			double p = 1.0 / (1.0 + exp(lu - lm)), w = p * pc[i].n;
			tot += w;
			all += pc[i].n;
			for (int c = 0; c < C_N; c++) {
				int l = lk_level(q, c);
				if (l == LK_MISSING || !(est >> c & 1))
					continue;
				mm[c][l] += w;
				mt[c] += w;
			}
		}
		if (all <= 0)
			return 0;
		double change = fabs(tot / all - lam);
		lam = tot / all;
		if (lam < 1e-6)
			lam = 1e-6;
		if (lam > 1 - 1e-6)
			lam = 1 - 1e-6;
		for (int c = 0; c < C_N; c++) {
			if (!(est >> c & 1) || mt[c] <= 0)
				continue;
			/* the starting values count as PRIOR_PAIRS pairs (a small registry keeps
			 * them; a large one overrules them), and no level is impossible: a floor
			 * bounds each weight */
			double t = 0, fl = 1e-4 * mt[c];
			for (int l = 0; l < lk_cmp_levels[c]; l++)
				t += mm[c][l] + PRIOR_PAIRS * m0[c][l] + fl;
			for (int l = 0; l < lk_cmp_levels[c]; l++) {
				double v = (mm[c][l] + PRIOR_PAIRS * m0[c][l] + fl) / t;
				if (fabs(v - m[c][l]) > change)
					change = fabs(v - m[c][l]);
				m[c][l] = v;
			}
		}
		if (change < 1e-6)
			break;
	}
	*lambda = lam;
	return it;
}

/* m by EM in two training populations (pairs agreeing on a document; pairs agreeing on a
 * phone: nearly all matches, so that EM's two classes are matches and not, say, namesakes
 * of one province), then the prior: the share of matches among all pairs of records such that
 * the candidate pairs hold, in expectation, that many matches. */
int lk_estimate_m(struct lk_model *md, const lk_pat *pat, size_t n, long records, int *iters)
{
	struct pat_count *pc;
	size_t np;
	if (count_patterns(pat, n, &pc, &np))
		return -1;
	double m1[C_N][8], m2[C_N][8], l1 = 0, l2 = 0;
	memcpy(m1, md->m, sizeof(m1));
	memcpy(m2, md->m, sizeof(m2));
	unsigned all = (1u << C_N) - 1;
	int i1 = em_population(pc, np, C_DOC, all & ~(1u << C_DOC), m1, md, &l1);
	int i2 = em_population(pc, np, C_PHONE, all & ~(1u << C_PHONE), m2, md, &l2);
	*iters = i1 + i2;
	for (int c = 0; c < C_N; c++)
		for (int l = 0; l < lk_cmp_levels[c]; l++) {
			int a = c != C_DOC && i1 > 0, b = c != C_PHONE && i2 > 0;
			md->m[c][l] = a && b ? (m1[c][l] + m2[c][l]) / 2
			              : a    ? m1[c][l]
			              : b    ? m2[c][l]
			                     : md->m[c][l];
		}
	double total = (double)records * (double)(records - 1) / 2;
	double prior = total > 0 ? (double)records / total : 0.5;
	if (prior >= 1)
		prior = 0.5;
	for (int it = 0; it < 50 && total > 0; it++) {
		double expect = 0;
		for (size_t i = 0; i < np; i++) {
			double w = log2(prior / (1 - prior));
			for (int c = 0; c < C_N; c++) {
				int l = lk_level(pc[i].pat, c);
				if (l != LK_MISSING)
					w += log2(md->m[c][l] / md->ur[c][l]);
			}
			expect += pc[i].n / (1.0 + exp2(-w));
		}
		/* at least one match among all pairs: 0 is a fixed point too, and a small
		 * registry with weak evidence would slide into it */
		double next = expect / total > 1 / total ? expect / total : 1 / total;
		if (fabs(next - prior) < prior * 1e-4) {
			prior = next;
			break;
		}
		prior = next;
	}
	md->lambda = prior > 0 && prior < 1 ? prior : 0.5;
	for (int c = 0; c < C_N; c++)
		for (int l = 0; l < lk_cmp_levels[c]; l++)
			md->u[c][l] = md->ur[c][l];
	free(pc);
	return 0;
}

/* The weight of comparison c at level l for records a and b: log2(m/u), plus, for exact
 * agreement on a name, log2(u / frequency of the name): agreeing on Nguyễn (two in five
 * records) weighs less than the average agreement, on a rare family name more. */
double lk_level_weight(const struct lk_model *md, const struct lk_data *d, const struct lk_rec *a,
                       int c, int l)
{
	if (l == LK_MISSING)
		return 0;
	double w = log2(md->m[c][l] / md->u[c][l]);
	if (l == LK_NAME_EXACT && (c == C_FAMILY || c == C_GIVEN)) {
		uint32_t id = c == C_FAMILY ? a->fam : a->giv;
		const struct lk_dict *nd = &d->names;
		/* the share of records holding the name in either place (names may be crossed) */
		long nn = d->n_fam > d->n_giv ? d->n_fam : d->n_giv;
		double f = (double)(nd->cnt_fam[id] + nd->cnt_giv[id]) / (double)(nn > 0 ? nn : 1);
		double floor = 1.0 / (double)(d->n_freq > 0 ? d->n_freq : 1);
		w += log2(md->ur[c][l] / (f > floor ? f : floor));
	} else if (l == LK_MID_EXACT && c == C_MIDDLE && d->n_mid > 0) {
		/* agreeing on Thị (three records in five that have a middle name) says less than
		 * on Xuân: the share of the records with a middle name that hold this one */
		double f = (double)d->names.cnt_mid[a->mid] / (double)d->n_mid;
		double floor = 1.0 / (double)(d->n_freq > 0 ? d->n_freq : 1);
		w += log2(md->ur[c][l] / (f > floor ? f : floor));
	}
	return w;
}

void lk_wtab_free(struct lk_wtab *t)
{
	free(t->tf[0]);
	free(t->tf[1]);
	free(t->tf[2]);
}

int lk_wtab_init(struct lk_wtab *t, const struct lk_model *md, const struct lk_data *d)
{
	memset(t, 0, sizeof(*t));
	t->prior = log2(md->lambda / (1 - md->lambda));
	for (int c = 0; c < C_N; c++)
		for (int l = 0; l < lk_cmp_levels[c]; l++)
			t->lw[c][l] = log2(md->m[c][l] / md->u[c][l]);
	size_t n = d->names.n ? d->names.n : 1;
	for (int k = 0; k < 3; k++) {
		if (!(t->tf[k] = calloc(n, sizeof(double)))) {
			lk_wtab_free(t);
			return -1;
		}
		/* LK_NAME_EXACT and LK_MID_EXACT are both level 0 */
		int c = k == 2 ? C_MIDDLE : k ? C_GIVEN : C_FAMILY;
		struct lk_rec probe;
		memset(&probe, 0, sizeof(probe));
		for (uint32_t id = 1; id < d->names.n; id++) {
			probe.fam = probe.giv = probe.mid = id;
			t->tf[k][id] = lk_level_weight(md, d, &probe, c, 0) - t->lw[c][0];
		}
	}
	return 0;
}

double lk_pair_weight(const struct lk_wtab *t, const struct lk_model *md, const struct lk_data *d,
                      const struct lk_rec *a, lk_pat pat)
{
	double w = t->prior;
	for (int c = 0; c < C_N; c++) {
		int l = lk_level(pat, c);
		if (l == LK_MISSING || !lk_counted(pat, c))
			continue;
		w += t->lw[c][l];
		if (l == LK_NAME_EXACT && c == C_FAMILY)
			w += t->tf[0][a->fam];
		else if (l == LK_NAME_EXACT && c == C_GIVEN)
			w += t->tf[1][a->giv];
		else if (l == LK_MID_EXACT && c == C_MIDDLE)
			w += t->tf[2][a->mid];
	}
	return w + lk_full_name_adjust(md, d, a, pat);
}

/* Family and given names are not chosen independently (ethnic groups have their own), so
 * when both agree exactly the frequency of the full name replaces the product of the two
 * names' frequencies: the adjustment to add to their two weights. */
double lk_full_name_adjust(const struct lk_model *md, const struct lk_data *d,
                           const struct lk_rec *a, lk_pat pat)
{
	if (lk_level(pat, C_FAMILY) != LK_NAME_EXACT || lk_level(pat, C_GIVEN) != LK_NAME_EXACT)
		return 0;
	uint32_t n = lk_name_count(d, a);
	if (!n || d->n_pair <= 0)
		return 0;
	const struct lk_dict *nd = &d->names;
	long nn = d->n_fam > d->n_giv ? d->n_fam : d->n_giv;
	double ff = (double)(nd->cnt_fam[a->fam] + nd->cnt_giv[a->fam]) / (double)nn;
	double fg = (double)(nd->cnt_fam[a->giv] + nd->cnt_giv[a->giv]) / (double)nn;
	double fp = (double)n / (double)d->n_pair;
	double floor = 1.0 / (double)(d->n_freq > 0 ? d->n_freq : 1);
	ff = ff > floor ? ff : floor;
	fg = fg > floor ? fg : floor;
	fp = fp > floor ? fp : floor;
	return log2(ff * fg / fp);
}

/* Given and middle names are given by sex: agreeing on the given name already says the
 * gender agrees, so that agreement is not counted twice. */
int lk_counted(lk_pat pat, int c)
{
	return !(c == C_GENDER && lk_level(pat, C_GIVEN) == LK_NAME_EXACT &&
	         lk_level(pat, C_GENDER) == LK_EQ_SAME);
}

double lk_prob(double w)
{
	return 1.0 / (1.0 + exp2(-w));
}

/* ---- model as JSON ---------------------------------------------------------------------- */

char *lk_model_json(const struct lk_model *md, double threshold)
{
	json_t *o = json_object(), *m = json_object(), *u = json_object(), *ur = json_object();
	for (int c = 0; c < C_N; c++) {
		json_t *am = json_array(), *au = json_array(), *ar = json_array();
		for (int l = 0; l < lk_cmp_levels[c]; l++) {
			json_array_append_new(am, json_real(md->m[c][l]));
			json_array_append_new(au, json_real(md->u[c][l]));
			json_array_append_new(ar, json_real(md->ur[c][l]));
		}
		json_object_set_new(m, lk_cmp_name[c], am);
		json_object_set_new(u, lk_cmp_name[c], au);
		json_object_set_new(ur, lk_cmp_name[c], ar);
	}
	json_object_set_new(o, "u_random", ur);
	json_object_set_new(o, "lambda", json_real(md->lambda));
	json_object_set_new(o, "threshold", json_real(threshold));
	json_object_set_new(o, "m", m);
	json_object_set_new(o, "u", u);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

int lk_model_parse(const char *s, struct lk_model *md, double *threshold)
{
	json_t *o = json_loads(s, 0, NULL);
	if (!o)
		return -1;
	int bad = 0;
	md->lambda = json_real_value(json_object_get(o, "lambda"));
	*threshold = json_real_value(json_object_get(o, "threshold"));
	for (int c = 0; c < C_N; c++) {
		json_t *am = json_object_get(json_object_get(o, "m"), lk_cmp_name[c]);
		json_t *au = json_object_get(json_object_get(o, "u"), lk_cmp_name[c]);
		json_t *ar = json_object_get(json_object_get(o, "u_random"), lk_cmp_name[c]);
		if ((c == C_ORG || c == C_COUNTRY) && !am && !au && !ar) {
			/* a model stored before the organisation (the countries of exploitation)
			 * was compared: it weighs nothing (until the next full run) */
			for (int l = 0; l < lk_cmp_levels[c]; l++)
				md->m[c][l] = md->u[c][l] = md->ur[c][l] = 0.5;
			continue;
		}
		if (json_array_size(am) != (size_t)lk_cmp_levels[c] ||
		    json_array_size(au) != (size_t)lk_cmp_levels[c] ||
		    json_array_size(ar) != (size_t)lk_cmp_levels[c]) {
			bad = 1;
			break;
		}
		for (int l = 0; l < lk_cmp_levels[c]; l++) {
			md->m[c][l] = json_real_value(json_array_get(am, (size_t)l));
			md->u[c][l] = json_real_value(json_array_get(au, (size_t)l));
			md->ur[c][l] = json_real_value(json_array_get(ar, (size_t)l));
			if (md->m[c][l] <= 0 || md->u[c][l] <= 0 || md->ur[c][l] <= 0)
				bad = 1;
		}
	}
	if (md->lambda <= 0 || md->lambda >= 1)
		bad = 1;
	json_decref(o);
	return bad ? -1 : 0;
}
