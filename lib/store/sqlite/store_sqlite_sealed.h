/*
 * store_sqlite_sealed.h - sealed free-text columns on SQLite, shared by the stores of
 * casework and of the communications tracker (defined in store_sqlite_casework.c): a value
 * is sealed under the store's key bound to "table.column:id", written once the row's id is
 * known, opened on read, and re-sealed by key rotation.
 */
#ifndef CTIP_STORE_SQLITE_SEALED_H
#define CTIP_STORE_SQLITE_SEALED_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h"

/* Writes v (NULL or "": nothing) sealed into column of table's row id. */
int ctip_sqlite_put_sealed(ctip_store *s, const char *table, const char *column, int64_t id,
                           const char *v, ctip_err *e);
/* Opens column i of st, sealed for "what:id" (what: "table.column"), into *out (malloc'd;
 * NULL for NULL). */
int ctip_sqlite_get_sealed(ctip_store *s, sqlite3_stmt *st, int i, const char *what, int64_t id,
                           char **out, ctip_err *e);
/* Re-seals every value of table.column under next; *count increased by the values. */
int ctip_sqlite_reseal_column(ctip_store *s, const ctip_crypto *next, const char *table,
                              const char *column, long *count, ctip_err *e);

#endif
