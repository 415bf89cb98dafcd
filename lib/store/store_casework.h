/*
 * store_casework.h - the storage of casework (migration 0017, docs/CASEWORK.md): a case's
 * workflow (stage, assigned caseworker, approvals), risk assessments, the follow-up plan
 * and its contacts, alerts, hotline contacts and organisations' settings. Kept apart from
 * store.h's operations so that a back end adds them on its own; the SQLite store's are in
 * store_sqlite_casework.c. The rules (who may do what, what follows from what) are in
 * casework.c, not here: these operations only read and write.
 *
 * Strings of the structures passed to callbacks are valid during the callback only. Sealed
 * free text (comments, notes, a named caller) is opened before it is passed.
 */
#ifndef CTIP_STORE_CASEWORK_H
#define CTIP_STORE_CASEWORK_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct ctip_cw_work {
	int64_t case_id, org_id;
	char org[256], src_case_id[128];
	char stage[32];    /* case_stage code */
	char assigned[72]; /* username, "" when unassigned */
	char followup[16]; /* none, active, lost, completed */
	char status[32];   /* HTCDS cas_Status, "" when none */
	int plan_approved;
};

struct ctip_cw_approval {
	int64_t id, case_id;
	const char *kind, *status, *requested_by, *requested_at, *request_comment;
	const char *decided_by, *decided_at, *comment; /* NULL until decided */
};

struct ctip_cw_assessment {
	int64_t id, case_id;
	const char *date, *answers /* JSON object */, *level, *created_by;
	int score;
};

struct ctip_cw_due {
	int64_t id, case_id, org_id;
	const char *due, *done /* NULL while open */, *org, *src_case_id, *assigned, *followup;
	int months;
};

struct ctip_cw_fcontact {
	int64_t id, case_id, due_id;
	const char *date, *mode, *who, *outcome, *notes, *created_by;
};

struct ctip_cw_alert {
	int64_t id, case_id;
	const char *kind, *detail, *created_at;
};

struct ctip_cw_hotline {
	int64_t id, org_id, case_id; /* case_id 0: not attached to a case */
	const char *org, *channel, *at, *caller_type, *reason, *province, *caller, *notes,
	        *created_by, *created_at;
	int anonymous;
};

