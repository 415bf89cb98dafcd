/*
 * estimate_loglin.c - the Poisson log-linear model of a capture-history table, fitted by
 * iteratively reweighted least squares as R's glm(family = poisson) does (start at y + 0.1,
 * Cholesky of X'WX), converged more tightly than glm's default so that p-values near the
 * threshold do not depend on when the iteration stopped. The intercept is the log of the
 * expected number of persons on no list: the dark figure.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimate_int.h"

void mse_design_build(const struct ctip_mse_data *d, uint64_t model, struct mse_design *X)
{
	int m = d->m, np = ctip_mse_npairs(m);
	X->m = m;
	X->empty = 0;
	X->npar = 1 + m;
	for (int p = 0; p < np; p++) {
		if (!(model >> p & 1))
			continue;
		int i, j;
		ctip_mse_pair(m, p, &i, &j);
		if (ctip_mse_overlap(d, i, j) > 0) {
			X->pi[X->npar] = i;
			X->pj[X->npar] = j;
			X->pk[X->npar] = -1;
			X->npar++;
		} else {
			X->empty |= 1ULL << p;
		}
	}
	for (int t = 0, nt = ctip_mse_ntriples(m); t < nt; t++)
		if (model >> (np + t) & 1) {
			ctip_mse_triple(m, t, &X->pi[X->npar], &X->pj[X->npar], &X->pk[X->npar]);
			X->npar++;
		}
	X->nrow = 0;
	for (int c = 1; c < (1 << m); c++) {
		int out = 0;
		for (int p = 0; p < np && !out; p++)
			if (X->empty >> p & 1) {
				int i, j;
				ctip_mse_pair(m, p, &i, &j);
				out = (c >> i & 1) && (c >> j & 1);
			}
		if (out)
			continue;
		int r = X->nrow++;
		X->cell[r] = c;
		X->x[r][0] = 1;
		for (int i = 0; i < m; i++)
			X->x[r][1 + i] = (unsigned char)(c >> i & 1);
		for (int k = 1 + m; k < X->npar; k++)
			X->x[r][k] = (unsigned char)((c >> X->pi[k] & 1) && (c >> X->pj[k] & 1) &&
			                             (X->pk[k] < 0 || (c >> X->pk[k] & 1)));
		int nz = 0;
		for (int k = 0; k < X->npar; k++)
			if (X->x[r][k])
				X->idx[r][nz++] = (unsigned char)k;
		X->nnz[r] = (unsigned char)nz;
	}
}

int mse_design_rank(const struct mse_design *X)
{
	int p = X->npar, rank = 0;
	double a[MSE_MAX_PAR * MSE_MAX_PAR] = {0};
	for (int r = 0; r < X->nrow; r++)
		for (int u = 0; u < X->nnz[r]; u++)
			for (int v = 0; v < X->nnz[r]; v++)
				a[X->idx[r][u] * p + X->idx[r][v]] += 1;
	double scale = 0;
	for (int k = 0; k < p; k++)
		scale = fmax(scale, a[k * p + k]);
	int done[MSE_MAX_PAR] = {0};
	for (int step = 0; step < p; step++) {
		int bi = -1, bj = -1;
		double best = 0;
		for (int i = 0; i < p; i++)
			for (int j = 0; j < p && !done[i]; j++)
				if (fabs(a[i * p + j]) > best) {
					best = fabs(a[i * p + j]);
					bi = i;
					bj = j;
				}
		if (bi < 0 || best <= 1e-9 * (scale > 1 ? scale : 1))
			break;
		rank++;
		done[bi] = 1;
		for (int i = 0; i < p; i++) {
			if (done[i] || a[i * p + bj] == 0)
				continue;
			double f = a[i * p + bj] / a[bi * p + bj];
			for (int j = 0; j < p; j++)
				a[i * p + j] -= f * a[bi * p + j];
		}
	}
	return rank;
}

/* Cholesky of the p x p matrix a in place (lower); 0 when positive definite. */
static int cholesky(double *a, int p)
{
	for (int j = 0; j < p; j++) {
		double s = a[j * p + j];
		for (int k = 0; k < j; k++)
			s -= a[j * p + k] * a[j * p + k];
		if (!(s > 1e-12 * (1 + fabs(a[j * p + j]))))
			return -1;
		a[j * p + j] = sqrt(s);
		for (int i = j + 1; i < p; i++) {
			double t = a[i * p + j];
			for (int k = 0; k < j; k++)
				t -= a[i * p + k] * a[j * p + k];
			a[i * p + j] = t / a[j * p + j];
		}
	}
	return 0;
}

static void chol_solve(const double *l, int p, double *b)
{
	for (int i = 0; i < p; i++) {
		double s = b[i];
		for (int k = 0; k < i; k++)
			s -= l[i * p + k] * b[k];
		b[i] = s / l[i * p + i];
	}
	for (int i = p - 1; i >= 0; i--) {
		double s = b[i];
		for (int k = i + 1; k < p; k++)
			s -= l[k * p + i] * b[k];
		b[i] = s / l[i * p + i];
	}
}

