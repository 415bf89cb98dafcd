/*
 * cmd_release.c - `ctip release microdata|aggregates|list|reproduce|budget`: privacy-safe
 * releases (lib/release*.c), each recorded in the ledger (migration 0014) with the SHA-256 of
 * its file and audited. A file whose release cannot be recorded is removed: nothing leaves
 * unrecorded. docs/RELEASE.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "facts.h"
#include "release.h"
#include "release_agg.h"
#include "release_synth.h"

/* The budget of a data set no administrator has set (`ctip release budget`). */
#define DEFAULT_BUDGET 1.0

/* ---- shared -------------------------------------------------------------------------- */

static int file_sha256(const char *path, char hex[65], ctip_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot read: %s", path, strerror(errno));
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	unsigned char buf[65536], out[crypto_hash_sha256_BYTES];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return ctip_err_set(e, CTIP_EIO, "%s: read error", path);
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(hex, 65, out, sizeof(out));
	return CTIP_OK;
}

static uint64_t fresh_seed(void)
{
	uint64_t s;
	randombytes_buf(&s, sizeof(s));
	return s >> 1; /* printable as a signed 64-bit number in SQLite too */
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void actor_name(char *buf, size_t n)
{
	/* as the audit log names the command line's user (audit.c) */
	struct passwd *pw = getpwuid(getuid());
	snprintf(buf, n, "cli:%s", pw ? pw->pw_name : "unknown");
}

/* Records the release and audits it; on failure removes the file. */
static int record(ctip_store *s, struct ctip_release_rec *r, const char *path, char sha[65],
                  const char *who, ctip_err *e)
{
	char at[32], actor[96];
	int rc = file_sha256(path, sha, e);
	if (!rc && !s->ops->release_add)
		rc = ctip_err_set(e, CTIP_EINVAL, "this store has no ledger of releases");
	if (!rc) {
		now_iso(at, sizeof(at));
		if (who)
			snprintf(actor, sizeof(actor), "%s", who);
		else
			actor_name(actor, sizeof(actor));
		r->at = at;
		r->actor = actor;
		r->sha256 = sha;
		r->file = path;
		rc = s->ops->release_add(s, r, DEFAULT_BUDGET, e);
	}
	if (!rc) {
		char obj[32], detail[256];
		snprintf(obj, sizeof(obj), "R%" PRId64, r->id);
		snprintf(detail, sizeof(detail), "%s %s sha256=%s epsilon=%g", r->kind, r->params,
		         sha, r->epsilon);
		rc = ctip_audit(s, who, "release", obj, detail, e);
	}
	if (rc) {
		char p[1200];
		remove(path);
		snprintf(p, sizeof(p), "%s.evaluation.json", path);
		remove(p);
		snprintf(p, sizeof(p), "%s.evaluation.html", path);
		remove(p);
	}
	return rc;
}

/* ---- microdata ------------------------------------------------------------------------ */

struct micro_args {
	struct ctip_rel_opts o;
	const char *out;
	int seed_given, no_eval;
	char params[1024]; /* canonical options, without -o and --seed */
};

static int parse_groups(const char *v, unsigned *mask, const char *opt, FILE *err)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", v);
	*mask = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int g = ctip_rel_group_parse(t);
		if (g < 0) {
			fprintf(err, "ctip: release: %s: no column '%s'; columns:", opt, t);
			for (int k = 0; k < CTIP_RG_N; k++)
				fprintf(err, " %s", ctip_rel_group_name(k));
			fputc('\n', err);
			return 2;
		}
		*mask |= 1u << g;
	}
	return 0;
}

static void mask_text(unsigned m, char *buf, size_t n)
{
	buf[0] = 0;
	size_t len = 0;
	for (int g = 0; g < CTIP_RG_N; g++)
		if (m >> g & 1)
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s",
			                        len ? "," : "", ctip_rel_group_name(g));
}

