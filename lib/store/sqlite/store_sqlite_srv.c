/*
 * store_sqlite_srv.c - the operations the server adds to the SQLite store
 * (store.h, struct ctip_srv_ops): accounts by name, which cases an
 * organisation sees, referrals with ids and status, case updates, and
 * appending assistance and proceedings. Person identity columns are never
 * written here: records are written only through the store's person_add.
 *
 * Access, in SQL: an organisation sees a case it owns, or one referred to it
 * (through the API, table case_referral, or in imported data, an outgoing
 * referral of the case) unless that referral was declined or withdrawn: the
 * SQL is access_rule.h's, the one definition of the rule.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "access_rule.h"
#include "crypto.h"
#include "store_sqlite.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);
int ctip_store_sqlite_referred_case(ctip_store *base, int64_t case_id, ctip_err *e);

static int fail(ctip_store *s, ctip_err *e, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->path,
	                    sqlite3_errmsg(ctip_store_sqlite_db(s)), what);
}

/* Prepared statements, kept per connection (a connection is used by one thread at a time,
 * so a statement is never in use twice). Found by connection and SQL text address. A
 * statement is in use from prep() to done(); when the cache is full, a statement of the same
 * connection that is not in use is finalised to make room (never another connection's: its
 * thread may be using that connection). When every one of them is in use, the new statement
 * is lent uncached: done() finalises it (release() those never done). CTIP_STMT_CACHE (tests)
 * makes the cache smaller. */
struct cached {
	sqlite3 *db;
	const char *sql;
	sqlite3_stmt *st;
	int in_use;
};

#define CACHE_MAX 1024
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cached cache[CACHE_MAX];
static int ncache, cache_max;
static struct cached *lent; /* uncached statements in use */
static int nlent, lent_cap;

static sqlite3_stmt *prep(ctip_store *s, const char *sql, ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&cache_mu);
	if (!cache_max) {
		const char *v = getenv("CTIP_STMT_CACHE");
		long n = v ? strtol(v, NULL, 10) : 0;
		cache_max = n > 0 && n < CACHE_MAX ? (int)n : CACHE_MAX;
	}
	for (int i = 0; i < ncache && !st; i++)
		if (cache[i].db == db && cache[i].sql == sql && !cache[i].in_use) {
			st = cache[i].st;
			cache[i].in_use = 1;
		}
	pthread_mutex_unlock(&cache_mu);
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
	pthread_mutex_lock(&cache_mu);
	int slot = ncache < cache_max ? ncache++ : -1;
	for (int i = 0; slot < 0 && i < ncache; i++)
		if (cache[i].db == db && !cache[i].in_use) {
			sqlite3_finalize(cache[i].st);
			slot = i;
		}
	if (slot >= 0) {
		cache[slot] = (struct cached){db, sql, st, 1};
	} else {
		if (nlent == lent_cap) {
			int cap = lent_cap ? lent_cap * 2 : 16;
			struct cached *g = realloc(lent, (size_t)cap * sizeof(*g));
			if (!g) {
				pthread_mutex_unlock(&cache_mu);
				sqlite3_finalize(st);
				ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				return NULL;
			}
			lent = g;
			lent_cap = cap;
		}
		lent[nlent++] = (struct cached){db, sql, st, 1};
	}
	pthread_mutex_unlock(&cache_mu);
	return st;
}

/* Done with a statement of the cache: reset it, so it holds no read lock, and let the cache
 * reuse it (a lent one is finalised). */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < ncache; i++)
		if (cache[i].st == st) {
			cache[i].in_use = 0;
			pthread_mutex_unlock(&cache_mu);
			return;
		}
	for (int i = 0; i < nlent; i++)
		if (lent[i].st == st) {
			sqlite3_finalize(st);
			lent[i] = lent[--nlent];
			break;
		}
	pthread_mutex_unlock(&cache_mu);
}

static void release(ctip_store *s)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < ncache;)
		if (cache[i].db == db) {
			sqlite3_finalize(cache[i].st);
			cache[i] = cache[--ncache];
		} else {
			i++;
		}
	for (int i = 0; i < nlent;)
		if (lent[i].db == db) {
			sqlite3_finalize(lent[i].st);
			lent[i] = lent[--nlent];
		} else {
			i++;
		}
	if (!ncache && !nlent) {
		free(lent);
		lent = NULL;
		lent_cap = 0;
	}
	pthread_mutex_unlock(&cache_mu);
}

static int read_begin(ctip_store *s, ctip_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(ctip_store_sqlite_db(s), "BEGIN", NULL, NULL, &msg) != SQLITE_OK) {
		ctip_err_set(e, CTIP_EDB, "%s: %s", s->path, msg ? msg : "begin");
		sqlite3_free(msg);
		return CTIP_EDB;
	}
	return CTIP_OK;
}

