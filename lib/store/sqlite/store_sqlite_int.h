/*
 * store_sqlite_int.h - what the files of the SQLite back end (store_sqlite_*.c) share and
 * nothing else sees: the store's struct, its prepared statements (enum stmt_id, table in
 * store_sqlite_stmt.c), the SQL the statements are built from, and the functions one file
 * implements for the others. The rest of ctip sees store.h (through store_sqlite.h).
 *
 * The back end was one file of ~3,100 lines (issue 11 item 1); it is split by concern so
 * that each part can be read, and replaced by neutral code, on its own.
 */
#ifndef CTIP_STORE_SQLITE_INT_H
#define CTIP_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdint.h>
#include <uthash.h>

#include "access_rule.h"
#include "crypto.h"
#include "identity.h"
#include "row_group.h"
#include "store_sqlite.h"
#include "text.h"

/* Who may see which record's identity through a referral: access_rule.h (the one rule). */
#define REFERRED_VIEWERS(cond) CTIP_SQL_REFERRED_VIEWERS(cond)

/* The matches of a search, unsorted: sq_search opens each identity once, keeps the first by
 * name and unpacks only those. */
#define SEARCH_HITS(ids)                                                                           \
	"SELECT p.id, o.name, p.src_record_id, p.identity, p.birth_date, p.province_era, "         \
	"p.province_code, p.org_id FROM person p JOIN organisation o ON o.id = p.org_id WHERE "    \
	"p.id IN (" ids ")"

/* Every record's document in person_name (the name index), made from its sealed identity
 * under the bound key: after a key rotation, and for rows loaded as they are (store copy). */
#define NAMES_ALL                                                                                  \
	"INSERT INTO person_name(rowid, tokens) SELECT id, doc FROM (SELECT id, "                  \
	"ctip_name_doc(ctip_sortkey(identity, id), org_id, 1) AS doc FROM person WHERE identity "  \
	"IS NOT NULL) WHERE doc <> ''"

/* Every record's documents in person_referred, at the end of a first load. */
#define REFERRED_ALL                                                                               \
	"INSERT INTO person_referred(rowid, tokens) SELECT p.id * 1048576 + v.org, "               \
	"ctip_name_doc(ctip_sortkey(p.identity, p.id), v.org, 0) FROM (" REFERRED_VIEWERS(         \
	        "") ") v JOIN person p ON p.id = v.person_id WHERE p.identity IS NOT NULL"

enum stmt_id {
	S_ORG_FIND,
	S_ORG_ADD,
	S_ORG_SET_TYPE,
	S_ORG_NAME,
	S_CASE_FIND,
	S_CASE_ADD,
	S_REF_ADD,
	S_COMMENT_ADD,
	S_PERSON_FIND,
	S_PERSON_NEXT,
	S_PERSON_ADD,
	S_PERSON_UPDATE,
	S_PERSON_IDENTITY,
	S_DOC_DEL,
	S_PHONE_DEL,
	S_NAME_DEL,
	S_CASE_NEXT,
	S_DOC_ADD,
	S_PHONE_ADD,
	S_NAME_ADD,
	S_LINK_ADD,
	S_QUALITY_ADD,
	S_REFD_DEL,
	S_REFD_ADD,
	S_SEARCH,
	S_SEARCH_ORG,
	S_VICTIM_ADD,
	S_EXPL_ADD,
	S_EVENT_ADD,
	S_ASSIST_ADD,
	S_PROC_ADD,
	S_Q_DOCS,
	S_Q_EXPL,
	S_Q_EVENTS,
	S_Q_ASSIST,
	S_Q_PROC,
	S_Q_REFS,
	S_Q_COMMENTS,
	S_ACCOUNT_ADD,
	S_AUDIT_ADD,
	S_AUDIT_LAST,
	S_AUDIT_INDEXED,
	S_SETTING_GET,
	S_SETTING_SET,
	S_COUNT
};

