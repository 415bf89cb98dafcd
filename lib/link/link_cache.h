/*
 * link_cache.h - the sealed cache of prepared records: a full run stores every record as it
 * prepared it (folded names, parsed dates, normalised documents and phones), sealed with the
 * database's key (crypto.h) in chunks, so that an incremental run opens the cache instead of
 * every sealed identity and reads from the registry only the records added or changed since.
 * The cache is disposable: when it does not open (another key, another format) the run reads
 * every record and stores a new one.
 */
#ifndef CTIP_LINK_CACHE_H
#define CTIP_LINK_CACHE_H

#include "link_prep.h"

/* Stores d's records as the cache (inside the caller's transaction). */
int lk_cache_save(ctip_store *s, const struct lk_data *d, ctip_err *e);

/* Fills d (empty) from the cache and, through link_input, with the records added or changed
 * since it was made (*nread of them; *ncached from the cache). 1 when there is no usable
 * cache (d left empty), 0 when loaded, a ctip code on error. */
int lk_cache_load(ctip_store *s, struct lk_data *d, long *ncached, long *nread, ctip_err *e);

#endif
