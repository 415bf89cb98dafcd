/*
 * search_top.c - preparing a person search and ranking its matches (search_top.h), for
 * every back end. Moved from store_sqlite.c: the same tokens, the same order.
 */
#include "search_top.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "text.h"

int ctip_search_q_make(const ctip_crypto *c, const char *where, const char *query, int64_t org,
                       struct ctip_search_q *q, ctip_err *e)
{
	memset(q, 0, sizeof(*q));
	if (!c)
		return ctip_no_key(where, e);
	char *fold = ctip_text_fold(query);
	char *docno = ctip_text_alnum_upper(query);
	char phone[20] = "";
	/* within what an organisation sees: the tokens scoped to it, which the name index holds
	 * for its own records and for those referred to it with consent */
	char *tokens = !fold     ? NULL
	               : org > 0 ? ctip_bidx_org_query(c, org, fold)
	                         : ctip_bidx_tokens(c, fold);
	if (!fold || !docno || !tokens) {
		free(fold);
		free(docno);
		free(tokens);
		return ctip_err_set(e, fold && docno ? CTIP_ENOMEM : CTIP_EINVAL, "%s",
		                    fold && docno ? "out of memory"
		                                  : "search text is not valid UTF-8");
	}
	if (!*fold) {
		free(fold);
		free(docno);
		free(tokens);
		return ctip_err_set(e, CTIP_EINVAL, "nothing to search for");
	}
	ctip_phone_e164(query, phone);
	ctip_bidx(c, CTIP_BIDX_DOCNO, docno, strlen(docno), q->doc_bidx);
	ctip_bidx(c, CTIP_BIDX_PHONE, phone, strlen(phone), q->phone_bidx);
	/* a document number has digits (a CCCD's 12, a passport's letter and 7): letters alone
	 * are a name, and its lookup by blind index is a branch of the query for nothing */
	q->has_doc = strlen(docno) >= 5 && strpbrk(docno, "0123456789") != NULL;
	q->has_phone = *phone != 0;
	free(docno);
	q->fold = fold;
	q->tokens = tokens;
	return CTIP_OK;
}

void ctip_search_q_free(struct ctip_search_q *q)
{
	free(q->fold);
	free(q->tokens);
	q->fold = q->tokens = NULL;
}

/* A match of a search: its identity opened (m, the sort key inside it) and its columns, in
 * one allocation. Matches sort by folded family, given and middle name, then id. */
struct ctip_search_match {
	int64_t pid, org_id;
	const unsigned char *key;
	size_t klen, mlen;
	const char *org, *src, *birth, *era, *code;
	unsigned char m[];
};

static int match_cmp1(const struct ctip_search_match *a, const struct ctip_search_match *b)
{
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static void match_free(struct ctip_search_match *x)
{
	if (x) {
		sodium_memzero(x->m, x->mlen);
		free(x);
	}
}

/* The first cap matches by name: a max-heap, its last-by-name at the root. */
static void top_down(struct ctip_search_top *t, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->n && match_cmp1(t->v[l], t->v[m]) > 0)
			m = l;
		if (r < t->n && match_cmp1(t->v[r], t->v[m]) > 0)
			m = r;
		if (m == i)
			return;
		struct ctip_search_match *x = t->v[i];
		t->v[i] = t->v[m];
		t->v[m] = x;
		i = m;
	}
}

int ctip_search_top_init(struct ctip_search_top *t, const ctip_crypto *c, const ctip_ref *ref,
                         const char *where, int limit, ctip_err *e)
{
	memset(t, 0, sizeof(*t));
	t->c = c;
	t->ref = ref;
	t->where = where;
	t->cap = limit > 0 ? limit : 100;
	if (!(t->v = malloc((size_t)t->cap * sizeof(*t->v))))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	return CTIP_OK;
}

