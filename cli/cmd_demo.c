/*
 * cmd_demo.c - `ctip demo generate --persons N --seed S [--quality P] [--KNOB R ...] -o FILE
 * [--truth FILE]`: the knobs (rates from 0 to 1) override the profile's rates, in any order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"

static FILE *open_tmp(const char *path, char *tmp, size_t n)
{
	snprintf(tmp, n, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		perror(tmp);
	return f;
}

/* The index of a data-quality knob by its option name, or -1. */
static int dq_knob(const char *name)
{
	for (int i = 0; i < CTIP_DQ_N; i++)
		if (!strcmp(name, ctip_demo_dq_name[i]))
			return i;
	return -1;
}

int cli_demo_population(int argc, char **argv);

int cmd_demo(int argc, char **argv, struct cli *c)
{
	struct ctip_demo_opts o = {.persons = 1000, .seed = 1};
	const char *out = NULL, *truth = NULL, *quality = NULL;
	unsigned char knob_set[CTIP_DQ_N] = {0};
	unsigned short knob[CTIP_DQ_N] = {0};
	int k;
	char *end;
	if (argc < 2 || strcmp(argv[1], "generate"))
		return cli_usage("demo");
	for (int i = 2; i < argc; i++) /* a population for estimation: cmd_demo_population.c */
		if (!strcmp(argv[i], "--population"))
			return cli_demo_population(argc, argv);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--persons") && i + 1 < argc) {
			o.persons = strtol(argv[++i], &end, 10);
			if (*end || o.persons <= 0 || o.persons > 100000000L) {
				fprintf(stderr, "ctip: --persons must be from 1 to 100000000\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			o.seed = strtoull(argv[++i], &end, 10);
			if (*end) {
				fprintf(stderr, "ctip: --seed must be a number\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--quality") && i + 1 < argc) {
			quality = argv[++i];
			if (ctip_demo_quality(&o, quality)) {
				fprintf(stderr,
				        "ctip: --quality %s: not a profile (good, typical or "
				        "poor)\n",
				        quality);
				return 2;
			}
		} else if (!strncmp(argv[i], "--", 2) && i + 1 < argc &&
		           (k = dq_knob(argv[i] + 2)) >= 0) {
			double v = strtod(argv[++i], &end);
			if (*end || end == argv[i] || !(v >= 0 && v <= 1)) {
				fprintf(stderr,
				        "ctip: %s %s: a rate from 0 to 1 is expected (e.g. 0.15)\n",
				        argv[i - 1], argv[i]);
				return 2;
			}
			knob_set[k] = 1;
			knob[k] = (unsigned short)(v * 1000 + 0.5);
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--truth") && i + 1 < argc) {
			truth = argv[++i];
		} else {
			return cli_usage("demo");
		}
	}
	if (!out)
		return cli_usage("demo");
	for (int q = 0; q < CTIP_DQ_N; q++) /* the knobs over the profile, in any order */
		if (knob_set[q]) {
			o.dq_set[q] = 1;
			o.dq[q] = knob[q];
		}
	char tmp_out[1100], tmp_truth[1100];
	FILE *fo = open_tmp(out, tmp_out, sizeof(tmp_out)), *ft = NULL;
	if (!fo)
		return 3;
	if (truth && !(ft = open_tmp(truth, tmp_truth, sizeof(tmp_truth)))) {
		fclose(fo);
		remove(tmp_out);
		return 3;
	}
	ctip_err e = {0};
	int rc = ctip_demo_generate(&o, fo, ft, &e);
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
	fprintf(stderr, "%s: %ld synthetic person records (seed %llu)%s%s\n", out, o.persons,
	        o.seed, truth ? ", truth in " : "", truth ? truth : "");
	return 0;
}
