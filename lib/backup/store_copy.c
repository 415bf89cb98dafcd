/*
 * store_copy.c - `ctip store copy`: a SQLite registry moved to PostgreSQL (backup.h,
 * ctip_store_copy), table by table with the ids, the sealed values and the audit log as they are.
 *
 * How: the target's schema is made first (ctip's own migrations, lib/sql/pg) to learn its
 * tables and columns; the source is read in one read transaction (registry and audit log
 * together) and written as a backup of the PostgreSQL kind (a COPY text file per table, of
 * the columns both back ends have), which backup_pg.c's verify and restore then load: the
 * audit chain of the copy checked, parents before children, identity sequences set past the
 * largest id, one transaction. The sealed values move as they are: they are bound to their
 * table, column and row id, which stay the same, so the same key opens them on the target.
 * What differs between the back ends is rebuilt, not copied: the name index (SQLite's is a
 * contentless full-text index that cannot be read back: the tokens are made again from each
 * sealed identity under the key) and the caches (statistics, linkage's prepared records),
 * which the target builds on first use. The counts of every table are compared at the end.
 *
 * PostgreSQL to SQLite: store_copy_sqlite.c.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "crypto.h"
#include "identity.h"
#include "store.h"

/* Tables of the target not copied: made by the migrations, or caches the target rebuilds. */
static const char *const PG_SKIP[] = {"ctip_schema", "stats_state",     "stats_part",
                                      "stats_write", "link_cache",      "link_cache_extra",
                                      "case_access", "person_referred", NULL};
/* Tables of the source with no place on the target that may be left behind: derived
 * indexes and caches (SQLite's full-text tables and their shadows, the statistics' deltas,
 * the audit log's own index). Any other table of the source with rows must have its place. */
static const char *const SQ_DERIVED[] = {"sqlite_sequence", "stats_delta",   "stats_delta_key",
                                         "stats_dirty",     "audit_pending", NULL};

static int in_list(const char *const *l, const char *t)
{
	for (; *l; l++)
		if (!strcmp(*l, t))
			return 1;
	return 0;
}

static int sq_err(sqlite3 *db, const char *path, const char *what, ctip_err *e)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

/* Whether the source has table t (main or the attached audit log) and its columns, as
 * " a b c " (to look names up). */
static int sq_columns(sqlite3 *db, const char *t, char *out, size_t n)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s', '%s')", t,
	         strcmp(t, "audit") ? "main" : "auditlog");
	sqlite3_stmt *st;
	size_t w = 0;
	out[0] = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	w += (size_t)snprintf(out, n, " ");
	while (sqlite3_step(st) == SQLITE_ROW && w < n)
		w += (size_t)snprintf(out + w, n - w, "%s ", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return w > 1;
}

/* One value in COPY's text format. */
static void put_value(FILE *f, sqlite3_stmt *st, int i)
{
	int type = sqlite3_column_type(st, i);
	if (type == SQLITE_NULL) {
		fputs("\\N", f);
	} else if (type == SQLITE_BLOB) {
		const unsigned char *b = sqlite3_column_blob(st, i);
		int n = sqlite3_column_bytes(st, i);
		fputs("\\\\x", f);
		for (int k = 0; k < n; k++)
			fprintf(f, "%02x", b[k]);
	} else {
		const unsigned char *p = sqlite3_column_text(st, i);
		for (; p && *p; p++)
			switch (*p) {
			case '\\': fputs("\\\\", f); break;
			case '\t': fputs("\\t", f); break;
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			default: fputc(*p, f);
			}
	}
}

/* Writes `SELECT cols FROM t` of the source to path; *rows its count. */
static int dump_table(sqlite3 *db, const char *src, const char *t, const char *cols,
                      const char *path, long long *rows, ctip_err *e)
{
	char sql[4400];
	if ((size_t)snprintf(sql, sizeof(sql), "SELECT %s FROM %s%s", cols,
	                     strcmp(t, "audit") ? "main." : "auditlog.", t) >= sizeof(sql))
		return ctip_err_set(e, CTIP_EINVAL, "%s: table %s has too many columns", src, t);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_err(db, src, t, e);
	FILE *f = fopen(path, "wb");
	if (!f) {
		sqlite3_finalize(st);
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", path, strerror(errno));
	}
	int nc = sqlite3_column_count(st), step;
	*rows = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < nc; i++) {
			if (i)
				fputc('\t', f);
			put_value(f, st, i);
		}
		fputc('\n', f);
		(*rows)++;
	}
	int rc = step == SQLITE_DONE ? CTIP_OK : sq_err(db, src, t, e);
	if (fclose(f) && !rc)
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", path, strerror(errno));
	sqlite3_finalize(st);
	return rc;
}

