/*
 * estimate_reg.c - capture histories from the registry: the victims of the statistics
 * snapshot (facts.h: one row per victim in a case, keyed by the linked person), each row on
 * the list of the organisation that recorded it (or its type, or the group a file names).
 *
 * A person is on a list when some row of theirs in the period is. Strata (--by) are the
 * person's: for a single-valued dimension the first known value among their rows, for a
 * multi-valued one each value any row has (the person is then in several strata, each its
 * own population); by year, rows count in their own year. An optional remapping of the keys
 * merges persons (the lower end of the linkage review band).
 */
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "facts.h"

struct ref {
	int64_t key;
	const struct ctip_funit *fu;
	uint32_t i;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->fu != y->fu)
		return x->fu < y->fu ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int dead(const struct ctip_funit *fu, uint32_t i)
{
	return fu->dead && (fu->dead[i >> 3] >> (i & 7) & 1);
}

static const char *label_of(const ctip_facts *f, int dim, uint16_t code)
{
	if (dim == CTIP_D_AGE)
		return code == 0 ? "Unknown" : code <= 18 ? "0-17" : "18+";
	if (!code || code >= f->dict[dim].n || !f->dict[dim].s[code])
		return "Unknown";
	return f->dict[dim].s[code];
}

/* The values of row i in dimension dim: codes into out (at most max), their count. */
static int row_codes(const struct ctip_funit *fu, int dim, uint32_t i, uint16_t *out, int max)
{
	const struct ctip_fcol *c = &fu->col[dim];
	if (!fu->has[dim] || !c->val)
		return 0;
	if (!c->off) {
		uint16_t v = c->val[i];
		if (dim == CTIP_D_AGE) /* age + 1 -> band: 1..18 child, 19.. adult */
			v = v == 0 ? 0 : v <= 18 ? 1 : 19;
		if (!v)
			return 0;
		out[0] = v;
		return 1;
	}
	int n = 0;
	for (uint32_t j = c->off[i]; j < c->off[i + 1] && n < max; j++)
		if (c->val[j])
			out[n++] = c->val[j];
	return n;
}

static int list_of(const ctip_facts *f, const struct ctip_mse_reg *q, const struct ctip_funit *fu,
                   uint32_t i, struct ctip_mse_reg_out *o, ctip_err *e)
{
	int dim = q->lists == CTIP_MSE_LISTS_ORG_TYPE ? CTIP_D_ORG_TYPE : CTIP_D_ORG;
	uint16_t code;
	if (row_codes(fu, dim, i, &code, 1) != 1)
		return -1;
	const char *name = label_of(f, dim, code);
	if (q->lists == CTIP_MSE_LISTS_FILE) {
		const char *grp = NULL;
		for (int k = 0; k < q->nmap && !grp; k++)
			if (!strcmp(q->map_org[k], name))
				grp = q->map_list[k];
		if (!grp)
			return -2;
		name = grp;
	}
	for (int k = 0; k < o->m; k++)
		if (!strcmp(o->names[k], name))
			return k;
	if (o->m == CTIP_MSE_MAX_LISTS) {
		ctip_err_set(
		        e, CTIP_EINVAL,
		        "more than %d lists (%s is the %dth): estimate with --lists org_type, or "
		        "group the organisations into at most %d lists with --lists FILE",
		        CTIP_MSE_MAX_LISTS, name, CTIP_MSE_MAX_LISTS + 1, CTIP_MSE_MAX_LISTS);
		return -3;
	}
	snprintf(o->names[o->m], sizeof o->names[0], "%s", name);
	return o->m++;
}

static struct ctip_mse_data *stratum(struct ctip_mse_reg_out *o, const char *label, ctip_err *e)
{
	for (int k = 0; k < o->n; k++)
		if (!strcmp(o->label[k], label))
			return &o->data[k];
	if (o->n == o->cap) {
		int cap = o->cap ? o->cap * 2 : 8;
		struct ctip_mse_data *d = realloc(o->data, sizeof *d * (size_t)cap);
		if (d)
			o->data = d;
		char(*l)[160] = realloc(o->label, sizeof *l * (size_t)cap);
		if (l)
			o->label = l;
		if (!d || !l) {
			ctip_err_set(e, CTIP_ENOMEM, "out of memory for the strata");
			return NULL;
		}
		o->cap = cap;
	}
	memset(&o->data[o->n], 0, sizeof o->data[0]);
	snprintf(o->label[o->n], sizeof o->label[0], "%s", label);
	return &o->data[o->n++];
}

