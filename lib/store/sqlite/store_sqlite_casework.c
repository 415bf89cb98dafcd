/*
 * store_sqlite_casework.c - casework's storage on SQLite (store_casework.h, migration 0017).
 * Statements are prepared per call: casework writes a row at a time, at a caseworker's pace.
 * Free text is sealed under the store's key, bound to "table.column:id", as store_sqlite_seal.c
 * seals case comments; a row is inserted first and its sealed text written once its id is
 * known.
 */
#include "store_casework.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "facts.h"
#include "store_sqlite_sealed.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

/* Steps a statement that returns no row, then finalizes it. */
static int run(ctip_store *s, sqlite3_stmt *st, const char *what, ctip_err *e)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : ctip_sqlite_fail(s, e, what);
	sqlite3_finalize(st);
	return rc;
}

static int no_key(ctip_store *s, ctip_err *e)
{
	return ctip_err_set(e, CTIP_EINVAL,
	                    "%s: the key is not loaded: free text is sealed under it (give --key "
	                    "or $CTIP_KEY)",
	                    s->path);
}

/* Writes v sealed for "what:id" into column of table's row id (NULL when v is empty). */
static int put_sealed(ctip_store *s, const char *table, const char *column, int64_t id,
                      const char *v, ctip_err *e)
{
	if (!v || !*v)
		return CTIP_OK;
	if (!s->crypto)
		return no_key(s, e);
	char ad[96], sql[160];
	int an = snprintf(ad, sizeof(ad), "%s.%s:%lld", table, column, (long long)id);
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ? WHERE id = ?", table, column);
	size_t n = strlen(v);
	unsigned char *b = malloc(n + CTIP_SEAL_OVERHEAD);
	if (!b)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	ctip_seal(s->crypto, v, n, ad, (size_t)an, b);
	sqlite3_stmt *st = ctip_sqlite_prep(s, sql, e);
	if (!st) {
		free(b);
		return CTIP_EDB;
	}
	sqlite3_bind_blob(st, 1, b, (int)(n + CTIP_SEAL_OVERHEAD), free);
	sqlite3_bind_int64(st, 2, id);
	return run(s, st, table, e);
}

/* Opens column i of st, sealed for "table.column:id", into *out (malloc'd; NULL for NULL). */
static int get_sealed(ctip_store *s, sqlite3_stmt *st, int i, const char *what, int64_t id,
                      char **out, ctip_err *e)
{
	const unsigned char *b = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	*out = NULL;
	if (!b)
		return CTIP_OK;
	if (!s->crypto)
		return no_key(s, e);
	char ad[96];
	int an = snprintf(ad, sizeof(ad), "%s:%lld", what, (long long)id);
	char *m = n >= CTIP_SEAL_OVERHEAD ? malloc((size_t)n - CTIP_SEAL_OVERHEAD + 1) : NULL;
	if (!m || ctip_unseal(s->crypto, b, (size_t)n, ad, (size_t)an, (unsigned char *)m)) {
		free(m);
		return ctip_err_set(
		        e, CTIP_EDB,
		        "%s: the sealed value %s does not open: it was altered or moved, "
		        "or the key is not the one it was sealed with",
		        s->path, ad);
	}
	m[n - CTIP_SEAL_OVERHEAD] = 0;
	*out = m;
	return CTIP_OK;
}

static void copy(char *dst, size_t n, const char *v)
{
	snprintf(dst, n, "%s", v ? v : "");
}

static int work_get(ctip_store *s, int64_t case_id, struct ctip_cw_work *w, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        "SELECT c.org_id, o.name, c.src_case_id, c.status, coalesce(w.stage, "
	        "'identification'), w.assigned_to, coalesce(w.plan_approved, 0), "
	        "coalesce(w.followup, 'none') FROM cases c JOIN organisation o ON o.id = "
	        "c.org_id LEFT JOIN case_work w ON w.case_id = c.id WHERE c.id = ?",
	        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(w, 0, sizeof(*w));
		w->case_id = case_id;
		w->org_id = sqlite3_column_int64(st, 0);
		copy(w->org, sizeof(w->org), ctip_sqlite_col(st, 1));
		copy(w->src_case_id, sizeof(w->src_case_id), ctip_sqlite_col(st, 2));
		copy(w->status, sizeof(w->status), ctip_sqlite_col(st, 3));
		copy(w->stage, sizeof(w->stage), ctip_sqlite_col(st, 4));
		copy(w->assigned, sizeof(w->assigned), ctip_sqlite_col(st, 5));
		w->plan_approved = sqlite3_column_int(st, 6);
		copy(w->followup, sizeof(w->followup), ctip_sqlite_col(st, 7));
		rc = CTIP_OK;
	} else {
		rc = rc == SQLITE_DONE ? ctip_err_set(e, CTIP_ENOTFOUND, "no such case C%lld",
		                                      (long long)case_id)
		                       : ctip_sqlite_fail(s, e, "case work");
	}
	sqlite3_finalize(st);
	return rc;
}

