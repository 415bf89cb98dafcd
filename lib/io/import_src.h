/*
 * import_src.h - the rows of an agency's file, whatever it is: CSV with any separator (',',
 * ';', tab, '|'; detected from the header line and named) in UTF-8 or in the encoding the
 * mapping names (converted with iconv), or one sheet of an XLSX workbook. A file that is not
 * UTF-8 and names no encoding is refused with the encoding it most likely is and the fix.
 */
#ifndef CTIP_IMPORT_SRC_H
#define CTIP_IMPORT_SRC_H

#include <stdio.h>

#include "error.h"

struct ctip_src;

struct ctip_src_opts {
	const char *encoding; /* NULL: UTF-8 */
	char sep;             /* 0: detect */
	const char *sheet;    /* XLSX: NULL for the first */
	long header_row;      /* CSV: the line whose separators are counted (0: the first) */
};

/* A CSV file larger than this is refused (it is read whole to check and convert it). */
#define CTIP_SRC_MAX_CSV (2048LL * 1024 * 1024)

/* Opens f (path tells XLSX from CSV by its extension, or by the zip signature). */
int ctip_src_open(FILE *f, const char *path, const struct ctip_src_opts *o, struct ctip_src **out,
                  ctip_err *e);
/* As ctip_csv_next: 1 and a row, 0 at the end, negative with e set. */
int ctip_src_next(struct ctip_src *s, char ***cells, int *n, long *line, ctip_err *e);
/* "CSV, separator ';' (detected), encoding UTF-8" or "XLSX, sheet 'List'". */
const char *ctip_src_describe(const struct ctip_src *s);
/* Progress: bytes read so far and in all. */
long long ctip_src_done(const struct ctip_src *s);
long long ctip_src_total(const struct ctip_src *s);
void ctip_src_close(struct ctip_src *s);

/* For a buffer that is not valid UTF-8 (bad: offset of the first invalid byte): the encoding
 * it most likely is ("WINDOWS-1258", "WINDOWS-1252", "ISO-8859-1", "UTF-16"). */
const char *ctip_src_guess_encoding(const unsigned char *buf, size_t len, size_t bad);

#endif
