/*
 * casework.c - the rules of working a case (casework.h; docs/CASEWORK.md): who may move,
 * assign, approve, assess and follow up a case, and what follows from it (a high risk level
 * brings the follow-up forward and raises an alert; failed attempts make a case lost to
 * follow-up). Storage is store_casework.h's.
 */
#include "casework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "import.h"
#include "refdata.h"
#include "risk.h"

const char *const ctip_cw_stages[] = {
        "identification",         "assessment", "case_plan", "services",
        "followup_reintegration", "closed",     NULL};

/* ---- dates ---------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int full_date(const char *s, int *y, int *m, int *d)
{
	ctip_date dt;
	if (!s || strlen(s) != 10 || ctip_date_parse(s, &dt, NULL) ||
	    sscanf(s, "%4d-%2d-%2d", y, m, d) != 3)
		return -1;
	return 0;
}

int ctip_cw_add_days(const char *d, long n, char out[11])
{
	int y, m, dd;
	if (full_date(d, &y, &m, &dd))
		return -1;
	civil_from_days(days_from_civil(y, m, dd) + n, &y, &m, &dd);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	         (unsigned)dd % 100u);
	return 0;
}

int ctip_cw_add_months(const char *d, int n, char out[11])
{
	int y, m, dd;
	if (full_date(d, &y, &m, &dd))
		return -1;
	int t = y * 12 + (m - 1) + n;
	y = t / 12;
	m = t % 12 + 1;
	int last = ctip_date_days_in_month(y, m);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	         (unsigned)(dd > last ? last : dd) % 100u);
	return 0;
}

long ctip_cw_days_between(const char *a, const char *b)
{
	int y1, m1, d1, y2, m2, d2;
	if (full_date(a, &y1, &m1, &d1) || full_date(b, &y2, &m2, &d2))
		return 0;
	return days_from_civil(y2, m2, d2) - days_from_civil(y1, m1, d1);
}

void ctip_cw_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* A date argument: NULL or "" is today; else a full date, not after today. */
static int date_arg(const char *field, const char *v, char out[11], ctip_err *e)
{
	char today[11];
	ctip_cw_today(today);
	if (!v || !*v) {
		memcpy(out, today, 11);
		return CTIP_OK;
	}
	int y, m, d;
	if (full_date(v, &y, &m, &d))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field,
		                   "'%s' is not a date: give YYYY-MM-DD", v);
	if (strcmp(v, today) > 0)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "%s is in the future", v);
	snprintf(out, 11, "%s", v);
	return CTIP_OK;
}

/* ---- access and transactions ------------------------------------------------------------ */

static int is_role(const struct ctip_account *a, const char *role)
{
	return !strcmp(a->role, role);
}

int ctip_cw_case(ctip_store *s, const struct ctip_account *actor, int64_t case_id,
                 struct ctip_cw_work *w, ctip_err *e)
{
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	if (!o)
		return CTIP_EINVAL;
	if (!is_role(actor, "caseworker") && !is_role(actor, "supervisor"))
		return ctip_err_set(
		        e, CTIP_EDENIED,
		        "the role %s does not work cases (caseworkers and supervisors do)",
		        actor->role);
	int rc = o->work_get(s, case_id, w, e);
	if (rc == CTIP_OK && w->org_id != actor->org_id)
		rc = CTIP_ENOTFOUND; /* another organisation's case: as if there were none */
	if (rc == CTIP_ENOTFOUND)
		return ctip_err_set(e, CTIP_ENOTFOUND, "no such case C%lld", (long long)case_id);
	return rc;
}

/* The case, which actor may change: a caseworker only when it is assigned to them or to
 * nobody. */
static int case_for_change(ctip_store *s, const struct ctip_account *actor, int64_t case_id,
                           struct ctip_cw_work *w, ctip_err *e)
{
	int rc = ctip_cw_case(s, actor, case_id, w, e);
	if (rc)
		return rc;
	if (is_role(actor, "caseworker") && w->assigned[0] && strcmp(w->assigned, actor->username))
		return ctip_err_set(
		        e, CTIP_EDENIED,
		        "case C%lld is assigned to %s: only they or a supervisor change it",
		        (long long)case_id, w->assigned);
	return CTIP_OK;
}

static int begin(ctip_store *s, ctip_err *e)
{
	return s->ops->begin(s, e);
}

/* Commits when rc is CTIP_OK, else rolls back; returns rc or the commit's error. */
static int end(ctip_store *s, int rc, ctip_err *e)
{
	if (rc == CTIP_OK && (rc = s->ops->commit(s, e)) == CTIP_OK)
		return CTIP_OK;
	s->ops->rollback(s);
	return rc;
}

static int stage_index(const char *stage)
{
	for (int i = 0; ctip_cw_stages[i]; i++)
		if (!strcmp(ctip_cw_stages[i], stage))
			return i;
	return -1;
}

/* ---- workflow ----------------------------------------------------------------------------- */

int ctip_cw_assign(ctip_store *s, const struct ctip_account *actor, int64_t case_id, const char *to,
                   ctip_err *e)
{
	struct ctip_cw_work w;
	struct ctip_account t;
	int rc = ctip_cw_case(s, actor, case_id, &w, e);
	if (rc)
		return rc;
	if (!to || !*to)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "to", "name the account to assign to");
	if (is_role(actor, "caseworker") && (w.assigned[0] || strcmp(to, actor->username)))
		return ctip_err_set(e, CTIP_EDENIED,
		                    "a caseworker may only take an unassigned case; a supervisor "
		                    "assigns and reassigns");
	rc = s->srv->account_get(s, to, &t, e);
	if (rc == CTIP_ENOTFOUND || (rc == CTIP_OK && t.org_id != actor->org_id))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "to",
		                   "no account '%s' in your organisation", to);
	if (rc)
		return rc;
	if (t.disabled || (strcmp(t.role, "caseworker") && strcmp(t.role, "supervisor")))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "to",
		                   "'%s' is %s: a case is assigned to an active caseworker or "
		                   "supervisor",
		                   to, t.disabled ? "disabled" : t.role);
	if (!strcmp(w.assigned, to))
		return CTIP_OK;
	snprintf(w.assigned, sizeof(w.assigned), "%s", to);
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	if ((rc = begin(s, e)))
		return rc;
	return end(s, o->work_set(s, &w, e), e);
}