static int work_set(ctip_store *s, const struct ctip_cw_work *w, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        "INSERT INTO case_work(case_id, stage, assigned_to, plan_approved, followup) "
	        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(case_id) DO UPDATE SET stage = ?2, "
	        "assigned_to = ?3, plan_approved = ?4, followup = ?5, updated_at = "
	        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
	        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, w->case_id);
	ctip_sqlite_bind_opt(st, 2, w->stage);
	ctip_sqlite_bind_opt(st, 3, w->assigned);
	sqlite3_bind_int(st, 4, w->plan_approved);
	ctip_sqlite_bind_opt(st, 5, w->followup);
	return run(s, st, "case work", e);
}

static int case_status_set(ctip_store *s, int64_t case_id, const char *status, const char *closed,
                           ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "UPDATE cases SET status = ?2, closed = coalesce(?3, closed) "
	                         "WHERE id = ?1",
	                         e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	ctip_sqlite_bind_opt(st, 2, status);
	ctip_sqlite_bind_opt(st, 3, closed);
	return run(s, st, "case status", e);
}

static int approval_add(ctip_store *s, const struct ctip_cw_approval *a, int64_t *id, ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "INSERT INTO case_approval(case_id, kind, requested_by, "
	                         "requested_at) VALUES (?, ?, ?, ?)",
	                         e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a->case_id);
	ctip_sqlite_bind_opt(st, 2, a->kind);
	ctip_sqlite_bind_opt(st, 3, a->requested_by);
	ctip_sqlite_bind_opt(st, 4, a->requested_at);
	int rc = run(s, st, "approval", e);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	return put_sealed(s, "case_approval", "request_sealed", *id, a->request_comment, e);
}

static int approval_decide(ctip_store *s, int64_t id, const char *status, const char *by,
                           const char *comment, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        "UPDATE case_approval SET status = ?2, decided_by = ?3, decided_at = "
	        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1 AND status = 'requested'",
	        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, id);
	ctip_sqlite_bind_opt(st, 2, status);
	ctip_sqlite_bind_opt(st, 3, by);
	int rc = run(s, st, "approval", e);
	if (rc)
		return rc;
	if (sqlite3_changes(ctip_store_sqlite_db(s)) != 1)
		return ctip_err_set(e, CTIP_EINVAL, "approval %lld was already decided",
		                    (long long)id);
	return put_sealed(s, "case_approval", "comment_sealed", id, comment, e);
}

