/*
 * stats_casework.c - casework's counts for `ctip stats` (stats_casework.h): the rows from
 * the store (store_casework.h, stats_rows), filtered by period and --where, their levels
 * ordered as the vocabularies order them, and each row added to its cell and every margin.
 */
#include "stats_casework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store_casework.h"

int ctip_cw_stats_unit(int unit)
{
	return unit >= CTIP_U_N && unit < CTIP_U_ALL;
}

int ctip_cw_stats_check(const struct ctip_stats_query *q, ctip_err *e)
{
	if (!ctip_cw_stats_unit(q->unit))
		return ctip_err_set(e, CTIP_EINVAL, "unknown count");
	if (q->ndim < 0 || q->ndim > CTIP_STATS_MAXDIM)
		return ctip_err_set(e, CTIP_EINVAL, "at most %d dimensions", CTIP_STATS_MAXDIM);
	for (int i = 0; i < q->ndim; i++) {
		if (!ctip_unit_has_dim(q->unit, q->dim[i]))
			return ctip_err_set(e, CTIP_EINVAL, "%s cannot be broken down by %s",
			                    ctip_unit_name(q->unit), ctip_dim_name(q->dim[i]));
		for (int j = 0; j < i; j++)
			if (q->dim[j] == q->dim[i])
				return ctip_err_set(e, CTIP_EINVAL, "%s named twice",
				                    ctip_dim_name(q->dim[i]));
	}
	for (int i = 0; i < q->nwhere; i++)
		if (!ctip_unit_has_dim(q->unit, q->where_dim[i]))
			return ctip_err_set(e, CTIP_EINVAL, "%s cannot be filtered by %s",
			                    ctip_unit_name(q->unit),
			                    ctip_dim_name(q->where_dim[i]));
	if (q->nbands)
		return ctip_err_set(e, CTIP_EINVAL, "%s has no age", ctip_unit_name(q->unit));
	if (q->from && q->to && q->from > q->to)
		return ctip_err_set(e, CTIP_EINVAL, "the period ends before it starts");
	return CTIP_OK;
}

struct rows {
	const struct ctip_stats_query *q;
	const char *where[CTIP_STATS_MAXWHERE]; /* the filters' values as codes */
	char **v;                               /* n rows of q->ndim values (NULL unknown) */
	size_t n, cap;
	int oom;
};

/* A row's value of dimension d: the year from its date. */
static const char *value_of(int d, const char *date, const char *const *v, char year[5])
{
	if (d != CTIP_D_YEAR)
		return v[d];
	if (!date || strlen(date) < 4)
		return NULL;
	memcpy(year, date, 4);
	year[4] = 0;
	return year;
}

static int add_row(void *ctx, const char *date, const char *const *v)
{
	struct rows *r = ctx;
	const struct ctip_stats_query *q = r->q;
	char year[5];
	if (q->from || q->to) {
		int32_t d = 0;
		if (!date || sscanf(date, "%4d-", &d) != 1)
			return 0;
		d = (int32_t)atoi(date) * 10000 + (int32_t)atoi(date + 5) * 100 + atoi(date + 8);
		if ((q->from && d < q->from) || (q->to && d > q->to))
			return 0;
	}
	/* the same dimension named twice in --where: either value */
	for (int i = 0; i < q->nwhere; i++) {
		int any = 0, hit = 0;
		for (int j = 0; j < q->nwhere; j++) {
			if (q->where_dim[j] != q->where_dim[i])
				continue;
			any = 1;
			const char *x = value_of(q->where_dim[j], date, v, year);
			hit |= x && r->where[j] && !strcasecmp(x, r->where[j]);
		}
		if (any && !hit)
			return 0;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 256;
		char **g = realloc(r->v, nc * (size_t)(q->ndim ? q->ndim : 1) * sizeof(char *));
		if (!g) {
			r->oom = 1;
			return CTIP_ENOMEM;
		}
		r->v = g;
		r->cap = nc;
	}
	for (int k = 0; k < q->ndim; k++) {
		const char *x = value_of(q->dim[k], date, v, year);
		r->v[r->n * (size_t)q->ndim + (size_t)k] = x ? strdup(x) : NULL;
	}
	r->n++;
	return 0;
}

struct lvl {
	const char *code;
	int sort;
};

