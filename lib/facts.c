/*
 * facts.c - the statistics snapshot (facts.h): units and dimensions, dictionaries, adding
 * rows, and the cache's byte format.
 */
#include "facts.h"

#include <stdlib.h>
#include <string.h>
#include <uthash.h>

static const char *const unit_names[CTIP_U_N] = {"victims", "cases", "offenders", "referrals",
                                                 "assistance"};

static const char *const dim_names[CTIP_D_N] = {"year",
                                                "gender",
                                                "age_group",
                                                "ethnicity",
                                                "citizenship",
                                                "origin_province",
                                                "destination_country",
                                                "exploitation_type",
                                                "labour_industry",
                                                "recruitment_method",
                                                "control_method",
                                                "article",
                                                "stage",
                                                "trafficking_status",
                                                "org",
                                                "org_type",
                                                "sentence",
                                                "assistance_kind",
                                                "referral_reason"};

/* Per unit: 0 absent, 1 single-valued, 2 multi-valued; in the order of enum ctip_dim. */
static const unsigned char unit_dims[CTIP_U_N][CTIP_D_N] = {
        /*           yr gen age eth cit ori dst exp ind rec con art stg sts org oty snt ast rsn */
        [CTIP_U_VICTIMS] = {1, 1, 1, 1, 2, 1, 2, 2, 1, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0},
        [CTIP_U_CASES] = {1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 2, 0, 1, 1, 0, 0, 0},
        [CTIP_U_OFFENDERS] = {1, 1, 1, 1, 2, 1, 0, 0, 0, 0, 0, 2, 2, 0, 1, 1, 1, 0, 0},
        [CTIP_U_REFERRALS] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1},
        [CTIP_U_ASSISTANCE] = {1, 1, 1, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0},
};

const char *ctip_unit_name(int unit)
{
	return unit >= 0 && unit < CTIP_U_N ? unit_names[unit] : "?";
}

int ctip_unit_parse(const char *name)
{
	for (int i = 0; i < CTIP_U_N; i++)
		if (!strcmp(name, unit_names[i]))
			return i;
	return -1;
}

const char *ctip_dim_name(int dim)
{
	return dim >= 0 && dim < CTIP_D_N ? dim_names[dim] : "?";
}

int ctip_dim_parse(const char *name)
{
	for (int i = 0; i < CTIP_D_N; i++)
		if (!strcmp(name, dim_names[i]))
			return i;
	return -1;
}

int ctip_unit_has_dim(int unit, int dim)
{
	return unit >= 0 && unit < CTIP_U_N && dim >= 0 && dim < CTIP_D_N && unit_dims[unit][dim];
}

int ctip_unit_dim_multi(int unit, int dim)
{
	return ctip_unit_has_dim(unit, dim) && unit_dims[unit][dim] == 2;
}

struct dict_item {
	uint16_t code;
	UT_hash_handle hh;
	char s[];
};

ctip_facts *ctip_facts_new(void)
{
	ctip_facts *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	for (int u = 0; u < CTIP_U_N; u++)
		for (int d = 0; d < CTIP_D_N; d++) {
			f->u[u].has[d] = unit_dims[u][d] != 0;
			f->u[u].multi[d] = unit_dims[u][d] == 2;
		}
	return f;
}

static void dict_index_free(struct ctip_dict *dc)
{
	struct dict_item *h = dc->index, *it, *tmp;
	HASH_ITER(hh, h, it, tmp)
	{
		HASH_DEL(h, it);
		free(it);
	}
	dc->index = NULL;
}

void ctip_facts_free(ctip_facts *f)
{
	if (!f)
		return;
	for (int d = 0; d < CTIP_D_N; d++) {
		struct ctip_dict *dc = &f->dict[d];
		dict_index_free(dc);
		for (uint32_t i = 0; i < dc->n; i++)
			free(dc->s[i]);
		free(dc->s);
	}
	for (int u = 0; u < CTIP_U_N; u++) {
		struct ctip_funit *fu = &f->u[u];
		free(fu->key);
		free(fu->date);
		for (int d = 0; d < CTIP_D_N; d++) {
			free(fu->col[d].off);
			free(fu->col[d].val);
		}
	}
	free(f);
}

