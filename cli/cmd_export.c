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
	/* write to FILE.tmp and rename, so a failed export never leaves half a file */
	char tmp[1100];
	FILE *out = stdout;
	if (path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		if (!(out = fopen(tmp, "wb"))) {
			perror(tmp);
			ctip_store_close(s);
			return 3;
		}
	}
	ctip_err e = {0};
	long n = 0;
	/* logged first: an export that fails half-way has still shown data */
	rc = ctip_audit(s, NULL, "export", path ? path : "-", fmt, &e);
	if (!rc)
		rc = ctip_export(s, strcmp(fmt, "csv") ? CTIP_FMT_JSON : CTIP_FMT_CSV, out, NULL,
		                 &n, &e);
	if (path) {
		if (fclose(out) && !rc)
			rc = ctip_err_set(&e, CTIP_EIO, "%s: write error", tmp);
		if (!rc && rename(tmp, path)) {
			perror(path);
			rc = CTIP_EIO;
		}
		if (rc)
			remove(tmp);
		else
			fprintf(stderr, "%s: %ld rows exported\n", path, n);
	}
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}
