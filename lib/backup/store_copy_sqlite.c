/*
 * store_copy_sqlite.c - `ctip store copy` the other way: a PostgreSQL registry moved into a
 * new SQLite file (backup.h, ctip_store_copy; store_copy.c moves SQLite to PostgreSQL).
 * For a registry taken off the national server to a laptop in a province, or back to the
 * embedded default when a deployment no longer needs a database server.
 *
 * How: the source is read in one snapshot (REPEATABLE READ READ ONLY), table by table,
 * streamed row by row (libpq's single-row mode: a million records are never held in memory).
 * The target is made by ctip's own migrations, then loaded as SQLite's first load is
 * (load_begin: one transaction, secondary indexes and triggers set aside and made again at
 * the end, so the statistics' and lists' triggers never rewrite the rows being copied). The
 * columns both back ends have are copied as they are: ids, sealed values (bound to table,
 * column and row id, so the same key opens them), blind indexes, the audit log with its hash
 * chain. What SQLite keeps in its own form is rebuilt, not copied: the full-text name indexes
 * (made again from each sealed identity under the key) and the caches (statistics, linkage's
 * prepared records), which the target builds on first use. Every table is counted on both
 * sides; a copy that fails removes the file it began, so nothing half-written is left.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "crypto.h"
#include "identity.h"
#include "store.h"
#include "store_sqlite.h"

/* Tables of either side that are not copied: the schema's own bookkeeping, caches the
 * target rebuilds, SQLite's full-text indexes (rebuilt) and its statistics deltas. */
static const char *const SKIP[] = {
        "ctip_schema",     "stats_state", "stats_part",      "stats_write",      "stats_delta",
        "stats_delta_key", "stats_dirty", "link_cache",      "link_cache_extra", "audit_pending",
        "sqlite_sequence", "person_name", "person_referred", "case_access",      NULL};

static int skipped(const char *t)
{
	for (const char *const *p = SKIP; *p; p++)
		if (!strcmp(*p, t))
			return 1;
	/* the full-text indexes' shadow tables (person_name_data, ...) */
	return !strncmp(t, "person_name_", 12) || !strncmp(t, "person_referred_", 16);
}

static int pg_err(PGconn *c, PGresult *r, const char *src, const char *what, ctip_err *e)
{
	const char *m = r ? PQresultErrorMessage(r) : "";
	return ctip_err_set(e, CTIP_EDB, "%s: %s: %s", src, what, m && *m ? m : PQerrorMessage(c));
}

/* The key opens the source's first sealed identity (else nothing is made: a copy under the
 * wrong key would give a name index of nonsense). */
static int key_check(PGconn *c, const char *src, const ctip_crypto *k, ctip_err *e)
{
	PGresult *r = PQexec(c, "SELECT id, identity FROM person WHERE identity IS NOT NULL "
	                        "ORDER BY id LIMIT 1");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = pg_err(c, r, src, "person", e);
		PQclear(r);
		return rc;
	}
	int rc = CTIP_OK;
	if (PQntuples(r)) {
		size_t n = 0;
		unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 1), &n);
		unsigned char *m = b && n > CTIP_SEAL_OVERHEAD ? malloc(n) : NULL;
		if (!m ||
		    ctip_identity_unseal(k, strtoll(PQgetvalue(r, 0, 0), NULL, 10), b, (int)n, m))
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: the key given does not open its records (the wrong key "
			        "file?): nothing was copied",
			        src);
		if (m)
			sodium_memzero(m, n);
		free(m);
		PQfreemem(b);
	}
	PQclear(r);
	return rc;
}

/* The source's tables: name, row count, and per column its name and type. */
static PGresult *source_columns(PGconn *c)
{
	return PQexec(c, "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM "
	                 "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN "
	                 "pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT "
	                 "a.attisdropped WHERE n.nspname = current_schema() AND c.relkind IN "
	                 "('r', 'p') ORDER BY c.relname, a.attnum");
}

