/*
 * store_core.h - the store interface (store.h), core records: the schema and its migrations,
 * transactions and bulk loads, reference data, organisations, cases and person records (written and
 * read back as canonical rows), accounts, the key and its rotation.
 *
 * No back end is named here: store_sqlite*.c and store_pg*.c implement these members of
 * struct ctip_store_ops. They are listed in a macro so that store.h can gather the groups
 * into the one table every caller already uses (s->ops->NAME).
 */
#ifndef CTIP_STORE_CORE_H
#define CTIP_STORE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "crypto.h"
#include "refdata.h"
#include "row.h"

typedef struct ctip_store ctip_store;

/* Which rows to read back: all (0, 0), one case, or one person record. */
struct ctip_row_filter {
	int64_t case_id, person_id;
};

struct ctip_counts {
	long orgs, cases, persons, links, victims;
};

/* clang-format off */
#define CTIP_STORE_CORE_OPS                                                                          \
	void (*close)(ctip_store *s);                                                                \
	/* Creates or upgrades the schema; from and to receive the versions before and after. */     \
	int (*migrate)(ctip_store *s, int *from, int *to, ctip_err *e);                              \
	int (*schema_version)(ctip_store *s, int *version, ctip_err *e);                             \
	int (*begin)(ctip_store *s, ctip_err *e);                                                    \
	/* Begins the transaction of a load. When the registry is empty it sets up a bulk load       \
	 * (the SQLite store drops the secondary indexes, to be rebuilt before the commit, and       \
	 * journals to a rollback journal rather than the WAL, so the data is written once) and      \
	 * sets *bulk. End it with load_end: commit when ok, else roll back. */                      \
	int (*load_begin)(ctip_store *s, int *bulk, ctip_err *e);                                    \
	int (*load_end)(ctip_store *s, int ok, ctip_err *e);                                         \
	int (*commit)(ctip_store *s, ctip_err *e);                                                   \
	void (*rollback)(ctip_store *s);                                                             \
	/* Replaces the stored reference data with ref. */                                           \
	int (*ref_save)(ctip_store *s, const ctip_ref *ref, ctip_err *e);                            \
	int (*ref_load)(ctip_store *s, ctip_ref *ref, ctip_err *e);                                  \
	/* Organisations by name (compared folded). type may be NULL; *type is the store's own  */  \
	/* copy (its organisation cache), valid until the next call: never free it.          */     \
	int (*org_find)(ctip_store *s, const char *name, int64_t *id, char **type, ctip_err *e);     \
	int (*org_add)(ctip_store *s, const char *name, const char *type, int64_t *id, ctip_err *e); \
	int (*org_set_type)(ctip_store *s, int64_t id, const char *type, ctip_err *e);               \
	/* Whether an organisation has any case yet (lets a first import skip lookups). */           \
	int (*org_has_cases)(ctip_store *s, int64_t org_id, int *has, ctip_err *e);                  \
	/* CTIP_ENOTFOUND when absent. */                                                            \
	int (*case_find)(ctip_store *s, int64_t org_id, const char *src_case_id, int64_t *id,        \
	                 ctip_err *e);                                                               \
	int (*person_find)(ctip_store *s, int64_t org_id, const char *src_record_id, int64_t *id,    \
	                   ctip_err *e);                                                             \
	/* Writes the case-level columns of a canonical row (case, referrals, comments). */          \
	int (*case_add)(ctip_store *s, int64_t org_id, const ctip_row *r, int64_t *id, ctip_err *e); \
	/* Writes the person-level columns (record, documents, phones, name index). */               \
	int (*person_add)(ctip_store *s, int64_t org_id, const ctip_row *r, int64_t *id,             \
	                  ctip_err *e);                                                              \
	/* Replaces the person-level columns of record id (all but its organisation and record       \
	 * id) by those of r: read the row with rows(), change it, write it back. */                 \
	int (*person_update)(ctip_store *s, int64_t id, const ctip_row *r, ctip_err *e);             \
	/* Writes the person-in-case columns (role, victim context, events, ...). */                 \
	int (*link_add)(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,        \
	                ctip_err *e);                                                                \
	/* Persons in cases kept with the data-quality flag named flag (NULL: with any flag). */   \
	int (*quality_count)(ctip_store *s, const char *flag, long *n, ctip_err *e);               \
	/* Reads rows back in canonical form, ordered by organisation, case id, record id. The       \
	 * callback returns non-zero to stop (that value is returned). */                            \
	int (*rows)(ctip_store *s, const struct ctip_row_filter *flt,                                \
	            int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e);                \
	int (*counts)(ctip_store *s, struct ctip_counts *c, ctip_err *e);                            \
	/* Accounts. */                                                                              \
	int (*account_add)(ctip_store *s, const char *username, int64_t org_id, const char *role,    \
	                   const char *pw_hash, ctip_err *e);                                        \
	/* Cases a person record appears in, for show. */                                            \
	int (*person_cases)(ctip_store *s, int64_t person_id, int64_t **case_ids, int *n,            \
	                    ctip_err *e);                                                            \
	/* The key. key_needed: whether the database keeps a key check value, i.e. may hold          \
	 * sealed data (never make a new key for it). key_bind: seal and open identities with c      \
	 * from now on (the store takes c, also on failure), after comparing c with the key check    \
	 * value; when the database has none, create stores it, else it is an error. */              \
	int (*key_needed)(ctip_store *s, int *has, ctip_err *e);                                     \
	int (*key_bind)(ctip_store *s, ctip_crypto *c, int create, ctip_err *e);                     \
	/* Key rotation: in one transaction, re-seals every sealed value under next and              \
	 * recomputes every blind index, name-index token and the key check value (deleted and       \
	 * overwritten content is zeroed). On success the store uses next (it takes it); on          \
	 * failure nothing changed and next stays the caller's. */                                   \
	int (*key_rotate)(ctip_store *s, ctip_crypto *next, ctip_err *e);                            \
	/* Rewrites the database without its free pages (after a key rotation: nothing made under    \
	 * the old key stays in the file or its WAL). */                                             \
	int (*compact)(ctip_store *s, ctip_err *e);
/* clang-format on */

#endif