/* The name index of the target, made again from each sealed identity (SQLite's cannot be
 * read back): what store_pg_rows.c writes for a new record. */
static int dump_names(sqlite3 *db, const char *src, const ctip_crypto *k, const char *path,
                      long long *rows, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
	                       "SELECT id, org_id, identity FROM main.person WHERE identity IS NOT "
	                       "NULL ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return sq_err(db, src, "person", e);
	FILE *f = fopen(path, "wb");
	if (!f) {
		sqlite3_finalize(st);
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", path, strerror(errno));
	}
	int rc = CTIP_OK, step;
	*rows = 0;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pid = sqlite3_column_int64(st, 0), org = sqlite3_column_int64(st, 1);
		const void *b = sqlite3_column_blob(st, 2);
		int n = sqlite3_column_bytes(st, 2);
		const unsigned char *key;
		size_t klen;
		unsigned char *m = n > CTIP_SEAL_OVERHEAD ? malloc((size_t)n) : NULL;
		if (!m || ctip_identity_unseal(k, pid, b, n, m) ||
		    ctip_identity_key(m, (size_t)n - CTIP_SEAL_OVERHEAD, &key, &klen)) {
			free(m);
			rc = ctip_identity_error(src, pid, e);
			break;
		}
		char *sk = malloc(klen + 1), *doc = NULL;
		int ng = 0;
		if (sk) {
			memcpy(sk, key, klen);
			sk[klen] = 0;
			doc = ctip_name_doc(k, sk, org, 1, &ng);
			sodium_memzero(sk, klen);
			free(sk);
		}
		sodium_memzero(m, (size_t)n);
		free(m);
		if (!doc) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		if (*doc) {
			for (char *q = doc; *q; q++)
				if (*q == ' ')
					*q = ',';
			fprintf(f, "%lld\t{%s}\t%d\n", (long long)pid, doc, ng);
			(*rows)++;
		}
		free(doc);
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_err(db, src, "person", e);
	if (fclose(f) && !rc)
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", path, strerror(errno));
	sqlite3_finalize(st);
	return rc;
}

/* The key opens the source's first identity (else nothing is done: a copy under the wrong
 * key would make a name index of nonsense). */
