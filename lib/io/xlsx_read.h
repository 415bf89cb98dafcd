/*
 * xlsx_read.h - reading the rows of one sheet of an XLSX workbook (Office Open XML), for
 * importing the spreadsheets agencies keep. libzip opens the archive and expat parses its
 * XML (Debian has no C XLSX reader); the sheet is streamed, not loaded whole.
 *
 * Every cell comes back as text: shared and inline strings as written, numbers as written
 * (integral ones without exponent or ".0"), booleans as TRUE/FALSE, and numbers in a date
 * format as ISO dates YYYY-MM-DD (1900 or 1904 date system, as the workbook says).
 *
 * Hostile files are refused with a limit, never by exhausting memory: the size of each part
 * once uncompressed, the shared strings' total, the length of one cell, the columns of a row.
 */
#ifndef CTIP_XLSX_READ_H
#define CTIP_XLSX_READ_H

#include <stddef.h>

#include "error.h"

typedef struct ctip_xlsx ctip_xlsx;

/* Limits (bytes once uncompressed, or counts); a file beyond one is refused. */
#define CTIP_XLSX_MAX_PART    (1024LL * 1024 * 1024) /* one sheet's XML */
#define CTIP_XLSX_MAX_SHARED  (256LL * 1024 * 1024)  /* sharedStrings.xml, styles, workbook */
#define CTIP_XLSX_MAX_CELL    32767                  /* characters in a cell (Excel's own limit) */
#define CTIP_XLSX_MAX_COLUMNS 16384                  /* columns A..XFD */

/* Opens the workbook held in buf[0..len) (kept by the caller until ctip_xlsx_close) and its
 * sheet named sheet (NULL: the first). name is used in messages. */
int ctip_xlsx_open(const void *buf, size_t len, const char *name, const char *sheet,
                   ctip_xlsx **out, ctip_err *e);
/* Next non-empty row: 1 with cells[0..n) (NULL: empty cell; valid until the next call; the
 * caller may take a cell and set it to NULL) and its row number, 0 at the end, or a negative
 * value with e set (malformed or hostile file). */
int ctip_xlsx_next(ctip_xlsx *x, char ***cells, int *n, long *row, ctip_err *e);
/* The name of the sheet being read. */
const char *ctip_xlsx_sheet(const ctip_xlsx *x);
/* Bytes of the sheet's XML read so far, and its size. */
void ctip_xlsx_progress(const ctip_xlsx *x, long long *done, long long *total);
void ctip_xlsx_close(ctip_xlsx *x);

/* Writes the date of an Excel serial day number (date1904: the 1904 date system) as
 * "YYYY-MM-DD" into buf (at least 11 bytes); 0, or -1 when out of the years 1900-9999. */
int ctip_xlsx_serial_date(double serial, int date1904, char *buf);

#endif
