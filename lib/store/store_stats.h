/*
 * store_stats.h - the store interface (store.h), statistics: the snapshot of facts the tables are
 * counted from, its data version, and the ledger of published figures.
 *
 * No back end is named here: store_sqlite*.c and store_pg*.c implement these members of
 * struct ctip_store_ops. They are listed in a macro so that store.h can gather the groups
 * into the one table every caller already uses (s->ops->NAME).
 */
#ifndef CTIP_STORE_STATS_H
#define CTIP_STORE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct ctip_store ctip_store;
struct ctip_facts;
struct ctip_figure;

/* A release in the ledger (release.h, store op release_add). */
struct ctip_release_rec {
	int64_t id, data_version, records;
	const char *at, *actor, *kind, *params, *seed, *file, *sha256, *dataset, *summary;
	double epsilon, delta;
};

/* clang-format off */
#define CTIP_STORE_STATS_OPS                                                                        \
	/* Statistics (facts.h): the snapshot of the current data, from the cache or rebuilt (free  \
	 * it with ctip_facts_free). From the cache it holds only the unit asked for (-1: all) and  \
	 * the dimensions flagged in need (CTIP_D_N flags; NULL: all); rebuilt, everything. And the \
	 * data version, which changes with the first write after a snapshot was built, so a        \
	 * long-running process can keep its snapshot until then. */                                \
	int (*stats_facts)(ctip_store *s, int unit, const unsigned char *need,                      \
	                   struct ctip_facts **out, ctip_err *e);                                   \
	int (*stats_version)(ctip_store *s, int64_t *version, ctip_err *e);                         \
	/* The ledger of published figures (figures.h): add (all or nothing; a figure with the      \
	 * same source, citation, measure, period and breakdown is replaced), and read all. */      \
	int (*figures_add)(ctip_store *s, const struct ctip_figure *v, size_t n, ctip_err *e);      \
	int (*figures_load)(ctip_store *s, struct ctip_figure **out, size_t *n, ctip_err *e);      \
	/* The ledger of releases (release.h): add one (its id set; refused with CTIP_EINVAL,      \
	 * nothing added, when its epsilon would take its data set's spending past the data        \
	 * set's budget, default_budget when none is set), read one (id > 0) or all in order, and  \
	 * set (eps >= 0) or read a data set's budget and what was spent of it. NULL in a store    \
	 * without them. */                                                                        \
	int (*release_add)(ctip_store *s, struct ctip_release_rec *r, double default_budget,       \
	                   ctip_err *e);                                                           \
	int (*release_each)(ctip_store *s, int64_t id,                                             \
	                    int (*cb)(void *ctx, const struct ctip_release_rec *r), void *ctx,     \
	                    ctip_err *e);                                                          \
	int (*release_budget)(ctip_store *s, const char *dataset, double set_eps, double *budget,  \
	                      double *spent, ctip_err *e);
/* clang-format on */

#endif
