/*
 * stats_out.c - writing a table (stats_out.h).
 */
#include "stats_out.h"

#include <inttypes.h>
#include <string.h>

#include "csv_write.h"

#ifndef CTIP_VERSION
#define CTIP_VERSION "unknown"
#endif

/* Sentence bands have no vocabulary: their labels (store_sqlite_stats.c's codes). */
static const char *const sentence_label[][2] = {
        {"Fine", "Fine"},
        {"NonCustodialReform", "Non-custodial reform"},
        {"SuspendedSentence", "Suspended sentence"},
        {"Prison<3y", "Prison under 3 years"},
        {"Prison3-7y", "Prison 3 to 7 years"},
        {"Prison7-15y", "Prison 7 to 15 years"},
        {"Prison15-20y", "Prison 15 to 20 years"},
        {"LifeImprisonment", "Life imprisonment"},
        {"Death", "Death penalty"},
};

const char *ctip_stats_label(const ctip_ref *ref, int dim, const char *code)
{
	if (ref && dim == CTIP_D_SENTENCE && code)
		for (size_t i = 0; i < sizeof(sentence_label) / sizeof(sentence_label[0]); i++)
			if (!strcmp(code, sentence_label[i][0]))
				return sentence_label[i][1];
	const char *v = ctip_stats_dim_vocab(dim);
	if (!ref || !v || !code || !strcmp(code, "Unknown"))
		return code;
	const struct ctip_ref_entry *en = ctip_ref_get(ref, v, code);
	return en && en->label_en && *en->label_en ? en->label_en : code;
}

int64_t ctip_stats_value(const struct ctip_stats_table *t, size_t cell)
{
	return t->supp && t->supp[cell] ? -1 : t->count[cell];
}

void ctip_stats_notes(const struct ctip_stats_table *t, char *buf, size_t n)
{
	size_t at = 0;
	buf[0] = 0;
	for (int k = 0; k < t->ndim && at < n; k++)
		if (ctip_unit_dim_multi(t->unit, t->dim[k]))
			at += (size_t)snprintf(buf + at, n - at,
			                       "%s%s is multi-valued: each of the %s counts once "
			                       "under every value it "
			                       "has, so the %s total is the number of distinct %s, "
			                       "not the sum of its "
			                       "cells.",
			                       at ? " " : "", ctip_dim_name(t->dim[k]),
			                       ctip_unit_name(t->unit), ctip_dim_name(t->dim[k]),
			                       ctip_unit_name(t->unit));
	/* dated values are counted per record: a victim's records, not distinct victims */
	const char *rows_of =
	        t->unit == CTIP_U_VICTIMS ? "victim records" : ctip_unit_name(t->unit);
	if (t->stage_dated && t->dated_dim == CTIP_D_EVENT && at < n)
		at += (size_t)snprintf(
		        buf + at, n - at,
		        "%sEvents count in the year they happened (the earliest event of each "
		        "kind), "
		        "not the year of identification; %" PRId64 " of the %" PRId64
		        " %s counted by an event had an event without a date, counted by the year "
		        "of identification, else of the case, instead.",
		        at ? " " : "", t->stage_fallback, t->stage_rows, rows_of);
	else if (t->stage_dated && at < n)
		at += (size_t)snprintf(
		        buf + at, n - at,
		        "%sStages count in the year the proceedings reached them (the date of the "
		        "earliest proceeding at that stage), not the year the case was opened; "
		        "%" PRId64 " of the %" PRId64
		        " %s counted at a stage had a stage without a proceeding "
		        "date, counted by %s instead.",
		        at ? " " : "", t->stage_fallback, t->stage_rows, rows_of,
		        t->unit == CTIP_U_VICTIMS ? "the year of identification, else of the case"
		                                  : "the year the case was opened");
	if (t->dropped && at < n)
		at += (size_t)snprintf(
		        buf + at, n - at, "%s%d values of %s with no %s are not listed.",
		        at ? " " : "", t->dropped, ctip_dim_name(t->dim[t->dropped_k]),
		        ctip_unit_name(t->unit));
	if (t->unit == CTIP_U_VICTIMS && at < n)
		snprintf(buf + at, n - at,
		         "%sVictims are distinct persons (linked persons after `ctip link run`, "
		         "else person records): a "
		         "person in several cases counts once in each cell and total.",
		         at ? " " : "");
}

