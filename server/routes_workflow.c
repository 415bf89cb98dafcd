/*
 * routes_workflow.c - the workflow of a case over the API (casework.h, docs/CASEWORK.md):
 * GET /api/cases/{id}/workflow (stage, assignment, approvals, risk trend, follow-up, alerts),
 * POST /api/cases/{id}/assign and /stage, the organisation's approvals waiting
 * (GET /api/approvals) and a supervisor's decision (POST /api/approvals/{id}), open alerts
 * (GET /api/alerts). Casework is the owning organisation's alone (access.c,
 * srv_case_owned); the rules of roles and assignment are casework.c's. Every change and
 * every read of free text is audited.
 */
#include <stdio.h>
#include <string.h>

#include "casework.h"
#include "server.h"

void srv_cw_actor(struct req *r, struct ctip_account *a)
{
	memset(a, 0, sizeof(*a));
	a->id = r->sess.account_id;
	a->org_id = r->sess.org_id;
	snprintf(a->username, sizeof(a->username), "%s", r->sess.username);
	snprintf(a->org, sizeof(a->org), "%s", r->sess.org);
	snprintf(a->role, sizeof(a->role), "%s", r->sess.role);
}

int srv_cw_error(struct req *r, const ctip_err *e)
{
	switch (e->code) {
	case CTIP_EINVAL: return srv_error(r, 400, e->field[0] ? e->field : NULL, "%s", e->msg);
	case CTIP_ENOTFOUND: return srv_error(r, 404, NULL, "%s", e->msg);
	case CTIP_EDENIED: return srv_error(r, 403, NULL, "%s", e->msg);
	case CTIP_ECONFLICT: return srv_error(r, 409, NULL, "%s", e->msg);
	default: return srv_fail(r, e);
	}
}

int srv_cw_hold_version(void *ctx, ctip_err *e)
{
	struct srv_cw_hold *h = ctx;
	return h->r->s->srv->case_bump(h->r->s, h->r->id, h->expect, &h->version, e);
}

int srv_cw_fix_error(struct req *r, const ctip_err *e)
{
	r->s->ops->rollback(r->s);
	return e->code == CTIP_ECONFLICT ? srv_fail(r, e) : srv_cw_error(r, e);
}

/* One audit entry on object PREFIX<id>; 0, or 500 set. */
static int audit(struct req *r, const char *action, char prefix, int64_t id, const char *detail)
{
	char obj[32];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "%c%lld", prefix, (long long)id);
	if (srv_audit(r->sess.username, action, &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	return 0;
}

int h_cw_workflow(struct req *r)
{
	int st = srv_case_owned(r, r->id);
	if (st)
		return st;
	ctip_err e = {0};
	json_t *j;
	if (ctip_cw_case_json(r->s, r->id, &j, &e))
		return srv_cw_error(r, &e);
	r->s->srv->read_end(r->s); /* the reads are done: let the snapshot go */
	if ((st = audit(r, "view", 'C', r->id, "casework"))) {
		json_decref(j);
		return st;
	}
	r->out = j;
	return 200;
}

int h_cw_assign(struct req *r)
{
	static const char *const keys[] = {"to", NULL};
	const char *to;
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "to", 1, 64, &to))
		return 400;
	if ((st = srv_case_owned(r, r->id)))
		return st;
	struct ctip_account a;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (ctip_cw_assign(r->s, &a, r->id, to, &e))
		return srv_cw_error(r, &e);
	char detail[100];
	snprintf(detail, sizeof(detail), "assigned to %s", to);
	if ((st = audit(r, "case_assign", 'C', r->id, detail)))
		return st;
	r->out = json_pack("{s:I, s:s}", "case_id", (json_int_t)r->id, "assigned_to", to);
	return 200;
}

