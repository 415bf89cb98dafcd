/*
 * store.h - the storage interface. The library (import, export, search,
 * show, and later stats and linkage) talks to a store only through these
 * operations; store_sqlite.c implements them on an embedded SQLite file, and
 * a PostgreSQL back end implements the same table for national deployments.
 *
 * A store speaks in rows (row.h) and organisations, not in SQL: the schema is
 * the back end's business.
 */
#ifndef CTIP_STORE_H
#define CTIP_STORE_H

#include <jansson.h>
#include <stdint.h>
#include <stddef.h>

#include "crypto.h"
#include "error.h"
#include "refdata.h"
#include "row.h"

typedef struct ctip_store ctip_store;
struct ctip_facts;
struct ctip_figure;

struct ctip_person_hit {
	int64_t id;
	const char *org, *src_record_id;
	const char *family, *middle, *given; /* as written */
	const char *birth, *province;
	int64_t org_id; /* the organisation owning the record */
};

/* Which rows to read back: all (0, 0), one case, or one person record. */
struct ctip_row_filter {
	int64_t case_id, person_id;
};

struct ctip_counts {
	long orgs, cases, persons, links, victims;
};

/* A release in the ledger (release.h, store op release_add). */
struct ctip_release_rec {
	int64_t id, data_version, records;
	const char *at, *actor, *kind, *params, *seed, *file, *sha256, *dataset, *summary;
	double epsilon, delta;
};

struct ctip_audit_entry {
	int64_t id;
	const char *at, *actor, *action, *object, *detail, *prev_hash, *hash;
};

/* What record linkage reads of a person record: names as written, identifiers as `;`
 * lists (documents as written, phones in E.164). Valid during the callback only. */
struct ctip_link_input {
	int64_t id;
	const char *org, *src_record_id;
	const char *family, *middle, *given, *birth, *gender, *province_2025;
	const char *docs, *mobiles, *homephones;
	const char *district, *commune; /* as written */
	/* the period of exploitation over the record's cases as a victim: earliest start,
	 * latest end (NULL when unknown) */
	const char *expl_start, *expl_end;
};

/* One scored pair of records (a < b). */
struct ctip_link_pair {
	int64_t a, b;
	float weight, probability;
	int linked;
};

/* A linkage run to store: the key of each record (ids[i] -> keys[i]), the pairs and the
 * model. An incremental run gives only the records whose key is new or changed and the pairs
 * it scored, which are added to the stored ones, and the records (touched) whose stored pairs
 * may have changed from linked to not or back. */
struct ctip_link_result {
	const int64_t *ids;
	const char *const *keys;
	long n;
	const struct ctip_link_pair *pairs;
	long npairs;
	long persons;
	const char *params; /* JSON */
	int incremental;
	long records; /* incremental: every record */
	const int64_t *touched;
	long ntouched;
	/* incremental: the records relinked, whose stored pairs this run's replace */
	const int64_t *relinked;
	long nrelinked;
	/* the name frequencies of the run (replacing the stored ones): keyed hashes and counts */
	const int64_t *freq_h;
	const uint32_t *freq_n;
	long nfreq;
	int freq_add;           /* the frequencies are added to the stored ones (which stay) */
	long freq_total[4];     /* records, with a family name, a given name, both */
	const char *freq_check; /* which key the hashes are under ("": none stored) */
};

struct ctip_link_pair_out {
	int64_t a, b;
	const char *a_org, *a_src, *b_org, *b_src, *a_key, *b_key;
	double weight, probability;
	int linked;
	int changed; /* a or b was changed since the run (link_changed): the pair is stale */
};

/* A linked person's part in one case as a victim (link_victim_cases). */
struct ctip_victim_case {
	const char *person_key;
	int64_t person_id, case_id;
	const char *org, *src_case_id, *start, *end;
};

