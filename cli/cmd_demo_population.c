/*
 * cmd_demo_population.c - `ctip demo generate --population N --lists K [--seed S] [--year Y]
 * [--heterogeneity H] -o FILE [--truth FILE]`: a population of victims of known size of whom
 * only the detected are written (lib/demo/demo_population.c), for bench/estimate.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo_population.h"

int cli_demo_population(int argc, char **argv);

static FILE *open_tmp(const char *path, char *tmp, size_t n)
{
	snprintf(tmp, n, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		fprintf(stderr, "ctip: %s: cannot write\n", tmp);
	return f;
}

int cli_demo_population(int argc, char **argv)
{
	struct ctip_demo_pop_opts o = {
	        .population = 10000, .lists = 4, .seed = 1, .year = 2024, .heterogeneity = 1};
	const char *out = NULL, *truth = NULL;
	char *end;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return cli_usage("demo");
		i++;
		if (!strcmp(a, "--population"))
			o.population = strtol(v, &end, 10);
		else if (!strcmp(a, "--lists"))
			o.lists = (int)strtol(v, &end, 10);
		else if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, &end, 10);
		else if (!strcmp(a, "--year"))
			o.year = (int)strtol(v, &end, 10);
		else if (!strcmp(a, "--heterogeneity"))
			o.heterogeneity = strtod(v, &end);
		else if (!strcmp(a, "-o")) {
			out = v;
			continue;
		} else if (!strcmp(a, "--truth")) {
			truth = v;
			continue;
		} else {
			fprintf(stderr, "ctip: demo generate --population: unknown option '%s'\n",
			        a);
			return cli_usage("demo");
		}
		if (*end || end == v) {
			fprintf(stderr, "ctip: %s: a number, got '%s'\n", a, v);
			return 2;
		}
	}
	if (!out)
		return cli_usage("demo");
	char tmp_out[1100], tmp_truth[1100];
	FILE *fo = open_tmp(out, tmp_out, sizeof tmp_out), *ft = NULL;
	if (!fo)
		return 3;
	if (truth && !(ft = open_tmp(truth, tmp_truth, sizeof tmp_truth))) {
		fclose(fo);
		remove(tmp_out);
		return 3;
	}
	long detected = 0, records = 0;
	o.detected = &detected;
	o.records = &records;
	ctip_err e = {0};
	int rc = ctip_demo_population(&o, fo, ft, &e);
	if (fclose(fo) && !rc)
		rc = ctip_err_set(&e, CTIP_EIO, "%s: write error", out);
	if (ft && fclose(ft) && !rc)
		rc = ctip_err_set(&e, CTIP_EIO, "%s: write error", truth);
	if (!rc && rename(tmp_out, out))
		rc = ctip_err_set(&e, CTIP_EIO, "%s: cannot write", out);
	if (!rc && truth && rename(tmp_truth, truth))
		rc = ctip_err_set(&e, CTIP_EIO, "%s: cannot write", truth);
	if (rc) {
		remove(tmp_out);
		if (truth)
			remove(tmp_truth);
		return cli_fail(&e);
	}
	fprintf(stderr,
	        "%s: %ld records of %ld detected victims of a population of %ld (seed %llu, %d "
	        "agencies)%s%s\n",
	        out, records, detected, o.population, o.seed, o.lists, truth ? ", truth in " : "",
	        truth ? truth : "");
	return 0;
}
