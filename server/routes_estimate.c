/*
 * routes_estimate.c - GET /api/estimate?[year=Y][&method=stepwise|bic|lcm|all]
 * [&lists=org_type|org][&by=DIM[,DIM]][&bootstrap=N][&seed=S][&raw=1]: the dark figure
 * (docs/ESTIMATION.md), the JSON of `ctip estimate --format json`, for analysts and
 * supervisors (issue 13 item 3).
 *
 * What may leave (docs/SECURITY.md, "Statistics"). An estimate rests on the capture
 * histories: how many persons each combination of lists holds, cells of one or two persons
 * that a table of `ctip stats` would withhold. So, to every role without raw counts (raw=1
 * is for analysts, audited as estimate-raw):
 * - one list per organisation (lists=org) is refused: it publishes each agency's count of
 *   victims and its overlap with every other agency; lists are organisation types;
 * - the capture histories and the fitted counts are left out, and with them the deviance,
 *   AIC and BIC (functions of the cells); so are the persons per list (they are in
 *   /api/stats count=victims by=org_type, suppressed there) and the provenance's record and
 *   person totals (the sum of the strata: subtracting the published strata from it would
 *   uncover a withheld one);
 * - a stratum's observed number is published only when /api/stats publishes the same count
 *   (victims by the same dimensions in the same year, in the pattern of its joint table) and
 *   the stratum holds at least CTIP_MSE_MIN_PERSONS persons; else it is null with the
 *   reason, the dark figure is left out, and the estimate and its interval are rounded to
 *   tens (an estimate is at least the number observed);
 * - estimates and intervals are whole persons; warnings name no counts (opts.coarse);
 * - the period is one calendar year (year=Y) or all time, as for /api/stats.
 * An estimate is work (a bootstrap of 1,000 replicates per stratum and method): one runs at
 * a time (another request meanwhile is answered 503), on two threads, and at most
 * EST_MAX_STRATA strata may be estimated in one request. Every request is audited.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "estimate.h"
#include "facts.h"
#include "link.h"
#include "server.h"
#include "stats.h"
#include "suppress.h"

#define EST_MAX_STRATA 16

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;

struct est_req {
	struct ctip_mse_reg q;
	struct ctip_mse_opts o;
	const char *lists, *method, *by;
	int raw, year;
};

/* Parses the query string into e; 0 ok, else an error status was set. */
static int parse(struct req *r, struct est_req *x)
{
	ctip_err e = {0};
	const char *v;
	ctip_mse_opts_default(&x->o);
	x->o.threads = 2; /* a shared server: never every core */
	x->q.lists = CTIP_MSE_LISTS_ORG_TYPE;
	v = srv_arg(r, "raw");
	x->raw = v && !strcmp(v, "1");
	if (x->raw && r->sess.role_bit != ROLE_ANALYST)
		return srv_error(r, 403, "raw", "raw counts are for analysts only");
	x->o.coarse = !x->raw;
	x->method = (v = srv_arg(r, "method")) ? v : "stepwise";
	x->o.stepwise = !strcmp(x->method, "stepwise") || !strcmp(x->method, "all");
	x->o.bic = !strcmp(x->method, "bic") || !strcmp(x->method, "all");
	x->o.lcm = !strcmp(x->method, "lcm") || !strcmp(x->method, "all");
	if (!x->o.stepwise && !x->o.bic && !x->o.lcm)
		return srv_error(r, 400, "method", "method: stepwise, bic, lcm or all");
	x->lists = (v = srv_arg(r, "lists")) ? v : "org_type";
	if (!strcmp(x->lists, "org")) {
		if (!x->raw)
			return srv_error(
			        r, 403, "lists",
			        "lists=org publishes each organisation's count of victims "
			        "and its overlap with every other agency: it is raw counts "
			        "(analysts, raw=1, audited); estimate with lists=org_type");
		x->q.lists = CTIP_MSE_LISTS_ORG;
	} else if (strcmp(x->lists, "org_type")) {
		return srv_error(r, 400, "lists",
		                 "lists: org_type (one list per type of organisation) or org");
	}
	if ((x->by = srv_arg(r, "by")) && *x->by) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s", x->by);
		for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t;
		     t = strtok_r(NULL, ",", &sv)) {
			int d = ctip_dim_parse(t);
			if (d < 0 || !ctip_unit_has_dim(CTIP_U_VICTIMS, d) || d == CTIP_D_STAGE ||
			    d == CTIP_D_EVENT || d == CTIP_D_ORG || d == CTIP_D_ORG_TYPE)
				return srv_error(r, 400, "by",
				                 "by: '%s' is not a dimension to estimate by (e.g. "
				                 "year, gender, age_group, exploitation_type, "
				                 "origin_province)",
				                 t);
			if (x->q.nby == 2)
				return srv_error(r, 400, "by",
				                 "by: at most two dimensions (each stratum needs "
				                 "enough persons)");
			for (int k = 0; k < x->q.nby; k++)
				if (x->q.by[k] == d)
					return srv_error(r, 400, "by", "by: %s named twice", t);
			x->q.by[x->q.nby++] = d;
		}
	} else {
		x->by = "";
	}
	if ((v = srv_arg(r, "year"))) {
		int32_t d = 0;
		if (strlen(v) != 4 || ctip_stats_parse_date(v, 0, &d, &e))
			return srv_error(r, 400, "year", "year: like 2023");
		x->year = d / 10000;
		x->q.from = x->year * 10000;
		x->q.to = x->year * 10000 + 1231;
	}
	if (srv_arg(r, "from") || srv_arg(r, "to"))
		return srv_error(r, 400, srv_arg(r, "from") ? "from" : "to",
		                 "the period of an estimate is one calendar year (year=Y) or all "
		                 "time; for several, break them down by=year");
	int64_t n = 0;
	v = srv_arg(r, "bootstrap");
	if ((!v || strcmp(v, "0")) && srv_arg_int(r, "bootstrap", 1000, 1000, &n))
		return 400;
	x->o.nboot = (int)n; /* 0: no bootstrap (the normal interval) */
	if (srv_arg_int(r, "seed", 1234, INT64_MAX / 2, &n))
		return 400;
	x->o.seed = (uint64_t)n;
	return 0;
}

