/*
 * report_xlsx.c - a report as an XLSX workbook (libxlsxwriter): a sheet "About" with the
 * title and provenance, then one sheet per section, each table in long form (one column per
 * dimension, "Total" for margins, then the count; "x" where withheld).
 */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "report.h"
#include "stats_out.h"

static const char *lab(const struct ctip_stats_table *t, const ctip_ref *ref, int k, int l)
{
	return l == t->nlev[k] ? "Total" : ctip_stats_label(ref, t->dim[k], t->label[k][l]);
}

int ctip_report_xlsx(const char *path, const struct ctip_report *r, const ctip_ref *ref,
                     ctip_err *e)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot create the workbook", path);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_worksheet *about = workbook_add_worksheet(wb, "About");
	char prov[1024];
	ctip_report_provenance(r, prov, sizeof(prov));
	worksheet_write_string(about, 0, 0, r->title, bold);
	worksheet_write_string(about, 1, 0, prov, NULL);
	worksheet_set_column(about, 0, 0, 120, NULL);
	for (int i = 0; i < r->n; i++) {
		const struct ctip_report_section *s = &r->s[i];
		char name[32];
		snprintf(name, sizeof(name), "%d", i + 1);
		lxw_worksheet *ws = workbook_add_worksheet(wb, name);
		worksheet_write_string(about, (lxw_row_t)(3 + i), 0, s->title, NULL);
		worksheet_write_string(ws, 0, 0, s->title, bold);
		worksheet_set_column(ws, 0, 5, 28, NULL);
		lxw_row_t row = 2;
		for (int k = 0; k < s->nkv; k++, row++) {
			worksheet_write_string(ws, row, 0, s->kv[k][0], bold);
			worksheet_write_string(ws, row, 1, s->kv[k][1], NULL);
		}
		if (s->nkv)
			continue;
		if (s->completeness) {
			worksheet_write_string(ws, row, 0, "organisation", bold);
			for (int k = 0; k < s->ncdim; k++)
				worksheet_write_string(ws, row, (lxw_col_t)(k + 1),
				                       ctip_dim_name(s->cdim[k]), bold);
			for (int o = 0; o < s->norg; o++) {
				row++;
				worksheet_write_string(ws, row, 0, s->org[o], NULL);
				for (int k = 0; k < s->ncdim; k++) {
					int64_t tot = s->total[o * s->ncdim + k],
					        u = s->unknown[o * s->ncdim + k];
					if (!tot)
						continue;
					if (s->threshold && tot < s->threshold)
						worksheet_write_string(ws, row, (lxw_col_t)(k + 1),
						                       "x", NULL);
					else
						worksheet_write_number(ws, row, (lxw_col_t)(k + 1),
						                       (double)u / (double)tot,
						                       NULL);
				}
			}
			continue;
		}
		const struct ctip_stats_table *t = s->t;
		for (int k = 0; k < t->ndim; k++)
			worksheet_write_string(ws, row, (lxw_col_t)k, ctip_dim_name(t->dim[k]),
			                       bold);
		worksheet_write_string(ws, row, (lxw_col_t)t->ndim, ctip_unit_name(t->unit), bold);
		for (size_t c = 0; c < t->ncell; c++) {
			size_t rest = c;
			row++;
			for (int k = 0; k < t->ndim; k++) {
				int l = (int)(rest / t->stride[k]);
				rest %= t->stride[k];
				worksheet_write_string(ws, row, (lxw_col_t)k, lab(t, ref, k, l),
				                       NULL);
			}
			int64_t v = ctip_stats_value(t, c);
			if (v < 0)
				worksheet_write_string(ws, row, (lxw_col_t)t->ndim, "x", NULL);
			else
				worksheet_write_number(ws, row, (lxw_col_t)t->ndim, (double)v,
				                       NULL);
		}
		char notes[2048];
		ctip_stats_notes(t, notes, sizeof(notes));
		if (*notes)
			worksheet_write_string(ws, row + 2, 0, notes, NULL);
	}
	lxw_error err = workbook_close(wb);
	if (err != LXW_NO_ERROR)
		return ctip_err_set(e, CTIP_EIO, "%s: %s", path, lxw_strerror(err));
	return CTIP_OK;
}