static void read_end(ctip_store *s)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

static int tune(ctip_store *s, ctip_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(ctip_store_sqlite_db(s), "PRAGMA mmap_size = 17179869184", NULL, NULL,
	                 &msg) != SQLITE_OK) {
		ctip_err_set(e, CTIP_EDB, "%s: %s", s->path, msg ? msg : "mmap_size");
		sqlite3_free(msg);
		return CTIP_EDB;
	}
	return CTIP_OK;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no rows, then finalises it. */
static int run(ctip_store *s, sqlite3_stmt *st, ctip_err *e)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : fail(s, e, sqlite3_sql(st));
	done(st);
	return rc;
}

/* The one integer that sql (one or two integer parameters, a and b) selects, or
 * CTIP_ENOTFOUND when it selects no row; what names the thing in an error. */
static int one_id(ctip_store *s, const char *sql, int64_t a, int64_t b, int64_t *out,
                  const char *what, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, sql, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, b);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	done(st);
	return step == SQLITE_ROW    ? CTIP_OK
	       : step == SQLITE_DONE ? CTIP_ENOTFOUND
	                             : fail(s, e, what);
}

static int account_get(ctip_store *s, const char *username, struct ctip_account *a, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "SELECT a.id, a.org_id, o.name, a.role, a.pw_hash, a.disabled, "
	                        "a.username FROM account a JOIN organisation o ON o.id = a.org_id "
	                        "WHERE a.username = ?",
	                        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(st, 0);
		a->org_id = sqlite3_column_int64(st, 1);
		snprintf(a->org, sizeof(a->org), "%s", col(st, 2));
		snprintf(a->role, sizeof(a->role), "%s", col(st, 3));
		snprintf(a->pw_hash, sizeof(a->pw_hash), "%s", col(st, 4));
		a->disabled = sqlite3_column_int(st, 5);
		snprintf(a->username, sizeof(a->username), "%s", col(st, 6));
		rc = CTIP_OK;
	} else {
		rc = rc == SQLITE_DONE ? CTIP_ENOTFOUND : fail(s, e, "account");
	}
	done(st);
	return rc;
}

static int org_list(ctip_store *s, int (*cb)(void *ctx, const struct ctip_org_item *o), void *ctx,
                    ctip_err *e)
{
	/* the organisations that use ctip (have an account): the others are names found in the
	 * data (recruiters, providers, deciders), case content that not every user may see */
	sqlite3_stmt *st = prep(s,
	                        "SELECT id, name, type FROM organisation o WHERE EXISTS (SELECT 1 "
	                        "FROM account a WHERE a.org_id = o.id) ORDER BY name_fold",
	                        e);
	int rc = CTIP_OK;
	if (!st)
		return CTIP_EDB;
	while (rc == CTIP_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct ctip_org_item o = {sqlite3_column_int64(st, 0), col(st, 1), col(st, 2)};
		rc = cb(ctx, &o);
	}
	done(st);
	return rc;
}

/* Case ids an organisation sees through referrals (?1: the organisation). */
#define REFERRED_TO CTIP_SQL_CASES_REFERRED_TO("?1")

static int case_access(ctip_store *s, int64_t case_id, int64_t org_id, int *access, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "SELECT org_id = ?1, " CTIP_SQL_CASE_REFERRED(
	                                "?2", "?1") " FROM cases WHERE id = ?2",
	                        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, org_id);
	sqlite3_bind_int64(st, 2, case_id);
	int rc = sqlite3_step(st);
	*access = CTIP_ACCESS_NONE;
	if (rc == SQLITE_ROW)
		*access = sqlite3_column_int(st, 0)   ? CTIP_ACCESS_OWN
		          : sqlite3_column_int(st, 1) ? CTIP_ACCESS_REFERRAL
		                                      : CTIP_ACCESS_NONE;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CTIP_OK : fail(s, e, "access");
}

