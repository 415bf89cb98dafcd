/*
 * store_pg_srv.c - the server's operations on PostgreSQL (store_server.h, struct ctip_srv_ops):
 * accounts by name, which cases an organisation sees, referrals with ids and states, case
 * updates with their version, assistance and proceedings. The same queries as SQLite's
 * store_sqlite_srv.c; the rule of which referral shows a case is store_sqlite_referral.h's
 * (plain SQL, one text for both back ends).
 *
 * Isolation by the database too (lib/sql/pg/0006_isolation.sql, docs/DESIGN.md): `ctip serve`
 * works as the role <database>_app, which owns nothing and is subject to row-level security;
 * every request names its organisation (scope), which this back end sets for the session and
 * again in each transaction (set_config('ctip.org', ..., true)); the policies show that role
 * only the cases of that organisation and those referred to it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "store_pg_int.h"
#include "access_rule.h"

int pg_qf(pg_store *s, PGresult **out, ctip_err *e, const char *what, const char *sql,
          const char *fmt, ...)
{
	enum { MAXP = 16 };
	const char *v[MAXP];
	int len[MAXP] = {0}, bin[MAXP] = {0}, n = 0;
	char num[MAXP][24];
	va_list ap;
	va_start(ap, fmt);
	for (const char *f = fmt; *f && n < MAXP; f++, n++) {
		v[n] = NULL;
		if (*f == 'i' || *f == 'z') {
			long long x = va_arg(ap, long long);
			snprintf(num[n], sizeof(num[n]), "%lld", x);
			if (*f == 'i' || x)
				v[n] = num[n];
		} else if (*f == 'd') {
			snprintf(num[n], sizeof(num[n]), "%d", va_arg(ap, int));
			v[n] = num[n];
		} else if (*f == 's') {
			const char *x = va_arg(ap, const char *);
			v[n] = x && *x ? x : NULL;
		} else if (*f == 'S') {
			v[n] = va_arg(ap, const char *);
		} else if (*f == 'b') {
			const unsigned char *x = va_arg(ap, const unsigned char *);
			size_t l = va_arg(ap, size_t);
			v[n] = (const char *)x;
			len[n] = (int)l;
			bin[n] = 1;
		}
	}
	va_end(ap);
	/* rows a load buffered in this transaction (a case the API just made) go first: what
	 * follows may name them */
	int rc = s->buffered ? pg_flush(s, e) : CTIP_OK;
	if (rc)
		return rc;
	return pg_query_bin(s, sql, n, v, len, bin, out, e, what);
}

/* ---- connection -------------------------------------------------------------------------- */

static int tune(ctip_store *base, ctip_err *e)
{
	(void)base; /* PostgreSQL caches its pages itself */
	(void)e;
	return CTIP_OK;
}

static int isolate(ctip_store *base, ctip_err *e)
{
	return pg_serve_role((pg_store *)base, e);
}

static void release(ctip_store *base)
{
	(void)base; /* nothing cached beyond the connection */
}

