/*
 * routes_audit.c - GET /api/audit?person=12: who saw or changed a person
 * record, and when. Auditors see every record's entries (and, without
 * person, the latest entries); supervisors those of their organisation's
 * records only (others: 404).
 */
#include <stdio.h>
#include <string.h>

#include "server.h"

#define AUDIT_MAX 1000

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
