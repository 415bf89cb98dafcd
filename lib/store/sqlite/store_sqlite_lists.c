/*
 * store_sqlite_lists.c - the server's long lists on SQLite (store_lists.h, migration 0022).
 *
 * The cases an organisation sees are its own (cases.org_id, by index) and those referred to it
 * (store_sqlite_referral.h): one query each, so that the own part walks the index of its order
 * (cases_org_activity for the default order) and stops after the page; the two ordered parts
 * are merged here. Only then are the page's rows read in full (its victim, workflow, counts):
 * a few dozen lookups by id, whatever the organisation's size.
 */
#include "store_lists.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"
#include "access_rule.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

static int fail(ctip_store *s, ctip_err *e, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->path,
	                    sqlite3_errmsg(ctip_store_sqlite_db(s)), what);
}

/* Prepared statements kept per connection and SQL text (a list request prepared five, a
 * fifth of its time): a statement is lent from prep() to done(); one in use is never lent
 * twice (a connection serves one request at a time, but a query may nest). */
#define STMT_SLOTS 128
struct stmt_slot {
	sqlite3 *db;
	char *sql;
	sqlite3_stmt *st;
	int in_use;
};
static pthread_mutex_t stmt_mu = PTHREAD_MUTEX_INITIALIZER;
static struct stmt_slot stmt_slots[STMT_SLOTS];
static unsigned stmt_next;

static sqlite3_stmt *prep(ctip_store *s, const char *sql, ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&stmt_mu);
	for (int i = 0; i < STMT_SLOTS && !st; i++)
		if (stmt_slots[i].db == db && !stmt_slots[i].in_use &&
		    !strcmp(stmt_slots[i].sql, sql)) {
			st = stmt_slots[i].st;
			stmt_slots[i].in_use = 1;
		}
	pthread_mutex_unlock(&stmt_mu);
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		fail(s, e, sql);
		sqlite3_finalize(st);
		return NULL;
	}
	char *copy = strdup(sql);
	pthread_mutex_lock(&stmt_mu);
	/* a free slot, else one of this connection's not in use (never another connection's:
	 * its thread may be using it); none: lent uncached, finalised by done() */
	int slot = -1;
	for (unsigned k = 0; copy && k < STMT_SLOTS && slot < 0; k++) {
		unsigned i = (stmt_next + k) % STMT_SLOTS;
		if (!stmt_slots[i].db || (stmt_slots[i].db == db && !stmt_slots[i].in_use))
			slot = (int)i;
	}
	if (slot >= 0) {
		stmt_next = (unsigned)slot + 1;
		if (stmt_slots[slot].db) {
			sqlite3_finalize(stmt_slots[slot].st);
			free(stmt_slots[slot].sql);
		}
		stmt_slots[slot] = (struct stmt_slot){db, copy, st, 1};
		copy = NULL;
	}
	pthread_mutex_unlock(&stmt_mu);
	free(copy);
	return st;
}

/* Done with a statement: reset (no read lock held) and free for reuse, or finalised when it
 * was lent uncached. */
static void done(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	pthread_mutex_lock(&stmt_mu);
	for (int i = 0; i < STMT_SLOTS; i++)
		if (stmt_slots[i].st == st) {
			stmt_slots[i].in_use = 0;
			pthread_mutex_unlock(&stmt_mu);
			return;
		}
	pthread_mutex_unlock(&stmt_mu);
	sqlite3_finalize(st);
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Binds v to the named parameter name, when the statement has it. */
static void bind_name(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (!i)
		return;
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_name_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i)
		sqlite3_bind_int64(st, i, v);
}

/* ---- the case list ------------------------------------------------------------------ */

/* The sort expressions; those of the default orders are those of migration 0022's indexes,
 * so that the own part is read in index order. */
static const char *sort_expr(enum ctip_case_sort s)
{
	switch (s) {
	case CTIP_SORT_ACTIVITY: return "coalesce(c.activity, c.opened, '')";
	case CTIP_SORT_OPENED: return "coalesce(c.opened, '')";
	case CTIP_SORT_CASE: return "c.src_case_id";
	case CTIP_SORT_STATUS: return "coalesce(c.status, '')";
	case CTIP_SORT_STAGE: return "coalesce(w.stage, 'identification')";
	case CTIP_SORT_RISK:
		return "CASE c.risk WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE "
		       "0 "
		       "END";
	case CTIP_SORT_ASSIGNED: return "coalesce(c.assigned, '')";
	case CTIP_SORT_ORG: return "o.name_fold";
	case CTIP_SORT_ID: break;
	}
	return "c.id";
}