/* The HTCDS status that goes with a stage (NULL: leave it). */
static const char *status_of(const char *stage)
{
	if (!strcmp(stage, "closed"))
		return "Closed";
	if (!strcmp(stage, "followup_reintegration"))
		return "FollowUp";
	return "Active";
}

static int pending(void *ctx, const struct ctip_cw_approval *a)
{
	*(int64_t *)ctx = a->id;
	return 0;
}

int ctip_cw_stage(ctip_store *s, const struct ctip_account *actor, int64_t case_id,
                  const char *stage, const char *comment, int64_t *approval, ctip_err *e)
{
	struct ctip_cw_work w;
	*approval = 0;
	int rc = case_for_change(s, actor, case_id, &w, e);
	if (rc)
		return rc;
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	int to = stage ? stage_index(stage) : -1, from = stage_index(w.stage);
	if (to < 0) {
		char list[200] = "";
		for (int i = 0; ctip_cw_stages[i]; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			         i ? ", " : "", ctip_cw_stages[i]);
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "stage",
		                   "unknown stage '%s' (stages: %s)", stage ? stage : "", list);
	}
	if (to == from)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "stage", "case C%lld is at %s already",
		                   (long long)case_id, w.stage);
	if (!strcmp(w.stage, "closed") && !is_role(actor, "supervisor"))
		return ctip_err_set(e, CTIP_EDENIED, "a closed case is reopened by a supervisor");
	int services = stage_index("services");
	const char *kind = !strcmp(stage, "closed")                                ? "close"
	                   : to >= services && from < services && !w.plan_approved ? "case_plan"
	                                                                           : NULL;
	if (kind && !strcmp(kind, "case_plan") && strcmp(w.stage, "case_plan"))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "stage",
		                   "case C%lld is at %s: a case plan is made (stage case_plan) and "
		                   "approved before services",
		                   (long long)case_id, w.stage);
	if ((rc = begin(s, e)))
		return rc;
	if (kind) {
		int64_t open = 0;
		char now[32];
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (!(rc = o->approval_list(s, 0, case_id, 0, "requested", pending, &open, e)) &&
		    open)
			rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, "stage",
			                 "approval %lld of case C%lld is waiting for a supervisor",
			                 (long long)open, (long long)case_id);
		struct ctip_cw_approval a = {.case_id = case_id,
		                             .kind = kind,
		                             .requested_by = actor->username,
		                             .requested_at = now,
		                             .request_comment = comment};
		if (rc == CTIP_OK)
			rc = o->approval_add(s, &a, approval, e);
		return end(s, rc, e);
	}
	snprintf(w.stage, sizeof(w.stage), "%s", stage);
	if (to < services)
		w.plan_approved = to < stage_index("case_plan") ? 0 : w.plan_approved;
	rc = o->work_set(s, &w, e);
	if (rc == CTIP_OK)
		rc = o->case_status_set(s, case_id, status_of(stage), NULL, e);
	return end(s, rc, e);
}

struct found_approval {
	int64_t case_id;
	char kind[16], status[16], by[72];
	int found;
};

static int keep_approval(void *ctx, const struct ctip_cw_approval *x)
{
	struct found_approval *f = ctx;
	f->found = 1;
	f->case_id = x->case_id;
	snprintf(f->kind, sizeof(f->kind), "%s", x->kind);
	snprintf(f->status, sizeof(f->status), "%s", x->status);
	snprintf(f->by, sizeof(f->by), "%s", x->requested_by);
	return 0;
}

int ctip_cw_decide(ctip_store *s, const struct ctip_account *actor, int64_t approval, int approve,
                   const char *comment, int64_t *case_id, const char **kind, ctip_err *e)
{
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	struct found_approval f = {0};
	struct ctip_cw_work w;
	if (!o)
		return CTIP_EINVAL;
	int rc = o->approval_list(s, approval, 0, actor->org_id, NULL, keep_approval, &f, e);
	if (rc)
		return rc;
	if (!f.found) /* none, or of another organisation's case */
		return ctip_err_set(e, CTIP_ENOTFOUND, "no such approval %lld",
		                    (long long)approval);
	*case_id = f.case_id;
	*kind = !strcmp(f.kind, "close") ? "close" : "case_plan";
	if ((rc = ctip_cw_case(s, actor, f.case_id, &w, e)))
		return rc;
	if (!is_role(actor, "supervisor"))
		return ctip_err_set(e, CTIP_EDENIED, "only a supervisor approves or rejects");
	if (!strcmp(f.by, actor->username))
		return ctip_err_set(e, CTIP_EDENIED,
		                    "you requested approval %lld: another supervisor decides it",
		                    (long long)approval);
	if (strcmp(f.status, "requested"))
		return ctip_err_set(e, CTIP_EINVAL, "approval %lld was already %s",
		                    (long long)approval, f.status);
	if ((rc = begin(s, e)))
		return rc;
	rc = o->approval_decide(s, approval, approve ? "approved" : "rejected", actor->username,
	                        comment, e);
	if (rc == CTIP_OK && approve) {
		char today[11];
		ctip_cw_today(today);
		if (!strcmp(*kind, "close")) {
			snprintf(w.stage, sizeof(w.stage), "closed");
			if (!(rc = o->work_set(s, &w, e)))
				rc = o->case_status_set(s, w.case_id, "Closed", today, e);
		} else {
			w.plan_approved = 1;
			if (stage_index(w.stage) < stage_index("services"))
				snprintf(w.stage, sizeof(w.stage), "services");
			if (!(rc = o->work_set(s, &w, e)))
				rc = o->case_status_set(s, w.case_id, status_of(w.stage), NULL, e);
		}
	}
	return end(s, rc, e);
}

