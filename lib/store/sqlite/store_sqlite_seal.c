/*
 * store_sqlite_seal.c - sealed values on SQLite: binding identity.c's policy (what is
 * sealed, the blind indexes, the name tokens) to this store's key, path and statements, and
 * the SQL functions registered into each connection (ctip_seal, ctip_name_doc, ...) that
 * the migrations and the name index call.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

/* ---- sealed values ------------------------------------------------------------------ */

int sq_no_key(sqlite_store *s, ctip_err *e)
{
	return ctip_no_key(s->base.path, e);
}

/* Binds v sealed for its place (NULL when v is empty). */
int sq_bind_sealed(sqlite_store *s, sqlite3_stmt *st, int i, const char *v, const char *what,
                   int64_t owner, int seq, ctip_err *e)
{
	unsigned char *b;
	size_t n;
	int rc = ctip_value_seal(s->base.crypto, s->base.path, v, what, owner, seq, &b, &n, e);
	if (rc)
		return rc;
	if (b)
		sqlite3_bind_blob(st, i, b, (int)n, free);
	else
		sqlite3_bind_null(st, i);
	return CTIP_OK;
}

/* Opens column i of st, sealed for its place, into *out (malloc'd; NULL for NULL). */
int sq_col_unsealed(sqlite_store *s, sqlite3_stmt *st, int i, const char *what, int64_t owner,
                    int seq, char **out, ctip_err *e)
{
	const void *b = sqlite3_column_blob(st, i);
	return ctip_value_open(s->base.crypto, s->base.path, b, (size_t)sqlite3_column_bytes(st, i),
	                       what, owner, seq, out, e);
}

int sq_identity_seal(sqlite_store *s, int64_t pid, const ctip_row *r, unsigned char **blob,
                     int *len, char **sortkey, ctip_err *e)
{
	return ctip_identity_seal(s->base.crypto, s->base.path, pid, r, blob, len, sortkey, e);
}

static int identity_unseal(sqlite_store *s, int64_t pid, const void *b, int n, unsigned char *m)
{
	return ctip_identity_unseal(s->base.crypto, pid, b, n, m);
}

int sq_identity_error(sqlite_store *s, int64_t pid, ctip_err *e)
{
	return ctip_identity_error(s->base.path, pid, e);
}

int sq_identity_open(sqlite_store *s, int64_t pid, const void *b, int n, char **v, ctip_err *e)
{
	return ctip_identity_open(s->base.crypto, s->base.path, pid, b, n, v, e);
}

char *sq_name_doc(sqlite_store *s, const char *key, int64_t org, int global)
{
	return ctip_name_doc(s->base.crypto, key, org, global, NULL);
}

static char *identity_tokens(sqlite_store *s, const char *family, const char *middle,
                             const char *given)
{
	return ctip_identity_tokens(s->base.crypto, family, middle, given);
}

/* SQL function ctip_fold(text): the folded form (text.h), so that results sort as users read
 * them (Đặng with Dang, not after Z). */
static void sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	char *f = t ? ctip_text_fold(t) : NULL;
	if (f)
		sqlite3_result_text(cx, f, -1, free);
	else
		sqlite3_result_null(cx);
}

/* SQL function ctip_sortkey(identity, id): the name's sort key sealed with the identity
 * (name_sortkey), read without unpacking the rest. An identity that does not open is an
 * error. */