/* Open: not closed by its HTCDS status, which an approved closure sets too (casework.c), so
 * that the list's counts need no join with the workflow. */
#define OPEN_CASE "coalesce(c.status, '') NOT IN ('Closed', 'ClosedReferred')"

/* The FROM and WHERE of one part (own or referred) of q into buf. */
static void part_sql(char *buf, size_t n, const struct ctip_case_query *q, int own)
{
	size_t w = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		int k_ = snprintf(buf + w, n - w, __VA_ARGS__);                                    \
		w += k_ > 0 && (size_t)k_ < n - w ? (size_t)k_ : 0;                                \
	} while (0)
	/* only the joins the filter and the order need: a count of an organisation's cases then
	 * reads one index */
	ADD(" FROM cases c");
	if (q->text || q->sort == CTIP_SORT_ORG)
		ADD(" JOIN organisation o ON o.id = c.org_id");
	if (q->stage || q->sort == CTIP_SORT_STAGE)
		ADD(" LEFT JOIN case_work w ON w.case_id = c.id");
	ADD(" WHERE ");
	if (own)
		ADD("c.org_id = :org");
	else
		ADD("c.id IN (SELECT case_id FROM case_referral WHERE to_org_id = :org AND "
		    "%s UNION SELECT case_id FROM referral WHERE other_org_id = :org AND direction "
		    "= "
		    "'out' AND %s) AND c.org_id <> :org",
		    CTIP_SQL_REFERRAL_LIVE("status"), CTIP_SQL_REFERRAL_LIVE_OR_NULL("status"));
	if (q->status)
		ADD(" AND c.status = :status");
	if (q->stage)
		ADD(" AND coalesce(w.stage, 'identification') = :stage");
	if (q->risk && !strcmp(q->risk, "none"))
		ADD(" AND c.risk IS NULL");
	else if (q->risk)
		ADD(" AND c.risk = :risk");
	if (q->assigned)
		ADD(" AND c.assigned = :assigned");
	if (q->unassigned)
		ADD(" AND c.assigned IS NULL");
	if (q->from)
		ADD(" AND c.opened >= :from");
	if (q->to)
		ADD(" AND substr(c.opened, 1, 10) <= :to");
	if (q->open_only)
		ADD(" AND " OPEN_CASE);
	if (q->text && q->ids_given)
		ADD(" AND (ctip_fold(c.src_case_id) LIKE :text ESCAPE '\\' OR ctip_fold(o.name) "
		    "LIKE "
		    ":text ESCAPE '\\' OR c.id IN (SELECT value FROM json_each(:ids)))");
	else if (q->text)
		ADD(" AND (ctip_fold(c.src_case_id) LIKE :text ESCAPE '\\' OR ctip_fold(o.name) "
		    "LIKE "
		    ":text ESCAPE '\\')");
	else if (q->ids_given)
		ADD(" AND c.id IN (SELECT value FROM json_each(:ids))");
#undef ADD
}

struct bound {
	char *like, *ids;
};

static int bound_make(const struct ctip_case_query *q, struct bound *b, ctip_err *e)
{
	memset(b, 0, sizeof(*b));
	if (q->text) {
		/* %text% with the wildcards of text escaped */
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
		b->ids[w++] = '[';
		for (int i = 0; i < q->nids; i++)
			w += (size_t)snprintf(b->ids + w, cap - w, "%s%lld", i ? "," : "",
			                      (long long)q->ids[i]);
		b->ids[w++] = ']';
		b->ids[w] = 0;
	}
	return CTIP_OK;
}

static void bind_query(sqlite3_stmt *st, const struct ctip_case_query *q, const struct bound *b)
{
	bind_name_int(st, ":org", q->org_id);
	bind_name(st, ":status", q->status);
	bind_name(st, ":stage", q->stage);
	bind_name(st, ":risk", q->risk);
	bind_name(st, ":assigned", q->assigned);
	bind_name(st, ":from", q->from);
	bind_name(st, ":to", q->to);
	bind_name(st, ":text", b->like);
	bind_name(st, ":ids", b->ids);
}

/* One case of a part, with its sort value (an integer for the risk and the id). */
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

