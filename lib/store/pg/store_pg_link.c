/*
 * store_pg_link.c - record linkage's storage on PostgreSQL (store_linkage.h; tables of
 * lib/sql/pg/0002_analytics.sql, the same as SQLite's 0006, 0009 and 0011): what linkage
 * compares of every record, streamed by id with the sealed identity opened by link_input.c
 * (the same code as on SQLite); a run's keys, pairs and name frequencies sent with COPY; the
 * reviewers' decisions and the sealed cache of prepared records. Text is ordered as bytes
 * (COLLATE "C"), as SQLite orders it, so exports are the same on both.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_input.h"
#include "store_pg.h"
#include "store_pg_int.h"

static int64_t num(const char *v)
{
	return v ? strtoll(v, NULL, 10) : 0;
}

/* A growing text buffer (COPY rows, array literals). */
struct tbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void tb_add(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void tb_add(struct tbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t nc = b->cap ? b->cap * 2 : 65536;
		while (nc < b->len + (size_t)n + 1)
			nc *= 2;
		char *t = realloc(b->p, nc);
		if (!t) {
			b->oom = 1;
			return;
		}
		b->p = t;
		b->cap = nc;
	}
}

/* An array literal of ids, {1,2,3}. */
static char *id_array(const int64_t *ids, long n)
{
	struct tbuf b = {0};
	tb_add(&b, "{");
	for (long i = 0; i < n; i++)
		tb_add(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	tb_add(&b, "}");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Sends b's rows (COPY text format) with copy_sql. */
static int copy_in(pg_store *s, const char *copy_sql, const struct tbuf *b, ctip_err *e)
{
	if (b->oom)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	PGresult *r = PQexec(s->db, copy_sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		int rc = pg_fail(s, r, e, "COPY");
		PQclear(r);
		return rc;
	}
	PQclear(r);
	for (size_t at = 0; at < b->len;) {
		size_t n = b->len - at > (1u << 24) ? (1u << 24) : b->len - at;
		if (PQputCopyData(s->db, b->p + at, (int)n) != 1)
			return pg_fail(s, NULL, e, "COPY");
		at += n;
	}
	if (PQputCopyEnd(s->db, NULL) != 1)
		return pg_fail(s, NULL, e, "COPY");
	int rc = CTIP_OK;
	while ((r = PQgetResult(s->db))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
			rc = pg_fail(s, r, e, copy_sql);
		PQclear(r);
	}
	return rc;
}

/* ---- reading the records ----------------------------------------------------------------- */

/* Every record (or those of ids) with its period of exploitation over its cases as a victim
 * (earliest start, latest end) and its countries of exploitation (each once, `;` between);
 * binary results, so the sealed identity comes as its bytes. */
#define INPUT_SQL(where)                                                                           \
	"SELECT p.id::text, o.name, p.src_record_id, p.birth_date, p.gender, p.province_2025, "    \
	"p.identity, per.s, per.e, per.c FROM person p JOIN organisation o ON o.id = p.org_id "    \
	"LEFT JOIN (SELECT cp.person_id, min(x.start_date COLLATE \"C\") AS s, "                   \
	"max(coalesce(x.end_date, x.start_date) COLLATE \"C\") AS e, "                             \
	"string_agg(DISTINCT x.country, ';') AS c FROM case_person cp JOIN "                       \
	"exploitation x ON x.case_person_id = cp.id " where " GROUP BY cp.person_id) per ON "      \
	"per.person_id = p.id "

/* Every record; those of ids. */
static const char *const input_sql[] = {
        INPUT_SQL("") "ORDER BY p.id",
        INPUT_SQL("WHERE cp.person_id = ANY ($1::bigint[])") "WHERE p.id = ANY ($1::bigint[]) "
                                                             "ORDER BY p.id",
        NULL,
};

const char *const *ctip_pg_link_reads(void)
{
	return input_sql;
}

struct input {
	pg_store *s;
	int (*cb)(void *ctx, const struct ctip_link_input *r);
	void *ctx;
	unsigned char *m;
	size_t cap;
	ctip_err *e;
};

static int input_row(void *ctx, PGresult *res)
{
	struct input *x = ctx;
	struct ctip_link_input r;
	memset(&r, 0, sizeof(r));
	r.id = num(pg_col(res, 0, 0));
	r.org = pg_col(res, 0, 1);
	r.src_record_id = pg_col(res, 0, 2);
	r.birth = pg_col(res, 0, 3);
	r.gender = pg_col(res, 0, 4);
	r.province_2025 = pg_col(res, 0, 5);
	r.expl_start = pg_col(res, 0, 7);
	r.expl_end = pg_col(res, 0, 8);
	r.expl_countries = pg_col(res, 0, 9);
	if (!PQgetisnull(res, 0, 6)) {
		int rc = ctip_link_input_identity(
		        x->s->base.crypto, x->s->base.path, PQgetvalue(res, 0, 6),
		        (size_t)PQgetlength(res, 0, 6), &x->m, &x->cap, &r, x->e);
		if (rc)
			return rc;
	}
	return x->cb(x->ctx, &r);
}

static int pg_link_input(ctip_store *base, const int64_t *ids, int n,
                         int (*cb)(void *ctx, const struct ctip_link_input *r), void *ctx,
                         ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	if (!s->base.crypto)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: no key loaded: identities cannot be opened", s->base.path);
	struct input x = {s, cb, ctx, NULL, 0, e};
	int rc;
	if (n) {
		char *arr = id_array(ids, n);
		if (!arr)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		const char *v[1] = {arr};
		rc = pg_stream(s, input_sql[1], 1, v, 1, input_row, &x, e, "link input");
		free(arr);
	} else {
		rc = pg_stream(s, input_sql[0], 0, NULL, 1, input_row, &x, e, "link input");
	}
	if (x.m && x.cap)
		sodium_memzero(x.m, x.cap);
	free(x.m);
	return rc;
}

/* ---- saving a run ------------------------------------------------------------------------ */

static int save_freq(pg_store *s, const struct ctip_link_result *res, ctip_err *e)
{
	int rc = CTIP_OK;
	if (!res->freq_add) {
		if ((rc = pg_exec(s, "DELETE FROM link_freq; DELETE FROM link_freq_total", e)) ||
		    !res->freq_check || !res->freq_check[0])
			return rc;
		char t[4][24];
		for (int i = 0; i < 4; i++)
			snprintf(t[i], sizeof(t[i]), "%ld", res->freq_total[i]);
		const char *v[5] = {t[0], t[1], t[2], t[3], res->freq_check};
		if ((rc = pg_query(s,
		                   "INSERT INTO link_freq_total (records, family, given, \"full\", "
		                   "key_check) VALUES ($1, $2, $3, $4, $5)",
		                   5, v, NULL, e, "link_freq_total")))
			return rc;
	}
	if (!res->nfreq)
		return CTIP_OK;
	struct tbuf b = {0};
	for (long i = 0; i < res->nfreq; i++)
		tb_add(&b, "%lld\t%lu\n", (long long)res->freq_h[i], (unsigned long)res->freq_n[i]);
	if (!(rc = pg_exec(s,
	                   "CREATE TEMP TABLE IF NOT EXISTS link_tmp_freq (h bigint, n bigint) ON "
	                   "COMMIT DELETE ROWS; TRUNCATE link_tmp_freq",
	                   e)) &&
	    !(rc = copy_in(s, "COPY link_tmp_freq (h, n) FROM STDIN", &b, e)))
		rc = pg_exec(s,
		             "INSERT INTO link_freq (h, n) SELECT DISTINCT ON (h) h, n FROM "
		             "link_tmp_freq ORDER BY h ON CONFLICT (h) DO NOTHING",
		             e);
	free(b.p);
	return rc;
}

static int pg_link_save(ctip_store *base, const struct ctip_link_result *res, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc = pg_exec(s,
	                 res->incremental
	                         ? "INSERT INTO link_cache_extra (person_id) SELECT person_id FROM "
	                           "link_changed ON CONFLICT DO NOTHING; DELETE FROM link_changed"
	                         : "DELETE FROM link_pair; DELETE FROM link_changed",
	                 e);
	if (rc)
		return rc;
	if (res->incremental && res->nrelinked) {
		/* their pairs are scored again: the stored ones go (as a or b) */
		char *arr = id_array(res->relinked, res->nrelinked);
		if (!arr)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		const char *v[1] = {arr};
		rc = pg_query(s,
		              "DELETE FROM link_pair WHERE a = ANY ($1::bigint[]) OR b = ANY "
		              "($1::bigint[])",
		              1, v, NULL, e, "link_pair of relinked records");
		free(arr);
		if (rc)
			return rc;
	}
	if ((rc = save_freq(s, res, e)))
		return rc;
	/* the keys: only those that changed are written (each write marks statistics) */
	struct tbuf b = {0};
	for (long i = 0; i < res->n; i++)
		tb_add(&b, "%lld\t%s\n", (long long)res->ids[i], res->keys[i]);
	if (!(rc = pg_exec(s,
	                   "CREATE TEMP TABLE IF NOT EXISTS link_tmp_person (person_id bigint, "
	                   "person_key text) ON COMMIT DELETE ROWS; TRUNCATE link_tmp_person",
	                   e)) &&
	    !(rc = copy_in(s, "COPY link_tmp_person (person_id, person_key) FROM STDIN", &b, e)))
		rc = pg_exec(s,
		             "INSERT INTO link_person (person_id, person_key) SELECT t.person_id, "
		             "t.person_key FROM link_tmp_person t LEFT JOIN link_person l ON "
		             "l.person_id = t.person_id WHERE l.person_key IS DISTINCT FROM "
		             "t.person_key ON CONFLICT (person_id) DO UPDATE SET person_key = "
		             "excluded.person_key",
		             e);
	free(b.p);
	if (rc)
		return rc;
	/* the pairs, replacing any stored pair of the same records */
	memset(&b, 0, sizeof(b));
	for (long i = 0; i < res->npairs; i++) {
		const struct ctip_link_pair *p = &res->pairs[i];
		tb_add(&b, "%lld\t%lld\t%.17g\t%.17g\t%d\n", (long long)p->a, (long long)p->b,
		       (double)p->weight, (double)p->probability, p->linked);
	}
	if (!(rc = pg_exec(s,
	                   "CREATE TEMP TABLE IF NOT EXISTS link_tmp_pair (a bigint, b bigint, "
	                   "weight double precision, probability double precision, linked "
	                   "smallint) ON COMMIT DELETE ROWS; TRUNCATE link_tmp_pair",
	                   e)) &&
	    !(rc = copy_in(s, "COPY link_tmp_pair (a, b, weight, probability, linked) FROM STDIN",
	                   &b, e)))
		rc = pg_exec(
		        s,
		        res->incremental
		                ? "INSERT INTO link_pair (a, b, weight, probability, linked) "
		                  "SELECT DISTINCT ON (a, b) a, b, weight, probability, linked "
		                  "FROM link_tmp_pair ORDER BY a, b ON CONFLICT (a, b) DO UPDATE "
		                  "SET weight = excluded.weight, probability = "
		                  "excluded.probability, linked = excluded.linked"
		                : "INSERT INTO link_pair (a, b, weight, probability, linked) "
		                  "SELECT DISTINCT ON (a, b) a, b, weight, probability, linked "
		                  "FROM link_tmp_pair ORDER BY a, b",
		        e);
	free(b.p);
	if (rc)
		return rc;
	if (res->incremental && res->ntouched) {
		/* a pair is linked when both records have one person key; every pair whose flag
		 * may change has a touched record as its a */
		char *arr = id_array(res->touched, res->ntouched);
		if (!arr)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		const char *v[1] = {arr};
		rc = pg_query(s,
		              "UPDATE link_pair x SET linked = coalesce((SELECT (la.person_key = "
		              "lb.person_key)::int FROM link_person la, link_person lb WHERE "
		              "la.person_id = x.a AND lb.person_id = x.b), 0) WHERE x.a = ANY "
		              "($1::bigint[])",
		              1, v, NULL, e, "link_pair");
		free(arr);
		if (rc)
			return rc;
	}
	/* an incremental run's pairs are those it added to the last run's */
	char t[3][24];
	snprintf(t[0], sizeof(t[0]), "%ld", res->incremental ? res->records : res->n);
	snprintf(t[1], sizeof(t[1]), "%ld", res->npairs);
	snprintf(t[2], sizeof(t[2]), "%ld", res->persons);
	const char *v[5] = {t[0], t[1], t[2], res->params, res->incremental ? "t" : "f"};
	return pg_query(s,
	                "INSERT INTO link_run (at, records, pairs, persons, params) VALUES "
	                "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	                "$1, $2::bigint + coalesce((SELECT pairs FROM link_run WHERE $5::boolean "
	                "ORDER BY id DESC LIMIT 1), 0), $3, $4)",
	                5, v, NULL, e, "link_run");
}

/* ---- reading a run ----------------------------------------------------------------------- */

/* Runs sql (text results) and hands every row to row. */
static int rows_of(pg_store *s, const char *sql, int n, const char *const *v,
                   int (*row)(void *ctx, PGresult *r), void *ctx, ctip_err *e, const char *what)
{
	return pg_stream(s, sql, n, v, 0, row, ctx, e, what);
}

struct keys_ctx {
	int (*cb)(void *ctx, int64_t id, const char *key);
	void *ctx;
};

static int keys_row(void *ctx, PGresult *r)
{
	struct keys_ctx *k = ctx;
	return k->cb(k->ctx, num(pg_col(r, 0, 0)), pg_col(r, 0, 1));
}

static int pg_link_keys(ctip_store *base, int (*cb)(void *ctx, int64_t id, const char *key),
                        void *ctx, ctip_err *e)
{
	struct keys_ctx k = {cb, ctx};
	return rows_of((pg_store *)base, "SELECT person_id, person_key FROM link_person", 0, NULL,
	               keys_row, &k, e, "link keys");
}

struct id_ctx {
	int (*cb)(void *ctx, int64_t id);
	void *ctx;
};

static int id_row(void *ctx, PGresult *r)
{
	struct id_ctx *k = ctx;
	return k->cb(k->ctx, num(pg_col(r, 0, 0)));
}

static int pg_link_changed(ctip_store *base, int (*cb)(void *ctx, int64_t id), void *ctx,
                           ctip_err *e)
{
	struct id_ctx k = {cb, ctx};
	return rows_of((pg_store *)base, "SELECT person_id FROM link_changed ORDER BY person_id", 0,
	               NULL, id_row, &k, e, "link changed");
}

struct persons_ctx {
	int (*cb)(void *ctx, int64_t id, const char *org, const char *src, const char *key);
	void *ctx;
};

static int persons_row(void *ctx, PGresult *r)
{
	struct persons_ctx *k = ctx;
	return k->cb(k->ctx, num(pg_col(r, 0, 0)), pg_col(r, 0, 1), pg_col(r, 0, 2),
	             pg_col(r, 0, 3));
}

static int pg_link_persons(ctip_store *base,
                           int (*cb)(void *ctx, int64_t id, const char *org, const char *src,
                                     const char *key),
                           void *ctx, ctip_err *e)
{
	struct persons_ctx k = {cb, ctx};
	return rows_of((pg_store *)base,
	               "SELECT p.id, o.name, p.src_record_id, l.person_key FROM person p JOIN "
	               "organisation o ON o.id = p.org_id LEFT JOIN link_person l ON l.person_id "
	               "= p.id ORDER BY o.name COLLATE \"C\", p.src_record_id COLLATE \"C\"",
	               0, NULL, persons_row, &k, e, "link persons");
}

struct pairs_ctx {
	int (*cb)(void *ctx, const struct ctip_link_pair_out *p);
	void *ctx;
};

static int pairs_row(void *ctx, PGresult *r)
{
	struct pairs_ctx *k = ctx;
	struct ctip_link_pair_out p = {
	        .a = num(pg_col(r, 0, 0)),
	        .b = num(pg_col(r, 0, 1)),
	        .a_org = pg_col(r, 0, 2),
	        .a_src = pg_col(r, 0, 3),
	        .b_org = pg_col(r, 0, 4),
	        .b_src = pg_col(r, 0, 5),
	        .a_key = pg_col(r, 0, 6),
	        .b_key = pg_col(r, 0, 7),
	        .weight = strtod(PQgetvalue(r, 0, 8), NULL),
	        .probability = strtod(PQgetvalue(r, 0, 9), NULL),
	        .linked = (int)num(pg_col(r, 0, 10)),
	        .changed = (int)num(pg_col(r, 0, 11)),
	};
	return k->cb(k->ctx, &p);
}

static int pg_link_pairs(ctip_store *base, int (*cb)(void *ctx, const struct ctip_link_pair_out *p),
                         void *ctx, ctip_err *e)
{
	struct pairs_ctx k = {cb, ctx};
	return rows_of((pg_store *)base,
	               "SELECT x.a, x.b, oa.name, pa.src_record_id, ob.name, pb.src_record_id, "
	               "la.person_key, lb.person_key, x.weight, x.probability, x.linked, "
	               "(EXISTS (SELECT 1 FROM link_changed c WHERE c.person_id IN (x.a, "
	               "x.b)))::int FROM link_pair x "
	               "JOIN person pa ON pa.id = x.a JOIN organisation oa ON oa.id = pa.org_id "
	               "JOIN person pb ON pb.id = x.b JOIN organisation ob ON ob.id = pb.org_id "
	               "LEFT JOIN link_person la ON la.person_id = x.a "
	               "LEFT JOIN link_person lb ON lb.person_id = x.b ORDER BY x.a, x.b",
	               0, NULL, pairs_row, &k, e, "link pairs");
}

static int pg_link_freq(ctip_store *base, const int64_t *h, int n, uint32_t *cnt, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	for (int i = 0; i < n; i++)
		cnt[i] = 0;
	if (!n)
		return CTIP_OK;
	char *arr = id_array(h, n);
	if (!arr)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	const char *v[1] = {arr};
	PGresult *r;
	int rc = pg_query(s, "SELECT h, n FROM link_freq WHERE h = ANY ($1::bigint[])", 1, v, &r, e,
	                  "link_freq");
	free(arr);
	if (rc)
		return rc;
	for (int k = 0; k < PQntuples(r); k++) {
		int64_t hk = num(PQgetvalue(r, k, 0));
		uint32_t c = (uint32_t)num(PQgetvalue(r, k, 1));
		for (int i = 0; i < n; i++)
			if (h[i] == hk)
				cnt[i] = c;
	}
	PQclear(r);
	return CTIP_OK;
}

static int pg_link_freq_total(ctip_store *base, long total[4], char *check, ctip_err *e)
{
	PGresult *r;
	int rc = pg_query((pg_store *)base,
	                  "SELECT records, family, given, \"full\", key_check FROM link_freq_total "
	                  "LIMIT 1",
	                  0, NULL, &r, e, "link_freq_total");
	if (rc)
		return rc;
	if (!PQntuples(r)) {
		PQclear(r);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no stored name frequencies");
	}
	for (int i = 0; i < 4; i++)
		total[i] = (long)num(PQgetvalue(r, 0, i));
	snprintf(check, 17, "%s", PQgetvalue(r, 0, 4));
	PQclear(r);
	return CTIP_OK;
}

static int pg_link_pair_state(ctip_store *base, int64_t a, int64_t b, char *key_a, char *key_b,
                              int *decision, ctip_err *e)
{
	char x[24], y[24];
	snprintf(x, sizeof(x), "%lld", (long long)a);
	snprintf(y, sizeof(y), "%lld", (long long)b);
	const char *v[2] = {x, y};
	PGresult *r;
	int rc = pg_query((pg_store *)base,
	                  "SELECT (SELECT person_key FROM link_person WHERE person_id = $1), "
	                  "(SELECT person_key FROM link_person WHERE person_id = $2), (SELECT same "
	                  "FROM link_decision WHERE a = least($1::bigint, $2::bigint) AND b = "
	                  "greatest($1::bigint, $2::bigint))",
	                  2, v, &r, e, "link pair state");
	if (rc)
		return rc;
	snprintf(key_a, 24, "%s", PQgetvalue(r, 0, 0));
	snprintf(key_b, 24, "%s", PQgetvalue(r, 0, 1));
	*decision = pg_col(r, 0, 2) ? atoi(PQgetvalue(r, 0, 2)) : -1;
	PQclear(r);
	return CTIP_OK;
}

static int pg_link_current(ctip_store *base, int64_t a, int64_t b, int *current, ctip_err *e)
{
	char x[24], y[24];
	snprintf(x, sizeof(x), "%lld", (long long)a);
	snprintf(y, sizeof(y), "%lld", (long long)b);
	const char *v[2] = {x, y};
	PGresult *r;
	int rc = pg_query((pg_store *)base,
	                  "SELECT (SELECT count(*) FROM link_person WHERE person_id IN ($1, $2)) = "
	                  "2 AND NOT EXISTS (SELECT 1 FROM link_changed WHERE person_id IN ($1, "
	                  "$2))",
	                  2, v, &r, e, "link current");
	if (rc)
		return rc;
	*current = !strcmp(PQgetvalue(r, 0, 0), "t") && a != b;
	PQclear(r);
	return CTIP_OK;
}

static int pg_link_cache_put(ctip_store *base, const unsigned char *const *chunk, const size_t *len,
                             int n, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc = pg_exec(s, "DELETE FROM link_cache; DELETE FROM link_cache_extra", e);
	for (int i = 0; i < n && !rc; i++) {
		if (len[i] > 1000000000u)
			return ctip_err_set(e, CTIP_EINVAL, "linkage cache chunk too large");
		char seq[16];
		snprintf(seq, sizeof(seq), "%d", i);
		const char *v[2] = {seq, (const char *)chunk[i]};
		int l[2] = {0, (int)len[i]}, bin[2] = {0, 1};
		rc = pg_query_bin(s, "INSERT INTO link_cache (seq, data) VALUES ($1, $2)", 2, v, l,
		                  bin, NULL, e, "link_cache");
	}
	return rc;
}

struct cache_ctx {
	int (*cb)(void *ctx, const unsigned char *chunk, size_t len, int index, int count);
	void *ctx;
	int i;
};

static int cache_row(void *ctx, PGresult *r)
{
	struct cache_ctx *k = ctx;
	uint32_t cnt;
	memcpy(&cnt, PQgetvalue(r, 0, 1), 4);
	cnt = __builtin_bswap32(cnt); /* int4 in network order */
	return k->cb(k->ctx, (const unsigned char *)PQgetvalue(r, 0, 0),
	             (size_t)PQgetlength(r, 0, 0), k->i++, (int)cnt);
}

static int pg_link_cache_get(ctip_store *base,
                             int (*cb)(void *ctx, const unsigned char *chunk, size_t len, int index,
                                       int count),
                             void *ctx, ctip_err *e)
{
	struct cache_ctx k = {cb, ctx, 0};
	return pg_stream((pg_store *)base,
	                 "SELECT data, (SELECT count(*) FROM link_cache)::int4 FROM link_cache "
	                 "ORDER BY seq",
	                 0, NULL, 1, cache_row, &k, e, "link_cache");
}

struct cids_ctx {
	int (*cb)(void *ctx, int64_t id, int stale);
	void *ctx;
};

static int cids_row(void *ctx, PGresult *r)
{
	struct cids_ctx *k = ctx;
	return k->cb(k->ctx, num(pg_col(r, 0, 0)), (int)num(pg_col(r, 0, 1)));
}

static int pg_link_cache_ids(ctip_store *base, int (*cb)(void *ctx, int64_t id, int stale),
                             void *ctx, ctip_err *e)
{
	struct cids_ctx k = {cb, ctx};
	return rows_of((pg_store *)base,
	               "SELECT p.id, (c.person_id IS NOT NULL OR x.person_id IS NOT NULL)::int "
	               "FROM person p LEFT JOIN link_changed c ON c.person_id = p.id LEFT JOIN "
	               "link_cache_extra x ON x.person_id = p.id ORDER BY p.id",
	               0, NULL, cids_row, &k, e, "link cache ids");
}

static int pg_link_params(ctip_store *base, char **json, ctip_err *e)
{
	*json = NULL;
	PGresult *r;
	int rc = pg_query((pg_store *)base, "SELECT params FROM link_run ORDER BY id DESC LIMIT 1",
	                  0, NULL, &r, e, "link params");
	if (rc)
		return rc;
	if (!PQntuples(r)) {
		PQclear(r);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no linkage yet: run `ctip link run`");
	}
	*json = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return *json ? CTIP_OK : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
}

static int pg_link_decide(ctip_store *base, int64_t a, int64_t b, int same, const char *actor,
                          ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	if (a == b)
		return ctip_err_set(e, CTIP_EINVAL, "a record is always its own person");
	if (a > b) {
		int64_t t = a;
		a = b;
		b = t;
	}
	char x[24], y[24];
	snprintf(x, sizeof(x), "%lld", (long long)a);
	snprintf(y, sizeof(y), "%lld", (long long)b);
	const char *v[4] = {x, y, same ? "1" : "0", actor ? actor : ""};
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT (SELECT count(*) FROM person WHERE id = $1), (SELECT count(*) "
	                  "FROM person WHERE id = $2)",
	                  2, v, &r, e, "link decide");
	if (rc)
		return rc;
	int ha = atoi(PQgetvalue(r, 0, 0)), hb = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	if (!ha || !hb)
		return ctip_err_set(e, CTIP_ENOTFOUND, "no person record P%lld",
		                    (long long)(ha ? b : a));
	return pg_query(s,
	                "INSERT INTO link_decision (a, b, same, decided_by, decided_at) VALUES "
	                "($1, $2, $3, $4, to_char(now() AT TIME ZONE 'UTC', "
	                "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ON CONFLICT (a, b) DO UPDATE SET same "
	                "= excluded.same, decided_by = excluded.decided_by, decided_at = "
	                "excluded.decided_at",
	                4, v, NULL, e, "link decide");
}

struct unc_ctx {
	int (*cb)(void *ctx, const struct ctip_link_pair *p);
	void *ctx;
};

static int unc_row(void *ctx, PGresult *r)
{
	struct unc_ctx *k = ctx;
	struct ctip_link_pair p = {num(pg_col(r, 0, 0)), num(pg_col(r, 0, 1)),
	                           (float)strtod(PQgetvalue(r, 0, 2), NULL),
	                           (float)strtod(PQgetvalue(r, 0, 3), NULL),
	                           (int)num(pg_col(r, 0, 4))};
	return k->cb(k->ctx, &p);
}

static int pg_link_uncertain(ctip_store *base, double lo, double hi,
                             int (*cb)(void *ctx, const struct ctip_link_pair *p), void *ctx,
                             ctip_err *e)
{
	char l[40], h[40];
	snprintf(l, sizeof(l), "%.17g", lo);
	snprintf(h, sizeof(h), "%.17g", hi);
	const char *v[2] = {l, h};
	struct unc_ctx k = {cb, ctx};
	int rc = rows_of((pg_store *)base,
	                 "SELECT x.a, x.b, x.weight, x.probability, x.linked FROM link_pair x "
	                 "WHERE x.probability >= $1 AND x.probability < $2 AND NOT EXISTS "
	                 "(SELECT 1 FROM link_decision d WHERE d.a = x.a AND d.b = x.b) "
	                 "AND NOT EXISTS (SELECT 1 FROM link_changed c WHERE c.person_id IN "
	                 "(x.a, x.b)) ORDER BY x.probability DESC, x.a, x.b",
	                 2, v, unc_row, &k, e, "link uncertain");
	return rc > CTIP_ENOTFOUND ? CTIP_OK : rc;
}

struct dec_ctx {
	int (*cb)(void *ctx, int64_t a, int64_t b, int same);
	void *ctx;
};

static int dec_row(void *ctx, PGresult *r)
{
	struct dec_ctx *k = ctx;
	return k->cb(k->ctx, num(pg_col(r, 0, 0)), num(pg_col(r, 0, 1)), (int)num(pg_col(r, 0, 2)));
}

static int pg_link_decisions(ctip_store *base, int (*cb)(void *ctx, int64_t a, int64_t b, int same),
                             void *ctx, ctip_err *e)
{
	struct dec_ctx k = {cb, ctx};
	return rows_of((pg_store *)base, "SELECT a, b, same FROM link_decision ORDER BY a, b", 0,
	               NULL, dec_row, &k, e, "link decisions");
}

struct vc_ctx {
	int (*cb)(void *ctx, const struct ctip_victim_case *v);
	void *ctx;
};

static int vc_row(void *ctx, PGresult *r)
{
	struct vc_ctx *k = ctx;
	struct ctip_victim_case v = {
	        .person_key = pg_col(r, 0, 0),
	        .person_id = num(pg_col(r, 0, 1)),
	        .case_id = num(pg_col(r, 0, 2)),
	        .org = pg_col(r, 0, 3),
	        .src_case_id = pg_col(r, 0, 4),
	        .start = pg_col(r, 0, 5),
	        .end = pg_col(r, 0, 6),
	};
	return k->cb(k->ctx, &v);
}

static int pg_link_victim_cases(ctip_store *base,
                                int (*cb)(void *ctx, const struct ctip_victim_case *v), void *ctx,
                                ctip_err *e)
{
	struct vc_ctx k = {cb, ctx};
	/* SQLite sorts NULL first */
	return rows_of((pg_store *)base,
	               "SELECT l.person_key, cp.person_id, c.id, o.name, c.src_case_id, "
	               "min(x.start_date COLLATE \"C\"), max(coalesce(x.end_date, x.start_date) "
	               "COLLATE \"C\") FROM case_person cp "
	               "JOIN link_person l ON l.person_id = cp.person_id JOIN cases c ON c.id = "
	               "cp.case_id JOIN organisation o ON o.id = c.org_id "
	               "LEFT JOIN exploitation x ON x.case_person_id = cp.id "
	               "WHERE cp.role = 'Victim' GROUP BY cp.id, l.person_key, c.id, o.name "
	               "ORDER BY l.person_key COLLATE \"C\", 6 NULLS FIRST, c.id",
	               0, NULL, vc_row, &k, e, "victim cases");
}

void pg_link_ops(struct ctip_store_ops *o)
{
	o->link_input = pg_link_input;
	o->link_save = pg_link_save;
	o->link_keys = pg_link_keys;
	o->link_changed = pg_link_changed;
	o->link_persons = pg_link_persons;
	o->link_pairs = pg_link_pairs;
	o->link_freq = pg_link_freq;
	o->link_freq_total = pg_link_freq_total;
	o->link_pair_state = pg_link_pair_state;
	o->link_current = pg_link_current;
	o->link_cache_put = pg_link_cache_put;
	o->link_cache_get = pg_link_cache_get;
	o->link_cache_ids = pg_link_cache_ids;
	o->link_params = pg_link_params;
	o->link_decide = pg_link_decide;
	o->link_uncertain = pg_link_uncertain;
	o->link_decisions = pg_link_decisions;
	o->link_victim_cases = pg_link_victim_cases;
}