static int key_check(const char *src, const ctip_crypto *k, ctip_err *e)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = CTIP_OK;
	if (sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "SELECT id, identity FROM person WHERE identity IS NOT NULL ORDER "
	                       "BY id LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		rc = sq_err(db, src, "person", e);
	else if (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 1);
		unsigned char *m = n > CTIP_SEAL_OVERHEAD ? malloc((size_t)n) : NULL;
		if (!m || ctip_identity_unseal(k, sqlite3_column_int64(st, 0),
		                               sqlite3_column_blob(st, 1), n, m))
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: the key given does not open its records (the wrong key "
			        "file?): nothing was copied",
			        src);
		if (m)
			sodium_memzero(m, (size_t)n);
		free(m);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* The target's tables and their columns ("a,b,c"), after its schema was made. */
static PGresult *pg_tables(PGconn *c)
{
	return PQexec(c, "SELECT c.relname, (SELECT string_agg(quote_ident(a.attname), ',' ORDER "
	                 "BY a.attnum) "
	                 "FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
	                 "a.attisdropped) FROM pg_class c JOIN pg_namespace n ON n.oid = "
	                 "c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', "
	                 "'p') ORDER BY c.relname");
}

/* cols of the target that the source's table has too (in the target's order), into out. */
static void common_columns(const char *pg_cols, const char *sq_cols, char *out, size_t n)
{
	char buf[4096], *rest = buf, *tok;
	size_t w = 0;
	snprintf(buf, sizeof(buf), "%s", pg_cols);
	out[0] = 0;
	while ((tok = strsep(&rest, ","))) {
		/* quote_ident's "full" is full to the source (both read the quoted form) */
		char probe[160];
		size_t tl = strlen(tok);
		if (tl >= 2 && tok[0] == '"' && tok[tl - 1] == '"')
			snprintf(probe, sizeof(probe), " %.*s ", (int)(tl - 2), tok + 1);
		else
			snprintf(probe, sizeof(probe), " %s ", tok);
		if (strstr(sq_cols, probe) && w < n)
			w += (size_t)snprintf(out + w, n - w, "%s%s", w ? "," : "", tok);
	}
}

/* Removes the scratch copy: dir/tables/<table>.copy, dir/tables, dir. */
static void rm_dir(const char *dir, json_t *tables)
{
	char path[4200];
	const char *t;
	json_t *v;
	json_object_foreach(tables, t, v)
	{
		snprintf(path, sizeof(path), "%s/tables/%s.copy", dir, t);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/tables", dir);
	if ((rmdir(path) && errno != ENOENT) || rmdir(dir))
		fprintf(stderr, "ctip: store copy: could not remove the scratch copy %s\n", dir);
}

/* The rows of every table copied, counted on the target. */
static int count_target(PGconn *c, json_t *tables, ctip_err *e)
{
	const char *t;
	json_t *v;
	json_object_foreach(tables, t, v)
	{
		char sql[200];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t);
		PGresult *r = PQexec(c, sql);
		long long n =
		        PQresultStatus(r) == PGRES_TUPLES_OK ? atoll(PQgetvalue(r, 0, 0)) : -1;
		PQclear(r);
		if (n != json_integer_value(v))
			return ctip_err_set(
			        e, CTIP_EDB,
			        "after the copy, the target's %s holds %lld rows, the source "
			        "%lld: the copy is not trustworthy; drop that database",
			        t, n, (long long)json_integer_value(v));
	}
	return CTIP_OK;
}

int ctip_store_copy(const char *from, const char *to, const char *key_path, int force,
                    json_t **report, ctip_err *e)
{
	*report = NULL;
	if (force)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "store copy never replaces a registry: copy into a new, empty "
		                    "database (createdb) or a new file");
	if (ctip_store_is_url(from) && !ctip_store_is_url(to))
		return ctip_store_copy_to_sqlite(from, to, key_path, report, e);
	if (ctip_store_is_url(from) == ctip_store_is_url(to))
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "ctip store copy moves a registry to the other back end (--db FILE --to "
		        "postgresql://..., or --db postgresql://... --to FILE); within one back "
		        "end "
		        "use backup and restore (docs/DEPLOYMENT.md)");
	ctip_crypto *k = NULL;
	int rc = ctip_crypto_load(key_path, &k, e);
	if (rc)
		return rc;
	/* the source: opened through the store first (its schema current, a pending audit
	 * entry recovered into the chain), then read in one transaction with its audit log */
	ctip_store *s = NULL;
	if ((rc = ctip_store_open(from, 0, &s, e))) {
		ctip_crypto_free(k);
		return rc;
	}
	ctip_store_close(s);
	if ((rc = key_check(from, k, e))) {
		ctip_crypto_free(k);
		return rc;
	}
	sqlite3 *db = NULL;
	int schema_made = 0;
	PGconn *c = NULL;
	PGresult *t = NULL;
	json_t *m = json_object(), *tables = json_object(), *columns = json_object();
	json_object_set_new(m, "tables", tables);
	json_object_set_new(m, "columns", columns);
	char dir[] = "/tmp/ctip-copy-XXXXXX", path[4200], audit[4200];
	int made_dir = 0;
	if (!mkdtemp(dir)) {
		rc = ctip_err_set(e, CTIP_EIO, "cannot make a scratch directory: %s",
		                  strerror(errno));
		goto done;
	}
	made_dir = 1;
	snprintf(path, sizeof(path), "%s/tables", dir);
	if (mkdir(path, 0700)) {
		rc = ctip_err_set(e, CTIP_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	/* the target: empty, then ctip's schema, to learn its tables */
	c = PQconnectdb(to);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = ctip_err_set(e, CTIP_EDB, "cannot connect to PostgreSQL: %s",
		                  PQerrorMessage(c));
		goto done;
	}
	t = PQexec(c, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
	if (PQresultStatus(t) != PGRES_TUPLES_OK || atol(PQgetvalue(t, 0, 0)) != 0) {
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "the target database is not empty: store copy never writes over "
		                  "a registry; copy into a new database (createdb)");
		goto done;
	}
	PQclear(t);
	t = NULL;
	ctip_store *ts = NULL;
	int v0, v1;
	if ((rc = ctip_store_open(to, 1, &ts, e)))
		goto done;
	rc = ts->ops->migrate(ts, &v0, &v1, e);
	ctip_store_close(ts);
	schema_made = 1;
	if (rc)
		goto done;
	json_object_set_new(m, "schema_version", json_integer(v1));
	t = pg_tables(c);
	if (PQresultStatus(t) != PGRES_TUPLES_OK) {
		rc = ctip_err_set(e, CTIP_EDB, "the target's tables: %s", PQerrorMessage(c));
		goto done;
	}
	/* the source, in one read transaction */
	snprintf(audit, sizeof(audit), "%s.audit", from);
	if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = sq_err(db, from, "open", e);
		goto done;
	}
	sqlite3_stmt *at;
	if (sqlite3_prepare_v2(db, "ATTACH ? AS auditlog", -1, &at, NULL) != SQLITE_OK) {
		rc = sq_err(db, from, "audit log", e);
		goto done;
	}
	sqlite3_bind_text(at, 1, audit, -1, SQLITE_TRANSIENT);
	int ok = sqlite3_step(at) == SQLITE_DONE;
	sqlite3_finalize(at);
	if (!ok || sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sq_err(db, from, "audit log", e);
		goto done;
	}
	/* every table of the source with rows must have its place on the target */
	sqlite3_stmt *lt;
	if (sqlite3_prepare_v2(db,
	                       "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name "
	                       "NOT LIKE 'person_name%' AND name NOT LIKE 'person_referred%'",
	                       -1, &lt, NULL) != SQLITE_OK) {
		rc = sq_err(db, from, "tables", e);
		goto done;
	}
	while (!rc && sqlite3_step(lt) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(lt, 0);
		int placed = in_list(SQ_DERIVED, name);
		for (int i = 0; !placed && i < PQntuples(t); i++)
			placed = !strcmp(PQgetvalue(t, i, 0), name);
		if (placed)
			continue;
		char q[300];
		snprintf(q, sizeof(q), "SELECT EXISTS (SELECT 1 FROM main.\"%s\")", name);
		sqlite3_stmt *x;
		if (sqlite3_prepare_v2(db, q, -1, &x, NULL) == SQLITE_OK &&
		    sqlite3_step(x) == SQLITE_ROW && sqlite3_column_int(x, 0))
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: the table %s holds records that ctip on PostgreSQL has "
			        "no place for yet: nothing was copied",
			        from, name);
		sqlite3_finalize(x);
	}
	sqlite3_finalize(lt);
	for (int i = 0; !rc && i < PQntuples(t); i++) {
		const char *name = PQgetvalue(t, i, 0), *pgc = PQgetvalue(t, i, 1);
		char sqc[4096], cols[4096], file[300];
		long long rows = 0;
		if (in_list(PG_SKIP, name))
			continue;
		snprintf(file, sizeof(file), "tables/%s.copy", name);
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (!strcmp(name, "person_name")) {
			snprintf(cols, sizeof(cols), "person_id,tokens,n_global");
			rc = dump_names(db, from, k, path, &rows, e);
		} else if (sq_columns(db, name, sqc, sizeof(sqc))) {
			common_columns(pgc, sqc, cols, sizeof(cols));
			rc = dump_table(db, from, name, cols, path, &rows, e);
		} else {
			/* a table the source has not (yet): empty on the target too */
			snprintf(cols, sizeof(cols), "%s", pgc);
			FILE *f = fopen(path, "wb");
			if (!f || fclose(f))
				rc = ctip_err_set(e, CTIP_EIO, "%s: %s", path, strerror(errno));
		}
		if (!rc) {
			json_object_set_new(tables, name, json_integer(rows));
			json_object_set_new(columns, name, json_string(cols));
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	/* the copy's audit chain checked, then loaded into the target in one transaction (its
	 * schema made again by the restore: nothing else is in that database) */
	if (!rc)
		rc = ctip_verify_pg(dir, m, e);
	if (!rc)
		rc = ctip_restore_pg(dir, m, to, 1, e);
	if (!rc)
		rc = count_target(c, tables, e);
	if (!rc) {
		json_t *rep = json_object();
		json_object_set(rep, "tables", tables);
		json_object_set(rep, "audit", json_object_get(m, "audit"));
		*report = rep;
	}
done:
	PQclear(t);
	/* a copy that failed leaves the target as it found it: empty */
	if (rc && schema_made && c)
		PQclear(PQexec(c, ctip_pg_drop_all));
	if (c)
		PQfinish(c);
	if (db)
		sqlite3_close(db);
	if (made_dir)
		rm_dir(dir, tables);
	json_decref(m);
	ctip_crypto_free(k);
	return rc;
}
