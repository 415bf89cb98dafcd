/*
 * report.c - the standard reports' contents (report.h), and their terminal, CSV and JSON
 * forms.
 */
#include "report.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv_write.h"
#include "stats_out.h"
#include "suppress.h"

#ifndef CTIP_VERSION
#define CTIP_VERSION "unknown"
#endif

struct def {
	const char *title;
	int chart, flags, unit; /* unit SLOT: the place of a section added later */
	const char *by, *where; /* "dim,dim"; "dim=value;dim=value" */
};

#define ALL_YEARS 1 /* a series over every year, not the report's */
#define LISTED    2 /* only the levels of the first dimension with a count */
#define SLOT      (-1)

#define V      CTIP_U_VICTIMS
#define C      CTIP_U_CASES
#define O      CTIP_U_OFFENDERS
#define R      CTIP_U_REFERRALS
#define A      CTIP_U_ASSISTANCE
#define BARS   CTIP_CHART_BARS
#define SERIES CTIP_CHART_SERIES
#define FLOW   CTIP_CHART_FLOW

/* What the Steering Committee 138 report on 2023 (002) and the "Statistical results" of
 * Viet Nam's reply (004) state, computed. */
static const struct def annual[] = {
        {"Cases by stage of proceedings", BARS, 0, C, "stage", NULL},
        {"Offenders (defendants) by stage of proceedings", BARS, 0, O, "stage", NULL},
        {"Victims by stage of proceedings of their cases", BARS, 0, V, "stage", NULL},
        {"Victims by sex", BARS, 0, V, "gender", NULL},
        {"Victims by age at exploitation (under 16, 16-17, 18 and over)", BARS, 0, V, "age_group",
         NULL},
        {"Victims by sex and age group", 0, 0, V, "gender,age_group", NULL},
        {"Offenders (defendants) by sex, in cases opened in the year", BARS, 0, O, "gender", NULL},
        {"Cases by Criminal Code article (150 and 151 apart)", BARS, 0, C, "article", NULL},
        {"Offenders by article and stage", 0, 0, O, "article,stage", NULL},
        {"Cases verified", 0, 0, C, "", "stage=Verified"},
        {"Victims by trafficking status (confirmed against possible)", BARS, 0, V,
         "trafficking_status", NULL},
        {"Convicted defendants by sentence", BARS, 0, O, "sentence", "stage=Convicted"},
        {"Hotline contacts (cases recorded by hotlines)", 0, LISTED, C, "org", "org_type=Hotline"},
        {"Victims by form of exploitation", BARS, 0, V, "exploitation_type", NULL},
        {"Victims by country of exploitation", BARS, 0, V, "destination_country", NULL},
        {"Victims from province of origin to country of exploitation", FLOW, 0, V,
         "origin_province,destination_country", NULL},
        /* persons re-trafficked (report_link.c), with the victims, before the series */
        {"Persons re-trafficked", 0, 0, SLOT, NULL, NULL},
        {"Victims by year, every year recorded", SERIES, 1, V, "year", NULL},
        {"Cases by year, every year recorded", SERIES, 1, C, "year", NULL},
        {NULL, 0, 0, 0, NULL, NULL},
};

/* The statistics tables of the TIP questionnaire (002, Annex D). */
static const struct def tip[] = {
        {"I.2.1 Investigations: cases investigated, by article", BARS, 0, C, "article",
         "stage=Investigated"},
        {"I.2.1 Investigations: suspects investigated, by article and sex", 0, 0, O,
         "article,gender", "stage=Investigated"},
        {"I.2.2 Prosecutions: defendants prosecuted, by article and sex", 0, 0, O, "article,gender",
         "stage=Prosecuted"},
        {"I.2.2 Prosecutions: defendants prosecuted, by form of exploitation of the case", 0, 0, C,
         "exploitation_type", "stage=Prosecuted"},
        {"I.2.3 Convictions: defendants convicted, by article and sentence", 0, 0, O,
         "article,sentence", "stage=Convicted"},
        {"I.2.3 Convictions: defendants acquitted, by article", 0, 0, O, "article",
         "stage=Acquitted"},
        {"II.4 Hotline: cases recorded by hotlines, by year", SERIES, 1, C, "year",
         "org_type=Hotline"},
        {"II.4 Hotline: referrals out of cases recorded by hotlines, by reason", 0, 0, R,
         "referral_reason", "org_type=Hotline"},
        {"II.5 Identification: victims by status and sex", 0, 0, V, "trafficking_status,gender",
         NULL},
        {"II.5 Identification: victims by form of exploitation and age group", 0, 0, V,
         "exploitation_type,age_group", NULL},
        {"II.5 Identification: victims by citizenship", BARS, 0, V, "citizenship", NULL},
        {"II.5 Identification: victims by identifying organisation type", BARS, 0, V, "org_type",
         NULL},
        {"II.5 Referral: referrals by reason", BARS, 0, R, "referral_reason", NULL},
        {"II.5 Services: assistance given, by kind and sex of the victim", 0, 0, A,
         "assistance_kind,gender", NULL},
        {"II.5 Repatriation: victims returned or repatriated in the year, by citizenship", 0, 0, V,
         "citizenship", "event=ReturnOrRepatriation"},
        {"II.5 Repatriation: victims returned or repatriated in the year, by form of "
         "exploitation",
         0, 0, V, "exploitation_type", "event=ReturnOrRepatriation"},
        {"II.5 Repatriation: victims returned or repatriated in the year, by country of "
         "exploitation",
         BARS, 0, V, "destination_country", "event=ReturnOrRepatriation"},
        {NULL, 0, 0, 0, NULL, NULL},
};

