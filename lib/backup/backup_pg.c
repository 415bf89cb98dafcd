/*
 * backup_pg.c - backups of a PostgreSQL registry (backup.h), with libpq.
 *
 * Why COPY in one snapshot rather than pg_dump: a REPEATABLE READ, READ ONLY transaction
 * sees one snapshot of every table, so the registry and its audit log are consistent with
 * each other (they commit together on PostgreSQL); it needs no pg_dump binary of the
 * server's version on the machine that runs ctip, only the connection and rights ctip has;
 * and ctip counts and hashes each table's rows as it writes them, and checks the audit chain
 * of the copy, which a pg_dump archive would need pg_restore to read. The schema is not in
 * the backup: ctip's own migrations (lib/sql/pg) make it again at the backup's version, so a
 * backup restores into a fresh database of any supported PostgreSQL version.
 *
 * A restore is one transaction: the schema, every table's rows (parents before children,
 * from the foreign keys), the identity sequences set past the largest id; a failure leaves
 * the target as it was.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "embedded.h"
#include "progress.h"
#include "store.h"
#include "store_pg.h"

/* The URL without a password, for messages. */
static void url_safe(const char *url, char *out, size_t n)
{
	const char *at = strchr(url, '@'), *q = strchr(url, '?');
	if (strstr(url, "password="))
		snprintf(out, n, "%.*s", q ? (int)(q - url) : (int)strlen(url), url);
	else
		snprintf(out, n, "%s", url);
	if (at && (!q || at < q)) {
		const char *s = strstr(url, "://");
		snprintf(out, n, "%.*s***%s", s ? (int)(s - url) + 3 : 0, url, at);
	}
}

static int pg_err(PGconn *c, PGresult *r, const char *url, const char *what, ctip_err *e)
{
	char u[300], msg[400];
	const char *m = r ? PQresultErrorMessage(r) : NULL;
	url_safe(url, u, sizeof(u));
	snprintf(msg, sizeof(msg), "%s", m && *m ? m : PQerrorMessage(c));
	size_t k = strlen(msg);
	while (k && (msg[k - 1] == '\n' || msg[k - 1] == ' '))
		msg[--k] = 0;
	return ctip_err_set(e, CTIP_EDB, "%s: %s: %s", u, what, msg);
}

static int pg_open(const char *url, PGconn **out, ctip_err *e)
{
	PGconn *c = PQconnectdb(url);
	*out = NULL;
	if (PQstatus(c) != CONNECTION_OK) {
		int rc = pg_err(c, NULL, url, "cannot connect to PostgreSQL", e);
		PQfinish(c);
		return rc;
	}
	PGresult *r = PQexec(c, "SET client_min_messages = warning; SET client_encoding = "
	                        "'UTF8'; SET TIME ZONE 'UTC'");
	PQclear(r);
	*out = c;
	return CTIP_OK;
}

static int run(PGconn *c, const char *url, const char *sql, const char *what, ctip_err *e)
{
	PGresult *r = PQexec(c, sql);
	int st = PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? CTIP_OK
	                                                         : pg_err(c, r, url, what, e);
	PQclear(r);
	return rc;
}

/* One row of one column (NULL result on error; PQclear it). */
static PGresult *query(PGconn *c, const char *url, const char *sql, int n, const char *const *v,
                       const char *what, ctip_err *e)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_err(c, r, url, what, e);
		PQclear(r);
		return NULL;
	}
	return r;
}

/* Every table of the registry but case_access and person_referred, which the triggers make
 * again as the rows they are made from are restored (lib/sql/pg/0034: the referral tables';
 * 0037: case_access, case_person and person_name). */
static const char TABLES_SQL[] =
        "SELECT c.relname, (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum) "
        "FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
        "a.attisdropped), greatest(c.reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace "
        "n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN "
        "('r', 'p') AND c.relname NOT IN ('case_access', 'person_referred') ORDER BY c.relname";

