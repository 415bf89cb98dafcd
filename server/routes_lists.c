/*
 * routes_lists.c - the long lists of the web UI (issue 14, item 5; docs/WEB_UI.md, docs/API.md):
 *   GET /api/cases   the cases the user sees, with the victim's name where the user may see it,
 *                    the assigned caseworker and the last activity; filtered (status, stage,
 *                    risk, assigned, opening period, text or name), sorted, paged with the total;
 *                    format=csv: every page of the same filter as CSV (audited as an export);
 *   GET /api/home    the home page: the user's cases, follow-ups due and overdue, new
 *                    referrals, high-risk cases, approvals waiting, with their counts.
 *
 * A victim's identity shows on a list exactly where it shows on the case page
 * (access.c: srv_identity_shown): the organisation's own cases, and a referred case only with
 * the victim's consent to share the identity. The name filter and the name order obey the same
 * rule, so that neither is an oracle for a hidden name: the name filter matches through the
 * blind-index search within what the organisation may find (docs/DESIGN.md, Search), then keeps
 * only the cases where the matched person's identity shows; the name order orders by the names
 * shown and puts every hidden one last, by case id. Names shown are audited (search_hit for a
 * page, export_records for an export), never the query.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "date.h"
#include "identity.h"
#include "server.h"
#include "store_casework.h"
#include "store_lists.h"
#include "text.h"

#define LIST_PER_PAGE   50
#define LIST_MAX_PAGE   200
#define NAME_CANDIDATES 2000   /* persons a name filter considers (the best by name) */
#define EXPORT_MAX      200000 /* rows of one CSV export */
#define HOME_ITEMS      5

/* ---- the query ------------------------------------------------------------------------ */

struct listq {
	struct ctip_case_query q;
	char from[11], to[11], today[11];
	char *text;
	int64_t *ids; /* cases matched by name */
	int nids, capids;
	int by_name; /* sorted by the victim's name (done here) */
	const char *assigned_arg;
};

static void listq_free(struct listq *l)
{
	free(l->text);
	free(l->ids);
}

/* A date argument: YYYY-MM-DD or DD/MM/YYYY, into out as YYYY-MM-DD ("" when absent). */
static int arg_date(struct req *r, const char *name, char out[11])
{
	const char *v = srv_arg(r, name);
	out[0] = 0;
	if (!v || !*v)
		return 0;
	int d, m, y;
	char rest;
	if (sscanf(v, "%2d/%2d/%4d%c", &d, &m, &y, &rest) == 3 ||
	    sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &rest) == 3) {
		if (y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 &&
		    d <= ctip_date_days_in_month(y, m)) {
			snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
			return 0;
		}
	}
	return srv_error(r, 400, name, "%s: a date as DD/MM/YYYY or YYYY-MM-DD", name);
}

/* A vocabulary argument: its code (any alias accepted), NULL when absent. */
static int arg_vocab(struct req *r, const char *name, const char *vocab, const char **out)
{
	const char *v = srv_arg(r, name);
	*out = NULL;
	if (!v || !*v)
		return 0;
	if (!strcmp(name, "risk") && !strcmp(v, "none")) {
		*out = "none";
		return 0;
	}
	const struct ctip_ref_entry *en = ctip_ref_find(r->s->ref, vocab, v);
	if (!en)
		return srv_error(r, 400, name, "unknown %s: %s", name, v);
	*out = en->code;
	return 0;
}

static const struct {
	const char *name;
	enum ctip_case_sort sort;
} sorts[] = {
        {"activity", CTIP_SORT_ACTIVITY}, {"opened", CTIP_SORT_OPENED}, {"case", CTIP_SORT_CASE},
        {"status", CTIP_SORT_STATUS},     {"stage", CTIP_SORT_STAGE},   {"risk", CTIP_SORT_RISK},
        {"assigned", CTIP_SORT_ASSIGNED}, {"org", CTIP_SORT_ORG},       {"name", CTIP_SORT_ID},
};