struct org_node {
	char *fold;
	int64_t id;
	char *type;
	UT_hash_handle hh;
};

/* Exact spelling -> node, so that a name seen before is not folded again. */
struct org_alias {
	char *name;
	struct org_node *node;
	UT_hash_handle hh;
};

typedef struct sqlite_store {
	ctip_store base;
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	struct org_node *orgs; /* cache of organisation ids by folded name */
	struct org_alias *org_names;
	int in_tx;
	int audit_attached; /* DB.audit is attached as `auditlog` (schema 7 on) */
	char **bulk_sql;    /* CREATE INDEX and TRIGGER statements dropped by load_begin */
	int bulk_n;
	int journal_switched; /* load_begin left WAL for a rollback journal */
	int fk_off;           /* load_begin turned foreign-key checks off */
	int loading;          /* in a first load: person_referred is built at its end */
	/* the next ids of person and cases in the current transaction (0: ask the table) */
	int64_t next_person, next_case;
	/* objects named by the entries this connection appended since it last indexed the log
	 * (a search_hit entry names up to 50): indexing also starts after AUDIT_INDEX_CHUNK of
	 * them, so that a chunk stays the size it had with one entry per object */
	long audit_objects;
} sqlite_store;

/* The policy (what is sealed, how, the blind indexes and name tokens) is identity.c's, shared
 * by every back end; these bind it to this store's key, path and statements. */
#define N_IDENTITY      CTIP_IDENTITY_N
#define identity_fields ctip_identity_fields
#define place_of        ctip_seal_place
#define name_sortkey    ctip_name_sortkey
#define identity_key    ctip_identity_key
#define identity_free   ctip_identity_free
#define json_list       ctip_json_to_list

extern const char *const sq_stmt_sql[S_COUNT];

/* store_sqlite_stmt.c */
int sq_db_err(sqlite_store *s, ctip_err *e, const char *what);
sqlite3_stmt *sq_stmt(sqlite_store *s, enum stmt_id id, ctip_err *e);
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
const char *sq_col(sqlite3_stmt *st, int i);
int sq_bind_json_list(sqlite3_stmt *st, int i, const char *list);
int sq_exec_done(sqlite_store *s, sqlite3_stmt *st, ctip_err *e);
int sq_exec_sql(sqlite_store *s, const char *sql, ctip_err *e);

/* store_sqlite_org.c */
void sq_org_cache_clear(sqlite_store *s);
int sq_org_find(ctip_store *base, const char *name, int64_t *id, char **type, ctip_err *e);
int sq_org_add(ctip_store *base, const char *name, const char *type, int64_t *id, ctip_err *e);
int sq_org_set_type(ctip_store *base, int64_t id, const char *type, ctip_err *e);
int sq_org_id(sqlite_store *s, const char *name, int64_t *id, ctip_err *e);
int sq_account_add(ctip_store *base, const char *username, int64_t org_id, const char *role,
                   const char *pw_hash, ctip_err *e);

/* store_sqlite_triggers.c: makes the triggers named prefix... exactly want[0..n) when the
 * database's differ, running then_sql (NULL: none) in the same transaction */
int sq_triggers_install(sqlite_store *s, const char *prefix, char **want, int n,
                        const char *then_sql, const char *what, ctip_err *e);

/* store_sqlite_fresh.c: the statistics triggers, made from lib/stats/freshness.h, installed
 * when the database's differ (sq_migrate) */
int sq_stats_fresh_install(sqlite_store *s, ctip_err *e);

/* store_sqlite_link_watch.c: the triggers that list linked records whose input changed
 * (link_changed), made from lib/link/link_watch.h, installed when the database's differ */
int sq_link_watch_install(sqlite_store *s, ctip_err *e);

/* store_sqlite_open.c */
int sq_schema_version(ctip_store *base, int *version, ctip_err *e);

