/*
 * comms.c - the communications tracker's rules (comms.h): who may read and write, what a
 * valid communication is, and adding, saving and listing them with their audit entries.
 * The reply is made in comms_reply.c and written out in comms_render.c.
 */
#include "comms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "casework.h"
#include "date.h"
#include "facts.h"
#include "figures.h"
#include "figures_registry.h"
#include "stats.h"
#include "stats_casework.h"
#include "store_comms.h"

#define MAX_QUESTIONS 200
#define MAX_EVIDENCE  50

static int is_role(const struct ctip_account *a, const char *role)
{
	return a && !strcmp(a->role, role);
}

int ctip_comms_may_read(const struct ctip_account *a)
{
	return ctip_comms_may_write(a) || is_role(a, "auditor");
}

int ctip_comms_may_write(const struct ctip_account *a)
{
	return is_role(a, "supervisor") || is_role(a, "analyst") || is_role(a, "admin");
}

static int deny(const struct ctip_account *a, const char *what, ctip_err *e)
{
	return ctip_err_set(e, CTIP_EDENIED,
	                    "the role %s does not %s communications (supervisors, analysts and "
	                    "admins do; auditors read them)",
	                    a ? a->role : "(none)", what);
}

void ctip_comms_clear(struct ctip_comm *c)
{
	json_decref(c->body);
	c->body = NULL;
}

/* ---- validation --------------------------------------------------------------------------- */

/* A string member: NULL when absent or null; an error when another type or too long. */
static int str_member(const json_t *j, const char *key, const char *field, size_t max, int required,
                      const char **out, ctip_err *e)
{
	json_t *v = json_object_get(j, key);
	*out = NULL;
	if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
		if (required)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "missing: give %s", key);
		return CTIP_OK;
	}
	if (!json_is_string(v))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "must be a text, not %s",
		                   json_is_number(v) ? "a number" : "a list or object");
	if (strlen(json_string_value(v)) > max)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field,
		                   "longer than %zu characters: shorten it", max);
	*out = json_string_value(v);
	return CTIP_OK;
}

static int vocab(ctip_store *s, const char *name, const char *field, const char *v, char *out,
                 size_t n, ctip_err *e)
{
	const struct ctip_ref_entry *en = ctip_ref_find(s->ref, name, v);
	if (!en) {
		char ex[400];
		ctip_ref_examples(s->ref, name, ex, sizeof(ex));
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "unknown '%s' (one of: %s)", v,
		                   ex);
	}
	snprintf(out, n, "%s", en->code);
	return CTIP_OK;
}

/* A date: full (YYYY-MM-DD), or partial when partial_ok; not in the future. */
static int date_field(const char *field, const char *v, int partial_ok, char out[11], ctip_err *e)
{
	ctip_date d;
	ctip_err pe = {0};
	if (ctip_date_parse(v, &d, &pe) || (!partial_ok && d.prec != CTIP_DATE_DAY))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "'%s' is not a date: give %s", v,
		                   partial_ok ? "YYYY-MM-DD (or YYYY-MM, YYYY)" : "YYYY-MM-DD");
	ctip_date_format(&d, out);
	return CTIP_OK;
}

