/*
 * figures.c - the ledger of published figures: parsing and the checks (figures.h).
 */
#include "figures.h"

#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "text.h"

enum { C_SOURCE, C_CITATION, C_PUBLISHED, C_MEASURE, C_PERIOD, C_BREAKDOWN, C_VALUE, C_NOTE, C_N };
static const char *const col_names[C_N] = {"source", "citation",  "published", "measure",
                                           "period", "breakdown", "value",     "note"};

void ctip_figures_free(struct ctip_figure *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].source);
		free(v[i].citation);
		free(v[i].published);
		free(v[i].measure);
		free(v[i].period);
		free(v[i].breakdown);
		free(v[i].note);
	}
	free(v);
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int ctip_figures_valid_period(const char *p)
{
	size_t n = strlen(p);
	if (n == 4)
		return digits(p, 4);
	if (n == 7 && p[4] == '-' && digits(p, 4) && p[5] == 'Q')
		return p[6] >= '1' && p[6] <= '4';
	if (n == 7 && p[4] == '-' && digits(p, 4) && digits(p + 5, 2))
		return atoi(p + 5) >= 1 && atoi(p + 5) <= 12;
	if (n == 9 && p[4] == '/' && digits(p, 4) && digits(p + 5, 4))
		return strncmp(p, p + 5, 4) < 0;
	return 0;
}

static int valid_published(const char *p)
{
	size_t n = strlen(p);
	return (n == 4 && digits(p, 4)) ||
	       (n == 7 && digits(p, 4) && p[4] == '-' && digits(p + 5, 2)) ||
	       (n == 10 && digits(p, 4) && p[4] == '-' && digits(p + 5, 2) && p[7] == '-' &&
	        digits(p + 8, 2));
}

static int valid_measure(const char *m)
{
	if (!*m || strlen(m) > 64)
		return 0;
	for (; *m; m++)
		if (!((*m >= 'a' && *m <= 'z') || (*m >= '0' && *m <= '9') || *m == '_'))
			return 0;
	return 1;
}

