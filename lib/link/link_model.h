/*
 * link_model.h - the weights of record linkage (Fellegi-Sunter): the model (m and u of each
 * level of each comparison, the prior share of matches), how it is estimated (u among random
 * pairs, m by EM in two training populations, the prior by fixed point), the name-frequency
 * adjustment of exact name agreement, a pair's weight, and the model as stored (JSON).
 */
#ifndef CTIP_LINK_MODEL_H
#define CTIP_LINK_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "link_prep.h"

/* The comparisons' names and number of levels, and a level's name ("missing" included). */
extern const char *const lk_cmp_name[C_N];
extern const int lk_cmp_levels[C_N];
const char *lk_level_name(int c, int l);

/* The model: m and u of each level of each comparison, and the prior share of matches. */
struct lk_model {
	double m[C_N][8], u[C_N][8];
	double ur[C_N][8]; /* u among random pairs (u is among the candidate pairs) */
	double lambda;
};

/* The weights of a run, computed once: each level's log2(m/u), and for exact agreement on
 * each name (by dictionary id) its frequency adjustment. */
struct lk_wtab {
	double prior, lw[C_N][8];
	double *tf[3]; /* family, given, middle: log2(u / frequency) by name id */
};

/* Compares the pairs (a[i], b[i]) into pat[i] on threads. */
int lk_score(const struct lk_data *d, const uint32_t *a, const uint32_t *b, lk_pat *pat, size_t n,
             int threads);

void lk_model_init_m(struct lk_model *md);
/* u (and u among random pairs) from random pairs of records. */
void lk_estimate_u(const struct lk_data *d, struct lk_model *md, int threads);
/* m by EM over the candidate pairs' patterns, then the prior; -1 when out of memory. */
int lk_estimate_m(struct lk_model *md, const lk_pat *pat, size_t n, long records, int *iters);

/* The weight of comparison c at level l for a pair whose first record is a. */
double lk_level_weight(const struct lk_model *md, const struct lk_data *d, const struct lk_rec *a,
                       int c, int l);
/* The adjustment when family and given names both agree exactly (full-name frequency). */
double lk_full_name_adjust(const struct lk_model *md, const struct lk_data *d,
                           const struct lk_rec *a, lk_pat pat);
/* Whether comparison c counts in pattern pat (gender not again after the given name). */
int lk_counted(lk_pat pat, int c);
double lk_prob(double w);

int lk_wtab_init(struct lk_wtab *t, const struct lk_model *md, const struct lk_data *d);
void lk_wtab_free(struct lk_wtab *t);
/* A pair's weight (log2 of the Bayes factor with the prior). */
double lk_pair_weight(const struct lk_wtab *t, const struct lk_model *md, const struct lk_data *d,
                      const struct lk_rec *a, lk_pat pat);

/* The model as stored (malloc'd JSON; NULL when out of memory), and back (-1 when damaged). */
char *lk_model_json(const struct lk_model *md, double threshold);
int lk_model_parse(const char *s, struct lk_model *md, double *threshold);

#endif
