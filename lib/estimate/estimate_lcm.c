/*
 * estimate_lcm.c - the latent-class model of Manrique-Vallier (2016), as the R package LCMCR
 * fits it (the model HRDAG uses): each person belongs to one of at most K latent classes
 * and, within a class, is on each list independently with a probability of the class and
 * list. Heterogeneous capture probabilities are thus allowed without choosing interactions.
 *
 * Prior: class weights by a stick-breaking Dirichlet process truncated at K (V_k ~ Beta(1,
 * alpha), alpha ~ Gamma(0.25, 0.25)), capture probabilities Beta(1, 1), and p(N) ~ 1/N.
 * Gibbs sampler with data augmentation, on the counts of capture patterns rather than on
 * persons (the persons of one pattern are exchangeable):
 *   1. the persons of each observed pattern spread over the classes (multinomial);
 *   2. the unobserved: n0 ~ NegBin(n, 1 - p0), p0 = sum_k pi_k prod_j (1 - lambda_jk),
 *      spread over the classes in proportion to pi_k prod_j (1 - lambda_jk);
 *   3. lambda_jk ~ Beta(1 + on list j in class k, 1 + not on it);
 *   4. V_k ~ Beta(1 + n_k, alpha + n_{>k}); alpha ~ Gamma(0.25 + K - 1, 0.25 - sum log(1 - V_k)).
 * The estimate is the posterior median of N = n + n0, the interval its quantiles.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"

#define KMAX 50

static double rbeta(struct ctip_rng *g, double a, double b)
{
	double x = ctip_rng_gamma(g, a), y = ctip_rng_gamma(g, b);
	return x + y > 0 ? x / (x + y) : 0.5;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int ctip_mse_lcm(const struct ctip_mse_data *d, uint64_t seed, double alpha, struct ctip_mse_lcm *r,
                 ctip_err *e)
{
	int m = d->m, K = r->K > 0 && r->K <= KMAX ? r->K : 10;
	int iters = r->iters > 0 ? r->iters : 10000;
	int burnin = r->burnin >= 0 && r->burnin < iters ? r->burnin : iters / 5;
	r->K = K;
	r->iters = iters;
	r->burnin = burnin;
	r->a_alpha = r->b_alpha = 0.25;
	r->why[0] = 0;
	r->nsamples = 0;
	/* the observed patterns */
	int cells[CTIP_MSE_MAX_CELLS], nc = 0;
	long n = 0;
	for (int c = 1; c < (1 << m); c++)
		if (d->y[c] > 0) {
			cells[nc++] = c;
			n += (long)d->y[c];
		}
	r->nobs = (double)n;
	if (n <= 0 || m < 2) {
		snprintf(r->why, sizeof r->why, "needs at least two lists and one person");
		return 0;
	}
	int nsamp = iters - burnin;
	double *N = malloc(sizeof(double) * (size_t)nsamp);
	if (!N)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory for %d samples", nsamp);
	struct ctip_rng g;
	ctip_rng_seed(&g, seed, 0x6c636d); /* a stream of its own: "lcm" */
	double lam[CTIP_MSE_MAX_LISTS][KMAX], pi[KMAX], V[KMAX], a = 1;
	for (int k = 0; k < K; k++) {
		for (int j = 0; j < m; j++)
			lam[j][k] = 0.2 + 0.6 * ctip_rng_unif(&g);
		pi[k] = 1.0 / K;
	}
	long n0 = n / 2;
	double occ = 0;
	int capped = 0;
	for (int it = 0; it < iters; it++) {
		double nk[KMAX] = {0}, sjk[CTIP_MSE_MAX_LISTS][KMAX] = {{0}}, w[KMAX], out[KMAX];
		/* 1. observed patterns over the classes */
		for (int t = 0; t < nc; t++) {
			int c = cells[t];
			for (int k = 0; k < K; k++) {
				double p = pi[k];
				for (int j = 0; j < m; j++)
					p *= c >> j & 1 ? lam[j][k] : 1 - lam[j][k];
				w[k] = p;
			}
			ctip_rng_multinom(&g, (long)d->y[c], w, K, out);
			for (int k = 0; k < K; k++) {
				if (!out[k])
					continue;
				nk[k] += out[k];
				for (int j = 0; j < m; j++)
					if (c >> j & 1)
						sjk[j][k] += out[k];
			}
		}
		/* 2. the unobserved: how many, then their classes */
		double p0 = 0;
		for (int k = 0; k < K; k++) {
			double p = pi[k];
			for (int j = 0; j < m; j++)
				p *= 1 - lam[j][k];
			w[k] = p;
			p0 += p;
		}
		if (p0 >= 1 - 1e-12)
			p0 = 1 - 1e-12;
		n0 = ctip_rng_negbin(&g, (double)n, 1 - p0);
		if (n0 > 100000000L) {
			n0 = 100000000L;
			capped = 1;
		}
		ctip_rng_multinom(&g, n0, w, K, out);
		for (int k = 0; k < K; k++)
			nk[k] += out[k];
		/* 3. capture probabilities */
		for (int k = 0; k < K; k++)
			for (int j = 0; j < m; j++)
				lam[j][k] = rbeta(&g, 1 + sjk[j][k], 1 + nk[k] - sjk[j][k]);
		/* 4. stick-breaking weights and the concentration */
		double rest = 0, logsum = 0, stick = 1;
		for (int k = 0; k < K; k++)
			rest += nk[k];
		for (int k = 0; k < K; k++) {
			rest -= nk[k];
			V[k] = k == K - 1 ? 1 : rbeta(&g, 1 + nk[k], a + rest);
			if (k < K - 1 && V[k] > 1 - 1e-12)
				V[k] = 1 - 1e-12;
			pi[k] = V[k] * stick;
			stick *= 1 - V[k];
			if (k < K - 1)
				logsum += log1p(-V[k]);
		}
		a = ctip_rng_gamma(&g, r->a_alpha + K - 1) / (r->b_alpha - logsum);
		if (!(a > 1e-6))
			a = 1e-6;
		if (it >= burnin) {
			N[it - burnin] = (double)(n + n0);
			int used = 0;
			for (int k = 0; k < K; k++)
				used += nk[k] > 0;
			occ += used;
		}
	}
	r->nsamples = nsamp;
	double sum = 0;
	for (int i = 0; i < nsamp; i++)
		sum += N[i];
	r->mean = sum / nsamp;
	r->eff_classes = occ / nsamp;
	qsort(N, (size_t)nsamp, sizeof(double), cmp_double);
	r->median = ctip_quantile8(N, nsamp, 0.5);
	r->lo = ctip_quantile8(N, nsamp, alpha / 2);
	r->hi = ctip_quantile8(N, nsamp, 1 - alpha / 2);
	free(N);
	if (capped)
		snprintf(r->why, sizeof r->why,
		         "the sampler reached 100 million unseen persons: the lists overlap too "
		         "little to bound the estimate");
	return 0;
}
