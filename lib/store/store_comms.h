/*
 * store_comms.h - the storage of the communications tracker (migration 0030, lib/comms/comms.h,
 * docs/COMMS.md). Kept apart from store.h's operations, as casework's are, so that a back end
 * adds them on its own; SQLite's are in store_sqlite_comms.c, PostgreSQL's in store_pg_comms.c.
 * These operations only read and write rows: who may see what, and what a valid communication is,
 * are comms.c's.
 *
 * The body (questions, answers, evidence: JSON text) is sealed by the back end under the
 * registry's key, bound to its row ("communication.body:ID"), like casework's free text.
 */
#ifndef CTIP_STORE_COMMS_H
#define CTIP_STORE_COMMS_H

#include <stdint.h>

#include "store.h"

struct ctip_comm;

struct ctip_comms_ops {
	/* Inserts c (not its id or version) with the body text; *id gets the new row's id.
	 * CTIP_EINVAL when the organisation has a communication with that reference. */
	int (*add)(ctip_store *s, const struct ctip_comm *c, const char *body, int64_t *id,
	           ctip_err *e);
	/* Rewrites c's row (by id) when its version is still c->version, and increases it;
	 * CTIP_ECONFLICT when it is not, CTIP_ENOTFOUND when there is no such row. */
	int (*update)(ctip_store *s, const struct ctip_comm *c, const char *body, ctip_err *e);
	/* The communications of org_id (0: every organisation), one by id (id != 0) or by
	 * reference (ref != NULL), newest received first. body is the opened JSON text. The
	 * callback returns a ctip code: not CTIP_OK stops the listing with that code. */
	int (*list)(ctip_store *s, int64_t org_id, int64_t id, const char *ref,
	            int (*cb)(void *ctx, const struct ctip_comm *c, const char *body), void *ctx,
	            ctip_err *e);
	/* (Key rotation reseals the bodies as every sealed column: lib/core/rekey.h.) */
};

/* The operations of s's back end (store.c), or NULL with e set when it has none. */
const struct ctip_comms_ops *ctip_comms_store(ctip_store *s, ctip_err *e);

extern const struct ctip_comms_ops ctip_sqlite_comms_ops, ctip_pg_comms_ops;

#endif
