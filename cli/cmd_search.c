/*
 * cmd_search.c - `ctip search TEXT`: one line per person record: id, name as
 * written, birth date, province, reporting organisation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int print_hit(void *ctx, const struct ctip_person_hit *h)
{
	char name[512];
	int *n = ctx;
	snprintf(name, sizeof(name), "%s%s%s%s%s", h->family ? h->family : "",
		 h->middle ? " " : "", h->middle ? h->middle : "", h->given ? " " : "",
		 h->given ? h->given : "");
	printf("P%-8lld  %-32s  %-10s  %-20s  %s\n", (long long)h->id, name[0] == ' ' ? name + 1 : name,
	       h->birth ? h->birth : "-", h->province ? h->province : "-", h->org);
	(*n)++;
	return 0;
}

int cmd_search(int argc, char **argv, struct cli *c)
{
	int limit = 100, i = 1, n = 0;
	if (i + 1 < argc && !strcmp(argv[i], "--limit")) {
		limit = atoi(argv[i + 1]);
		i += 2;
	}
	if (i >= argc || limit <= 0)
		return cli_usage("search");
	/* the words of the query may come as several arguments */
	size_t len = 1;
	for (int k = i; k < argc; k++)
		len += strlen(argv[k]) + 1;
	char *q = calloc(1, len);
	if (!q)
		return 3;
	for (int k = i; k < argc; k++) {
		strcat(q, argv[k]);
		if (k + 1 < argc)
			strcat(q, " ");
	}
	ctip_store *s;
	int rc = cli_open(c, &s);
	if (rc) {
		free(q);
		return rc;
	}
	ctip_err e = {0};
	rc = s->ops->search(s, q, limit, print_hit, &n, &e);
	free(q);
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	if (!n)
		fprintf(stderr, "no person found\n");
	return n ? 0 : 1;
}