static int check_stats(ctip_store *s, json_t *ev, json_t *out, const char *field, ctip_err *e)
{
	char f[96];
	const char *count;
	snprintf(f, sizeof(f), "%s.count", field);
	int rc = str_member(ev, "count", f, 40, 1, &count, e);
	if (rc)
		return rc;
	struct ctip_stats_query q = {.unit = ctip_unit_parse(count)};
	if (q.unit < 0)
		return ctip_err_at(
		        e, CTIP_EINVAL, NULL, 0, f,
		        "unknown count '%s' (as `ctip stats COUNT`: victims, cases, ...)", count);
	json_object_set_new(out, "count", json_string(ctip_unit_name(q.unit)));
	/* by: a list of dimension names (or one text "a,b") */
	json_t *by = json_object_get(ev, "by"), *bys = json_array();
	json_object_set_new(out, "by", bys);
	snprintf(f, sizeof(f), "%s.by", field);
	if (json_is_string(by)) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", json_string_value(by));
		for (char *sv, *t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
			json_array_append_new(bys, json_string(t));
	} else if (json_is_array(by)) {
		size_t i;
		json_t *d;
		json_array_foreach(by, i, d) json_array_append(bys, d);
	} else if (by && !json_is_null(by)) {
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f, "a list of dimensions");
	}
	size_t i;
	json_t *d;
	json_array_foreach(bys, i, d)
	{
		int dim = json_is_string(d) ? ctip_dim_parse(json_string_value(d)) : -1;
		if (dim < 0 || q.ndim == CTIP_STATS_MAXDIM - 1)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f,
			                   dim < 0 ? "unknown dimension (as `ctip stats --by`)"
			                           : "at most %d dimensions",
			                   CTIP_STATS_MAXDIM - 1);
		q.dim[q.ndim++] = dim;
	}
	/* where: a list of "dim=value" */
	json_t *where = json_object_get(ev, "where"), *ws = json_array();
	json_object_set_new(out, "where", ws);
	snprintf(f, sizeof(f), "%s.where", field);
	if (where && !json_is_null(where) && !json_is_array(where))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f, "a list of \"DIM=VALUE\" texts");
	json_array_foreach(where, i, d)
	{
		const char *w = json_string_value(d), *eq = w ? strchr(w, '=') : NULL;
		char dn[64];
		if (!eq || eq == w || !eq[1] || (size_t)(eq - w) >= sizeof(dn) ||
		    q.nwhere == CTIP_STATS_MAXWHERE)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f,
			                   "\"DIM=VALUE\" texts, at most %d", CTIP_STATS_MAXWHERE);
		memcpy(dn, w, (size_t)(eq - w));
		dn[eq - w] = 0;
		int dim = ctip_dim_parse(dn);
		if (dim < 0)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f, "unknown dimension '%s'",
			                   dn);
		q.where_dim[q.nwhere] = dim;
		q.where_value[q.nwhere++] = eq + 1;
		json_array_append(ws, d);
	}
	/* year: one calendar year, as statistics leave without raw counts */
	json_t *y = json_object_get(ev, "year");
	if (y && !json_is_null(y)) {
		snprintf(f, sizeof(f), "%s.year", field);
		const char *ys = json_string_value(y);
		json_int_t yr = json_is_integer(y) ? json_integer_value(y) : 0;
		/* "2026" as text too, but not "2026-06": months would be a differencing */
		if (ys && strlen(ys) == 4 && strspn(ys, "0123456789") == 4)
			yr = atoll(ys);
		if (yr < 1900 || yr > 2200)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f,
			                   "a calendar year (YYYY): tables leave by whole years");
		json_object_set_new(out, "year", json_integer(yr));
	}
	if (ctip_cw_stats_unit(q.unit) ? ctip_cw_stats_check(&q, e) : ctip_stats_check(&q, e)) {
		char m[sizeof(e->msg)];
		snprintf(m, sizeof(m), "%s", e->msg);
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "%s", m);
	}
	return CTIP_OK;
}

