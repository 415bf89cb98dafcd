/*
 * company.c - the company report (company.h): the register from the store, each victim of a
 * registered company's cases counted once per company (the linked person), in the cases the
 * viewer may see; exploitation types counted per victim; counts below the threshold withheld.
 */
#include "company.h"

#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "date.h"
#include "refdata.h"

#define MAXTYPES 32

struct co {
	int64_t id;
	json_t *j;
	int64_t *cases, *victims; /* distinct, collected then sorted */
	size_t ncases, nvictims, capc, capv;
	char types[MAXTYPES][48];
	int64_t *tv[MAXTYPES]; /* victims per type */
	size_t ntv[MAXTYPES], captv[MAXTYPES];
	int ntypes, forced;
};

struct rep {
	struct co *c;
	size_t n, cap;
	const struct ctip_co_view *v;
	int oom;
};

static int push(int64_t **a, size_t *n, size_t *cap, int64_t x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		int64_t *b = realloc(*a, sizeof *b * c);
		if (!b)
			return -1;
		*a = b;
		*cap = c;
	}
	(*a)[(*n)++] = x;
	return 0;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static size_t distinct(int64_t *a, size_t n)
{
	if (!n)
		return 0;
	qsort(a, n, sizeof *a, cmp64);
	size_t u = 1;
	for (size_t i = 1; i < n; i++)
		if (a[i] != a[u - 1])
			a[u++] = a[i];
	return u;
}

static json_t *str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int on_company(void *ctx, const struct ctip_company *c)
{
	struct rep *r = ctx;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct co *x = realloc(r->c, sizeof *x * cap);
		if (!x)
			return CTIP_ENOMEM;
		r->c = x;
		r->cap = cap;
	}
	struct co *k = &r->c[r->n++];
	memset(k, 0, sizeof *k);
	k->id = c->id;
	k->j = json_object();
	json_object_set_new(k->j, "id", json_integer(c->id));
	json_object_set_new(k->j, "name", str(c->name));
	json_object_set_new(k->j, "licence_no", str(c->licence_no));
	json_object_set_new(k->j, "licence_status", str(c->licence_status));
	json_object_set_new(k->j, "licence_from", str(c->licence_from));
	json_object_set_new(k->j, "licence_to", str(c->licence_to));
	json_object_set_new(k->j, "address", str(c->address));
	json_object_set_new(k->j, "province", str(c->province));
	json_t *p = json_object();
	json_object_set_new(p, "organisation", str(c->recorded_org));
	json_object_set_new(p, "by", str(c->recorded_by));
	json_object_set_new(p, "at", str(c->recorded_at));
	json_object_set_new(p, "source", str(c->source));
	json_object_set_new(k->j, "recorded", p);
	json_object_set_new(k->j, "sanctions", json_array());
	return 0;
}

static struct co *find(struct rep *r, int64_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].id == id)
			return &r->c[i];
	return NULL;
}

static int on_sanction(void *ctx, const struct ctip_sanction *x)
{
	struct co *k = find(ctx, x->company_id);
	if (!k)
		return 0;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(x->id));
	json_object_set_new(j, "date", str(x->date));
	json_object_set_new(j, "authority", str(x->authority));
	json_object_set_new(j, "decision", str(x->decision));
	json_object_set_new(j, "recorded_by_organisation", str(x->recorded_org));
	json_array_append_new(json_object_get(k->j, "sanctions"), j);
	return 0;
}

/* The codes of a JSON array of strings, into out; their number. */
static int codes(const char *json, char out[MAXTYPES][48])
{
	int n = 0;
	json_t *a = json ? json_loads(json, 0, NULL) : NULL;
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) if (json_is_string(x) && n < MAXTYPES)
	        snprintf(out[n++], 48, "%.47s", json_string_value(x));
	json_decref(a);
	return n;
}

static int on_case(void *ctx, const struct ctip_company_case *x)
{
	struct rep *r = ctx;
	struct co *k = find(r, x->company_id);
	if (!k || !r->v->counts)
		return 0;
	if (r->v->visible && !r->v->visible(r->v->ctx, x->case_id, x->case_org_id))
		return 0;
	if (push(&k->cases, &k->ncases, &k->capc, x->case_id) ||
	    push(&k->victims, &k->nvictims, &k->capv, x->victim))
		return CTIP_ENOMEM;
	char t[MAXTYPES][48];
	int nt = codes(x->exploitation_types, t);
	for (int i = 0; i < nt; i++) {
		int at = 0;
		while (at < k->ntypes && strcmp(k->types[at], t[i]))
			at++;
		if (at == k->ntypes) {
			if (k->ntypes == MAXTYPES)
				continue;
			snprintf(k->types[k->ntypes++], 48, "%.47s", t[i]);
		}
		if (push(&k->tv[at], &k->ntv[at], &k->captv[at], x->victim))
			return CTIP_ENOMEM;
		if (!strcmp(t[i], "ForcedLabour"))
			k->forced = 1;
	}
	return 0;
}