static int approval_list(ctip_store *s, int64_t id, int64_t case_id, int64_t org_id,
                         const char *status, int (*cb)(void *ctx, const struct ctip_cw_approval *a),
                         void *ctx, ctip_err *e)
{
	/* only the filters given are in the statement: with "?2 = 0 OR a.case_id = ?2" SQLite
	 * reads every approval (an OR of a parameter is not an index's), at every case's casework
	 */
	char sql[600];
	size_t k = (size_t)snprintf(sql, sizeof(sql),
	                            "SELECT a.id, a.case_id, a.kind, a.status, a.requested_by, "
	                            "a.requested_at, a.request_sealed, a.decided_by, a.decided_at, "
	                            "a.comment_sealed FROM case_approval a JOIN cases c ON c.id = "
	                            "a.case_id WHERE 1");
	if (id)
		k += (size_t)snprintf(sql + k, sizeof(sql) - k, " AND a.id = ?1");
	if (case_id)
		k += (size_t)snprintf(sql + k, sizeof(sql) - k, " AND a.case_id = ?2");
	if (org_id)
		k += (size_t)snprintf(sql + k, sizeof(sql) - k, " AND c.org_id = ?3");
	if (status)
		k += (size_t)snprintf(sql + k, sizeof(sql) - k, " AND a.status = ?4");
	snprintf(sql + k, sizeof(sql) - k, " ORDER BY a.id");
	sqlite3_stmt *st = ctip_sqlite_prep(s, sql, e);
	if (!st)
		return CTIP_EDB;
	/* (a parameter the statement lacks is refused by its bind, harmlessly) */
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, case_id);
	sqlite3_bind_int64(st, 3, org_id);
	ctip_sqlite_bind_opt(st, 4, status);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_cw_approval a = {
		        .id = sqlite3_column_int64(st, 0),
		        .case_id = sqlite3_column_int64(st, 1),
		        .kind = ctip_sqlite_col(st, 2),
		        .status = ctip_sqlite_col(st, 3),
		        .requested_by = ctip_sqlite_col(st, 4),
		        .requested_at = ctip_sqlite_col(st, 5),
		        .decided_by = ctip_sqlite_col(st, 7),
		        .decided_at = ctip_sqlite_col(st, 8),
		};
		char *req = NULL, *com = NULL;
		if (!(rc = get_sealed(s, st, 6, "case_approval.request_sealed", a.id, &req, e)) &&
		    !(rc = get_sealed(s, st, 9, "case_approval.comment_sealed", a.id, &com, e))) {
			a.request_comment = req;
			a.comment = com;
			rc = cb(ctx, &a);
		}
		free(req);
		free(com);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "approvals");
	sqlite3_finalize(st);
	return rc;
}

static int assessment_add(ctip_store *s, const struct ctip_cw_assessment *a, int64_t *id,
                          ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        "INSERT INTO risk_assessment(case_id, date, answers, score, level, "
	        "created_by) VALUES (?, ?, ?, ?, ?, ?)",
	        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a->case_id);
	ctip_sqlite_bind_opt(st, 2, a->date);
	ctip_sqlite_bind_opt(st, 3, a->answers);
	sqlite3_bind_int(st, 4, a->score);
	ctip_sqlite_bind_opt(st, 5, a->level);
	ctip_sqlite_bind_opt(st, 6, a->created_by);
	int rc = run(s, st, "assessment", e);
	if (rc == CTIP_OK)
		*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	return rc;
}

static int assessment_list(ctip_store *s, int64_t case_id,
                           int (*cb)(void *ctx, const struct ctip_cw_assessment *a), void *ctx,
                           ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "SELECT id, date, answers, score, level, created_by FROM "
	                         "risk_assessment WHERE case_id = ? ORDER BY date, id",
	                         e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_cw_assessment a = {.id = sqlite3_column_int64(st, 0),
		                               .case_id = case_id,
		                               .date = ctip_sqlite_col(st, 1),
		                               .answers = ctip_sqlite_col(st, 2),
		                               .score = sqlite3_column_int(st, 3),
		                               .level = ctip_sqlite_col(st, 4),
		                               .created_by = ctip_sqlite_col(st, 5)};
		rc = cb(ctx, &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "assessments");
	sqlite3_finalize(st);
	return rc;
}

static int assessment_set(ctip_store *s, const struct ctip_cw_assessment *a, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(s,
	                                    "UPDATE risk_assessment SET date = ?, answers = ?, "
	                                    "score = ?, level = ? WHERE id = ? AND case_id = ?",
	                                    e);
	if (!st)
		return CTIP_EDB;
	ctip_sqlite_bind_opt(st, 1, a->date);
	ctip_sqlite_bind_opt(st, 2, a->answers);
	sqlite3_bind_int(st, 3, a->score);
	ctip_sqlite_bind_opt(st, 4, a->level);
	sqlite3_bind_int64(st, 5, a->id);
	sqlite3_bind_int64(st, 6, a->case_id);
	int rc = run(s, st, "assessment", e);
	if (rc == CTIP_OK && !sqlite3_changes(ctip_store_sqlite_db(s)))
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "no such assessment");
	return rc;
}

