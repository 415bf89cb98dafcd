/*
 * csv_write.c - RFC 4180 output. Hand-written because it is ten lines and
 * libcsv's writer allocates per field; the reader uses libcsv.
 */
#include "csv_write.h"

#include <ctype.h>
#include <string.h>

static int is_number(const char *s)
{
	int digits = 0;
	if (*s == '+' || *s == '-')
		s++;
	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			digits++;
	return digits && !*s;
}

/* Whether a spreadsheet would take s, after any leading apostrophes, for a formula. */
static int formula(const char *s)
{
	while (*s == '\'')
		s++;
	return *s == '=' || *s == '@' || *s == '\t' || *s == '\r' ||
	       ((*s == '+' || *s == '-') && s[1] && !is_number(s));
}

void ctip_csv_unformula(char *v)
{
	if (v && *v == '\'' && formula(v))
		memmove(v, v + 1, strlen(v));
}

void ctip_csv_field(FILE *out, const char *s, int first)
{
	if (!first)
		putc(',', out);
	if (!s || !*s)
		return;
	int quote_it = formula(s);
	if (!strpbrk(s, ",\"\r\n")) {
		if (quote_it)
			putc('\'', out);
		fputs(s, out);
		return;
	}
	putc('"', out);
	if (quote_it)
		putc('\'', out);
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
