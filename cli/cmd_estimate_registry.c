/*
 * cmd_estimate_registry.c - `ctip estimate` on the registry: capture histories built from the
 * linked victims of the statistics snapshot (lib/estimate/estimate_reg.c), one list per
 * organisation
 * (--lists org), per organisation type (org_type, the default) or per group of organisations
 * named in a CSV file (organisation,list), in a period, optionally per stratum (--by). With
 * --sensitivity the estimate is redone with the records linked at probability >= the review
 * band's lower end (--review-min, 0.5) as well: the linkage's uncertainty in the estimate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"
#include "csv_read.h"
#include "estimate.h"
#include "facts.h"
#include "stats.h"

int cli_stats_option(int argc, char **argv, int *i, struct ctip_stats_query *q, int *raw,
                     int *threshold, const char **fmt, const char **out);
int cli_estimate_option(int argc, char **argv, int *i, struct ctip_mse_opts *o, const char **fmt,
                        const char **path);
int cli_estimate_registry(int argc, char **argv, struct cli *c, const struct ctip_mse_opts *o,
                          const char *fmt, const char *path);

/* FILE of --lists: "organisation,list" rows (a header naming them is skipped). */
static int read_map(const char *path, struct ctip_mse_reg *q, ctip_err *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return ctip_err_at(e, CTIP_EIO, path, 0, "",
		                   "cannot open: %s (--lists takes org, "
		                   "org_type, or a CSV file of organisation,list)",
		                   strerror(errno));
	ctip_csv *c = ctip_csv_open(f, path);
	char **fl;
	int nf, rc = 0, cap = 0;
	long line;
	while (c && (rc = ctip_csv_next(c, &fl, &nf, &line, e)) > 0) {
		if (nf != 2 || !fl[0] || !fl[1]) {
			rc = ctip_err_at(e, CTIP_EINVAL, path, line, "",
			                 "expected two fields: organisation,list");
			break;
		}
		if (line == 1 && !strcmp(fl[0], "organisation"))
			continue;
		if (q->nmap == cap) {
			cap = cap ? cap * 2 : 16;
			char **a = realloc(q->map_org, sizeof(char *) * (size_t)cap);
			if (a)
				q->map_org = a;
			char **b = realloc(q->map_list, sizeof(char *) * (size_t)cap);
			if (b)
				q->map_list = b;
			if (!a || !b) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
		}
		q->map_org[q->nmap] = strdup(fl[0]);
		q->map_list[q->nmap] = strdup(fl[1]);
		q->nmap++;
		rc = 0;
	}
	if (c)
		ctip_csv_close(c);
	fclose(f);
	if (rc < 0)
		return e->code ? e->code : CTIP_EINVAL;
	if (!rc && !q->nmap)
		rc = ctip_err_at(e, CTIP_EINVAL, path, 0, "", "no organisation,list rows");
	return rc;
}

/* --- the lower end of the review band: persons merged along uncertain pairs ------------ */

struct idkey {
	int64_t id, fk;
	char key[32];
};
struct sens {
	struct idkey *v;
	size_t n, cap;
	int64_t *fks; /* distinct facts keys, sorted */
	size_t nfk;
	size_t *parent;
	double min;
	long merged;
	int64_t (*diff)[2]; /* pairs decided different, sorted */
	size_t ndiff, capdiff;
};

static int on_decision(void *ctx, int64_t a, int64_t b, int same)
{
	struct sens *s = ctx;
	if (same)
		return 0;
	if (s->ndiff == s->capdiff) {
		size_t cap = s->capdiff ? s->capdiff * 2 : 64;
		int64_t(*d)[2] = realloc(s->diff, sizeof *d * cap);
		if (!d)
			return CTIP_ENOMEM;
		s->diff = d;
		s->capdiff = cap;
	}
	s->diff[s->ndiff][0] = a < b ? a : b;
	s->diff[s->ndiff][1] = a < b ? b : a;
	s->ndiff++;
	return 0;
}

static int decided_different(const struct sens *s, int64_t a, int64_t b)
{
	if (a > b) {
		int64_t t = a;
		a = b;
		b = t;
	}
	for (size_t k = 0; k < s->ndiff; k++) /* few decisions: a scan */
		if (s->diff[k][0] == a && s->diff[k][1] == b)
			return 1;
	return 0;
}