static int linked_victim_elsewhere(ctip_store *s, int64_t case_id, int *yes, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        "SELECT EXISTS (SELECT 1 FROM case_person cp JOIN link_person l ON l.person_id = "
	        "cp.person_id JOIN link_person l2 ON l2.person_key = l.person_key JOIN "
	        "case_person cp2 ON cp2.person_id = l2.person_id WHERE cp.case_id = ?1 AND "
	        "cp.role = 'Victim' AND cp2.role = 'Victim' AND cp2.case_id <> ?1)",
	        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	int rc =
	        sqlite3_step(st) == SQLITE_ROW ? CTIP_OK : ctip_sqlite_fail(s, e, "linked victims");
	*yes = rc == CTIP_OK && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static int setting_get(ctip_store *s, int64_t org_id, const char *name, char *buf, size_t n,
                       ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s, "SELECT value FROM org_setting WHERE org_id = ? AND name = ?", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, org_id);
	ctip_sqlite_bind_opt(st, 2, name);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		copy(buf, n, ctip_sqlite_col(st, 0));
		rc = CTIP_OK;
	} else {
		rc = rc == SQLITE_DONE ? CTIP_ENOTFOUND : ctip_sqlite_fail(s, e, "setting");
	}
	sqlite3_finalize(st);
	return rc;
}

static int setting_set(ctip_store *s, int64_t org_id, const char *name, const char *value,
                       ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s, "INSERT OR REPLACE INTO org_setting(org_id, name, value) VALUES (?, ?, ?)", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, org_id);
	ctip_sqlite_bind_opt(st, 2, name);
	ctip_sqlite_bind_opt(st, 3, value);
	return run(s, st, "setting", e);
}

static int due_add(ctip_store *s, int64_t case_id, const char *due, int months, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s, "INSERT INTO followup_due(case_id, due, months) VALUES (?, ?, ?)", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	ctip_sqlite_bind_opt(st, 2, due);
	sqlite3_bind_int(st, 3, months);
	return run(s, st, "follow-up plan", e);
}

static int due_clear_open(ctip_store *s, int64_t case_id, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s, "DELETE FROM followup_due WHERE case_id = ? AND done IS NULL", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	return run(s, st, "follow-up plan", e);
}

static int due_list(ctip_store *s, int64_t case_id, int64_t org_id, const char *until,
                    int (*cb)(void *ctx, const struct ctip_cw_due *d), void *ctx, ctip_err *e)
{
	/* a case's plan, or the active plans due (of an organisation, or of all): a statement
	 * each (a CASE over them read every plan of the registry for one case's) */
#define DUE_SQL(where)                                                                             \
	"SELECT d.id, d.case_id, c.org_id, d.due, d.done, o.name, c.src_case_id, w.assigned_to, "  \
	"coalesce(w.followup, 'none'), d.months FROM followup_due d JOIN cases c ON c.id = "       \
	"d.case_id JOIN organisation o ON o.id = c.org_id LEFT JOIN case_work w ON w.case_id = "   \
	"d.case_id WHERE " where " ORDER BY d.due, d.id"
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        case_id  ? DUE_SQL("d.case_id = ?1")
	        : org_id ? DUE_SQL("c.org_id = ?2 AND d.done IS NULL AND w.followup = 'active' AND "
	                           "(?3 IS NULL OR d.due <= ?3)")
	                 : DUE_SQL("?2 = 0 AND d.done IS NULL AND w.followup = 'active' AND (?3 IS "
	                           "NULL OR d.due <= ?3)"),
	        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, org_id);
	ctip_sqlite_bind_opt(st, 3, until);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_cw_due d = {.id = sqlite3_column_int64(st, 0),
		                        .case_id = sqlite3_column_int64(st, 1),
		                        .org_id = sqlite3_column_int64(st, 2),
		                        .due = ctip_sqlite_col(st, 3),
		                        .done = ctip_sqlite_col(st, 4),
		                        .org = ctip_sqlite_col(st, 5),
		                        .src_case_id = ctip_sqlite_col(st, 6),
		                        .assigned = ctip_sqlite_col(st, 7),
		                        .followup = ctip_sqlite_col(st, 8),
		                        .months = sqlite3_column_int(st, 9)};
		rc = cb(ctx, &d);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "follow-up plan");
	sqlite3_finalize(st);
	return rc;
}

static int due_set(ctip_store *s, int64_t id, const char *due, const char *done, ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "UPDATE followup_due SET due = coalesce(?2, due), done = "
	                         "coalesce(?3, done) WHERE id = ?1",
	                         e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, id);
	ctip_sqlite_bind_opt(st, 2, due);
	ctip_sqlite_bind_opt(st, 3, done);
	return run(s, st, "follow-up plan", e);
}

