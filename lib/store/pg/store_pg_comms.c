/*
 * store_pg_comms.c - the communications tracker's storage on PostgreSQL (store_comms.h,
 * lib/sql/pg/0013): the same operations and answers as store_sqlite_comms.c. The body is
 * sealed by ctip bound to "communication.body_sealed:<id>" as on SQLite. Under `ctip serve`
 * row-level security (0013) keeps each organisation to its own communications.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comms.h"
#include "store_comms.h"
#include "store_pg_int.h"

#define PGS(b) ((pg_store *)(b))

static int add(ctip_store *s, const struct ctip_comm *c, const char *body, int64_t *id, ctip_err *e)
{
	PGresult *r;
	/* the reference taken: refused here, with the fix (the unique index stays the guard
	 * against two at once, answered as a database error) */
	int rc = pg_qf(PGS(s), &r, e, "communications",
	               "SELECT 1 FROM communication WHERE org_id = $1 AND lower(ref) = lower($2)",
	               "iS", (long long)c->org_id, c->ref);
	if (rc)
		return rc;
	int taken = PQntuples(r) > 0;
	PQclear(r);
	if (taken)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "ref",
		                   "the organisation already has a communication '%s' (ctip comms "
		                   "show '%s'; a reply has its own reference)",
		                   c->ref, c->ref);
	if ((rc = pg_qf(PGS(s), &r, e, "communications",
	                "INSERT INTO communication (kind, sender, subject, received, due, status, "
	                "in_reply_to, updated_at, org_id, ref, created_by, created_at) VALUES "
	                "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $8) RETURNING id",
	                "SSSSsSsSiSS", c->kind, c->sender, c->subject, c->received, c->due,
	                c->status, c->in_reply_to, c->updated_at, (long long)c->org_id, c->ref,
	                c->created_by)))
		return rc;
	*id = pg_id(r, 0, 0);
	PQclear(r);
	return pg_put_sealed(PGS(s), "communication", "body_sealed", *id, body, e);
}

static int update(ctip_store *s, const struct ctip_comm *c, const char *body, ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(s), &r, e, "communications",
	               "UPDATE communication SET kind = $1, sender = $2, subject = $3, received = "
	               "$4, due = $5, status = $6, in_reply_to = $7, updated_at = $8, version = "
	               "version + 1 WHERE id = $9 AND version = $10 RETURNING id",
	               "SSSSsSsSii", c->kind, c->sender, c->subject, c->received, c->due, c->status,
	               c->in_reply_to, c->updated_at, (long long)c->id, (long long)c->version);
	if (rc)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (!n) {
		/* a stale version, or no such row: which, for the message */
		if ((rc = pg_qf(PGS(s), &r, e, "communications",
		                "SELECT version FROM communication WHERE id = $1", "i",
		                (long long)c->id)))
			return rc;
		int found = PQntuples(r) > 0;
		long long now = found ? (long long)pg_id(r, 0, 0) : 0;
		PQclear(r);
		if (!found)
			return ctip_err_set(e, CTIP_ENOTFOUND, "no such communication");
		return ctip_err_set(e, CTIP_ECONFLICT,
		                    "communication '%s' was saved by someone else since you opened "
		                    "it (version %lld, yours %lld): reload it and make your change "
		                    "again",
		                    c->ref, now, (long long)c->version);
	}
	/* an empty body clears the old one (pg_put_sealed writes nothing for it) */
	if ((!body || !*body) &&
	    (rc = pg_qf(PGS(s), NULL, e, "communications",
	                "UPDATE communication SET body_sealed = NULL WHERE id = $1", "i",
	                (long long)c->id)))
		return rc;
	return pg_put_sealed(PGS(s), "communication", "body_sealed", c->id, body, e);
}

static void copy(char *dst, size_t n, const char *v)
{
	snprintf(dst, n, "%s", v ? v : "");
}

static int list(ctip_store *s, int64_t org_id, int64_t id, const char *ref,
                int (*cb)(void *ctx, const struct ctip_comm *c, const char *body), void *ctx,
                ctip_err *e)
{
	PGresult *r;
	/* only the filters given, each its parameter (a generic plan of `$2 = 0 OR c.id = $2`
	 * reads every communication for one): $1 the organisation, $2 the id, $3 the reference */
	char sql[700];
	int w = snprintf(sql, sizeof(sql),
	                 "SELECT c.id, c.org_id, o.name, c.ref, c.kind, c.sender, c.subject, "
	                 "c.received, c.due, c.status, c.in_reply_to, c.created_by, c.created_at, "
	                 "c.updated_at, c.version, c.body_sealed FROM communication c JOIN "
	                 "organisation o ON o.id = c.org_id WHERE $1::bigint = $1::bigint");
	if (org_id)
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND c.org_id = $1");
	if (id)
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND c.id = $2");
	else
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND $2::bigint = 0");
	if (ref)
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND lower(c.ref) = lower($3)");
	else
		w += snprintf(sql + w, sizeof(sql) - (size_t)w, " AND $3::text IS NULL");
	snprintf(sql + w, sizeof(sql) - (size_t)w, " ORDER BY c.received DESC, c.id DESC");
	int rc = pg_qf(PGS(s), &r, e, "communications", sql, "iis", (long long)org_id,
	               (long long)id, ref);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && rc == CTIP_OK; i++) {
		struct ctip_comm c = {
		        .id = pg_id(r, i, 0), .org_id = pg_id(r, i, 1), .version = pg_id(r, i, 14)};
		copy(c.org, sizeof(c.org), pg_col(r, i, 2));
		copy(c.ref, sizeof(c.ref), pg_col(r, i, 3));
		copy(c.kind, sizeof(c.kind), pg_col(r, i, 4));
		copy(c.sender, sizeof(c.sender), pg_col(r, i, 5));
		copy(c.subject, sizeof(c.subject), pg_col(r, i, 6));
		copy(c.received, sizeof(c.received), pg_col(r, i, 7));
		copy(c.due, sizeof(c.due), pg_col(r, i, 8));
		copy(c.status, sizeof(c.status), pg_col(r, i, 9));
		copy(c.in_reply_to, sizeof(c.in_reply_to), pg_col(r, i, 10));
		copy(c.created_by, sizeof(c.created_by), pg_col(r, i, 11));
		copy(c.created_at, sizeof(c.created_at), pg_col(r, i, 12));
		copy(c.updated_at, sizeof(c.updated_at), pg_col(r, i, 13));
		char *body = NULL;
		rc = pg_get_sealed(PGS(s), r, i, 15, "communication.body_sealed", c.id, &body, e);
		if (rc == CTIP_OK)
			rc = cb(ctx, &c, body ? body : "{}"); /* a ctip code; e set when not 0 */
		free(body);
	}
	PQclear(r);
	return rc;
}

const struct ctip_comms_ops ctip_pg_comms_ops = {
        .add = add,
        .update = update,
        .list = list,
};
