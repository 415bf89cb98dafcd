/*
 * estimate_stepwise.c - model selection for the log-linear model.
 *
 * stepwise: SparseMSE's algorithm (Chan, Silverman and Vincent 2019). Start from the main
 * effects. In each cycle, for every pair of lists not yet in the model, the observed number
 * of persons on both lists is compared with its Poisson expectation under the current fit:
 * the one-sided p-value min(P(X <= n), P(X >= n)). A pair whose addition would make the MLE
 * infinite or unidentifiable gets p = 1. The pair of smallest p (the first in pair order on
 * ties) joins the model when p < pthresh; otherwise the selection stops. A pair with no
 * overlap can join (its expected overlap being large makes an empty one improbable): its
 * interaction is then minus infinity and its cells leave the model.
 *
 * bic: every subset of the two-list interactions (m <= 6), the MLE of each checked first,
 * the one of lowest BIC kept.
 */
#include <math.h>
#include <string.h>

#include "estimate.h"

int ctip_mse_stepwise(const struct ctip_mse_data *d, double pthresh, double alpha,
                      struct ctip_mse_fit *f)
{
	int m = d->m, np = ctip_mse_npairs(m);
	uint64_t model = 0;
	int chk = ctip_mse_check(d, 0);
	if (ctip_mse_fit_model(d, 0, alpha, f))
		return -1;
	f->nadded = 0;
	if (chk && f->ok) {
		/* SparseMSE fits the main effects unchecked; a fit that converged on data whose
		 * MLE does not exist has a meaningless intercept */
		f->ok = 0;
		snprintf(f->why, sizeof f->why, "%s",
		         chk & CTIP_MSE_INFINITE
		                 ? "the maximum likelihood estimate of even the main-effects model "
		                   "does not exist (a list's persons are on no other list, or the "
		                   "overlaps are too sparse)"
		                 : "the main-effects model is not identifiable");
	}
	if (!f->ok)
		return 0;
	double nstar[CTIP_MSE_MAX_PAIRS];
	for (int p = 0; p < np; p++) {
		int i, j;
		ctip_mse_pair(m, p, &i, &j);
		nstar[p] = ctip_mse_overlap(d, i, j);
	}
	int order[CTIP_MSE_MAX_PAIRS] = {0}, nadded = 0;
	for (int cycle = 0; cycle < np; cycle++) {
		double best = 2;
		int bp = -1;
		for (int p = 0; p < np; p++) {
			if (model >> p & 1)
				continue;
			int i, j;
			ctip_mse_pair(m, p, &i, &j);
			double pstar = 0;
			for (int c = 1; c < (1 << m); c++)
				if ((c >> i & 1) && (c >> j & 1) && f->mu[c] > 0)
					pstar += f->mu[c];
			double pv = fmin(ctip_ppois_le(nstar[p], pstar),
			                 ctip_ppois_ge(nstar[p], pstar));
			if (pv < pthresh && ctip_mse_check(d, model | 1ULL << p))
				pv = 1;
			if (pv < best) {
				best = pv;
				bp = p;
			}
		}
		if (bp < 0 || best >= pthresh)
			break;
		struct ctip_mse_fit next;
		if (ctip_mse_fit_model(d, model | 1ULL << bp, alpha, &next))
			return -1;
		if (!next.ok) {
			/* checked to exist, yet not fitted: keep the last model, say so */
			snprintf(f->why, sizeof f->why, "adding a pair failed: %.120s", next.why);
			break;
		}
		model |= 1ULL << bp;
		order[nadded++] = bp;
		*f = next;
	}
	f->nadded = nadded;
	memcpy(f->added, order, sizeof(int) * (size_t)nadded);
	return 0;
}

/* The models cand[0..ncand) (NULL: every subset of the pairs) whose MLE exists, fitted; the
 * best by BIC in f, and when top is given the ntop best models, best first, in top[0..*nout). */
static int bic_search(const struct ctip_mse_data *d, const uint64_t *cand, int ncand, double alpha,
                      struct ctip_mse_fit *f, uint64_t *top, int ntop, int *nout)
{
	int m = d->m, np = ctip_mse_npairs(m), nt = 0;
	double topbic[CTIP_MSE_BIC_TOP];
	if (!cand && np > 15) {
		f->ok = 0;
		snprintf(f->why, sizeof f->why,
		         "%d lists: BIC over every model is for at most 6 lists (2^15 models)", m);
		return 0;
	}
	if (ntop > CTIP_MSE_BIC_TOP)
		ntop = CTIP_MSE_BIC_TOP;
	struct ctip_mse_fit *cur = malloc(sizeof *cur);
	if (!cur)
		return -1;
	int found = 0;
	f->ok = 0;
	snprintf(f->why, sizeof f->why, "no model has a maximum likelihood estimate");
	uint64_t nmod = cand ? (uint64_t)ncand : 1ULL << np;
	for (uint64_t k = 0; k < nmod; k++) {
		uint64_t model = cand ? cand[k] : k;
		/* an interaction on an empty overlap is fixed at -inf, not estimated: BIC would
		 * reward removing cells, so such models are left out */
		int skip = 0;
		for (int p = 0; p < np && !skip; p++)
			if (model >> p & 1) {
				int i, j;
				ctip_mse_pair(m, p, &i, &j);
				skip = ctip_mse_overlap(d, i, j) <= 0;
			}
		if (skip || ctip_mse_check(d, model))
			continue;
		if (ctip_mse_fit_model(d, model, alpha, cur)) {
			free(cur);
			return -1;
		}
		if (!cur->ok)
			continue;
		if (!found || cur->bic < f->bic - 1e-9) {
			*f = *cur;
			found = 1;
		}
		if (top && (nt < ntop || cur->bic < topbic[nt - 1])) {
			int at = nt < ntop ? nt++ : nt - 1;
			while (at > 0 && topbic[at - 1] > cur->bic) {
				topbic[at] = topbic[at - 1];
				top[at] = top[at - 1];
				at--;
			}
			topbic[at] = cur->bic;
			top[at] = model;
		}
	}
	free(cur);
	if (nout)
		*nout = nt;
	if (found) {
		f->nadded = 0;
		for (int p = 0; p < np; p++)
			if (f->model >> p & 1)
				f->added[f->nadded++] = p;
	}
	return 0;
}

int ctip_mse_bic(const struct ctip_mse_data *d, double alpha, struct ctip_mse_fit *f)
{
	return bic_search(d, NULL, 0, alpha, f, NULL, 0, NULL);
}

int ctip_mse_bic_top(const struct ctip_mse_data *d, int ntop, uint64_t *models, int *n)
{
	struct ctip_mse_fit *f = malloc(sizeof *f);
	if (!f)
		return -1;
	int rc = bic_search(d, NULL, 0, 0.05, f, models, ntop, n);
	free(f);
	return rc;
}

int ctip_mse_bic_among(const struct ctip_mse_data *d, const uint64_t *models, int n, double alpha,
                       struct ctip_mse_fit *f)
{
	return bic_search(d, models, n, alpha, f, NULL, 0, NULL);
}
