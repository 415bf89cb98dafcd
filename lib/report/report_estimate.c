/*
 * report_estimate.c - the dark figure in the annual report: the same estimate as `ctip estimate
 * --year Y --method stepwise --bootstrap 200 --seed 20250101` (lists by organisation type),
 * through the same library calls, written as rows of label and text so that a warning can
 * stand where a number cannot be given. Without a linkage run every record is a person of its
 * own and the lists' overlaps are unknown, so no estimate is made then.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_estimate.h"

#include "estimate.h"

static int add(struct ctip_report_section *sec, const char *k, const char *v, ctip_err *e)
{
	if (sec->nkv >= (int)(sizeof sec->kv / sizeof sec->kv[0]))
		return CTIP_OK; /* the warnings past the last row are in `ctip estimate` */
	char *a = strdup(k), *b = strdup(v);
	if (!a || !b) {
		free(a);
		free(b);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	sec->kv[sec->nkv][0] = a;
	sec->kv[sec->nkv][1] = b;
	sec->nkv++;
	return CTIP_OK;
}

static int fill(struct ctip_report *r, struct ctip_report_section *sec, int linked,
                const struct ctip_mse_reg_out *h, const struct ctip_mse_result *x, ctip_err *e)
{
	char buf[600];
	double nobs = x ? x->nobs : h->n ? ctip_mse_nobs(&h->data[0]) : 0;
	if (!r->raw && nobs > 0 && nobs < r->threshold)
		snprintf(buf, sizeof buf, "x");
	else
		snprintf(buf, sizeof buf, "%.0f persons on %d lists (organisation types)", nobs,
		         h->m);
	int rc = add(sec, "observed", buf, e);
	int ok = linked && x && x->estimated && x->has_step && x->step.ok;
	if (!rc && ok) {
		snprintf(buf, sizeof buf, "%.0f", x->step.total);
		rc = add(sec, "estimate", buf, e);
	}
	if (!rc && ok) {
		if (isfinite(x->bstep.lo) && isfinite(x->bstep.hi))
			snprintf(buf, sizeof buf,
			         "%.0f to %.0f (95%%, BCa bootstrap, %d replicates)", x->bstep.lo,
			         x->bstep.hi, x->bstep.nboot);
		else
			snprintf(buf, sizeof buf, "none: %s",
			         x->bstep.why[0] ? x->bstep.why : "the bootstrap failed");
		rc = add(sec, "interval", buf, e);
	}
	if (!rc && ok) {
		char m[512];
		ctip_mse_model_text(&x->data, &x->step, m, sizeof m);
		snprintf(buf, sizeof buf, "stepwise log-linear: %s", m);
		rc = add(sec, "model", buf, e);
	}
	int nw = sec->nkv;
	if (!rc && !linked)
		rc = add(sec, "warning",
		         "no estimate: linkage never ran, so the lists' overlaps are unknown (run "
		         "`ctip link run`)",
		         e);
	for (int k = 0; !rc && x && k < x->nwarn; k++) /* the run's reasons, as the command's */
		rc = add(sec, "warning", x->warn[k], e);
	if (!rc && !ok && sec->nkv == nw)
		rc = add(sec, "warning", "no estimate: see `ctip estimate` for the reason", e);
	return rc;
}

int ctip_report_add_estimate(struct ctip_report *r, const ctip_facts *f, ctip_store *s, ctip_err *e)
{
	if (r->n >= CTIP_REPORT_MAX)
		return ctip_err_set(e, CTIP_EINVAL, "too many sections in the report");
	char *params = NULL;
	ctip_err e2 = {0};
	if (s->ops->link_params(s, &params, &e2))
		params = NULL;
	int linked = params != NULL;
	free(params);

	struct ctip_mse_reg q = {.lists = CTIP_MSE_LISTS_ORG_TYPE};
	q.from = r->year * 10000;
	q.to = r->year * 10000 + 1231;
	struct ctip_mse_reg_out h = {0};
	struct ctip_mse_result *x = NULL;
	int rc = ctip_mse_histories(f, &q, &h, e);
	if (!rc && h.n && linked) {
		struct ctip_mse_opts o;
		ctip_mse_opts_default(&o);
		o.stepwise = 1;
		o.bic = o.lcm = 0;
		o.nboot = CTIP_REPORT_EST_BOOT;
		o.seed = CTIP_REPORT_EST_SEED;
		if (!(x = malloc(sizeof *x)))
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		else if ((rc = ctip_mse_run(&h.data[0], "", &o, x, e))) {
			free(x);
			x = NULL;
		}
	}
	struct ctip_report_section *sec = &r->s[r->n];
	memset(sec, 0, sizeof(*sec));
	snprintf(sec->title, sizeof(sec->title),
	         "The dark figure: victims in %d estimated by multiple systems estimation "
	         "(including those no organisation recorded)",
	         r->year);
	sec->q.unit = CTIP_U_VICTIMS;
	r->n++; /* freed with the report from here on */
	if (!rc) {
		struct ctip_mse_result none;
		if (!x && linked) { /* no victims in the year: the run says so */
			memset(&none, 0, sizeof none);
			snprintf(none.warn[0], sizeof none.warn[0],
			         "no estimate: no victims in the registry in %d", r->year);
			none.nwarn = 1;
		}
		rc = fill(r, sec, linked, &h, x ? x : (linked ? &none : NULL), e);
	}
	if (x)
		ctip_mse_result_free(x);
	free(x);
	ctip_mse_reg_out_free(&h);
	return rc;
}