static int cmp_lvl(const void *a, const void *b)
{
	const struct lvl *x = a, *y = b;
	if (x->sort != y->sort)
		return x->sort < y->sort ? -1 : 1;
	return strcmp(x->code, y->code);
}

int ctip_cw_stats(ctip_store *s, const struct ctip_stats_query *q, struct ctip_stats_table **out,
                  ctip_err *e)
{
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	struct rows r = {.q = q};
	struct ctip_stats_table *t = NULL;
	struct lvl *lv[CTIP_STATS_MAXDIM] = {0};
	int nlev[CTIP_STATS_MAXDIM] = {0}, rc;
	*out = NULL;
	if (!o)
		return CTIP_EINVAL;
	if ((rc = ctip_cw_stats_check(q, e)))
		return rc;
	for (int i = 0; i < q->nwhere; i++) {
		const char *vocab = ctip_stats_dim_vocab(q->where_dim[i]);
		const struct ctip_ref_entry *en =
		        vocab && q->ref ? ctip_ref_find(q->ref, vocab, q->where_value[i]) : NULL;
		r.where[i] = en ? en->code : q->where_value[i];
	}
	rc = o->stats_rows(s, q->unit, add_row, &r, e);
	if (rc == CTIP_OK && r.oom)
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	/* the levels of each dimension: the values seen, in the vocabulary's order, then
	 * Unknown */
	for (int k = 0; rc == CTIP_OK && k < q->ndim; k++) {
		const char *vocab = ctip_stats_dim_vocab(q->dim[k]);
		if (!(lv[k] = calloc(r.n + 1, sizeof(struct lvl)))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		for (size_t i = 0; i < r.n; i++) {
			const char *x = r.v[i * (size_t)q->ndim + (size_t)k];
			int seen = !x;
			for (int l = 0; l < nlev[k] && !seen; l++)
				seen = !strcmp(lv[k][l].code, x);
			if (seen)
				continue;
			const struct ctip_ref_entry *en =
			        vocab && q->ref ? ctip_ref_get(q->ref, vocab, x) : NULL;
			lv[k][nlev[k]++] = (struct lvl){x, en ? en->sort : 1 << 30};
		}
		qsort(lv[k], (size_t)nlev[k], sizeof(struct lvl), cmp_lvl);
		nlev[k]++; /* Unknown */
	}
	if (rc == CTIP_OK && !(t = ctip_stats_blank(q->ndim, nlev)))
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int k = 0; rc == CTIP_OK && k < q->ndim; k++)
		for (int l = 0; l < nlev[k] - 1; l++) {
			char *c = strdup(lv[k][l].code);
			if (!c) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			free(t->label[k][l]);
			t->label[k][l] = c;
		}
	for (size_t i = 0; rc == CTIP_OK && i < r.n; i++) {
		int lev[CTIP_STATS_MAXDIM];
		for (int k = 0; k < q->ndim; k++) {
			const char *x = r.v[i * (size_t)q->ndim + (size_t)k];
			lev[k] = nlev[k] - 1;
			for (int l = 0; x && l < nlev[k] - 1; l++)
				if (!strcmp(lv[k][l].code, x))
					lev[k] = l;
		}
		/* the cell and every margin: each dimension at its level or at its total */
		for (unsigned m = 0; m < (1u << q->ndim); m++) {
			int at[CTIP_STATS_MAXDIM];
			for (int k = 0; k < q->ndim; k++)
				at[k] = (m >> k) & 1 ? t->nlev[k] : lev[k];
			t->count[ctip_stats_cell(t, at)]++;
		}
	}
	if (rc == CTIP_OK) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		t->unit = q->unit;
		for (int k = 0; k < q->ndim; k++)
			t->dim[k] = q->dim[k];
		t->records = (int64_t)r.n;
		t->additive = 1;
		strftime(t->computed_at, sizeof(t->computed_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(t->snapshot_at, sizeof(t->snapshot_at), "%s", t->computed_at);
		*out = t;
		t = NULL;
	}
	for (int k = 0; k < q->ndim; k++)
		free(lv[k]);
	for (size_t i = 0; i < r.n * (size_t)q->ndim; i++)
		free(r.v[i]);
	free(r.v);
	ctip_stats_free(t);
	return rc;
}