static int read_begin(ctip_store *base, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc = pg_tx_begin(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	s->read_only = !rc;
	return rc;
}

static void read_end(ctip_store *base)
{
	pg_store *s = (pg_store *)base;
	pg_pre_clear(s);
	s->read_only = 0;
	if (s->in_tx)
		pg_exec(s, "COMMIT", NULL);
	s->in_tx = 0;
}

static void scope(ctip_store *base, int64_t org_id)
{
	pg_store *s = (pg_store *)base;
	s->org = org_id;
}

static int registry_wide(ctip_store *base, int on, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	if (!s->role[0])
		return on ? ctip_err_set(e, CTIP_EDENIED,
		                         "%s: statistics, releases and the linkage review read the "
		                         "whole registry, which the server's role may not: connect "
		                         "`ctip serve` as the tables' owner (it switches to the "
		                         "role for everything else; docs/DEPLOYMENT.md)",
		                         s->base.path)
		          : CTIP_OK;
	if (on)
		return pg_exec(s, "RESET ROLE", e);
	char *id = PQescapeIdentifier(s->db, s->role, strlen(s->role)), sql[200];
	snprintf(sql, sizeof(sql), "SET ROLE %s", id ? id : "\"\"");
	PQfreemem(id);
	int rc = pg_exec(s, sql, e);
	if (rc) {
		/* never left as the owner: the connection goes, and is made again (with the
		 * role) by the next statement */
		PQfinish(s->db);
		s->db = PQconnectStart(s->url ? s->url : "");
	}
	return rc;
}

/* ---- accounts and organisations ------------------------------------------------------------ */

static int account_get(ctip_store *base, const char *username, struct ctip_account *a, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc =
	        pg_qf(s, &r, e, "account",
	              "SELECT a.id, a.org_id, o.name, a.role, a.pw_hash, a.disabled, a.username "
	              "FROM account a JOIN organisation o ON o.id = a.org_id WHERE a.username = $1",
	              "S", username);
	if (rc)
		return rc;
	if (!PQntuples(r)) {
		PQclear(r);
		return CTIP_ENOTFOUND;
	}
	memset(a, 0, sizeof(*a));
	a->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	a->org_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	snprintf(a->org, sizeof(a->org), "%s", PQgetvalue(r, 0, 2));
	snprintf(a->role, sizeof(a->role), "%s", PQgetvalue(r, 0, 3));
	snprintf(a->pw_hash, sizeof(a->pw_hash), "%s", PQgetvalue(r, 0, 4));
	a->disabled = atoi(PQgetvalue(r, 0, 5));
	snprintf(a->username, sizeof(a->username), "%s", PQgetvalue(r, 0, 6));
	PQclear(r);
	return CTIP_OK;
}

static int org_list(ctip_store *base, int (*cb)(void *ctx, const struct ctip_org_item *o),
                    void *ctx, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "organisations",
	               "SELECT id, name, type FROM organisation o WHERE EXISTS (SELECT 1 FROM "
	               "account a WHERE a.org_id = o.id) ORDER BY name_fold COLLATE \"C\"",
	               "");
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_org_item o = {strtoll(PQgetvalue(r, i, 0), NULL, 10), pg_col(r, i, 1),
		                          pg_col(r, i, 2)};
		rc = cb(ctx, &o);
	}
	PQclear(r);
	return rc;
}

/* ---- cases ----------------------------------------------------------------------------------- */

/* True when case `cas` is referred, live, to organisation `org`: a row of case_access, which
 * the triggers of the referral tables keep by access_rule.h's rule (store_pg_access.c). */
#define LIVE_TO(org, cas)                                                                          \
	"EXISTS (SELECT 1 FROM case_access a WHERE a.org_id = " org " AND a.case_id = " cas ")"

/* with the case's version: a view asks for both (case_version takes it from here) */
static const char access_sql[] =
        "SELECT c.org_id = $1, " LIVE_TO("$1", "c.id") ", c.version FROM cases c WHERE c.id = $2";
static const char version_sql[] = "SELECT version FROM cases WHERE id = $1";

static int case_access(ctip_store *base, int64_t case_id, int64_t org_id, int *access, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "access", access_sql, "ii", (long long)org_id, (long long)case_id);
	if (rc)
		return rc;
	*access = CTIP_ACCESS_NONE;
	if (PQntuples(r))
		*access = !strcmp(PQgetvalue(r, 0, 0), "t")   ? CTIP_ACCESS_OWN
		          : !strcmp(PQgetvalue(r, 0, 1), "t") ? CTIP_ACCESS_REFERRAL
		                                              : CTIP_ACCESS_NONE;
	/* kept for case_version in a read's snapshot (not in a write's: its version may move) */
	if (PQntuples(r) && *access != CTIP_ACCESS_NONE && s->read_only) {
		s->seen_case = case_id;
		s->seen_version = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	}
	PQclear(r);
	return CTIP_OK;
}