/* ---- counts, remembered while the registry does not change ---------------------------------
 *
 * Counting an organisation's 50,000 cases reads 50,000 index entries (about 1.5 ms), on every
 * page of the list. A count is kept per connection and query (its SQL and arguments) with the
 * registry's version as that connection sees it: PRAGMA data_version (changed by every commit of
 * another connection, fixed for the duration of a read transaction) and the connection's own
 * changes (sqlite3_total_changes64). Any write to the registry makes every count be counted
 * again; the audit log is another file, so that views do not. */
#define COUNT_SLOTS 256
struct count_slot {
	sqlite3 *db;
	uint64_t sig;
	int64_t version, changes;
	long n;
};
static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static struct count_slot count_slots[COUNT_SLOTS];
static unsigned count_next;

static uint64_t fnv(uint64_t h, const char *v)
{
	for (const unsigned char *p = (const unsigned char *)(v ? v : "\x01null"); *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

static uint64_t count_sig(const char *sql, const struct ctip_case_query *q, const struct bound *b)
{
	char org[24];
	snprintf(org, sizeof(org), "%lld", (long long)q->org_id);
	uint64_t h = 1469598103934665603ULL;
	const char *parts[] = {sql,         org,     q->status, q->stage, q->risk,
	                       q->assigned, q->from, q->to,     b->like,  b->ids};
	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++)
		h = fnv(h, parts[i]);
	return h;
}

/* The connection's version of the registry: 0 when it cannot be read (no count is kept). */
static int db_version(ctip_store *s, int64_t *version, int64_t *changes)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *st = NULL;
	*version = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA main.data_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	*changes = sqlite3_total_changes64(db);
	return *version != 0;
}

static int count_get(ctip_store *s, uint64_t sig, int64_t version, int64_t changes, long *n)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	int found = 0;
	pthread_mutex_lock(&count_mu);
	for (int i = 0; i < COUNT_SLOTS && !found; i++)
		if (count_slots[i].db == db && count_slots[i].sig == sig &&
		    count_slots[i].version == version && count_slots[i].changes == changes) {
			*n = count_slots[i].n;
			found = 1;
		}
	pthread_mutex_unlock(&count_mu);
	return found;
}

static void count_put(ctip_store *s, uint64_t sig, int64_t version, int64_t changes, long n)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	pthread_mutex_lock(&count_mu);
	int slot = -1;
	for (int i = 0; i < COUNT_SLOTS && slot < 0; i++)
		if (count_slots[i].db == db && count_slots[i].sig == sig)
			slot = i;
	if (slot < 0)
		slot = (int)(count_next++ % COUNT_SLOTS);
	count_slots[slot] = (struct count_slot){db, sig, version, changes, n};
	pthread_mutex_unlock(&count_mu);
}

/* Forgets the counts of a connection that closes (its address may be reused). */
void ctip_sqlite_lists_release(sqlite3 *db)
{
	pthread_mutex_lock(&count_mu);
	for (int i = 0; i < COUNT_SLOTS; i++)
		if (count_slots[i].db == db)
			count_slots[i].db = NULL;
	pthread_mutex_unlock(&count_mu);
	pthread_mutex_lock(&stmt_mu);
	for (int i = 0; i < STMT_SLOTS; i++)
		if (stmt_slots[i].db == db) {
			sqlite3_finalize(stmt_slots[i].st);
			free(stmt_slots[i].sql);
			stmt_slots[i] = (struct stmt_slot){0};
		}
	pthread_mutex_unlock(&stmt_mu);
}

