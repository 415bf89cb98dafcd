/*
 * test_crypto.c - unit tests of lib/core/crypto.c: sealing and opening, tamper detection (a
 * flipped byte, another place, another key), blind indexes (deterministic, separated by
 * key and by domain), packing, and the key file (mode 0600, refused when others may read it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "crypto.h"
#include "store.h"

static ctip_crypto *with_key(unsigned char fill)
{
	unsigned char k[CTIP_KEY_BYTES];
	memset(k, fill, sizeof(k));
	ctip_crypto *c = ctip_crypto_from_key(k);
	assert_non_null(c);
	return c;
}

static const char msg[] = "Lò Thị Mây, bản Nà Phìn";
static const char place[] = "person.identity:42";

static void test_seal_opens_with_same_key_and_place(void **st)
{
	ctip_crypto *c = with_key(1);
	unsigned char b[sizeof(msg) + CTIP_SEAL_OVERHEAD], out[sizeof(msg)];
	ctip_seal(c, msg, sizeof(msg), place, strlen(place), b);
	for (size_t i = 0; i + 4 <= sizeof(b); i++) /* not in clear */
		assert_memory_not_equal(b + i, "Mây", 4);
	assert_int_equal(ctip_unseal(c, b, sizeof(b), place, strlen(place), out), 0);
	assert_memory_equal(out, msg, sizeof(msg));
	/* two seals of one value differ (random nonces) */
	unsigned char b2[sizeof(b)];
	ctip_seal(c, msg, sizeof(msg), place, strlen(place), b2);
	assert_memory_not_equal(b, b2, sizeof(b));
	ctip_crypto_free(c);
}

static void test_seal_detects_tampering(void **st)
{
	ctip_crypto *c = with_key(1), *other = with_key(2);
	unsigned char b[sizeof(msg) + CTIP_SEAL_OVERHEAD], out[sizeof(msg)];
	ctip_seal(c, msg, sizeof(msg), place, strlen(place), b);
	for (size_t i = 0; i < sizeof(b); i++) { /* every flipped byte is caught */
		b[i] ^= 0x04;
		assert_int_equal(ctip_unseal(c, b, sizeof(b), place, strlen(place), out), -1);
		b[i] ^= 0x04;
	}
	/* moved to another record or column */
	assert_int_equal(ctip_unseal(c, b, sizeof(b), "person.identity:43", 18, out), -1);
	assert_int_equal(ctip_unseal(c, b, sizeof(b), "case_comment.body:42", 20, out), -1);
	/* another key */
	assert_int_equal(ctip_unseal(other, b, sizeof(b), place, strlen(place), out), -1);
	/* truncated */
	assert_int_equal(ctip_unseal(c, b, CTIP_SEAL_OVERHEAD - 1, place, strlen(place), out), -1);
	assert_int_equal(ctip_unseal(c, b, sizeof(b) - 1, place, strlen(place), out), -1);
	/* and the untouched one still opens */
	assert_int_equal(ctip_unseal(c, b, sizeof(b), place, strlen(place), out), 0);
	ctip_crypto_free(c);
	ctip_crypto_free(other);
}

