/*
 * report_html.c - a report as one self-contained HTML file: inline CSS (with print rules,
 * so that the browser's "print to PDF" gives one section per block, never split), tables,
 * and SVG charts drawn here: horizontal bars, a time series, and an origin-to-destination
 * flow. Withheld cells are drawn as hatched stubs marked x, never as their value.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "stats_out.h"
#include "text.h"

static void esc(FILE *out, const char *s)
{
	ctip_html_escape(out, s);
}

/* A chart label in at most max characters (UTF-8 code points): a longer one is cut with an
 * ellipsis and given whole as the element's tooltip (title), so it never runs off the chart. */
static void esc_fit(FILE *out, const char *s, int max)
{
	int n = 0;
	const char *cut = NULL;
	for (const char *p = s; p && *p; p++)
		if ((*p & 0xC0) != 0x80 && ++n == max)
			cut = p;
	if (n <= max) {
		esc(out, s);
		return;
	}
	fputs("<title>", out);
	esc(out, s);
	fputs("</title>", out);
	char buf[512];
	size_t len = (size_t)(cut - s);
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, s, len);
	buf[len] = 0;
	esc(out, buf);
	fputs("\xe2\x80\xa6", out); /* ... */
}

static const char *lab(const struct ctip_stats_table *t, const ctip_ref *ref, int k, int l)
{
	return l == t->nlev[k] ? "Total" : ctip_stats_label(ref, t->dim[k], t->label[k][l]);
}

static int64_t val1(const struct ctip_stats_table *t, int l)
{
	int lev[1] = {l};
	return ctip_stats_value(t, ctip_stats_cell(t, lev));
}

/* Horizontal bars of a one-dimension table, largest first, unknown last. */
static void bars(FILE *out, const struct ctip_stats_table *t, const ctip_ref *ref)
{
	int n = t->nlev[0], order[512], m = 0;
	int64_t max = 1;
	if (n > 512)
		n = 512;
	for (int l = 0; l < n - 1; l++)
		if (val1(t, l) != 0)
			order[m++] = l;
	/* ordinal dimensions keep their order; others largest first, withheld (-1) last */
	int ordinal = t->dim[0] == CTIP_D_AGE || t->dim[0] == CTIP_D_YEAR ||
	              t->dim[0] == CTIP_D_SENTENCE || t->dim[0] == CTIP_D_STAGE;
	for (int i = 1; i < m && !ordinal; i++)
		for (int j = i; j > 0 && val1(t, order[j]) > val1(t, order[j - 1]); j--) {
			int x = order[j];
			order[j] = order[j - 1];
			order[j - 1] = x;
		}
	if (m > 20)
		m = 20;
	order[m++] = n - 1; /* unknown, always shown */
	for (int i = 0; i < m; i++)
		if (val1(t, order[i]) > max)
			max = val1(t, order[i]);
	int rowh = 22, w = 720, lw = 300, bw = w - lw - 70;
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">\n", w, m * rowh + 6);
	for (int i = 0; i < m; i++) {
		int64_t v = val1(t, order[i]);
		int y = i * rowh + 3;
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lab\" text-anchor=\"end\">", lw - 8,
		        y + 15);
		esc_fit(out, lab(t, ref, 0, order[i]), 46);
		fputs("</text>", out);
		if (v < 0)
			fprintf(out,
			        "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"16\" "
			        "class=\"withheld\"/>"
			        "<text x=\"%d\" y=\"%d\" class=\"val\">x</text>\n",
			        lw, y + 2, lw + 20, y + 15);
		else
			fprintf(out,
			        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" "
			        "class=\"bar%s\"/>"
			        "<text x=\"%.1f\" y=\"%d\" class=\"val\">%" PRId64 "</text>\n",
			        lw, y + 2, (double)bw * (double)v / (double)max,
			        order[i] == n - 1 ? " unk" : "",
			        lw + (double)bw * (double)v / (double)max + 6, y + 15, v);
	}
	fputs("</svg>\n", out);
}