/* One evidence item into a canonical object appended to list. */
static int check_evidence(ctip_store *s, const json_t *ev, json_t *list, const char *field,
                          ctip_err *e)
{
	if (!json_is_object(ev))
		return ctip_err_at(
		        e, CTIP_EINVAL, NULL, 0, field,
		        "an object with a kind: figure, stats, ledger, case or document");
	char f[96];
	const char *kind, *label, *a, *b;
	int rc;
	snprintf(f, sizeof(f), "%s.kind", field);
	if ((rc = str_member(ev, "kind", f, 20, 1, &kind, e)))
		return rc;
	snprintf(f, sizeof(f), "%s.label", field);
	if ((rc = str_member(ev, "label", f, 300, 0, &label, e)))
		return rc;
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(kind));
	if (label)
		json_object_set_new(o, "label", json_string(label));
	if (!strcmp(kind, "figure")) {
		snprintf(f, sizeof(f), "%s.measure", field);
		if (!(rc = str_member(ev, "measure", f, 64, 1, &a, e)) &&
		    !ctip_figures_registry_known(a))
			rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, f,
			                 "the registry does not compute '%s' (it computes: %s)", a,
			                 ctip_figures_registry_list());
		snprintf(f, sizeof(f), "%s.period", field);
		if (!rc && !(rc = str_member(ev, "period", f, 16, 1, &b, e)) &&
		    !ctip_figures_valid_period(b))
			rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, f,
			                 "'%s' is not a period: give YYYY, YYYY-MM, YYYY-Qn or "
			                 "YYYY/YYYY",
			                 b);
		if (!rc) {
			json_object_set_new(o, "measure", json_string(a));
			json_object_set_new(o, "period", json_string(b));
		}
	} else if (!strcmp(kind, "stats")) {
		rc = check_stats(s, (json_t *)ev, o, field, e);
	} else if (!strcmp(kind, "ledger")) {
		const char *src, *m, *p;
		snprintf(f, sizeof(f), "%s.source", field);
		if (!(rc = str_member(ev, "source", f, 300, 1, &src, e))) {
			snprintf(f, sizeof(f), "%s.measure", field);
			rc = str_member(ev, "measure", f, 64, 0, &m, e);
		}
		if (!rc) {
			snprintf(f, sizeof(f), "%s.period", field);
			rc = str_member(ev, "period", f, 16, 0, &p, e);
		}
		if (!rc) {
			json_object_set_new(o, "source", json_string(src));
			if (m)
				json_object_set_new(o, "measure", json_string(m));
			if (p)
				json_object_set_new(o, "period", json_string(p));
		}
	} else if (!strcmp(kind, "case")) {
		json_t *c = json_object_get(ev, "case");
		json_int_t id = json_is_integer(c) ? json_integer_value(c) : 0;
		if (json_is_string(c)) {
			const char *v = json_string_value(c);
			char *end;
			id = strtoll(v + (*v == 'C' || *v == 'c'), &end, 10);
			if (*end)
				id = 0;
		}
		snprintf(f, sizeof(f), "%s.case", field);
		if (id <= 0)
			rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, f,
			                 "a case by its reference, e.g. \"C12\"");
		else
			json_object_set_new(o, "case", json_integer(id));
	} else if (!strcmp(kind, "document")) {
		snprintf(f, sizeof(f), "%s.title", field);
		if (!(rc = str_member(ev, "title", f, 300, 1, &a, e))) {
			snprintf(f, sizeof(f), "%s.citation", field);
			rc = str_member(ev, "citation", f, 500, 0, &b, e);
		}
		if (!rc) {
			json_object_set_new(o, "title", json_string(a));
			if (b)
				json_object_set_new(o, "citation", json_string(b));
		}
	} else {
		rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, field,
		                 "unknown kind '%s' (figure, stats, ledger, case or document)",
		                 kind);
	}
	if (rc) {
		json_decref(o);
		return rc;
	}
	json_array_append_new(list, o);
	return CTIP_OK;
}