static int name_ok(const char *t)
{
	if (!*t || strlen(t) > 60)
		return 0;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

/* ---- COPY text format: the fields of a line ------------------------------------------ */

/* Splits line (no newline) into at most max fields in place, unescaping them; NULL for \N.
 * Returns the number of fields. */
static int copy_fields(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		char *start = p, *w = p;
		int null = 0;
		if (p[0] == '\\' && p[1] == 'N' && (p[2] == '\t' || !p[2])) {
			null = 1;
			p += 2;
		}
		while (!null && *p && *p != '\t') {
			if (*p != '\\' || !p[1]) {
				*w++ = *p++;
				continue;
			}
			p++;
			char ch = *p++;
			switch (ch) {
			case 'b': *w++ = '\b'; break;
			case 'f': *w++ = '\f'; break;
			case 'n': *w++ = '\n'; break;
			case 'r': *w++ = '\r'; break;
			case 't': *w++ = '\t'; break;
			case 'v': *w++ = '\v'; break;
			default:
				if (ch >= '0' && ch <= '7') {
					int v = ch - '0';
					for (int k = 0; k < 2 && *p >= '0' && *p <= '7'; k++)
						v = v * 8 + (*p++ - '0');
					*w++ = (char)v;
				} else {
					*w++ = ch;
				}
			}
		}
		int last = !*p;
		if (!null)
			*w = 0;
		else
			*start = 0;
		if (n < max)
			f[n] = null ? NULL : start;
		n++;
		if (last)
			break;
		*p++ = 0;
	}
	return n;
}

