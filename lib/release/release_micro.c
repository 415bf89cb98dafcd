/*
 * release_micro.c - k-anonymous (and l-diverse) microdata: one record per person, generalised
 * along the hierarchies of release_hier.c and locally suppressed.
 *
 * The search (docs/RELEASE.md): the generalisation lattice has a node per combination of the
 * quasi-identifiers' levels. A node's loss is ARX's precision with record suppression: each
 * cell costs level / (levels - 1) of its hierarchy, a record in a class under k (an outlier)
 * costs 1 per cell, averaged over records and quasi-identifiers. From the bottom node, a
 * greedy walk moves to the successor (one quasi-identifier one level up) of least loss, until
 * the node's outliers are within the suppression limit and no successor lowers the loss. It
 * evaluates a few hundred nodes, not the whole lattice: fast on a million records, not
 * guaranteed optimal (ARX's Flash is; it is also an hour on such data).
 *
 * At the chosen node the outliers are suppressed locally: in rounds, each remaining outlier
 * gets one more quasi-identifier replaced by * (the most detailed attribute first), and the
 * classes are counted again; what is still under k after every round is left out. "*" is a
 * value of its own when counting, so a class holds k records that look the same to anyone.
 * Before writing, the classes of the records kept are counted once more and the release is
 * refused if any is under k (or not l-diverse): the guarantee never rests on the heuristics.
 */
#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "release_eval.h"
#include "release_int.h"
#include "progress.h"

/* ---- interned strings ---------------------------------------------------------------- */

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int rel_sd_intern(struct rel_sdict *d, const char *s, uint32_t *code)
{
	if (d->n * 2 >= d->tcap) {
		uint32_t nc = d->tcap ? d->tcap * 2 : 64;
		uint32_t *t = calloc(nc, sizeof(*t));
		if (!t)
			return -1;
		for (uint32_t i = 0; i < d->n; i++) {
			uint32_t h = (uint32_t)str_hash(d->s[i]) & (nc - 1);
			while (t[h])
				h = (h + 1) & (nc - 1);
			t[h] = i + 1;
		}
		free(d->tab);
		d->tab = t;
		d->tcap = nc;
	}
	uint32_t h = (uint32_t)str_hash(s) & (d->tcap - 1);
	while (d->tab[h]) {
		if (!strcmp(d->s[d->tab[h] - 1], s)) {
			*code = d->tab[h] - 1;
			return 0;
		}
		h = (h + 1) & (d->tcap - 1);
	}
	if (d->n == d->cap) {
		uint32_t nc = d->cap ? d->cap * 2 : 16;
		char **v = realloc(d->s, nc * sizeof(*v));
		if (!v)
			return -1;
		d->s = v;
		d->cap = nc;
	}
	if (!(d->s[d->n] = strdup(s)))
		return -1;
	d->tab[h] = d->n + 1;
	*code = d->n++;
	return 0;
}

int rel_sd_find(const struct rel_sdict *d, const char *s)
{
	if (!d->tcap)
		return -1;
	uint32_t h = (uint32_t)str_hash(s) & (d->tcap - 1);
	while (d->tab[h]) {
		if (!strcmp(d->s[d->tab[h] - 1], s))
			return (int)(d->tab[h] - 1);
		h = (h + 1) & (d->tcap - 1);
	}
	return -1;
}

void rel_sd_free(struct rel_sdict *d)
{
	for (uint32_t i = 0; i < d->n; i++)
		free(d->s[i]);
	free(d->s);
	free(d->tab);
}

/* ---- class counting ---------------------------------------------------------------- */

struct ht {
	uint64_t *ka, *kb;
	uint32_t *cnt; /* 0: empty */
	uint32_t cap;
};

static int ht_init(struct ht *t, size_t n)
{
	uint32_t cap = 1024;
	while (cap < n * 2 && cap < (1u << 31))
		cap <<= 1;
	t->cap = cap;
	t->ka = malloc(cap * sizeof(uint64_t));
	t->kb = malloc(cap * sizeof(uint64_t));
	t->cnt = calloc(cap, sizeof(uint32_t));
	return t->ka && t->kb && t->cnt ? 0 : -1;
}