static int check_question(ctip_store *s, const json_t *q, size_t i, json_t *qs, ctip_err *e)
{
	char field[64], f[96];
	snprintf(field, sizeof(field), "questions[%zu]", i);
	if (!json_is_object(q))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field,
		                   "an object with num, text, answer and evidence");
	json_t *num = json_object_get(q, "num");
	json_int_t n = json_is_integer(num) ? json_integer_value(num) : (json_int_t)i + 1;
	snprintf(f, sizeof(f), "%s.num", field);
	if ((num && !json_is_integer(num)) || n < 1 || n > 999)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f, "a number from 1 to 999");
	size_t k;
	json_t *o;
	json_array_foreach(qs, k, o) if (json_integer_value(json_object_get(o, "num")) ==
	                                 n) return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f,
	                                                       "question %lld is there twice",
	                                                       (long long)n);
	const char *text, *answer;
	int rc;
	snprintf(f, sizeof(f), "%s.text", field);
	if ((rc = str_member(q, "text", f, 8000, 1, &text, e)))
		return rc;
	snprintf(f, sizeof(f), "%s.answer", field);
	if ((rc = str_member(q, "answer", f, 40000, 0, &answer, e)))
		return rc;
	json_t *out = json_object(), *evs = json_array();
	json_object_set_new(out, "num", json_integer(n));
	json_object_set_new(out, "text", json_string(text));
	json_object_set_new(out, "answer", json_string(answer ? answer : ""));
	json_object_set_new(out, "evidence", evs);
	json_t *ev = json_object_get(q, "evidence");
	if (ev && !json_is_null(ev) && !json_is_array(ev)) {
		json_decref(out);
		snprintf(f, sizeof(f), "%s.evidence", field);
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f, "a list of evidence objects");
	}
	if (json_array_size(ev) > MAX_EVIDENCE) {
		json_decref(out);
		snprintf(f, sizeof(f), "%s.evidence", field);
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, f, "at most %d items", MAX_EVIDENCE);
	}
	json_array_foreach(ev, k, o)
	{
		snprintf(f, sizeof(f), "%s.evidence[%zu]", field, k);
		if ((rc = check_evidence(s, o, evs, f, e))) {
			json_decref(out);
			return rc;
		}
	}
	json_array_append_new(qs, out);
	return CTIP_OK;
}

static int by_num(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "num"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "num"));
	return (x > y) - (x < y);
}

/* The questions in the order of their numbers. */
static void sort_questions(json_t *qs)
{
	size_t n = json_array_size(qs);
	if (n < 2)
		return;
	json_t **v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(qs, i));
	qsort(v, n, sizeof(*v), by_num);
	json_array_clear(qs);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(qs, v[i]);
	free(v);
}

