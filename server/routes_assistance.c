/*
 * routes_assistance.c - /api/assistance and /api/proceedings: the items of
 * a case, by person, and appending one. An item is named by its case,
 * person and position (seq); values are validated as by the importer (the
 * person's row with the one new item goes through ctip_row_canon).
 */
#include <stdio.h>
#include <string.h>

#include "server.h"

struct kind {
	const char *name; /* "assistance" or "proceedings" */
	int fields[5], n;
};

static const struct kind assist = {
        "assistance", {CF_AS_KIND, CF_AS_DATE, CF_AS_AMOUNT, CF_AS_PROVIDER}, 4};
static const struct kind procs = {
        "proceedings",
        {CF_PR_STAGE, CF_PR_DATE, CF_PR_ARTICLE, CF_PR_SENTENCE_KIND, CF_PR_SENTENCE_MONTHS},
        5};

struct lister {
	const struct kind *k;
	json_t *a;
	ctip_row *keep; /* when set: copy of the matching person's row */
	int64_t person_id;
};

static int on_row(void *ctx, const ctip_row *rw)
{
	struct lister *l = ctx;
	if (l->keep) {
		if (rw->person_id != l->person_id)
			return 0;
		for (int f = 0; f < CTIP_NFIELDS; f++)
			if (rw->v[f] && ctip_row_set(l->keep, f, rw->v[f]))
				return CTIP_ENOMEM;
		return 100;
	}
	char **items[5] = {0};
	int counts[5] = {0}, n = 0;
	for (int i = 0; i < l->k->n; i++) {
		if (ctip_list_split(rw->v[l->k->fields[i]], &items[i], &counts[i]))
			return CTIP_ENOMEM;
		if (counts[i] > n)
			n = counts[i];
	}
	for (int j = 0; j < n; j++) {
		json_t *o = json_pack("{s:I, s:I, s:i}", "case_id", (json_int_t)rw->case_id,
		                      "person_id", (json_int_t)rw->person_id, "seq", j);
		for (int i = 0; i < l->k->n; i++)
			if (j < counts[i] && items[i][j][0])
				json_object_set_new(o, ctip_fields[l->k->fields[i]].name,
				                    json_string(items[i][j]));
		json_array_append_new(l->a, o);
	}
	for (int i = 0; i < l->k->n; i++)
		if (counts[i])
			ctip_list_free(items[i], counts[i]);
	return 0;
}

static int list(struct req *r, const struct kind *k)
{
	int64_t case_id;
	int access, st;
	if (srv_arg_int(r, "case_id", 0, INT64_MAX / 2, &case_id))
		return 400;
	if (!case_id)
		return srv_error(r, 400, "case_id", "case_id is required");
	if ((st = srv_case_access(r, case_id, &access)))
		return st;
	struct lister l = {k, json_array(), NULL, 0};
	struct ctip_row_filter flt = {case_id, 0};
	ctip_err e = {0};
	int rc = r->s->ops->rows(r->s, &flt, on_row, &l, &e);
	if (rc) {
		json_decref(l.a);
		if (rc == CTIP_ENOMEM)
			ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:o}", k->name, l.a);
	return 200;
}

static int create(struct req *r, const struct kind *k)
{
	const char *keys[8] = {"case_id", "person_id"};
	for (int i = 0; i < k->n; i++)
		keys[2 + i] = ctip_fields[k->fields[i]].name;
	int64_t case_id, person_id;
	int access, st;
	if (srv_only_keys(r, r->in, keys) || srv_get_int(r, r->in, "case_id", 1, &case_id) ||
	    srv_get_int(r, r->in, "person_id", 1, &person_id))
		return 400;
	if ((st = srv_case_access(r, case_id, &access)))
		return st;
	if (access != CTIP_ACCESS_OWN)
		return srv_error(r, 403, NULL, "only the organisation that owns a case changes it");
	ctip_row row;
	ctip_row_init(&row);
	struct lister l = {k, NULL, &row, person_id};
	struct ctip_row_filter flt = {case_id, 0};
	ctip_err e = {0};
	int rc = r->s->ops->rows(r->s, &flt, on_row, &l, &e);
	if (rc != 100) {
		ctip_row_clear(&row);
		if (rc == CTIP_OK)
			return srv_error(r, 404, "person_id", "no such person in this case");
		return srv_fail(r, &e);
	}
	/* the row with only the new item in the group, so that it is validated alone */
	for (int i = 0; i < k->n; i++) {
		const char *v = NULL;
		json_t *x = json_object_get(r->in, keys[2 + i]);
		if (json_is_integer(x) || json_is_real(x)) {
			char num[64];
			if (json_is_integer(x))
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				         json_integer_value(x));
			else
				snprintf(num, sizeof(num), "%.2f", json_real_value(x));
			ctip_row_set(&row, k->fields[i], num);
			continue;
		}
		if (srv_get_str(r, r->in, keys[2 + i], 0, 500, &v)) {
			ctip_row_clear(&row);
			return 400;
		}
		if (v && strchr(v, ';')) {
			ctip_row_clear(&row);
			return srv_error(r, 400, keys[2 + i], "%s holds ';'", keys[2 + i]);
		}
		ctip_row_set(&row, k->fields[i], v ? v : "");
	}
	if (!ctip_row_get(&row, k->fields[0])) {
		ctip_row_clear(&row);
		return srv_error(r, 400, keys[2], "%s is required", keys[2]);
	}
	ctip_diags d = {0};
	if (ctip_row_canon(&row, r->s->ref, &d)) {
		ctip_row_clear(&row);
		return srv_error(r, 400, d.first_field, "%s", d.first_msg);
	}
	int seq = 0;
	rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = k == &assist
		             ? r->s->srv->assistance_add(r->s, case_id, person_id, &row, &seq, &e)
		             : r->s->srv->proceeding_add(r->s, case_id, person_id, &row, &seq, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	ctip_row_clear(&row);
	if (rc) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	char obj[32], detail[64];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "P%lld", (long long)person_id);
	snprintf(detail, sizeof(detail), "C%lld %s %d", (long long)case_id, k->name, seq);
	if (srv_audit(r->sess.username, "update", &o, 1, detail))
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	r->out = json_pack("{s:I, s:I, s:i}", "case_id", (json_int_t)case_id, "person_id",
	                   (json_int_t)person_id, "seq", seq);
	return 201;
}

int h_assistance_list(struct req *r)
{
	return list(r, &assist);
}

int h_assistance_create(struct req *r)
{
	return create(r, &assist);
}

int h_proceedings_list(struct req *r)
{
	return list(r, &procs);
}

int h_proceeding_create(struct req *r)
{
	return create(r, &procs);
}