static int on_person(void *ctx, int64_t id, const char *org, const char *src, const char *key)
{
	struct sens *s = ctx;
	(void)org;
	(void)src;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct idkey *v = realloc(s->v, sizeof *v * cap);
		if (!v)
			return CTIP_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	struct idkey *k = &s->v[s->n++];
	k->id = id;
	k->fk = id;
	snprintf(k->key, sizeof k->key, "%s", key ? key : "");
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct idkey *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int by_id(const void *a, const void *b)
{
	const struct idkey *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static size_t fk_index(const struct sens *s, int64_t fk)
{
	size_t lo = 0, hi = s->nfk;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->fks[mid] < fk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nfk && s->fks[lo] == fk ? lo : (size_t)-1;
}

static size_t find(struct sens *s, size_t i)
{
	while (s->parent[i] != i) {
		s->parent[i] = s->parent[s->parent[i]];
		i = s->parent[i];
	}
	return i;
}

static int64_t fk_of_record(const struct sens *s, int64_t id)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo].id == id ? s->v[lo].fk : id;
}

static int on_pair(void *ctx, const struct ctip_link_pair_out *p)
{
	struct sens *s = ctx;
	if (p->linked || p->probability < s->min || decided_different(s, p->a, p->b))
		return 0;
	size_t a = fk_index(s, fk_of_record(s, p->a)), b = fk_index(s, fk_of_record(s, p->b));
	if (a == (size_t)-1 || b == (size_t)-1)
		return 0;
	a = find(s, a);
	b = find(s, b);
	if (a != b) {
		s->parent[a > b ? a : b] = a < b ? a : b; /* the smaller key is the root */
		s->merged++;
	}
	return 0;
}

static int64_t remap(void *ctx, int64_t key)
{
	struct sens *s = ctx;
	size_t i = fk_index(s, key);
	return i == (size_t)-1 ? key : s->fks[find(s, i)];
}

/* The persons of the stored keys (facts key: the smallest record id of a linked person),
 * merged along the last run's unlinked pairs of probability >= min, except pairs a reviewer
 * decided are different persons (link_decision), which stay apart as in every run. */
static int sens_build(ctip_store *st, const ctip_facts *f, struct sens *s, ctip_err *e)
{
	int rc = st->ops->link_persons(st, on_person, s, e);
	if (!rc)
		rc = st->ops->link_decisions(st, on_decision, s, e);
	if (rc)
		return rc;
	qsort(s->v, s->n, sizeof *s->v, by_key);
	for (size_t a = 0, b; a < s->n; a = b) {
		for (b = a + 1; b < s->n && !strcmp(s->v[b].key, s->v[a].key); b++)
			;
		if (s->v[a].key[0])
			for (size_t k = a; k < b; k++)
				s->v[k].fk = s->v[a].id;
	}
	qsort(s->v, s->n, sizeof *s->v, by_id);
	const struct ctip_funit *fu = &f->u[CTIP_U_VICTIMS];
	size_t cap = 0;
	for (const struct ctip_funit *p = fu; p; p = p == fu ? fu->delta : NULL)
		cap += p->n;
	s->fks = malloc(sizeof(int64_t) * (cap ? cap : 1));
	s->parent = malloc(sizeof(size_t) * (cap ? cap : 1));
	if (!s->fks || !s->parent)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (const struct ctip_funit *p = fu; p; p = p == fu ? fu->delta : NULL)
		for (uint32_t i = 0; i < p->n; i++)
			s->fks[s->nfk++] = p->key[i];
	qsort(s->fks, s->nfk, sizeof(int64_t), cmp_i64);
	size_t u = 0;
	for (size_t i = 0; i < s->nfk; i++)
		if (!u || s->fks[i] != s->fks[u - 1])
			s->fks[u++] = s->fks[i];
	s->nfk = u;
	for (size_t i = 0; i < u; i++)
		s->parent[i] = i;
	return st->ops->link_pairs(st, on_pair, s, e);
}

static void sens_free(struct sens *s)
{
	free(s->v);
	free(s->fks);
	free(s->parent);
	free(s->diff);
}

/* --- the command ----------------------------------------------------------------------- */

