/*
 * report_casework.h - the sections of the reports that come from casework's records
 * (docs/CASEWORK.md): the TIP questionnaire's II.4 hotline tables from hotline contacts.
 */
#ifndef CTIP_REPORT_CASEWORK_H
#define CTIP_REPORT_CASEWORK_H

#include "report.h"
#include "store.h"

/* Adds "II.4 Hotline: contacts by channel", "... by reason" and "... by caller type" for the
 * report's year (suppressed unless r->raw). */
int ctip_report_add_contacts(struct ctip_report *r, ctip_store *s, const ctip_ref *ref,
                             ctip_err *e);

#endif
