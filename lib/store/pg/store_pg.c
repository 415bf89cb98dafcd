/*
 * store_pg.c - the PostgreSQL back end on libpq: the connection, the schema and its
 * migrations (lib/sql/pg/NNNN_*.sql, the version kept in table ctip_schema), transactions,
 * reference data, organisations, accounts, the key check value and the audit log.
 * store_pg_rows.c writes and reads the records.
 *
 * What is sealed and how, the blind indexes and name tokens are identity.c's, the same
 * bytes as on SQLite: the server only ever receives them sealed. An operation not written
 * yet is store_unavail.c's: a clear "not yet available on PostgreSQL", never a crash.
 */
#include "store_pg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "store_pg_int.h"
#include "store_unavail.h"
#include "text.h"

/* Serialises migrations of one database (pg_advisory_xact_lock). */
#define PG_MIGRATE_LOCK 0x63746970 /* "ctip" */

/* Serialises the write transactions of every connection, as SQLite's BEGIN IMMEDIATE does:
 * the library decides by reading and then writing (the last administrator, a request already
 * waiting for approval, a referral already answered, a person already in the registry), and
 * under READ COMMITTED two such transactions would each read the state before the other's
 * write and both act. Reads (REPEATABLE READ READ ONLY) take no lock. Locks taken after it:
 * PG_AUDIT_LOCK, row and table locks; never the other way round (no deadlock). */
#define PG_WRITE_LOCK 0x63746977 /* "ctiw" */

/* Serialises appends to the audit log across every connection, of every server and command
 * (pg_advisory_xact_lock: the server's role may not lock the table itself). */
#define PG_AUDIT_LOCK 0x63746961 /* "ctia" */

int pg_fail(pg_store *s, PGresult *r, ctip_err *e, const char *what)
{
	const char *m = r ? PQresultErrorMessage(r) : "";
	if (!m || !*m)
		m = PQerrorMessage(s->db);
	char msg[400];
	snprintf(msg, sizeof(msg), "%s", m && *m ? m : "unknown error");
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = 0;
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	/* 57P01-57P05: the server ends the session (shut down, crashed, a backend terminated);
	 * libpq may not yet have read the end of the connection (a pipeline's first result) */
	if (PQstatus(s->db) != CONNECTION_OK || (state && !strncmp(state, "57P", 3))) {
		s->in_tx = 0; /* the transaction is gone with the connection */
		return ctip_err_set(
		        e, CTIP_EUNAVAIL,
		        "%s: %s: the connection to PostgreSQL was lost (%s): nothing of "
		        "this request was kept; ctip reconnects at the next request (is "
		        "the database server running?)",
		        s->base.path, what, msg);
	}
	const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
	/* 40001 serialization failure, 40P01 deadlock: another writer won; try again */
	int code = state && (!strcmp(state, "40001") || !strcmp(state, "40P01")) ? CTIP_ECONFLICT
	                                                                         : CTIP_EDB;
	return ctip_err_set(e, code, "%s: %s: %s%s%s%s", s->base.path, what, msg,
	                    hint ? " (hint: " : "", hint ? hint : "", hint ? ")" : "");
}

static void quiet(void *arg, const char *message)
{
}

static void pg_stmts_forget(pg_store *s)
{
	for (int i = 0; i < s->nstmts; i++)
		free(s->stmts[i].sql);
	free(s->stmts);
	s->stmts = NULL;
	s->nstmts = s->capstmts = 0;
}

/* The name of sql's prepared statement on this connection, preparing it the first time when it
 * is a plain query (SELECT, INSERT, UPDATE, DELETE; not a cursor's DECLARE or FETCH, which
 * cannot be). NULL: not prepared (not plain, or the list is full); *err gets the statement's
 * own error when preparing it failed (in a transaction: it is aborted). */
static const char *stmt_name(pg_store *s, const char *sql, int n, PGresult **err)
{
	*err = NULL;
	int plain = !strncmp(sql, "SELECT", 6) || !strncmp(sql, "INSERT", 6) ||
	            !strncmp(sql, "UPDATE", 6) || !strncmp(sql, "DELETE", 6);
	for (int i = 0; plain && i < s->nstmts; i++)
		if (!strcmp(s->stmts[i].sql, sql))
			return s->stmts[i].name;
	if (!plain || s->nstmts >= 512)
		return NULL;
	if (s->nstmts == s->capstmts) {
#if defined(__SANITIZE_ADDRESS__)
		/* under ASan every new statement moves the list (realloc to a new block): a name
		 * kept across a prepare is then caught at its first use, not at a rare growth */
		int cap = s->capstmts + 1;
#else
		int cap = s->capstmts ? 2 * s->capstmts : 32;
#endif
		struct pg_stmt *g = realloc(s->stmts, (size_t)cap * sizeof(*g));
		if (!g)
			return NULL;
		s->stmts = g;
		s->capstmts = cap;
	}
	char *copy = strdup(sql);
	if (!copy)
		return NULL;
	struct pg_stmt *st = &s->stmts[s->nstmts];
	snprintf(st->name, sizeof(st->name), "ctip%d", s->nstmts);
	PGresult *r = PQprepare(s->db, st->name, sql, n, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		free(copy);
		*err = r;
		return NULL;
	}
	PQclear(r);
	st->sql = copy;
	s->nstmts++;
	return st->name;
}

/* Runs a statement with parameters, prepared once per connection when it is a plain query. */
static PGresult *pg_exec_params(pg_store *s, const char *sql, int n, const char *const *v,
                                const int *len, const int *bin)
{
	PGresult *err;
	const char *name = stmt_name(s, sql, n, &err);
	if (err)
		return err;
	return name ? PQexecPrepared(s->db, name, n, v, len, bin, 0)
	            : PQexecParams(s->db, sql, n, NULL, v, len, bin, 0);
}

static int audit_send(pg_store *s, int commit, ctip_err *e);