static int part_read(ctip_store *s, const struct ctip_case_query *q, const struct bound *b, int own,
                     long want, long *count, struct keys *k, ctip_err *e)
{
	char from[2048], sql[2600];
	part_sql(from, sizeof(from), q, own);
	snprintf(sql, sizeof(sql), "SELECT count(*)%s", from);
	int64_t version, changes;
	uint64_t sig = count_sig(sql, q, b);
	int keep = db_version(s, &version, &changes);
	sqlite3_stmt *st;
	int step;
	if (!keep || !count_get(s, sig, version, changes, count)) {
		if (!(st = prep(s, sql, e)))
			return CTIP_EDB;
		bind_query(st, q, b);
		step = sqlite3_step(st);
		*count = step == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
		done(st);
		if (step != SQLITE_ROW)
			return fail(s, e, "cases: count");
		if (keep)
			count_put(s, sig, version, changes, *count);
	}
	if (!*count || want == 0)
		return CTIP_OK;
	const char *dir = q->desc ? "DESC" : "ASC";
	snprintf(sql, sizeof(sql), "SELECT %s, c.id%s ORDER BY 1 %s, c.id %s LIMIT :lim",
	         sort_expr(q->sort), from, dir, dir);
	if (!(st = prep(s, sql, e)))
		return CTIP_EDB;
	bind_query(st, q, b);
	bind_name_int(st, ":lim", want);
	int rc = CTIP_OK;
	int numeric = q->sort == CTIP_SORT_RISK || q->sort == CTIP_SORT_ID;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
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
		x->id = sqlite3_column_int64(st, 1);
		x->own = own;
		x->num = numeric ? sqlite3_column_int64(st, 0) : 0;
		x->text = NULL;
		if (!numeric && !(x->text = strdup(col(st, 0) ? col(st, 0) : ""))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		k->n++;
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = fail(s, e, "cases");
	done(st);
	return rc;
}

/* The order of SQL's ORDER BY: the value (BINARY: bytes), then the id; desc reverses both. */
static int key_cmp(const struct key *a, const struct key *b, int numeric, int desc)
{
	int c = numeric ? (a->num > b->num) - (a->num < b->num) : strcmp(a->text, b->text);
	if (!c)
		c = (a->id > b->id) - (a->id < b->id);
	return desc ? -c : c;
}

static const char row_sql[] =
        "SELECT c.id, c.src_case_id, o.name, c.status, c.opened, c.closed, "
        "coalesce(w.stage, 'identification'), w.assigned_to, c.risk, coalesce(c.activity, "
        "c.opened), (SELECT count(*) FROM case_person WHERE case_id = c.id), v.person_id, "
        "p.identity, coalesce(v.consent, -1), v.consent_scope, CASE WHEN w.followup = 'active' "
        "THEN (SELECT count(*) FROM followup_due d WHERE d.case_id = c.id AND d.done IS NULL AND "
        "d.due < :today) ELSE 0 END "
        "FROM cases c JOIN organisation o ON o.id = c.org_id LEFT JOIN case_work w ON w.case_id "
        "= c.id LEFT JOIN case_person v ON v.id = (SELECT id FROM case_person WHERE case_id = "
        "c.id ORDER BY role <> 'Victim', id LIMIT 1) LEFT JOIN person p ON p.id = v.person_id "
        "WHERE c.id = :id";

static int emit_rows(ctip_store *s, const struct ctip_case_query *q, const struct key *v, size_t n,
                     int (*cb)(void *ctx, const struct ctip_case_row *r), void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, row_sql, e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK;
	for (size_t i = 0; rc == CTIP_OK && i < n; i++) {
		sqlite3_reset(st);
		bind_name_int(st, ":id", v[i].id);
		bind_name(st, ":today", q->today ? q->today : "0000-00-00");
		int step = sqlite3_step(st);
		if (step == SQLITE_DONE)
			continue; /* gone since it was counted: not in this snapshot's reader */
		if (step != SQLITE_ROW) {
			rc = fail(s, e, "case row");
			break;
		}
		/* the scope is a JSON array of codes without quotes or separators inside */
		char scope[512] = "";
		const char *j = col(st, 14);
		size_t w = 0;
		for (; j && *j && w + 1 < sizeof(scope); j++)
			if (*j == ',')
				scope[w++] = ';';
			else if (*j != '[' && *j != ']' && *j != '"')
				scope[w++] = *j;
		scope[w] = 0;
		struct ctip_case_row r = {
		        .id = sqlite3_column_int64(st, 0),
		        .src_case_id = col(st, 1),
		        .org = col(st, 2),
		        .status = col(st, 3),
		        .opened = col(st, 4),
		        .closed = col(st, 5),
		        .stage = col(st, 6),
		        .assigned = col(st, 7),
		        .risk = col(st, 8),
		        .activity = col(st, 9),
		        .persons = (long)sqlite3_column_int64(st, 10),
		        .access = v[i].own ? CTIP_ACCESS_OWN : CTIP_ACCESS_REFERRAL,
		        .victim_id = sqlite3_column_int64(st, 11),
		        .identity = sqlite3_column_blob(st, 12),
		        .identity_n = sqlite3_column_bytes(st, 12),
		        .consent = sqlite3_column_int(st, 13),
		        .scope = w ? scope : NULL,
		        .followup_overdue = sqlite3_column_int(st, 15),
		};
		rc = cb(ctx, &r);
	}
	done(st);
	return rc;
}

static int list_cases(ctip_store *s, const struct ctip_case_query *q, long *total,
                      int (*cb)(void *ctx, const struct ctip_case_row *r), void *ctx, ctip_err *e)
{
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
		/* merge the two ordered parts */
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
	free(m); /* its texts are own's and ref's */
	keys_free(&own);
	keys_free(&ref);
	free(b.like);
	free(b.ids);
	return rc;
}

/* ---- the home page ------------------------------------------------------------------ */

static int count1(ctip_store *s, const char *sql, int64_t org, const char *user, const char *a,
                  const char *b, long *out, long *out2, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, sql, e);
	if (!st)
		return CTIP_EDB;
	bind_name_int(st, ":org", org);
	bind_name(st, ":user", user);
	bind_name(st, ":a", a);
	bind_name(st, ":b", b);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*out = (long)sqlite3_column_int64(st, 0);
		if (out2)
			*out2 = (long)sqlite3_column_int64(st, 1);
	}
	done(st);
	return step == SQLITE_ROW ? CTIP_OK : fail(s, e, "home");
}

