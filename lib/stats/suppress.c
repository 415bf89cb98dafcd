/*
 * suppress.c - primary and secondary cell suppression with an attacker check (suppress.h).
 */
#include "suppress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Calls fn for every line: dimension d, first cell base; the line's cells are base + l *
 * stride[d] for l in [0, nlev[d]], the last being the total. */
static int each_line(const struct ctip_stats_table *t,
                     int (*fn)(void *ctx, const struct ctip_stats_table *t, int d, size_t base),
                     void *ctx)
{
	for (int d = 0; d < t->ndim; d++) {
		int lev[CTIP_STATS_MAXDIM] = {0};
		for (;;) {
			int r = fn(ctx, t, d, ctip_stats_cell(t, lev));
			if (r)
				return r;
			int k = t->ndim - 1;
			for (; k >= 0; k--) {
				if (k == d)
					continue;
				if (++lev[k] <= t->nlev[k])
					break;
				lev[k] = 0;
			}
			if (k < 0)
				break;
		}
	}
	return 0;
}

/* The best complement on a line, other than the cells withheld: the smallest non-zero
 * published cell inside the line, else a zero inside it, else the line's total. */
static long pick(const struct ctip_stats_table *t, int d, size_t base)
{
	long best = -1, zero = -1;
	size_t total = base + (size_t)t->nlev[d] * t->stride[d];
	for (int l = 0; l < t->nlev[d]; l++) {
		size_t c = base + (size_t)l * t->stride[d];
		if (t->supp[c])
			continue;
		if (t->count[c] > 0 && (best < 0 || t->count[c] < t->count[best]))
			best = (long)c;
		if (t->count[c] == 0 && zero < 0)
			zero = (long)c;
	}
	if (best >= 0)
		return best;
	if (zero >= 0)
		return zero;
	return t->supp[total] ? -1 : (long)total;
}

struct line_ctx {
	struct ctip_stats_table *t;
	long added;
};

static int line_rule(void *vctx, const struct ctip_stats_table *t, int d, size_t base)
{
	struct line_ctx *lc = vctx;
	int n = 0;
	for (int l = 0; l <= t->nlev[d]; l++)
		n += t->supp[base + (size_t)l * t->stride[d]] != 0;
	if (n == 1) {
		long c = pick(t, d, base);
		if (c >= 0) {
			lc->t->supp[c] = 2;
			lc->added++;
		}
	}
	return 0;
}

/* --- attackers ----------------------------------------------------------------------- */

struct elim_ctx {
	unsigned char *known;
	int changed;
};

static int elim_line(void *vctx, const struct ctip_stats_table *t, int d, size_t base)
{
	struct elim_ctx *ec = vctx;
	long unknown = -1;
	int n = 0;
	for (int l = 0; l <= t->nlev[d]; l++) {
		size_t c = base + (size_t)l * t->stride[d];
		if (!ec->known[c]) {
			n++;
			unknown = (long)c;
		}
	}
	if (n == 1) {
		ec->known[unknown] = 1;
		ec->changed = 1;
	}
	return 0;
}

static long attack_elim(const struct ctip_stats_table *t, size_t *cell)
{
	struct elim_ctx ec = {calloc(t->ncell, 1), 1};
	long found = 0;
	if (!ec.known)
		return -1;
	for (size_t c = 0; c < t->ncell; c++)
		ec.known[c] = !t->supp[c];
	while (ec.changed) {
		ec.changed = 0;
		each_line(t, elim_line, &ec);
	}
	for (size_t c = 0; c < t->ncell; c++)
		if (t->supp[c] && ec.known[c]) {
			if (!found && cell)
				*cell = c;
			found++;
		}
	free(ec.known);
	return found;
}

struct mat_ctx {
	const long *var; /* cell -> variable, -1 published */
	double *a;
	size_t nvar, rows, cap;
};

static int mat_line(void *vctx, const struct ctip_stats_table *t, int d, size_t base)
{
	struct mat_ctx *mc = vctx;
	int any = 0;
	for (int l = 0; l <= t->nlev[d]; l++)
		any |= mc->var[base + (size_t)l * t->stride[d]] >= 0;
	if (!any || mc->rows == mc->cap)
		return 0;
	double *row = mc->a + mc->rows * mc->nvar;
	for (int l = 0; l <= t->nlev[d]; l++) {
		long v = mc->var[base + (size_t)l * t->stride[d]];
		if (v >= 0)
			row[v] += l == t->nlev[d] ? -1.0 : 1.0;
	}
	mc->rows++;
	return 0;
}

/* Exact: a withheld cell is determined when its unit vector lies in the row space of the
 * line equations restricted to withheld cells; in reduced row echelon form, when its column
 * is a pivot whose row is zero in every free column. */
