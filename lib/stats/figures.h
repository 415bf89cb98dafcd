/*
 * figures.h - the ledger of figures published elsewhere (government reports, the US TIP
 * report, UN communications), each with its source and citation, and the checks that find
 * where they contradict each other or the registry.
 *
 * File format (CSV, header required, columns in any order):
 *   source, citation, published, measure, period, breakdown, value [, note]
 * measure: lower-case words joined by _ (victims_identified); period: YYYY, YYYY-MM,
 * YYYY-Qn or YYYY/YYYY; breakdown: empty (the total) or KEY=VALUE (one key: the parts of a
 * breakdown are taken to be exhaustive, so they must add up to the total of the same
 * source, measure and period, unless every part's note starts with "of which": then they
 * must not exceed it); value: a whole number.
 */
#ifndef CTIP_FIGURES_H
#define CTIP_FIGURES_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct ctip_figure {
	char *source, *citation, *published, *measure, *period, *breakdown, *note;
	int64_t value;
	long line; /* in the file it was read from */
};

/* Whether p is a period of the ledger: YYYY, YYYY-MM, YYYY-Qn or YYYY/YYYY (first < last). */
int ctip_figures_valid_period(const char *p);

/* Parses a ledger file: every row valid or nothing (error with FILE:LINE: column). */
int ctip_figures_parse(FILE *f, const char *name, struct ctip_figure **out, size_t *n, ctip_err *e);
void ctip_figures_free(struct ctip_figure *v, size_t n);

/* What the registry computes for a measure and period: 0 and *value set, or -1 when it
 * has no such measure or no record dated in the period. */
typedef int (*ctip_figures_registry)(void *ctx, const char *measure, const char *period,
                                     int64_t *value);

/* The findings: {"findings": [...], "figures": n}. Each finding has "kind" ("sum",
 * "conflict" or "registry"), "measure", "period", and the figures involved with their
 * "source", "citation" and "value". */
json_t *ctip_figures_check(const struct ctip_figure *v, size_t n, ctip_figures_registry reg,
                           void *ctx);

#endif