static int cases_visible(ctip_store *base, int64_t org_id, const char *status, const char *text,
                         long offset, long limit, long *total,
                         int (*cb)(void *ctx, const struct ctip_case_item *c), void *ctx,
                         ctip_err *e)
{
	pg_store *s = (pg_store *)base;
#define PG_VISIBLE_FROM                                                                            \
	"FROM cases c JOIN organisation o ON o.id = c.org_id WHERE (c.org_id = $1 OR c.id IN "     \
	"(SELECT case_id FROM case_access WHERE org_id = $1)) AND ($2::text IS NULL OR c.status "  \
	"= $2) AND ($3::text IS NULL OR lower(c.src_case_id) LIKE $3 OR o.name_fold LIKE $3) "
	char *like = NULL;
	if (text && *text) {
		size_t n = strlen(text), w = 0;
		if (!(like = malloc(2 * n + 3)))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		like[w++] = '%';
		for (const char *p = text; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				like[w++] = '\\';
			like[w++] = *p;
		}
		like[w++] = '%';
		like[w] = 0;
	}
	PGresult *r;
	int rc = pg_qf(s, &r, e, "cases", "SELECT count(*) " PG_VISIBLE_FROM, "iss",
	               (long long)org_id, status, like);
	if (rc) {
		free(like);
		return rc;
	}
	*total = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	rc = pg_qf(s, &r, e, "cases",
	           "SELECT c.id, c.src_case_id, o.name, c.status, c.opened, (SELECT count(*) FROM "
	           "case_person WHERE case_id = c.id), c.org_id = $1 " PG_VISIBLE_FROM
	           "ORDER BY c.id DESC LIMIT $4 OFFSET $5",
	           "issii", (long long)org_id, status, like, (long long)limit, (long long)offset);
	free(like);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_case_item c = {
		        .id = strtoll(PQgetvalue(r, i, 0), NULL, 10),
		        .src_case_id = pg_col(r, i, 1),
		        .org = pg_col(r, i, 2),
		        .status = pg_col(r, i, 3),
		        .opened = pg_col(r, i, 4),
		        .persons = atol(PQgetvalue(r, i, 5)),
		        .access = !strcmp(PQgetvalue(r, i, 6), "t") ? CTIP_ACCESS_OWN
		                                                    : CTIP_ACCESS_REFERRAL,
		};
		rc = cb(ctx, &c);
	}
	PQclear(r);
	return rc;
}

static int case_update(ctip_store *base, int64_t case_id, const ctip_row *row, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	unsigned char *sealed = NULL;
	size_t n = 0;
	int rc = ctip_value_seal(s->base.crypto, s->base.path, row->v[CF_CAS_CLOSURE],
	                         "cases.closure_reason", case_id, -1, &sealed, &n, e);
	if (rc)
		return rc;
	rc = pg_qf(s, NULL, e, "case",
	           "UPDATE cases SET status = $1, closure_sealed = $2, opened = $3, closed = $4, "
	           "reopened = $5 WHERE id = $6",
	           "sbsssi", row->v[CF_CAS_STATUS], sealed, n, row->v[CF_CAS_OPENED],
	           row->v[CF_CAS_CLOSED], row->v[CF_CAS_REOPENED], (long long)case_id);
	free(sealed);
	return rc;
}

static int comment_add(ctip_store *base, int64_t case_id, const char *date, const char *body,
                       ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "comment",
	               "SELECT coalesce(max(seq) + 1, 0) FROM case_comment WHERE case_id = $1", "i",
	               (long long)case_id);
	if (rc)
		return rc;
	int seq = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	unsigned char *sealed = NULL;
	size_t n = 0;
	if ((rc = ctip_value_seal(s->base.crypto, s->base.path, body, "case_comment.body", case_id,
	                          seq, &sealed, &n, e)))
		return rc;
	rc = pg_qf(s, NULL, e, "comment",
	           "INSERT INTO case_comment(case_id, seq, date, body_sealed) VALUES ($1, $2, $3, "
	           "$4)",
	           "idsb", (long long)case_id, seq, date, sealed, n);
	free(sealed);
	return rc;
}

static int case_version(ctip_store *base, int64_t case_id, int64_t *version, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	if (s->in_tx && s->seen_case == case_id) { /* read with the access check, same snapshot */
		*version = s->seen_version;
		return CTIP_OK;
	}
	int rc = pg_qf(s, &r, e, "case version", version_sql, "i", (long long)case_id);
	if (rc)
		return rc;
	rc = PQntuples(r) ? CTIP_OK : CTIP_ENOTFOUND;
	*version = rc ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

/* The row lock of the UPDATE is held to the end of the transaction: a second server's update
 * of the same case waits, then finds the version moved on and is refused. */
static int case_bump(ctip_store *base, int64_t case_id, int64_t expect, int64_t *version,
                     ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "case version",
	               "UPDATE cases SET version = version + 1 WHERE id = $1 AND ($2::bigint IS "
	               "NULL OR version = $2) RETURNING version",
	               "iz", (long long)case_id, (long long)expect);
	if (rc)
		return rc;
	int n = PQntuples(r);
	if (n)
		*version = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (n)
		return CTIP_OK;
	int64_t now = 0;
	if ((rc = case_version(base, case_id, &now, e)))
		return rc;
	*version = now;
	return ctip_err_set(e, CTIP_ECONFLICT,
	                    "case %lld was changed by someone else since you read it (your "
	                    "version %lld, now %lld): reload it and make your change again",
	                    (long long)case_id, (long long)expect, (long long)now);
}

