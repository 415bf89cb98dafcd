/*
 * routes_assistance.c - /api/assistance, /api/proceedings and /api/events: the items of
 * a case, by person; appending one; reading and changing one by its id. An
 * item is its person-in-case link and its position: id = link * 65536 + seq.
 * Values are validated as by the importer (the person's row with the new or
 * changed item goes through ctip_row_canon).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct kind {
	const char *name; /* "assistance" or "proceedings" */
	int fields[5], n;
};

static const struct kind assist = {
        "assistance", {CF_AS_KIND, CF_AS_DATE, CF_AS_AMOUNT, CF_AS_PROVIDER}, 4};
static const struct kind events = {
        "events", {CF_EV_TYPE, CF_EV_DATE, CF_EV_COUNTRY, CF_EV_STATE, CF_EV_CITY}, 5};
static const struct kind procs = {
        "proceedings",
        {CF_PR_STAGE, CF_PR_DATE, CF_PR_ARTICLE, CF_PR_SENTENCE_KIND, CF_PR_SENTENCE_MONTHS},
        5};

#define ITEM_ID(link, seq) ((link)*65536 + (seq))

struct lister {
	const struct kind *k;
	ctip_store *s;
	json_t *a;
	ctip_row *keep; /* when set: copy of the matching person's row */
	int64_t person_id;
	int access; /* the requester's, for srv_redact_item */
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
	int64_t link = 0;
	if (n && l->s->srv->link_find(l->s, rw->case_id, rw->person_id, &link, NULL))
		link = 0;
	for (int j = 0; j < n; j++) {
		json_t *o = json_pack("{s:I, s:I, s:I, s:i}", "id", (json_int_t)ITEM_ID(link, j),
		                      "case_id", (json_int_t)rw->case_id, "person_id",
		                      (json_int_t)rw->person_id, "seq", j);
		for (int i = 0; i < l->k->n; i++)
			if (j < counts[i] && items[i][j][0])
				json_object_set_new(o, ctip_fields[l->k->fields[i]].name,
				                    json_string(items[i][j]));
		if (!srv_identity_visible(l->access, rw))
			srv_redact_item(o);
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
	struct lister l = {k, r->s, json_array(), NULL, 0, access};
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
	struct lister l = {k, r->s, NULL, &row, person_id, CTIP_ACCESS_OWN};
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
	char detail[64];
	rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = k == &assist
		             ? r->s->srv->assistance_add(r->s, case_id, person_id, &row, &seq, &e)
		     : k == &events
		             ? r->s->srv->event_add(r->s, case_id, person_id, &row, &seq, &e)
		             : r->s->srv->proceeding_add(r->s, case_id, person_id, &row, &seq, &e);
	snprintf(detail, sizeof(detail), "C%lld %s %d", (long long)case_id, k->name, seq);
	if (!rc)
		rc = srv_audit_tx1(r, "update", "P", person_id, detail, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	ctip_row_clear(&row);
	if (rc) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	int64_t link = 0;
	r->s->srv->link_find(r->s, case_id, person_id, &link, NULL);
	r->out = json_pack("{s:I, s:I, s:I, s:i}", "id", (json_int_t)ITEM_ID(link, seq), "case_id",
	                   (json_int_t)case_id, "person_id", (json_int_t)person_id, "seq", seq);
	return 201;
}

/* Replaces item seq of the list in column f, padding it with empty items to at least total
 * (the group's item count: a column whose values are all empty reads back as no list at all,
 * and the group's columns must stay parallel lists). */
static int set_item(ctip_row *row, int f, int seq, int total, const char *v)
{
	char **it;
	int n;
	if (ctip_list_split(row->v[f], &it, &n))
		return -1;
	int m = seq >= n ? seq + 1 : n;
	if (m < total)
		m = total;
	char **all = calloc((size_t)m, sizeof(*all));
	if (!all) {
		ctip_list_free(it, n);
		return -1;
	}
	for (int i = 0; i < m; i++)
		all[i] = i == seq ? (char *)(v ? v : "") : i < n ? it[i] : "";
	char *j = ctip_list_join(all, m);
	free(all);
	ctip_list_free(it, n);
	if (!j)
		return -1;
	ctip_row_take(row, f, j);
	return 0;
}

/* Item r->id: its link's case and person, the person's row in that case and the item's
 * position; 0, or an error status set (404 for an item the user may not see). */
static int item_of(struct req *r, const struct kind *k, int64_t *case_id, int64_t *person_id,
                   int *seq, int *access, ctip_row *row)
{
	ctip_err e = {0};
	int64_t link = r->id / 65536;
	*seq = (int)(r->id % 65536);
	int rc = r->s->srv->link_get(r->s, link, case_id, person_id, &e), st;
	if (rc == CTIP_ENOTFOUND)
		return srv_error(r, 404, NULL, "no such item");
	if (rc)
		return srv_fail(r, &e);
	/* another organisation's item is answered as a missing one: no existence oracle */
	if ((st = srv_case_access(r, *case_id, access)))
		return st == 404 ? srv_error(r, 404, NULL, "no such item") : st;
	struct lister l = {k, r->s, NULL, row, *person_id, CTIP_ACCESS_OWN};
	struct ctip_row_filter flt = {*case_id, 0};
	rc = r->s->ops->rows(r->s, &flt, on_row, &l, &e);
	if (rc != 100)
		return rc == CTIP_OK ? srv_error(r, 404, NULL, "no such item") : srv_fail(r, &e);
	int n = 0;
	for (int i = 0; i < k->n; i++) {
		int c = ctip_list_count(row->v[k->fields[i]]);
		n = c > n ? c : n;
	}
	return *seq < n ? 0 : srv_error(r, 404, NULL, "no such item");
}

static json_t *item_json(const struct kind *k, int64_t id, int64_t case_id, int64_t person_id,
                         int seq, const ctip_row *row)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:i}", "id", (json_int_t)id, "case_id",
	                      (json_int_t)case_id, "person_id", (json_int_t)person_id, "seq", seq);
	for (int i = 0; i < k->n; i++) {
		char **it;
		int n;
		if (ctip_list_split(row->v[k->fields[i]], &it, &n))
			continue;
		if (seq < n && it[seq][0])
			json_object_set_new(o, ctip_fields[k->fields[i]].name,
			                    json_string(it[seq]));
		ctip_list_free(it, n);
	}
	return o;
}

