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
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freshness.h"
#include "store_pg.h"
#include "store_pg_int.h"

int pg_sql_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (*len + (size_t)n + 1 > *cap) {
		size_t want = (*len + (size_t)n + 1) * 2;
		char *g = realloc(*buf, want);
		if (!g)
			return -1;
		*buf = g;
		*cap = want;
	}
	va_start(ap, fmt);
	vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
	return 0;
}

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

char *ctip_pg_stats_fresh_sql(void)
{
	char *sql = make_sql(), *out = NULL;
	if (!sql)
		return NULL;
	unsigned char h[16];
	char want[80];
	crypto_generichash(h, sizeof(h), (const unsigned char *)sql, strlen(sql), NULL, 0);
	strcpy(want, "ctip statistics freshness ");
	sodium_bin2hex(want + strlen(want), sizeof(want) - strlen(want), h, sizeof(h));
	size_t len = 0, cap = 0;
	if (pg_sql_add(&out, &len, &cap, "%s;\n%sCOMMENT ON FUNCTION stats_written() IS '%s'",
	               drop_sql, sql, want)) {
		free(out);
		out = NULL;
	}
	free(sql);
	return out;
}

int pg_stats_fresh(pg_store *s, ctip_err *e)
{
	char *sql = ctip_pg_stats_fresh_sql();
	if (!sql)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	/* the comment the text ends with, quoted */
	const char *want = strstr(sql, "'ctip statistics freshness ");
	PGresult *r;
	/* the comment, and the number of triggers (one dropped by hand is made again) */
	int rc = pg_query(s,
	                  "SELECT to_regprocedure('stats_written()') IS NOT NULL, "
	                  "'''' || obj_description(to_regprocedure('stats_written()'), 'pg_proc') "
	                  "|| '''', (SELECT count(*) FROM pg_trigger WHERE tgfoid = "
	                  "to_regprocedure('stats_written()') AND NOT tgisinternal)",
	                  0, NULL, &r, e, "statistics triggers");
	if (rc) {
		free(sql);
		return rc;
	}
	int present = !strcmp(PQgetvalue(r, 0, 0), "t");
	long ntables = 0;
	for (const struct ctip_fresh_table *t = ctip_fresh_tables; t->table; t++)
		ntables++;
	int current = want && pg_col(r, 0, 1) && !strcmp(pg_col(r, 0, 1), want) &&
	              strtol(PQgetvalue(r, 0, 2), NULL, 10) == 3 * ntables;
	PQclear(r);
	if (current || !present) { /* as this ctip makes them; or a schema before 0002 */
		free(sql);
		return CTIP_OK;
	}
	if ((rc = pg_exec(s, "BEGIN", e))) {
		free(sql);
		return rc;
	}
	if ((rc = pg_exec(s, sql, e)) ||
	    (rc = pg_exec(s,
	                  "INSERT INTO stats_write (xact) VALUES (txid_current()) "
	                  "ON CONFLICT DO NOTHING",
	                  e))) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		pg_exec(s, "ROLLBACK", NULL);
		free(sql);
		return ctip_err_set(
		        e, rc,
		        "%s: installing the statistics triggers (lib/stats/freshness.h): "
		        "%s; run ctip init again",
		        s->base.path, msg);
	}
	free(sql);
	return pg_exec(s, "COMMIT", e);
}
