/*
 * routes_search.c - GET /api/search?q=TEXT: persons by name (insensitive to
 * case and diacritics), document or phone number, among those the user may
 * see with their identity: a record reached only through a referral without
 * consent to share identity is not matched by its identity either. The store
 * matches only within what the organisation owns or was referred with consent
 * (inside the name index: docs/DESIGN.md, Search); each hit is still checked
 * here: the organisation's own records show in all their cases, the others
 * case by case with the consent given in each, a page of hits in one query.
 * The records shown are audited in one entry (search_hit, naming them all),
 * never the query, which may be a name. The answer is written as JSON text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SEARCH_CANDIDATES 400
#define SEARCH_SHOWN      50

/* A match waiting for its check: the checks of up to SEARCH_SHOWN matches are one query. */
struct cand {
	int64_t id;
	int own; /* the record belongs to the user's organisation */
	char *name, *birth, *province, *org;
	int64_t *cases; /* the cases showing its identity to the user; none: not shown */
	int ncases, capcases;
};

struct hits {
	struct req *r;
	struct srv_jtext out; /* the results shown, as JSON */
	struct cand pend[SEARCH_SHOWN];
	int np;
	char *objs[SEARCH_SHOWN];
	int n;
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

static int on_case(void *ctx, int64_t person_id, int64_t case_id, int access, int consent,
                   const char *scope)
{
	return srv_identity_shown(access, consent, scope) ? shows_in(ctx, person_id, case_id) : 0;
}

static int on_own_case(void *ctx, int64_t person_id, int64_t case_id)
{
	return shows_in(ctx, person_id, case_id);
}

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

/* Checks the pending matches in one query and shows those whose identity the user sees (in
 * the order of the search); stops the search (100) when the page is full. */
static int flush(struct hits *x)
{
	int64_t own[SEARCH_SHOWN], other[SEARCH_SHOWN];
	int rc = 0, nown = 0, nother = 0;
	/* the records of the user's organisation show in all their cases (store.h,
	 * persons_own_cases); the others are checked case by case, consent included */
	for (int i = 0; i < x->np; i++)
		if (x->pend[i].own)
			own[nown++] = x->pend[i].id;
		else
			other[nother++] = x->pend[i].id;
	ctip_store *s = x->r->s;
	if (nown)
		rc = s->srv->persons_own_cases(s, own, nown, on_own_case, x, x->e);
	if (!rc && nother)
		rc = s->srv->persons_visible_cases(s, other, nother, x->r->sess.org_id, on_case, x,
		                                   x->e);
	for (int i = 0; i < x->np; i++) {
		struct cand *c = &x->pend[i];
		char obj[32];
		if (!rc && c->ncases && x->n < SEARCH_SHOWN) {
			obj[0] = 'P';
			srv_fmt_int(obj + 1, c->id);
			hit_json(&x->out, c, x->n == 0);
			if (!(x->objs[x->n] = strdup(obj)))
				rc = ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
			else
				x->n++;
		}
		cand_free(c);
	}
	x->np = 0;
	if (!rc && x->out.oom)
		rc = ctip_err_set(x->e, CTIP_ENOMEM, "out of memory");
	return rc ? rc : x->n >= SEARCH_SHOWN ? 100 : 0;
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
	/* enough matches to fill the page if all show: check them */
	return x->np >= SEARCH_SHOWN - x->n ? flush(x) : 0;
}

/* One audit entry naming every record shown, separated by spaces (store.h, audit_each). */
static int audit_hits(struct req *r, const struct hits *x)
{
	char list[SEARCH_SHOWN * 24];
	size_t w = 0;
	for (int i = 0; i < x->n; i++) {
		size_t n = strlen(x->objs[i]);
		if (i)
			list[w++] = ' ';
		memcpy(list + w, x->objs[i], n); /* "P" and up to 20 digits */
		w += n;
	}
	list[w] = 0;
	const char *obj = list;
	return srv_audit(r->sess.username, "search_hit", &obj, 1, "api");
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
	ctip_err e = {0};
	struct hits x = {.r = r, .e = &e};
	srv_jt_raw(&x.out, "{\"results\":[");
	int rc = r->s->ops->search(r->s, q, r->sess.org_id, SEARCH_CANDIDATES, on_hit, &x, &e),
	    st = 200;
	if (!rc)
		rc = flush(&x);
	for (int i = 0; i < x.np; i++)
		cand_free(&x.pend[i]);
	r->s->srv->read_end(r->s); /* the reads are done: no snapshot held while auditing */
	srv_jt_raw(&x.out, "]}");
	if (rc && rc != 100) {
		st = e.code == CTIP_EINVAL ? srv_error(r, 400, "q", "%s", e.msg) : srv_fail(r, &e);
	} else if (x.out.oom) {
		st = srv_error(r, 500, NULL, "out of memory");
	} else if (x.n && audit_hits(r, &x)) {
		st = srv_error(r, 500, NULL, "the audit log cannot be written");
	} else {
		r->out_text = x.out.b; /* sent only now: every hit shown is audited */
		x.out.b = NULL;
	}
	free(x.out.b);
	for (int i = 0; i < x.n; i++)
		free(x.objs[i]);
	return st;
}
