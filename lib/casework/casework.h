/*
 * casework.h - working a case (docs/CASEWORK.md): the workflow's stages, assignment,
 * supervisors' approvals, re-trafficking risk assessments, the follow-up plan and its
 * contacts, and hotline contacts. The rules live here, once, for the command line and the
 * server alike; each function runs in its own transaction and changes nothing when it
 * fails. Auditing is the caller's (the command line's ctip_audit, the server's queue).
 *
 * The actor is an account (store.h's struct ctip_account: username, organisation, role).
 * A case of another organisation is CTIP_ENOTFOUND, exactly as a case that does not exist;
 * what the role or the assignment forbids is CTIP_EDENIED.
 *
 * Who may do what:
 *   - caseworkers and supervisors of the case's organisation work its cases; a caseworker
 *     only the cases assigned to them or to nobody;
 *   - a supervisor assigns and reassigns a case to an active caseworker or supervisor of the
 *     organisation; a caseworker may take an unassigned case (assign it to themselves);
 *   - closing a case and approving its case plan (moving it to services) are requested, then
 *     approved or rejected by a supervisor of the organisation who did not request it;
 *   - a closed case is reopened by a supervisor.
 */
#ifndef CTIP_CASEWORK_H
#define CTIP_CASEWORK_H

#include <jansson.h>

#include "store.h"
#include "store_casework.h"

#define CTIP_FOLLOWUP_MONTHS     "1,3,6,12,24"
#define CTIP_FOLLOWUP_LOST_AFTER 3
/* a high risk level brings the next contact within this many days */
#define CTIP_HIGH_RISK_DAYS 14
/* `followup due` lists the contacts due within this many days, and every overdue one */
#define CTIP_DUE_WINDOW_DAYS 30

/* The stage codes in order (NULL-terminated). */
extern const char *const ctip_cw_stages[];

/* The case's workflow, if actor's organisation owns it. */
int ctip_cw_case(ctip_store *s, const struct ctip_account *actor, int64_t case_id,
                 struct ctip_cw_work *w, ctip_err *e);
int ctip_cw_assign(ctip_store *s, const struct ctip_account *actor, int64_t case_id, const char *to,
                   ctip_err *e);
/* Moves a case to stage. When the move needs a supervisor's approval (closed; services
 * before the case plan is approved) an approval is requested instead: *approval gets its id
 * (0 when the stage was changed). */
int ctip_cw_stage(ctip_store *s, const struct ctip_account *actor, int64_t case_id,
                  const char *stage, const char *comment, int64_t *approval, ctip_err *e);
/* A supervisor approves (approve 1) or rejects a requested approval; *case_id gets its case
 * and *kind (static) its kind. */
int ctip_cw_decide(ctip_store *s, const struct ctip_account *actor, int64_t approval, int approve,
                   const char *comment, int64_t *case_id, const char **kind, ctip_err *e);

struct ctip_cw_assess_out {
	int64_t id;
	int score;
	const char *level; /* static */
	int linked;        /* earlier trafficking was found by record linkage */
	int moved;         /* planned follow-up contacts brought forward by a high level */
};
/* Scores and stores an assessment (date NULL: today). */
int ctip_cw_assess(ctip_store *s, const struct ctip_account *actor, int64_t case_id,
                   const char *date, json_t *answers, struct ctip_cw_assess_out *out, ctip_err *e);

/* Plans follow-up contacts months after from (NULL: today; months NULL: the organisation's
 * setting or CTIP_FOLLOWUP_MONTHS), replacing the open ones; *n gets their number. When the
 * latest assessment is high, every interval is halved. */
int ctip_cw_plan(ctip_store *s, const struct ctip_account *actor, int64_t case_id, const char *from,
                 const char *months, int *n, ctip_err *e);
/* An organisation's follow-up settings (either may be NULL / 0: unchanged). */
int ctip_cw_config(ctip_store *s, int64_t org_id, const char *months, int lost_after, ctip_err *e);

