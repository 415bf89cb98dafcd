/*
 * link.c - the linkage run and its explanation (see link.h): blocking,
 * scoring on threads, EM, term-frequency adjustment, clustering, person keys.
 */
#include "link.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link_prep.h"

static const char *const cmp_name[C_N] = {"family_name", "given_name",  "middle_name", "birth_date",
                                          "document",    "phone",       "province",    "gender",
                                          "place",       "exploitation"};
static const int cmp_levels[C_N] = {LK_NAME_N, LK_NAME_N, LK_MID_N, LK_DATE_N,  LK_ID_N,
                                    LK_ID_N,   LK_EQ_N,   LK_EQ_N,  LK_PLACE_N, LK_PER_N};
static const char *const name_lv[] = {"exact", "close", "far", "different"};
static const char *const mid_lv[] = {"exact", "different"};
static const char *const date_lv[] = {"exact", "close", "partial", "within a year", "different"};
static const char *const id_lv[] = {"exact", "close", "different"};
static const char *const eq_lv[] = {"same", "different"};
static const char *const place_lv[] = {"commune", "district", "different"};
static const char *const per_lv[] = {"same start", "overlapping", "disjoint"};

static const char *level_name(int c, int l)
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
	default: return eq_lv[l];
	}
}

/* The model: m and u of each level of each comparison, and the prior share of matches. */
struct model {
	double m[C_N][8], u[C_N][8];
	double ur[C_N][8]; /* u among random pairs (u is among the candidate pairs) */
	double lambda;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- blocking ------------------------------------------------------------------------ */

/* The blocking rules: a pair is a candidate when some rule gives both records one key.
 * Names are taken unordered (family and given read either way), years by their last two
 * digits (two-digit years block with four-digit ones). */
enum {
	R_NAME_YEAR,  /* family, given and middle names, birth year */
	R_NAME_PROV,  /* family, given and middle names, province (no birth date needed) */
	R_DOC,        /* an identity-document number */
	R_PHONE,      /* a phone */
	R_GIVEN_DAY,  /* given name, day and month of birth, province (family name or year
	               * differ) */
	R_INIT_DATE,  /* family name, given name's initial, full birth date (given name typo) */
	R_INIT_YPROV, /* family name, given name's initial, middle name, birth year, province */
	R_NAME_DIST,  /* family and given names, district (full name and province is too common
	               * in a large registry) */
	R_N
};
/* A block larger than this is too common a value to say anything: it is skipped (its pairs
 * are found, if at all, by the other rules). */
enum { BLOCK_MAX = 200, MAXKEYS = 3 };

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return h;
}

static uint64_t key3(int rule, uint64_t a, uint64_t b, uint64_t c)
{
	return mix(mix(mix(mix(0x1234567ull, (uint64_t)rule), a), b), c) | 1;
}

static uint64_t initial(const struct lk_data *d, uint32_t id)
{
	return (unsigned char)d->names.str[id][0];
}

static int rule_keys_raw(const struct lk_data *d, const struct lk_rec *r, int rule,
                         uint64_t k[MAXKEYS]);

/* The distinct blocking keys of record r under rule; returns how many (0: not blocked). */
static int rule_keys(const struct lk_data *d, const struct lk_rec *r, int rule, uint64_t k[MAXKEYS])
{
	int n = rule_keys_raw(d, r, rule, k), m = 0;
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (int j = 0; j < m && !dup; j++)
			dup = k[j] == k[i];
		if (!dup)
			k[m++] = k[i];
	}
	return m;
}

static int rule_keys_raw(const struct lk_data *d, const struct lk_rec *r, int rule,
                         uint64_t k[MAXKEYS])
{
	uint64_t by = (uint64_t)(r->bd.y % 100), lo = r->fam < r->giv ? r->fam : r->giv,
	         hi = r->fam < r->giv ? r->giv : r->fam;
	int full = r->bd.y && r->bd.m && r->bd.d;
	switch (rule) {
	case R_NAME_YEAR:
		if (!r->fam || !r->giv || !r->bd.y)
			return 0;
		k[0] = key3(rule, lo, hi, by << 32 | r->mid);
		return 1;
	case R_NAME_PROV:
		if (!r->fam || !r->giv || !r->prov)
			return 0;
		k[0] = key3(rule, lo, hi, (uint64_t)r->prov << 32 | r->mid);
		return 1;
	case R_DOC:
		for (int i = 0; i < r->ndoc; i++) {
			uint64_t h = 0;
			for (int j = 0; j < r->doc[i].len; j++)
				h = mix(h, (unsigned char)r->doc[i].s[j]);
			k[i] = key3(rule, h, 0, 0);
		}
		return r->ndoc;
	case R_PHONE:
		for (int i = 0; i < r->nph; i++)
			k[i] = key3(rule, r->ph[i], 0, 0);
		return r->nph;
	case R_GIVEN_DAY:
		if (!r->giv || !full)
			return 0;
		k[0] = key3(rule, r->giv, (uint64_t)r->bd.m << 8 | (uint64_t)r->bd.d, r->prov);
		return 1;
	case R_INIT_DATE: /* both ways round */
		if (!r->fam || !r->giv || !full)
			return 0;
		k[0] = key3(rule, r->fam, initial(d, r->giv),
		            by * 10000u + (uint64_t)r->bd.m * 100u + (uint64_t)r->bd.d);
		k[1] = key3(rule, r->giv, initial(d, r->fam),
		            by * 10000u + (uint64_t)r->bd.m * 100u + (uint64_t)r->bd.d);
		return 2;
	case R_INIT_YPROV:
		if (!r->fam || !r->giv || !r->bd.y || !r->prov)
			return 0;
		k[0] = key3(rule, r->fam, initial(d, r->giv) << 32 | r->mid, by * 1000u + r->prov);
		k[1] = key3(rule, r->giv, initial(d, r->fam) << 32 | r->mid, by * 1000u + r->prov);
		return 2;
	case R_NAME_DIST:
		if (!r->fam || !r->giv || !r->district)
			return 0;
		k[0] = key3(rule, lo, hi, r->district);
		return 1;
	default: return 0;
	}
}

