/*
 * store_sqlite_link.h - the record-linkage operations of the SQLite store
 * (store.h, "record linkage"), implemented in store_sqlite_link.c.
 */
#ifndef CTIP_STORE_SQLITE_LINK_H
#define CTIP_STORE_SQLITE_LINK_H

#include "store.h"

int ctip_sq_link_input(ctip_store *s, const int64_t *ids, int n,
                       int (*cb)(void *ctx, const struct ctip_link_input *r), void *ctx,
                       ctip_err *e);
int ctip_sq_link_save(ctip_store *s, const struct ctip_link_result *res, ctip_err *e);
int ctip_sq_link_uncertain(ctip_store *s, double lo, double hi,
                           int (*cb)(void *ctx, const struct ctip_link_pair *p), void *ctx,
                           ctip_err *e);
int ctip_sq_link_keys(ctip_store *s, int (*cb)(void *ctx, int64_t id, const char *key), void *ctx,
                      ctip_err *e);
int ctip_sq_link_changed(ctip_store *s, int (*cb)(void *ctx, int64_t id), void *ctx, ctip_err *e);
int ctip_sq_link_persons(ctip_store *s,
                         int (*cb)(void *ctx, int64_t id, const char *org, const char *src,
                                   const char *key),
                         void *ctx, ctip_err *e);
int ctip_sq_link_pairs(ctip_store *s, int (*cb)(void *ctx, const struct ctip_link_pair_out *p),
                       void *ctx, ctip_err *e);
int ctip_sq_link_freq(ctip_store *s, const int64_t *h, int n, uint32_t *cnt, ctip_err *e);
int ctip_sq_link_freq_total(ctip_store *s, long total[4], char *check, ctip_err *e);
int ctip_sq_link_pair_state(ctip_store *s, int64_t a, int64_t b, char *key_a, char *key_b,
                            int *decision, ctip_err *e);
int ctip_sq_link_current(ctip_store *s, int64_t a, int64_t b, int *current, ctip_err *e);
int ctip_sq_link_cache_put(ctip_store *s, const unsigned char *const *chunk, const size_t *len,
                           int n, ctip_err *e);
int ctip_sq_link_cache_get(ctip_store *s,
                           int (*cb)(void *ctx, const unsigned char *chunk, size_t len, int index,
                                     int count),
                           void *ctx, ctip_err *e);
int ctip_sq_link_cache_ids(ctip_store *s, int (*cb)(void *ctx, int64_t id, int stale), void *ctx,
                           ctip_err *e);
int ctip_sq_link_params(ctip_store *s, char **json, ctip_err *e);
int ctip_sq_link_decide(ctip_store *s, int64_t a, int64_t b, int same, const char *actor,
                        ctip_err *e);
int ctip_sq_link_decisions(ctip_store *s, int (*cb)(void *ctx, int64_t a, int64_t b, int same),
                           void *ctx, ctip_err *e);

int ctip_sq_link_victim_cases(ctip_store *s, int (*cb)(void *ctx, const struct ctip_victim_case *v),
                              void *ctx, ctip_err *e);

#endif
