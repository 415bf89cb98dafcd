/*
 * store_sqlite_open.c - the embedded store: one SQLite file in WAL mode with foreign keys
 * on. Opening and closing a connection, the table of operations (struct ctip_store_ops) that
 * store.c calls, and the schema: lib/sql/NNNN_*.sql applied in order by sq_migrate(), the
 * version reached kept in PRAGMA user_version. The audit log is a second file, DB.audit,
 * attached to every connection as `auditlog` (schema 7 on; store_sqlite_audit.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "embedded.h"
#include "store_casework.h"
#include "store_sqlite_int.h"
#include "store_sqlite_link.h"

static void sq_close(ctip_store *base)
{
	sqlite_store *s = (sqlite_store *)base;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sq_org_cache_clear(s);
	sq_bulk_forget(s);
	ctip_sqlite_lists_release(s->db); /* what the lists kept (store_sqlite_lists.c) */
	sqlite3_close(s->db);
	ctip_ref_free(s->base.ref);
	ctip_crypto_free(s->base.crypto);
	free(s);
}

/* ---- schema -------------------------------------------------------------------------- */

int sq_schema_version(ctip_store *base, int *version, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "user_version");
	*version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* Whether the registry holds any record (before version 3 they are in clear). */
static int has_records(sqlite_store *s, int *any, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            s->db, "SELECT EXISTS (SELECT 1 FROM person) OR EXISTS (SELECT 1 FROM cases)",
	            -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "migration");
	*any = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* Migrations 0005 (which creates person_referred, the name index of the records referred to
 * each organisation) and 0010 (which changes the name documents) have it rebuilt from the
 * access rule's one definition (access_rule.h) instead of carrying a copy of the rule. */
#define REFERRED_REBUILD                                                                           \
	"DELETE FROM person_referred; " REFERRED_ALL "; INSERT INTO "                              \
	"person_referred(person_referred) VALUES ('optimize')"

/* Runs one migration's statements one by one. Migrations are idempotent (CREATE ... IF NOT
 * EXISTS), because a database can hold a later schema than its user_version says (restored
 * from parts, or set back by hand, as tests/e2e/stats.sh does). SQLite has no ADD COLUMN IF
 * NOT EXISTS: an ALTER TABLE whose column is already there fails when it is prepared with
 * "duplicate column name", and is skipped; anything else stops the migration. */
static const char *skip_statement(const char *p)
{
	for (const char *q = strchr(p, ';'); q; q = strchr(q + 1, ';')) {
		size_t n = (size_t)(q - p) + 1;
		char *one = malloc(n + 1);
		if (!one)
			return NULL;
		memcpy(one, p, n);
		one[n] = 0;
		int done = sqlite3_complete(one);
		free(one);
		if (done)
			return q + 1;
	}
	return NULL;
}

static int run_migration(sqlite_store *s, const char *sql, ctip_err *e)
{
	const char *p = sql;
	while (p && *p) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		int rc = sqlite3_prepare_v2(s->db, p, -1, &st, &tail);
		if (rc != SQLITE_OK) {
			const char *msg = sqlite3_errmsg(s->db);
			/* to the statement's first word, past white space and comments */
			for (;;) {
				p += strspn(p, " \t\r\n");
				if (strncmp(p, "--", 2))
					break;
				p += strcspn(p, "\n");
			}
			if (!strncmp(msg, "duplicate column name", 21) &&
			    !strncasecmp(p, "ALTER TABLE", 11)) {
				/* past this statement: to the first ';' that completes one (the
				 * tail of a failed prepare is not reliable) */
				const char *end = skip_statement(p);
				if (end) {
					p = end;
					continue;
				}
			}
			return ctip_err_set(e, CTIP_EDB, "%s: %s", s->base.path, msg);
		}
		if (!st) { /* a comment or white space at the end */
			p = tail;
			continue;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			ctip_err_set(e, CTIP_EDB, "%s: %s", s->base.path, sqlite3_errmsg(s->db));
			sqlite3_finalize(st);
			return CTIP_EDB;
		}
		sqlite3_finalize(st);
		p = tail;
	}
	return CTIP_OK;
}