int ctip_comms_from_json(ctip_store *s, const json_t *j, struct ctip_comm *c, ctip_err *e)
{
	const char *ref, *kind, *sender, *subject, *received, *due, *status, *irt, *citation;
	int rc;
	memset(c, 0, sizeof(*c));
	if (!json_is_object(j))
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "a communication is a JSON object (ref, kind, sender, received, "
		        "questions, ...; docs/COMMS.md)");
	if ((rc = str_member(j, "ref", "ref", sizeof(c->ref) - 1, 1, &ref, e)) ||
	    (rc = str_member(j, "kind", "kind", 40, 1, &kind, e)) ||
	    (rc = str_member(j, "sender", "sender", sizeof(c->sender) - 1, 1, &sender, e)) ||
	    (rc = str_member(j, "subject", "subject", sizeof(c->subject) - 1, 0, &subject, e)) ||
	    (rc = str_member(j, "received", "received", 10, 1, &received, e)) ||
	    (rc = str_member(j, "due", "due", 10, 0, &due, e)) ||
	    (rc = str_member(j, "status", "status", 40, 0, &status, e)) ||
	    (rc = str_member(j, "in_reply_to", "in_reply_to", sizeof(c->in_reply_to) - 1, 0, &irt,
	                     e)) ||
	    (rc = str_member(j, "citation", "citation", 1000, 0, &citation, e)))
		return rc;
	for (const char *p = ref; *p; p++)
		if ((unsigned char)*p < 0x20)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "ref",
			                   "a reference is one line of text");
	snprintf(c->ref, sizeof(c->ref), "%s", ref);
	snprintf(c->sender, sizeof(c->sender), "%s", sender);
	snprintf(c->subject, sizeof(c->subject), "%s", subject ? subject : "");
	snprintf(c->in_reply_to, sizeof(c->in_reply_to), "%s", irt ? irt : "");
	if ((rc = vocab(s, "comm_kind", "kind", kind, c->kind, sizeof(c->kind), e)) ||
	    (rc = vocab(s, "comm_status", "status", status ? status : "received", c->status,
	                sizeof(c->status), e)) ||
	    (rc = date_field("received", received, 1, c->received, e)))
		return rc;
	char today[11];
	ctip_cw_today(today);
	if (strcmp(c->received, today) > 0)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "received", "%s is in the future",
		                   c->received);
	if (due) {
		if ((rc = date_field("due", due, 0, c->due, e)))
			return rc;
		if (strcmp(c->due, c->received) < 0)
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "due",
			                   "%s is before the date received (%s)", c->due,
			                   c->received);
	} else if (strcmp(c->kind, "government_reply") && strcmp(c->kind, "other") &&
	           strlen(c->received) == 10) {
		/* a letter that asks for a reply and gives no date: the UN's 60 days */
		ctip_cw_add_days(c->received, CTIP_COMMS_DUE_DAYS, c->due);
	}
	json_t *qs = json_object_get(j, "questions");
	if (qs && !json_is_null(qs) && !json_is_array(qs))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "questions",
		                   "a list of questions (num, text, answer, evidence)");
	if (json_array_size(qs) > MAX_QUESTIONS)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "questions", "at most %d questions",
		                   MAX_QUESTIONS);
	json_t *body = json_object(), *out = json_array();
	json_object_set_new(body, "questions", out);
	if (citation)
		json_object_set_new(body, "citation", json_string(citation));
	size_t i;
	json_t *q;
	json_array_foreach(qs, i, q) if ((rc = check_question(s, q, i, out, e)))
	{
		json_decref(body);
		return rc;
	}
	sort_questions(out);
	c->body = body;
	json_t *id = json_object_get(j, "id"), *ver = json_object_get(j, "version");
	c->id = json_is_integer(id) ? json_integer_value(id) : 0;
	c->version = json_is_integer(ver) ? json_integer_value(ver) : 0;
	return CTIP_OK;
}

int ctip_comms_overdue(const struct ctip_comm *c, const char *today)
{
	return c->due[0] && strcmp(c->due, today) < 0 && strcmp(c->status, "answered") &&
	       strcmp(c->status, "closed");
}

json_t *ctip_comms_json(ctip_store *s, const struct ctip_comm *c)
{
	char today[11];
	ctip_cw_today(today);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "ref", json_string(c->ref));
	json_object_set_new(o, "kind", json_string(c->kind));
	json_object_set_new(o, "sender", json_string(c->sender));
	json_object_set_new(o, "subject", json_string(c->subject));
	json_object_set_new(o, "received", json_string(c->received));
	json_object_set_new(o, "due", c->due[0] ? json_string(c->due) : json_null());
	json_object_set_new(o, "status", json_string(c->status));
	json_object_set_new(o, "overdue", json_boolean(ctip_comms_overdue(c, today)));
	json_object_set_new(o, "in_reply_to",
	                    c->in_reply_to[0] ? json_string(c->in_reply_to) : json_null());
	json_object_set_new(o, "organisation", json_string(c->org));
	json_object_set_new(o, "version", json_integer(c->version));
	json_object_set_new(o, "created_by", json_string(c->created_by));
	json_object_set_new(o, "created_at", json_string(c->created_at));
	json_object_set_new(o, "updated_at", json_string(c->updated_at));
	json_t *qs = json_object_get(c->body, "questions");
	json_t *cit = json_object_get(c->body, "citation");
	json_object_set_new(o, "citation", cit ? json_incref(cit) : json_null());
	json_object_set_new(o, "questions", qs ? json_incref(qs) : json_array());
	return o;
}

/* ---- reading and writing ------------------------------------------------------------------ */