/* Cases showing the identity of a person the name matched. */
static int add_case(struct listq *l, int64_t case_id)
{
	for (int i = 0; i < l->nids; i++)
		if (l->ids[i] == case_id)
			return 0;
	if (l->nids == l->capids) {
		int cap = l->capids ? 2 * l->capids : 64;
		int64_t *g = realloc(l->ids, (size_t)cap * sizeof(*g));
		if (!g)
			return CTIP_ENOMEM;
		l->ids = g;
		l->capids = cap;
	}
	l->ids[l->nids++] = case_id;
	return 0;
}

struct names {
	struct listq *l;
	int64_t own[50], other[50];
	int nown, nother;
	int64_t org;
	ctip_store *s;
	ctip_err *e;
};

static int on_own(void *ctx, int64_t person_id, int64_t case_id)
{
	(void)person_id;
	return add_case(((struct names *)ctx)->l, case_id);
}

static int on_visible(void *ctx, int64_t person_id, int64_t case_id, int access, int consent,
                      const char *scope)
{
	(void)person_id;
	/* a hidden identity matches nothing: the name filter is no oracle for it */
	return srv_identity_shown(access, consent, scope)
	               ? add_case(((struct names *)ctx)->l, case_id)
	               : 0;
}

static int names_flush(struct names *n)
{
	int rc = 0;
	if (n->nown)
		rc = n->s->srv->persons_own_cases(n->s, n->own, n->nown, on_own, n, n->e);
	if (!rc && n->nother)
		rc = n->s->srv->persons_visible_cases(n->s, n->other, n->nother, n->org, on_visible,
		                                      n, n->e);
	n->nown = n->nother = 0;
	return rc;
}

static int on_name_hit(void *ctx, const struct ctip_person_hit *h)
{
	struct names *n = ctx;
	if (h->org_id == n->org)
		n->own[n->nown++] = h->id;
	else
		n->other[n->nother++] = h->id;
	return n->nown == 50 || n->nother == 50 ? names_flush(n) : 0;
}

/* Whether q may be a name, document or phone for the person search (routes_search.c). */
static int searchable(const char *q)
{
	int letters = 0;
	for (const unsigned char *p = (const unsigned char *)q; *p; p++) {
		if (*p < 0x80 && !isalnum(*p) && !strchr(" .,'-+/", *p))
			return 0;
		letters += *p >= 0x80 || isalnum(*p);
	}
	return letters > 0;
}