void ctip_report_free(struct ctip_report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n; i++) {
		struct ctip_report_section *s = &r->s[i];
		ctip_stats_free(s->t);
		for (int o = 0; s->org && o < s->norg; o++)
			free(s->org[o]);
		free(s->org);
		free(s->total);
		free(s->unknown);
		for (int k = 0; k < s->nkv; k++) {
			free(s->kv[k][0]);
			free(s->kv[k][1]);
		}
	}
	free(r);
}

static int parse_def(const struct def *d, int year, struct ctip_stats_query *q, ctip_err *e)
{
	char buf[256];
	memset(q, 0, sizeof(*q));
	q->unit = d->unit;
	snprintf(buf, sizeof(buf), "%s", d->by);
	for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
		if (q->ndim < CTIP_STATS_MAXDIM)
			q->dim[q->ndim++] = ctip_dim_parse(t);
	if (d->where) {
		const char *p = d->where;
		while (*p && q->nwhere < CTIP_STATS_MAXWHERE) {
			const char *eq = strchr(p, '=');
			if (!eq)
				break;
			char dim[64];
			snprintf(dim, sizeof(dim), "%.*s", (int)(eq - p), p);
			q->where_dim[q->nwhere] = ctip_dim_parse(dim);
			q->where_value[q->nwhere++] = eq + 1; /* one where per definition */
			break;
		}
	}
	if (!(d->flags & ALL_YEARS) && year) {
		q->from = year * 10000;
		q->to = year * 10000 + 1231;
	}
	return ctip_stats_check(q, e);
}

