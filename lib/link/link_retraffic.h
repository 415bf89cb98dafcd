/*
 * link_retraffic.h - re-trafficking made visible by linkage: a linked person
 * who is a victim in cases whose exploitation periods do not overlap was
 * trafficked more than once (one episode reported by several organisations
 * has overlapping periods and counts once).
 */
#ifndef CTIP_LINK_RETRAFFIC_H
#define CTIP_LINK_RETRAFFIC_H

#include "error.h"
#include "store.h"

/* Calls cb for each linked person with two or more episodes: their cases as a victim
 * (v[0..n), by start of exploitation; cases without a known start included) and the number
 * of disjoint periods. */
int ctip_link_retrafficked(ctip_store *s,
                           int (*cb)(void *ctx, const char *person_key, int episodes,
                                     const struct ctip_victim_case *v, int n),
                           void *ctx, ctip_err *e);

/* The number of disjoint exploitation periods among v[0..n) (sorted by start; partial dates
 * are taken at their widest: a start of "2021" is 2021-01-01, an end of "2021" 2021-12-31). */
int ctip_link_episodes(const struct ctip_victim_case *v, int n);

/* The linked persons re-trafficked in year: a later episode (a period of exploitation apart
 * from the earlier ones) starts in that year; *records: their victim records (case_person
 * rows) counted. */
int ctip_link_retrafficked_in(ctip_store *s, int year, long *persons, long *records, ctip_err *e);

#endif
