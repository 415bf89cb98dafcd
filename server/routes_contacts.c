/*
 * routes_contacts.c - hotline contacts over the API (casework.h): GET and POST /api/contacts,
 * GET /api/contacts/{id}, POST /api/contacts/{id}/convert ({} opens a new case, {"case_id"}
 * attaches it to one of the organisation's cases). A contact is its organisation's alone:
 * another organisation's is 404 as one that does not exist. Reading one (its notes and a
 * named caller) is audited.
 */
#include <stdio.h>
#include <string.h>

#include "casework.h"
#include "server.h"

static int add_contact(void *ctx, const struct ctip_cw_hotline *h)
{
	json_t *j = ctip_cw_hotline_json(h);
	/* the list shows no free text and no caller: GET /api/contacts/{id} does, audited */
	json_object_del(j, "notes");
	json_object_del(j, "caller");
	json_array_append_new(ctx, j);
	return 0;
}

int h_cw_contacts(struct req *r)
{
	int64_t limit;
	if (srv_arg_int(r, "limit", 100, 1000, &limit))
		return 400;
	ctip_err e = {0};
	const struct ctip_cw_ops *o = ctip_cw_ops(r->s, &e);
	json_t *a = json_array();
	if (!o || o->hotline_list(r->s, 0, r->sess.org_id, limit, add_contact, a, &e)) {
		json_decref(a);
		return srv_cw_error(r, &e);
	}
	r->out = json_pack("{s:o}", "contacts", a);
	return 200;
}

static int keep_one(void *ctx, const struct ctip_cw_hotline *h)
{
	*(json_t **)ctx = ctip_cw_hotline_json(h);
	return 0;
}

int h_cw_contact_get(struct req *r)
{
	ctip_err e = {0};
	const struct ctip_cw_ops *o = ctip_cw_ops(r->s, &e);
	json_t *j = NULL;
	if (!o || o->hotline_list(r->s, r->id, r->sess.org_id, 1, keep_one, &j, &e)) {
		json_decref(j);
		return srv_cw_error(r, &e);
	}
	if (!j)
		return srv_error(r, 404, NULL, "no such contact");
	r->s->srv->read_end(r->s);
	char obj[32];
	const char *ob = obj;
	snprintf(obj, sizeof(obj), "H%lld", (long long)r->id);
	if (srv_audit(r->sess.username, "view", &ob, 1, "contact")) {
		json_decref(j);
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	}
	r->out = j;
	return 200;
}

int h_cw_contact_add(struct req *r)
{
	static const char *const keys[] = {"channel", "at",    "caller_type", "reason", "province",
	                                   "caller",  "notes", "anonymous",   NULL};
	struct ctip_cw_hotline h = {.anonymous = 1};
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "channel", 1, 32, &h.channel) ||
	    srv_get_str(r, r->in, "at", 0, 16, &h.at) ||
	    srv_get_str(r, r->in, "caller_type", 0, 64, &h.caller_type) ||
	    srv_get_str(r, r->in, "reason", 0, 64, &h.reason) ||
	    srv_get_str(r, r->in, "province", 0, 100, &h.province) ||
	    srv_get_str(r, r->in, "caller", 0, 300, &h.caller) ||
	    srv_get_str(r, r->in, "notes", 0, 8000, &h.notes))
		return 400;
	json_t *an = json_object_get(r->in, "anonymous");
	if (an && !json_is_boolean(an))
		return srv_error(r, 400, "anonymous", "anonymous is true or false");
	if (json_is_true(an) && h.caller && *h.caller)
		return srv_error(r, 400, "caller", "an anonymous contact names no caller");
	struct ctip_account a;
	ctip_err e = {0};
	int64_t id;
	srv_cw_actor(r, &a);
	if (ctip_cw_contact_add(r->s, &a, &h, &id, &e))
		return srv_cw_error(r, &e);
	char obj[32], detail[64];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "H%lld", (long long)id);
	snprintf(detail, sizeof(detail), "contact %s%s", h.channel,
	         h.anonymous ? ", anonymous" : "");
	if (srv_audit(r->sess.username, "contact_add", &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	r->out = json_pack("{s:I, s:b}", "id", (json_int_t)id, "anonymous", h.anonymous);
	return 201;
}

int h_cw_contact_convert(struct req *r)
{
	static const char *const keys[] = {"case_id", NULL};
	int64_t case_id, out;
	if (srv_only_keys(r, r->in, keys) || srv_get_int(r, r->in, "case_id", 0, &case_id))
		return 400;
	int st;
	/* attaching: the case must be the organisation's own (404 / 403 as for casework) */
	if (case_id && (st = srv_case_owned(r, case_id)))
		return st;
	struct ctip_account a;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (ctip_cw_contact_convert(r->s, &a, r->id, case_id, &out, &e))
		return srv_cw_error(r, &e);
	char obj[32], detail[64];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "H%lld", (long long)r->id);
	snprintf(detail, sizeof(detail), "%s case C%lld", case_id ? "attached to" : "opened",
	         (long long)out);
	if (srv_audit(r->sess.username, "contact_convert", &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	if (!case_id) {
		snprintf(obj, sizeof(obj), "C%lld", (long long)out);
		if (srv_audit(r->sess.username, "create", &o, 1, "from a hotline contact"))
			return srv_error(r, 500, NULL, "the audit log cannot be written");
	}
	r->out = json_pack("{s:I, s:I, s:b}", "id", (json_int_t)r->id, "case_id", (json_int_t)out,
	                   "new_case", !case_id);
	return case_id ? 200 : 201;
}