static void ht_free(struct ht *t)
{
	free(t->ka);
	free(t->kb);
	free(t->cnt);
}

static inline uint32_t ht_slot(const struct ht *t, uint64_t a, uint64_t b)
{
	uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 31;
	uint32_t s = (uint32_t)h & (t->cap - 1);
	while (t->cnt[s] && (t->ka[s] != a || t->kb[s] != b))
		s = (s + 1) & (t->cap - 1);
	return s;
}

/* ---- the work ---------------------------------------------------------------------- */

#define STARBIT(g) (1u << (g))

struct work {
	const struct ctip_rel_opts *o;
	struct rel_persons P;
	struct rel_sdict dl[CTIP_RG_N][CTIP_REL_MAXLEV];
	uint32_t *map[CTIP_RG_N][CTIP_REL_MAXLEV]; /* level-0 code -> code at the level */
	int nq, q[CTIP_RG_N];                      /* the quasi-identifiers */
	int ns, sg[CTIP_RG_N];                     /* the sensitive groups */
	int shift[CTIP_RG_N], hi[CTIP_RG_N];       /* packing: bit offset, in b (1) or a (0) */
	uint32_t star[CTIP_RG_N];                  /* the code of a suppressed cell */
	struct ht t, t2;
	uint32_t *slot, *dcount, *ldv;
	uint16_t *starm; /* suppressed cells of each record (bit per group) */
	unsigned char *drop;
};

static inline void record_key(const struct work *w, const int *lv, uint32_t i, uint64_t *a,
                              uint64_t *b)
{
	uint64_t ka = 0, kb = 0;
	unsigned sm = w->starm ? w->starm[i] : 0;
	for (int j = 0; j < w->nq; j++) {
		int g = w->q[j];
		uint64_t c = sm >> g & 1 ? w->star[g] : w->map[g][lv[g]][w->P.c0[g][i]];
		if (w->hi[g])
			kb |= c << w->shift[g];
		else
			ka |= c << w->shift[g];
	}
	*a = ka;
	*b = kb;
}

/* Counts the classes of the records not dropped (all: use_drop 0) at levels lv with the
 * records' suppressed cells (or, when mask_all, with the cells of mask_all suppressed in
 * every record); returns the outliers (classes under k or not l-diverse). */
static long count_classes(struct work *w, const int *lv, int use_drop)
{
	struct ht *t = &w->t;
	memset(t->cnt, 0, t->cap * sizeof(uint32_t));
	for (uint32_t i = 0; i < w->P.n; i++) {
		if (use_drop && w->drop[i])
			continue;
		uint64_t a, b;
		record_key(w, lv, i, &a, &b);
		uint32_t s = ht_slot(t, a, b);
		if (!t->cnt[s]) {
			t->ka[s] = a;
			t->kb[s] = b;
		}
		t->cnt[s]++;
		w->slot[i] = s;
	}
	int ldiv = w->o->l > 1 && w->ns > 0;
	if (ldiv) {
		for (uint32_t s = 0; s < t->cap; s++)
			w->ldv[s] = UINT32_MAX;
		for (int j = 0; j < w->ns; j++) {
			int g = w->sg[j];
			struct ht *u = &w->t2;
			memset(u->cnt, 0, u->cap * sizeof(uint32_t));
			memset(w->dcount, 0, t->cap * sizeof(uint32_t));
			for (uint32_t i = 0; i < w->P.n; i++) {
				if (use_drop && w->drop[i])
					continue;
				uint64_t a = w->slot[i], b = w->P.c0[g][i];
				uint32_t s = ht_slot(u, a, b);
				if (!u->cnt[s]) {
					u->ka[s] = a;
					u->kb[s] = b;
					w->dcount[w->slot[i]]++;
				}
				u->cnt[s]++;
			}
			for (uint32_t s = 0; s < t->cap; s++)
				if (t->cnt[s] && w->dcount[s] < w->ldv[s])
					w->ldv[s] = w->dcount[s];
		}
	}
	long out = 0;
	for (uint32_t i = 0; i < w->P.n; i++) {
		if (use_drop && w->drop[i])
			continue;
		uint32_t s = w->slot[i];
		out += t->cnt[s] < (uint32_t)w->o->k || (ldiv && w->ldv[s] < (uint32_t)w->o->l);
	}
	return out;
}