static json_t *provenance(const ctip_facts *f, const struct ctip_mse_reg *q,
                          const struct ctip_mse_reg_out *h, const char *lists, const char *params,
                          const struct sens *sv)
{
	json_t *p = json_object(), *flt = json_object(), *by = json_array();
	char now[32], buf[16];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(p, "computed_at", json_string(now));
	json_object_set_new(p, "source", json_string("registry: linked victims"));
	for (int i = 0; i < 2; i++) {
		int32_t d = i ? q->to : q->from;
		if (!d)
			continue;
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", d / 10000,
		         d / 100 % 100 ? d / 100 % 100 : 1, d % 100 ? d % 100 : 1);
		json_object_set_new(flt, i ? "to" : "from", json_string(buf));
	}
	json_object_set_new(flt, "lists", json_string(lists));
	for (int k = 0; k < q->nby; k++)
		json_array_append_new(by, json_string(ctip_dim_name(q->by[k])));
	json_object_set_new(flt, "by", by);
	json_object_set_new(p, "filters", flt);
	json_object_set_new(p, "records", json_integer(h->rows));
	json_object_set_new(p, "records_without_date", json_integer(h->rows_undated));
	json_object_set_new(p, "records_of_organisations_on_no_list",
	                    json_integer(h->rows_unmapped));
	json_object_set_new(p, "persons", json_integer(h->persons));
	json_object_set_new(p, "data_version", json_integer(f->version));
	json_object_set_new(p, "snapshot_built_at", json_string(f->built_at));
	json_t *lk = json_object();
	json_t *pj = params ? json_loads(params, 0, NULL) : NULL;
	if (pj) {
		json_t *th = json_object_get(pj, "threshold");
		if (th)
			json_object_set(lk, "threshold", th);
		json_t *lam = json_object_get(pj, "lambda");
		if (lam)
			json_object_set(lk, "prior_match_share", lam);
		json_decref(pj);
		json_object_set_new(lk, "run", json_string("the last `ctip link run`"));
	} else {
		json_object_set_new(lk, "run",
		                    json_string("none: records are persons of their own"));
	}
	if (sv) {
		json_object_set_new(lk, "review_min", json_real(sv->min));
		json_object_set_new(lk, "persons_merged_at_review_min", json_integer(sv->merged));
	}
	json_object_set_new(p, "linkage", lk);
	json_object_set_new(p, "ctip_version", json_string(CTIP_VERSION));
	return p;
}

