/*
 * cmd_demo.c - `ctip demo generate --persons N --seed S -o FILE [--truth FILE]`.
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

int cmd_demo(int argc, char **argv, struct cli *c)
{
	struct ctip_demo_opts o = {.persons = 1000, .seed = 1};
	const char *out = NULL, *truth = NULL;
	char *end;
	if (argc < 2 || strcmp(argv[1], "generate"))
		return cli_usage("demo");
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
