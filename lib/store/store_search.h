/*
 * store_search.h - the store interface (store.h), search: person records by folded name tokens,
 * document number or phone, within what an organisation sees (the query's blind indexes and the
 * ranking of matches are search_top.c's, shared by every back end).
 *
 * No back end is named here: store_sqlite*.c and store_pg*.c implement these members of
 * struct ctip_store_ops. They are listed in a macro so that store.h can gather the groups
 * into the one table every caller already uses (s->ops->NAME).
 */
#ifndef CTIP_STORE_SEARCH_H
#define CTIP_STORE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct ctip_store ctip_store;

struct ctip_person_hit {
	int64_t id;
	const char *org, *src_record_id;
	const char *family, *middle, *given; /* as written */
	const char *birth, *province;
	int64_t org_id; /* the organisation owning the record */
};

/* clang-format off */
#define CTIP_STORE_SEARCH_OPS                                                                      \
	/* Person records whose folded names hold every folded token of query, or whose            \
	 * identity-document number or phone matches it. org_id 0: among every record (the         \
	 * command line); otherwise among the records that organisation owns or may see with       \
	 * their identity through a referral, restricted inside the index (the caller still        \
	 * checks each hit: this is a superset of what it may see, never less). */                 \
	int (*search)(ctip_store *s, const char *query, int64_t org_id, int limit,                 \
	              int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx,            \
	              ctip_err *e);
/* clang-format on */

#endif