/* Walks the audit log's copy (columns cols as in the manifest), checking its chain. */
static int audit_copy_walk(const char *path, const char *cols, struct ctip_chain *c, ctip_err *e)
{
	static const char *want[8] = {"id",     "at",     "actor",     "action",
	                              "object", "detail", "prev_hash", "hash"};
	int pos[8];
	char names[1024];
	char *f[64], *line = NULL;
	int nc = 0;
	char *rest = names, *tok;
	snprintf(names, sizeof(names), "%s", cols); /* "a,b,c" (quote_ident of ctip's names) */
	while ((tok = strsep(&rest, ",")) && nc < 64)
		f[nc++] = tok;
	for (int i = 0; i < 8; i++) {
		pos[i] = -1;
		for (int k = 0; k < nc; k++)
			if (!strcmp(f[k], want[i]))
				pos[i] = k;
		if (pos[i] < 0)
			return ctip_err_set(e, CTIP_EINVAL, "%s: the audit log has no column %s",
			                    path, want[i]);
	}
	FILE *in = fopen(path, "rb");
	if (!in)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot read: %s", path, strerror(errno));
	size_t cap = 0;
	ssize_t len;
	int rc = CTIP_OK;
	while (!rc && (len = getline(&line, &cap, in)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = 0;
		char *v[64];
		int n = copy_fields(line, v, 64);
		if (n != nc) {
			rc = ctip_err_set(e, CTIP_EINVAL, "%s: a line has %d fields, not %d", path,
			                  n, nc);
			break;
		}
		for (int i = 0; i < 8 && !rc; i++)
			if (!v[pos[i]])
				rc = ctip_err_set(e, CTIP_EINVAL, "%s: an audit entry has no %s",
				                  path, want[i]);
		if (rc)
			break;
		struct ctip_audit_entry a = {
		        .id = strtoll(v[pos[0]], NULL, 10),
		        .at = v[pos[1]],
		        .actor = v[pos[2]],
		        .action = v[pos[3]],
		        .object = v[pos[4]],
		        .detail = v[pos[5]],
		        .prev_hash = v[pos[6]],
		        .hash = v[pos[7]],
		};
		rc = ctip_chain_step(c, &a, e);
	}
	free(line);
	fclose(in);
	return rc;
}

/* ---- backup ------------------------------------------------------------------------------ */

static int copy_out(PGconn *c, const char *url, const char *table, const char *cols,
                    const char *path, long long *rows, long long *done, long long total,
                    ctip_err *e)
{
	char sql[2048];
	/* the audit log in the order of its chain; other tables as they lie */
	if (!strcmp(table, "audit"))
		snprintf(sql, sizeof(sql), "COPY (SELECT %s FROM audit ORDER BY id) TO STDOUT",
		         cols);
	else
		snprintf(sql, sizeof(sql), "COPY %s (%s) TO STDOUT", table, cols);
	FILE *out = fopen(path, "wbx");
	if (!out)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot create: %s", path, strerror(errno));
	PGresult *r = PQexec(c, sql);
	int rc = CTIP_OK;
	if (PQresultStatus(r) != PGRES_COPY_OUT)
		rc = pg_err(c, r, url, table, e);
	PQclear(r);
	char *buf;
	int n;
	*rows = 0;
	while (!rc && (n = PQgetCopyData(c, &buf, 0)) > 0) {
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			rc = ctip_err_set(e, CTIP_EIO, "%s: write error", path);
		PQfreemem(buf);
		(*rows)++;
		if (!(++*done & 4095))
			ctip_progress_report("backup", *done, total, "rows");
	}
	if (!rc && n == -2)
		rc = pg_err(c, NULL, url, table, e);
	while ((r = PQgetResult(c))) {
		if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_err(c, r, url, table, e);
		PQclear(r);
	}
	if ((fflush(out) || fsync(fileno(out))) && !rc)
		rc = ctip_err_set(e, CTIP_EIO, "%s: write error", path);
	if (fclose(out) && !rc)
		rc = ctip_err_set(e, CTIP_EIO, "%s: write error", path);
	return rc;
}

int ctip_backup_pg(const char *url, const char *dir, json_t *m, ctip_err *e)
{
	PGconn *c;
	PGresult *r = NULL;
	char path[4096];
	int rc = pg_open(url, &c, e);
	if (rc)
		return rc;
	/* one snapshot for every table */
	if ((rc = run(c, url, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "snapshot", e)))
		goto done;
	if (!(r = query(c, url, "SELECT to_regclass('ctip_schema') IS NOT NULL", 0, NULL, "schema",
	                e))) {
		rc = CTIP_EDB;
		goto done;
	}
	int has = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	r = NULL;
	if (!has ||
	    !(r = query(c, url, "SELECT coalesce(max(version), 0) FROM ctip_schema", 0, NULL,
	                "schema", e)) ||
	    atoi(PQgetvalue(r, 0, 0)) < 1) {
		rc = r || !has ? ctip_err_set(e, CTIP_EINVAL,
		                              "this database is not a ctip registry yet (run `ctip "
		                              "init`)")
		               : CTIP_EDB;
		goto done;
	}
	json_object_set_new(m, "schema_version", json_integer(atoi(PQgetvalue(r, 0, 0))));
	PQclear(r);
	if (!(r = query(c, url, TABLES_SQL, 0, NULL, "tables", e))) {
		rc = CTIP_EDB;
		goto done;
	}
	snprintf(path, sizeof(path), "%s/tables", dir);
	if (mkdir(path, 0700)) {
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot create: %s", path, strerror(errno));
		goto done;
	}
	json_t *tables = json_object_get(m, "tables"), *columns = json_object();
	json_object_set_new(m, "columns", columns);
	long long total = 0, done_rows = 0;
	for (int i = 0; i < PQntuples(r); i++)
		total += atoll(PQgetvalue(r, i, 2));
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		const char *t = PQgetvalue(r, i, 0), *cols = PQgetvalue(r, i, 1);
		char name[128];
		long long rows = 0;
		if (!name_ok(t)) {
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "table \"%s\": not a name ctip gives; a table not ctip's in "
			        "its schema?",
			        t);
			break;
		}
		snprintf(name, sizeof(name), "tables/%s.copy", t);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (!(rc = copy_out(c, url, t, cols, path, &rows, &done_rows, total, e)) &&
		    !(rc = ctip_backup_add_file(m, dir, name, e))) {
			json_object_set_new(tables, t, json_integer(rows));
			json_object_set_new(columns, t, json_string(cols));
		}
	}
	ctip_progress_finish();
	if (!rc && (rc = run(c, url, "COMMIT", "snapshot", e)))
		goto done;
	if (!rc)
		rc = ctip_verify_pg(dir, m, e); /* also fills in m.audit: the chain of the copy */
done:
	PQclear(r);
	PQfinish(c);
	return rc;
}

