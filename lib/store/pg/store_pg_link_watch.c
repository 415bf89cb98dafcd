/*
 * store_pg_link_watch.c - record linkage's changed records on PostgreSQL: the triggers that
 * list in link_changed a linked record whose input a write changes, made from the one
 * declaration of what linkage reads (lib/link/link_watch.h), as SQLite's are
 * (store_sqlite_link_watch.c).
 *
 * An update is a row trigger whose WHEN compares the columns linkage reads (an update of
 * anything else, or to the same value, never calls it). Rows added or removed (periods of
 * exploitation) are statement-level triggers with their transition table: a COPY of a
 * million-row load is one call, which does nothing until linkage has run once. The functions
 * run as the tables' owner: the server's role may not write link_changed (lib/sql/pg/0019).
 *
 * `ctip init` runs this after the migrations; the text's hash is kept as link_changed's
 * comment. When it differs, or a trigger is missing, every link_changed_ trigger and function
 * is dropped and made again from the declaration, in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_watch.h"
#include "store_pg.h"
#include "store_pg_int.h"

/* The records of keys (an SQL list, or a query giving them) that linkage has seen. */
static int records(char **b, size_t *l, size_t *c, const struct ctip_link_watch *t,
                   const char *keys)
{
	switch (t->reach) {
	case CTIP_LINK_PERSON:
		return pg_sql_add(
		        b, l, c, "SELECT person_id FROM link_person WHERE person_id IN (%s)", keys);
	case CTIP_LINK_CASE_PERSON:
		return pg_sql_add(b, l, c,
		                  "SELECT l.person_id FROM case_person cp JOIN link_person l ON "
		                  "l.person_id = cp.person_id WHERE cp.id IN (%s)",
		                  keys);
	case CTIP_LINK_ORG:
		return pg_sql_add(
		        b, l, c,
		        "SELECT l.person_id FROM person p JOIN link_person l ON l.person_id "
		        "= p.id WHERE p.org_id IN (%s)",
		        keys);
	}
	return -1;
}

#define FN_HEAD                                                                                    \
	"CREATE FUNCTION link_changed_%s_%c() RETURNS trigger LANGUAGE plpgsql SECURITY "          \
	"DEFINER\nSET search_path = public, pg_temp AS $f$\nBEGIN\n"

/* The functions and triggers (after the drop of the old ones); NULL when out of memory. */
static char *make_sql(int *ntriggers)
{
	char *b = NULL;
	size_t l = 0, c = 0;
	int bad = 0;
	*ntriggers = 0;
	for (const struct ctip_link_watch *t = ctip_link_watch_tables; t->table && !bad; t++) {
		char keys[160];
		snprintf(keys, sizeof(keys), "OLD.%s, NEW.%s", t->key, t->key);
		bad |= pg_sql_add(&b, &l, &c, FN_HEAD "  INSERT INTO link_changed (person_id) ",
		                  t->table, 'u');
		bad |= records(&b, &l, &c, t, keys);
		bad |= pg_sql_add(&b, &l, &c,
		                  " ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND\n$f$;\n"
		                  "CREATE TRIGGER link_changed_%s_u AFTER UPDATE OF %s ON %s FOR "
		                  "EACH ROW\n  WHEN (",
		                  t->table, t->columns, t->table);
		char *when = ctip_link_watch_changed(t->columns, "IS DISTINCT FROM");
		bad |= !when || pg_sql_add(&b, &l, &c, "%s", when);
		free(when);
		bad |= pg_sql_add(&b, &l, &c, ") EXECUTE FUNCTION link_changed_%s_u();\n",
		                  t->table);
		++*ntriggers;
		for (int k = 0; t->rows && k < 2; k++) {
			char kind = k ? 'd' : 'i';
			snprintf(keys, sizeof(keys), "SELECT %s FROM ctip_rows", t->key);
			bad |= pg_sql_add(&b, &l, &c,
			                  FN_HEAD "  IF EXISTS (SELECT 1 FROM link_person) THEN\n"
			                          "    INSERT INTO link_changed (person_id) ",
			                  t->table, kind);
			bad |= records(&b, &l, &c, t, keys);
			bad |= pg_sql_add(
			        &b, &l, &c,
			        " ON CONFLICT DO NOTHING;\n  END IF;\n  RETURN NULL;\nEND\n$f$;\n"
			        "CREATE TRIGGER link_changed_%s_%c AFTER %s ON %s REFERENCING %s "
			        "TABLE AS "
			        "ctip_rows\n  FOR EACH STATEMENT EXECUTE FUNCTION "
			        "link_changed_%s_%c();\n",
			        t->table, kind, k ? "DELETE" : "INSERT", t->table,
			        k ? "OLD" : "NEW", t->table, kind);
			++*ntriggers;
		}
	}
	if (bad) {
		free(b);
		return NULL;
	}
	return b;
}

/* Every link_changed_ trigger, whatever table it is on, then every such function (those of
 * older migrations too: lib/sql/pg/0002, 0019). */
static const char drop_sql[] =
        "DO $$\n"
        "DECLARE r record;\n"
        "BEGIN\n"
        "  FOR r IN SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = "
        "t.tgrelid\n"
        "            WHERE c.relnamespace = current_schema()::regnamespace AND NOT "
        "t.tgisinternal\n"
        "              AND t.tgname LIKE 'link\\_changed\\_%' LOOP\n"
        "    EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, r.relname);\n"
        "  END LOOP;\n"
        "  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p\n"
        "            WHERE p.pronamespace = current_schema()::regnamespace\n"
        "              AND (p.proname LIKE 'link\\_changed\\_%' OR p.proname = "
        "'ctip_link_expl_added') LOOP\n"
        "    EXECUTE format('DROP FUNCTION %s', r.f);\n"
        "  END LOOP;\n"
        "END\n"
        "$$";

/* The text made, with its hash as link_changed's comment; *n: its triggers. */
static char *watch_sql(int *n, char want[PG_STAMP_MAX])
{
	char *body = make_sql(n), *out;
	if (!body)
		return NULL;
	out = pg_triggers_sql(drop_sql, body, "ctip link watch", "TABLE link_changed", want);
	free(body);
	return out;
}

char *ctip_pg_link_watch_sql(void)
{
	int n;
	char want[PG_STAMP_MAX];
	return watch_sql(&n, want);
}

int pg_link_watch(pg_store *s, ctip_err *e)
{
	int n;
	char want[PG_STAMP_MAX];
	char *sql = watch_sql(&n, want);
	if (!sql)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	int rc = pg_triggers_install(
	        s,
	        "SELECT to_regclass('link_changed') IS NOT NULL, "
	        "obj_description(to_regclass('link_changed'), 'pg_class'), (SELECT count(*) FROM "
	        "pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = "
	        "current_schema()::regnamespace AND NOT t.tgisinternal AND t.tgname LIKE "
	        "'link\\_changed\\_%')",
	        want, n, sql, NULL, "linkage's triggers (lib/link/link_watch.h)", e);
	free(sql);
	return rc;
}