/* ---- referrals ---------------------------------------------------------------------------------
 */

static int referral_add(ctip_store *base, const struct ctip_referral *f, int64_t *id, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "referral",
	               "INSERT INTO case_referral(case_id, from_org_id, to_org_id, date, reason, "
	               "status, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
	               "iiiSSSS", (long long)f->case_id, (long long)f->from_org_id,
	               (long long)f->to_org_id, f->date, f->reason ? f->reason : "",
	               f->status ? f->status : "Pending", f->created_by);
	if (rc)
		return rc;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	/* the note is sealed for its row ("case_referral.note:<id>", as on SQLite), so it is
	 * written once the id is known */
	if (f->note && *f->note) {
		unsigned char *b = NULL;
		size_t n = 0;
		rc = ctip_value_seal(s->base.crypto, s->base.path, f->note, "case_referral.note",
		                     *id, -1, &b, &n, e);
		if (!rc)
			rc = pg_qf(s, NULL, e, "referral note",
			           "UPDATE case_referral SET note_sealed = $1 WHERE id = $2", "bi",
			           b, n, (long long)*id);
		free(b);
	}
	return rc;
}

/* referral_list's statement, with only the filters asked for: a catch-all "($1 = 0 OR r.id =
 * $1)" gets a generic plan that scans the whole table, at every case view. Its parameters in
 * num; returns how many. */
static int referral_sql(char *sql, size_t size, int64_t id, int64_t case_id, int64_t org_id, int in,
                        char num[3][24])
{
	int np = 0;
	size_t k = (size_t)snprintf(
	        sql, size,
	        "SELECT r.id, r.case_id, r.from_org_id, r.to_org_id, f.name, t.name, r.date, "
	        "r.reason, r.status, r.created_by, r.created_at, r.note_sealed, r.read_at IS NULL "
	        "FROM case_referral r JOIN "
	        "organisation f ON f.id = r.from_org_id JOIN organisation t ON t.id = r.to_org_id "
	        "WHERE true");
	const int64_t want[3] = {id, case_id, org_id};
	const char *col[3] = {"r.id", "r.case_id", in ? "r.to_org_id" : "r.from_org_id"};
	for (int i = 0; i < 3; i++) {
		if (!want[i])
			continue;
		snprintf(num[np], 24, "%lld", (long long)want[i]);
		np++;
		k += (size_t)snprintf(sql + k, size - k, " AND %s = $%d::bigint", col[i], np);
	}
	snprintf(sql + k, size - k, " ORDER BY r.id DESC LIMIT 1000");
	return np;
}

static int referral_list(ctip_store *base, int64_t id, int64_t case_id, int64_t org_id, int in,
                         int (*cb)(void *ctx, const struct ctip_referral *f), void *ctx,
                         ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	char sql[640], num[3][24];
	const char *v[3];
	int np = referral_sql(sql, sizeof(sql), id, case_id, org_id, in, num);
	for (int i = 0; i < np; i++)
		v[i] = num[i];
	int rc = s->buffered ? pg_flush(s, e) : CTIP_OK;
	if (!rc)
		rc = pg_query(s, sql, np, v, &r, e, "referrals");
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_referral f = {
		        .id = strtoll(PQgetvalue(r, i, 0), NULL, 10),
		        .case_id = strtoll(PQgetvalue(r, i, 1), NULL, 10),
		        .from_org_id = strtoll(PQgetvalue(r, i, 2), NULL, 10),
		        .to_org_id = strtoll(PQgetvalue(r, i, 3), NULL, 10),
		        .from_org = pg_col(r, i, 4),
		        .to_org = pg_col(r, i, 5),
		        .date = pg_col(r, i, 6),
		        .reason = pg_col(r, i, 7),
		        .status = pg_col(r, i, 8),
		        .created_by = pg_col(r, i, 9),
		        .created_at = pg_col(r, i, 10),
		        .unread = !strcmp(PQgetvalue(r, i, 12), "t"),
		};
		char *note = NULL;
		if (!PQgetisnull(r, i, 11)) {
			unsigned char *b = NULL;
			size_t n = 0;
			if (pg_col_bytea(r, i, 11, &b, &n))
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			else
				rc = ctip_value_open(s->base.crypto, s->base.path, b, n,
				                     "case_referral.note", f.id, -1, &note, e);
			free(b);
		}
		f.note = note;
		if (!rc)
			rc = cb(ctx, &f);
		free(note);
	}
	PQclear(r);
	return rc;
}

