/*
 * store_pg_casework.c - casework's storage on PostgreSQL (store_casework.h, lib/sql/pg/0005):
 * the same operations and queries as store_sqlite_casework.c. Free text is sealed by ctip
 * under the store's key, bound to "table.column:id" as on SQLite, before it is sent.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "identity.h"
#include "store_casework.h"
#include "store_pg_int.h"

#define PGS(b) ((pg_store *)(b))

int64_t pg_id(const PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? 0 : strtoll(PQgetvalue(r, i, c), NULL, 10);
}

static void copy(char *dst, size_t n, const char *v)
{
	snprintf(dst, n, "%s", v ? v : "");
}

/* Writes v sealed for "table.column:id" into column of table's row id (nothing when empty). */
int pg_put_sealed(pg_store *s, const char *table, const char *column, int64_t id, const char *v,
                  ctip_err *e)
{
	if (!v || !*v)
		return CTIP_OK;
	char what[96], sql[160];
	snprintf(what, sizeof(what), "%s.%s", table, column);
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = $1 WHERE id = $2", table, column);
	unsigned char *b = NULL;
	size_t n = 0;
	int rc = ctip_value_seal(s->base.crypto, s->base.path, v, what, id, -1, &b, &n, e);
	if (!rc)
		rc = pg_qf(s, NULL, e, table, sql, "bi", b, n, (long long)id);
	free(b);
	return rc;
}

/* Opens column c of row i, sealed for "what:id", into *out (malloc'd; NULL for NULL). */
int pg_get_sealed(pg_store *s, const PGresult *r, int i, int c, const char *what, int64_t id,
                  char **out, ctip_err *e)
{
	unsigned char *b;
	size_t n;
	*out = NULL;
	if (pg_col_bytea(r, i, c, &b, &n))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	int rc = ctip_value_open(s->base.crypto, s->base.path, b, n, what, id, -1, out, e);
	free(b);
	return rc;
}

static int work_get(ctip_store *base, int64_t case_id, struct ctip_cw_work *w, ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(base), &r, e, "case work",
	               "SELECT c.org_id, o.name, c.src_case_id, c.status, coalesce(w.stage, "
	               "'identification'), w.assigned_to, coalesce(w.plan_approved, 0), "
	               "coalesce(w.followup, 'none') FROM cases c JOIN organisation o ON o.id = "
	               "c.org_id LEFT JOIN case_work w ON w.case_id = c.id WHERE c.id = $1",
	               "i", (long long)case_id);
	if (rc)
		return rc;
	if (!PQntuples(r)) {
		PQclear(r);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no such case C%lld", (long long)case_id);
	}
	memset(w, 0, sizeof(*w));
	w->case_id = case_id;
	w->org_id = pg_id(r, 0, 0);
	copy(w->org, sizeof(w->org), pg_col(r, 0, 1));
	copy(w->src_case_id, sizeof(w->src_case_id), pg_col(r, 0, 2));
	copy(w->status, sizeof(w->status), pg_col(r, 0, 3));
	copy(w->stage, sizeof(w->stage), pg_col(r, 0, 4));
	copy(w->assigned, sizeof(w->assigned), pg_col(r, 0, 5));
	w->plan_approved = atoi(PQgetvalue(r, 0, 6));
	copy(w->followup, sizeof(w->followup), pg_col(r, 0, 7));
	PQclear(r);
	return CTIP_OK;
}

static int work_set(ctip_store *base, const struct ctip_cw_work *w, ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "case work",
	             "INSERT INTO case_work(case_id, stage, assigned_to, plan_approved, followup) "
	             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO UPDATE SET stage = $2, "
	             "assigned_to = $3, plan_approved = $4, followup = $5, updated_at = "
	             "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
	             "issds", (long long)w->case_id, w->stage, w->assigned, w->plan_approved,
	             w->followup);
}

static int case_status_set(ctip_store *base, int64_t case_id, const char *status,
                           const char *closed, ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "case status",
	             "UPDATE cases SET status = $2, closed = coalesce($3, closed) WHERE id = $1",
	             "iss", (long long)case_id, status, closed);
}

