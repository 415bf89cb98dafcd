/*
 * test_link_store.c - linkage through the SQLite store: link_input opens the
 * sealed identity and gives the period and countries of exploitation, for every record and
 * for one; a run links two records of one person, keeps a third apart, and
 * respects a reviewer's decision; re-trafficking from disjoint periods; the
 * cache of prepared records keeps the countries, and one of the older layout
 * is not read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto.h"
#include "link.h"
#include "link_cache.h"
#include "link_retraffic.h"
#include "refdata.h"
#include "store.h"

static ctip_store *open_store(char *dir, size_t n)
{
	char path[96];
	snprintf(dir, n, "/tmp/ctip-link-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	ctip_err e = {0};
	ctip_store *s;
	int from, to;
	assert_int_equal(ctip_store_open(path, 1, &s, &e), CTIP_OK);
	assert_int_equal(s->ops->migrate(s, &from, &to, &e), CTIP_OK);
	assert_non_null(s->ref = ctip_ref_new());
	assert_int_equal(ctip_ref_load_embedded(s->ref, &e), CTIP_OK);
	unsigned char k[CTIP_KEY_BYTES];
	memset(k, 3, sizeof(k));
	assert_int_equal(s->ops->key_bind(s, ctip_crypto_from_key(k), 1, &e), CTIP_OK);
	return s;
}

/* One synthetic victim record of org in case src_case. */
static int64_t add(ctip_store *s, const char *org, const char *src_case, const char *rec,
                   const char *fam, const char *giv, const char *birth, const char *doc,
                   const char *start, const char *end, const char *country)
{
	ctip_err e = {0};
	ctip_row r;
	ctip_row_init(&r);

	ctip_row_set(&r, CF_SRC_ORG, org);
	ctip_row_set(&r, CF_SRC_CASE, src_case);
	ctip_row_set(&r, CF_SRC_RECORD, rec);
	ctip_row_set(&r, CF_ROLE, "Victim");
	ctip_row_set(&r, CF_FAMILY, fam);
	ctip_row_set(&r, CF_GIVEN, giv);
	ctip_row_set(&r, CF_BIRTH, birth);
	ctip_row_set(&r, CF_GENDER, "Feminine");
	ctip_row_set(&r, CF_DOC_TYPE, "CCCD");
	ctip_row_set(&r, CF_DOC_NUMBER, doc);
	ctip_row_set(&r, CF_EXPL_START, start);
	ctip_row_set(&r, CF_EXPL_END, end);
	ctip_row_set(&r, CF_EXPL_COUNTRY, country);
	int64_t oid, cid, pid;
	if (s->ops->org_find(s, org, &oid, NULL, &e) == CTIP_ENOTFOUND)
		assert_int_equal(s->ops->org_add(s, org, NULL, &oid, &e), CTIP_OK);
	assert_int_equal(s->ops->case_add(s, oid, &r, &cid, &e), CTIP_OK);
	assert_int_equal(s->ops->person_add(s, oid, &r, &pid, &e), CTIP_OK);
	assert_int_equal(s->ops->link_add(s, cid, pid, &r, &e), CTIP_OK);
	ctip_row_clear(&r);
	return pid;
}

struct seen {
	int n;
	char fam[4][32], doc[4][32], start[4][16], ctry[4][16];
};

static int collect(void *ctx, const struct ctip_link_input *in)
{
	struct seen *v = ctx;
	if (v->n < 4) {
		snprintf(v->fam[v->n], 32, "%s", in->family ? in->family : "");
		snprintf(v->doc[v->n], 32, "%s", in->docs ? in->docs : "");
		snprintf(v->start[v->n], 16, "%s", in->expl_start ? in->expl_start : "");
		snprintf(v->ctry[v->n], 16, "%s", in->expl_countries ? in->expl_countries : "");
	}
	v->n++;
	return 0;
}

struct keys {
	char k[4][24];
};

static int get_keys(void *ctx, int64_t id, const char *org, const char *src, const char *key)
{
	struct keys *k = ctx;
	if (id >= 1 && id <= 4)
		snprintf(k->k[id - 1], 24, "%s", key ? key : "");
	return 0;
}

