/*
 * release_synth.c - synthetic records from protected aggregates (release_synth.h).
 *
 * Counting: one hash table per combination of attributes (a mask; 255 of them for nine
 * attributes and length 4), keys packing the values' codes 16 bits each in the order of the
 * attributes. The masks are shared between two threads.
 *
 * Protection. k mode: a count under k is withheld, the others rounded down to a multiple of k.
 * dp mode: a person adds at most C(9, l) combinations of length l, so each length gets
 * epsilon / length and delta / length, each count two-sided geometric noise of scale
 * C(9, l) / (epsilon / length), and a count is published only above the threshold tau_l at
 * which a combination held by one person appears with probability under delta / length.
 *
 * Synthesis. The attributes are drawn in their order; attribute j given the last (length - 1)
 * values drawn (its prefix): a published combination prefix + value with probability in
 * proportion to its count, or blank with the weight of the prefix's records that have no
 * published value for j. Then every combination of up to `length` of the record's values is
 * looked up; for one that is not published, its last attribute is left blank, and the check
 * runs again. So no synthetic record holds a combination absent from the protected aggregates.
 * Each record has its own generator (seed and record number): the output is the same with one
 * thread or two.
 */
#include "release_synth.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "release_agg.h"
#include "release_eval.h"
#include "release_int.h"
#include "progress.h"

#define NA    CTIP_RG_N
#define NMASK (1 << NA)

struct tab {
	uint64_t *key;
	uint32_t *cnt;
	uint32_t cap, n;
};

/* The sampling index of one mask: its published combinations grouped by prefix. */
struct idx {
	uint64_t *pkey; /* open addressing: prefix key -> group */
	uint32_t *grp;  /* group + 1; 0 empty */
	uint32_t pcap;
	uint32_t *start, *len; /* per group: range in val/cum */
	uint16_t *val;
	uint64_t *cum; /* cumulative counts within the group */
	uint32_t ngrp;
};

