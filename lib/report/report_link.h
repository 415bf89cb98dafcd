/*
 * report_link.h - the annual report's line from record linkage: persons re-trafficked in the
 * report's year (report_link.c).
 */
#ifndef CTIP_REPORT_LINK_H
#define CTIP_REPORT_LINK_H

#include "report.h"
#include "store.h"

/* Adds the section "Persons re-trafficked" (one cell; suppressed unless r->raw). */
int ctip_report_add_retrafficked(struct ctip_report *r, const ctip_facts *f, ctip_store *s,
                                 ctip_err *e);

#endif