int pg_query_batch(pg_store *s, int n, const char *const *sql, const int *np,
                   const char *const *const *v, PGresult **out, ctip_err *e, const char *what)
{
	int rc = CTIP_OK;
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	if ((rc = pg_flush_wait(s, e))) /* the connection is the flusher's until it ends */
		return rc;
	if (s->napend > 0 && (rc = audit_send(s, 0, e)))
		return rc;
	if (!s->in_tx || s->buffered || PQstatus(s->db) != CONNECTION_OK || s->reset_needed) {
		/* outside a transaction each statement is sent alone (pg_run reconnects and runs a
		 * statement again once; a pipeline's statements could not be) */
		for (int i = 0; i < n && !rc; i++)
			rc = pg_query(s, sql[i], np[i], v[i], &out[i], e, what);
		goto fail;
	}
	/* the names are copied: preparing the next statement may move s->stmts (realloc) */
	char name[16][sizeof(s->stmts->name)];
	if (n > 16)
		return ctip_err_set(e, CTIP_EINVAL, "%s: %s: more than 16 statements in a batch",
		                    s->base.path, what);
	for (int i = 0; i < n; i++) { /* prepared (the first time) before the pipeline */
		PGresult *err;
		const char *nm = stmt_name(s, sql[i], np[i], &err);
		if (err) {
			rc = pg_fail(s, err, e, what);
			PQclear(err);
			return rc;
		}
		snprintf(name[i], sizeof(name[i]), "%s", nm ? nm : "");
	}
	/* One round trip for them all (libpq's pipeline mode): the server's case view reads seven
	 * child tables, each a few rows by index, and waiting for each answer in turn cost more
	 * than the queries (docs/BENCHMARKS.md, the server on PostgreSQL). */
	if (!PQenterPipelineMode(s->db))
		return pg_fail(s, NULL, e, what);
	for (int i = 0; i < n && !rc; i++)
		if (!(*name[i]
		              ? PQsendQueryPrepared(s->db, name[i], np[i], v[i], NULL, NULL, 0)
		              : PQsendQueryParams(s->db, sql[i], np[i], NULL, v[i], NULL, NULL, 0)))
			rc = pg_fail(s, NULL, e, what);
	if (!PQpipelineSync(s->db) && !rc)
		rc = pg_fail(s, NULL, e, what);
	/* every result, then the sync's; the first failure is the error */
	int lost = 0;
	for (int i = 0; i < n; i++) {
		PGresult *r = PQgetResult(s->db);
		if (!r) {
			lost = 1;
			break;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			out[i] = r;
		} else {
			if (!rc && st != PGRES_PIPELINE_ABORTED)
				rc = pg_fail(s, r, e, what);
			PQclear(r);
		}
		while ((r = PQgetResult(s->db))) /* the NULL that ends a statement's results */
			PQclear(r);
	}
	PGresult *r;
	while ((r = PQgetResult(s->db))) {
		int sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	if (!PQexitPipelineMode(s->db) || lost) {
		/* a pipeline cut short (the session ended under it: libpq may not have seen the
		 * end of the connection yet): the connection is reset before its next use, and what
		 * this transaction did is gone with it */
		s->reset_needed = 1;
		s->in_tx = 0;
		if (rc != CTIP_EUNAVAIL)
			rc = ctip_err_set(
			        e, CTIP_EUNAVAIL,
			        "%s: %s: the connection to PostgreSQL was lost: nothing of "
			        "this request was kept; ctip reconnects at the next request",
			        s->base.path, what);
	}
	if (!rc && PQstatus(s->db) != CONNECTION_OK)
		rc = pg_fail(s, NULL, e, what);
fail:
	if (rc)
		for (int i = 0; i < n; i++) {
			PQclear(out[i]);
			out[i] = NULL;
		}
	return rc;
}

/* What each new session is told: quiet notices (a migration's); dates and text as ctip writes
 * them; no JIT; the role `ctip serve` works as; the organisation not yet sent.
 * JIT off: the row-level security policies' set-returning functions make the planner's cost
 * estimates of a search or a case read large enough to pass jit_above_cost, and PostgreSQL 15
 * then compiled each execution: 800 ms of a 1 s search at 50,000 records (EXPLAIN ANALYZE as the
 * server's role), for queries that read a few rows by index. ctip's own analytic reads stream
 * rows to C, where JIT has nothing to gain. */
static int session_setup(pg_store *s, ctip_err *e)
{
	PQsetNoticeProcessor(s->db, quiet, NULL);
	PGresult *r = PQexec(s->db, "SET client_min_messages = warning; SET client_encoding = "
	                            "'UTF8'; SET TIME ZONE 'UTC'; SET jit = off; DEALLOCATE ALL");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (ok && s->role[0]) {
		char *id = PQescapeIdentifier(s->db, s->role, strlen(s->role)), sql[200];
		/* generic plans for the server's prepared statements: with the custom plans that
		 * PostgreSQL tries first, each execution was planned again at bind (0.2-0.4 ms
		 * each, a dozen per case read, the policies' subplans included): a case read at
		 * 50,000 records went from 264-335 to 483 requests/s with 16 clients
		 * (bench/server_pg.sh's data, same run); searches did not get slower (49 -> 54/s)
		 */
		snprintf(sql, sizeof(sql), "SET plan_cache_mode = force_generic_plan; SET ROLE %s",
		         id ? id : "\"\"");
		PQfreemem(id);
		r = PQexec(s->db, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	s->org_sent = 0;
	s->in_tx = 0;
	pg_stmts_forget(s);
	return ok ? CTIP_OK : pg_fail(s, NULL, e, "session");
}

/* A connection known lost is made again, outside a transaction only (one that was open is
 * gone: its caller is told, and the next request starts afresh). */
static int pg_alive(pg_store *s, ctip_err *e)
{
	if (PQstatus(s->db) == CONNECTION_OK && !s->reset_needed)
		return CTIP_OK;
	s->reset_needed = 0;
	if (s->in_tx) {
		s->in_tx = 0;
		return ctip_err_set(e, CTIP_EUNAVAIL,
		                    "%s: the connection to PostgreSQL was lost in a transaction: "
		                    "nothing of it was kept",
		                    s->base.path);
	}
	PQreset(s->db);
	if (PQstatus(s->db) != CONNECTION_OK) {
		char msg[300];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(s->db));
		for (char *p = msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		return ctip_err_set(
		        e, CTIP_EUNAVAIL,
		        "%s: PostgreSQL is not reachable (%s): ctip tries again at each "
		        "request; is the database server running?",
		        s->base.path, msg);
	}
	s->ids_locked = 0;
	return session_setup(s, e);
}

/* The organisation of the requests, for the session, when it changed (a statement outside a
 * transaction is filtered by it too). */
static int org_send(pg_store *s, ctip_err *e)
{
	if (s->org == s->org_sent)
		return CTIP_OK;
	char v[24] = "", sql[96];
	if (s->org > 0)
		snprintf(v, sizeof(v), "%lld", (long long)s->org);
	snprintf(sql, sizeof(sql), "SELECT set_config('ctip.org', '%s', false)", v);
	PGresult *r = PQexec(s->db, sql);
	int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? CTIP_OK : pg_fail(s, r, e, "organisation");
	PQclear(r);
	if (!rc)
		s->org_sent = s->org;
	return rc;
}

/* Runs sql (PQexec when no parameters are given: sql may then hold several statements); a
 * statement outside a transaction that finds the connection lost is run again once on a new
 * one. NULL result: out of memory or no connection (PQstatus tells). */
/* ---- audit entries sent with the commit ----------------------------------------------------- */

#define AUDIT_INSERT_HEAD                                                                          \
	"INSERT INTO audit(id, at, actor, action, object, detail, prev_hash, hash) VALUES "
static const char audit_insert_sql[] = AUDIT_INSERT_HEAD "($1, $2, $3, $4, $5, $6, $7, $8)";

static void audit_forget(pg_store *s)
{
	for (int i = 0; i < s->napend; i++)
		for (int k = 0; k < 8; k++)
			free(s->apend[i][k]);
	s->napend = 0;
}

/* The message of a write refused on a hot standby: where the entries must go instead. */
static int audit_refused(int rc, ctip_err *e)
{
	if (rc && e &&
	    (strstr(e->msg, "during recovery") || strstr(e->msg, "read-only transaction"))) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		ctip_err_set(e, rc,
		             "%.300s: the audit log cannot be written here (a read-only standby?): "
		             "give --audit-db URL of its primary",
		             msg);
	}
	return rc;
}

/* Sends the transaction's pending audit entries as one INSERT of n rows, followed by COMMIT
 * when commit is set, in one round trip (pipeline mode). An audit transaction (a batch of the
 * server's views) was one round trip per entry, then one statement per entry: each statement
 * costs PostgreSQL its executor's start and end whatever its rows (docs/BENCHMARKS.md). */
static int audit_send(pg_store *s, int commit, ctip_err *e)
{
	int n = s->napend, rc;
	/* "INSERT ... VALUES ($1, ..., $8), ..." for n rows: one text per n, prepared once each */
	char text[sizeof(AUDIT_INSERT_HEAD) + PG_APEND_MAX * 64];
	const char *flat[PG_APEND_MAX * 8];
	size_t w = sizeof(AUDIT_INSERT_HEAD) - 1;
	memcpy(text, AUDIT_INSERT_HEAD, w);
	for (int i = 0; i < n; i++) {
		int b = 8 * i;
		w += (size_t)snprintf(text + w, sizeof(text) - w,
		                      "%s($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", i ? ", " : "",
		                      b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8);
		for (int k = 0; k < 8; k++)
			flat[b + k] = s->apend[i][k];
	}
	const char *sql[2] = {text, "COMMIT"};
	const char *const *v[2] = {flat, NULL};
	int np[2] = {8 * n, 0};
	PGresult *out[2];
	s->napend = -1; /* pg_query_batch's own statements are not held back */
	rc = n ? pg_query_batch(s, 1 + commit, sql, np, v, out, e, "audit")
	       : pg_query_batch(s, commit, sql + 1, np + 1, v + 1, out, e, "audit");
	s->napend = n;
	for (int i = 0; i < (n ? 1 : 0) + commit; i++)
		PQclear(out[i]);
	audit_forget(s);
	return audit_refused(rc, e);
}

static PGresult *pg_run(pg_store *s, const char *sql, int n, const char *const *v, const int *len,
                        const int *bin, int params, ctip_err *e, int *rc)
{
	if ((*rc = pg_flush_wait(s, e)))
		return NULL;
	if (s->napend > 0 && (*rc = audit_send(s, 0, e)))
		return NULL;
	for (int attempt = 0;; attempt++) {
		*rc = pg_alive(s, e);
		if (!*rc && !s->in_tx)
			*rc = org_send(s, e);
		if (*rc && !(attempt == 0 && *rc == CTIP_EUNAVAIL && !s->in_tx &&
		             PQstatus(s->db) != CONNECTION_OK))
			return NULL;
		if (*rc)
			continue;
		int was_tx = s->in_tx;
		PGresult *r = params ? pg_exec_params(s, sql, n, v, len, bin) : PQexec(s->db, sql);
		if (PQstatus(s->db) == CONNECTION_OK || was_tx || attempt)
			return r;
		PQclear(r); /* lost before it ran in a transaction of its own: once more */
	}
}

int pg_exec(pg_store *s, const char *sql, ctip_err *e)
{
	int rc;
	PGresult *r = pg_run(s, sql, 0, NULL, NULL, NULL, 0, e, &rc);
	if (rc)
		return rc;
	ExecStatusType st = PQresultStatus(r);
	rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? CTIP_OK : pg_fail(s, r, e, "query");
	PQclear(r);
	return rc;
}

/* ---- reading ahead (pg_prefetch) ---------------------------------------------------------- */

void pg_pre_clear(pg_store *s)
{
	s->seen_case = 0;
	for (int i = 0; i < s->npre; i++) {
		PQclear(s->pre[i].r);
		free(s->pre[i].sql);
		for (int k = 0; k < s->pre[i].n; k++)
			free(s->pre[i].v[k]);
	}
	s->npre = 0;
}

void pg_prefetch(pg_store *s, int n, const char *const *sql, const int *np,
                 const char *const *const *v)
{
	PGresult *out[PG_PRE_MAX];
	ctip_err e = {0};
	pg_pre_clear(s);
	if (!s->in_tx || n > PG_PRE_MAX || s->buffered)
		return;
	if (pg_query_batch(s, n, sql, np, v, out, &e, "read ahead"))
		return; /* the statements will run one by one, and say what went wrong */
	for (int i = 0; i < n; i++) {
		struct pg_pre *p = &s->pre[s->npre];
		memset(p, 0, sizeof(*p));
		int ok = out[i] && np[i] <= 4 && (p->sql = strdup(sql[i])) != NULL;
		for (int k = 0; ok && k < np[i]; k++, p->n++)
			ok = !v[i][k] || (p->v[k] = strdup(v[i][k])) != NULL;
		if (!ok) { /* out of memory: that one is asked for again */
			free(p->sql);
			for (int k = 0; k < 4; k++)
				free(p->v[k]);
			PQclear(out[i]);
			continue;
		}
		p->r = out[i];
		s->npre++;
	}
}

/* The result read ahead for sql with these text parameters (taken: the caller clears it), or
 * NULL. */
static PGresult *pre_take(pg_store *s, const char *sql, int n, const char *const *v)
{
	for (int i = 0; i < s->npre; i++) {
		struct pg_pre *p = &s->pre[i];
		int same = p->n == n && !strcmp(p->sql, sql);
		for (int k = 0; same && k < n; k++)
			same = (!p->v[k] && !v[k]) || (p->v[k] && v[k] && !strcmp(p->v[k], v[k]));
		if (!same)
			continue;
		PGresult *r = p->r;
		free(p->sql);
		for (int k = 0; k < p->n; k++)
			free(p->v[k]);
		s->pre[i] = s->pre[--s->npre];
		return r;
	}
	return NULL;
}

int pg_query_bin(pg_store *s, const char *sql, int n, const char *const *v, const int *len,
                 const int *bin, PGresult **out, ctip_err *e, const char *what)
{
	int rc;
	if (s->npre) {
		int text = s->in_tx; /* read ahead with text parameters only */
		for (int k = 0; text && bin && k < n; k++)
			text = !bin[k];
		PGresult *ahead = text ? pre_take(s, sql, n, v) : NULL;
		if (ahead) {
			if (out)
				*out = ahead;
			else
				PQclear(ahead);
			return CTIP_OK;
		}
		if (strncmp(sql, "SELECT", 6)) /* a write: what was read ahead may change */
			pg_pre_clear(s);
	}
	PGresult *r = pg_run(s, sql, n, v, len, bin, 1, e, &rc);
	if (out)
		*out = NULL;
	if (rc)
		return rc;
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = pg_fail(s, r, e, what);
		PQclear(r);
		return rc;
	}
	if (out)
		*out = r;
	else
		PQclear(r);
	return CTIP_OK;
}

int pg_query(pg_store *s, const char *sql, int n, const char *const *v, PGresult **out, ctip_err *e,
             const char *what)
{
	return pg_query_bin(s, sql, n, v, NULL, NULL, out, e, what);
}

int pg_query_replan(pg_store *s, const char *sql, PGresult **out, ctip_err *e, const char *what)
{
	int rc;
	*out = NULL;
	PGresult *r = pg_run(s, sql, 0, NULL, NULL, NULL, 0, e, &rc);
	if (rc)
		return rc;
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = pg_fail(s, r, e, what);
		PQclear(r);
		return rc;
	}
	*out = r;
	return CTIP_OK;
}

