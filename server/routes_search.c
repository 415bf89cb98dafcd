/*
 * routes_search.c - GET /api/search?q=TEXT: persons by name (insensitive to
 * case and diacritics), document or phone number, among those the user may
 * see with their identity: a record reached only through a referral without
 * consent to share identity is not matched by its identity either. The store
 * matches only within what the organisation owns or was referred with consent
 * (inside the name index: docs/DESIGN.md, Search); each hit is still checked
 * here: the organisation's own records show in all their cases, the others
 * case by case with the consent given in each, fifty hits in one query (the cases of the
 * organisation's own records are read only for those on the page shown).
 *
 * Issue 14: the results are a list like the case list: every match shown to the user is
 * collected (the first SEARCH_CANDIDATES by name), then filtered (province, organisation,
 * birth year), sorted (name, birth, province, org) and paged with the total, or exported
 * whole as CSV. Sorting and filtering see only what is shown (a hidden record never matched),
 * so neither is an oracle. The records on the page shown are audited before the answer is
 * sent (search_hit, naming them in the order shown; the other pages are audited when they
 * are shown); an export names every record in it (export_records). Never the query, which
 * may be a name. The answer is written as JSON text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "server.h"
#include "text.h"

#define SEARCH_CANDIDATES 2000 /* matches considered: the first by name */
#define SEARCH_BATCH      50   /* matches checked in one query */
#define SEARCH_PER_PAGE   50
#define SEARCH_MAX_PAGE   200
#define AUDIT_PER_ENTRY   200

/* A match: pending its check, then kept when the user sees its identity. */
struct cand {
	int64_t id;
	int own;  /* the record belongs to the user's organisation */
	long seq; /* its place in the store's order (by folded name) */
	char *name, *birth, *province, *org;
	int64_t *cases; /* the cases showing its identity to the user; none: not shown */
	int ncases, capcases;
};

struct filt {
	char *province, *org; /* folded; NULL: any */
	int born_from, born_to;
};

struct hits {
	struct req *r;
	struct cand pend[SEARCH_BATCH];
	int np;
	struct cand *v; /* the matches shown, in the store's order */
	size_t n, cap;
	long seen; /* matches the store gave */
	const struct filt *f;
	ctip_err *e;
};

static void cand_free(struct cand *c)
{
	free(c->name);
	free(c->birth);
	free(c->province);
	free(c->org);
	free(c->cases);
	memset(c, 0, sizeof(*c));
}

/* A case showing the identity of pending record person_id. */
static int shows_in(struct hits *x, int64_t person_id, int64_t case_id)
{
	for (int i = 0; i < x->np; i++)
		if (x->pend[i].id == person_id) {
			struct cand *c = &x->pend[i];
			if (c->ncases == c->capcases) {
				int cap = c->capcases ? 2 * c->capcases : 4;
				int64_t *g = realloc(c->cases, (size_t)cap * sizeof(*g));
				if (!g)
					return ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
				c->cases = g;
				c->capcases = cap;
			}
			int k = c->ncases++; /* in order of case id */
			for (; k && c->cases[k - 1] > case_id; k--)
				c->cases[k] = c->cases[k - 1];
			c->cases[k] = case_id;
			break;
		}
	return 0;
}

/* The cases of the organisation's own records among v[0..n), read only for the records shown
 * (an own record always shows its identity, in all its cases: store.h, persons_own_cases), in
 * queries of SEARCH_BATCH records. */
struct slice {
	struct cand *v;
	size_t n;
	ctip_err *e;
};

static int on_slice_case(void *ctx, int64_t person_id, int64_t case_id)
{
	struct slice *sl = ctx;
	for (size_t i = 0; i < sl->n; i++)
		if (sl->v[i].id == person_id) {
			struct cand *c = &sl->v[i];
			if (c->ncases == c->capcases) {
				int cap = c->capcases ? 2 * c->capcases : 4;
				int64_t *g = realloc(c->cases, (size_t)cap * sizeof(*g));
				if (!g)
					return ctip_err_set(sl->e, CTIP_ENOMEM, "out of memory");
				c->cases = g;
				c->capcases = cap;
			}
			int k = c->ncases++; /* in order of case id */
			for (; k && c->cases[k - 1] > case_id; k--)
				c->cases[k] = c->cases[k - 1];
			c->cases[k] = case_id;
			break;
		}
	return 0;
}