/* ---- risk assessment ---------------------------------------------------------------------- */

struct latest {
	char level[16];
	int n;
};

static int keep_latest(void *ctx, const struct ctip_cw_assessment *a)
{
	struct latest *l = ctx;
	snprintf(l->level, sizeof(l->level), "%s", a->level);
	l->n++;
	return 0;
}

struct open_dues {
	int64_t id[64];
	char due[64][11];
	int n;
};

static int keep_open(void *ctx, const struct ctip_cw_due *d)
{
	struct open_dues *o = ctx;
	if (!d->done && o->n < 64) {
		o->id[o->n] = d->id;
		snprintf(o->due[o->n], 11, "%s", d->due);
		o->n++;
	}
	return 0;
}

/* A high level: every open planned contact after date is brought halfway closer to it, and
 * one is added CTIP_HIGH_RISK_DAYS after date when none is due by then. */
static int bring_forward(ctip_store *s, const struct ctip_cw_ops *o, int64_t case_id,
                         const char *date, int *moved, ctip_err *e)
{
	struct open_dues od = {0};
	char soon[11], nd[11];
	int rc = o->due_list(s, case_id, 0, NULL, keep_open, &od, e), have_soon = 0;
	if (rc || ctip_cw_add_days(date, CTIP_HIGH_RISK_DAYS, soon))
		return rc;
	for (int i = 0; i < od.n && rc == CTIP_OK; i++) {
		long d = ctip_cw_days_between(date, od.due[i]);
		if (d > 1) {
			ctip_cw_add_days(date, d / 2, nd);
			rc = o->due_set(s, od.id[i], nd, NULL, e);
			(*moved)++;
		} else {
			snprintf(nd, sizeof(nd), "%s", od.due[i]);
		}
		have_soon |= strcmp(nd, soon) <= 0;
	}
	if (rc == CTIP_OK && !have_soon) {
		rc = o->due_add(s, case_id, soon, 0, e);
		(*moved)++;
	}
	return rc;
}

int ctip_cw_assess(ctip_store *s, const struct ctip_account *actor, int64_t case_id,
                   const char *date, json_t *answers, struct ctip_cw_assess_out *out, ctip_err *e)
{
	struct ctip_cw_work w;
	char day[11];
	memset(out, 0, sizeof(*out));
	int rc = case_for_change(s, actor, case_id, &w, e);
	if (rc || (rc = date_arg("date", date, day, e)))
		return rc;
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	const struct ctip_risk *r = ctip_risk_get(e);
	if (!r)
		return CTIP_EINVAL;
	json_t *canon = NULL;
	int linked = 0;
	if ((rc = o->linked_victim_elsewhere(s, case_id, &linked, e)))
		return rc;
	json_t *in = json_deep_copy(answers);
	if (!in)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "answers",
		                   "answers must be an object of question codes to answer codes");
	/* record linkage found the person as a victim in another case: trafficked before,
	 * whatever was answered */
	if (linked)
		json_object_set_new(in, "earlier_trafficking", json_string("yes"));
	rc = ctip_risk_score(r, in, &out->score, &out->level, &canon, e);
	json_decref(in);
	if (rc)
		return rc;
	char *text = json_dumps(canon, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(canon);
	if (!text)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	out->linked = linked;
	struct ctip_cw_assessment a = {.case_id = case_id,
	                               .date = day,
	                               .answers = text,
	                               .score = out->score,
	                               .level = out->level,
	                               .created_by = actor->username};
	if ((rc = begin(s, e))) {
		free(text);
		return rc;
	}
	rc = o->assessment_add(s, &a, &out->id, e);
	free(text);
	if (rc == CTIP_OK && !strcmp(out->level, "high")) {
		char detail[96];
		snprintf(detail, sizeof(detail), "assessment %lld: score %d", (long long)out->id,
		         out->score);
		rc = o->alert_add(s, case_id, "high_risk", detail, e);
		if (rc == CTIP_OK && !strcmp(w.followup, "active"))
			rc = bring_forward(s, o, case_id, day, &out->moved, e);
	}
	return end(s, rc, e);
}

/* ---- follow-up ------------------------------------------------------------------------------ */

/* Parses "1,3,6" into m (at most 24 values, increasing, 1 to 120); the count, or -1. */
static int parse_months(const char *v, int m[24])
{
	int n = 0;
	const char *p = v;
	while (p && *p) {
		char *end;
		long x = strtol(p, &end, 10);
		if (end == p || x < 1 || x > 120 || n == 24 || (n && x <= m[n - 1]))
			return -1;
		m[n++] = (int)x;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return n ? n : -1;
}

int ctip_cw_config(ctip_store *s, int64_t org_id, const char *months, int lost_after, ctip_err *e)
{
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	int m[24], rc;
	if (!o)
		return CTIP_EINVAL;
	if (months && parse_months(months, m) < 0)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "months",
		                   "'%s': give increasing months after return, e.g. 1,3,6,12,24",
		                   months);
	if (lost_after && (lost_after < 1 || lost_after > 20))
		return ctip_err_at(
		        e, CTIP_EINVAL, NULL, 0, "lost_after",
		        "the failed attempts before a case is lost to follow-up: 1 to 20");
	if ((rc = begin(s, e)))
		return rc;
	if (months)
		rc = o->setting_set(s, org_id, "followup_months", months, e);
	if (rc == CTIP_OK && lost_after) {
		char v[16];
		snprintf(v, sizeof(v), "%d", lost_after);
		rc = o->setting_set(s, org_id, "followup_lost_after", v, e);
	}
	return end(s, rc, e);
}

