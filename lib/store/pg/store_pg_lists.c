/*
 * store_pg_lists.c - the server's long lists on PostgreSQL (store_lists.h, lib/sql/pg/0019):
 * the same operations as store_sqlite_lists.c, with the same rule of which cases an
 * organisation sees (its own, by index, and those referred to it: access_rule.h's SQL).
 *
 * The two parts (own and referred) are read in the list's order, each stopping after the
 * page, and merged here as on SQLite; text orders are compared COLLATE "C", so that the
 * merge's byte comparison agrees with the database's order. Counts are not remembered
 * between requests (SQLite's data_version has no cheap equivalent here); an organisation's
 * count reads its part of the index cases_org_status.
 *
 * Row-level security (0006_isolation.sql) filters these queries again for the server's role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_rule.h"
#include "store_lists.h"
#include "store_pg_int.h"

#define PGS(b) ((pg_store *)(b))
#define MAXP   12

/* The parameters of one query, numbered as they are added ($1, $2, ...). */
struct params {
	const char *v[MAXP];
	int n;
	char num[4][24];
	int nnum;
};

static const char *param(struct params *p, const char *v)
{
	static const char *const names[MAXP] = {"$1", "$2", "$3", "$4",  "$5",  "$6",
	                                        "$7", "$8", "$9", "$10", "$11", "$12"};
	if (p->n >= MAXP)
		return "NULL"; /* not reached: a query has at most 11 */
	p->v[p->n] = v;
	return names[p->n++];
}

static const char *param_int(struct params *p, int64_t v)
{
	if (p->nnum >= 4)
		return "NULL";
	snprintf(p->num[p->nnum], sizeof(p->num[0]), "%lld", (long long)v);
	return param(p, p->num[p->nnum++]);
}

static int query(pg_store *s, const char *sql, const struct params *p, PGresult **r,
                 const char *what, ctip_err *e)
{
	int rc = s->buffered ? pg_flush(s, e) : CTIP_OK;
	return rc ? rc : pg_query(s, sql, p->n, p->v, r, e, what);
}

static int64_t int_of(const PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? 0 : strtoll(PQgetvalue(r, i, c), NULL, 10);
}

/* ---- the case list ------------------------------------------------------------------ */

/* As store_sqlite_lists.c's sort_expr; text orders by bytes (COLLATE "C"). */
static const char *sort_expr(enum ctip_case_sort s)
{
	switch (s) {
	case CTIP_SORT_ACTIVITY: return "coalesce(c.activity, c.opened, '') COLLATE \"C\"";
	case CTIP_SORT_OPENED: return "coalesce(c.opened, '') COLLATE \"C\"";
	case CTIP_SORT_CASE: return "c.src_case_id COLLATE \"C\"";
	case CTIP_SORT_STATUS: return "coalesce(c.status, '') COLLATE \"C\"";
	case CTIP_SORT_STAGE: return "coalesce(w.stage, 'identification') COLLATE \"C\"";
	case CTIP_SORT_RISK:
		return "CASE c.risk WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE "
		       "0 END";
	case CTIP_SORT_ASSIGNED: return "coalesce(c.assigned, '') COLLATE \"C\"";
	case CTIP_SORT_ORG: return "o.name_fold COLLATE \"C\"";
	case CTIP_SORT_ID: break;
	}
	return "c.id";
}

#define OPEN_CASE "coalesce(c.status, '') NOT IN ('Closed', 'ClosedReferred')"

struct bound {
	char *like, *ids;
};