static int referral_set_status(ctip_store *base, int64_t id, const char *from, const char *status,
                               ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "referral",
	               "UPDATE case_referral SET status = $1 WHERE id = $2 AND status = $3 "
	               "RETURNING case_id",
	               "SiS", status, (long long)id, from);
	if (rc)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	return n ? CTIP_OK
	         : ctip_err_set(e, CTIP_ENOTFOUND, "referral %lld is no longer %s", (long long)id,
	                        from);
}

/* ---- persons, links, assistance and proceedings ------------------------------------------------
 */

static int one_id(pg_store *s, const char *sql, int64_t a, int64_t b, int nparams, int64_t *out,
                  const char *what, ctip_err *e)
{
	PGresult *r;
	int rc = nparams == 2 ? pg_qf(s, &r, e, what, sql, "ii", (long long)a, (long long)b)
	                      : pg_qf(s, &r, e, what, sql, "i", (long long)a);
	if (rc)
		return rc;
	rc = PQntuples(r) ? CTIP_OK : CTIP_ENOTFOUND;
	if (!rc)
		*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

static int person_org(ctip_store *base, int64_t person_id, int64_t *org_id, ctip_err *e)
{
	return one_id((pg_store *)base, "SELECT org_id FROM person WHERE id = $1", person_id, 0, 1,
	              org_id, "person", e);
}

static int link_find(ctip_store *base, int64_t case_id, int64_t person_id, int64_t *link,
                     ctip_err *e)
{
	return one_id((pg_store *)base,
	              "SELECT id FROM case_person WHERE case_id = $1 AND person_id = $2", case_id,
	              person_id, 2, link, "link", e);
}

static int link_get(ctip_store *base, int64_t link, int64_t *case_id, int64_t *person_id,
                    ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "link", "SELECT case_id, person_id FROM case_person WHERE id = $1",
	               "i", (long long)link);
	if (rc)
		return rc;
	rc = PQntuples(r) ? CTIP_OK : CTIP_ENOTFOUND;
	if (!rc) {
		*case_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		*person_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	}
	PQclear(r);
	return rc;
}

static int referral_read(ctip_store *base, int64_t id, ctip_err *e)
{
	return pg_qf((pg_store *)base, NULL, e, "referral",
	             "UPDATE case_referral SET read_at = to_char(now() AT TIME ZONE 'UTC', "
	             "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') WHERE id = $1 AND read_at IS NULL",
	             "i", (long long)id);
}

static int referral_unread(ctip_store *base, int64_t org_id, long *n, ctip_err *e)
{
	PGresult *r;
	*n = 0;
	int rc =
	        pg_qf((pg_store *)base, &r, e, "referrals",
	              "SELECT count(*) FROM case_referral WHERE to_org_id = $1 AND read_at IS NULL "
	              "AND status = 'Pending'",
	              "i", (long long)org_id);
	if (rc)
		return rc;
	*n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return CTIP_OK;
}

static int account_list(ctip_store *base, int (*cb)(void *ctx, const struct ctip_account_item *a),
                        void *ctx, ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(
	        (pg_store *)base, &r, e, "accounts",
	        "SELECT a.id, a.org_id, a.username, o.name, a.role, to_char(a.created_at AT "
	        "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.disabled FROM account a "
	        "JOIN organisation o ON o.id = a.org_id ORDER BY a.username COLLATE \"C\"",
	        "");
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_account_item a = {.id = strtoll(PQgetvalue(r, i, 0), NULL, 10),
		                              .org_id = strtoll(PQgetvalue(r, i, 1), NULL, 10),
		                              .username = pg_col(r, i, 2),
		                              .org = pg_col(r, i, 3),
		                              .role = pg_col(r, i, 4),
		                              .created_at = pg_col(r, i, 5),
		                              .disabled = atoi(PQgetvalue(r, i, 6))};
		rc = cb(ctx, &a);
	}
	PQclear(r);
	return rc;
}

