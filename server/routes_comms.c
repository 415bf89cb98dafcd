/*
 * routes_comms.c - the communications tracker over the API (lib/comms/comms.h, docs/API.md):
 *
 *   GET   /api/comms[?status=S][&overdue=1]   the organisation's communications (no bodies)
 *   POST  /api/comms                          a new one (its JSON as in docs/COMMS.md)
 *   GET   /api/comms/{id}                     one, with questions, answers and evidence
 *   PATCH /api/comms/{id}                     saves it whole; "version" is the one read: a
 *                                             save over a newer one is 409 "conflict"
 *   GET   /api/comms/{id}/reply[?format=json|html|xlsx]
 *                                             the reply computed from records now; html and
 *                                             xlsx are downloads
 *   POST  /api/comms/{id}/record              puts the reply's figures into the ledger
 *
 * A communication is its organisation's: another's is 404 as one that does not exist. The
 * rules (roles, validation, what a reply may show) are comms.c's; every read is audited here,
 * every write with the change (comms.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comms.h"
#include "facts.h"
#include "server.h"

static int audit_one(struct req *r, const char *action, int64_t id, const char *detail)
{
	char obj[32];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "M%lld", (long long)id);
	if (srv_audit(r->sess.username, action, &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	return 0;
}

static int add_item(void *ctx, const struct ctip_comm *c)
{
	json_t *j = ctip_comms_json(NULL, c);
	json_object_del(j, "questions");
	json_object_set_new(
	        j, "questions_count",
	        json_integer((json_int_t)json_array_size(json_object_get(c->body, "questions"))));
	json_array_append_new(ctx, j);
	return CTIP_OK;
}

int h_comms_list(struct req *r)
{
	struct ctip_account a;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	const char *status = srv_arg(r, "status"), *od = srv_arg(r, "overdue");
	json_t *list = json_array();
	if (ctip_comms_list(r->s, &a, status && *status ? status : NULL, od && !strcmp(od, "1"),
	                    add_item, list, &e)) {
		json_decref(list);
		return srv_cw_error(r, &e);
	}
	r->s->srv->read_end(r->s);
	const char *obj = "communications";
	if (srv_audit(r->sess.username, "view", &obj, 1, status ? status : "all")) {
		json_decref(list);
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	}
	r->out = json_pack("{s:o, s:I}", "communications", list, "total",
	                   (json_int_t)json_array_size(list));
	return 200;
}

int h_comms_get(struct req *r)
{
	struct ctip_account a;
	struct ctip_comm c;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (ctip_comms_get(r->s, &a, r->id, NULL, &c, &e))
		return srv_cw_error(r, &e);
	r->s->srv->read_end(r->s);
	int st = audit_one(r, "comms-show", c.id, c.ref);
	if (!st)
		r->out = ctip_comms_json(r->s, &c);
	ctip_comms_clear(&c);
	return st ? st : 200;
}

int h_comms_add(struct req *r)
{
	struct ctip_account a;
	struct ctip_comm c;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (!ctip_comms_may_write(&a))
		return srv_error(r, 403, NULL, "your role does not record communications");
	if (ctip_comms_from_json(r->s, r->in, &c, &e) || ctip_comms_add(r->s, &a, &c, &e)) {
		ctip_comms_clear(&c);
		return srv_cw_error(r, &e);
	}
	r->out = json_pack("{s:I, s:I}", "id", (json_int_t)c.id, "version", (json_int_t)c.version);
	ctip_comms_clear(&c);
	return 201;
}

int h_comms_save(struct req *r)
{
	struct ctip_account a;
	struct ctip_comm c;
	ctip_err e = {0};
	srv_cw_actor(r, &a);
	if (!ctip_comms_may_write(&a))
		return srv_error(r, 403, NULL, "your role does not change communications");
	json_t *ver = json_object_get(r->in, "version");
	if (!json_is_integer(ver) || json_integer_value(ver) < 1)
		return srv_error(r, 400, "version",
		                 "version is required: the version you read (GET), so that a save "
		                 "never overwrites someone else's");
	if (ctip_comms_from_json(r->s, r->in, &c, &e)) {
		ctip_comms_clear(&c);
		return srv_cw_error(r, &e);
	}
	c.id = r->id;
	c.version = json_integer_value(ver);
	if (ctip_comms_update(r->s, &a, &c, &e)) {
		ctip_comms_clear(&c);
		return srv_cw_error(r, &e);
	}
	r->out = json_pack("{s:I, s:I}", "id", (json_int_t)c.id, "version", (json_int_t)c.version);
	ctip_comms_clear(&c);
	return 200;
}

/* The reply of communication r->id, computed now; NULL with the status set. */
static json_t *make_reply(struct req *r, struct ctip_comm *c, int *status)
{
	struct ctip_account a;
	ctip_err e = {0};
	memset(c, 0, sizeof(*c));
	srv_cw_actor(r, &a);
	if (ctip_comms_get(r->s, &a, r->id, NULL, c, &e)) {
		*status = srv_cw_error(r, &e);
		return NULL;
	}
	/* the snapshot has its own transaction: not the request's */
	r->s->srv->read_end(r->s);
	ctip_facts *f = NULL;
	json_t *rep = NULL;
	if (r->s->ops->stats_facts(r->s, -1, NULL, &f, &e) == CTIP_OK)
		rep = ctip_comms_reply(r->s, &a, c, f, &e);
	ctip_facts_free(f);
	if (!rep)
		*status = srv_cw_error(r, &e);
	return rep;
}

