/*
 * comms_render.c - a reply of the communications tracker (ctip_comms_reply) written out: one
 * self-contained HTML file that prints to PDF (inline CSS with print rules: no screen-only
 * parts, a question never split from its answer's first lines), and an XLSX workbook for the
 * tables (libxlsxwriter): the answers, every cited figure with its provenance, and each
 * statistics table on a sheet of its own. Withheld values are shown as withheld, never as
 * numbers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "comms.h"
#include "text.h"

static const char *str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static void esc(FILE *out, const char *s)
{
	ctip_html_escape(out, s);
}

/* An answer: paragraphs at blank lines, line breaks kept. */
static void paragraphs(FILE *out, const char *s)
{
	fputs("<p>", out);
	for (const char *p = s; *p; p++) {
		if (p[0] == '\n' && p[1] == '\n') {
			fputs("</p>\n<p>", out);
			while (p[1] == '\n')
				p++;
		} else if (*p == '\n') {
			fputs("<br>", out);
		} else {
			char c[2] = {*p, 0};
			esc(out, c);
		}
	}
	fputs("</p>\n", out);
}

static void stats_table(FILE *out, const json_t *t)
{
	json_t *by = json_object_get(t, "by");
	size_t i, k;
	json_t *r, *d;
	fputs("<table><thead><tr>", out);
	json_array_foreach(by, k, d)
	{
		fputs("<th>", out);
		esc(out, json_string_value(d));
		fputs("</th>", out);
	}
	fprintf(out, "<th class=\"n\">%s</th></tr></thead><tbody>\n", str(t, "count"));
	json_array_foreach(json_object_get(t, "rows"), i, r)
	{
		fputs("<tr>", out);
		json_array_foreach(by, k, d)
		{
			const char *dn = json_string_value(d);
			const char *l = str(json_object_get(r, "labels"), dn);
			fputs("<td>", out);
			esc(out, *l ? l : str(r, dn));
			fputs("</td>", out);
		}
		json_t *c = json_object_get(r, "count");
		if (json_is_integer(c))
			fprintf(out, "<td class=\"n\">%" JSON_INTEGER_FORMAT "</td></tr>\n",
			        json_integer_value(c));
		else
			fputs("<td class=\"n withheld\">x</td></tr>\n", out);
	}
	json_t *tot = json_object_get(t, "total");
	fprintf(out, "</tbody><tfoot><tr><th colspan=\"%zu\">Total</th>",
	        json_array_size(by) ? json_array_size(by) : 1);
	if (json_is_integer(tot))
		fprintf(out, "<td class=\"n\">%" JSON_INTEGER_FORMAT "</td>",
		        json_integer_value(tot));
	else
		fputs("<td class=\"n withheld\">x</td>", out);
	fputs("</tr></tfoot></table>\n", out);
	const char *notes = str(t, "notes");
	if (*notes) {
		fputs("<p class=\"note\">", out);
		esc(out, notes);
		fputs("</p>\n", out);
	}
}

static void evidence(FILE *out, const json_t *ev)
{
	const char *kind = str(ev, "kind"), *label = str(ev, "label");
	fputs("<li>", out);
	if (!strcmp(kind, "figure")) {
		esc(out, *label ? label : str(ev, "measure"));
		fputs(" (", out);
		esc(out, str(ev, "period"));
		fputs("): ", out);
		json_t *v = json_object_get(ev, "value");
		if (json_is_integer(v))
			fprintf(out, "<strong>%" JSON_INTEGER_FORMAT "</strong>",
			        json_integer_value(v));
		else
			fputs("<em>not given</em>", out);
		if (json_object_get(ev, "cite"))
			fprintf(out, " <sup>[%" JSON_INTEGER_FORMAT "]</sup>",
			        json_integer_value(json_object_get(ev, "cite")));
	} else if (!strcmp(kind, "stats")) {
		esc(out, *label ? label : "Table");
		json_t *t = json_object_get(ev, "table");
		if (t && !json_is_null(t)) {
			json_t *y = json_object_get(ev, "year");
			if (y)
				fprintf(out, ", %" JSON_INTEGER_FORMAT, json_integer_value(y));
			stats_table(out, t);
		}
	} else if (!strcmp(kind, "ledger")) {
		fputs("Published figures: ", out);
		esc(out, *label ? label : str(ev, "source"));
		fputs("<ul>", out);
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(ev, "figures"), i, g)
		{
			fputs("<li>", out);
			esc(out, str(g, "measure"));
			fputs(" ", out);
			esc(out, str(g, "period"));
			if (*str(g, "breakdown")) {
				fputs(" (", out);
				esc(out, str(g, "breakdown"));
				fputs(")", out);
			}
			fprintf(out, ": <strong>%" JSON_INTEGER_FORMAT "</strong> <cite>",
			        json_integer_value(json_object_get(g, "value")));
			esc(out, str(g, "citation"));
			fputs("</cite></li>", out);
		}
		fputs("</ul>", out);
	} else if (!strcmp(kind, "case")) {
		if (json_is_true(json_object_get(ev, "visible"))) {
			fprintf(out, "Case C%" JSON_INTEGER_FORMAT,
			        json_integer_value(json_object_get(ev, "case")));
			fputs(" (", out);
			esc(out, str(ev, "organisation"));
			fputs(", ", out);
			esc(out, str(ev, "src_case_id"));
			fputs("; stage ", out);
			esc(out, str(ev, "stage"));
			fputs(")", out);
		} else {
			fputs("A case not shown", out);
		}
	} else if (!strcmp(kind, "document")) {
		fputs("Document: ", out);
		esc(out, str(ev, "title"));
		if (*str(ev, "citation")) {
			fputs(" <cite>", out);
			esc(out, str(ev, "citation"));
			fputs("</cite>", out);
		}
	}
	if (*str(ev, "note")) {
		fputs(" <span class=\"note\">(", out);
		esc(out, str(ev, "note"));
		fputs(")</span>", out);
	}
	fputs("</li>\n", out);
}