static int parse_micro(int argc, char **argv, struct micro_args *a, FILE *err)
{
	a->o.k = 11;
	a->o.l = 0;
	a->o.max_supp = 0.1;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		if (!strcmp(o, "--no-evaluate")) {
			a->no_eval = 1;
			continue;
		}
		if (!v) {
			fprintf(err, "ctip: release microdata: %s needs a value\n", o);
			return 2;
		}
		i++;
		if (!strcmp(o, "--k")) {
			long k = strtol(v, &end, 10);
			if (*end || k < 2 || k > 100000) {
				fprintf(err,
				        "ctip: release: --k: a whole number from 2 to 100000\n");
				return 2;
			}
			a->o.k = (int)k;
		} else if (!strcmp(o, "--l")) {
			long l = strtol(v, &end, 10);
			if (*end || l < 1 || l > 1000) {
				fprintf(err, "ctip: release: --l: a whole number from 1 to 1000\n");
				return 2;
			}
			a->o.l = (int)l;
		} else if (!strcmp(o, "--quasi")) {
			if (parse_groups(v, &a->o.quasi, o, err))
				return 2;
		} else if (!strcmp(o, "--sensitive")) {
			if (parse_groups(v, &a->o.sens, o, err))
				return 2;
		} else if (!strcmp(o, "--year")) {
			long y = strtol(v, &end, 10);
			if (*end || y < 1900 || y > 2200) {
				fprintf(err, "ctip: release: --year: a year like 2023\n");
				return 2;
			}
			a->o.year = (int)y;
		} else if (!strcmp(o, "--max-suppress")) {
			double f = strtod(v, &end);
			if (*end || !(f >= 0 && f <= 1)) {
				fprintf(err,
				        "ctip: release: --max-suppress: a fraction from 0 to 1 "
				        "(0.1: a tenth of the records)\n");
				return 2;
			}
			a->o.max_supp = f;
		} else if (!strcmp(o, "--seed")) {
			unsigned long long sd = strtoull(v, &end, 10);
			if (*end || !*v || sd > INT64_MAX) {
				fprintf(err, "ctip: release: --seed: a whole number\n");
				return 2;
			}
			a->o.seed = sd;
			a->seed_given = 1;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			a->out = v;
		} else {
			fprintf(err, "ctip: release microdata: unknown option '%s'\n", o);
			return 2;
		}
	}
	if (a->o.quasi & a->o.sens) {
		fprintf(err, "ctip: release: a column cannot be both --quasi and --sensitive\n");
		return 2;
	}
	if (a->o.l > 1 && !a->o.sens) {
		fprintf(err, "ctip: release: --l needs --sensitive COLS (the columns that must "
		             "vary within each class)\n");
		return 2;
	}
	char q[256], s[256];
	mask_text(a->o.quasi, q, sizeof(q));
	mask_text(a->o.sens, s, sizeof(s));
	char l[32] = "", y[32] = "";
	if (a->o.l > 1)
		snprintf(l, sizeof(l), " --l %d", a->o.l);
	if (a->o.year)
		snprintf(y, sizeof(y), " --year %d", a->o.year);
	snprintf(a->params, sizeof(a->params), "--k %d%s%s%s%s%s%s --max-suppress %.15g", a->o.k,
	         *q ? " --quasi " : "", q, *s ? " --sensitive " : "", s, l, y, a->o.max_supp);
	return 0;
}

static void report_json(const struct ctip_rel_report *r, int k, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(
	        buf, n,
	        "{\"source\":%ld,\"records\":%ld,\"records_suppressed\":%ld,"
	        "\"cells_suppressed\":%ld,\"k\":%d,\"loss\":%.6f,\"loss_generalisation\":%.6f,"
	        "\"nodes\":%ld,\"lattice\":%ld,\"classes\":%ld,\"min_class\":%ld,"
	        "\"risk\":{\"prosecutor_max\":%.6f,\"prosecutor_avg\":%.6f,\"journalist_max\":%.6f,"
	        "\"journalist_avg\":%.6f,\"marketer\":%.6f},\"levels\":{",
	        r->source, r->records, r->records_supp, r->cells_supp, k, r->loss, r->loss_gen,
	        r->nodes, r->lattice, r->classes, r->min_class, r->pros_max, r->pros_avg,
	        r->jour_max, r->jour_avg, r->marketer);
	int first = 1;
	for (int g = 0; g < CTIP_RG_N && len < n; g++)
		if (r->quasi >> g & 1) {
			len += (size_t)snprintf(buf + len, n - len, "%s\"%s\":\"%s\"",
			                        first ? "" : ",", ctip_rel_group_name(g),
			                        ctip_rel_level_name(g, r->level[g]));
			first = 0;
		}
	if (len < n)
		snprintf(buf + len, n - len, "}}");
}

