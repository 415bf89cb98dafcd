/*
 * link_incr.h - incremental linkage: after a first run, only the records new or changed
 * since are blocked and compared (against all), and joined to the stored clusters, whose
 * person keys stay.
 */
#ifndef CTIP_LINK_INCR_H
#define CTIP_LINK_INCR_H

#include <stdint.h>

#include "link_cluster.h"

/* What an incremental run takes from the last one: each record's person key ("" when the
 * record is new) and whether the run links it (new, changed since, or parted from its
 * cluster by a reviewer's later "different"). */
struct lk_prev {
	const struct lk_data *d;
	char (*key)[24];
	unsigned char *isnew;
	long nnew;
	long at; /* where the last stored key went (they come by id, as the records) */
};

/* Reads the last run's clusters into u (the decisions loaded): the records of one stored
 * person key are joined, whatever the cluster's size; the records to link are marked. */
int lk_prev_load(ctip_store *s, struct lk_prev *p, struct lk_uf *u, ctip_err *e);
void lk_prev_free(struct lk_prev *p);
/* The person keys of the clusters (keys: 24 bytes by root record). */
int lk_prev_keys(const struct lk_data *d, const struct lk_prev *p, uint32_t *parent,
                 const uint32_t *first, char *keys);
/* The records to store (ids, kout: *nout) and those whose stored pairs to relink (malloc'd
 * *touched); -1 when out of memory. */
int lk_prev_changes(const struct lk_data *d, const struct lk_prev *p, uint32_t *parent,
                    const char *const *keyp, int64_t *ids, const char **kout, long *nout,
                    int64_t **touched, long *ntouched);

#endif
