/*
 * store_pg_load.c - a first load into an empty registry on PostgreSQL, done the way pg_restore
 * does it: the secondary indexes, unique constraints and foreign keys of the tables a load
 * writes with COPY are dropped inside the load's transaction, the rows go in, and they are made
 * again from their own definitions (read from the catalogue before the drop) just before the
 * commit. An index built once over sorted input costs a fraction of a million single-row
 * insertions into it (the GIN index of name tokens most of all), and a foreign key added to a
 * full table is checked by one join instead of a trigger call per row.
 *
 * Everything happens in the load's one transaction: a failure, the rebuild's included (a
 * duplicate that a unique constraint refuses, a dangling reference a foreign key refuses),
 * rolls the drops back with the rows, and the schema after a commit is the schema before it,
 * every constraint validated (not NOT VALID). Triggers are left alone but those of the index
 * of referred names (below): the others on the loaded tables are statement-level
 * (statistics' freshness, 0002) or fire on updates and deletes only; case_referral (the
 * workflow's referrals) is not a table a load writes.
 * Primary keys stay: the tables of other subsystems reference them, and ids arrive in order,
 * so their indexes grow at the right edge cheaply.
 */
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

/* The tables of a load's COPYs. Indexes and constraints are set aside, and of the triggers
 * only those of the index of referred names (REFERRED_TRIGGERS): the statement-level
 * triggers of referral (with transition tables: they keep case_access) see every row a COPY
 * writes, whatever indexes the table has at the time. */
#define LOAD_TABLES                                                                                \
	"'cases', 'referral', 'case_comment', 'person', 'identity_doc', 'phone', 'person_name', "  \
	"'case_person', 'victim', 'exploitation', 'event', 'assistance', 'proceeding'"
/* The same tables as a list of names, for ANALYZE. */
#define LOAD_TABLES_PLAIN                                                                          \
	"cases, referral, case_comment, person, identity_doc, phone, person_name, case_person, "   \
	"victim, exploitation, event, assistance, proceeding"

/* For each thing set aside: its kind (i index, u unique constraint, f foreign key), the
 * statement that drops it and the one that makes it again. Unique constraints and indexes
 * that a foreign key relies on stay, as do primary keys (conindid names the index a
 * constraint uses, for a foreign key the referenced one). Made again in this order: indexes
 * and unique constraints, then foreign keys. */
static const char *const set_aside_sql =
        "WITH t AS (SELECT c.oid FROM pg_class c WHERE c.relnamespace = "
        "current_schema()::regnamespace AND c.relkind = 'r' AND c.relname IN (" LOAD_TABLES ")), "
        "used AS (SELECT conindid FROM pg_constraint WHERE contype = 'f') "
        "SELECT k, drop_sql, make_sql FROM ("
        "SELECT 'i' AS k, i.indexrelid::regclass::text AS name, "
        "format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql, "
        "pg_get_indexdef(i.indexrelid) AS make_sql FROM pg_index i JOIN t ON t.oid = i.indrelid "
        "WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "UNION ALL "
        "SELECT c.contype::text, c.conname::text, "
        "format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname), "
        "format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, "
        "pg_get_constraintdef(c.oid)) FROM pg_constraint c JOIN t ON t.oid = c.conrelid "
        "WHERE c.contype = 'f' OR (c.contype = 'u' AND c.conindid NOT IN (SELECT conindid "
        "FROM used))) x ORDER BY k = 'f', k, name";

/* The index of referred names (0037) is kept by statement triggers on case_access,
 * case_person and person_name; in a first load each COPY's would join its rows with tables
 * whose indexes are set aside. They are switched off for the load (in its transaction: a
 * rollback switches them on again) and the index made once at its end, as SQLite's is
 * (store_sqlite_tx.c). */
#define REFERRED_TRIGGERS(onoff)                                                                   \
	"DO $$ DECLARE t text; g text; BEGIN IF to_regclass('person_referred') IS NOT NULL THEN "  \
	"FOREACH t IN ARRAY ARRAY['case_access', 'case_person', 'person_name'] LOOP FOREACH g IN " \
	"ARRAY ARRAY['ins', 'upd', 'del'] LOOP EXECUTE format('ALTER TABLE %I " onoff " TRIGGER "  \
	"%I', t, 'person_referred_' || g); END LOOP; END LOOP; END IF; END $$"