static int fcontact_add(ctip_store *s, const struct ctip_cw_fcontact *c, int64_t *id, ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "INSERT INTO followup_contact(case_id, due_id, date, mode, who, "
	                         "outcome, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                         e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, c->case_id);
	if (c->due_id)
		sqlite3_bind_int64(st, 2, c->due_id);
	else
		sqlite3_bind_null(st, 2);
	ctip_sqlite_bind_opt(st, 3, c->date);
	ctip_sqlite_bind_opt(st, 4, c->mode);
	ctip_sqlite_bind_opt(st, 5, c->who);
	ctip_sqlite_bind_opt(st, 6, c->outcome);
	ctip_sqlite_bind_opt(st, 7, c->created_by);
	int rc = run(s, st, "follow-up contact", e);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	return put_sealed(s, "followup_contact", "notes_sealed", *id, c->notes, e);
}

static int fcontact_list(ctip_store *s, int64_t case_id,
                         int (*cb)(void *ctx, const struct ctip_cw_fcontact *c), void *ctx,
                         ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "SELECT id, coalesce(due_id, 0), date, mode, who, outcome, "
	                         "notes_sealed, created_by FROM followup_contact WHERE case_id = ? "
	                         "ORDER BY date, id",
	                         e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_cw_fcontact c = {.id = sqlite3_column_int64(st, 0),
		                             .case_id = case_id,
		                             .due_id = sqlite3_column_int64(st, 1),
		                             .date = ctip_sqlite_col(st, 2),
		                             .mode = ctip_sqlite_col(st, 3),
		                             .who = ctip_sqlite_col(st, 4),
		                             .outcome = ctip_sqlite_col(st, 5),
		                             .created_by = ctip_sqlite_col(st, 7)};
		char *notes = NULL;
		if (!(rc = get_sealed(s, st, 6, "followup_contact.notes_sealed", c.id, &notes,
		                      e))) {
			c.notes = notes;
			rc = cb(ctx, &c);
		}
		free(notes);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "follow-up contacts");
	sqlite3_finalize(st);
	return rc;
}

static int fcontact_set(ctip_store *s, const struct ctip_cw_fcontact *c, ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "UPDATE followup_contact SET date = ?, mode = ?, who = ?, "
	                         "outcome = ?, notes_sealed = NULL WHERE id = ? AND "
	                         "case_id = ?",
	                         e);
	if (!st)
		return CTIP_EDB;
	ctip_sqlite_bind_opt(st, 1, c->date);
	ctip_sqlite_bind_opt(st, 2, c->mode);
	ctip_sqlite_bind_opt(st, 3, c->who);
	ctip_sqlite_bind_opt(st, 4, c->outcome);
	sqlite3_bind_int64(st, 5, c->id);
	sqlite3_bind_int64(st, 6, c->case_id);
	int rc = run(s, st, "follow-up contact", e);
	if (rc == CTIP_OK && !sqlite3_changes(ctip_store_sqlite_db(s)))
		return ctip_err_set(e, CTIP_ENOTFOUND, "no such follow-up contact");
	if (rc)
		return rc;
	return put_sealed(s, "followup_contact", "notes_sealed", c->id, c->notes, e);
}

static int alert_add(ctip_store *s, int64_t case_id, const char *kind, const char *detail,
                     ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s, "INSERT INTO case_alert(case_id, kind, detail) VALUES (?, ?, ?)", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	ctip_sqlite_bind_opt(st, 2, kind);
	sqlite3_bind_text(st, 3, detail ? detail : "", -1, SQLITE_TRANSIENT);
	return run(s, st, "alert", e);
}