int ctip_verify_pg(const char *dir, json_t *m, ctip_err *e)
{
	json_t *tables = json_object_get(m, "tables"), *columns = json_object_get(m, "columns");
	const char *t;
	json_t *v;
	char path[4096];
	if (!json_is_object(columns))
		return ctip_err_set(e, CTIP_EINVAL, "%s/manifest.json: no columns", dir);
	json_object_foreach(tables, t, v)
	{
		/* the rows of each table: a line each in COPY's text format */
		if (!name_ok(t))
			return ctip_err_set(e, CTIP_EINVAL, "%s/manifest.json: table \"%s\"", dir,
			                    t);
		snprintf(path, sizeof(path), "%s/tables/%s.copy", dir, t);
		FILE *in = fopen(path, "rb");
		if (!in)
			return ctip_err_set(e, CTIP_EINVAL, "%s is missing from the backup", path);
		long long lines = 0;
		char buf[1 << 16];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			for (size_t k = 0; k < n; k++)
				lines += buf[k] == '\n';
		fclose(in);
		if (lines != json_integer_value(v))
			return ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: %lld rows, the manifest counts %lld: the backup was "
			        "altered or damaged",
			        path, lines, (long long)json_integer_value(v));
	}
	const char *cols = json_string_value(json_object_get(columns, "audit"));
	if (!cols)
		return ctip_err_set(e, CTIP_EINVAL, "%s: the backup holds no audit log", dir);
	struct ctip_chain c = {0};
	snprintf(path, sizeof(path), "%s/tables/audit.copy", dir);
	int rc = audit_copy_walk(path, cols, &c, e);
	if (rc)
		return rc;
	char head[200];
	snprintf(head, sizeof(head), "%lld:%s", c.prev_id, c.prev_hash);
	json_t *want = json_object_get(m, "audit");
	if (!want) { /* writing the backup */
		json_object_set_new(m, "audit",
		                    json_pack("{s:I, s:s}", "entries", (json_int_t)c.n, "head",
		                              c.n ? head : ""));
		return CTIP_OK;
	}
	const char *h = json_string_value(json_object_get(want, "head"));
	if (json_integer_value(json_object_get(want, "entries")) != c.n || !h ||
	    strcmp(h, c.n ? head : ""))
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: the audit log (%ld entries, head %s) is not the one the "
		                    "manifest names",
		                    path, c.n, c.n ? head : "none");
	return CTIP_OK;
}

/* ---- restore ----------------------------------------------------------------------------- */

/* ctip's migrations up to version `to`, in the open transaction. */
static int migrate_to(PGconn *c, const char *url, int to, ctip_err *e)
{
	int rc = run(c, url, "CREATE TABLE ctip_schema (version integer NOT NULL)", "schema", e);
	for (int v = 1; !rc && v <= to; v++) {
		const struct ctip_embedded *f = NULL;
		for (const struct ctip_embedded *x = ctip_embedded; x->path; x++) {
			int xv;
			if (!strncmp(x->path, "lib/sql/pg/", 11) &&
			    sscanf(x->path + 11, "%4d", &xv) == 1 && xv == v)
				f = x;
		}
		if (!f)
			continue;
		char sql[100];
		snprintf(sql, sizeof(sql), "INSERT INTO ctip_schema(version) VALUES (%d)", v);
		if (!(rc = run(c, url, f->data, f->path, e)))
			rc = run(c, url, sql, "schema", e);
	}
	return rc;
}

const char ctip_pg_drop_all[] =
        "DO $$ DECLARE r record; BEGIN "
        "FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = "
        "c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm') LOOP "
        "EXECUTE format(CASE r.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS %I CASCADE' ELSE "
        "'DROP MATERIALIZED VIEW IF EXISTS %I CASCADE' END, r.relname); END LOOP; "
        "FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP "
        "EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename); END LOOP; "
        "FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid "
        "= p.pronamespace WHERE n.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM "
        "pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP "
        "EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE'; END LOOP; END $$";

