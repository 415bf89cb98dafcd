/*
 * routes_cases.c - /api/cases: the list of cases the user sees, creating a
 * case (through the importer's one-case path, so the API validates exactly
 * as `ctip import` does), reading one with its persons, and changing its
 * case-level fields or adding a comment (owner organisation only).
 */
#include <ctype.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "import.h"
#include "server.h"
#include "text.h"

#define MAX_PERSONS 200

struct body {
	struct req *r;
	int64_t only_person;
	int access;
	json_t *c, *persons;
	char **seen; /* "P12" of persons whose identity is shown */
	int nseen;
	int all_identities; /* every person of the case shows their identity */
};

static int on_row(void *ctx, const ctip_row *rw)
{
	struct body *b = ctx;
	if (!b->c) {
		b->c = ctip_case_json(rw);
		b->persons = json_array();
	}
	if (!srv_identity_visible(b->access, rw))
		b->all_identities = 0;
	if (b->only_person && rw->person_id != b->only_person)
		return 0;
	json_t *p = ctip_person_json(rw);
	char role[32];
	snprintf(role, sizeof(role), "%s", rw->v[CF_ROLE] ? rw->v[CF_ROLE] : "");
	for (char *q = role; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	json_object_set_new(p, "id", json_integer(rw->person_id));
	json_object_set_new(p, "role", json_string(role));
	if (srv_identity_visible(b->access, rw)) {
		char obj[32];
		snprintf(obj, sizeof(obj), "P%lld", (long long)rw->person_id);
		char **g = realloc(b->seen, (size_t)(b->nseen + 1) * sizeof(*g));
		if (!g)
			return CTIP_ENOMEM;
		b->seen = g;
		if (!(b->seen[b->nseen] = strdup(obj)))
			return CTIP_ENOMEM;
		b->nseen++;
	} else {
		srv_redact(p);
	}
	json_array_append_new(b->persons, p);
	return 0;
}

static int add_referral(void *ctx, const struct ctip_referral *f)
{
	json_array_append_new(ctx, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id",
	                                     (json_int_t)f->id, "case_id", (json_int_t)f->case_id,
	                                     "from_org", f->from_org, "to_org", f->to_org, "date",
	                                     f->date, "reason", f->reason ? f->reason : "",
	                                     "status", f->status));
	return 0;
}

int srv_case_body(struct req *r, int64_t case_id, int access, int64_t person_id, json_t **out)
{
	struct body b = {.r = r, .only_person = person_id, .access = access, .all_identities = 1};
	struct ctip_row_filter flt = {case_id, 0};
	ctip_err e = {0};
	int rc = r->s->ops->rows(r->s, &flt, on_row, &b, &e), status = 0;
	if (rc == CTIP_ENOMEM)
		ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
	if (rc) {
		status = srv_fail(r, &e);
		goto out;
	}
	if (!b.c) {
		status = srv_error(r, 404, NULL, "no such case");
		goto out;
	}
	/* referrals: those of the imported data (no id), then those made here */
	json_t *refs = json_array(), *old = json_object_get(b.c, "referrals");
	size_t i;
	json_t *x;
	const char *org = json_string_value(json_object_get(b.c, "src_Organisation"));
	json_array_foreach(old, i, x)
	{
		json_t *o = json_pack("{s:n, s:I, s:s, s:O?, s:O?, s:O?, s:O?}", "id", "case_id",
		                      (json_int_t)case_id, "from_org", org ? org : "", "to_org",
		                      json_object_get(x, "cas_ReferredOrganisation"), "date",
		                      json_object_get(x, "cas_OutgoingReferralDate"), "reason",
		                      json_object_get(x, "cas_ReasonForOutgoingReferral"), "status",
		                      json_object_get(x, "ctip_OutgoingReferralStatus"));
		json_array_append_new(refs, o);
	}
	if ((rc = r->s->srv->referral_list(r->s, 0, case_id, 0, 0, add_referral, refs, &e))) {
		json_decref(refs);
		status = srv_fail(r, &e);
		goto out;
	}
	json_object_set_new(b.c, "referrals", refs);
	srv_case_redact(b.c, access, b.all_identities, r->sess.org);
	json_object_set_new(b.c, "id", json_integer(case_id));
	json_object_set_new(b.c, "org", json_string(org ? org : ""));
	json_object_set_new(b.c, "access",
	                    json_string(access == CTIP_ACCESS_OWN ? "own" : "referral"));
	json_object_set_new(b.c, "persons", b.persons);
	b.persons = NULL;
	int64_t version = 0;
	if ((rc = r->s->srv->case_version(r->s, case_id, &version, &e)) && rc != CTIP_ENOTFOUND) {
		status = srv_fail(r, &e);
		goto out;
	}
	/* what an update names to be applied (If-Match or "version": docs/API.md) */
	json_object_set_new(b.c, "version", json_integer(version));
	char detail[32];
	snprintf(detail, sizeof(detail), "C%lld", (long long)case_id);
	/* the reads are done: let the snapshot go while the audit entries are committed */
	if (!strcmp(r->method, "GET"))
		r->s->srv->read_end(r->s);
	if (srv_audit(r->sess.username, "view", (const char *const *)b.seen, b.nseen, detail)) {
		status = srv_error(r, 500, NULL, "the audit log cannot be written");
		goto out;
	}
	*out = b.c;
	b.c = NULL;
out:
	json_decref(b.c);
	json_decref(b.persons);
	for (int k = 0; k < b.nseen; k++)
		free(b.seen[k]);
	free(b.seen);
	return status;
}

