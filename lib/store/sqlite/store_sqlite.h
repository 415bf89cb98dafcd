/*
 * store_sqlite.h - the SQLite back end's entry points (store_sqlite*.c): opening a file,
 * and the operations implemented in its other files. Only store.c and the back end
 * itself include this; the rest of ctip sees store.h.
 */
#ifndef CTIP_STORE_SQLITE_H
#define CTIP_STORE_SQLITE_H

#include "store.h"

int ctip_store_sqlite_open(const char *path, int create, ctip_store **out, ctip_err *e);
extern const struct ctip_srv_ops ctip_sqlite_srv_ops;
/* The SQLite store's statistics operations (store_sqlite_stats.c). */
int ctip_sqlite_stats_facts(ctip_store *s, int unit, const unsigned char *need,
                            struct ctip_facts **out, ctip_err *e);
int ctip_sqlite_stats_version(ctip_store *s, int64_t *version, ctip_err *e);
/* The statements the snapshot's rows are read with, by builder (CTIP_FB_N of them): what
 * tests/unit/test_freshness.c checks lib/stats/freshness.h against. */
const char *const *ctip_sqlite_stats_reads(void);
/* The statements linkage's input is read with (NULL-terminated): what
 * tests/unit/test_link_watch.c checks lib/link/link_watch.h against. */
const char *const *ctip_sqlite_link_reads(void);
int ctip_sqlite_figures_add(ctip_store *s, const struct ctip_figure *v, size_t n, ctip_err *e);
int ctip_sqlite_figures_load(ctip_store *s, struct ctip_figure **out, size_t *n, ctip_err *e);
int ctip_sqlite_release_add(ctip_store *s, struct ctip_release_rec *r, double default_budget,
                            ctip_err *e);
int ctip_sqlite_release_each(ctip_store *s, int64_t id,
                             int (*cb)(void *ctx, const struct ctip_release_rec *r), void *ctx,
                             ctip_err *e);
int ctip_sqlite_release_budget(ctip_store *s, const char *dataset, double set_eps, double *budget,
                               double *spent, ctip_err *e);

/* The connection of a SQLite store (for the back end's own files, and store copy). */
typedef struct sqlite3 sqlite3;
sqlite3 *ctip_store_sqlite_db(ctip_store *s);
/* In a first load (load_begin on an empty registry) whose rows were written directly: the
 * name index made from every sealed identity (store_sqlite_tx.c). */
int ctip_sqlite_names_rebuild(ctip_store *s, ctip_err *e);

/* Forgets what the list operations kept for a connection that closes (store_sqlite_lists.c). */
void ctip_sqlite_lists_release(sqlite3 *db);

#endif
