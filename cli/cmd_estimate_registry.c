/*
 * cmd_estimate_registry.c - `ctip estimate` on the registry: capture histories built from
 * linked persons.
 */
#include <stdio.h>

#include "cli.h"
#include "estimate.h"

int cli_estimate_registry(int argc, char **argv, struct cli *c, const struct ctip_mse_opts *o,
                          const char *fmt, const char *path);
int cli_estimate_registry(int argc, char **argv, struct cli *c, const struct ctip_mse_opts *o,
                          const char *fmt, const char *path)
{
	(void)argc;
	(void)argv;
	(void)c;
	(void)o;
	(void)fmt;
	(void)path;
	fprintf(stderr, "ctip: estimate: give --histories FILE.csv (the registry form is not "
	                "built yet)\n");
	return 2;
}
