/*
 * routes_persons.c - /api/persons: the persons of a case, one person record
 * (through the case that gives the requester the best view of it), and
 * adding a person to a case of one's own organisation.
 */
#include <stdio.h>
#include <string.h>

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
	char detail[32];
	snprintf(detail, sizeof(detail), "C%lld", (long long)case_id);
	int rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = ctip_import_person(r->s, &row, case_id, p, &pid, &e);
	if (!rc)
		rc = srv_audit_tx1(r, "create", "P", pid, detail, &e);
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
	r->out = json_pack("{s:I}", "id", (json_int_t)pid);
	return 201;
}

/* Reads the row of person record id in case case_id (the first: the record's columns agree on
 * every row). */
static int person_row(void *ctx, const ctip_row *rw)
{
	ctip_row *dst = ctx;
	for (int f = 0; f < CTIP_NFIELDS; f++)
		if (rw->v[f] && ctip_row_set(dst, f, rw->v[f]))
			return CTIP_ENOMEM;
	return 100;
}

int h_person_patch(struct req *r)
{
	int64_t case_id, org;
	int access;
	ctip_err e = {0};
	if (srv_person_access(r, r->id, &case_id, &access, 0, &e))
		return srv_fail(r, &e);
	if (!case_id)
		return srv_error(r, 404, NULL, "no such person");
	int rc = r->s->srv->person_org(r->s, r->id, &org, &e);
	if (rc)
		return srv_fail(r, &e);
	if (access != CTIP_ACCESS_OWN || org != r->sess.org_id)
		return srv_error(r, 403, NULL,
		                 "only the organisation that owns a record changes it");
	/* person-level fields only: the record, not the person's place in a case */
	const char *k;
	json_t *v;
	json_object_foreach(r->in, k, v)
	{
		int f = ctip_field_find(k);
		int ok = f >= 0 && ctip_fields[f].level == FL_PERSON && f != CF_SRC_RECORD;
		if (!ok && !strcmp(k, "identity_documents"))
			ok = 1;
		if (!ok)
			return srv_error(r, 400, k, "'%s' is not a field of a person record", k);
	}
	ctip_row row;
	ctip_row_init(&row);
	struct ctip_row_filter flt = {case_id, r->id};
	rc = r->s->ops->rows(r->s, &flt, person_row, &row, &e);
	if (rc != 100) {
		ctip_row_clear(&row);
		return rc == CTIP_OK ? srv_error(r, 404, NULL, "no such person") : srv_fail(r, &e);
	}
	/* the changed fields through the importer's JSON reading, then the whole row validated */
	rc = ctip_import_patch_person(r->s, &row, r->in, &e);
	if (rc) {
		ctip_row_clear(&row);
		return rc == CTIP_EINVAL ? srv_error(r, 400, e.field, "%s", e.msg)
		                         : srv_fail(r, &e);
	}
	if (!(rc = r->s->ops->begin(r->s, &e)) &&
	    !(rc = r->s->ops->person_update(r->s, r->id, &row, &e)) &&
	    !(rc = srv_audit_tx1(r, "update", "P", r->id, "record", &e)))
		rc = r->s->ops->commit(r->s, &e);
	ctip_row_clear(&row);
	if (rc) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	return h_person_get(r);
}
