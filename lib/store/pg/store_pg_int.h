/*
 * store_pg_int.h - what the files of the PostgreSQL back end share (store_pg.c: connection,
 * schema, transactions, organisations, accounts, the key, the audit log; store_pg_rows.c:
 * writing rows with COPY, reading them back, search). Not for the rest of ctip.
 */
#ifndef CTIP_STORE_PG_INT_H
#define CTIP_STORE_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The tables a load writes with COPY, in the order they are flushed (parents first). */
enum pg_table {
	PT_CASES,
	PT_REFERRAL,
	PT_COMMENT,
	PT_PERSON,
	PT_DOC,
	PT_PHONE,
	PT_NAME,
	PT_CASE_PERSON,
	PT_QUALITY,
	PT_VICTIM,
	PT_EXPL,
	PT_EVENT,
	PT_ASSIST,
	PT_PROC,
	PT_COUNT
};

/* One table's rows in COPY text format, waiting to be sent. */
struct pg_buf {
	char *p;
	size_t len, cap;
	long rows;
};

/* An organisation as last read, by the spelling asked for. */
struct pg_org {
	char *name, *type;
	int64_t id;
	struct pg_org *next;
};

#define PG_PRE_MAX   8
#define PG_APEND_MAX 15

typedef struct pg_store {
	ctip_store base;
	PGconn *db;
	struct pg_org *orgs; /* cache of org_find (an import asks for each row) */
	int in_tx;
	/* rows written since the transaction began, sent with COPY when it commits (or when
	 * they pass PG_FLUSH_BYTES): the ids are given here, under a lock on the tables */
	struct pg_buf buf[PT_COUNT];
	size_t buffered;
	/* a flush in the background (store_pg_rows.c): while a thread sends fbuf with COPY, the
	 * writer fills buf; anything else that would use the connection waits for it first
	 * (pg_flush_wait), and its failure (ferr) is the next caller's */
	struct pg_buf fbuf[PT_COUNT];
	pthread_t flusher;
	int flushing, frc;
	ctip_err ferr;
	int ids_locked;
	int64_t next_case, next_person, next_cp;
	/* isolation (0006_isolation.sql): whether row-level security applies to this session
	 * (then rows go in through a temporary table: COPY cannot write such a table), the role
	 * `ctip serve` switched to (SET ROLE; "" when none) and the organisation the requests act
	 * for (scope; 0 none) with the one last sent to the session (-1: unknown) */
	int rls;
	char role[80];
	int64_t org, org_sent;
	char *url; /* to reconnect */
	/* statements prepared on this connection (by their text): the server runs the same few
	 * hundred thousands of times; gone with the connection */
	struct pg_stmt {
		char *sql;
		char name[16];
	} * stmts;
	int nstmts, capstmts;
	/* a first load into an empty registry (store_pg_load.c): the statements that make again
	 * what it set aside, run before the commit; NULL when none */
	char **remake;
	int nremake;
	/* results read ahead in one round trip (pg_prefetch): a statement run later in the same
	 * transaction with the same text and parameters takes its result from here instead of
	 * asking the server; emptied when the transaction ends */
	struct pg_pre {
		char *sql, *v[4];
		int n;
		PGresult *r;
	} pre[PG_PRE_MAX];
	int npre;
	/* the version of case seen_case read with its access check in this transaction (0: none):
	 * a view asks for both, and one statement answers both; forgotten with the read-ahead */
	int64_t seen_case, seen_version;
	int read_only; /* in a read's transaction (read_begin): one snapshot throughout */
	/* audit entries appended in this transaction, not sent yet: they go in one round trip
	 * with the commit, or before any other statement (pg_audit_send); audit_locked: the log's
	 * lock is held by this transaction */
	char *apend[PG_APEND_MAX][8];
	int napend, audit_locked;
	/* the connection is in no known state (a pipeline cut short): reset before its next use */
	int reset_needed;
} pg_store;

#define PG_FLUSH_BYTES (16u << 20)