/* The list's query from the request's arguments; 0, or an error status set. */
static int listq_make(struct req *r, struct listq *l)
{
	memset(l, 0, sizeof(*l));
	struct ctip_case_query *q = &l->q;
	q->org_id = r->sess.org_id;
	srv_today(l->today);
	q->today = l->today;
	int64_t page, per;
	if (srv_arg_int(r, "page", 1, 1000000, &page) ||
	    srv_arg_int(r, "per_page", LIST_PER_PAGE, LIST_MAX_PAGE, &per))
		return 400;
	q->offset = (long)((page - 1) * per);
	q->limit = (long)per;
	if (arg_vocab(r, "status", "case_status", &q->status) ||
	    arg_vocab(r, "stage", "case_stage", &q->stage) ||
	    arg_vocab(r, "risk", "risk_level", &q->risk) || arg_date(r, "from", l->from) ||
	    arg_date(r, "to", l->to))
		return 400;
	q->from = *l->from ? l->from : NULL;
	q->to = *l->to ? l->to : NULL;
	const char *a = srv_arg(r, "assigned");
	if (a && *a) {
		if (strlen(a) > 64)
			return srv_error(r, 400, "assigned", "assigned: a username, me or none");
		if (!strcmp(a, "none"))
			q->unassigned = 1;
		else
			q->assigned = !strcmp(a, "me") ? r->sess.username : a;
	}
	const char *own = srv_arg(r, "own"), *open = srv_arg(r, "open");
	q->own_only = own && !strcmp(own, "1");
	q->open_only = open && !strcmp(open, "1");
	const char *sort = srv_arg(r, "sort"), *dir = srv_arg(r, "dir");
	q->sort = CTIP_SORT_ACTIVITY;
	q->desc = 1;
	if (sort && *sort) {
		size_t i = 0;
		for (; i < sizeof(sorts) / sizeof(*sorts) && strcmp(sorts[i].name, sort); i++)
			;
		if (i == sizeof(sorts) / sizeof(*sorts))
			return srv_error(
			        r, 400, "sort",
			        "sort: activity, opened, case, status, stage, risk, assigned, "
			        "org or name");
		q->sort = sorts[i].sort;
		l->by_name = !strcmp(sort, "name");
		q->desc = q->sort == CTIP_SORT_ACTIVITY || q->sort == CTIP_SORT_OPENED ||
		          q->sort == CTIP_SORT_RISK;
	}
	if (dir && *dir) {
		if (strcmp(dir, "asc") && strcmp(dir, "desc"))
			return srv_error(r, 400, "dir", "dir: asc or desc");
		q->desc = !strcmp(dir, "desc");
	}
	/* text: in the case number or the organisation's name, or a person's name, document or
	 * phone (the blind-index search, within what the user may find) */
	const char *t = srv_arg(r, "q");
	if (t && *t) {
		if (strlen(t) > 200)
			return srv_error(r, 400, "q", "q is longer than 200 bytes");
		if (!(l->text = ctip_text_fold(t)))
			return srv_error(r, 400, "q", "q is not valid UTF-8");
		q->text = l->text;
		q->ids_given = 1;
		if (searchable(t)) {
			ctip_err e = {0};
			struct names n = {.l = l, .org = r->sess.org_id, .s = r->s, .e = &e};
			int rc = r->s->ops->search(r->s, t, r->sess.org_id, NAME_CANDIDATES,
			                           on_name_hit, &n, &e);
			if (!rc)
				rc = names_flush(&n);
			if (rc == CTIP_ENOMEM)
				return srv_error(r, 503, NULL, "the server is out of memory");
			if (rc && e.code == CTIP_EINVAL)
				return srv_error(r, 400, "q", "%s", e.msg);
			if (rc)
				return srv_fail(r, &e);
		}
		q->ids = l->ids;
		q->nids = l->nids;
	}
	return 0;
}

/* ---- a row as JSON and CSV -------------------------------------------------------------- */

/* The victim's name when the user may see it ("" when the record has no name); NULL when
 * hidden or when there is no victim. */