static inline int is_outlier(const struct work *w, uint32_t i)
{
	uint32_t s = w->slot[i];
	return w->t.cnt[s] < (uint32_t)w->o->k ||
	       (w->o->l > 1 && w->ns > 0 && w->ldv[s] < (uint32_t)w->o->l);
}

static double gen_loss(const struct work *w, const int *lv)
{
	double s = 0;
	for (int j = 0; j < w->nq; j++) {
		int g = w->q[j];
		s += (double)lv[g] / (ctip_rel_group_levels(g) - 1);
	}
	return w->nq ? s / w->nq : 0;
}

void rel_persons_free(struct rel_persons *P)
{
	for (int g = 0; g < CTIP_RG_N; g++) {
		free(P->c0[g]);
		rel_sd_free(&P->d0[g]);
	}
	memset(P, 0, sizeof(*P));
}

/* ---- reading the snapshot ---------------------------------------------------------- */

/* The values of dimension d in row i (none when unknown). */
static int row_vals(const struct ctip_funit *fu, int d, uint32_t i, const uint16_t **v)
{
	const struct ctip_fcol *c = &fu->col[d];
	if (!fu->has[d] || !c->val)
		return 0;
	if (!fu->multi[d]) {
		*v = &c->val[i];
		return c->val[i] != 0;
	}
	*v = c->val + c->off[i];
	return (int)(c->off[i + 1] - c->off[i]);
}

struct person {
	int have;
	int32_t date;
	int age;
	uint16_t gender, citizen, origin, dest;
	unsigned ex, lab, con;
	int ex_known, lab_known, con_known;
};

static const char *dstr(const ctip_facts *f, int d, uint16_t c)
{
	return c && c < f->dict[d].n && f->dict[d].s[c] ? f->dict[d].s[c] : "";
}

static void person_row(const ctip_facts *f, const struct ctip_funit *fu, uint32_t i,
                       struct person *p)
{
	const uint16_t *v;
	int32_t dt = fu->date[i];
	int n;
	int better = !p->have || (dt && (!p->date || dt < p->date));
	if (better) {
		p->date = dt;
		p->age = fu->has[CTIP_D_AGE] && fu->col[CTIP_D_AGE].val
		                 ? (int)fu->col[CTIP_D_AGE].val[i] - 1
		                 : -1;
		if ((n = row_vals(fu, CTIP_D_DEST, i, &v)) > 0)
			p->dest = v[0];
	} else if (!p->dest && (n = row_vals(fu, CTIP_D_DEST, i, &v)) > 0) {
		p->dest = v[0];
	}
	p->have = 1;
	if (!p->gender && row_vals(fu, CTIP_D_GENDER, i, &v) > 0)
		p->gender = v[0];
	if (!p->citizen && row_vals(fu, CTIP_D_CITIZENSHIP, i, &v) > 0)
		p->citizen = v[0];
	if (!p->origin && row_vals(fu, CTIP_D_ORIGIN, i, &v) > 0)
		p->origin = v[0];
	n = row_vals(fu, CTIP_D_EXPLOIT, i, &v);
	for (int j = 0; j < n; j++) {
		const char *s = dstr(f, CTIP_D_EXPLOIT, v[j]);
		p->ex |= rel_exploit_flag(s);
		p->lab |= rel_labour_from_exploit(s);
		p->ex_known = 1;
		p->lab_known |= rel_labour_from_exploit(s) != 0;
	}
	n = row_vals(fu, CTIP_D_INDUSTRY, i, &v);
	for (int j = 0; j < n; j++) {
		p->lab |= rel_labour_from_industry(dstr(f, CTIP_D_INDUSTRY, v[j]));
		p->lab_known = 1;
	}
	n = row_vals(fu, CTIP_D_CONTROL, i, &v);
	for (int j = 0; j < n; j++) {
		p->con |= rel_control_flag(dstr(f, CTIP_D_CONTROL, v[j]));
		p->con_known = 1;
	}
}