static int approval_add(ctip_store *base, const struct ctip_cw_approval *a, int64_t *id,
                        ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	int rc = pg_qf(s, &r, e, "approval",
	               "INSERT INTO case_approval(case_id, kind, requested_by, requested_at) "
	               "VALUES ($1, $2, $3, $4) RETURNING id",
	               "isss", (long long)a->case_id, a->kind, a->requested_by, a->requested_at);
	if (rc)
		return rc;
	*id = pg_id(r, 0, 0);
	PQclear(r);
	return pg_put_sealed(s, "case_approval", "request_sealed", *id, a->request_comment, e);
}

static int approval_decide(ctip_store *base, int64_t id, const char *status, const char *by,
                           const char *comment, ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	int rc = pg_qf(s, &r, e, "approval",
	               "UPDATE case_approval SET status = $2, decided_by = $3, decided_at = "
	               "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') WHERE "
	               "id = $1 AND status = 'requested' RETURNING id",
	               "iss", (long long)id, status, by);
	if (rc)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1)
		return ctip_err_set(e, CTIP_EINVAL, "approval %lld was already decided",
		                    (long long)id);
	return pg_put_sealed(s, "case_approval", "comment_sealed", id, comment, e);
}

static int approval_list(ctip_store *base, int64_t id, int64_t case_id, int64_t org_id,
                         const char *status, int (*cb)(void *ctx, const struct ctip_cw_approval *a),
                         void *ctx, ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	/* only the filters given are in the statement: a catch-all ("$2 = 0 OR a.case_id = $2")
	 * has a generic plan that reads every approval, at every case's casework */
	char sql[600], num[3][24];
	const char *v[4];
	const int64_t want[3] = {id, case_id, org_id};
	const char *col[3] = {"a.id", "a.case_id", "c.org_id"};
	int np = 0;
	size_t k = (size_t)snprintf(sql, sizeof(sql),
	                            "SELECT a.id, a.case_id, a.kind, a.status, a.requested_by, "
	                            "a.requested_at, a.request_sealed, a.decided_by, a.decided_at, "
	                            "a.comment_sealed FROM case_approval a JOIN cases c ON c.id = "
	                            "a.case_id WHERE true");
	for (int i = 0; i < 3; i++)
		if (want[i]) {
			snprintf(num[np], sizeof(num[np]), "%lld", (long long)want[i]);
			v[np] = num[np];
			np++;
			k += (size_t)snprintf(sql + k, sizeof(sql) - k, " AND %s = $%d::bigint",
			                      col[i], np);
		}
	if (status) {
		v[np++] = status;
		k += (size_t)snprintf(sql + k, sizeof(sql) - k, " AND a.status = $%d", np);
	}
	snprintf(sql + k, sizeof(sql) - k, " ORDER BY a.id");
	int rc = pg_query(s, sql, np, v, &r, e, "approvals");
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_cw_approval a = {
		        .id = pg_id(r, i, 0),
		        .case_id = pg_id(r, i, 1),
		        .kind = pg_col(r, i, 2),
		        .status = pg_col(r, i, 3),
		        .requested_by = pg_col(r, i, 4),
		        .requested_at = pg_col(r, i, 5),
		        .decided_by = pg_col(r, i, 7),
		        .decided_at = pg_col(r, i, 8),
		};
		char *req = NULL, *com = NULL;
		if (!(rc = pg_get_sealed(s, r, i, 6, "case_approval.request_sealed", a.id, &req,
		                         e)) &&
		    !(rc = pg_get_sealed(s, r, i, 9, "case_approval.comment_sealed", a.id, &com,
		                         e))) {
			a.request_comment = req;
			a.comment = com;
			rc = cb(ctx, &a);
		}
		free(req);
		free(com);
	}
	PQclear(r);
	return rc;
}

static int assessment_add(ctip_store *base, const struct ctip_cw_assessment *a, int64_t *id,
                          ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(base), &r, e, "assessment",
	               "INSERT INTO risk_assessment(case_id, date, answers, score, level, "
	               "created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
	               "issdss", (long long)a->case_id, a->date, a->answers, a->score, a->level,
	               a->created_by);
	if (rc)
		return rc;
	*id = pg_id(r, 0, 0);
	PQclear(r);
	return CTIP_OK;
}

