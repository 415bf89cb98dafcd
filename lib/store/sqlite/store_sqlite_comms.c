/*
 * store_sqlite_comms.c - the communications tracker's storage on SQLite (store_comms.h,
 * migration 0030). A row a time, at an analyst's pace, so statements are prepared per call.
 * The body is sealed like casework's free text (store_sqlite_sealed.h).
 */
#include "store_comms.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comms.h"
#include "store_sqlite_sealed.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

/* Binds the listed columns of c from index 1: kind, sender, subject, received, due, status,
 * in_reply_to, updated_at. */
static void bind_fields(sqlite3_stmt *st, const struct ctip_comm *c)
{
	sqlite3_bind_text(st, 1, c->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->sender, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, c->subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->received, -1, SQLITE_TRANSIENT);
	ctip_sqlite_bind_opt(st, 5, c->due);
	sqlite3_bind_text(st, 6, c->status, -1, SQLITE_TRANSIENT);
	ctip_sqlite_bind_opt(st, 7, c->in_reply_to);
	sqlite3_bind_text(st, 8, c->updated_at, -1, SQLITE_TRANSIENT);
}

static int add(ctip_store *s, const struct ctip_comm *c, const char *body, int64_t *id, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        "INSERT INTO communication (kind, sender, subject, received, due, status, "
	        "in_reply_to, updated_at, org_id, ref, created_by, created_at) VALUES (?1, ?2, ?3, "
	        "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?8)",
	        e);
	if (!st)
		return CTIP_EDB;
	bind_fields(st, c);
	sqlite3_bind_int64(st, 9, c->org_id);
	sqlite3_bind_text(st, 10, c->ref, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, c->created_by, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((step & 0xff) == SQLITE_CONSTRAINT)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "ref",
		                   "the organisation already has a communication '%s' (ctip comms "
		                   "show '%s'; a reply has its own reference)",
		                   c->ref, c->ref);
	if (step != SQLITE_DONE)
		return ctip_sqlite_fail(s, e, "communications");
	*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	return ctip_sqlite_put_sealed(s, "communication", "body_sealed", *id, body, e);
}

static int update(ctip_store *s, const struct ctip_comm *c, const char *body, ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "UPDATE communication SET kind = ?1, sender = ?2, subject = "
	                         "?3, received = ?4, due = ?5, status = ?6, in_reply_to = ?7, "
	                         "updated_at = ?8, version = version + 1 WHERE id = ?9 AND "
	                         "version = ?10",
	                         e);
	if (!st)
		return CTIP_EDB;
	bind_fields(st, c);
	sqlite3_bind_int64(st, 9, c->id);
	sqlite3_bind_int64(st, 10, c->version);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return ctip_sqlite_fail(s, e, "communications");
	if (sqlite3_changes(ctip_store_sqlite_db(s)) == 0) {
		/* a stale version, or no such row: which, for the message */
		sqlite3_stmt *q =
		        ctip_sqlite_prep(s, "SELECT version FROM communication WHERE id = ?", e);
		if (!q)
			return CTIP_EDB;
		sqlite3_bind_int64(q, 1, c->id);
		int found = sqlite3_step(q) == SQLITE_ROW;
		long long now = found ? sqlite3_column_int64(q, 0) : 0;
		sqlite3_finalize(q);
		if (!found)
			return ctip_err_set(e, CTIP_ENOTFOUND, "no such communication");
		return ctip_err_set(e, CTIP_ECONFLICT,
		                    "communication '%s' was saved by someone else since you opened "
		                    "it (version %lld, yours %lld): reload it and make your change "
		                    "again",
		                    c->ref, now, (long long)c->version);
	}
	return ctip_sqlite_put_sealed(s, "communication", "body_sealed", c->id, body, e);
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", v ? (const char *)v : "");
}

static int list(ctip_store *s, int64_t org_id, int64_t id, const char *ref,
                int (*cb)(void *ctx, const struct ctip_comm *c, const char *body), void *ctx,
                ctip_err *e)
{
	/* only the filters given (`?2 = 0 OR c.id = ?2` is planned as a scan whatever ?2 is): ?1
	 * the organisation, ?2 the id, ?3 the reference */
	char sql[700];
	int w = snprintf(sql, sizeof(sql),
	                 "SELECT c.id, c.org_id, o.name, c.ref, c.kind, c.sender, c.subject, "
	                 "c.received, c.due, c.status, c.in_reply_to, c.created_by, c.created_at, "
	                 "c.updated_at, c.version, c.body_sealed FROM communication c JOIN "
	                 "organisation o ON o.id = c.org_id WHERE 1");
	if (org_id)
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND c.org_id = ?1");
	if (id)
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND c.id = ?2");
	if (ref)
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND c.ref = ?3 COLLATE NOCASE");
	snprintf(sql + w, sizeof(sql) - (size_t)w, " ORDER BY c.received DESC, c.id DESC");
	sqlite3_stmt *st = ctip_sqlite_prep(s, sql, e);
	if (!st)
		return CTIP_EDB;
	if (org_id)
		sqlite3_bind_int64(st, 1, org_id);
	if (id)
		sqlite3_bind_int64(st, 2, id);
	if (ref)
		ctip_sqlite_bind_opt(st, 3, ref);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_comm c = {.id = sqlite3_column_int64(st, 0),
		                      .org_id = sqlite3_column_int64(st, 1),
		                      .version = sqlite3_column_int64(st, 14)};
		copy_col(c.org, sizeof(c.org), st, 2);
		copy_col(c.ref, sizeof(c.ref), st, 3);
		copy_col(c.kind, sizeof(c.kind), st, 4);
		copy_col(c.sender, sizeof(c.sender), st, 5);
		copy_col(c.subject, sizeof(c.subject), st, 6);
		copy_col(c.received, sizeof(c.received), st, 7);
		copy_col(c.due, sizeof(c.due), st, 8);
		copy_col(c.status, sizeof(c.status), st, 9);
		copy_col(c.in_reply_to, sizeof(c.in_reply_to), st, 10);
		copy_col(c.created_by, sizeof(c.created_by), st, 11);
		copy_col(c.created_at, sizeof(c.created_at), st, 12);
		copy_col(c.updated_at, sizeof(c.updated_at), st, 13);
		char *body = NULL;
		rc = ctip_sqlite_get_sealed(s, st, 15, "communication.body_sealed", c.id, &body, e);
		if (rc == CTIP_OK)
			rc = cb(ctx, &c, body ? body : "{}"); /* a ctip code; e set when not 0 */
		free(body);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "communications");
	sqlite3_finalize(st);
	return rc;
}

const struct ctip_comms_ops ctip_sqlite_comms_ops = {
        .add = add,
        .update = update,
        .list = list,
};