struct syn {
	const struct ctip_syn_opts *o;
	struct rel_persons P;
	uint32_t unk[NA];
	int nmask;
	int masks[NMASK];
	int id[NMASK]; /* mask -> index in masks, -1 */
	struct tab *t;
	struct idx *ix;
	int64_t total;
	int err;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static int tab_grow(struct tab *t)
{
	uint32_t nc = t->cap ? t->cap * 2 : 1024;
	uint64_t *k = calloc(nc, sizeof(uint64_t));
	uint32_t *c = calloc(nc, sizeof(uint32_t));
	if (!k || !c) {
		free(k);
		free(c);
		return -1;
	}
	for (uint32_t i = 0; i < t->cap; i++) {
		if (!t->key[i])
			continue;
		uint32_t s = (uint32_t)mix(t->key[i]) & (nc - 1);
		while (k[s])
			s = (s + 1) & (nc - 1);
		k[s] = t->key[i];
		c[s] = t->cnt[i];
	}
	free(t->key);
	free(t->cnt);
	t->key = k;
	t->cnt = c;
	t->cap = nc;
	return 0;
}

/* The count of key (0 when absent or withheld). */
static inline uint32_t tab_get(const struct tab *t, uint64_t key)
{
	if (!t->cap)
		return 0;
	uint32_t s = (uint32_t)mix(key) & (t->cap - 1);
	while (t->key[s]) {
		if (t->key[s] == key)
			return t->cnt[s];
		s = (s + 1) & (t->cap - 1);
	}
	return 0;
}

static inline int tab_add(struct tab *t, uint64_t key)
{
	if (t->n * 2 >= t->cap && tab_grow(t))
		return -1;
	uint32_t s = (uint32_t)mix(key) & (t->cap - 1);
	while (t->key[s] && t->key[s] != key)
		s = (s + 1) & (t->cap - 1);
	if (!t->key[s]) {
		t->key[s] = key;
		t->n++;
	}
	t->cnt[s]++;
	return 0;
}

/* The key of the values v of mask m (values + 1, 16 bits each, the attributes in order). */
static inline uint64_t pack(int m, const uint32_t *v)
{
	uint64_t k = 0;
	for (int a = 0; a < NA; a++)
		if (m >> a & 1)
			k = k << 16 | (uint64_t)(v[a] + 1);
	return k;
}

struct count_arg {
	struct syn *s;
	int part, nparts;
};

static void *count_masks(void *arg)
{
	struct count_arg *c = arg;
	struct syn *s = c->s;
	uint32_t v[NA];
	for (int i = c->part; i < s->nmask; i += c->nparts) {
		int m = s->masks[i];
		struct tab *t = &s->t[i];
		for (uint32_t r = 0; r < s->P.n; r++) {
			int known = 1;
			for (int a = 0; a < NA && known; a++)
				if (m >> a & 1) {
					v[a] = s->P.c0[a][r];
					known = v[a] != s->unk[a];
				}
			if (known && tab_add(t, pack(m, v))) {
				s->err = 1;
				return NULL;
			}
		}
	}
	return NULL;
}

static double binom(int n, int k)
{
	double r = 1;
	for (int i = 1; i <= k; i++)
		r = r * (n - k + i) / i;
	return r;
}

static void protect(struct syn *s, struct ctip_syn_report *r)
{
	const struct ctip_syn_opts *o = s->o;
	for (int i = 0; i < s->nmask; i++) {
		int m = s->masks[i], len = __builtin_popcount((unsigned)m);
		struct tab *t = &s->t[i];
		/* dp: per length epsilon/L and delta/L; sensitivity C(NA, len) combinations */
		double el = o->epsilon / o->length, dl = o->delta / o->length;
		double sens = binom(NA, len), e1 = el / sens, a = exp(-e1);
		/* P(noise >= x) = a^x / (1 + a): a combination of count 1 passes 1 + noise >= tau
		 * with probability under dl / sens per combination, under dl per person */
		double tau = o->dp ? 1 + ceil(log(sens / (dl * (1 + a))) / e1) : o->k;
		r->tau[len] = tau;
		uint64_t st = o->seed ^ mix((uint64_t)m + 1);
		for (uint32_t j = 0; j < t->cap; j++) {
			if (!t->key[j])
				continue;
			r->combos[len]++;
			if (o->dp) {
				int64_t v = (int64_t)t->cnt[j] + ctip_dp_geometric(&st, e1);
				t->cnt[j] = v >= tau ? (uint32_t)v : 0;
			} else {
				t->cnt[j] =
				        t->cnt[j] >= (uint32_t)o->k ? t->cnt[j] / o->k * o->k : 0;
			}
			r->published[len] += t->cnt[j] > 0;
		}
	}
}

struct ent {
	uint64_t pk;
	uint16_t val;
	uint32_t cnt;
};

static int cmp_ent(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;
	if (a->pk != b->pk)
		return a->pk < b->pk ? -1 : 1;
	return (a->val > b->val) - (a->val < b->val);
}

static int build_index(const struct tab *t, struct idx *ix)
{
	uint32_t n = 0;
	for (uint32_t j = 0; j < t->cap; j++)
		n += t->key[j] && t->cnt[j];
	struct ent *v = malloc(((size_t)n + 1) * sizeof(*v));
	if (!v)
		return -1;
	n = 0;
	for (uint32_t j = 0; j < t->cap; j++)
		if (t->key[j] && t->cnt[j])
			v[n++] = (struct ent){t->key[j] >> 16, (uint16_t)((t->key[j] & 0xffff) - 1),
			                      t->cnt[j]};
	qsort(v, n, sizeof(*v), cmp_ent);
	ix->val = malloc(((size_t)n + 1) * sizeof(uint16_t));
	ix->cum = malloc(((size_t)n + 1) * sizeof(uint64_t));
	ix->start = malloc(((size_t)n + 1) * sizeof(uint32_t));
	ix->len = malloc(((size_t)n + 1) * sizeof(uint32_t));
	ix->pcap = 16;
	while (ix->pcap < n * 2 + 2)
		ix->pcap <<= 1;
	ix->pkey = calloc(ix->pcap, sizeof(uint64_t));
	ix->grp = calloc(ix->pcap, sizeof(uint32_t));
	if (!ix->val || !ix->cum || !ix->start || !ix->len || !ix->pkey || !ix->grp) {
		free(v);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!i || v[i].pk != v[i - 1].pk) {
			ix->start[ix->ngrp] = i;
			ix->len[ix->ngrp] = 0;
			uint32_t s = (uint32_t)mix(v[i].pk) & (ix->pcap - 1);
			while (ix->grp[s])
				s = (s + 1) & (ix->pcap - 1);
			ix->pkey[s] = v[i].pk;
			ix->grp[s] = ++ix->ngrp;
		}
		uint32_t g = ix->ngrp - 1;
		ix->val[i] = v[i].val;
		ix->cum[i] = v[i].cnt + (ix->len[g] ? ix->cum[i - 1] : 0);
		ix->len[g]++;
	}
	free(v);
	return 0;
}