static int account_set(ctip_store *base, int64_t id, int disabled, const char *pw_hash, ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf((pg_store *)base, &r, e, "account",
	               "UPDATE account SET disabled = CASE WHEN $2 < 0 THEN disabled ELSE $2 END, "
	               "pw_hash = coalesce($3, pw_hash) WHERE id = $1 RETURNING id",
	               "ids", (long long)id, disabled, pw_hash);
	if (rc)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	return n ? CTIP_OK : ctip_err_set(e, CTIP_ENOTFOUND, "no account %lld", (long long)id);
}

/* The organisation a provider names, or 0 when none is registered under that name: the
 * provider is then kept as text (0012_assistance_provider_text.sql). A form's free text never
 * registers an organisation (as on SQLite). */
static int provider_org(ctip_store *s, const char *name, int64_t *id, ctip_err *e)
{
	int rc = s->ops->org_find(s, name, id, NULL, e);
	if (rc == CTIP_ENOTFOUND) {
		*id = 0;
		return CTIP_OK;
	}
	return rc;
}

/* Writes an assistance or proceeding item (insert: new; else the item seq of the link). */
static int item_write(pg_store *s, int insert, int assist, int64_t link, int seq, const ctip_row *r,
                      ctip_err *e)
{
	int64_t org = 0;
	int rc;
	if (assist && ctip_row_get(r, CF_AS_PROVIDER) &&
	    (rc = provider_org(&s->base, r->v[CF_AS_PROVIDER], &org, e)))
		return rc;
	PGresult *q;
	if (assist)
		rc = pg_qf(
		        s, &q, e, "assistance",
		        insert ? "INSERT INTO assistance(case_person_id, seq, kind, date, "
		                 "provider_org_id, amount, provider_text) VALUES ($1, $2, $3, $4, "
		                 "$5, $6, $7) RETURNING 1"
		               : "UPDATE assistance SET kind = $3, date = $4, provider_org_id = "
		                 "$5, amount = $6, provider_text = $7 WHERE case_person_id = $1 "
		                 "AND seq = $2 RETURNING 1",
		        "idsszss", (long long)link, seq, r->v[CF_AS_KIND], r->v[CF_AS_DATE],
		        (long long)org, r->v[CF_AS_AMOUNT],
		        org ? NULL : ctip_row_get(r, CF_AS_PROVIDER));
	else
		rc = pg_qf(
		        s, &q, e, "proceeding",
		        insert ? "INSERT INTO proceeding(case_person_id, seq, stage, date, "
		                 "article, sentence_kind, sentence_months) VALUES ($1, $2, $3, "
		                 "$4, $5, $6, $7) RETURNING 1"
		               : "UPDATE proceeding SET stage = $3, date = $4, article = $5, "
		                 "sentence_kind = $6, sentence_months = $7 WHERE case_person_id = "
		                 "$1 AND seq = $2 RETURNING 1",
		        "idsssss", (long long)link, seq, r->v[CF_PR_STAGE], r->v[CF_PR_DATE],
		        r->v[CF_PR_ARTICLE], r->v[CF_PR_SENTENCE_KIND],
		        ctip_row_get(r, CF_PR_SENTENCE_MONTHS));
	if (rc)
		return rc;
	rc = PQntuples(q) ? CTIP_OK : CTIP_ENOTFOUND;
	PQclear(q);
	return rc;
}

static int item_add(pg_store *s, int assist, int64_t case_id, int64_t person_id, const ctip_row *r,
                    int *seq, ctip_err *e)
{
	int64_t cp = 0;
	int rc = link_find(&s->base, case_id, person_id, &cp, e);
	if (rc)
		return rc;
	PGresult *q;
	rc = pg_qf(s, &q, e, "items",
	           assist ? "SELECT coalesce(max(seq) + 1, 0) FROM assistance WHERE "
	                    "case_person_id = $1"
	                  : "SELECT coalesce(max(seq) + 1, 0) FROM proceeding WHERE "
	                    "case_person_id = $1",
	           "i", (long long)cp);
	if (rc)
		return rc;
	*seq = atoi(PQgetvalue(q, 0, 0));
	PQclear(q);
	return item_write(s, 1, assist, cp, *seq, r, e);
}

static int assistance_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                          int *seq, ctip_err *e)
{
	return item_add((pg_store *)base, 1, case_id, person_id, r, seq, e);
}

