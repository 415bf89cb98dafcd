/*
 * routes_referrals.c - /api/referrals: the owner of a case refers it to
 * another registered organisation, which then sees the case (the parts the
 * victims consented to share) while the referral is live. The inbox (box=in)
 * and the outbox (box=out) of the user's organisation.
 *
 * A referral's states and who moves it (issue 10), in one table (moves):
 *   Pending (sent)  -> Accepted, Declined   by the receiver
 *   Accepted        -> Completed            by the receiver (it did what it was asked)
 *   Pending, Accepted, Completed -> Withdrawn  by the referring organisation
 * Declined and Withdrawn are final and end the receiver's view of the case;
 * the store changes the state only if it is still the one read (a move that
 * lost a race is 409), the name index follows in the same transaction, and
 * each move is audited (`referral_status`).
 */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "server.h"

static int add_ref(void *ctx, const struct ctip_referral *f)
{
	json_array_append_new(ctx,
	                      json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:b}", "id",
	                                (json_int_t)f->id, "case_id", (json_int_t)f->case_id,
	                                "from_org", f->from_org, "to_org", f->to_org, "date",
	                                f->date, "reason", f->reason ? f->reason : "", "status",
	                                f->status, "created_at", f->created_at ? f->created_at : "",
	                                "note", f->note, "unread", f->unread));
	return 0;
}

struct user_org {
	int64_t id;
	int found;
};

static int has_org(void *ctx, const struct ctip_org_item *o)
{
	struct user_org *u = ctx;
	u->found |= o->id == u->id;
	return 0;
}

int h_referral_create(struct req *r)
{
	static const char *const keys[] = {"case_id", "to_org", "reason", "date", "note", NULL};
	int64_t case_id, to;
	const char *to_org, *reason, *date, *note;
	int access, st;
	if (srv_only_keys(r, r->in, keys) || srv_get_int(r, r->in, "case_id", 1, &case_id) ||
	    srv_get_str(r, r->in, "to_org", 1, 256, &to_org) ||
	    srv_get_str(r, r->in, "reason", 0, 2000, &reason) ||
	    srv_get_str(r, r->in, "note", 0, 4000, &note) ||
	    srv_get_str(r, r->in, "date", 0, 10, &date))
		return 400;
	if ((st = srv_case_access(r, case_id, &access)))
		return st;
	if (access != CTIP_ACCESS_OWN)
		return srv_error(r, 403, NULL, "only the organisation that owns a case refers it");
	ctip_err e = {0};
	char day[11];
	if (date && *date) {
		ctip_date d;
		if (ctip_date_parse(date, &d, &e) || strlen(date) != 10)
			return srv_error(r, 400, "date", "date must be YYYY-MM-DD");
	} else {
		srv_today(day);
		date = day;
	}
	int rc = r->s->ops->org_find(r->s, to_org, &to, NULL, &e);
	struct user_org uo = {to, 0};
	/* only to an organisation that uses ctip (GET /api/orgs): the other names in the table
	 * are the data's (recruiters, providers) */
	if (!rc)
		rc = r->s->srv->org_list(r->s, has_org, &uo, &e);
	if (rc == CTIP_ENOTFOUND || (!rc && !uo.found))
		return srv_error(r, 400, "to_org", "no organisation of that name is registered");
	if (rc)
		return srv_fail(r, &e);
	if (to == r->sess.org_id)
		return srv_error(r, 400, "to_org",
		                 "a case cannot be referred to its own organisation");
	const struct ctip_ref_entry *why =
	        reason && *reason ? ctip_ref_find(r->s->ref, "referral_reason", reason) : NULL;
	struct ctip_referral f = {.case_id = case_id,
	                          .from_org_id = r->sess.org_id,
	                          .to_org_id = to,
	                          .date = date,
	                          .reason = why ? why->code : reason,
	                          .status = "Pending",
	                          .created_by = r->sess.username,
	                          .note = note};
	int64_t id = 0;
	char detail[300];
	/* the referral and its audit entry: one transaction */
	rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = r->s->srv->referral_add(r->s, &f, &id, &e);
	snprintf(detail, sizeof(detail), "referral %lld to %s", (long long)id, to_org);
	if (!rc)
		rc = srv_audit_tx1(r, "refer", "C", case_id, detail, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	if (rc) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:I}", "id", (json_int_t)id);
	return 201;
}

int h_referrals_list(struct req *r)
{
	const char *box = srv_arg(r, "box");
	if (box && strcmp(box, "in") && strcmp(box, "out"))
		return srv_error(r, 400, "box", "box is in or out");
	int in = !box || !strcmp(box, "in");
	ctip_err e = {0};
	json_t *a = json_array();
	if (r->s->srv->referral_list(r->s, 0, 0, r->sess.org_id, in, add_ref, a, &e)) {
		json_decref(a);
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:o}", "referrals", a);
	return 200;
}

struct one {
	struct ctip_referral f;
	json_t *j;
};

static int keep_one(void *ctx, const struct ctip_referral *f)
{
	struct one *o = ctx;
	o->f.from_org_id = f->from_org_id;
	o->f.to_org_id = f->to_org_id;
	o->f.case_id = f->case_id;
	o->j = json_array();
	add_ref(o->j, f);
	return 0;
}