struct ctip_cw_ops {
	/* The workflow of a case (defaults when it never entered one); CTIP_ENOTFOUND when there
	 * is no such case. */
	int (*work_get)(ctip_store *s, int64_t case_id, struct ctip_cw_work *w, ctip_err *e);
	/* Writes stage, assigned, plan_approved and followup of w. */
	int (*work_set)(ctip_store *s, const struct ctip_cw_work *w, ctip_err *e);
	/* Sets the HTCDS status of a case, and its closing date when closed is not NULL. */
	int (*case_status_set)(ctip_store *s, int64_t case_id, const char *status,
	                       const char *closed, ctip_err *e);
	int (*approval_add)(ctip_store *s, const struct ctip_cw_approval *a, int64_t *id,
	                    ctip_err *e);
	int (*approval_decide)(ctip_store *s, int64_t id, const char *status, const char *by,
	                       const char *comment, ctip_err *e);
	/* Approvals by id (id != 0), of a case (case_id != 0), or those requested in org_id's
	 * cases (status NULL: any). */
	int (*approval_list)(ctip_store *s, int64_t id, int64_t case_id, int64_t org_id,
	                     const char *status,
	                     int (*cb)(void *ctx, const struct ctip_cw_approval *a), void *ctx,
	                     ctip_err *e);
	int (*assessment_add)(ctip_store *s, const struct ctip_cw_assessment *a, int64_t *id,
	                      ctip_err *e);
	/* A case's assessments by date, then id. */
	int (*assessment_list)(ctip_store *s, int64_t case_id,
	                       int (*cb)(void *ctx, const struct ctip_cw_assessment *a), void *ctx,
	                       ctip_err *e);
	/* Corrects assessment a->id of case a->case_id: its date, answers, score and level (its
	 * author is kept); CTIP_ENOTFOUND when the case has no such assessment. */
	int (*assessment_set)(ctip_store *s, const struct ctip_cw_assessment *a, ctip_err *e);
	/* Whether a victim of the case is, by the stored record linkage, a victim in another
	 * case too. */
	int (*linked_victim_elsewhere)(ctip_store *s, int64_t case_id, int *yes, ctip_err *e);
	/* An organisation's setting into buf; CTIP_ENOTFOUND when not set. */
	int (*setting_get)(ctip_store *s, int64_t org_id, const char *name, char *buf, size_t n,
	                   ctip_err *e);
	int (*setting_set)(ctip_store *s, int64_t org_id, const char *name, const char *value,
	                   ctip_err *e);
	int (*due_add)(ctip_store *s, int64_t case_id, const char *due, int months, ctip_err *e);
	/* Removes the open planned contacts of a case (a new plan replaces them). */
	int (*due_clear_open)(ctip_store *s, int64_t case_id, ctip_err *e);
	/* Planned contacts of a case (case_id != 0), or open ones of the active plans of org_id
	 * (0: of every organisation) due on or before until (NULL: any), by due date. */
	int (*due_list)(ctip_store *s, int64_t case_id, int64_t org_id, const char *until,
	                int (*cb)(void *ctx, const struct ctip_cw_due *d), void *ctx, ctip_err *e);
	/* Sets the due date (NULL: unchanged) and done date (NULL: unchanged) of one. */
	int (*due_set)(ctip_store *s, int64_t id, const char *due, const char *done, ctip_err *e);
	int (*fcontact_add)(ctip_store *s, const struct ctip_cw_fcontact *c, int64_t *id,
	                    ctip_err *e);
	/* A case's follow-up contacts by date, then id. */
	int (*fcontact_list)(ctip_store *s, int64_t case_id,
	                     int (*cb)(void *ctx, const struct ctip_cw_fcontact *c), void *ctx,
	                     ctip_err *e);
	/* Corrects follow-up contact c->id of case c->case_id: its date, mode, who, outcome and
	 * notes (sealed; NULL or empty: none), its planned contact and author kept;
	 * CTIP_ENOTFOUND when the case has no such contact. */
	int (*fcontact_set)(ctip_store *s, const struct ctip_cw_fcontact *c, ctip_err *e);
	int (*alert_add)(ctip_store *s, int64_t case_id, const char *kind, const char *detail,
	                 ctip_err *e);
	/* Open alerts of a case (case_id != 0) or of org_id's cases. */
	int (*alert_list)(ctip_store *s, int64_t case_id, int64_t org_id,
	                  int (*cb)(void *ctx, const struct ctip_cw_alert *a), void *ctx,
	                  ctip_err *e);
	int (*hotline_add)(ctip_store *s, const struct ctip_cw_hotline *h, int64_t *id,
	                   ctip_err *e);
	/* One contact (id != 0) or those of org_id (0: all), newest first, at most limit. */
	int (*hotline_list)(ctip_store *s, int64_t id, int64_t org_id, long limit,
	                    int (*cb)(void *ctx, const struct ctip_cw_hotline *h), void *ctx,
	                    ctip_err *e);
	int (*hotline_set_case)(ctip_store *s, int64_t id, int64_t case_id, ctip_err *e);
	/* Statistics (stats_casework.c): every row of a casework count (facts.h: CTIP_U_FOLLOWUPS,
	 * CTIP_U_ASSESSMENTS, CTIP_U_CONTACTS) with its date (YYYY-MM-DD) and its value of each
	 * dimension the count has (v[dim], indexed by enum ctip_dim; NULL unknown). */
	int (*stats_rows)(ctip_store *s, int unit,
	                  int (*cb)(void *ctx, const char *date, const char *const *v), void *ctx,
	                  ctip_err *e);
	/* (Key rotation reseals this module's columns as every sealed column: lib/core/rekey.h.) */
};

/* The casework operations of s's back end, or NULL when it has none (then an error is set). */
const struct ctip_cw_ops *ctip_cw_ops(ctip_store *s, ctip_err *e);

extern const struct ctip_cw_ops ctip_sqlite_cw_ops, ctip_pg_cw_ops;

#endif