static int home(ctip_store *s, int64_t org_id, const char *user, int supervisor, const char *today,
                const char *horizon, struct ctip_home_counts *c, ctip_err *e)
{
	memset(c, 0, sizeof(*c));
	/* my cases and high-risk cases are counted by the list (cases), whose counts are kept */
	int rc = CTIP_OK;
	/* follow-ups: of the user's cases (a supervisor: of the organisation's) */
	if (!rc)
		rc = count1(
		        s,
		        supervisor
		                ? "SELECT coalesce(sum(d.due < :a), 0), coalesce(sum(d.due >= :a), "
		                  "0) FROM followup_due d JOIN case_work w ON w.case_id = "
		                  "d.case_id JOIN cases c ON c.id = d.case_id WHERE d.done IS NULL "
		                  "AND d.due <= :b AND w.followup = 'active' AND c.org_id = :org"
		                /* a caseworker's: the cases assigned to them (an account is
		                 * assigned only cases of its organisation: casework.c), read
		                 * through the indexes of active plans and open contacts */
		                : "SELECT coalesce(sum(d.due < :a), 0), coalesce(sum(d.due >= :a), "
		                  "0) FROM case_work w INDEXED BY case_work_followup_active JOIN "
		                  "followup_due d INDEXED BY followup_due_case_open ON d.case_id = "
		                  "w.case_id WHERE w.assigned_to = :user AND w.followup = 'active' "
		                  "AND d.done IS NULL AND d.due <= :b",
		        org_id, user, today, horizon, &c->followup_overdue, &c->followup_due, e);
	if (!rc)
		rc = count1(
		        s,
		        "SELECT count(*) FROM case_referral WHERE to_org_id = :org AND status = "
		        "'Pending'",
		        org_id, user, NULL, NULL, &c->referrals_new, NULL, e);
	if (!rc)
		rc = count1(
		        s,
		        supervisor
		                ? "SELECT count(*) FROM case_approval a CROSS JOIN cases c ON c.id "
		                  "= a.case_id WHERE a.status = 'requested' AND c.org_id = :org"
		                : "SELECT count(*) FROM case_approval a CROSS JOIN cases c ON c.id "
		                  "= a.case_id WHERE a.status = 'requested' AND c.org_id = :org "
		                  "AND a.requested_by = :user",
		        org_id, user, NULL, NULL, &c->approvals, NULL, e);
	return rc;
}