static int count_rt(void *ctx, const char *key, int episodes, const struct ctip_victim_case *v,
                    int n)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_link_through_store(void **state)
{
	(void)state;
	char dir[64];
	ctip_store *s = open_store(dir, sizeof(dir));
	ctip_err e = {0};
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	int64_t a = add(s, "Org A", "A-1", "a1", "Khuất", "Khuê", "2001-05-07", "079301004321",
	                "2020-01-02", "2020-06-30", "KH");
	int64_t b = add(s, "Org B", "B-1", "b1", "KHUAT", "KHUE", "2001-07-05", "079301004312",
	                "2020-01-02", NULL, "KH");
	int64_t c = add(s, "Org C", "C-1", "c1", "Lò", "Mai", "1990", "012190000111", "2023-03",
	                NULL, "CN");
	int64_t d = add(s, "Org D", "D-1", "d1", "Khuất", "Khuê", "2001", "079301004321",
	                "2024-05-01", "2024-08-01", "MY");
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);

	struct seen all = {0}, one = {0};
	assert_int_equal(s->ops->link_input(s, NULL, 0, collect, &all, &e), CTIP_OK);
	assert_int_equal(all.n, 4);
	assert_string_equal(all.fam[0], "Khuất");
	assert_string_equal(all.doc[0], "079301004321");
	assert_string_equal(all.start[0], "2020-01-02");
	assert_string_equal(all.ctry[0], "KH");
	assert_string_equal(all.ctry[2], "CN");
	int64_t ids[1] = {b};
	assert_int_equal(s->ops->link_input(s, ids, 1, collect, &one, &e), CTIP_OK);
	assert_int_equal(one.n, 1);
	assert_string_equal(one.fam[0], "KHUAT");
	assert_string_equal(one.start[0], "2020-01-02");
	assert_string_equal(one.ctry[0], "KH");

	struct ctip_link_stats st;
	assert_int_equal(ctip_link_run(s, NULL, &st, &e), CTIP_OK);
	assert_int_equal(st.records, 4);
	struct keys k;
	memset(&k, 0, sizeof(k));
	assert_int_equal(s->ops->link_persons(s, get_keys, &k, &e), CTIP_OK);
	/* same name, transposed CCCD, swapped day and month, same episode: one person */
	assert_string_equal(k.k[a - 1], k.k[b - 1]);
	assert_string_not_equal(k.k[a - 1], k.k[c - 1]);
	/* the key comes from the first record by (organisation, record id), so it is stable */
	char first[24];
	snprintf(first, sizeof(first), "%s", k.k[a - 1]);

	/* d is the same person, trafficked again later: re-trafficking once linked */
	struct ctip_link_explain x;
	assert_int_equal(ctip_link_explain(s, a, d, &x, &e), CTIP_OK);
	assert_string_equal(x.level[4], "exact"); /* document */
	assert_string_equal(x.level[9], "disjoint");
	/* taken to another country the second time: learnt, not a veto */
	assert_string_equal(x.name[10], "expl_country");
	assert_string_equal(x.level[10], "none in common");
	assert_int_equal(ctip_link_explain(s, a, b, &x, &e), CTIP_OK);
	assert_string_equal(x.level[10], "one in common");
	assert_true(x.weight[10] > 0);
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->link_decide(s, a, d, 1, "test", &e), CTIP_OK);
	assert_int_equal(s->ops->link_decide(s, a, c, 0, "test", &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	assert_int_equal(ctip_link_run(s, NULL, &st, &e), CTIP_OK);
	memset(&k, 0, sizeof(k));
	assert_int_equal(s->ops->link_persons(s, get_keys, &k, &e), CTIP_OK);
	assert_string_equal(k.k[a - 1], k.k[d - 1]);
	assert_string_equal(k.k[a - 1], first);
	assert_string_not_equal(k.k[a - 1], k.k[c - 1]);
	int rt = 0;
	assert_int_equal(ctip_link_retrafficked(s, count_rt, &rt, &e), CTIP_OK);
	assert_int_equal(rt, 1);
	/* a decision on a missing record is refused */
	assert_int_equal(s->ops->link_decide(s, a, 99, 1, "test", &e), CTIP_ENOTFOUND);
	ctip_store_close(s);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A cache of prepared records holding none (the registry's are all read again), as version
 * `version` of the layout writes it, sealed as lk_cache_save seals it. */
static void put_empty_cache(ctip_store *s, uint32_t version)
{
	unsigned char m[24], sealed[24 + CTIP_SEAL_OVERHEAD];
	uint32_t magic = 0x314b434cu, one = 1;
	int64_t n = 0;
	memcpy(m, &magic, 4);
	memcpy(m + 4, &version, 4);
	memcpy(m + 8, &n, 8);
	memcpy(m + 16, &one, 4); /* the name dictionary: empty */
	memcpy(m + 20, &one, 4); /* the organisations: empty */
	ctip_seal(s->crypto, m, sizeof(m), "link_cache:0/1", 14, sealed);
	const unsigned char *chunk[1] = {sealed};
	size_t len[1] = {sizeof(sealed)};
	ctip_err e = {0};
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->link_cache_put(s, chunk, len, 1, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
}

static void test_cache_countries(void **state)
{
	(void)state;
	char dir[64];
	ctip_store *s = open_store(dir, sizeof(dir));
	ctip_err e = {0};
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	add(s, "Org A", "A-1", "a1", "Khuất", "Khuê", "2001-05-07", "079301004321", "2020-01-02",
	    NULL, "KH");
	add(s, "Org B", "B-1", "b1", "Lò", "Mai", "1990", "012190000111", "2023-03", NULL, NULL);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	struct ctip_link_stats st;
	assert_int_equal(ctip_link_run(s, NULL, &st, &e), CTIP_OK);

	/* the countries come back from the cache the run stored */
	struct lk_data d;
	long ncached, nread;
	lk_data_init(&d);
	assert_int_equal(lk_cache_load(s, &d, &ncached, &nread, &e), 0);
	assert_int_equal(ncached, 2);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.r[0].nctry, 1);
	assert_string_equal(d.names.str[d.r[0].ctry[0]], "kh");
	assert_int_equal(d.r[1].nctry, 0);
	lk_data_free(&d);

	/* a cache of the layout before the countries (version 1) is not read; the same of
	 * version 2 is */
	put_empty_cache(s, 1);
	lk_data_init(&d);
	assert_int_equal(lk_cache_load(s, &d, &ncached, &nread, &e), 1);
	assert_int_equal(d.n, 0);
	lk_data_free(&d);
	put_empty_cache(s, 2);
	lk_data_init(&d);
	assert_int_equal(lk_cache_load(s, &d, &ncached, &nread, &e), 0);
	assert_int_equal(ncached, 0);
	assert_int_equal(nread, 2);
	assert_int_equal(d.r[0].nctry, 1);
	lk_data_free(&d);
	ctip_store_close(s);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_link_through_store),
	                                   cmocka_unit_test(test_cache_countries)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