static int first_row(void *ctx, const ctip_row *rw)
{
	ctip_row *dst = ctx;
	for (int f = 0; f < CTIP_NFIELDS; f++)
		if (rw->v[f] && ctip_row_set(dst, f, rw->v[f]))
			return CTIP_ENOMEM;
	dst->case_id = rw->case_id;
	dst->person_id = rw->person_id;
	return 100; /* stop */
}

int srv_case_row(struct req *r, int64_t case_id, ctip_row *row)
{
	struct ctip_row_filter flt = {case_id, 0};
	ctip_err e = {0};
	int rc = r->s->ops->rows(r->s, &flt, first_row, row, &e);
	if (rc == 100)
		return 0;
	if (rc == CTIP_OK)
		return srv_error(r, 404, NULL, "no such case");
	if (rc == CTIP_ENOMEM)
		ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
	return srv_fail(r, &e);
}

int h_case_get(struct req *r)
{
	/* what the view reads next, read ahead where that saves round trips (PostgreSQL) */
	if (r->s->srv->case_prefetch)
		r->s->srv->case_prefetch(r->s, r->id, r->sess.org_id);
	int access, st = srv_case_access(r, r->id, &access);
	if (st)
		return st;
	if ((st = srv_case_body(r, r->id, access, 0, &r->out)))
		return st;
	return 200;
}

/* Rolls back and answers for a failed write: 400 with the field for bad input. */
static int write_failed(struct req *r, const ctip_err *e)
{
	r->s->ops->rollback(r->s);
	if (e->code == CTIP_EINVAL)
		return srv_error(r, 400, e->field, "%s", e->msg);
	return srv_fail(r, e);
}

int h_case_create(struct req *r)
{
	json_t *c = r->in;
	const char *org;
	if (srv_get_str(r, c, "src_Organisation", 0, 256, &org))
		return 400;
	if (org) {
		char *a = ctip_text_fold(org), *b = ctip_text_fold(r->sess.org);
		int same = a && b && !strcmp(a, b);
		free(a);
		free(b);
		if (!same)
			return srv_error(r, 400, "src_Organisation",
			                 "a case can only be created for your own organisation");
	}
	if (json_object_get(c, "referrals"))
		return srv_error(r, 400, "referrals",
		                 "refer a case with POST /api/referrals once it exists");
	json_object_set_new(c, "src_Organisation", json_string(r->sess.org));
	if (!json_object_get(c, "src_CaseId")) {
		char id[64], day[11];
		unsigned char rnd[4];
		randombytes_buf(rnd, sizeof(rnd));
		srv_today(day);
		snprintf(id, sizeof(id), "W-%s-%02x%02x%02x%02x", day, rnd[0], rnd[1], rnd[2],
		         rnd[3]);
		json_object_set_new(c, "src_CaseId", json_string(id));
	}
	/* "role": "victim" is accepted for ctip_Role */
	json_t *persons = json_object_get(c, "persons");
	size_t i;
	json_t *p;
	json_array_foreach(persons, i, p)
	{
		json_t *role = json_object_get(p, "role");
		if (!role)
			continue;
		if (json_object_get(p, "ctip_Role"))
			return srv_error(r, 400, "role", "give role or ctip_Role, not both");
		json_object_set(p, "ctip_Role", role);
		json_object_del(p, "role");
	}
	int64_t case_id, pids[MAX_PERSONS] = {0};
	ctip_err e = {0};
	if (r->s->ops->begin(r->s, &e))
		return srv_fail(r, &e);
	if (ctip_import_case(r->s, c, r->sess.org, &case_id, pids, MAX_PERSONS, &e))
		return write_failed(r, &e);
	/* the case, its persons and their audit entries: one transaction */
	char detail[32];
	snprintf(detail, sizeof(detail), "C%lld", (long long)case_id);
	if (srv_audit_tx1(r, "create", "C", case_id, "", &e))
		return write_failed(r, &e);
	for (size_t k = 0; k < json_array_size(persons) && k < MAX_PERSONS; k++)
		if (pids[k] && srv_audit_tx1(r, "create", "P", pids[k], detail, &e))
			return write_failed(r, &e);
	if (r->s->ops->commit(r->s, &e))
		return write_failed(r, &e);
	r->out = json_pack("{s:I}", "id", (json_int_t)case_id);
	return 201;
}