static int own_cases(struct req *r, struct cand *v, size_t n, ctip_err *e)
{
	for (size_t i = 0; i < n; i += SEARCH_BATCH) {
		size_t m = n - i < SEARCH_BATCH ? n - i : SEARCH_BATCH;
		int64_t ids[SEARCH_BATCH];
		int k = 0;
		for (size_t j = 0; j < m; j++)
			if (v[i + j].own)
				ids[k++] = v[i + j].id;
		struct slice sl = {v + i, m, e};
		int rc = k ? r->s->srv->persons_own_cases(r->s, ids, k, on_slice_case, &sl, e) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

static int on_case(void *ctx, int64_t person_id, int64_t case_id, int access, int consent,
                   const char *scope)
{
	return srv_identity_shown(access, consent, scope) ? shows_in(ctx, person_id, case_id) : 0;
}

/* Whether folded needle is in text (folded here); a NULL needle matches everything. */
static int holds(const char *text, const char *needle)
{
	if (!needle)
		return 1;
	if (!text)
		return 0;
	char *t = ctip_text_fold(text);
	int in = t && strstr(t, needle);
	free(t);
	return in;
}

static int passes(const struct filt *f, const struct cand *c)
{
	if (f->born_from || f->born_to) {
		int y = c->birth && strlen(c->birth) >= 4 ? atoi(c->birth) : 0;
		if (!y || (f->born_from && y < f->born_from) || (f->born_to && y > f->born_to))
			return 0;
	}
	return holds(c->province, f->province) && holds(c->org, f->org);
}

/* Checks the pending matches in one query and keeps those whose identity the user sees and
 * that the filter passes. */
static int flush(struct hits *x)
{
	int64_t other[SEARCH_BATCH];
	int rc = 0, nother = 0;
	/* the records of the user's organisation show in all their cases (store.h,
	 * persons_own_cases); the others are checked case by case, consent included */
	for (int i = 0; i < x->np; i++)
		if (!x->pend[i].own)
			other[nother++] = x->pend[i].id;
	ctip_store *s = x->r->s;
	if (nother)
		rc = s->srv->persons_visible_cases(s, other, nother, x->r->sess.org_id, on_case, x,
		                                   x->e);
	for (int i = 0; i < x->np; i++) {
		struct cand *c = &x->pend[i];
		if (!rc && (c->own || c->ncases) && passes(x->f, c)) {
			if (x->n == x->cap) {
				size_t cap = x->cap ? 2 * x->cap : 64;
				struct cand *g = realloc(x->v, cap * sizeof(*g));
				if (!g) {
					rc = ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
					cand_free(c);
					continue;
				}
				x->v = g;
				x->cap = cap;
			}
			x->v[x->n++] = *c; /* moved */
			memset(c, 0, sizeof(*c));
		} else {
			cand_free(c);
		}
	}
	x->np = 0;
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_hit(void *ctx, const struct ctip_person_hit *h)
{
	struct hits *x = ctx;
	struct cand *c = &x->pend[x->np++];
	/* family, middle and given names, the parts there are separated by a space */
	const char *part[3] = {h->family, h->middle, h->given};
	size_t len = 3;
	for (int i = 0; i < 3; i++)
		len += part[i] ? strlen(part[i]) : 0;
	c->id = h->id;
	c->own = h->org_id == x->r->sess.org_id;
	c->seq = x->seen++;
	if ((c->name = malloc(len))) {
		char *w = c->name;
		for (int i = 0; i < 3; i++)
			if (part[i]) {
				size_t n = strlen(part[i]);
				if (w != c->name && i)
					*w++ = ' ';
				memcpy(w, part[i], n);
				w += n;
			}
		*w = 0;
	}
	c->birth = dup_or_null(h->birth);
	c->province = dup_or_null(h->province);
	c->org = strdup(h->org ? h->org : "");
	if (!c->name || !c->org || (h->birth && !c->birth) || (h->province && !c->province))
		return ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
	return x->np == SEARCH_BATCH ? flush(x) : 0;
}

/* ---- the order ------------------------------------------------------------------------- */

enum sort_key { BY_NAME, BY_BIRTH, BY_PROVINCE, BY_ORG };
static const char *const sort_names[] = {"name", "birth", "province", "org"};
static _Thread_local enum sort_key sort_by; /* qsort has no context: per thread */
static _Thread_local int sort_desc;

static int str_cmp(const char *a, const char *b)
{
	if (!a || !*a || !b || !*b) /* the empty last in either direction: done by the caller */
		return 0;
	return strcmp(a, b);
}

static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	const char *x = NULL, *y = NULL;
	switch (sort_by) {
	case BY_NAME: break;
	case BY_BIRTH: x = a->birth, y = b->birth; break;
	case BY_PROVINCE: x = a->province, y = b->province; break;
	case BY_ORG: x = a->org, y = b->org; break;
	}
	int c = 0;
	if (sort_by != BY_NAME) {
		int ex = !x || !*x, ey = !y || !*y;
		if (ex != ey)
			return ex ? 1 : -1; /* nothing known: last */
		c = str_cmp(x, y);
	}
	if (!c) /* the store's order: by folded name */
		c = (a->seq > b->seq) - (a->seq < b->seq);
	return sort_desc ? -c : c;
}

/* ---- the answer ------------------------------------------------------------------------ */

static void hit_json(struct srv_jtext *j, const struct cand *c, int first)
{
	srv_jt_raw(j, first ? "{\"id\":" : ",{\"id\":");
	srv_jt_int(j, c->id);
	srv_jt_raw(j, ",\"name\":");
	srv_jt_str(j, c->name);
	srv_jt_raw(j, ",\"birth\":");
	srv_jt_str(j, c->birth);
	srv_jt_raw(j, ",\"province\":");
	srv_jt_str(j, c->province);
	srv_jt_raw(j, ",\"org\":");
	srv_jt_str(j, c->org);
	srv_jt_raw(j, ",\"cases\":[");
	for (int i = 0; i < c->ncases; i++) {
		if (i)
			srv_jt_raw(j, ",");
		srv_jt_int(j, c->cases[i]);
	}
	srv_jt_raw(j, "]}");
}

/* The records v[0..n) in entries of up to AUDIT_PER_ENTRY, in the order given (store.h,
 * audit_each: an entry names several records separated by spaces). */
static int audit_hits(struct req *r, const struct cand *v, size_t n, const char *action,
                      const char *detail)
{
	char list[AUDIT_PER_ENTRY * 24];
	size_t w = 0;
	int in = 0;
	for (size_t i = 0; i < n; i++) {
		char obj[32];
		obj[0] = 'P';
		srv_fmt_int(obj + 1, v[i].id);
		size_t len = strlen(obj);
		if (w)
			list[w++] = ' ';
		memcpy(list + w, obj, len);
		w += len;
		list[w] = 0;
		if (++in == AUDIT_PER_ENTRY || i + 1 == n) {
			const char *o = list;
			if (srv_audit(r->sess.username, action, &o, 1, detail))
				return -1;
			w = 0;
			in = 0;
		}
	}
	return 0;
}

static char *csv_text(const struct cand *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	static const char *const head[] = {"id", "name", "birth", "province", "org", "cases"};
	ctip_csv_row(f, head, 6);
	for (size_t i = 0; i < n; i++) {
		char id[24], cases[512];
		size_t w = 0;
		srv_fmt_int(id, v[i].id);
		cases[0] = 0;
		for (int k = 0; k < v[i].ncases && w + 24 < sizeof(cases); k++) {
			if (k)
				cases[w++] = ' ';
			char one[24];
			size_t l = srv_fmt_int(one, v[i].cases[k]);
			memcpy(cases + w, one, l + 1);
			w += l;
		}
		const char *cells[] = {id, v[i].name, v[i].birth, v[i].province, v[i].org, cases};
		ctip_csv_row(f, cells, 6);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A year argument (0 when absent); 0 ok, else 400 set. */
static int arg_year(struct req *r, const char *name, int *out)
{
	int64_t v;
	*out = 0;
	if (srv_arg_int(r, name, 0, 2200, &v))
		return 400;
	if (v && v < 1900)
		return srv_error(r, 400, name, "%s: a year from 1900 to 2200", name);
	*out = (int)v;
	return 0;
}

/* A text filter, folded (NULL when absent); 0 ok, else 400 set. */
static int arg_text(struct req *r, const char *name, char **out)
{
	const char *v = srv_arg(r, name);
	*out = NULL;
	if (!v || !*v)
		return 0;
	if (strlen(v) > 200)
		return srv_error(r, 400, name, "%s is longer than 200 bytes", name);
	if (!(*out = ctip_text_fold(v)))
		return srv_error(r, 400, name, "%s is not valid UTF-8", name);
	return 0;
}

int h_search(struct req *r)
{
	const char *q = srv_arg(r, "q");
	if (!q || !*q)
		return srv_error(r, 400, "q", "q is required");
	if (strlen(q) > 200)
		return srv_error(r, 400, "q", "q is longer than 200 bytes");
	/* names, document and phone numbers: letters, digits, spaces and . , ' - + / only; a
	 * query of anything else (SQL, wildcards, markup) is refused rather than folded away */
	for (const unsigned char *p = (const unsigned char *)q; *p; p++)
		if (*p < 0x80 && !isalnum(*p) && !strchr(" .,'-+/", *p))
			return srv_error(r, 400, "q",
			                 "search for letters, digits, spaces and . , ' - + / only");
	int64_t page, per;
	if (srv_arg_int(r, "page", 1, 1000000, &page) ||
	    srv_arg_int(r, "per_page", SEARCH_PER_PAGE, SEARCH_MAX_PAGE, &per))
		return 400;
	if (page < 1 || per < 1)
		return srv_error(r, 400, page < 1 ? "page" : "per_page",
		                 "page and per_page start at 1");
	const char *sort = srv_arg(r, "sort"), *dir = srv_arg(r, "dir"),
	           *format = srv_arg(r, "format");
	enum sort_key by = BY_NAME;
	if (sort && *sort) {
		size_t i = 0;
		for (; i < 4 && strcmp(sort, sort_names[i]); i++)
			;
		if (i == 4)
			return srv_error(r, 400, "sort", "sort: name, birth, province or org");
		by = (enum sort_key)i;
	}
	if (dir && *dir && strcmp(dir, "asc") && strcmp(dir, "desc"))
		return srv_error(r, 400, "dir", "dir: asc or desc");
	int csv = format && !strcmp(format, "csv");
	if (format && *format && !csv && strcmp(format, "json"))
		return srv_error(r, 400, "format", "format: json or csv");
	struct filt f = {0};
	if (arg_text(r, "province", &f.province) || arg_text(r, "org", &f.org) ||
	    arg_year(r, "born_from", &f.born_from) || arg_year(r, "born_to", &f.born_to)) {
		free(f.province);
		free(f.org);
		return 400;
	}
	ctip_err e = {0};
	struct hits x = {.r = r, .f = &f, .e = &e};
	int rc = r->s->ops->search(r->s, q, r->sess.org_id, SEARCH_CANDIDATES, on_hit, &x, &e),
	    st = 200;
	if (!rc)
		rc = flush(&x);
	for (int i = 0; i < x.np; i++)
		cand_free(&x.pend[i]);
	free(f.province);
	free(f.org);
	size_t from = 0, to = 0;
	if (!rc) {
		sort_by = by;
		sort_desc = dir && !strcmp(dir, "desc");
		if (by != BY_NAME || sort_desc)
			qsort(x.v, x.n, sizeof(*x.v), cand_cmp);
		from = csv ? 0 : (size_t)((page - 1) * per);
		if (from > x.n)
			from = x.n;
		to = csv || from + (size_t)per >= x.n ? x.n : from + (size_t)per;
		/* the cases of the own records shown (the page, or every one exported) */
		rc = own_cases(r, x.v + from, to - from, &e);
	}
	r->s->srv->read_end(r->s); /* the reads are done: no snapshot held while auditing */
	if (rc) {
		st = rc == CTIP_ENOMEM ? srv_error(r, 503, NULL, "the server is out of memory")
		     : e.code == CTIP_EINVAL ? srv_error(r, 400, "q", "%s", e.msg)
		                             : srv_fail(r, &e);
		goto out;
	}
	if (csv) {
		char *text = csv_text(x.v, x.n);
		if (!text) {
			st = srv_error(r, 503, NULL, "the server is out of memory");
		} else if (audit_hits(r, x.v, x.n, "export_records", "search.csv")) {
			free(text); /* every record that leaves is audited before the file is sent
			             */
			st = srv_error(r, 500, NULL, "the audit log cannot be written");
		} else {
			r->out_doc = text;
			r->out_doc_len = strlen(text);
			r->out_doc_type = "text/csv; charset=utf-8";
			snprintf(r->out_doc_name, sizeof(r->out_doc_name), "search.csv");
		}
		goto out;
	}
	struct srv_jtext j = {0};
	srv_jt_raw(&j, "{\"results\":[");
	for (size_t i = from; i < to; i++)
		hit_json(&j, &x.v[i], i == from);
	srv_jt_raw(&j, "],\"total\":");
	srv_jt_int(&j, (long long)x.n);
	srv_jt_raw(&j, ",\"page\":");
	srv_jt_int(&j, page);
	srv_jt_raw(&j, ",\"per_page\":");
	srv_jt_int(&j, per);
	/* the store gave as many matches as were asked: there may be more */
	srv_jt_raw(&j, x.seen >= SEARCH_CANDIDATES ? ",\"more\":true}" : ",\"more\":false}");
	if (j.oom) {
		free(j.b);
		st = srv_error(r, 503, NULL, "the server is out of memory");
	} else if (to > from && audit_hits(r, x.v + from, to - from, "search_hit", "api")) {
		free(j.b);
		st = srv_error(r, 500, NULL, "the audit log cannot be written");
	} else {
		r->out_text = j.b; /* sent only now: every hit shown is audited */
	}
out:
	for (size_t i = 0; i < x.n; i++)
		cand_free(&x.v[i]);
	free(x.v);
	return st;
}