static void report_text(FILE *f, const struct ctip_rel_report *r, const struct ctip_rel_opts *o)
{
	fprintf(f, "persons in scope        %ld (data version %" PRId64 ")\n", r->source,
	        r->data_version);
	fprintf(f, "records released        %ld\n", r->records);
	fprintf(f, "records suppressed      %ld (%.1f%%)\n", r->records_supp,
	        r->source ? 100.0 * (double)r->records_supp / (double)r->source : 0.0);
	fprintf(f, "cells suppressed        %ld (quasi-identifier cells set to *)\n",
	        r->cells_supp);
	fprintf(f, "k                       %d%s", o->k, o->l > 1 ? "" : "\n");
	if (o->l > 1)
		fprintf(f, ", l = %d (distinct)\n", o->l);
	fprintf(f, "levels chosen          ");
	for (int g = 0; g < CTIP_RG_N; g++)
		if (r->quasi >> g & 1)
			fprintf(f, " %s=%s;", ctip_rel_group_name(g),
			        ctip_rel_level_name(g, r->level[g]));
	fputc('\n', f);
	fprintf(f, "search                  %ld of %ld lattice nodes evaluated (greedy descent)\n",
	        r->nodes, r->lattice);
	fprintf(f,
	        "information loss        %.4f (generalisation %.4f; precision with suppression, "
	        "0 none .. 1 all)\n",
	        r->loss, r->loss_gen);
	fprintf(f, "classes                 %ld, smallest %ld\n", r->classes, r->min_class);
	fprintf(f, "prosecutor risk         highest %.4f, average %.4f\n", r->pros_max,
	        r->pros_avg);
	fprintf(f,
	        "journalist risk         highest %.4f, average %.4f (population: the registry)\n",
	        r->jour_max, r->jour_avg);
	fprintf(f, "marketer risk           %.4f\n", r->marketer);
}

/* Runs a microdata release into path; fills r and the summary. */
static int run_micro(ctip_store *s, const struct micro_args *a, const char *path,
                     struct ctip_rel_report *r, ctip_err *e)
{
	unsigned char need[CTIP_D_N];
	ctip_rel_need(need);
	ctip_facts *f = NULL;
	int rc = s->ops->stats_facts(s, CTIP_U_VICTIMS, need, &f, e);
	struct cli_out o = {stdout, NULL, ""};
	if (!rc)
		rc = cli_out_open(&o, path, 1, e);
	/* the evaluation's attack weighs with the last linkage run's model, if any */
	struct ctip_rel_opts ro = a->o;
	char *model = NULL;
	if (!rc && ro.eval_path && s->ops->link_params) {
		ctip_err le = {0};
		if (s->ops->link_params(s, &model, &le))
			model = NULL; /* none (or unreadable): the documented defaults */
		ro.link_model = model;
	}
	if (!rc)
		rc = ctip_rel_microdata(f, &ro, o.f, r, e);
	free(model);
	if (o.f && o.f != stdout)
		rc = cli_out_close(&o, rc, e);
	ctip_facts_free(f);
	return rc;
}

/* What a release did (the wrappers print it; the server answers it). */
struct made {
	int64_t id;
	char sha[65];
	char summary[2048];
	int64_t records;
	struct ctip_rel_report micro;
	struct ctip_syn_report syn;
};

static int make_micro(ctip_store *s, struct micro_args *a, const char *who, struct made *m,
                      ctip_err *e)
{
	if (!a->seed_given)
		a->o.seed = fresh_seed();
	struct ctip_rel_report *r = &m->micro;
	a->o.eval_path = a->no_eval ? NULL : a->out;
	int rc = run_micro(s, a, a->out, r, e);
	char seed[32];
	report_json(r, a->o.k, m->summary, sizeof(m->summary));
	snprintf(seed, sizeof(seed), "%" PRIu64, a->o.seed);
	struct ctip_release_rec rec = {.kind = "microdata",
	                               .params = a->params,
	                               .data_version = r->data_version,
	                               .seed = seed,
	                               .records = r->records,
	                               .dataset = "victims",
	                               .summary = m->summary};
	if (!rc)
		rc = record(s, &rec, a->out, m->sha, who, e);
	m->id = rec.id;
	m->records = r->records;
	return rc;
}

