/*
 * report_quality.c - data-quality flags in `ctip report completeness`: how many persons in
 * cases were kept with each flag. Counted from the registry, not the statistics snapshot (a
 * flag is about how a record was written, not a dimension of the statistics), for all years;
 * each count is one cell, suppressed like every other cell unless raw counts were asked for.
 */
#include <stdio.h>
#include <string.h>

#include "report_quality.h"

#include "import_map.h"
#include "suppress.h"

static int add_one(struct ctip_report *r, const ctip_facts *f, const char *title, long n,
                   ctip_err *e)
{
	if (r->n >= CTIP_REPORT_MAX)
		return ctip_err_set(e, CTIP_EINVAL, "too many sections in the report");
	struct ctip_report_section *sec = &r->s[r->n];
	memset(sec, 0, sizeof(*sec));
	snprintf(sec->title, sizeof(sec->title), "%s", title);
	sec->q.unit = CTIP_U_VICTIMS;
	sec->all_years = 1;
	int rc = ctip_stats_compute(f, &sec->q, &sec->t, e); /* a table of one cell */
	if (rc)
		return rc;
	sec->t->count[0] = n;
	sec->t->records = n;
	r->n++;
	if (!r->raw)
		ctip_suppress(sec->t, r->threshold);
	return CTIP_OK;
}

int ctip_report_add_quality(struct ctip_report *r, const ctip_facts *f, ctip_store *s, ctip_err *e)
{
	if (!s->ops->quality_count)
		return CTIP_OK;
	long any;
	int rc = s->ops->quality_count(s, NULL, &any, e);
	if (rc)
		return rc;
	if ((rc = add_one(r, f,
	                  "Data quality: persons in cases imported with a data-quality flag (all "
	                  "years)",
	                  any, e)))
		return rc;
	for (unsigned q = 1; q <= CTIP_Q_ALL; q <<= 1) {
		long n;
		char title[200];
		if ((rc = s->ops->quality_count(s, ctip_quality_name(q), &n, e)))
			return rc;
		snprintf(title, sizeof(title), "Data quality: flag %s (all years)",
		         ctip_quality_name(q));
		if ((rc = add_one(r, f, title, n, e)))
			return rc;
	}
	return CTIP_OK;
}
