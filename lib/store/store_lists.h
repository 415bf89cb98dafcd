/*
 * store_lists.h - the storage of the server's long lists (issue 14, item 5; docs/WEB_UI.md):
 * the cases an organisation sees, filtered, sorted and paged with their total, the home page's
 * counts, and the audit log filtered and paged. Kept apart from store_server.h so that a back
 * end adds them on its own; the SQLite store's are in store_sqlite_lists.c (migration 0022
 * keeps what the list sorts and counts by on the case).
 *
 * Who may see a victim's identity is decided by the server (access.c), not here: a row carries
 * the victim's sealed identity and consent, and the server opens it only where it may be shown.
 * Strings passed to callbacks are valid during the callback only.
 */
#ifndef CTIP_STORE_LISTS_H
#define CTIP_STORE_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The orders of the case list. */
enum ctip_case_sort {
	CTIP_SORT_ACTIVITY, /* last activity (else the opening date) */
	CTIP_SORT_OPENED,
	CTIP_SORT_CASE, /* the organisation's case number */
	CTIP_SORT_STATUS,
	CTIP_SORT_STAGE,
	CTIP_SORT_RISK, /* low < medium < high; none first */
	CTIP_SORT_ASSIGNED,
	CTIP_SORT_ORG,
	CTIP_SORT_ID, /* also the order of every row for a caller that sorts itself (by name) */
};

struct ctip_case_query {
	int64_t org_id;                    /* the organisation whose view this is */
	const char *status, *stage, *risk; /* codes; NULL: any */
	const char *assigned;              /* username; NULL: anyone */
	int unassigned;                    /* only cases assigned to no one */
	const char *from, *to;             /* opening date within [from, to] (YYYY-MM-DD); NULL */
	int own_only;                      /* only the organisation's own cases */
	int open_only;                     /* not at the stage closed */
	const char *text;                  /* folded; in the case number or organisation's name */
	const int64_t *ids;                /* with text, or alone: these cases match too */
	int nids, ids_given;               /* ids_given: the list is a filter even when empty */
	const char *today;                 /* YYYY-MM-DD: for followup_overdue */
	enum ctip_case_sort sort;
	int desc;
	long offset, limit; /* limit < 0: every row */
};

struct ctip_case_row {
	int64_t id;
	const char *src_case_id, *org, *status, *opened, *closed, *stage, *assigned, *risk,
	        *activity;
	long persons;
	int access; /* enum ctip_access */
	/* the victim shown on the list: the first person of the case in the role Victim, else
	 * its first person (0: none); its sealed identity (NULL: none) and the consent given in
	 * this case (1, 0, -1 unknown; scope: the codes as a `;` list or NULL) */
	int64_t victim_id;
	const void *identity;
	int identity_n;
	int consent;
	const char *scope;
	int followup_overdue; /* open planned follow-up contacts due before today (home, list) */
};

struct ctip_home_counts {
	long my_cases;         /* open cases assigned to the user */
	long followup_due;     /* open planned contacts due from today to the horizon (user's) */
	long followup_overdue; /* open planned contacts due before today (user's cases) */
	long referrals_new;    /* referrals to the organisation still Pending */
	long high_risk;        /* open own cases whose latest assessment is high */
	long approvals;        /* approvals requested in the organisation's cases, not decided */
	long unassigned;       /* open own cases assigned to no one */
};

struct ctip_audit_query {
	const char *object;    /* P12, C7...: entries naming it (NULL: any) */
	const char *actor;     /* exact username; NULL: any */
	const char *action;    /* exact action; NULL: any */
	const char *from, *to; /* at within [from, to] by the date's first 10 characters */
	long offset, limit;    /* newest first; limit < 0: all */
};

struct ctip_list_ops {
	/* The cases of q (see ctip_case_query) in its order, rows offset to offset + limit, and
	 * how many there are in all. */
	int (*cases)(ctip_store *s, const struct ctip_case_query *q, long *total,
	             int (*cb)(void *ctx, const struct ctip_case_row *r), void *ctx, ctip_err *e);
	/* The home page's counts for user (username) of org_id, but my_cases and high_risk (the
	 * home page counts them with cases); today and horizon are YYYY-MM-DD (follow-ups due up
	 * to the horizon). supervisor: approvals of every case of
	 * the organisation, else those the user requested. */
	int (*home)(ctip_store *s, int64_t org_id, const char *user, int supervisor,
	            const char *today, const char *horizon, struct ctip_home_counts *c,
	            ctip_err *e);
	/* Open planned follow-up contacts of the cases assigned to user in org_id (user NULL:
	 * every case of org_id) due up to until, by due date, at most limit. */
	int (*due)(ctip_store *s, int64_t org_id, const char *user, const char *until, long limit,
	           int (*cb)(void *ctx, int64_t due_id, int64_t case_id, const char *src_case_id,
	                     const char *due, int months, const char *assigned),
	           void *ctx, ctip_err *e);
	/* Audit entries of q, newest first, and how many match in all. */
	int (*audit)(ctip_store *s, const struct ctip_audit_query *q, long *total,
	             int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx,
	             ctip_err *e);
};

/* The list operations of s's back end, or NULL when it has none (then an error is set). */
const struct ctip_list_ops *ctip_list_ops(ctip_store *s, ctip_err *e);

extern const struct ctip_list_ops ctip_sqlite_list_ops, ctip_pg_list_ops;

#endif