int cli_estimate_registry(int argc, char **argv, struct cli *c, const struct ctip_mse_opts *o,
                          const char *fmt, const char *path)
{
	struct ctip_mse_reg q = {.lists = CTIP_MSE_LISTS_ORG_TYPE};
	struct ctip_stats_query sq = {.unit = CTIP_U_VICTIMS};
	const char *lists = "org_type";
	int sensitivity = 0, rc = 0;
	double review_min = 0.5;
	ctip_err e = {0};
	struct ctip_mse_opts oo = *o;
	const char *f2 = fmt, *p2 = path;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int raw = 0, thr = 0;
		const char *sf = NULL, *so = NULL;
		if (!strcmp(a, "--sensitivity")) {
			sensitivity = 1;
		} else if (!strcmp(a, "--review-min") && v) {
			char *end;
			review_min = strtod(v, &end);
			if (*end || !(review_min > 0 && review_min < 1)) {
				fprintf(stderr,
				        "ctip: estimate: --review-min: a probability between 0 "
				        "and 1\n");
				return 2;
			}
			sensitivity = 1;
			i++;
		} else if (!strcmp(a, "--lists") && v) {
			lists = v;
			i++;
			if (!strcmp(v, "org"))
				q.lists = CTIP_MSE_LISTS_ORG;
			else if (!strcmp(v, "org_type"))
				q.lists = CTIP_MSE_LISTS_ORG_TYPE;
			else {
				q.lists = CTIP_MSE_LISTS_FILE;
				if ((rc = read_map(v, &q, &e)))
					goto out;
			}
		} else if (!strcmp(a, "--by") && v) {
			char buf[256];
			snprintf(buf, sizeof buf, "%s", v);
			i++;
			for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t;
			     t = strtok_r(NULL, ",", &sv)) {
				int d = ctip_dim_parse(t);
				if (d < 0 || !ctip_unit_has_dim(CTIP_U_VICTIMS, d) ||
				    d == CTIP_D_STAGE || d == CTIP_D_EVENT) {
					fprintf(stderr,
					        "ctip: estimate: --by: '%s' is not a dimension of "
					        "victims (e.g. year, gender, age_group, "
					        "exploitation_type, origin_province)\n",
					        t);
					rc = 2;
					goto out_usage;
				}
				if (q.nby == 2) {
					fprintf(stderr, "ctip: estimate: --by: at most two "
					                "dimensions (each "
					                "stratum needs enough persons)\n");
					rc = 2;
					goto out_usage;
				}
				q.by[q.nby++] = d;
			}
		} else if (!strcmp(a, "--year") || !strcmp(a, "--from") || !strcmp(a, "--to")) {
			int r = cli_stats_option(argc, argv, &i, &sq, &raw, &thr, &sf, &so);
			if (r) {
				rc = r > 0 ? r : cli_usage("estimate");
				goto out_usage;
			}
		} else if (cli_estimate_option(argc, argv, &i, &oo, &f2, &p2) < 0) {
			fprintf(stderr, "ctip: estimate: unknown option '%s'\n", a);
			rc = cli_usage("estimate");
			goto out_usage;
		}
	}
	q.from = sq.from;
	q.to = sq.to;
	ctip_store *s = NULL;
	if ((rc = cli_open(c, &s)))
		goto out_usage;
	ctip_facts *f = NULL;
	unsigned char need[CTIP_D_N] = {0};
	need[CTIP_D_ORG] = need[CTIP_D_ORG_TYPE] = 1;
	for (int k = 0; k < q.nby; k++)
		if (q.by[k] != CTIP_D_YEAR)
			need[q.by[k]] = 1;
	struct ctip_mse_reg_out h = {0}, h2 = {0};
	struct ctip_mse_result *res = NULL;
	struct sens sv = {.min = review_min};
	char *params = NULL;
	int nres = 0;
	rc = s->ops->stats_facts(s, CTIP_U_VICTIMS, need, &f, &e);
	if (!rc) {
		ctip_err e2 = {0};
		if (s->ops->link_params(s, &params, &e2))
			params = NULL;
		rc = ctip_mse_histories(f, &q, &h, &e);
	}
	if (!rc && sensitivity) {
		rc = sens_build(s, f, &sv, &e);
		struct ctip_mse_reg q2 = q;
		q2.remap = remap;
		q2.remap_ctx = &sv;
		if (!rc)
			rc = ctip_mse_histories(f, &q2, &h2, &e);
	}
	if (!rc && !h.n)
		rc = ctip_err_set(&e, CTIP_EINVAL,
		                  "no victims in the registry%s: nothing to estimate from (import "
		                  "records, run `ctip link run`, or widen --from/--to)",
		                  q.from || q.to ? " in the period" : "");
	if (!rc && !(res = calloc((size_t)h.n, sizeof *res)))
		rc = ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
	for (int k = 0; !rc && k < h.n; k++) {
		rc = ctip_mse_run(&h.data[k], h.label[k], &oo, &res[k], &e);
		nres = k + 1;
		if (rc)
			break;
		if (h.rows_undated && k == 0 && res[k].nwarn < 16)
			snprintf(res[k].warn[res[k].nwarn++], sizeof res[k].warn[0],
			         "%ld victim records without a date are outside any period and "
			         "left out",
			         h.rows_undated);
		if (!sensitivity)
			continue;
		/* the same stratum at the lower end of the review band: stepwise, no bootstrap */
		for (int j = 0; j < h2.n; j++)
			if (!strcmp(h2.label[j], h.label[k])) {
				struct ctip_mse_opts so = oo;
				so.nboot = 0;
				so.bic = so.lcm = 0;
				so.stepwise = 1;
				struct ctip_mse_result *r2 = malloc(sizeof *r2);
				if (!r2) {
					rc = ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
					break;
				}
				rc = ctip_mse_run(&h2.data[j], h2.label[j], &so, r2, &e);
				res[k].has_sens = 1;
				res[k].sens_min = review_min;
				res[k].sens_nobs = r2->nobs;
				res[k].sens_total = r2->step.ok ? r2->step.total : -1;
				ctip_mse_result_free(r2);
				free(r2);
				break;
			}
	}
	if (!rc) {
		char detail[256];
		snprintf(detail, sizeof detail, "lists=%s strata=%d persons=%ld", lists, h.n,
		         h.persons);
		rc = ctip_audit(s, NULL, "estimate", "victims", detail, &e);
	}
	struct cli_out out = {stdout, NULL, ""};
	if (!rc)
		rc = cli_out_open(&out, p2, 1, &e);
	if (!rc)
		rc = ctip_mse_write(out.f, f2, res, h.n, &oo,
		                    provenance(f, &q, &h, lists, params, sensitivity ? &sv : NULL),
		                    &e);
	rc = cli_out_close(&out, rc, &e);
	for (int k = 0; k < nres; k++)
		ctip_mse_result_free(&res[k]);
	free(res);
	free(params);
	sens_free(&sv);
	ctip_mse_reg_out_free(&h);
	ctip_mse_reg_out_free(&h2);
	ctip_facts_free(f);
	ctip_store_close(s);
out:
	for (int k = 0; k < q.nmap; k++) {
		free(q.map_org[k]);
		free(q.map_list[k]);
	}
	free(q.map_org);
	free(q.map_list);
	return rc ? cli_fail(&e) : 0;
out_usage:
	for (int k = 0; k < q.nmap; k++) {
		free(q.map_org[k]);
		free(q.map_list[k]);
	}
	free(q.map_org);
	free(q.map_list);
	return rc;
}