struct ctip_cw_record_out {
	int64_t id, due_id;   /* the planned contact it answered (0: none) */
	int failed;           /* consecutive failed attempts now */
	const char *followup; /* the plan's state after it (static) */
};
/* Records a follow-up contact (c->case_id, date NULL: today; mode, who, outcome, notes). */
int ctip_cw_record(ctip_store *s, const struct ctip_account *actor, struct ctip_cw_fcontact *c,
                   struct ctip_cw_record_out *out, ctip_err *e);

/* Corrections (issue 14). Each runs inside the caller's write transaction and neither begins
 * nor commits it: the caller (the server) takes the case's version in the same transaction.
 * Every check is made first; then hold(ctx) is called (NULL: none), e.g. to take the case's
 * version, and only when it succeeds is anything written. */
typedef int (*ctip_cw_hold)(void *ctx, ctip_err *e);

struct ctip_cw_assess_fix_out {
	int score, was_score;
	const char *level, *was_level; /* static */
	int linked, moved;
	int alert; /* a high_risk alert was raised: the level became high */
	char date[11];
};
/* Corrects assessment id of case_id: its date (NULL: unchanged) and answers (NULL: unchanged;
 * else merged over the recorded ones: a question given an answer takes it, one given null is
 * no longer answered). Score and level are recomputed as ctip_cw_assess computes them (the
 * record linkage's earlier trafficking included); when the level becomes high, the alert is
 * raised and the planned contacts brought forward as when one is added. */
int ctip_cw_assess_fix(ctip_store *s, const struct ctip_account *actor, int64_t case_id, int64_t id,
                       const char *date, json_t *answers, ctip_cw_hold hold, void *ctx,
                       struct ctip_cw_assess_fix_out *out, ctip_err *e);

struct ctip_cw_record_fix_out {
	int failed;           /* consecutive failed attempts after the correction */
	const char *followup; /* the plan's state after it (static) */
	const char *outcome;  /* the contact's outcome now (static) */
	int alert;            /* an alert was raised (lost to follow-up, re-trafficked) */
};
/* Corrects follow-up contact c->id of case c->case_id: the fields of c that are not NULL
 * (date, mode, who, outcome, notes; notes "" removes them) replace the recorded ones. The
 * failed attempts are recounted and the plan's state recomputed: lost when the attempts now
 * reach the organisation's limit; no longer lost when they do not (active while planned
 * contacts are open, else completed); a contact corrected to reached marks its planned contact
 * done; deceased ends the plan as when recorded. */
int ctip_cw_record_fix(ctip_store *s, const struct ctip_account *actor, struct ctip_cw_fcontact *c,
                       ctip_cw_hold hold, void *ctx, struct ctip_cw_record_fix_out *out,
                       ctip_err *e);

/* Records a hotline contact of actor's organisation (h->at NULL: now). */
int ctip_cw_contact_add(ctip_store *s, const struct ctip_account *actor, struct ctip_cw_hotline *h,
                        int64_t *id, ctip_err *e);
/* Attaches a contact to case_id, or (case_id 0) opens a new case from it; *out_case gets
 * the case. */
int ctip_cw_contact_convert(ctip_store *s, const struct ctip_account *actor, int64_t id,
                            int64_t case_id, int64_t *out_case, ctip_err *e);

/* Everything of a case's casework as JSON: workflow, approvals, assessments with their
 * trend, the follow-up plan and contacts, open alerts. */
int ctip_cw_case_json(ctip_store *s, int64_t case_id, json_t **out, ctip_err *e);
json_t *ctip_cw_hotline_json(const struct ctip_cw_hotline *h);
json_t *ctip_cw_approval_json(const struct ctip_cw_approval *a);

/* Dates: "YYYY-MM-DD" plus n days or months (the day clamped to the month's end), into out
 * (11 bytes); -1 when d is not a full date. */
int ctip_cw_add_days(const char *d, long n, char out[11]);
int ctip_cw_add_months(const char *d, int n, char out[11]);
/* The days from a to b; valid dates only. */
long ctip_cw_days_between(const char *a, const char *b);
void ctip_cw_today(char out[11]);

#endif