static int cases_visible(ctip_store *s, int64_t org_id, const char *status, const char *text,
                         long offset, long limit, long *total,
                         int (*cb)(void *ctx, const struct ctip_case_item *c), void *ctx,
                         ctip_err *e)
{
#define VISIBLE_FROM                                                                               \
	"FROM (SELECT id FROM cases WHERE org_id = ?1 UNION " REFERRED_TO ") v "                   \
	"JOIN cases c ON c.id = v.id JOIN organisation o ON o.id = c.org_id "                      \
	"WHERE (?2 IS NULL OR c.status = ?2) AND (?5 IS NULL OR ctip_fold(c.src_case_id) LIKE ?5 " \
	"ESCAPE '\\' OR ctip_fold(o.name) LIKE ?5 ESCAPE '\\') "
	static const char *const count_sql = "SELECT count(*) " VISIBLE_FROM;
	static const char *const page_sql =
	        "SELECT c.id, c.src_case_id, o.name, c.status, c.opened, (SELECT count(*) FROM "
	        "case_person WHERE case_id = c.id), c.org_id = ?1 " VISIBLE_FROM
	        "ORDER BY c.id DESC LIMIT ?3 OFFSET ?4";
	sqlite3_stmt *st = prep(s, count_sql, e);
	int rc = CTIP_OK;
	if (!st)
		return CTIP_EDB;
	char *like = NULL;
	if (text && *text) {
		/* %text% with the wildcards of text escaped */
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
	sqlite3_bind_int64(st, 1, org_id);
	bind_opt(st, 2, status);
	bind_opt(st, 5, like);
	*total = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	done(st);
	if (!(st = prep(s, page_sql, e))) {
		free(like);
		return CTIP_EDB;
	}
	sqlite3_bind_int64(st, 1, org_id);
	bind_opt(st, 2, status);
	bind_opt(st, 5, like);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	int step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_case_item c = {
		        .id = sqlite3_column_int64(st, 0),
		        .src_case_id = col(st, 1),
		        .org = col(st, 2),
		        .status = col(st, 3),
		        .opened = col(st, 4),
		        .persons = (long)sqlite3_column_int64(st, 5),
		        .access =
		                sqlite3_column_int(st, 6) ? CTIP_ACCESS_OWN : CTIP_ACCESS_REFERRAL,
		};
		rc = cb(ctx, &c);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = fail(s, e, "cases");
	done(st);
	free(like);
	return rc;
}

/* Binds v sealed for its place ("what:owner[:seq]", as store_sqlite_seal.c seals it), NULL when
 * empty: case comments and closure reasons are stored sealed. */
static int bind_sealed(ctip_store *s, sqlite3_stmt *st, int i, const char *v, const char *what,
                       int64_t owner, int seq, ctip_err *e)
{
	if (!v || !*v) {
		sqlite3_bind_null(st, i);
		return CTIP_OK;
	}
	if (!s->crypto)
		return ctip_err_set(e, CTIP_EINVAL, "%s: no key bound: cannot seal", s->path);
	char ad[96];
	int an = seq < 0 ? snprintf(ad, sizeof(ad), "%s:%lld", what, (long long)owner)
	                 : snprintf(ad, sizeof(ad), "%s:%lld:%d", what, (long long)owner, seq);
	size_t n = strlen(v);
	unsigned char *b = malloc(n + CTIP_SEAL_OVERHEAD);
	if (!b)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	ctip_seal(s->crypto, v, n, ad, (size_t)an, b);
	sqlite3_bind_blob(st, i, b, (int)(n + CTIP_SEAL_OVERHEAD), free);
	return CTIP_OK;
}

static int case_update(ctip_store *s, int64_t case_id, const ctip_row *r, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "UPDATE cases SET status = ?, closure_sealed = ?, opened = ?, "
	                        "closed = ?, reopened = ? WHERE id = ?",
	                        e);
	int rc;
	if (!st)
		return CTIP_EDB;
	bind_opt(st, 1, r->v[CF_CAS_STATUS]);
	if ((rc = bind_sealed(s, st, 2, r->v[CF_CAS_CLOSURE], "cases.closure_reason", case_id, -1,
	                      e))) {
		done(st);
		return rc;
	}
	bind_opt(st, 3, r->v[CF_CAS_OPENED]);
	bind_opt(st, 4, r->v[CF_CAS_CLOSED]);
	bind_opt(st, 5, r->v[CF_CAS_REOPENED]);
	sqlite3_bind_int64(st, 6, case_id);
	return run(s, st, e);
}

static int isolate(ctip_store *s, ctip_err *e)
{
	(void)s; /* one file, one process's connections: nothing to switch to */
	(void)e;
	return CTIP_OK;
}

static void scope(ctip_store *s, int64_t org_id)
{
	(void)s; /* the queries filter by the organisation they are given */
	(void)org_id;
}

static int case_version(ctip_store *s, int64_t case_id, int64_t *version, ctip_err *e)
{
	return one_id(s, "SELECT version FROM cases WHERE id = ?", case_id, 0, version,
	              "case version", e);
}

/* SQLite has one writer at a time: the write transaction this runs in holds the case. */
static int case_bump(ctip_store *s, int64_t case_id, int64_t expect, int64_t *version, ctip_err *e)
{
	int rc = one_id(s,
	                "UPDATE cases SET version = version + 1 WHERE id = ?1 AND (?2 = 0 OR "
	                "version = ?2) RETURNING version",
	                case_id, expect, version, "case version", e);
	if (rc != CTIP_ENOTFOUND)
		return rc;
	if ((rc = case_version(s, case_id, version, e)))
		return rc;
	return ctip_err_set(e, CTIP_ECONFLICT,
	                    "case %lld was changed by someone else since you read it (your "
	                    "version %lld, now %lld): reload it and make your change again",
	                    (long long)case_id, (long long)expect, (long long)*version);
}

