/*
 * cmd_link.c - `ctip link run | export | explain | review | decide | retrafficked` (and
 * `report`, cmd_link_report.c): record
 * linkage (lib/link/link.h).
 * Nothing here prints an identity: person keys, record ids, levels and weights.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "csv_write.h"
#include "link.h"
#include "link_retraffic.h"

static int link_run(int argc, char **argv, struct cli *c)
{
	struct ctip_link_opts o = {0};
	int timing = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
			o.threshold = atof(argv[++i]);
			if (o.threshold <= 0 || o.threshold >= 1) {
				fprintf(stderr,
				        "ctip: --threshold is a probability between 0 and 1\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			o.threads = atoi(argv[++i]);
			if (o.threads < 1 || o.threads > 16) {
				fprintf(stderr, "ctip: --threads is 1 to 16\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--timing")) {
			timing = 1;
		} else if (!strcmp(argv[i], "--reuse-model")) {
			o.reuse_model = 1;
		} else if (!strcmp(argv[i], "--full")) {
			o.full = 1;
		} else {
			return cli_usage("link");
		}
	}
	ctip_store *s;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	struct ctip_link_stats st;
	/* the run opens every identity: logged before */
	rc = ctip_audit(s, NULL, "link_run", "all", "", &e);
	if (!rc)
		rc = ctip_link_run(s, &o, &st, &e);
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	printf("linked %ld records into %ld persons (", st.records, st.persons);
	if (st.incremental)
		printf("incremental: %ld new or changed records, %ld person keys stored anew, ",
		       st.new_records, st.changed);
	printf("%ld candidate pairs, %ld links at probability %.3g%s", st.pairs, st.links,
	       st.threshold, o.threshold > 0 || st.incremental ? "" : " (chosen by the model)");
	if (st.decided)
		printf(", %ld decided the same by review", st.decided);
	if (st.refused)
		printf(", %ld refused by review, to keep clusters small or as two persons in one",
		       st.refused);
	printf(")\n");
	if (timing)
		fprintf(stderr,
		        "read %.3f s, blocking %.3f s, scoring %.3f s, EM %.3f s (%d iterations, "
		        "prior "
		        "%.3g), clustering %.3f s, saving %.3f s\n",
		        st.t_read, st.t_block, st.t_score, st.t_em, st.em_iterations, st.lambda,
		        st.t_cluster, st.t_save);
	if (timing && st.incremental)
		fprintf(stderr, "%ld records from the cache of prepared records, %ld read\n",
		        st.cached, st.records - st.cached);
	return 0;
}

static int put_person(void *ctx, int64_t id, const char *org, const char *src, const char *key)
{
	FILE *out = ctx;
	char fallback[32];
	if (!key) { /* not linked yet: a person of its own */
		snprintf(fallback, sizeof(fallback), "P%lld", (long long)id);
		key = fallback;
	}
	ctip_csv_field(out, org, 1);
	ctip_csv_field(out, src, 0);
	ctip_csv_field(out, key, 0);
	ctip_csv_eol(out);
	return 0;
}

static int put_pair(void *ctx, const struct ctip_link_pair_out *p)
{
	FILE *out = ctx;
	char w[32], pr[32];
	snprintf(w, sizeof(w), "%.3f", p->weight);
	snprintf(pr, sizeof(pr), "%.6f", p->probability);
	const char *f[8] = {p->a_org,
	                    p->a_src,
	                    p->b_org,
	                    p->b_src,
	                    w,
	                    pr,
	                    p->linked ? "1" : "0",
	                    p->linked ? p->a_key : ""};
	ctip_csv_row(out, f, 8);
	return 0;
}

static int link_export(int argc, char **argv, struct cli *c)
{
	const char *fmt = NULL, *path = NULL;
	int pairs = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strcmp(argv[i], "--pairs"))
			pairs = 1;
		else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			path = argv[++i];
		else
			return cli_usage("link");
	}
	if (!fmt || strcmp(fmt, "csv")) {
		fprintf(stderr, "ctip: link export needs --format csv\n");
		return 2;
	}
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	struct cli_out o;
	if ((rc = cli_out_open(&o, path, 1, &e))) {
		ctip_store_close(s);
		return cli_fail(&e);
	}
	FILE *out = o.f;
	rc = ctip_audit(s, NULL, "link_export", path ? path : "-", pairs ? "pairs" : "persons", &e);
	if (!rc && pairs) {
		static const char *const head[8] = {"a_Organisation",   "a_RecordId",
		                                    "b_Organisation",   "b_RecordId",
		                                    "ctip_MatchWeight", "ctip_MatchProbability",
		                                    "ctip_Linked",      "person_key"};
		ctip_csv_row(out, head, 8);
		rc = s->ops->link_pairs(s, put_pair, out, &e);
	} else if (!rc) {
		static const char *const head[3] = {"src_Organisation", "src_RecordId",
		                                    "person_key"};
		ctip_csv_row(out, head, 3);
		rc = s->ops->link_persons(s, put_person, out, &e);
	}
	rc = cli_out_close(&o, rc, &e);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

