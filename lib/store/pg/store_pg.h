/*
 * store_pg.h - the PostgreSQL back end's entry point (store_pg*.c, on libpq). Only store.c
 * and the back end include this; the rest of ctip sees store.h.
 */
#ifndef CTIP_STORE_PG_H
#define CTIP_STORE_PG_H

#include "store.h"

/* Connects to the database of a "postgresql://" or "postgres://" URL (libpq's syntax). The
 * database must exist (`createdb`); `ctip init` creates ctip's schema in it. */
int ctip_store_pg_open(const char *url, int create, ctip_store **out, ctip_err *e);

/* The SQL that installs the access rule of access_rule.h into a database migrated to 0034 or
 * later (store_pg_access.c): pg_migrate runs it, and so does a restore (backup_pg.c), whose
 * migrations are its own. */
extern const char ctip_pg_access_rule_sql[];

/* The SQL that makes the statistics triggers of lib/stats/freshness.h (store_pg_fresh.c),
 * replacing any that call stats_written(): `ctip init` runs it when the database's differ,
 * and so does a restore. Free it; NULL when out of memory. */
char *ctip_pg_stats_fresh_sql(void);

/* The SQL that makes linkage's triggers of lib/link/link_watch.h (store_pg_link_watch.c),
 * replacing every link_changed_ trigger and function: `ctip init` runs it when the database's
 * differ, and so does a restore. Free it; NULL when out of memory. */
char *ctip_pg_link_watch_sql(void);

/* The statements linkage's input is read with (NULL-terminated): what
 * tests/unit/test_link_watch.c checks lib/link/link_watch.h against. */
const char *const *ctip_pg_link_reads(void);

/* The statements the statistics snapshot's rows are read with, by builder (CTIP_FB_N of
 * them): what tests/unit/test_freshness.c checks lib/stats/freshness.h against. */
const char *const *ctip_pg_stats_reads(void);

#endif