/* A time series: one point per year (the unknown year is left out of the line). */
static void series(FILE *out, const struct ctip_stats_table *t)
{
	int n = t->nlev[0] - 1;
	if (n < 1)
		return;
	int64_t max = 1;
	for (int l = 0; l < n; l++)
		if (val1(t, l) > max)
			max = val1(t, l);
	int w = 720, h = 240, x0 = 60, y0 = 20, pw = w - x0 - 20, ph = h - y0 - 40;
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">\n", w, h);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", x0, y0 + ph,
	        x0 + pw, y0 + ph);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", x0, y0, x0,
	        y0 + ph);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lab\" text-anchor=\"end\">%" PRId64 "</text>",
	        x0 - 6, y0 + 4, max);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lab\" text-anchor=\"end\">0</text>\n", x0 - 6,
	        y0 + ph + 4);
	double step = n > 1 ? (double)pw / (n - 1) : 0;
	fputs("<polyline class=\"line\" points=\"", out);
	for (int l = 0; l < n; l++) {
		int64_t v = val1(t, l);
		if (v >= 0)
			fprintf(out, "%.1f,%.1f ", x0 + step * l,
			        y0 + ph - (double)ph * (double)v / (double)max);
	}
	fputs("\"/>\n", out);
	int every = n > 12 ? (n + 11) / 12 : 1;
	for (int l = 0; l < n; l++) {
		int64_t v = val1(t, l);
		double x = x0 + step * l;
		if (v >= 0)
			fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" class=\"dot\"/>", x,
			        y0 + ph - (double)ph * (double)v / (double)max);
		else
			fprintf(out,
			        "<text x=\"%.1f\" y=\"%d\" class=\"val\" "
			        "text-anchor=\"middle\">x</text>",
			        x, y0 + ph - 6);
		if (l % every == 0)
			fprintf(out,
			        "<text x=\"%.1f\" y=\"%d\" class=\"lab\" "
			        "text-anchor=\"middle\">%s</text>\n",
			        x, y0 + ph + 18, t->label[0][l]);
	}
	fputs("</svg>\n", out);
}

/* Origin to destination: the largest origins on the left, destinations on the right, a band
 * per published pair as wide as its count; withheld pairs are not drawn. */
static void flow(FILE *out, const struct ctip_stats_table *t, const ctip_ref *ref)
{
	enum { TOP = 10 };
	int left[TOP] = {0}, right[TOP] = {0}, nl = 0, nr = 0;
	for (int side = 0; side < 2; side++) {
		int *pick = side ? right : left, *np = side ? &nr : &nl;
		int64_t best[TOP];
		for (int l = 0; l < t->nlev[side] - 1; l++) { /* known values only, by margin */
			int lev[2] = {side ? t->nlev[0] : l, side ? l : t->nlev[1]};
			int64_t v = ctip_stats_value(t, ctip_stats_cell(t, lev));
			if (v <= 0 || (*np == TOP && v <= best[TOP - 1]))
				continue;
			int at = *np < TOP ? (*np)++ : TOP - 1;
			while (at > 0 && best[at - 1] < v) {
				best[at] = best[at - 1];
				pick[at] = pick[at - 1];
				at--;
			}
			best[at] = v;
			pick[at] = l;
		}
	}
	if (!nl || !nr)
		return;
	int w = 720, rowh = 30, h = (nl > nr ? nl : nr) * rowh + 20, xl = 200, xr = w - 200;
	int64_t max = 1;
	for (int i = 0; i < nl; i++)
		for (int j = 0; j < nr; j++) {
			int lev[2] = {left[i], right[j]};
			int64_t v = ctip_stats_value(t, ctip_stats_cell(t, lev));
			if (v > max)
				max = v;
		}
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">\n", w, h);
	for (int i = 0; i < nl; i++)
		for (int j = 0; j < nr; j++) {
			int lev[2] = {left[i], right[j]};
			int64_t v = ctip_stats_value(t, ctip_stats_cell(t, lev));
			if (v <= 0)
				continue;
			double y1 = 10 + i * rowh + rowh / 2.0, y2 = 10 + j * rowh + rowh / 2.0;
			fprintf(out,
			        "<path d=\"M%d,%.1f C%d,%.1f %d,%.1f %d,%.1f\" class=\"flow\" "
			        "stroke-width=\"%.1f\"><title>%" PRId64 "</title></path>\n",
			        xl, y1, (xl + xr) / 2, y1, (xl + xr) / 2, y2, xr, y2,
			        1.0 + 18.0 * (double)v / (double)max, v);
		}
	for (int i = 0; i < nl; i++) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lab\" text-anchor=\"end\">", xl - 6,
		        10 + i * rowh + rowh / 2 + 4);
		esc_fit(out, lab(t, ref, 0, left[i]), 30);
		fputs("</text>\n", out);
	}
	for (int j = 0; j < nr; j++) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lab\">", xr + 6,
		        10 + j * rowh + rowh / 2 + 4);
		esc_fit(out, lab(t, ref, 1, right[j]), 30);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n<p class=\"note\">The ten largest origins and destinations; withheld "
	      "pairs are not drawn.</p>\n",
	      out);
}

