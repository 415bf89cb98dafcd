/*
 * store_unavail.h - the store interface with every operation failing "not yet available on
 * BACK END" (store_unavail.c): what a back end starts from, so that a command it cannot run
 * yet fails with a clear error rather than a crash.
 */
#ifndef CTIP_STORE_UNAVAIL_H
#define CTIP_STORE_UNAVAIL_H

#include "store.h"

extern const struct ctip_store_ops ctip_store_unavail_ops;
extern const struct ctip_srv_ops ctip_srv_unavail_ops;
/* The error of operation op (a member's name) on store s. */
int ctip_store_unavail(ctip_store *s, const char *op, ctip_err *e);

#endif