int pg_tx_begin(pg_store *s, const char *begin, ctip_err *e)
{
	char sql[200], v[24] = "";
	pg_pre_clear(s);
	s->read_only = 0;
	audit_forget(s);
	s->audit_locked = 0;
	if (s->org > 0)
		snprintf(v, sizeof(v), "%lld", (long long)s->org);
	/* the organisation for this transaction (set_config local), as the brief of each
	 * transaction: a policy never sees a value left from another request */
	snprintf(sql, sizeof(sql), "%s; SELECT set_config('ctip.org', '%s', true)", begin, v);
	int rc = pg_exec(s, sql, e);
	if (!rc)
		s->in_tx = 1;
	else if (PQstatus(s->db) == CONNECTION_OK)
		pg_exec(s, "ROLLBACK", NULL);
	return rc;
}

int pg_serve_role(pg_store *s, ctip_err *e)
{
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT current_user, current_database() || '_app', EXISTS (SELECT 1 "
	                  "FROM pg_roles WHERE rolname = current_database() || '_app')",
	                  0, NULL, &r, e, "role");
	if (rc)
		return rc;
	char user[80], app[80];
	snprintf(user, sizeof(user), "%s", PQgetvalue(r, 0, 0));
	snprintf(app, sizeof(app), "%s", PQgetvalue(r, 0, 1));
	int exists = !strcmp(PQgetvalue(r, 0, 2), "t");
	PQclear(r);
	if (!exists)
		return ctip_err_set(
		        e, CTIP_EDENIED,
		        "%s: the role %s that `ctip serve` works as does not exist: run "
		        "`ctip init` on this database as a user that may create roles "
		        "(docs/DEPLOYMENT.md)",
		        s->base.path, app);
	s->rls = 1;
	if (!strcmp(user, app))
		return CTIP_OK;
	snprintf(s->role, sizeof(s->role), "%s", app);
	if ((rc = session_setup(s, e))) {
		s->role[0] = 0;
		return ctip_err_set(
		        e, CTIP_EDENIED,
		        "%s: `ctip serve` works as the role %s (it owns no table; "
		        "row-level security keeps each organisation to its cases), and "
		        "%s may not switch to it: connect as it (user=%s in the URL) or "
		        "GRANT %s TO %s",
		        s->base.path, app, user, app, app, user);
	}
	return CTIP_OK;
}