static char *victim_name(struct req *r, const struct ctip_case_row *c, ctip_err *e, int *err)
{
	*err = 0;
	if (!c->victim_id || !srv_identity_shown(c->access, c->consent, c->scope))
		return NULL;
	char *v[CTIP_IDENTITY_N];
	if (ctip_identity_open(r->s->crypto, r->s->path, c->victim_id, c->identity, c->identity_n,
	                       v, e)) {
		*err = 1;
		return NULL;
	}
	size_t len = 3;
	for (int i = 0; i < 3; i++)
		len += v[i] ? strlen(v[i]) : 0;
	char *name = malloc(len), *w = name;
	if (name) {
		for (int i = 0; i < 3; i++)
			if (v[i] && *v[i]) {
				if (w != name)
					*w++ = ' ';
				size_t n = strlen(v[i]);
				memcpy(w, v[i], n);
				w += n;
			}
		*w = 0;
	} else {
		*err = 1;
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	ctip_identity_free(v);
	return name;
}

/* Rows collected (the page, or every row of an export or a name order). */
struct crow {
	int64_t id, victim_id;
	char *src, *org, *status, *opened, *closed, *stage, *assigned, *risk, *activity;
	char *name;    /* NULL: hidden or none */
	int hidden;    /* a victim whose identity the user may not see */
	char *sortkey; /* the name's sort key (by_name) */
	long persons;
	int access, overdue;
};

struct rows {
	struct req *r;
	struct crow *v;
	size_t n, cap;
	int by_name;
	ctip_err *e;
};

static char *dupn(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void crow_free(struct crow *c)
{
	free(c->src);
	free(c->org);
	free(c->status);
	free(c->opened);
	free(c->closed);
	free(c->stage);
	free(c->assigned);
	free(c->risk);
	free(c->activity);
	free(c->name);
	free(c->sortkey);
}

static void rows_free(struct rows *x)
{
	for (size_t i = 0; i < x->n; i++)
		crow_free(&x->v[i]);
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}

static int on_row(void *ctx, const struct ctip_case_row *c)
{
	struct rows *x = ctx;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		struct crow *g = realloc(x->v, cap * sizeof(*g));
		if (!g)
			return ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
		x->v = g;
		x->cap = cap;
	}
	struct crow *w = &x->v[x->n];
	memset(w, 0, sizeof(*w));
	x->n++;
	w->id = c->id;
	w->victim_id = c->victim_id;
	w->persons = c->persons;
	w->access = c->access;
	w->overdue = c->followup_overdue;
	w->src = dupn(c->src_case_id);
	w->org = dupn(c->org);
	w->status = dupn(c->status);
	w->opened = dupn(c->opened);
	w->closed = dupn(c->closed);
	w->stage = dupn(c->stage);
	w->assigned = dupn(c->assigned);
	w->risk = dupn(c->risk);
	w->activity = dupn(c->activity);
	int err;
	w->name = victim_name(x->r, c, x->e, &err);
	if (err)
		return x->e->code ? x->e->code : CTIP_EDB;
	w->hidden = c->victim_id && !w->name;
	if (x->by_name && w->name && !(w->sortkey = ctip_text_fold(w->name)))
		return ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
	if ((c->src_case_id && !w->src) || (c->org && !w->org) || (c->stage && !w->stage))
		return ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
	return 0;
}

static _Thread_local int desc_order; /* qsort has no context: per thread (a pool of threads) */

/* Names shown first, in the order of their folded form, then the hidden and nameless by id:
 * a hidden name never decides a place. */
static int by_name_cmp(const void *a, const void *b)
{
	const struct crow *x = a, *y = b;
	int c;
	if (x->sortkey && y->sortkey)
		c = strcmp(x->sortkey, y->sortkey);
	else if (x->sortkey || y->sortkey)
		return x->sortkey ? -1 : 1; /* hidden last in either direction */
	else
		return (x->id > y->id) - (x->id < y->id);
	if (!c)
		c = (x->id > y->id) - (x->id < y->id);
	return desc_order ? -c : c;
}

static void crow_json(struct srv_jtext *j, const struct crow *c, int first)
{
	srv_jt_raw(j, first ? "{\"id\":" : ",{\"id\":");
	srv_jt_int(j, c->id);
	srv_jt_raw(j, ",\"src_CaseId\":");
	srv_jt_str(j, c->src);
	srv_jt_raw(j, ",\"org\":");
	srv_jt_str(j, c->org);
	srv_jt_raw(j, ",\"cas_Status\":");
	srv_jt_str(j, c->status);
	srv_jt_raw(j, ",\"ctip_CaseOpenedDate\":");
	srv_jt_str(j, c->opened);
	srv_jt_raw(j, ",\"ctip_CaseClosedDate\":");
	srv_jt_str(j, c->closed);
	srv_jt_raw(j, ",\"stage\":");
	srv_jt_str(j, c->stage);
	srv_jt_raw(j, ",\"assigned\":");
	srv_jt_str(j, c->assigned);
	srv_jt_raw(j, ",\"risk\":");
	srv_jt_str(j, c->risk);
	srv_jt_raw(j, ",\"activity\":");
	srv_jt_str(j, c->activity);
	srv_jt_raw(j, ",\"persons\":");
	srv_jt_int(j, c->persons);
	srv_jt_raw(j, ",\"followup_overdue\":");
	srv_jt_int(j, c->overdue);
	srv_jt_raw(j, ",\"access\":");
	srv_jt_str(j, c->access == CTIP_ACCESS_OWN ? "own" : "referral");
	srv_jt_raw(j, ",\"victim\":");
	if (c->victim_id && c->name) {
		srv_jt_raw(j, "{\"id\":");
		srv_jt_int(j, c->victim_id);
		srv_jt_raw(j, ",\"name\":");
		srv_jt_str(j, c->name);
		srv_jt_raw(j, "}");
	} else if (c->hidden) {
		srv_jt_raw(j, "{\"redacted\":true}");
	} else {
		srv_jt_raw(j, "null");
	}
	srv_jt_raw(j, "}");
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The persons named on a list, each once (a victim may be in two cases, or on two lists of
 * the home page), audited in entries of up to 200 (store_audit.h: search_hit and
 * export_records entries name several records, separated by spaces). */
static int audit_names(struct req *r, const struct crow *v, size_t n, const char *action,
                       const char *detail)
{
	int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	size_t k = 0;
	if (!ids)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i].victim_id && v[i].name)
			ids[k++] = v[i].victim_id;
	qsort(ids, k, sizeof(*ids), id_cmp);
	char list[200 * 22];
	size_t w = 0;
	int in = 0, rc = 0;
	for (size_t i = 0; i < k && !rc; i++) {
		if (i && ids[i] == ids[i - 1])
			continue;
		char obj[32];
		obj[0] = 'P';
		srv_fmt_int(obj + 1, ids[i]);
		size_t len = strlen(obj);
		if (w)
			list[w++] = ' ';
		memcpy(list + w, obj, len);
		w += len;
		list[w] = 0;
		if (++in == 200) {
			const char *o = list;
			rc = srv_audit(r->sess.username, action, &o, 1, detail) ? -1 : 0;
			w = 0;
			in = 0;
		}
	}
	if (!rc && in) {
		const char *o = list;
		rc = srv_audit(r->sess.username, action, &o, 1, detail) ? -1 : 0;
	}
	free(ids);
	return rc;
}