/* A record given as P12 or ORGANISATION:RECORD_ID. */
static int resolve(ctip_store *s, const char *arg, int64_t *id, ctip_err *e)
{
	char *end;
	if (arg[0] == 'P' && arg[1] >= '0' && arg[1] <= '9') {
		long long v = strtoll(arg + 1, &end, 10);
		if (!*end && v > 0) {
			*id = v;
			return CTIP_OK;
		}
	}
	const char *colon = strchr(arg, ':');
	if (!colon)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: give a record as P12 or ORGANISATION:RECORD_ID", arg);
	char org[512];
	snprintf(org, sizeof(org), "%.*s", (int)(colon - arg), arg);
	int64_t oid;
	int rc = s->ops->org_find(s, org, &oid, NULL, e);
	if (rc == CTIP_ENOTFOUND)
		return ctip_err_set(e, rc, "no organisation '%s'", org);
	if (!rc && (rc = s->ops->person_find(s, oid, colon + 1, id, e)) == CTIP_ENOTFOUND)
		return ctip_err_set(e, rc, "no record '%s' of '%s'", colon + 1, org);
	return rc;
}

static int link_explain(int argc, char **argv, struct cli *c)
{
	if (argc != 4)
		return cli_usage("link");
	ctip_store *s;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	int64_t a = 0, b = 0;
	struct ctip_link_explain x;
	if (!(rc = resolve(s, argv[2], &a, &e)) && !(rc = resolve(s, argv[3], &b, &e))) {
		char oa[24], ob[24];
		snprintf(oa, sizeof(oa), "P%lld", (long long)a);
		snprintf(ob, sizeof(ob), "P%lld", (long long)b);
		const char *objs[2] = {oa, ob};
		/* the levels say how two identities compare: a view of both */
		rc = ctip_audit_each(s, NULL, "link_explain", objs, 2, "", &e);
		if (!rc)
			rc = ctip_link_explain(s, a, b, &x, &e);
	}
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	printf("P%lld and P%lld%s\n", (long long)a, (long long)b,
	       x.swapped ? " (family and given names read crossed)" : "");
	printf("%-14s %-14s %8s\n", "comparison", "level", "weight");
	printf("%-14s %-14s %+8.2f\n", "prior", "", x.prior);
	for (int i = 0; i < CTIP_LK_NCMP; i++)
		printf("%-14s %-14s %+8.2f\n", x.name[i], x.level[i], x.weight[i]);
	if (x.full_name != 0)
		printf("%-14s %-14s %+8.2f\n", "full_name", "frequency", x.full_name);
	printf("%-14s %-14s %+8.2f\n", "total", "", x.total);
	printf("match probability %.6f (threshold %.2f): %s\n", x.probability, x.threshold,
	       x.linked ? "linked, one person" : "not linked");
	if (x.decision >= 0)
		printf("a reviewer decided: %s\n",
		       x.decision ? "same person" : "different persons");
	if (x.key_a[0] || x.key_b[0])
		printf("person keys %s %s\n", x.key_a[0] ? x.key_a : "-",
		       x.key_b[0] ? x.key_b : "-");
	return 0;
}

/* ---- clerical review ---- */

struct review {
	double lo, hi;
	int limit, n;
	int64_t *da, *db; /* decided pairs, in order */
	size_t nd, cap;
};

static int add_decided(void *ctx, int64_t a, int64_t b, int same)
{
	struct review *rv = ctx;
	if (rv->nd == rv->cap) {
		size_t cap = rv->cap ? rv->cap * 2 : 64;
		int64_t *na = realloc(rv->da, cap * sizeof(*na));
		if (na)
			rv->da = na;
		int64_t *nb = realloc(rv->db, cap * sizeof(*nb));
		if (nb)
			rv->db = nb;
		if (!na || !nb)
			return CTIP_ENOMEM;
		rv->cap = cap;
	}
	rv->da[rv->nd] = a;
	rv->db[rv->nd++] = b;
	return 0;
}

static int decided(const struct review *rv, int64_t a, int64_t b)
{
	for (size_t i = 0; i < rv->nd; i++)
		if (rv->da[i] == a && rv->db[i] == b)
			return 1;
	return 0;
}

static int put_review(void *ctx, const struct ctip_link_pair_out *p)
{
	struct review *rv = ctx;
	/* a pair of a record changed since the run is scored again by the next one */
	if (p->probability < rv->lo || p->probability >= rv->hi || p->changed ||
	    decided(rv, p->a, p->b))
		return 0;
	if (rv->n++ >= rv->limit)
		return 0;
	printf("P%-8lld P%-8lld %8.4f %+7.2f  %s  %s:%s | %s:%s\n", (long long)p->a,
	       (long long)p->b, p->probability, p->weight, p->linked ? "linked" : "apart ",
	       p->a_org, p->a_src, p->b_org, p->b_src);
	return 0;
}

/* `ctip link review [--min P] [--limit N]`: the undecided pairs of the last run whose
 * probability is in the uncertain band [min, max) (the run's: 0.2 to 0.9, so linked and
 * unlinked pairs near the threshold), by record ids. */
