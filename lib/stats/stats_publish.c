/*
 * stats_publish.c - the suppression of a table that leaves without raw counts, from the
 * joint table of all time by its dimensions and year (stats_publish.h). Moved from the
 * server's statistics route so that every way a table leaves (the API, a reply of the
 * communications tracker) is suppressed the same way.
 */
#include "stats_publish.h"

#include <stdio.h>
#include <string.h>

#include "stats_casework.h"
#include "suppress.h"

/* Level of t's dimension d whose code is label, or -1. */
static int level_of(const struct ctip_stats_table *t, int d, const char *label)
{
	for (int l = 0; l < t->nlev[d]; l++)
		if (!strcmp(t->label[d][l], label))
			return l;
	return -1;
}

/* Sets t's suppression from the joint table: j is q without a period, by q's dimensions and
 * year (at yd2), suppressed; year the query's year (0: none). Cells of t without a
 * counterpart in j, or whose count differs, are withheld unless 0. */
static void joint_pattern(struct ctip_stats_table *t, const struct ctip_stats_table *j, int yd,
                          int yd2, int year, int threshold)
{
	int ylev = j->nlev[yd2]; /* the total over the years */
	if (year) {
		char ys[16];
		snprintf(ys, sizeof(ys), "%04d", year);
		ylev = level_of(j, yd2, ys);
	}
	int lev[CTIP_STATS_MAXDIM] = {0}, lev2[CTIP_STATS_MAXDIM] = {0};
	for (size_t c = 0; c < t->ncell; c++) {
		int ok = ylev >= 0;
		for (int d = 0; d < t->ndim; d++)
			lev[d] = (int)(c / t->stride[d] % ((size_t)t->nlev[d] + 1));
		for (int d = 0; d < t->ndim && ok; d++) {
			if (lev[d] == t->nlev[d])
				lev2[d] = d == yd && year ? ylev : j->nlev[d];
			else
				ok = (lev2[d] = level_of(j, d, t->label[d][lev[d]])) >= 0;
		}
		if (yd < 0)
			lev2[yd2] = ylev;
		size_t c2 = ok ? ctip_stats_cell(j, lev2) : 0;
		if (ok && j->count[c2] == t->count[c])
			t->supp[c] = j->supp[c2];
		else
			t->supp[c] = t->count[c] ? 1 : 0;
	}
	t->suppressed = 1;
	t->threshold = threshold;
}

/* The table of q: from the snapshot f, or casework's own tables (f unused). */
static int compute(ctip_store *s, const ctip_facts *f, const struct ctip_stats_query *q,
                   struct ctip_stats_table **t, ctip_err *e)
{
	return ctip_cw_stats_unit(q->unit) ? ctip_cw_stats(s, q, t, e)
	                                   : ctip_stats_compute(f, q, t, e);
}

int ctip_stats_published(ctip_store *s, const ctip_facts *f, const struct ctip_stats_query *q,
                         int year, int threshold, struct ctip_stats_table **out, ctip_err *e)
{
	struct ctip_stats_table *t = NULL, *j = NULL;
	int rc = compute(s, f, q, &t, e);
	if (rc)
		return rc;
	/* the pattern of the joint table (all time, by the dimensions and year) */
	struct ctip_stats_query q2 = *q;
	int yd = -1, yd2;
	q2.from = q2.to = 0;
	for (int d = 0; d < q->ndim; d++)
		if (q->dim[d] == CTIP_D_YEAR)
			yd = d;
	yd2 = yd;
	if (yd < 0) {
		if (q2.ndim == CTIP_STATS_MAXDIM) {
			ctip_stats_free(t);
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "by",
			                   "without raw counts up to %d dimensions besides year",
			                   CTIP_STATS_MAXDIM - 1);
		}
		q2.dim[yd2 = q2.ndim++] = CTIP_D_YEAR;
	}
	if ((rc = compute(s, f, &q2, &j, e))) {
		ctip_stats_free(t);
		return rc;
	}
	ctip_suppress(j, threshold);
	joint_pattern(t, j, yd, yd2, year, threshold);
	ctip_stats_free(j);
	*out = t;
	return CTIP_OK;
}
