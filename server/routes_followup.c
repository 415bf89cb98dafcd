/*
 * routes_followup.c - follow-up over the API (casework.h, docs/CASEWORK.md): a case's plan
 * and contacts (GET /api/cases/{id}/followups), a new plan (POST .../followups/plan
 * {"from", "months"}), a contact recorded (POST .../followups {"date", "mode", "who",
 * "outcome", "notes"}), a contact corrected (PATCH .../followups/{sub}, the same fields and
 * "version"), and what the organisation has due and overdue
 * (GET /api/followups/due?overdue=1). The owner's alone (access.c, srv_case_owned); reading
 * the notes is audited.
 */
#include <stdio.h>
#include <string.h>

#include "casework.h"
#include "server.h"

int h_cw_followups(struct req *r)
{
	int st = srv_case_owned(r, r->id);
	if (st)
		return st;
	ctip_err e = {0};
	json_t *j;
	if (ctip_cw_case_json(r->s, r->id, &j, &e))
		return srv_cw_error(r, &e);
	json_t *f = json_object_get(j, "followups");
	r->out = json_pack("{s:I, s:O, s:O, s:O}", "case_id", (json_int_t)r->id, "state",
	                   json_object_get(j, "followup"), "plan", json_object_get(f, "plan"),
	                   "contacts", json_object_get(f, "contacts"));
	json_decref(j);
	if (!r->out)
		return srv_error(r, 500, NULL, "out of memory");
	r->s->srv->read_end(r->s);
	char obj[32];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "C%lld", (long long)r->id);
	if (srv_audit(r->sess.username, "view", &o, 1, "followups"))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	return 200;
}