int ctip_comms_reply_html(FILE *out, const json_t *r, ctip_err *e)
{
	const json_t *c = json_object_get(r, "communication"),
	             *pv = json_object_get(r, "provenance");
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Reply to ",
	      out);
	esc(out, str(c, "ref"));
	fputs("</title>\n<style>\n"
	      "body{font:11pt/1.45 Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;"
	      "color:#111}\n"
	      "h1{font-size:1.5em}h2{font-size:1.1em;margin-top:1.6em}\n"
	      "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}"
	      "dl.meta dt{font-weight:bold}\n"
	      "blockquote{margin:.5em 0;padding-left:1em;border-left:3px solid #999;color:#333}\n"
	      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #999;"
	      "padding:.15em .5em;text-align:left}td.n,th.n{text-align:right}"
	      ".withheld{color:#777}\n"
	      ".note{color:#555;font-size:.9em}ol.sources li{margin:.2em 0}\n"
	      "@media print{body{margin:0;max-width:none}section.q{break-inside:avoid-page}"
	      "h2{break-after:avoid}a{color:inherit;text-decoration:none}}\n"
	      "</style></head><body>\n<h1>Reply to ",
	      out);
	esc(out, str(c, "ref"));
	fputs("</h1>\n<dl class=\"meta\">", out);
	const char *meta[][2] = {{"From", "sender"},
	                         {"Subject", "subject"},
	                         {"Received", "received"},
	                         {"Due", "due"},
	                         {"Organisation", "organisation"}};
	for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
		if (!*str(c, meta[i][1]))
			continue;
		fprintf(out, "<dt>%s</dt><dd>", meta[i][0]);
		esc(out, str(c, meta[i][1]));
		fputs("</dd>", out);
	}
	fputs("</dl>\n", out);
	size_t i, k;
	json_t *q, *ev;
	json_array_foreach(json_object_get(r, "questions"), i, q)
	{
		fprintf(out, "<section class=\"q\"><h2>Question %" JSON_INTEGER_FORMAT "</h2>\n",
		        json_integer_value(json_object_get(q, "num")));
		fputs("<blockquote>", out);
		esc(out, str(q, "text"));
		fputs("</blockquote>\n", out);
		if (*str(q, "answer"))
			paragraphs(out, str(q, "answer"));
		else
			fputs("<p class=\"note\">No answer yet.</p>\n", out);
		if (json_array_size(json_object_get(q, "evidence"))) {
			fputs("<ul class=\"evidence\">\n", out);
			json_array_foreach(json_object_get(q, "evidence"), k, ev) evidence(out, ev);
			fputs("</ul>\n", out);
		}
		fputs("</section>\n", out);
	}
	fputs("<h2>Sources of the figures</h2>\n<ol class=\"sources\">\n", out);
	json_array_foreach(json_object_get(r, "figures"), i, q)
	{
		fputs("<li>", out);
		esc(out, str(q, "measure"));
		fputs(", ", out);
		esc(out, str(q, "period"));
		fprintf(out,
		        ": computed from the registry's records, snapshot version "
		        "%" JSON_INTEGER_FORMAT " of ",
		        json_integer_value(json_object_get(pv, "snapshot_version")));
		esc(out, str(pv, "snapshot_at"));
		fputs("</li>\n", out);
	}
	fputs("</ol>\n<p class=\"note\">Computed by ctip ", out);
	esc(out, str(pv, "ctip_version"));
	fputs(" at ", out);
	esc(out, str(pv, "computed_at"));
	fputs(" for ", out);
	esc(out, str(pv, "organisation"));
	fprintf(out,
	        ". Counts from 1 to %" JSON_INTEGER_FORMAT
	        " are withheld (x), with further cells where needed so that none can be "
	        "recovered.",
	        json_integer_value(json_object_get(pv, "threshold")) - 1);
	if (*str(pv, "linkage")) {
		fputs(" Persons are counted on record linkage: ", out);
		esc(out, str(pv, "linkage"));
		fputs(".", out);
	}
	fputs("</p>\n</body></html>\n", out);
	if (ferror(out))
		return ctip_err_set(e, CTIP_EIO, "the reply could not be written");
	return CTIP_OK;
}

/* ---- XLSX --------------------------------------------------------------------------------- */

