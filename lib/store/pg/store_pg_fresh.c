/*
 * store_pg_fresh.c - the statistics snapshot's freshness on PostgreSQL, made from the one
 * declaration of what statistics read (lib/stats/freshness.h), as SQLite's triggers are
 * (store_sqlite_fresh.c).
 *
 * PostgreSQL rebuilds its snapshot after any write (store_pg_stats.c): a statement that writes
 * a table the snapshot reads leaves its transaction's id in stats_write, through statement-
 * level triggers calling stats_written() (lib/sql/pg/0002): one call per statement, so a COPY of
 * a million rows costs one, and transactions of different servers never wait on each other.
 * An UPDATE counts only when it sets a column the snapshot reads (UPDATE OF), so sealing the
 * identities again under a new key leaves the snapshot alone, as on SQLite.
 *
 * `ctip init` runs this after the migrations. The text's hash is kept as stats_written()'s
 * comment; when it differs (a table or column added to freshness.h, or a database just
 * migrated), or a trigger is missing, every trigger calling stats_written() is dropped and made
 * again from the declaration, and the snapshot counted as written, in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freshness.h"
#include "store_pg.h"
#include "store_pg_int.h"

/* The statements that make every trigger (after the drop of the old ones); NULL when out of
 * memory. */
static char *make_sql(void)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int bad = 0;
	for (const struct ctip_fresh_table *t = ctip_fresh_tables; t->table && !bad; t++) {
		bad |= pg_sql_add(
		        &buf, &len, &cap,
		        "CREATE TRIGGER stats_written AFTER INSERT OR DELETE ON %s FOR EACH "
		        "STATEMENT EXECUTE FUNCTION stats_written();\n"
		        "CREATE TRIGGER stats_written_truncate AFTER TRUNCATE ON %s FOR EACH "
		        "STATEMENT EXECUTE FUNCTION stats_written();\n",
		        t->table, t->table);
		bad |= pg_sql_add(
		        &buf, &len, &cap,
		        "CREATE TRIGGER stats_written_update AFTER UPDATE%s%s ON %s FOR EACH "
		        "STATEMENT EXECUTE FUNCTION stats_written();\n",
		        t->columns ? " OF " : "", t->columns ? t->columns : "", t->table);
	}
	if (bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Every trigger that calls stats_written(), whatever table it is on (one dropped from the
 * declaration too). */
static const char drop_sql[] =
        "DO $$\n"
        "DECLARE r record;\n"
        "BEGIN\n"
        "  FOR r IN SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = "
        "t.tgrelid\n"
        "            WHERE t.tgfoid = 'stats_written()'::regprocedure AND NOT t.tgisinternal LOOP\n"
        "    EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, r.relname);\n"
        "  END LOOP;\n"
        "END\n"
        "$$";

/* The text made, with its hash as stats_written()'s comment. */
static char *fresh_sql(char want[PG_STAMP_MAX])
{
	char *body = make_sql(), *out;
	if (!body)
		return NULL;
	out = pg_triggers_sql(drop_sql, body, "ctip statistics freshness",
	                      "FUNCTION stats_written()", want);
	free(body);
	return out;
}

char *ctip_pg_stats_fresh_sql(void)
{
	char want[PG_STAMP_MAX];
	return fresh_sql(want);
}

int pg_stats_fresh(pg_store *s, ctip_err *e)
{
	char want[PG_STAMP_MAX];
	char *sql = fresh_sql(want);
	if (!sql)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	long ntables = 0;
	for (const struct ctip_fresh_table *t = ctip_fresh_tables; t->table; t++)
		ntables++;
	/* made again: the snapshot counted as written (it may have missed writes meanwhile) */
	int rc = pg_triggers_install(
	        s,
	        "SELECT to_regprocedure('stats_written()') IS NOT NULL, "
	        "obj_description(to_regprocedure('stats_written()'), 'pg_proc'), (SELECT count(*) "
	        "FROM pg_trigger WHERE tgfoid = to_regprocedure('stats_written()') AND NOT "
	        "tgisinternal)",
	        want, 3 * ntables, sql,
	        "INSERT INTO stats_write (xact) VALUES (txid_current()) ON CONFLICT DO NOTHING",
	        "the statistics triggers (lib/stats/freshness.h)", e);
	free(sql);
	return rc;
}
