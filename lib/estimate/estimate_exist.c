/*
 * estimate_exist.c - does the maximum likelihood estimate of a log-linear model exist, and is
 * it identifiable? (Fienberg and Rinaldo 2012; SparseMSE's checkident.)
 *
 * The MLE exists (is finite) exactly when some table with every cell strictly positive has
 * the observed sufficient statistics A'y. The linear program
 *     maximise t  subject to  A'x = A'y,  x_c >= t,  x >= 0
 * answers it: t > 0 at the optimum. Which face of the marginal cone A'y lies in depends only
 * on the support of y, so the LP is posed with y replaced by the indicator of its support
 * (the same answer, on a scale where a tolerance means something) and the answers are cached
 * by (support, model): a bootstrap asks the same questions thousands of times. The LP is
 * solved by GLPK's simplex; identifiability is the rank of the design.
 *
 * A thread that used it should call ctip_mse_check_thread_done() before it ends: GLPK's
 * environment is per thread.
 */
#include <glpk.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "estimate_int.h"

#define WORDS     (CTIP_MSE_MAX_CELLS / 64)
#define CACHE_MAX (1 << 20) /* answers kept: about 150 MB at most */

struct entry {
	int used, m, answer;
	uint64_t model, support[WORDS];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *table;
static size_t cap, used;
static long n_solved, n_cached;

static uint64_t hash_key(int m, uint64_t model, const uint64_t *sup)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)m;
	h = (h ^ model) * 1099511628211ULL;
	for (int w = 0; w < WORDS; w++)
		h = (h ^ sup[w]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static struct entry *slot(int m, uint64_t model, const uint64_t *sup)
{
	size_t i = hash_key(m, model, sup) & (cap - 1);
	while (table[i].used && !(table[i].m == m && table[i].model == model &&
	                          !memcmp(table[i].support, sup, sizeof table[i].support)))
		i = (i + 1) & (cap - 1);
	return &table[i];
}

static int grow(void)
{
	size_t ocap = cap;
	struct entry *old = table;
	cap = cap ? cap * 2 : 4096;
	table = calloc(cap, sizeof *table);
	if (!table) {
		table = old;
		cap = ocap;
		return -1;
	}
	for (size_t i = 0; i < ocap; i++)
		if (old[i].used)
			*slot(old[i].m, old[i].model, old[i].support) = old[i];
	free(old);
	return 0;
}

/* The primal LP, as SparseMSE's checkident poses it: maximise t subject to A'x = A'1_S,
 * x_c >= t, x >= 0. 1 when the optimum is 0 (no strictly positive table: MLE infinite). Its
 * size grows with the cells (n + 1 columns, p + n rows): used to check the dual. */
static int lp_primal(const struct mse_design *X, const struct ctip_mse_data *s)
{
	int n = X->nrow, p = X->npar, nz = 0;
	int *ia = malloc(sizeof(int) * (size_t)(n * p + 2 * n + 1)),
	    *ja = malloc(sizeof(int) * (size_t)(n * p + 2 * n + 1));
	double *ar = malloc(sizeof(double) * (size_t)(n * p + 2 * n + 1));
	if (!ia || !ja || !ar) {
		free(ia);
		free(ja);
		free(ar);
		return -1;
	}
	glp_prob *lp = glp_create_prob();
	glp_set_obj_dir(lp, GLP_MAX);
	glp_add_rows(lp, p + n);
	glp_add_cols(lp, n + 1);
	for (int k = 0; k < p; k++) {
		double t = 0;
		for (int r = 0; r < n; r++)
			if (X->x[r][k])
				t += s->y[X->cell[r]];
		glp_set_row_bnds(lp, k + 1, GLP_FX, t, t);
	}
	for (int r = 0; r < n; r++) {
		for (int k = 0; k < p; k++)
			if (X->x[r][k]) {
				nz++;
				ia[nz] = k + 1;
				ja[nz] = r + 1;
				ar[nz] = 1;
			}
		nz++;
		ia[nz] = p + r + 1;
		ja[nz] = r + 1;
		ar[nz] = 1;
		nz++;
		ia[nz] = p + r + 1;
		ja[nz] = n + 1;
		ar[nz] = -1;
		glp_set_row_bnds(lp, p + r + 1, GLP_LO, 0, 0);
		glp_set_col_bnds(lp, r + 1, GLP_LO, 0, 0);
	}
	glp_set_col_bnds(lp, n + 1, GLP_LO, 0, 0);
	glp_set_obj_coef(lp, n + 1, 1);
	glp_load_matrix(lp, nz, ia, ja, ar);
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	int rc = glp_simplex(lp, &parm);
	/* x = 1_S, t = 0 is feasible and sum x is fixed by the intercept: the LP always has an
	 * optimum; on the indicator scale a positive one is of order 1/cells at least */
	double t = rc == 0 && glp_get_status(lp) == GLP_OPT ? glp_get_obj_val(lp) : 0;
	glp_delete_prob(lp);
	free(ia);
	free(ja);
	free(ar);
	return !(t > 1e-7);
}

/* The dual (Haberman 1974; Fienberg and Rinaldo 2012): the MLE is infinite exactly when some
 * d = A beta is >= 0 on every cell, 0 on the support, and not 0: the likelihood then grows
 * without end along -d. Maximise the sum of d over the empty cells with each in [0, 1]: the
 * optimum is 0, or at least 1 (scale any such d up until a cell reaches 1), so no tolerance
 * is delicate. p free columns: a few pivots, where the primal needs of the order of a pivot
 * per cell; 1,000 cells (10 lists) take milliseconds instead of seconds. */
static int lp_dual(const struct mse_design *X, const struct ctip_mse_data *s)
{
	int n = X->nrow, p = X->npar, nz = 0, nempty = 0;
	for (int r = 0; r < n; r++)
		nempty += !(s->y[X->cell[r]] > 0);
	if (!nempty)
		return 0; /* the table itself is strictly positive */
	int *ia = malloc(sizeof(int) * (size_t)(n * p + 1)),
	    *ja = malloc(sizeof(int) * (size_t)(n * p + 1));
	double *ar = malloc(sizeof(double) * (size_t)(n * p + 1)), obj[MSE_MAX_PAR] = {0};
	if (!ia || !ja || !ar) {
		free(ia);
		free(ja);
		free(ar);
		return -1;
	}
	glp_prob *lp = glp_create_prob();
	glp_set_obj_dir(lp, GLP_MAX);
	glp_add_rows(lp, n);
	glp_add_cols(lp, p);
	for (int r = 0; r < n; r++) {
		int empty = !(s->y[X->cell[r]] > 0);
		for (int k = 0; k < p; k++)
			if (X->x[r][k]) {
				nz++;
				ia[nz] = r + 1;
				ja[nz] = k + 1;
				ar[nz] = 1;
				if (empty)
					obj[k] += 1;
			}
		if (empty)
			glp_set_row_bnds(lp, r + 1, GLP_DB, 0, 1);
		else
			glp_set_row_bnds(lp, r + 1, GLP_FX, 0, 0);
	}
	for (int k = 0; k < p; k++) {
		glp_set_col_bnds(lp, k + 1, GLP_FR, 0, 0);
		glp_set_obj_coef(lp, k + 1, obj[k]);
	}
	glp_load_matrix(lp, nz, ia, ja, ar);
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	int rc = glp_simplex(lp, &parm);
	/* beta = 0 is feasible and every empty cell is at most 1: always an optimum */
	double v = rc == 0 && glp_get_status(lp) == GLP_OPT ? glp_get_obj_val(lp) : 0;
	glp_delete_prob(lp);
	free(ia);
	free(ja);
	free(ar);
	return v > 0.5;
}

static int check(const struct ctip_mse_data *d, uint64_t model, int primal)
{
	uint64_t sup[WORDS] = {0};
	for (int c = 1; c < (1 << d->m); c++)
		if (d->y[c] > 0)
			sup[c / 64] |= 1ULL << (c % 64);
	pthread_mutex_lock(&lock);
	if (!cap || used * 2 >= cap)
		grow();
	struct entry *en = cap && !primal ? slot(d->m, model, sup) : NULL;
	if (en && en->used) {
		int a = en->answer;
		n_cached++;
		pthread_mutex_unlock(&lock);
		return a;
	}
	pthread_mutex_unlock(&lock);

	struct mse_design *X = malloc(sizeof *X);
	if (!X)
		return CTIP_MSE_INFINITE;
	/* the design on the support's indicator table */
	struct ctip_mse_data *s = malloc(sizeof *s);
	if (!s) {
		free(X);
		return CTIP_MSE_INFINITE;
	}
	s->m = d->m;
	for (int c = 0; c < (1 << d->m); c++)
		s->y[c] = d->y[c] > 0;
	mse_design_build(s, model, X);
	int answer = 0;
	if (mse_design_rank(X) < X->npar)
		answer |= CTIP_MSE_UNIDENTIFIABLE;

	int inf = primal ? lp_primal(X, s) : lp_dual(X, s);
	if (inf < 0)
		answer |= CTIP_MSE_INFINITE; /* out of memory: no fit rather than a wrong one */
	else if (inf)
		answer |= CTIP_MSE_INFINITE;
	pthread_mutex_lock(&lock);
	n_solved++;
	if (!cap || used * 2 >= cap)
		grow();
	if (cap && !primal && used < CACHE_MAX) {
		en = slot(d->m, model, sup);
		if (!en->used) {
			en->used = 1;
			en->m = d->m;
			en->model = model;
			memcpy(en->support, sup, sizeof sup);
			en->answer = answer;
			used++;
		}
	}
	pthread_mutex_unlock(&lock);
	free(s);
	free(X);
	return answer;
}

void ctip_mse_check_stats(long *solved, long *cached)
{
	pthread_mutex_lock(&lock);
	*solved = n_solved;
	*cached = n_cached;
	pthread_mutex_unlock(&lock);
}

void ctip_mse_check_thread_done(void)
{
	glp_free_env();
}

int ctip_mse_check(const struct ctip_mse_data *d, uint64_t model)
{
	return check(d, model, 0);
}

int ctip_mse_check_primal(const struct ctip_mse_data *d, uint64_t model)
{
	return check(d, model, 1);
}