static void cell_int_or_x(lxw_worksheet *ws, int row, int col, const json_t *v)
{
	if (json_is_integer(v))
		worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col,
		                       (double)json_integer_value(v), NULL);
	else
		worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, "x", NULL);
}

int ctip_comms_reply_xlsx(const char *path, const json_t *r, ctip_err *e)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot create the workbook", path);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_format *wrap = workbook_add_format(wb);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
	const json_t *c = json_object_get(r, "communication"),
	             *pv = json_object_get(r, "provenance");

	lxw_worksheet *ws = workbook_add_worksheet(wb, "Reply");
	worksheet_set_column(ws, 0, 0, 10, NULL);
	worksheet_set_column(ws, 1, 2, 70, wrap);
	worksheet_write_string(ws, 0, 0, "Reply to", bold);
	worksheet_write_string(ws, 0, 1, str(c, "ref"), NULL);
	worksheet_write_string(ws, 1, 0, "Computed", bold);
	worksheet_write_string(ws, 1, 1, str(pv, "computed_at"), NULL);
	worksheet_write_string(ws, 3, 0, "Question", bold);
	worksheet_write_string(ws, 3, 1, "Text", bold);
	worksheet_write_string(ws, 3, 2, "Answer", bold);
	int row = 4;
	size_t i, k;
	json_t *q, *ev;
	json_array_foreach(json_object_get(r, "questions"), i, q)
	{
		worksheet_write_number(ws, (lxw_row_t)row, 0,
		                       (double)json_integer_value(json_object_get(q, "num")), NULL);
		worksheet_write_string(ws, (lxw_row_t)row, 1, str(q, "text"), wrap);
		worksheet_write_string(ws, (lxw_row_t)row, 2, str(q, "answer"), wrap);
		row++;
	}

	lxw_worksheet *fs = workbook_add_worksheet(wb, "Figures");
	const char *fh[] = {"Cite",  "Question",         "Measure",    "Period",
	                    "Value", "Snapshot version", "Snapshot of"};
	for (int j = 0; j < 7; j++)
		worksheet_write_string(fs, 0, (lxw_col_t)j, fh[j], bold);
	worksheet_set_column(fs, 2, 2, 28, NULL);
	row = 1;
	json_array_foreach(json_object_get(r, "figures"), i, q)
	{
		cell_int_or_x(fs, row, 0, json_object_get(q, "cite"));
		cell_int_or_x(fs, row, 1, json_object_get(q, "question"));
		worksheet_write_string(fs, (lxw_row_t)row, 2, str(q, "measure"), NULL);
		worksheet_write_string(fs, (lxw_row_t)row, 3, str(q, "period"), NULL);
		cell_int_or_x(fs, row, 4, json_object_get(q, "value"));
		cell_int_or_x(fs, row, 5, json_object_get(pv, "snapshot_version"));
		worksheet_write_string(fs, (lxw_row_t)row, 6, str(pv, "snapshot_at"), NULL);
		row++;
	}

	/* each statistics table on a sheet of its own: one row per cell, labels and count */
	json_array_foreach(json_object_get(r, "questions"), i, q)
	{
		int nt = 0;
		json_array_foreach(json_object_get(q, "evidence"), k, ev)
		{
			json_t *t = json_object_get(ev, "table");
			if (strcmp(str(ev, "kind"), "stats") || !t || json_is_null(t))
				continue;
			char name[32];
			snprintf(name, sizeof(name), "Q%" JSON_INTEGER_FORMAT " table %d",
			         json_integer_value(json_object_get(q, "num")), ++nt);
			lxw_worksheet *ts = workbook_add_worksheet(wb, name);
			json_t *by = json_object_get(t, "by"), *d, *rr;
			size_t m, n;
			json_array_foreach(by, m, d)
			{
				worksheet_write_string(ts, 0, (lxw_col_t)m, json_string_value(d),
				                       bold);
				worksheet_set_column(ts, (lxw_col_t)m, (lxw_col_t)m, 30, NULL);
			}
			worksheet_write_string(ts, 0, (lxw_col_t)json_array_size(by),
			                       str(t, "count"), bold);
			row = 1;
			json_array_foreach(json_object_get(t, "rows"), n, rr)
			{
				json_array_foreach(by, m, d)
				{
					const char *dn = json_string_value(d);
					const char *l = str(json_object_get(rr, "labels"), dn);
					worksheet_write_string(ts, (lxw_row_t)row, (lxw_col_t)m,
					                       *l ? l : str(rr, dn), NULL);
				}
				cell_int_or_x(ts, row, (int)json_array_size(by),
				              json_object_get(rr, "count"));
				row++;
			}
			worksheet_write_string(ts, (lxw_row_t)row, 0, "Total", bold);
			cell_int_or_x(ts, row, (int)json_array_size(by),
			              json_object_get(t, "total"));
		}
	}
	lxw_error err = workbook_close(wb);
	if (err != LXW_NO_ERROR)
		return ctip_err_set(e, CTIP_EIO, "%s: %s", path, lxw_strerror(err));
	return CTIP_OK;
}
