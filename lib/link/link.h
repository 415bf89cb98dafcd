/*
 * link.h - probabilistic record linkage of person records (Fellegi-Sunter).
 *
 * A run reads every person record through the store (link_input), prepares
 * each once (folded names as dictionary ids, parsed dates, normalised
 * documents and phones), forms candidate pairs by several blocking rules,
 * compares each pair (link_compare.h), estimates the m probabilities and the
 * share of matches by EM (u from random pairs), weighs exact name agreement
 * by how rare the name is, clusters the pairs above the threshold into
 * persons, and stores each record's person key and the scored pairs. Source
 * records are never changed.
 */
#ifndef CTIP_LINK_H
#define CTIP_LINK_H

#include <stdint.h>

#include "error.h"
#include "store.h"

struct ctip_link_opts {
	double threshold; /* match probability at or above which a pair is linked (0: the one
	                   * that maximises the F1 the model expects, link_quality.h) */
	int threads;      /* 0: 2 */
	int max_cluster;  /* a link that would make a larger cluster is refused (0: 40) */
	int reuse_model;  /* recompute every link with the last run's model instead of
	                   * estimating one (the weights, and so the review band, stay) */
	int full;         /* recompute everything even when a run was made before */
};

struct ctip_link_stats {
	long records, pairs, links, persons, refused;
	long decided;     /* reviewers' "same" decisions applied */
	int incremental;  /* only the records new or changed since the last run were linked */
	long new_records; /* incremental: how many (changed ones included) */
	long changed;     /* incremental: records whose person key was stored anew */
	long cached;      /* incremental: records taken from the cache of prepared records */
	int em_iterations;
	double lambda;
	double threshold; /* the one used: given, stored (incremental), or chosen by the model */
	double t_read, t_prepare, t_block, t_score, t_em, t_cluster, t_save;
};

/* Links the records and stores the result (in one transaction). After a first run, a run is
 * incremental unless o->full, o->reuse_model or another threshold: it reuses the stored
 * model, blocks and compares only the records new or changed since (against all), and adds
 * them to the stored clusters, whose person keys stay (when two merge, the key of the one
 * with the first record stays). */
int ctip_link_run(ctip_store *s, const struct ctip_link_opts *o, struct ctip_link_stats *st,
                  ctip_err *e);

/* Which linkage counts of persons rest on (issue 12), for the provenance of statistics: "full
 * run of TIME (threshold T): P persons, expected E (L to H)" from the last run's quality
 * estimate, or "" when linkage never ran or its run predates the estimates. */
void ctip_link_provenance(ctip_store *s, char *buf, size_t n);

/* The comparisons of a pair, as `ctip link explain` shows them. */
enum { CTIP_LK_NCMP = 12 };
struct ctip_link_explain {
	const char *name[CTIP_LK_NCMP];  /* comparison */
	const char *level[CTIP_LK_NCMP]; /* its level for the pair */
	double weight[CTIP_LK_NCMP];     /* log2(m/u), with the name-frequency adjustment */
	double full_name; /* the full name's frequency instead of its two names' (0 unless both
	                     agree) */
	double prior, total, probability, threshold;
	int swapped;  /* family and given names read crossed */
	int linked;   /* the last run put both in one person */
	int decision; /* a reviewer's: 1 same, 0 different, -1 none */
	char key_a[24], key_b[24];
};

/* Explains records a and b under the model of the last run. */
int ctip_link_explain(ctip_store *s, int64_t a, int64_t b, struct ctip_link_explain *x,
                      ctip_err *e);

#endif
