/*
 * store_sqlite_tx.c - transactions: begin, commit and rollback, and the first load of an
 * empty registry (load_begin/load_end), which drops the indexes and triggers, writes the
 * whole file in one transaction through a rollback journal and rebuilds them at the end, so
 * that a failed import leaves the database exactly as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

int sq_begin(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = sq_exec_sql(s, "BEGIN IMMEDIATE", e);
	s->in_tx = rc == CTIP_OK;
	s->next_person = s->next_case = 0;
	return rc;
}

int sq_commit(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = sq_exec_sql(s, "COMMIT", e);
	if (rc == CTIP_OK)
		s->in_tx = 0;
	s->next_person = s->next_case = 0;
	return rc;
}

void sq_bulk_forget(sqlite_store *s)
{
	for (int i = 0; i < s->bulk_n; i++)
		free(s->bulk_sql[i]);
	free(s->bulk_sql);
	s->bulk_sql = NULL;
	s->bulk_n = 0;
}

static int registry_empty(sqlite_store *s, int *empty, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT NOT EXISTS (SELECT 1 FROM cases)", -1, &st, NULL) !=
	    SQLITE_OK)
		return sq_db_err(s, e, "bulk");
	*empty = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return CTIP_OK;
}

int sq_load_begin(ctip_store *base, int *active, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc, empty;
	*active = 0;
	if ((rc = registry_empty(s, &empty, e)))
		return rc;
	/* A first load writes every page: through the WAL that is twice (log, then checkpoint),
	 * through a rollback journal once, the journal holding only the few pages that existed.
	 * The switch needs the only connection; if others are open it fails and WAL stays. */
	if (empty && sq_exec_sql(s, "PRAGMA main.journal_mode = DELETE", NULL) == CTIP_OK)
		s->journal_switched = 1;
	/* Nor are foreign keys checked row by row in a first load: every id the importer
	 * writes comes from a row it has just inserted in the same transaction. */
	if (empty && sq_exec_sql(s, "PRAGMA foreign_keys = OFF", NULL) == CTIP_OK)
		s->fk_off = 1;
	if ((rc = sq_exec_sql(s, "BEGIN IMMEDIATE", e)))
		goto fail;
	s->in_tx = 1;
	s->next_person = s->next_case = 0;
	if ((rc = registry_empty(s, &empty, e))) /* again, now that we hold the lock */
		goto fail;
	if (!empty)
		return CTIP_OK;
	/* every explicit index of the registry tables (the vocabulary keeps its own), rebuilt at
	 * the end in one pass each; and every trigger: those of statistics and linkage look after
	 * later edits, and cost a program run per row written (a first load of a million records
	 * took 65 s with them instead of 28 s). The load marks statistics stale once instead. */
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', "
	                       "'trigger') AND sql IS NOT NULL AND tbl_name <> 'vocab' ORDER BY "
	                       "type, name",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = sq_db_err(s, e, "bulk");
		goto fail;
	}
	char **drop = NULL;
	int ndrop = 0;
	while (rc == CTIP_OK && sqlite3_step(st) == SQLITE_ROW) {
		char **g = realloc(s->bulk_sql, (size_t)(s->bulk_n + 1) * sizeof(*g));
		char **d = g ? realloc(drop, (size_t)(ndrop + 1) * sizeof(*d)) : NULL;
		if (g)
			s->bulk_sql = g;
		if (d)
			drop = d;
		if (!g || !d ||
		    !(g[s->bulk_n] = strdup((const char *)sqlite3_column_text(st, 2)))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		s->bulk_n++;
		/* names are the schema's own (lib/sql), plain identifiers */
		d[ndrop] = sqlite3_mprintf(
		        "DROP %s %s",
		        !strcmp((const char *)sqlite3_column_text(st, 0), "index") ? "INDEX"
		                                                                   : "TRIGGER",
		        (const char *)sqlite3_column_text(st, 1));
		if (!d[ndrop]) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		ndrop++;
	}
	sqlite3_finalize(st);
	/* the statements of the store may hold plans that use the indexes */
	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	if (rc == CTIP_OK)
		rc = sq_exec_sql(
		        s, "UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1",
		        e);
	for (int i = 0; i < ndrop; i++) {
		if (rc == CTIP_OK)
			rc = sq_exec_sql(s, drop[i], e);
		sqlite3_free(drop[i]);
	}
	free(drop);
	if (rc)
		goto fail;
	*active = 1;
	s->loading = 1;
	return CTIP_OK;
fail:
	sq_load_end(base, 0, NULL);
	return rc;
}

int sq_load_end(ctip_store *base, int ok, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = CTIP_OK;
	if (ok) {
		for (int i = 0; i < s->bulk_n && rc == CTIP_OK; i++)
			rc = sq_exec_sql(s, s->bulk_sql[i], e);
		/* the documents of referred records, skipped row by row during a first load */
		if (rc == CTIP_OK && s->loading)
			rc = sq_exec_sql(s, REFERRED_ALL, e);
		/* one segment per name index: a search looks each token up in every segment (5
		 * after a first load of 220,000 records; merged in 0.1 s, a search 15 % faster) */
		if (rc == CTIP_OK)
			rc = sq_exec_sql(
			        s,
			        "INSERT INTO person_name(person_name) VALUES ('optimize'); "
			        "INSERT INTO person_referred(person_referred) VALUES ('optimize')",
			        e);
		for (int i = 0; i < S_COUNT; i++) {
			sqlite3_finalize(s->st[i]);
			s->st[i] = NULL;
		}
		if (rc == CTIP_OK)
			rc = sq_commit(base, e);
	}
	if (!ok || rc)
		sq_rollback(base);
	sq_bulk_forget(s);
	s->loading = 0;
	if (s->journal_switched) {
		sq_exec_sql(s, "PRAGMA main.journal_mode = WAL", NULL);
		s->journal_switched = 0;
	}
	if (s->fk_off) {
		sq_exec_sql(s, "PRAGMA foreign_keys = ON", NULL);
		s->fk_off = 0;
	}
	return rc;
}

void sq_rollback(ctip_store *base)
{
	sqlite_store *s = (sqlite_store *)base;
	sq_bulk_forget(s);
	if (s->in_tx)
		sq_exec_sql(s, "ROLLBACK", NULL);
	s->in_tx = 0;
	s->next_person = s->next_case = 0;
	/* ids cached during the transaction are gone with it */
	sq_org_cache_clear(s);
}

/* The name index of every record, for a first load whose rows were written as they are, not
 * through person_add (store copy from PostgreSQL): its person_referred is made by load_end. */
int ctip_sqlite_names_rebuild(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	if (!s->loading)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "the name index is rebuilt only in a first load");
	return sq_exec_sql(
	        s, "INSERT INTO person_name(person_name) VALUES ('delete-all'); " NAMES_ALL, e);
}
