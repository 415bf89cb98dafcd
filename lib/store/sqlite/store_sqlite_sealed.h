/*
 * store_sqlite_sealed.h - what the SQLite stores kept apart from store.h's operations share
 * (casework, the company register, the communications tracker). Statements prepared per call
 * (store_sqlite_apart.c), and sealed free-text columns (store_sqlite_casework.c): a value is
 * sealed under the store's key bound to "table.column:id", written once the row's id is
 * known, opened on read, and re-sealed by key rotation.
 */
#ifndef CTIP_STORE_SQLITE_SEALED_H
#define CTIP_STORE_SQLITE_SEALED_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h"

/* A database error about what, with SQLite's message; its code (CTIP_EDB). */
int ctip_sqlite_fail(ctip_store *s, ctip_err *e, const char *what);
/* sql prepared on s's connection, or NULL with e set. */
sqlite3_stmt *ctip_sqlite_prep(ctip_store *s, const char *sql, ctip_err *e);
/* Binds v as text (copied), or NULL when v is NULL or "". */
void ctip_sqlite_bind_opt(sqlite3_stmt *st, int i, const char *v);
/* Column i as text (NULL for NULL). */
const char *ctip_sqlite_col(sqlite3_stmt *st, int i);

/* Writes v (NULL or "": nothing) sealed into column of table's row id. */
int ctip_sqlite_put_sealed(ctip_store *s, const char *table, const char *column, int64_t id,
                           const char *v, ctip_err *e);
/* Opens column i of st, sealed for "what:id" (what: "table.column"), into *out (malloc'd;
 * NULL for NULL). */
int ctip_sqlite_get_sealed(ctip_store *s, sqlite3_stmt *st, int i, const char *what, int64_t id,
                           char **out, ctip_err *e);

#endif