static int assessment_list(ctip_store *base, int64_t case_id,
                           int (*cb)(void *ctx, const struct ctip_cw_assessment *a), void *ctx,
                           ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(base), &r, e, "assessments",
	               "SELECT id, date, answers, score, level, created_by FROM risk_assessment "
	               "WHERE case_id = $1 ORDER BY date, id",
	               "i", (long long)case_id);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_cw_assessment a = {.id = pg_id(r, i, 0),
		                               .case_id = case_id,
		                               .date = pg_col(r, i, 1),
		                               .answers = pg_col(r, i, 2),
		                               .score = atoi(PQgetvalue(r, i, 3)),
		                               .level = pg_col(r, i, 4),
		                               .created_by = pg_col(r, i, 5)};
		rc = cb(ctx, &a);
	}
	PQclear(r);
	return rc;
}

static int assessment_set(ctip_store *base, const struct ctip_cw_assessment *a, ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(base), &r, e, "assessment",
	               "UPDATE risk_assessment SET date = $3, answers = $4, score = $5, level = $6 "
	               "WHERE id = $1 AND case_id = $2 RETURNING id",
	               "iissds", (long long)a->id, (long long)a->case_id, a->date, a->answers,
	               a->score, a->level);
	if (rc)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	return n ? CTIP_OK : ctip_err_set(e, CTIP_ENOTFOUND, "no such assessment");
}

/* By the stored record linkage, through ctip_linked_victim_elsewhere() (lib/sql/pg/0019): the
 * server's role may not read the linkage's tables nor another organisation's case. */
static int linked_victim_elsewhere(ctip_store *base, int64_t case_id, int *yes, ctip_err *e)
{
	PGresult *r;
	*yes = 0;
	int rc = pg_qf(PGS(base), &r, e, "linked victims",
	               "SELECT ctip_linked_victim_elsewhere($1)", "i", (long long)case_id);
	if (rc)
		return rc;
	*yes = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return CTIP_OK;
}

static int setting_get(ctip_store *base, int64_t org_id, const char *name, char *buf, size_t n,
                       ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(base), &r, e, "setting",
	               "SELECT value FROM org_setting WHERE org_id = $1 AND name = $2", "is",
	               (long long)org_id, name);
	if (rc)
		return rc;
	rc = PQntuples(r) ? CTIP_OK : CTIP_ENOTFOUND;
	if (!rc)
		copy(buf, n, pg_col(r, 0, 0));
	PQclear(r);
	return rc;
}

static int setting_set(ctip_store *base, int64_t org_id, const char *name, const char *value,
                       ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "setting",
	             "INSERT INTO org_setting(org_id, name, value) VALUES ($1, $2, $3) ON CONFLICT "
	             "(org_id, name) DO UPDATE SET value = $3",
	             "isS", (long long)org_id, name, value ? value : "");
}

static int due_add(ctip_store *base, int64_t case_id, const char *due, int months, ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "follow-up plan",
	             "INSERT INTO followup_due(case_id, due, months) VALUES ($1, $2, $3)", "isd",
	             (long long)case_id, due, months);
}

static int due_clear_open(ctip_store *base, int64_t case_id, ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "follow-up plan",
	             "DELETE FROM followup_due WHERE case_id = $1 AND done IS NULL", "i",
	             (long long)case_id);
}

