/*
 * estimate.h - multiple systems estimation (MSE): how many victims no list saw, from the
 * overlaps of the lists that saw some (docs/ESTIMATION.md).
 *
 * Capture histories are held as one count per capture pattern: bit i of the pattern is set
 * when the person is on list i, pattern 0 is the dark figure (never observed). The methods:
 *   stepwise  Poisson log-linear models with two-list interactions added by one-sided p-value
 *             (Chan, Silverman and Vincent 2019, the algorithm of SparseMSE), the existence
 *             of the MLE checked by linear programming (Fienberg and Rinaldo 2012, GLPK) and
 *             its identifiability by the rank of the design;
 *   bic       the log-linear model of lowest BIC over all hierarchical two-list models;
 *   lcm       a latent-class model with a Dirichlet-process prior (Manrique-Vallier 2016).
 * Intervals: BCa bootstrap with jackknife acceleration (Efron 1987) for the log-linear
 * methods, posterior quantiles for lcm.
 */
#ifndef CTIP_ESTIMATE_H
#define CTIP_ESTIMATE_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define CTIP_MSE_MAX_LISTS 10
#define CTIP_MSE_MAX_CELLS (1 << CTIP_MSE_MAX_LISTS)
#define CTIP_MSE_MAX_PAIRS (CTIP_MSE_MAX_LISTS * (CTIP_MSE_MAX_LISTS - 1) / 2)
#define CTIP_MSE_NAME      48

/* Capture histories: y[pattern] persons on exactly the lists of the pattern. */
struct ctip_mse_data {
	int m;
	char names[CTIP_MSE_MAX_LISTS][CTIP_MSE_NAME];
	double y[CTIP_MSE_MAX_CELLS];
};

/* --- estimate_hist.c: capture histories ---------------------------------------------- */

/* Reads the format of ../shared/reference/mse/: a header of list names and "count", one 0/1
 * column per list and the count last; a pattern may appear on several rows (added). */
int ctip_mse_read_csv(FILE *f, const char *name, struct ctip_mse_data *d, ctip_err *e);
double ctip_mse_nobs(const struct ctip_mse_data *d);
/* Persons on list i; persons on both lists of pair (i, j). */
double ctip_mse_list_total(const struct ctip_mse_data *d, int i);
double ctip_mse_overlap(const struct ctip_mse_data *d, int i, int j);
/* The pairs in SparseMSE's order: (0,1), (0,2), ..., (m-2,m-1). */
int ctip_mse_npairs(int m);
void ctip_mse_pair(int m, int p, int *i, int *j);
/* Three-list terms (the bic method, 4 to 6 lists): bit ctip_mse_npairs(m) + t of a model is
 * triple t, in the order (0,1,2), (0,1,3), ..., (m-3,m-2,m-1); a model holds a triple only
 * with its three pairs (hierarchical). 0 when m < 4 (with three lists the three-list term is
 * confounded with the dark figure) or m > 6. */
int ctip_mse_ntriples(int m);
void ctip_mse_triple(int m, int t, int *i, int *j, int *k);
/* The lists of term p of a model (a pair, or a triple when p >= the number of pairs) into
 * l; their number (2 or 3). */
int ctip_mse_term(int m, int p, int l[3]);
/* Persons on all three lists. */
double ctip_mse_overlap3(const struct ctip_mse_data *d, int i, int j, int k);
/* Removes list k: its persons stay, on the patterns of the other lists (those on k alone
 * become unseen). */
void ctip_mse_drop_list(struct ctip_mse_data *d, int k);
/* Drops lists that hold nobody or everybody (they say nothing about the dark figure, as
 * SparseMSE's removenoninformativelists); names of dropped lists go to why. Returns how many
 * were dropped. */
int ctip_mse_drop_uninformative(struct ctip_mse_data *d, char *why, size_t n);

/* --- estimate_exist.c: existence and identifiability of the MLE ---------------------- */

enum { CTIP_MSE_INFINITE = 1, CTIP_MSE_UNIDENTIFIABLE = 2 };
/* 0 when the MLE of the model (a set of pairs) exists and is identifiable, else a mask of
 * the two failures: the Fienberg-Rinaldo LP finds no strictly positive table with the same
 * sufficient statistics, or the design (with the cells of empty overlaps removed) is rank
 * deficient. Answers are cached by the data's support and the model (they depend on
 * nothing else); the cache is shared by threads. */
int ctip_mse_check(const struct ctip_mse_data *d, uint64_t model);
/* The same by the primal LP (SparseMSE's form), uncached: slower; for the tests. */
int ctip_mse_check_primal(const struct ctip_mse_data *d, uint64_t model);
/* Frees the calling thread's LP environment (GLPK's is per thread). */
void ctip_mse_check_thread_done(void);
/* LPs solved and answers taken from the cache (for the benchmarks). */
void ctip_mse_check_stats(long *solved, long *cached);

