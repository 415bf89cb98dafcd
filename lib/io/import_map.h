/*
 * import_map.h - importing the spreadsheets agencies keep: a mapping file (JSON) says which
 * column of the agency's CSV or XLSX file becomes which ctip column, how its values translate,
 * how its dates are written (DD-MM-YY with an explicit century rule), which columns are
 * constant for the whole file, how an address column splits into commune, district and
 * province, and what happens to rows that pass but look wrong (data-quality flags).
 *
 * The mapped reader turns each source row into a raw ctip_row and hands it to the importer,
 * which validates it exactly as it validates HTCDS CSV (row.h): one set of rules.
 * The format is described in docs/IMPORT_FORMAT.md, "Importing an agency's own spreadsheet".
 */
#ifndef CTIP_IMPORT_MAP_H
#define CTIP_IMPORT_MAP_H

#include <stdio.h>

#include "error.h"
#include "row.h"

typedef struct ctip_map ctip_map;

/* Data-quality flags of a row (ctip_row.quality): stored with the record in the case and
 * counted by `ctip report completeness`. */
enum {
	CTIP_Q_EXPIRY_BEFORE_ISSUE = 1u, /* an identity document expires before it was issued */
	CTIP_Q_BIRTH_AFTER_TRIP = 2u,    /* born after the exploitation or trafficking began */
	CTIP_Q_AGE_RANGE = 4u,           /* age at the exploitation out of the mapping's range */
	CTIP_Q_ALL = 7u
};
/* The code of one flag ("expiry_before_issue", ...), or NULL. */
const char *ctip_quality_name(unsigned flag);

/* Reads and checks a mapping file (JSON). Every mistake is reported with the mapping's path
 * and the key at fault. */
int ctip_map_load(const char *path, ctip_map **out, ctip_err *e);
int ctip_map_parse(const char *text, size_t len, const char *name, ctip_map **out, ctip_err *e);
void ctip_map_free(ctip_map *m);
/* The sheet the mapping names (NULL: the first). */
const char *ctip_map_sheet(const ctip_map *m);

/* Called with each raw row (the callee owns its values afterwards and clears it); non-zero
 * stops reading (a fatal error the callee has recorded). */
typedef int (*ctip_map_take_fn)(void *ctx, ctip_row *r);

struct ctip_map_read_opts {
	const ctip_map *map; /* NULL: the header names ctip columns (an XLSX file in HTCDS form) */
	const char *org;     /* reporting organisation when neither mapped nor constant */
	const char *sheet;   /* XLSX sheet (NULL: the mapping's, else the first) */
	FILE *describe;      /* how each column is mapped is written here (NULL: not) */
	ctip_diags *d;       /* rejected rows */
	long *rows, *errors; /* counters shared with the importer */
	ctip_map_take_fn take;
	void *ctx;
	/* progress of the reading: bytes (CSV) or rows (XLSX) done out of a total */
	void (*progress)(void *ctx, long long done, long long total);
};

/* Reads the CSV (any separator, any encoding the mapping names) or XLSX file f (path, used in
 * messages and to tell the kind by extension) through the mapping. Rejected rows are reported
 * to o->d and counted; returns CTIP_OK, or a fatal code with e set. */
int ctip_map_read(FILE *f, const char *path, const struct ctip_map_read_opts *o, ctip_err *e);

/* After validation: marks (or rejects, as the mapping says) rows that pass but look wrong.
 * Returns the number of problems reported (0: keep the row, maybe flagged). */
int ctip_map_quality(const ctip_map *m, ctip_row *r, ctip_diags *d);

/* Writes one converted row ("  line N: column=value; ...") for a dry run's sample. */
void ctip_map_print_row(FILE *out, const ctip_row *r);

#endif