int ctip_search_top_add(struct ctip_search_top *t, int64_t pid, int64_t org_id, const void *b,
                        int n, const char *org, const char *src, const char *birth, const char *era,
                        const char *code, ctip_err *e)
{
	static const unsigned char nokey[] = "\x01\x01\x01";
	size_t mlen = b && n >= CTIP_SEAL_OVERHEAD ? (size_t)n - CTIP_SEAL_OVERHEAD : 0, cl[5],
	       all = mlen;
	const char *cols[5] = {org, src, birth, era, code};
	for (int i = 0; i < 5; i++) {
		cl[i] = cols[i] ? strlen(cols[i]) + 1 : 0;
		all += cl[i];
	}
	struct ctip_search_match *x = malloc(sizeof(*x) + all);
	if (!x)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	x->pid = pid;
	x->org_id = org_id;
	x->mlen = mlen;
	x->key = nokey;
	x->klen = 3;
	if (b && (ctip_identity_unseal(t->c, pid, b, n, x->m) ||
	          ctip_identity_key(x->m, mlen, &x->key, &x->klen))) {
		match_free(x);
		return ctip_identity_error(t->where, pid, e);
	}
	const char **dst[5] = {&x->org, &x->src, &x->birth, &x->era, &x->code};
	unsigned char *w = x->m + mlen;
	for (int i = 0; i < 5; i++) {
		*dst[i] = cl[i] ? (const char *)w : NULL;
		if (cl[i])
			memcpy(w, cols[i], cl[i]);
		w += cl[i];
	}
	if (t->n < t->cap) { /* sift up */
		int i = t->n++;
		t->v[i] = x;
		while (i && match_cmp1(t->v[(i - 1) / 2], t->v[i]) < 0) {
			struct ctip_search_match *p = t->v[(i - 1) / 2];
			t->v[(i - 1) / 2] = t->v[i];
			t->v[i] = p;
			i = (i - 1) / 2;
		}
	} else if (match_cmp1(x, t->v[0]) < 0) {
		match_free(t->v[0]);
		t->v[0] = x;
		top_down(t, 0);
	} else {
		match_free(x);
	}
	return CTIP_OK;
}

/* Unpacks a kept match and hands it to the caller. */
static int match_emit(const struct ctip_search_top *t, const struct ctip_search_match *x,
                      int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx, ctip_err *e)
{
	char *all[CTIP_IDENTITY_N + 1] = {NULL}, *v[CTIP_IDENTITY_N] = {NULL};
	const char *prov = NULL;
	if (x->mlen && ctip_unpack(x->m, x->mlen, all, CTIP_IDENTITY_N + 1))
		return ctip_identity_error(t->where, x->pid, e);
	memcpy(v, all, sizeof(v));
	free(all[CTIP_IDENTITY_N]);
	if (x->era && x->code)
		prov = ctip_province_label(t->ref, x->era, x->code);
	struct ctip_person_hit h = {
	        .id = x->pid,
	        .org = x->org,
	        .src_record_id = x->src,
	        .family = v[0],
	        .middle = v[1],
	        .given = v[2],
	        .birth = x->birth,
	        .province = prov,
	        .org_id = x->org_id,
	};
	int rc = cb(ctx, &h);
	ctip_identity_free(v);
	return rc;
}

int ctip_search_top_emit(struct ctip_search_top *t,
                         int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx,
                         ctip_err *e)
{
	int kept = t->n, rc = CTIP_OK;
	while (t->n > 1) { /* heap sort: the last by name to the end */
		struct ctip_search_match *x = t->v[0];
		t->v[0] = t->v[--t->n];
		t->v[t->n] = x;
		top_down(t, 0);
	}
	t->n = kept;
	for (int i = 0; rc == CTIP_OK && i < t->n; i++)
		rc = match_emit(t, t->v[i], cb, ctx, e);
	return rc;
}

void ctip_search_top_free(struct ctip_search_top *t)
{
	for (int i = 0; i < t->n; i++)
		match_free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
