/*
 * facts_build.h - building the statistics snapshot (facts.h) from rows, written once for every
 * back end: what each fact table counts, how a row's values become its dimensions (the
 * reference date, the age at exploitation, sentence bands, the stages and articles of the
 * proceedings, multi-valued codes), and in which order the scans must come. A back end only
 * runs its queries (store_sqlite_stats.c, store_pg_stats.c) and hands each row over as text
 * columns (NULL for SQL NULL), in the order listed for its scan below.
 *
 * The cache of a snapshot is stored as parts (facts.h); ctip_fb_load_unit reads back a unit's
 * parts in the order ctip_facts_attach needs, through the back end's reader.
 */
#ifndef CTIP_FACTS_BUILD_H
#define CTIP_FACTS_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "facts.h"

/* The scans, in the order they must run (a case's stages and articles come from the
 * proceedings; a case's exploitation types from its victims). Columns of each row: */
enum ctip_fb_scan {
	/* case id, case_person id, 1 when a perpetrator, stage, article, sentence kind,
	 * sentence months, date */
	CTIP_FB_PROC,
	/* victim key, case id, organisation name, organisation type, case opened, gender,
	 * birth date, ethnicity, citizenship (JSON array), province 2025, status, status date,
	 * age when trafficked, labour industry, recruitment methods, control methods,
	 * exploitation types (JSON arrays), countries of exploitation (`;` list), earliest start
	 * of exploitation, events (`;` list of type|date), the recruiting company's name; ordered
	 * by key, then case_person id */
	CTIP_FB_VICTIMS,
	/* case id, organisation name, type, opened; by case id */
	CTIP_FB_CASES,
	/* case_person id, organisation name, type, case opened, gender, birth date, ethnicity,
	 * citizenship, province 2025, case id; by case_person id */
	CTIP_FB_OFFENDERS,
	/* date, organisation name, type, reason, case id; by case id, seq (referrals out) */
	CTIP_FB_REFERRALS,
	/* date, kind, organisation (the provider's, else the case's) name, its type, gender,
	 * birth date, province 2025, status, exploitation types, age when trafficked, case
	 * opened, case id; by case_person id, seq */
	CTIP_FB_ASSISTANCE,
	CTIP_FB_N
};

/* Columns of each scan (the longest is CTIP_FB_MAXCOL). */
extern const int ctip_fb_ncol[CTIP_FB_N];
#define CTIP_FB_MAXCOL 21

struct ctip_fb;

/* A builder adding to f, for ids of cases up to ncases and of persons in cases up to nlinks
 * (the tables' largest ids). */
int ctip_fb_new(ctip_facts *f, int64_t ncases, int64_t nlinks, struct ctip_fb **out, ctip_err *e);
/* Adds one row of a scan; col has ctip_fb_ncol[scan] columns. */
int ctip_fb_row(struct ctip_fb *b, int scan, const char *const *col, ctip_err *e);
/* Ends the build (the progress bar) and frees the builder. */
void ctip_fb_free(struct ctip_fb *b);

/* The largest id the snapshot takes (ids above are refused as out of range). */
#define CTIP_FB_MAXID 200000000

/* Loads into f's unit u the parts stored as unit `stored`: keys, dates, the dimensions asked
 * for (need NULL: all), with case ids when `cases` (2: keys and case ids only). read returns
 * a part as malloc'd data (CTIP_EINVAL when it is missing). */
int ctip_fb_load_unit(ctip_facts *f, int u, int stored, const unsigned char *need, int cases,
                      int (*read)(void *ctx, int unit, int part, void **data, size_t *len,
                                  ctip_err *e),
                      void *ctx, ctip_err *e);

/* Stamps f's build time (now, UTC). */
void ctip_fb_stamp(ctip_facts *f);

#endif
