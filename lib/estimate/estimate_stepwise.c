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
 * bic: the hierarchical models of two- and three-list interactions (MultipleSystemsEstimation
 * with maxorder 3; Silverman, Chan and Vincent 2024): every subset of the pairs, each with
 * every subset of the triples whose three pairs it holds (up to five lists; for six, every
 * subset of the pairs, and up to two triples added to the 64 best of those), the MLE of each
 * checked first, the one of lowest BIC kept. A term whose lists share no person is left out
 * (an interaction on an empty overlap is minus infinity, not estimated: BIC would reward
 * the cells it removes).
 */
#include <math.h>
#include <stdlib.h>
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
		for (int t = 0, ntr = ctip_mse_ntriples(m); t < ntr && !skip; t++)
			if (model >> (np + t) & 1) {
				int i, j, l;
				ctip_mse_triple(m, t, &i, &j, &l);
				skip = ctip_mse_overlap3(d, i, j, l) <= 0;
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
		for (int p = 0; p < np + ctip_mse_ntriples(m); p++)
			if (f->model >> p & 1)
				f->added[f->nadded++] = p;
	}
	return 0;
}

struct cands {
	uint64_t *v;
	int n, cap;
};

static int cand_add(struct cands *c, uint64_t model)
{
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 256;
		uint64_t *v = realloc(c->v, sizeof *v * (size_t)cap);
		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = model;
	return 0;
}

/* The triples (as model bits) whose pairs are all in model and whose lists share a person. */
static int triangles(const struct ctip_mse_data *d, uint64_t model, uint64_t *bits)
{
	int m = d->m, np = ctip_mse_npairs(m), nt = ctip_mse_ntriples(m), n = 0;
	for (int t = 0; t < nt; t++) {
		int l[3];
		ctip_mse_triple(m, t, &l[0], &l[1], &l[2]);
		int all = 1;
		for (int p = 0; p < np && all; p++) {
			int i, j;
			ctip_mse_pair(m, p, &i, &j);
			int in = (i == l[0] || i == l[1] || i == l[2]) &&
			         (j == l[0] || j == l[1] || j == l[2]);
			all = !in || (model >> p & 1);
		}
		if (all && ctip_mse_overlap3(d, l[0], l[1], l[2]) > 0)
			bits[n++] = 1ULL << (np + t);
	}
	return n;
}

/* Whether a pair of the model has an empty overlap (such models are not searched). */
static int on_empty(const struct ctip_mse_data *d, uint64_t model)
{
	for (int p = 0, np = ctip_mse_npairs(d->m); p < np; p++)
		if (model >> p & 1) {
			int i, j;
			ctip_mse_pair(d->m, p, &i, &j);
			if (ctip_mse_overlap(d, i, j) <= 0)
				return 1;
		}
	return 0;
}

/* The candidate models of the bic method (see the head comment). */
static int candidates(const struct ctip_mse_data *d, struct cands *c)
{
	int m = d->m, np = ctip_mse_npairs(m);
	uint64_t tri[20];
	if (m <= 5) {
		for (uint64_t k = 0; k < 1ULL << np; k++) {
			if (on_empty(d, k))
				continue;
			int nt = triangles(d, k, tri);
			for (uint64_t s = 0; s < 1ULL << nt; s++) {
				uint64_t model = k;
				for (int t = 0; t < nt; t++)
					if (s >> t & 1)
						model |= tri[t];
				if (cand_add(c, model))
					return -1;
			}
		}
		return 0;
	}
	/* six lists: the pairs' models, then up to two triples on the best 64 of them */
	uint64_t top[CTIP_MSE_BIC_TOP];
	int ntop = 0;
	struct ctip_mse_fit *f = malloc(sizeof *f);
	if (!f || bic_search(d, NULL, 0, 0.05, f, top, CTIP_MSE_BIC_TOP, &ntop)) {
		free(f);
		return -1;
	}
	free(f);
	for (uint64_t k = 0; k < 1ULL << np; k++)
		if (!on_empty(d, k) && cand_add(c, k))
			return -1;
	for (int a = 0; a < ntop; a++) {
		int nt = triangles(d, top[a], tri);
		for (int x = 0; x < nt; x++) {
			if (cand_add(c, top[a] | tri[x]))
				return -1;
			for (int y = x + 1; y < nt; y++)
				if (cand_add(c, top[a] | tri[x] | tri[y]))
					return -1;
		}
	}
	return 0;
}

/* bic_search over the candidates of d. */
static int bic_all(const struct ctip_mse_data *d, double alpha, struct ctip_mse_fit *f,
                   uint64_t *top, int ntop, int *nout)
{
	if (ctip_mse_npairs(d->m) > 15)
		return bic_search(d, NULL, 0, alpha, f, top, ntop, nout); /* says why not */
	struct cands c = {0};
	int rc = candidates(d, &c);
	if (!rc)
		rc = bic_search(d, c.v, c.n, alpha, f, top, ntop, nout);
	free(c.v);
	return rc;
}

int ctip_mse_bic(const struct ctip_mse_data *d, double alpha, struct ctip_mse_fit *f)
{
	return bic_all(d, alpha, f, NULL, 0, NULL);
}

int ctip_mse_bic_top(const struct ctip_mse_data *d, int ntop, uint64_t *models, int *n)
{
	struct ctip_mse_fit *f = malloc(sizeof *f);
	if (!f)
		return -1;
	int rc = bic_all(d, 0.05, f, models, ntop, n);
	free(f);
	return rc;
}

int ctip_mse_bic_among(const struct ctip_mse_data *d, const uint64_t *models, int n, double alpha,
                       struct ctip_mse_fit *f)
{
	return bic_search(d, models, n, alpha, f, NULL, 0, NULL);
}
