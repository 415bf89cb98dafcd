/*
 * release_agg.c - protected tables of persons by the released columns (release_agg.h).
 */
#include "release_agg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "release.h"
#include "release_int.h"
#include "suppress.h"

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in (0, 1) */
static double unif(uint64_t *st)
{
	return ((double)(splitmix(st) >> 11) + 0.5) / 9007199254740992.0;
}

int64_t ctip_dp_geometric(uint64_t *st, double epsilon)
{
	/* the difference of two geometric variables of parameter 1 - a */
	double la = -epsilon; /* log a */
	int64_t g1 = (int64_t)floor(log(unif(st)) / la);
	int64_t g2 = (int64_t)floor(log(unif(st)) / la);
	return g1 - g2;
}

int ctip_agg_parse(int argc, char **argv, struct ctip_agg_args *a, FILE *err)
{
	memset(a, 0, sizeof(*a));
	a->threshold = CTIP_SUPPRESS_DEFAULT;
	a->format = "csv";
	const char *mode = "k";
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		if (!v) {
			fprintf(err, "ctip: release aggregates: %s needs a value\n", o);
			return 2;
		}
		i++;
		if (!strcmp(o, "--by")) {
			char buf[512];
			snprintf(buf, sizeof(buf), "%s", v);
			a->ndim = 0;
			for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t;
			     t = strtok_r(NULL, ",", &sv)) {
				int g = ctip_rel_group_parse(t);
				if (g < 0 || a->ndim == CTIP_STATS_MAXDIM) {
					fprintf(err,
					        g < 0 ? "ctip: release aggregates: --by: no column "
					                "'%s'\n"
					              : "ctip: release aggregates: --by: at most 4 "
					                "columns (%s)\n",
					        t);
					return 2;
				}
				a->dim[a->ndim++] = g;
			}
		} else if (!strcmp(o, "--year")) {
			long y = strtol(v, &end, 10);
			if (*end || y < 1900 || y > 2200) {
				fprintf(err,
				        "ctip: release aggregates: --year: a year like 2023\n");
				return 2;
			}
			a->year = (int)y;
		} else if (!strcmp(o, "--mode")) {
			if (strcmp(v, "k") && strcmp(v, "dp")) {
				fprintf(err, "ctip: release aggregates: --mode k or dp\n");
				return 2;
			}
			mode = v;
		} else if (!strcmp(o, "--threshold") || !strcmp(o, "--k")) {
			long t = strtol(v, &end, 10);
			if (*end || t < 1 || t > 1000) {
				fprintf(err, "ctip: release aggregates: %s: 1 to 1000\n", o);
				return 2;
			}
			a->threshold = (int)t;
		} else if (!strcmp(o, "--epsilon")) {
			a->epsilon = strtod(v, &end);
			if (*end || !(a->epsilon > 0) || a->epsilon > 100) {
				fprintf(err,
				        "ctip: release aggregates: --epsilon: a number above 0 "
				        "(0.1 to 2 is usual)\n");
				return 2;
			}
		} else if (!strcmp(o, "--format")) {
			if (strcmp(v, "csv") && strcmp(v, "json") && strcmp(v, "xlsx")) {
				fprintf(err,
				        "ctip: release aggregates: --format csv, json or xlsx\n");
				return 2;
			}
			a->format = v;
		} else if (!strcmp(o, "--seed")) {
			unsigned long long sd = strtoull(v, &end, 10);
			if (*end || !*v || sd > INT64_MAX) {
				fprintf(err, "ctip: release aggregates: --seed: a whole number\n");
				return 2;
			}
			a->seed = sd;
			a->seed_given = 1;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			a->out = v;
		} else {
			fprintf(err, "ctip: release aggregates: unknown option '%s'\n", o);
			return 2;
		}
	}
	a->dp = !strcmp(mode, "dp");
	if (!a->ndim) {
		fprintf(err, "ctip: release aggregates: --by COLS is required (e.g. --by "
		             "yearOfRegistration,gender)\n");
		return 2;
	}
	if (a->dp != (a->epsilon > 0)) {
		fprintf(err, a->dp ? "ctip: release aggregates: --mode dp needs --epsilon E\n"
		                   : "ctip: release aggregates: --epsilon goes with --mode dp\n");
		return 2;
	}
	size_t len = (size_t)snprintf(a->params, sizeof(a->params), "--by ");
	for (int k = 0; k < a->ndim; k++)
		len += (size_t)snprintf(a->params + len, sizeof(a->params) - len, "%s%s",
		                        k ? "," : "", ctip_rel_group_name(a->dim[k]));
	if (len < sizeof(a->params) && a->dp)
		snprintf(a->params + len, sizeof(a->params) - len,
		         "%s%.0d --mode dp --epsilon %.15g --format %s", a->year ? " --year " : "",
		         a->year, a->epsilon, a->format);
	else if (len < sizeof(a->params))
		snprintf(a->params + len, sizeof(a->params) - len,
		         "%s%.0d --mode k --threshold %d --format %s", a->year ? " --year " : "",
		         a->year, a->threshold, a->format);
	return 0;
}