int h_cw_followup_plan(struct req *r)
{
	static const char *const keys[] = {"from", "months", NULL};
	const char *from, *months;
	int st, n;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "from", 0, 10, &from) ||
	    srv_get_str(r, r->in, "months", 0, 100, &months))
		return 400;
	if ((st = srv_case_owned(r, r->id)))
		return st;
	struct ctip_account a;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (ctip_cw_plan(r->s, &a, r->id, from, months, &n, &e))
		return srv_cw_error(r, &e);
	char obj[32], detail[64];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "C%lld", (long long)r->id);
	snprintf(detail, sizeof(detail), "follow-up plan of %d contacts", n);
	if (srv_audit(r->sess.username, "followup_plan", &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	r->out = json_pack("{s:I, s:i}", "case_id", (json_int_t)r->id, "planned", n);
	return 201;
}

int h_cw_followup_record(struct req *r)
{
	static const char *const keys[] = {"date", "mode", "who", "outcome", "notes", NULL};
	struct ctip_cw_fcontact f = {.case_id = r->id};
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "date", 0, 10, &f.date) ||
	    srv_get_str(r, r->in, "mode", 1, 64, &f.mode) ||
	    srv_get_str(r, r->in, "who", 0, 200, &f.who) ||
	    srv_get_str(r, r->in, "outcome", 1, 64, &f.outcome) ||
	    srv_get_str(r, r->in, "notes", 0, 8000, &f.notes))
		return 400;
	if ((st = srv_case_owned(r, r->id)))
		return st;
	struct ctip_account a;
	struct ctip_cw_record_out out;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (ctip_cw_record(r->s, &a, &f, &out, &e))
		return srv_cw_error(r, &e);
	char obj[32], detail[100];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "C%lld", (long long)r->id);
	snprintf(detail, sizeof(detail), "follow-up contact %lld: %s", (long long)out.id,
	         f.outcome);
	if (srv_audit(r->sess.username, "followup_record", &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	r->out = json_pack("{s:I, s:s, s:i, s:s}", "id", (json_int_t)out.id, "outcome", f.outcome,
	                   "failed_attempts", out.failed, "followup", out.followup);
	if (out.due_id)
		json_object_set_new(r->out, "due_id", json_integer(out.due_id));
	return 201;
}

/* A recorded contact corrected: the fields given replace the recorded ones (notes sealed as
 * on record; "" removes them), the failed attempts recounted and the plan's state recomputed
 * (casework.h, ctip_cw_record_fix). One write transaction that takes the case's version
 * (If-Match or "version") before writing: a stale copy is refused with 409, nothing changed.
 * Audited in the same transaction. */
int h_cw_followup_patch(struct req *r)
{
	static const char *const keys[] = {"date",  "mode",    "who", "outcome",
	                                   "notes", "version", NULL};
	struct ctip_cw_fcontact f = {.id = r->sub, .case_id = r->id};
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "date", 0, 10, &f.date) ||
	    srv_get_str(r, r->in, "mode", 0, 64, &f.mode) ||
	    srv_get_str(r, r->in, "who", 0, 200, &f.who) ||
	    srv_get_str(r, r->in, "outcome", 0, 64, &f.outcome) ||
	    srv_get_str(r, r->in, "notes", 0, 8000, &f.notes))
		return 400;
	if (!f.date && !f.mode && !f.who && !f.outcome && !f.notes)
		return srv_error(r, 400, NULL,
		                 "nothing to correct: give date, mode, who, outcome or notes");
	struct srv_cw_hold h = {r, srv_wanted_version(r), 0};
	if (h.expect < 0)
		return 400;
	ctip_err e = {0};
	if (r->s->ops->begin(r->s, &e))
		return srv_fail(r, &e);
	if ((st = srv_case_owned(r, r->id))) {
		r->s->ops->rollback(r->s);
		return st;
	}
	struct ctip_account a;
	struct ctip_cw_record_fix_out out;
	srv_cw_actor(r, &a);
	if (ctip_cw_record_fix(r->s, &a, &f, srv_cw_hold_version, &h, &out, &e))
		return srv_cw_fix_error(r, &e);
	char detail[128];
	snprintf(detail, sizeof(detail), "follow-up contact %lld corrected: %s", (long long)r->sub,
	         out.outcome);
	if (srv_audit_tx1(r, "followup_correct", "C", r->id, detail, &e) ||
	    r->s->ops->commit(r->s, &e)) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:I, s:I, s:s, s:i, s:s, s:b, s:I}", "id", (json_int_t)r->sub,
	                   "case_id", (json_int_t)r->id, "outcome", out.outcome, "failed_attempts",
	                   out.failed, "followup", out.followup, "alert", out.alert, "version",
	                   (json_int_t)h.version);
	return r->out ? 200 : srv_error(r, 500, NULL, "out of memory");
}

struct due_ctx {
	json_t *a;
	char today[11];
};

static int add_due(void *ctx, const struct ctip_cw_due *d)
{
	struct due_ctx *c = ctx;
	json_array_append_new(c->a, json_pack("{s:I, s:I, s:s, s:s, s:i, s:s?, s:b}", "id",
	                                      (json_int_t)d->id, "case_id", (json_int_t)d->case_id,
	                                      "src_case_id", d->src_case_id, "due", d->due,
	                                      "months", d->months, "assigned_to", d->assigned,
	                                      "overdue", strcmp(d->due, c->today) < 0));
	return 0;
}

int h_cw_followups_due(struct req *r)
{
	const char *ov = srv_arg(r, "overdue");
	if (ov && strcmp(ov, "0") && strcmp(ov, "1"))
		return srv_error(r, 400, "overdue", "overdue is 0 or 1");
	int overdue = ov && !strcmp(ov, "1");
	ctip_err e = {0};
	const struct ctip_cw_ops *o = ctip_cw_ops(r->s, &e);
	struct due_ctx c = {json_array(), ""};
	char until[11];
	srv_today(c.today);
	ctip_cw_add_days(c.today, overdue ? -1 : CTIP_DUE_WINDOW_DAYS, until);
	if (!o || o->due_list(r->s, 0, r->sess.org_id, until, add_due, &c, &e)) {
		json_decref(c.a);
		return srv_cw_error(r, &e);
	}
	r->out = json_pack("{s:o, s:i}", "due", c.a, "window_days", CTIP_DUE_WINDOW_DAYS);
	return 200;
}
