/*
 * facts.c - the statistics snapshot (facts.h): units and dimensions, dictionaries, adding
 * rows, and the cache's byte format.
 */
#include "facts.h"

#include <stdlib.h>
#include <string.h>
#include <uthash.h>

static const char *const unit_names[CTIP_U_ALL] = {"victims",     "cases",      "offenders",
                                                   "referrals",   "assistance", "followups",
                                                   "assessments", "contacts"};

static const char *const dim_names[CTIP_D_ALL] = {"year",
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
                                                  "referral_reason",
                                                  "event",
                                                  "company",
                                                  "risk_level",
                                                  "followup_outcome",
                                                  "channel",
                                                  "caller_type",
                                                  "contact_reason"};

/* Per unit: 0 absent, 1 single-valued, 2 multi-valued; in the order of enum ctip_dim. */
static const unsigned char unit_dims[CTIP_U_N][CTIP_D_N] = {
        /*           yr gen age eth cit ori dst exp ind rec con art stg sts org oty snt ast rsn evt
         * cmp */
        [CTIP_U_VICTIMS] = {1, 1, 1, 1, 2, 1, 2, 2, 1, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0, 2, 1},
        [CTIP_U_CASES] = {1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 2, 0, 1, 1, 0, 0, 0, 0},
        [CTIP_U_OFFENDERS] = {1, 1, 1, 1, 2, 1, 0, 0, 0, 0, 0, 2, 2, 0, 1, 1, 1, 0, 0, 0},
        [CTIP_U_REFERRALS] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0},
        [CTIP_U_ASSISTANCE] = {1, 1, 1, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0},
};

/* The casework counts' dimensions (stats_casework.c): 1 single-valued. */
static const unsigned char cw_dims[CTIP_U_ALL - CTIP_U_N][CTIP_D_ALL] = {
        [CTIP_U_FOLLOWUPS - CTIP_U_N] = {[CTIP_D_YEAR] = 1,
                                         [CTIP_D_ORG] = 1,
                                         [CTIP_D_ORG_TYPE] = 1,
                                         [CTIP_D_RISK_LEVEL] = 1,
                                         [CTIP_D_FOLLOWUP_OUTCOME] = 1},
        [CTIP_U_ASSESSMENTS - CTIP_U_N] = {[CTIP_D_YEAR] = 1,
                                           [CTIP_D_ORG] = 1,
                                           [CTIP_D_ORG_TYPE] = 1,
                                           [CTIP_D_RISK_LEVEL] = 1},
        [CTIP_U_CONTACTS - CTIP_U_N] = {[CTIP_D_YEAR] = 1,
                                        [CTIP_D_ORG] = 1,
                                        [CTIP_D_ORG_TYPE] = 1,
                                        [CTIP_D_ORIGIN] = 1,
                                        [CTIP_D_CHANNEL] = 1,
                                        [CTIP_D_CALLER_TYPE] = 1,
                                        [CTIP_D_CONTACT_REASON] = 1},
};

const char *ctip_unit_name(int unit)
{
	return unit >= 0 && unit < CTIP_U_ALL ? unit_names[unit] : "?";
}

int ctip_unit_parse(const char *name)
{
	for (int i = 0; i < CTIP_U_ALL; i++)
		if (!strcmp(name, unit_names[i]))
			return i;
	return -1;
}

const char *ctip_dim_name(int dim)
{
	return dim >= 0 && dim < CTIP_D_ALL ? dim_names[dim] : "?";
}

int ctip_dim_parse(const char *name)
{
	for (int i = 0; i < CTIP_D_ALL; i++)
		if (!strcmp(name, dim_names[i]))
			return i;
	return -1;
}

int ctip_unit_has_dim(int unit, int dim)
{
	if (unit >= CTIP_U_N && unit < CTIP_U_ALL)
		return dim >= 0 && dim < CTIP_D_ALL && cw_dims[unit - CTIP_U_N][dim];
	return unit >= 0 && unit < CTIP_U_N && dim >= 0 && dim < CTIP_D_N && unit_dims[unit][dim];
}

