/*
 * store_sqlite_audit.c - the audit log on SQLite: its own file DB.audit (created by
 * migration 7, attached to every connection), appending entries with their hash chain,
 * reading them back by object through an index built in arrears, and the entries written
 * ahead by the server (migration 0016).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_sqlite_int.h"

/* ---- the audit log's own file ---------------------------------------------------------
 * From schema 7 on, the audit log is DB.audit, attached to every connection as `auditlog`:
 * its commits (the server's group commits, hundreds a second) then never change the
 * registry's file or WAL. In WAL mode every commit to a file makes each reader of that file
 * drop its page cache, and searches, which touch many pages, paid for it on every commit.
 * The file is created only by migration 7 (`ctip init`); a database of schema 7 or more
 * whose audit file is missing is refused, never given a new, empty log that would hide the
 * loss. */

#define AUDIT_SCHEMA                                                                               \
	"PRAGMA journal_mode = WAL; "                                                              \
	"CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, "             \
	"actor TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL, "                        \
	"detail TEXT NOT NULL DEFAULT '', prev_hash TEXT NOT NULL, hash TEXT NOT NULL); "          \
	"CREATE TABLE IF NOT EXISTS audit_by_object (seg INTEGER NOT NULL, object TEXT NOT NULL, " \
	"id INTEGER NOT NULL, PRIMARY KEY (seg, object, id)) WITHOUT ROWID; "                      \
	"CREATE TABLE IF NOT EXISTS audit_segment (seg INTEGER PRIMARY KEY); "                     \
	"CREATE TABLE IF NOT EXISTS audit_indexed (last INTEGER NOT NULL); "                       \
	"INSERT INTO audit_indexed SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM audit_indexed);"

/* The entries by object (`ctip audit log --person`) are indexed in arrears, in segments. An
 * index on object kept up to date entry by entry dirtied a random leaf per entry, so every
 * group commit wrote about one page per entry (0.3 ms of the server's CPU per search of 20
 * hits); sorting larger batches into one index does not help for long, as the index outgrows
 * the batch. So the appender indexes the new entries in chunks (AUDIT_INDEX_CHUNK objects)
 * into the open segment, closed at AUDIT_INDEX_EVERY rows (audit_by_object keyed by segment,
 * object, id: a segment is written near the end of the B-tree); a lookup seeks the object in
 * each segment (audit_segment) and
 * scans the entries after audit_indexed.last. audit verify checks that the index matches the
 * log (a row deleted from it would hide a view from --person). */
#define AUDIT_INDEX_EVERY 8192
#define AUDIT_INDEX_CHUNK 1024 /* indexed at a time, into the open segment (audit_catch_up) */
/* One index row per object an entry names: an entry of action search_hit names every record
 * a page of search results showed, separated by spaces (one entry per search, not per record:
 * the server's audit cost a quarter of its CPU per search before). */
/* (and an export_records entry every record an export wrote: cli/cmd_export.c) */
#define AUDIT_LIST      "action IN ('search_hit', 'export_records')"
#define AUDIT_HAS(a, o) "instr(' ' || " a " || ' ', ' ' || " o " || ' ') > 0"
#define AUDIT_NAMES(t)                                                                             \
	"CASE WHEN " t "." AUDIT_LIST " THEN length(" t ".object) - length(replace(" t             \
	".object, ' ', '')) + 1 ELSE 1 END"
#define AUDIT_CATCH_UP                                                                             \
	"INSERT INTO auditlog.audit_segment SELECT last + 1 FROM auditlog.audit_indexed WHERE "    \
	"EXISTS (SELECT 1 FROM auditlog.audit WHERE id > last); "                                  \
	"WITH RECURSIVE split(id, obj, rest) AS (SELECT id, '', object || ' ' FROM "               \
	"auditlog.audit WHERE id > (SELECT last FROM auditlog.audit_indexed) AND " AUDIT_LIST      \
	" UNION ALL SELECT id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, "   \
	"' ') + 1) FROM split WHERE rest <> '') "                                                  \
	"INSERT OR IGNORE INTO auditlog.audit_by_object SELECT (SELECT last + 1 FROM "             \
	"auditlog.audit_indexed), o, i FROM (SELECT obj AS o, id AS i FROM split WHERE obj <> '' " \
	"UNION ALL SELECT object, id FROM auditlog.audit WHERE id > (SELECT last FROM "            \
	"auditlog.audit_indexed) AND NOT " AUDIT_LIST ") ORDER BY o, i; "                          \
	"UPDATE auditlog.audit_indexed SET last = coalesce((SELECT max(id) FROM auditlog.audit), " \
	"0);"

