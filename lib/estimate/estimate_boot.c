/*
 * estimate_boot.c - BCa bootstrap interval of the population size (Efron 1987), as
 * SparseMSE's estimatepopulation: nboot multinomial resamples of the observed persons over
 * their capture patterns, the whole model selection redone on each; the acceleration from
 * the jackknife (one person of each pattern left out in turn, weighted by the pattern's
 * count); the bias correction from the share of replicates below the point estimate; the
 * limits are the type-8 quantiles of the replicates at the BCa-adjusted levels.
 *
 * Replicates and jackknife estimates are shared out between threads by an atomic counter;
 * replicate r draws from a generator seeded by (seed, r) alone, so any thread count gives
 * the same interval.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"

struct job {
	const struct ctip_mse_data *d;
	enum ctip_mse_method method;
	double pthresh;
	uint64_t seed;
	int nboot, njack, jcell[CTIP_MSE_MAX_CELLS];
	int ncell, cell[CTIP_MSE_MAX_CELLS];
	double *out; /* nboot replicates, then njack jackknife estimates; NAN: no estimate */
	uint64_t top[CTIP_MSE_BIC_TOP]; /* bic on six lists or more: the models searched */
	int ntop;
	atomic_int next;
};

static double estimate_of(const struct ctip_mse_data *d, enum ctip_mse_method method,
                          double pthresh, const uint64_t *top, int ntop)
{
	struct ctip_mse_fit *f = malloc(sizeof *f);
	double v = NAN;
	if (!f)
		return v;
	int rc = method == CTIP_MSE_BIC ? ntop ? ctip_mse_bic_among(d, top, ntop, 0.05, f)
	                                       : ctip_mse_bic(d, 0.05, f)
	                                : ctip_mse_stepwise(d, pthresh, 0.05, f);
	if (!rc && f->ok)
		v = f->total;
	free(f);
	return v;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct ctip_mse_data *d = malloc(sizeof *d);
	if (!d)
		return NULL;
	double w[CTIP_MSE_MAX_CELLS], draw[CTIP_MSE_MAX_CELLS];
	for (int k = 0; k < j->ncell; k++)
		w[k] = j->d->y[j->cell[k]];
	long nobs = (long)ctip_mse_nobs(j->d);
	for (;;) {
		int r = atomic_fetch_add(&j->next, 1);
		if (r >= j->nboot + j->njack)
			break;
		*d = *j->d;
		if (r < j->nboot) {
			struct ctip_rng g;
			ctip_rng_seed(&g, j->seed, (uint64_t)r);
			ctip_rng_multinom(&g, nobs, w, j->ncell, draw);
			for (int k = 0; k < j->ncell; k++)
				d->y[j->cell[k]] = draw[k];
		} else {
			d->y[j->jcell[r - j->nboot]] -= 1;
		}
		j->out[r] = estimate_of(d, j->method, j->pthresh, j->top, j->ntop);
	}
	free(d);
	return NULL;
}

static void *worker_thread(void *arg)
{
	worker(arg);
	ctip_mse_check_thread_done();
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int ctip_mse_bootstrap(const struct ctip_mse_data *d, enum ctip_mse_method method, double pthresh,
                       double point, int nboot, uint64_t seed, double alpha, int threads,
                       struct ctip_mse_boot *b, ctip_err *e)
{
	memset(b, 0, sizeof *b);
	b->nboot = nboot;
	b->lo = b->hi = NAN;
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory for the bootstrap");
	j->d = d;
	j->method = method;
	j->pthresh = pthresh;
	j->seed = seed;
	j->nboot = nboot;
	for (int c = 1; c < (1 << d->m); c++)
		if (d->y[c] > 0) {
			j->cell[j->ncell++] = c;
			j->jcell[j->njack++] = c;
		}
	j->out = malloc(sizeof(double) * (size_t)(nboot + j->njack));
	if (!j->out) {
		free(j);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory for %d replicates", nboot);
	}
	atomic_init(&j->next, 0);
	/* five lists and more: 6,212 models per replicate (five lists, with three-list terms) or
	 * 32,768 and more (six) would take minutes to hours; the best of the data's */
	if (method == CTIP_MSE_BIC && d->m >= 5 &&
	    ctip_mse_bic_top(d, CTIP_MSE_BIC_TOP, j->top, &j->ntop)) {
		free(j->out);
		free(j);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory for the bootstrap");
	}
	b->ntop = j->ntop;
	if (threads < 1)
		threads = 1;
	if (threads > 64)
		threads = 64;
	pthread_t tid[64];
	int started = 0;
	for (int t = 1; t < threads; t++)
		if (!pthread_create(&tid[started], NULL, worker_thread, j))
			started++;
	worker(j);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);

	/* the acceleration: jackknife residuals, each counted as often as its pattern */
	double sw = 0, sm = 0, s2 = 0, s3 = 0;
	int jack_ok = 1;
	for (int k = 0; k < j->njack; k++) {
		double v = j->out[nboot + k];
		if (!isfinite(v))
			jack_ok = 0;
		sw += d->y[j->jcell[k]];
		sm += d->y[j->jcell[k]] * v;
	}
	for (int k = 0; k < j->njack && jack_ok; k++) {
		double r = sm / sw - j->out[nboot + k], c = d->y[j->jcell[k]];
		s2 += c * r * r;
		s3 += c * r * r * r;
	}
	b->ahat = jack_ok && s2 > 0 ? s3 / (6 * pow(s2, 1.5)) : 0;

	b->reps = malloc(sizeof(double) * (size_t)(nboot ? nboot : 1));
	if (!b->reps) {
		free(j->out);
		free(j);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory for the bootstrap");
	}
	int below = 0;
	for (int r = 0; r < nboot; r++) {
		double v = j->out[r];
		if (!isfinite(v)) {
			b->failed++;
			continue;
		}
		below += v < point;
		b->reps[b->nreps++] = v;
	}
	free(j->out);
	free(j);
	qsort(b->reps, (size_t)b->nreps, sizeof(double), cmp_double);
	if (!jack_ok)
		snprintf(b->why, sizeof b->why,
		         "a jackknife estimate failed: the acceleration is taken as 0");
	if (b->nreps < 10 || !isfinite(point)) {
		snprintf(b->why, sizeof b->why,
		         "%d of %d replicates gave an estimate: too few for an interval", b->nreps,
		         nboot);
		return 0;
	}
	double share = (double)below / b->nreps;
	if (share <= 0 || share >= 1) {
		snprintf(b->why, sizeof b->why,
		         "every replicate is on one side of the estimate: no BCa interval");
		return 0;
	}
	b->z0 = ctip_qnorm(share);
	double lev[2] = {alpha / 2, 1 - alpha / 2}, lim[2];
	for (int k = 0; k < 2; k++) {
		double za = ctip_qnorm(lev[k]), za0 = za + b->z0;
		double zq = ctip_pnorm(b->z0 + za0 / (1 - b->ahat * za0));
		(k ? &b->phi : &b->plo)[0] = zq;
		lim[k] = ctip_quantile8(b->reps, b->nreps, zq);
	}
	b->lo = lim[0];
	b->hi = lim[1];
	return 0;
}

void ctip_mse_boot_free(struct ctip_mse_boot *b)
{
	free(b->reps);
	b->reps = NULL;
}