/* Whether the target's table t (in schema db) has column col. */
static int target_has(sqlite3 *db, const char *schema, const char *t, const char *col)
{
	sqlite3_stmt *st;
	int has = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1, ?2) WHERE name = ?3", -1,
	                       &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

struct table {
	char name[64];
	char select[8192];             /* the source's expressions, in column order */
	char cols[8192];               /* the target's columns */
	char insert[8192 + 600 + 160]; /* the target's INSERT: columns, placeholders */
	int ncols;
	int bytea[128];
};

/* One table from the source into the target; *rows its count. */
static int copy_table(PGconn *c, sqlite3 *db, const char *src, const struct table *t,
                      long long *rows, ctip_err *e)
{
	char sql[8400], del[200];
	int rc = CTIP_OK;
	*rows = 0;
	/* the rows the target's migrations put there (its vocabulary, its key check) give way
	 * to the source's */
	snprintf(del, sizeof(del), "DELETE FROM %s.\"%s\"",
	         strcmp(t->name, "audit") ? "main" : "auditlog", t->name);
	if (sqlite3_exec(db, del, NULL, NULL, NULL) != SQLITE_OK)
		return ctip_err_set(e, CTIP_EDB, "the target's %s: %s", t->name,
		                    sqlite3_errmsg(db));
	sqlite3_stmt *ins;
	if (sqlite3_prepare_v2(db, t->insert, -1, &ins, NULL) != SQLITE_OK)
		return ctip_err_set(e, CTIP_EDB, "the target's %s: %s", t->name,
		                    sqlite3_errmsg(db));
	snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" ORDER BY 1", t->select, t->name);
	if (!PQsendQuery(c, sql) || !PQsetSingleRowMode(c)) {
		sqlite3_finalize(ins);
		return pg_err(c, NULL, src, t->name, e);
	}
	PGresult *r;
	while ((r = PQgetResult(c))) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE && !rc) {
			sqlite3_reset(ins);
			sqlite3_clear_bindings(ins);
			for (int i = 0; i < t->ncols; i++) {
				if (PQgetisnull(r, 0, i))
					continue; /* bound NULL */
				const char *v = PQgetvalue(r, 0, i);
				if (t->bytea[i]) {
					size_t n = 0;
					unsigned char *b =
					        PQunescapeBytea((const unsigned char *)v, &n);
					if (!b) {
						rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
						break;
					}
					sqlite3_bind_blob(ins, i + 1, b, (int)n, SQLITE_TRANSIENT);
					PQfreemem(b);
				} else {
					sqlite3_bind_text(ins, i + 1, v, PQgetlength(r, 0, i),
					                  SQLITE_TRANSIENT);
				}
			}
			if (!rc && sqlite3_step(ins) != SQLITE_DONE)
				rc = ctip_err_set(e, CTIP_EDB, "the target's %s, row %lld: %s",
				                  t->name, *rows + 1, sqlite3_errmsg(db));
			if (!rc)
				(*rows)++;
		} else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && !rc) {
			rc = pg_err(c, r, src, t->name, e);
		}
		PQclear(r); /* read to the end even after a failure: the connection stays usable */
	}
	sqlite3_finalize(ins);
	return rc;
}

/* The plan for every table of the source: what to read, where to write it. A table of the
 * source with rows and no place on the target stops the copy before anything is written. */