static int alert_list(ctip_store *s, int64_t case_id, int64_t org_id,
                      int (*cb)(void *ctx, const struct ctip_cw_alert *a), void *ctx, ctip_err *e)
{
	/* the filters given only (as approval_list) */
	char sql[300];
	snprintf(sql, sizeof(sql),
	         "SELECT a.id, a.case_id, a.kind, a.detail, a.created_at FROM case_alert a JOIN "
	         "cases c ON c.id = a.case_id WHERE a.cleared_at IS NULL%s%s ORDER BY a.id",
	         case_id ? " AND a.case_id = ?1" : "", org_id ? " AND c.org_id = ?2" : "");
	sqlite3_stmt *st = ctip_sqlite_prep(s, sql, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, org_id);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_cw_alert a = {.id = sqlite3_column_int64(st, 0),
		                          .case_id = sqlite3_column_int64(st, 1),
		                          .kind = ctip_sqlite_col(st, 2),
		                          .detail = ctip_sqlite_col(st, 3),
		                          .created_at = ctip_sqlite_col(st, 4)};
		rc = cb(ctx, &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "alerts");
	sqlite3_finalize(st);
	return rc;
}

static int hotline_add(ctip_store *s, const struct ctip_cw_hotline *h, int64_t *id, ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "INSERT INTO hotline_contact(org_id, channel, at, caller_type, "
	                         "reason, province, anonymous, created_by) VALUES (?, ?, ?, ?, ?, "
	                         "?, ?, ?)",
	                         e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, h->org_id);
	ctip_sqlite_bind_opt(st, 2, h->channel);
	ctip_sqlite_bind_opt(st, 3, h->at);
	ctip_sqlite_bind_opt(st, 4, h->caller_type);
	ctip_sqlite_bind_opt(st, 5, h->reason);
	ctip_sqlite_bind_opt(st, 6, h->province);
	sqlite3_bind_int(st, 7, h->anonymous);
	ctip_sqlite_bind_opt(st, 8, h->created_by);
	int rc = run(s, st, "contact", e);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	if (!h->anonymous &&
	    (rc = put_sealed(s, "hotline_contact", "caller_sealed", *id, h->caller, e)))
		return rc;
	return put_sealed(s, "hotline_contact", "notes_sealed", *id, h->notes, e);
}

static int hotline_list(ctip_store *s, int64_t id, int64_t org_id, long limit,
                        int (*cb)(void *ctx, const struct ctip_cw_hotline *h), void *ctx,
                        ctip_err *e)
{
	/* one contact by its id, or an organisation's latest: only the filters given (an "?1 = 0
	 * OR h.id = ?1" reads the organisation's contacts to find one) */
	char sql[600];
	snprintf(sql, sizeof(sql),
	         "SELECT h.id, h.org_id, o.name, coalesce(h.case_id, 0), h.channel, h.at, "
	         "h.caller_type, h.reason, h.province, h.anonymous, h.caller_sealed, "
	         "h.notes_sealed, "
	         "h.created_by, h.created_at FROM hotline_contact h JOIN organisation o ON o.id = "
	         "h.org_id WHERE %s AND %s ORDER BY h.at DESC, h.id DESC LIMIT ?3",
	         id ? "h.id = ?1" : "?1 = 0", org_id ? "h.org_id = ?2" : "?2 = 0");
	sqlite3_stmt *st = ctip_sqlite_prep(s, sql, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, org_id);
	sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_cw_hotline h = {.id = sqlite3_column_int64(st, 0),
		                            .org_id = sqlite3_column_int64(st, 1),
		                            .org = ctip_sqlite_col(st, 2),
		                            .case_id = sqlite3_column_int64(st, 3),
		                            .channel = ctip_sqlite_col(st, 4),
		                            .at = ctip_sqlite_col(st, 5),
		                            .caller_type = ctip_sqlite_col(st, 6),
		                            .reason = ctip_sqlite_col(st, 7),
		                            .province = ctip_sqlite_col(st, 8),
		                            .anonymous = sqlite3_column_int(st, 9),
		                            .created_by = ctip_sqlite_col(st, 12),
		                            .created_at = ctip_sqlite_col(st, 13)};
		char *caller = NULL, *notes = NULL;
		if (!(rc = get_sealed(s, st, 10, "hotline_contact.caller_sealed", h.id, &caller,
		                      e)) &&
		    !(rc = get_sealed(s, st, 11, "hotline_contact.notes_sealed", h.id, &notes,
		                      e))) {
			h.caller = caller;
			h.notes = notes;
			rc = cb(ctx, &h);
		}
		free(caller);
		free(notes);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "contacts");
	sqlite3_finalize(st);
	return rc;
}

static int hotline_set_case(ctip_store *s, int64_t id, int64_t case_id, ctip_err *e)
{
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s, "UPDATE hotline_contact SET case_id = ? WHERE id = ?", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, id);
	return run(s, st, "contact", e);
}

