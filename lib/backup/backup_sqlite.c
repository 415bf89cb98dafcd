/*
 * backup_sqlite.c - backups of a SQLite registry (backup.h): its two files, DB and DB.audit,
 * copied by SQLite's online backup API while ctip and its server keep writing.
 *
 * Consistency: one connection of our own attaches the audit file and opens one read
 * transaction; it reads the registry first and the audit log second, so every change in the
 * copied registry has its audit entry either in the copied log or written ahead in the
 * registry itself (audit_pending, migration 0016), which `ctip_audit_recover` chains when the
 * restored registry is first opened. The backup steps read from that transaction, so writers
 * in other processes neither wait for the backup nor restart it (WAL).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "progress.h"
#include "store.h"

#define STEP_PAGES 256 /* 1 MiB of 4 KiB pages a step */

static int sq_err(sqlite3 *db, ctip_err *e, const char *path, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s: %s", path, what,
	                    db ? sqlite3_errmsg(db) : "out of memory");
}

/* A file path as a URI (file:PATH?immutable=1): a backup is never changed by reading it. */
static void uri_of(const char *path, char *out, size_t n)
{
	size_t j = (size_t)snprintf(out, n, "file:");
	for (const char *p = path; *p && j + 4 < n; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			j += (size_t)snprintf(out + j, n - j, "%%%02X", (unsigned char)*p);
		else
			out[j++] = *p;
	}
	out[j] = 0;
	snprintf(out + j, n - j, "?immutable=1");
}

static int one_int(sqlite3 *db, const char *sql, long long *v)
{
	sqlite3_stmt *st;
	*v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* The rows of every ordinary table of schema (main or auditlog) into obj, prefixed
 * "auditlog." for the audit file's. FTS5 tables are counted through their shadow tables. */
static int count_tables(sqlite3 *db, const char *schema, json_t *obj, const char *path, ctip_err *e)
{
	char sql[400];
	sqlite3_stmt *st;
	snprintf(sql, sizeof(sql),
	         "SELECT name FROM %s.sqlite_master WHERE type = 'table' AND name NOT LIKE "
	         "'sqlite_%%' AND sql NOT LIKE 'CREATE VIRTUAL%%' ORDER BY name",
	         schema);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_err(db, e, path, "tables");
	int rc = CTIP_OK;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		char q[300], key[200];
		long long n;
		snprintf(q, sizeof(q), "SELECT count(*) FROM %s.\"%s\"", schema, t);
		if (one_int(db, q, &n))
			rc = sq_err(db, e, path, t);
		snprintf(key, sizeof(key), "%s%s", strcmp(schema, "main") ? "auditlog." : "", t);
		json_object_set_new(obj, key, json_integer(n));
	}
	sqlite3_finalize(st);
	return rc;
}

/* The audit log's length and head into m.audit, walking its chain (a backup of a broken
 * chain would hide when it broke). */
