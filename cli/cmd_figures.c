/*
 * cmd_figures.c - `ctip figures import FILE.csv` and `ctip figures check [--format json]`:
 * the ledger of figures published elsewhere, and where they contradict each other or what
 * the registry computes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "facts.h"
#include "figures.h"
#include "figures_registry.h"
#include "stats.h"

struct reg_ctx {
	ctip_facts *f;
};

static int registry(void *vctx, const char *measure, const char *period, int64_t *value)
{
	struct reg_ctx *rc = vctx;
	return rc->f ? ctip_figures_registry_value(rc->f, measure, period, value) : -1;
}

static void print_text(json_t *r)
{
	json_t *fs = json_object_get(r, "findings");
	size_t i;
	json_t *f;
	printf("%lld figures in the ledger, %zu findings\n",
	       (long long)json_integer_value(json_object_get(r, "figures")), json_array_size(fs));
	json_array_foreach(fs, i, f)
	{
		printf("\n%s: %s %s: %s\n", json_string_value(json_object_get(f, "kind")),
		       json_string_value(json_object_get(f, "measure")),
		       json_string_value(json_object_get(f, "period")),
		       json_string_value(json_object_get(f, "what")));
		size_t j;
		json_t *g;
		json_array_foreach(json_object_get(f, "figures"), j, g)
		{
			const char *b = json_string_value(json_object_get(g, "breakdown"));
			printf("  %10lld  %s%s%s, %s\n",
			       (long long)json_integer_value(json_object_get(g, "value")),
			       b ? b : "", b ? " — " : "",
			       json_string_value(json_object_get(g, "source")),
			       json_string_value(json_object_get(g, "citation")));
		}
	}
}

int cmd_figures(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("figures");
	ctip_err e = {0};
	int rc;
	ctip_store *s;
	if (!strcmp(argv[1], "import")) {
		if (argc != 3)
			return cli_usage("figures");
		FILE *in = fopen(argv[2], "rb");
		if (!in) {
			perror(argv[2]);
			return 1;
		}
		struct ctip_figure *v = NULL;
		size_t n = 0;
		rc = ctip_figures_parse(in, argv[2], &v, &n, &e);
		fclose(in);
		if (rc)
			return cli_fail(&e);
		if ((rc = cli_open(c, &s))) {
			ctip_figures_free(v, n);
			return rc;
		}
		rc = s->ops->figures_add(s, v, n, &e);
		ctip_figures_free(v, n);
		ctip_store_close(s);
		if (rc)
			return cli_fail(&e);
		fprintf(stderr, "%s: %zu figures imported\n", argv[2], n);
		return 0;
	}
	if (strcmp(argv[1], "check"))
		return cli_usage("figures");
	int json = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc &&
		    (!strcmp(argv[i + 1], "json") || !strcmp(argv[i + 1], "table")))
			json = !strcmp(argv[++i], "json");
		else
			return cli_usage("figures");
	}
	if ((rc = cli_open(c, &s)))
		return rc;
	struct ctip_figure *v = NULL;
	size_t n = 0;
	struct reg_ctx rctx = {NULL};
	rc = s->ops->figures_load(s, &v, &n, &e);
	if (!rc)
		rc = s->ops->stats_facts(s, -1, NULL, &rctx.f, &e);
	if (!rc) {
		json_t *r = ctip_figures_check(v, n, registry, &rctx);
		if (json) {
			json_dumpf(r, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			putchar('\n');
		} else {
			print_text(r);
		}
		json_decref(r);
	}
	ctip_facts_free(rctx.f);
	ctip_figures_free(v, n);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}