int ctip_unit_dim_multi(int unit, int dim)
{
	return unit < CTIP_U_N && ctip_unit_has_dim(unit, dim) && unit_dims[unit][dim] == 2;
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

static void funit_free(struct ctip_funit *fu);

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
	for (int u = 0; u < CTIP_U_N; u++)
		funit_free(&f->u[u]);
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
	if (dc->n == 0) { /* slot 0: unknown (an empty loaded dictionary has an array too) */
		free(dc->s);
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
		uint32_t c0 = cap;
		if (grow((void **)&fu->key, sizeof(int64_t), &c1, fu->n + 1) ||
		    grow((void **)&fu->date, sizeof(int32_t), &c2, fu->n + 1) ||
		    grow((void **)&fu->cid, sizeof(uint32_t), &c0, fu->n + 1))
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
	fu->cid[i] = r->case_id > 0 && r->case_id <= UINT32_MAX ? (uint32_t)r->case_id : 0;
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
			const int32_t *vd = d == CTIP_D_STAGE   ? r->stage_date
			                    : d == CTIP_D_EVENT ? r->event_date
			                                        : NULL;
			int dup = 0;
			for (uint32_t q = base; q < base + k; q++)
				if (c->val[q] == code) {
					dup = 1; /* an event of a kind met again: the earliest date
					          */
					if (vd && vd[j] && (!c->vdate[q] || vd[j] < c->vdate[q]))
						c->vdate[q] = vd[j];
				}
			if (dup)
				continue;
			size_t need = (size_t)base + k + 1;
			if (need > c->nval || !c->val) {
				uint32_t vc = c->nval, dc = c->nval;
				if (grow((void **)&c->val, sizeof(uint16_t), &vc, need + 1) ||
				    (vd &&
				     grow((void **)&c->vdate, sizeof(int32_t), &dc, need + 1)))
					return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				c->nval = vc;
			}
			if (vd)
				c->vdate[base + k] = vd[j];
			c->val[base + k++] = code;
		}
		c->off[i + 1] = base + k;
	}
	fu->n++;
	return CTIP_OK;
}

#define FACTS_FORMAT 6 /* 5: events dated; 6: the recruiting company */

/* --- the cache's parts ------------------------------------------------------------
 * The snapshot is cached as separate arrays (parts), so that a table reads only the columns
 * it needs: one 3-dimension table of victims reads 5 of the ~25 arrays of its unit. */

int ctip_facts_parts(const ctip_facts *f,
                     int (*cb)(void *ctx, int unit, int part, const void *data, size_t len),
                     void *ctx)
{
	int rc = 0;
	for (int u = 0; u < CTIP_U_N && !rc; u++) {
		const struct ctip_funit *fu = &f->u[u];
		rc = cb(ctx, u, CTIP_PART_KEY, fu->key, (size_t)fu->n * 8);
		if (!rc)
			rc = cb(ctx, u, CTIP_PART_DATE, fu->date, (size_t)fu->n * 4);
		if (!rc)
			rc = cb(ctx, u, CTIP_PART_CASE, fu->cid, (size_t)fu->n * 4);
		for (int d = 0; d < CTIP_D_N && !rc; d++) {
			const struct ctip_fcol *c = &fu->col[d];
			if (!fu->has[d] || d == CTIP_D_YEAR)
				continue;
			size_t nv = fu->multi[d] ? (fu->n ? c->off[fu->n] : 0) : fu->n;
			rc = cb(ctx, u, d, c->val, nv * 2);
			if (!rc && fu->multi[d])
				rc = cb(ctx, u, CTIP_PART_OFF + d, c->off,
				        fu->n ? ((size_t)fu->n + 1) * 4 : 0);
			if (!rc && CTIP_DIM_DATED(d))
				rc = cb(ctx, u, CTIP_PART_VDATE + d, c->vdate, nv * 4);
		}
	}
	return rc;
}

int ctip_facts_dicts_save(const ctip_facts *f, unsigned char **buf, size_t *len, ctip_err *e)
{
	size_t n = 8 + 4 + 8 + sizeof(f->built_at);
	for (int d = 0; d < CTIP_D_N; d++) {
		n += 4;
		for (uint32_t i = 1; i < f->dict[d].n; i++)
			n += 4 + strlen(f->dict[d].s[i]);
	}
	unsigned char *b = malloc(n), *p = b;
	if (!b)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	uint32_t fmt = FACTS_FORMAT;
	memcpy(p, "CTIPFACT", 8), p += 8;
	memcpy(p, &fmt, 4), p += 4;
	memcpy(p, &f->version, 8), p += 8;
	memcpy(p, f->built_at, sizeof(f->built_at)), p += sizeof(f->built_at);
	for (int d = 0; d < CTIP_D_N; d++) {
		memcpy(p, &f->dict[d].n, 4), p += 4;
		for (uint32_t i = 1; i < f->dict[d].n; i++) {
			uint32_t l = (uint32_t)strlen(f->dict[d].s[i]);
			memcpy(p, &l, 4), p += 4;
			memcpy(p, f->dict[d].s[i], l), p += l;
		}
	}
	*buf = b;
	*len = n;
	return CTIP_OK;
}