const char *pg_col(const PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
}

int pg_col_bytea(const PGresult *r, int i, int c, unsigned char **b, size_t *n)
{
	*b = NULL;
	*n = 0;
	if (PQgetisnull(r, i, c))
		return CTIP_OK;
	unsigned char *u = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, c), n);
	if (!u)
		return CTIP_ENOMEM;
	/* PQfreemem'd memory is not ours to free(): copy it */
	if ((*b = malloc(*n ? *n : 1)))
		memcpy(*b, u, *n);
	PQfreemem(u);
	return *b ? CTIP_OK : CTIP_ENOMEM;
}

static void org_cache_clear(pg_store *s);

static void pg_close(ctip_store *base)
{
	pg_store *s = (pg_store *)base;
	if (!s)
		return;
	pg_pre_clear(s);
	audit_forget(s);
	pg_buf_reset(s);
	org_cache_clear(s);
	if (s->db)
		PQfinish(s->db);
	pg_stmts_forget(s);
	pg_first_load_forget(s);
	free(s->url);
	ctip_ref_free(s->base.ref);
	ctip_crypto_free(s->base.crypto);
	free(s);
}

/* ---- schema ------------------------------------------------------------------------ */

static int pg_latest(void)
{
	int latest = 0, v;
	for (const struct ctip_embedded *f = ctip_embedded; f->path; f++)
		if (!strncmp(f->path, "lib/sql/pg/", 11) && sscanf(f->path + 11, "%4d", &v) == 1 &&
		    v > latest)
			latest = v;
	return latest;
}