static void cell(FILE *out, int64_t v, int total)
{
	if (v < 0)
		fprintf(out, "<td class=\"x%s\">x</td>", total ? " tot" : "");
	else
		fprintf(out, "<td%s>%" PRId64 "</td>", total ? " class=\"tot\"" : "", v);
}

/* One- and two-dimension tables as a grid; more dimensions in long form. */
static void table(FILE *out, const struct ctip_stats_table *t, const ctip_ref *ref)
{
	fputs("<table>\n", out);
	if (t->ndim == 0) {
		fputs("<tr><th>Total</th>", out);
		cell(out, ctip_stats_value(t, 0), 1);
		fputs("</tr>\n", out);
	} else if (t->ndim <= 2) {
		int nc = t->ndim == 2 ? t->nlev[1] + 1 : 1;
		fputs("<tr><th>", out);
		esc(out, ctip_dim_name(t->dim[0]));
		fputs("</th>", out);
		for (int j = 0; j < nc; j++) {
			fputs("<th>", out);
			esc(out, t->ndim == 2 ? lab(t, ref, 1, j) : ctip_unit_name(t->unit));
			fputs("</th>", out);
		}
		fputs("</tr>\n", out);
		for (int l = 0; l <= t->nlev[0]; l++) {
			fprintf(out, "<tr%s><th>", l == t->nlev[0] ? " class=\"tot\"" : "");
			esc(out, lab(t, ref, 0, l));
			fputs("</th>", out);
			for (int j = 0; j < nc; j++) {
				int lev[2] = {l, j};
				cell(out, ctip_stats_value(t, ctip_stats_cell(t, lev)),
				     l == t->nlev[0] || (t->ndim == 2 && j == t->nlev[1]));
			}
			fputs("</tr>\n", out);
		}
	} else {
		fputs("<tr>", out);
		for (int k = 0; k < t->ndim; k++) {
			fputs("<th>", out);
			esc(out, ctip_dim_name(t->dim[k]));
			fputs("</th>", out);
		}
		fprintf(out, "<th>%s</th></tr>\n", ctip_unit_name(t->unit));
		for (size_t c = 0; c < t->ncell; c++) {
			size_t rest = c;
			fputs("<tr>", out);
			for (int k = 0; k < t->ndim; k++) {
				int l = (int)(rest / t->stride[k]);
				rest %= t->stride[k];
				fputs("<td>", out);
				esc(out, lab(t, ref, k, l));
				fputs("</td>", out);
			}
			cell(out, ctip_stats_value(t, c), 0);
			fputs("</tr>\n", out);
		}
	}
	fputs("</table>\n", out);
}