int ctip_cw_plan(ctip_store *s, const struct ctip_account *actor, int64_t case_id, const char *from,
                 const char *months, int *n, ctip_err *e)
{
	struct ctip_cw_work w;
	char day[11], setting[200];
	int m[24], rc = case_for_change(s, actor, case_id, &w, e);
	*n = 0;
	if (rc || (rc = date_arg("from", from, day, e)))
		return rc;
	if (!strcmp(w.stage, "closed"))
		return ctip_err_set(e, CTIP_EINVAL, "case C%lld is closed", (long long)case_id);
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	if (!months || !*months) {
		rc = o->setting_get(s, w.org_id, "followup_months", setting, sizeof(setting), e);
		if (rc && rc != CTIP_ENOTFOUND)
			return rc;
		months = rc ? CTIP_FOLLOWUP_MONTHS : setting;
	}
	int k = parse_months(months, m);
	if (k < 0)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "months",
		                   "'%s': give increasing months after return, e.g. 1,3,6,12,24",
		                   months);
	struct latest l = {0};
	if ((rc = o->assessment_list(s, case_id, keep_latest, &l, e)))
		return rc;
	int halve = !strcmp(l.level, "high");
	if ((rc = begin(s, e)) || (rc = o->due_clear_open(s, case_id, e)))
		return end(s, rc, e);
	for (int i = 0; i < k && rc == CTIP_OK; i++) {
		char due[11];
		ctip_cw_add_months(day, m[i], due);
		if (halve)
			ctip_cw_add_days(day, ctip_cw_days_between(day, due) / 2, due);
		rc = o->due_add(s, case_id, due, m[i], e);
	}
	snprintf(w.followup, sizeof(w.followup), "active");
	if (rc == CTIP_OK)
		rc = o->work_set(s, &w, e);
	*n = rc ? 0 : k;
	return end(s, rc, e);
}

/* Outcomes: reached (the planned contact is done), failed (an attempt that did not reach the
 * person, counted towards lost to follow-up), or final (deceased: the plan ends). */
static int outcome_failed(const char *o)
{
	return !strcmp(o, "not_reached") || !strcmp(o, "moved") || !strcmp(o, "refused");
}

struct failed_run {
	int n;
};

static int count_failed(void *ctx, const struct ctip_cw_fcontact *c)
{
	struct failed_run *f = ctx;
	f->n = outcome_failed(c->outcome) ? f->n + 1 : 0;
	return 0;
}

int ctip_cw_record(ctip_store *s, const struct ctip_account *actor, struct ctip_cw_fcontact *c,
                   struct ctip_cw_record_out *out, ctip_err *e)
{
	struct ctip_cw_work w;
	char day[11], v[32];
	memset(out, 0, sizeof(*out));
	int rc = case_for_change(s, actor, c->case_id, &w, e);
	if (rc || (rc = date_arg("date", c->date, day, e)))
		return rc;
	const struct ctip_ref_entry *mode =
	        c->mode && *c->mode ? ctip_ref_find(s->ref, "followup_mode", c->mode) : NULL;
	const struct ctip_ref_entry *oc =
	        c->outcome && *c->outcome ? ctip_ref_find(s->ref, "followup_outcome", c->outcome)
	                                  : NULL;
	char ex[300];
	if (!mode) {
		ctip_ref_examples(s->ref, "followup_mode", ex, sizeof(ex));
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "mode",
		                   "unknown or missing mode '%s' (one of: %s)",
		                   c->mode ? c->mode : "", ex);
	}
	if (!oc) {
		ctip_ref_examples(s->ref, "followup_outcome", ex, sizeof(ex));
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "outcome",
		                   "unknown or missing outcome '%s' (one of: %s)",
		                   c->outcome ? c->outcome : "", ex);
	}
	if (!c->who || !*c->who)
		c->who = actor->username;
	c->date = day;
	c->mode = mode->code;
	c->outcome = oc->code;
	c->created_by = actor->username;
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	struct open_dues od = {0};
	if ((rc = o->due_list(s, c->case_id, 0, NULL, keep_open, &od, e)))
		return rc;
	int failed = outcome_failed(oc->code);
	/* the contact answers the earliest open planned contact */
	c->due_id = od.n ? od.id[0] : 0;
	out->due_id = c->due_id;
	if ((rc = begin(s, e)))
		return rc;
	rc = o->fcontact_add(s, c, &out->id, e);
	/* reached: the planned contacts due by then are done (those missed are superseded), or
	 * the next one when the contact came early */
	int closed = 0;
	for (int i = 0; rc == CTIP_OK && !failed && strcmp(oc->code, "deceased") && i < od.n; i++)
		if (strcmp(od.due[i], day) <= 0 || (i == 0)) {
			rc = o->due_set(s, od.id[i], NULL, day, e);
			closed++;
		}
	struct failed_run fr = {0};
	if (rc == CTIP_OK)
		rc = o->fcontact_list(s, c->case_id, count_failed, &fr, e);
	out->failed = fr.n;
	int lost_after = CTIP_FOLLOWUP_LOST_AFTER;
	if (rc == CTIP_OK) {
		int g = o->setting_get(s, w.org_id, "followup_lost_after", v, sizeof(v), e);
		if (g == CTIP_OK)
			lost_after = atoi(v) > 0 ? atoi(v) : lost_after;
		else if (g != CTIP_ENOTFOUND)
			rc = g;
	}
	const char *was = w.followup;
	char before[16];
	snprintf(before, sizeof(before), "%s", was);
	if (rc == CTIP_OK) {
		if (!strcmp(oc->code, "deceased")) {
			rc = o->due_clear_open(s, c->case_id, e);
			snprintf(w.followup, sizeof(w.followup), "completed");
		} else if (failed && fr.n >= lost_after) {
			snprintf(w.followup, sizeof(w.followup), "lost");
		} else if (!failed && strcmp(before, "none")) {
			snprintf(w.followup, sizeof(w.followup),
			         od.n <= closed ? "completed" : "active");
		}
	}
	if (rc == CTIP_OK && strcmp(before, "lost") && !strcmp(w.followup, "lost")) {
		char detail[64];
		snprintf(detail, sizeof(detail), "%d failed attempts", fr.n);
		rc = o->alert_add(s, c->case_id, "lost_to_followup", detail, e);
	}
	if (rc == CTIP_OK && !strcmp(oc->code, "retrafficked"))
		rc = o->alert_add(s, c->case_id, "retrafficked", "reported at a follow-up contact",
		                  e);
	if (rc == CTIP_OK && strcmp(before, w.followup))
		rc = o->work_set(s, &w, e);
	out->followup = !strcmp(w.followup, "lost")        ? "lost"
	                : !strcmp(w.followup, "completed") ? "completed"
	                : !strcmp(w.followup, "active")    ? "active"
	                                                   : "none";
	return end(s, rc, e);
}