static int bound_make(const struct ctip_case_query *q, struct bound *b, ctip_err *e)
{
	memset(b, 0, sizeof(*b));
	if (q->text) {
		size_t n = strlen(q->text), w = 0;
		if (!(b->like = malloc(2 * n + 3)))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		b->like[w++] = '%';
		for (const char *p = q->text; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				b->like[w++] = '\\';
			b->like[w++] = *p;
		}
		b->like[w++] = '%';
		b->like[w] = 0;
	}
	if (q->ids_given) {
		size_t cap = (size_t)q->nids * 21 + 3, w = 0;
		if (!(b->ids = malloc(cap)))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		b->ids[w++] = '{';
		for (int i = 0; i < q->nids; i++)
			w += (size_t)snprintf(b->ids + w, cap - w, "%s%lld", i ? "," : "",
			                      (long long)q->ids[i]);
		b->ids[w++] = '}';
		b->ids[w] = 0;
	}
	return CTIP_OK;
}

/* The FROM and WHERE of one part (own or referred) of q into buf, its parameters into p. */
static void part_sql(char *buf, size_t n, const struct ctip_case_query *q, const struct bound *b,
                     int own, struct params *p)
{
	size_t w = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		int k_ = snprintf(buf + w, n - w, __VA_ARGS__);                                    \
		w += k_ > 0 && (size_t)k_ < n - w ? (size_t)k_ : 0;                                \
	} while (0)
	ADD(" FROM cases c");
	if (q->text || q->sort == CTIP_SORT_ORG)
		ADD(" JOIN organisation o ON o.id = c.org_id");
	if (q->stage || q->sort == CTIP_SORT_STAGE)
		ADD(" LEFT JOIN case_work w ON w.case_id = c.id");
	const char *org = param_int(p, q->org_id);
	if (own)
		ADD(" WHERE c.org_id = %s::bigint", org);
	else
		/* case_access: the cases referred, live, to it (access_rule.h's rule, kept by
		 * the referral tables' triggers: store_pg_access.c) */
		ADD(" WHERE c.id IN (SELECT case_id FROM case_access WHERE org_id = %s::bigint) "
		    "AND c.org_id <> %s::bigint",
		    org, org);
	if (q->status)
		ADD(" AND c.status = %s", param(p, q->status));
	if (q->stage)
		ADD(" AND coalesce(w.stage, 'identification') = %s", param(p, q->stage));
	if (q->risk && !strcmp(q->risk, "none"))
		ADD(" AND c.risk IS NULL");
	else if (q->risk)
		ADD(" AND c.risk = %s", param(p, q->risk));
	if (q->assigned)
		ADD(" AND c.assigned = %s", param(p, q->assigned));
	if (q->unassigned)
		ADD(" AND c.assigned IS NULL");
	if (q->from)
		ADD(" AND c.opened >= %s", param(p, q->from));
	if (q->to)
		ADD(" AND substr(c.opened, 1, 10) <= %s", param(p, q->to));
	if (q->open_only)
		ADD(" AND " OPEN_CASE);
	/* the text is folded by the caller; case numbers are compared lower-cased, the
	 * organisation by its folded name */
	if (q->text) {
		const char *t = param(p, b->like);
		if (q->ids_given)
			ADD(" AND (lower(c.src_case_id) LIKE %s OR o.name_fold LIKE %s OR c.id = "
			    "ANY(%s::bigint[]))",
			    t, t, param(p, b->ids));
		else
			ADD(" AND (lower(c.src_case_id) LIKE %s OR o.name_fold LIKE %s)", t, t);
	} else if (q->ids_given) {
		ADD(" AND c.id = ANY(%s::bigint[])", param(p, b->ids));
	}
#undef ADD
}

struct key {
	int64_t id;
	int64_t num;
	char *text;
	int own;
};

struct keys {
	struct key *v;
	size_t n, cap;
};

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].text);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

