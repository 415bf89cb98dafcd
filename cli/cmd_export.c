/*
 * cmd_export.c - `ctip export --format csv|json [-o FILE]`.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "export.h"

int cmd_export(int argc, char **argv, struct cli *c)
{
	const char *fmt = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			path = argv[++i];
		else
			return cli_usage("export");
	}
	if (!fmt || (strcmp(fmt, "csv") && strcmp(fmt, "json"))) {
		fprintf(stderr, "ctip: export needs --format csv or --format json\n");
		return cli_usage("export");
	}
	ctip_store *s;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	long n = 0;
	struct cli_out out;
	if ((rc = cli_out_open(&out, path, 1, &e))) {
		ctip_store_close(s);
		return cli_fail(&e);
	}
	/* logged first: an export that fails half-way has still shown data */
	rc = ctip_audit(s, NULL, "export", path ? path : "-", fmt, &e);
	if (!rc)
		rc = ctip_export(s, strcmp(fmt, "csv") ? CTIP_FMT_JSON : CTIP_FMT_CSV, out.f, NULL,
		                 &n, &e);
	rc = cli_out_close(&out, rc, &e);
	if (!rc && path)
		fprintf(stderr, "%s: %ld rows exported\n", path, n);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}