static void sql_sortkey(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	int64_t pid = sqlite3_value_int64(argv[1]);
	const void *b = sqlite3_value_blob(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	unsigned char buf[2048], *m = buf;
	ctip_err e = {0};
	if (!b) {
		sqlite3_result_text(cx, "\x01\x01\x01", 3, SQLITE_STATIC);
		return;
	}
	if (!s->base.crypto) {
		sq_no_key(s, &e);
		sqlite3_result_error(cx, e.msg, -1);
		return;
	}
	size_t mlen = n >= CTIP_SEAL_OVERHEAD ? (size_t)n - CTIP_SEAL_OVERHEAD : 0;
	if (mlen > sizeof(buf) && !(m = malloc(mlen))) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	const unsigned char *key = NULL;
	size_t klen = 0;
	if (identity_unseal(s, pid, b, n, m) || identity_key(m, mlen, &key, &klen)) {
		sq_identity_error(s, pid, &e);
		sqlite3_result_error(cx, e.msg, -1);
	} else {
		sqlite3_result_text(cx, (const char *)key, (int)klen, SQLITE_TRANSIENT);
	}
	sodium_memzero(m, mlen);
	if (m != buf)
		free(m);
}

/* SQL functions of migration 0003, which seals the records of a database in clear. */

/* ctip_seal(place, text): text sealed for its place; NULL for NULL or ''. */
static void sql_seal(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	const char *ad = (const char *)sqlite3_value_text(argv[0]);
	const char *v = (const char *)sqlite3_value_text(argv[1]);
	if (!v || !*v || !ad) {
		sqlite3_result_null(cx);
		return;
	}
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	size_t n = strlen(v);
	unsigned char *b = malloc(n + CTIP_SEAL_OVERHEAD);
	if (!b) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	ctip_seal(s->base.crypto, v, n, ad, strlen(ad), b);
	sqlite3_result_blob(cx, b, (int)(n + CTIP_SEAL_OVERHEAD), free);
}

/* ctip_seal_identity(id, the values of identity_fields in order): the sealed identity. */
static void sql_seal_identity(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	ctip_row r;
	ctip_err e = {0};
	unsigned char *b;
	int n;
	ctip_row_init(&r);
	for (int i = 0; i < N_IDENTITY; i++)
		r.v[identity_fields[i]] = (char *)sqlite3_value_text(argv[1 + i]);
	if (sq_identity_seal(s, sqlite3_value_int64(argv[0]), &r, &b, &n, NULL, &e))
		sqlite3_result_error(cx, e.msg, -1);
	else
		sqlite3_result_blob(cx, b, n, free);
}

/* ctip_bidx(domain, normalised value): its blind index; NULL for NULL. */
static void sql_bidx(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	const char *d = (const char *)sqlite3_value_text(argv[0]);
	const char *v = (const char *)sqlite3_value_text(argv[1]);
	unsigned char h[CTIP_BIDX_BYTES];
	if (!v || !d) {
		sqlite3_result_null(cx);
		return;
	}
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	ctip_bidx(s->base.crypto, d[0] == 'p' ? CTIP_BIDX_PHONE : CTIP_BIDX_DOCNO, v, strlen(v), h);
	sqlite3_result_blob(cx, h, sizeof(h), SQLITE_TRANSIENT);
}

/* ctip_name_doc(sort key, organisation id, global): a name-index document (name_doc). */
static void sql_name_doc(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	const char *key = (const char *)sqlite3_value_text(argv[0]);
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	char *t = sq_name_doc(s, key ? key : "", sqlite3_value_int64(argv[1]),
	                      sqlite3_value_int(argv[2]));
	if (t)
		sqlite3_result_text(cx, t, -1, free);
	else
		sqlite3_result_error_nomem(cx);
}

/* ctip_name_bidx(family, middle, given): the name index's blind-index tokens. */
static void sql_name_bidx(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	char *t = identity_tokens(s, (const char *)sqlite3_value_text(argv[0]),
	                          (const char *)sqlite3_value_text(argv[1]),
	                          (const char *)sqlite3_value_text(argv[2]));
	if (t)
		sqlite3_result_text(cx, t, -1, free);
	else
		sqlite3_result_error_nomem(cx);
}

/* Registers the functions above into the connection (called by ctip_store_sqlite_open). */
void sq_register_functions(sqlite_store *s)
{
	sqlite3_create_function(s->db, "ctip_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                        sql_fold, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_sortkey", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_sortkey, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_seal", 2, SQLITE_UTF8, s, sql_seal, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_seal_identity", 1 + N_IDENTITY, SQLITE_UTF8, s,
	                        sql_seal_identity, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_bidx", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_bidx, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_name_doc", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_name_doc, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_name_bidx", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_name_bidx, NULL, NULL);
}