/* A forked child does not reuse the nonces left in its parent's pool. */
static void test_nonces_after_fork(void **st)
{
	ctip_crypto *c = with_key(1);
	unsigned char b[8 + CTIP_SEAL_OVERHEAD], child[sizeof(b)];
	int fd[2];
	ctip_seal(c, "x", 1, "p", 1, b); /* fills this thread's pool */
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ctip_seal(c, "x", 1, "p", 1, b);
		_exit(write(fd[1], b, sizeof(b)) == (ssize_t)sizeof(b) ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(read(fd[0], child, sizeof(child)), sizeof(child));
	ctip_seal(c, "x", 1, "p", 1, b);
	assert_memory_not_equal(b + 1, child + 1, 24); /* the nonces */
	close(fd[0]);
	close(fd[1]);
	ctip_crypto_free(c);
}

static void test_blind_index(void **st)
{
	ctip_crypto *c = with_key(1), *c2 = with_key(1), *other = with_key(2);
	unsigned char a[CTIP_BIDX_BYTES], b[CTIP_BIDX_BYTES];
	ctip_bidx(c, CTIP_BIDX_DOCNO, "038198001234", 12, a);
	ctip_bidx(c2, CTIP_BIDX_DOCNO, "038198001234", 12, b);
	assert_memory_equal(a, b, sizeof(a)); /* deterministic for one key */
	ctip_bidx(other, CTIP_BIDX_DOCNO, "038198001234", 12, b);
	assert_memory_not_equal(a, b, sizeof(a)); /* another key, another index */
	ctip_bidx(c, CTIP_BIDX_PHONE, "038198001234", 12, b);
	assert_memory_not_equal(a, b, sizeof(a)); /* domains are separate */
	ctip_bidx(c, CTIP_BIDX_DOCNO, "038198001235", 12, b);
	assert_memory_not_equal(a, b, sizeof(a));

	char t1[CTIP_BIDX_TOKEN], t2[CTIP_BIDX_TOKEN];
	ctip_bidx_token(c, "nguyen", 6, t1);
	ctip_bidx_token(c2, "nguyen", 6, t2);
	assert_string_equal(t1, t2);
	assert_int_equal(strlen(t1), CTIP_BIDX_TOKEN - 1);
	assert_int_equal(strspn(t1, "abcdefghijklmnopqrstuvwxyz234567"), CTIP_BIDX_TOKEN - 1);
	ctip_bidx_token(other, "nguyen", 6, t2);
	assert_string_not_equal(t1, t2);

	char *all = ctip_bidx_tokens(c, "  nguyen  sy hanh ");
	assert_non_null(all);
	assert_int_equal(strlen(all), 3 * (CTIP_BIDX_TOKEN - 1) + 2);
	assert_memory_equal(all, t1, CTIP_BIDX_TOKEN - 1);
	assert_null(strstr(all, "nguyen"));
	free(all);
	all = ctip_bidx_tokens(c, "");
	assert_string_equal(all, "");
	free(all);

	/* tokens scoped to an organisation: one per name token, deterministic, unlike the
	 * global ones and unlike another organisation's */
	char *o1 = ctip_bidx_org_tokens(c, 1, "nguyen sy hanh");
	char *o1b = ctip_bidx_org_tokens(c2, 1, "nguyen sy hanh");
	char *o2 = ctip_bidx_org_tokens(c, 2, "nguyen sy hanh");
	char *o12 = ctip_bidx_org_tokens(c, 12, "nguyen");
	char *oo = ctip_bidx_org_tokens(other, 1, "nguyen sy hanh");
	all = ctip_bidx_tokens(c, "nguyen sy hanh");
	assert_int_equal(strlen(o1), strlen(all));
	assert_string_equal(o1, o1b);
	assert_string_not_equal(o1, all);
	assert_null(strstr(o1, t1)); /* no scoped token equals the global one */
	assert_memory_not_equal(o1, o2, CTIP_BIDX_TOKEN - 1);
	assert_memory_not_equal(o1, o12,
	                        CTIP_BIDX_TOKEN - 1); /* "1" + "2nguyen" is not "12" + "nguyen" */
	assert_memory_not_equal(o1, oo, CTIP_BIDX_TOKEN - 1);
	assert_int_equal(strspn(o1, "abcdefghijklmnopqrstuvwxyz234567 "), strlen(o1));
	free(o1);
	free(o1b);
	free(o2);
	free(o12);
	free(oo);
	free(all);
	ctip_crypto_free(c);
	ctip_crypto_free(c2);
	ctip_crypto_free(other);
}

static void test_key_check_value(void **st)
{
	ctip_crypto *c = with_key(1), *c2 = with_key(1), *other = with_key(2);
	char a[CTIP_KEY_CHECK], b[CTIP_KEY_CHECK];
	ctip_crypto_check_value(c, a);
	ctip_crypto_check_value(c2, b);
	assert_string_equal(a, b);
	ctip_crypto_check_value(other, b);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 64);
	ctip_crypto_free(c);
	ctip_crypto_free(c2);
	ctip_crypto_free(other);
}