json_t *ctip_stats_provenance(const struct ctip_stats_table *t, const struct ctip_stats_query *q)
{
	json_t *flt = json_object();
	char buf[16];
	for (int i = 0; i < 2; i++) {
		int32_t d = i ? q->to : q->from;
		if (!d)
			continue;
		if (d % 10000 == 0)
			snprintf(buf, sizeof(buf), "%04d", d / 10000);
		else if (d % 100 == 0)
			snprintf(buf, sizeof(buf), "%04d-%02d", d / 10000, d / 100 % 100);
		else
			snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d / 10000, d / 100 % 100,
			         d % 100);
		json_object_set_new(flt, i ? "to" : "from", json_string(buf));
	}
	for (int w = 0; w < q->nwhere; w++) {
		const char *d = ctip_dim_name(q->where_dim[w]);
		json_t *a = json_object_get(flt, d);
		if (!a)
			json_object_set_new(flt, d, a = json_array());
		json_array_append_new(a, json_string(q->where_value[w]));
	}
	json_t *p = json_object();
	json_object_set_new(p, "computed_at", json_string(t->computed_at));
	json_object_set_new(p, "filters", flt);
	json_object_set_new(p, "records", json_integer(t->records));
	json_object_set_new(p, "data_version", json_integer(t->data_version));
	json_object_set_new(p, "snapshot_built_at", json_string(t->snapshot_at));
	if (t->linkage[0])
		json_object_set_new(p, "linkage", json_string(t->linkage));
	json_object_set_new(p, "ctip_version", json_string(CTIP_VERSION));
	if (t->stage_dated && t->dated_dim == CTIP_D_EVENT) {
		json_t *ed = json_object();
		json_object_set_new(ed, "counted_by", json_string("event date"));
		json_object_set_new(ed, "rows", json_integer(t->stage_rows));
		json_object_set_new(ed, "without_event_date", json_integer(t->stage_fallback));
		json_object_set_new(ed, "fallback", json_string("victim's reference date"));
		json_object_set_new(p, "event_dates", ed);
	} else if (t->stage_dated) {
		json_t *sd = json_object();
		json_object_set_new(sd, "counted_by", json_string("proceeding date"));
		json_object_set_new(sd, "rows", json_integer(t->stage_rows));
		json_object_set_new(sd, "without_proceeding_date", json_integer(t->stage_fallback));
		json_object_set_new(sd, "fallback",
		                    json_string(t->unit == CTIP_U_VICTIMS
		                                        ? "victim's reference date"
		                                        : "case opening date"));
		json_object_set_new(p, "stage_dates", sd);
	}
	return p;
}

/* Width of a UTF-8 string in columns (one per code point: good enough for Vietnamese). */
static int width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static json_t *count_json(const struct ctip_stats_table *t, size_t cell)
{
	int64_t v = ctip_stats_value(t, cell);
	return v < 0 ? json_null() : json_integer(v);
}

json_t *ctip_stats_json(const struct ctip_stats_table *t, const struct ctip_stats_query *q)
{
	json_t *o = json_object(), *by = json_array(), *rows = json_array(),
	       *margins = json_array();
	json_object_set_new(o, "count", json_string(ctip_unit_name(t->unit)));
	for (int k = 0; k < t->ndim; k++)
		json_array_append_new(by, json_string(ctip_dim_name(t->dim[k])));
	json_object_set_new(o, "by", by);
	int lev[CTIP_STATS_MAXDIM] = {0};
	for (size_t c = 0; t->ndim > 0 && c < t->ncell; c++) {
		int ntot = 0;
		size_t rest = c;
		for (int k = 0; k < t->ndim; k++) {
			lev[k] = (int)(rest / t->stride[k]);
			rest %= t->stride[k];
			ntot += lev[k] == t->nlev[k];
		}
		if (ntot == t->ndim)
			continue;
		json_t *r = json_object();
		for (int k = 0; k < t->ndim; k++)
			if (lev[k] < t->nlev[k])
				json_object_set_new(r, ctip_dim_name(t->dim[k]),
				                    json_string(t->label[k][lev[k]]));
		json_object_set_new(r, "count", count_json(t, c));
		json_array_append_new(ntot ? margins : rows, r);
	}
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "margins", margins);
	json_object_set_new(o, "total", count_json(t, ctip_stats_total_cell(t)));
	json_object_set_new(o, "margins_are_sums", json_boolean(t->additive));
	char notes[2048];
	ctip_stats_notes(t, notes, sizeof(notes));
	json_object_set_new(o, "notes", json_string(notes));
	json_t *s = json_object();
	json_object_set_new(s, "applied", json_boolean(t->suppressed));
	if (t->suppressed) {
		long n = 0;
		for (size_t c = 0; c < t->ncell; c++)
			n += t->supp[c] != 0;
		json_object_set_new(s, "threshold", json_integer(t->threshold));
		json_object_set_new(s, "cells_withheld", json_integer(n));
	}
	json_object_set_new(o, "suppression", s);
	json_object_set_new(o, "provenance", ctip_stats_provenance(t, q));
	return o;
}

