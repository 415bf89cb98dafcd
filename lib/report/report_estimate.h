/*
 * report_estimate.h - the annual report's section on the dark figure: the multiple systems
 * estimate of the year's victims (estimate.h, docs/ESTIMATION.md).
 */
#ifndef CTIP_REPORT_ESTIMATE_H
#define CTIP_REPORT_ESTIMATE_H

#include "report.h"
#include "store.h"

/* The stepwise estimate with a BCa interval of 200 replicates and a fixed seed (the report is
 * reproducible), lists by organisation type, from the linked victims of r->year. */
#define CTIP_REPORT_EST_BOOT 200
#define CTIP_REPORT_EST_SEED 20250101u

/* Adds one section of label and text rows: observed, estimate, interval, model and the
 * warnings; where no estimate can be made (too few persons, no linkage run, the MLE does not
 * exist) the warning stands in place of the number. */
int ctip_report_add_estimate(struct ctip_report *r, const ctip_facts *f, ctip_store *s,
                             ctip_err *e);

#endif