static int valid_breakdown(const char *b)
{
	const char *eq = strchr(b, '=');
	if (!eq || eq == b || !eq[1] || strchr(eq + 1, '=') || strlen(b) > 200)
		return 0;
	for (const char *p = b; p < eq; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

int ctip_figures_parse(FILE *f, const char *name, struct ctip_figure **out, size_t *n, ctip_err *e)
{
	ctip_csv *c = ctip_csv_open(f, name);
	char **fld;
	int nf, rc = CTIP_OK, pos[C_N];
	long line;
	size_t cnt = 0, cap = 0;
	struct ctip_figure *v = NULL;
	if (!c)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	int r = ctip_csv_next(c, &fld, &nf, &line, e);
	if (r <= 0) {
		ctip_csv_close(c);
		return r < 0 ? e->code : ctip_err_at(e, CTIP_EINVAL, name, 1, "", "empty file");
	}
	for (int k = 0; k < C_N; k++) {
		pos[k] = -1;
		for (int i = 0; i < nf; i++)
			if (fld[i] && !strcmp(fld[i], col_names[k]))
				pos[k] = i;
		if (pos[k] < 0 && k != C_NOTE) {
			ctip_csv_close(c);
			return ctip_err_at(e, CTIP_EINVAL, name, line, col_names[k],
			                   "missing column (the header needs source, citation, "
			                   "published, measure, period, breakdown, value)");
		}
	}
	while ((r = ctip_csv_next(c, &fld, &nf, &line, e)) > 0) {
		const char *val[C_N];
		for (int k = 0; k < C_N; k++)
			val[k] = pos[k] >= 0 && pos[k] < nf && fld[pos[k]] ? fld[pos[k]] : "";
		for (int k = 0; k < C_N; k++)
			if (!ctip_utf8_valid(val[k], strlen(val[k]))) {
				rc = ctip_err_at(e, CTIP_EINVAL, name, line, col_names[k],
				                 "not UTF-8");
				goto out;
			}
		const char *why = NULL;
		int bad = -1;
		if (!*val[C_SOURCE])
			bad = C_SOURCE, why = "required";
		else if (!*val[C_CITATION])
			bad = C_CITATION, why = "required: document and page or line";
		else if (*val[C_PUBLISHED] && !valid_published(val[C_PUBLISHED]))
			bad = C_PUBLISHED, why = "expected a date YYYY, YYYY-MM or YYYY-MM-DD";
		else if (!valid_measure(val[C_MEASURE]))
			bad = C_MEASURE,
			why = "expected lower-case words joined by _ (victims_identified)";
		else if (!ctip_figures_valid_period(val[C_PERIOD]))
			bad = C_PERIOD, why = "expected YYYY, YYYY-MM, YYYY-Qn or YYYY/YYYY";
		else if (*val[C_BREAKDOWN] && !valid_breakdown(val[C_BREAKDOWN]))
			bad = C_BREAKDOWN, why = "expected KEY=VALUE (key in lower case), or empty";
		int64_t value = 0;
		if (!why) {
			const char *p = val[C_VALUE];
			if (!*p || strlen(p) > 15 || !digits(p, (int)strlen(p)))
				bad = C_VALUE, why = "expected a whole number (digits only)";
			else
				value = strtoll(p, NULL, 10);
		}
		if (why) {
			rc = ctip_err_at(e, CTIP_EINVAL, name, line, col_names[bad], "%s", why);
			goto out;
		}
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct ctip_figure *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
			cap = nc;
		}
		struct ctip_figure *g = &v[cnt++];
		memset(g, 0, sizeof(*g));
		g->source = strdup(val[C_SOURCE]);
		g->citation = strdup(val[C_CITATION]);
		g->published = strdup(val[C_PUBLISHED]);
		g->measure = strdup(val[C_MEASURE]);
		g->period = strdup(val[C_PERIOD]);
		g->breakdown = strdup(val[C_BREAKDOWN]);
		g->note = strdup(val[C_NOTE]);
		g->value = value;
		g->line = line;
		if (!g->source || !g->citation || !g->published || !g->measure || !g->period ||
		    !g->breakdown || !g->note) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (r < 0)
		rc = e->code ? e->code : CTIP_EINVAL;
out:
	ctip_csv_close(c);
	if (rc) {
		ctip_figures_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return CTIP_OK;
}

static json_t *fig_json(const struct ctip_figure *g)
{
	json_t *o = json_object();
	json_object_set_new(o, "source", json_string(g->source));
	json_object_set_new(o, "citation", json_string(g->citation));
	if (*g->breakdown)
		json_object_set_new(o, "breakdown", json_string(g->breakdown));
	json_object_set_new(o, "value", json_integer(g->value));
	if (*g->note)
		json_object_set_new(o, "note", json_string(g->note));
	return o;
}

static json_t *finding(const char *kind, const struct ctip_figure *g, const char *what)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "measure", json_string(g->measure));
	json_object_set_new(o, "period", json_string(g->period));
	json_object_set_new(o, "what", json_string(what));
	json_object_set_new(o, "figures", json_array());
	return o;
}

static int same(const char *a, const char *b)
{
	return !strcmp(a, b);
}

/* the key of a breakdown (before '='), into buf */
static void bkey(const char *b, char *buf, size_t n)
{
	const char *eq = strchr(b, '=');
	size_t l = eq ? (size_t)(eq - b) : 0;
	if (l >= n)
		l = n - 1;
	memcpy(buf, b, l);
	buf[l] = 0;
}

json_t *ctip_figures_check(const struct ctip_figure *v, size_t n, ctip_figures_registry reg,
                           void *ctx)
{
	json_t *out = json_object(), *fs = json_array();
	unsigned char *seen = calloc(n ? n : 1, 1);
	/* 1. parts of a breakdown that do not add up to the total of the same source */
	for (size_t i = 0; i < n; i++) {
		if (*v[i].breakdown)
			continue;
		/* every breakdown key used with this total */
		for (size_t j = 0; j < n; j++) {
			char key[256], k2[256];
			if (!*v[j].breakdown || !same(v[j].source, v[i].source) ||
			    !same(v[j].measure, v[i].measure) || !same(v[j].period, v[i].period))
				continue;
			bkey(v[j].breakdown, key, sizeof(key));
			int first = 1;
			for (size_t k = 0; k < j && first; k++) {
				if (!*v[k].breakdown || !same(v[k].source, v[i].source) ||
				    !same(v[k].measure, v[i].measure) ||
				    !same(v[k].period, v[i].period))
					continue;
				bkey(v[k].breakdown, k2, sizeof(k2));
				first = strcmp(key, k2) != 0;
			}
			if (!first)
				continue;
			int64_t sum = 0;
			int partial = 1; /* every part says "of which": a subset, not a partition */
			for (size_t k = 0; k < n; k++) {
				if (!*v[k].breakdown || !same(v[k].source, v[i].source) ||
				    !same(v[k].measure, v[i].measure) ||
				    !same(v[k].period, v[i].period))
					continue;
				bkey(v[k].breakdown, k2, sizeof(k2));
				if (!strcmp(key, k2)) {
					sum += v[k].value;
					partial &= !strncmp(v[k].note, "of which", 8);
				}
			}
			if (sum == v[i].value || (partial && sum <= v[i].value))
				continue;
			char what[512];
			snprintf(what, sizeof(what),
			         "the parts by %s add up to %lld, the total given is %lld (%+lld)",
			         key, (long long)sum, (long long)v[i].value,
			         (long long)(sum - v[i].value));
			json_t *f = finding("sum", &v[i], what);
			json_object_set_new(f, "source", json_string(v[i].source));
			json_object_set_new(f, "total", json_integer(v[i].value));
			json_object_set_new(f, "sum_of_parts", json_integer(sum));
			json_array_append_new(json_object_get(f, "figures"), fig_json(&v[i]));
			for (size_t k = 0; k < n; k++) {
				if (!*v[k].breakdown || !same(v[k].source, v[i].source) ||
				    !same(v[k].measure, v[i].measure) ||
				    !same(v[k].period, v[i].period))
					continue;
				bkey(v[k].breakdown, k2, sizeof(k2));
				if (!strcmp(key, k2))
					json_array_append_new(json_object_get(f, "figures"),
					                      fig_json(&v[k]));
			}
			json_array_append_new(fs, f);
		}
	}
	/* 2. the same measure, period and breakdown with different values */
	for (size_t i = 0; seen && i < n; i++) {
		if (seen[i])
			continue;
		int differ = 0;
		for (size_t j = i + 1; j < n; j++)
			if (same(v[j].measure, v[i].measure) && same(v[j].period, v[i].period) &&
			    same(v[j].breakdown, v[i].breakdown)) {
				seen[j] = 1;
				differ |= v[j].value != v[i].value;
			}
		if (!differ)
			continue;
		char what[256];
		snprintf(what, sizeof(what), "%s for %s%s%s is given with different values",
		         v[i].measure, v[i].period, *v[i].breakdown ? ", " : "", v[i].breakdown);
		json_t *f = finding("conflict", &v[i], what);
		if (*v[i].breakdown)
			json_object_set_new(f, "breakdown", json_string(v[i].breakdown));
		json_array_append_new(json_object_get(f, "figures"), fig_json(&v[i]));
		for (size_t j = i + 1; j < n; j++)
			if (same(v[j].measure, v[i].measure) && same(v[j].period, v[i].period) &&
			    same(v[j].breakdown, v[i].breakdown))
				json_array_append_new(json_object_get(f, "figures"),
				                      fig_json(&v[j]));
		json_array_append_new(fs, f);
	}
	/* 3. totals the registry computes differently */
	for (size_t i = 0; reg && i < n; i++) {
		int64_t mine = 0;
		if (*v[i].breakdown || reg(ctx, v[i].measure, v[i].period, &mine) ||
		    mine == v[i].value)
			continue;
		char what[256];
		snprintf(what, sizeof(what),
		         "the registry counts %lld, the published figure is %lld", (long long)mine,
		         (long long)v[i].value);
		json_t *f = finding("registry", &v[i], what);
		json_object_set_new(f, "registry", json_integer(mine));
		json_array_append_new(json_object_get(f, "figures"), fig_json(&v[i]));
		json_array_append_new(fs, f);
	}
	free(seen);
	json_object_set_new(out, "figures", json_integer((json_int_t)n));
	json_object_set_new(out, "findings", fs);
	return out;
}