static double deviance(const double *y, const double *mu, int n)
{
	double dev = 0;
	for (int r = 0; r < n; r++)
		dev += 2 * ((y[r] > 0 ? y[r] * log(y[r] / mu[r]) : 0) - (y[r] - mu[r]));
	return dev;
}

int ctip_mse_fit_model(const struct ctip_mse_data *d, uint64_t model, double alpha,
                       struct ctip_mse_fit *f)
{
	struct mse_design *X = malloc(sizeof *X);
	if (!X)
		return -1;
	mse_design_build(d, model, X);
	int n = X->nrow, p = X->npar;
	double y[CTIP_MSE_MAX_CELLS], mu[CTIP_MSE_MAX_CELLS], eta[CTIP_MSE_MAX_CELLS];
	double a[MSE_MAX_PAR * MSE_MAX_PAR], b[MSE_MAX_PAR], beta[MSE_MAX_PAR];
	f->ok = 0;
	f->model = model;
	f->empty = X->empty;
	f->npar = p;
	f->ncells = n;
	f->df = n - p;
	f->why[0] = 0;
	f->nobs = ctip_mse_nobs(d);
	for (int r = 0; r < n; r++) {
		y[r] = d->y[X->cell[r]];
		mu[r] = y[r] + 0.1;
		eta[r] = log(mu[r]);
	}
	double dev = deviance(y, mu, n), devold;
	int it, conv = 0;
	for (it = 1; it <= 100; it++) {
		memset(a, 0, sizeof(double) * (size_t)(p * p));
		memset(b, 0, sizeof(double) * (size_t)p);
		for (int r = 0; r < n; r++) {
			double w = mu[r], z = eta[r] + (y[r] - mu[r]) / mu[r];
			const unsigned char *ix = X->idx[r];
			for (int u = 0; u < X->nnz[r]; u++) { /* ix ascending: l <= k */
				int k = ix[u];
				b[k] += w * z;
				for (int v = 0; v <= u; v++)
					a[k * p + ix[v]] += w;
			}
		}
		for (int k = 0; k < p; k++)
			for (int l = 0; l < k; l++)
				a[l * p + k] = a[k * p + l];
		if (cholesky(a, p)) {
			snprintf(f->why, sizeof f->why,
			         "the model is not identifiable (singular information matrix)");
			free(X);
			return 0;
		}
		memcpy(beta, b, sizeof(double) * (size_t)p);
		chol_solve(a, p, beta);
		for (int r = 0; r < n; r++) {
			double e = 0;
			for (int u = 0; u < X->nnz[r]; u++)
				e += beta[X->idx[r][u]];
			eta[r] = e;
			mu[r] = exp(e);
		}
		devold = dev;
		dev = deviance(y, mu, n);
		if (!isfinite(dev))
			break;
		if (fabs(dev - devold) / (fabs(dev) + 0.1) < 1e-11) {
			conv = 1;
			break;
		}
	}
	f->iters = it;
	if (!conv || !isfinite(beta[0])) {
		snprintf(f->why, sizeof f->why,
		         "the fit did not converge in %d iterations (the MLE may not exist)", it);
		free(X);
		return 0;
	}
	/* the information matrix at the fitted values, for the sd of the intercept */
	memset(a, 0, sizeof(double) * (size_t)(p * p));
	for (int r = 0; r < n; r++)
		for (int u = 0; u < X->nnz[r]; u++)
			for (int v = 0; v <= u; v++)
				a[X->idx[r][u] * p + X->idx[r][v]] += mu[r];
	for (int k = 0; k < p; k++)
		for (int l = 0; l < k; l++)
			a[l * p + k] = a[k * p + l];
	double e0[MSE_MAX_PAR] = {1};
	if (cholesky(a, p)) {
		snprintf(f->why, sizeof f->why, "the information matrix is singular at the fit");
		free(X);
		return 0;
	}
	chol_solve(a, p, e0);
	double ll = 0;
	for (int r = 0; r < n; r++)
		ll += y[r] * log(mu[r]) - mu[r] - lgamma(y[r] + 1);
	for (int c = 0; c < CTIP_MSE_MAX_CELLS; c++)
		f->mu[c] = -1;
	for (int r = 0; r < n; r++)
		f->mu[X->cell[r]] = mu[r];
	int nover = __builtin_popcountll(X->empty);
	f->beta0 = beta[0];
	f->se0 = sqrt(e0[0]);
	f->dark = exp(beta[0]);
	f->mu[0] = f->dark;
	f->total = f->nobs + f->dark;
	f->deviance = dev;
	/* SparseMSE counts an empty overlap of the model as a parameter (fixed at -inf) */
	f->aic = -2 * ll + 2 * (p + nover);
	f->bic = -2 * ll + log(f->nobs) * (p + nover);
	double z = ctip_qnorm(1 - alpha / 2);
	f->lo_normal = f->nobs + exp(beta[0] - z * f->se0);
	f->hi_normal = f->nobs + exp(beta[0] + z * f->se0);
	f->ok = isfinite(f->total) && f->total < 1e15;
	if (!f->ok)
		snprintf(f->why, sizeof f->why, "the estimate is infinite");
	free(X);
	return 0;
}
