/*
 * import.h - importing HTCDS flat CSV and ctip JSON files into a store.
 *
 * One file is one transaction: every row is validated (row.h) and checked
 * against the other rows of its case and of its person record, and against
 * the database; if any row is rejected nothing of the file is kept. Each
 * rejected row is reported as FILE:LINE: column: reason.
 *
 * A file without the column src_Organisation takes its organisation from
 * the options; one without src_RecordId gets record ids made of the file's
 * name and the row's place in it ("cases.csv#12"), so that importing the
 * same file twice is still caught.
 */
#ifndef CTIP_IMPORT_H
#define CTIP_IMPORT_H

#include <stdio.h>

#include "store.h"

struct ctip_import_opts {
	FILE *diag;      /* rejected rows are reported here (NULL: not printed) */
	FILE *info;      /* notes such as organisations created (NULL: not printed) */
	long max_print;  /* print at most this many errors (0: all) */
	const char *org; /* reporting organisation of files without src_Organisation */
};

struct ctip_import_stats {
	long rows, cases, persons, orgs_created, errors;
	int bulk;                 /* loaded into an empty registry, indexes rebuilt at the end */
	double read_cpu;          /* CPU seconds of the reader thread (parse + validate) */
	double write_cpu;         /* CPU seconds of the writer thread (checks + inserts) */
	double wall, finish_wall; /* seconds in all, and in the index rebuild + commit */
};

/* Format by extension (.csv, .json), else by the first byte. Returns CTIP_OK, or CTIP_EINVAL
 * when rows were rejected (stats->errors of them; nothing written), or another code. */
int ctip_import_file(ctip_store *s, const char *path, const struct ctip_import_opts *o,
                     struct ctip_import_stats *st, ctip_err *e);
/* The same from an open stream; name is used in messages. */
int ctip_import_stream(ctip_store *s, FILE *f, const char *name, int json,
                       const struct ctip_import_opts *o, struct ctip_import_stats *st, ctip_err *e);

#endif