/* The tables in the order to load them: a table after those its foreign keys name. */
static int load_order(PGconn *c, const char *url, json_t *tables, const char ***order, int *n,
                      ctip_err *e)
{
	PGresult *r = query(c, url,
	                    "SELECT cl.relname, p.relname FROM pg_constraint k JOIN pg_class cl ON "
	                    "cl.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid JOIN "
	                    "pg_namespace ns ON ns.oid = cl.relnamespace WHERE k.contype = 'f' AND "
	                    "ns.nspname = current_schema() AND cl.oid <> p.oid",
	                    0, NULL, "foreign keys", e);
	if (!r)
		return CTIP_EDB;
	size_t cnt = json_object_size(tables), k = 0;
	const char **names = calloc(cnt + 1, sizeof(*names)), *t;
	char *placed = calloc(cnt + 1, 1);
	json_t *v;
	*order = calloc(cnt + 1, sizeof(**order));
	if (!names || !placed || !*order) {
		free(names);
		free(placed);
		free(*order);
		PQclear(r);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	json_object_foreach(tables, t, v) names[k++] = t;
	*n = 0;
	for (int progress = 1; progress && (size_t)*n < cnt;) {
		progress = 0;
		for (size_t i = 0; i < cnt; i++) {
			if (placed[i])
				continue;
			int ready = 1;
			for (int j = 0; j < PQntuples(r) && ready; j++) {
				if (strcmp(PQgetvalue(r, j, 0), names[i]))
					continue;
				for (size_t q = 0; q < cnt; q++)
					if (!placed[q] && !strcmp(names[q], PQgetvalue(r, j, 1)))
						ready = 0;
			}
			if (ready) {
				placed[i] = 1;
				(*order)[(*n)++] = names[i];
				progress = 1;
			}
		}
	}
	int rc = (size_t)*n == cnt
	                 ? CTIP_OK
	                 : ctip_err_set(e, CTIP_EINVAL, "the tables' foreign keys form a cycle");
	free(names);
	free(placed);
	PQclear(r);
	return rc;
}

static int copy_in(PGconn *c, const char *url, const char *table, const char *cols,
                   const char *path, long long want, long long *done, long long total, ctip_err *e)
{
	char sql[2048];
	snprintf(sql, sizeof(sql), "COPY %s (%s) FROM STDIN", table, cols);
	FILE *in = fopen(path, "rb");
	if (!in)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot read: %s", path, strerror(errno));
	PGresult *r = PQexec(c, sql);
	int rc = CTIP_OK;
	if (PQresultStatus(r) != PGRES_COPY_IN)
		rc = pg_err(c, r, url, table, e);
	PQclear(r);
	char buf[1 << 16];
	size_t n;
	while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (PQputCopyData(c, buf, (int)n) != 1)
			rc = pg_err(c, NULL, url, table, e);
		for (size_t k = 0; k < n; k++)
			*done += buf[k] == '\n';
		ctip_progress_report("restore", *done, total, "rows");
	}
	fclose(in);
	if (PQputCopyEnd(c, rc ? "restore failed" : NULL) != 1 && !rc)
		rc = pg_err(c, NULL, url, table, e);
	while ((r = PQgetResult(c))) {
		if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_err(c, r, url, table, e);
		else if (!rc && atoll(PQcmdTuples(r)) != want)
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "%s: %s rows loaded, the manifest counts %lld", table,
			                  PQcmdTuples(r), want);
		PQclear(r);
	}
	return rc;
}

static const char SEQ_SQL[] =
        "SELECT quote_ident(table_name), quote_ident(column_name) FROM "
        "information_schema.columns WHERE table_schema = current_schema() AND (is_identity = "
        "'YES' OR column_default LIKE 'nextval(%')";

