/*
 * store_server.h - the store interface (store.h) for the server: accounts by name, which
 * cases an organisation sees and how, referrals, case updates, assistance and proceedings.
 * No back end is named here; store_sqlite_srv.c implements it (ctip_sqlite_srv_ops).
 */
#ifndef CTIP_STORE_SERVER_H
#define CTIP_STORE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "row.h"

typedef struct ctip_store ctip_store;

struct ctip_account {
	int64_t id, org_id;
	char username[72], org[256], role[16], pw_hash[160];
	int disabled;
};

/* How an organisation sees a case: not at all, as its owner, or through a referral. */
enum ctip_access { CTIP_ACCESS_NONE, CTIP_ACCESS_OWN, CTIP_ACCESS_REFERRAL };

/* The lists of items a person has in a case that the server changes one by one (item_set). */
enum ctip_item_kind { CTIP_ITEM_PROCEEDING, CTIP_ITEM_ASSISTANCE, CTIP_ITEM_EVENT };

struct ctip_case_item {
	int64_t id;
	const char *src_case_id, *org, *status, *opened;
	long persons;
	int access;
};

struct ctip_referral {
	int64_t id, case_id, from_org_id, to_org_id;
	const char *from_org, *to_org, *date, *reason, *status, *created_by, *created_at;
	const char *note; /* the referring caseworker's note (sealed at rest), or NULL */
	int unread;       /* the receiving organisation has not opened it yet */
};

/* An account as the administrators' page lists it (never its password hash). */
struct ctip_account_item {
	int64_t id, org_id;
	const char *username, *org, *role, *created_at;
	int disabled;
};

struct ctip_org_item {
	int64_t id;
	const char *name, *type;
};

struct ctip_srv_ops {
	/* Sets up a connection for serving (memory-mapped reads: the audit writer's commits
	 * would otherwise empty every reader's page cache many times a second). */
	int (*tune)(ctip_store *s, ctip_err *e);
	/* Sets a connection up to serve requests as the server's own identity: a back end that
	 * isolates organisations itself (PostgreSQL) switches to the role that row-level security
	 * applies to; CTIP_EDENIED when it may not (then it must not serve). */
	int (*isolate)(ctip_store *s, ctip_err *e);
	/* Frees what the operations below cached for this connection; call before closing. */
	void (*release)(ctip_store *s);
	/* A read transaction: every read until read_end sees one snapshot (an access check and
	 * the read it allows agree), and takes the WAL's read lock once, not per statement. */
	int (*read_begin)(ctip_store *s, ctip_err *e);
	void (*read_end)(ctip_store *s);
	/* Inside a read transaction, before a case view: a back end whose every statement is a
	 * round trip (PostgreSQL) may read ahead, in one, what the view asks for next (its access
	 * check, rows, referrals and version, as case_access, rows, referral_list and case_version
	 * will ask for them); those operations then answer from it. Only an optimisation: NULL
	 * where there is nothing to gain (SQLite), and a failure here is the later operations'. */
	void (*case_prefetch)(ctip_store *s, int64_t case_id, int64_t org_id);
	/* The organisation the requests on this connection act for, from now on (0: none, before
	 * a login). A back end that isolates organisations itself (PostgreSQL's row-level
	 * security) hands it to the database; the others ignore it: the queries below filter. */
	void (*scope)(ctip_store *s, int64_t org_id);
	/* Registry-wide reads (statistics, the dark figure, releases, linkage review): on (1) the
	 * connection reads every organisation's records, as the command line does, until off (0);
	 * what a user is shown is decided by the server's code, as on SQLite. NULL: a back end
	 * whose connections read everything anyway (SQLite). PostgreSQL switches from the
	 * server's role back to the tables' owner and returns to the role after; off never fails
	 * silently (the connection is dropped when it cannot return to the role). */
	int (*registry_wide)(ctip_store *s, int on, ctip_err *e);
	/* CTIP_ENOTFOUND when there is no such account. */
	int (*account_get)(ctip_store *s, const char *username, struct ctip_account *a,
	                   ctip_err *e);
	/* Every account, by user name (NULL in a back end without it: the API answers 501). */
	int (*account_list)(ctip_store *s, int (*cb)(void *ctx, const struct ctip_account_item *a),
	                    void *ctx, ctip_err *e);
	/* Changes account id: disabled 0 or 1 (-1 keeps it), pw_hash a new Argon2id hash (NULL
	 * keeps it). CTIP_ENOTFOUND when there is no such account. */
	int (*account_set)(ctip_store *s, int64_t id, int disabled, const char *pw_hash,
	                   ctip_err *e);
	/* Referral id has been opened by the organisation it was sent to (no longer unread). */
	int (*referral_read)(ctip_store *s, int64_t id, ctip_err *e);
	/* The referrals sent to org_id that it has not opened yet (Pending ones only). */
	int (*referral_unread)(ctip_store *s, int64_t org_id, long *n, ctip_err *e);
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
	/* The version of a case: 1 when written, one more with each change made through
	 * case_bump (CTIP_ENOTFOUND when there is no such case). */
	int (*case_version)(ctip_store *s, int64_t case_id, int64_t *version, ctip_err *e);
	/* Inside a write transaction, before changing a case: moves its version on by one when it
	 * is still expect (0: whatever it is) and holds the case against other writers until the
	 * transaction ends; *version gets the new one. CTIP_ECONFLICT (with the version now in
	 * *version) when another writer changed it since: a stale update is refused, not applied
	 * over theirs. */
	int (*case_bump)(ctip_store *s, int64_t case_id, int64_t expect, int64_t *version,
	                 ctip_err *e);
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
	/* Appends one event (hte_* columns of r, first item) to a person in a case (issue 14:
	 * events recorded from the case page). */
	int (*event_add)(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
	                 int *seq, ctip_err *e);
	/* The link (person in case) of a case and a person, and back; CTIP_ENOTFOUND when none. */
	int (*link_find)(ctip_store *s, int64_t case_id, int64_t person_id, int64_t *link,
	                 ctip_err *e);
	int (*link_get)(ctip_store *s, int64_t link, int64_t *case_id, int64_t *person_id,
	                ctip_err *e);
	/* Rewrites item seq of a link's proceedings, assistance or events (kind: enum
	 * ctip_item_kind) from the group's columns of r, first item; CTIP_ENOTFOUND when there is
	 * no such item. */
	int (*item_set)(ctip_store *s, int kind, int64_t link, int seq, const ctip_row *r,
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

#endif