static int plan(PGconn *c, sqlite3 *db, const char *src, struct table **out, int *nout, ctip_err *e)
{
	PGresult *r = source_columns(c);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = pg_err(c, r, src, "tables", e);
		PQclear(r);
		return rc;
	}
	struct table *v = NULL;
	int n = 0, rc = CTIP_OK;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		const char *name = PQgetvalue(r, i, 0), *col = PQgetvalue(r, i, 1),
		           *type = PQgetvalue(r, i, 2);
		if (skipped(name))
			continue;
		const char *schema = strcmp(name, "audit") ? "main" : "auditlog";
		if (!n || strcmp(v[n - 1].name, name)) {
			char probe[200];
			snprintf(probe, sizeof(probe),
			         "SELECT 1 FROM %s.sqlite_master WHERE type = "
			         "'table' AND name = '%s'",
			         schema, name);
			sqlite3_stmt *st;
			int placed = sqlite3_prepare_v2(db, probe, -1, &st, NULL) == SQLITE_OK &&
			             sqlite3_step(st) == SQLITE_ROW;
			sqlite3_finalize(st);
			if (!placed) {
				char q[200];
				snprintf(q, sizeof(q), "SELECT EXISTS (SELECT 1 FROM \"%s\")",
				         name);
				PGresult *x = PQexec(c, q);
				if (PQresultStatus(x) == PGRES_TUPLES_OK &&
				    PQgetvalue(x, 0, 0)[0] == 't')
					rc = ctip_err_set(
					        e, CTIP_EINVAL,
					        "%s: the table %s holds records that ctip on "
					        "SQLite has no place for: nothing was copied",
					        src, name);
				PQclear(x);
				continue;
			}
			struct table *g = realloc(v, (size_t)(n + 1) * sizeof(*v));
			if (!g) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			v = g;
			memset(&v[n], 0, sizeof(v[n]));
			snprintf(v[n].name, sizeof(v[n].name), "%s", name);
			n++;
		}
		struct table *t = &v[n - 1];
		if (!target_has(db, schema, name, col) || t->ncols == 128)
			continue; /* a column of the source only: a cache's (stats_state.built) */
		/* the target keeps times as text in ISO 8601 with a Z (SQLite's strftime) */
		char expr[200];
		if (!strncmp(type, "timestamp", 9))
			snprintf(expr, sizeof(expr),
			         "to_char(\"%s\" AT TIME ZONE 'UTC', "
			         "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
			         col);
		else
			snprintf(expr, sizeof(expr), "\"%s\"", col);
		size_t ls = strlen(t->select), li = strlen(t->cols);
		snprintf(t->select + ls, sizeof(t->select) - ls, "%s%s", t->ncols ? ", " : "",
		         expr);
		snprintf(t->cols + li, sizeof(t->cols) - li, "%s\"%s\"", t->ncols ? ", " : "", col);
		t->bytea[t->ncols++] = !strcmp(type, "bytea");
	}
	PQclear(r);
	/* each table's INSERT, now that its columns are known */
	for (int i = 0; i < n && !rc; i++) {
		struct table *t = &v[i];
		char qs[600] = "";
		for (int k = 0; k < t->ncols; k++)
			strcat(qs, k ? ",?" : "?");
		snprintf(t->insert, sizeof(t->insert), "INSERT INTO %s.\"%s\" (%s) VALUES (%s)",
		         strcmp(t->name, "audit") ? "main" : "auditlog", t->name, t->cols, qs);
	}
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return CTIP_OK;
}

static void remove_target(const char *to)
{
	static const char *const ext[] = {"",           "-journal",       "-wal",
	                                  "-shm",       ".audit",         ".audit-wal",
	                                  ".audit-shm", ".audit-journal", NULL};
	char p[4200];
	for (const char *const *x = ext; *x; x++) {
		snprintf(p, sizeof(p), "%s%s", to, *x);
		unlink(p);
	}
}

