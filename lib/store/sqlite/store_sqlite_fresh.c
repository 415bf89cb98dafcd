/*
 * store_sqlite_fresh.c - the statistics snapshot's freshness on SQLite: the triggers that
 * record the cases a write touches (stats_dirty, for the next query to patch) or mark the
 * snapshot stale (for one rebuild), made from the one declaration of what statistics read
 * (lib/stats/freshness.h) and installed by `ctip init` (sq_migrate) when the database's differ.
 *
 * Three triggers a table, named stats_stale_TABLE_I, _U and _D as migration 0008 named them
 * (the first load sets every trigger aside and restores it by its text: store_sqlite_tx.c;
 * linkage sets link_person's aside: store_sqlite_link.c). The WHEN clause makes a write to a
 * stale snapshot cost one read of one row; an UPDATE trigger names the columns statistics
 * read, so sealing identities again (a new key) or writing a comment leaves the snapshot alone.
 * After CTIP_FRESH_PATCH_MAX cases written the snapshot is marked stale instead (a patch of
 * millions of rows would cost more than a rebuild).
 */
#include <stdio.h>
#include <string.h>

#include "freshness.h"
#include "store_sqlite_int.h"

#define WHEN_FRESH "WHEN (SELECT stale FROM stats_state WHERE id = 1) = 0 BEGIN\n"
#define STR_(x)    #x
#define STR(x)     STR_(x)
#define BUMP                                                                                       \
	"  UPDATE stats_state SET version = version + 1, ndirty = ndirty + 1,\n"                   \
	"    stale = ndirty >= " STR(CTIP_FRESH_PATCH_MAX) " WHERE id = 1;\n"
#define STALE "  UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1;\n"

/* The statement that records the cases of row `row` (NEW or OLD) of table t. */
static char *dirty(const struct ctip_fresh_table *t, const char *row)
{
	switch (t->reach) {
	case CTIP_FRESH_CASE:
		return sqlite3_mprintf(
		        "  INSERT OR IGNORE INTO stats_dirty (case_id) VALUES (%s.%s);\n", row,
		        t->key);
	case CTIP_FRESH_CASE_PERSON:
		return sqlite3_mprintf(
		        "  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id "
		        "FROM case_person WHERE id = %s.%s;\n",
		        row, t->key);
	case CTIP_FRESH_PERSON:
		return sqlite3_mprintf(
		        "  INSERT OR IGNORE INTO stats_dirty (case_id) SELECT case_id "
		        "FROM case_person WHERE person_id = %s.%s;\n",
		        row, t->key);
	case CTIP_FRESH_ALL: break;
	}
	return sqlite3_mprintf("%s", "");
}

/* One trigger's text, as SQLite keeps it in sqlite_master (no final semicolon); kind is
 * 'I', 'U' or 'D'. NULL when out of memory. */
static char *trigger_sql(const struct ctip_fresh_table *t, char kind)
{
	char *a = NULL, *b = NULL, *out = NULL;
	const char *body;
	if (t->reach == CTIP_FRESH_ALL)
		body = kind == 'I' && t->insert_new
		               ? "  UPDATE stats_state SET version = version + 1 "
		                 "WHERE id = 1;\n"
		               : STALE;
	else {
		a = dirty(t, kind == 'I' ? "NEW" : "OLD");
		b = kind == 'U' ? dirty(t, "NEW") : sqlite3_mprintf("%s", "");
		if (!a || !b)
			goto out;
		body = NULL;
	}
	const char *event = kind == 'I' ? "INSERT" : kind == 'D' ? "DELETE" : "UPDATE";
	char of[512] = "";
	if (kind == 'U' && t->columns)
		snprintf(of, sizeof(of), " OF %s", t->columns);
	out = sqlite3_mprintf("CREATE TRIGGER stats_stale_%s_%c AFTER %s%s ON %s\n" WHEN_FRESH
	                      "%s%s%sEND",
	                      t->table, kind, event, of, t->table, body ? body : a, body ? "" : b,
	                      body ? "" : BUMP);
out:
	sqlite3_free(a);
	sqlite3_free(b);
	return out;
}

/* The triggers this ctip makes, in sqlite_master's order of names; n of them. */
static int make_all(char ***out, int *n)
{
	static const char kinds[] = {'D', 'I', 'U'};
	int k = 0, cap = 0;
	for (const struct ctip_fresh_table *t = ctip_fresh_tables; t->table; t++)
		cap += 3;
	char **v = sqlite3_malloc64((sqlite3_uint64)cap * sizeof(*v));
	if (!v)
		return CTIP_ENOMEM;
	for (const struct ctip_fresh_table *t = ctip_fresh_tables; t->table; t++)
		for (int i = 0; i < 3; i++) {
			if (!(v[k] = trigger_sql(t, kinds[i]))) {
				while (k--)
					sqlite3_free(v[k]);
				sqlite3_free(v);
				return CTIP_ENOMEM;
			}
			k++;
		}
	*out = v;
	*n = k;
	return CTIP_OK;
}

int sq_stats_fresh_install(sqlite_store *s, ctip_err *e)
{
	char **want = NULL;
	int n = 0;
	if (make_all(&want, &n))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	/* the snapshot marked stale when they are made again: it may have missed writes while its
	 * triggers were others (or none) */
	int rc = sq_triggers_install(s, "stats_stale_", want, n,
	                             "UPDATE stats_state SET stale = 1, version = version + 1 "
	                             "WHERE id = 1",
	                             "statistics triggers", e);
	for (int i = 0; i < n; i++)
		sqlite3_free(want[i]);
	sqlite3_free(want);
	return rc;
}