/* A reply document into r->out_doc: HTML from memory, XLSX through a private file. */
static int document(struct req *r, const json_t *rep, const char *fmt, int64_t id)
{
	ctip_err e = {0};
	int rc;
	if (!strcmp(fmt, "html")) {
		FILE *m = open_memstream(&r->out_doc, &r->out_doc_len);
		if (!m)
			return srv_error(r, 500, NULL, "out of memory");
		rc = ctip_comms_reply_html(m, rep, &e);
		fclose(m);
		r->out_doc_type = "text/html; charset=utf-8";
		snprintf(r->out_doc_name, sizeof(r->out_doc_name), "reply-M%lld.html",
		         (long long)id);
		return rc ? srv_fail(r, &e) : 200;
	}
	char path[] = "/tmp/ctip-reply-XXXXXX";
	int fd = mkstemp(path); /* 0600: figures only, but nobody else's to read */
	if (fd < 0)
		return srv_error(r, 500, NULL, "internal error");
	close(fd);
	rc = ctip_comms_reply_xlsx(path, rep, &e);
	FILE *in = rc ? NULL : fopen(path, "rb");
	if (in) {
		fseek(in, 0, SEEK_END);
		long n = ftell(in);
		rewind(in);
		r->out_doc = n > 0 ? malloc((size_t)n) : NULL;
		if (!r->out_doc || fread(r->out_doc, 1, (size_t)n, in) != (size_t)n) {
			free(r->out_doc);
			r->out_doc = NULL;
		} else {
			r->out_doc_len = (size_t)n;
		}
		fclose(in);
	}
	unlink(path);
	if (!r->out_doc)
		return rc ? srv_fail(r, &e) : srv_error(r, 500, NULL, "internal error");
	r->out_doc_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	snprintf(r->out_doc_name, sizeof(r->out_doc_name), "reply-M%lld.xlsx", (long long)id);
	return 200;
}

int h_comms_reply(struct req *r)
{
	const char *fmt = srv_arg(r, "format");
	if (!fmt || !*fmt)
		fmt = "json";
	if (strcmp(fmt, "json") && strcmp(fmt, "html") && strcmp(fmt, "xlsx"))
		return srv_error(r, 400, "format", "format: json, html or xlsx");
	struct ctip_comm c;
	int st = 0;
	json_t *rep = make_reply(r, &c, &st);
	if (!rep) {
		ctip_comms_clear(&c);
		return st;
	}
	if (!(st = audit_one(r, "comms-reply", c.id, c.ref))) {
		if (!strcmp(fmt, "json")) {
			r->out = rep;
			rep = NULL;
			st = 200;
		} else {
			st = document(r, rep, fmt, c.id);
		}
	}
	json_decref(rep);
	ctip_comms_clear(&c);
	return st;
}

int h_comms_record(struct req *r)
{
	struct ctip_account a;
	srv_cw_actor(r, &a);
	if (!ctip_comms_may_write(&a))
		return srv_error(r, 403, NULL, "your role does not change the ledger");
	struct ctip_comm c;
	int st = 0;
	json_t *rep = make_reply(r, &c, &st);
	if (!rep) {
		ctip_comms_clear(&c);
		return st;
	}
	ctip_err e = {0};
	size_t n = 0;
	/* the entry first: no entry, no change */
	if (!(st = audit_one(r, "comms-record", c.id, c.ref))) {
		if (ctip_comms_record(r->s, rep, &n, &e))
			st = srv_cw_error(r, &e);
		else {
			r->out = json_pack("{s:I}", "figures", (json_int_t)n);
			st = 200;
		}
	}
	json_decref(rep);
	ctip_comms_clear(&c);
	return st;
}