/* --- what a role without raw counts sees ----------------------------------------------- */

/* The level of t's dimension k labelled value, or -1. */
static int level(const struct ctip_stats_table *t, int k, const char *value)
{
	for (int l = 0; l < t->nlev[k]; l++)
		if (!strcmp(t->label[k][l], value))
			return l;
	return -1;
}

/* Whether /api/stats publishes the stratum's count as nobs: its label "dim=value, ..."
 * names a cell of t (published, the same count). Age groups are never matched: the
 * estimate's bands (0-17, 18+) are not those of /api/stats (0-15, 16-17, 18+), and one
 * published where the other withholds would be a differencing. */
static int published(const struct ctip_stats_table *t, const char *label, double nobs)
{
	int lev[CTIP_STATS_MAXDIM];
	for (int k = 0; k < t->ndim; k++)
		lev[k] = t->nlev[k]; /* the total over k */
	char buf[160];
	snprintf(buf, sizeof buf, "%s", label);
	for (char *sv = NULL, *p = *buf ? strtok_r(buf, ",", &sv) : NULL; p;
	     p = strtok_r(NULL, ",", &sv)) {
		while (*p == ' ')
			p++;
		char *eq = strchr(p, '=');
		if (!eq)
			return 0;
		*eq = 0;
		int d = ctip_dim_parse(p), k = 0;
		if (d < 0 || d == CTIP_D_AGE)
			return 0;
		while (k < t->ndim && t->dim[k] != d)
			k++;
		if (k == t->ndim || (lev[k] = level(t, k, eq + 1)) < 0)
			return 0;
	}
	size_t c = ctip_stats_cell(t, lev);
	return !t->supp[c] && (double)t->count[c] == nobs && nobs >= CTIP_MSE_MIN_PERSONS;
}

