/*
 * test_store_conformance.c - the same cases through the store interface (store.h) on every
 * back end (issue 11 item 6): SQLite always, PostgreSQL when CTIP_TEST_PG_URL names an empty
 * database (tests/run.sh makes one in its throwaway cluster and runs this again). A case
 * checks behaviour only through the interface, never a back end's schema. An operation a back
 * end does not implement yet must fail with the documented error (store_unavail.c: "... not
 * yet available on ..."), never crash; when it is implemented, its behaviour is checked.
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

#include "crypto.h"
#include "store.h"
#include "store_server.h"

struct backend {
	char dir[64], path[512];
	ctip_store *s;
};

static ctip_crypto *key_of(unsigned char fill)
{
	unsigned char k[CTIP_KEY_BYTES];
	memset(k, fill, sizeof(k));
	ctip_crypto *c = ctip_crypto_from_key(k);
	assert_non_null(c);
	return c;
}

/* Opens, initialises and keys a fresh store: a SQLite file, or the PostgreSQL database. */
static int open_backend(struct backend *b, const char *pg_url)
{
	ctip_err e = {0};
	int from, to;
	if (pg_url) {
		snprintf(b->path, sizeof(b->path), "%s", pg_url);
		b->dir[0] = 0;
	} else {
		snprintf(b->dir, sizeof(b->dir), "/tmp/ctip-conf-XXXXXX");
		assert_non_null(mkdtemp(b->dir));
		snprintf(b->path, sizeof(b->path), "%s/t.db", b->dir);
	}
	if (ctip_store_open(b->path, 1, &b->s, &e) != CTIP_OK) {
		print_error("%s\n", e.msg);
		return -1;
	}
	assert_int_equal(b->s->ops->migrate(b->s, &from, &to, &e), CTIP_OK);
	assert_int_equal(to, b->s->schema_latest ? b->s->schema_latest : to);
	assert_non_null(b->s->ref = ctip_ref_new());
	assert_int_equal(ctip_ref_load_embedded(b->s->ref, &e), CTIP_OK);
	assert_int_equal(b->s->ops->key_bind(b->s, key_of(7), 1, &e), CTIP_OK);
	return 0;
}