static int proceeding_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                          int *seq, ctip_err *e)
{
	return item_add((pg_store *)base, 0, case_id, person_id, r, seq, e);
}

/* Appends one event of the link (case, person): its type, date and place. */
static int event_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                     int *seq, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int64_t cp = 0;
	int rc = link_find(base, case_id, person_id, &cp, e);
	if (rc)
		return rc;
	PGresult *q;
	rc = pg_qf(s, &q, e, "events",
	           "SELECT coalesce(max(seq) + 1, 0) FROM event WHERE case_person_id = $1", "i",
	           (long long)cp);
	if (rc)
		return rc;
	*seq = atoi(PQgetvalue(q, 0, 0));
	PQclear(q);
	rc = pg_qf(s, &q, e, "event",
	           "INSERT INTO event(case_person_id, seq, type, date, country, state, city) "
	           "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING 1",
	           "idsssss", (long long)cp, *seq, r->v[CF_EV_TYPE], r->v[CF_EV_DATE],
	           r->v[CF_EV_COUNTRY], r->v[CF_EV_STATE], r->v[CF_EV_CITY]);
	if (rc)
		return rc;
	PQclear(q);
	return CTIP_OK;
}

static int item_set(ctip_store *base, int kind, int64_t link, int seq, const ctip_row *r,
                    ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	if (kind != CTIP_ITEM_EVENT)
		return item_write(s, 0, kind == CTIP_ITEM_ASSISTANCE, link, seq, r, e);
	PGresult *q;
	int rc = pg_qf(s, &q, e, "event",
	               "UPDATE event SET type = $3, date = $4, country = $5, state = $6, city = $7 "
	               "WHERE case_person_id = $1 AND seq = $2 RETURNING 1",
	               "idsssss", (long long)link, seq, r->v[CF_EV_TYPE], r->v[CF_EV_DATE],
	               r->v[CF_EV_COUNTRY], r->v[CF_EV_STATE], r->v[CF_EV_CITY]);
	if (rc)
		return rc;
	rc = PQntuples(q) ? CTIP_OK : CTIP_ENOTFOUND;
	PQclear(q);
	return rc;
}

/* ---- which cases of a person record an organisation sees ---------------------------------------
 */

/* The scope is a JSON array of codes without quotes or separators inside: as a `;` list. */
static const char *scope_list(const char *j, char *out, size_t n)
{
	size_t w = 0;
	for (; j && *j && w + 1 < n; j++)
		if (*j == ',')
			out[w++] = ';';
		else if (*j != '[' && *j != ']' && *j != '"' && *j != ' ')
			out[w++] = *j;
	out[w] = 0;
	return w ? out : NULL;
}

static int visible_cases(pg_store *s, const int64_t *ids, int n, int64_t org_id,
                         int (*cb)(void *ctx, int64_t person_id, int64_t case_id, int access,
                                   int consent, const char *scope),
                         void *ctx, ctip_err *e)
{
	char *arr = malloc((size_t)n * 21 + 3), *w = arr;
	if (!arr)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	*w++ = '{';
	for (int i = 0; i < n; i++)
		w += sprintf(w, i ? ",%lld" : "%lld", (long long)ids[i]);
	*w++ = '}';
	*w = 0;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "person cases",
	               "SELECT cp.person_id, c.id, c.org_id = $1, coalesce(cp.consent, -1), "
	               "cp.consent_scope FROM case_person cp JOIN cases c ON c.id = cp.case_id "
	               "WHERE cp.person_id = ANY ($2::bigint[]) AND (c.org_id = $1 OR " LIVE_TO(
	                       "$1", "c.id") ") ORDER BY c.id",
	               "iS", (long long)org_id, arr);
	free(arr);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		char scope[512];
		rc = cb(ctx, strtoll(PQgetvalue(r, i, 0), NULL, 10),
		        strtoll(PQgetvalue(r, i, 1), NULL, 10),
		        !strcmp(PQgetvalue(r, i, 2), "t") ? CTIP_ACCESS_OWN : CTIP_ACCESS_REFERRAL,
		        atoi(PQgetvalue(r, i, 3)),
		        scope_list(pg_col(r, i, 4), scope, sizeof(scope)));
	}
	PQclear(r);
	return rc;
}