static int day(const char *v, const char *field, ctip_err *e)
{
	ctip_date d;
	ctip_err e2 = {0};
	if (!v || !*v)
		return 0;
	if (strlen(v) != 10 || ctip_date_parse(v, &d, &e2) || d.prec != CTIP_DATE_DAY)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, field, "'%s' is not a date YYYY-MM-DD",
		                   v);
	return 0;
}

/* *v, a province's name or code (2025, or 2008 mapped to 2025), replaced by its 2025 code
 * written in prov; nothing when empty. */
static int province(ctip_store *s, const char **v, char prov[16], ctip_err *e)
{
	if (!*v || !**v)
		return 0;
	const struct ctip_ref_entry *p = ctip_ref_find(s->ref, "province_2025", *v);
	if (!p) {
		const struct ctip_ref_entry *old = ctip_ref_find(s->ref, "province_2008", *v);
		if (old)
			p = ctip_ref_get(s->ref, "province_2025", old->extra);
	}
	if (!p)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "province",
		                   "unknown province '%s' (a name or code of Vietnam's provinces)",
		                   *v);
	snprintf(prov, 16, "%s", p->code);
	*v = prov;
	return 0;
}

int ctip_company_check(ctip_store *s, struct ctip_company *c, char prov[16], ctip_err *e)
{
	if (!c->name || !*c->name || strlen(c->name) > 250)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "name",
		                   "the company's name as registered (1 to 250 bytes)");
	static const char *const st[] = {"active", "suspended", "revoked", "expired"};
	int ok = !c->licence_status || !*c->licence_status;
	for (size_t i = 0; i < sizeof st / sizeof *st && !ok; i++)
		ok = !strcmp(c->licence_status, st[i]);
	if (!ok)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "licence_status",
		                   "'%s': active, suspended, revoked or expired",
		                   c->licence_status);
	int rc;
	if ((rc = day(c->licence_from, "licence_from", e)) ||
	    (rc = day(c->licence_to, "licence_to", e)))
		return rc;
	if (c->licence_from && c->licence_to && *c->licence_from && *c->licence_to &&
	    strcmp(c->licence_from, c->licence_to) > 0)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "licence_to",
		                   "the licence ends (%s) before it starts (%s)", c->licence_to,
		                   c->licence_from);
	if (c->licence_no && strlen(c->licence_no) > 64)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "licence_no", "at most 64 bytes");
	if (c->address && strlen(c->address) > 500)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "address", "at most 500 bytes");
	return province(s, &c->province, prov, e);
}

int ctip_recruiter_check(ctip_store *s, struct ctip_recruiter *r, int has_company, char prov[16],
                         ctip_err *e)
{
	if (!r->kind || (strcmp(r->kind, "person") && strcmp(r->kind, "company")))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "kind", "person or company");
	if (!strcmp(r->kind, "person") && (!r->name || !*r->name || strlen(r->name) > 250))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "name",
		                   "the recruiter's name as known (1 to 250 bytes; sealed)");
	if (!strcmp(r->kind, "company") && !has_company)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "company",
		                   "a recruiter of kind company names its company");
	return province(s, &r->province, prov, e);
}

int ctip_sanction_check(const struct ctip_sanction *x, ctip_err *e)
{
	if (!x->date || !*x->date)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "date", "the date of the decision");
	int rc = day(x->date, "date", e);
	if (rc)
		return rc;
	if (!x->authority || !*x->authority || strlen(x->authority) > 250)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "authority",
		                   "the authority that decided (1 to 250 bytes)");
	if (!x->decision || !*x->decision || strlen(x->decision) > 1000)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "decision",
		                   "the decision: licence revoked, fine, ... (1 to 1000 bytes)");
	return 0;
}

static json_t *count(long n, int threshold)
{
	return threshold > 0 && n > 0 && n < threshold ? json_null() : json_integer(n);
}