int ctip_stats_write_json(FILE *out, const struct ctip_stats_table *t,
                          const struct ctip_stats_query *q, ctip_err *e)
{
	json_t *o = ctip_stats_json(t, q);
	int rc = json_dumpf(o, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	fputc('\n', out);
	return rc ? ctip_err_set(e, CTIP_EIO, "write error") : CTIP_OK;
}

static void provenance_lines(FILE *out, const char *prefix, const struct ctip_stats_table *t,
                             const struct ctip_stats_query *q)
{
	json_t *p = ctip_stats_provenance(t, q);
	char *flt = json_dumps(json_object_get(p, "filters"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	fprintf(out,
	        "%scomputed %s by ctip %s from %" PRId64 " records (data version %" PRId64
	        "); filters %s\n",
	        prefix, t->computed_at, CTIP_VERSION, t->records, t->data_version,
	        flt ? flt : "{}");
	free(flt);
	json_decref(p);
	if (t->linkage[0])
		fprintf(out, "%s%s\n", prefix, t->linkage);
	char notes[2048];
	ctip_stats_notes(t, notes, sizeof(notes));
	if (*notes)
		fprintf(out, "%s%s\n", prefix, notes);
	if (t->suppressed)
		fprintf(out,
		        "%scells under %d and their complements are withheld (x), so that none can "
		        "be worked out from the others\n",
		        prefix, t->threshold);
	else
		fprintf(out, "%sraw counts, not suppressed: not for release\n", prefix);
}

int ctip_stats_write_csv(FILE *out, const struct ctip_stats_table *t,
                         const struct ctip_stats_query *q, ctip_err *e)
{
	provenance_lines(out, "# ", t, q);
	ctip_stats_write_csv_body(out, t);
	return ferror(out) ? ctip_err_set(e, CTIP_EIO, "write error") : CTIP_OK;
}

void ctip_stats_write_csv_body(FILE *out, const struct ctip_stats_table *t)
{
	for (int k = 0; k < t->ndim; k++)
		ctip_csv_field(out, ctip_dim_name(t->dim[k]), k == 0);
	ctip_csv_field(out, ctip_unit_name(t->unit), t->ndim == 0);
	ctip_csv_eol(out);
	for (size_t c = 0; c < t->ncell; c++) {
		size_t rest = c;
		for (int k = 0; k < t->ndim; k++) {
			int l = (int)(rest / t->stride[k]);
			rest %= t->stride[k];
			ctip_csv_field(out, l == t->nlev[k] ? "Total" : t->label[k][l], k == 0);
		}
		int64_t v = ctip_stats_value(t, c);
		char buf[32] = "";
		if (v >= 0)
			snprintf(buf, sizeof(buf), "%" PRId64, v);
		ctip_csv_field(out, buf, t->ndim == 0);
		ctip_csv_eol(out);
	}
}

static void cell_text(const struct ctip_stats_table *t, size_t c, char *buf, size_t n)
{
	int64_t v = ctip_stats_value(t, c);
	if (v < 0)
		snprintf(buf, n, "x");
	else
		snprintf(buf, n, "%" PRId64, v);
}

static void pad(FILE *out, const char *s, int w, int right)
{
	int n = w - width(s);
	if (right)
		for (int i = 0; i < n; i++)
			fputc(' ', out);
	fputs(s, out);
	if (!right)
		for (int i = 0; i < n; i++)
			fputc(' ', out);
}

/* Row labels in English when short enough, else the code; column headers the same with a
 * narrower limit. */
static const char *lev_label(const struct ctip_stats_table *t, const ctip_ref *ref, int k, int l)
{
	if (l == t->nlev[k])
		return "Total";
	const char *lab = ctip_stats_label(ref, t->dim[k], t->label[k][l]);
	return width(lab) <= (k == 0 ? 40 : 16) ? lab : t->label[k][l];
}

/* One two-way block: rows dimension 0, columns dimension 1, the others fixed at fixed[]. */
static void block(FILE *out, const struct ctip_stats_table *t, const ctip_ref *ref, int *lev)
{
	int rw = width(ctip_dim_name(t->dim[0]));
	for (int l = 0; l <= t->nlev[0]; l++) {
		int w = width(lev_label(t, ref, 0, l));
		rw = w > rw ? w : rw;
	}
	if (rw > 48)
		rw = 48;
	int ncol = t->ndim > 1 ? t->nlev[1] + 1 : 1;
	int cw[1024];
	if (ncol > 1024)
		ncol = 1024;
	for (int j = 0; j < ncol; j++) {
		const char *h = t->ndim > 1 ? lev_label(t, ref, 1, j == ncol - 1 ? t->nlev[1] : j)
		                            : ctip_unit_name(t->unit);
		cw[j] = width(h) > 6 ? width(h) : 6;
		if (cw[j] > 24)
			cw[j] = 24;
	}
	pad(out, ctip_dim_name(t->dim[0]), rw, 0);
	for (int j = 0; j < ncol; j++) {
		char h[96];
		snprintf(h, sizeof(h), "%s",
		         t->ndim > 1 ? lev_label(t, ref, 1, j == ncol - 1 ? t->nlev[1] : j)
		                     : ctip_unit_name(t->unit));
		fputs("  ", out);
		pad(out, h, cw[j], 1);
	}
	fputc('\n', out);
	for (int l = 0; l <= t->nlev[0]; l++) {
		char lab[256];
		snprintf(lab, sizeof(lab), "%s", lev_label(t, ref, 0, l));
		pad(out, lab, rw, 0);
		lev[0] = l;
		for (int j = 0; j < ncol; j++) {
			if (t->ndim > 1)
				lev[1] = j == ncol - 1 ? t->nlev[1] : j;
			char buf[32];
			cell_text(t, ctip_stats_cell(t, lev), buf, sizeof(buf));
			fputs("  ", out);
			pad(out, buf, cw[j], 1);
		}
		fputc('\n', out);
	}
}

int ctip_stats_write_text(FILE *out, const struct ctip_stats_table *t,
                          const struct ctip_stats_query *q, const ctip_ref *ref, ctip_err *e)
{
	ctip_stats_write_body(out, t, ref);
	fputc('\n', out);
	provenance_lines(out, "", t, q);
	return ferror(out) ? ctip_err_set(e, CTIP_EIO, "write error") : CTIP_OK;
}

void ctip_stats_write_body(FILE *out, const struct ctip_stats_table *t, const ctip_ref *ref)
{
	if (t->ndim == 0) {
		char buf[32];
		cell_text(t, 0, buf, sizeof(buf));
		fprintf(out, "%s: %s\n", ctip_unit_name(t->unit), buf);
	} else {
		int lev[CTIP_STATS_MAXDIM] = {0};
		/* dimensions beyond the second: one block per combination, totals last */
		for (;;) {
			if (t->ndim > 2) {
				fputc('\n', out);
				for (int k = 2; k < t->ndim; k++)
					fprintf(out, "%s%s = %s", k > 2 ? ", " : "",
					        ctip_dim_name(t->dim[k]),
					        lev_label(t, ref, k, lev[k]));
				fputc('\n', out);
			}
			block(out, t, ref, lev);
			int k = t->ndim - 1;
			for (; k >= 2; k--) {
				if (++lev[k] <= t->nlev[k])
					break;
				lev[k] = 0;
			}
			if (k < 2)
				break;
		}
	}
}
