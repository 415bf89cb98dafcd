/*
 * csv_write.c - RFC 4180 output. Hand-written because it is ten lines and
 * libcsv's writer allocates per field; the reader uses libcsv.
 */
#include "csv_write.h"

#include <string.h>

void ctip_csv_field(FILE *out, const char *s, int first)
{
	if (!first)
		putc(',', out);
	if (!s || !*s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

void ctip_csv_eol(FILE *out)
{
	putc('\n', out);
}

void ctip_csv_row(FILE *out, const char *const *fields, int n)
{
	for (int i = 0; i < n; i++)
		ctip_csv_field(out, fields[i], i == 0);
	ctip_csv_eol(out);
}