static int pg_schema_version(ctip_store *base, int *version, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc;
	*version = 0;
	if ((rc = pg_query(s, "SELECT to_regclass('ctip_schema') IS NOT NULL", 0, NULL, &r, e,
	                   "schema version")))
		return rc;
	int has = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (!has)
		return CTIP_OK;
	if ((rc = pg_query(s, "SELECT max(version) FROM ctip_schema", 0, NULL, &r, e,
	                   "schema version")))
		return rc;
	if (PQntuples(r) == 1 && pg_col(r, 0, 0))
		*version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return CTIP_OK;
}

static int pg_migrate(ctip_store *base, int *from, int *to, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int cur, rc;
	char sql[160];
	/* one transaction per migration, under a lock: two `ctip init` at once apply each once */
	if ((rc = pg_exec(s, "CREATE TABLE IF NOT EXISTS ctip_schema (version integer NOT NULL)",
	                  e)) ||
	    (rc = pg_schema_version(base, &cur, e)))
		return rc;
	*from = *to = cur;
	for (;;) {
		snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%d)",
		         PG_MIGRATE_LOCK);
		if ((rc = pg_exec(s, sql, e)) || (rc = pg_schema_version(base, &cur, e))) {
			pg_exec(s, "ROLLBACK", NULL);
			return rc;
		}
		const struct ctip_embedded *next = NULL;
		int next_v = 0;
		for (const struct ctip_embedded *f = ctip_embedded; f->path; f++) {
			int v;
			if (strncmp(f->path, "lib/sql/pg/", 11) ||
			    sscanf(f->path + 11, "%4d", &v) != 1)
				continue;
			if (v > cur && (!next || v < next_v))
				next = f, next_v = v;
		}
		if (!next) {
			pg_exec(s, "ROLLBACK", NULL);
			break;
		}
		snprintf(sql, sizeof(sql), "INSERT INTO ctip_schema(version) VALUES (%d)", next_v);
		if ((rc = pg_exec(s, next->data, e)) || (rc = pg_exec(s, sql, e))) {
			char msg[sizeof(e->msg)];
			snprintf(msg, sizeof(msg), "%s", e->msg);
			ctip_err_set(e, rc, "migration %s failed: %s", next->path, msg);
			pg_exec(s, "ROLLBACK", NULL);
			return rc;
		}
		if ((rc = pg_exec(s, "COMMIT", e)))
			return rc;
		cur = next_v;
	}
	*to = cur;
	/* the access rule the policies hold, from access_rule.h (store_pg_access.c); the
	 * statistics triggers, from freshness.h (store_pg_fresh.c); linkage's, from link_watch.h
	 * (store_pg_link_watch.c) */
	if ((rc = pg_access_rule(s, e)))
		return rc;
	if ((rc = pg_stats_fresh(s, e)))
		return rc;
	if ((rc = pg_link_watch(s, e)))
		return rc;
	/* the name index's rows from before 0037 counted (store_pg_names.c) */
	return pg_names_global(s, e);
}

/* ---- transactions ---------------------------------------------------------------------- */

static int pg_begin(ctip_store *base, ctip_err *e)
{
	char sql[80];
	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%d)", PG_WRITE_LOCK);
	return pg_tx_begin((pg_store *)base, sql, e);
}

static void pg_rollback(ctip_store *base)
{
	pg_store *s = (pg_store *)base;
	pg_pre_clear(s);
	audit_forget(s); /* not sent: nothing of them was written */
	s->audit_locked = 0;
	pg_buf_reset(s);
	org_cache_clear(s); /* organisations added in the transaction are gone */
	s->ids_locked = 0;
	pg_first_load_forget(s); /* the rollback undoes the drops */
	if (s->in_tx)
		pg_exec(s, "ROLLBACK", NULL);
	s->in_tx = 0;
}

static int pg_commit(ctip_store *base, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	pg_pre_clear(s);
	int rc = pg_flush(s, e);
	if (rc || (rc = pg_first_load_end(s, e)))
		return rc;
	/* the entries appended and the commit in one round trip */
	if ((rc = s->napend > 0 ? audit_send(s, 1, e) : pg_exec(s, "COMMIT", e)))
		return rc;
	s->in_tx = 0;
	s->ids_locked = 0;
	s->audit_locked = 0;
	return CTIP_OK;
}

/* A load is one transaction; its rows go in with COPY when it ends (store_pg_rows.c). */
static int pg_load_begin(ctip_store *base, int *bulk, ctip_err *e)
{
	*bulk = 0;
	int rc = pg_begin(base, e);
	if (!rc && (rc = pg_first_load_begin((pg_store *)base, bulk, e)))
		pg_rollback(base);
	return rc;
}

static int pg_load_end(ctip_store *base, int ok, ctip_err *e)
{
	if (!ok) {
		pg_rollback(base);
		return CTIP_OK;
	}
	int rc = pg_commit(base, e);
	if (rc)
		pg_rollback(base);
	return rc;
}

/* ---- reference data -------------------------------------------------------------------- */

static int pg_ref_save(ctip_store *base, const ctip_ref *ref, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc;
	if ((rc = pg_exec(s, "DELETE FROM vocab", e)))
		return rc;
	const struct ctip_ref_entry **all;
	int n = ctip_ref_list(ref, NULL, &all);
	for (int i = 0; i < n && rc == CTIP_OK; i++) {
		char sort[16];
		snprintf(sort, sizeof(sort), "%d", all[i]->sort);
		const char *v[7] = {all[i]->vocab,
		                    all[i]->code,
		                    all[i]->label_en,
		                    all[i]->label_vi,
		                    all[i]->aliases,
		                    all[i]->extra,
		                    sort};
		rc = pg_query(s,
		              "INSERT INTO vocab(vocab, code, label_en, label_vi, aliases, extra, "
		              "sort) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		              7, v, NULL, e, "vocabulary");
	}
	free(all);
	return rc;
}

static int pg_ref_load(ctip_store *base, ctip_ref *ref, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT vocab, code, label_en, label_vi, aliases, extra, sort FROM vocab "
	                  "ORDER BY vocab, sort",
	                  0, NULL, &r, e, "vocabulary");
	for (int i = 0; !rc && i < PQntuples(r); i++) {
		struct ctip_ref_entry en = {
		        .vocab = PQgetvalue(r, i, 0),
		        .code = PQgetvalue(r, i, 1),
		        .label_en = PQgetvalue(r, i, 2),
		        .label_vi = PQgetvalue(r, i, 3),
		        .aliases = PQgetvalue(r, i, 4),
		        .extra = PQgetvalue(r, i, 5),
		        .sort = atoi(PQgetvalue(r, i, 6)),
		};
		rc = ctip_ref_add(ref, &en, e);
	}
	PQclear(r);
	return rc;
}