/* ---- corrections (issue 14) ------------------------------------------------------------------ */

struct find_assessment {
	int64_t id;
	int found, score;
	char date[11], level[16];
	json_t *answers;
};

static int keep_assessment(void *ctx, const struct ctip_cw_assessment *a)
{
	struct find_assessment *f = ctx;
	if (a->id != f->id)
		return 0;
	f->found = 1;
	f->score = a->score;
	snprintf(f->date, sizeof(f->date), "%s", a->date ? a->date : "");
	snprintf(f->level, sizeof(f->level), "%s", a->level ? a->level : "");
	f->answers = json_loads(a->answers ? a->answers : "{}", 0, NULL);
	return f->answers ? 0 : CTIP_ENOMEM;
}

/* A level's static name (the instrument's codes are low, medium, high). */
static const char *level_name(const char *l)
{
	return !strcmp(l, "high") ? "high" : !strcmp(l, "medium") ? "medium" : "low";
}

int ctip_cw_assess_fix(ctip_store *s, const struct ctip_account *actor, int64_t case_id, int64_t id,
                       const char *date, json_t *answers, ctip_cw_hold hold, void *ctx,
                       struct ctip_cw_assess_fix_out *out, ctip_err *e)
{
	struct ctip_cw_work w;
	memset(out, 0, sizeof(*out));
	int rc = case_for_change(s, actor, case_id, &w, e);
	if (rc)
		return rc;
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	const struct ctip_risk *r = ctip_risk_get(e);
	if (!r)
		return CTIP_EINVAL;
	struct find_assessment f = {.id = id};
	rc = o->assessment_list(s, case_id, keep_assessment, &f, e);
	if (rc == CTIP_ENOMEM)
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (rc || !f.found) {
		json_decref(f.answers);
		return rc ? rc : ctip_err_set(e, CTIP_ENOTFOUND, "no such assessment");
	}
	out->was_score = f.score;
	out->was_level = level_name(f.level);
	if (date && !*date) {
		json_decref(f.answers);
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "date", "an assessment keeps its date");
	}
	if (date && (rc = date_arg("date", date, out->date, e))) {
		json_decref(f.answers);
		return rc;
	}
	if (!date)
		snprintf(out->date, sizeof(out->date), "%s", f.date);
	if (answers && !json_is_object(answers)) {
		json_decref(f.answers);
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "answers",
		                   "answers must be an object of question codes to answer codes");
	}
	const char *k;
	json_t *v;
	json_object_foreach(answers, k, v)
	{
		if (json_is_null(v))
			json_object_del(f.answers, k);
		else
			json_object_set(f.answers, k, v);
	}
	int linked = 0;
	if ((rc = o->linked_victim_elsewhere(s, case_id, &linked, e))) {
		json_decref(f.answers);
		return rc;
	}
	/* as on add: record linkage found the person a victim in another case */
	if (linked)
		json_object_set_new(f.answers, "earlier_trafficking", json_string("yes"));
	json_t *canon = NULL;
	rc = ctip_risk_score(r, f.answers, &out->score, &out->level, &canon, e);
	json_decref(f.answers);
	if (rc)
		return rc;
	char *text = json_dumps(canon, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(canon);
	if (!text)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	out->linked = linked;
	if (hold && (rc = hold(ctx, e))) {
		free(text);
		return rc;
	}
	struct ctip_cw_assessment a = {.id = id,
	                               .case_id = case_id,
	                               .date = out->date,
	                               .answers = text,
	                               .score = out->score,
	                               .level = out->level};
	rc = o->assessment_set(s, &a, e);
	free(text);
	/* the level became high: the alert and the shorter follow-up, as when one is added */
	if (rc == CTIP_OK && !strcmp(out->level, "high") && strcmp(out->was_level, "high")) {
		char detail[96];
		snprintf(detail, sizeof(detail), "assessment %lld corrected: score %d",
		         (long long)id, out->score);
		rc = o->alert_add(s, case_id, "high_risk", detail, e);
		out->alert = 1;
		if (rc == CTIP_OK && !strcmp(w.followup, "active"))
			rc = bring_forward(s, o, case_id, out->date, &out->moved, e);
	}
	return rc;
}

struct find_fcontact {
	int64_t id, due_id;
	int found;
	char date[11], mode[64], who[200], outcome[64];
	char *notes;
};

static int keep_fcontact(void *ctx, const struct ctip_cw_fcontact *c)
{
	struct find_fcontact *f = ctx;
	if (c->id != f->id)
		return 0;
	f->found = 1;
	f->due_id = c->due_id;
	snprintf(f->date, sizeof(f->date), "%s", c->date ? c->date : "");
	snprintf(f->mode, sizeof(f->mode), "%s", c->mode ? c->mode : "");
	snprintf(f->who, sizeof(f->who), "%s", c->who ? c->who : "");
	snprintf(f->outcome, sizeof(f->outcome), "%s", c->outcome ? c->outcome : "");
	if (c->notes && !(f->notes = strdup(c->notes)))
		return CTIP_ENOMEM;
	return 0;
}