/* The keys of the blocks a rule skipped as too large, in order. */
struct skipped {
	uint64_t *k;
	size_t n, cap;
};

static int skipped_has(const struct skipped *sk, uint64_t key)
{
	size_t lo = 0, hi = sk->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sk->k[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sk->n && sk->k[lo] == key;
}

/* The smallest key of a block of rule holding both a and b that the rule did not skip (the
 * pair is formed there), or 0 when none. */
static uint64_t shared_block(const struct lk_data *d, const struct lk_rec *a,
                             const struct lk_rec *b, int rule, const struct skipped *sk)
{
	uint64_t ka[MAXKEYS], kb[MAXKEYS], best = 0;
	int na = rule_keys(d, a, rule, ka), nb = rule_keys(d, b, rule, kb);
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (ka[i] == kb[j] && (!best || ka[i] < best) && !skipped_has(sk, ka[i]))
				best = ka[i];
	return best;
}

struct entry {
	uint64_t key;
	uint32_t rec;
};

/* LSD radix sort of entries by key, 16 bits a pass. */
static int sort_entries(struct entry **v, size_t n)
{
	struct entry *tmp = malloc(n * sizeof(*tmp) + 1), *a = *v, *b = tmp;
	size_t *cnt = malloc(65536 * sizeof(*cnt));
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		return -1;
	}
	for (int pass = 0; pass < 4; pass++) {
		int sh = pass * 16;
		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(a[i].key >> sh) & 0xFFFF]++;
		size_t sum = 0;
		for (size_t i = 0; i < 65536; i++) {
			size_t c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[cnt[(a[i].key >> sh) & 0xFFFF]++] = a[i];
		struct entry *t = a;
		a = b;
		b = t;
	}
	/* four passes: the sorted data is back in the original array */
	free(cnt);
	free(b == *v ? tmp : b);
	*v = a;
	return 0;
}

struct pairs {
	uint32_t *a, *b, *pat;
	size_t n, cap;
};

static int pairs_push(struct pairs *p, uint32_t a, uint32_t b)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1 << 16;
		uint32_t *na = realloc(p->a, cap * sizeof(*na));
		if (na)
			p->a = na;
		uint32_t *nb = realloc(p->b, cap * sizeof(*nb));
		if (nb)
			p->b = nb;
		if (!na || !nb)
			return -1;
		p->cap = cap;
	}
	p->a[p->n] = a < b ? a : b;
	p->b[p->n] = a < b ? b : a;
	p->n++;
	return 0;
}

static void pairs_free(struct pairs *p)
{
	free(p->a);
	free(p->b);
	free(p->pat);
	memset(p, 0, sizeof(*p));
}

/* The keys of a rule held by the new records of an incremental run: open addressing. */
struct keyset {
	uint64_t *k;
	size_t mask;
};

static int keyset_fill(struct keyset *ks, const struct lk_data *d, const unsigned char *isnew,
                       long nnew, int rule)
{
	size_t cap = 64;
	while (cap < (size_t)nnew * MAXKEYS * 2)
		cap *= 2;
	free(ks->k);
	if (!(ks->k = calloc(cap, sizeof(*ks->k))))
		return -1;
	ks->mask = cap - 1;
	for (long i = 0; i < d->n; i++) {
		if (!isnew[i])
			continue;
		uint64_t k[MAXKEYS];
		int nk = rule_keys(d, &d->r[i], rule, k);
		for (int j = 0; j < nk; j++) {
			size_t h = (size_t)(k[j] * 0x9E3779B97F4A7C15ull) & ks->mask;
			while (ks->k[h] && ks->k[h] != k[j])
				h = (h + 1) & ks->mask;
			ks->k[h] = k[j]; /* keys are odd: never 0 */
		}
	}
	return 0;
}