static void completeness(FILE *out, const struct ctip_report_section *s)
{
	fputs("<table class=\"compl\">\n<tr><th>organisation</th>", out);
	for (int k = 0; k < s->ncdim; k++)
		fprintf(out, "<th>%s</th>", ctip_dim_name(s->cdim[k]));
	fputs("</tr>\n", out);
	for (int o = 0; o < s->norg; o++) {
		fputs("<tr><th>", out);
		esc(out, s->org[o]);
		fputs("</th>", out);
		for (int k = 0; k < s->ncdim; k++) {
			int64_t tot = s->total[o * s->ncdim + k], u = s->unknown[o * s->ncdim + k];
			if (!tot)
				fputs("<td>-</td>", out);
			else if (s->threshold && tot < s->threshold)
				fputs("<td class=\"x\">x</td>", out);
			else {
				double p = 100.0 * (double)u / (double)tot;
				/* the darker, the more is missing */
				fprintf(out,
				        "<td style=\"background:rgba(200,60,40,%.2f)\">%.0f%%</td>",
				        p / 125.0, p);
			}
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static const char css[] =
        "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:60em;"
        "color:#222;font-size:11pt}"
        "h1{font-size:18pt;margin-bottom:.2em}h2{font-size:13pt;margin:1.4em 0 .4em;"
        "border-bottom:1px solid #bbb}"
        ".prov{color:#555;font-size:9pt}.note{color:#555;font-size:9pt}"
        "table{border-collapse:collapse;margin:.4em 0;font-size:9.5pt}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        "th{background:#f2f2f2;text-align:left;font-weight:normal}"
        "tr>th:first-child{min-width:12em}tr:first-child>th{vertical-align:bottom}"
        ".tot,tr.tot th{font-weight:bold}td.x{color:#999;background:"
        "repeating-linear-gradient(45deg,#fff,#fff 3px,#eee 3px,#eee 6px)}"
        "svg.chart{width:100%;max-width:720px;display:block;margin:.3em 0}"
        ".lab{font-size:11px;fill:#333}.val{font-size:11px;fill:#333}"
        ".bar{fill:#2b6cb0}.bar.unk{fill:#a0aec0}.withheld{fill:url(#hatch);stroke:#999}"
        ".axis{stroke:#888}.line{fill:none;stroke:#2b6cb0;stroke-width:2}.dot{fill:#2b6cb0}"
        ".flow{fill:none;stroke:#2b6cb0;stroke-opacity:.35}"
        "section{page-break-inside:avoid;break-inside:avoid}"
        "@media print{body{margin:0;max-width:none;font-size:9.5pt}"
        "h2{page-break-after:avoid}@page{size:A4;margin:15mm}}";

int ctip_report_html(FILE *out, const struct ctip_report *r, const ctip_ref *ref, ctip_err *e)
{
	char prov[1024];
	ctip_report_provenance(r, prov, sizeof(prov));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", out);
	esc(out, r->title);
	fprintf(out, "</title>\n<style>%s</style></head><body>\n", css);
	/* the hatch pattern of withheld bars, shared by every chart */
	fputs("<svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs><pattern "
	      "id=\"hatch\" "
	      "width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#ccc\"/>"
	      "</pattern></defs></svg>\n",
	      out);
	fputs("<h1>", out);
	esc(out, r->title);
	fputs("</h1>\n<p class=\"prov\">", out);
	esc(out, prov);
	fputs("</p>\n", out);
	for (int i = 0; i < r->n; i++) {
		const struct ctip_report_section *s = &r->s[i];
		fputs("<section><h2>", out);
		esc(out, s->title);
		fputs("</h2>\n", out);
		if (s->nkv) { /* the dark figure: label and text */
			fputs("<table class=\"est\">\n", out);
			for (int k = 0; k < s->nkv; k++) {
				fputs("<tr><th>", out);
				esc(out, s->kv[k][0]);
				fputs("</th><td style=\"text-align:left\">", out);
				esc(out, s->kv[k][1]);
				fputs("</td></tr>\n", out);
			}
			fputs("</table></section>\n", out);
			continue;
		}
		if (s->completeness) {
			completeness(out, s);
			fputs("</section>\n", out);
			continue;
		}
		if (s->chart == CTIP_CHART_BARS && s->t->ndim == 1)
			bars(out, s->t, ref);
		else if (s->chart == CTIP_CHART_SERIES && s->t->ndim == 1)
			series(out, s->t);
		else if (s->chart == CTIP_CHART_FLOW && s->t->ndim == 2)
			flow(out, s->t, ref);
		table(out, s->t, ref);
		char notes[2048];
		ctip_stats_notes(s->t, notes, sizeof(notes));
		fprintf(out, "<p class=\"note\">%" PRId64 " records. ", s->t->records);
		esc(out, notes);
		fputs("</p></section>\n", out);
	}
	fputs("</body></html>\n", out);
	return ferror(out) ? ctip_err_set(e, CTIP_EIO, "write error") : CTIP_OK;
}