static int dict_code(struct ctip_dict *dc, const char *s, uint16_t *code, ctip_err *e)
{
	if (!s || !*s) {
		*code = 0;
		return CTIP_OK;
	}
	struct dict_item *h = dc->index, *it = NULL;
	HASH_FIND_STR(h, s, it);
	if (it) {
		*code = it->code;
		return CTIP_OK;
	}
	if (dc->n == 0) { /* slot 0: unknown */
		dc->s = calloc(16, sizeof(char *));
		if (!dc->s)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		dc->cap = 16;
		dc->n = 1;
	}
	if (dc->n >= 65535)
		return ctip_err_set(e, CTIP_EINVAL, "statistics: more than 65534 distinct values");
	if (dc->n == dc->cap) {
		char **ns = realloc(dc->s, 2 * dc->cap * sizeof(char *));
		if (!ns)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		dc->s = ns;
		dc->cap *= 2;
	}
	size_t len = strlen(s);
	it = malloc(sizeof(*it) + len + 1);
	dc->s[dc->n] = strdup(s);
	if (!it || !dc->s[dc->n]) {
		free(it);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	memcpy(it->s, s, len + 1);
	it->code = (uint16_t)dc->n++;
	HASH_ADD_STR(h, s, it);
	dc->index = h;
	*code = it->code;
	return CTIP_OK;
}

uint16_t ctip_facts_code(const ctip_facts *f, int dim, const char *s)
{
	const struct ctip_dict *dc = &f->dict[dim];
	for (uint32_t i = 1; i < dc->n; i++)
		if (!strcmp(dc->s[i], s))
			return (uint16_t)i;
	return 0;
}

int32_t ctip_facts_date(const char *s)
{
	if (!s || strlen(s) < 4)
		return 0;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	int y = atoi(s), m = 0, d = 0;
	if (s[4] == '-' && s[5] >= '0' && s[5] <= '9' && s[6] >= '0' && s[6] <= '9') {
		m = (s[5] - '0') * 10 + (s[6] - '0');
		if (s[7] == '-' && s[8] >= '0' && s[8] <= '9' && s[9] >= '0' && s[9] <= '9')
			d = (s[8] - '0') * 10 + (s[9] - '0');
	}
	if (y < 1000 || m > 12 || d > 31)
		return 0;
	return y * 10000 + m * 100 + d;
}

static int grow(void **p, size_t elem, uint32_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 1024;
	while (nc < need)
		nc *= 2;
	if (nc > UINT32_MAX)
		return -1;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = (uint32_t)nc;
	return 0;
}

int ctip_facts_add(ctip_facts *f, int unit, const struct ctip_frow *r, ctip_err *e)
{
	struct ctip_funit *fu = &f->u[unit];
	uint32_t cap = fu->cap;
	if (fu->n == UINT32_MAX - 1)
		return ctip_err_set(e, CTIP_EINVAL, "statistics: too many rows");
	if (fu->n == fu->cap) {
		uint32_t c1 = cap, c2 = cap;
		if (grow((void **)&fu->key, sizeof(int64_t), &c1, fu->n + 1) ||
		    grow((void **)&fu->date, sizeof(int32_t), &c2, fu->n + 1))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		for (int d = 0; d < CTIP_D_N; d++) {
			uint32_t c3 = cap;
			if (!fu->has[d] || d == CTIP_D_YEAR)
				continue;
			if (fu->multi[d]) {
				/* off holds cap + 1 entries */
				if (grow((void **)&fu->col[d].off, sizeof(uint32_t), &c3,
				         (size_t)c1 + 1))
					return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				if (fu->n == 0)
					fu->col[d].off[0] = 0;
			} else if (grow((void **)&fu->col[d].val, sizeof(uint16_t), &c3, fu->n + 1))
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		fu->cap = c1;
	}
	uint32_t i = fu->n;
	fu->key[i] = r->key;
	fu->date[i] = r->date;
	for (int d = 0; d < CTIP_D_N; d++) {
		struct ctip_fcol *c = &f->u[unit].col[d];
		if (!fu->has[d] || d == CTIP_D_YEAR)
			continue;
		if (d == CTIP_D_AGE) {
			c->val[i] = (uint16_t)(r->age >= 0 && r->age < 200 ? r->age + 1 : 0);
			continue;
		}
		if (!fu->multi[d]) {
			uint16_t code;
			if (dict_code(&f->dict[d], r->nv[d] > 0 ? r->v[d][0] : NULL, &code, e))
				return e->code;
			c->val[i] = code;
			continue;
		}
		uint32_t base = c->off[i], k = 0;
		/* val's capacity is tracked in nval's high water mark: grow by need */
		for (int j = 0; j < r->nv[d] && j < CTIP_FACT_MAXV; j++) {
			uint16_t code;
			if (dict_code(&f->dict[d], r->v[d][j], &code, e))
				return e->code;
			if (!code)
				continue;
			int dup = 0;
			for (uint32_t q = base; q < base + k; q++)
				dup |= c->val[q] == code;
			if (dup)
				continue;
			size_t need = (size_t)base + k + 1;
			if (need > c->nval || !c->val) {
				uint32_t vc = c->nval;
				if (grow((void **)&c->val, sizeof(uint16_t), &vc, need + 1))
					return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				c->nval = vc;
			}
			c->val[base + k++] = code;
		}
		c->off[i + 1] = base + k;
	}
	fu->n++;
	return CTIP_OK;
}

/* --- the cache's byte format ---------------------------------------------------------
 * "CTIPFACT" u32 format-version, i64 data version, 24 bytes built_at; per dimension: u32 n,
 * then n-1 strings (u32 length, bytes); per unit: u32 n, then key[n], date[n], and per
 * dimension it has (not year): multi: u32 nval, off[n+1], val[nval]; single: val[n]. */

#define FACTS_FORMAT 1

struct wbuf {
	unsigned char *p;
	size_t n, cap;
	int oom;
};

static void put(struct wbuf *b, const void *src, size_t len)
{
	if (b->oom || !len)
		return;
	if (b->n + len > b->cap) {
		size_t nc = b->cap ? b->cap : 65536;
		while (nc < b->n + len)
			nc *= 2;
		unsigned char *np = realloc(b->p, nc);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, src, len);
	b->n += len;
}

static void put32(struct wbuf *b, uint32_t v)
{
	put(b, &v, 4);
}

int ctip_facts_save(const ctip_facts *f, unsigned char **buf, size_t *len, ctip_err *e)
{
	struct wbuf b = {0};
	put(&b, "CTIPFACT", 8);
	put32(&b, FACTS_FORMAT);
	put(&b, &f->version, 8);
	put(&b, f->built_at, sizeof(f->built_at));
	for (int d = 0; d < CTIP_D_N; d++) {
		const struct ctip_dict *dc = &f->dict[d];
		put32(&b, dc->n);
		for (uint32_t i = 1; i < dc->n; i++) {
			uint32_t l = (uint32_t)strlen(dc->s[i]);
			put32(&b, l);
			put(&b, dc->s[i], l);
		}
	}
	for (int u = 0; u < CTIP_U_N; u++) {
		const struct ctip_funit *fu = &f->u[u];
		put32(&b, fu->n);
		put(&b, fu->key, (size_t)fu->n * 8);
		put(&b, fu->date, (size_t)fu->n * 4);
		for (int d = 0; d < CTIP_D_N; d++) {
			const struct ctip_fcol *c = &fu->col[d];
			if (!fu->has[d] || d == CTIP_D_YEAR)
				continue;
			if (fu->multi[d]) {
				uint32_t nv = fu->n ? c->off[fu->n] : 0;
				put32(&b, nv);
				if (fu->n) {
					put(&b, c->off, ((size_t)fu->n + 1) * 4);
					put(&b, c->val, (size_t)nv * 2);
				}
			} else {
				put(&b, c->val, (size_t)fu->n * 2);
			}
		}
	}
	if (b.oom) {
		free(b.p);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	*buf = b.p;
	*len = b.n;
	return CTIP_OK;
}

struct rbuf {
	const unsigned char *p;
	size_t n, at;
	int bad;
};

static int take(struct rbuf *r, void *dst, size_t len)
{
	if (r->bad || len > r->n - r->at) {
		r->bad = 1;
		return -1;
	}
	if (!len)
		return 0;
	memcpy(dst, r->p + r->at, len);
	r->at += len;
	return 0;
}

static void *take_array(struct rbuf *r, size_t count, size_t elem)
{
	if (r->bad || (elem && count > (r->n - r->at) / elem)) {
		r->bad = 1;
		return NULL;
	}
	void *p = malloc(count * elem + 1);
	if (!p) {
		r->bad = 1;
		return NULL;
	}
	take(r, p, count * elem);
	return p;
}

int ctip_facts_load(const unsigned char *buf, size_t len, ctip_facts **out, ctip_err *e)
{
	struct rbuf r = {buf, len, 0, 0};
	char magic[8];
	uint32_t fmt = 0;
	ctip_facts *f = ctip_facts_new();
	if (!f)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (take(&r, magic, 8) || memcmp(magic, "CTIPFACT", 8) || take(&r, &fmt, 4) ||
	    fmt != FACTS_FORMAT)
		goto bad;
	take(&r, &f->version, 8);
	take(&r, f->built_at, sizeof(f->built_at));
	f->built_at[sizeof(f->built_at) - 1] = 0;
	for (int d = 0; d < CTIP_D_N && !r.bad; d++) {
		struct ctip_dict *dc = &f->dict[d];
		uint32_t n = 0;
		if (take(&r, &n, 4) || n > 65535 || (n && n > r.n - r.at))
			goto bad;
		dc->s = calloc(n ? n : 1, sizeof(char *));
		if (!dc->s)
			goto bad;
		dc->n = dc->cap = n;
		for (uint32_t i = 1; i < n; i++) {
			uint32_t l = 0;
			if (take(&r, &l, 4) || l > r.n - r.at || !(dc->s[i] = malloc(l + 1)))
				goto bad;
			take(&r, dc->s[i], l);
			dc->s[i][l] = 0;
		}
	}
	for (int u = 0; u < CTIP_U_N && !r.bad; u++) {
		struct ctip_funit *fu = &f->u[u];
		uint32_t n = 0;
		if (take(&r, &n, 4))
			goto bad;
		fu->key = take_array(&r, n, 8);
		fu->date = take_array(&r, n, 4);
		fu->n = fu->cap = n;
		for (int d = 0; d < CTIP_D_N && !r.bad; d++) {
			struct ctip_fcol *c = &fu->col[d];
			if (!fu->has[d] || d == CTIP_D_YEAR)
				continue;
			uint32_t lim = d == CTIP_D_AGE ? 201 : (f->dict[d].n ? f->dict[d].n : 1);
			if (fu->multi[d]) {
				if (take(&r, &c->nval, 4))
					goto bad;
				if (n) {
					c->off = take_array(&r, (size_t)n + 1, 4);
					c->val = take_array(&r, c->nval, 2);
					if (r.bad || c->off[0] != 0 || c->off[n] != c->nval)
						goto bad;
					for (uint32_t i = 0; i < n; i++)
						if (c->off[i] > c->off[i + 1])
							goto bad;
				}
			} else {
				c->val = take_array(&r, n, 2);
				c->nval = n;
			}
			for (uint32_t i = 0; !r.bad && c->val && i < c->nval; i++)
				if (c->val[i] >= lim)
					goto bad;
		}
	}
	if (r.bad || r.at != r.n)
		goto bad;
	*out = f;
	return CTIP_OK;
bad:
	ctip_facts_free(f);
	return ctip_err_set(e, CTIP_EINVAL, "statistics cache: damaged snapshot");
}