static int idx_find(const struct idx *ix, uint64_t pk)
{
	if (!ix->pcap)
		return -1;
	uint32_t s = (uint32_t)mix(pk) & (ix->pcap - 1);
	while (ix->grp[s]) {
		if (ix->pkey[s] == pk)
			return (int)ix->grp[s] - 1;
		s = (s + 1) & (ix->pcap - 1);
	}
	return -1;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define BLANK UINT32_MAX

/* Draws one record into v (BLANK for a blank attribute); returns the values blanked by the
 * check. */
static long draw(const struct syn *s, uint64_t st, uint32_t *v)
{
	int L = s->o->length;
	for (int j = 0; j < NA; j++) {
		/* the prefix: the last L - 1 values drawn */
		int pm = 0, np = 0;
		for (int a = j - 1; a >= 0 && np < L - 1; a--)
			if (v[a] != BLANK) {
				pm |= 1 << a;
				np++;
			}
		int m = pm | 1 << j, id = s->id[m];
		v[j] = BLANK;
		if (id < 0)
			continue;
		uint64_t pk = pack(pm, v);
		int g = idx_find(&s->ix[id], pk);
		if (g < 0)
			continue;
		const struct idx *ix = &s->ix[id];
		uint32_t st0 = ix->start[g], n = ix->len[g];
		uint64_t tot = ix->cum[st0 + n - 1];
		uint64_t prefix = pm ? tab_get(&s->t[s->id[pm]], pk) : (uint64_t)tot;
		uint64_t blank = prefix > tot ? prefix - tot : 0;
		uint64_t x = splitmix(&st) % (tot + blank);
		if (x >= tot)
			continue;
		uint32_t lo = 0, hi = n - 1; /* the first with cum > x */
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (ix->cum[st0 + mid] > x)
				hi = mid;
			else
				lo = mid + 1;
		}
		v[j] = ix->val[st0 + lo];
	}
	/* every combination of the record's values must be published */
	long blanked = 0;
	for (;;) {
		int known = 0, bad = 0;
		for (int a = 0; a < NA; a++)
			known |= (v[a] != BLANK) << a;
		for (int i = 0; i < s->nmask && !bad; i++) {
			int m = s->masks[i];
			if ((m & ~known) || tab_get(&s->t[i], pack(m, v)))
				continue;
			bad = m;
		}
		if (!bad)
			return blanked;
		v[31 - __builtin_clz((unsigned)bad)] = BLANK;
		blanked++;
	}
}

struct gen_arg {
	const struct syn *s;
	uint32_t **keep; /* the records' values, for the evaluation (NULL: not kept) */
	long lo, hi, blanked;
	char *buf;
	size_t len;
	int err;
};

static void *generate(void *arg)
{
	struct gen_arg *g = arg;
	const struct syn *s = g->s;
	FILE *f = open_memstream(&g->buf, &g->len);
	if (!f) {
		g->err = 1;
		return NULL;
	}
	for (long r = g->lo; r < g->hi; r++) {
		uint32_t v[NA];
		memset(v, 0xff, sizeof(v)); /* BLANK */
		uint64_t st = s->o->seed ^ mix((uint64_t)r * 0x9e3779b97f4a7c15ull + 7);
		g->blanked += draw(s, st, v);
		for (int a = 0; g->keep && a < NA; a++)
			g->keep[a][r] = v[a];
		for (int a = 0; a < NA; a++)
			rel_write_group(f, a, 0, v[a] == BLANK ? "" : s->P.d0[a].s[v[a]]);
		fputc('\n', f);
	}
	if (fclose(f))
		g->err = 1;
	return NULL;
}

