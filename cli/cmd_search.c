/*
 * cmd_search.c - `ctip search TEXT`: one line per person record: id, name as
 * written, birth date, province, reporting organisation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "audit.h"
#include "cli.h"

/* Prints s padded to width terminal columns (printf pads bytes, not characters). */
static void pad(FILE *out, const char *s, int width)
{
	utf8proc_int32_t cp;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int w = 0;
	for (utf8proc_ssize_t n; *p && (n = utf8proc_iterate(p, -1, &cp)) > 0; p += n)
		w += utf8proc_charwidth(cp);
	fputs(s, out);
	for (; w < width; w++)
		putc(' ', out);
}

/* Hits are formatted first and printed only once their viewing is in the audit log. */
struct hits {
	char *text;
	size_t len;
	FILE *out;
	int64_t ids[1000];
	int n;
};

static int collect_hit(void *ctx, const struct ctip_person_hit *h)
{
	struct hits *hs = ctx;
	char name[512];
	snprintf(name, sizeof(name), "%s%s%s%s%s", h->family ? h->family : "", h->middle ? " " : "",
	         h->middle ? h->middle : "", h->given ? " " : "", h->given ? h->given : "");
	fprintf(hs->out, "P%-8lld  ", (long long)h->id);
	pad(hs->out, name[0] == ' ' ? name + 1 : name, 32);
	fprintf(hs->out, "  %-10s  ", h->birth ? h->birth : "-");
	pad(hs->out, h->province ? h->province : "-", 18);
	fprintf(hs->out, "  %s\n", h->org);
	if (hs->n < (int)(sizeof(hs->ids) / sizeof(*hs->ids)))
		hs->ids[hs->n] = h->id;
	hs->n++;
	return 0;
}

int cmd_search(int argc, char **argv, struct cli *c)
{
	int limit = 100, i = 1, n = 0;
	if (i + 1 < argc && !strcmp(argv[i], "--limit")) {
		limit = atoi(argv[i + 1]);
		i += 2;
	}
	if (i >= argc || limit <= 0 || limit > 1000)
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
	struct hits hs = {0};
	/* memory-mapped reads: a search reads one row per match at random (to sort them), and
	 * a fresh process read each through its own page cache, paying a copy and a new page
	 * each: `THẮNG NGUYỄN` (3,313 matches in a million) took 45 ms, 26 ms mapped */
	if (s->srv && s->srv->tune(s, &e))
		memset(&e, 0, sizeof(e)); /* slower, not wrong */
	if (!(hs.out = open_memstream(&hs.text, &hs.len))) {
		free(q);
		ctip_store_close(s);
		return 3;
	}
	rc = s->ops->search(s, q, 0, limit, collect_hit, &hs, &e);
	fclose(hs.out);
	free(q);
	/* every record shown is a view of identifying data: logged before it is printed */
	if (!rc && hs.n) {
		static char objs[1000][24];
		const char *ptrs[1000];
		for (int k = 0; k < hs.n; k++) {
			snprintf(objs[k], sizeof(objs[k]), "P%lld", (long long)hs.ids[k]);
			ptrs[k] = objs[k];
		}
		rc = ctip_audit_each(s, NULL, "search_hit", ptrs, hs.n, "", &e);
	}
	ctip_store_close(s);
	if (!rc)
		fputs(hs.text ? hs.text : "", stdout);
	free(hs.text);
	n = hs.n;
	if (rc)
		return cli_fail(&e);
	if (!n)
		fprintf(stderr, "no person found\n");
	return n ? 0 : 1;
}