struct lvl {
	uint32_t code;
	char *label;
};

static int cmp_lvl(const void *x, const void *y)
{
	const struct lvl *a = x, *b = y;
	return strcmp(a->label, b->label);
}

/* The levels of column k of the table: in dp mode the column's public domain (values outside
 * it and unknown are Unknown); else the values seen, sorted, those held by fewer persons than
 * the threshold merged into one level "Other" (a withheld cell's label would still say that
 * someone from that country is in the registry). lev maps a level-0 code to its level; the
 * last level is Unknown. */
static int levels(const struct rel_persons *P, const struct ctip_agg_args *a, int k,
                  struct lvl **lvp, uint32_t **levp, uint32_t *nalloc, int *nlev, ctip_err *e)
{
	int g = a->dim[k];
	const struct rel_sdict *d = &P->d0[g];
	struct rel_sdict dom = {0};
	uint32_t *cnt = calloc(d->n + 1, sizeof(uint32_t));
	struct lvl *lv = NULL;
	uint32_t *lev = calloc(d->n + 1, sizeof(uint32_t));
	int rc = CTIP_OK, n = 0;
	if (!cnt || !lev) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	if (a->dp) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		int lo = a->year ? a->year : 2000, hi = a->year ? a->year : tm.tm_year + 1900;
		if (rel_domain(g, lo, hi, &dom)) {
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "release aggregates: %s has no public list of values, which a "
			        "differentially private table needs (its rows must not depend on "
			        "the data); hint: --mode k, or other columns",
			        ctip_rel_group_name(g));
			goto done;
		}
		*nalloc = dom.n + 1;
		if (!(lv = calloc(dom.n + 1, sizeof(*lv)))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		for (uint32_t c = 0; c < dom.n; c++) {
			char buf[512];
			rel_value_label(g, dom.s[c], buf, sizeof(buf));
			if (!(lv[n++].label = strdup(buf)))
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		for (uint32_t c = 0; c < d->n; c++) {
			int x = rel_sd_find(&dom, d->s[c]);
			lev[c] = x < 0 ? (uint32_t)n : (uint32_t)x;
		}
		*nlev = n + 1;
		goto done;
	}
	for (uint32_t i = 0; i < P->n; i++)
		cnt[P->c0[g][i]]++;
	*nalloc = d->n + 2;
	if (!(lv = calloc(d->n + 2, sizeof(*lv)))) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	int rare = 0;
	for (uint32_t c = 0; c < d->n; c++) {
		if (!*d->s[c])
			continue;
		if (cnt[c] < (uint32_t)a->threshold) {
			rare = 1;
			continue;
		}
		char buf[512];
		rel_value_label(g, d->s[c], buf, sizeof(buf));
		lv[n].code = c;
		if (!(lv[n++].label = strdup(buf)))
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	qsort(lv, (size_t)n, sizeof(struct lvl), cmp_lvl);
	int other = n;
	if (rare && !(lv[n++].label = strdup("Other")))
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (uint32_t c = 0; c < d->n; c++)
		lev[c] = !*d->s[c] ? (uint32_t)n : (uint32_t)other; /* unknown, or rare */
	for (int l = 0; l < other; l++)
		lev[lv[l].code] = (uint32_t)l;
	*nlev = n + 1;
done:
	rel_sd_free(&dom);
	free(cnt);
	*lvp = lv;
	*levp = lev;
	return rc;
}

int ctip_agg_table(const ctip_facts *f, const struct ctip_agg_args *a,
                   struct ctip_stats_table **out, int64_t *persons, ctip_err *e)
{
	struct rel_persons P = {0};
	int rc = rel_hier_init(e);
	if (!rc)
		rc = rel_read_persons(f, a->year, &P, e);
	if (rc) {
		rel_persons_free(&P);
		return rc;
	}
	/* levels: the values seen, sorted, unknown last; code -> level */
	int nlev[CTIP_STATS_MAXDIM];
	uint32_t *lev[CTIP_STATS_MAXDIM] = {0}, nalloc[CTIP_STATS_MAXDIM] = {0};
	struct lvl *lv[CTIP_STATS_MAXDIM] = {0};
	struct ctip_stats_table *t = NULL;
	for (int k = 0; k < a->ndim && !rc; k++)
		rc = levels(&P, a, k, &lv[k], &lev[k], &nalloc[k], &nlev[k], e);
	if (!rc && !(t = ctip_stats_blank(a->ndim, nlev)))
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int k = 0; k < a->ndim && !rc; k++)
		for (int l = 0; l + 1 < nlev[k]; l++) {
			free(t->label[k][l]);
			t->label[k][l] = lv[k][l].label;
			lv[k][l].label = NULL;
		}
	if (!rc) {
		t->unit = CTIP_U_VICTIMS;
		t->data_version = f->version;
		t->records = P.n;
		/* each person: the interior cell and every margin above it */
		for (uint32_t i = 0; i < P.n; i++) {
			int l[CTIP_STATS_MAXDIM];
			for (int k = 0; k < a->ndim; k++)
				l[k] = (int)lev[k][P.c0[a->dim[k]][i]];
			for (unsigned m = 0; m < 1u << a->ndim; m++) {
				size_t c = 0;
				for (int k = 0; k < a->ndim; k++)
					c += (size_t)(m >> k & 1 ? t->nlev[k] : l[k]) *
					     t->stride[k];
				t->count[c]++;
			}
		}
		*persons = P.n;
	}
	if (!rc && !a->dp) {
		ctip_suppress(t, a->threshold);
	} else if (!rc) {
		/* noise on the interior cells; the margins are their sums (post-processing) */
		uint64_t st = a->seed;
		for (size_t c = 0; c < t->ncell; c++) {
			int interior = 1;
			for (int k = 0; k < a->ndim; k++)
				interior &= (int)(c / t->stride[k] % ((size_t)t->nlev[k] + 1)) <
				            t->nlev[k];
			if (!interior) {
				t->count[c] = 0;
				continue;
			}
			int64_t v = t->count[c] + ctip_dp_geometric(&st, a->epsilon);
			t->count[c] = v < 0 ? 0 : v;
		}
		for (size_t c = 0; c < t->ncell; c++) {
			int interior = 1;
			int l[CTIP_STATS_MAXDIM];
			for (int k = 0; k < a->ndim; k++) {
				l[k] = (int)(c / t->stride[k] % ((size_t)t->nlev[k] + 1));
				interior &= l[k] < t->nlev[k];
			}
			if (!interior)
				continue;
			for (unsigned m = 1; m < 1u << a->ndim; m++) {
				size_t cc = 0;
				for (int k = 0; k < a->ndim; k++)
					cc += (size_t)(m >> k & 1 ? t->nlev[k] : l[k]) *
					      t->stride[k];
				t->count[cc] += t->count[c];
			}
		}
	}
	for (int k = 0; k < a->ndim; k++) {
		if (lv[k])
			for (uint32_t l = 0; l < nalloc[k]; l++)
				free(lv[k][l].label);
		free(lv[k]);
		free(lev[k]);
	}
	rel_persons_free(&P);
	if (rc) {
		ctip_stats_free(t);
		return rc;
	}
	*out = t;
	return CTIP_OK;
}

