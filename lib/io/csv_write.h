/*
 * csv_write.h - writing RFC 4180 CSV, and the `;`-list convention of ctip's
 * import format (items separated by `;`, a literal `;` or `\` escaped by `\`).
 */
#ifndef CTIP_CSV_WRITE_H
#define CTIP_CSV_WRITE_H

#include <stdio.h>

/* Writes one field, quoted only when it holds a comma, quote, CR or LF.
 * `first` says whether it opens the row (no leading comma). NULL is empty.
 * A field a spreadsheet would read as a formula (beginning with = @ tab or CR, or with + or -
 * when it is not a number: "=HYPERLINK(...)") is written with a leading apostrophe, which
 * spreadsheets take as "this is text"; so is such a field that already begins with
 * apostrophes, so that ctip_csv_unformula restores every value exactly (docs/IMPORT_FORMAT.md,
 * "Formulas"). */
void ctip_csv_field(FILE *out, const char *s, int first);
/* Undoes the apostrophe ctip_csv_field added, in place (the HTCDS CSV importer). */
void ctip_csv_unformula(char *v);
/* Ends the row with LF. */
void ctip_csv_eol(FILE *out);
/* Writes a whole row of n fields. */
void ctip_csv_row(FILE *out, const char *const *fields, int n);

#endif
