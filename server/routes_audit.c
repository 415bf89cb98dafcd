/*
 * routes_audit.c - GET /api/audit?person=12: who saw or changed a person
 * record, and when. Auditors see every record's entries (and, without
 * person, the latest entries); supervisors those of their organisation's
 * records only (others: 404). With any of page, per_page, user, action, from, to or
 * format=csv: filtered, newest first, paged with the total (or every match as CSV).
 */
#include <stdio.h>
#include <string.h>

#include "csv_write.h"
#include "server.h"
#include "store_lists.h"

#define AUDIT_MAX        1000
#define AUDIT_EXPORT_MAX 200000

/* The newest AUDIT_MAX entries, in a ring. */
struct lst {
	json_t *ring[AUDIT_MAX];
	long n;
};

static int add(void *ctx, const struct ctip_audit_entry *en)
{
	struct lst *l = ctx;
	json_t **slot = &l->ring[l->n++ % AUDIT_MAX];
	json_decref(*slot);
	*slot = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)en->id, "at", en->at,
	                  "actor", en->actor, "action", en->action, "object", en->object, "detail",
	                  en->detail);
	return 0;
}

/* ---- filtered and paged (issue 14, item 5): user, action, period, page, format=csv ---- */

struct apage {
	json_t *a;
	FILE *csv;
};

static int add_paged(void *ctx, const struct ctip_audit_entry *en)
{
	struct apage *p = ctx;
	if (p->csv) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)en->id);
		const char *cells[] = {id, en->at, en->actor, en->action, en->object, en->detail};
		ctip_csv_row(p->csv, cells, 6);
		return 0;
	}
	json_array_append_new(p->a,
	                      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)en->id,
	                                "at", en->at, "actor", en->actor, "action", en->action,
	                                "object", en->object, "detail", en->detail));
	return 0;
}

static int audit_date(struct req *r, const char *name, char out[11])
{
	const char *v = srv_arg(r, name);
	int d, m, y;
	char rest;
	out[0] = 0;
	if (!v || !*v)
		return 0;
	if ((sscanf(v, "%2d/%2d/%4d%c", &d, &m, &y, &rest) == 3 ||
	     sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &rest) == 3) &&
	    y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
		snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
		return 0;
	}
	return srv_error(r, 400, name, "%s: a date as DD/MM/YYYY or YYYY-MM-DD", name);
}

static int audit_paged(struct req *r, const char *object)
{
	int64_t page, per;
	char from[11], to[11];
	const char *user = srv_arg(r, "user"), *action = srv_arg(r, "action"),
	           *format = srv_arg(r, "format");
	int csv = format && !strcmp(format, "csv");
	if (srv_arg_int(r, "page", 1, 1000000, &page) ||
	    srv_arg_int(r, "per_page", 50, 200, &per) || audit_date(r, "from", from) ||
	    audit_date(r, "to", to))
		return 400;
	if ((user && strlen(user) > 64) || (action && strlen(action) > 64))
		return srv_error(r, 400, user && strlen(user) > 64 ? "user" : "action",
		                 "user and action: at most 64 bytes");
	ctip_err e = {0};
	const struct ctip_list_ops *o = ctip_list_ops(r->s, &e);
	if (!o)
		return srv_fail(r, &e);
	struct ctip_audit_query q = {
	        .object = object,
	        .actor = user && *user ? user : NULL,
	        .action = action && *action ? action : NULL,
	        .from = *from ? from : NULL,
	        .to = *to ? to : NULL,
	        .offset = csv ? 0 : (long)((page - 1) * per),
	        .limit = csv ? AUDIT_EXPORT_MAX : (long)per,
	};
	long total = 0;
	struct apage p = {json_array(), NULL};
	char *buf = NULL;
	size_t len = 0;
	if (csv) {
		if (!(p.csv = open_memstream(&buf, &len))) {
			json_decref(p.a);
			return srv_error(r, 503, NULL, "the server is out of memory");
		}
		static const char *const head[] = {"id",     "at",     "actor",
		                                   "action", "object", "detail"};
		ctip_csv_row(p.csv, head, 6);
	}
	int rc = o->audit(r->s, &q, &total, add_paged, &p, &e);
	if (p.csv)
		fclose(p.csv);
	if (rc) {
		json_decref(p.a);
		free(buf);
		return srv_fail(r, &e);
	}
	if (csv) {
		json_decref(p.a);
		r->out_doc = buf;
		r->out_doc_len = len;
		r->out_doc_type = "text/csv; charset=utf-8";
		snprintf(r->out_doc_name, sizeof(r->out_doc_name), "audit.csv");
		return 200;
	}
	r->out = json_pack("{s:o, s:I, s:I, s:I}", "entries", p.a, "total", (json_int_t)total,
	                   "page", (json_int_t)page, "per_page", (json_int_t)per);
	return 200;
}

int h_audit(struct req *r)
{
	int64_t pid;
	ctip_err e = {0};
	if (srv_arg_int(r, "person", 0, INT64_MAX / 2, &pid))
		return 400;
	if (!pid && r->sess.role_bit != ROLE_AUDITOR)
		return srv_error(r, 400, "person", "person is required");
	if (pid && r->sess.role_bit == ROLE_SUPERVISOR) {
		int64_t org;
		int rc = r->s->srv->person_org(r->s, pid, &org, &e);
		if (rc == CTIP_ENOTFOUND || (!rc && org != r->sess.org_id))
			return srv_error(r, 404, NULL, "no such person");
		if (rc)
			return srv_fail(r, &e);
	}
	char obj[32];
	snprintf(obj, sizeof(obj), "P%lld", (long long)pid);
	static const char *const paging[] = {"page", "per_page", "user",  "action",
	                                     "from", "to",       "format"};
	for (size_t i = 0; i < sizeof(paging) / sizeof(*paging); i++)
		if (srv_arg(r, paging[i]))
			return audit_paged(r, pid ? obj : NULL);
	struct lst l;
	memset(&l, 0, sizeof(l));
	int rc = r->s->ops->audit_each(r->s, pid ? obj : NULL, add, &l, &e);
	json_t *a = json_array();
	long first = l.n > AUDIT_MAX ? l.n - AUDIT_MAX : 0;
	for (long i = first; i < l.n; i++)
		json_array_append_new(a, l.ring[i % AUDIT_MAX]);
	if (rc) {
		json_decref(a);
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:o}", "entries", a);
	return 200;
}