static int link_review(int argc, char **argv, struct cli *c)
{
	struct review rv = {.lo = 0.5, .limit = 50};
	int min_given = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--min") && i + 1 < argc)
			rv.lo = atof(argv[++i]), min_given = 1;
		else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
			rv.limit = atoi(argv[++i]);
		else
			return cli_usage("link");
	}
	if (rv.lo < 0 || rv.lo >= 1 || rv.limit <= 0)
		return cli_usage("link");
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	char *params = NULL;
	if (!(rc = s->ops->link_params(s, &params, &e))) {
		json_t *o = json_loads(params, 0, NULL);
		rv.hi = o ? json_real_value(json_object_get(o, "threshold")) : 0;
		/* the run's review band, when it stored one (before issue 12: up to the threshold)
		 */
		json_t *band = json_object_get(json_object_get(o, "quality"), "review");
		if (band) {
			rv.hi = json_real_value(json_object_get(band, "max"));
			if (!min_given)
				rv.lo = json_real_value(json_object_get(band, "min"));
		}
		json_decref(o);
		if (rv.hi <= 0)
			rc = ctip_err_set(&e, CTIP_EDB, "the stored linkage model is damaged");
	}
	free(params);
	if (!rc)
		rc = s->ops->link_decisions(s, add_decided, &rv, &e);
	if (rc == CTIP_ENOMEM)
		ctip_err_set(&e, rc, "out of memory");
	if (!rc) {
		printf("%-9s %-9s %8s %7s  %-6s  %s\n", "record", "record", "prob", "weight", "now",
		       "organisation:record | organisation:record");
		rc = s->ops->link_pairs(s, put_review, &rv, &e);
	}
	ctip_store_close(s);
	free(rv.da);
	free(rv.db);
	if (rc)
		return cli_fail(&e);
	fprintf(stderr,
	        "%d pairs to review (probability %.2f to %.2f)%s; see both with `ctip show`, "
	        "explain with `ctip link explain`, decide with `ctip link decide A B "
	        "same|different`\n",
	        rv.n, rv.lo, rv.hi, rv.n > rv.limit ? ", first ones shown" : "");
	return 0;
}

/* `ctip link decide A B same|different`: kept, audited, and respected by later runs. */
static int link_decide(int argc, char **argv, struct cli *c)
{
	if (argc != 5 || (strcmp(argv[4], "same") && strcmp(argv[4], "different")))
		return cli_usage("link");
	int same = !strcmp(argv[4], "same");
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	int64_t a = 0, b = 0;
	if (!(rc = resolve(s, argv[2], &a, &e)) && !(rc = resolve(s, argv[3], &b, &e))) {
		char obj[64], actor[128];
		snprintf(obj, sizeof(obj), "P%lld,P%lld", (long long)(a < b ? a : b),
		         (long long)(a < b ? b : a));
		const char *user = getenv("USER");
		snprintf(actor, sizeof(actor), "cli:%s", user ? user : "?");
		if (!(rc = s->ops->begin(s, &e))) {
			rc = s->ops->link_decide(s, a, b, same, actor, &e);
			if (rc)
				s->ops->rollback(s);
			else
				rc = s->ops->commit(s, &e);
		}
		if (!rc)
			rc = ctip_audit(s, NULL, "link_decide", obj, argv[4], &e);
	}
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	printf("decided: P%lld and P%lld are %s; `ctip link run` applies it\n", (long long)a,
	       (long long)b, same ? "one person" : "different persons");
	return 0;
}

/* ---- re-trafficking ---- */

static int put_retrafficked(void *ctx, const char *key, int episodes,
                            const struct ctip_victim_case *v, int n)
{
	long *count = ctx;
	(*count)++;
	printf("%s  %d episodes\n", key, episodes);
	for (int i = 0; i < n; i++)
		printf("  %s:%s  %s .. %s\n", v[i].org, v[i].src_case_id,
		       v[i].start ? v[i].start : "?", v[i].end ? v[i].end : "?");
	return 0;
}

/* `ctip link retrafficked`: linked persons who were victims in cases whose exploitation
 * periods do not overlap. */
static int link_retrafficked(int argc, char **argv, struct cli *c)
{
	if (argc != 2)
		return cli_usage("link");
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	long count = 0;
	rc = ctip_audit(s, NULL, "link_retrafficked", "all", "", &e);
	if (!rc)
		rc = ctip_link_retrafficked(s, put_retrafficked, &count, &e);
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	fprintf(stderr, "%ld persons trafficked more than once\n", count);
	return 0;
}

int cmd_link(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("link");
	if (!strcmp(argv[1], "run"))
		return link_run(argc, argv, c);
	if (!strcmp(argv[1], "export"))
		return link_export(argc, argv, c);
	if (!strcmp(argv[1], "explain"))
		return link_explain(argc, argv, c);
	if (!strcmp(argv[1], "retrafficked"))
		return link_retrafficked(argc, argv, c);
	if (!strcmp(argv[1], "review"))
		return link_review(argc, argv, c);
	if (!strcmp(argv[1], "decide"))
		return link_decide(argc, argv, c);
	if (!strcmp(argv[1], "report"))
		return cmd_link_report(argc, argv, c);
	return cli_usage("link");
}
