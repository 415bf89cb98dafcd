/*
 * search_top.h - the back-end-neutral half of a person search: the query turned into what a
 * store looks up (blind-index tokens of the folded name, scoped to an organisation or not,
 * and the blind indexes of a document number and a phone), and the ranking of the matches a
 * store finds: the first `limit` by the name's sort key sealed with each identity (then id),
 * each identity opened once and only the kept ones unpacked. A back end only finds the
 * candidate records; what a search returns and in what order is decided here, once.
 */
#ifndef CTIP_SEARCH_TOP_H
#define CTIP_SEARCH_TOP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "error.h"
#include "refdata.h"
#include "store.h"

struct ctip_search_q {
	char *fold;   /* the query folded */
	char *tokens; /* blind-index tokens of its words, space separated (scoped when org > 0) */
	unsigned char doc_bidx[CTIP_BIDX_BYTES], phone_bidx[CTIP_BIDX_BYTES];
	int has_doc, has_phone; /* the query may be a document number (5+ letters and digits), a
	                           phone (E.164) */
};

/* Prepares a search for query within what organisation org sees (0: among every record). */
int ctip_search_q_make(const ctip_crypto *c, const char *where, const char *query, int64_t org,
                       struct ctip_search_q *q, ctip_err *e);
void ctip_search_q_free(struct ctip_search_q *q);

struct ctip_search_match;
struct ctip_search_top {
	struct ctip_search_match **v;
	int n, cap;
	const ctip_crypto *c;
	const ctip_ref *ref;
	const char *where;
};

/* A ranking keeping the first limit (<= 0: 100) matches. */
int ctip_search_top_init(struct ctip_search_top *t, const ctip_crypto *c, const ctip_ref *ref,
                         const char *where, int limit, ctip_err *e);
/* Offers a candidate: record pid of organisation org_id (named org), its sealed identity
 * (blob, n bytes; NULL: none) and clear columns (any may be NULL). Copies what it keeps. */
int ctip_search_top_add(struct ctip_search_top *t, int64_t pid, int64_t org_id, const void *blob,
                        int n, const char *org, const char *src, const char *birth, const char *era,
                        const char *code, ctip_err *e);
/* Hands the kept matches to cb in order (cb returns non-zero to stop; that is returned). */
int ctip_search_top_emit(struct ctip_search_top *t,
                         int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx,
                         ctip_err *e);
void ctip_search_top_free(struct ctip_search_top *t);

#endif