static void test_pack_roundtrip(void **st)
{
	char long_name[300];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	const char *v[5] = {"Nguyễn", NULL, "", long_name, "Hạnh"};
	size_t n = ctip_pack_size(v, 5);
	unsigned char *b = malloc(n);
	assert_int_equal(ctip_pack(v, 5, b), n);
	char *out[5];
	assert_int_equal(ctip_unpack(b, n, out, 5), 0);
	assert_string_equal(out[0], "Nguyễn");
	assert_null(out[1]);
	assert_string_equal(out[2], "");
	assert_string_equal(out[3], long_name);
	assert_string_equal(out[4], "Hạnh");
	for (int i = 0; i < 5; i++)
		free(out[i]);
	/* malformed: truncated, or trailing bytes */
	assert_int_equal(ctip_unpack(b, n - 1, out, 5), -1);
	assert_int_equal(ctip_unpack(b, n, out, 4), -1);
	free(b);
}

static void test_key_file(void **st)
{
	char dir[] = "/tmp/ctip-key-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	ctip_err e = {0};
	ctip_crypto *c = NULL, *c2 = NULL;
	assert_int_equal(ctip_crypto_load(path, &c, &e), CTIP_ENOTFOUND);
	assert_int_equal(ctip_key_create(path, &e), CTIP_OK);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_not_equal(ctip_key_create(path, &e), CTIP_OK); /* never overwritten */
	assert_int_equal(ctip_crypto_load(path, &c, &e), CTIP_OK);
	assert_int_equal(ctip_crypto_load(path, &c2, &e), CTIP_OK);
	char a[CTIP_KEY_CHECK], b[CTIP_KEY_CHECK];
	ctip_crypto_check_value(c, a);
	ctip_crypto_check_value(c2, b);
	assert_string_equal(a, b);
	ctip_crypto_free(c2);
	c2 = NULL;
	/* readable by the group: refused, saying why */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(ctip_crypto_load(path, &c2, &e), CTIP_EINVAL);
	assert_null(c2);
	assert_non_null(strstr(e.msg, "chmod 600"));
	/* not a key */
	assert_int_equal(chmod(path, 0600), 0);
	FILE *f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	assert_int_equal(ctip_crypto_load(path, &c2, &e), CTIP_EINVAL);
	unlink(path);
	rmdir(dir);
	ctip_crypto_free(c);
}

/* ---- the store ------------------------------------------------------------------- */

struct hits {
	int n;
	char names[4][128];
};

static int on_hit(void *ctx, const struct ctip_person_hit *h)
{
	struct hits *x = ctx;
	if (x->n < 4)
		snprintf(x->names[x->n], sizeof(x->names[0]), "%s %s %s",
		         h->family ? h->family : "", h->middle ? h->middle : "",
		         h->given ? h->given : "");
	x->n++;
	return 0;
}

static int search_org(ctip_store *s, const char *q, int64_t org, struct hits *h)
{
	ctip_err e = {0};
	memset(h, 0, sizeof(*h));
	assert_int_equal(s->ops->search(s, q, org, 10, on_hit, h, &e), CTIP_OK);
	return h->n;
}

static int search_n(ctip_store *s, const char *q, struct hits *h)
{
	return search_org(s, q, 0, h);
}

static int on_row(void *ctx, const ctip_row *r)
{
	ctip_row *out = ctx;
	for (int f = 0; f < CTIP_NFIELDS; f++)
		ctip_row_set(out, f, r->v[f]);
	return 0;
}

static void person_row(ctip_row *r, const char *family, const char *given, const char *doc,
                       const char *phone)
{
	ctip_row_init(r);
	ctip_row_set(r, CF_SRC_ORG, "Org A");
	ctip_row_set(r, CF_SRC_CASE, "C-1");
	ctip_row_set(r, CF_SRC_RECORD, "R-1");
	ctip_row_set(r, CF_ROLE, "Victim");
	ctip_row_set(r, CF_FAMILY, family);
	ctip_row_set(r, CF_MIDDLE, "Thị");
	ctip_row_set(r, CF_GIVEN, given);
	ctip_row_set(r, CF_BIRTH, "2001-05");
	ctip_row_set(r, CF_DOC_TYPE, "CCCD");
	ctip_row_set(r, CF_DOC_NUMBER, doc);
	ctip_row_set(r, CF_MOBILE, phone);
	ctip_row_set(r, CF_STREET, "Xóm Bãi Sậy");
}