/* Sends n statements (text parameters, at most 4 each) in one round trip (pipeline mode) inside
 * the current transaction and keeps their results for the statements of the same text and
 * parameters that follow (pg_query_bin): a caller that knows what it will read next (the
 * server's case view: store_pg_srv.c, case_prefetch) saves a round trip per statement. Nothing
 * is kept outside a transaction, or when the batch fails (the statements then run as usual). */
void pg_prefetch(pg_store *s, int n, const char *const *sql, const int *np,
                 const char *const *const *v);
/* Drops what was read ahead (the transaction ends, or writes). */
void pg_pre_clear(pg_store *s);
/* The rows of one case ($1), or one record of it ($2; 0: all) (store_pg_rows.c). */
extern const char pg_rows_case_sql[];

/* A first load (store_pg_load.c): in the load's transaction, when the registry is empty and
 * this session owns its tables, set aside the secondary indexes, unique constraints and
 * foreign keys of the loaded tables (*bulk = 1); _end makes them again (before the commit),
 * _forget drops the plan (after a rollback, which undid the drops). */
int pg_first_load_begin(pg_store *s, int *bulk, ctip_err *e);
int pg_first_load_end(pg_store *s, ctip_err *e);
void pg_first_load_forget(pg_store *s);

/* Waits for a flush in the background to end; its result (CTIP_OK when none). Called first
 * by everything that uses the connection, except the flusher itself. */
int pg_flush_wait(pg_store *s, ctip_err *e);

/* An error of the connection or of result r (may be NULL), about `what`. */
int pg_fail(pg_store *s, PGresult *r, ctip_err *e, const char *what);
/* Runs sql (no parameters, no rows expected). */
int pg_exec(pg_store *s, const char *sql, ctip_err *e);
/* Runs sql with n text parameters (NULL: SQL NULL); *out gets the result (PQclear it) when
 * it succeeded with or without rows. */
int pg_query(pg_store *s, const char *sql, int n, const char *const *v, PGresult **out, ctip_err *e,
             const char *what);
/* sql (no parameters) planned again at every run, never kept as a prepared statement: for
 * a statement whose best plan changes as its table grows. A session's generic plan is made
 * once, from the table's size then (a log nearly empty after a load: a sequential scan and a
 * sort), and kept while the table grows (docs/BENCHMARKS.md: the audit writer's last entry). */
int pg_query_replan(pg_store *s, const char *sql, PGresult **out, ctip_err *e, const char *what);
/* The same with binary parameters where bin[i] (lengths len[i]). */
int pg_query_bin(pg_store *s, const char *sql, int n, const char *const *v, const int *len,
                 const int *bin, PGresult **out, ctip_err *e, const char *what);
/* Runs n statements (at most 16; sql[i] with np[i] text parameters v[i]) in one round trip
 * inside the open transaction (libpq's pipeline mode; one at a time outside one), their
 * results into out[i] (PQclear each). On failure none is kept. */
int pg_query_batch(pg_store *s, int n, const char *const *sql, const int *np,
                   const char *const *const *v, PGresult **out, ctip_err *e, const char *what);
/* Column c of row i as text, NULL for SQL NULL. */
const char *pg_col(const PGresult *r, int i, int c);
/* A bytea column as bytes (malloc'd into *b, *n bytes; NULL for SQL NULL). */
int pg_col_bytea(const PGresult *r, int i, int c, unsigned char **b, size_t *n);

/* Runs sql with the parameters that fmt describes, one character each: i int64, z int64 or
 * NULL when 0, d int, s text or NULL when NULL or empty, S text as is, b bytes (a pointer and
 * a size_t; NULL pointer: NULL). *out as pg_query's (NULL: not wanted). */
int pg_qf(pg_store *s, PGresult **out, ctip_err *e, const char *what, const char *sql,
          const char *fmt, ...);
/* BEGIN (the statement given) with the organisation of the requests set for the transaction. */
int pg_tx_begin(pg_store *s, const char *begin, ctip_err *e);
/* store_pg_access.c: installs the access rule (the refresh of case_access and the identity
 * tables' policies) when the database's differs from this ctip's; after the migrations. */
int pg_access_rule(pg_store *s, ctip_err *e);
/* store_pg_fresh.c: the statistics triggers made from lib/stats/freshness.h, installed by
 * `ctip init` when the database's differ */