static int person_add(const ctip_facts *f, struct rel_persons *P, const struct person *p)
{
	char buf[CTIP_RG_N][32];
	int y = p->date / 10000;
	if (y)
		snprintf(buf[CTIP_RG_YEAR], 32, "%d", y);
	else
		buf[CTIP_RG_YEAR][0] = 0;
	snprintf(buf[CTIP_RG_GENDER], 32, "%s", rel_gender(dstr(f, CTIP_D_GENDER, p->gender)));
	snprintf(buf[CTIP_RG_AGE], 32, "%s", rel_age_band(p->age));
	snprintf(buf[CTIP_RG_CITIZEN], 32, "%s", dstr(f, CTIP_D_CITIZENSHIP, p->citizen));
	snprintf(buf[CTIP_RG_DEST], 32, "%s", dstr(f, CTIP_D_DEST, p->dest));
	snprintf(buf[CTIP_RG_ORIGIN], 32, "%s", dstr(f, CTIP_D_ORIGIN, p->origin));
	buf[CTIP_RG_EXPLOIT][0] = buf[CTIP_RG_LABOUR][0] = buf[CTIP_RG_CONTROL][0] = 0;
	if (p->ex_known)
		snprintf(buf[CTIP_RG_EXPLOIT], 32, "m%x", p->ex);
	if (p->lab_known)
		snprintf(buf[CTIP_RG_LABOUR], 32, "m%x", p->lab);
	if (p->con_known)
		snprintf(buf[CTIP_RG_CONTROL], 32, "m%x", p->con);
	for (int g = 0; g < CTIP_RG_N; g++) {
		uint32_t c;
		if (rel_sd_intern(&P->d0[g], buf[g], &c))
			return -1;
		P->c0[g][P->n] = c;
	}
	P->n++;
	return 0;
}

int rel_read_persons(const ctip_facts *f, int year, struct rel_persons *P, ctip_err *e)
{
	const struct ctip_funit *fu0 = &f->u[CTIP_U_VICTIMS];
	size_t cap = (size_t)fu0->n + (fu0->delta ? fu0->delta->n : 0) + 1;
	for (int g = 0; g < CTIP_RG_N; g++)
		if (!(P->c0[g] = malloc(cap * sizeof(uint32_t))))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	uint16_t notvictim = ctip_facts_code(f, CTIP_D_STATUS, "NotAVictimOfTrafficking");
	for (const struct ctip_funit *fu = fu0; fu; fu = fu == fu0 ? fu0->delta : NULL) {
		struct person p = {0};
		for (uint32_t i = 0; i <= fu->n; i++) {
			if (i == fu->n || (i > 0 && fu->key[i] != fu->key[i - 1])) {
				if (p.have && person_add(f, P, &p))
					return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				memset(&p, 0, sizeof(p));
				if (i == fu->n)
					break;
			}
			if (fu->dead && (fu->dead[i >> 3] >> (i & 7) & 1))
				continue;
			const uint16_t *v;
			if (notvictim && row_vals(fu, CTIP_D_STATUS, i, &v) > 0 &&
			    v[0] == notvictim)
				continue;
			if (year && fu->date[i] / 10000 != year)
				continue;
			person_row(f, fu, i, &p);
		}
	}
	return CTIP_OK;
}

void ctip_rel_need(unsigned char need[CTIP_D_N])
{
	memset(need, 0, CTIP_D_N);
	need[CTIP_D_GENDER] = need[CTIP_D_AGE] = need[CTIP_D_CITIZENSHIP] = need[CTIP_D_ORIGIN] = 1;
	need[CTIP_D_DEST] = need[CTIP_D_EXPLOIT] = need[CTIP_D_INDUSTRY] = need[CTIP_D_CONTROL] = 1;
	need[CTIP_D_STATUS] = 1;
}

/* ---- levels and packing -------------------------------------------------------------- */

