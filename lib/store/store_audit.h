/*
 * store_audit.h - the store interface (store.h), the audit log: appending hash-chained entries,
 * reading them back in order or by object, the head; it is append-only: no operation changes or
 * removes an entry.
 *
 * No back end is named here: store_sqlite*.c and store_pg*.c implement these members of
 * struct ctip_store_ops. They are listed in a macro so that store.h can gather the groups
 * into the one table every caller already uses (s->ops->NAME).
 */
#ifndef CTIP_STORE_AUDIT_H
#define CTIP_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct ctip_store ctip_store;

struct ctip_audit_entry {
	int64_t id;
	const char *at, *actor, *action, *object, *detail, *prev_hash, *hash;
};

/* clang-format off */
#define CTIP_STORE_AUDIT_OPS                                                                       \
	/* Audit log: append an entry (fields already hashed by audit.c), read it in order of id   \
	 * (object NULL: all; else the entries naming object, where an entry of action search_hit  \
	 * names the records listed in its object, separated by spaces, and is read with object    \
	 * set to the one asked for), and the last entry's id and hash ("" when empty). */         \
	int (*audit_add)(ctip_store *s, const struct ctip_audit_entry *a, ctip_err *e);            \
	/* Begins the transaction of an append (end it with commit or rollback): it locks the      \
	 * audit log only, so appending never waits for a write to the registry (an import). */    \
	int (*audit_begin)(ctip_store *s, ctip_err *e);                                            \
	int (*audit_each)(ctip_store *s, const char *object,                                       \
	                  int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx,       \
	                  ctip_err *e);                                                            \
	int (*audit_last)(ctip_store *s, int64_t *id, char hash[129], ctip_err *e);                \
	/* Indexes the entries not yet indexed by object now (the appender does so every few       \
	 * thousand entries; the server when it stops). */                                         \
	int (*audit_index)(ctip_store *s, ctip_err *e);                                            \
	/* Audit entries written ahead (schema 16; NULL for a back end whose registry and log      \
	 * commit as one): inside a write transaction, audit_pend keeps entry a (at, actor,        \
	 * action, object, detail) in the registry's own file and gives its number;                \
	 * audit_pend_mark lists numbers first..last as chained, in the audit file;                \
	 * audit_pend_forget drops the entries before `before` that the audit file lists as        \
	 * chained (INT64_MAX: all). audit_pend_each reads, in order, the kept entries the audit   \
	 * file does not list (a crash came between the two files' commits). lib/core/audit.c,          \
	 * ctip_audit_in_tx and ctip_audit_recover, use them. */                                   \
	int (*audit_pend)(ctip_store *s, const struct ctip_audit_entry *a, int64_t *pid,           \
	                  ctip_err *e);                                                            \
	int (*audit_pend_mark)(ctip_store *s, int64_t first, int64_t last, ctip_err *e);           \
	int (*audit_pend_forget)(ctip_store *s, int64_t before, ctip_err *e);                      \
	int (*audit_pend_each)(ctip_store *s,                                                      \
	                       int (*cb)(void *ctx, int64_t pid, const struct ctip_audit_entry *a), \
	                       void *ctx, ctip_err *e);
/* clang-format on */

#endif
