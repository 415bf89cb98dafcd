/*
 * audit.h - the tamper-evident audit log: who saw, changed, imported or
 * exported what, and when. Entries are hash-chained with BLAKE2b
 * (libsodium), so an entry altered, removed or inserted afterwards is found
 * by ctip_audit_verify(). Entries name people by record id (P12), never by
 * name: the log must not become a second copy of the identities.
 */
#ifndef CTIP_AUDIT_H
#define CTIP_AUDIT_H

#include "store.h"

/* Appends one entry in its own transaction (so appenders in several processes keep one chain).
 * actor NULL means the operating-system user of the command line ("cli:<user>"). */
int ctip_audit(ctip_store *s, const char *actor, const char *action, const char *object,
               const char *detail, ctip_err *e);

/* The same action on n objects (the records a search displayed), in one transaction. */
int ctip_audit_each(ctip_store *s, const char *actor, const char *action,
                    const char *const *objects, int n, const char *detail, ctip_err *e);

/* One entry to append with ctip_audit_batch. */
struct ctip_audit_new {
	const char *actor, *action, *object, *detail;
};

/* Appends n entries, each with its own actor and action, in one transaction (the server's
 * group commit: many requests' entries, one commit). */
int ctip_audit_batch(ctip_store *s, const struct ctip_audit_new *v, int n, ctip_err *e);

/* Appends n entries inside the caller's write transaction (begun with ops->begin), so that
 * the change and its entries commit together or not at all: the server's writes. A failure
 * (the audit file read-only or full) is returned; the caller rolls back and keeps nothing.
 * SQLite commits the two files one after the other, so the entries are also written ahead in
 * the registry's file (migration 0016); see ctip_audit_recover. */
int ctip_audit_in_tx(ctip_store *s, const struct ctip_audit_new *v, int n, ctip_err *e);

/* Appends to the chain the entries written ahead whose audit file commit a crash lost, and
 * forgets those the chain holds; *n gets how many were appended. Run when a database is
 * opened (cli/main.c). */
int ctip_audit_recover(ctip_store *s, long *n, ctip_err *e);

/* Checks the whole chain. Returns CTIP_OK, or CTIP_EINVAL with *bad_id set to the first entry
 * that was altered, removed or inserted, and the reason in e. *n counts the entries read. */
int ctip_audit_verify(ctip_store *s, int64_t *bad_id, long *n, ctip_err *e);

/* The last entry of an intact log, recorded outside it (printed by `ctip audit head`): a
 * chain checked against it also shows entries removed from the end, or a log rewritten and
 * re-hashed by someone who could write the file. Text form: ID:HASH. */
struct ctip_audit_head {
	int64_t id;
	char hash[129];
};
/* ctip_audit_verify, and also: want (may be NULL) must still be in the log, unchanged. On
 * success head (may be NULL) gets the log's last entry. */
int ctip_audit_verify_head(ctip_store *s, const struct ctip_audit_head *want, int64_t *bad_id,
                           long *n, struct ctip_audit_head *head, ctip_err *e);
/* Parses ID:HASH (64 lower-case hex digits); 0, or -1 if malformed. */
int ctip_audit_head_parse(const char *text, struct ctip_audit_head *h);
/* The hash of an entry given its fields and the previous hash, as lower-case hex (129 bytes). */
void ctip_audit_hash(const struct ctip_audit_entry *a, char out[129]);

#endif
