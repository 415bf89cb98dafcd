/*
 * routes_persons.c - /api/persons: the persons of a case, one person record
 * (through the case that gives the requester the best view of it), and
 * adding a person to a case of one's own organisation.
 */
#include <stdio.h>

#include "import.h"
#include "server.h"

int h_persons_list(struct req *r)
{
	int64_t case_id;
	int access, st;
	if (srv_arg_int(r, "case_id", 0, INT64_MAX / 2, &case_id))
		return 400;
	if (!case_id)
		return srv_error(r, 400, "case_id", "case_id is required");
	if ((st = srv_case_access(r, case_id, &access)))
		return st;
	json_t *c = NULL;
	if ((st = srv_case_body(r, case_id, access, 0, &c)))
		return st;
	r->out = json_pack("{s:O}", "persons", json_object_get(c, "persons"));
	json_decref(c);
	return 200;
}

int h_person_get(struct req *r)
{
	int64_t case_id;
	int access, st;
	ctip_err e = {0};
	if (srv_person_access(r, r->id, &case_id, &access, 0, &e))
		return srv_fail(r, &e);
	if (!case_id)
		return srv_error(r, 404, NULL, "no such person");
	json_t *c = NULL;
	if ((st = srv_case_body(r, case_id, access, r->id, &c)))
		return st;
	json_t *p = json_array_get(json_object_get(c, "persons"), 0);
	if (!p) {
		json_decref(c);
		return srv_error(r, 404, NULL, "no such person");
	}
	r->out = json_deep_copy(p);
	json_object_set_new(r->out, "case_id", json_integer(case_id));
	json_object_set_new(r->out, "access",
	                    json_string(access == CTIP_ACCESS_OWN ? "own" : "referral"));
	json_decref(c);
	return 200;
}

int h_person_create(struct req *r)
{
	int64_t case_id, pid;
	int access, st;
	if (srv_get_int(r, r->in, "case_id", 1, &case_id))
		return 400;
	if ((st = srv_case_access(r, case_id, &access)))
		return st;
	if (access != CTIP_ACCESS_OWN)
		return srv_error(r, 403, NULL, "only the organisation that owns a case changes it");
	json_t *p = json_deep_copy(r->in);
	json_object_del(p, "case_id");
	json_t *role = json_object_get(p, "role");
	if (role) {
		if (json_object_get(p, "ctip_Role")) {
			json_decref(p);
			return srv_error(r, 400, "role", "give role or ctip_Role, not both");
		}
		json_object_set(p, "ctip_Role", role);
		json_object_del(p, "role");
	}
	ctip_row row;
	ctip_row_init(&row);
	if ((st = srv_case_row(r, case_id, &row))) {
		json_decref(p);
		return st;
	}
	ctip_err e = {0};
	int rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = ctip_import_person(r->s, &row, case_id, p, &pid, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	ctip_row_clear(&row);
	json_decref(p);
	if (rc) {
		r->s->ops->rollback(r->s);
		if (e.code == CTIP_EINVAL)
			return srv_error(r, 400, e.field, "%s", e.msg);
		return srv_fail(r, &e);
	}
	char obj[32], detail[32];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "P%lld", (long long)pid);
	snprintf(detail, sizeof(detail), "C%lld", (long long)case_id);
	if (srv_audit(r->sess.username, "create", &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	r->out = json_pack("{s:I}", "id", (json_int_t)pid);
	return 201;
}