int ctip_facts_dicts_load(ctip_facts *f, const unsigned char *b, size_t n, ctip_err *e)
{
	size_t at = 0;
	uint32_t fmt = 0;
#define TAKE(dst, l)                                                                               \
	do {                                                                                       \
		if ((l) > n - at)                                                                  \
			goto bad;                                                                  \
		memcpy((dst), b + at, (l));                                                        \
		at += (l);                                                                         \
	} while (0)
	if (n < 8 || memcmp(b, "CTIPFACT", 8))
		goto bad;
	at = 8;
	TAKE(&fmt, 4);
	if (fmt != FACTS_FORMAT)
		goto bad;
	TAKE(&f->version, 8);
	TAKE(f->built_at, sizeof(f->built_at));
	f->built_at[sizeof(f->built_at) - 1] = 0;
	for (int d = 0; d < CTIP_D_N; d++) {
		struct ctip_dict *dc = &f->dict[d];
		uint32_t k = 0;
		TAKE(&k, 4);
		if (k > 65535 || (k && k - 1 > (n - at) / 4))
			goto bad;
		dc->s = calloc(k ? k : 1, sizeof(char *));
		if (!dc->s)
			goto bad;
		dc->n = dc->cap = k;
		for (uint32_t i = 1; i < k; i++) {
			uint32_t l = 0;
			TAKE(&l, 4);
			if (l > n - at || !(dc->s[i] = malloc((size_t)l + 1)))
				goto bad;
			TAKE(dc->s[i], l);
			dc->s[i][l] = 0;
		}
	}
#undef TAKE
	if (at != n)
		goto bad;
	return CTIP_OK;
bad:
	return ctip_err_set(e, CTIP_EINVAL, "statistics cache: damaged dictionaries");
}

int ctip_facts_attach(ctip_facts *f, int unit, int part, void *data, size_t len, ctip_err *e)
{
	struct ctip_funit *fu = &f->u[unit];
	if (part == CTIP_PART_KEY) {
		if (len % 8)
			goto bad;
		fu->key = data;
		fu->n = fu->cap = (uint32_t)(len / 8);
		return CTIP_OK;
	}
	if (part == CTIP_PART_DATE) {
		if (len != (size_t)fu->n * 4)
			goto bad;
		fu->date = data;
		return CTIP_OK;
	}
	if (part == CTIP_PART_CASE) {
		if (len != (size_t)fu->n * 4)
			goto bad;
		free(fu->cid);
		fu->cid = data;
		return CTIP_OK;
	}
	if (part >= CTIP_PART_VDATE && part < CTIP_PART_VDATE + CTIP_D_N &&
	    CTIP_DIM_DATED(part - CTIP_PART_VDATE)) { /* after the offsets */
		int vd = part - CTIP_PART_VDATE;
		struct ctip_fcol *c = &fu->col[vd];
		if (!fu->has[vd] || !c->off || len != (size_t)c->nval * 4)
			goto bad;
		c->vdate = data;
		return CTIP_OK;
	}
	int d = part >= CTIP_PART_OFF ? part - CTIP_PART_OFF : part;
	if (d < 0 || d >= CTIP_D_N || !fu->has[d] || d == CTIP_D_YEAR)
		goto bad;
	struct ctip_fcol *c = &fu->col[d];
	if (part >= CTIP_PART_OFF) { /* after its values */
		const uint32_t *off = data;
		if (!fu->multi[d] || !c->val || len != (fu->n ? ((size_t)fu->n + 1) * 4 : 0))
			goto bad;
		if (fu->n && (off[0] != 0 || off[fu->n] != c->nval))
			goto bad;
		for (uint32_t i = 0; i < fu->n; i++)
			if (off[i] > off[i + 1])
				goto bad;
		c->off = data;
		return CTIP_OK;
	}
	if (len % 2 || (!fu->multi[d] && len != (size_t)fu->n * 2))
		goto bad;
	const uint16_t *v = data;
	uint32_t lim = d == CTIP_D_AGE ? 201 : (f->dict[d].n ? f->dict[d].n : 1);
	for (size_t i = 0; i < len / 2; i++)
		if (v[i] >= lim)
			goto bad;
	c->val = data;
	c->nval = (uint32_t)(len / 2);
	return CTIP_OK;
bad:
	free(data);
	return ctip_err_set(e, CTIP_EINVAL, "statistics cache: damaged part %d of %s", part,
	                    ctip_unit_name(unit));
}