int pg_stats_fresh(pg_store *s, ctip_err *e);
/* store_pg_triggers.c: appends printf-style text to *buf (length *len, capacity *cap); -1
 * when out of memory. */
__attribute__((format(printf, 4, 5))) int pg_sql_add(char **buf, size_t *len, size_t *cap,
                                                     const char *fmt, ...);
/* A family of triggers made from a declaration: drop_sql, then body, then the comment of
 * comment_on (an object of the family) set to want, "STAMP <hash of body>". Free it; NULL
 * when out of memory. */
#define PG_STAMP_MAX 80
char *pg_triggers_sql(const char *drop_sql, const char *body, const char *stamp,
                      const char *comment_on, char want[PG_STAMP_MAX]);
/* Runs sql (pg_triggers_sql's) and then_sql (NULL: none) in one transaction, unless state_sql
 * (one row: whether the family's schema is there, the comment, the number of its triggers)
 * says it is not, or that the family is as made (the comment want, n triggers). */
int pg_triggers_install(pg_store *s, const char *state_sql, const char *want, long n,
                        const char *sql, const char *then_sql, const char *what, ctip_err *e);
/* store_pg_link_watch.c: linkage's triggers made from lib/link/link_watch.h, installed by
 * `ctip init` when the database's differ */
int pg_link_watch(pg_store *s, ctip_err *e);
/* store_pg_names.c: the name index's rows written before 0037 given their count of global
 * tokens (needs the key when there are any); after the migrations. */
int pg_names_global(pg_store *s, ctip_err *e);
/* `ctip serve`'s connections: switches to the role <database>_app unless connected as it. */
int pg_serve_role(pg_store *s, ctip_err *e);
extern const struct ctip_srv_ops ctip_pg_srv_ops;

/* Sends every buffered row with COPY. */
int pg_flush(pg_store *s, ctip_err *e);
void pg_buf_reset(pg_store *s);

/* store_pg_rows.c */
int pg_case_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e);
int pg_person_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e);
int pg_link_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                ctip_err *e);
int pg_rows(ctip_store *base, const struct ctip_row_filter *flt,
            int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e);
int pg_search(ctip_store *base, const char *query, int64_t org, int limit,
              int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx, ctip_err *e);
int pg_org_id(pg_store *s, const char *name, int64_t *id, ctip_err *e);
int pg_person_update(ctip_store *base, int64_t id, const ctip_row *r, ctip_err *e);

/* Runs sql with n text parameters and hands each row to row (a one-row result) as it comes
 * (single-row mode: a million rows are never held at once); row returns non-zero to stop.
 * binary: the columns in binary format (bytea as its bytes; text stays NUL-terminated). */
int pg_stream(pg_store *s, const char *sql, int n, const char *const *v, int binary,
              int (*row)(void *ctx, PGresult *r), void *ctx, ctip_err *e, const char *what);

/* The operations of store_pg_stats.c (statistics, figures, releases, data quality),
 * store_pg_link.c (record linkage) and store_pg_rekey.c (key rotation), set into o. */
void pg_stats_ops(struct ctip_store_ops *o);
void pg_link_ops(struct ctip_store_ops *o);
/* After a load's periods of exploitation were sent: their linked records marked changed. */
void pg_rekey_ops(struct ctip_store_ops *o);

/* store_pg_casework.c, shared by the operations kept apart from store.h's (casework, the
 * company register, communications): an id column (0 for NULL); v sealed for
 * "table.column:id" written into column of table's row id (nothing when v is empty); column c
 * of row i opened, sealed for "what:id", into *out (malloc'd; NULL for NULL); column of table
 * re-sealed under next (inside the rotation's transaction), counted into *count. */
int64_t pg_id(const PGresult *r, int i, int c);
int pg_put_sealed(pg_store *s, const char *table, const char *column, int64_t id, const char *v,
                  ctip_err *e);
int pg_get_sealed(pg_store *s, const PGresult *r, int i, int c, const char *what, int64_t id,
                  char **out, ctip_err *e);

#endif