static void round_to(json_t *o, const char *key, double unit)
{
	json_t *v = json_object_get(o, key);
	if (json_is_number(v))
		json_object_set_new(
		        o, key,
		        json_integer((json_int_t)(round(json_number_value(v) / unit) * unit)));
}

/* The JSON of the estimates as a role without raw counts sees it (see the head comment). */
static void coarsen(json_t *root, const unsigned char *pub)
{
	json_t *ests = json_object_get(root, "estimates"), *x;
	size_t i;
	json_array_foreach(ests, i, x)
	{
		json_t *lists = json_object_get(x, "lists"), *l, *m;
		size_t k;
		json_array_foreach(lists, k, l) json_object_del(l, "persons");
		double unit = 1;
		if (!pub[i]) {
			json_object_set_new(x, "observed", json_null());
			json_object_set_new(
			        x, "observed_withheld",
			        json_string(
			                "the number observed is withheld: /api/stats withholds "
			                "this count, or the stratum holds fewer than 20 persons; "
			                "estimates are rounded to tens"));
			unit = 10;
		}
		json_array_foreach(json_object_get(x, "methods"), k, m)
		{
			json_object_del(m, "fitted");
			json_object_del(m, "deviance");
			json_object_del(m, "aic");
			json_object_del(m, "bic");
			if (!pub[i])
				json_object_del(m, "dark_figure");
			round_to(m, "estimate", unit);
			round_to(m, "dark_figure", 1);
			round_to(m, "posterior_mean", unit);
			const char *iv[] = {"interval", "normal_interval"};
			for (int n = 0; n < 2; n++) {
				json_t *o = json_object_get(m, iv[n]);
				round_to(o, "lower", unit);
				round_to(o, "upper", unit);
			}
		}
	}
	json_t *p = json_object_get(root, "provenance");
	json_object_del(p, "records");
	json_object_del(p, "records_without_date");
	json_object_del(p, "records_of_organisations_on_no_list");
	json_object_del(p, "persons");
	json_t *d = json_object();
	json_object_set_new(d, "raw", json_false());
	json_object_set_new(d, "threshold", json_integer(CTIP_SUPPRESS_DEFAULT));
	json_object_set_new(
	        d, "withheld",
	        json_string("capture histories and fitted counts (cells of single persons), "
	                    "persons per list (see /api/stats count=victims by=org_type), "
	                    "record totals, and the observed number of strata that /api/stats "
	                    "withholds or that hold fewer than 20 persons"));
	json_object_set_new(root, "disclosure", d);
}

static json_t *provenance(const ctip_facts *f, const struct est_req *x,
                          const struct ctip_mse_reg_out *h, const char *linkage)
{
	json_t *p = json_object(), *flt = json_object(), *by = json_array();
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(p, "computed_at", json_string(now));
	json_object_set_new(p, "source", json_string("registry: linked victims"));
	if (x->year)
		json_object_set_new(flt, "year", json_integer(x->year));
	json_object_set_new(flt, "lists", json_string(x->lists));
	for (int k = 0; k < x->q.nby; k++)
		json_array_append_new(by, json_string(ctip_dim_name(x->q.by[k])));
	json_object_set_new(flt, "by", by);
	json_object_set_new(p, "filters", flt);
	json_object_set_new(p, "records", json_integer(h->rows));
	json_object_set_new(p, "records_without_date", json_integer(h->rows_undated));
	json_object_set_new(p, "records_of_organisations_on_no_list",
	                    json_integer(h->rows_unmapped));
	json_object_set_new(p, "persons", json_integer(h->persons));
	json_object_set_new(p, "data_version", json_integer(f->version));
	json_object_set_new(p, "snapshot_built_at", json_string(f->built_at));
	json_object_set_new(p, "linkage", json_string(linkage));
	json_object_set_new(p, "ctip_version", json_string(CTIP_VERSION));
	return p;
}

/* The estimates of the strata of h (res, already calloc'd); 0, or e set. */
static int run_all(const struct est_req *x, const struct ctip_mse_reg_out *h,
                   struct ctip_mse_result *res, int *nres, ctip_err *e)
{
	for (int k = 0; k < h->n; k++) {
		int rc = ctip_mse_run(&h->data[k], h->label[k], &x->o, &res[k], e);
		*nres = k + 1;
		if (rc)
			return rc;
	}
	return 0;
}