static int audit_walk(sqlite3 *db, const char *path, json_t *m, ctip_err *e)
{
	sqlite3_stmt *st;
	struct ctip_chain c = {0};
	int rc = CTIP_OK;
	if (sqlite3_prepare_v2(db,
	                       "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM "
	                       "auditlog.audit ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return sq_err(db, e, path, "audit log");
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		struct ctip_audit_entry a = {
		        .id = sqlite3_column_int64(st, 0),
		        .at = (const char *)sqlite3_column_text(st, 1),
		        .actor = (const char *)sqlite3_column_text(st, 2),
		        .action = (const char *)sqlite3_column_text(st, 3),
		        .object = (const char *)sqlite3_column_text(st, 4),
		        .detail = (const char *)sqlite3_column_text(st, 5),
		        .prev_hash = (const char *)sqlite3_column_text(st, 6),
		        .hash = (const char *)sqlite3_column_text(st, 7),
		};
		if (!a.at || !a.actor || !a.action || !a.object || !a.detail || !a.prev_hash ||
		    !a.hash)
			rc = ctip_err_set(e, CTIP_EINVAL, "%s: audit entry %lld has an empty field",
			                  path, (long long)a.id);
		else
			rc = ctip_chain_step(&c, &a, e);
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	char head[200];
	snprintf(head, sizeof(head), "%lld:%s", c.prev_id, c.prev_hash);
	json_t *want = json_object_get(m, "audit");
	if (want) { /* verifying */
		const char *h = json_string_value(json_object_get(want, "head"));
		if (json_integer_value(json_object_get(want, "entries")) != c.n || !h ||
		    strcmp(h, c.n ? head : ""))
			return ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: the audit log (%ld entries, head %s) is not the one "
			        "the manifest names",
			        path, c.n, c.n ? head : "none");
		return CTIP_OK;
	}
	json_object_set_new(
	        m, "audit",
	        json_pack("{s:I, s:s}", "entries", (json_int_t)c.n, "head", c.n ? head : ""));
	return CTIP_OK;
}

/* Copies schema `from` of src into the file at path, in steps (a progress bar). */
static int copy_db(sqlite3 *src, const char *from, const char *path, const char *label, ctip_err *e)
{
	sqlite3 *dst = NULL;
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		int rc = sq_err(dst, e, path, "cannot create");
		sqlite3_close(dst);
		return rc;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, from);
	if (!b) {
		int rc = sq_err(dst, e, path, "backup");
		sqlite3_close(dst);
		return rc;
	}
	int rc;
	do {
		rc = sqlite3_backup_step(b, STEP_PAGES);
		int total = sqlite3_backup_pagecount(b);
		ctip_progress_report(label, total - sqlite3_backup_remaining(b), total, "pages");
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	int ok = rc == SQLITE_DONE;
	if (!ok)
		ctip_err_set(e, CTIP_EDB, "%s: backup of %s failed: %s", path, from,
		             sqlite3_errstr(rc));
	if (sqlite3_close(dst) != SQLITE_OK && ok) {
		ok = 0;
		ctip_err_set(e, CTIP_EIO, "%s: cannot close", path);
	}
	return ok ? CTIP_OK : CTIP_EDB;
}

/* Opens db (and DB.audit as auditlog) for reading; immutable for a backup's files. */
static int open_pair(const char *db, int immutable, sqlite3 **out, ctip_err *e)
{
	char audit[4096], uri[8400];
	sqlite3 *h = NULL;
	snprintf(audit, sizeof(audit), "%s.audit", db);
	*out = NULL;
	if (access(db, F_OK))
		return ctip_err_set(e, CTIP_ENOTFOUND, "%s: no such database: %s", db,
		                    strerror(errno));
	if (access(audit, F_OK))
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: the audit log of %s is missing: a registry is backed up "
		                    "with its audit log",
		                    audit, db);
	if (immutable)
		uri_of(db, uri, sizeof(uri));
	else
		snprintf(uri, sizeof(uri), "%s", db);
	if (sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | (immutable ? SQLITE_OPEN_URI : 0),
	                    NULL) != SQLITE_OK) {
		int rc = sq_err(h, e, db, "cannot open");
		sqlite3_close(h);
		return rc;
	}
	sqlite3_busy_timeout(h, 30000);
	sqlite3_stmt *st;
	if (immutable)
		uri_of(audit, uri, sizeof(uri));
	else
		snprintf(uri, sizeof(uri), "%s", audit);
	if (sqlite3_prepare_v2(h, "ATTACH ?1 AS auditlog", -1, &st, NULL) != SQLITE_OK) {
		int rc = sq_err(h, e, audit, "cannot attach");
		sqlite3_close(h);
		return rc;
	}
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = sq_err(h, e, audit, "cannot attach");
		sqlite3_close(h);
		return rc;
	}
	*out = h;
	return CTIP_OK;
}

int ctip_backup_sqlite(const char *db, const char *dir, json_t *m, ctip_err *e)
{
	sqlite3 *h;
	char path[4096];
	long long v, n;
	int rc = open_pair(db, 0, &h, e);
	if (rc)
		return rc;
	/* one read transaction: the registry's snapshot first, then the audit log's */
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    one_int(h, "SELECT count(*) FROM main.sqlite_master", &n) ||
	    one_int(h, "SELECT count(*) FROM auditlog.sqlite_master", &n) ||
	    one_int(h, "PRAGMA main.user_version", &v)) {
		rc = sq_err(h, e, db, "cannot read");
		goto done;
	}
	if (v < 1) {
		rc = ctip_err_set(e, CTIP_EINVAL, "%s is not a ctip registry yet (run `ctip init`)",
		                  db);
		goto done;
	}
	json_object_set_new(m, "schema_version", json_integer(v));
	if ((rc = count_tables(h, "main", json_object_get(m, "tables"), db, e)) ||
	    (rc = count_tables(h, "auditlog", json_object_get(m, "tables"), db, e)) ||
	    (rc = audit_walk(h, db, m, e)))
		goto done;
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	if ((rc = copy_db(h, "main", path, "backup: the registry", e)))
		goto done;
	snprintf(path, sizeof(path), "%s/registry.db.audit", dir);
	if ((rc = copy_db(h, "auditlog", path, "backup: the audit log", e)))
		goto done;
	ctip_progress_finish();
	if (!(rc = ctip_backup_add_file(m, dir, "registry.db", e)))
		rc = ctip_backup_add_file(m, dir, "registry.db.audit", e);