static int persons_visible_cases(ctip_store *base, const int64_t *ids, int n, int64_t org_id,
                                 int (*cb)(void *ctx, int64_t person_id, int64_t case_id,
                                           int access, int consent, const char *scope),
                                 void *ctx, ctip_err *e)
{
	int rc = CTIP_OK;
	for (int at = 0; rc == CTIP_OK && at < n; at += 500)
		rc = visible_cases((pg_store *)base, ids + at, n - at < 500 ? n - at : 500, org_id,
		                   cb, ctx, e);
	return rc;
}

struct one_person {
	int (*cb)(void *ctx, int64_t case_id, int access, int consent, const char *scope);
	void *ctx;
};

static int one_case(void *ctx, int64_t person_id, int64_t case_id, int access, int consent,
                    const char *scope)
{
	struct one_person *o = ctx;
	(void)person_id;
	return o->cb(o->ctx, case_id, access, consent, scope);
}

static int person_visible_cases(ctip_store *base, int64_t person_id, int64_t org_id,
                                int (*cb)(void *ctx, int64_t case_id, int access, int consent,
                                          const char *scope),
                                void *ctx, ctip_err *e)
{
	struct one_person o = {cb, ctx};
	return visible_cases((pg_store *)base, &person_id, 1, org_id, one_case, &o, e);
}

static int persons_own_cases(ctip_store *base, const int64_t *ids, int n,
                             int (*cb)(void *ctx, int64_t person_id, int64_t case_id), void *ctx,
                             ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char *arr = malloc((size_t)n * 21 + 3), *w = arr;
	if (!arr)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	*w++ = '{';
	for (int i = 0; i < n; i++)
		w += sprintf(w, i ? ",%lld" : "%lld", (long long)ids[i]);
	*w++ = '}';
	*w = 0;
	PGresult *r;
	int rc = pg_qf(s, &r, e, "person cases",
	               "SELECT person_id, case_id FROM case_person WHERE person_id = ANY "
	               "($1::bigint[])",
	               "S", arr);
	free(arr);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++)
		rc = cb(ctx, strtoll(PQgetvalue(r, i, 0), NULL, 10),
		        strtoll(PQgetvalue(r, i, 1), NULL, 10));
	PQclear(r);
	return rc;
}

/* A case view's reads but its children's (which need the rows' ids), in one round trip: the
 * same statements and parameters as case_access, pg_rows, referral_list and case_version send
 * (docs/BENCHMARKS.md: round trips, not the queries, were most of PostgreSQL's work per view). */
static void case_prefetch(ctip_store *base, int64_t case_id, int64_t org_id)
{
	pg_store *s = (pg_store *)base;
	char c[24], o[24], zero[] = "0", rsql[640], rnum[3][24];
	snprintf(c, sizeof(c), "%lld", (long long)case_id);
	snprintf(o, sizeof(o), "%lld", (long long)org_id);
	int rn = referral_sql(rsql, sizeof(rsql), 0, case_id, 0, 0, rnum);
	const char *va[] = {o, c}, *vr[] = {c, zero}, *vf[] = {rnum[0]};
	const char *const sql[] = {access_sql, pg_rows_case_sql, rsql};
	const char *const *v[] = {va, vr, vf};
	const int np[] = {2, 2, rn};
	pg_prefetch(s, 3, sql, np, v);
}

const struct ctip_srv_ops ctip_pg_srv_ops = {
        .tune = tune,
        .isolate = isolate,
        .release = release,
        .read_begin = read_begin,
        .read_end = read_end,
        .case_prefetch = case_prefetch,
        .scope = scope,
        .registry_wide = registry_wide,
        .account_get = account_get,
        .account_list = account_list,
        .account_set = account_set,
        .referral_read = referral_read,
        .referral_unread = referral_unread,
        .org_list = org_list,
        .case_access = case_access,
        .cases_visible = cases_visible,
        .case_update = case_update,
        .case_version = case_version,
        .case_bump = case_bump,
        .comment_add = comment_add,
        .referral_add = referral_add,
        .referral_list = referral_list,
        .referral_set_status = referral_set_status,
        .person_org = person_org,
        .assistance_add = assistance_add,
        .proceeding_add = proceeding_add,
        .event_add = event_add,
        .link_find = link_find,
        .link_get = link_get,
        .item_set = item_set,
        .person_visible_cases = person_visible_cases,
        .persons_own_cases = persons_own_cases,
        .persons_visible_cases = persons_visible_cases,
};