static void test_store_seals_and_updates(void **st)
{
	char dir[] = "/tmp/ctip-store-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	ctip_err e = {0};
	ctip_store *s;
	int from, to;
	assert_int_equal(ctip_store_open(path, 1, &s, &e), CTIP_OK);
	assert_int_equal(s->ops->migrate(s, &from, &to, &e), CTIP_OK);
	assert_non_null(s->ref = ctip_ref_new());
	assert_int_equal(ctip_ref_load_embedded(s->ref, &e), CTIP_OK);
	int needed = 1;
	assert_int_equal(s->ops->key_needed(s, &needed, &e), CTIP_OK);
	assert_false(needed); /* no key check value yet */
	assert_int_equal(s->ops->key_bind(s, with_key(7), 1, &e), CTIP_OK);
	assert_int_equal(s->ops->key_needed(s, &needed, &e), CTIP_OK);
	assert_true(needed);

	ctip_row r, back;
	int64_t org, cid, pid;
	person_row(&r, "Khuất", "Khuê", "079 301 004 321", "+84987654321");
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->org_add(s, "Org A", NULL, &org, &e), CTIP_OK);
	assert_int_equal(s->ops->case_add(s, org, &r, &cid, &e), CTIP_OK);
	assert_int_equal(s->ops->person_add(s, org, &r, &pid, &e), CTIP_OK);
	assert_int_equal(s->ops->link_add(s, cid, pid, &r, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);

	struct hits h;
	assert_int_equal(search_n(s, "KHUAT KHUE", &h), 1);
	assert_string_equal(h.names[0], "Khuất Thị Khuê");
	assert_int_equal(search_n(s, "079301004321", &h), 1);
	assert_int_equal(search_n(s, "0987 654 321", &h), 1);
	assert_int_equal(search_n(s, "KHUAT NGOC", &h), 0);

	/* an update replaces names, documents, phones and their blind indexes */
	ctip_row_clear(&r);
	person_row(&r, "Ngụy", "Ngọc", "B1234567", "+84911222333");
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->person_update(s, pid, &r, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	assert_int_equal(search_n(s, "KHUAT KHUE", &h), 0);
	assert_int_equal(search_n(s, "khue", &h), 0);
	assert_int_equal(search_n(s, "079301004321", &h), 0);
	assert_int_equal(search_n(s, "0987654321", &h), 0);
	assert_int_equal(search_n(s, "nguy ngoc", &h), 1);
	assert_string_equal(h.names[0], "Ngụy Thị Ngọc");
	assert_int_equal(search_n(s, "b1234567", &h), 1);
	assert_int_equal(search_n(s, "0911 222 333", &h), 1);
	ctip_row_init(&back);
	struct ctip_row_filter flt = {0, pid};
	assert_int_equal(s->ops->rows(s, &flt, on_row, &back, &e), CTIP_OK);
	assert_string_equal(back.v[CF_FAMILY], "Ngụy");
	assert_string_equal(back.v[CF_DOC_NUMBER], "B1234567");
	assert_string_equal(back.v[CF_MOBILE], "+84911222333");
	assert_string_equal(back.v[CF_STREET], "Xóm Bãi Sậy");
	assert_string_equal(back.v[CF_SRC_RECORD], "R-1");
	ctip_row_clear(&back);
	/* no such record */
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->person_update(s, pid + 100, &r, &e), CTIP_ENOTFOUND);
	s->ops->rollback(s);
	ctip_row_clear(&r);

	/* another key: refused before anything is read */
	assert_int_equal(s->ops->key_bind(s, with_key(8), 0, &e), CTIP_EINVAL);
	assert_non_null(strstr(e.msg, "wrong key"));
	ctip_store_close(s);
	char p2[80];
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s.audit", path); /* the audit log's file (schema 7) */
	unlink(p2);
	unlink(path);
	rmdir(dir);
}

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