static int due(ctip_store *s, int64_t org_id, const char *user, const char *until, long limit,
               int (*cb)(void *ctx, int64_t due_id, int64_t case_id, const char *src_case_id,
                         const char *due, int months, const char *assigned),
               void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(
	        s,
	        user ? "SELECT x.id, x.case_id, c.src_case_id, x.due, x.months, x.assigned_to FROM "
	               "(SELECT d.id, w.case_id, d.due, d.months, w.assigned_to FROM case_work w "
	               "INDEXED BY case_work_followup_active JOIN followup_due d INDEXED BY "
	               "followup_due_case_open ON d.case_id = w.case_id WHERE w.assigned_to = "
	               ":user AND w.followup = 'active' AND d.done IS NULL AND d.due <= :until "
	               "ORDER BY d.due, d.id LIMIT :lim) x JOIN cases c ON c.id = x.case_id WHERE "
	               "c.org_id = :org ORDER BY x.due, x.id"
	             : "SELECT d.id, c.id, c.src_case_id, d.due, d.months, w.assigned_to FROM "
	               "followup_due d JOIN case_work w ON w.case_id = d.case_id JOIN cases c ON "
	               "c.id = d.case_id WHERE d.done IS NULL AND d.due <= :until AND w.followup = "
	               "'active' AND c.org_id = :org ORDER BY d.due, d.id LIMIT :lim",
	        e);
	if (!st)
		return CTIP_EDB;
	bind_name_int(st, ":org", org_id);
	bind_name(st, ":user", user);
	bind_name(st, ":until", until);
	bind_name_int(st, ":lim", limit);
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), col(st, 2),
		        col(st, 3), sqlite3_column_int(st, 4), col(st, 5));
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = fail(s, e, "follow-ups due");
	done(st);
	return rc;
}

/* ---- the audit log ------------------------------------------------------------------ */

/* An entry naming several records (search_hit, export_records: store_sqlite.c) names each,
 * separated by spaces; entries are indexed by object in segments (audit_by_object), the
 * newest not yet. */
#define AUDIT_LIST "action IN ('search_hit', 'export_records')"
#define AUDIT_FILTER                                                                               \
	" WHERE (:actor IS NULL OR actor = :actor) AND (:action IS NULL OR action = :action) AND " \
	"(:from IS NULL OR substr(at, 1, 10) >= :from) AND (:to IS NULL OR substr(at, 1, 10) <= "  \
	":to) AND (:object IS NULL OR id IN (SELECT b.id FROM auditlog.audit_segment g CROSS "     \
	"JOIN auditlog.audit_by_object b ON b.seg = g.seg AND b.object = :object UNION ALL "       \
	"SELECT "                                                                                  \
	"id FROM auditlog.audit WHERE id > (SELECT last FROM auditlog.audit_indexed) AND (object " \
	"= :object OR (" AUDIT_LIST " AND instr(' ' || object || ' ', ' ' || :object || ' ') > "   \
	"0))))"

static void bind_audit(sqlite3_stmt *st, const struct ctip_audit_query *q)
{
	bind_name(st, ":actor", q->actor);
	bind_name(st, ":action", q->action);
	bind_name(st, ":from", q->from);
	bind_name(st, ":to", q->to);
	bind_name(st, ":object", q->object);
}

static int audit(ctip_store *s, const struct ctip_audit_query *q, long *total,
                 int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, "SELECT count(*) FROM auditlog.audit" AUDIT_FILTER, e);
	if (!st)
		return CTIP_EDB;
	bind_audit(st, q);
	int step = sqlite3_step(st);
	*total = step == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	done(st);
	if (step != SQLITE_ROW)
		return fail(s, e, "audit: count");
	if (!(st = prep(s,
	                "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM "
	                "auditlog.audit" AUDIT_FILTER " ORDER BY id DESC LIMIT :lim OFFSET :off",
	                e)))
		return CTIP_EDB;
	bind_audit(st, q);
	bind_name_int(st, ":lim", q->limit);
	bind_name_int(st, ":off", q->offset > 0 ? q->offset : 0);
	int rc = CTIP_OK;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_audit_entry a = {
		        .id = sqlite3_column_int64(st, 0),
		        .at = col(st, 1) ? col(st, 1) : "",
		        .actor = col(st, 2) ? col(st, 2) : "",
		        .action = col(st, 3) ? col(st, 3) : "",
		        /* an entry naming several records is shown for the one asked for only */
		        .object = q->object    ? q->object
		                  : col(st, 4) ? col(st, 4)
		                               : "",
		        .detail = col(st, 5) ? col(st, 5) : "",
		        .prev_hash = col(st, 6) ? col(st, 6) : "",
		        .hash = col(st, 7) ? col(st, 7) : "",
		};
		rc = cb(ctx, &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = fail(s, e, "audit");
	done(st);
	return rc;
}

const struct ctip_list_ops ctip_sqlite_list_ops = {
        .cases = list_cases,
        .home = home,
        .due = due,
        .audit = audit,
};
