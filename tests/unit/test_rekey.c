/*
 * test_rekey.c - key rotation's policy (lib/core/rekey.h) covers every sealed column: each
 * column named *_sealed in the schema of a back end is in ctip_sealed_cols, and each column
 * listed there exists. A sealed column left out would stay sealed under the old key after
 * `ctip key rotate` and no longer open (PostgreSQL's rotation had missed the referrals' notes,
 * tests/unit/test_store_conformance.c). SQLite always; PostgreSQL when CTIP_TEST_PG_URL names
 * a database (tests/run.sh). Also the two shared steps: a value resealed opens under the next
 * key only, and a blind index moves to the next key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "crypto.h"
#include "rekey.h"
#include "store.h"
#include "store_sqlite.h"

struct cols {
	int n;
	char table[64][64], column[64][64];
};

static int declared(const struct ctip_sealed_col *d, const char *t, const char *c)
{
	for (; d->table; d++)
		if (!strcmp(d->table, t) && !strcmp(d->column, c))
			return 1;
	return 0;
}

/* The schema's sealed columns missing from d, and d's columns missing from the schema. */
static int mismatches(const struct ctip_sealed_col *d, const struct cols *have)
{
	int bad = 0;
	for (int i = 0; i < have->n; i++)
		if (!declared(d, have->table[i], have->column[i])) {
			print_error("%s.%s is sealed but not in rekey.c's list\n", have->table[i],
			            have->column[i]);
			bad++;
		}
	for (; d->table; d++) {
		int found = 0;
		for (int i = 0; i < have->n && !found; i++)
			found = !strcmp(d->table, have->table[i]) &&
			        !strcmp(d->column, have->column[i]);
		if (!found) {
			print_error("rekey.c lists %s.%s, which the schema does not have\n",
			            d->table, d->column);
			bad++;
		}
	}
	return bad;
}

static void add(struct cols *c, const char *t, const char *col)
{
	assert_true(c->n < 64);
	snprintf(c->table[c->n], sizeof(c->table[0]), "%s", t);
	snprintf(c->column[c->n], sizeof(c->column[0]), "%s", col);
	c->n++;
}

static ctip_store *open_store(const char *path)
{
	ctip_store *s = NULL;
	ctip_err e = {0};
	int from, to;
	if (ctip_store_open(path, 1, &s, &e) || s->ops->migrate(s, &from, &to, &e)) {
		print_error("%s\n", e.msg);
		fail();
	}
	return s;
}

static void test_sqlite_schema(void **state)
{
	(void)state;
	char dir[] = "/tmp/ctip-rekey-XXXXXX", path[64], cmd[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	ctip_store *s = open_store(path);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(ctip_store_sqlite_db(s),
	                                    "SELECT m.name, p.name FROM sqlite_master m, "
	                                    "pragma_table_info(m.name) p WHERE m.type = 'table' "
	                                    "AND p.name LIKE '%\\_sealed' ESCAPE '\\'",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	struct cols c = {0};
	while (sqlite3_step(st) == SQLITE_ROW)
		add(&c, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	ctip_store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_true(c.n >= 11);
	assert_int_equal(mismatches(ctip_sealed_cols, &c), 0);

	/* the check fails when the list misses one */
	struct ctip_sealed_col less[32];
	int n = 0;
	for (const struct ctip_sealed_col *d = ctip_sealed_cols; d->table; d++)
		if (strcmp(d->table, "case_referral"))
			less[n++] = *d;
	less[n] = (struct ctip_sealed_col){0};
	assert_int_equal(mismatches(less, &c), 1);
}

static void test_postgresql_schema(void **state)
{
	(void)state;
	const char *url = getenv("CTIP_TEST_PG_URL");
	if (!url || !*url)
		skip();
	ctip_store *s = open_store(url);
	ctip_store_close(s);
	PGconn *db = PQconnectdb(url);
	assert_int_equal(PQstatus(db), CONNECTION_OK);
	PGresult *r = PQexec(db, "SELECT table_name, column_name FROM information_schema.columns "
	                         "WHERE table_schema = current_schema() AND column_name LIKE "
	                         "'%\\_sealed' ORDER BY 1, 2");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	struct cols c = {0};
	for (int i = 0; i < PQntuples(r); i++)
		add(&c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	PQclear(r);
	PQfinish(db);
	assert_true(c.n >= 11);
	assert_int_equal(mismatches(ctip_sealed_cols, &c), 0);
}

static ctip_crypto *key_of(unsigned char fill)
{
	unsigned char k[CTIP_KEY_BYTES];
	memset(k, fill, sizeof(k));
	ctip_crypto *c = ctip_crypto_from_key(k);
	assert_non_null(c);
	return c;
}

static void test_reseal_and_numbers(void **state)
{
	(void)state;
	ctip_crypto *a = key_of(1), *b = key_of(2);
	const char *ad = "case_referral.note:7", *m = "ghi chú";
	unsigned char sealed[64], moved[64], back[64];
	size_t n = strlen(m) + CTIP_SEAL_OVERHEAD;
	ctip_seal(a, m, strlen(m), ad, strlen(ad), sealed);
	assert_int_equal(ctip_reseal(a, b, sealed, n, ad, strlen(ad), moved), 0);
	assert_int_equal(ctip_unseal(b, moved, n, ad, strlen(ad), back), 0);
	assert_memory_equal(back, m, strlen(m));
	assert_int_not_equal(ctip_unseal(a, moved, n, ad, strlen(ad), back), 0);
	/* bound to its place: not another row's */
	assert_int_equal(ctip_reseal(b, a, moved, n, "case_referral.note:8", 20, sealed), -1);

	/* a document's blind index: the item whose index under a is the stored one */
	unsigned char have[CTIP_BIDX_BYTES], out[CTIP_BIDX_BYTES], want[CTIP_BIDX_BYTES];
	ctip_bidx(a, CTIP_BIDX_DOCNO, "B1234567", 8, have);
	ctip_bidx(b, CTIP_BIDX_DOCNO, "B1234567", 8, want);
	assert_int_equal(ctip_rekey_number(a, b, 0, "038 198 001;b-1234567", have, out), 0);
	assert_memory_equal(out, want, sizeof(out));
	assert_int_equal(ctip_rekey_number(a, b, 0, "038 198 001", have, out), 1);
	ctip_crypto_free(a);
	ctip_crypto_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sqlite_schema),
	        cmocka_unit_test(test_postgresql_schema),
	        cmocka_unit_test(test_reseal_and_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
