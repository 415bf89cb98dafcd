/*
 * store_sqlite_triggers.c - triggers that ctip makes from a declaration rather than a
 * migration (the statistics' freshness: store_sqlite_fresh.c; record linkage's changed
 * records: store_sqlite_link_watch.c), installed by `ctip init` whenever the database's differ.
 *
 * A family of triggers is known by the prefix of its names. When the database's triggers of a
 * family are not exactly the texts made (one added to or dropped from the declaration, a column
 * changed, one dropped or altered by hand), all of them are dropped and made again in one
 * transaction; SQLite keeps a trigger's text as it was written, so the comparison is exact.
 */
#include <string.h>

#include "store_sqlite_int.h"

/* Whether the triggers named prefix... are exactly the n texts of want. */
static int current(sqlite_store *s, const char *prefix, char **want, int n, int *same, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	*same = 0;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
	                       "substr(name, 1, length(?1)) = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "triggers");
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	int found = 0, match = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *have = (const char *)sqlite3_column_text(st, 0);
		found++;
		for (int i = 0; have && i < n; i++)
			if (!strcmp(have, want[i])) {
				match++;
				break;
			}
	}
	sqlite3_finalize(st);
	*same = found == n && match == n;
	return CTIP_OK;
}

int sq_triggers_install(sqlite_store *s, const char *prefix, char **want, int n,
                        const char *then_sql, const char *what, ctip_err *e)
{
	int same = 0, rc = current(s, prefix, want, n, &same, e);
	if (rc || same)
		return rc;
	if ((rc = sq_exec_sql(s, "BEGIN IMMEDIATE", e)))
		return rc;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT 'DROP TRIGGER \"' || name || '\"' FROM sqlite_master WHERE "
	                       "type = 'trigger' AND substr(name, 1, length(?1)) = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		rc = sq_db_err(s, e, what);
	else
		sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	/* the drops are gathered first: sqlite_master changes under them */
	char *drops = sqlite3_mprintf("%s", "");
	while (!rc && st && sqlite3_step(st) == SQLITE_ROW) {
		char *d = drops ? sqlite3_mprintf("%s%s;\n", drops, sqlite3_column_text(st, 0))
		                : NULL;
		sqlite3_free(drops);
		drops = d;
	}
	sqlite3_finalize(st);
	if (!rc && !drops)
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (!rc)
		rc = sq_exec_sql(s, drops, e);
	sqlite3_free(drops);
	for (int i = 0; !rc && i < n; i++)
		rc = sq_exec_sql(s, want[i], e);
	if (!rc && then_sql)
		rc = sq_exec_sql(s, then_sql, e);
	if (rc) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		sq_exec_sql(s, "ROLLBACK", NULL);
		return ctip_err_set(e, rc, "%s: installing the %s: %s; run ctip init again",
		                    s->base.path, what, msg);
	}
	return sq_exec_sql(s, "COMMIT", e);
}