static long attack_exact(const struct ctip_stats_table *t, size_t *cell)
{
	size_t nvar = 0, nlines = 0;
	for (size_t c = 0; c < t->ncell; c++)
		nvar += t->supp[c] != 0;
	for (int d = 0; d < t->ndim; d++)
		nlines += t->ncell / ((size_t)t->nlev[d] + 1);
	if (!nvar)
		return 0;
	if (nvar * nlines > 8000000)
		return attack_elim(t, cell);
	long *var = malloc(t->ncell * sizeof(long));
	size_t *cell_of = malloc(nvar * sizeof(size_t));
	struct mat_ctx mc = {var, calloc(nvar * nlines, sizeof(double)), nvar, 0, nlines};
	int *pivot_col = malloc((nlines + 1) * sizeof(int));
	unsigned char *is_pivot = calloc(nvar, 1);
	long found = -1;
	if (!var || !cell_of || !mc.a || !pivot_col || !is_pivot)
		goto out;
	for (size_t c = 0, v = 0; c < t->ncell; c++) {
		var[c] = t->supp[c] ? (long)v : -1;
		if (t->supp[c])
			cell_of[v++] = c;
	}
	each_line(t, mat_line, &mc);
	size_t r = 0;
	for (size_t col = 0; col < nvar && r < mc.rows; col++) {
		size_t best = r;
		for (size_t i = r + 1; i < mc.rows; i++)
			if (fabs(mc.a[i * nvar + col]) > fabs(mc.a[best * nvar + col]))
				best = i;
		if (fabs(mc.a[best * nvar + col]) < 1e-9)
			continue;
		if (best != r)
			for (size_t j = 0; j < nvar; j++) {
				double x = mc.a[r * nvar + j];
				mc.a[r * nvar + j] = mc.a[best * nvar + j];
				mc.a[best * nvar + j] = x;
			}
		double p = mc.a[r * nvar + col];
		for (size_t j = 0; j < nvar; j++)
			mc.a[r * nvar + j] /= p;
		for (size_t i = 0; i < mc.rows; i++) {
			double f = mc.a[i * nvar + col];
			if (i == r || fabs(f) < 1e-12)
				continue;
			for (size_t j = col; j < nvar; j++)
				mc.a[i * nvar + j] -= f * mc.a[r * nvar + j];
		}
		pivot_col[r++] = (int)col;
		is_pivot[col] = 1;
	}
	found = 0;
	for (size_t i = 0; i < r; i++) {
		int alone = 1;
		for (size_t j = 0; j < nvar && alone; j++)
			if (!is_pivot[j] && fabs(mc.a[i * nvar + j]) > 1e-9)
				alone = 0;
		if (alone) {
			if (!found && cell)
				*cell = cell_of[pivot_col[i]];
			found++;
		}
	}
out:
	free(var);
	free(cell_of);
	free(mc.a);
	free(pivot_col);
	free(is_pivot);
	return found;
}

long ctip_suppress_attack(const struct ctip_stats_table *t, int exact, size_t *cell)
{
	return exact ? attack_exact(t, cell) : attack_elim(t, cell);
}

/* A further complement for a determined cell: the best candidate on any line through it,
 * a cell inside a line before a total, a non-zero before a zero, a small before a large. */
static long complement_of(const struct ctip_stats_table *t, size_t cell)
{
	long best = -1;
	int best_total = 1;
	for (int d = 0; d < t->ndim; d++) {
		int lev = (int)(cell / t->stride[d] % ((size_t)t->nlev[d] + 1));
		size_t base = cell - (size_t)lev * t->stride[d];
		long c = pick(t, d, base);
		if (c < 0)
			continue;
		int is_total = (size_t)c == base + (size_t)t->nlev[d] * t->stride[d];
		int better = best < 0 || (best_total && !is_total);
		if (!better && is_total == best_total) {
			int64_t x = t->count[c], y = t->count[best];
			better = (x > 0 && y == 0) || (x > 0 && x < y);
		}
		if (better) {
			best = c;
			best_total = is_total;
		}
	}
	return best;
}

long ctip_suppress(struct ctip_stats_table *t, int threshold)
{
	if (threshold < 1)
		threshold = 1;
	t->threshold = threshold;
	t->suppressed = 1;
	memset(t->supp, 0, t->ncell);
	for (size_t c = 0; c < t->ncell; c++)
		if (t->count[c] > 0 && t->count[c] < threshold)
			t->supp[c] = 1;
	return ctip_suppress_more(t);
}

long ctip_suppress_more(struct ctip_stats_table *t)
{
	for (;;) {
		struct line_ctx lc = {t, 1};
		while (lc.added) {
			lc.added = 0;
			each_line(t, line_rule, &lc);
		}
		size_t cell = 0;
		long found = ctip_suppress_attack(t, 1, &cell);
		if (found < 0) { /* out of memory: publish nothing rather than risk it */
			memset(t->supp, 2, t->ncell);
			break;
		}
		if (!found)
			break;
		long c = complement_of(t, cell);
		if (c < 0)
			break; /* nothing left to withhold on its lines */
		t->supp[c] = 2;
	}
	long n = 0;
	for (size_t c = 0; c < t->ncell; c++)
		n += t->supp[c] != 0;
	return n;
}
