/*
 * store_pg_rekey.c - key rotation on PostgreSQL (store_core.h key_rotate, compact): in one
 * transaction, with the sealed tables locked against writers, every sealed value is opened
 * under the current key and sealed under the next (identity.c's places, as on SQLite), every
 * blind index of a document or phone and every name-index token is recomputed, and what
 * linkage keeps under the key (its cache, its name frequencies) is dropped for the next run to
 * rebuild. Rows are read in batches by key and written back with COPY into temporary tables
 * and one UPDATE per table and batch. compact then rewrites the tables (VACUUM FULL) so that
 * no old ciphertext stays in their files.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "rekey.h"
#include "progress.h"
#include "store_pg_int.h"
#include "text.h"

#define BATCH 500

struct tbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void tb_put(struct tbuf *b, const char *v, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 65536;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *t = realloc(b->p, nc);
		if (!t) {
			b->oom = 1;
			return;
		}
		b->p = t;
		b->cap = nc;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void tb_fmt(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_fmt(struct tbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->oom = 1;
	else
		tb_put(b, tmp, (size_t)n);
}

/* bytea in COPY text format: \\x and hex */
static void tb_bytea(struct tbuf *b, const unsigned char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	tb_put(b, "\\\\x", 3);
	for (size_t i = 0; i < n; i++) {
		char h[2] = {hex[v[i] >> 4], hex[v[i] & 15]};
		tb_put(b, h, 2);
	}
}

static void tb_wipe(struct tbuf *b)
{
	if (b->p)
		sodium_memzero(b->p, b->cap);
	b->len = 0;
}

static int copy_in(pg_store *s, const char *sql, struct tbuf *b, ctip_err *e)
{
	if (b->oom)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (!b->len)
		return CTIP_OK;
	PGresult *r = PQexec(s->db, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		int rc = pg_fail(s, r, e, "key rotation");
		PQclear(r);
		return rc;
	}
	PQclear(r);
	if (PQputCopyData(s->db, b->p, (int)b->len) != 1 || PQputCopyEnd(s->db, NULL) != 1)
		return pg_fail(s, NULL, e, "key rotation");
	int rc = CTIP_OK;
	while ((r = PQgetResult(s->db))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
			rc = pg_fail(s, r, e, "key rotation");
		PQclear(r);
	}
	tb_wipe(b);
	return rc;
}

/* The blind indexes of a record's documents or phones under next: for each stored one, the
 * item of the opened list whose blind index under the current key it is. */
static int rekey_numbers(pg_store *s, const ctip_crypto *next, PGresult *r, int64_t pid, char **v,
                         int phones, struct tbuf *out, ctip_err *e)
{
	int rc = CTIP_OK;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		if (strtoll(PQgetvalue(r, i, 0), NULL, 10) != pid ||
		    PQgetlength(r, i, 3) != CTIP_BIDX_BYTES)
			continue;
		const char *kind = PQgetvalue(r, i, 1), *seq = PQgetvalue(r, i, 2);
		const unsigned char *have = (const unsigned char *)PQgetvalue(r, i, 3);
		const char *list = !phones ? v[8] : !strcmp(kind, "home") ? v[10] : v[9];
		unsigned char b[CTIP_BIDX_BYTES];
		int found = ctip_rekey_number(s->base.crypto, next, phones, list, have, b);
		if (found < 0)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		if (found == 1)
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "%s: a %s of record P%lld matches none of its sealed "
			                  "values: nothing was changed",
			                  s->base.path, phones ? "phone" : "document",
			                  (long long)pid);
		else {
			tb_fmt(out, "%lld\t%s\t%s\t", (long long)pid, phones ? kind : "0", seq);
			tb_bytea(out, b, sizeof(b));
			tb_put(out, "\n", 1);
		}
	}
	return rc;
}

static int query_bin(pg_store *s, const char *sql, int n, const char *const *v, PGresult **out,
                     ctip_err *e)
{
	PGresult *r = PQexecParams(s->db, sql, n, NULL, v, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = pg_fail(s, r, e, "key rotation");
		PQclear(r);
		return rc;
	}
	*out = r;
	return CTIP_OK;
}