static int due_list(ctip_store *base, int64_t case_id, int64_t org_id, const char *until,
                    int (*cb)(void *ctx, const struct ctip_cw_due *d), void *ctx, ctip_err *e)
{
	PGresult *r;
	/* a case's plan, or the active plans due (of an organisation, or of all, until a date):
	 * a statement each, not one whose generic plan serves none by its index */
#define DUE_SQL(where)                                                                             \
	"SELECT d.id, d.case_id, c.org_id, d.due, d.done, o.name, c.src_case_id, w.assigned_to, "  \
	"coalesce(w.followup, 'none'), d.months FROM followup_due d JOIN cases c ON c.id = "       \
	"d.case_id JOIN organisation o ON o.id = c.org_id LEFT JOIN case_work w ON w.case_id = "   \
	"d.case_id WHERE " where " ORDER BY d.due, d.id"
#define DUE_OPEN "d.done IS NULL AND w.followup = 'active' AND ($2::text IS NULL OR d.due <= $2)"
	int rc = case_id ? pg_qf(PGS(base), &r, e, "follow-up plan", DUE_SQL("d.case_id = $1"), "i",
	                         (long long)case_id)
	         : org_id ? pg_qf(PGS(base), &r, e, "follow-up plan",
	                          DUE_SQL("c.org_id = $1 AND " DUE_OPEN), "is", (long long)org_id,
	                          until)
	                  : pg_qf(PGS(base), &r, e, "follow-up plan",
	                          DUE_SQL("$1::bigint = 0 AND " DUE_OPEN), "is", (long long)0,
	                          until);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_cw_due d = {.id = pg_id(r, i, 0),
		                        .case_id = pg_id(r, i, 1),
		                        .org_id = pg_id(r, i, 2),
		                        .due = pg_col(r, i, 3),
		                        .done = pg_col(r, i, 4),
		                        .org = pg_col(r, i, 5),
		                        .src_case_id = pg_col(r, i, 6),
		                        .assigned = pg_col(r, i, 7),
		                        .followup = pg_col(r, i, 8),
		                        .months = atoi(PQgetvalue(r, i, 9))};
		rc = cb(ctx, &d);
	}
	PQclear(r);
	return rc;
}

static int due_set(ctip_store *base, int64_t id, const char *due, const char *done, ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "follow-up plan",
	             "UPDATE followup_due SET due = coalesce($2, due), done = coalesce($3, done) "
	             "WHERE id = $1",
	             "iss", (long long)id, due, done);
}

static int fcontact_add(ctip_store *base, const struct ctip_cw_fcontact *c, int64_t *id,
                        ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	int rc = pg_qf(s, &r, e, "follow-up contact",
	               "INSERT INTO followup_contact(case_id, due_id, date, mode, who, outcome, "
	               "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
	               "izsssss", (long long)c->case_id, (long long)c->due_id, c->date, c->mode,
	               c->who, c->outcome, c->created_by);
	if (rc)
		return rc;
	*id = pg_id(r, 0, 0);
	PQclear(r);
	return pg_put_sealed(s, "followup_contact", "notes_sealed", *id, c->notes, e);
}

static int fcontact_list(ctip_store *base, int64_t case_id,
                         int (*cb)(void *ctx, const struct ctip_cw_fcontact *c), void *ctx,
                         ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	int rc = pg_qf(s, &r, e, "follow-up contacts",
	               "SELECT id, coalesce(due_id, 0), date, mode, who, outcome, notes_sealed, "
	               "created_by FROM followup_contact WHERE case_id = $1 ORDER BY date, id",
	               "i", (long long)case_id);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_cw_fcontact c = {.id = pg_id(r, i, 0),
		                             .case_id = case_id,
		                             .due_id = pg_id(r, i, 1),
		                             .date = pg_col(r, i, 2),
		                             .mode = pg_col(r, i, 3),
		                             .who = pg_col(r, i, 4),
		                             .outcome = pg_col(r, i, 5),
		                             .created_by = pg_col(r, i, 7)};
		char *notes = NULL;
		if (!(rc = pg_get_sealed(s, r, i, 6, "followup_contact.notes_sealed", c.id, &notes,
		                         e))) {
			c.notes = notes;
			rc = cb(ctx, &c);
		}
		free(notes);
	}
	PQclear(r);
	return rc;
}

