/*
 * link_cluster.h - clustering for record linkage: records are joined into persons by
 * union-find, strongest link first, under the reviewers' decisions and a cluster-size guard;
 * each person has a key derived from its first record by (organisation, record id).
 */
#ifndef CTIP_LINK_CLUSTER_H
#define CTIP_LINK_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "link_prep.h"
#include "store.h"

/* Union-find over record indices, with the reviewers' "different" decisions as pairs that
 * must never end in one cluster: each root keeps a list of the records its members were
 * decided different from (dx/dy/dsame: the decisions, as record indices). */
struct lk_uf {
	uint32_t *parent, *size, *first;
	const struct lk_data *d;
	uint32_t *dx, *dy;
	unsigned char *dsame;
	size_t nd;
	/* cannot-link lists: per entry, the other record and the next entry (-1 ends) */
	size_t ncl;
	int32_t *cl_head, *cl_next;
	uint32_t *cl_other;
	/* optional: the members of each cluster as a circular list (next[i] = i alone), and a
	 * test of two records that refuses a scored link (max > 0) joining clusters holding a
	 * pair it says are two persons (a chain of namesakes) */
	uint32_t *next;
	int (*conflict)(void *ctx, uint32_t a, uint32_t b);
	void *cctx;
};

uint32_t lk_find(uint32_t *parent, uint32_t x);
/* Joins the clusters of records x and y: 1 joined, 2 already one, 0 refused (a decision
 * says they differ, or, when max > 0, the cluster would pass max records or u->conflict
 * finds two of its records to be two persons). */
int lk_uf_join(struct lk_uf *u, uint32_t x, uint32_t y, long max);
void lk_uf_free(struct lk_uf *u);
/* Loads the reviewers' decisions into u (its records and parent set up). */
int lk_decisions_load(ctip_store *s, struct lk_uf *u, ctip_err *e);

/* The index of record id in d (sorted by id), or -1. */
long lk_rec_index(const struct lk_data *d, int64_t id);
/* Whether record a comes before record b by (organisation, record id). */
int lk_rec_before(const struct lk_data *d, uint32_t a, uint32_t b);
/* The person key of a cluster whose first record is rec ("L" + 16 hex digits); salt > 0
 * gives another key from the same record. */
void lk_person_key(const struct lk_data *d, uint32_t rec, int salt, char out[24]);

#endif