done:
	ctip_progress_finish();
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}

int ctip_verify_sqlite(const char *dir, json_t *m, ctip_err *e)
{
	sqlite3 *h;
	char path[4096];
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	int rc = open_pair(path, 1, &h, e);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	const char *schemas[] = {"main", "auditlog"};
	for (int i = 0; i < 2 && !rc; i++) {
		char q[64];
		snprintf(q, sizeof(q), "PRAGMA %s.quick_check", schemas[i]);
		if (sqlite3_prepare_v2(h, q, -1, &st, NULL) != SQLITE_OK) {
			rc = sq_err(h, e, path, "integrity check");
			break;
		}
		if (sqlite3_step(st) != SQLITE_ROW ||
		    strcmp((const char *)sqlite3_column_text(st, 0), "ok"))
			rc = ctip_err_set(e, CTIP_EINVAL, "%s%s: damaged: %s", path,
			                  i ? ".audit" : "", sqlite3_errmsg(h));
		sqlite3_finalize(st);
	}
	json_t *have = json_object();
	long long v = 0;
	if (!rc && one_int(h, "PRAGMA main.user_version", &v))
		rc = sq_err(h, e, path, "schema version");
	if (!rc && v != json_integer_value(json_object_get(m, "schema_version")))
		rc = ctip_err_set(e, CTIP_EINVAL, "%s: schema version %lld, not the manifest's",
		                  path, v);
	if (!rc && !(rc = count_tables(h, "main", have, path, e)))
		rc = count_tables(h, "auditlog", have, path, e);
	if (!rc && !json_equal(have, json_object_get(m, "tables")))
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "%s: the rows of its tables are not those the manifest counts",
		                  path);
	json_decref(have);
	if (!rc)
		rc = audit_walk(h, path, m, e);
	sqlite3_close(h);
	return rc;
}

/* Removes path and its WAL and shared-memory files (a WAL left beside a restored file would
 * be replayed into it). */
static int remove_db(const char *path, ctip_err *e)
{
	const char *suffix[] = {"-wal", "-shm", "-journal", ""};
	char p[4200];
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		if (unlink(p) && errno != ENOENT)
			return ctip_err_set(e, CTIP_EIO, "%s: cannot remove: %s", p,
			                    strerror(errno));
	}
	return CTIP_OK;
}

/* The rows of a few tables of the registry at path, for a message ("" when unreadable). */
static void describe(const char *path, char *out, size_t n)
{
	sqlite3 *h = NULL;
	long long c = 0, p = 0;
	out[0] = 0;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    !one_int(h, "SELECT count(*) FROM cases", &c) &&
	    !one_int(h, "SELECT count(*) FROM person", &p))
		snprintf(out, n, " (%lld cases, %lld person records)", c, p);
	sqlite3_close(h);
}

int ctip_restore_sqlite(const char *dir, json_t *m, const char *target, int force, ctip_err *e)
{
	char src[4096], audit[4200], tmp[4200], tmp_audit[4300], what[100];
	struct stat sb;
	sqlite3 *h;
	int rc;
	snprintf(audit, sizeof(audit), "%s.audit", target);
	if (!force && ((!stat(target, &sb) && sb.st_size > 0) || !access(audit, F_OK))) {
		describe(target, what, sizeof(what));
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s already holds a registry%s: restore never overwrites one; "
		                    "restore to another --db, or add --force to replace it (stop "
		                    "`ctip serve` on it first)",
		                    target, what);
	}
	snprintf(src, sizeof(src), "%s/registry.db", dir);
	snprintf(tmp, sizeof(tmp), "%s.restoring", target);
	snprintf(tmp_audit, sizeof(tmp_audit), "%s.restoring", audit);
	if ((rc = remove_db(tmp, e)) || (rc = remove_db(tmp_audit, e)) ||
	    (rc = open_pair(src, 1, &h, e)))
		return rc;
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = sq_err(h, e, src, "cannot read");
	if (!rc)
		rc = copy_db(h, "main", tmp, "restore: the registry", e);
	if (!rc)
		rc = copy_db(h, "auditlog", tmp_audit, "restore: the audit log", e);
	ctip_progress_finish();
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	/* into place: the old files (with --force) and their WALs go first */
	if (!rc && !(rc = remove_db(target, e)) && !(rc = remove_db(audit, e))) {
		if (rename(tmp_audit, audit) || rename(tmp, target))
			rc = ctip_err_set(e, CTIP_EIO, "%s: cannot move into place: %s", target,
			                  strerror(errno));
	}
	if (rc) {
		remove_db(tmp, NULL);
		remove_db(tmp_audit, NULL);
	}
	return rc;
}