static int comment_add(ctip_store *s, int64_t case_id, const char *date, const char *body,
                       ctip_err *e)
{
	sqlite3_stmt *st =
	        prep(s, "SELECT coalesce(max(seq) + 1, 0) FROM case_comment WHERE case_id = ?", e);
	int rc, seq;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	done(st);
	if (!(st = prep(
	              s,
	              "INSERT INTO case_comment(case_id, seq, date, body_sealed) VALUES (?, ?, ?, "
	              "?)",
	              e)))
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int(st, 2, seq);
	bind_opt(st, 3, date);
	if ((rc = bind_sealed(s, st, 4, body, "case_comment.body", case_id, seq, e))) {
		done(st);
		return rc;
	}
	return run(s, st, e);
}

/* Ends savepoint "referral" (begun by the referral's change): kept when rc is CTIP_OK (and
 * committed when it was the outermost), undone otherwise, so that a referral and the search
 * documents it changes are written together or not at all. */
static int referral_end(ctip_store *s, int rc, ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	if (rc) {
		sqlite3_exec(db, "ROLLBACK TO referral; RELEASE referral", NULL, NULL, NULL);
		return rc;
	}
	if (sqlite3_exec(db, "RELEASE referral", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail(s, e, "referral");
		sqlite3_exec(db, "ROLLBACK TO referral; RELEASE referral", NULL, NULL, NULL);
	}
	return rc;
}

static int referral_begin(ctip_store *s, ctip_err *e)
{
	return sqlite3_exec(ctip_store_sqlite_db(s), "SAVEPOINT referral", NULL, NULL, NULL) ==
	                       SQLITE_OK
	               ? CTIP_OK
	               : fail(s, e, "referral");
}

static int referral_add(ctip_store *s, const struct ctip_referral *r, int64_t *id, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "INSERT INTO case_referral(case_id, from_org_id, to_org_id, date, "
	                        "reason, status, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, r->case_id);
	sqlite3_bind_int64(st, 2, r->from_org_id);
	sqlite3_bind_int64(st, 3, r->to_org_id);
	sqlite3_bind_text(st, 4, r->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->reason ? r->reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->status ? r->status : "Pending", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->created_by, -1, SQLITE_STATIC);
	int rc = referral_begin(s, e);
	if (rc) {
		done(st);
		return rc;
	}
	if (!(rc = run(s, st, e))) {
		*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
		/* the note is sealed for its row, so it is written once the id is known */
		if (r->note && *r->note) {
			if (!(st = prep(s, "UPDATE case_referral SET note_sealed = ? WHERE id = ?",
			                e)))
				rc = CTIP_EDB;
			else if ((rc = bind_sealed(s, st, 1, r->note, "case_referral.note", *id, -1,
			                           e)))
				done(st);
			else {
				sqlite3_bind_int64(st, 2, *id);
				rc = run(s, st, e);
			}
		}
		/* the receiving organisation may now find the case's records by name */
		if (!rc)
			rc = ctip_store_sqlite_referred_case(s, r->case_id, e);
	}
	return referral_end(s, rc, e);
}

/* Opens a sealed column i of st for place "what:owner" into *out (malloc'd; NULL when NULL). */
static int col_open(ctip_store *s, sqlite3_stmt *st, int i, const char *what, int64_t owner,
                    char **out, ctip_err *e)
{
	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return CTIP_OK;
	const void *b = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	if (!s->crypto)
		return ctip_err_set(e, CTIP_EINVAL, "%s: no key bound: cannot open %s", s->path,
		                    what);
	char ad[96];
	int an = snprintf(ad, sizeof(ad), "%s:%lld", what, (long long)owner);
	char *m = n >= CTIP_SEAL_OVERHEAD ? malloc((size_t)n - CTIP_SEAL_OVERHEAD + 1) : NULL;
	if (!m || ctip_unseal(s->crypto, b, (size_t)n, ad, (size_t)an, (unsigned char *)m)) {
		free(m);
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "%s: the sealed value %s does not open: it was altered or moved, "
		        "or the key is not the one it was sealed with",
		        s->path, ad);
	}
	m[n - CTIP_SEAL_OVERHEAD] = 0;
	*out = m;
	return CTIP_OK;
}

/* referral_list's statements, by the filters given (bits 1 id, 2 case, 4 organisation, 8 in) */
static char referral_sql[16][640];
static pthread_once_t referral_sql_once = PTHREAD_ONCE_INIT;