static void csv_rows(FILE *f, struct req *r, const struct crow *v, size_t n)
{
	static const char *const head[] = {"id",
	                                   "src_CaseId",
	                                   "org",
	                                   "victim",
	                                   "cas_Status",
	                                   "stage",
	                                   "risk",
	                                   "assigned",
	                                   "ctip_CaseOpenedDate",
	                                   "ctip_CaseClosedDate",
	                                   "activity",
	                                   "persons",
	                                   "followup_overdue",
	                                   "access"};
	(void)r;
	ctip_csv_row(f, head, (int)(sizeof(head) / sizeof(*head)));
	for (size_t i = 0; i < n; i++) {
		const struct crow *c = &v[i];
		char id[24], persons[24], overdue[24];
		srv_fmt_int(id, c->id);
		srv_fmt_int(persons, c->persons);
		srv_fmt_int(overdue, c->overdue);
		const char *cells[] = {
		        id,          c->src,
		        c->org,      c->name ? c->name : c->hidden ? "(identity not shared)" : "",
		        c->status,   c->stage,
		        c->risk,     c->assigned,
		        c->opened,   c->closed,
		        c->activity, persons,
		        overdue,     c->access == CTIP_ACCESS_OWN ? "own" : "referral"};
		ctip_csv_row(f, cells, (int)(sizeof(cells) / sizeof(*cells)));
	}
}

/* Sends text as a file (CSV). */
static int send_csv(struct req *r, char *text, const char *name)
{
	r->out_doc = text;
	r->out_doc_len = strlen(text);
	r->out_doc_type = "text/csv; charset=utf-8";
	snprintf(r->out_doc_name, sizeof(r->out_doc_name), "%s", name);
	return 200;
}