/* Migrations are the embedded files lib/sql/NNNN_name.sql; NNNN is the version. */
static int sq_migrate(ctip_store *base, int *from, int *to, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int cur, rc;
	if ((rc = sq_schema_version(base, &cur, e)))
		return rc;
	*from = *to = cur;
	for (;;) {
		const struct ctip_embedded *next = NULL;
		int next_v = 0;
		for (const struct ctip_embedded *f = ctip_embedded; f->path; f++) {
			int v;
			if (strncmp(f->path, "lib/sql/", 8) || sscanf(f->path + 8, "%4d", &v) != 1)
				continue;
			if (v > cur && (!next || v < next_v))
				next = f, next_v = v;
		}
		if (!next)
			break;
		/* version 3 seals the records in clear: their plaintext must not stay behind in
		 * free pages (secure_delete zeroes them; the file is vacuumed after the commit) */
		int plain = 0;
		if (next_v == 3 && cur > 0 && (rc = has_records(s, &plain, e)))
			return rc;
		if (plain && !s->base.crypto)
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: no key loaded to encrypt its records",
			                    s->base.path);
		if (plain && (rc = sq_exec_sql(s, "PRAGMA secure_delete = ON", e)))
			return rc;
		if (next_v == 7 && (rc = sq_audit_move(s, e)))
			return rc;
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", next_v);
		if ((rc = sq_exec_sql(s, "BEGIN IMMEDIATE", e)))
			return rc;
		if ((rc = run_migration(s, next->data, e)) ||
		    ((next_v == 5 || next_v == 10) && (rc = sq_exec_sql(s, REFERRED_REBUILD, e))) ||
		    (rc = sq_exec_sql(s, pragma, e))) {
			char msg[sizeof(e->msg)];
			snprintf(msg, sizeof(msg), "%s", e->msg);
			ctip_err_set(e, rc, "migration %s failed: %s", next->path, msg);
			sq_exec_sql(s, "ROLLBACK", NULL);
			return rc;
		}
		if ((rc = sq_exec_sql(s, "COMMIT", e)))
			return rc;
		if (plain && ((rc = sq_exec_sql(s, "VACUUM", e)) ||
		              (rc = sq_exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", e)) ||
		              (rc = sq_exec_sql(s, "PRAGMA secure_delete = OFF", e))))
			return rc;
		cur = next_v;
	}
	*to = cur;
	/* the statistics triggers (from 0008 on, where stats_state is), as freshness.h makes them;
	 * linkage's (from 0009 on, where link_changed is), as link_watch.h makes them */
	rc = cur >= 8 ? sq_stats_fresh_install(s, e) : CTIP_OK;
	return !rc && cur >= 9 ? sq_link_watch_install(s, e) : rc;
}