static int funit_ready(const struct ctip_funit *fu, int dim);

int ctip_facts_ready(const ctip_facts *f, int unit, int dim)
{
	const struct ctip_funit *fu = &f->u[unit];
	return funit_ready(fu, dim) && (!fu->delta || funit_ready(fu->delta, dim));
}

/* Whether column d of a unit of n > 0 rows can be read: a multi-valued one needs its offsets,
 * and its values and dates only when some row has a value (a unit built in memory whose rows
 * have none, e.g. cases without proceedings, never allocated them). */
static int col_ready(const struct ctip_funit *fu, int d)
{
	const struct ctip_fcol *c = &fu->col[d];
	if (!fu->multi[d])
		return c->val != NULL;
	if (!c->off)
		return 0;
	uint32_t nv = c->off[fu->n];
	return !nv || (c->val && (!CTIP_DIM_DATED(d) || c->vdate));
}

static int funit_ready(const struct ctip_funit *fu, int dim)
{
	if (!fu->date && fu->n)
		return 0;
	if (dim < 0 || dim == CTIP_D_YEAR)
		return 1;
	return fu->n == 0 || col_ready(fu, dim);
}

int ctip_facts_dicts_index(ctip_facts *f, ctip_err *e)
{
	for (int d = 0; d < CTIP_D_N; d++) {
		struct ctip_dict *dc = &f->dict[d];
		struct dict_item *h = dc->index;
		for (uint32_t i = 1; i < dc->n; i++) {
			struct dict_item *it = NULL;
			HASH_FIND_STR(h, dc->s[i], it);
			if (it)
				continue;
			size_t len = strlen(dc->s[i]);
			if (!(it = malloc(sizeof(*it) + len + 1))) {
				dc->index = h;
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
			memcpy(it->s, dc->s[i], len + 1);
			it->code = (uint16_t)i;
			HASH_ADD_STR(h, s, it);
		}
		dc->index = h;
	}
	return CTIP_OK;
}

int ctip_facts_set_delta(ctip_facts *f, int unit, unsigned char *dead, ctip_facts *g, ctip_err *e)
{
	struct ctip_funit *fu = &f->u[unit], *gu = &g->u[unit];
	int ok = !gu->n || (gu->key && gu->date);
	for (int d = 0; d < CTIP_D_N && ok; d++) {
		const struct ctip_fcol *c = &fu->col[d];
		if (!fu->has[d] || d == CTIP_D_YEAR || !gu->n || (!c->val && !c->off))
			continue; /* not loaded in the snapshot: not needed of the delta */
		ok = col_ready(gu, d);
	}
	struct ctip_funit *dl = ok ? malloc(sizeof(*dl)) : NULL;
	if (!dl) {
		free(dead);
		return ok ? ctip_err_set(e, CTIP_ENOMEM, "out of memory")
		          : ctip_err_set(e, CTIP_EINVAL,
		                         "statistics cache: delta without a column");
	}
	*dl = *gu;
	memset(gu, 0, sizeof(*gu));
	dl->dead = NULL;
	dl->delta = NULL;
	free(fu->dead);
	fu->dead = dead;
	fu->delta = dl;
	return CTIP_OK;
}

static void funit_free(struct ctip_funit *fu)
{
	free(fu->key);
	free(fu->date);
	free(fu->cid);
	free(fu->dead);
	for (int d = 0; d < CTIP_D_N; d++) {
		free(fu->col[d].off);
		free(fu->col[d].val);
		free(fu->col[d].vdate);
	}
	if (fu->delta) {
		funit_free(fu->delta);
		free(fu->delta);
	}
}