int ctip_company_report(ctip_store *s, const struct ctip_co_view *v, int64_t only_id, json_t **out,
                        ctip_err *e)
{
	*out = NULL;
	const struct ctip_co_ops *o = ctip_co_ops(s, e);
	if (!o)
		return e->code;
	struct rep r = {.v = v};
	int rc = o->company_list(s, only_id, on_company, &r, e);
	if (!rc)
		rc = o->sanction_list(s, only_id, on_sanction, &r, e);
	if (!rc && v->counts)
		rc = o->company_cases(s, on_case, &r, e);
	if (rc == CTIP_ENOMEM)
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	json_t *root = json_object(), *arr = json_array(), *unsanctioned = json_array();
	for (size_t i = 0; i < r.n; i++) {
		struct co *k = &r.c[i];
		if (!rc && v->counts) {
			k->ncases = distinct(k->cases, k->ncases);
			k->nvictims = distinct(k->victims, k->nvictims);
			json_object_set_new(k->j, "cases", count((long)k->ncases, v->threshold));
			json_object_set_new(k->j, "victims",
			                    count((long)k->nvictims, v->threshold));
			json_t *types = json_object();
			for (int t = 0; t < k->ntypes; t++)
				json_object_set_new(
				        types, k->types[t],
				        count((long)distinct(k->tv[t], k->ntv[t]), v->threshold));
			json_object_set_new(k->j, "exploitation_types", types);
			size_t ns = json_array_size(json_object_get(k->j, "sanctions"));
			if (k->forced && !ns) {
				json_t *u = json_object();
				json_object_set(u, "id", json_object_get(k->j, "id"));
				json_object_set(u, "name", json_object_get(k->j, "name"));
				json_object_set(u, "licence_no",
				                json_object_get(k->j, "licence_no"));
				json_object_set(u, "licence_status",
				                json_object_get(k->j, "licence_status"));
				json_object_set(u, "forced_labour_victims",
				                json_object_get(types, "ForcedLabour"));
				json_array_append_new(unsanctioned, u);
			}
		}
		json_array_append(arr, k->j);
		json_decref(k->j);
		free(k->cases);
		free(k->victims);
		for (int t = 0; t < k->ntypes; t++)
			free(k->tv[t]);
	}
	free(r.c);
	if (rc) {
		json_decref(root);
		json_decref(arr);
		json_decref(unsanctioned);
		return rc;
	}
	if (only_id && !json_array_size(arr)) {
		json_decref(root);
		json_decref(arr);
		json_decref(unsanctioned);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no company K%lld in the register",
		                    (long long)only_id);
	}
	json_object_set_new(root, "companies", arr);
	if (v->counts)
		json_object_set_new(root, "forced_labour_without_sanction", unsanctioned);
	else
		json_decref(unsanctioned);
	json_t *sup = json_object();
	json_object_set_new(sup, "applied", json_boolean(v->threshold > 0));
	if (v->threshold > 0)
		json_object_set_new(sup, "threshold", json_integer(v->threshold));
	json_object_set_new(root, "suppression", sup);
	json_object_set_new(root, "scope",
	                    json_string(v->counts ? (v->scope ? v->scope : "every case")
	                                          : "the register only"));
	*out = root;
	return 0;
}

static void num(FILE *f, json_t *v)
{
	if (json_is_integer(v))
		fprintf(f, "%lld", (long long)json_integer_value(v));
	else if (json_is_null(v))
		fputs("x", f);
	else
		fputs("-", f);
}