/* store_sqlite_key.c */
int sq_key_needed(ctip_store *base, int *has, ctip_err *e);
int sq_key_bind(ctip_store *base, ctip_crypto *c, int create, ctip_err *e);
int sq_key_rotate(ctip_store *base, ctip_crypto *next, ctip_err *e);
int sq_compact(ctip_store *base, ctip_err *e);

/* store_sqlite_audit.c */
int sq_audit_attach(sqlite_store *s, ctip_err *e);
int sq_audit_move(sqlite_store *s, ctip_err *e);
int sq_audit_add(ctip_store *base, const struct ctip_audit_entry *a, ctip_err *e);
int sq_audit_begin(ctip_store *base, ctip_err *e);
int sq_audit_each(ctip_store *base, const char *object,
                  int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx, ctip_err *e);
int sq_audit_index(ctip_store *base, ctip_err *e);
int sq_audit_pend(ctip_store *base, const struct ctip_audit_entry *a, int64_t *pid, ctip_err *e);
int sq_audit_pend_mark(ctip_store *base, int64_t first, int64_t last, ctip_err *e);
int sq_audit_pend_forget(ctip_store *base, int64_t before, ctip_err *e);
int sq_audit_pend_each(ctip_store *base,
                       int (*cb)(void *ctx, int64_t pid, const struct ctip_audit_entry *a),
                       void *ctx, ctip_err *e);
int sq_audit_last(ctip_store *base, int64_t *id, char hash[129], ctip_err *e);

/* store_sqlite_tx.c */
int sq_begin(ctip_store *base, ctip_err *e);
int sq_commit(ctip_store *base, ctip_err *e);
void sq_bulk_forget(sqlite_store *s);
int sq_load_begin(ctip_store *base, int *active, ctip_err *e);
int sq_load_end(ctip_store *base, int ok, ctip_err *e);
void sq_rollback(ctip_store *base);

/* store_sqlite_vocab.c */
int sq_ref_save(ctip_store *base, const ctip_ref *ref, ctip_err *e);
int sq_ref_load(ctip_store *base, ctip_ref *ref, ctip_err *e);

/* store_sqlite_seal.c */
int sq_no_key(sqlite_store *s, ctip_err *e);
int sq_bind_sealed(sqlite_store *s, sqlite3_stmt *st, int i, const char *v, const char *what,
                   int64_t owner, int seq, ctip_err *e);
int sq_col_unsealed(sqlite_store *s, sqlite3_stmt *st, int i, const char *what, int64_t owner,
                    int seq, char **out, ctip_err *e);
int sq_identity_seal(sqlite_store *s, int64_t pid, const ctip_row *r, unsigned char **blob,
                     int *len, char **sortkey, ctip_err *e);
int sq_identity_error(sqlite_store *s, int64_t pid, ctip_err *e);
int sq_identity_open(sqlite_store *s, int64_t pid, const void *b, int n, char **v, ctip_err *e);
char *sq_name_doc(sqlite_store *s, const char *key, int64_t org, int global);

/* store_sqlite_records.c */
int sq_org_has_cases(ctip_store *base, int64_t org, int *has, ctip_err *e);
int sq_case_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e);
int sq_person_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e);
int sq_case_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e);
int sq_person_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e);
int sq_person_update(ctip_store *base, int64_t id, const ctip_row *r, ctip_err *e);
int sq_quality_count(ctip_store *base, const char *flag, long *n, ctip_err *e);
int sq_link_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                ctip_err *e);

/* store_sqlite_read.c */
int sq_rows(ctip_store *base, const struct ctip_row_filter *flt,
            int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e);

/* store_sqlite_search.c */
int sq_search(ctip_store *base, const char *query, int64_t org, int limit,
              int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx, ctip_err *e);
int sq_counts(ctip_store *base, struct ctip_counts *c, ctip_err *e);
int sq_person_cases(ctip_store *base, int64_t pid, int64_t **ids, int *n, ctip_err *e);

/* store_sqlite_seal.c: the SQL functions the schema's migrations and statements call */
void sq_register_functions(sqlite_store *s);

#endif