struct ctip_store_ops {
	const char *name;
	void (*close)(ctip_store *s);
	/* Creates or upgrades the schema; from and to receive the versions before and after. */
	int (*migrate)(ctip_store *s, int *from, int *to, ctip_err *e);
	int (*schema_version)(ctip_store *s, int *version, ctip_err *e);
	int (*begin)(ctip_store *s, ctip_err *e);
	/* Begins the transaction of a load. When the registry is empty it sets up a bulk load
	 * (the SQLite store drops the secondary indexes, to be rebuilt before the commit, and
	 * journals to a rollback journal rather than the WAL, so the data is written once) and
	 * sets *bulk. End it with load_end: commit when ok, else roll back. */
	int (*load_begin)(ctip_store *s, int *bulk, ctip_err *e);
	int (*load_end)(ctip_store *s, int ok, ctip_err *e);
	int (*commit)(ctip_store *s, ctip_err *e);
	void (*rollback)(ctip_store *s);
	/* Replaces the stored reference data with ref. */
	int (*ref_save)(ctip_store *s, const ctip_ref *ref, ctip_err *e);
	int (*ref_load)(ctip_store *s, ctip_ref *ref, ctip_err *e);
	/* Organisations by name (compared folded). type may be NULL. */
	int (*org_find)(ctip_store *s, const char *name, int64_t *id, char **type, ctip_err *e);
	int (*org_add)(ctip_store *s, const char *name, const char *type, int64_t *id, ctip_err *e);
	int (*org_set_type)(ctip_store *s, int64_t id, const char *type, ctip_err *e);
	/* Whether an organisation has any case yet (lets a first import skip lookups). */
	int (*org_has_cases)(ctip_store *s, int64_t org_id, int *has, ctip_err *e);
	/* CTIP_ENOTFOUND when absent. */
	int (*case_find)(ctip_store *s, int64_t org_id, const char *src_case_id, int64_t *id,
	                 ctip_err *e);
	int (*person_find)(ctip_store *s, int64_t org_id, const char *src_record_id, int64_t *id,
	                   ctip_err *e);
	/* Writes the case-level columns of a canonical row (case, referrals, comments). */
	int (*case_add)(ctip_store *s, int64_t org_id, const ctip_row *r, int64_t *id, ctip_err *e);
	/* Writes the person-level columns (record, documents, phones, name index). */
	int (*person_add)(ctip_store *s, int64_t org_id, const ctip_row *r, int64_t *id,
	                  ctip_err *e);
	/* Replaces the person-level columns of record id (all but its organisation and record
	 * id) by those of r: read the row with rows(), change it, write it back. */
	int (*person_update)(ctip_store *s, int64_t id, const ctip_row *r, ctip_err *e);
	/* Writes the person-in-case columns (role, victim context, events, ...). */
	int (*link_add)(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
	                ctip_err *e);
	/* Persons in cases kept with the data-quality flag named flag (NULL: with any flag). */
	int (*quality_count)(ctip_store *s, const char *flag, long *n, ctip_err *e);
	/* Reads rows back in canonical form, ordered by organisation, case id, record id. The
	 * callback returns non-zero to stop (that value is returned). */
	int (*rows)(ctip_store *s, const struct ctip_row_filter *flt,
	            int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e);
	/* Person records whose folded names hold every folded token of query, or whose
	 * identity-document number or phone matches it. org_id 0: among every record (the
	 * command line); otherwise among the records that organisation owns or may see with
	 * their identity through a referral, restricted inside the index (the caller still
	 * checks each hit: this is a superset of what it may see, never less). */
	int (*search)(ctip_store *s, const char *query, int64_t org_id, int limit,
	              int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx,
	              ctip_err *e);
	int (*counts)(ctip_store *s, struct ctip_counts *c, ctip_err *e);
	/* Accounts. */
	int (*account_add)(ctip_store *s, const char *username, int64_t org_id, const char *role,
	                   const char *pw_hash, ctip_err *e);
	/* Audit log: append an entry (fields already hashed by audit.c), read it in order of id
	 * (object NULL: all; else the entries naming object, where an entry of action search_hit
	 * names the records listed in its object, separated by spaces, and is read with object
	 * set to the one asked for), and the last entry's id and hash ("" when empty). */
	int (*audit_add)(ctip_store *s, const struct ctip_audit_entry *a, ctip_err *e);
	/* Begins the transaction of an append (end it with commit or rollback): it locks the
	 * audit log only, so appending never waits for a write to the registry (an import). */
	int (*audit_begin)(ctip_store *s, ctip_err *e);
	int (*audit_each)(ctip_store *s, const char *object,
	                  int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx,
	                  ctip_err *e);
	int (*audit_last)(ctip_store *s, int64_t *id, char hash[129], ctip_err *e);
	/* Indexes the entries not yet indexed by object now (the appender does so every few
	 * thousand entries; the server when it stops). */
	int (*audit_index)(ctip_store *s, ctip_err *e);
	/* Audit entries written ahead (schema 16; NULL for a back end whose registry and log
	 * commit as one): inside a write transaction, audit_pend keeps entry a (at, actor,
	 * action, object, detail) in the registry's own file and gives its number; audit_pend_mark
	 * lists numbers first..last as chained, in the audit file; audit_pend_forget drops the
	 * entries before `before` that the audit file lists as chained (INT64_MAX: all).
	 * audit_pend_each reads, in order, the kept entries the audit file does not list (a crash
	 * came between the two files' commits). lib/audit.c, ctip_audit_in_tx and
	 * ctip_audit_recover, use them. */
	int (*audit_pend)(ctip_store *s, const struct ctip_audit_entry *a, int64_t *pid,
	                  ctip_err *e);
	int (*audit_pend_mark)(ctip_store *s, int64_t first, int64_t last, ctip_err *e);
	int (*audit_pend_forget)(ctip_store *s, int64_t before, ctip_err *e);
	int (*audit_pend_each)(ctip_store *s,
	                       int (*cb)(void *ctx, int64_t pid, const struct ctip_audit_entry *a),
	                       void *ctx, ctip_err *e);
	/* Cases a person record appears in, for show. */
	int (*person_cases)(ctip_store *s, int64_t person_id, int64_t **case_ids, int *n,
	                    ctip_err *e);
	/* The key. key_needed: whether the database keeps a key check value, i.e. may hold
	 * sealed data (never make a new key for it). key_bind: seal and open identities with c
	 * from now on (the store takes c, also on failure), after comparing c with the key check
	 * value; when the database has none, create stores it, else it is an error. */
	int (*key_needed)(ctip_store *s, int *has, ctip_err *e);
	int (*key_bind)(ctip_store *s, ctip_crypto *c, int create, ctip_err *e);
	/* Key rotation: in one transaction, re-seals every sealed value under next and
	 * recomputes every blind index, name-index token and the key check value (deleted and
	 * overwritten content is zeroed). On success the store uses next (it takes it); on
	 * failure nothing changed and next stays the caller's. */
	int (*key_rotate)(ctip_store *s, ctip_crypto *next, ctip_err *e);
	/* Rewrites the database without its free pages (after a key rotation: nothing made under
	 * the old key stays in the file or its WAL). */
	int (*compact)(ctip_store *s, ctip_err *e);
	/* Statistics (facts.h): the snapshot of the current data, from the cache or rebuilt (free
	 * it with ctip_facts_free). From the cache it holds only the unit asked for (-1: all) and
	 * the dimensions flagged in need (CTIP_D_N flags; NULL: all); rebuilt, everything. And the
	 * data version, which changes with the first write after a snapshot was built, so a
	 * long-running process can keep its snapshot until then. */
	int (*stats_facts)(ctip_store *s, int unit, const unsigned char *need,
	                   struct ctip_facts **out, ctip_err *e);
	int (*stats_version)(ctip_store *s, int64_t *version, ctip_err *e);
	/* The ledger of published figures (figures.h): add (all or nothing; a figure with the
	 * same source, citation, measure, period and breakdown is replaced), and read all. */
	int (*figures_add)(ctip_store *s, const struct ctip_figure *v, size_t n, ctip_err *e);
	int (*figures_load)(ctip_store *s, struct ctip_figure **out, size_t *n, ctip_err *e);
	/* The ledger of releases (release.h): add one (its id set; refused with CTIP_EINVAL,
	 * nothing added, when its epsilon would take its data set's spending past the data set's
	 * budget, default_budget when none is set), read one (id > 0) or all in order, and set (eps
	 * >= 0) or read a data set's budget and what was spent of it. NULL in a store without them.
	 */
	int (*release_add)(ctip_store *s, struct ctip_release_rec *r, double default_budget,
	                   ctip_err *e);
	int (*release_each)(ctip_store *s, int64_t id,
	                    int (*cb)(void *ctx, const struct ctip_release_rec *r), void *ctx,
	                    ctip_err *e);
	int (*release_budget)(ctip_store *s, const char *dataset, double set_eps, double *budget,
	                      double *spent, ctip_err *e);
	/* ---- record linkage (store_sqlite_link.c) ---- */
	/* Streams what linkage compares of person records: all (n == 0) or those of ids[0..n),
	 * ordered by id. */
	int (*link_input)(ctip_store *s, const int64_t *ids, int n,
	                  int (*cb)(void *ctx, const struct ctip_link_input *r), void *ctx,
	                  ctip_err *e);
	/* Replaces the stored linkage by a run's, or adds an incremental run's to it (inside the
	 * caller's transaction); either way the list of changed records is emptied. */
	int (*link_save)(ctip_store *s, const struct ctip_link_result *res, ctip_err *e);
	/* The stored person key of every linked record, in no order. */
	int (*link_keys)(ctip_store *s, int (*cb)(void *ctx, int64_t id, const char *key),
	                 void *ctx, ctip_err *e);
	/* The linked records changed since the last run (migration 0009). */
	int (*link_changed)(ctip_store *s, int (*cb)(void *ctx, int64_t id), void *ctx,
	                    ctip_err *e);
	/* The linked person of every record, by organisation and record id; the records not
	 * yet linked have key NULL. */
	int (*link_persons)(ctip_store *s,
	                    int (*cb)(void *ctx, int64_t id, const char *org, const char *src,
	                              const char *key),
	                    void *ctx, ctip_err *e);
	/* The scored pairs of the last run, by a then b. */
	int (*link_pairs)(ctip_store *s, int (*cb)(void *ctx, const struct ctip_link_pair_out *p),
	                  void *ctx, ctip_err *e);
	/* The stored name frequencies of the last run: cnt[i] for keyed hash h[i] (0 when none
	 * is stored). */
	int (*link_freq)(ctip_store *s, const int64_t *h, int n, uint32_t *cnt, ctip_err *e);
	/* The totals of those frequencies (ctip_link_result.freq_total) and the check of the
	 * key they are under (17 bytes); CTIP_ENOTFOUND when none are stored. */
	int (*link_freq_total)(ctip_store *s, long total[4], char *check, ctip_err *e);
	/* Records a and b: their person keys ("" when not linked; 24 bytes each) and a
	 * reviewer's decision on them (1 same, 0 different, -1 none). */
	int (*link_pair_state)(ctip_store *s, int64_t a, int64_t b, char *key_a, char *key_b,
	                       int *decision, ctip_err *e);
	/* Whether both records a and b were linked by the last run and neither changed since
	 * (*current 1): the server compares only such records (routes_link.c). */
	int (*link_current)(ctip_store *s, int64_t a, int64_t b, int *current, ctip_err *e);
	/* The sealed cache of prepared records (link_cache.c): replaced by n chunks (0: dropped,
	 * with the list of records changed since), and read back chunk by chunk in order. */
	int (*link_cache_put)(ctip_store *s, const unsigned char *const *chunk, const size_t *len,
	                      int n, ctip_err *e);
	int (*link_cache_get)(ctip_store *s,
	                      int (*cb)(void *ctx, const unsigned char *chunk, size_t len,
	                                int index, int count),
	                      void *ctx, ctip_err *e);
	/* Every person record's id, in order, and whether it was changed since the cache was
	 * made or since the last run (stale = 1). */
	int (*link_cache_ids)(ctip_store *s, int (*cb)(void *ctx, int64_t id, int stale), void *ctx,
	                      ctip_err *e);
	/* The model of the last run (malloc'd JSON); CTIP_ENOTFOUND when linkage never ran. */
	int (*link_params)(ctip_store *s, char **json, ctip_err *e);
	/* Records a reviewer's decision that records a and b are (same) or are not one person
	 * (replacing an earlier decision on them); CTIP_ENOTFOUND when a record is missing. */
	int (*link_decide)(ctip_store *s, int64_t a, int64_t b, int same, const char *actor,
	                   ctip_err *e);
	/* The undecided pairs whose probability is in [lo, hi), most probable first; cb returns
	 * non-zero to stop (CTIP_OK is then returned unless it is an error code). */
	int (*link_uncertain)(ctip_store *s, double lo, double hi,
	                      int (*cb)(void *ctx, const struct ctip_link_pair *p), void *ctx,
	                      ctip_err *e);
	/* Every decision (a < b). */
	int (*link_decisions)(ctip_store *s, int (*cb)(void *ctx, int64_t a, int64_t b, int same),
	                      void *ctx, ctip_err *e);
	/* Every victim of a case with a linked person: the person key, the case, and the period
	 * of exploitation recorded there (earliest start, latest end; NULL when unknown), by
	 * person key. */
	int (*link_victim_cases)(ctip_store *s,
	                         int (*cb)(void *ctx, const struct ctip_victim_case *v), void *ctx,
	                         ctip_err *e);
};