static int get_item(struct req *r, const struct kind *k)
{
	int64_t case_id, person_id;
	int seq, access, st;
	ctip_row row;
	ctip_row_init(&row);
	if (!(st = item_of(r, k, &case_id, &person_id, &seq, &access, &row))) {
		r->out = item_json(k, r->id, case_id, person_id, seq, &row);
		if (!srv_identity_visible(access, &row))
			srv_redact_item(r->out);
		st = 200;
	}
	ctip_row_clear(&row);
	return st;
}

/* Changes one item: the fields named, the others kept. Read, change and write happen in one
 * write transaction that first moves the case's version on (case_bump): an edit made on a copy
 * of the case that someone changed since (If-Match or "version", as PATCH /api/cases) is
 * refused with 409 instead of silently overwriting theirs, and two edits of one case never
 * interleave. The answer carries the case's new version. */
static int patch_item(struct req *r, const struct kind *k)
{
	const char *keys[8] = {NULL};
	for (int i = 0; i < k->n; i++)
		keys[i] = ctip_fields[k->fields[i]].name;
	keys[k->n] = "version";
	if (srv_only_keys(r, r->in, keys))
		return 400;
	int64_t expect = srv_wanted_version(r), version = 0;
	if (expect < 0)
		return 400;
	int64_t case_id, person_id;
	int seq, access, st,
	        kind = k == &assist   ? CTIP_ITEM_ASSISTANCE
	               : k == &events ? CTIP_ITEM_EVENT
	                              : CTIP_ITEM_PROCEEDING;
	ctip_row row, one;
	ctip_row_init(&row);
	ctip_row_init(&one);
	json_t *item = NULL;
	ctip_err e = {0};
	if (r->s->ops->begin(r->s, &e))
		return srv_fail(r, &e);
	if ((st = item_of(r, k, &case_id, &person_id, &seq, &access, &row)))
		goto fail;
	if (access != CTIP_ACCESS_OWN) {
		st = srv_error(r, 403, NULL, "only the organisation that owns a case changes it");
		goto fail;
	}
	int items = 0;
	for (int i = 0; i < k->n; i++) {
		int c = ctip_list_count(row.v[k->fields[i]]);
		items = c > items ? c : items;
	}
	for (int i = 0; i < k->n; i++) {
		json_t *x = json_object_get(r->in, keys[i]);
		char num[64];
		const char *v = NULL;
		if (!x)
			continue;
		if (json_is_integer(x) || json_is_real(x)) {
			if (json_is_integer(x))
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				         json_integer_value(x));
			else
				snprintf(num, sizeof(num), "%.2f", json_real_value(x));
			v = num;
		} else if (srv_get_str(r, r->in, keys[i], 0, 500, &v)) {
			st = 400;
			goto fail;
		}
		if (v && strchr(v, ';')) {
			st = srv_error(r, 400, keys[i], "%s holds ';'", keys[i]);
			goto fail;
		}
		if (set_item(&row, k->fields[i], seq, items, v)) {
			st = srv_error(r, 503, NULL, "the server is out of memory");
			goto fail;
		}
	}
	/* an item keeps its first field (the event's type, the assistance's kind, the
	 * proceeding's stage): without it the item would vanish from the lists */
	{
		char **it;
		int n;
		int empty = 1;
		if (!ctip_list_split(row.v[k->fields[0]], &it, &n)) {
			empty = seq >= n || !it[seq][0];
			ctip_list_free(it, n);
		}
		if (empty) {
			st = srv_error(r, 400, keys[0], "%s is needed: an item cannot be emptied",
			               keys[0]);
			goto fail;
		}
	}
	ctip_diags d = {0};
	if (ctip_row_canon(&row, r->s->ref, &d)) {
		st = srv_error(r, 400, d.first_field, "%s", d.first_msg);
		goto fail;
	}
	/* the item's canonical values, alone, for the store */
	item = item_json(k, r->id, case_id, person_id, seq, &row);
	for (int i = 0; i < k->n; i++) {
		json_t *x = json_object_get(item, keys[i]);
		ctip_row_set(&one, k->fields[i], x ? json_string_value(x) : NULL);
	}
	/* the version last, after every refusal that is the request's fault: a 400 is told as
	 * such even on a stale copy; it holds the case to the commit */
	int rc = r->s->srv->case_bump(r->s, case_id, expect, &version, &e);
	char detail[64];
	snprintf(detail, sizeof(detail), "C%lld %s %d", (long long)case_id, k->name, seq);
	if (!rc)
		rc = r->s->srv->item_set(r->s, kind, r->id / 65536, seq, &one, &e);
	if (!rc)
		rc = srv_audit_tx1(r, "update", "P", person_id, detail, &e);
	if (!rc)
		rc = r->s->ops->commit(r->s, &e);
	if (rc) {
		r->s->ops->rollback(r->s);
		json_decref(item);
		item = NULL;
		st = rc == CTIP_ENOTFOUND ? srv_error(r, 404, NULL, "no such item")
		                          : srv_fail(r, &e);
		goto out;
	}
	json_object_set_new(item, "version", json_integer(version));
	r->out = item;
	st = 200;
	goto out;
fail:
	r->s->ops->rollback(r->s);
out:
	ctip_row_clear(&row);
	ctip_row_clear(&one);
	return st;
}

int h_assistance_get(struct req *r)
{
	return get_item(r, &assist);
}

int h_assistance_patch(struct req *r)
{
	return patch_item(r, &assist);
}

int h_proceeding_get(struct req *r)
{
	return get_item(r, &procs);
}

int h_proceeding_patch(struct req *r)
{
	return patch_item(r, &procs);
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

/* Events (issue 14: recorded from the case page): listed, appended, read and corrected like
 * the others. */
int h_events_list(struct req *r)
{
	return list(r, &events);
}

int h_event_create(struct req *r)
{
	return create(r, &events);
}

int h_event_get(struct req *r)
{
	return get_item(r, &events);
}

int h_event_patch(struct req *r)
{
	return patch_item(r, &events);
}
