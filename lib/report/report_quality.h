/*
 * report_quality.h - the completeness report's count of records kept with a data-quality flag
 * (rows imported through a mapping that passed validation but look wrong; import_map.h).
 */
#ifndef CTIP_REPORT_QUALITY_H
#define CTIP_REPORT_QUALITY_H

#include "report.h"
#include "store.h"

/* Adds one section per flag and one for any flag (one cell each, all years; suppressed unless
 * r->raw). A store without flags adds nothing. */
int ctip_report_add_quality(struct ctip_report *r, const ctip_facts *f, ctip_store *s, ctip_err *e);

#endif