static int keyset_has(const struct keyset *ks, uint64_t key)
{
	size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull) & ks->mask;
	while (ks->k[h] && ks->k[h] != key)
		h = (h + 1) & ks->mask;
	return ks->k[h] == key;
}

/* Candidate pairs: the union of the rules' blocks, each pair once (a pair is kept by the
 * first rule that blocks it). With isnew (an incremental run), only the pairs holding a new
 * record: only the blocks holding one are gathered, whole, so that a block is skipped as too
 * large exactly when a full run would skip it. */
static int block(const struct lk_data *d, const unsigned char *isnew, long nnew, struct pairs *out,
                 ctip_err *e)
{
	struct entry *v = malloc((size_t)d->n * MAXKEYS * sizeof(*v) + 1);
	struct skipped sk[R_N];
	struct keyset ks = {0};
	memset(sk, 0, sizeof(sk));
	int rc = CTIP_OK;
	if (!v)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int rule = 0; rule < R_N; rule++) {
		size_t n = 0;
		if (isnew && keyset_fill(&ks, d, isnew, nnew, rule)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		for (long i = 0; i < d->n; i++) {
			uint64_t k[MAXKEYS];
			int nk = rule_keys(d, &d->r[i], rule, k);
			for (int j = 0; j < nk; j++)
				if (!isnew || keyset_has(&ks, k[j]))
					v[n++] = (struct entry){k[j], (uint32_t)i};
		}
		if (sort_entries(&v, n)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			while (j < n && v[j].key == v[i].key)
				j++;
			if (j - i > BLOCK_MAX) {
				struct skipped *q = &sk[rule];
				if (q->n == q->cap) {
					size_t cap = q->cap ? q->cap * 2 : 64;
					uint64_t *k = realloc(q->k, cap * sizeof(*k));
					if (!k) {
						rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
						goto done;
					}
					q->k = k;
					q->cap = cap;
				}
				q->k[q->n++] = v[i].key;
				i = j;
				continue;
			}
			for (size_t x = i; x < j; x++)
				for (size_t y = x + 1; y < j; y++) {
					const struct lk_rec *a = &d->r[v[x].rec],
					                    *b = &d->r[v[y].rec];
					if (v[x].rec == v[y].rec ||
					    (isnew && !isnew[v[x].rec] && !isnew[v[y].rec]))
						continue;
					/* formed by an earlier rule, or in another block of this
					 * one */
					int seen = 0;
					for (int r0 = 0; r0 < rule && !seen; r0++)
						seen = shared_block(d, a, b, r0, &sk[r0]) != 0;
					if (!seen && (rule == R_DOC || rule == R_PHONE ||
					              rule == R_INIT_DATE || rule == R_INIT_YPROV))
						seen = shared_block(d, a, b, rule, &sk[rule]) !=
						       v[i].key;
					if (!seen && pairs_push(out, v[x].rec, v[y].rec)) {
						rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
						goto done;
					}
				}
			i = j;
		}
		if (getenv("CTIP_LINK_DEBUG"))
			fprintf(stderr, "rule %d: %zu keys, %zu blocks skipped, %zu pairs so far\n",
			        rule, n, sk[rule].n, out->n);
	}
done:
	for (int r = 0; r < R_N; r++)
		free(sk[r].k);
	free(ks.k);
	free(v);
	return rc;
}

/* ---- scoring on threads ----------------------------------------------------------------- */

struct score_job {
	const struct lk_data *d;
	const uint32_t *a, *b;
	uint32_t *pat;
	size_t from, to;
};

static void *score_thread(void *arg)
{
	struct score_job *j = arg;
	for (size_t i = j->from; i < j->to; i++)
		j->pat[i] = lk_compare(j->d, &j->d->r[j->a[i]], &j->d->r[j->b[i]]);
	return NULL;
}

static int score(const struct lk_data *d, const uint32_t *a, const uint32_t *b, uint32_t *pat,
                 size_t n, int threads)
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

static void model_init_m(struct model *md)
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
	                                  {0.6, 0.3, 0.1}};
	for (int c = 0; c < C_N; c++)
		for (int l = 0; l < cmp_levels[c]; l++)
			md->m[c][l] = m0[c][l];
	md->lambda = 0.3;
}

enum { U_PRIOR_PAIRS = 1000 };

/* u from random pairs: how often records of different persons agree, level by level. */
static void estimate_u(const struct lk_data *d, struct model *md, int threads)
{
	size_t n = d->n < 2 ? 0 : (size_t)(d->n * 4 < 400000 ? d->n * 4 : 400000);
	uint32_t *a = malloc(n * sizeof(*a) + 1), *b = malloc(n * sizeof(*b) + 1),
	         *pat = malloc(n * sizeof(*pat) + 1);
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
		score(d, a, b, pat, k, threads);
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
	                                  {0.01, 0.1, 0.89}};
	for (int c = 0; c < C_N; c++) {
		double tot = 0;
		for (int l = 0; l < cmp_levels[c]; l++)
			tot += cnt[c][l] + U_PRIOR_PAIRS * u0[c][l];
		for (int l = 0; l < cmp_levels[c]; l++)
			md->u[c][l] = md->ur[c][l] = (cnt[c][l] + U_PRIOR_PAIRS * u0[c][l]) / tot;
	}
	free(a);
	free(b);
	free(pat);
}