static void now_iso(char out[24])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Writes the change and its audit entry in one transaction: no entry, no change. */
static int save(ctip_store *s, const struct ctip_account *actor, struct ctip_comm *c, int is_new,
                ctip_err *e)
{
	const struct ctip_comms_ops *o = ctip_comms_store(s, e);
	if (!o)
		return CTIP_EINVAL;
	char *body = json_dumps(c->body, JSON_COMPACT);
	if (!body)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	now_iso(c->updated_at);
	int rc = s->ops->begin(s, e);
	if (rc == CTIP_OK)
		rc = is_new ? o->add(s, c, body, &c->id, e) : o->update(s, c, body, e);
	free(body);
	if (rc == CTIP_OK) {
		char obj[32], detail[300];
		snprintf(obj, sizeof(obj), "M%lld", (long long)c->id);
		snprintf(detail, sizeof(detail), "ref=%s; status=%s; %zu questions", c->ref,
		         c->status, json_array_size(json_object_get(c->body, "questions")));
		struct ctip_audit_new a = {actor->username, is_new ? "comms-add" : "comms-update",
		                           obj, detail};
		rc = ctip_audit_in_tx(s, &a, 1, e);
	}
	if (rc == CTIP_OK && (rc = s->ops->commit(s, e)) == CTIP_OK) {
		if (!is_new)
			c->version++;
		else
			c->version = 1;
		return CTIP_OK;
	}
	s->ops->rollback(s);
	return rc;
}

int ctip_comms_add(ctip_store *s, const struct ctip_account *actor, struct ctip_comm *c,
                   ctip_err *e)
{
	if (!ctip_comms_may_write(actor))
		return deny(actor, "record", e);
	c->org_id = actor->org_id;
	snprintf(c->org, sizeof(c->org), "%s", actor->org);
	snprintf(c->created_by, sizeof(c->created_by), "%s", actor->username);
	now_iso(c->created_at);
	return save(s, actor, c, 1, e);
}

struct one {
	struct ctip_comm *c;
	int found;
};

static int keep_one(void *ctx, const struct ctip_comm *c, const char *body)
{
	struct one *o = ctx;
	json_error_t je;
	json_t *b = json_loads(body, 0, &je);
	if (!b)
		b = json_object(); /* an unreadable body: shown empty, never a crash */
	*o->c = *c;
	o->c->body = b;
	o->found = 1;
	return CTIP_OK;
}

int ctip_comms_get(ctip_store *s, const struct ctip_account *actor, int64_t id, const char *ref,
                   struct ctip_comm *c, ctip_err *e)
{
	if (!ctip_comms_may_read(actor))
		return deny(actor, "read", e);
	const struct ctip_comms_ops *o = ctip_comms_store(s, e);
	if (!o)
		return CTIP_EINVAL;
	struct one one = {c, 0};
	memset(c, 0, sizeof(*c));
	int rc = o->list(s, actor->org_id, id, ref, keep_one, &one, e);
	if (rc == CTIP_OK && !one.found) {
		/* another organisation's is as if there were none */
		if (ref)
			return ctip_err_set(e, CTIP_ENOTFOUND,
			                    "no communication '%s' (ctip comms list shows them)",
			                    ref);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no communication M%lld", (long long)id);
	}
	return rc;
}

int ctip_comms_update(ctip_store *s, const struct ctip_account *actor, struct ctip_comm *c,
                      ctip_err *e)
{
	if (!ctip_comms_may_write(actor))
		return deny(actor, "change", e);
	struct ctip_comm old;
	int rc = ctip_comms_get(s, actor, c->id, NULL, &old, e);
	if (rc)
		return rc;
	/* what a save does not change: whose it is, its reference, who made it */
	c->org_id = old.org_id;
	snprintf(c->org, sizeof(c->org), "%s", old.org);
	snprintf(c->ref, sizeof(c->ref), "%s", old.ref);
	snprintf(c->created_by, sizeof(c->created_by), "%s", old.created_by);
	snprintf(c->created_at, sizeof(c->created_at), "%s", old.created_at);
	if (!c->version)
		c->version = old.version;
	ctip_comms_clear(&old);
	return save(s, actor, c, 0, e);
}