static int answer(struct req *r, struct est_req *x)
{
	ctip_err e = {0};
	struct srv_snap *sh = NULL;
	struct ctip_mse_reg_out h = {0};
	struct ctip_mse_result *res = NULL;
	struct ctip_stats_table *t = NULL;
	unsigned char *pub = NULL;
	int nres = 0, status = 0;
	/* the snapshot has its own transaction (and may rebuild the cache): not the request's */
	r->s->srv->read_end(r->s);
	if (srv_snap_get(r->s, &sh, &e))
		return srv_fail(r, &e);
	const ctip_facts *f = srv_snap_facts(sh);
	if (ctip_mse_histories(f, &x->q, &h, &e)) {
		status = e.code == CTIP_EINVAL ? srv_error(r, 400, "lists", "%s", e.msg)
		                               : srv_fail(r, &e);
		goto out;
	}
	int big = 0;
	for (int k = 0; k < h.n; k++)
		big += ctip_mse_nobs(&h.data[k]) >= CTIP_MSE_MIN_PERSONS;
	if (big > EST_MAX_STRATA) {
		status = srv_error(r, 400, "by",
		                   "by: %d strata to estimate, at most %d in one request (narrow "
		                   "the breakdown, or estimate on the command line)",
		                   big, EST_MAX_STRATA);
		goto out;
	}
	if (h.n && !(res = calloc((size_t)h.n, sizeof *res))) {
		status = srv_error(r, 500, NULL, "out of memory");
		goto out;
	}
	if (run_all(x, &h, res, &nres, &e)) {
		status = srv_fail(r, &e);
		goto out;
	}
	if (!x->raw) {
		/* the observed numbers /api/stats publishes: victims by the same dimensions */
		struct ctip_stats_query q = {.unit = CTIP_U_VICTIMS, .ref = r->s->ref};
		for (int k = 0; k < x->q.nby; k++)
			q.dim[q.ndim++] = x->q.by[k];
		q.from = x->q.from;
		q.to = x->q.to;
		if (!(pub = calloc((size_t)h.n + 1, 1))) {
			status = srv_error(r, 500, NULL, "out of memory");
			goto out;
		}
		if (srv_stats_published(r->s, f, &q, x->year, CTIP_SUPPRESS_DEFAULT, &t, &e)) {
			status = srv_fail(r, &e);
			goto out;
		}
		for (int k = 0; k < h.n; k++)
			pub[k] = (unsigned char)published(t, h.label[k], res[k].nobs);
	}
	char linkage[160] = "";
	ctip_link_provenance(r->s, linkage, sizeof linkage);
	char detail[512];
	snprintf(detail, sizeof detail, "lists=%s by=%s year=%d method=%s strata=%d%s", x->lists,
	         x->by, x->year, x->method, h.n, x->raw ? " raw" : "");
	const char *obj = "victims";
	if (srv_audit(r->sess.username, x->raw ? "estimate-raw" : "estimate", &obj, 1, detail)) {
		status = srv_error(r, 500, NULL, "the audit log could not be written");
		goto out;
	}
	r->out = ctip_mse_json(res, h.n, &x->o, provenance(f, x, &h, linkage));
	if (!x->raw)
		coarsen(r->out, pub);
	status = 200;
out:
	for (int k = 0; k < nres; k++)
		ctip_mse_result_free(&res[k]);
	free(res);
	free(pub);
	ctip_stats_free(t);
	ctip_mse_reg_out_free(&h);
	srv_snap_release(sh);
	return status;
}

int h_estimate(struct req *r)
{
	struct est_req x = {0};
	int st = parse(r, &x);
	if (st)
		return st;
	if (pthread_mutex_trylock(&busy))
		return srv_error(r, 503, NULL,
		                 "another estimate is being computed: try again in a few seconds");
	st = answer(r, &x);
	ctip_mse_check_thread_done(); /* GLPK's environment of this connection's thread */
	pthread_mutex_unlock(&busy);
	return st;
}