struct plan_left {
	int open, all;
};

static int count_plan(void *ctx, const struct ctip_cw_due *d)
{
	struct plan_left *p = ctx;
	p->all++;
	p->open += !d->done;
	return 0;
}

int ctip_cw_record_fix(ctip_store *s, const struct ctip_account *actor, struct ctip_cw_fcontact *c,
                       ctip_cw_hold hold, void *ctx, struct ctip_cw_record_fix_out *out,
                       ctip_err *e)
{
	struct ctip_cw_work w;
	char day[11], v[32], ex[300];
	memset(out, 0, sizeof(*out));
	int rc = case_for_change(s, actor, c->case_id, &w, e);
	if (rc)
		return rc;
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	struct find_fcontact f = {.id = c->id};
	rc = o->fcontact_list(s, c->case_id, keep_fcontact, &f, e);
	if (rc == CTIP_ENOMEM)
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (rc || !f.found) {
		free(f.notes);
		return rc ? rc : ctip_err_set(e, CTIP_ENOTFOUND, "no such follow-up contact");
	}
	if (c->date && !*c->date) {
		rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, "date", "a contact keeps its date");
		goto done;
	}
	if (c->date && (rc = date_arg("date", c->date, day, e)))
		goto done;
	if (!c->date)
		snprintf(day, sizeof(day), "%s", f.date);
	const char *mode = f.mode, *outcome = f.outcome;
	if (c->mode) {
		const struct ctip_ref_entry *m =
		        *c->mode ? ctip_ref_find(s->ref, "followup_mode", c->mode) : NULL;
		if (!m) {
			ctip_ref_examples(s->ref, "followup_mode", ex, sizeof(ex));
			rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, "mode",
			                 "unknown or missing mode '%s' (one of: %s)", c->mode, ex);
			goto done;
		}
		mode = m->code;
	}
	const struct ctip_ref_entry *oc =
	        ctip_ref_find(s->ref, "followup_outcome", c->outcome ? c->outcome : outcome);
	if (!oc || (c->outcome && !*c->outcome)) {
		ctip_ref_examples(s->ref, "followup_outcome", ex, sizeof(ex));
		rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, "outcome",
		                 "unknown or missing outcome '%s' (one of: %s)",
		                 c->outcome ? c->outcome : outcome, ex);
		goto done;
	}
	outcome = oc->code;
	const char *who = c->who ? (*c->who ? c->who : actor->username) : f.who;
	const char *notes = c->notes ? c->notes : f.notes;
	int was_failed = outcome_failed(f.outcome), failed = outcome_failed(outcome);
	int lost_after = CTIP_FOLLOWUP_LOST_AFTER;
	int g = o->setting_get(s, w.org_id, "followup_lost_after", v, sizeof(v), e);
	if (g == CTIP_OK)
		lost_after = atoi(v) > 0 ? atoi(v) : lost_after;
	else if (g != CTIP_ENOTFOUND) {
		rc = g;
		goto done;
	}
	if (hold && (rc = hold(ctx, e)))
		goto done;
	struct ctip_cw_fcontact n = {.id = c->id,
	                             .case_id = c->case_id,
	                             .due_id = f.due_id,
	                             .date = day,
	                             .mode = mode,
	                             .who = who,
	                             .outcome = outcome,
	                             .notes = notes};
	if ((rc = o->fcontact_set(s, &n, e)))
		goto done;
	/* corrected to a reached contact: the planned contact it answered is done, as when a
	 * reached contact is recorded */
	if (was_failed && !failed && strcmp(outcome, "deceased") && f.due_id) {
		struct open_dues od = {0};
		rc = o->due_list(s, c->case_id, 0, NULL, keep_open, &od, e);
		for (int i = 0; rc == CTIP_OK && i < od.n; i++)
			if (od.id[i] == f.due_id)
				rc = o->due_set(s, od.id[i], NULL, day, e);
	}
	if (rc == CTIP_OK && !strcmp(outcome, "deceased") && strcmp(f.outcome, "deceased"))
		rc = o->due_clear_open(s, c->case_id, e);
	/* the run of failed attempts, counted again over every contact as corrected */
	struct failed_run fr = {0};
	if (rc == CTIP_OK)
		rc = o->fcontact_list(s, c->case_id, count_failed, &fr, e);
	out->failed = fr.n;
	struct plan_left pl = {0};
	if (rc == CTIP_OK)
		rc = o->due_list(s, c->case_id, 0, NULL, count_plan, &pl, e);
	char before[16];
	snprintf(before, sizeof(before), "%s", w.followup);
	if (rc == CTIP_OK) {
		if (!strcmp(outcome, "deceased"))
			snprintf(w.followup, sizeof(w.followup), "completed");
		else if (fr.n >= lost_after)
			snprintf(w.followup, sizeof(w.followup), "lost");
		else if (!strcmp(before, "lost") ||
		         (!strcmp(before, "completed") && !strcmp(f.outcome, "deceased")))
			/* no longer lost (or no longer ended by a death): as the plan stands */
			snprintf(w.followup, sizeof(w.followup), "%s",
			         pl.open  ? "active"
			         : pl.all ? "completed"
			                  : "none");
	}
	if (rc == CTIP_OK && strcmp(before, "lost") && !strcmp(w.followup, "lost")) {
		char detail[64];
		snprintf(detail, sizeof(detail), "%d failed attempts", fr.n);
		rc = o->alert_add(s, c->case_id, "lost_to_followup", detail, e);
		out->alert = 1;
	}
	if (rc == CTIP_OK && !strcmp(outcome, "retrafficked") &&
	    strcmp(f.outcome, "retrafficked")) {
		rc = o->alert_add(s, c->case_id, "retrafficked", "reported at a follow-up contact",
		                  e);
		out->alert = 1;
	}
	if (rc == CTIP_OK && strcmp(before, w.followup))
		rc = o->work_set(s, &w, e);
	out->outcome = oc->code;
	out->followup = !strcmp(w.followup, "lost")        ? "lost"
	                : !strcmp(w.followup, "completed") ? "completed"
	                : !strcmp(w.followup, "active")    ? "active"
	                                                   : "none";