/* The referral r->id if the user's organisation sent or received it; 0, or 404 set. */
static int find(struct req *r, struct one *o)
{
	ctip_err e = {0};
	memset(o, 0, sizeof(*o));
	if (r->s->srv->referral_list(r->s, r->id, 0, 0, 0, keep_one, o, &e))
		return srv_fail(r, &e);
	if (!o->j || (o->f.from_org_id != r->sess.org_id && o->f.to_org_id != r->sess.org_id)) {
		json_decref(o->j);
		return srv_error(r, 404, NULL, "no such referral");
	}
	return 0;
}

int h_referral_get(struct req *r)
{
	struct one o;
	int st = find(r, &o);
	if (st)
		return st;
	r->out = json_incref(json_array_get(o.j, 0));
	json_decref(o.j);
	return 200;
}

enum mover { RECEIVER, SENDER };

static const struct move {
	const char *from, *to;
	enum mover who;
} moves[] = {
        {"Pending", "Accepted", RECEIVER},   {"Pending", "Declined", RECEIVER},
        {"Accepted", "Completed", RECEIVER}, {"Pending", "Withdrawn", SENDER},
        {"Accepted", "Withdrawn", SENDER},   {"Completed", "Withdrawn", SENDER},
};

int h_referral_patch(struct req *r)
{
	static const char *const keys[] = {"status", NULL};
	const char *status;
	struct one o;
	int st;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "status", 1, 32, &status))
		return 400;
	if (strcmp(status, "Accepted") && strcmp(status, "Declined") &&
	    strcmp(status, "Completed") && strcmp(status, "Withdrawn"))
		return srv_error(r, 400, "status",
		                 "status is Accepted, Declined, Completed or Withdrawn");
	if ((st = find(r, &o)))
		return st;
	char from[16];
	snprintf(from, sizeof(from), "%s",
	         json_string_value(json_object_get(json_array_get(o.j, 0), "status")));
	json_decref(o.j);
	const struct move *m = NULL;
	for (size_t i = 0; i < sizeof(moves) / sizeof(*moves) && !m; i++)
		if (!strcmp(moves[i].from, from) && !strcmp(moves[i].to, status))
			m = &moves[i];
	int receiver = o.f.to_org_id == r->sess.org_id;
	if (!m) {
		/* who may make the move is said first: the state is not the business of others */
		int sender_move = !strcmp(status, "Withdrawn");
		if (sender_move && receiver)
			return srv_error(r, 403, "status",
			                 "only the referring organisation withdraws a referral");
		if (!sender_move && !receiver)
			return srv_error(r, 403, "status",
			                 "only the receiving organisation answers a referral");
		return srv_error(r, 409, "status", "a referral that is %s cannot become %s", from,
		                 status);
	}
	if ((m->who == RECEIVER) != receiver)
		return m->who == RECEIVER
		               ? srv_error(r, 403, "status",
		                           "only the receiving organisation answers a referral")
		               : srv_error(r, 403, "status",
		                           "only the referring organisation withdraws a referral");
	ctip_err e = {0};
	char detail[96];
	snprintf(detail, sizeof(detail), "referral %lld %s (was %s)", (long long)r->id, status,
	         from);
	/* the move and its audit entry: one transaction */
	int rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = r->s->srv->referral_set_status(r->s, r->id, from, status, &e);
	/* an answer is a reading */
	if (!rc && receiver && r->s->srv->referral_read)
		rc = r->s->srv->referral_read(r->s, r->id, &e);
	if (!rc)
		rc = srv_audit_tx1(r, "referral_status", "C", o.f.case_id, detail, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	if (rc)
		r->s->ops->rollback(r->s);
	if (rc == CTIP_ENOTFOUND)
		return srv_error(r, 409, "status",
		                 "the referral changed meanwhile: read it again and retry");
	if (rc)
		return srv_fail(r, &e);
	return h_referral_get(r);
}

/* GET /api/referrals/unread: the referrals sent to the user's organisation that nobody there
 * has opened yet (the inbox's count in the menu). */
int h_referrals_unread(struct req *r)
{
	long n = 0;
	ctip_err e = {0};
	if (r->s->srv->referral_unread && r->s->srv->referral_unread(r->s, r->sess.org_id, &n, &e))
		return srv_fail(r, &e);
	r->out = json_pack("{s:I}", "unread", (json_int_t)n);
	return 200;
}

/* POST /api/referrals/{id}/read: the receiving organisation opened the referral (audited as
 * `referral_read`, object the case). Only the receiver marks it; to the others it is 403 or,
 * when they are not a party to it, 404 as for one that does not exist. */
int h_referral_read(struct req *r)
{
	static const char *const keys[] = {NULL};
	struct one o;
	int st;
	if (srv_only_keys(r, r->in, keys))
		return 400;
	if ((st = find(r, &o)))
		return st;
	int unread = json_is_true(json_object_get(json_array_get(o.j, 0), "unread"));
	json_decref(o.j);
	if (o.f.to_org_id != r->sess.org_id)
		return srv_error(r, 403, NULL,
		                 "only the receiving organisation marks a referral read");
	if (!unread || !r->s->srv->referral_read)
		return 204;
	ctip_err e = {0};
	char detail[64];
	snprintf(detail, sizeof(detail), "referral %lld", (long long)r->id);
	int rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = r->s->srv->referral_read(r->s, r->id, &e);
	if (!rc)
		rc = srv_audit_tx1(r, "referral_read", "C", o.f.case_id, detail, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	if (rc) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	return 204;
}