/* ---- what the server needs (store_sqlite_srv.c) --------------------------------------- */

struct ctip_account {
	int64_t id, org_id;
	char username[72], org[256], role[16], pw_hash[160];
	int disabled;
};

/* How an organisation sees a case: not at all, as its owner, or through a referral. */
enum ctip_access { CTIP_ACCESS_NONE, CTIP_ACCESS_OWN, CTIP_ACCESS_REFERRAL };

struct ctip_case_item {
	int64_t id;
	const char *src_case_id, *org, *status, *opened;
	long persons;
	int access;
};

struct ctip_referral {
	int64_t id, case_id, from_org_id, to_org_id;
	const char *from_org, *to_org, *date, *reason, *status, *created_by, *created_at;
};

struct ctip_org_item {
	int64_t id;
	const char *name, *type;
};

struct ctip_srv_ops {
	/* Sets up a connection for serving (memory-mapped reads: the audit writer's commits
	 * would otherwise empty every reader's page cache many times a second). */
	int (*tune)(ctip_store *s, ctip_err *e);
	/* Frees what the operations below cached for this connection; call before closing. */
	void (*release)(ctip_store *s);
	/* A read transaction: every read until read_end sees one snapshot (an access check and
	 * the read it allows agree), and takes the WAL's read lock once, not per statement. */
	int (*read_begin)(ctip_store *s, ctip_err *e);
	void (*read_end)(ctip_store *s);
	/* CTIP_ENOTFOUND when there is no such account. */
	int (*account_get)(ctip_store *s, const char *username, struct ctip_account *a,
	                   ctip_err *e);
	/* The organisations that have an account (that use ctip), by name. */
	int (*org_list)(ctip_store *s, int (*cb)(void *ctx, const struct ctip_org_item *o),
	                void *ctx, ctip_err *e);
	/* The organisation's access to a case (CTIP_ACCESS_NONE also when there is no such case).
	 */
	int (*case_access)(ctip_store *s, int64_t case_id, int64_t org_id, int *access,
	                   ctip_err *e);
	/* The cases an organisation sees, newest first; status NULL: any; text (folded, NULL: any):
	 * held in the case id or the organisation's name. */
	int (*cases_visible)(ctip_store *s, int64_t org_id, const char *status, const char *text,
	                     long offset, long limit, long *total,
	                     int (*cb)(void *ctx, const struct ctip_case_item *c), void *ctx,
	                     ctip_err *e);
	/* Rewrites the case-level scalar columns of a case from a canonical row. */
	int (*case_update)(ctip_store *s, int64_t case_id, const ctip_row *r, ctip_err *e);
	int (*comment_add)(ctip_store *s, int64_t case_id, const char *date, const char *body,
	                   ctip_err *e);
	int (*referral_add)(ctip_store *s, const struct ctip_referral *r, int64_t *id, ctip_err *e);
	/* Referrals by id (id != 0), of a case (case_id != 0), or to (in) / from (out) org_id. */
	int (*referral_list)(ctip_store *s, int64_t id, int64_t case_id, int64_t org_id, int in,
	                     int (*cb)(void *ctx, const struct ctip_referral *r), void *ctx,
	                     ctip_err *e);
	/* Moves referral id from status from to status (only if it is still from: a move that
	 * lost a race is CTIP_ENOTFOUND); the name index follows (who finds the case's records). */
	int (*referral_set_status)(ctip_store *s, int64_t id, const char *from, const char *status,
	                           ctip_err *e);
	/* The organisation a person record belongs to (CTIP_ENOTFOUND when none). */
	int (*person_org)(ctip_store *s, int64_t person_id, int64_t *org_id, ctip_err *e);
	/* Appends one assistance item or one proceeding (the group's columns of r, first item)
	 * to a person in a case; *seq gets its position. CTIP_ENOTFOUND: not in that case. */
	int (*assistance_add)(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
	                      int *seq, ctip_err *e);
	int (*proceeding_add)(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
	                      int *seq, ctip_err *e);
	/* The link (person in case) of a case and a person, and back; CTIP_ENOTFOUND when none. */
	int (*link_find)(ctip_store *s, int64_t case_id, int64_t person_id, int64_t *link,
	                 ctip_err *e);
	int (*link_get)(ctip_store *s, int64_t link, int64_t *case_id, int64_t *person_id,
	                ctip_err *e);
	/* Rewrites item seq of a link's assistance (assist) or proceedings from the group's
	 * columns of r, first item; CTIP_ENOTFOUND when there is no such item. */
	int (*item_set)(ctip_store *s, int assist, int64_t link, int seq, const ctip_row *r,
	                ctip_err *e);
	/* The cases of a person record that org_id sees, with its access and the consent given in
	 * that case (consent: 1, 0, -1 unknown; scope: the codes as a `;` list or NULL). */
	int (*person_visible_cases)(ctip_store *s, int64_t person_id, int64_t org_id,
	                            int (*cb)(void *ctx, int64_t case_id, int access, int consent,
	                                      const char *scope),
	                            void *ctx, ctip_err *e);
	/* The cases of n person records owned by the caller's organisation (one query per 50),
	 * in no order: all their cases, since a record always belongs to the organisation of the
	 * cases it is in (the importer keys both by the row's organisation, the API by the
	 * session's), so no access check is needed. */
	int (*persons_own_cases)(ctip_store *s, const int64_t *person_ids, int n,
	                         int (*cb)(void *ctx, int64_t person_id, int64_t case_id),
	                         void *ctx, ctip_err *e);
	/* The same as person_visible_cases for n person records at once (one query per 50), in
	 * no order. */
	int (*persons_visible_cases)(ctip_store *s, const int64_t *person_ids, int n,
	                             int64_t org_id,
	                             int (*cb)(void *ctx, int64_t person_id, int64_t case_id,
	                                       int access, int consent, const char *scope),
	                             void *ctx, ctip_err *e);
};