static void audit_path(const sqlite_store *s, char *out, size_t n)
{
	snprintf(out, n, "%s.audit", s->base.path);
}

/* Creates DB.audit with its table when missing (migration 7 only). */
static int audit_create(sqlite_store *s, ctip_err *e)
{
	char path[1100];
	sqlite3 *db = NULL;
	char *msg = NULL;
	audit_path(s, path, sizeof(path));
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA busy_timeout = 10000; " AUDIT_SCHEMA, NULL, NULL,
		                  &msg);
	if (rc != SQLITE_OK)
		rc = ctip_err_set(e, CTIP_EDB, "%s: cannot create the audit log: %s", path,
		                  msg  ? msg
		                  : db ? sqlite3_errmsg(db)
		                       : "out of memory");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

/* Checkpoints per file (replaces SQLite's auto-checkpoint, one threshold for every file):
 * the registry's WAL at 1,000 pages (16 MB) as before; the audit log's at 10,000 of its 4 KiB
 * pages (40 MB), so that the audit writer checkpoints (and syncs) less often. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	(void)ctx;
	if (pages >= (strcmp(name, "auditlog") ? 1000 : 10000))
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

int sq_audit_attach(sqlite_store *s, ctip_err *e)
{
	char path[1100];
	struct stat sb;
	sqlite3_stmt *st;
	audit_path(s, path, sizeof(path));
	if (stat(path, &sb) != 0)
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "%s: the audit log of %s is missing: restore it from the backup "
		        "together with the database (ctip does not start a new, empty "
		        "log for a database that has one: it would hide the loss)",
		        path, s->base.path);
	if (sqlite3_prepare_v2(s->db, "ATTACH ?1 AS auditlog", -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "audit log");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ctip_err_set(e, CTIP_EDB, "%s: cannot open the audit log: %s", path,
		                    sqlite3_errmsg(s->db));
	s->audit_attached = 1;
	sqlite3_wal_hook(s->db, wal_hook, NULL);
	/* room for the pages an indexing of the newest entries reads (SQLite's default is 2 MB) */
	return sq_exec_sql(
	        s, "PRAGMA auditlog.synchronous = NORMAL; PRAGMA auditlog.cache_size = -131072", e);
}

static int count_where(sqlite_store *s, const char *sql, long *n, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "audit log");
	*n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return *n < 0 ? sq_db_err(s, e, "audit log") : CTIP_OK;
}

/* Migration 7, first half: copies the entries of the registry's table audit into DB.audit,
 * ids and hashes unchanged, and checks that the file now holds exactly those entries; the
 * second half (0007_audit_file.sql) drops the table. The two files cannot change in one
 * atomic transaction, so each step can be run again: an interrupted init finishes the job. */
int sq_audit_move(sqlite_store *s, ctip_err *e)
{
	char path[1100];
	long missing, extra;
	int rc;
	audit_path(s, path, sizeof(path));
	if ((rc = audit_create(s, e)) || (!s->audit_attached && (rc = sq_audit_attach(s, e))))
		return rc;
	if ((rc = sq_exec_sql(s,
	                      "BEGIN IMMEDIATE; INSERT INTO auditlog.audit SELECT id, at, actor, "
	                      "action, object, detail, prev_hash, hash FROM main.audit WHERE id > "
	                      "(SELECT coalesce(max(id), 0) FROM auditlog.audit) ORDER BY "
	                      "id; " AUDIT_CATCH_UP " COMMIT",
	                      e))) {
		sq_exec_sql(s, "ROLLBACK", NULL);
		return rc;
	}
	if ((rc = count_where(s,
	                      "SELECT count(*) FROM main.audit m WHERE NOT EXISTS (SELECT 1 FROM "
	                      "auditlog.audit a WHERE a.id = m.id AND a.hash = m.hash)",
	                      &missing, e)) ||
	    (rc = count_where(s,
	                      "SELECT count(*) FROM auditlog.audit a WHERE NOT EXISTS (SELECT 1 "
	                      "FROM main.audit m WHERE m.id = a.id AND m.hash = a.hash)",
	                      &extra, e)))
		return rc;
	if (missing || extra)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s holds %ld audit entries that %s does not (and lacks %ld of "
		                    "its): it is not this database's audit log; move it away and "
		                    "run `ctip init` again",
		                    path, extra, s->base.path, missing);
	return CTIP_OK;
}