int ctip_store_copy_to_sqlite(const char *from, const char *to, const char *key_path,
                              json_t **report, ctip_err *e)
{
	*report = NULL;
	if (access(to, F_OK) == 0)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s exists: store copy never writes over a registry; give the "
		                    "path of a new file",
		                    to);
	ctip_crypto *k = NULL, *bound = NULL;
	int rc = ctip_crypto_load(key_path, &k, e);
	if (rc || (rc = ctip_crypto_load(key_path, &bound, e))) {
		ctip_crypto_free(k);
		return rc;
	}
	/* the source through the store first: its schema must be current */
	ctip_store *s = NULL, *ts = NULL;
	int made = 0, loading = 0;
	struct table *tabs = NULL;
	int ntabs = 0;
	json_t *tables = json_object();
	PGconn *c = NULL;
	if ((rc = ctip_store_open(from, 0, &s, e)))
		goto done;
	ctip_store_close(s);
	c = PQconnectdb(from);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = ctip_err_set(e, CTIP_EDB, "cannot connect to PostgreSQL: %s",
		                  PQerrorMessage(c));
		goto done;
	}
	/* one snapshot of the whole registry, its times and dates in the target's forms */
	PGresult *b = PQexec(c, "SET DateStyle = ISO; SET TimeZone = 'UTC'; SET "
	                        "extra_float_digits = 3; BEGIN ISOLATION LEVEL REPEATABLE READ "
	                        "READ ONLY");
	if (PQresultStatus(b) != PGRES_COMMAND_OK) {
		rc = pg_err(c, b, from, "snapshot", e);
		PQclear(b);
		goto done;
	}
	PQclear(b);
	if ((rc = key_check(c, from, k, e)))
		goto done;
	/* the target: ctip's schema, the key's check value, then one first load */
	int v0, v1, bulk = 0;
	if ((rc = ctip_store_open(to, 1, &ts, e)))
		goto done;
	made = 1;
	if ((rc = ts->ops->migrate(ts, &v0, &v1, e)))
		goto done;
	rc = ts->ops->key_bind(ts, bound, 1, e);
	bound = NULL; /* the store's now, or freed */
	if (rc || (rc = ts->ops->load_begin(ts, &bulk, e)))
		goto done;
	loading = 1;
	sqlite3 *db = ctip_store_sqlite_db(ts);
	if ((rc = plan(c, db, from, &tabs, &ntabs, e)))
		goto done;
	for (int i = 0; i < ntabs && !rc; i++) {
		long long rows;
		if (!(rc = copy_table(c, db, from, &tabs[i], &rows, e)))
			json_object_set_new(tables, tabs[i].name, json_integer(rows));
	}
	/* the name index, made again from each sealed identity under the key */
	if (!rc)
		rc = ctip_sqlite_names_rebuild(ts, e);
	loading = 0;
	int ended = ts->ops->load_end(ts, !rc, rc ? NULL : e);
	if (rc || (rc = ended))
		goto done;
	/* every table counted on the target, against what was read */
	const char *name;
	json_t *want;
	json_object_foreach(tables, name, want)
	{
		char q[200];
		snprintf(q, sizeof(q), "SELECT count(*) FROM %s.\"%s\"",
		         strcmp(name, "audit") ? "main" : "auditlog", name);
		sqlite3_stmt *st;
		long long have = -1;
		if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			have = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (have != json_integer_value(want)) {
			rc = ctip_err_set(
			        e, CTIP_EDB,
			        "after the copy, the target's %s holds %lld rows, the "
			        "source %lld: the copy is not trustworthy and was removed",
			        name, have, (long long)json_integer_value(want));
			break;
		}
	}
	if (!rc) {
		json_t *rep = json_object(), *audit = json_object();
		json_object_set(rep, "tables", tables);
		json_object_set(audit, "entries", json_object_get(tables, "audit"));
		json_object_set_new(rep, "audit", audit);
		*report = rep;
	}
done:
	if (loading)
		ts->ops->load_end(ts, 0, NULL);
	if (ts)
		ctip_store_close(ts);
	if (c) {
		PQclear(PQexec(c, "ROLLBACK"));
		PQfinish(c);
	}
	if (rc && made)
		remove_target(to); /* nothing half-written is left */
	free(tabs);
	json_decref(tables);
	ctip_crypto_free(bound);
	ctip_crypto_free(k);
	return rc;
}