/* --- estimate_loglin.c: Poisson log-linear fit by IRLS -------------------------------- */

struct ctip_mse_fit {
	int ok;                      /* the fit converged */
	uint64_t model;              /* pairs in the model */
	int nadded, added[64];       /* terms, in the order they were added */
	uint64_t empty;              /* pairs of the model whose overlap is empty */
	double beta0, se0;           /* intercept = log expected dark figure, its sd */
	double nobs, dark, total;    /* total = nobs + exp(beta0) */
	double lo_normal, hi_normal; /* SparseMSE's normal interval on the log dark figure */
	double deviance, aic, bic;
	int npar, ncells, df, iters;
	double mu[CTIP_MSE_MAX_CELLS]; /* fitted; -1 for cells removed (empty overlaps) */
	char why[160];                 /* when !ok */
};
/* Fits the model; alpha sets the normal interval (0.05: 2.5 % and 97.5 %). */
int ctip_mse_fit_model(const struct ctip_mse_data *d, uint64_t model, double alpha,
                       struct ctip_mse_fit *f);

/* --- estimate_stepwise.c ------------------------------------------------------------- */

/* SparseMSE's stepwise selection with p-value threshold pthresh (0.02). f->ok 0 with
 * f->why when not even the main-effects model can be fitted. */
int ctip_mse_stepwise(const struct ctip_mse_data *d, double pthresh, double alpha,
                      struct ctip_mse_fit *f);
/* The model of lowest BIC among the hierarchical models of two- and three-list interactions
 * whose MLE exists, as MultipleSystemsEstimation searches them (maxorder 3): every one for
 * up to five lists (113 models of four lists, 6,212 of five); for six lists every model of
 * two-list terms (32,768), then up to two three-list terms added to the 64 best of them (the
 * 3.7 million models of order 3 would take hours). Three-list terms with no person on all
 * three lists are left out (their interaction would be minus infinity). */
int ctip_mse_bic(const struct ctip_mse_data *d, double alpha, struct ctip_mse_fit *f);
/* The ntop (<= CTIP_MSE_BIC_TOP) best models by BIC on d, best first; and the best among given
 * models. The bootstrap of six lists searches only the best models of the data in each
 * replicate (Silverman, Chan and Vincent 2024's n_top), not all 32,768. */
#define CTIP_MSE_BIC_TOP 64
int ctip_mse_bic_top(const struct ctip_mse_data *d, int ntop, uint64_t *models, int *n);
int ctip_mse_bic_among(const struct ctip_mse_data *d, const uint64_t *models, int n, double alpha,
                       struct ctip_mse_fit *f);

/* --- estimate_boot.c: BCa bootstrap ------------------------------------------------- */

enum ctip_mse_method { CTIP_MSE_STEPWISE, CTIP_MSE_BIC, CTIP_MSE_LCM };

struct ctip_mse_boot {
	int nboot, failed; /* replicates asked for, replicates with no estimate */
	int ntop;          /* bic: models searched in each replicate (0: all) */
	double z0, ahat;   /* bias correction, acceleration */
	double lo, hi;     /* BCa limits */
	double plo, phi;   /* the percentiles of the replicates they correspond to */
	double *reps;      /* sorted successful replicates (malloc) */
	int nreps;
	char why[160]; /* when no interval */
};
/* The point estimate is fit->total of the same method on d. Replicate r is drawn from a
 * generator seeded by (seed, r), so the result does not depend on the number of threads. */
int ctip_mse_bootstrap(const struct ctip_mse_data *d, enum ctip_mse_method method, double pthresh,
                       double point, int nboot, uint64_t seed, double alpha, int threads,
                       struct ctip_mse_boot *b, ctip_err *e);
void ctip_mse_boot_free(struct ctip_mse_boot *b);

/* --- estimate_lcm.c: latent classes with a Dirichlet-process prior ------------------ */

struct ctip_mse_lcm {
	int K, burnin, iters, thin;
	double a_alpha, b_alpha; /* Gamma prior of the concentration */
	double mean, median, lo, hi, nobs;
	int nsamples;
	double eff_classes; /* posterior mean of occupied classes */
	char why[160];
};
int ctip_mse_lcm(const struct ctip_mse_data *d, uint64_t seed, double alpha, struct ctip_mse_lcm *r,
                 ctip_err *e);

/* --- estimate_dist.c: distributions and random numbers ------------------------------- */