static void stamp(char *buf, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* For each dimension of the unit, unknown and total per organisation: one table
 * unit --by org,DIM per dimension. */
static int completeness(const ctip_facts *f, int unit, int year, int raw, int threshold,
                        struct ctip_report_section *s, ctip_err *e)
{
	snprintf(s->title, sizeof(s->title),
	         "%s: share of records where each dimension is unknown, by reporting organisation",
	         ctip_unit_name(unit));
	s->completeness = 1;
	s->q.unit = unit;
	if (year) {
		s->q.from = year * 10000;
		s->q.to = year * 10000 + 1231;
	}
	for (int d = 0; d < CTIP_D_N; d++)
		if (ctip_unit_has_dim(unit, d) && d != CTIP_D_ORG && d != CTIP_D_ORG_TYPE)
			s->cdim[s->ncdim++] = d;
	for (int k = 0; k < s->ncdim; k++) {
		struct ctip_stats_query q = s->q;
		struct ctip_stats_table *t = NULL;
		q.ndim = 2;
		q.dim[0] = CTIP_D_ORG;
		q.dim[1] = s->cdim[k];
		int rc = ctip_stats_compute(f, &q, &t, e);
		if (rc)
			return rc;
		if (!s->org) {
			s->norg = t->nlev[0] + 1; /* with the total */
			s->org = calloc((size_t)s->norg, sizeof(char *));
			s->total = calloc((size_t)s->norg * (size_t)s->ncdim, sizeof(int64_t));
			s->unknown = calloc((size_t)s->norg * (size_t)s->ncdim, sizeof(int64_t));
			if (!s->org || !s->total || !s->unknown) {
				ctip_stats_free(t);
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
			for (int o = 0; o < s->norg; o++)
				s->org[o] = strdup(o < t->nlev[0] ? t->label[0][o]
				                                  : "All organisations");
			s->records = t->records;
		}
		for (int o = 0; o < s->norg && o <= t->nlev[0]; o++) {
			int lu[2] = {o, t->nlev[1] - 1}, lt[2] = {o, t->nlev[1]};
			s->unknown[o * s->ncdim + k] = t->count[ctip_stats_cell(t, lu)];
			s->total[o * s->ncdim + k] = t->count[ctip_stats_cell(t, lt)];
		}
		ctip_stats_free(t);
	}
	/* organisations with fewer records than the threshold are not shown on their own */
	s->threshold = raw ? 0 : threshold;
	return CTIP_OK;
}

/* Whether table b is a margin of table a: the same count, filters and bands, and b's
 * dimensions among a's. Then cell (l1..lk) of b is a's cell with the other dimensions at their
 * total, and both must withhold it or neither: a cell withheld in one and published in the
 * other would give the attacker of one table the value it hides. */
static int margin_of(const struct ctip_report_section *a, const struct ctip_report_section *b,
                     int *pos)
{
	const struct ctip_stats_query *qa = &a->q, *qb = &b->q;
	if (a == b || !a->t || !b->t || qa->unit != qb->unit || qa->from != qb->from ||
	    qa->to != qb->to || qa->nwhere != qb->nwhere || qb->ndim >= qa->ndim ||
	    qa->nbands != qb->nbands)
		return 0;
	for (int w = 0; w < qa->nwhere; w++)
		if (qa->where_dim[w] != qb->where_dim[w] ||
		    strcmp(qa->where_value[w], qb->where_value[w]))
			return 0;
	for (int k = 0; k < qb->ndim; k++) {
		pos[k] = -1;
		for (int j = 0; j < qa->ndim; j++)
			if (qa->dim[j] == qb->dim[k] && a->t->nlev[j] == b->t->nlev[k])
				pos[k] = j;
		if (pos[k] < 0)
			return 0;
	}
	return 1;
}

/* Makes the suppression of tables that share cells agree, to a fixed point. */
static void suppress_together(struct ctip_report *r)
{
	for (int changed = 1, round = 0; changed && round < 50; round++) {
		changed = 0;
		for (int i = 0; i < r->n; i++)
			for (int j = 0; j < r->n; j++) {
				struct ctip_report_section *a = &r->s[i], *b = &r->s[j];
				int pos[CTIP_STATS_MAXDIM];
				if (!margin_of(a, b, pos))
					continue;
				int touched_a = 0, touched_b = 0;
				for (size_t c = 0; c < b->t->ncell; c++) {
					int la[CTIP_STATS_MAXDIM];
					for (int k = 0; k < a->t->ndim; k++)
						la[k] = a->t->nlev[k];
					size_t rest = c;
					for (int k = 0; k < b->t->ndim; k++) {
						la[pos[k]] = (int)(rest / b->t->stride[k]);
						rest %= b->t->stride[k];
					}
					size_t ca = ctip_stats_cell(a->t, la);
					if (a->t->supp[ca] && !b->t->supp[c])
						b->t->supp[c] = 2, touched_b = 1;
					else if (!a->t->supp[ca] && b->t->supp[c])
						a->t->supp[ca] = 2, touched_a = 1;
				}
				if (touched_a)
					ctip_suppress_more(a->t);
				if (touched_b)
					ctip_suppress_more(b->t);
				changed |= touched_a || touched_b;
			}
	}
}

int ctip_report_build(const ctip_facts *f, const ctip_ref *ref, const char *name, int year, int raw,
                      int threshold, struct ctip_report **out, ctip_err *e)
{
	const struct def *defs = !strcmp(name, "annual") ? annual
	                         : !strcmp(name, "tip")  ? tip
	                                                 : NULL;
	if (!defs && strcmp(name, "completeness"))
		return ctip_err_set(e, CTIP_EINVAL, "no report '%s' (annual, tip, completeness)",
		                    name);
	struct ctip_report *r = calloc(1, sizeof(*r));
	if (!r)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->year = year;
	r->raw = raw;
	r->threshold = threshold;
	r->slot = -1;
	r->data_version = f->version;
	snprintf(r->snapshot_at, sizeof(r->snapshot_at), "%s", f->built_at);
	stamp(r->computed_at, sizeof(r->computed_at));
	snprintf(r->title, sizeof(r->title), "%s %d",
	         !strcmp(name, "annual") ? "Trafficking in persons: annual statistics"
	         : !strcmp(name, "tip")  ? "TIP questionnaire: statistics tables (Annex D)"
	                                 : "Completeness of the records",
	         year);
	int rc = CTIP_OK;
	if (!defs) {
		int units[] = {CTIP_U_VICTIMS, CTIP_U_OFFENDERS, CTIP_U_CASES};
		for (int i = 0; i < 3 && !rc; i++)
			rc = completeness(f, units[i], year, raw, threshold, &r->s[r->n++], e);
	}
	for (int i = 0; defs && defs[i].title && !rc && r->n < CTIP_REPORT_MAX; i++) {
		if (defs[i].unit == SLOT) {
			r->slot = r->n;
			continue;
		}
		struct ctip_report_section *s = &r->s[r->n++];
		snprintf(s->title, sizeof(s->title), "%s", defs[i].title);
		s->chart = defs[i].chart;
		s->all_years = (defs[i].flags & ALL_YEARS);
		if ((rc = parse_def(&defs[i], year, &s->q, e)))
			break;
		s->q.ref = ref;
		if ((rc = ctip_stats_compute(f, &s->q, &s->t, e)))
			break;
		if ((defs[i].flags & LISTED) && (rc = ctip_stats_drop_empty(s->t, 0, e)))
			break;
		if (!raw)
			ctip_suppress(s->t, threshold);
		if (!(defs[i].flags & ALL_YEARS))
			r->records += s->t->records;
	}
	if (!rc && !raw)
		suppress_together(r);
	r->nbuilt = r->n;
	if (rc) {
		ctip_report_free(r);
		return rc;
	}
	*out = r;
	return CTIP_OK;
}

void ctip_report_settle(struct ctip_report *r)
{
	if (r->slot < 0 || r->slot > r->nbuilt)
		return;
	for (int j = r->nbuilt; j < r->n; j++) { /* each added section to the slot, in order */
		struct ctip_report_section tmp = r->s[j];
		int at = r->slot + (j - r->nbuilt);
		memmove(&r->s[at + 1], &r->s[at], (size_t)(j - at) * sizeof(r->s[0]));
		r->s[at] = tmp;
	}
	r->slot = -1;
	r->nbuilt = r->n;
}

void ctip_report_provenance(const struct ctip_report *r, char *buf, size_t n)
{
	snprintf(buf, n,
	         "computed %s by ctip %s from the registry as of data version %" PRId64
	         " (snapshot %s); period %d-01-01 to %d-12-31 except the series over every year; "
	         "%s",
	         r->computed_at, CTIP_VERSION, r->data_version, r->snapshot_at, r->year, r->year,
	         r->raw ? "raw counts, not suppressed: not for release"
	                : "cells under the threshold and their complements withheld (x)");
}

static int pct(char *buf, size_t n, int64_t unknown, int64_t total, int threshold)
{
	if (!total)
		return snprintf(buf, n, "-");
	if (threshold && total < threshold)
		return snprintf(buf, n, "x");
	return snprintf(buf, n, "%.1f%%", 100.0 * (double)unknown / (double)total);
}

static void completeness_text(FILE *out, const struct ctip_report_section *s, const ctip_ref *ref)
{
	fprintf(out, "%-40s", "organisation");
	for (int k = 0; k < s->ncdim; k++)
		fprintf(out, " %8.8s", ctip_dim_name(s->cdim[k]));
	fprintf(out, " %8s\n", "records");
	for (int o = 0; o < s->norg; o++) {
		fprintf(out, "%-40.40s", s->org[o]);
		for (int k = 0; k < s->ncdim; k++) {
			char b[16];
			pct(b, sizeof(b), s->unknown[o * s->ncdim + k], s->total[o * s->ncdim + k],
			    s->threshold);
			fprintf(out, " %8s", b);
		}
		int64_t tot = s->total[o * s->ncdim];
		if (s->threshold && tot < s->threshold)
			fprintf(out, " %8s\n", "x");
		else
			fprintf(out, " %8" PRId64 "\n", tot);
	}
	(void)ref;
}

int ctip_report_text(FILE *out, const struct ctip_report *r, const ctip_ref *ref, ctip_err *e)
{
	char prov[1024];
	ctip_report_provenance(r, prov, sizeof(prov));
	fprintf(out, "%s\n%s\n", r->title, prov);
	for (int i = 0; i < r->n; i++) {
		const struct ctip_report_section *s = &r->s[i];
		fprintf(out, "\n== %s ==\n", s->title);
		if (s->completeness) {
			completeness_text(out, s, ref);
			continue;
		}
		if (s->nkv) {
			for (int k = 0; k < s->nkv; k++)
				fprintf(out, "%-12s %s\n", s->kv[k][0], s->kv[k][1]);
			continue;
		}
		ctip_stats_write_body(out, s->t, ref);
		char notes[2048];
		ctip_stats_notes(s->t, notes, sizeof(notes));
		if (*notes)
			fprintf(out, "(%s)\n", notes);
	}
	return ferror(out) ? ctip_err_set(e, CTIP_EIO, "write error") : CTIP_OK;
}

int ctip_report_csv(FILE *out, const struct ctip_report *r, ctip_err *e)
{
	char prov[1024];
	ctip_report_provenance(r, prov, sizeof(prov));
	fprintf(out, "# %s\n# %s\n", r->title, prov);
	for (int i = 0; i < r->n; i++) {
		const struct ctip_report_section *s = &r->s[i];
		fprintf(out, "\n# %s\n", s->title);
		if (s->nkv) {
			ctip_csv_field(out, "item", 1);
			ctip_csv_field(out, "value", 0);
			ctip_csv_eol(out);
			for (int k = 0; k < s->nkv; k++) {
				ctip_csv_field(out, s->kv[k][0], 1);
				ctip_csv_field(out, s->kv[k][1], 0);
				ctip_csv_eol(out);
			}
			continue;
		}
		if (!s->completeness) {
			ctip_stats_write_csv_body(out, s->t);
			continue;
		}
		ctip_csv_field(out, "organisation", 1);
		for (int k = 0; k < s->ncdim; k++)
			ctip_csv_field(out, ctip_dim_name(s->cdim[k]), 0);
		ctip_csv_eol(out);
		for (int o = 0; o < s->norg; o++) {
			ctip_csv_field(out, s->org[o], 1);
			for (int k = 0; k < s->ncdim; k++) {
				char b[16];
				pct(b, sizeof(b), s->unknown[o * s->ncdim + k],
				    s->total[o * s->ncdim + k], s->threshold);
				ctip_csv_field(out, b, 0);
			}
			ctip_csv_eol(out);
		}
	}
	return ferror(out) ? ctip_err_set(e, CTIP_EIO, "write error") : CTIP_OK;
}

int ctip_report_json(FILE *out, const struct ctip_report *r, ctip_err *e)
{
	json_t *o = json_object(), *secs = json_array(), *p = json_object();
	json_object_set_new(o, "report", json_string(r->name));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "year", json_integer(r->year));
	json_object_set_new(p, "computed_at", json_string(r->computed_at));
	json_object_set_new(p, "ctip_version", json_string(CTIP_VERSION));
	json_object_set_new(p, "data_version", json_integer(r->data_version));
	json_object_set_new(p, "records", json_integer(r->records));
	json_object_set_new(p, "suppressed", json_boolean(!r->raw));
	if (!r->raw)
		json_object_set_new(p, "threshold", json_integer(r->threshold));
	json_object_set_new(o, "provenance", p);
	for (int i = 0; i < r->n; i++) {
		const struct ctip_report_section *s = &r->s[i];
		json_t *js = json_object();
		json_object_set_new(js, "title", json_string(s->title));
		if (s->nkv) {
			json_t *kv = json_object(), *w = json_array();
			for (int k = 0; k < s->nkv; k++)
				if (!strcmp(s->kv[k][0], "warning"))
					json_array_append_new(w, json_string(s->kv[k][1]));
				else
					json_object_set_new(kv, s->kv[k][0],
					                    json_string(s->kv[k][1]));
			json_object_set_new(kv, "warnings", w);
			json_object_set_new(js, "dark_figure", kv);
		} else if (s->completeness) {
			json_t *rows = json_array();
			for (int g = 0; g < s->norg; g++) {
				json_t *row = json_object();
				json_object_set_new(row, "org", json_string(s->org[g]));
				int64_t tot = s->total[g * s->ncdim];
				int hide = s->threshold && tot < s->threshold;
				json_object_set_new(row, "records",
				                    hide ? json_null() : json_integer(tot));
				for (int k = 0; k < s->ncdim; k++) {
					int64_t t = s->total[g * s->ncdim + k],
					        u = s->unknown[g * s->ncdim + k];
					json_object_set_new(
					        row, ctip_dim_name(s->cdim[k]),
					        hide || !t ? json_null()
					                   : json_real((double)u / (double)t));
				}
				json_array_append_new(rows, row);
			}
			json_object_set_new(js, "unknown_share", rows);
		} else {
			json_object_set_new(js, "table", ctip_stats_json(s->t, &s->q));
		}
		json_array_append_new(secs, js);
	}
	json_object_set_new(o, "sections", secs);
	int rc = json_dumpf(o, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
	return rc || ferror(out) ? ctip_err_set(e, CTIP_EIO, "write error") : CTIP_OK;
}