done:
	free(f.notes);
	return rc;
}

/* ---- hotline contacts ------------------------------------------------------------------------ */

/* A vocabulary value (optional unless required) as its code into *v. */
static int vocab_arg(ctip_store *s, const char *vocab, const char *field, const char **v,
                     int required, ctip_err *e)
{
	if (!*v || !**v) {
		*v = NULL;
		if (!required)
			return CTIP_OK;
	}
	const struct ctip_ref_entry *en = *v ? ctip_ref_find(s->ref, vocab, *v) : NULL;
	if (!en) {
		char ex[300];
		ctip_ref_examples(s->ref, vocab, ex, sizeof(ex));
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "%s '%s' (one of: %s)",
		                   *v ? "unknown" : "missing", *v ? *v : "", ex);
	}
	*v = en->code;
	return CTIP_OK;
}

int ctip_cw_contact_add(ctip_store *s, const struct ctip_account *actor, struct ctip_cw_hotline *h,
                        int64_t *id, ctip_err *e)
{
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	char now[20];
	int rc;
	if (!o)
		return CTIP_EINVAL;
	if (!is_role(actor, "caseworker") && !is_role(actor, "supervisor"))
		return ctip_err_set(
		        e, CTIP_EDENIED,
		        "the role %s does not take contacts (caseworkers and supervisors "
		        "do)",
		        actor->role);
	if ((rc = vocab_arg(s, "contact_channel", "channel", &h->channel, 1, e)) ||
	    (rc = vocab_arg(s, "caller_type", "caller_type", &h->caller_type, 0, e)) ||
	    (rc = vocab_arg(s, "contact_reason", "reason", &h->reason, 0, e)))
		return rc;
	if (h->province && *h->province) {
		const struct ctip_ref_entry *p =
		        ctip_ref_find(s->ref, "province_2025", h->province);
		if (!p) {
			const struct ctip_ref_entry *old =
			        ctip_ref_find(s->ref, "province_2008", h->province);
			if (old && old->extra && *old->extra)
				p = ctip_ref_get(s->ref, "province_2025", old->extra);
		}
		if (!p)
			return ctip_err_at(
			        e, CTIP_EINVAL, NULL, 0, "province",
			        "unknown province '%s' (a name or code of Vietnam's provinces)",
			        h->province);
		h->province = p->code;
	} else {
		h->province = NULL;
	}
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M", &tm);
	if (!h->at || !*h->at) {
		h->at = now;
	} else {
		int y, mo, d, hh, mi;
		char day[11], rest;
		if (strlen(h->at) != 16 ||
		    sscanf(h->at, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &hh, &mi, &rest) != 5 ||
		    hh > 23 || mi > 59 ||
		    (memcpy(day, h->at, 10), day[10] = 0, full_date(day, &y, &mo, &d)))
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "at",
			                   "'%s' is not a date and time: give YYYY-MM-DDTHH:MM",
			                   h->at);
		if (strcmp(h->at, now) > 0)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "at", "%s is in the future",
			                   h->at);
	}
	if (h->caller && *h->caller)
		h->anonymous = 0;
	else
		h->caller = NULL;
	h->org_id = actor->org_id;
	h->created_by = actor->username;
	if ((rc = begin(s, e)))
		return rc;
	return end(s, o->hotline_add(s, h, id, e), e);
}

struct one_contact {
	int found;
	int64_t org_id, case_id;
	char at[20];
};

static int keep_contact(void *ctx, const struct ctip_cw_hotline *h)
{
	struct one_contact *c = ctx;
	c->found = 1;
	c->org_id = h->org_id;
	c->case_id = h->case_id;
	snprintf(c->at, sizeof(c->at), "%s", h->at);
	return 0;
}

int ctip_cw_contact_convert(ctip_store *s, const struct ctip_account *actor, int64_t id,
                            int64_t case_id, int64_t *out_case, ctip_err *e)
{
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	struct one_contact c = {0};
	struct ctip_cw_work w;
	int rc;
	if (!o)
		return CTIP_EINVAL;
	if (!is_role(actor, "caseworker") && !is_role(actor, "supervisor"))
		return ctip_err_set(e, CTIP_EDENIED, "the role %s does not work contacts",
		                    actor->role);
	if ((rc = o->hotline_list(s, id, actor->org_id, 1, keep_contact, &c, e)))
		return rc;
	if (!c.found)
		return ctip_err_set(e, CTIP_ENOTFOUND, "no such contact H%lld", (long long)id);
	if (c.case_id)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "contact H%lld is attached to case C%lld already",
		                    (long long)id, (long long)c.case_id);
	if (case_id) {
		if ((rc = case_for_change(s, actor, case_id, &w, e)))
			return rc;
		if ((rc = begin(s, e)))
			return rc;
		*out_case = case_id;
		return end(s, o->hotline_set_case(s, id, case_id, e), e);
	}
	char src[40], day[11];
	snprintf(src, sizeof(src), "HL-%lld", (long long)id);
	memcpy(day, c.at, 10);
	day[10] = 0;
	/* the person the contact was about, unnamed until the caseworker learns more */
	json_t *j = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}]}", "src_CaseId", src, "cas_Status",
	                      "Active", "ctip_CaseOpenedDate", day, "persons", "ctip_Role",
	                      "Victim", "vic_TraffickingStatus", "PossibleVictimOfTrafficking");
	if (!j)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if ((rc = begin(s, e))) {
		json_decref(j);
		return rc;
	}
	rc = ctip_import_case(s, j, actor->org, out_case, NULL, 0, e);
	json_decref(j);
	if (rc == CTIP_OK)
		rc = o->work_get(s, *out_case, &w, e);
	if (rc == CTIP_OK) {
		if (is_role(actor, "caseworker"))
			snprintf(w.assigned, sizeof(w.assigned), "%s", actor->username);
		rc = o->work_set(s, &w, e);
	}
	if (rc == CTIP_OK)
		rc = o->hotline_set_case(s, id, *out_case, e);
	return end(s, rc, e);
}

