/*
 * store_sqlite_link_watch.c - record linkage's changed records on SQLite: the triggers that
 * list in link_changed a linked record whose input a write changes, made from the one
 * declaration of what linkage reads (lib/link/link_watch.h) and installed by `ctip init`
 * (sq_migrate) when the database's differ, as PostgreSQL's are (store_pg_link_watch.c).
 *
 * Named link_changed_TABLE_U (an update of a column linkage reads, that changed its value), and
 * _I and _D for a table whose rows are part of a record's input (a period of exploitation).
 * Only records linkage has seen (a row of link_person) are listed: the others are read anyway.
 * The first load sets every trigger aside and restores it by its text (store_sqlite_tx.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_watch.h"
#include "store_sqlite_int.h"

/* The records of keys (an SQL list of values) of table t that linkage has seen. */
static char *records(const struct ctip_link_watch *t, const char *keys)
{
	switch (t->reach) {
	case CTIP_LINK_PERSON:
		return sqlite3_mprintf("SELECT person_id FROM link_person WHERE person_id IN (%s)",
		                       keys);
	case CTIP_LINK_CASE_PERSON:
		return sqlite3_mprintf("SELECT l.person_id FROM case_person cp JOIN link_person l "
		                       "ON l.person_id = cp.person_id WHERE cp.id IN (%s)",
		                       keys);
	case CTIP_LINK_ORG:
		return sqlite3_mprintf("SELECT l.person_id FROM person p JOIN link_person l ON "
		                       "l.person_id = p.id WHERE p.org_id IN (%s)",
		                       keys);
	}
	return NULL;
}

/* One trigger's text as sqlite_master keeps it; kind 'I', 'U' or 'D'. NULL: out of memory. */
static char *trigger_sql(const struct ctip_link_watch *t, char kind)
{
	char *keys = kind == 'U'   ? sqlite3_mprintf("OLD.%s, NEW.%s", t->key, t->key)
	             : kind == 'I' ? sqlite3_mprintf("NEW.%s", t->key)
	                           : sqlite3_mprintf("OLD.%s", t->key);
	/* an update's WHEN: one of the columns changed its value (UPDATE OF fires when a column
	 * is set, to its own value too: re-sealing under a new key sets the identity) */
	char *sel = keys ? records(t, keys) : NULL,
	     *when = kind == 'U' ? ctip_link_watch_changed(t->columns, "IS NOT") : NULL,
	     *out = NULL;
	if (sel && (kind != 'U' || when))
		out = sqlite3_mprintf(
		        "CREATE TRIGGER link_changed_%s_%c AFTER %s%s%s ON %s%s%s\nBEGIN\n"
		        "  INSERT OR IGNORE INTO link_changed (person_id) %s;\nEND",
		        t->table, kind,
		        kind == 'I'   ? "INSERT"
		        : kind == 'D' ? "DELETE"
		                      : "UPDATE",
		        kind == 'U' ? " OF " : "", kind == 'U' ? t->columns : "", t->table,
		        when ? "\nWHEN " : "", when ? when : "", sel);
	sqlite3_free(keys);
	sqlite3_free(sel);
	free(when);
	return out;
}

int sq_link_watch_install(sqlite_store *s, ctip_err *e)
{
	int n = 0, cap = 0, rc = CTIP_OK;
	for (const struct ctip_link_watch *t = ctip_link_watch_tables; t->table; t++)
		cap += t->rows ? 3 : 1;
	char **want = sqlite3_malloc64((sqlite3_uint64)cap * sizeof(*want));
	for (const struct ctip_link_watch *t = ctip_link_watch_tables; want && t->table; t++)
		for (const char *k = t->rows ? "DIU" : "U"; *k; k++)
			if (!(want[n++] = trigger_sql(t, *k)))
				rc = CTIP_ENOMEM;
	if (!want || rc)
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	else
		rc = sq_triggers_install(s, "link_changed_", want, n, NULL,
		                         "linkage's triggers (lib/link/link_watch.h)", e);
	for (int i = 0; i < n; i++)
		sqlite3_free(want[i]);
	sqlite3_free(want);
	return rc;
}
