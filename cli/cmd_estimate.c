/*
 * cmd_estimate.c - `ctip estimate`: the number of victims no agency saw, by multiple systems
 * estimation (lib/estimate/estimate.h, docs/ESTIMATION.md).
 *
 *   ctip estimate --histories FILE.csv [options]       capture histories given directly
 *   ctip estimate [--lists org|org_type|FILE] [--year Y | --from D --to D] [--by DIM[,DIM]]
 *                 [options]                             built from the registry's linked persons
 * options: [--method stepwise|bic|lcm|all] [--bootstrap N] [--seed S] [--alpha A]
 *          [--pthresh P] [--threads N] [--iterations N] [--format table|csv|json|html] [-o FILE]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "estimate.h"

int cli_estimate_registry(int argc, char **argv, struct cli *c, const struct ctip_mse_opts *o,
                          const char *fmt, const char *path);

static int num_opt(const char *name, const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = v ? strtod(v, &end) : 0;
	if (!v || !*v || *end || errno || !(x >= lo && x <= hi)) {
		fprintf(stderr, "ctip: estimate: %s: a number from %g to %g, got '%s'\n", name, lo,
		        hi, v ? v : "");
		return 2;
	}
	*out = x;
	return 0;
}

/* Parses the options every form shares; unknown ones are left for the registry form. */
int cli_estimate_option(int argc, char **argv, int *i, struct ctip_mse_opts *o, const char **fmt,
                        const char **path);
int cli_estimate_option(int argc, char **argv, int *i, struct ctip_mse_opts *o, const char **fmt,
                        const char **path)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	double x;
	if (!strcmp(a, "--method")) {
		if (!v)
			return -1;
		o->stepwise = !strcmp(v, "stepwise") || !strcmp(v, "all");
		o->bic = !strcmp(v, "bic") || !strcmp(v, "all");
		o->lcm = !strcmp(v, "lcm") || !strcmp(v, "all");
		if (!o->stepwise && !o->bic && !o->lcm) {
			fprintf(stderr,
			        "ctip: estimate: --method stepwise, bic, lcm or all, got '%s'\n",
			        v);
			return 2;
		}
	} else if (!strcmp(a, "--bootstrap")) {
		if (num_opt(a, v, 0, 100000, &x))
			return 2;
		o->nboot = (int)x;
	} else if (!strcmp(a, "--seed")) {
		if (num_opt(a, v, 0, 9007199254740992.0, &x))
			return 2;
		o->seed = (uint64_t)x;
	} else if (!strcmp(a, "--alpha")) {
		if (num_opt(a, v, 0.001, 0.5, &x))
			return 2;
		o->alpha = x;
	} else if (!strcmp(a, "--pthresh")) {
		if (num_opt(a, v, 0, 1, &x))
			return 2;
		o->pthresh = x;
	} else if (!strcmp(a, "--threads")) {
		if (num_opt(a, v, 1, 64, &x))
			return 2;
		o->threads = (int)x;
	} else if (!strcmp(a, "--iterations")) {
		if (num_opt(a, v, 100, 10000000, &x))
			return 2;
		o->lcm_iters = (int)x;
		o->lcm_burnin = (int)x / 5;
	} else if (!strcmp(a, "--format")) {
		if (!v)
			return -1;
		if (strcmp(v, "table") && strcmp(v, "csv") && strcmp(v, "json") &&
		    strcmp(v, "html")) {
			fprintf(stderr, "ctip: estimate: --format table, csv, json or html\n");
			return 2;
		}
		*fmt = v;
	} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
		if (!v)
			return -1;
		*path = v;
	} else {
		return -1;
	}
	(*i)++;
	return 0;
}

static json_t *file_provenance(const char *file, double nobs)
{
	json_t *p = json_object();
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(p, "computed_at", json_string(now));
	json_object_set_new(p, "source", json_string("capture histories file"));
	json_object_set_new(p, "histories", json_string(file));
	json_object_set_new(p, "persons", json_real(nobs));
	json_object_set_new(p, "ctip_version", json_string(CTIP_VERSION));
	return p;
}

int cmd_estimate(int argc, char **argv, struct cli *c)
{
	struct ctip_mse_opts o;
	ctip_mse_opts_default(&o);
	const char *fmt = "table", *path = NULL, *hist = NULL;
	int registry = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--histories") && i + 1 < argc) {
			hist = argv[++i];
			continue;
		}
		int rc = cli_estimate_option(argc, argv, &i, &o, &fmt, &path);
		if (rc > 0)
			return rc;
		if (rc < 0) {
			if (!strcmp(argv[i], "--lists") || !strcmp(argv[i], "--year") ||
			    !strcmp(argv[i], "--from") || !strcmp(argv[i], "--to") ||
			    !strcmp(argv[i], "--by") || !strcmp(argv[i], "--review-min") ||
			    !strcmp(argv[i], "--sensitivity")) {
				registry = 1;
				if (strcmp(argv[i], "--sensitivity"))
					i++;
				continue;
			}
			fprintf(stderr, "ctip: estimate: unknown option '%s'\n", argv[i]);
			return cli_usage("estimate");
		}
	}
	if (hist && registry) {
		fprintf(stderr, "ctip: estimate: --histories takes the lists from the file; "
		                "--lists, --year, --from, --to and --by are for the registry\n");
		return 2;
	}
	if (!hist)
		return cli_estimate_registry(argc, argv, c, &o, fmt, path);

	ctip_err e = {0};
	FILE *f = fopen(hist, "r");
	if (!f) {
		ctip_err_at(&e, CTIP_EIO, hist, 0, "", "cannot open: %s (check the path)",
		            strerror(errno));
		return cli_fail(&e);
	}
	struct ctip_mse_data *d = malloc(sizeof *d);
	struct ctip_mse_result *r = malloc(sizeof *r);
	int rc = d && r ? 0 : ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
	if (!rc)
		rc = ctip_mse_read_csv(f, hist, d, &e);
	fclose(f);
	if (!rc)
		rc = ctip_mse_run(d, "", &o, r, &e);
	struct cli_out out = {stdout, NULL, ""};
	if (!rc)
		rc = cli_out_open(&out, path, 1, &e);
	if (!rc)
		rc = ctip_mse_write(out.f, fmt, r, 1, &o, file_provenance(hist, r->nobs), &e);
	rc = cli_out_close(&out, rc, &e);
	if (r)
		ctip_mse_result_free(r);
	free(r);
	free(d);
	return rc ? cli_fail(&e) : 0;
}
