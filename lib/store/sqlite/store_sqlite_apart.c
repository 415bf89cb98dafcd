/*
 * store_sqlite_apart.c - what the SQLite stores kept apart from store.h's operations share
 * (casework, the company register, the communications tracker: store_sqlite_sealed.h).
 * Their statements are prepared per call, a row at a time.
 */
#include <sqlite3.h>

#include "store_sqlite_sealed.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

int ctip_sqlite_fail(ctip_store *s, ctip_err *e, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->path,
	                    sqlite3_errmsg(ctip_store_sqlite_db(s)), what);
}

sqlite3_stmt *ctip_sqlite_prep(ctip_store *s, const char *sql, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		ctip_sqlite_fail(s, e, sql);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

void ctip_sqlite_bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

const char *ctip_sqlite_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}