double ctip_pnorm(double x);
double ctip_qnorm(double p);
/* P(X <= n) and P(X >= n) for X ~ Poisson(lambda). */
double ctip_ppois_le(double n, double lambda);
double ctip_ppois_ge(double n, double lambda);
/* R's quantile type 8 (median-unbiased) of sorted x. */
double ctip_quantile8(const double *x, int n, double p);

struct ctip_rng {
	uint64_t s[4];
};
void ctip_rng_seed(struct ctip_rng *r, uint64_t seed, uint64_t stream);
double ctip_rng_unif(struct ctip_rng *r); /* (0, 1) */
double ctip_rng_gamma(struct ctip_rng *r, double shape);
double ctip_rng_normal(struct ctip_rng *r);
/* n draws over k cells with probabilities proportional to w, into out. */
void ctip_rng_multinom(struct ctip_rng *r, long n, const double *w, int k, double *out);
long ctip_rng_binom(struct ctip_rng *r, long n, double p);
long ctip_rng_negbin(struct ctip_rng *r, double size, double p);

/* --- estimate_run.c: one estimate with its checks, as the command reports it ---------- */

#define CTIP_MSE_MIN_PERSONS 20
#define CTIP_MSE_MIN_LIST    5

struct ctip_mse_opts {
	int stepwise, bic, lcm; /* methods asked for */
	double pthresh, alpha;  /* 0.02, 0.05 */
	int nboot, threads;     /* 1000 (0: no bootstrap), CPUs */
	uint64_t seed;
	int lcm_iters, lcm_burnin, lcm_K;
	int coarse; /* warnings name no counts of persons (the server, to roles without raw
	               counts: a list's or a stratum's size is a count to suppress) */
};
void ctip_mse_opts_default(struct ctip_mse_opts *o);

struct ctip_mse_result {
	char stratum[160];         /* "" for all, else "dim=value, ..." */
	struct ctip_mse_data in;   /* as given */
	struct ctip_mse_data data; /* the lists the model uses */
	double nobs;               /* persons observed (on any list given) */
	int estimated;             /* 0: warnings say why there is no number */
	struct ctip_mse_fit step, bic;
	struct ctip_mse_boot bstep, bbic;
	struct ctip_mse_lcm lcm;
	int has_step, has_bic, has_lcm;
	/* the stepwise estimate with persons merged along the pairs linked at probability >=
	 * sens_min (the lower end of the review band): -1 when none */
	int has_sens;
	double sens_min, sens_nobs, sens_total;
	int nwarn;
	char warn[16][400];
};
/* Runs the methods of o on d; the result holds warnings where a number cannot be given. */
int ctip_mse_run(const struct ctip_mse_data *d, const char *stratum, const struct ctip_mse_opts *o,
                 struct ctip_mse_result *r, ctip_err *e);
void ctip_mse_result_free(struct ctip_mse_result *r);

/* --- estimate_reg.c: capture histories from the registry's linked victims ------------ */

struct ctip_facts;
enum { CTIP_MSE_LISTS_ORG, CTIP_MSE_LISTS_ORG_TYPE, CTIP_MSE_LISTS_FILE };
struct ctip_mse_reg {
	int lists; /* one list per organisation, type, or file group */
	int nmap;  /* FILE: organisation map_org[k] is on list map_list[k] */
	char **map_org, **map_list;
	int32_t from, to; /* YYYYMMDD of the victims' reference dates; 0 open */
	int nby, by[2];   /* facts.h dimensions */
	int64_t (*remap)(void *ctx, int64_t key); /* NULL, or merges persons */
	void *remap_ctx;
};
struct ctip_mse_reg_out {
	int n, cap; /* strata */
	struct ctip_mse_data *data;
	char (*label)[160];
	int m; /* lists, shared by the strata */
	char names[CTIP_MSE_MAX_LISTS][CTIP_MSE_NAME];
	long rows, rows_undated, rows_unmapped, persons;
};
int ctip_mse_histories(const struct ctip_facts *f, const struct ctip_mse_reg *q,
                       struct ctip_mse_reg_out *o, ctip_err *e);
void ctip_mse_reg_out_free(struct ctip_mse_reg_out *o);

/* --- estimate_out.c ------------------------------------------------------------------- */

#include <jansson.h>
/* The results as JSON (provenance may be NULL; it is taken over). */
json_t *ctip_mse_json(const struct ctip_mse_result *r, int n, const struct ctip_mse_opts *o,
                      json_t *provenance);
/* The interactions of a fitted model, "A:B C:D", or "main effects only". */
void ctip_mse_model_text(const struct ctip_mse_data *d, const struct ctip_mse_fit *f, char *buf,
                         size_t n);
int ctip_mse_write(FILE *out, const char *fmt, const struct ctip_mse_result *r, int n,
                   const struct ctip_mse_opts *o, json_t *provenance, ctip_err *e);

#endif
