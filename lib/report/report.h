/*
 * report.h - the standard reports, each one command: `annual` (what the Steering Committee
 * 138 report and Viet Nam's reply to AL VNM 1/2025 state, computed from records), `tip` (the
 * statistics tables of the US TIP questionnaire, Annex D of 002) and `completeness` (for
 * every dimension, the share of records where it is unknown, by reporting organisation).
 * A report is a list of sections, each a table of stats.h with a chart kind; it is written
 * as terminal text, CSV, JSON (report.c), one self-contained HTML file with SVG charts
 * (report_html.c) or XLSX (report_xlsx.c), always with its provenance.
 */
#ifndef CTIP_REPORT_H
#define CTIP_REPORT_H

#include <stdio.h>

#include "facts.h"
#include "refdata.h"
#include "stats.h"

enum ctip_chart { CTIP_CHART_NONE, CTIP_CHART_BARS, CTIP_CHART_SERIES, CTIP_CHART_FLOW };

#define CTIP_REPORT_MAX 40

struct ctip_report_section {
	char title[200];
	int chart;
	int all_years; /* a time series over every year, not only the report's */
	struct ctip_stats_query q;
	struct ctip_stats_table *t;
	/* completeness: per organisation (rows) and dimension (columns), records and unknowns */
	int completeness, norg, ncdim, cdim[CTIP_D_N];
	char **org;
	int64_t *total, *unknown; /* [org * ncdim + dim] */
	int64_t records;
	int threshold; /* organisations with fewer records are withheld (0: none) */
	/* rows of label and text instead of a table (t NULL): the dark figure (report_estimate.c)
	 */
	int nkv;
	char *kv[24][2]; /* strdup'd */
};

struct ctip_report {
	char name[16], title[200];
	int year, raw, threshold;
	int n;
	/* sections added after ctip_report_build (report_link.c) go to s[slot] (-1: at the end)
	 * when ctip_report_settle moves them; nbuilt: the sections the build made */
	int slot, nbuilt;
	struct ctip_report_section s[CTIP_REPORT_MAX];
	char computed_at[24], snapshot_at[24];
	int64_t data_version, records;
};

/* Builds the report name ("annual", "tip", "completeness") for the year from the snapshot
 * (every unit and dimension loaded), levels in the order of ref's vocabularies (may be NULL);
 * suppressed unless raw. */
int ctip_report_build(const ctip_facts *f, const ctip_ref *ref, const char *name, int year, int raw,
                      int threshold, struct ctip_report **out, ctip_err *e);
void ctip_report_free(struct ctip_report *r);

int ctip_report_text(FILE *out, const struct ctip_report *r, const ctip_ref *ref, ctip_err *e);
int ctip_report_csv(FILE *out, const struct ctip_report *r, ctip_err *e);
int ctip_report_json(FILE *out, const struct ctip_report *r, ctip_err *e);
int ctip_report_html(FILE *out, const struct ctip_report *r, const ctip_ref *ref, ctip_err *e);
int ctip_report_xlsx(const char *path, const struct ctip_report *r, const ctip_ref *ref,
                     ctip_err *e);

/* Moves the sections added after the build to the place the report keeps for them. */
void ctip_report_settle(struct ctip_report *r);
/* The provenance line of a report. */
void ctip_report_provenance(const struct ctip_report *r, char *buf, size_t n);

#endif