int h_cases_list(struct req *r)
{
	struct listq l;
	int st = listq_make(r, &l);
	if (st) {
		listq_free(&l);
		return st;
	}
	const char *format = srv_arg(r, "format");
	int csv = format && !strcmp(format, "csv");
	if (format && *format && !csv && strcmp(format, "json")) {
		listq_free(&l);
		return srv_error(r, 400, "format", "format: json or csv");
	}
	ctip_err e = {0};
	const struct ctip_list_ops *o = ctip_list_ops(r->s, &e);
	if (!o) {
		listq_free(&l);
		return srv_fail(r, &e);
	}
	long total = 0, offset = l.q.offset, limit = l.q.limit;
	struct rows x = {.r = r, .by_name = l.by_name, .e = &e};
	/* every row for an export or an order by name (then paged here) */
	if (csv || l.by_name) {
		l.q.offset = 0;
		l.q.limit = csv ? EXPORT_MAX : -1;
	}
	int rc = o->cases(r->s, &l.q, &total, on_row, &x, &e);
	listq_free(&l);
	if (rc) {
		rows_free(&x);
		return rc == CTIP_ENOMEM ? srv_error(r, 503, NULL, "the server is out of memory")
		                         : srv_fail(r, &e);
	}
	size_t from = 0, to = x.n;
	if (l.by_name) {
		desc_order = l.q.desc;
		qsort(x.v, x.n, sizeof(*x.v), by_name_cmp);
		if (!csv) {
			from = (size_t)offset < x.n ? (size_t)offset : x.n;
			to = from + (size_t)limit < x.n ? from + (size_t)limit : x.n;
		}
	}
	r->s->srv->read_end(r->s); /* the reads are done: no snapshot held while auditing */
	if (csv) {
		if (total > EXPORT_MAX) {
			rows_free(&x);
			return srv_error(
			        r, 400, NULL,
			        "%ld cases: more than an export gives (%d); narrow the filter",
			        total, EXPORT_MAX);
		}
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (!f) {
			rows_free(&x);
			return srv_error(r, 503, NULL, "the server is out of memory");
		}
		csv_rows(f, r, x.v, x.n);
		fclose(f);
		/* every name that leaves is audited before the file is sent */
		if (audit_names(r, x.v, x.n, "export_records", "cases.csv")) {
			free(buf);
			rows_free(&x);
			return srv_error(r, 500, NULL, "the audit log cannot be written");
		}
		rows_free(&x);
		return send_csv(r, buf, "cases.csv");
	}
	struct srv_jtext j = {0};
	srv_jt_raw(&j, "{\"cases\":[");
	for (size_t i = from; i < to; i++)
		crow_json(&j, &x.v[i], i == from);
	srv_jt_raw(&j, "],\"total\":");
	srv_jt_int(&j, total);
	srv_jt_raw(&j, ",\"page\":");
	srv_jt_int(&j, limit ? offset / limit + 1 : 1);
	srv_jt_raw(&j, ",\"per_page\":");
	srv_jt_int(&j, limit);
	srv_jt_raw(&j, "}");
	int fail = audit_names(r, x.v + from, to - from, "search_hit", "list");
	rows_free(&x);
	if (j.oom) {
		free(j.b);
		return srv_error(r, 503, NULL, "the server is out of memory");
	}
	if (fail) {
		free(j.b);
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	}
	r->out_text = j.b;
	return 200;
}

/* ---- the home page ------------------------------------------------------------------------- */

struct home_items {
	json_t *a;
	struct req *r;
};

static int on_due(void *ctx, int64_t due_id, int64_t case_id, const char *src, const char *due,
                  int months, const char *assigned)
{
	json_array_append_new(ctx, json_pack("{s:I, s:I, s:s?, s:s?, s:i, s:s?}", "id",
	                                     (json_int_t)due_id, "case_id", (json_int_t)case_id,
	                                     "src_CaseId", src, "due", due, "months", months,
	                                     "assigned", assigned));
	return 0;
}

struct refs {
	json_t *a;
};

static int on_ref(void *ctx, const struct ctip_referral *f)
{
	struct refs *x = ctx;
	if (strcmp(f->status, "Pending") || json_array_size(x->a) >= HOME_ITEMS)
		return 0;
	json_array_append_new(x->a, json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)f->id,
	                                      "case_id", (json_int_t)f->case_id, "from_org",
	                                      f->from_org, "date", f->date));
	return 0;
}

struct apprs {
	json_t *a;
	const char *user;
	int supervisor;
};

static int on_appr(void *ctx, const struct ctip_cw_approval *p)
{
	struct apprs *x = ctx;
	if (json_array_size(x->a) >= HOME_ITEMS ||
	    (!x->supervisor && strcmp(p->requested_by, x->user)))
		return 0;
	json_array_append_new(x->a, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)p->id,
	                                      "case_id", (json_int_t)p->case_id, "kind", p->kind,
	                                      "requested_by", p->requested_by, "requested_at",
	                                      p->requested_at));
	return 0;
}