static void write_aggregates(const struct syn *s, FILE *agg)
{
	fputs("length,combination,count\n", agg);
	for (int i = 0; i < s->nmask; i++) {
		int m = s->masks[i], len = __builtin_popcount((unsigned)m);
		const struct tab *t = &s->t[i];
		for (uint32_t j = 0; j < t->cap; j++) {
			if (!t->key[j] || !t->cnt[j])
				continue;
			fprintf(agg, "%d,\"", len);
			uint64_t k = t->key[j];
			int sh = 16 * (len - 1), first = 1;
			for (int a = 0; a < NA; a++) {
				if (!(m >> a & 1))
					continue;
				uint32_t c = (uint32_t)((k >> sh) & 0xffff) - 1;
				sh -= 16;
				char lab[512];
				rel_value_label(a, s->P.d0[a].s[c], lab, sizeof(lab));
				fprintf(agg, "%s%s:%s", first ? "" : ";", ctip_rel_group_name(a),
				        lab);
				first = 0;
			}
			fprintf(agg, "\",%u\n", t->cnt[j]);
		}
	}
}

/* The evaluation report: the source's known values against the synthetic records. */
static int evaluate(const struct syn *s, uint32_t *const *rel, uint32_t n, const char *path,
                    double *rate, ctip_err *e)
{
	struct ctip_eval_in in = {
	        .kind = "synthetic", .ns = s->P.n, .nr = n, .length = s->o->length};
	in.m_source = ctip_eval_link_m(NULL, in.m);
	uint32_t *src[NA] = {0};
	char **lab[NA] = {0};
	int rc = CTIP_OK;
	for (int a = 0; a < NA && !rc; a++) {
		const struct rel_sdict *d = &s->P.d0[a];
		src[a] = malloc(((size_t)s->P.n + 1) * sizeof(uint32_t));
		lab[a] = calloc((size_t)d->n + 1, sizeof(char *));
		if (!src[a] || !lab[a]) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		for (uint32_t c = 0; c < d->n; c++) {
			char buf[512];
			rel_value_label(a, d->s[c], buf, sizeof(buf));
			lab[a][c] = strdup(buf);
		}
		for (uint32_t i = 0; i < s->P.n; i++)
			src[a][i] = s->P.c0[a][i] == s->unk[a] ? CTIP_EVAL_BLANK : s->P.c0[a][i];
		in.src[a] = src[a];
		in.rel[a] = rel[a];
		in.label[a] = lab[a];
		in.nlabel[a] = d->n;
	}
	if (!rc)
		rc = ctip_eval_write(&in, path, rate, e);
	for (int a = 0; a < NA; a++) {
		free(src[a]);
		for (uint32_t c = 0; lab[a] && c < s->P.d0[a].n; c++)
			free(lab[a][c]);
		free(lab[a]);
	}
	return rc;
}

static void syn_free(struct syn *s)
{
	rel_persons_free(&s->P);
	for (int i = 0; s->t && i < s->nmask; i++) {
		free(s->t[i].key);
		free(s->t[i].cnt);
	}
	for (int i = 0; s->ix && i < s->nmask; i++) {
		struct idx *x = &s->ix[i];
		free(x->pkey);
		free(x->grp);
		free(x->start);
		free(x->len);
		free(x->val);
		free(x->cum);
	}
	free(s->t);
	free(s->ix);
}