static int stats_rows(ctip_store *s, int unit,
                      int (*cb)(void *ctx, const char *date, const char *const *v), void *ctx,
                      ctip_err *e)
{
	/* the columns after the date, and the dimension each one is */
	static const int fdims[] = {CTIP_D_ORG, CTIP_D_ORG_TYPE, CTIP_D_FOLLOWUP_OUTCOME,
	                            CTIP_D_RISK_LEVEL},
	                 adims[] = {CTIP_D_ORG, CTIP_D_ORG_TYPE, CTIP_D_RISK_LEVEL},
	                 hdims[] = {CTIP_D_ORG,         CTIP_D_ORG_TYPE,       CTIP_D_CHANNEL,
	                            CTIP_D_CALLER_TYPE, CTIP_D_CONTACT_REASON, CTIP_D_ORIGIN};
	const char *sql;
	const int *dims;
	int nd;
	if (unit == CTIP_U_FOLLOWUPS) {
		/* a follow-up's risk level: the case's latest assessment by the contact's date */
		sql = "SELECT f.date, o.name, o.type, f.outcome, (SELECT r.level FROM "
		      "risk_assessment r WHERE r.case_id = f.case_id AND r.date <= f.date ORDER BY "
		      "r.date DESC, r.id DESC LIMIT 1) FROM followup_contact f JOIN cases c ON "
		      "c.id = "
		      "f.case_id JOIN organisation o ON o.id = c.org_id";
		dims = fdims;
		nd = 4;
	} else if (unit == CTIP_U_ASSESSMENTS) {
		sql = "SELECT r.date, o.name, o.type, r.level FROM risk_assessment r JOIN cases c "
		      "ON "
		      "c.id = r.case_id JOIN organisation o ON o.id = c.org_id";
		dims = adims;
		nd = 3;
	} else if (unit == CTIP_U_CONTACTS) {
		sql = "SELECT substr(h.at, 1, 10), o.name, o.type, h.channel, h.caller_type, "
		      "h.reason, h.province FROM hotline_contact h JOIN organisation o ON o.id = "
		      "h.org_id";
		dims = hdims;
		nd = 6;
	} else {
		return ctip_err_set(e, CTIP_EINVAL, "not a casework count");
	}
	sqlite3_stmt *st = ctip_sqlite_prep(s, sql, e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v[CTIP_D_ALL] = {0};
		for (int i = 0; i < nd; i++)
			v[dims[i]] = ctip_sqlite_col(st, i + 1);
		rc = cb(ctx, ctip_sqlite_col(st, 0), v);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = ctip_sqlite_fail(s, e, "casework statistics");
	sqlite3_finalize(st);
	return rc;
}

const struct ctip_cw_ops ctip_sqlite_cw_ops = {
        .stats_rows = stats_rows,
        .work_get = work_get,
        .work_set = work_set,
        .case_status_set = case_status_set,
        .approval_add = approval_add,
        .approval_decide = approval_decide,
        .approval_list = approval_list,
        .assessment_add = assessment_add,
        .assessment_list = assessment_list,
        .assessment_set = assessment_set,
        .linked_victim_elsewhere = linked_victim_elsewhere,
        .setting_get = setting_get,
        .setting_set = setting_set,
        .due_add = due_add,
        .due_clear_open = due_clear_open,
        .due_list = due_list,
        .due_set = due_set,
        .fcontact_add = fcontact_add,
        .fcontact_list = fcontact_list,
        .fcontact_set = fcontact_set,
        .alert_add = alert_add,
        .alert_list = alert_list,
        .hotline_add = hotline_add,
        .hotline_list = hotline_list,
        .hotline_set_case = hotline_set_case,
};

/* The sealing of free text above, for the SQLite stores of other modules (the
 * communications tracker, store_sqlite_comms.c): one way of sealing a column, not two. */
int ctip_sqlite_put_sealed(ctip_store *s, const char *table, const char *column, int64_t id,
                           const char *v, ctip_err *e)
{
	return put_sealed(s, table, column, id, v, e);
}

int ctip_sqlite_get_sealed(ctip_store *s, sqlite3_stmt *st, int i, const char *what, int64_t id,
                           char **out, ctip_err *e)
{
	return get_sealed(s, st, i, what, id, out, e);
}
