/*
 * store_sqlite_search.c - finding candidates for a search (name index, document and
 * phone blind indexes, within what an organisation sees), the registry's counts, and a
 * person's cases.
 */
#include <stdlib.h>
#include <string.h>

#include "search_top.h"
#include "store_sqlite_int.h"

/* ---- search ------------------------------------------------------------------------- */

/* The query's tokens and blind indexes and the ranking of the matches are search_top.c's
 * (every back end's); this finds the candidates. */
int sq_search(ctip_store *base, const char *query, int64_t org, int limit,
              int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	struct ctip_search_q q;
	int rc = ctip_search_q_make(s->base.crypto, s->base.path, query, org, &q, e);
	if (rc)
		return rc;
	/* FTS5 query: every blind-index token required (base32: never an operator) */
	size_t cap = strlen(q.tokens) * 2 + 16, w = 0;
	char *match = malloc(cap);
	if (!match) {
		ctip_search_q_free(&q);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	match[0] = 0;
	for (char *save = NULL, *t = strtok_r(q.tokens, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		w += (size_t)snprintf(match + w, cap - w, "%s\"%s\"", w ? " AND " : "", t);

	/* prepared once per connection: preparing it took about as long as running it */
	sqlite3_stmt *st = sq_stmt(s, org > 0 ? S_SEARCH_ORG : S_SEARCH, e);
	int step = SQLITE_DONE;
	struct ctip_search_top t;
	if (!st) {
		rc = CTIP_EDB;
		goto out;
	}
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	if (org > 0)
		sqlite3_bind_int64(st, 4, org);
	if (q.has_doc)
		sqlite3_bind_blob(st, 2, q.doc_bidx, sizeof(q.doc_bidx), SQLITE_STATIC);
	if (q.has_phone)
		sqlite3_bind_blob(st, 3, q.phone_bidx, sizeof(q.phone_bidx), SQLITE_STATIC);
	if ((rc = ctip_search_top_init(&t, s->base.crypto, s->base.ref, s->base.path, limit, e)))
		goto out;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = ctip_search_top_add(&t, sqlite3_column_int64(st, 0),
		                         sqlite3_column_int64(st, 7), sqlite3_column_blob(st, 3),
		                         sqlite3_column_bytes(st, 3), sq_col(st, 1), sq_col(st, 2),
		                         sq_col(st, 4), sq_col(st, 5), sq_col(st, 6), e);
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = sq_db_err(s, e, "search");
	sqlite3_reset(st); /* no read left open */
	if (rc == CTIP_OK)
		rc = ctip_search_top_emit(&t, cb, ctx, e);
	ctip_search_top_free(&t);
out:
	free(match);
	ctip_search_q_free(&q);
	return rc;
}

static int count_of(sqlite_store *s, const char *sql, long *out, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, sql);
	*out = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return CTIP_OK;
}

int sq_counts(ctip_store *base, struct ctip_counts *c, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc;
	if ((rc = count_of(s, "SELECT count(*) FROM organisation", &c->orgs, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM cases", &c->cases, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM person", &c->persons, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM case_person", &c->links, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM victim", &c->victims, e)))
		return rc;
	return CTIP_OK;
}

int sq_person_cases(ctip_store *base, int64_t pid, int64_t **ids, int *n, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int cap = 8;
	*n = 0;
	*ids = malloc((size_t)cap * sizeof(**ids));
	if (!*ids)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(
	            s->db, "SELECT case_id FROM case_person WHERE person_id = ? ORDER BY case_id",
	            -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "person cases");
	sqlite3_bind_int64(st, 1, pid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *g = realloc(*ids, (size_t)(cap *= 2) * sizeof(**ids));
			if (!g) {
				sqlite3_finalize(st);
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
			*ids = g;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return CTIP_OK;
}