/* ---- as JSON
 * ------------------------------------------------------------------------------------- */

json_t *ctip_cw_approval_json(const struct ctip_cw_approval *a)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "id",
	                 (json_int_t)a->id, "case_id", (json_int_t)a->case_id, "kind", a->kind,
	                 "status", a->status, "requested_by", a->requested_by, "requested_at",
	                 a->requested_at, "request_comment", a->request_comment, "decided_by",
	                 a->decided_by, "decided_at", a->decided_at, "comment", a->comment);
}

json_t *ctip_cw_hotline_json(const struct ctip_cw_hotline *h)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:b, s:s?, s:s?, s:s}", "id",
	                      (json_int_t)h->id, "org", h->org, "channel", h->channel, "at", h->at,
	                      "caller_type", h->caller_type, "reason", h->reason, "province",
	                      h->province, "anonymous", h->anonymous, "caller", h->caller, "notes",
	                      h->notes, "created_by", h->created_by);
	if (j)
		json_object_set_new(j, "case_id",
		                    h->case_id ? json_integer(h->case_id) : json_null());
	return j;
}

static int add_approval(void *ctx, const struct ctip_cw_approval *a)
{
	json_array_append_new(ctx, ctip_cw_approval_json(a));
	return 0;
}

static int add_assessment(void *ctx, const struct ctip_cw_assessment *a)
{
	json_t *ans = json_loads(a->answers, 0, NULL);
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:i, s:s, s:s, s:o}", "id",
	                                     (json_int_t)a->id, "date", a->date, "score", a->score,
	                                     "level", a->level, "created_by", a->created_by,
	                                     "answers", ans ? ans : json_object()));
	return 0;
}

struct due_ctx {
	json_t *a;
	char today[11];
};

static int add_due(void *ctx, const struct ctip_cw_due *d)
{
	struct due_ctx *c = ctx;
	json_array_append_new(c->a, json_pack("{s:I, s:s, s:i, s:s?, s:b}", "id", (json_int_t)d->id,
	                                      "due", d->due, "months", d->months, "done", d->done,
	                                      "overdue", !d->done && strcmp(d->due, c->today) < 0));
	return 0;
}

static int add_fcontact(void *ctx, const struct ctip_cw_fcontact *c)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s}", "id", (json_int_t)c->id,
	                      "date", c->date, "mode", c->mode, "who", c->who, "outcome",
	                      c->outcome, "notes", c->notes, "created_by", c->created_by);
	json_object_set_new(j, "due_id", c->due_id ? json_integer(c->due_id) : json_null());
	json_array_append_new(ctx, j);
	return 0;
}

static int add_alert(void *ctx, const struct ctip_cw_alert *a)
{
	json_array_append_new(ctx, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)a->id,
	                                     "case_id", (json_int_t)a->case_id, "kind", a->kind,
	                                     "detail", a->detail, "created_at", a->created_at));
	return 0;
}

int ctip_cw_case_json(ctip_store *s, int64_t case_id, json_t **out, ctip_err *e)
{
	const struct ctip_cw_ops *o = ctip_cw_ops(s, e);
	struct ctip_cw_work w;
	*out = NULL;
	if (!o)
		return CTIP_EINVAL;
	int rc = o->work_get(s, case_id, &w, e);
	if (rc)
		return rc;
	json_t *ap = json_array(), *as = json_array(), *du = json_array(), *fc = json_array(),
	       *al = json_array();
	struct due_ctx dc = {du, ""};
	ctip_cw_today(dc.today);
	if (!(rc = o->approval_list(s, 0, case_id, 0, NULL, add_approval, ap, e)) &&
	    !(rc = o->assessment_list(s, case_id, add_assessment, as, e)) &&
	    !(rc = o->due_list(s, case_id, 0, NULL, add_due, &dc, e)) &&
	    !(rc = o->fcontact_list(s, case_id, add_fcontact, fc, e)))
		rc = o->alert_list(s, case_id, 0, add_alert, al, e);
	if (rc) {
		json_decref(ap);
		json_decref(as);
		json_decref(du);
		json_decref(fc);
		json_decref(al);
		return rc;
	}
	/* the trend: the latest score against the one before */
	size_t n = json_array_size(as);
	const char *trend = "none";
	if (n == 1)
		trend = "first";
	else if (n > 1) {
		json_int_t a = json_integer_value(
		                   json_object_get(json_array_get(as, n - 2), "score")),
		           b = json_integer_value(
		                   json_object_get(json_array_get(as, n - 1), "score"));
		trend = b > a ? "rising" : b < a ? "falling" : "stable";
	}
	json_t *latest = n ? json_object_get(json_array_get(as, n - 1), "level") : NULL;
	*out = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:b, s:s, s:o, s:{s:O?, s:s, s:o}, "
	                 "s:{s:o, s:o}, s:o}",
	                 "case_id", (json_int_t)case_id, "org", w.org, "src_case_id", w.src_case_id,
	                 "stage", w.stage, "cas_Status", w.status[0] ? w.status : NULL,
	                 "assigned_to", w.assigned[0] ? w.assigned : NULL, "plan_approved",
	                 w.plan_approved, "followup", w.followup, "approvals", ap, "risk", "level",
	                 latest, "trend", trend, "assessments", as, "followups", "plan", du,
	                 "contacts", fc, "alerts", al);
	return *out ? CTIP_OK : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
}