struct pat_count {
	uint32_t pat;
	double n;
};

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* The distinct patterns of the candidate pairs with their counts (malloc'd into *out). */
static int count_patterns(const uint32_t *pat, size_t n, struct pat_count **out, size_t *np)
{
	/* a hash table of the patterns (a few thousand distinct ones), then sorted */
	size_t cap = 1 << 16, k = 0;
	uint32_t *key = NULL, *cnt = NULL;
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
			uint32_t q = pat[i] & 0x7FFFFFFFu;
			size_t h = (size_t)((q * 2654435761u) & (cap - 1));
			while (key[h] != q && key[h] != 0xFFFFFFFFu)
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
	uint32_t *s = malloc(k * sizeof(*s) + 1);
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
		if (key[h] != 0xFFFFFFFFu)
			s[j++] = key[h];
	qsort(s, k, sizeof(*s), cmp_u32);
	for (size_t i = 0; i < k; i++) {
		size_t h = (size_t)((s[i] * 2654435761u) & (cap - 1));
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
                         double m[C_N][8], const struct model *md, double *lambda)
{
	double lam = 0.1, m0[C_N][8];
	memcpy(m0, m, sizeof(m0));
	int it;
	for (it = 0; it < 200; it++) {
		double mm[C_N][8] = {{0}}, mt[C_N] = {0}, tot = 0, all = 0;
		for (size_t i = 0; i < np; i++) {
			uint32_t q = pc[i].pat;
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
			for (int l = 0; l < cmp_levels[c]; l++)
				t += mm[c][l] + PRIOR_PAIRS * m0[c][l] + fl;
			for (int l = 0; l < cmp_levels[c]; l++) {
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
static int estimate_m(struct model *md, const uint32_t *pat, size_t n, long records, int *iters)
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
		for (int l = 0; l < cmp_levels[c]; l++) {
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
		for (int l = 0; l < cmp_levels[c]; l++)
			md->u[c][l] = md->ur[c][l];
	free(pc);
	return 0;
}

/* The weight of comparison c at level l for records a and b: log2(m/u), plus, for exact
 * agreement on a name, log2(u / frequency of the name): agreeing on Nguyễn (two in five
 * records) weighs less than the average agreement, on a rare family name more. */
static double level_weight(const struct model *md, const struct lk_data *d, const struct lk_rec *a,
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
		double floor = 1.0 / (double)(d->n > 0 ? d->n : 1);
		w += log2(md->ur[c][l] / (f > floor ? f : floor));
	}
	return w;
}

static int counted(uint32_t pat, int c);
static double full_name_adjust(const struct model *md, const struct lk_data *d,
                               const struct lk_rec *a, uint32_t pat);

/* The weights of a run, computed once: each level's log2(m/u), and for exact agreement on
 * each name (by dictionary id) its frequency adjustment. */
struct wtab {
	double prior, lw[C_N][8];
	double *tf[2]; /* family, given: log2(u / frequency) by name id */
};

static void wtab_free(struct wtab *t)
{
	free(t->tf[0]);
	free(t->tf[1]);
}

static int wtab_init(struct wtab *t, const struct model *md, const struct lk_data *d)
{
	memset(t, 0, sizeof(*t));
	t->prior = log2(md->lambda / (1 - md->lambda));
	for (int c = 0; c < C_N; c++)
		for (int l = 0; l < cmp_levels[c]; l++)
			t->lw[c][l] = log2(md->m[c][l] / md->u[c][l]);
	size_t n = d->names.n ? d->names.n : 1;
	for (int k = 0; k < 2; k++) {
		if (!(t->tf[k] = calloc(n, sizeof(double)))) {
			wtab_free(t);
			return -1;
		}
		int c = k ? C_GIVEN : C_FAMILY;
		struct lk_rec probe;
		memset(&probe, 0, sizeof(probe));
		for (uint32_t id = 1; id < d->names.n; id++) {
			probe.fam = probe.giv = id;
			t->tf[k][id] = level_weight(md, d, &probe, c, LK_NAME_EXACT) - t->lw[c][0];
		}
	}
	return 0;
}

static double pair_weight_fast(const struct wtab *t, const struct model *md,
                               const struct lk_data *d, const struct lk_rec *a, uint32_t pat)
{
	double w = t->prior;
	for (int c = 0; c < C_N; c++) {
		int l = lk_level(pat, c);
		if (l == LK_MISSING || !counted(pat, c))
			continue;
		w += t->lw[c][l];
		if (l == LK_NAME_EXACT && c == C_FAMILY)
			w += t->tf[0][a->fam];
		else if (l == LK_NAME_EXACT && c == C_GIVEN)
			w += t->tf[1][a->giv];
	}
	return w + full_name_adjust(md, d, a, pat);
}

/* Family and given names are not chosen independently (ethnic groups have their own), so
 * when both agree exactly the frequency of the full name replaces the product of the two
 * names' frequencies: the adjustment to add to their two weights. */
static double full_name_adjust(const struct model *md, const struct lk_data *d,
                               const struct lk_rec *a, uint32_t pat)
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
	double floor = 1.0 / (double)(d->n > 0 ? d->n : 1);
	ff = ff > floor ? ff : floor;
	fg = fg > floor ? fg : floor;
	fp = fp > floor ? fp : floor;
	return log2(ff * fg / fp);
}

/* Given and middle names are given by sex: agreeing on the given name already says the
 * gender agrees, so that agreement is not counted twice. */
static int counted(uint32_t pat, int c)
{
	return !(c == C_GENDER && lk_level(pat, C_GIVEN) == LK_NAME_EXACT &&
	         lk_level(pat, C_GENDER) == LK_EQ_SAME);
}

static double prob_of(double w)
{
	return 1.0 / (1.0 + exp2(-w));
}

/* ---- model as JSON ---------------------------------------------------------------------- */

static char *model_json(const struct model *md, double threshold)
{
	json_t *o = json_object(), *m = json_object(), *u = json_object(), *ur = json_object();
	for (int c = 0; c < C_N; c++) {
		json_t *am = json_array(), *au = json_array(), *ar = json_array();
		for (int l = 0; l < cmp_levels[c]; l++) {
			json_array_append_new(am, json_real(md->m[c][l]));
			json_array_append_new(au, json_real(md->u[c][l]));
			json_array_append_new(ar, json_real(md->ur[c][l]));
		}
		json_object_set_new(m, cmp_name[c], am);
		json_object_set_new(u, cmp_name[c], au);
		json_object_set_new(ur, cmp_name[c], ar);
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

static int model_parse(const char *s, struct model *md, double *threshold)
{
	json_t *o = json_loads(s, 0, NULL);
	if (!o)
		return -1;
	int bad = 0;
	md->lambda = json_real_value(json_object_get(o, "lambda"));
	*threshold = json_real_value(json_object_get(o, "threshold"));
	for (int c = 0; c < C_N; c++) {
		json_t *am = json_object_get(json_object_get(o, "m"), cmp_name[c]);
		json_t *au = json_object_get(json_object_get(o, "u"), cmp_name[c]);
		json_t *ar = json_object_get(json_object_get(o, "u_random"), cmp_name[c]);
		if (json_array_size(am) != (size_t)cmp_levels[c] ||
		    json_array_size(au) != (size_t)cmp_levels[c] ||
		    json_array_size(ar) != (size_t)cmp_levels[c]) {
			bad = 1;
			break;
		}
		for (int l = 0; l < cmp_levels[c]; l++) {
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

/* ---- clustering ------------------------------------------------------------------------- */

static uint32_t find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static const float *sort_w;
static int cmp_weight_desc(const void *x, const void *y)
{
	float a = sort_w[*(const uint32_t *)x], b = sort_w[*(const uint32_t *)y];
	return a > b ? -1 : a < b;
}

/* Union-find over record indices, with the reviewers' "different" decisions as pairs that
 * must never end in one cluster: each root keeps a list of the records its members were
 * decided different from (dx/dy/dsame: the decisions, as record indices). */
struct uf {
	uint32_t *parent, *size, *first;
	const struct lk_data *d;
	uint32_t *dx, *dy;
	unsigned char *dsame;
	size_t nd;
	/* cannot-link lists: per entry, the other record and the next entry (-1 ends) */
	size_t ncl;
	int32_t *cl_head, *cl_next;
	uint32_t *cl_other;
};

static int rec_before(const struct lk_data *d, uint32_t a, uint32_t b);

static void uf_free(struct uf *u)
{
	free(u->dx);
	free(u->dy);
	free(u->dsame);
	free(u->cl_head);
	free(u->cl_next);
	free(u->cl_other);
}

/* Joins the clusters of records x and y: 1 joined, 2 already one, 0 refused (a decision
 * says they differ, or the cluster would pass max records when max > 0). */
static int uf_join(struct uf *u, uint32_t x, uint32_t y, long max)
{
	uint32_t ra = find(u->parent, x), rb = find(u->parent, y);
	if (ra == rb)
		return 2;
	if (max > 0 && (long)(u->size[ra] + u->size[rb]) > max)
		return 0;
	if (u->cl_head)
		for (int32_t k = u->cl_head[ra]; k >= 0; k = u->cl_next[k])
			if (find(u->parent, u->cl_other[k]) == rb)
				return 0;
	if (u->size[ra] < u->size[rb]) {
		uint32_t t = ra;
		ra = rb;
		rb = t;
	}
	u->parent[rb] = ra;
	u->size[ra] += u->size[rb];
	if (rec_before(u->d, u->first[rb], u->first[ra]))
		u->first[ra] = u->first[rb];
	if (u->cl_head && u->cl_head[rb] >= 0) { /* rb's list goes in front of ra's */
		int32_t k = u->cl_head[rb];
		while (u->cl_next[k] >= 0)
			k = u->cl_next[k];
		u->cl_next[k] = u->cl_head[ra];
		u->cl_head[ra] = u->cl_head[rb];
		u->cl_head[rb] = -1;
	}
	return 1;
}

static long rec_index(const struct lk_data *d, int64_t id)
{
	long lo = 0, hi = d->n;
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (d->r[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && d->r[lo].id == id ? lo : -1;
}

struct dec_load {
	struct uf *u;
	size_t cap;
	int oom;
};

static int dec_add(void *ctx, int64_t a, int64_t b, int same)
{
	struct dec_load *dl = ctx;
	struct uf *u = dl->u;
	long x = rec_index(u->d, a), y = rec_index(u->d, b);
	if (x < 0 || y < 0)
		return 0;
	if (u->nd == dl->cap) {
		size_t cap = dl->cap ? dl->cap * 2 : 64;
		uint32_t *nx = realloc(u->dx, cap * sizeof(*nx));
		if (nx)
			u->dx = nx;
		uint32_t *ny = realloc(u->dy, cap * sizeof(*ny));
		if (ny)
			u->dy = ny;
		unsigned char *ns = realloc(u->dsame, cap);
		if (ns)
			u->dsame = ns;
		if (!nx || !ny || !ns) {
			dl->oom = 1;
			return CTIP_ENOMEM;
		}
		dl->cap = cap;
	}
	u->dx[u->nd] = (uint32_t)x;
	u->dy[u->nd] = (uint32_t)y;
	u->dsame[u->nd++] = (unsigned char)(same != 0);
	if (!same)
		u->ncl += 2;
	return 0;
}

/* Loads the reviewers' decisions into u (its records and parent set up). */
static int decisions_load(ctip_store *s, struct uf *u, ctip_err *e)
{
	struct dec_load dl = {u, 0, 0};
	int rc = s->ops->link_decisions(s, dec_add, &dl, e);
	if (dl.oom)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (rc || !u->ncl)
		return rc;
	size_t n = (size_t)u->d->n;
	u->cl_head = malloc(n * sizeof(*u->cl_head));
	u->cl_next = malloc(u->ncl * sizeof(*u->cl_next));
	u->cl_other = malloc(u->ncl * sizeof(*u->cl_other));
	if (!u->cl_head || !u->cl_next || !u->cl_other)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		u->cl_head[i] = -1;
	int32_t k = 0;
	for (size_t i = 0; i < u->nd; i++) {
		if (u->dsame[i])
			continue;
		uint32_t x = u->dx[i], y = u->dy[i];
		u->cl_other[k] = y;
		u->cl_next[k] = u->cl_head[x];
		u->cl_head[x] = k++;
		u->cl_other[k] = x;
		u->cl_next[k] = u->cl_head[y];
		u->cl_head[y] = k++;
	}
	return CTIP_OK;
}

/* Whether record a comes before record b by (organisation, record id). */
static int rec_before(const struct lk_data *d, uint32_t a, uint32_t b)
{
	int c = strcmp(d->orgs.str[d->r[a].org], d->orgs.str[d->r[b].org]);
	return c ? c < 0 : strcmp(d->r[a].src, d->r[b].src) < 0;
}

/* The person key of a cluster: from its first record by (organisation, record id), so it
 * stays while that record stays in the cluster. salt > 0 gives another key from the same
 * record (an incremental run's new cluster whose first record once began a cluster that
 * keeps its key). */
static void person_key(const struct lk_data *d, uint32_t rec, int salt, char out[24])
{
	uint64_t h = 14695981039346656037ull;
	const char *parts[2] = {d->orgs.str[d->r[rec].org], d->r[rec].src};
	for (int i = 0; i < 2; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0x1F) * 1099511628211ull;
	}
	if (salt)
		h = (h ^ (uint64_t)salt) * 1099511628211ull;
	snprintf(out, 24, "L%016llx", (unsigned long long)h);
}

/* ---- incremental runs ------------------------------------------------------------------- */

/* What an incremental run takes from the last one: each record's person key ("" when the
 * record is new) and whether the run links it (new, changed since, or parted from its
 * cluster by a reviewer's later "different"). */
struct prev {
	const struct lk_data *d;
	char (*key)[24];
	unsigned char *isnew;
	long nnew;
};

static int prev_key(void *ctx, int64_t id, const char *key)
{
	struct prev *p = ctx;
	long i = rec_index(p->d, id);
	if (i >= 0 && key)
		snprintf(p->key[i], 24, "%s", key);
	return 0;
}

static int prev_changed(void *ctx, int64_t id)
{
	struct prev *p = ctx;
	long i = rec_index(p->d, id);
	if (i >= 0)
		p->isnew[i] = 1;
	return 0;
}

static uint64_t key_hash(const char *k)
{
	uint64_t h = 14695981039346656037ull;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	return h;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static int u64_has(const uint64_t *v, size_t n, uint64_t k)
{
	return n && bsearch(&k, v, n, sizeof(*v), cmp_u64) != NULL;
}

/* Reads the last run's clusters into u (the decisions loaded): the records of one stored
 * person key are joined, whatever the cluster's size; the records to link are marked. */
static int prev_load(ctip_store *s, struct prev *p, struct uf *u, ctip_err *e)
{
	size_t n = (size_t)p->d->n;
	p->key = calloc(n + 1, sizeof(*p->key));
	p->isnew = calloc(n + 1, 1);
	if (!p->key || !p->isnew)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	int rc = s->ops->link_keys(s, prev_key, p, e);
	if (!rc)
		rc = s->ops->link_changed(s, prev_changed, p, e);
	if (rc)
		return rc;
	/* a "different" decided since within one stored cluster: both records are relinked,
	 * and the decision keeps them apart */
	for (size_t k = 0; k < u->nd; k++) {
		uint32_t x = u->dx[k], y = u->dy[k];
		if (!u->dsame[k] && p->key[x][0] && !strcmp(p->key[x], p->key[y]))
			p->isnew[x] = p->isnew[y] = 1;
	}
	struct entry *v = malloc(n * sizeof(*v) + 1);
	if (!v)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p->key[i][0])
			p->isnew[i] = 1;
		if (p->isnew[i])
			p->nnew++;
		else
			v[m++] = (struct entry){key_hash(p->key[i]), (uint32_t)i};
	}
	if (sort_entries(&v, m)) {
		free(v);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (size_t i = 1; i < m; i++)
		if (v[i].key == v[i - 1].key)
			uf_join(u, v[i - 1].rec, v[i].rec, 0);
	free(v);
	return CTIP_OK;
}

static void prev_free(struct prev *p)
{
	free(p->key);
	free(p->isnew);
}

/* The person keys of an incremental run's clusters (keys: 24 bytes by root): a cluster
 * holding records of stored clusters keeps the key of the one with the first record; a
 * cluster of new records only gets its first record's key, unless a kept key has it. */
static int prev_keys(const struct lk_data *d, const struct prev *p, uint32_t *parent,
                     const uint32_t *first, char *keys)
{
	size_t n = (size_t)d->n, nused = 0;
	uint32_t *kf = malloc(n * sizeof(*kf) + 1);
	uint64_t *used = malloc(n * sizeof(*used) + 1);
	if (!kf || !used) {
		free(kf);
		free(used);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		kf[i] = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		if (p->isnew[i] || !p->key[i][0])
			continue;
		uint32_t r = find(parent, (uint32_t)i);
		if (kf[r] == UINT32_MAX || rec_before(d, (uint32_t)i, kf[r]))
			kf[r] = (uint32_t)i;
	}
	for (size_t i = 0; i < n; i++)
		if (find(parent, (uint32_t)i) == i && kf[i] != UINT32_MAX) {
			memcpy(keys + i * 24, p->key[kf[i]], 24);
			used[nused++] = key_hash(p->key[kf[i]]);
		}
	qsort(used, nused, sizeof(*used), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (find(parent, (uint32_t)i) == i && kf[i] == UINT32_MAX) {
			int salt = 0;
			do
				person_key(d, first[i], salt++, keys + i * 24);
			while (u64_has(used, nused, key_hash(keys + i * 24)));
		}
	free(kf);
	free(used);
	return 0;
}

/* The records an incremental run stores (new key or changed) and those whose stored pairs'
 * "linked" may change: every member of a cluster holding a changed record, and every record
 * of a stored cluster that lost one. */
static int prev_changes(const struct lk_data *d, const struct prev *p, uint32_t *parent,
                        const char *const *keyp, int64_t *ids, const char **kout, long *nout,
                        int64_t **touched, long *ntouched)
{
	size_t n = (size_t)d->n, nk = 0;
	unsigned char *rt = calloc(n + 1, 1);
	uint64_t *lost = malloc(n * sizeof(*lost) + 1);
	int64_t *t = malloc(n * sizeof(*t) + 1);
	if (!rt || !lost || !t) {
		free(rt);
		free(lost);
		free(t);
		return -1;
	}
	long m = 0, mt = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p->isnew[i] && !strcmp(keyp[i], p->key[i]))
			continue;
		ids[m] = d->r[i].id;
		kout[m++] = keyp[i];
		rt[find(parent, (uint32_t)i)] = 1;
		if (p->key[i][0])
			lost[nk++] = key_hash(p->key[i]);
	}
	qsort(lost, nk, sizeof(*lost), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (rt[find(parent, (uint32_t)i)] ||
		    (p->key[i][0] && u64_has(lost, nk, key_hash(p->key[i]))))
			t[mt++] = d->r[i].id;
	free(rt);
	free(lost);
	*nout = m;
	*touched = t;
	*ntouched = mt;
	return 0;
}

/* ---- the run ---------------------------------------------------------------------------- */

/* The model of the last run; -1 when there was none. */
static int last_model(ctip_store *s, struct model *md, double *threshold, ctip_err *e)
{
	char *params = NULL;
	int rc = s->ops->link_params(s, &params, e);
	if (rc == CTIP_ENOTFOUND)
		return -1;
	if (rc)
		return rc;
	int bad = model_parse(params, md, threshold);
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
	struct pairs P = {0};
	struct model md;
	memset(&md, 0, sizeof(md));
	struct prev pv = {0};
	struct uf u = {0};
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
	u = (struct uf){.parent = parent, .size = size, .first = first, .d = &d};
	if ((rc = decisions_load(s, &u, e)))
		goto done;
	if (incr) {
		pv.d = &d;
		if ((rc = prev_load(s, &pv, &u, e)))
			goto done;
		st->incremental = 1;
		st->new_records = pv.nnew;
	}
	double t1 = now();
	st->t_read = t1 - t0;
	if ((rc = block(&d, incr ? pv.isnew : NULL, pv.nnew, &P, e)))
		goto done;
	st->pairs = (long)P.n;
	double t2 = now();
	st->t_block = t2 - t1;
	if (!(P.pat = malloc(P.n * sizeof(*P.pat) + 1))) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	score(&d, P.a, P.b, P.pat, P.n, threads);
	double t3 = now();
	st->t_score = t3 - t2;
	if (!have_model) {
		model_init_m(&md);
		estimate_u(&d, &md, threads);
		if (estimate_m(&md, P.pat, P.n, d.n, &st->em_iterations)) {
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
	struct wtab wt;
	if (wtab_init(&wt, &md, &d)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < P.n; i++) {
		w[i] = (float)pair_weight_fast(&wt, &md, &d, &d.r[P.a[i]], P.pat[i]);
		if (w[i] >= wthr)
			order[nl++] = (uint32_t)i;
		if (prob_of(w[i]) >= 0.05)
			nout++;
	}
	wtab_free(&wt);
	sort_w = w;
	qsort(order, nl, sizeof(*order), cmp_weight_desc);
	/* reviewers' decisions first: "same" links whatever the score or the cluster's size */
	for (size_t k = 0; k < u.nd; k++)
		if (u.dsame[k]) {
			int r = uf_join(&u, u.dx[k], u.dy[k], 0);
			if (r == 1)
				st->decided++;
			else if (r == 0)
				st->refused++;
		}
	for (size_t k = 0; k < nl; k++) {
		uint32_t i = order[k];
		int r = uf_join(&u, P.a[i], P.b[i], max_cluster);
		if (r == 1)
			st->links++;
		else if (r == 0)
			st->refused++;
	}
	for (size_t i = 0; i < P.n; i++)
		linked[i] = find(parent, P.a[i]) == find(parent, P.b[i]);
	keys = malloc(n * 24 + 1);
	keyp = malloc(n * sizeof(*keyp) + 1);
	ids = malloc(n * sizeof(*ids) + 1);
	out = malloc(nout * sizeof(*out) + 1);
	if (!keys || !keyp || !ids || !out) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if (find(parent, (uint32_t)i) == i) {
			if (!incr)
				person_key(&d, first[i], 0, keys + i * 24);
			st->persons++;
		}
	if (incr && prev_keys(&d, &pv, parent, first, keys)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		keyp[i] = keys + (size_t)find(parent, (uint32_t)i) * 24;
		ids[i] = d.r[i].id;
	}
	nout = 0;
	for (size_t i = 0; i < P.n; i++) {
		double p = prob_of(w[i]);
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
		    prev_changes(&d, &pv, parent, keyp, ids, kout, &nchanged, &touched,
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
	if (!(params = model_json(&md, threshold))) {
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
	uf_free(&u);
	prev_free(&pv);
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
	pairs_free(&P);
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
	struct model md;
	int rc = s->ops->link_params(s, &params, e);
	if (rc)
		return rc;
	int bad = model_parse(params, &md, &x->threshold);
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
		x->name[c] = cmp_name[c];
		x->level[c] = level_name(c, l);
		x->weight[c] = counted(pat, c) ? level_weight(&md, &d, ra, c, l) : 0;
		x->total += x->weight[c];
	}
	x->full_name = full_name_adjust(&md, &d, ra, pat);
	x->total += x->full_name;
	x->probability = prob_of(x->total);
	lk_data_free(&d);
	struct key_find kf = {a, b, x->key_a, x->key_b, -1};
	if ((rc = s->ops->link_persons(s, find_keys, &kf, e)) ||
	    (rc = s->ops->link_decisions(s, find_decision, &kf, e)))
		return rc;
	x->decision = kf.decision;
	x->linked = x->key_a[0] && !strcmp(x->key_a, x->key_b);
	return CTIP_OK;
}