/* ---- organisations --------------------------------------------------------------------- */

static void org_cache_clear(pg_store *s)
{
	while (s->orgs) {
		struct pg_org *o = s->orgs;
		s->orgs = o->next;
		free(o->name);
		free(o->type);
		free(o);
	}
}

/* A short list: a registry has tens of organisations, an import names a handful. */
static struct pg_org *org_cached(pg_store *s, const char *name)
{
	for (struct pg_org *o = s->orgs; o; o = o->next)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static void org_cache_add(pg_store *s, const char *name, int64_t id, const char *type)
{
	struct pg_org *o = calloc(1, sizeof(*o));
	if (!o || !(o->name = strdup(name)) || (type && !(o->type = strdup(type)))) {
		if (o)
			free(o->name);
		free(o);
		return; /* not cached: asked again */
	}
	o->id = id;
	o->next = s->orgs;
	s->orgs = o;
}

/* *type, when asked for, is the store's (valid until the next write of organisations). */
static int pg_org_find(ctip_store *base, const char *name, int64_t *id, char **type, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	struct pg_org *o = org_cached(s, name);
	if (o) {
		*id = o->id;
		if (type)
			*type = o->type;
		return CTIP_OK;
	}
	char *fold = ctip_text_fold(name);
	PGresult *r;
	if (!fold)
		return ctip_err_set(e, CTIP_EINVAL, "organisation name is not valid UTF-8");
	const char *v[1] = {fold};
	int rc = pg_query(s, "SELECT id, type FROM organisation WHERE name_fold = $1", 1, v, &r, e,
	                  "organisation");
	free(fold);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return CTIP_ENOTFOUND;
	}
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	org_cache_add(s, name, *id, pg_col(r, 0, 1));
	PQclear(r);
	if (type)
		*type = (o = org_cached(s, name)) ? o->type : NULL;
	return CTIP_OK;
}

int pg_org_id(pg_store *s, const char *name, int64_t *id, ctip_err *e)
{
	int rc = pg_org_find(&s->base, name, id, NULL, e);
	if (rc == CTIP_ENOTFOUND)
		rc = ctip_err_set(e, CTIP_EINVAL, "unknown organisation '%s'", name);
	return rc;
}

static int pg_org_add(ctip_store *base, const char *name, const char *type, int64_t *id,
                      ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char *fold = ctip_text_fold(name);
	PGresult *r;
	if (!fold)
		return ctip_err_set(e, CTIP_EINVAL, "organisation name is not valid UTF-8");
	const char *v[3] = {name, fold, type};
	int rc = pg_query(s,
	                  "INSERT INTO organisation(name, name_fold, type) VALUES ($1, $2, $3) "
	                  "RETURNING id",
	                  3, v, &r, e, "organisation");
	free(fold);
	if (rc)
		return rc;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	org_cache_add(s, name, *id, type);
	return CTIP_OK;
}

static int pg_org_set_type(ctip_store *base, int64_t id, const char *type, ctip_err *e)
{
	org_cache_clear((pg_store *)base);
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *v[2] = {type, ids};
	return pg_query((pg_store *)base, "UPDATE organisation SET type = $1 WHERE id = $2", 2, v,
	                NULL, e, "organisation");
}

static int pg_org_has_cases(ctip_store *base, int64_t org, int *has, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char ids[24];
	PGresult *r;
	snprintf(ids, sizeof(ids), "%lld", (long long)org);
	const char *v[1] = {ids};
	int rc = pg_query(s, "SELECT EXISTS (SELECT 1 FROM cases WHERE org_id = $1)", 1, v, &r, e,
	                  "cases");
	if (rc)
		return rc;
	*has = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return CTIP_OK;
}

static int find_src(pg_store *s, const char *sql, int64_t org, const char *src, int64_t *id,
                    ctip_err *e)
{
	char ids[24];
	PGresult *r;
	snprintf(ids, sizeof(ids), "%lld", (long long)org);
	const char *v[2] = {ids, src};
	int rc = pg_query(s, sql, 2, v, &r, e, "lookup");
	if (rc)
		return rc;
	rc = PQntuples(r) ? CTIP_OK : CTIP_ENOTFOUND;
	if (!rc)
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

static int pg_case_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e)
{
	/* a first load found the registry empty and holds it locked: nothing to ask (the
	 * importer itself knows the cases of the file it is loading) */
	if (((pg_store *)b)->remake)
		return CTIP_ENOTFOUND;
	return find_src((pg_store *)b,
	                "SELECT id FROM cases WHERE org_id = $1 AND src_case_id = $2", org, src, id,
	                e);
}

static int pg_person_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e)
{
	if (((pg_store *)b)->remake) /* as pg_case_find */
		return CTIP_ENOTFOUND;
	return find_src((pg_store *)b,
	                "SELECT id FROM person WHERE org_id = $1 AND src_record_id = $2", org, src,
	                id, e);
}

/* ---- accounts and counts ----------------------------------------------------------------- */

static int pg_account_add(ctip_store *base, const char *username, int64_t org_id, const char *role,
                          const char *pw_hash, ctip_err *e)
{
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)org_id);
	const char *v[4] = {username, ids, role, pw_hash};
	return pg_query(
	        (pg_store *)base,
	        "INSERT INTO account(username, org_id, role, pw_hash) VALUES ($1, $2, $3, $4)", 4,
	        v, NULL, e, "account");
}

static int pg_counts(ctip_store *base, struct ctip_counts *c, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_query(
	        s,
	        "SELECT (SELECT count(*) FROM organisation), (SELECT count(*) FROM cases), "
	        "(SELECT count(*) FROM person), (SELECT count(*) FROM case_person), "
	        "(SELECT count(*) FROM victim)",
	        0, NULL, &r, e, "counts");
	if (rc)
		return rc;
	c->orgs = atol(PQgetvalue(r, 0, 0));
	c->cases = atol(PQgetvalue(r, 0, 1));
	c->persons = atol(PQgetvalue(r, 0, 2));
	c->links = atol(PQgetvalue(r, 0, 3));
	c->victims = atol(PQgetvalue(r, 0, 4));
	PQclear(r);
	return CTIP_OK;
}

