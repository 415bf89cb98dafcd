/*
 * cmd_link_report.c - `ctip link report [--json]`: what the last linkage says of its own
 * quality (lib/link/link_quality.h): which run the counts of persons rest on, the threshold, the
 * precision, recall and F1 expected from the match probabilities, the number of persons with
 * an interval, the clerical-review workload, block sizes and the weight histogram. Nothing
 * identifying: counts only.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "link_block.h"

/* The persons as stored now (incremental runs since the full run change them). */
struct now_count {
	long records, linked;
	char **keys;
	size_t nkeys, cap;
	int oom;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int count_key(void *ctx, int64_t id, const char *org, const char *src, const char *key)
{
	(void)id, (void)org, (void)src;
	struct now_count *c = ctx;
	c->records++;
	if (!key)
		return 0;
	c->linked++;
	if (c->nkeys == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		char **k = realloc(c->keys, cap * sizeof(*k));
		if (!k)
			return CTIP_ENOMEM;
		c->keys = k;
		c->cap = cap;
	}
	if (!(c->keys[c->nkeys] = strdup(key)))
		return CTIP_ENOMEM;
	c->nkeys++;
	return 0;
}

static long distinct(struct now_count *c)
{
	if (!c->nkeys)
		return 0;
	qsort(c->keys, c->nkeys, sizeof(*c->keys), cmp_str);
	long n = 1;
	for (size_t i = 1; i < c->nkeys; i++)
		n += strcmp(c->keys[i], c->keys[i - 1]) != 0;
	return n;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

static void print_report(json_t *q, long records_now, long persons_now)
{
	json_t *rv = json_object_get(q, "review"), *bl = json_object_get(q, "blocks"),
	       *h = json_object_get(q, "histogram");
	printf("linkage: the full run of %s (%.0f records into %.0f persons); incremental runs "
	       "since keep its model\n",
	       json_string_value(json_object_get(q, "run_at")), num(q, "records"),
	       num(q, "persons"));
	printf("now: %ld records linked into %ld persons\n", records_now, persons_now);
	printf("threshold: match probability %.3f\n", num(q, "threshold"));
	printf("expected from the match probabilities (among candidate pairs; a true pair no "
	       "blocking rule found is not counted):\n");
	printf("  precision %.4f  recall %.4f  F1 %.4f\n", num(q, "precision"), num(q, "recall"),
	       num(q, "f1"));
	printf("persons: %.0f linked; expected %.0f; between %.0f (every pair of the review band "
	       "linked) and %.0f (none of its links made)\n",
	       num(q, "persons"), num(q, "persons_expected"), num(q, "persons_low"),
	       num(q, "persons_high"));
	printf("clerical review: %.0f pairs with probability %.2f to %.2f (`ctip link review`)\n",
	       num(rv, "pairs"), num(rv, "min"), num(rv, "max"));
	printf("candidate pairs: %.0f, %.0f of them linked\n", num(q, "pairs"),
	       num(q, "linked_pairs"));
	json_t *bs = json_object_get(bl, "by_size");
	printf("blocks by size (records):");
	for (size_t k = 0; k < json_array_size(bs) && k < LK_BLOCK_BINS; k++) {
		int lo = k ? lk_block_bin_max[k - 1] + 1 : 1, hi = lk_block_bin_max[k];
		if (lo == hi)
			printf(" %d: %lld", lo,
			       (long long)json_integer_value(json_array_get(bs, k)));
		else
			printf(" %d-%d: %lld", lo, hi,
			       (long long)json_integer_value(json_array_get(bs, k)));
	}
	printf("; skipped as too common: %.0f; names alone up to %.0f records\n",
	       num(bl, "skipped"), num(bl, "name_cap"));
	printf("candidate pairs by the first rule that found them:\n");
	const char *rule;
	json_t *v;
	json_object_foreach(json_object_get(bl, "pairs_by_rule"), rule, v)
	        printf("  %-40s %lld\n", rule, (long long)json_integer_value(v));
	int from = (int)num(h, "from"), width = (int)num(h, "width");
	json_t *hp = json_object_get(h, "pairs"), *hl = json_object_get(h, "linked");
	size_t nb = json_array_size(hp);
	printf("weight histogram (bits; candidate pairs, linked):\n");
	for (size_t k = 0; k < nb; k++) {
		long long p = json_integer_value(json_array_get(hp, k)),
		          l = json_integer_value(json_array_get(hl, k));
		if (!p)
			continue;
		if (k == 0)
			printf("  %9s %4d %9lld %9lld\n", "below", from, p, l);
		else if (k == nb - 1)
			printf("  %9s %4d %9lld %9lld\n", "from", from + (int)(nb - 2) * width, p,
			       l);
		else
			printf("  %4d to %4d %9lld %9lld\n", from + (int)(k - 1) * width,
			       from + (int)k * width, p, l);
	}
}

int cmd_link_report(int argc, char **argv, struct cli *c)
{
	int as_json = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else
			return cli_usage("link");
	}
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	char *params = NULL;
	struct now_count nc = {0};
	json_t *o = NULL, *q = NULL;
	rc = ctip_audit(s, NULL, "link_report", "all", "", &e);
	if (!rc)
		rc = s->ops->link_params(s, &params, &e);
	if (!rc) {
		o = json_loads(params, 0, NULL);
		q = json_object_get(o, "quality");
		if (!q)
			rc = ctip_err_set(&e, CTIP_ENOTFOUND,
			                  "the last full linkage run made no quality estimate (it "
			                  "predates them): run `ctip link run --full`");
	}
	if (!rc)
		rc = s->ops->link_persons(s, count_key, &nc, &e);
	if (rc == CTIP_ENOMEM)
		ctip_err_set(&e, rc, "out of memory");
	ctip_store_close(s);
	if (!rc) {
		long persons = distinct(&nc);
		if (as_json) {
			json_t *out = json_deep_copy(q);
			json_object_set_new(out, "now",
			                    json_pack("{s:I,s:I}", "records", (json_int_t)nc.linked,
			                              "persons", (json_int_t)persons));
			char *txt = json_dumps(out, JSON_INDENT(2));
			if (txt)
				puts(txt);
			free(txt);
			json_decref(out);
		} else {
			print_report(q, nc.linked, persons);
		}
	}
	for (size_t i = 0; i < nc.nkeys; i++)
		free(nc.keys[i]);
	free(nc.keys);
	json_decref(o);
	free(params);
	return rc ? cli_fail(&e) : 0;
}