int ctip_syn_run(const ctip_facts *f, const struct ctip_syn_opts *o, FILE *out, FILE *agg,
                 struct ctip_syn_report *r, ctip_err *e)
{
	struct syn s = {.o = o};
	memset(r, 0, sizeof(*r));
	if (o->length < 1 || o->length > 4)
		return ctip_err_set(e, CTIP_EINVAL, "synthetic: --length is 1 to 4");
	if (!o->dp && o->k < 2)
		return ctip_err_set(e, CTIP_EINVAL, "synthetic: --k must be at least 2");
	if (o->dp && !(o->epsilon > 0 && o->delta > 0 && o->delta < 1))
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "synthetic: --mode dp needs --epsilon E > 0 and --delta D in (0, 1)");
	int rc = rel_hier_init(e);
	if (!rc)
		rc = rel_read_persons(f, o->year, &s.P, e);
	if (rc)
		goto done;
	ctip_progress_report("release synthetic", 1, 5, "steps"); /* counting */
	r->source = s.P.n;
	r->data_version = f->version;
	for (int a = 0; a < NA; a++) {
		int u = rel_sd_find(&s.P.d0[a], "");
		s.unk[a] = u < 0 ? BLANK : (uint32_t)u;
		if (s.P.d0[a].n >= 65535) {
			rc = ctip_err_set(e, CTIP_EINVAL, "synthetic: %s has too many values (%u)",
			                  ctip_rel_group_name(a), s.P.d0[a].n);
			goto done;
		}
	}
	for (int m = 1; m < NMASK; m++) {
		s.id[m] = -1;
		if (__builtin_popcount((unsigned)m) <= o->length) {
			s.id[m] = s.nmask;
			s.masks[s.nmask++] = m;
		}
	}
	s.id[0] = -1;
	s.t = calloc((size_t)s.nmask, sizeof(*s.t));
	s.ix = calloc((size_t)s.nmask, sizeof(*s.ix));
	if (!s.t || !s.ix) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	/* count, two threads over the masks */
	struct count_arg ca[2] = {{&s, 0, 2}, {&s, 1, 2}};
	pthread_t th;
	int two = o->threads > 1 && !pthread_create(&th, NULL, count_masks, &ca[1]);
	if (!two)
		ca[0].nparts = 1;
	count_masks(&ca[0]);
	if (two)
		pthread_join(th, NULL);
	if (s.err) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	ctip_progress_report("release synthetic", 2, 5, "steps"); /* protecting */
	protect(&s, r);
	for (int i = 0; i < s.nmask; i++)
		if (build_index(&s.t[i], &s.ix[i])) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
	/* as many records as the largest published total of one attribute (post-processing of
	 * the protected counts) */
	int64_t n = 0;
	for (int a = 0; a < NA; a++) {
		const struct tab *t = &s.t[s.id[1 << a]];
		int64_t sum = 0;
		for (uint32_t j = 0; j < t->cap; j++)
			sum += t->key[j] ? t->cnt[j] : 0;
		if (sum > n)
			n = sum;
	}
	uint32_t *keep[NA] = {0};
	for (int a = 0; o->eval_path && a < NA; a++)
		if (!(keep[a] = malloc(((size_t)n + 1) * sizeof(uint32_t)))) {
			for (int b = 0; b < a; b++)
				free(keep[b]);
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
	ctip_progress_report("release synthetic", 3, 5, "steps"); /* generating */
	uint32_t **kp = o->eval_path ? keep : NULL;
	struct gen_arg ga[2] = {{&s, kp, 0, n, 0, NULL, 0, 0}, {&s, kp, n, n, 0, NULL, 0, 0}};
	if (o->threads > 1 && n > 1000) {
		ga[0].hi = ga[1].lo = n / 2;
		two = !pthread_create(&th, NULL, generate, &ga[1]);
		if (!two)
			ga[0].hi = n;
	} else {
		two = 0;
	}
	generate(&ga[0]);
	if (two)
		pthread_join(th, NULL);
	if (ga[0].err || ga[1].err) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	} else {
		rel_write_header(out);
		fwrite(ga[0].buf, 1, ga[0].len, out);
		if (ga[1].buf)
			fwrite(ga[1].buf, 1, ga[1].len, out);
		r->records = (long)n;
		r->blanked = ga[0].blanked + ga[1].blanked;
		if (agg)
			write_aggregates(&s, agg);
	}
	free(ga[0].buf);
	free(ga[1].buf);
	ctip_progress_report("release synthetic", 4, 5, "steps"); /* evaluating */
	if (!rc && o->eval_path)
		rc = evaluate(&s, keep, (uint32_t)n, o->eval_path, &r->attack_rate, e);
	for (int a = 0; a < NA; a++)
		free(keep[a]);
done:
	ctip_progress_finish();
	syn_free(&s);
	return rc;
}
