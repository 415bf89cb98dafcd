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

/* What an export holds of a person's identity (issue 10, item 10; docs/SECURITY.md, the
 * stolen export file). OMIT and PSEUDONYM leave out every identifying field (names, identity
 * documents, phones, address below the province, the day and month of birth) and the free
 * text that may name someone (case comments, the closure reason, the recruiter, the places
 * of exploitation and of events); the record id becomes "R" + 16 hex digits valid within the
 * file only (OMIT), or "X" + 16 hex digits keyed by the registry's key, the same for a record
 * in every export of this registry (PSEUDONYM). CLEAR writes everything. */
enum ctip_identities { CTIP_IDS_OMIT, CTIP_IDS_PSEUDONYM, CTIP_IDS_CLEAR };

struct ctip_export_opts {
	enum ctip_identities ids;
	/* called once for each person record written (the audit of which records left) */
	int (*on_person)(void *ctx, long long person_id);
	void *ctx;
};

int ctip_export_with(ctip_store *s, enum ctip_format fmt, FILE *out,
                     const struct ctip_row_filter *flt, const struct ctip_export_opts *o,
                     long *nrows, ctip_err *e);

/* JSON of the case-level columns of r (without "persons"). */
json_t *ctip_case_json(const ctip_row *r);
/* JSON of the person and person-in-case columns of r. */
json_t *ctip_person_json(const ctip_row *r);

#endif
