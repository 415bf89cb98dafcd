/*
 * release_synth.h - synthetic records from protected aggregates (`ctip release synthetic`),
 * after Microsoft's synthetic data showcase: the counts of every combination of up to `length`
 * attribute values (unknown is no value), protected (k mode: a count under k is withheld, the
 * others rounded down to a multiple of k; dp mode: geometric noise calibrated per length and a
 * threshold, (epsilon, delta)-differentially private), and records drawn from them alone that
 * never hold a combination absent from the protected aggregates (an attribute that would make
 * one is left blank). docs/RELEASE.md.
 */
#ifndef CTIP_RELEASE_SYNTH_H
#define CTIP_RELEASE_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "facts.h"

struct ctip_syn_opts {
	int dp;         /* 0: k mode */
	int k;          /* k mode: >= 2 */
	int length;     /* 1 .. 6 */
	double epsilon; /* dp mode */
	double delta;   /* dp mode */
	int year;
	uint64_t seed;
	int threads;           /* 1 or 2 */
	const char *eval_path; /* the evaluation report beside it (release_eval.h); NULL none */
};

struct ctip_syn_report {
	long source;       /* persons */
	long records;      /* synthetic records written */
	long combos[7];    /* combinations in the source, by length */
	long published[7]; /* ... in the protected aggregates */
	long blanked;      /* attribute values left blank to avoid an unpublished combination */
	double tau[7];     /* dp: the threshold of each length */
	int64_t data_version;
	double attack_rate; /* the evaluation's linkage attack: records singling out one person */
};

/* Writes the synthetic records (CTDC's columns) to out and the protected aggregates to agg
 * (CSV: length,combination,count; may be NULL). */
int ctip_syn_run(const ctip_facts *f, const struct ctip_syn_opts *o, FILE *out, FILE *agg,
                 struct ctip_syn_report *r, ctip_err *e);

#endif