int h_cw_stage(struct req *r)
{
	static const char *const keys[] = {"stage", "comment", NULL};
	const char *stage, *comment;
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "stage", 1, 32, &stage) ||
	    srv_get_str(r, r->in, "comment", 0, 4000, &comment))
		return 400;
	if ((st = srv_case_owned(r, r->id)))
		return st;
	struct ctip_account a;
	ctip_err e = {0};
	int64_t ap = 0;
	srv_cw_actor(r, &a);
	if (ctip_cw_stage(r->s, &a, r->id, stage, comment, &ap, &e))
		return srv_cw_error(r, &e);
	char detail[100];
	if (ap) {
		snprintf(detail, sizeof(detail), "approval %lld requested: %s", (long long)ap,
		         stage);
		if ((st = audit(r, "approval_request", 'C', r->id, detail)))
			return st;
		r->out = json_pack("{s:I, s:I, s:s}", "case_id", (json_int_t)r->id, "approval",
		                   (json_int_t)ap, "status", "requested");
		return 202;
	}
	snprintf(detail, sizeof(detail), "stage %s", stage);
	if ((st = audit(r, "case_stage", 'C', r->id, detail)))
		return st;
	r->out = json_pack("{s:I, s:s}", "case_id", (json_int_t)r->id, "stage", stage);
	return 200;
}

static int add_approval(void *ctx, const struct ctip_cw_approval *a)
{
	json_array_append_new(ctx, ctip_cw_approval_json(a));
	return 0;
}

int h_cw_approvals(struct req *r)
{
	const char *status = srv_arg(r, "status");
	if (status && strcmp(status, "requested") && strcmp(status, "approved") &&
	    strcmp(status, "rejected"))
		return srv_error(r, 400, "status", "status is requested, approved or rejected");
	ctip_err e = {0};
	const struct ctip_cw_ops *o = ctip_cw_ops(r->s, &e);
	json_t *a = json_array();
	if (!o || o->approval_list(r->s, 0, 0, r->sess.org_id, status ? status : "requested",
	                           add_approval, a, &e)) {
		json_decref(a);
		return srv_cw_error(r, &e);
	}
	r->out = json_pack("{s:o}", "approvals", a);
	return 200;
}

int h_cw_approval_decide(struct req *r)
{
	static const char *const keys[] = {"decision", "comment", NULL};
	const char *decision, *comment, *kind;
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "decision", 1, 16, &decision) ||
	    srv_get_str(r, r->in, "comment", 0, 4000, &comment))
		return 400;
	int approve = !strcmp(decision, "approved");
	if (!approve && strcmp(decision, "rejected"))
		return srv_error(r, 400, "decision", "decision is approved or rejected");
	struct ctip_account a;
	ctip_err e = {0};
	int64_t case_id;
	srv_cw_actor(r, &a);
	if (ctip_cw_decide(r->s, &a, r->id, approve, comment, &case_id, &kind, &e))
		return srv_cw_error(r, &e);
	char detail[100];
	snprintf(detail, sizeof(detail), "approval %lld %s: %s", (long long)r->id, decision, kind);
	if ((st = audit(r, approve ? "approval_approve" : "approval_reject", 'C', case_id, detail)))
		return st;
	r->out = json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)r->id, "case_id",
	                   (json_int_t)case_id, "kind", kind, "status", decision);
	return 200;
}

static int add_alert(void *ctx, const struct ctip_cw_alert *a)
{
	json_array_append_new(ctx, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)a->id,
	                                     "case_id", (json_int_t)a->case_id, "kind", a->kind,
	                                     "detail", a->detail, "created_at", a->created_at));
	return 0;
}

int h_cw_alerts(struct req *r)
{
	ctip_err e = {0};
	const struct ctip_cw_ops *o = ctip_cw_ops(r->s, &e);
	json_t *a = json_array();
	if (!o || o->alert_list(r->s, 0, r->sess.org_id, add_alert, a, &e)) {
		json_decref(a);
		return srv_cw_error(r, &e);
	}
	r->out = json_pack("{s:o}", "alerts", a);
	return 200;
}
