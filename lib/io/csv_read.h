/*
 * csv_read.h - an RFC 4180 reader over libcsv that knows on which line of the
 * file every row starts, so that every error can say FILE:LINE.
 */
#ifndef CTIP_CSV_READ_H
#define CTIP_CSV_READ_H

#include <stdio.h>

#include "error.h"

typedef struct ctip_csv ctip_csv;

/* Reads from f (not closed by ctip_csv_close); name is used in errors. */
ctip_csv *ctip_csv_open(FILE *f, const char *name);
void ctip_csv_close(ctip_csv *c);
/* Fields separated by delim (default ','); a tab separator is then not trimmed as space. */
void ctip_csv_set_delim(ctip_csv *c, char delim);
/* Next row: 1 and fields/nfields/line set (valid until the next call; an empty field is
 * NULL; the caller may take a field and set it to NULL), 0 at the end,
 * or a negative value with e set (malformed or truncated file, I/O error, OOM). Empty
 * lines are skipped. A leading UTF-8 byte-order mark is dropped. */
int ctip_csv_next(ctip_csv *c, char ***fields, int *nfields, long *line, ctip_err *e);

#endif
