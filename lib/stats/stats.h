/*
 * stats.h - disaggregated counts: a table of one unit (victims, cases, ...) broken down by
 * up to four dimensions, with every margin and the grand total, computed by one scan of the
 * statistics snapshot (facts.h). Unknown is its own level of every dimension, never dropped.
 *
 * Victims are counted as distinct persons (the snapshot's key), so a person in two cases
 * counts once in every cell they fall in. A multi-valued dimension (exploitation type,
 * control method, ...) counts a row once under each of its values; its margin is then the
 * number of distinct units, not the sum of the cells: `additive` says whether margins are
 * sums.
 */
#ifndef CTIP_STATS_H
#define CTIP_STATS_H

#include <stdint.h>

#include "error.h"
#include "facts.h"
#include "refdata.h"

#define CTIP_STATS_MAXDIM   4
#define CTIP_STATS_MAXWHERE 16
#define CTIP_STATS_MAXBANDS 16

struct ctip_stats_query {
	int unit;
	int ndim, dim[CTIP_STATS_MAXDIM];
	int nwhere, where_dim[CTIP_STATS_MAXWHERE]; /* same dimension twice: either value */
	const char *where_value[CTIP_STATS_MAXWHERE];
	int32_t from, to; /* YYYYMMDD, inclusive; 0 open. A date known to the year or month
	                     only counts as its first day (YYYY0000). */
	int nbands, band_lo[CTIP_STATS_MAXBANDS], band_hi[CTIP_STATS_MAXBANDS]; /* hi -1: open */
	const ctip_ref *ref; /* optional: levels in the vocabularies' order (else by code) */
};

/* Cells: level l_d of each dimension d, l_d in [0, nlev[d]]; nlev[d] - 1 is Unknown and
 * nlev[d] the total over d. count[ctip_stats_cell(t, l)]. */
struct ctip_stats_table {
	int unit, ndim, dim[CTIP_STATS_MAXDIM];
	int nlev[CTIP_STATS_MAXDIM];
	char **label[CTIP_STATS_MAXDIM]; /* nlev[d] codes; the last "Unknown" */
	size_t stride[CTIP_STATS_MAXDIM], ncell;
	int64_t *count;
	unsigned char *supp; /* 0 published, 1 primary, 2 secondary (set by ctip_suppress) */
	int additive;        /* margins are sums of their cells */
	int suppressed;      /* ctip_suppress ran */
	int threshold;
	int64_t records; /* fact rows the table rests on (after filters) */
	/* Stages in the query with a period or by year: each stage counts in the year the
	 * proceedings reached it; stage_rows rows were so counted, stage_fallback of them with a
	 * stage whose proceedings have no date, counted by the row's date (a case's opening). */
	int stage_dated;
	int dated_dim; /* CTIP_D_STAGE or CTIP_D_EVENT when stage_dated (the counters then
	                  count rows with an event of the kind, and undated events) */
	int64_t stage_rows, stage_fallback;
	int dropped, dropped_k; /* levels of dimension dropped_k without any count, left out
	                           (ctip_stats_drop_empty) */
	int64_t data_version;
	char snapshot_at[24], computed_at[24];
	char linkage[160]; /* victims: the linkage the persons rest on (ctip_link_provenance),
	                      "" none */
};

/* The vocabulary (refdata.h) of a dimension's codes, or NULL. */
const char *ctip_stats_dim_vocab(int dim);
/* Parses "0-15,16-17,18-" into q's bands. */
int ctip_stats_parse_bands(const char *s, struct ctip_stats_query *q, ctip_err *e);
/* Parses "2023", "2023-06" or "2023-06-30" (to: the last day of that period). */
int ctip_stats_parse_date(const char *s, int to, int32_t *out, ctip_err *e);
/* Checks the query against the unit's dimensions. */
int ctip_stats_check(const struct ctip_stats_query *q, ctip_err *e);
/* The dimensions the query reads (to load from the cache). */
void ctip_stats_need(const struct ctip_stats_query *q, unsigned char need[CTIP_D_N]);
int ctip_stats_compute(const ctip_facts *f, const struct ctip_stats_query *q,
                       struct ctip_stats_table **out, ctip_err *e);
size_t ctip_stats_cell(const struct ctip_stats_table *t, const int *lev);
/* Leaves out the levels of dimension k (not Unknown) whose margin is 0: a table by
 * organisation filtered to hotlines lists the hotlines, not every organisation at 0. Before
 * suppression; t->dropped counts them, and the notes say so. */
int ctip_stats_drop_empty(struct ctip_stats_table *t, int k, ctip_err *e);
/* The grand total's cell. */
size_t ctip_stats_total_cell(const struct ctip_stats_table *t);
void ctip_stats_free(struct ctip_stats_table *t);

/* A table built from given counts (tests, and tables computed elsewhere): dims with nlev
 * levels (the last Unknown), labels "L0", "L1", ... and counts all zero. */
struct ctip_stats_table *ctip_stats_blank(int ndim, const int *nlev);

#endif
