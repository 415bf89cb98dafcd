/*
 * stats_publish.h - a table as it may leave the registry without raw counts (issue 10;
 * docs/SECURITY.md, "Statistics"): its suppression pattern is not its own but that of the one
 * table of all time by the query's dimensions and year, suppressed once with its margins,
 * taken at the query's year or at its total over the years. Every answer for the same
 * dimensions and filters is then part of one consistently suppressed table, and subtracting
 * one answer from another (a year from all time, one period from another) uncovers no
 * withheld cell. Used by GET /api/stats and by the communications tracker's replies.
 */
#ifndef CTIP_STATS_PUBLISH_H
#define CTIP_STATS_PUBLISH_H

#include "stats.h"
#include "store.h"

/* Computes q (on the snapshot f, or for casework's counts on their own tables in s:
 * stats_casework.h) and sets the joint table's suppression pattern at threshold. year: the one
 * calendar year q's period covers (q->from and q->to then that whole year), 0 when q has no
 * period. */
int ctip_stats_published(ctip_store *s, const ctip_facts *f, const struct ctip_stats_query *q,
                         int year, int threshold, struct ctip_stats_table **out, ctip_err *e);

#endif