/* Every identity resealed, its numbers' blind indexes and its name tokens recomputed. */
static int rekey_identities(pg_store *s, const ctip_crypto *next, long *count, long total,
                            ctip_err *e)
{
	struct tbuf ids = {0}, per = {0}, doc = {0}, ph = {0}, name = {0};
	char after[24] = "-1";
	int rc = pg_exec(s,
	                 "CREATE TEMP TABLE rk_person (id bigint, identity bytea) ON COMMIT DROP; "
	                 "CREATE TEMP TABLE rk_num (person_id bigint, kind text, seq integer, "
	                 "bidx bytea) ON COMMIT DROP; "
	                 "CREATE TEMP TABLE rk_name (person_id bigint, tokens text[], n_global "
	                 "smallint) ON COMMIT "
	                 "DROP; DELETE FROM person_name",
	                 e);
	for (int more = 1; !rc && more;) {
		PGresult *p = NULL, *d = NULL, *f = NULL;
		const char *v[1] = {after};
		if ((rc = query_bin(s,
		                    "SELECT id::text AS pid, org_id::text AS org, identity FROM "
		                    "person WHERE id > "
		                    "$1::bigint AND identity IS NOT NULL ORDER BY id LIMIT 500",
		                    1, v, &p, e)))
			break;
		int np = PQntuples(p);
		more = np == BATCH;
		ids.len = 0;
		tb_put(&ids, "{", 1);
		for (int i = 0; i < np; i++)
			tb_fmt(&ids, "%s%s", i ? "," : "", PQgetvalue(p, i, 0));
		tb_put(&ids, "}", 1);
		const char *w[1] = {ids.p};
		if (ids.oom)
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		if (!rc)
			rc = query_bin(s,
			               "SELECT person_id::text, '', seq::text, number_bidx FROM "
			               "identity_doc WHERE person_id = ANY ($1::bigint[])",
			               1, w, &d, e);
		if (!rc)
			rc = query_bin(
			        s,
			        "SELECT person_id::text, kind, seq::text, e164_bidx FROM phone "
			        "WHERE person_id = ANY ($1::bigint[])",
			        1, w, &f, e);
		for (int i = 0; i < np && !rc; i++) {
			int64_t pid = strtoll(PQgetvalue(p, i, 0), NULL, 10);
			int64_t org = strtoll(PQgetvalue(p, i, 1), NULL, 10);
			const unsigned char *b = (const unsigned char *)PQgetvalue(p, i, 2);
			int n = PQgetlength(p, i, 2);
			char *iv[CTIP_IDENTITY_N];
			unsigned char *out = malloc((size_t)n + 1);
			unsigned char *m = malloc((size_t)n + 1);
			if (!out || !m) {
				free(out);
				free(m);
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			if (!(rc = ctip_identity_open(s->base.crypto, s->base.path, pid, b, n, iv,
			                              e))) {
				char ad[64];
				int an =
				        ctip_seal_place(ad, sizeof(ad), "person.identity", pid, -1);
				const unsigned char *key;
				size_t klen;
				if (ctip_reseal(s->base.crypto, next, b, (size_t)n, ad, (size_t)an,
				                out) ||
				    ctip_identity_unseal(s->base.crypto, pid, b, n, m) ||
				    ctip_identity_key(m, (size_t)n - CTIP_SEAL_OVERHEAD, &key,
				                      &klen))
					rc = ctip_identity_error(s->base.path, pid, e);
				if (!rc && !(rc = rekey_numbers(s, next, d, pid, iv, 0, &doc, e)))
					rc = rekey_numbers(s, next, f, pid, iv, 1, &ph, e);
				if (!rc) {
					char *k = malloc(klen + 1), *nd = NULL;
					int ng = 0;
					if (k) {
						memcpy(k, key, klen);
						k[klen] = 0;
						nd = ctip_name_doc(next, k, org, 1, &ng);
						sodium_memzero(k, klen);
						free(k);
					}
					if (!nd)
						rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
					else if (*nd) {
						for (char *q = nd; *q; q++)
							if (*q == ' ')
								*q = ',';
						tb_fmt(&name, "%lld\t{", (long long)pid);
						tb_put(&name, nd, strlen(nd));
						tb_fmt(&name, "}\t%d\n", ng);
					}
					free(nd);
				}
				tb_fmt(&per, "%lld\t", (long long)pid);
				tb_bytea(&per, out, (size_t)n);
				tb_put(&per, "\n", 1);
				ctip_identity_free(iv);
				sodium_memzero(m, (size_t)n);
				(*count)++;
			}
			free(m);
			free(out);
			snprintf(after, sizeof(after), "%lld", (long long)pid);
		}
		PQclear(p);
		PQclear(d);
		PQclear(f);
		if (!rc)
			rc = copy_in(s, "COPY rk_person (id, identity) FROM STDIN", &per, e);
		if (!rc)
			rc = copy_in(s, "COPY rk_num (person_id, kind, seq, bidx) FROM STDIN", &doc,
			             e);
		if (!rc)
			rc = pg_exec(s,
			             "UPDATE identity_doc x SET number_bidx = t.bidx FROM rk_num t "
			             "WHERE x.person_id = t.person_id AND x.seq = t.seq; TRUNCATE "
			             "rk_num",
			             e);
		if (!rc)
			rc = copy_in(s, "COPY rk_num (person_id, kind, seq, bidx) FROM STDIN", &ph,
			             e);
		if (!rc)
			rc = copy_in(s, "COPY rk_name (person_id, tokens, n_global) FROM STDIN",
			             &name, e);
		if (!rc)
			rc = pg_exec(
			        s,
			        "UPDATE phone x SET e164_bidx = t.bidx FROM rk_num t WHERE "
			        "x.person_id = t.person_id AND x.kind = t.kind AND x.seq = t.seq; "
			        "UPDATE person x SET identity = t.identity FROM rk_person t WHERE "
			        "x.id = t.id; INSERT INTO person_name (person_id, tokens, "
			        "n_global) "
			        "SELECT person_id, tokens, n_global FROM rk_name; TRUNCATE rk_num, "
			        "rk_person, "
			        "rk_name",
			        e);
		ctip_progress_report("rotating the key", *count, total, "values");
	}
	tb_wipe(&per);
	tb_wipe(&name);
	free(ids.p);
	free(per.p);
	free(doc.p);
	free(ph.p);
	free(name.p);
	return rc;
}

/* The rows of a sealed column (rekey.h), resealed in batches by key (k1, k2). */
static int reseal_column(pg_store *s, const ctip_crypto *next, const struct ctip_sealed_col *c,
                         long *count, long total, ctip_err *e)
{
	const char *table = c->table, *k1 = c->k1, *k2 = c->k2, *col = c->column, *what = c->place;
	char sql[512], a1[24] = "-1", a2[24] = "-1";
	struct tbuf out = {0};
	snprintf(sql, sizeof(sql),
	         "CREATE TEMP TABLE rk_col (k1 bigint, k2 bigint, v bytea) ON COMMIT DROP");
	int rc = pg_exec(s, sql, e);
	for (int more = 1; !rc && more;) {
		PGresult *r;
		const char *v[2] = {a1, a2};
		snprintf(sql, sizeof(sql),
		         "SELECT %s::text AS rk1, %s::text AS rk2, %s FROM %s WHERE (%s, %s) > "
		         "($1::bigint, "
		         "$2::bigint) AND %s IS NOT NULL ORDER BY %s%s%s LIMIT %d",
		         k1, k2 ? k2 : "0", col, table, k1, k2 ? k2 : "0", col, k1, k2 ? ", " : "",
		         k2 ? k2 : "", BATCH);
		if ((rc = query_bin(s, sql, 2, v, &r, e)))
			break;
		int n = PQntuples(r);
		more = n == BATCH;
		for (int i = 0; i < n && !rc; i++) {
			int64_t x1 = strtoll(PQgetvalue(r, i, 0), NULL, 10);
			int x2 = atoi(PQgetvalue(r, i, 1));
			size_t bn = (size_t)PQgetlength(r, i, 2);
			unsigned char *o = malloc(bn + 1);
			char ad[96];
			int an = ctip_seal_place(ad, sizeof(ad), what, x1, k2 ? x2 : -1);
			if (!o)
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			else if (ctip_reseal(s->base.crypto, next,
			                     (const unsigned char *)PQgetvalue(r, i, 2), bn, ad,
			                     (size_t)an, o))
				rc = ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: the %s of %lld does not open under the current "
				        "key: nothing was changed",
				        s->base.path, what, (long long)x1);
			else {
				tb_fmt(&out, "%lld\t%d\t", (long long)x1, x2);
				tb_bytea(&out, o, bn);
				tb_put(&out, "\n", 1);
				(*count)++;
			}
			free(o);
			snprintf(a1, sizeof(a1), "%lld", (long long)x1);
			snprintf(a2, sizeof(a2), "%d", x2);
		}
		PQclear(r);
		if (!rc)
			rc = copy_in(s, "COPY rk_col (k1, k2, v) FROM STDIN", &out, e);
		if (!rc) {
			if (k2)
				snprintf(sql, sizeof(sql),
				         "UPDATE %s x SET %s = t.v FROM rk_col t WHERE x.%s = t.k1 "
				         "AND "
				         "x.%s = t.k2; TRUNCATE rk_col",
				         table, col, k1, k2);
			else
				snprintf(
				        sql, sizeof(sql),
				        "UPDATE %s x SET %s = t.v FROM rk_col t WHERE x.%s = t.k1; "
				        "TRUNCATE rk_col",
				        table, col, k1);
			rc = pg_exec(s, sql, e);
		}
		ctip_progress_report("rotating the key", *count, total, "values");
	}
	free(out.p);
	if (!rc)
		rc = pg_exec(s, "DROP TABLE rk_col", e);
	return rc;
}

