/*
 * release_agg.h - protected tables of the released columns (`ctip release aggregates`): counts
 * of persons (one record per person, as in the microdata) by up to four columns with every
 * margin, protected either by the suppression of `ctip stats` (suppress.h: primary and
 * secondary, with its attacker check) or by differential privacy (the two-sided geometric
 * mechanism on every interior cell; each person is in exactly one interior cell, so the
 * sensitivity is 1; margins are sums of the noisy cells, which costs no privacy).
 */
#ifndef CTIP_RELEASE_AGG_H
#define CTIP_RELEASE_AGG_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "stats.h"
#include "store.h"

struct ctip_agg_args {
	int ndim, dim[CTIP_STATS_MAXDIM]; /* release groups (release.h) */
	int year;
	int dp;             /* 0: suppression, 1: differential privacy */
	int threshold;      /* suppression: cells 1 .. threshold - 1 withheld */
	double epsilon;     /* dp */
	const char *format; /* csv, json, xlsx */
	const char *out;
	uint64_t seed;
	int seed_given;
	char params[512]; /* canonical options, without -o and --seed */
};

/* Parses the options after `aggregates`; prints what is wrong to err and returns 2 (or 0). */
int ctip_agg_parse(int argc, char **argv, struct ctip_agg_args *a, FILE *err);

/* Computes, protects and writes the table to path (atomically: path.tmp renamed); the
 * snapshot's data version and the persons counted. */
int ctip_agg_run(ctip_store *s, const struct ctip_agg_args *a, const char *path, int64_t *version,
                 int64_t *persons, ctip_err *e);

/* Builds the protected table from the snapshot (the caller frees it with ctip_stats_free). */
int ctip_agg_table(const ctip_facts *f, const struct ctip_agg_args *a,
                   struct ctip_stats_table **out, int64_t *persons, ctip_err *e);

/* Two-sided geometric noise for a count of sensitivity 1 and the given epsilon: P(z) is
 * proportional to exp(-epsilon |z|); mean 0, variance 2a / (1 - a)^2 with a = exp(-epsilon).
 * state is the generator's (splitmix64). */
int64_t ctip_dp_geometric(uint64_t *state, double epsilon);

#endif
