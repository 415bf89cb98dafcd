/*
 * csv2xlsx.c - writes a CSV file as an XLSX workbook with libxlsxwriter, the way a
 * spreadsheet program would save it after a user typed it in: chosen columns as numbers,
 * chosen columns as real date cells (typed DD-MM-YY, read with a century pivot), the rest as
 * text. Builds the XLSX fixtures of the import tests and the benchmark's files; not installed.
 *
 *   csv2xlsx [--sheet NAME] [--numbers 1,5] [--dates 3] [--pivot 10] [--inline] IN.csv OUT.xlsx
 *
 * --inline writes in libxlsxwriter's constant-memory mode, where text is stored inline in
 * the sheet instead of in the shared strings (the importer reads both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "csv_read.h"

static int listed(const char *list, int col)
{
	for (const char *p = list; p && *p;) {
		if (atoi(p) == col)
			return 1;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *sheet = "Sheet1", *numbers = "", *dates = "";
	int pivot = 30, in_line = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--inline"))
			in_line = 1;
		else if (i + 1 < argc && !strcmp(argv[i], "--sheet"))
			sheet = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--numbers"))
			numbers = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--dates"))
			dates = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--pivot"))
			pivot = atoi(argv[++i]);
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: csv2xlsx [--sheet NAME] [--numbers COLS] [--dates COLS] "
		                "[--pivot YY] [--inline] IN.csv OUT.xlsx\n");
		return 2;
	}
	FILE *in = fopen(argv[i], "rb");
	if (!in) {
		perror(argv[i]);
		return 1;
	}
	lxw_workbook_options wo = {.constant_memory = (uint8_t)in_line};
	lxw_workbook *wb = workbook_new_opt(argv[i + 1], &wo);
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
	if (!ws) {
		fprintf(stderr, "%s: cannot create the workbook\n", argv[i + 1]);
		return 1;
	}
	lxw_format *df = workbook_add_format(wb);
	format_set_num_format(df, "dd-mm-yy");
	ctip_csv *c = ctip_csv_open(in, argv[i]);
	char **f;
	int n, rc;
	long line;
	ctip_err e = {0};
	lxw_row_t row = 0;
	while ((rc = ctip_csv_next(c, &f, &n, &line, &e)) > 0) {
		for (int k = 0; k < n; k++) {
			const char *v = f[k];
			int d, m, y;
			if (!v || !*v)
				continue;
			if (row > 1 && listed(numbers, k + 1)) {
				worksheet_write_number(ws, row, (lxw_col_t)k, atof(v), NULL);
			} else if (row > 1 && listed(dates, k + 1) &&
			           sscanf(v, "%d-%d-%d", &d, &m, &y) == 3) {
				y += y > 99 ? 0 : y <= pivot ? 2000 : 1900;
				lxw_datetime dt = {y, m, d, 0, 0, 0};
				worksheet_write_datetime(ws, row, (lxw_col_t)k, &dt, df);
			} else {
				worksheet_write_string(ws, row, (lxw_col_t)k, v, NULL);
			}
		}
		row++;
	}
	ctip_csv_close(c);
	fclose(in);
	if (rc < 0) {
		fprintf(stderr, "%s:%ld: %s\n", argv[i], e.line, e.msg);
		workbook_close(wb);
		return 1;
	}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		fprintf(stderr, "%s: cannot write the workbook\n", argv[i + 1]);
		return 1;
	}
	return 0;
}