/* A few cases of a query, as the list shows them (names audited with the page). */
static int home_cases(struct req *r, const struct ctip_list_ops *o, struct ctip_case_query *q,
                      struct rows *x, json_t **out, long *total, ctip_err *e)
{
	size_t first = x->n;
	int rc = o->cases(r->s, q, total, on_row, x, e);
	if (rc)
		return rc;
	struct srv_jtext j = {0};
	srv_jt_raw(&j, "[");
	for (size_t i = first; i < x->n; i++)
		crow_json(&j, &x->v[i], i == first);
	srv_jt_raw(&j, "]");
	json_error_t je;
	*out = j.oom ? NULL : json_loads(j.b, 0, &je);
	free(j.b);
	return *out ? 0 : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
}

int h_home(struct req *r)
{
	ctip_err e = {0};
	const struct ctip_list_ops *o = ctip_list_ops(r->s, &e);
	if (!o)
		return srv_fail(r, &e);
	int sup = r->sess.role_bit == ROLE_SUPERVISOR;
	/* counts=1: the counts only (the menu's badges): no items, no names, nothing audited */
	const char *only = srv_arg(r, "counts");
	int counts_only = only && !strcmp(only, "1");
	char today[11], horizon[11];
	srv_today(today);
	ctip_date d = ctip_date_today();
	/* two weeks ahead */
	d.d += 14;
	while (d.d > ctip_date_days_in_month(d.y, d.m)) {
		d.d -= ctip_date_days_in_month(d.y, d.m);
		if (++d.m > 12) {
			d.m = 1;
			d.y++;
		}
	}
	ctip_date_format(&d, horizon);
	struct ctip_home_counts c;
	int rc = o->home(r->s, r->sess.org_id, r->sess.username, sup, today, horizon, &c, &e);
	json_t *due = json_array(), *mine = NULL, *high = NULL;
	struct refs refs = {json_array()};
	struct apprs ap = {json_array(), r->sess.username, sup};
	struct rows x = {.r = r, .e = &e};
	struct ctip_case_query q = {.org_id = r->sess.org_id,
	                            .today = today,
	                            .assigned = r->sess.username,
	                            .own_only = 1,
	                            .open_only = 1,
	                            .sort = CTIP_SORT_ACTIVITY,
	                            .desc = 1,
	                            .limit = counts_only ? 0 : HOME_ITEMS};
	if (!rc)
		rc = home_cases(r, o, &q, &x, &mine, &c.my_cases, &e);
	if (!rc) {
		q.assigned = NULL;
		q.risk = "high";
		rc = home_cases(r, o, &q, &x, &high, &c.high_risk, &e);
	}
	if (!rc)
		rc = o->due(r->s, r->sess.org_id, sup ? NULL : r->sess.username, horizon,
		            HOME_ITEMS, on_due, due, &e);
	if (!rc)
		rc = r->s->srv->referral_list(r->s, 0, 0, r->sess.org_id, 1, on_ref, &refs, &e);
	const struct ctip_cw_ops *cw = rc ? NULL : ctip_cw_ops(r->s, &e);
	if (!rc && cw)
		rc = cw->approval_list(r->s, 0, 0, r->sess.org_id, "requested", on_appr, &ap, &e);
	else if (!rc && !counts_only)
		rc = CTIP_EINVAL;
	r->s->srv->read_end(r->s);
	if (!rc && audit_names(r, x.v, x.n, "search_hit", "home"))
		rc = -1;
	rows_free(&x);
	if (rc) {
		json_decref(due);
		json_decref(mine);
		json_decref(high);
		json_decref(refs.a);
		json_decref(ap.a);
		return rc < 0 ? srv_error(r, 500, NULL, "the audit log cannot be written")
		              : srv_fail(r, &e);
	}
	r->out = json_pack(
	        "{s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "counts",
	        "my_cases", (json_int_t)c.my_cases, "followups_due", (json_int_t)c.followup_due,
	        "followups_overdue", (json_int_t)c.followup_overdue, "referrals_new",
	        (json_int_t)c.referrals_new, "high_risk", (json_int_t)c.high_risk, "approvals",
	        (json_int_t)c.approvals, "my_cases", mine, "followups", due, "referrals", refs.a,
	        "high_risk", high, "approvals", ap.a, "today", today, "horizon", horizon);
	return r->out ? 200 : srv_error(r, 503, NULL, "the server is out of memory");
}