int sq_audit_add(ctip_store *base, const struct ctip_audit_entry *a, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = sq_stmt(s, S_AUDIT_ADD, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_text(st, 2, a->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->hash, -1, SQLITE_STATIC);
	s->audit_objects++;
	if (!strcmp(a->action, "search_hit") || !strcmp(a->action, "export_records"))
		for (const char *p = a->object; (p = strchr(p, ' ')); p++)
			s->audit_objects++;
	return sq_exec_done(s, st, e);
}

int sq_audit_begin(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	/* BEGIN IMMEDIATE would take the registry's write lock too; a deferred transaction
	 * whose first statement writes to the audit file takes that file's lock alone (and
	 * waits for it under the busy timeout: no snapshot is held yet) */
	int rc = sq_exec_sql(s, "BEGIN; UPDATE auditlog.audit_indexed SET last = last", e);
	s->in_tx = 1;
	if (rc)
		sq_rollback(base);
	return rc;
}

int sq_audit_each(ctip_store *base, const char *object,
                  int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc = CTIP_OK, step;
	if (sqlite3_prepare_v2(
	            s->db,
	            object ? "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM "
	                     "auditlog.audit WHERE id IN (SELECT b.id FROM auditlog.audit_segment "
	                     "g "
	                     "CROSS JOIN auditlog.audit_by_object b ON b.seg = g.seg AND b.object "
	                     "= ?1 "
	                     "UNION ALL SELECT id FROM auditlog.audit WHERE id > "
	                     "(SELECT last FROM auditlog.audit_indexed) AND (object = ?1 OR "
	                     "(" AUDIT_LIST " AND " AUDIT_HAS("object", "?1") "))) ORDER BY id"
	                   : "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM "
	                     "auditlog.audit ORDER BY id",
	            -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "audit");
	if (object)
		sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_audit_entry a = {
		        .id = sqlite3_column_int64(st, 0),
		        .at = sq_col(st, 1) ? sq_col(st, 1) : "",
		        .actor = sq_col(st, 2) ? sq_col(st, 2) : "",
		        .action = sq_col(st, 3) ? sq_col(st, 3) : "",
		        /* an entry naming several records is shown for the one asked for only */
		        .object = object          ? object
		                  : sq_col(st, 4) ? sq_col(st, 4)
		                                  : "",
		        .detail = sq_col(st, 5) ? sq_col(st, 5) : "",
		        .prev_hash = sq_col(st, 6) ? sq_col(st, 6) : "",
		        .hash = sq_col(st, 7) ? sq_col(st, 7) : "",
		};
		rc = cb(ctx, &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = sq_db_err(s, e, "audit");
	sqlite3_finalize(st);
	long off = 0;
	/* the whole log was read (audit verify): its index by object must match it */
	if (rc == CTIP_OK && !object &&
	    (rc = count_where(s,
	                      "SELECT (SELECT count(*) FROM auditlog.audit_by_object b WHERE NOT "
	                      "EXISTS (SELECT 1 FROM auditlog.audit a WHERE a.id = b.id AND "
	                      "(a.object = b.object OR (a." AUDIT_LIST " AND " AUDIT_HAS(
	                              "a.object", "b.object") ")))) + abs((SELECT "
	                                                      "coalesce(sum(" AUDIT_NAMES(
	                                                              "a") "), 0) FROM "
	                                                                   "auditlog.audit a "
	                                                                   "WHERE id <= (SELECT "
	                                                                   "last FROM "
	                                                                   "auditlog.audit_"
	                                                                   "indexed)) - (SELECT "
	                                                                   "count(*) FROM "
	                                                                   "auditlog.audit_by_"
	                                                                   "object))",
	                      &off, e)) == CTIP_OK &&
	    off)
		rc = ctip_err_set(
		        e, CTIP_EINVAL,
		        "the index of the audit log by person does not match the log (%ld "
		        "entries differ): entries may be hidden from `audit log --person`",
		        off);
	return rc;
}

struct audit_row {
	size_t off; /* of the object in the text of the objects, which may move while read */
	const char *object;
	int64_t id;
};

static int audit_row_cmp(const void *a, const void *b)
{
	const struct audit_row *x = a, *y = b;
	int c = strcmp(x->object, y->object);
	return c ? c : x->id < y->id ? -1 : x->id > y->id;
}

/* AUDIT_CATCH_UP, with the lists of search_hit entries split in C (splitting them in SQL took
 * three times as long), and in chunks: the entries after audit_indexed.last naming up to
 * `chunk` objects (0: all) go into the open segment of audit_by_object, in order of object and
 * id; a segment is closed at AUDIT_INDEX_EVERY rows. Writing 8,192 rows at once held every
 * request waiting for its audit for 25 ms or more, several times a second under load; 1,024
 * at a time take a few. Inside the appender's transaction. */
static int audit_catch_up(sqlite_store *s, long chunk, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	struct audit_row *v = NULL;
	char *text = NULL; /* the objects, NUL-separated */
	size_t n = 0, cap = 0, tn = 0, tcap = 0;
	int64_t last = 0, seg = 0, seg_rows = AUDIT_INDEX_EVERY;
	int rc = CTIP_OK, step = SQLITE_DONE;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT last, (SELECT max(seg) FROM auditlog.audit_segment) FROM "
	                       "auditlog.audit_indexed",
	                       -1, &st, NULL) ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = sq_db_err(s, e, "audit index");
		goto out;
	}
	last = sqlite3_column_int64(st, 0);
	seg = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	if (seg) { /* the rows of the last segment: below AUDIT_INDEX_EVERY it is still open */
		if (sqlite3_prepare_v2(
		            s->db, "SELECT count(*) FROM auditlog.audit_by_object WHERE seg = ?",
		            -1, &st, NULL)) {
			rc = sq_db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_bind_int64(st, 1, seg);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = sq_db_err(s, e, "audit index");
			goto out;
		}
		seg_rows = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
	}
	int fresh = seg_rows >= AUDIT_INDEX_EVERY;
	if (fresh)
		seg = last + 1;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT id, " AUDIT_LIST ", object FROM auditlog.audit WHERE "
	                       "id > ? ORDER BY id",
	                       -1, &st, NULL)) {
		rc = sq_db_err(s, e, "audit index");
		goto out;
	}
	sqlite3_bind_int64(st, 1, last);
	while ((!chunk || (long)n < chunk) && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = sq_col(st, 2) ? sq_col(st, 2) : "";
		size_t on = strlen(o) + 1;
		int list = sqlite3_column_int(st, 1);
		last = sqlite3_column_int64(st, 0);
		if (tn + on > tcap) {
			size_t c = tcap ? tcap * 2 : 65536;
			while (tn + on > c)
				c *= 2;
			char *g = realloc(text, c);
			if (!g)
				goto oom;
			text = g;
			tcap = c;
		}
		char *w = text + tn;
		memcpy(w, o, on);
		tn += on;
		for (char *t = w, *end = w + on - 1; t <= end;) {
			char *sp = list ? strchr(t, ' ') : NULL;
			if (sp)
				*sp = 0;
			if (*t || !list) {
				if (n == cap) {
					size_t c = cap ? cap * 2 : 4096;
					struct audit_row *g = realloc(v, c * sizeof(*v));
					if (!g)
						goto oom;
					v = g;
					cap = c;
				}
				v[n++] = (struct audit_row){(size_t)(t - text), NULL, last};
			}
			if (!sp)
				break;
			t = sp + 1;
		}
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		rc = sq_db_err(s, e, "audit index");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!n)
		goto out;
	for (size_t i = 0; i < n; i++)
		v[i].object = text + v[i].off;
	qsort(v, n, sizeof(*v), audit_row_cmp);
	if (fresh) {
		if (sqlite3_prepare_v2(s->db, "INSERT INTO auditlog.audit_segment VALUES (?)", -1,
		                       &st, NULL)) {
			rc = sq_db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_bind_int64(st, 1, seg);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sq_db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT OR IGNORE INTO auditlog.audit_by_object VALUES (?, ?, ?)",
	                       -1, &st, NULL)) {
		rc = sq_db_err(s, e, "audit index");
		goto out;
	}
	for (size_t i = 0; i < n && rc == CTIP_OK; i++) {
		sqlite3_bind_int64(st, 1, seg);
		sqlite3_bind_text(st, 2, v[i].object, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, v[i].id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sq_db_err(s, e, "audit index");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == CTIP_OK) {
		if (sqlite3_prepare_v2(s->db, "UPDATE auditlog.audit_indexed SET last = ?", -1, &st,
		                       NULL)) {
			rc = sq_db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_bind_int64(st, 1, last);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sq_db_err(s, e, "audit index");
	}
	goto out;
oom:
	rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
out:
	sqlite3_finalize(st);
	free(v);
	free(text);
	return rc;
}

int sq_audit_index(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = sq_audit_begin(base, e);
	s->audit_objects = 0;
	if (rc == CTIP_OK && (rc = audit_catch_up(s, 0, e)) == CTIP_OK)
		rc = sq_commit(base, e);
	if (rc)
		sq_rollback(base);
	return rc;
}

/* ---- audit entries written ahead (migration 0016) ---- */

int sq_audit_pend(ctip_store *base, const struct ctip_audit_entry *a, int64_t *pid, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO main.audit_pending(at, actor, action, object, detail) "
	                       "VALUES (?, ?, ?, ?, ?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "audit pending");
	sqlite3_bind_text(st, 1, a->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->detail, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : sq_db_err(s, e, "audit pending");
	sqlite3_finalize(st);
	*pid = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int sq_audit_pend_mark(ctip_store *base, int64_t first, int64_t last, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            s->db,
	            "WITH RECURSIVE n(p) AS (SELECT ?1 UNION ALL SELECT p + 1 FROM n "
	            "WHERE p < ?2) INSERT INTO auditlog.audit_from_pending SELECT p FROM n",
	            -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "audit pending");
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : sq_db_err(s, e, "audit pending");
	sqlite3_finalize(st);
	return rc;
}

int sq_audit_pend_forget(ctip_store *base, int64_t before, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	/* the registry's copies first: committed before the audit file's list, they are never
	 * dropped while the list that vouches for them could still be lost */
	static const char *const sql[] = {
	        "DELETE FROM main.audit_pending WHERE pid < ?1 AND pid IN (SELECT pid FROM "
	        "auditlog.audit_from_pending)",
	        "DELETE FROM auditlog.audit_from_pending WHERE pid < ?1 AND pid NOT IN (SELECT pid "
	        "FROM main.audit_pending)"};
	for (int i = 0; i < 2; i++) {
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return sq_db_err(s, e, "audit pending");
		sqlite3_bind_int64(st, 1, before);
		int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK
		                                         : sq_db_err(s, e, "audit pending");
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	return CTIP_OK;
}

int sq_audit_pend_each(ctip_store *base,
                       int (*cb)(void *ctx, int64_t pid, const struct ctip_audit_entry *a),
                       void *ctx, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            s->db,
	            "SELECT pid, at, actor, action, object, detail FROM main.audit_pending "
	            "WHERE pid NOT IN (SELECT pid FROM auditlog.audit_from_pending) ORDER "
	            "BY pid",
	            -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "audit pending");
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_audit_entry a = {.at = sq_col(st, 1),
		                             .actor = sq_col(st, 2),
		                             .action = sq_col(st, 3),
		                             .object = sq_col(st, 4),
		                             .detail = sq_col(st, 5)};
		rc = cb(ctx, sqlite3_column_int64(st, 0), &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = sq_db_err(s, e, "audit pending");
	sqlite3_finalize(st);
	return rc;
}

int sq_audit_last(ctip_store *base, int64_t *id, char hash[129], ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = sq_stmt(s, S_AUDIT_LAST, e);
	if (!st)
		return CTIP_EDB;
	*id = 0;
	hash[0] = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(hash, 129, "%s", sq_col(st, 1) ? sq_col(st, 1) : "");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_db_err(s, e, "audit");
	/* called by the appender inside its transaction: index the entries in arrears */
	if (!(st = sq_stmt(s, S_AUDIT_INDEXED, e)))
		return CTIP_EDB;
	rc = sqlite3_step(st);
	int64_t indexed = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return sq_db_err(s, e, "audit");
	if (*id - indexed < AUDIT_INDEX_CHUNK && s->audit_objects < AUDIT_INDEX_CHUNK)
		return CTIP_OK;
	s->audit_objects = 0;
	return audit_catch_up(s, AUDIT_INDEX_CHUNK, e);
}