/* Calls cb for each cell, the levels in l (nlev: Total). */
static void cell_levels(const struct ctip_stats_table *t, size_t c, int *l)
{
	for (int k = 0; k < t->ndim; k++)
		l[k] = (int)(c / t->stride[k] % ((size_t)t->nlev[k] + 1));
}

static const char *label_of(const struct ctip_stats_table *t, int k, int l)
{
	return l == t->nlev[k] ? "Total" : t->label[k][l];
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int write_csv(FILE *f, const struct ctip_stats_table *t, const struct ctip_agg_args *a)
{
	for (int k = 0; k < t->ndim; k++)
		fprintf(f, "%s,", ctip_rel_group_name(a->dim[k]));
	fputs("count\n", f);
	for (size_t c = 0; c < t->ncell; c++) {
		int l[CTIP_STATS_MAXDIM];
		cell_levels(t, c, l);
		for (int k = 0; k < t->ndim; k++) {
			csv_field(f, label_of(t, k, l[k]));
			fputc(',', f);
		}
		if (t->supp[c])
			fputs("\n", f); /* withheld: empty */
		else
			fprintf(f, "%lld\n", (long long)t->count[c]);
	}
	return ferror(f) ? -1 : 0;
}

static int write_json(FILE *f, const struct ctip_stats_table *t, const struct ctip_agg_args *a)
{
	fprintf(f, "{\"unit\":\"persons\",\"data_version\":%lld,\"protection\":",
	        (long long)t->data_version);
	if (a->dp)
		fprintf(f,
		        "{\"mode\":\"dp\",\"mechanism\":\"two-sided geometric\",\"epsilon\":%.17g}",
		        a->epsilon);
	else
		fprintf(f, "{\"mode\":\"k\",\"threshold\":%d,\"withheld\":\"null\"}", a->threshold);
	fputs(",\"by\":[", f);
	for (int k = 0; k < t->ndim; k++) {
		if (k)
			fputc(',', f);
		json_str(f, ctip_rel_group_name(a->dim[k]));
	}
	fputs("],\"rows\":[", f);
	for (size_t c = 0; c < t->ncell; c++) {
		int l[CTIP_STATS_MAXDIM];
		cell_levels(t, c, l);
		fputs(c ? ",\n{" : "\n{", f);
		for (int k = 0; k < t->ndim; k++) {
			json_str(f, ctip_rel_group_name(a->dim[k]));
			fputc(':', f);
			json_str(f, label_of(t, k, l[k]));
			fputc(',', f);
		}
		if (t->supp[c])
			fputs("\"count\":null}", f);
		else
			fprintf(f, "\"count\":%lld}", (long long)t->count[c]);
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}

static int write_xlsx(const char *path, const struct ctip_stats_table *t,
                      const struct ctip_agg_args *a, ctip_err *e)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write", path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "table");
	for (int k = 0; k < t->ndim; k++)
		worksheet_write_string(ws, 0, (lxw_col_t)k, ctip_rel_group_name(a->dim[k]), NULL);
	worksheet_write_string(ws, 0, (lxw_col_t)t->ndim, "count", NULL);
	for (size_t c = 0; c < t->ncell; c++) {
		int l[CTIP_STATS_MAXDIM];
		cell_levels(t, c, l);
		for (int k = 0; k < t->ndim; k++)
			worksheet_write_string(ws, (lxw_row_t)(c + 1), (lxw_col_t)k,
			                       label_of(t, k, l[k]), NULL);
		if (!t->supp[c])
			worksheet_write_number(ws, (lxw_row_t)(c + 1), (lxw_col_t)t->ndim,
			                       (double)t->count[c], NULL);
	}
	if (workbook_close(wb) != LXW_NO_ERROR)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write", path);
	return CTIP_OK;
}

int ctip_agg_run(ctip_store *s, const struct ctip_agg_args *a, const char *path, int64_t *version,
                 int64_t *persons, ctip_err *e)
{
	unsigned char need[CTIP_D_N];
	ctip_rel_need(need);
	ctip_facts *f = NULL;
	struct ctip_stats_table *t = NULL;
	int rc = s->ops->stats_facts(s, CTIP_U_VICTIMS, need, &f, e);
	if (!rc)
		rc = ctip_agg_table(f, a, &t, persons, e);
	if (!rc)
		*version = f->version;
	char tmp[1100];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		rc = rc ? rc : ctip_err_set(e, CTIP_EINVAL, "%s: path too long", path);
	if (!rc && !strcmp(a->format, "xlsx")) {
		rc = write_xlsx(tmp, t, a, e);
	} else if (!rc) {
		FILE *o = fopen(tmp, "wb");
		if (!o) {
			rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write", tmp);
		} else {
			int bad = !strcmp(a->format, "json") ? write_json(o, t, a)
			                                     : write_csv(o, t, a);
			if (fclose(o) || bad)
				rc = ctip_err_set(e, CTIP_EIO, "%s: write error", tmp);
		}
	}
	if (!rc && rename(tmp, path))
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write", path);
	if (rc)
		remove(tmp);
	ctip_stats_free(t);
	ctip_facts_free(f);
	return rc;
}