static int part_read(pg_store *s, const struct ctip_case_query *q, const struct bound *b, int own,
                     long want, long *count, struct keys *k, ctip_err *e)
{
	char from[2048], sql[2600];
	struct params p = {0};
	part_sql(from, sizeof(from), q, b, own, &p);
	snprintf(sql, sizeof(sql), "SELECT count(*)%s", from);
	PGresult *r;
	int rc = query(s, sql, &p, &r, "cases: count", e);
	if (rc)
		return rc;
	*count = (long)int_of(r, 0, 0);
	PQclear(r);
	if (!*count || want == 0)
		return CTIP_OK;
	const char *dir = q->desc ? "DESC" : "ASC";
	char lim[32] = "";
	if (want > 0)
		snprintf(lim, sizeof(lim), " LIMIT %ld", want);
	snprintf(sql, sizeof(sql), "SELECT %s, c.id%s ORDER BY 1 %s, c.id %s%s", sort_expr(q->sort),
	         from, dir, dir, lim);
	if ((rc = query(s, sql, &p, &r, "cases", e)))
		return rc;
	int numeric = q->sort == CTIP_SORT_RISK || q->sort == CTIP_SORT_ID;
	int nt = PQntuples(r);
	for (int i = 0; rc == CTIP_OK && i < nt; i++) {
		if (k->n == k->cap) {
			size_t cap = k->cap ? 2 * k->cap : 64;
			struct key *g = realloc(k->v, cap * sizeof(*g));
			if (!g) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			k->v = g;
			k->cap = cap;
		}
		struct key *x = &k->v[k->n];
		x->id = int_of(r, i, 1);
		x->own = own;
		x->num = numeric ? int_of(r, i, 0) : 0;
		x->text = NULL;
		if (!numeric && !(x->text = strdup(PQgetvalue(r, i, 0)))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		k->n++;
	}
	PQclear(r);
	return rc;
}

static int key_cmp(const struct key *a, const struct key *b, int numeric, int desc)
{
	int c = numeric ? (a->num > b->num) - (a->num < b->num) : strcmp(a->text, b->text);
	if (!c)
		c = (a->id > b->id) - (a->id < b->id);
	return desc ? -c : c;
}

/* The page's rows in full, in one query (the ids in the page's order). */
static const char row_sql[] =
        "SELECT c.id, c.src_case_id, o.name, c.status, c.opened, c.closed, "
        "coalesce(w.stage, 'identification'), w.assigned_to, c.risk, coalesce(c.activity, "
        "c.opened), (SELECT count(*) FROM case_person WHERE case_id = c.id), v.person_id, "
        "p.identity, coalesce(v.consent, -1), v.consent_scope, CASE WHEN w.followup = 'active' "
        "THEN (SELECT count(*) FROM followup_due d WHERE d.case_id = c.id AND d.done IS NULL AND "
        "d.due < $2) ELSE 0 END, x.n "
        "FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n) JOIN cases c ON c.id = x.id "
        "JOIN organisation o ON o.id = c.org_id LEFT JOIN case_work w ON w.case_id = c.id "
        "LEFT JOIN case_person v ON v.id = (SELECT id FROM case_person WHERE case_id = c.id "
        "ORDER BY role <> 'Victim', id LIMIT 1) LEFT JOIN person p ON p.id = v.person_id "
        "ORDER BY x.n";

static int emit_rows(pg_store *s, const struct ctip_case_query *q, const struct key *v, size_t n,
                     int (*cb)(void *ctx, const struct ctip_case_row *r), void *ctx, ctip_err *e)
{
	size_t cap = n * 21 + 3, w = 0;
	char *ids = malloc(cap);
	if (!ids)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	ids[w++] = '{';
	for (size_t i = 0; i < n; i++)
		w += (size_t)snprintf(ids + w, cap - w, "%s%lld", i ? "," : "", (long long)v[i].id);
	ids[w++] = '}';
	ids[w] = 0;
	struct params p = {0};
	param(&p, ids);
	param(&p, q->today ? q->today : "0000-00-00");
	PGresult *r;
	int rc = query(s, row_sql, &p, &r, "case rows", e);
	free(ids);
	if (rc)
		return rc;
	int nt = PQntuples(r);
	for (int i = 0; rc == CTIP_OK && i < nt; i++) {
		long at = (long)int_of(r, i, 16) - 1; /* its place in the page: own or referred */
		char scope[512] = "";
		const char *j = pg_col(r, i, 14);
		size_t k = 0;
		for (; j && *j && k + 1 < sizeof(scope); j++)
			if (*j == ',')
				scope[k++] = ';';
			else if (*j != '[' && *j != ']' && *j != '"' && *j != ' ')
				scope[k++] = *j;
		scope[k] = 0;
		unsigned char *idn = NULL;
		size_t idn_n = 0;
		if (pg_col_bytea(r, i, 12, &idn, &idn_n)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		struct ctip_case_row row = {
		        .id = int_of(r, i, 0),
		        .src_case_id = pg_col(r, i, 1),
		        .org = pg_col(r, i, 2),
		        .status = pg_col(r, i, 3),
		        .opened = pg_col(r, i, 4),
		        .closed = pg_col(r, i, 5),
		        .stage = pg_col(r, i, 6),
		        .assigned = pg_col(r, i, 7),
		        .risk = pg_col(r, i, 8),
		        .activity = pg_col(r, i, 9),
		        .persons = (long)int_of(r, i, 10),
		        .access = at >= 0 && (size_t)at < n && v[at].own ? CTIP_ACCESS_OWN
		                                                         : CTIP_ACCESS_REFERRAL,
		        .victim_id = int_of(r, i, 11),
		        .identity = idn,
		        .identity_n = (int)idn_n,
		        .consent = (int)int_of(r, i, 13),
		        .scope = k ? scope : NULL,
		        .followup_overdue = (int)int_of(r, i, 15),
		};
		if (PQgetisnull(r, i, 13))
			row.consent = -1;
		rc = cb(ctx, &row);
		free(idn);
	}
	PQclear(r);
	return rc;
}

static int list_cases(ctip_store *base, const struct ctip_case_query *q, long *total,
                      int (*cb)(void *ctx, const struct ctip_case_row *r), void *ctx, ctip_err *e)
{
	pg_store *s = PGS(base);
	struct bound b;
	struct keys own = {0}, ref = {0};
	long nown = 0, nref = 0;
	*total = 0;
	int rc = bound_make(q, &b, e);
	long want = q->limit < 0 ? -1 : q->offset + q->limit;
	if (!rc)
		rc = part_read(s, q, &b, 1, want, &nown, &own, e);
	if (!rc && !q->own_only)
		rc = part_read(s, q, &b, 0, want, &nref, &ref, e);
	*total = nown + nref;
	struct key *m = NULL;
	size_t nm = 0;
	if (!rc && own.n + ref.n && !(m = malloc((own.n + ref.n) * sizeof(*m))))
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (!rc) {
		int numeric = q->sort == CTIP_SORT_RISK || q->sort == CTIP_SORT_ID;
		size_t i = 0, j = 0;
		while (i < own.n || j < ref.n)
			if (j == ref.n ||
			    (i < own.n && key_cmp(&own.v[i], &ref.v[j], numeric, q->desc) <= 0))
				m[nm++] = own.v[i++];
			else
				m[nm++] = ref.v[j++];
		size_t from = q->offset > 0 ? (size_t)q->offset : 0;
		size_t to = q->limit < 0 ? nm : from + (size_t)q->limit;
		if (to > nm)
			to = nm;
		if (from < to)
			rc = emit_rows(s, q, m + from, to - from, cb, ctx, e);
	}
	free(m);
	keys_free(&own);
	keys_free(&ref);
	free(b.like);
	free(b.ids);
	return rc;
}

/* ---- the home page ------------------------------------------------------------------ */

static int count2(pg_store *s, const char *sql, const struct params *p, long *a, long *b,
                  ctip_err *e)
{
	PGresult *r;
	int rc = query(s, sql, p, &r, "home", e);
	if (rc)
		return rc;
	*a = (long)int_of(r, 0, 0);
	if (b)
		*b = (long)int_of(r, 0, 1);
	PQclear(r);
	return CTIP_OK;
}

static int home(ctip_store *base, int64_t org_id, const char *user, int supervisor,
                const char *today, const char *horizon, struct ctip_home_counts *c, ctip_err *e)
{
	pg_store *s = PGS(base);
	memset(c, 0, sizeof(*c));
	char sql[700];
	struct params p = {0};
	const char *org = param_int(&p, org_id), *a = param(&p, today), *b = param(&p, horizon);
	if (supervisor)
		snprintf(sql, sizeof(sql),
		         "SELECT count(*) FILTER (WHERE d.due < %s), count(*) FILTER (WHERE d.due "
		         ">= "
		         "%s) FROM followup_due d JOIN case_work w ON w.case_id = d.case_id JOIN "
		         "cases c ON c.id = d.case_id WHERE d.done IS NULL AND d.due <= %s AND "
		         "w.followup = 'active' AND c.org_id = %s::bigint",
		         a, a, b, org);
	else
		snprintf(sql, sizeof(sql),
		         "SELECT count(*) FILTER (WHERE d.due < %s), count(*) FILTER (WHERE d.due "
		         ">= "
		         "%s) FROM case_work w JOIN followup_due d ON d.case_id = w.case_id JOIN "
		         "cases c ON c.id = w.case_id WHERE w.assigned_to = %s AND w.followup = "
		         "'active' AND d.done IS NULL AND d.due <= %s AND c.org_id = %s::bigint",
		         a, a, param(&p, user), b, org);
	int rc = count2(s, sql, &p, &c->followup_overdue, &c->followup_due, e);
	if (!rc) {
		struct params q = {0};
		param_int(&q, org_id);
		rc = count2(s,
		            "SELECT count(*) FROM case_referral WHERE to_org_id = $1::bigint AND "
		            "status = 'Pending'",
		            &q, &c->referrals_new, NULL, e);
	}
	if (!rc) {
		struct params q = {0};
		param_int(&q, org_id);
		if (!supervisor)
			param(&q, user);
		rc = count2(s,
		            supervisor
		                    ? "SELECT count(*) FROM case_approval a JOIN cases c ON c.id = "
		                      "a.case_id WHERE a.status = 'requested' AND c.org_id = "
		                      "$1::bigint"
		                    : "SELECT count(*) FROM case_approval a JOIN cases c ON c.id = "
		                      "a.case_id WHERE a.status = 'requested' AND c.org_id = "
		                      "$1::bigint AND a.requested_by = $2",
		            &q, &c->approvals, NULL, e);
	}
	return rc;
}

static int due(ctip_store *base, int64_t org_id, const char *user, const char *until, long limit,
               int (*cb)(void *ctx, int64_t due_id, int64_t case_id, const char *src_case_id,
                         const char *due, int months, const char *assigned),
               void *ctx, ctip_err *e)
{
	pg_store *s = PGS(base);
	struct params p = {0};
	param_int(&p, org_id);
	param(&p, until);
	if (limit < 0)
		param(&p, NULL); /* LIMIT NULL: every row */
	else
		param_int(&p, limit);
	if (user)
		param(&p, user);
	PGresult *r;
	int rc = query(s,
	               user ? "SELECT d.id, c.id, c.src_case_id, d.due, d.months, w.assigned_to "
	                      "FROM case_work w JOIN followup_due d ON d.case_id = w.case_id JOIN "
	                      "cases c ON c.id = w.case_id WHERE w.assigned_to = $4 AND "
	                      "w.followup = 'active' AND d.done IS NULL AND d.due <= $2 AND "
	                      "c.org_id = $1::bigint ORDER BY d.due, d.id LIMIT $3::bigint"
	                    : "SELECT d.id, c.id, c.src_case_id, d.due, d.months, w.assigned_to "
	                      "FROM followup_due d JOIN case_work w ON w.case_id = d.case_id JOIN "
	                      "cases c ON c.id = d.case_id WHERE d.done IS NULL AND d.due <= $2 "
	                      "AND w.followup = 'active' AND c.org_id = $1::bigint ORDER BY d.due, "
	                      "d.id LIMIT $3::bigint",
	               &p, &r, "follow-ups due", e);
	if (rc)
		return rc;
	int nt = PQntuples(r);
	for (int i = 0; rc == CTIP_OK && i < nt; i++)
		rc = cb(ctx, int_of(r, i, 0), int_of(r, i, 1), pg_col(r, i, 2), pg_col(r, i, 3),
		        (int)int_of(r, i, 4), pg_col(r, i, 5));
	PQclear(r);
	return rc;
}

/* ---- the audit log ------------------------------------------------------------------ */

/* An entry naming several records (search_hit, export_records) names each, separated by
 * spaces. The statement carries only the filters given (a filter written `$n IS NULL OR ...`
 * makes a generic plan that reads the whole log whatever is asked): an object by the index on
 * object, or, inside an entry naming several, by the GIN index of their list (pg/0038); the
 * other filters narrow what those give, or the newest entries first. */
static void audit_where(char *w, size_t n, struct params *p, const struct ctip_audit_query *q)
{
	int l = snprintf(w, n, " WHERE true");
	if (q->actor)
		l += snprintf(w + l, n - (size_t)l, " AND actor = %s", param(p, q->actor));
	if (q->action)
		l += snprintf(w + l, n - (size_t)l, " AND action = %s", param(p, q->action));
	if (q->from)
		l += snprintf(w + l, n - (size_t)l, " AND substr(at, 1, 10) >= %s",
		              param(p, q->from));
	if (q->to)
		l += snprintf(w + l, n - (size_t)l, " AND substr(at, 1, 10) <= %s",
		              param(p, q->to));
	if (q->object) {
		const char *o = param(p, q->object);
		snprintf(w + l, n - (size_t)l,
		         " AND (object = %s OR (action IN ('search_hit', 'export_records') AND "
		         "string_to_array(object, ' ') @> ARRAY[%s::text]))",
		         o, o);
	}
}

static int audit(ctip_store *base, const struct ctip_audit_query *q, long *total,
                 int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx, ctip_err *e)
{
	pg_store *s = PGS(base);
	struct params p = {0};
	char where[600], sql[800];
	audit_where(where, sizeof(where), &p, q);
	PGresult *r;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit%s", where);
	int rc = query(s, sql, &p, &r, "audit: count", e);
	if (rc)
		return rc;
	*total = (long)int_of(r, 0, 0);
	PQclear(r);
	/* LIMIT NULL: every row */
	const char *lim = q->limit < 0 ? param(&p, NULL) : param_int(&p, q->limit);
	const char *off = param_int(&p, q->offset > 0 ? q->offset : 0);
	snprintf(sql, sizeof(sql),
	         "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM audit%s ORDER "
	         "BY id DESC LIMIT %s::bigint OFFSET %s::bigint",
	         where, lim, off);
	rc = query(s, sql, &p, &r, "audit", e);
	if (rc)
		return rc;
	int nt = PQntuples(r);
	for (int i = 0; rc == CTIP_OK && i < nt; i++) {
		const char *v[8];
		for (int c = 0; c < 8; c++)
			v[c] = pg_col(r, i, c) ? pg_col(r, i, c) : "";
		struct ctip_audit_entry a = {
		        .id = int_of(r, i, 0),
		        .at = v[1],
		        .actor = v[2],
		        .action = v[3],
		        .object = q->object ? q->object : v[4],
		        .detail = v[5],
		        .prev_hash = v[6],
		        .hash = v[7],
		};
		rc = cb(ctx, &a);
	}
	PQclear(r);
	return rc;
}

const struct ctip_list_ops ctip_pg_list_ops = {
        .cases = list_cases,
        .home = home,
        .due = due,
        .audit = audit,
};