/* The version an update names (docs/API.md): the If-Match header ("3", 3 or W/"3") or the
 * body's "version"; 0 when neither (the update then applies whatever the version); -1 (and
 * the answer) when malformed or the two disagree. */
int64_t srv_wanted_version(struct req *r)
{
	int64_t h = 0, b = 0;
	const char *m = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Match");
	if (m) {
		const char *p = m;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p == '"')
			p++;
		char *end;
		long long v = strtoll(p, &end, 10);
		if (*end == '"')
			end++;
		if (p == end || *end || v < 1) {
			srv_error(r, 400, "version",
			          "If-Match: the version of the case read, like \"3\"");
			return -1;
		}
		h = v;
	}
	json_t *v = json_object_get(r->in, "version");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			srv_error(r, 400, "version",
			          "version: the version of the case read (a positive integer)");
			return -1;
		}
		b = json_integer_value(v);
	}
	if (h && b && h != b) {
		srv_error(r, 400, "version", "If-Match and version name different versions");
		return -1;
	}
	return h ? h : b;
}

int h_case_patch(struct req *r)
{
	static const char *const keys[] = {"cas_Status",
	                                   "cas_ReasonForCaseClosure",
	                                   "ctip_CaseOpenedDate",
	                                   "ctip_CaseClosedDate",
	                                   "ctip_CaseReopenedDate",
	                                   "comment",
	                                   "version",
	                                   NULL};
	int access, st = srv_case_access(r, r->id, &access);
	if (st)
		return st;
	if (access != CTIP_ACCESS_OWN)
		return srv_error(r, 403, NULL, "only the organisation that owns a case changes it");
	if (srv_only_keys(r, r->in, keys))
		return 400;
	const char *comment, *v;
	if (srv_get_str(r, r->in, "comment", 0, 20000, &comment))
		return 400;
	for (const char *const *k = keys; strcmp(*k, "comment"); k++)
		if (srv_get_str(r, r->in, *k, 0, 2000, &v))
			return 400;
	int64_t expect = srv_wanted_version(r), version = 0;
	if (expect < 0)
		return 400;
	char *clean = comment && *comment ? ctip_text_clean(comment) : NULL;
	if (comment && *comment && !clean)
		return srv_error(r, 400, "comment", "the comment is not valid UTF-8");
	/* read, change and write the case in one write transaction: no update is lost */
	ctip_err e = {0};
	ctip_row row;
	ctip_row_init(&row);
	char changed[256] = "", day[11];
	srv_today(day);
	if (r->s->ops->begin(r->s, &e)) {
		free(clean);
		return srv_fail(r, &e);
	}
	/* first the version: it holds the case against other writers (other servers too) to
	 * the commit, and refuses an update made on a copy someone else changed since */
	if (r->s->srv->case_bump(r->s, r->id, expect, &version, &e)) {
		st = srv_fail(r, &e);
		goto fail;
	}
	if ((st = srv_case_row(r, r->id, &row)))
		goto fail;
	for (const char *const *k = keys; strcmp(*k, "comment"); k++) {
		if (!json_object_get(r->in, *k))
			continue;
		srv_get_str(r, r->in, *k, 0, 2000, &v);
		if (ctip_row_set(&row, ctip_field_find(*k), v)) {
			st = srv_error(r, 503, NULL, "the server is out of memory");
			goto fail;
		}
		snprintf(changed + strlen(changed), sizeof(changed) - strlen(changed), "%s%s",
		         *changed ? "," : "", *k);
	}
	ctip_diags d = {0};
	if (ctip_row_canon(&row, r->s->ref, &d)) {
		st = srv_error(r, 400, d.first_field, "%s", d.first_msg);
		goto fail;
	}
	int rc = CTIP_OK;
	if (*changed)
		rc = r->s->srv->case_update(r->s, r->id, &row, &e);
	if (!rc && clean && *clean)
		rc = r->s->srv->comment_add(r->s, r->id, day, clean, &e);
	if (clean && *clean && strlen(changed) + 9 < sizeof(changed))
		strcat(changed, *changed ? ",comment" : "comment");
	if (!rc)
		rc = srv_audit_tx1(r, "update", "C", r->id, changed, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	if (rc) {
		st = write_failed(r, &e);
		goto out;
	}
	ctip_row_clear(&row);
	free(clean);
	if ((st = srv_case_body(r, r->id, access, 0, &r->out)))
		return st;
	return 200;
fail:
	r->s->ops->rollback(r->s);
out:
	ctip_row_clear(&row);
	free(clean);
	return st;
}
