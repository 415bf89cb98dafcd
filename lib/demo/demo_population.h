/*
 * demo_population.h - a simulated population of victims of known size, of whom only those
 * some agency detected are written (lib/demo/demo_population.c): the truth to measure multiple
 * systems estimation against.
 */
#ifndef CTIP_DEMO_POPULATION_H
#define CTIP_DEMO_POPULATION_H

#include <stdio.h>

#include "error.h"

struct ctip_demo_pop_opts {
	long population; /* true number of victims */
	int lists;       /* agencies, 2 to 10 */
	unsigned long long seed;
	int year;                 /* the cases are opened in this year */
	double heterogeneity;     /* 0: every victim equally visible; 1 (default): three classes */
	long *detected, *records; /* out, may be NULL */
};

/* Writes the detected victims' records (import format) to out and, when truth is not NULL,
 * "# population=N ..." then src_Organisation,src_RecordId,person_id. */
int ctip_demo_population(const struct ctip_demo_pop_opts *o, FILE *out, FILE *truth, ctip_err *e);

#endif