static int fcontact_set(ctip_store *base, const struct ctip_cw_fcontact *c, ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	int rc = pg_qf(s, &r, e, "follow-up contact",
	               "UPDATE followup_contact SET date = $3, mode = $4, who = $5, outcome = $6, "
	               "notes_sealed = NULL WHERE id = $1 AND case_id = $2 RETURNING id",
	               "iissss", (long long)c->id, (long long)c->case_id, c->date, c->mode, c->who,
	               c->outcome);
	if (rc)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (!n)
		return ctip_err_set(e, CTIP_ENOTFOUND, "no such follow-up contact");
	return pg_put_sealed(s, "followup_contact", "notes_sealed", c->id, c->notes, e);
}

static int alert_add(ctip_store *base, int64_t case_id, const char *kind, const char *detail,
                     ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "alert",
	             "INSERT INTO case_alert(case_id, kind, detail) VALUES ($1, $2, $3)", "isS",
	             (long long)case_id, kind, detail ? detail : "");
}

#define ALERTS_SQL(where)                                                                          \
	"SELECT a.id, a.case_id, a.kind, a.detail, a.created_at FROM case_alert a JOIN cases c "   \
	"ON "                                                                                      \
	"c.id = a.case_id WHERE a.cleared_at IS NULL" where

static int alert_list(ctip_store *base, int64_t case_id, int64_t org_id,
                      int (*cb)(void *ctx, const struct ctip_cw_alert *a), void *ctx, ctip_err *e)
{
	PGresult *r;
	/* the filters given only (as approval_list) */
	static const char *const sql[4] = {
	        ALERTS_SQL("") " ORDER BY a.id",
	        ALERTS_SQL(" AND a.case_id = $1::bigint") " ORDER BY a.id",
	        ALERTS_SQL(" AND c.org_id = $1::bigint") " ORDER BY a.id",
	        ALERTS_SQL(
	                " AND a.case_id = $1::bigint AND c.org_id = $2::bigint") " ORDER BY a.id",
	};
	char c[24], o[24];
	snprintf(c, sizeof(c), "%lld", (long long)case_id);
	snprintf(o, sizeof(o), "%lld", (long long)org_id);
	const char *v[2] = {case_id ? c : o, o};
	int rc = pg_query(PGS(base), sql[(case_id != 0) | (org_id != 0) << 1],
	                  (case_id != 0) + (org_id != 0), v, &r, e, "alerts");
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_cw_alert a = {.id = pg_id(r, i, 0),
		                          .case_id = pg_id(r, i, 1),
		                          .kind = pg_col(r, i, 2),
		                          .detail = pg_col(r, i, 3),
		                          .created_at = pg_col(r, i, 4)};
		rc = cb(ctx, &a);
	}
	PQclear(r);
	return rc;
}

static int hotline_add(ctip_store *base, const struct ctip_cw_hotline *h, int64_t *id, ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	int rc = pg_qf(s, &r, e, "contact",
	               "INSERT INTO hotline_contact(org_id, channel, at, caller_type, reason, "
	               "province, anonymous, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	               "RETURNING id",
	               "isssssds", (long long)h->org_id, h->channel, h->at, h->caller_type,
	               h->reason, h->province, h->anonymous, h->created_by);
	if (rc)
		return rc;
	*id = pg_id(r, 0, 0);
	PQclear(r);
	if (!h->anonymous &&
	    (rc = pg_put_sealed(s, "hotline_contact", "caller_sealed", *id, h->caller, e)))
		return rc;
	return pg_put_sealed(s, "hotline_contact", "notes_sealed", *id, h->notes, e);
}

