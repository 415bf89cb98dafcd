/*
 * csv_write.h - writing RFC 4180 CSV, and the `;`-list convention of ctip's
 * import format (items separated by `;`, a literal `;` or `\` escaped by `\`).
 */
#ifndef CTIP_CSV_WRITE_H
#define CTIP_CSV_WRITE_H

#include <stdio.h>

/* Writes one field, quoted only when it holds a comma, quote, CR or LF.
 * `first` says whether it opens the row (no leading comma). NULL is empty. */
void ctip_csv_field(FILE *out, const char *s, int first);
/* Ends the row with LF. */
void ctip_csv_eol(FILE *out);
/* Writes a whole row of n fields. */
void ctip_csv_row(FILE *out, const char *const *fields, int n);

#endif
