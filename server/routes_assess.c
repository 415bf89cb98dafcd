/*
 * routes_assess.c - re-trafficking risk assessments over the API (risk.h, casework.h):
 * GET /api/risk/instrument (the questions, answers, scores and labels), and a case's
 * assessments, GET and POST /api/cases/{id}/assessments ({"date", "answers": {question:
 * answer}}), and a correction of one, PATCH /api/cases/{id}/assessments/{sub} ({"date",
 * "answers", "version"}). The owner's alone (access.c, srv_case_owned).
 */
#include <stdio.h>
#include <string.h>

#include "casework.h"
#include "risk.h"
#include "server.h"

int h_cw_instrument(struct req *r)
{
	ctip_err e = {0};
	const struct ctip_risk *k = ctip_risk_get(&e);
	if (!k)
		return srv_fail(r, &e);
	r->out = ctip_risk_json(k);
	return 200;
}

int h_cw_assessments(struct req *r)
{
	int st = srv_case_owned(r, r->id);
	if (st)
		return st;
	ctip_err e = {0};
	json_t *j;
	if (ctip_cw_case_json(r->s, r->id, &j, &e))
		return srv_cw_error(r, &e);
	json_t *risk = json_object_get(j, "risk");
	r->out = json_pack("{s:I, s:O, s:O, s:O}", "case_id", (json_int_t)r->id, "level",
	                   json_object_get(risk, "level"), "trend", json_object_get(risk, "trend"),
	                   "assessments", json_object_get(risk, "assessments"));
	json_decref(j);
	return r->out ? 200 : srv_error(r, 500, NULL, "out of memory");
}

int h_cw_assess(struct req *r)
{
	static const char *const keys[] = {"date", "answers", NULL};
	const char *date;
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "date", 0, 10, &date))
		return 400;
	json_t *answers = json_object_get(r->in, "answers");
	if (!json_is_object(answers))
		return srv_error(r, 400, "answers",
		                 "answers must be an object of question codes to answer codes "
		                 "(GET /api/risk/instrument)");
	if ((st = srv_case_owned(r, r->id)))
		return st;
	struct ctip_account a;
	struct ctip_cw_assess_out out;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (ctip_cw_assess(r->s, &a, r->id, date, answers, &out, &e))
		return srv_cw_error(r, &e);
	char obj[32], detail[100];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "C%lld", (long long)r->id);
	snprintf(detail, sizeof(detail), "assessment %lld: score %d, %s", (long long)out.id,
	         out.score, out.level);
	if (srv_audit(r->sess.username, "assess", &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	r->out = json_pack("{s:I, s:i, s:s, s:b, s:b, s:i}", "id", (json_int_t)out.id, "score",
	                   out.score, "level", out.level, "linked", out.linked, "alert",
	                   !strcmp(out.level, "high"), "followups_moved", out.moved);
	return 201;
}

/* A recorded assessment corrected: its date and/or answers (merged over the recorded ones;
 * null unanswers a question), score and level recomputed by the instrument as on add. Read,
 * checks and write in one write transaction that takes the case's version (If-Match or
 * "version") before writing: a correction made on a stale copy is refused with 409 and
 * changes nothing. Audited in the same transaction: no entry, no change. */
int h_cw_assess_patch(struct req *r)
{
	static const char *const keys[] = {"date", "answers", "version", NULL};
	const char *date = NULL;
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "date", 0, 10, &date))
		return 400;
	json_t *answers = json_object_get(r->in, "answers");
	if (answers && !json_is_object(answers))
		return srv_error(r, 400, "answers",
		                 "answers must be an object of question codes to answer codes "
		                 "(GET /api/risk/instrument)");
	if (!date && !answers)
		return srv_error(r, 400, NULL, "nothing to correct: give date or answers");
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
	struct ctip_cw_assess_fix_out out;
	srv_cw_actor(r, &a);
	if (ctip_cw_assess_fix(r->s, &a, r->id, r->sub, date, answers, srv_cw_hold_version, &h,
	                       &out, &e))
		return srv_cw_fix_error(r, &e);
	char detail[128];
	snprintf(detail, sizeof(detail), "assessment %lld corrected: score %d, %s (was %d, %s)",
	         (long long)r->sub, out.score, out.level, out.was_score, out.was_level);
	if (srv_audit_tx1(r, "assess_correct", "C", r->id, detail, &e) ||
	    r->s->ops->commit(r->s, &e)) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	r->out =
	        json_pack("{s:I, s:I, s:s, s:i, s:s, s:b, s:b, s:i, s:I}", "id", (json_int_t)r->sub,
	                  "case_id", (json_int_t)r->id, "date", out.date, "score", out.score,
	                  "level", out.level, "linked", out.linked, "alert", out.alert,
	                  "followups_moved", out.moved, "version", (json_int_t)h.version);
	return r->out ? 200 : srv_error(r, 500, NULL, "out of memory");
}