static int hotline_list(ctip_store *base, int64_t id, int64_t org_id, long limit,
                        int (*cb)(void *ctx, const struct ctip_cw_hotline *h), void *ctx,
                        ctip_err *e)
{
	pg_store *s = PGS(base);
	PGresult *r;
	/* one contact by its id, or an organisation's latest: each its own statement (a catch-all
	 * "$1 = 0 OR h.id = $1" walks the organisation's contacts to find one) */
#define CONTACTS_SQL(where)                                                                        \
	"SELECT h.id, h.org_id, o.name, coalesce(h.case_id, 0), h.channel, h.at, h.caller_type, "  \
	"h.reason, h.province, h.anonymous, h.caller_sealed, h.notes_sealed, h.created_by, "       \
	"h.created_at FROM hotline_contact h JOIN organisation o ON o.id = h.org_id WHERE " where  \
	" ORDER BY h.at DESC, h.id DESC LIMIT $3"
	static const char *const sql[4] = {
	        CONTACTS_SQL("$1::bigint = 0 AND $2::bigint = 0"),
	        CONTACTS_SQL("h.id = $1 AND $2::bigint = 0"),
	        CONTACTS_SQL("$1::bigint = 0 AND h.org_id = $2"),
	        CONTACTS_SQL("h.id = $1 AND h.org_id = $2"),
	};
	int rc = pg_qf(s, &r, e, "contacts", sql[(id != 0) | (org_id != 0) << 1], "iiz",
	               (long long)id, (long long)org_id, (long long)(limit > 0 ? limit : 0));
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_cw_hotline h = {.id = pg_id(r, i, 0),
		                            .org_id = pg_id(r, i, 1),
		                            .org = pg_col(r, i, 2),
		                            .case_id = pg_id(r, i, 3),
		                            .channel = pg_col(r, i, 4),
		                            .at = pg_col(r, i, 5),
		                            .caller_type = pg_col(r, i, 6),
		                            .reason = pg_col(r, i, 7),
		                            .province = pg_col(r, i, 8),
		                            .anonymous = atoi(PQgetvalue(r, i, 9)),
		                            .created_by = pg_col(r, i, 12),
		                            .created_at = pg_col(r, i, 13)};
		char *caller = NULL, *notes = NULL;
		if (!(rc = pg_get_sealed(s, r, i, 10, "hotline_contact.caller_sealed", h.id,
		                         &caller, e)) &&
		    !(rc = pg_get_sealed(s, r, i, 11, "hotline_contact.notes_sealed", h.id, &notes,
		                         e))) {
			h.caller = caller;
			h.notes = notes;
			rc = cb(ctx, &h);
		}
		free(caller);
		free(notes);
	}
	PQclear(r);
	return rc;
}

static int hotline_set_case(ctip_store *base, int64_t id, int64_t case_id, ctip_err *e)
{
	return pg_qf(PGS(base), NULL, e, "contact",
	             "UPDATE hotline_contact SET case_id = $1 WHERE id = $2", "ii",
	             (long long)case_id, (long long)id);
}

static int stats_rows(ctip_store *base, int unit,
                      int (*cb)(void *ctx, const char *date, const char *const *v), void *ctx,
                      ctip_err *e)
{
	static const int fdims[] = {CTIP_D_ORG, CTIP_D_ORG_TYPE, CTIP_D_FOLLOWUP_OUTCOME,
	                            CTIP_D_RISK_LEVEL},
	                 adims[] = {CTIP_D_ORG, CTIP_D_ORG_TYPE, CTIP_D_RISK_LEVEL},
	                 hdims[] = {CTIP_D_ORG,         CTIP_D_ORG_TYPE,       CTIP_D_CHANNEL,
	                            CTIP_D_CALLER_TYPE, CTIP_D_CONTACT_REASON, CTIP_D_ORIGIN};
	const char *sql;
	const int *dims;
	int nd;
	if (unit == CTIP_U_FOLLOWUPS) {
		sql = "SELECT f.date, o.name, o.type, f.outcome, (SELECT r.level FROM "
		      "risk_assessment r WHERE r.case_id = f.case_id AND r.date <= f.date ORDER BY "
		      "r.date DESC, r.id DESC LIMIT 1) FROM followup_contact f JOIN cases c ON "
		      "c.id "
		      "= f.case_id JOIN organisation o ON o.id = c.org_id";
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
	PGresult *r;
	int rc = pg_qf(PGS(base), &r, e, "casework statistics", sql, "");
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		const char *v[CTIP_D_ALL] = {0};
		for (int k = 0; k < nd; k++)
			v[dims[k]] = pg_col(r, i, k + 1);
		rc = cb(ctx, pg_col(r, i, 0), v);
	}
	PQclear(r);
	return rc;
}

const struct ctip_cw_ops ctip_pg_cw_ops = {
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