/* "T1, T2, ...": the tables holding sealed values or what is keyed by the key (identities,
 * blind indexes, name tokens, linkage's cache and frequencies) and every table of rekey.h's
 * sealed columns, once each. */
static int sealed_tables(struct tbuf *b, const char *first)
{
	tb_put(b, first, strlen(first));
	for (const struct ctip_sealed_col *c = ctip_sealed_cols; c->table; c++) {
		int seen = 0;
		for (const struct ctip_sealed_col *x = ctip_sealed_cols; x < c; x++)
			seen |= !strcmp(x->table, c->table);
		size_t n = strlen(c->table);
		for (const char *p = first; *p && !seen; p += strcspn(p, ","), p += *p == ',') {
			p += strspn(p, " ");
			seen = !strncmp(p, c->table, n) && (p[n] == ',' || !p[n]);
		}
		if (!seen)
			tb_fmt(b, ", %s", c->table);
	}
	return b->oom ? -1 : 0;
}

static int pg_key_rotate(ctip_store *base, ctip_crypto *next, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	ctip_crypto *old = s->base.crypto;
	if (!old)
		return ctip_no_key(s->base.path, e);
	long n = 0, total = 0;
	char check[CTIP_KEY_CHECK];
	ctip_crypto_check_value(next, check);
	PGresult *r;
	/* writers wait (readers go on reading the old key's values until the commit); the
	 * values to reseal counted, for the progress bar */
	struct tbuf q = {0};
	tb_put(&q, "BEGIN; LOCK TABLE ", strlen("BEGIN; LOCK TABLE "));
	if (sealed_tables(&q, "person, identity_doc, phone, person_name, link_changed"))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	tb_fmt(&q, "%s",
	       " IN EXCLUSIVE MODE; "
	       /* re-sealing rewrites every identity, which the trigger of 0002 takes
	        * for a change linkage must look at again: keep only those it had */
	       "CREATE TEMP TABLE rotate_changed ON COMMIT DROP AS SELECT person_id "
	       "FROM link_changed");
	int rc = q.oom ? ctip_err_set(e, CTIP_ENOMEM, "out of memory") : pg_exec(s, q.p, e);
	q.len = 0;
	tb_fmt(&q, "%s", "SELECT (SELECT count(*) FROM person WHERE identity IS NOT NULL)");
	for (const struct ctip_sealed_col *c = ctip_sealed_cols; c->table; c++)
		tb_fmt(&q, " + (SELECT count(*) FROM %s WHERE %s IS NOT NULL)", c->table,
		       c->column);
	if (!rc && q.oom)
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (!rc && !(rc = pg_query(s, q.p, 0, NULL, &r, e, "key rotation"))) {
		total = atol(PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	free(q.p);
	/* every identity, then every sealed column (rekey.h) */
	if (!rc)
		rc = rekey_identities(s, next, &n, total, e);
	for (const struct ctip_sealed_col *c = ctip_sealed_cols; !rc && c->table; c++)
		rc = reseal_column(s, next, c, &n, total, e);
	const char *v[2] = {"key_check", check};
	if (!rc)
		rc = pg_exec(
		        s,
		        "DELETE FROM link_changed WHERE person_id NOT IN (SELECT person_id FROM "
		        "rotate_changed); "
		        /* what linkage keeps under the key: rebuilt by the next run */
		        "DELETE FROM link_cache; DELETE FROM link_cache_extra; DELETE FROM "
		        "link_freq; DELETE FROM link_freq_total",
		        e);
	if (!rc)
		rc = pg_query(s, "UPDATE setting SET value = $2 WHERE name = $1", 2, v, NULL, e,
		              "key rotation");
	ctip_progress_finish();
	if (rc || (rc = pg_exec(s, "COMMIT", e))) {
		pg_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	s->base.crypto = next;
	ctip_crypto_free(old);
	return CTIP_OK;
}

/* After a rotation: the tables that held sealed values or blind indexes rewritten, so that the
 * old key's ciphertexts are not left in their files' dead rows. (PostgreSQL's write-ahead log
 * and backups keep them until they are recycled: docs/SECURITY.md.) */
static int pg_compact(ctip_store *base, ctip_err *e)
{
	struct tbuf q = {0};
	tb_put(&q, "VACUUM FULL ", strlen("VACUUM FULL "));
	if (sealed_tables(&q, "person, identity_doc, phone, person_name, link_cache, link_freq")) {
		free(q.p);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	int rc = pg_exec((pg_store *)base, q.p, e);
	free(q.p);
	return rc;
}

void pg_rekey_ops(struct ctip_store_ops *o)
{
	o->key_rotate = pg_key_rotate;
	o->compact = pg_compact;
}
