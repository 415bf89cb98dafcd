/*
 * estimate_run.c - one estimate as the command reports it: the table checked before any
 * model sees it, then each method asked for, with its interval.
 *
 * The checks, each a warning with its reason rather than a number:
 *   - too few persons (CTIP_MSE_MIN_PERSONS) or fewer than two lists: no estimate;
 *   - a list of fewer than CTIP_MSE_MIN_LIST persons: its overlaps are noise (the literature
 *     merges such lists with similar ones, as the UK analysis merged PF and NCA); left out,
 *     its persons counted as observed;
 *   - a list holding nobody or everybody says nothing about the unseen (SparseMSE's
 *     removenoninformativelists): left out;
 *   - a list overlapping no other list: under any log-linear model its persons could be
 *     any number of unseen ones of the other lists, so the MLE with it is infinite. It is
 *     left out of the model; its persons count as observed, and the other lists' estimate
 *     (which covers them, as persons those lists did not see) is kept at least the number
 *     observed;
 *   - pairs of lists with no overlap are named: the stepwise method fixes their
 *     interaction at minus infinity when it selects them (SparseMSE).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "estimate.h"

void ctip_mse_opts_default(struct ctip_mse_opts *o)
{
	memset(o, 0, sizeof *o);
	o->stepwise = 1;
	o->pthresh = 0.02;
	o->alpha = 0.05;
	o->nboot = 1000;
	o->seed = 1234;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = n < 1 ? 1 : n > 16 ? 16 : (int)n;
	o->lcm_iters = 10000;
	o->lcm_burnin = 2000;
	o->lcm_K = 10;
}

static void warn(struct ctip_mse_result *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void warn(struct ctip_mse_result *r, const char *fmt, ...)
{
	if (r->nwarn >= 16)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->warn[r->nwarn++], sizeof r->warn[0], fmt, ap);
	va_end(ap);
}

/* Lists (indexes) that share no person with any other list. */
static int isolated(const struct ctip_mse_data *d, int i)
{
	for (int j = 0; j < d->m; j++)
		if (j != i && ctip_mse_overlap(d, i, j) > 0)
			return 0;
	return 1;
}

