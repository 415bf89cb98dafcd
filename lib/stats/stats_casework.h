/*
 * stats_casework.h - the casework counts of `ctip stats` (docs/CASEWORK.md): follow-up
 * contacts (`followups`), risk assessments (`assessments`) and hotline contacts
 * (`contacts`), broken down by their dimensions (year, org, org_type, risk_level,
 * followup_outcome, channel, caller_type, contact_reason, origin_province), into the same
 * table as stats.h's, so that suppression and every output format are shared. Counted from
 * casework's own tables at each query (they are small beside the registry), not from the
 * statistics snapshot.
 */
#ifndef CTIP_STATS_CASEWORK_H
#define CTIP_STATS_CASEWORK_H

#include "stats.h"
#include "store.h"

/* Whether unit is a casework count. */
int ctip_cw_stats_unit(int unit);
/* Checks a casework count's query (its dimensions, filters, period). */
int ctip_cw_stats_check(const struct ctip_stats_query *q, ctip_err *e);
/* Counts it, with every margin and the grand total (levels in the vocabularies' order, then
 * Unknown). */
int ctip_cw_stats(ctip_store *s, const struct ctip_stats_query *q, struct ctip_stats_table **out,
                  ctip_err *e);

#endif