static void referral_sql_make(void)
{
	for (int m = 0; m < 16; m++) {
		char *q = referral_sql[m];
		size_t n = sizeof(referral_sql[m]);
		size_t k = (size_t)snprintf(
		        q, n,
		        "SELECT r.id, r.case_id, r.from_org_id, r.to_org_id, f.name, t.name, "
		        "r.date, "
		        "r.reason, r.status, r.created_by, r.created_at, r.note_sealed, "
		        "r.read_at IS NULL FROM case_referral r JOIN organisation f ON f.id = "
		        "r.from_org_id JOIN organisation t ON t.id = r.to_org_id WHERE 1");
		const char *col[3] = {"r.id", "r.case_id", m & 8 ? "r.to_org_id" : "r.from_org_id"};
		for (int i = 0; i < 3; i++)
			if (m & (1 << i))
				k += (size_t)snprintf(q + k, n - k, " AND %s = ?%d", col[i], i + 1);
		snprintf(q + k, n - k, " ORDER BY r.id DESC LIMIT 1000");
	}
}

static int referral_list(ctip_store *s, int64_t id, int64_t case_id, int64_t org_id, int in,
                         int (*cb)(void *ctx, const struct ctip_referral *r), void *ctx,
                         ctip_err *e)
{
	/* Only the filters asked for are in the statement: with a catch-all "(?1 = 0 OR r.id =
	 * ?1)" SQLite walks the whole table by id, at every case view. One text per combination,
	 * made once: the statement cache knows a statement by its text's address. */
	pthread_once(&referral_sql_once, referral_sql_make);
	const int64_t want[3] = {id, case_id, org_id};
	const char *sql =
	        referral_sql[(id ? 1 : 0) | (case_id ? 2 : 0) | (org_id ? 4 : 0) | (in ? 8 : 0)];
	sqlite3_stmt *st = prep(s, sql, e);
	int rc = CTIP_OK, step;
	if (!st)
		return CTIP_EDB;
	for (int i = 0; i < 3; i++)
		if (want[i])
			sqlite3_bind_int64(st, i + 1, want[i]);
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_referral r = {
		        .id = sqlite3_column_int64(st, 0),
		        .case_id = sqlite3_column_int64(st, 1),
		        .from_org_id = sqlite3_column_int64(st, 2),
		        .to_org_id = sqlite3_column_int64(st, 3),
		        .from_org = col(st, 4),
		        .to_org = col(st, 5),
		        .date = col(st, 6),
		        .reason = col(st, 7),
		        .status = col(st, 8),
		        .created_by = col(st, 9),
		        .created_at = col(st, 10),
		        .unread = sqlite3_column_int(st, 12),
		};
		char *note = NULL;
		if (!(rc = col_open(s, st, 11, "case_referral.note", r.id, &note, e))) {
			r.note = note;
			rc = cb(ctx, &r);
		}
		free(note);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = fail(s, e, "referrals");
	done(st);
	return rc;
}

static int referral_set_status(ctip_store *s, int64_t id, const char *from, const char *status,
                               ctip_err *e)
{
	sqlite3_stmt *st =
	        prep(s, "UPDATE case_referral SET status = ? WHERE id = ? AND status = ?", e);
	int rc;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
	if ((rc = referral_begin(s, e))) {
		done(st);
		return rc;
	}
	if (!(rc = run(s, st, e)) && !sqlite3_changes(ctip_store_sqlite_db(s)))
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "referral %lld is no longer %s", (long long)id,
		                  from);
	if (rc || !(st = prep(s, "SELECT case_id FROM case_referral WHERE id = ?", e)))
		return referral_end(s, rc ? rc : CTIP_EDB, e);
	/* declined, withdrawn (or no longer): who finds the case's records by name changes */
	sqlite3_bind_int64(st, 1, id);
	int64_t case_id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	return referral_end(s, case_id ? ctip_store_sqlite_referred_case(s, case_id, e) : CTIP_OK,
	                    e);
}

static int referral_read(ctip_store *s, int64_t id, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "UPDATE case_referral SET read_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
	                        "'now') WHERE id = ? AND read_at IS NULL",
	                        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, id);
	return run(s, st, e);
}

static int referral_unread(ctip_store *s, int64_t org_id, long *n, ctip_err *e)
{
	int64_t v = 0;
	int rc = one_id(s,
	                "SELECT count(*) FROM case_referral WHERE to_org_id = ? AND read_at IS "
	                "NULL AND status = 'Pending'",
	                org_id, 0, &v, "referrals", e);
	*n = (long)v;
	return rc;
}