static int build_levels(struct work *w, ctip_err *e)
{
	int pos_a = 0, pos_b = 0;
	for (int g = 0; g < CTIP_RG_N; g++) {
		int nl = ctip_rel_group_levels(g);
		for (int l = 0; l < nl; l++) {
			if (!(w->map[g][l] = malloc((w->P.d0[g].n + 1) * sizeof(uint32_t))))
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			for (uint32_t c = 0; c < w->P.d0[g].n; c++) {
				char buf[96];
				rel_generalise(g, l, w->P.d0[g].s[c], buf, sizeof(buf));
				if (rel_sd_intern(&w->dl[g][l], buf, &w->map[g][l][c]))
					return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
		}
		w->star[g] = w->P.d0[g].n;
		int bits = 1;
		while ((1ull << bits) <= w->star[g])
			bits++;
		int isq = 0;
		for (int j = 0; j < w->nq; j++)
			isq |= w->q[j] == g;
		if (!isq)
			continue;
		if (pos_a + bits <= 64) {
			w->shift[g] = pos_a;
			pos_a += bits;
		} else if (pos_b + bits <= 64) {
			w->shift[g] = pos_b;
			w->hi[g] = 1;
			pos_b += bits;
		} else {
			return ctip_err_set(
			        e, CTIP_EINVAL,
			        "release: too many distinct values in the quasi-identifiers "
			        "(%s has %u); hint: fewer --quasi",
			        ctip_rel_group_name(g), w->P.d0[g].n);
		}
	}
	return CTIP_OK;
}

/* ---- the search ------------------------------------------------------------------- */

struct node {
	int lv[CTIP_RG_N];
	long out;
	double loss;
};

struct search {
	struct node *v;
	long n, cap;
};

static struct node *eval_node(struct work *w, struct search *s, const int *lv)
{
	for (long i = 0; i < s->n; i++)
		if (!memcmp(s->v[i].lv, lv, sizeof(s->v[i].lv)))
			return &s->v[i];
	if (s->n == s->cap) {
		long nc = s->cap ? s->cap * 2 : 64;
		struct node *nv = realloc(s->v, (size_t)nc * sizeof(*nv));
		if (!nv)
			return NULL;
		s->v = nv;
		s->cap = nc;
	}
	struct node *nd = &s->v[s->n++];
	memcpy(nd->lv, lv, sizeof(nd->lv));
	nd->out = count_classes(w, lv, 0);
	double g = gen_loss(w, lv);
	nd->loss = ((double)(w->P.n - nd->out) * g + (double)nd->out) / (double)w->P.n;
	return nd;
}

static int search(struct work *w, int *best, long *nodes, ctip_err *e)
{
	struct search s = {0};
	int cur[CTIP_RG_N] = {0};
	long limit = (long)(w->o->max_supp * (double)w->P.n);
	struct node *c = eval_node(w, &s, cur);
	if (!c)
		goto oom;
	for (;;) {
		struct node cn = *c, bn = {.loss = 2};
		int have = 0;
		for (int j = 0; j < w->nq; j++) {
			int g = w->q[j];
			if (cn.lv[g] + 1 >= ctip_rel_group_levels(g))
				continue;
			int lv[CTIP_RG_N];
			memcpy(lv, cn.lv, sizeof(lv));
			lv[g]++;
			struct node *nd = eval_node(w, &s, lv);
			if (!nd)
				goto oom;
			if (!have || nd->loss < bn.loss ||
			    (nd->loss == bn.loss && nd->out < bn.out)) {
				bn = *nd;
				have = 1;
			}
		}
		if (!have || (cn.out <= limit && bn.loss >= cn.loss)) {
			memcpy(best, cn.lv, sizeof(cn.lv));
			break;
		}
		c = eval_node(w, &s, bn.lv);
		if (!c)
			goto oom;
	}
	*nodes = s.n;
	free(s.v);
	return CTIP_OK;
oom:
	free(s.v);
	return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
}

/* ---- the release ------------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void work_free(struct work *w)
{
	rel_persons_free(&w->P);
	for (int g = 0; g < CTIP_RG_N; g++) {
		for (int l = 0; l < CTIP_REL_MAXLEV; l++) {
			rel_sd_free(&w->dl[g][l]);
			free(w->map[g][l]);
		}
	}
	ht_free(&w->t);
	ht_free(&w->t2);
	free(w->slot);
	free(w->dcount);
	free(w->ldv);
	free(w->starm);
	free(w->drop);
}

/* The local suppression at lv: rounds of one more * per outlier; what is left is dropped.
 * rounds[i] gets the number of cells suppressed in record i (a prefix of order). */
static void suppress_local(struct work *w, const int *lv, const int *order, int nord,
                           unsigned char *rounds)
{
	for (int r = 0; r <= nord; r++) {
		long out = count_classes(w, lv, 1);
		if (!out)
			return;
		for (uint32_t i = 0; i < w->P.n; i++) {
			if (w->drop[i] || !is_outlier(w, i))
				continue;
			if (r == nord) {
				w->drop[i] = 1;
			} else {
				w->starm[i] |= (uint16_t)STARBIT(order[r]);
				rounds[i] = (unsigned char)(r + 1);
			}
		}
	}
}

/* Re-identification risks (docs/RELEASE.md) of the records kept, whose classes are counted in
 * w->t; the population is every person of the source, generalised alike, a suppressed cell
 * matching any value. */
static int risks(struct work *w, const int *lv, const int *order, int nord,
                 const unsigned char *rounds, struct ctip_rel_report *r, ctip_err *e)
{
	uint32_t *f = malloc((size_t)w->P.n * sizeof(uint32_t)); /* class size of record i */
	uint32_t *pf = calloc((size_t)w->P.n, sizeof(uint32_t)); /* population class size */
	if (!f || !pf) {
		free(f);
		free(pf);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	long classes = 0, minc = 0;
	count_classes(w, lv, 1);
	for (uint32_t i = 0; i < w->P.n; i++)
		f[i] = w->drop[i] ? 0 : w->t.cnt[w->slot[i]];
	for (uint32_t s = 0; s < w->t.cap; s++)
		if (w->t.cnt[s]) {
			classes++;
			if (!minc || w->t.cnt[s] < minc)
				minc = w->t.cnt[s];
		}
	/* the population, once per pattern of suppressed cells (a prefix of order) */
	uint16_t *saved = w->starm;
	uint16_t *pat = malloc((size_t)w->P.n * sizeof(uint16_t));
	if (!pat) {
		free(f);
		free(pf);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	w->starm = pat;
	for (int p = 0; p <= nord; p++) {
		int any = 0;
		for (uint32_t i = 0; i < w->P.n && !any; i++)
			any = !w->drop[i] && rounds[i] == p;
		if (!any)
			continue;
		uint16_t m = 0;
		for (int j = 0; j < p; j++)
			m |= (uint16_t)STARBIT(order[j]);
		for (uint32_t i = 0; i < w->P.n; i++)
			pat[i] = m;
		count_classes(w, lv, 0);
		for (uint32_t i = 0; i < w->P.n; i++)
			if (!w->drop[i] && rounds[i] == p)
				pf[i] = w->t.cnt[w->slot[i]];
	}
	w->starm = saved;
	free(pat);
	double jmax = 0, jsum = 0, msum = 0;
	long n = 0;
	for (uint32_t i = 0; i < w->P.n; i++) {
		if (w->drop[i])
			continue;
		double F = pf[i] ? pf[i] : f[i];
		n++;
		if (1.0 / F > jmax)
			jmax = 1.0 / F;
		msum += 1.0 / F;                /* sum over classes of f/F, record by record */
		jsum += 1.0 / F / (double)f[i]; /* sum over classes of 1/F */
	}
	r->classes = classes;
	r->min_class = minc;
	r->pros_max = minc ? 1.0 / (double)minc : 0;
	r->pros_avg = n ? (double)classes / (double)n : 0;
	r->jour_max = jmax;
	r->jour_avg = classes ? jsum / (double)classes : 0;
	r->marketer = n ? msum / (double)n : 0;
	free(f);
	free(pf);
	return CTIP_OK;
}

/* The evaluation report: the source generalised alike against the records released. */
static int evaluate(const struct work *w, const int *lv, unsigned quasi, const uint32_t *perm,
                    uint32_t np, const char *model, const char *path, double *rate, ctip_err *e)
{
	struct ctip_eval_in in = {.kind = "microdata", .ns = w->P.n, .nr = np, .length = 3};
	in.m_source = ctip_eval_link_m(model, in.m);
	uint32_t *cols[2 * CTIP_RG_N] = {0};
	char **lab[CTIP_RG_N] = {0};
	uint32_t *src_of = malloc(((size_t)np + 1) * sizeof(uint32_t));
	int rc = src_of ? CTIP_OK : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int g = 0; g < CTIP_RG_N && !rc; g++) {
		int l = quasi >> g & 1 ? lv[g] : 0;
		const struct rel_sdict *d = &w->dl[g][l];
		cols[g] = malloc(((size_t)w->P.n + 1) * sizeof(uint32_t));
		cols[CTIP_RG_N + g] = malloc(((size_t)np + 1) * sizeof(uint32_t));
		lab[g] = calloc((size_t)d->n + 1, sizeof(char *));
		if (!cols[g] || !cols[CTIP_RG_N + g] || !lab[g]) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		for (uint32_t c = 0; c < d->n; c++) {
			char buf[512];
			rel_value_label(g, d->s[c], buf, sizeof(buf));
			lab[g][c] = strdup(*buf ? buf : "(unknown)");
		}
		for (uint32_t i = 0; i < w->P.n; i++)
			cols[g][i] = w->map[g][l][w->P.c0[g][i]];
		for (uint32_t x = 0; x < np; x++) {
			uint32_t i = perm[x];
			cols[CTIP_RG_N + g][x] = (quasi >> g & 1) && (w->starm[i] >> g & 1)
			                                 ? CTIP_EVAL_BLANK
			                                 : cols[g][i];
			src_of[x] = i;
		}
		in.src[g] = cols[g];
		in.rel[g] = cols[CTIP_RG_N + g];
		in.label[g] = lab[g];
		in.nlabel[g] = d->n;
	}
	in.src_of = src_of;
	if (!rc)
		rc = ctip_eval_write(&in, path, rate, e);
	for (int g = 0; g < CTIP_RG_N; g++) {
		free(cols[g]);
		free(cols[CTIP_RG_N + g]);
		for (uint32_t c = 0; lab[g] && c < w->dl[g][quasi >> g & 1 ? lv[g] : 0].n; c++)
			free(lab[g][c]);
		free(lab[g]);
	}
	free(src_of);
	return rc;
}

int ctip_rel_microdata(const ctip_facts *f, const struct ctip_rel_opts *o, FILE *out,
                       struct ctip_rel_report *r, ctip_err *e)
{
	struct work w = {.o = o};
	int rc;
	memset(r, 0, sizeof(*r));
	if (o->k < 2)
		return ctip_err_set(e, CTIP_EINVAL, "release: --k must be at least 2");
	if (o->quasi & o->sens)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "release: a column cannot be both --quasi and --sensitive");
	if (o->l > 1 && !o->sens)
		return ctip_err_set(e, CTIP_EINVAL, "release: --l needs --sensitive COLS");
	if ((rc = rel_hier_init(e)))
		return rc;
	if (!ctip_facts_ready(f, CTIP_U_VICTIMS, -1))
		return ctip_err_set(e, CTIP_EINVAL, "release: the victims' snapshot is not loaded");
	unsigned quasi = o->quasi ? o->quasi : ((1u << CTIP_RG_N) - 1) & ~o->sens;
	for (int g = 0; g < CTIP_RG_N; g++) {
		if (quasi >> g & 1)
			w.q[w.nq++] = g;
		if (o->sens >> g & 1)
			w.sg[w.ns++] = g;
	}
	if ((rc = rel_read_persons(f, o->year, &w.P, e)))
		goto done;
	ctip_progress_report("release microdata", 1, 5, "steps"); /* the lattice */
	r->source = w.P.n;
	r->quasi = quasi;
	r->data_version = f->version;
	if (w.P.n < (uint32_t)o->k) {
		rc = ctip_err_set(
		        e, CTIP_EINVAL,
		        "release: only %u persons in scope, fewer than k = %d: nothing can "
		        "be released",
		        w.P.n, o->k);
		goto done;
	}
	if ((rc = build_levels(&w, e)))
		goto done;
	w.slot = malloc((size_t)w.P.n * sizeof(uint32_t));
	w.starm = calloc((size_t)w.P.n, sizeof(uint16_t));
	w.drop = calloc((size_t)w.P.n, 1);
	unsigned char *rounds = calloc((size_t)w.P.n + 1, 1);
	if (!w.slot || !w.starm || !w.drop || !rounds || ht_init(&w.t, w.P.n) ||
	    (o->l > 1 &&
	     (ht_init(&w.t2, w.P.n) || !(w.dcount = malloc(w.t.cap * sizeof(uint32_t))) ||
	      !(w.ldv = malloc(w.t.cap * sizeof(uint32_t)))))) {
		free(rounds);
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	/* the search runs without suppressed cells */
	uint16_t *starm = w.starm;
	w.starm = NULL;
	int lv[CTIP_RG_N] = {0};
	rc = search(&w, lv, &r->nodes, e);
	w.starm = starm;
	if (rc) {
		free(rounds);
		goto done;
	}
	ctip_progress_report("release microdata", 2, 5, "steps"); /* suppression */
	r->lattice = 1;
	for (int j = 0; j < w.nq; j++)
		r->lattice *= ctip_rel_group_levels(w.q[j]);
	memcpy(r->level, lv, sizeof(lv));
	/* local suppression: the attribute with the most values at its level first */
	int order[CTIP_RG_N], nord = 0;
	for (int j = 0; j < w.nq; j++)
		if (lv[w.q[j]] + 1 < ctip_rel_group_levels(w.q[j]))
			order[nord++] = w.q[j];
	for (int a = 1; a < nord; a++)
		for (int b = a; b > 0 && w.dl[order[b]][lv[order[b]]].n >
		                                 w.dl[order[b - 1]][lv[order[b - 1]]].n;
		     b--) {
			int t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	suppress_local(&w, lv, order, nord, rounds);
	/* the guarantee, checked on what is written */
	if (count_classes(&w, lv, 1)) {
		free(rounds);
		rc = ctip_err_set(
		        e, CTIP_EINVAL,
		        "release: internal check failed: a class under k remains; nothing "
		        "written");
		goto done;
	}
	double cells = 0, genl = 0;
	double gl = gen_loss(&w, lv);
	for (uint32_t i = 0; i < w.P.n; i++) {
		if (w.drop[i]) {
			r->records_supp++;
			continue;
		}
		r->records++;
		int sc = __builtin_popcount(w.starm[i]);
		r->cells_supp += sc;
		/* a suppressed cell costs 1 instead of its level's share */
		double c = gl * w.nq;
		for (int j = 0; j < w.nq; j++) {
			int g = w.q[j];
			if (w.starm[i] >> g & 1)
				c += 1.0 - (double)lv[g] / (ctip_rel_group_levels(g) - 1);
		}
		cells += c;
		genl += gl * w.nq;
	}
	double denom = (double)w.P.n * (w.nq ? w.nq : 1);
	r->loss = (cells + (double)r->records_supp * w.nq) / denom;
	r->loss_gen = genl / denom;
	ctip_progress_report("release microdata", 3, 5, "steps"); /* risks, writing */
	rc = risks(&w, lv, order, nord, rounds, r, e);
	free(rounds);
	if (rc)
		goto done;
	/* the records in a random order (the seed's): the snapshot's order follows record ids */
	uint32_t *perm = malloc((size_t)r->records * sizeof(uint32_t) + 1);
	if (!perm) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	uint32_t np = 0;
	for (uint32_t i = 0; i < w.P.n; i++)
		if (!w.drop[i])
			perm[np++] = i;
	uint64_t st = o->seed;
	for (uint32_t i = np; i > 1; i--) {
		uint32_t j = (uint32_t)(splitmix(&st) % i);
		uint32_t t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	rel_write_header(out);
	for (uint32_t x = 0; x < np; x++) {
		uint32_t i = perm[x];
		for (int g = 0; g < CTIP_RG_N; g++) {
			int isq = quasi >> g & 1, l = isq ? lv[g] : 0;
			const char *v = isq && (w.starm[i] >> g & 1)
			                        ? "*"
			                        : w.dl[g][l].s[w.map[g][l][w.P.c0[g][i]]];
			rel_write_group(out, g, l, v);
		}
		fputc('\n', out);
	}
	ctip_progress_report("release microdata", 4, 5, "steps"); /* evaluating */
	if (o->eval_path)
		rc = evaluate(&w, lv, quasi, perm, np, o->link_model, o->eval_path, &r->attack_rate,
		              e);
	free(perm);
done:
	ctip_progress_finish();
	work_free(&w);
	return rc;
}