int ctip_mse_run(const struct ctip_mse_data *d, const char *stratum, const struct ctip_mse_opts *o,
                 struct ctip_mse_result *r, ctip_err *e)
{
	memset(r, 0, sizeof *r);
	snprintf(r->stratum, sizeof r->stratum, "%s", stratum ? stratum : "");
	r->in = *d;
	r->data = *d;
	r->nobs = ctip_mse_nobs(d);
	if (r->nobs < CTIP_MSE_MIN_PERSONS) {
		if (o->coarse)
			warn(r,
			     "too few persons to estimate: at least %d are needed (merge strata or "
			     "widen the period)",
			     CTIP_MSE_MIN_PERSONS);
		else
			warn(r,
			     "too few persons to estimate: %.0f observed, at least %d are needed "
			     "(merge strata or widen the period)",
			     r->nobs, CTIP_MSE_MIN_PERSONS);
		return 0;
	}
	char why[512];
	if (ctip_mse_drop_uninformative(&r->data, why, sizeof why))
		warn(r, "%s", why);
	for (int i = 0; i < r->data.m && r->data.m > 2;) {
		double t = ctip_mse_list_total(&r->data, i);
		if (t >= CTIP_MSE_MIN_LIST) {
			i++;
			continue;
		}
		char size[64];
		if (o->coarse)
			snprintf(size, sizeof size, "fewer than %d persons", CTIP_MSE_MIN_LIST);
		else
			snprintf(size, sizeof size, "%.0f persons, fewer than %d", t,
			         CTIP_MSE_MIN_LIST);
		warn(r,
		     "list %s is too small (%s): its overlaps would be noise, so it is left out "
		     "of the model (merge it with a similar list with --lists FILE to use it); "
		     "its persons count as observed",
		     r->data.names[i], size);
		ctip_mse_drop_list(&r->data, i);
	}
	for (int i = 0; i < r->data.m && r->data.m > 2;) {
		if (!isolated(&r->data, i)) {
			i++;
			continue;
		}
		char size[32] = "";
		if (!o->coarse)
			snprintf(size, sizeof size, " %.0f", ctip_mse_list_total(&r->data, i));
		warn(r,
		     "list %s overlaps no other list: it cannot inform the estimate (the MLE would "
		     "be infinite), so it is left out of the model; its%s persons count as "
		     "observed",
		     r->data.names[i], size);
		ctip_mse_drop_list(&r->data, i);
	}
	if (r->data.m < 2 || (r->data.m == 2 && ctip_mse_overlap(&r->data, 0, 1) <= 0)) {
		warn(r, "fewer than two lists that overlap: no estimate can be made (at least two "
		        "lists must share persons)");
		return 0;
	}
	if (r->data.m < 3)
		warn(r, "two lists only: the estimate assumes they are independent (no "
		        "interaction can be estimated)");
	char empty[256] = "";
	for (int p = 0; p < ctip_mse_npairs(r->data.m); p++) {
		int i, j;
		ctip_mse_pair(r->data.m, p, &i, &j);
		if (ctip_mse_overlap(&r->data, i, j) <= 0) {
			size_t l = strlen(empty);
			snprintf(empty + l, sizeof empty - l, "%s%s:%s", l ? ", " : "",
			         r->data.names[i], r->data.names[j]);
		}
	}
	if (*empty)
		warn(r,
		     "pairs of lists with no overlap: %s (an interaction selected for such a pair "
		     "is fixed at minus infinity and its cells leave the model, as SparseMSE does)",
		     empty);
	/* persons only on dropped lists are observed but unseen by the model's lists */
	double seen = ctip_mse_nobs(&r->data), extra = r->nobs - seen;
	if (o->stepwise) {
		r->has_step = 1;
		if (ctip_mse_stepwise(&r->data, o->pthresh, o->alpha, &r->step))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory in the stepwise fit");
		if (!r->step.ok)
			warn(r, "stepwise: no estimate: %s", r->step.why);
		else if (o->nboot > 0 &&
		         ctip_mse_bootstrap(&r->data, CTIP_MSE_STEPWISE, o->pthresh, r->step.total,
		                            o->nboot, o->seed, o->alpha, o->threads, &r->bstep, e))
			return e->code;
		if (r->step.ok && r->bstep.why[0])
			warn(r, "stepwise bootstrap: %s", r->bstep.why);
		if (r->step.ok && o->nboot > 0 && fabs(r->bstep.z0) > 1)
			warn(r,
			     "stepwise bootstrap: %.0f %% of the replicates are %s the estimate "
			     "(bias "
			     "correction z0 = %.2f): the model chosen on the data is rarely chosen "
			     "on "
			     "resamples, so the BCa interval is unreliable; compare the methods "
			     "(--method all)",
			     100 * ctip_pnorm(fabs(r->bstep.z0)),
			     r->bstep.z0 < 0 ? "above" : "below", r->bstep.z0);
	}
	if (o->bic) {
		r->has_bic = 1;
		if (ctip_mse_bic(&r->data, o->alpha, &r->bic))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory in the BIC search");
		if (!r->bic.ok)
			warn(r, "bic: no estimate: %s", r->bic.why);
		else if (o->nboot > 0 &&
		         ctip_mse_bootstrap(&r->data, CTIP_MSE_BIC, o->pthresh, r->bic.total,
		                            o->nboot, o->seed, o->alpha, o->threads, &r->bbic, e))
			return e->code;
		if (r->bic.ok && r->bbic.why[0])
			warn(r, "bic bootstrap: %s", r->bbic.why);
	}
	if (o->lcm) {
		r->has_lcm = 1;
		r->lcm.K = o->lcm_K;
		r->lcm.iters = o->lcm_iters;
		r->lcm.burnin = o->lcm_burnin;
		if (ctip_mse_lcm(&r->data, o->seed, o->alpha, &r->lcm, e))
			return e->code;
		if (r->lcm.why[0])
			warn(r, "lcm: %s", r->lcm.why);
	}
	/* the model saw only its lists: the estimate covers the others' persons as unseen, so
	 * it cannot be below what was observed in all */
	if (extra > 0) {
		struct ctip_mse_fit *f[] = {&r->step, &r->bic};
		for (int k = 0; k < 2; k++)
			if (f[k]->ok && f[k]->total < r->nobs) {
				if (o->coarse)
					warn(r, "the estimate from the overlapping lists is below "
					        "the persons observed: the number observed is "
					        "reported");
				else
					warn(r,
					     "the estimate from the overlapping lists (%.0f) is "
					     "below the %.0f persons observed: the number "
					     "observed is reported",
					     f[k]->total, r->nobs);
				f[k]->total = r->nobs;
			}
	}
	r->estimated = (r->has_step && r->step.ok) || (r->has_bic && r->bic.ok) ||
	               (r->has_lcm && !r->lcm.why[0] && r->lcm.nsamples > 0);
	return 0;
}

void ctip_mse_result_free(struct ctip_mse_result *r)
{
	ctip_mse_boot_free(&r->bstep);
	ctip_mse_boot_free(&r->bbic);
}