static int account_list(ctip_store *s, int (*cb)(void *ctx, const struct ctip_account_item *a),
                        void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "SELECT a.id, a.org_id, a.username, o.name, a.role, a.created_at, "
	                        "a.disabled FROM account a JOIN organisation o ON o.id = a.org_id "
	                        "ORDER BY a.username",
	                        e);
	int rc = CTIP_OK, step;
	if (!st)
		return CTIP_EDB;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_account_item a = {.id = sqlite3_column_int64(st, 0),
		                              .org_id = sqlite3_column_int64(st, 1),
		                              .username = col(st, 2),
		                              .org = col(st, 3),
		                              .role = col(st, 4),
		                              .created_at = col(st, 5),
		                              .disabled = sqlite3_column_int(st, 6)};
		rc = cb(ctx, &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = fail(s, e, "accounts");
	done(st);
	return rc;
}

static int account_set(ctip_store *s, int64_t id, int disabled, const char *pw_hash, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "UPDATE account SET disabled = CASE WHEN ?2 < 0 THEN disabled ELSE "
	                        "?2 END, pw_hash = coalesce(?3, pw_hash) WHERE id = ?1",
	                        e);
	int rc;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, disabled);
	bind_opt(st, 3, pw_hash);
	if ((rc = run(s, st, e)))
		return rc;
	return sqlite3_changes(ctip_store_sqlite_db(s))
	               ? CTIP_OK
	               : ctip_err_set(e, CTIP_ENOTFOUND, "no account %lld", (long long)id);
}

static int person_org(ctip_store *s, int64_t person_id, int64_t *org_id, ctip_err *e)
{
	return one_id(s, "SELECT org_id FROM person WHERE id = ?", person_id, 0, org_id, "person",
	              e);
}

/* The organisation a provider names, or 0 when none is registered under that name: the
 * provider is then kept as text (migration 0024). A form's free text never registers an
 * organisation (issue 14: a typo used to become one). */
static int provider_org(ctip_store *s, const char *name, int64_t *id, ctip_err *e)
{
	int rc = s->ops->org_find(s, name, id, NULL, e);
	if (rc == CTIP_ENOTFOUND) {
		*id = 0;
		return CTIP_OK;
	}
	return rc;
}

/* Appends one item to table (assistance or proceeding) of the link (case, person). */

/* Binds an assistance or proceeding item: the INSERT and the UPDATE number their parameters
 * alike (1 the person-in-case, 2 the item's position, 3... the item's columns). */
static void item_bind(sqlite3_stmt *st, int assist, int64_t link, int seq, const ctip_row *r,
                      int64_t org)
{
	sqlite3_bind_int64(st, 1, link);
	sqlite3_bind_int(st, 2, seq);
	if (assist) {
		bind_opt(st, 3, r->v[CF_AS_KIND]);
		bind_opt(st, 4, r->v[CF_AS_DATE]);
		if (org)
			sqlite3_bind_int64(st, 5, org);
		else
			bind_opt(st, 7, r->v[CF_AS_PROVIDER]);
		bind_opt(st, 6, r->v[CF_AS_AMOUNT]);
	} else {
		bind_opt(st, 3, r->v[CF_PR_STAGE]);
		bind_opt(st, 4, r->v[CF_PR_DATE]);
		bind_opt(st, 5, r->v[CF_PR_ARTICLE]);
		bind_opt(st, 6, r->v[CF_PR_SENTENCE_KIND]);
		if (ctip_row_get(r, CF_PR_SENTENCE_MONTHS))
			sqlite3_bind_int64(st, 7, atoll(r->v[CF_PR_SENTENCE_MONTHS]));
	}
}

static int link_find(ctip_store *s, int64_t case_id, int64_t person_id, int64_t *link, ctip_err *e)
{
	return one_id(s, "SELECT id FROM case_person WHERE case_id = ? AND person_id = ?", case_id,
	              person_id, link, "link", e);
}

static int item_add(ctip_store *s, int assist, int64_t case_id, int64_t person_id,
                    const ctip_row *r, int *seq, ctip_err *e)
{
	int64_t cp = 0, org = 0;
	int rc = link_find(s, case_id, person_id, &cp, e);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if (!(st = prep(s,
	                assist ? "SELECT coalesce(max(seq) + 1, 0) FROM assistance WHERE "
	                         "case_person_id = ?"
	                       : "SELECT coalesce(max(seq) + 1, 0) FROM proceeding WHERE "
	                         "case_person_id = ?",
	                e)))
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, cp);
	*seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	done(st);
	if (assist && ctip_row_get(r, CF_AS_PROVIDER) &&
	    (rc = provider_org(s, r->v[CF_AS_PROVIDER], &org, e)))
		return rc;
	if (!(st = prep(
	              s,
	              assist ? "INSERT INTO assistance(case_person_id, seq, kind, date, "
	                       "provider_org_id, amount, provider_text) VALUES (?, ?, ?, ?, ?, ?, "
	                       "?)"
	                     : "INSERT INTO proceeding(case_person_id, seq, stage, date, article, "
	                       "sentence_kind, sentence_months) VALUES (?, ?, ?, ?, ?, ?, ?)",
	              e)))
		return CTIP_EDB;
	item_bind(st, assist, cp, *seq, r, org);
	return run(s, st, e);
}