static const char *s_of(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

int ctip_company_write(FILE *out, const char *fmt, json_t *report, ctip_err *e)
{
	json_t *arr = json_object_get(report, "companies"), *k;
	size_t i;
	int counts = json_object_get(report, "forced_labour_without_sanction") != NULL;
	if (!strcmp(fmt, "json")) {
		if (json_dumpf(report, out, JSON_INDENT(2) | JSON_SORT_KEYS))
			return ctip_err_set(e, CTIP_EIO, "cannot write the report");
		fputc('\n', out);
	} else if (!strcmp(fmt, "csv")) {
		const char *h[] = {
		        "id",      "name",          "licence_no", "licence_status", "cases",
		        "victims", "forced_labour", "sanctions",  "latest_sanction"};
		ctip_csv_row(out, h, 9);
		json_array_foreach(arr, i, k)
		{
			char id[32], c[32] = "", vv[32] = "", fl[32] = "", ns[32], last[160] = "";
			snprintf(id, sizeof id, "K%lld",
			         (long long)json_integer_value(json_object_get(k, "id")));
			json_t *cv[3] = {json_object_get(k, "cases"), json_object_get(k, "victims"),
			                 json_object_get(json_object_get(k, "exploitation_types"),
			                                 "ForcedLabour")};
			char *dst[3] = {c, vv, fl};
			for (int n = 0; n < 3; n++)
				if (json_is_integer(cv[n]))
					snprintf(dst[n], 32, "%lld",
					         (long long)json_integer_value(cv[n]));
				else if (counts && json_is_null(cv[n]))
					snprintf(dst[n], 32, "x");
				else if (counts && n == 2)
					snprintf(dst[n], 32, "0");
			json_t *sa = json_object_get(k, "sanctions");
			snprintf(ns, sizeof ns, "%zu", json_array_size(sa));
			json_t *ls = json_array_get(sa, json_array_size(sa) - 1);
			if (ls)
				snprintf(last, sizeof last, "%s %s: %s", s_of(ls, "date"),
				         s_of(ls, "authority"), s_of(ls, "decision"));
			const char *row[] = {id,
			                     s_of(k, "name"),
			                     s_of(k, "licence_no"),
			                     s_of(k, "licence_status"),
			                     c,
			                     vv,
			                     fl,
			                     ns,
			                     last};
			ctip_csv_row(out, row, 9);
		}
	} else if (!strcmp(fmt, "table") || !strcmp(fmt, "html")) {
		int html = !strcmp(fmt, "html");
		if (html)
			fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			      "<title>Labour-export companies</title></head><body>\n"
			      "<h1>Labour-export companies</h1>\n<table>\n<tr><th>Company</th>"
			      "<th>Licence</th><th>Status</th><th>Cases</th><th>Victims</th>"
			      "<th>Forced labour</th><th>Sanctions</th></tr>\n",
			      out);
		else
			fprintf(out, "%-6s %-16s %-10s %6s %8s %8s %9s  %s\n", "id", "licence",
			        "status", "cases", "victims", "forced", "sanctions", "company");
		json_array_foreach(arr, i, k)
		{
			json_t *fl = json_object_get(json_object_get(k, "exploitation_types"),
			                             "ForcedLabour");
			if (html) {
				fputs("<tr><td>", out);
				html_text(out, s_of(k, "name"));
				fputs("</td><td>", out);
				html_text(out, s_of(k, "licence_no"));
				fputs("</td><td>", out);
				html_text(out, s_of(k, "licence_status"));
				fputs("</td><td>", out);
			} else {
				fprintf(out, "K%-5lld %-16s %-10s ",
				        (long long)json_integer_value(json_object_get(k, "id")),
				        s_of(k, "licence_no"), s_of(k, "licence_status"));
			}
			json_t *cv[3] = {json_object_get(k, "cases"), json_object_get(k, "victims"),
			                 fl};
			for (int n = 0; n < 3; n++) {
				if (!html)
					fprintf(out, n ? " " : "");
				if (!html && counts && !json_is_integer(cv[n]))
					fprintf(out, "%*s", n ? 8 : 6, cv[n] ? "x" : "0");
				else if (!html && !counts)
					fprintf(out, "%*s", n ? 8 : 6, "-");
				else if (!html)
					fprintf(out, "%*lld", n ? 8 : 6,
					        (long long)json_integer_value(cv[n]));
				else {
					if (!cv[n] && counts)
						fputs("0", out);
					else
						num(out, cv[n]);
					fputs("</td><td>", out);
				}
			}
			size_t ns = json_array_size(json_object_get(k, "sanctions"));
			if (html)
				fprintf(out, "%zu</td></tr>\n", ns);
			else
				fprintf(out, " %9zu  %s\n", ns, s_of(k, "name"));
		}
		json_t *u = json_object_get(report, "forced_labour_without_sanction");
		if (html)
			fputs("</table>\n<h2>Companies with cases of forced labour and no "
			      "sanction</h2>\n<ul>\n",
			      out);
		else if (u)
			fputs("\nCompanies with cases of forced labour and no sanction:\n", out);
		json_array_foreach(u, i, k)
		{
			if (html) {
				fputs("<li>", out);
				html_text(out, s_of(k, "name"));
				fputs(" (", out);
				html_text(out, s_of(k, "licence_no"));
				fputs(")</li>\n", out);
			} else
				fprintf(out, "  K%lld %s (licence %s, %s)\n",
				        (long long)json_integer_value(json_object_get(k, "id")),
				        s_of(k, "name"), s_of(k, "licence_no"),
				        s_of(k, "licence_status"));
		}
		if (html)
			fputs("</ul>\n", out);
		json_t *sup = json_object_get(report, "suppression");
		const char *scope = s_of(report, "scope");
		if (html)
			fputs("<p>", out);
		if (json_is_true(json_object_get(sup, "applied")))
			fprintf(out, "%sCounts under %lld are withheld (x). Counted in: %s.",
			        html ? "" : "\n",
			        (long long)json_integer_value(json_object_get(sup, "threshold")),
			        scope);
		else
			fprintf(out, "%sRaw counts, not suppressed. Counted in: %s.",
			        html ? "" : "\n", scope);
		fputs(html ? "</p>\n</body></html>\n" : "\n", out);
	} else {
		return ctip_err_set(e, CTIP_EINVAL, "--format table, csv, json or html");
	}
	return ferror(out) ? ctip_err_set(e, CTIP_EIO, "cannot write the report") : 0;
}