/* Adds one person (rows r[0..n)) to its strata: the lists of the rows with year y (0: any). */
static int add_person(const ctip_facts *f, const struct ctip_mse_reg *q, const struct ref *r, int n,
                      int year, struct ctip_mse_reg_out *o, ctip_err *e)
{
	unsigned pat = 0;
	for (int k = 0; k < n; k++) {
		int32_t dt = r[k].fu->date[r[k].i];
		if (year && dt / 10000 != year)
			continue;
		int l = list_of(f, q, r[k].fu, r[k].i, o, e);
		if (l == -3)
			return e->code;
		if (l == -2)
			o->rows_unmapped++;
		if (l >= 0)
			pat |= 1u << l;
	}
	if (!pat)
		return 0;
	o->persons++;
	/* the person's values in each --by dimension */
	uint16_t val[2][CTIP_FACT_MAXV];
	int nv[2] = {0, 0};
	for (int b = 0; b < q->nby; b++) {
		int dim = q->by[b];
		if (dim == CTIP_D_YEAR)
			continue;
		int multi = r[0].fu->col[dim].off != NULL;
		for (int k = 0; k < n; k++) {
			uint16_t c[CTIP_FACT_MAXV];
			int m = row_codes(r[k].fu, dim, r[k].i, c, CTIP_FACT_MAXV);
			for (int j = 0; j < m; j++) {
				int seen = 0;
				for (int t = 0; t < nv[b]; t++)
					seen |= val[b][t] == c[j];
				if (!seen && nv[b] < CTIP_FACT_MAXV && (multi || nv[b] == 0))
					val[b][nv[b]++] = c[j];
			}
		}
		if (!nv[b])
			val[b][nv[b]++] = 0;
	}
	int n0 = q->nby > 0 && q->by[0] != CTIP_D_YEAR ? nv[0] : 1;
	int n1 = q->nby > 1 && q->by[1] != CTIP_D_YEAR ? nv[1] : 1;
	for (int a = 0; a < n0; a++)
		for (int b = 0; b < n1; b++) {
			char label[160] = "";
			size_t len = 0;
			for (int k = 0; k < q->nby; k++) {
				char v[64];
				int dim = q->by[k];
				if (dim == CTIP_D_YEAR)
					snprintf(v, sizeof v, "%d", year);
				else
					snprintf(v, sizeof v, "%s",
					         label_of(f, dim, val[k][k ? b : a]));
				len += (size_t)snprintf(label + len, sizeof label - len, "%s%s=%s",
				                        len ? ", " : "", ctip_dim_name(dim), v);
				if (len >= sizeof label)
					len = sizeof label - 1;
			}
			struct ctip_mse_data *d = stratum(o, label, e);
			if (!d)
				return e->code;
			d->y[pat] += 1;
		}
	return 0;
}

int ctip_mse_histories(const ctip_facts *f, const struct ctip_mse_reg *q,
                       struct ctip_mse_reg_out *o, ctip_err *e)
{
	memset(o, 0, sizeof *o);
	const struct ctip_funit *fu = &f->u[CTIP_U_VICTIMS];
	size_t nrow = 0, cap = 0;
	struct ref *refs = NULL;
	for (const struct ctip_funit *part = fu; part; part = part == fu ? fu->delta : NULL)
		cap += part->n;
	refs = malloc(sizeof *refs * (cap ? cap : 1));
	if (!refs)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory for %zu victim rows", cap);
	for (const struct ctip_funit *part = fu; part; part = part == fu ? fu->delta : NULL)
		for (uint32_t i = 0; i < part->n; i++) {
			if (dead(part, i))
				continue;
			int32_t dt = part->date[i];
			if ((q->from || q->to) && !dt) {
				o->rows_undated++;
				continue;
			}
			if ((q->from && dt < q->from) || (q->to && dt > q->to))
				continue;
			int64_t key = part->key[i];
			if (q->remap)
				key = q->remap(q->remap_ctx, key);
			refs[nrow++] = (struct ref){key, part, i};
		}
	o->rows = (long)nrow;
	qsort(refs, nrow, sizeof *refs, cmp_ref);
	int by_year =
	        q->nby > 0 && (q->by[0] == CTIP_D_YEAR || (q->nby > 1 && q->by[1] == CTIP_D_YEAR));
	int rc = 0;
	for (size_t a = 0, b; a < nrow && !rc; a = b) {
		for (b = a + 1; b < nrow && refs[b].key == refs[a].key; b++)
			;
		if (!by_year) {
			rc = add_person(f, q, refs + a, (int)(b - a), 0, o, e);
			continue;
		}
		/* by year: the person once in each year they have rows in */
		int years[64], ny = 0;
		for (size_t k = a; k < b; k++) {
			int y = refs[k].fu->date[refs[k].i] / 10000, seen = 0;
			for (int t = 0; t < ny; t++)
				seen |= years[t] == y;
			if (!seen && ny < 64)
				years[ny++] = y;
		}
		for (int t = 0; t < ny && !rc; t++)
			rc = add_person(f, q, refs + a, (int)(b - a), years[t], o, e);
	}
	free(refs);
	if (rc) {
		ctip_mse_reg_out_free(o);
		return rc;
	}
	for (int k = 0; k < o->n; k++) {
		o->data[k].m = o->m;
		memcpy(o->data[k].names, o->names, sizeof o->names);
	}
	/* strata in label order, Unknown last within its place in the order of the labels */
	for (int i = 1; i < o->n; i++)
		for (int j = i; j > 0 && strcmp(o->label[j - 1], o->label[j]) > 0; j--) {
			struct ctip_mse_data t = o->data[j];
			o->data[j] = o->data[j - 1];
			o->data[j - 1] = t;
			char l[160];
			memcpy(l, o->label[j], sizeof l);
			memcpy(o->label[j], o->label[j - 1], sizeof l);
			memcpy(o->label[j - 1], l, sizeof l);
		}
	return 0;
}

void ctip_mse_reg_out_free(struct ctip_mse_reg_out *o)
{
	free(o->data);
	free(o->label);
	o->data = NULL;
	o->label = NULL;
	o->n = o->cap = 0;
}
