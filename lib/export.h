/*
 * export.h - writing rows back out: HTCDS flat CSV (every column, in the
 * order of fields.h) or ctip JSON (cases holding persons, repeating groups as
 * arrays of objects). Exporting, importing into an empty database and
 * exporting again gives identical bytes.
 */
#ifndef CTIP_EXPORT_H
#define CTIP_EXPORT_H

#include <jansson.h>
#include <stdio.h>

#include "store.h"

enum ctip_format { CTIP_FMT_CSV, CTIP_FMT_JSON };

int ctip_export(ctip_store *s, enum ctip_format fmt, FILE *out, const struct ctip_row_filter *flt,
                long *nrows, ctip_err *e);

/* JSON of the case-level columns of r (without "persons"). */
json_t *ctip_case_json(const ctip_row *r);
/* JSON of the person and person-in-case columns of r. */
json_t *ctip_person_json(const ctip_row *r);

#endif