static int pg_person_cases(ctip_store *base, int64_t pid, int64_t **ids, int *n, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char p[24];
	PGresult *r;
	snprintf(p, sizeof(p), "%lld", (long long)pid);
	const char *v[1] = {p};
	int rc =
	        pg_query(s, "SELECT case_id FROM case_person WHERE person_id = $1 ORDER BY case_id",
	                 1, v, &r, e, "cases of a record");
	if (rc)
		return rc;
	*n = PQntuples(r);
	*ids = malloc(((size_t)*n + 1) * sizeof(**ids));
	if (!*ids) {
		PQclear(r);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (int i = 0; i < *n; i++)
		(*ids)[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	PQclear(r);
	return CTIP_OK;
}

/* ---- the key ------------------------------------------------------------------------------- */

static int setting_get(pg_store *s, const char *name, char *out, size_t n, ctip_err *e)
{
	PGresult *r;
	const char *v[1] = {name};
	int rc = pg_query(s, "SELECT value FROM setting WHERE name = $1", 1, v, &r, e, "setting");
	if (rc)
		return rc;
	rc = PQntuples(r) ? CTIP_OK : CTIP_ENOTFOUND;
	if (!rc)
		snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

static int pg_key_needed(ctip_store *base, int *has, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char v[CTIP_KEY_CHECK];
	int version, rc;
	*has = 0;
	if ((rc = pg_schema_version(base, &version, e)) || version < 1)
		return rc;
	rc = setting_get(s, "key_check", v, sizeof(v), e);
	*has = rc == CTIP_OK;
	return rc == CTIP_ENOTFOUND ? CTIP_OK : rc;
}

static int pg_key_bind(ctip_store *base, ctip_crypto *c, int create, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char want[CTIP_KEY_CHECK], have[CTIP_KEY_CHECK];
	ctip_crypto_check_value(c, want);
	int rc = setting_get(s, "key_check", have, sizeof(have), e);
	if (rc == CTIP_ENOTFOUND && create) {
		const char *v[2] = {"key_check", want};
		rc = pg_query(s, "INSERT INTO setting(name, value) VALUES ($1, $2)", 2, v, NULL, e,
		              "setting");
	} else if (rc == CTIP_ENOTFOUND) {
		rc = ctip_err_set(e, CTIP_EINVAL, "%s has no key check value: run `ctip init`",
		                  s->base.path);
	} else if (rc == CTIP_OK && sodium_memcmp(want, have, sizeof(want)) != 0) {
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "%s: wrong key: the key file is not the one this database was "
		                  "encrypted with (check --key or CTIP_KEY)",
		                  s->base.path);
	}
	if (rc) {
		if (c == s->base.crypto)
			s->base.crypto = NULL;
		ctip_crypto_free(c);
		return rc;
	}
	if (c != s->base.crypto)
		ctip_crypto_free(s->base.crypto);
	s->base.crypto = c;
	return CTIP_OK;
}

/* ---- the audit log --------------------------------------------------------------------- */

/* An append locks the log (not the registry): appenders queue, each chaining to the last. */
static int pg_audit_begin(ctip_store *base, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char sql[80];
	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%d)", PG_AUDIT_LOCK);
	int rc = pg_tx_begin(s, sql, e);
	if (!rc) {
		s->audit_locked = 1;
		return rc;
	}
	/* a hot standby: nothing is seen unaudited, so its reads are audited elsewhere */
	return audit_refused(rc, e);
}

static int pg_audit_add(ctip_store *base, const struct ctip_audit_entry *a, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)a->id);
	const char *v[8] = {id,        a->at,     a->actor,     a->action,
	                    a->object, a->detail, a->prev_hash, a->hash};
	/* in a transaction, held back: sent with the commit, or before the next statement (the
	 * entries are the transaction's last writes; an error is then the commit's) */
	if (s->in_tx && s->napend >= 0) {
		if (s->napend == PG_APEND_MAX) {
			int rc = audit_send(s, 0, e);
			if (rc)
				return rc;
		}
		int ok = 1;
		for (int k = 0; k < 8; k++)
			ok &= (s->apend[s->napend][k] = strdup(v[k] ? v[k] : "")) != NULL;
		if (ok) {
			s->napend++;
			return CTIP_OK;
		}
		for (int k = 0; k < 8; k++)
			free(s->apend[s->napend][k]);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	/* a hot standby (its transaction began, the write is refused): as pg_audit_begin */
	return audit_refused(pg_query(s, audit_insert_sql, 8, v, NULL, e, "audit"), e);
}

/* In a transaction, the log's lock is taken first (held to its end): a change audited in its
 * own transaction (ctip_audit_in_tx) chains to the last entry of every other writer. */