static int cmd_microdata(int argc, char **argv, struct cli *c)
{
	struct micro_args a = {0};
	int rc = parse_micro(argc, argv, &a, stderr);
	if (rc)
		return rc;
	if (!a.out) {
		fprintf(stderr, "ctip: release microdata: -o FILE is required (the file is hashed "
		                "into the ledger)\n");
		return 2;
	}
	ctip_store *s;
	if ((rc = cli_open(c, &s)))
		return rc;
	ctip_err e = {0};
	struct made m = {0};
	rc = make_micro(s, &a, NULL, &m, &e);
	if (!rc) {
		printf("release R%" PRId64 ": %s (sha256 %s)\n", m.id, a.out, m.sha);
		report_text(stdout, &m.micro, &a.o);
		if (!a.no_eval)
			printf("evaluation              %s.evaluation.html and .json (linkage "
			       "attack: %.3f%% "
			       "re-identified)\n",
			       a.out, 100 * m.micro.attack_rate);
	}
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

/* ---- aggregates ------------------------------------------------------------------------ */

static int budget_check(ctip_store *s, double eps, ctip_err *e);

static int make_agg(ctip_store *s, struct ctip_agg_args *a, const char *who, struct made *m,
                    ctip_err *e)
{
	if (!a->seed_given)
		a->seed = fresh_seed();
	/* refused before any work when the budget is spent already */
	int rc = budget_check(s, a->epsilon, e);
	int64_t version = 0, records = 0;
	if (!rc)
		rc = ctip_agg_run(s, a, a->out, &version, &records, e);
	char seed[32];
	snprintf(seed, sizeof(seed), "%" PRIu64, a->seed);
	snprintf(m->summary, sizeof(m->summary), "{\"persons\":%" PRId64 ",\"epsilon\":%g}",
	         records, a->epsilon);
	struct ctip_release_rec rec = {.kind = "aggregates",
	                               .params = a->params,
	                               .data_version = version,
	                               .seed = seed,
	                               .records = records,
	                               .dataset = "victims",
	                               .epsilon = a->epsilon,
	                               .delta = 0,
	                               .summary = m->summary};
	if (!rc)
		rc = record(s, &rec, a->out, m->sha, who, e);
	m->id = rec.id;
	m->records = records;
	return rc;
}

static int cmd_aggregates(int argc, char **argv, struct cli *c)
{
	struct ctip_agg_args a;
	int rc = ctip_agg_parse(argc, argv, &a, stderr);
	if (rc)
		return rc;
	if (!a.out) {
		fprintf(stderr, "ctip: release aggregates: -o FILE is required\n");
		return 2;
	}
	ctip_store *s;
	if ((rc = cli_open(c, &s)))
		return rc;
	ctip_err e = {0};
	struct made m = {0};
	rc = make_agg(s, &a, NULL, &m, &e);
	if (!rc)
		printf("release R%" PRId64 ": %s (sha256 %s)%s\n", m.id, a.out, m.sha,
		       a.epsilon > 0 ? " differentially private" : "");
	if (!rc && a.epsilon > 0)
		printf("epsilon spent           %g of data set 'victims'\n", a.epsilon);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

/* ---- synthetic ------------------------------------------------------------------------ */

struct syn_args {
	struct ctip_syn_opts o;
	const char *out;
	int seed_given, no_eval;
	char params[512];
};

static int parse_syn(int argc, char **argv, struct syn_args *a, FILE *err)
{
	const char *mode = "k";
	a->o.k = 10;
	a->o.length = 4;
	a->o.threads = 2;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		if (!strcmp(o, "--no-evaluate")) {
			a->no_eval = 1;
			continue;
		}
		if (!v) {
			fprintf(err, "ctip: release synthetic: %s needs a value\n", o);
			return 2;
		}
		i++;
		if (!strcmp(o, "--mode")) {
			if (strcmp(v, "k") && strcmp(v, "dp")) {
				fprintf(err, "ctip: release synthetic: --mode k or dp\n");
				return 2;
			}
			mode = v;
		} else if (!strcmp(o, "--k")) {
			long k = strtol(v, &end, 10);
			if (*end || k < 2 || k > 100000) {
				fprintf(err, "ctip: release synthetic: --k: 2 to 100000\n");
				return 2;
			}
			a->o.k = (int)k;
		} else if (!strcmp(o, "--length")) {
			long l = strtol(v, &end, 10);
			if (*end || l < 1 || l > 4) {
				fprintf(err, "ctip: release synthetic: --length: 1 to 4\n");
				return 2;
			}
			a->o.length = (int)l;
		} else if (!strcmp(o, "--epsilon") || !strcmp(o, "--delta")) {
			double x = strtod(v, &end);
			if (*end || !(x > 0) || x > 100 || (o[2] == 'd' && x >= 1)) {
				fprintf(err, "ctip: release synthetic: %s: a number above 0%s\n", o,
				        o[2] == 'd' ? " and under 1 (1e-6 is usual)" : "");
				return 2;
			}
			if (o[2] == 'e')
				a->o.epsilon = x;
			else
				a->o.delta = x;
		} else if (!strcmp(o, "--year")) {
			long y = strtol(v, &end, 10);
			if (*end || y < 1900 || y > 2200) {
				fprintf(err, "ctip: release synthetic: --year: a year like 2023\n");
				return 2;
			}
			a->o.year = (int)y;
		} else if (!strcmp(o, "--threads")) {
			a->o.threads = atoi(v) > 1 ? 2 : 1;
		} else if (!strcmp(o, "--seed")) {
			unsigned long long sd = strtoull(v, &end, 10);
			if (*end || !*v || sd > INT64_MAX) {
				fprintf(err, "ctip: release synthetic: --seed: a whole number\n");
				return 2;
			}
			a->o.seed = sd;
			a->seed_given = 1;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			a->out = v;
		} else {
			fprintf(err, "ctip: release synthetic: unknown option '%s'\n", o);
			return 2;
		}
	}
	a->o.dp = !strcmp(mode, "dp");
	if (a->o.dp && !(a->o.epsilon > 0 && a->o.delta > 0)) {
		fprintf(err,
		        "ctip: release synthetic: --mode dp needs --epsilon E and --delta D\n");
		return 2;
	}
	if (!a->o.dp && (a->o.epsilon > 0 || a->o.delta > 0)) {
		fprintf(err, "ctip: release synthetic: --epsilon and --delta go with --mode dp\n");
		return 2;
	}
	char y[32] = "";
	if (a->o.year)
		snprintf(y, sizeof(y), " --year %d", a->o.year);
	if (a->o.dp)
		snprintf(a->params, sizeof(a->params),
		         "--mode dp --epsilon %.15g --delta %.15g --length %d%s", a->o.epsilon,
		         a->o.delta, a->o.length, y);
	else
		snprintf(a->params, sizeof(a->params), "--mode k --k %d --length %d%s", a->o.k,
		         a->o.length, y);
	return 0;
}

/* Writes the synthetic records to path and their protected aggregates to path.aggregates.csv
 * (both atomically). */
static int run_syn(ctip_store *s, const struct syn_args *a, const char *path,
                   struct ctip_syn_report *r, ctip_err *e)
{
	unsigned char need[CTIP_D_N];
	ctip_rel_need(need);
	ctip_facts *f = NULL;
	char apath[1100];
	snprintf(apath, sizeof(apath), "%s.aggregates.csv", path);
	int rc = s->ops->stats_facts(s, CTIP_U_VICTIMS, need, &f, e);
	struct cli_out o = {stdout, NULL, ""}, ag = {stdout, NULL, ""};
	if (!rc)
		rc = cli_out_open(&o, path, 1, e);
	if (!rc)
		rc = cli_out_open(&ag, apath, 1, e);
	if (!rc)
		rc = ctip_syn_run(f, &a->o, o.f, ag.f, r, e);
	if (ag.f && ag.f != stdout)
		rc = cli_out_close(&ag, rc, e);
	if (o.f && o.f != stdout)
		rc = cli_out_close(&o, rc, e);
	if (rc)
		remove(apath);
	ctip_facts_free(f);
	return rc;
}

static int budget_check(ctip_store *s, double eps, ctip_err *e)
{
	if (!(eps > 0) || !s->ops->release_budget)
		return CTIP_OK;
	double budget = DEFAULT_BUDGET, spent = 0;
	int rc = s->ops->release_budget(s, "victims", -1, &budget, &spent, e);
	if (!rc && spent + eps > budget + 1e-9)
		rc = ctip_err_set(
		        e, CTIP_EINVAL,
		        "release refused: epsilon %g would take data set 'victims' past its "
		        "budget (%g spent of %g); hint: a smaller --epsilon, or an "
		        "administrator raises it with ctip release budget",
		        eps, spent, budget);
	return rc;
}

static int make_syn(ctip_store *s, struct syn_args *a, const char *who, struct made *m, ctip_err *e)
{
	if (!a->seed_given)
		a->o.seed = fresh_seed();
	struct ctip_syn_report *r = &m->syn;
	a->o.eval_path = a->no_eval ? NULL : a->out;
	int rc = budget_check(s, a->o.dp ? a->o.epsilon : 0, e);
	if (!rc)
		rc = run_syn(s, a, a->out, r, e);
	char seed[32];
	char *summary = m->summary;
	size_t len = (size_t)snprintf(
	        summary, sizeof(m->summary),
	        "{\"source\":%ld,\"records\":%ld,\"blanked\":%ld,\"combinations\":[", r->source,
	        r->records, r->blanked);
	for (int l = 1; l <= a->o.length && len < sizeof(m->summary); l++)
		len += (size_t)snprintf(summary + len, sizeof(m->summary) - len,
		                        "%s{\"length\":%d,\"source\":%ld,\"published\":%ld}",
		                        l > 1 ? "," : "", l, r->combos[l], r->published[l]);
	if (len < sizeof(m->summary))
		snprintf(summary + len, sizeof(m->summary) - len, "]}");
	snprintf(seed, sizeof(seed), "%" PRIu64, a->o.seed);
	struct ctip_release_rec rec = {.kind = "synthetic",
	                               .params = a->params,
	                               .data_version = r->data_version,
	                               .seed = seed,
	                               .records = r->records,
	                               .dataset = "victims",
	                               .epsilon = a->o.dp ? a->o.epsilon : 0,
	                               .delta = a->o.dp ? a->o.delta : 0,
	                               .summary = summary};
	if (!rc)
		rc = record(s, &rec, a->out, m->sha, who, e);
	if (rc && a->out) { /* the aggregates go with the file */
		char apath[1100];
		snprintf(apath, sizeof(apath), "%s.aggregates.csv", a->out);
		remove(apath);
	}
	m->id = rec.id;
	m->records = r->records;
	return rc;
}

static int cmd_synthetic(int argc, char **argv, struct cli *c)
{
	struct syn_args a = {0};
	int rc = parse_syn(argc, argv, &a, stderr);
	if (rc)
		return rc;
	if (!a.out) {
		fprintf(stderr, "ctip: release synthetic: -o FILE is required\n");
		return 2;
	}
	ctip_store *s;
	if ((rc = cli_open(c, &s)))
		return rc;
	ctip_err e = {0};
	struct made m = {0};
	rc = make_syn(s, &a, NULL, &m, &e);
	const struct ctip_syn_report *rp = &m.syn, r = *rp;
	if (!rc) {
		printf("release R%" PRId64 ": %s (sha256 %s)\n", m.id, a.out, m.sha);
		printf("protected aggregates    %s.aggregates.csv\n", a.out);
		if (!a.no_eval)
			printf("evaluation              %s.evaluation.html and .json (linkage "
			       "attack: %.3f%% "
			       "of records single out one person)\n",
			       a.out, 100 * r.attack_rate);
		printf("persons in scope        %ld (data version %" PRId64 ")\n", r.source,
		       r.data_version);
		printf("synthetic records       %ld\n", r.records);
		printf("values left blank       %ld (they would have made an unpublished "
		       "combination)\n",
		       r.blanked);
		for (int l = 1; l <= a.o.length; l++)
			if (a.o.dp)
				printf("length %d combinations   %ld in the source, %ld published "
				       "(noisy count "
				       ">= %.0f)\n",
				       l, r.combos[l], r.published[l], r.tau[l]);
			else
				printf("length %d combinations   %ld in the source, %ld "
				       "published\n",
				       l, r.combos[l], r.published[l]);
		if (a.o.dp)
			printf("epsilon spent           %g, delta %g of data set 'victims'\n",
			       a.o.epsilon, a.o.delta);
	}
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

/* ---- the ledger -------------------------------------------------------------------------- */

struct list_ctx {
	int json;
	json_t *arr;
};

static int list_one(void *ctx, const struct ctip_release_rec *r)
{
	struct list_ctx *l = ctx;
	if (l->json) {
		/* the seed stays in the database: with it, a dp release's noise could be removed */
		json_t *sum = json_loads(r->summary, 0, NULL);
		json_t *o = json_pack("{sI ss ss ss ss sI ss ss sI ss sf sf so}", "id",
		                      (json_int_t)r->id, "at", r->at, "actor", r->actor, "kind",
		                      r->kind, "params", r->params, "data_version",
		                      (json_int_t)r->data_version, "file", r->file, "sha256",
		                      r->sha256, "records", (json_int_t)r->records, "dataset",
		                      r->dataset, "epsilon", r->epsilon, "delta", r->delta,
		                      "summary", sum ? sum : json_object());
		return o && !json_array_append_new(l->arr, o) ? 0 : -1;
	}
	printf("R%-4" PRId64 " %s  %-10s %-18s %8" PRId64 " records  eps %-5g v%-6" PRId64
	       " %s\n      %s\n      sha256 %s\n",
	       r->id, r->at, r->kind, r->actor, r->records, r->epsilon, r->data_version, r->file,
	       r->params, r->sha256);
	return 0;
}

static int cmd_list(int argc, char **argv, struct cli *c)
{
	int json = argc >= 2 && !strcmp(argv[0], "--format") && !strcmp(argv[1], "json");
	if (argc && !json)
		return cli_usage("release");
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	struct list_ctx l = {json, json_array()};
	rc = s->ops->release_each ? s->ops->release_each(s, 0, list_one, &l, &e)
	                          : ctip_err_set(&e, CTIP_EINVAL, "this store has no ledger");
	if (rc < 0)
		rc = ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
	if (!rc && json) {
		json_dumpf(l.arr, stdout, JSON_INDENT(1));
		putchar('\n');
	}
	json_decref(l.arr);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

struct got {
	char kind[32], params[1024], seed[32], sha[65], file[1024];
	int64_t version;
	double epsilon;
};

static int get_one(void *ctx, const struct ctip_release_rec *r)
{
	struct got *g = ctx;
	snprintf(g->kind, sizeof(g->kind), "%s", r->kind);
	snprintf(g->params, sizeof(g->params), "%s", r->params);
	snprintf(g->seed, sizeof(g->seed), "%s", r->seed);
	snprintf(g->sha, sizeof(g->sha), "%s", r->sha256);
	snprintf(g->file, sizeof(g->file), "%s", r->file);
	g->version = r->data_version;
	g->epsilon = r->epsilon;
	return 0;
}

/* Runs release ID again from its record into a scratch file and compares the hash. */
static int cmd_reproduce(int argc, char **argv, struct cli *c)
{
	if (argc != 1)
		return cli_usage("release");
	const char *id_s = argv[0][0] == 'R' ? argv[0] + 1 : argv[0];
	char *end;
	long long id = strtoll(id_s, &end, 10);
	if (*end || id <= 0) {
		fprintf(stderr, "ctip: release reproduce: ID is a release number like R3\n");
		return 2;
	}
	ctip_store *s;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	struct got g = {0};
	rc = s->ops->release_each ? s->ops->release_each(s, id, get_one, &g, &e)
	                          : ctip_err_set(&e, CTIP_EINVAL, "this store has no ledger");
	/* the options, split on spaces (no value holds one) */
	char buf[1024], *av[64];
	int ac = 0;
	snprintf(buf, sizeof(buf), "%s", g.params);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && ac < 62;
	     t = strtok_r(NULL, " ", &save))
		av[ac++] = t;
	/* the file made again goes into a directory of our own (mode 0700) under TMPDIR: beside
	 * the registry is no place when it is a PostgreSQL URL */
	char dir[1024], tmp[1100];
	const char *td = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/ctip-reproduce.XXXXXX", td && *td ? td : "/tmp");
	if (!rc && !mkdtemp(dir))
		rc = ctip_err_set(&e, CTIP_EIO, "%s: cannot make a scratch directory: %s", dir,
		                  strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/release", dir);
	int64_t version = 0, records = 0;
	if (!rc && !strcmp(g.kind, "microdata")) {
		struct micro_args a = {0};
		if (parse_micro(ac, av, &a, stderr)) {
			rc = ctip_err_set(&e, CTIP_EINVAL, "R%lld: its options no longer parse",
			                  id);
		} else {
			a.o.seed = strtoull(g.seed, NULL, 10);
			struct ctip_rel_report r;
			rc = run_micro(s, &a, tmp, &r, &e);
			version = r.data_version;
		}
	} else if (!rc && !strcmp(g.kind, "aggregates")) {
		struct ctip_agg_args a;
		if (ctip_agg_parse(ac, av, &a, stderr)) {
			rc = ctip_err_set(&e, CTIP_EINVAL, "R%lld: its options no longer parse",
			                  id);
		} else {
			a.seed = strtoull(g.seed, NULL, 10);
			rc = ctip_agg_run(s, &a, tmp, &version, &records, &e);
		}
	} else if (!rc && !strcmp(g.kind, "synthetic")) {
		struct syn_args a = {0};
		if (parse_syn(ac, av, &a, stderr)) {
			rc = ctip_err_set(&e, CTIP_EINVAL, "R%lld: its options no longer parse",
			                  id);
		} else {
			a.o.seed = strtoull(g.seed, NULL, 10);
			struct ctip_syn_report r;
			rc = run_syn(s, &a, tmp, &r, &e);
			version = r.data_version;
			char apath[1200];
			snprintf(apath, sizeof(apath), "%s.aggregates.csv", tmp);
			remove(apath);
		}
	} else if (!rc) {
		rc = ctip_err_set(&e, CTIP_EINVAL, "R%lld: a %s release cannot be run again", id,
		                  g.kind);
	}
	char sha[65] = "";
	if (!rc)
		rc = file_sha256(tmp, sha, &e);
	remove(tmp);
	rmdir(dir);
	int same = !rc && !strcmp(sha, g.sha);
	if (!rc) {
		char obj[32];
		snprintf(obj, sizeof(obj), "R%lld", id);
		rc = ctip_audit(s, NULL, "release-reproduce", obj, same ? "identical" : "differs",
		                &e);
	}
	if (!rc) {
		printf("R%lld: %s %s\n  recorded sha256 %s (data version %" PRId64 ")\n"
		       "  again    sha256 %s (data version %" PRId64 ")\n",
		       id, g.kind, same ? "reproduced: identical file" : "NOT reproduced", g.sha,
		       g.version, sha, version);
		if (!same && version != g.version)
			printf("  the registry changed since the release (data version %" PRId64
			       " then, %" PRId64 " now)\n",
			       g.version, version);
	}
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	return same ? 0 : 1;
}

static int cmd_budget(int argc, char **argv, struct cli *c)
{
	const char *ds = "victims";
	double set = -1;
	for (int i = 0; i + 1 < argc; i += 2) {
		char *end;
		if (!strcmp(argv[i], "--epsilon")) {
			set = strtod(argv[i + 1], &end);
			if (*end || !(set >= 0) || set > 1e6) {
				fprintf(stderr, "ctip: release budget: --epsilon: a number >= 0\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--dataset")) {
			ds = argv[i + 1];
		} else {
			return cli_usage("release");
		}
	}
	if (argc % 2)
		return cli_usage("release");
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	double budget = DEFAULT_BUDGET, spent = 0;
	rc = s->ops->release_budget ? s->ops->release_budget(s, ds, set, &budget, &spent, &e)
	                            : ctip_err_set(&e, CTIP_EINVAL, "this store has no ledger");
	if (!rc && set >= 0) {
		char detail[128];
		snprintf(detail, sizeof(detail), "budget epsilon=%g", set);
		rc = ctip_audit(s, NULL, "release-budget", ds, detail, &e);
	}
	if (!rc)
		printf("data set %s: epsilon budget %g, spent %g, left %g\n", ds, budget, spent,
		       budget - spent > 0 ? budget - spent : 0);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

int cli_release_make(ctip_store *s, const char *kind, int argc, char **argv, const char *path,
                     const char *actor, struct cli_release_out *out, ctip_err *e)
{
	char *msg = NULL;
	size_t mlen = 0;
	FILE *err = open_memstream(&msg, &mlen);
	if (!err)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	struct made *m = calloc(1, sizeof(*m));
	int rc = m ? 0 : ctip_err_set(e, CTIP_ENOMEM, "out of memory"), bad = 0;
	if (!rc && !strcmp(kind, "microdata")) {
		struct micro_args a = {0};
		bad = parse_micro(argc, argv, &a, err);
		a.out = path;
		if (!bad)
			rc = make_micro(s, &a, actor, m, e);
	} else if (!rc && !strcmp(kind, "aggregates")) {
		struct ctip_agg_args a;
		bad = ctip_agg_parse(argc, argv, &a, err);
		a.out = path;
		if (!bad)
			rc = make_agg(s, &a, actor, m, e);
	} else if (!rc && !strcmp(kind, "synthetic")) {
		struct syn_args a = {0};
		bad = parse_syn(argc, argv, &a, err);
		a.out = path;
		if (!bad)
			rc = make_syn(s, &a, actor, m, e);
	} else if (!rc) {
		fprintf(err, "kind: microdata, aggregates or synthetic");
		bad = 2;
	}
	fclose(err);
	if (bad) {
		/* the message without "ctip: " and its newline */
		char *t = msg && !strncmp(msg, "ctip: ", 6) ? msg + 6 : msg ? msg : "";
		t[strcspn(t, "\n")] = 0;
		rc = ctip_err_set(e, CTIP_EINVAL, "%s", t);
	}
	free(msg);
	if (!rc && m) {
		out->id = m->id;
		out->records = m->records;
		snprintf(out->sha256, sizeof(out->sha256), "%s", m->sha);
		snprintf(out->summary, sizeof(out->summary), "%s", m->summary);
	}
	free(m);
	return rc;
}

int cmd_release(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("release");
	if (sodium_init() < 0) {
		fprintf(stderr, "ctip: libsodium failed to start\n");
		return 1;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "microdata"))
		return cmd_microdata(argc - 2, argv + 2, c);
	if (!strcmp(sub, "aggregates"))
		return cmd_aggregates(argc - 2, argv + 2, c);
	if (!strcmp(sub, "synthetic"))
		return cmd_synthetic(argc - 2, argv + 2, c);
	if (!strcmp(sub, "list"))
		return cmd_list(argc - 2, argv + 2, c);
	if (!strcmp(sub, "reproduce"))
		return cmd_reproduce(argc - 2, argv + 2, c);
	if (!strcmp(sub, "budget"))
		return cmd_budget(argc - 2, argv + 2, c);
	return cli_usage("release");
}