/* Whether the registry holds no case and no record, and this session may alter the tables
 * (it owns them, or is a superuser); the server's role never does a first load. */
static const char *const can_sql =
        "SELECT NOT EXISTS (SELECT 1 FROM cases) AND NOT EXISTS (SELECT 1 FROM person) AND "
        "NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = "
        "current_schema()::regnamespace AND c.relkind = 'r' AND c.relname IN (" LOAD_TABLES
        ") AND NOT pg_has_role(c.relowner, 'USAGE'))";

void pg_first_load_forget(pg_store *s)
{
	for (int i = 0; i < s->nremake; i++)
		free(s->remake[i]);
	free(s->remake);
	s->remake = NULL;
	s->nremake = 0;
}

int pg_first_load_begin(pg_store *s, int *bulk, ctip_err *e)
{
	PGresult *r;
	int rc;
	*bulk = 0;
	if (s->rls)
		return CTIP_OK;
	if ((rc = pg_query(s, can_sql, 0, NULL, &r, e, "first load")))
		return rc;
	int empty = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (!empty)
		return CTIP_OK;
	/* the tables are locked first, as ids_lock does, so that no other writer of the
	 * registry slips in between the check above and the drops */
	if ((rc = pg_exec(s, "LOCK TABLE cases, person, case_person IN EXCLUSIVE MODE", e)) ||
	    (rc = pg_query(s, set_aside_sql, 0, NULL, &r, e, "first load")))
		return rc;
	int n = PQntuples(r);
	size_t dl = 1;
	for (int i = 0; i < n; i++)
		dl += strlen(PQgetvalue(r, i, 1)) + 2;
	char *drop = malloc(dl);
	s->remake = calloc((size_t)n + 1, sizeof(*s->remake));
	if (!drop || !s->remake) {
		free(drop);
		PQclear(r);
		pg_first_load_forget(s);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	*drop = 0;
	for (int i = 0; i < n; i++) {
		strcat(strcat(drop, PQgetvalue(r, i, 1)), "; ");
		if (!(s->remake[s->nremake] = strdup(PQgetvalue(r, i, 2)))) {
			free(drop);
			PQclear(r);
			pg_first_load_forget(s);
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		s->nremake++;
	}
	PQclear(r);
	rc = n ? pg_exec(s, drop, e) : CTIP_OK;
	free(drop);
	if (!rc)
		rc = pg_exec(s, REFERRED_TRIGGERS("DISABLE"), e);
	if (rc) {
		pg_first_load_forget(s);
		return rc;
	}
	*bulk = 1;
	return CTIP_OK;
}

int pg_first_load_end(pg_store *s, ctip_err *e)
{
	if (!s->remake)
		return CTIP_OK;
	/* an index is built by sorting: with room for the sort in memory (a million records'
	 * tokens are a few hundred megabytes), and the btrees with parallel workers beside the
	 * backend (PostgreSQL 15 builds GIN indexes in one process) */
	int rc = pg_exec(s,
	                 "SET LOCAL maintenance_work_mem = '512MB'; "
	                 "SET LOCAL max_parallel_maintenance_workers = 2",
	                 e);
	for (int i = 0; i < s->nremake && !rc; i++)
		rc = pg_exec(s, s->remake[i], e);
	pg_first_load_forget(s);
	if (!rc)
		rc = pg_exec(
		        s,
		        REFERRED_TRIGGERS("ENABLE") "; SELECT ctip_person_referred_redo(NULL) "
		                                    "WHERE to_regclass('person_referred') IS NOT "
		                                    "NULL",
		        e);
	/* The planner's statistics of the tables just filled: without them (autovacuum comes
	 * later) it plans the first searches and case views as for empty tables. ANALYZE reads
	 * a sample (30,000 rows a table), a few seconds for a million records. */
	if (!rc)
		rc = pg_exec(s, "ANALYZE " LOAD_TABLES_PLAIN, e);
	return rc;
}
