/*
 * store_sqlite_release.c - the ledger of releases in a SQLite store (migration 0014): the
 * budget check and the insert in one immediate transaction, so two releases at once cannot
 * both spend the last of a data set's epsilon.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

static int fail(ctip_store *s, ctip_err *e)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (the ledger of releases; hint: ctip init)",
	                    s->path, sqlite3_errmsg(ctip_store_sqlite_db(s)));
}

static int exec(ctip_store *s, const char *sql, ctip_err *e)
{
	return sqlite3_exec(ctip_store_sqlite_db(s), sql, NULL, NULL, NULL) == SQLITE_OK
	               ? CTIP_OK
	               : fail(s, e);
}

/* Budget and spending of a data set, inside the caller's transaction. */
static int budget_read(ctip_store *s, const char *dataset, double dflt, double *budget,
                       double *spent, ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *st = NULL;
	*budget = dflt;
	*spent = 0;
	if (sqlite3_prepare_v2(db, "SELECT epsilon FROM release_budget WHERE dataset = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return fail(s, e);
	sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*budget = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db,
	                       "SELECT coalesce(sum(epsilon), 0) FROM release WHERE dataset = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return fail(s, e);
	sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*spent = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return CTIP_OK;
}

int ctip_sqlite_release_add(ctip_store *s, struct ctip_release_rec *r, double default_budget,
                            ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *st = NULL;
	int rc = exec(s, "BEGIN IMMEDIATE", e);
	if (rc)
		return rc;
	if (r->epsilon > 0) {
		double budget, spent;
		if ((rc = budget_read(s, r->dataset, default_budget, &budget, &spent, e)))
			goto out;
		/* a little slack for the sum of floating-point epsilons */
		if (spent + r->epsilon > budget + 1e-9) {
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "release refused: epsilon %g would take data set '%s' past its "
			        "budget (%g spent of %g); hint: a smaller --epsilon, or an "
			        "administrator raises it with ctip release budget",
			        r->epsilon, r->dataset, spent, budget);
			goto out;
		}
	}
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO release (at, actor, kind, params, data_version, seed, "
	                       "file, sha256, records, dataset, epsilon, delta, summary) VALUES "
	                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = fail(s, e);
		goto out;
	}
	const char *t[] = {r->at, r->actor, r->kind, r->params};
	for (int k = 0; k < 4; k++)
		sqlite3_bind_text(st, k + 1, t[k] ? t[k] : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, r->data_version);
	sqlite3_bind_text(st, 6, r->seed ? r->seed : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->file ? r->file : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->sha256 ? r->sha256 : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, r->records);
	sqlite3_bind_text(st, 10, r->dataset ? r->dataset : "", -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 11, r->epsilon);
	sqlite3_bind_double(st, 12, r->delta);
	sqlite3_bind_text(st, 13, r->summary ? r->summary : "{}", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(s, e);
	sqlite3_finalize(st);
	if (!rc)
		r->id = sqlite3_last_insert_rowid(db);
out:
	if (rc) {
		exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return exec(s, "COMMIT", e);
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? v : "";
}

int ctip_sqlite_release_each(ctip_store *s, int64_t id,
                             int (*cb)(void *ctx, const struct ctip_release_rec *r), void *ctx,
                             ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s),
	                       "SELECT id, at, actor, kind, params, data_version, seed, file, "
	                       "sha256, records, dataset, epsilon, delta, summary FROM release "
	                       "WHERE ?1 = 0 OR id = ?1 ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return fail(s, e);
	sqlite3_bind_int64(st, 1, id);
	int rc = CTIP_OK, n = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_release_rec r = {.id = sqlite3_column_int64(st, 0),
		                             .at = col(st, 1),
		                             .actor = col(st, 2),
		                             .kind = col(st, 3),
		                             .params = col(st, 4),
		                             .data_version = sqlite3_column_int64(st, 5),
		                             .seed = col(st, 6),
		                             .file = col(st, 7),
		                             .sha256 = col(st, 8),
		                             .records = sqlite3_column_int64(st, 9),
		                             .dataset = col(st, 10),
		                             .epsilon = sqlite3_column_double(st, 11),
		                             .delta = sqlite3_column_double(st, 12),
		                             .summary = col(st, 13)};
		n++;
		rc = cb(ctx, &r);
	}
	sqlite3_finalize(st);
	if (!rc && id > 0 && !n)
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "no release R%lld (see ctip release list)",
		                  (long long)id);
	return rc;
}

int ctip_sqlite_release_budget(ctip_store *s, const char *dataset, double set_eps, double *budget,
                               double *spent, ctip_err *e)
{
	int rc = exec(s, "BEGIN IMMEDIATE", e);
	if (rc)
		return rc;
	if (set_eps >= 0) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(
		            ctip_store_sqlite_db(s),
		            "INSERT INTO release_budget (dataset, epsilon) VALUES (?1, ?2) "
		            "ON CONFLICT (dataset) DO UPDATE SET epsilon = excluded.epsilon",
		            -1, &st, NULL) != SQLITE_OK) {
			rc = fail(s, e);
		} else {
			sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
			sqlite3_bind_double(st, 2, set_eps);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = fail(s, e);
			sqlite3_finalize(st);
		}
	}
	if (!rc)
		rc = budget_read(s, dataset, *budget, budget, spent, e);
	if (rc) {
		exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return exec(s, "COMMIT", e);
}