/* Appends one event of the link (case, person): its type, date and place. */
static int event_add(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r, int *seq,
                     ctip_err *e)
{
	int64_t cp = 0;
	int rc = link_find(s, case_id, person_id, &cp, e);
	if (rc)
		return rc;
	sqlite3_stmt *st =
	        prep(s, "SELECT coalesce(max(seq) + 1, 0) FROM event WHERE case_person_id = ?", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, cp);
	*seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	done(st);
	if (!(st = prep(s,
	                "INSERT INTO event(case_person_id, seq, type, date, country, state, city) "
	                "VALUES (?, ?, ?, ?, ?, ?, ?)",
	                e)))
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, cp);
	sqlite3_bind_int(st, 2, *seq);
	bind_opt(st, 3, r->v[CF_EV_TYPE]);
	bind_opt(st, 4, r->v[CF_EV_DATE]);
	bind_opt(st, 5, r->v[CF_EV_COUNTRY]);
	bind_opt(st, 6, r->v[CF_EV_STATE]);
	bind_opt(st, 7, r->v[CF_EV_CITY]);
	return run(s, st, e);
}

static int link_get(ctip_store *s, int64_t link, int64_t *case_id, int64_t *person_id, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, "SELECT case_id, person_id FROM case_person WHERE id = ?", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, link);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*case_id = sqlite3_column_int64(st, 0);
		*person_id = sqlite3_column_int64(st, 1);
	}
	done(st);
	return step == SQLITE_ROW    ? CTIP_OK
	       : step == SQLITE_DONE ? CTIP_ENOTFOUND
	                             : fail(s, e, "link");
}

static int item_set(ctip_store *s, int kind, int64_t link, int seq, const ctip_row *r, ctip_err *e)
{
	int64_t org = 0;
	int rc, assist = kind == CTIP_ITEM_ASSISTANCE;
	if (assist && ctip_row_get(r, CF_AS_PROVIDER) &&
	    (rc = provider_org(s, r->v[CF_AS_PROVIDER], &org, e)))
		return rc;
	sqlite3_stmt *st = prep(
	        s,
	        kind == CTIP_ITEM_EVENT
	                ? "UPDATE event SET type = ?3, date = ?4, country = ?5, state = ?6, "
	                  "city = ?7 WHERE case_person_id = ?1 AND seq = ?2"
	        : assist ? "UPDATE assistance SET kind = ?3, date = ?4, provider_org_id = ?5, "
	                   "amount = ?6, provider_text = ?7 WHERE case_person_id = ?1 AND seq = "
	                   "?2"
	                 : "UPDATE proceeding SET stage = ?3, date = ?4, article = ?5, "
	                   "sentence_kind = ?6, sentence_months = ?7 WHERE case_person_id = ?1 "
	                   "AND seq = ?2",
	        e);
	if (!st)
		return CTIP_EDB;
	if (kind == CTIP_ITEM_EVENT) {
		sqlite3_bind_int64(st, 1, link);
		sqlite3_bind_int(st, 2, seq);
		bind_opt(st, 3, r->v[CF_EV_TYPE]);
		bind_opt(st, 4, r->v[CF_EV_DATE]);
		bind_opt(st, 5, r->v[CF_EV_COUNTRY]);
		bind_opt(st, 6, r->v[CF_EV_STATE]);
		bind_opt(st, 7, r->v[CF_EV_CITY]);
	} else
		item_bind(st, assist, link, seq, r, org);
	if ((rc = run(s, st, e)))
		return rc;
	return sqlite3_changes(ctip_store_sqlite_db(s)) ? CTIP_OK : CTIP_ENOTFOUND;
}

static int assistance_add(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
                          int *seq, ctip_err *e)
{
	return item_add(s, 1, case_id, person_id, r, seq, e);
}

static int proceeding_add(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
                          int *seq, ctip_err *e)
{
	return item_add(s, 0, case_id, person_id, r, seq, e);
}

/* Which cases of a person record an organisation sees (access.c decides what it shows): the
 * organisation owns the case, or the case was referred to it (through the API, table
 * case_referral, or in imported data, an outgoing referral) and the referral neither declined
 * nor withdrawn (access_rule.h). */
#define VISIBLE_CASES(persons)                                                                     \
	"SELECT cp.person_id, c.id, c.org_id = ?1, coalesce(cp.consent, -1), cp.consent_scope "    \
	"FROM case_person cp JOIN cases c ON c.id = cp.case_id WHERE cp.person_id " persons        \
	" AND " CTIP_SQL_CASE_VISIBLE("c.id", "c.org_id", "?1")