int ctip_restore_pg(const char *dir, json_t *m, const char *url, int force, ctip_err *e)
{
	PGconn *c;
	PGresult *r = NULL, *r2 = NULL;
	const char **order = NULL;
	int n = 0, rc = pg_open(url, &c, e);
	int version = (int)json_integer_value(json_object_get(m, "schema_version"));
	int latest = 0, v;
	char u[300];
	url_safe(url, u, sizeof(u));
	if (rc)
		return rc;
	for (const struct ctip_embedded *x = ctip_embedded; x->path; x++)
		if (!strncmp(x->path, "lib/sql/pg/", 11) && sscanf(x->path + 11, "%4d", &v) == 1 &&
		    v > latest)
			latest = v;
	if (version < 1 || version > latest) {
		rc = ctip_err_set(
		        e, CTIP_EINVAL,
		        "%s is a backup of schema version %d; this ctip knows versions 1 "
		        "to %d: restore it with the ctip that wrote it (%s) or a newer one",
		        dir, version, latest,
		        json_string_value(json_object_get(m, "ctip_version")));
		goto done;
	}
	if ((rc = run(c, url, "BEGIN", "restore", e)))
		goto done;
	if (!(r = query(c, url,
	                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()", 0,
	                NULL, "tables", e))) {
		rc = CTIP_EDB;
		goto done;
	}
	long tables_there = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	if (tables_there && !force) {
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "%s already holds %ld tables (a registry?): restore never "
		                  "overwrites one; restore into a new database (createdb), or add "
		                  "--force to replace it (stop `ctip serve` on it first)",
		                  u, tables_there);
		goto done;
	}
	if (tables_there &&
	    (rc = run(c, url, ctip_pg_drop_all, "removing the registry replaced", e)))
		goto done;
	if ((rc = migrate_to(c, url, version, e)))
		goto done;
	/* the access rule the policies hold, as `ctip init` installs it (store_pg_access.c); a
	 * backup of a schema before the rule's table had its owners' rows (0036) gets it from the
	 * `ctip init` that migrates it on */
	if (!(r = query(c, url,
	                "SELECT to_regproc('ctip_case_access_redo') IS NOT NULL AND EXISTS (SELECT "
	                "1 FROM pg_attribute WHERE attrelid = to_regclass('case_access') AND "
	                "attname = 'own')",
	                0, NULL, "access rule", e))) {
		rc = CTIP_EDB;
		goto done;
	}
	int has_rule = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	r = NULL;
	if (has_rule && (rc = run(c, url, ctip_pg_access_rule_sql, "access rule", e)))
		goto done;
	/* and the statistics triggers, as `ctip init` makes them (store_pg_fresh.c) */
	if (!(r = query(c, url, "SELECT to_regprocedure('stats_written()') IS NOT NULL", 0, NULL,
	                "statistics triggers", e))) {
		rc = CTIP_EDB;
		goto done;
	}
	int has_stats = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	r = NULL;
	if (has_stats) {
		char *fresh = ctip_pg_stats_fresh_sql();
		rc = fresh ? run(c, url, fresh, "statistics triggers", e)
		           : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		free(fresh);
		if (rc)
			goto done;
	}
	json_t *tables = json_object_get(m, "tables"), *columns = json_object_get(m, "columns");
	json_t *rest = json_deep_copy(tables);
	json_object_del(rest, "ctip_schema"); /* made by the migrations */
	rc = load_order(c, url, rest, &order, &n, e);
	long long total = 0, done_rows = 0;
	const char *t;
	json_t *val;
	json_object_foreach(rest, t, val) total += json_integer_value(val);
	for (int i = 0; i < n && !rc; i++) {
		char path[4096];
		const char *cols = json_string_value(json_object_get(columns, order[i]));
		snprintf(path, sizeof(path), "%s/tables/%s.copy", dir, order[i]);
		if (!cols || !name_ok(order[i]))
			rc = ctip_err_set(e, CTIP_EINVAL, "%s/manifest.json: table %s", dir,
			                  order[i]);
		else
			rc = copy_in(c, url, order[i], cols, path,
			             json_integer_value(json_object_get(rest, order[i])),
			             &done_rows, total, e);
	}
	ctip_progress_finish();
	/* the identity columns go on after the largest id restored */
	if (!rc && !(r = query(c, url, SEQ_SQL, 0, NULL, "sequences", e)))
		rc = CTIP_EDB;
	for (int i = 0; !rc && i < PQntuples(r); i++) {
		char sql[600];
		snprintf(sql, sizeof(sql),
		         "SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + "
		         "1, false) FROM %s",
		         PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 1),
		         PQgetvalue(r, i, 0));
		rc = run(c, url, sql, "sequences", e);
	}
	json_decref(rest);
	/* linkage's triggers, as `ctip init` makes them (store_pg_link_watch.c), once the rows are
	 * in: made before, they would take every period of exploitation restored for a change */
	if (!rc && !(r2 = query(c, url, "SELECT to_regclass('link_changed') IS NOT NULL", 0, NULL,
	                        "linkage's triggers", e)))
		rc = CTIP_EDB;
	if (!rc && !strcmp(PQgetvalue(r2, 0, 0), "t")) {
		char *watch = ctip_pg_link_watch_sql();
		rc = watch ? run(c, url, watch, "linkage's triggers", e)
		           : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		free(watch);
	}
	PQclear(r2);
	if (!rc)
		rc = run(c, url, "COMMIT", "restore", e);
done:
	if (rc)
		PQclear(PQexec(c, "ROLLBACK"));
	free(order);
	PQclear(r);
	PQfinish(c);
	return rc;
}