/* A search within what an organisation sees is restricted inside the name index: its own
 * records, and those of cases referred to it (not declined) with consent to share identity. */
static void test_store_search_scope(void **st)
{
	char dir[] = "/tmp/ctip-scope-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	ctip_err e = {0};
	ctip_store *s;
	int from, to;
	assert_int_equal(ctip_store_open(path, 1, &s, &e), CTIP_OK);
	assert_int_equal(s->ops->migrate(s, &from, &to, &e), CTIP_OK);
	assert_non_null(s->ref = ctip_ref_new());
	assert_int_equal(ctip_ref_load_embedded(s->ref, &e), CTIP_OK);
	assert_int_equal(s->ops->key_bind(s, with_key(9), 1, &e), CTIP_OK);

	/* the same name in A (with consent to share identity), in A (without) and in B */
	ctip_row ra, rn, rb;
	int64_t oa, ob, ca, cn, cb, pa, pn, pb, ref;
	person_row(&ra, "Khuất", "Khuê", "079 301 004 321", "+84987654321");
	ctip_row_set(&ra, CF_CONSENT, "true");
	ctip_row_set(&ra, CF_CONSENT_SCOPE, "ShareWithReferralOrgs;ShareIdentity");
	person_row(&rn, "Khuất", "Khuê", "079 301 004 322", "+84987654322");
	ctip_row_set(&rn, CF_SRC_CASE, "C-2");
	ctip_row_set(&rn, CF_SRC_RECORD, "R-2");
	ctip_row_set(&rn, CF_CONSENT, "true");
	ctip_row_set(&rn, CF_CONSENT_SCOPE, "ShareWithReferralOrgs");
	person_row(&rb, "Khuất", "Khuê", "B7654321", "+84911000111");
	ctip_row_set(&rb, CF_SRC_ORG, "Org B");
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->org_add(s, "Org A", NULL, &oa, &e), CTIP_OK);
	assert_int_equal(s->ops->org_add(s, "Org B", NULL, &ob, &e), CTIP_OK);
	assert_int_equal(s->ops->case_add(s, oa, &ra, &ca, &e), CTIP_OK);
	assert_int_equal(s->ops->person_add(s, oa, &ra, &pa, &e), CTIP_OK);
	assert_int_equal(s->ops->link_add(s, ca, pa, &ra, &e), CTIP_OK);
	assert_int_equal(s->ops->case_add(s, oa, &rn, &cn, &e), CTIP_OK);
	assert_int_equal(s->ops->person_add(s, oa, &rn, &pn, &e), CTIP_OK);
	assert_int_equal(s->ops->link_add(s, cn, pn, &rn, &e), CTIP_OK);
	assert_int_equal(s->ops->case_add(s, ob, &rb, &cb, &e), CTIP_OK);
	assert_int_equal(s->ops->person_add(s, ob, &rb, &pb, &e), CTIP_OK);
	assert_int_equal(s->ops->link_add(s, cb, pb, &rb, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);

	struct hits h;
	assert_int_equal(search_n(s, "khuat khue", &h), 3); /* the command line sees all */
	assert_int_equal(search_org(s, "khuat khue", oa, &h), 2);
	assert_int_equal(search_org(s, "khuat khue", ob, &h), 1);
	assert_int_equal(search_org(s, "079301004321", ob, &h), 0);
	assert_int_equal(search_org(s, "0987654321", ob, &h), 0);
	assert_int_equal(search_org(s, "B7654321", ob, &h), 1);
	assert_int_equal(search_org(s, "B7654321", oa, &h), 0);
	assert_int_equal(search_org(s, "khuat khue", ob + 1, &h), 0); /* nobody's */

	/* both of A's cases referred to B: only the record with consent becomes findable */
	struct ctip_referral r1 = {.case_id = ca,
	                           .from_org_id = oa,
	                           .to_org_id = ob,
	                           .date = "2026-01-02",
	                           .created_by = "t"};
	struct ctip_referral r2 = r1;
	r2.case_id = cn;
	int64_t ref2;
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->srv->referral_add(s, &r1, &ref, &e), CTIP_OK);
	assert_int_equal(s->srv->referral_add(s, &r2, &ref2, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	assert_int_equal(search_org(s, "khuat khue", ob, &h), 2);
	assert_int_equal(search_org(s, "079301004321", ob, &h), 1);
	assert_int_equal(search_org(s, "0987654321", ob, &h), 1);
	assert_int_equal(search_org(s, "079301004322", ob, &h), 0);
	/* a new name for the referred record: found by it, no longer by the old one */
	ctip_row_clear(&ra);
	person_row(&ra, "Ngụy", "Ngọc", "079 301 004 321", "+84987654321");
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->ops->person_update(s, pa, &ra, &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	assert_int_equal(search_org(s, "nguy ngoc", ob, &h), 1);
	assert_int_equal(search_org(s, "nguy ngoc", oa, &h), 1);
	assert_int_equal(search_org(s, "khuat khue", ob, &h), 1);
	assert_int_equal(search_org(s, "khuat khue", oa, &h), 1);
	/* declined: gone from B's search */
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->srv->referral_set_status(s, ref, "Pending", "Declined", &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	assert_int_equal(search_org(s, "nguy ngoc", ob, &h), 0);
	assert_int_equal(search_org(s, "079301004321", ob, &h), 0);
	assert_int_equal(search_org(s, "nguy ngoc", 0, &h), 1);

	/* (the store moves any state; the server keeps to the state machine)
	 * migration 0005 builds both indexes from the sealed identities: a version-4 database
	 * (no person_referred; here with an empty name index) is searchable again */
	assert_int_equal(s->ops->begin(s, &e), CTIP_OK);
	assert_int_equal(s->srv->referral_set_status(s, ref, "Declined", "Accepted", &e), CTIP_OK);
	assert_int_equal(s->ops->commit(s, &e), CTIP_OK);
	sqlite3 *db = ctip_store_sqlite_db(s);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO person_name(person_name) VALUES ('delete-all'); "
	                              "DROP TABLE person_referred; PRAGMA user_version = 4; "
	                              /* nor the tables of record linkage (0006) */
	                              "DROP TABLE link_run; DROP TABLE link_person; "
	                              "DROP TABLE link_pair; DROP TABLE link_decision; "
	                              /* schema 4 kept the audit log in the registry's file */
	                              "CREATE TABLE main.audit AS SELECT * FROM auditlog.audit",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(search_n(s, "khuat khue", &h), 0);
	assert_int_equal(s->ops->migrate(s, &from, &to, &e), CTIP_OK);
	assert_int_equal(from, 4);
	assert_int_equal(to, ctip_store_latest_version());
	assert_int_equal(search_n(s, "khuat khue", &h), 2);
	assert_int_equal(search_org(s, "khuat khue", oa, &h), 1);
	assert_int_equal(search_org(s, "khuat khue", ob, &h), 1);
	assert_int_equal(search_org(s, "nguy ngoc", ob, &h), 1); /* referred again, with consent */
	assert_int_equal(search_org(s, "nguy ngoc", oa, &h), 1);
	assert_int_equal(search_org(s, "0987654321", ob, &h), 1);

	ctip_row_clear(&ra);
	ctip_row_clear(&rn);
	ctip_row_clear(&rb);
	ctip_store_close(s);
	char p2[80];
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s.audit", path); /* the audit log's file (schema 7) */
	unlink(p2);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_seal_opens_with_same_key_and_place),
	        cmocka_unit_test(test_seal_detects_tampering),
	        cmocka_unit_test(test_nonces_after_fork),
	        cmocka_unit_test(test_blind_index),
	        cmocka_unit_test(test_key_check_value),
	        cmocka_unit_test(test_pack_roundtrip),
	        cmocka_unit_test(test_key_file),
	        cmocka_unit_test(test_store_seals_and_updates),
	        cmocka_unit_test(test_store_search_scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