static void close_backend(struct backend *b)
{
	ctip_store_close(b->s);
	if (b->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", b->dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* An operation that is not implemented answers the documented error. */
static void assert_ok_or_unavailable(int rc, const ctip_err *e)
{
	if (rc != CTIP_OK && !strstr(e->msg, "not yet available")) {
		print_error("neither done nor 'not yet available': %s\n", e->msg);
		fail();
	}
}

static void person_row(ctip_row *r, const char *src, const char *family, const char *given,
                       const char *doc, const char *phone)
{
	ctip_row_init(r);
	ctip_row_set(r, CF_SRC_CASE, src);
	ctip_row_set(r, CF_SRC_RECORD, src);
	ctip_row_set(r, CF_ROLE, "Victim");
	ctip_row_set(r, CF_FAMILY, family);
	ctip_row_set(r, CF_MIDDLE, "Thị");
	ctip_row_set(r, CF_GIVEN, given);
	ctip_row_set(r, CF_BIRTH, "2001-05");
	ctip_row_set(r, CF_DOC_TYPE, "CCCD");
	ctip_row_set(r, CF_DOC_NUMBER, doc);
	ctip_row_set(r, CF_MOBILE, phone);
}

struct hits {
	int n;
	char given[8][64];
	int64_t org[8];
};

static int on_hit(void *ctx, const struct ctip_person_hit *h)
{
	struct hits *x = ctx;
	if (x->n < 8) {
		snprintf(x->given[x->n], sizeof(x->given[0]), "%s", h->given ? h->given : "");
		x->org[x->n] = h->org_id;
	}
	x->n++;
	return 0;
}

static int search(ctip_store *s, const char *q, int64_t org, struct hits *h)
{
	ctip_err e = {0};
	memset(h, 0, sizeof(*h));
	assert_int_equal(s->ops->search(s, q, org, 20, on_hit, h, &e), CTIP_OK);
	return h->n;
}

struct rows {
	int n;
	char family[8][64];
};

static int on_row(void *ctx, const ctip_row *r)
{
	struct rows *x = ctx;
	const char *f = ctip_row_get(r, CF_FAMILY);
	if (x->n < 8)
		snprintf(x->family[x->n], sizeof(x->family[0]), "%s", f ? f : "");
	x->n++;
	return 0;
}

/* Two organisations, three records; the same data on every back end. */
/* A referral's note, copied (the callback's strings live until it returns). */
static int keep_note(void *ctx, const struct ctip_referral *r)
{
	snprintf(ctx, 128, "%s", r->note ? r->note : "");
	return 0;
}

static void load(ctip_store *s, int64_t *oa, int64_t *ob, int64_t pid[3])
{
	ctip_err e = {0};
	ctip_row r;
	static const char *const fam[] = {"Khuất", "Ngụy", "Lò"},
	                         *const giv[] = {"Khuê", "Ngọc", "Mây"},
	                         *const doc[] = {"079301004321", "079301004322", "079301004323"},
	                         *const ph[] = {"+84987654321", "+84987654322", "+84987654323"};
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->org_add(s, "Org Á", "NGO", oa, &e), CTIP_OK);
	assert_int_equal(s->ops->org_add(s, "Org B", NULL, ob, &e), CTIP_OK);
	for (int i = 0; i < 3; i++) {
		char src[16];
		int64_t cid;
		snprintf(src, sizeof(src), "R-%d", i + 1);
		person_row(&r, src, fam[i], giv[i], doc[i], ph[i]);
		int64_t org = i < 2 ? *oa : *ob;
		assert_int_equal(s->ops->case_add(s, org, &r, &cid, &e), CTIP_OK);
		assert_int_equal(s->ops->person_add(s, org, &r, &pid[i], &e), CTIP_OK);
		assert_int_equal(s->ops->link_add(s, cid, pid[i], &r, &e), CTIP_OK);
		ctip_row_clear(&r);
	}
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
}

static void run_cases(const char *pg_url)
{
	struct backend b;
	ctip_err e = {0};
	if (open_backend(&b, pg_url))
		fail_msg("cannot open the %s store", pg_url ? "PostgreSQL" : "SQLite");
	ctip_store *s = b.s;
	int has = 0, version = 0;

	/* the schema and the key */
	assert_int_equal(s->ops->schema_version(s, &version, &e), CTIP_OK);
	assert_true(version > 0);
	assert_int_equal(s->ops->key_needed(s, &has, &e), CTIP_OK);
	assert_true(has);
	ctip_crypto *wrong = key_of(8);
	assert_int_equal(s->ops->key_bind(s, wrong, 0, &e), CTIP_EINVAL); /* frees it */
	assert_non_null(strstr(e.msg, "wrong key"));
	assert_int_equal(s->ops->key_bind(s, key_of(7), 0, &e), CTIP_OK);

	/* organisations: found by any spelling that folds the same; unknown is not found */
	int64_t oa, ob, pid[3], id;
	load(s, &oa, &ob, pid);
	char *type = NULL;
	assert_int_equal(s->ops->org_find(s, "org a", &id, &type, &e), CTIP_OK);
	assert_int_equal(id, oa);
	assert_string_equal(type, "NGO");
	assert_int_equal(s->ops->org_find(s, "ORG Á", &id, NULL, &e), CTIP_OK);
	assert_int_equal(id, oa);
	assert_int_equal(s->ops->org_find(s, "Org C", &id, NULL, &e), CTIP_ENOTFOUND);
	int any = 0;
	assert_int_equal(s->ops->org_has_cases(s, ob, &any, &e), CTIP_OK);
	assert_true(any);

	/* records: found by source id within their organisation, counted, read back in clear */
	assert_int_equal(s->ops->person_find(s, oa, "R-2", &id, &e), CTIP_OK);
	assert_int_equal(id, pid[1]);
	assert_int_equal(s->ops->person_find(s, ob, "R-2", &id, &e), CTIP_ENOTFOUND);
	assert_int_equal(s->ops->case_find(s, ob, "R-3", &id, &e), CTIP_OK);
	struct ctip_counts c = {0};
	assert_int_equal(s->ops->counts(s, &c, &e), CTIP_OK);
	assert_int_equal(c.orgs, 2);
	assert_int_equal(c.cases, 3);
	assert_int_equal(c.persons, 3);
	assert_int_equal(c.links, 3);
	struct rows rw = {0};
	struct ctip_row_filter all = {0};
	assert_int_equal(s->ops->rows(s, &all, on_row, &rw, &e), CTIP_OK);
	assert_int_equal(rw.n, 3);
	int seen = 0;
	for (int i = 0; i < 3; i++)
		seen |= !strcmp(rw.family[i], "Ngụy") << i;
	assert_true(seen);

	/* search: by folded name, document number and phone, over all or within what an
	 * organisation sees */
	struct hits h;
	assert_int_equal(search(s, "NGUY NGOC", 0, &h), 1);
	assert_string_equal(h.given[0], "Ngọc");
	assert_int_equal(search(s, "079 301 004 323", 0, &h), 1);
	assert_int_equal(h.org[0], ob);
	assert_int_equal(search(s, "0987654321", 0, &h), 1);
	assert_int_equal(search(s, "khuat khue", ob, &h), 0); /* A's record, not referred */
	assert_int_equal(search(s, "079301004321", ob, &h), 0);
	assert_int_equal(search(s, "lo may", ob, &h), 1);
	assert_int_equal(search(s, "Nobody Here", 0, &h), 0);

	/* a person's cases */
	int64_t *ids = NULL;
	int n = 0;
	assert_int_equal(s->ops->person_cases(s, pid[0], &ids, &n, &e), CTIP_OK);
	assert_int_equal(n, 1);
	free(ids);

	/* the audit log: appended in order, the last entry's id and hash, read by object */
	struct ctip_audit_entry a1 = {1,   "2026-01-01T00:00:00Z", "t", "show", "person:1", "", "",
	                              "h1"},
	                        a2 = {2,          "2026-01-01T00:00:01Z",
	                              "t",        "show",
	                              "person:2", "",
	                              "h1",       "h2"};
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->audit_add(s, &a1, &e), CTIP_OK);
	assert_int_equal(s->ops->audit_add(s, &a2, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	int64_t last = 0;
	char hash[129] = "";
	assert_int_equal(s->ops->audit_last(s, &last, hash, &e), CTIP_OK);
	assert_int_equal(last, 2);
	assert_string_equal(hash, "h2");

	/* operations not every back end has yet: done, or the documented error */
	ctip_row r;
	person_row(&r, "R-2", "Ngụy", "Ngà", "079301004399", "+84987654399");
	int rc = s->ops->begin(s, &e);
	assert_int_equal(rc, CTIP_OK);
	rc = s->ops->person_update(s, pid[1], &r, &e);
	assert_ok_or_unavailable(rc, &e);
	if (rc == CTIP_OK) {
		assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
		assert_int_equal(search(s, "nguy nga", 0, &h), 1);
		assert_int_equal(search(s, "nguy ngoc", 0, &h), 0);
		assert_int_equal(search(s, "079301004399", 0, &h), 1);
	} else {
		s->ops->rollback(s);
	}
	ctip_row_clear(&r);
	int64_t sv = 0;
	rc = s->ops->stats_version(s, &sv, &e);
	assert_ok_or_unavailable(rc, &e);
	long q = -1;
	assert_ok_or_unavailable(s->ops->quality_count(s, "Duplicate", &q, &e), &e);
	/* a case view read ahead (case_prefetch, where the back end has it) and left unread:
	 * nothing of it outlives its read transaction. The case is changed through another
	 * connection meanwhile; the next read sees the change. */
	int64_t case_r1 = 0, v0 = 0, v1 = 0, v2 = 0;
	assert_int_equal(s->ops->case_find(s, oa, "R-1", &case_r1, &e), CTIP_OK);
	assert_int_equal(s->srv->read_begin(s, &e), CTIP_OK);
	if (s->srv->case_prefetch)
		s->srv->case_prefetch(s, case_r1, oa);
	/* the version as a view reads it: after the access check, which may have brought it */
	int acc = CTIP_ACCESS_NONE;
	assert_int_equal(s->srv->case_access(s, case_r1, oa, &acc, &e), CTIP_OK);
	assert_int_equal(acc, CTIP_ACCESS_OWN);
	assert_int_equal(s->srv->case_version(s, case_r1, &v0, &e), CTIP_OK);
	if (s->srv->case_prefetch) /* read ahead again, this time left unread */
		s->srv->case_prefetch(s, case_r1, oa);
	s->srv->read_end(s);
	ctip_store *other = NULL;
	assert_int_equal(ctip_store_open(b.path, 0, &other, &e), CTIP_OK);
	assert_int_equal(other->ops->begin(other, &e), CTIP_OK);
	assert_int_equal(other->srv->case_bump(other, case_r1, v0, &v1, &e), CTIP_OK);
	assert_int_equal(other->ops->commit(other, &e), CTIP_OK);
	ctip_store_close(other);
	assert_int_equal(v1, v0 + 1);
	assert_int_equal(s->srv->read_begin(s, &e), CTIP_OK);
	assert_int_equal(s->srv->case_version(s, case_r1, &v2, &e), CTIP_OK);
	assert_int_equal(v2, v1);
	assert_int_equal(s->srv->case_access(s, case_r1, oa, &acc, &e), CTIP_OK);
	assert_int_equal(s->srv->case_version(s, case_r1, &v2, &e), CTIP_OK);
	s->srv->read_end(s);
	assert_int_equal(v2, v1);
	/* a referral with a note (sealed for its row), to read back after the rotation */
	struct ctip_referral ref = {0};
	int64_t ref_id = 0, case_a = 0;
	assert_int_equal(s->ops->case_find(s, oa, "R-1", &case_a, &e), CTIP_OK);
	ref.case_id = case_a;
	ref.from_org_id = oa;
	ref.to_org_id = ob;
	ref.date = "2026-01-02";
	ref.reason = "Shelter";
	ref.status = "Pending";
	ref.created_by = "conf";
	ref.note = "ghi chú: chị ấy cần chỗ ở";
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->srv->referral_add(s, &ref, &ref_id, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	ctip_crypto *next = key_of(9);
	rc = s->ops->key_rotate(s, next, &e);
	assert_ok_or_unavailable(rc, &e);
	if (rc != CTIP_OK) /* still the caller's */
		ctip_crypto_free(next);
	if (rc == CTIP_OK) { /* everything still found under the new key */
		assert_int_equal(search(s, "khuat khue", 0, &h), 1);
		assert_int_equal(search(s, "0987654323", 0, &h), 1);
		/* and every sealed value opens under it: the referral's note */
		char note[128] = "";
		int lrc = s->srv->referral_list(s, ref_id, 0, 0, 0, keep_note, note, &e);
		if (lrc)
			print_error("after the rotation: %s\n", e.msg);
		assert_int_equal(lrc, CTIP_OK);
		assert_string_equal(note, ref.note);
	}
	close_backend(&b);
}

static void test_sqlite(void **state)
{
	(void)state;
	run_cases(NULL);
}

static void test_postgresql(void **state)
{
	(void)state;
	const char *url = getenv("CTIP_TEST_PG_URL");
	if (!url || !*url)
		skip();
	run_cases(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sqlite),
	        cmocka_unit_test(test_postgresql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