extern const struct ctip_srv_ops ctip_sqlite_srv_ops;

struct ctip_store {
	const struct ctip_store_ops *ops;
	const struct ctip_srv_ops *srv;
	ctip_ref *ref;       /* loaded by ctip_store_open when the database is initialised */
	ctip_crypto *crypto; /* set by key_bind; identities cannot be read or written without */
	char path[1024];
};

/* Opens the store at path ("postgresql://..." later; anything else is a SQLite file).
 * create: make the file if missing. Loads the reference data when present. */
int ctip_store_open(const char *path, int create, ctip_store **out, ctip_err *e);
void ctip_store_close(ctip_store *s);
/* The schema version this build migrates to (its newest lib/sql/NNNN_*.sql). */
int ctip_store_latest_version(void);

int ctip_store_sqlite_open(const char *path, int create, ctip_store **out, ctip_err *e);
/* The SQLite store's statistics operations (store_sqlite_stats.c) and its connection. */
int ctip_sqlite_stats_facts(ctip_store *s, int unit, const unsigned char *need,
                            struct ctip_facts **out, ctip_err *e);
int ctip_sqlite_stats_version(ctip_store *s, int64_t *version, ctip_err *e);
int ctip_sqlite_figures_add(ctip_store *s, const struct ctip_figure *v, size_t n, ctip_err *e);
int ctip_sqlite_figures_load(ctip_store *s, struct ctip_figure **out, size_t *n, ctip_err *e);
int ctip_sqlite_release_add(ctip_store *s, struct ctip_release_rec *r, double default_budget,
                            ctip_err *e);
int ctip_sqlite_release_each(ctip_store *s, int64_t id,
                             int (*cb)(void *ctx, const struct ctip_release_rec *r), void *ctx,
                             ctip_err *e);
int ctip_sqlite_release_budget(ctip_store *s, const char *dataset, double set_eps, double *budget,
                               double *spent, ctip_err *e);

#endif