#define VISIBLE_BATCH 50
static const char visible_one[] = VISIBLE_CASES("= ?2") " ORDER BY c.id";
/* unordered (the caller orders: sorting cost a sixth of the query) */
static const char visible_many[] =
        VISIBLE_CASES("IN ("
                      "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                      "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                      "?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, "
                      "?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50, "
                      "?51"
                      ")");

static int visible_cases(ctip_store *s, const int64_t *ids, int n, int64_t org_id,
                         int (*cb)(void *ctx, int64_t person_id, int64_t case_id, int access,
                                   int consent, const char *scope),
                         void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, n == 1 ? visible_one : visible_many, e);
	int rc = CTIP_OK, step;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, org_id);
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(st, 2 + i, ids[i]); /* the rest stay NULL: no match */
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		/* the scope is a JSON array of codes without quotes or separators inside */
		char scope[512] = "";
		const char *j = col(st, 4);
		size_t w = 0;
		for (; j && *j && w + 1 < sizeof(scope); j++)
			if (*j == ',')
				scope[w++] = ';';
			else if (*j != '[' && *j != ']' && *j != '"')
				scope[w++] = *j;
		scope[w] = 0;
		rc = cb(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		        sqlite3_column_int(st, 2) ? CTIP_ACCESS_OWN : CTIP_ACCESS_REFERRAL,
		        sqlite3_column_int(st, 3), w ? scope : NULL);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = fail(s, e, "person cases");
	done(st);
	return rc;
}

static int persons_visible_cases(ctip_store *s, const int64_t *ids, int n, int64_t org_id,
                                 int (*cb)(void *ctx, int64_t person_id, int64_t case_id,
                                           int access, int consent, const char *scope),
                                 void *ctx, ctip_err *e)
{
	int rc = CTIP_OK;
	for (int at = 0; rc == CTIP_OK && at < n; at += VISIBLE_BATCH)
		rc = visible_cases(s, ids + at, n - at < VISIBLE_BATCH ? n - at : VISIBLE_BATCH,
		                   org_id, cb, ctx, e);
	return rc;
}

static const char own_cases[] = "SELECT person_id, case_id FROM case_person WHERE person_id IN ("
                                "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                                "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
                                "?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, "
                                "?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, "
                                "?50"
                                ")";

static int persons_own_cases(ctip_store *s, const int64_t *ids, int n,
                             int (*cb)(void *ctx, int64_t person_id, int64_t case_id), void *ctx,
                             ctip_err *e)
{
	int rc = CTIP_OK, step = SQLITE_DONE;
	for (int at = 0; rc == CTIP_OK && at < n; at += VISIBLE_BATCH) {
		sqlite3_stmt *st = prep(s, own_cases, e);
		if (!st)
			return CTIP_EDB;
		for (int i = 0; i < VISIBLE_BATCH && at + i < n; i++)
			sqlite3_bind_int64(st, 1 + i,
			                   ids[at + i]); /* the rest stay NULL: no match */
		while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
			rc = cb(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
		if (rc == CTIP_OK && step != SQLITE_DONE)
			rc = fail(s, e, "person cases");
		done(st);
	}
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
	return o->cb(o->ctx, case_id, access, consent, scope);
}

static int person_visible_cases(ctip_store *s, int64_t person_id, int64_t org_id,
                                int (*cb)(void *ctx, int64_t case_id, int access, int consent,
                                          const char *scope),
                                void *ctx, ctip_err *e)
{
	struct one_person o = {cb, ctx};
	return visible_cases(s, &person_id, 1, org_id, one_case, &o, e);
}

const struct ctip_srv_ops ctip_sqlite_srv_ops = {
        .tune = tune,
        .release = release,
        .read_begin = read_begin,
        .read_end = read_end,
        .scope = scope,
        .isolate = isolate,
        .case_version = case_version,
        .case_bump = case_bump,
        .person_visible_cases = person_visible_cases,
        .persons_visible_cases = persons_visible_cases,
        .persons_own_cases = persons_own_cases,
        .link_find = link_find,
        .link_get = link_get,
        .item_set = item_set,
        .account_get = account_get,
        .account_list = account_list,
        .account_set = account_set,
        .referral_read = referral_read,
        .referral_unread = referral_unread,
        .org_list = org_list,
        .case_access = case_access,
        .cases_visible = cases_visible,
        .case_update = case_update,
        .comment_add = comment_add,
        .referral_add = referral_add,
        .referral_list = referral_list,
        .referral_set_status = referral_set_status,
        .person_org = person_org,
        .assistance_add = assistance_add,
        .proceeding_add = proceeding_add,
        .event_add = event_add,
};
