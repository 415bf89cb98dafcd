/*
 * report_link.c - the line of the annual report that record linkage gives: persons
 * re-trafficked in the year (link_retraffic.h). A section of its own, one cell, suppressed
 * like every other cell of the report unless raw counts were asked for; it is added after the
 * report's own sections and their joint suppression, and shares no cell with them (it counts
 * persons, not victim records).
 */
#include <stdio.h>
#include <string.h>

#include "report_link.h"

#include "link_retraffic.h"
#include "suppress.h"

int ctip_report_add_retrafficked(struct ctip_report *r, const ctip_facts *f, ctip_store *s,
                                 ctip_err *e)
{
	if (r->n >= CTIP_REPORT_MAX)
		return ctip_err_set(e, CTIP_EINVAL, "too many sections in the report");
	long persons = 0, records = 0;
	int rc = ctip_link_retrafficked_in(s, r->year, &persons, &records, e);
	if (rc)
		return rc;
	struct ctip_report_section *sec = &r->s[r->n];
	memset(sec, 0, sizeof(*sec));
	snprintf(sec->title, sizeof(sec->title),
	         "Persons re-trafficked (linked persons with a later, separate period of "
	         "exploitation starting in %d)",
	         r->year);
	sec->q.unit = CTIP_U_VICTIMS;
	sec->q.from = r->year * 10000;
	sec->q.to = r->year * 10000 + 1231;
	/* a table of no dimension: one cell, the count */
	if ((rc = ctip_stats_compute(f, &sec->q, &sec->t, e)))
		return rc;
	sec->t->count[0] = persons;
	sec->t->records = records;
	r->n++;
	if (!r->raw)
		ctip_suppress(sec->t, r->threshold);
	return CTIP_OK;
}