static const struct ctip_store_ops sqlite_ops = {
        .name = "sqlite",
        .close = sq_close,
        .migrate = sq_migrate,
        .schema_version = sq_schema_version,
        .begin = sq_begin,
        .load_begin = sq_load_begin,
        .load_end = sq_load_end,
        .commit = sq_commit,
        .rollback = sq_rollback,
        .ref_save = sq_ref_save,
        .ref_load = sq_ref_load,
        .org_find = sq_org_find,
        .org_add = sq_org_add,
        .org_set_type = sq_org_set_type,
        .org_has_cases = sq_org_has_cases,
        .case_find = sq_case_find,
        .person_find = sq_person_find,
        .case_add = sq_case_add,
        .person_add = sq_person_add,
        .person_update = sq_person_update,
        .link_add = sq_link_add,
        .quality_count = sq_quality_count,
        .rows = sq_rows,
        .search = sq_search,
        .counts = sq_counts,
        .person_cases = sq_person_cases,
        .account_add = sq_account_add,
        .audit_add = sq_audit_add,
        .audit_begin = sq_audit_begin,
        .audit_each = sq_audit_each,
        .audit_last = sq_audit_last,
        .audit_index = sq_audit_index,
        .audit_pend = sq_audit_pend,
        .audit_pend_mark = sq_audit_pend_mark,
        .audit_pend_forget = sq_audit_pend_forget,
        .audit_pend_each = sq_audit_pend_each,
        .key_needed = sq_key_needed,
        .key_bind = sq_key_bind,
        .key_rotate = sq_key_rotate,
        .compact = sq_compact,
        .stats_facts = ctip_sqlite_stats_facts,
        .stats_version = ctip_sqlite_stats_version,
        .figures_add = ctip_sqlite_figures_add,
        .figures_load = ctip_sqlite_figures_load,
        .release_add = ctip_sqlite_release_add,
        .release_each = ctip_sqlite_release_each,
        .release_budget = ctip_sqlite_release_budget,
        .link_input = ctip_sq_link_input,
        .link_save = ctip_sq_link_save,
        .link_persons = ctip_sq_link_persons,
        .link_changed = ctip_sq_link_changed,
        .link_keys = ctip_sq_link_keys,
        .link_uncertain = ctip_sq_link_uncertain,
        .link_pairs = ctip_sq_link_pairs,
        .link_params = ctip_sq_link_params,
        .link_freq = ctip_sq_link_freq,
        .link_cache_put = ctip_sq_link_cache_put,
        .link_cache_get = ctip_sq_link_cache_get,
        .link_cache_ids = ctip_sq_link_cache_ids,
        .link_freq_total = ctip_sq_link_freq_total,
        .link_pair_state = ctip_sq_link_pair_state,
        .link_current = ctip_sq_link_current,
        .link_decide = ctip_sq_link_decide,
        .link_decisions = ctip_sq_link_decisions,
        .link_victim_cases = ctip_sq_link_victim_cases,
};

/* SQLite counts every allocation under one process-wide mutex unless told not to
 * (SQLITE_CONFIG_MEMSTATUS, on by default). The server's threads each have a connection of
 * their own, so that mutex was the one they contended for: perf on the case list at 50,000
 * cases with 32 clients found 10-15 % of the time in pthread_mutex_lock/unlock under
 * sqlite3Malloc and sqlite3_free. ctip reads no memory statistics of SQLite. The setting is
 * accepted only before SQLite initialises; a later call is refused harmlessly. */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;

static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int ctip_store_sqlite_open(const char *path, int create, ctip_store **out, ctip_err *e)
{
	pthread_once(&sqlite_configured, sqlite_configure);
	sqlite_store *s = calloc(1, sizeof(*s));
	if (!s)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	s->base.ops = &sqlite_ops;
	snprintf(s->base.path, sizeof(s->base.path), "%s", path);
	/* one connection per store, used by one thread at a time: no per-call mutex */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		int rc = ctip_err_set(e, CTIP_EDB, "%s: cannot open database: %s%s", path,
		                      s->db ? sqlite3_errmsg(s->db) : "out of memory",
		                      create ? "" : " (run `ctip init` first)");
		sqlite3_close(s->db);
		free(s);
		return rc;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* the busy timeout before the first statement: `PRAGMA journal_mode = WAL` needs a lock,
	 * and another process closing its last connection holds one while it checkpoints and
	 * removes the WAL; without a busy handler yet, the open failed at once with "database is
	 * locked" (a backup taken beside writers, CI, status 3) */
	sqlite3_busy_timeout(s->db, 10000);
	sq_register_functions(s);
	/* 16 KiB pages (effective when the file is created): a first load of a million records
	 * took 43 s with 4 KiB pages and 35 s with these; 64 KiB pages slowed searches. */
	int rc = sq_exec_sql(
	        s,
	        "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
	        "PRAGMA synchronous = NORMAL; "
	        "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -524288;",
	        e);
	int version = 0;
	ctip_err ignored = {0}; /* not a database: the first statement says so */
	if (rc == CTIP_OK && sq_schema_version(&s->base, &version, &ignored) == CTIP_OK &&
	    version >= 7)
		rc = sq_audit_attach(s, e);
	if (rc) {
		sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return CTIP_OK;
}

/* The connection, for the server's operations (store_sqlite_srv.c). */
sqlite3 *ctip_store_sqlite_db(ctip_store *base);
sqlite3 *ctip_store_sqlite_db(ctip_store *base)
{
	return ((sqlite_store *)base)->db;
}