struct each {
	int (*cb)(void *ctx, const struct ctip_comm *c);
	void *ctx;
	const char *status;
	int overdue;
	char today[11];
};

static int each_one(void *ctx, const struct ctip_comm *c, const char *body)
{
	struct each *x = ctx;
	if ((x->status && strcmp(x->status, c->status)) ||
	    (x->overdue && !ctip_comms_overdue(c, x->today)))
		return CTIP_OK;
	struct ctip_comm k = *c;
	json_error_t je;
	k.body = json_loads(body, 0, &je);
	int rc = x->cb(x->ctx, &k);
	json_decref(k.body);
	return rc;
}

int ctip_comms_list(ctip_store *s, const struct ctip_account *actor, const char *status,
                    int overdue, int (*cb)(void *ctx, const struct ctip_comm *c), void *ctx,
                    ctip_err *e)
{
	if (!ctip_comms_may_read(actor))
		return deny(actor, "read", e);
	const struct ctip_comms_ops *o = ctip_comms_store(s, e);
	if (!o)
		return CTIP_EINVAL;
	struct each x = {cb, ctx, NULL, overdue, ""};
	char st[16];
	if (status && *status) {
		int rc = vocab(s, "comm_status", "status", status, st, sizeof(st), e);
		if (rc)
			return rc;
		x.status = st;
	}
	ctip_cw_today(x.today);
	return o->list(s, actor->org_id, 0, NULL, each_one, &x, e);
}

/* ---- edits of the body -------------------------------------------------------------------- */

static json_t *question(struct ctip_comm *c, int num)
{
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(c->body, "questions"), i,
	                   q) if (json_integer_value(json_object_get(q, "num")) == num) return q;
	return NULL;
}

int ctip_comms_question_set(struct ctip_comm *c, int num, const char *text, ctip_err *e)
{
	if (num < 1 || num > 999)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "num", "a number from 1 to 999");
	if (!text || !*text || strlen(text) > 8000)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "text",
		                   "the question's text (up to 8000 characters)");
	json_t *q = question(c, num);
	if (q)
		return json_object_set_new(q, "text", json_string(text)) ? CTIP_ENOMEM : CTIP_OK;
	json_t *qs = json_object_get(c->body, "questions");
	if (!qs) {
		qs = json_array();
		json_object_set_new(c->body, "questions", qs);
	}
	if (json_array_size(qs) >= MAX_QUESTIONS)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "num", "at most %d questions",
		                   MAX_QUESTIONS);
	q = json_object();
	json_object_set_new(q, "num", json_integer(num));
	json_object_set_new(q, "text", json_string(text));
	json_object_set_new(q, "answer", json_string(""));
	json_object_set_new(q, "evidence", json_array());
	json_array_append_new(qs, q);
	sort_questions(qs);
	return CTIP_OK;
}

int ctip_comms_answer_set(struct ctip_comm *c, int num, const char *answer, ctip_err *e)
{
	json_t *q = question(c, num);
	if (!q)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "num",
		                   "%s has no question %d (ctip comms question adds one)", c->ref,
		                   num);
	if (answer && strlen(answer) > 40000)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "answer",
		                   "longer than 40000 characters");
	json_object_set_new(q, "answer", json_string(answer ? answer : ""));
	return CTIP_OK;
}

int ctip_comms_evidence_add(ctip_store *s, struct ctip_comm *c, int num, json_t *ev, ctip_err *e)
{
	json_t *q = question(c, num);
	if (!q)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "num",
		                   "%s has no question %d (ctip comms question adds one)", c->ref,
		                   num);
	json_t *list = json_object_get(q, "evidence");
	if (!list) {
		list = json_array();
		json_object_set_new(q, "evidence", list);
	}
	if (json_array_size(list) >= MAX_EVIDENCE)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "evidence", "at most %d items",
		                   MAX_EVIDENCE);
	return check_evidence(s, ev, list, "evidence", e);
}