static int pg_audit_last(ctip_store *base, int64_t *id, char hash[129], ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	char sql[80];
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)", PG_AUDIT_LOCK);
	int rc = s->in_tx && !s->audit_locked ? pg_exec(s, sql, e) : CTIP_OK;
	if (!rc && s->in_tx)
		s->audit_locked = 1;
	if (!rc)
		rc = pg_query_replan(s, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &r,
		                     e, "audit");
	if (rc)
		return rc;
	*id = 0;
	hash[0] = 0;
	if (PQntuples(r)) {
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(hash, 129, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return CTIP_OK;
}

/* In order of id, by pages (a log of millions is never held whole): all entries, or those
 * naming object (an entry of a search lists the records it showed, separated by spaces). */
static int pg_audit_each(ctip_store *base, const char *object,
                         int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx,
                         ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char after[24] = "0";
	int rc = CTIP_OK;
	for (;;) {
		PGresult *r;
		const char *v[2] = {after, object};
		rc = pg_query(
		        s,
		        object ? "SELECT id, at, actor, action, object, detail, prev_hash, hash "
		                 "FROM audit WHERE id > $1 AND (object = $2 OR (action IN "
		                 "('search_hit', 'export_records') AND string_to_array(object, ' "
		                 "') "
		                 "@> ARRAY[$2::text])) "
		                 "ORDER BY id LIMIT 10000"
		               : "SELECT id, at, actor, action, object, detail, prev_hash, hash "
		                 "FROM audit WHERE id > $1 ORDER BY id LIMIT 10000",
		        object ? 2 : 1, v, &r, e, "audit");
		if (rc)
			return rc;
		int n = PQntuples(r);
		for (int i = 0; i < n && rc == CTIP_OK; i++) {
			struct ctip_audit_entry a = {
			        .id = strtoll(PQgetvalue(r, i, 0), NULL, 10),
			        .at = PQgetvalue(r, i, 1),
			        .actor = PQgetvalue(r, i, 2),
			        .action = PQgetvalue(r, i, 3),
			        .object = PQgetvalue(r, i, 4),
			        .detail = PQgetvalue(r, i, 5),
			        .prev_hash = PQgetvalue(r, i, 6),
			        .hash = PQgetvalue(r, i, 7),
			};
			rc = cb(ctx, &a);
		}
		if (n)
			snprintf(after, sizeof(after), "%s", PQgetvalue(r, n - 1, 0));
		PQclear(r);
		if (rc || n < 10000)
			return rc;
	}
}

/* The index by object is PostgreSQL's own (audit_object): nothing to catch up. */
static int pg_audit_index(ctip_store *base, ctip_err *e)
{
	return CTIP_OK;
}

/* ---- opening ----------------------------------------------------------------------------- */

static struct ctip_store_ops pg_ops;

/* The URL for messages: without a password, should one be in it (user:PASSWORD@ or a
 * password=... parameter). */
static void url_for_messages(const char *url, char *out, size_t n)
{
	const char *scheme = strstr(url, "://"), *host = scheme ? scheme + 3 : url;
	const char *at = strchr(host, '@'), *slash = strchr(host, '/');
	const char *colon = strchr(host, ':');
	if (at && (!slash || at < slash) && colon && colon < at)
		snprintf(out, n, "%.*s:***%s", (int)(colon - url), url, at);
	else
		snprintf(out, n, "%s", url);
	char *p = strstr(out, "password=");
	if (p && (p == out || p[-1] == '?' || p[-1] == '&')) {
		char *end = strchr(p, '&');
		char rest[1024];
		snprintf(rest, sizeof(rest), "%s", end ? end : "");
		snprintf(p, n - (size_t)(p - out), "password=***%s", rest);
	}
}

int ctip_store_pg_open(const char *url, int create, ctip_store **out, ctip_err *e)
{
	*out = NULL;
	if (!pg_ops.name) {
		pg_ops = ctip_store_unavail_ops;
		pg_ops.name = "PostgreSQL";
		pg_ops.close = pg_close;
		pg_ops.migrate = pg_migrate;
		pg_ops.schema_version = pg_schema_version;
		pg_ops.begin = pg_begin;
		pg_ops.load_begin = pg_load_begin;
		pg_ops.load_end = pg_load_end;
		pg_ops.commit = pg_commit;
		pg_ops.rollback = pg_rollback;
		pg_ops.ref_save = pg_ref_save;
		pg_ops.ref_load = pg_ref_load;
		pg_ops.org_find = pg_org_find;
		pg_ops.org_add = pg_org_add;
		pg_ops.org_set_type = pg_org_set_type;
		pg_ops.org_has_cases = pg_org_has_cases;
		pg_ops.case_find = pg_case_find;
		pg_ops.person_find = pg_person_find;
		pg_ops.case_add = pg_case_add;
		pg_ops.person_add = pg_person_add;
		pg_ops.link_add = pg_link_add;
		pg_ops.rows = pg_rows;
		pg_ops.search = pg_search;
		pg_ops.counts = pg_counts;
		pg_ops.person_cases = pg_person_cases;
		pg_ops.account_add = pg_account_add;
		pg_ops.audit_add = pg_audit_add;
		pg_ops.audit_begin = pg_audit_begin;
		pg_ops.audit_each = pg_audit_each;
		pg_ops.audit_last = pg_audit_last;
		pg_ops.audit_index = pg_audit_index;
		/* the registry and its log are one database, committed as one: nothing to write
		 * ahead (lib/core/audit.c appends in the caller's transaction) */
		pg_ops.audit_pend = NULL;
		pg_ops.audit_pend_mark = NULL;
		pg_ops.audit_pend_forget = NULL;
		pg_ops.audit_pend_each = NULL;
		pg_ops.person_update = pg_person_update;
		pg_ops.key_needed = pg_key_needed;
		pg_ops.key_bind = pg_key_bind;
		pg_stats_ops(&pg_ops);
		pg_link_ops(&pg_ops);
		pg_rekey_ops(&pg_ops);
	}
	pg_store *s = calloc(1, sizeof(*s));
	if (!s)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	s->base.ops = &pg_ops;
	s->base.srv = &ctip_pg_srv_ops;
	s->base.schema_latest = pg_latest();
	url_for_messages(url, s->base.path, sizeof(s->base.path));
	s->db = PQconnectdb(url);
	if (PQstatus(s->db) != CONNECTION_OK) {
		char msg[400];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(s->db));
		size_t n = strlen(msg);
		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = 0;
		/* a server down, or starting (recovery), is an outage that passes (CTIP_EUNAVAIL:
		 * ctip serve says it once every 10 s, whichever of its threads meets it); a
		 * server that answers but refuses this database or user is a mistake to fix */
		PGPing ping = PQping(url);
		int code = ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT ? CTIP_EUNAVAIL
		                                                               : CTIP_EDB;
		ctip_err_set(
		        e, code,
		        "%s: cannot connect to PostgreSQL: %s (is the server running, does the "
		        "database exist (createdb), may this user connect?)",
		        s->base.path, msg);
		pg_close(&s->base);
		return code;
	}
	int rc = session_setup(s, e);
	PGresult *r = NULL;
	if (!rc)
		rc = pg_query(s,
		              "SELECT NOT (rolsuper OR rolbypassrls) FROM pg_roles WHERE rolname = "
		              "current_user",
		              0, NULL, &r, e, "role");
	if (rc || !(s->url = strdup(url))) {
		PQclear(r);
		pg_close(&s->base);
		return rc ? rc : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	s->rls = PQntuples(r) != 1 || !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	(void)create; /* the database is made by createdb (or the DBA), the schema by init */
	*out = &s->base;
	return CTIP_OK;
}
