/*
 * estimate_out.c - the estimates written out: a table for the terminal, CSV (one row per
 * stratum and method), JSON (everything: lists, models, fitted against observed counts,
 * intervals, warnings, the options and the provenance) and a self-contained HTML page.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "estimate.h"

static const char *pattern_str(const struct ctip_mse_data *d, int c, char *buf, size_t n)
{
	size_t l = 0;
	buf[0] = 0;
	for (int i = 0; i < d->m && l + 1 < n; i++)
		if (c >> i & 1)
			l += (size_t)snprintf(buf + l, n - l, "%s%s", l ? "+" : "", d->names[i]);
	if (!l)
		snprintf(buf, n, "(none)");
	return buf;
}

/* "A:B", or "A:B:C" for a three-list term. */
static void term_str(const struct ctip_mse_data *d, int p, char *buf, size_t n)
{
	int l[3], nl = ctip_mse_term(d->m, p, l);
	if (nl == 3)
		snprintf(buf, n, "%s:%s:%s", d->names[l[0]], d->names[l[1]], d->names[l[2]]);
	else
		snprintf(buf, n, "%s:%s", d->names[l[0]], d->names[l[1]]);
}

static void model_str(const struct ctip_mse_data *d, const struct ctip_mse_fit *f, char *buf,
                      size_t n)
{
	size_t l = 0;
	buf[0] = 0;
	for (int k = 0; k < f->nadded && l + 1 < n; k++) {
		char t[3 * CTIP_MSE_NAME + 3];
		term_str(d, f->added[k], t, sizeof t);
		l += (size_t)snprintf(buf + l, n - l, "%s%s", l ? " " : "", t);
	}
	if (!l)
		snprintf(buf, n, "main effects only");
}

void ctip_mse_model_text(const struct ctip_mse_data *d, const struct ctip_mse_fit *f, char *buf,
                         size_t n)
{
	model_str(d, f, buf, n);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(round(v * 100) / 100) : json_null();
}

static json_t *real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *fit_json(const struct ctip_mse_data *d, const struct ctip_mse_fit *f,
                        const struct ctip_mse_boot *b, const struct ctip_mse_opts *o,
                        const char *method)
{
	json_t *j = json_object();
	json_object_set_new(j, "method", json_string(method));
	if (!f->ok) {
		json_object_set_new(j, "estimate", json_null());
		json_object_set_new(j, "reason", json_string(f->why));
		return j;
	}
	json_object_set_new(j, "estimate", num(f->total));
	json_object_set_new(j, "dark_figure", num(f->total - f->nobs));
	json_t *iv = json_object();
	json_object_set_new(iv, "level", json_real(1 - o->alpha));
	json_object_set_new(iv, "method", json_string("BCa bootstrap"));
	json_object_set_new(iv, "lower", num(b->lo));
	json_object_set_new(iv, "upper", num(b->hi));
	json_object_set_new(iv, "replicates", json_integer(b->nboot));
	json_object_set_new(iv, "replicates_failed", json_integer(b->failed));
	json_object_set_new(iv, "bias_correction_z0", real(b->z0));
	json_object_set_new(iv, "acceleration", real(b->ahat));
	json_object_set_new(iv, "seed", json_integer((json_int_t)o->seed));
	if (b->ntop)
		json_object_set_new(iv, "models_searched_per_replicate", json_integer(b->ntop));
	if (b->why[0])
		json_object_set_new(iv, "reason", json_string(b->why));
	json_object_set_new(j, "interval", iv);
	json_t *nv = json_object();
	json_object_set_new(nv, "level", json_real(1 - o->alpha));
	json_object_set_new(nv, "method", json_string("normal on the log dark figure"));
	json_object_set_new(nv, "lower", num(f->lo_normal));
	json_object_set_new(nv, "upper", num(f->hi_normal));
	json_object_set_new(j, "normal_interval", nv);
	json_t *terms = json_array(), *empty = json_array();
	for (int k = 0; k < f->nadded; k++) {
		char t[3 * CTIP_MSE_NAME + 3];
		term_str(d, f->added[k], t, sizeof t);
		json_array_append_new(terms, json_string(t));
		if (f->empty >> f->added[k] & 1)
			json_array_append_new(empty, json_string(t));
	}
	json_object_set_new(j, "interactions", terms);
	json_object_set_new(j, "interactions_on_empty_overlaps", empty);
	if (!strcmp(method, "stepwise"))
		json_object_set_new(j, "p_value_threshold", json_real(o->pthresh));
	json_object_set_new(j, "deviance", num(f->deviance));
	json_object_set_new(j, "df", json_integer(f->df));
	json_object_set_new(j, "aic", num(f->aic));
	json_object_set_new(j, "bic", num(f->bic));
	json_t *cells = json_array();
	for (int c = 1; c < (1 << d->m); c++) {
		json_t *cj = json_object(), *on = json_array();
		for (int i = 0; i < d->m; i++)
			if (c >> i & 1)
				json_array_append_new(on, json_string(d->names[i]));
		json_object_set_new(cj, "lists", on);
		json_object_set_new(cj, "observed", json_real(d->y[c]));
		json_object_set_new(cj, "fitted", f->mu[c] < 0 ? json_null() : num(f->mu[c]));
		json_array_append_new(cells, cj);
	}
	json_object_set_new(j, "fitted", cells);
	return j;
}

static json_t *lcm_json(const struct ctip_mse_lcm *l, const struct ctip_mse_opts *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "method", json_string("lcm"));
	if (l->why[0] || l->nsamples <= 0) {
		json_object_set_new(j, "estimate", json_null());
		json_object_set_new(j, "reason", json_string(l->why));
		return j;
	}
	json_object_set_new(j, "estimate", num(l->median));
	json_object_set_new(j, "posterior_mean", num(l->mean));
	json_object_set_new(j, "dark_figure", num(l->median - l->nobs));
	json_t *iv = json_object();
	json_object_set_new(iv, "level", json_real(1 - o->alpha));
	json_object_set_new(iv, "method", json_string("posterior quantiles"));
	json_object_set_new(iv, "lower", num(l->lo));
	json_object_set_new(iv, "upper", num(l->hi));
	json_object_set_new(j, "interval", iv);
	json_object_set_new(j, "classes_max", json_integer(l->K));
	json_object_set_new(j, "classes_occupied_mean", num(l->eff_classes));
	json_object_set_new(j, "iterations", json_integer(l->iters));
	json_object_set_new(j, "burnin", json_integer(l->burnin));
	json_object_set_new(j, "samples", json_integer(l->nsamples));
	json_object_set_new(j, "seed", json_integer((json_int_t)o->seed));
	return j;
}

json_t *ctip_mse_json(const struct ctip_mse_result *r, int n, const struct ctip_mse_opts *o,
                      json_t *provenance)
{
	json_t *root = json_object(), *arr = json_array();
	for (int k = 0; k < n; k++) {
		const struct ctip_mse_result *x = &r[k];
		json_t *e = json_object(), *lists = json_array(), *used = json_array(),
		       *methods = json_array(), *warn = json_array();
		json_object_set_new(e, "stratum", json_string(x->stratum));
		for (int i = 0; i < x->in.m; i++) {
			json_t *l = json_object();
			json_object_set_new(l, "name", json_string(x->in.names[i]));
			json_object_set_new(l, "persons",
			                    json_real(ctip_mse_list_total(&x->in, i)));
			json_array_append_new(lists, l);
		}
		json_object_set_new(e, "lists", lists);
		for (int i = 0; i < x->data.m; i++)
			json_array_append_new(used, json_string(x->data.names[i]));
		json_object_set_new(e, "lists_in_model", used);
		json_object_set_new(e, "observed", json_real(x->nobs));
		json_object_set_new(e, "estimated", json_boolean(x->estimated));
		if (x->has_step)
			json_array_append_new(
			        methods, fit_json(&x->data, &x->step, &x->bstep, o, "stepwise"));
		if (x->has_bic)
			json_array_append_new(methods,
			                      fit_json(&x->data, &x->bic, &x->bbic, o, "bic"));
		if (x->has_lcm)
			json_array_append_new(methods, lcm_json(&x->lcm, o));
		json_object_set_new(e, "methods", methods);
		if (x->has_sens) {
			json_t *sj = json_object();
			json_object_set_new(sj, "method", json_string("stepwise"));
			json_object_set_new(sj, "at_threshold",
			                    x->has_step && x->step.ok ? num(x->step.total)
			                                              : json_null());
			json_object_set_new(sj, "observed_at_threshold", json_real(x->nobs));
			json_object_set_new(sj, "review_min", json_real(x->sens_min));
			json_object_set_new(sj, "at_review_min",
			                    x->sens_total >= 0 ? num(x->sens_total) : json_null());
			json_object_set_new(sj, "observed_at_review_min", json_real(x->sens_nobs));
			json_object_set_new(e, "linkage_sensitivity", sj);
		}
		for (int w = 0; w < x->nwarn; w++)
			json_array_append_new(warn, json_string(x->warn[w]));
		json_object_set_new(e, "warnings", warn);
		json_array_append_new(arr, e);
	}
	json_object_set_new(root, "estimates", arr);
	json_t *op = json_object();
	json_object_set_new(op, "p_value_threshold", json_real(o->pthresh));
	json_object_set_new(op, "alpha", json_real(o->alpha));
	json_object_set_new(op, "bootstrap", json_integer(o->nboot));
	json_object_set_new(op, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(root, "options", op);
	if (provenance)
		json_object_set_new(root, "provenance", provenance);
	return root;
}

/* Whole persons with thousands separators, "-" when not a number. */
static const char *fmt_n(double v, char *buf, size_t n)
{
	if (!isfinite(v)) {
		snprintf(buf, n, "-");
		return buf;
	}
	char raw[32];
	snprintf(raw, sizeof raw, "%.0f", v);
	size_t len = strlen(raw), o = 0;
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0 && raw[i - 1] != '-')
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = 0;
	return buf;
}

struct row {
	const char *method;
	int ok;
	double est, lo, hi;
	char interval[64], model[512], why[160];
};

static int rows_of(const struct ctip_mse_result *x, const struct ctip_mse_opts *o, struct row *rw)
{
	int n = 0;
	const struct ctip_mse_fit *f[2] = {&x->step, &x->bic};
	const struct ctip_mse_boot *b[2] = {&x->bstep, &x->bbic};
	int has[2] = {x->has_step, x->has_bic};
	const char *name[2] = {"stepwise", "bic"};
	for (int k = 0; k < 2; k++) {
		if (!has[k])
			continue;
		struct row *r = &rw[n++];
		memset(r, 0, sizeof *r);
		r->method = name[k];
		r->ok = f[k]->ok;
		r->est = f[k]->total;
		snprintf(r->why, sizeof r->why, "%s", f[k]->why);
		if (o->nboot > 0 && isfinite(b[k]->lo)) {
			r->lo = b[k]->lo;
			r->hi = b[k]->hi;
			snprintf(r->interval, sizeof r->interval, "BCa, %d replicates",
			         b[k]->nboot);
		} else {
			r->lo = f[k]->lo_normal;
			r->hi = f[k]->hi_normal;
			snprintf(r->interval, sizeof r->interval, "normal, log dark figure");
		}
		if (r->ok)
			model_str(&x->data, f[k], r->model, sizeof r->model);
	}
	if (x->has_lcm) {
		struct row *r = &rw[n++];
		memset(r, 0, sizeof *r);
		r->method = "lcm";
		r->ok = !x->lcm.why[0] && x->lcm.nsamples > 0;
		r->est = x->lcm.median;
		r->lo = x->lcm.lo;
		r->hi = x->lcm.hi;
		snprintf(r->why, sizeof r->why, "%s", x->lcm.why);
		snprintf(r->interval, sizeof r->interval, "posterior, %d samples", x->lcm.nsamples);
		snprintf(r->model, sizeof r->model, "latent classes (at most %d, %.1f used)",
		         x->lcm.K, x->lcm.eff_classes);
	}
	return n;
}

static void write_text(FILE *out, const struct ctip_mse_result *r, int n,
                       const struct ctip_mse_opts *o)
{
	char b1[32], b2[32], b3[32], pat[512];
	for (int k = 0; k < n; k++) {
		const struct ctip_mse_result *x = &r[k];
		if (k)
			fputc('\n', out);
		fprintf(out, "Multiple systems estimation%s%s\n", x->stratum[0] ? ": " : "",
		        x->stratum);
		fprintf(out, "Lists:");
		for (int i = 0; i < x->in.m; i++)
			fprintf(out, " %s %s", x->in.names[i],
			        fmt_n(ctip_mse_list_total(&x->in, i), b1, sizeof b1));
		fprintf(out, "\nPersons observed: %s\n\n", fmt_n(x->nobs, b1, sizeof b1));
		struct row rw[3];
		int nr = rows_of(x, o, rw);
		if (nr && x->estimated) {
			fprintf(out, "%-9s %10s  %-19s %-26s %s\n", "method", "estimate",
			        "95% interval", "interval by", "model");
			for (int i = 0; i < nr; i++) {
				if (!rw[i].ok) {
					fprintf(out, "%-9s %10s  %s\n", rw[i].method, "-",
					        rw[i].why);
					continue;
				}
				char iv[80];
				snprintf(iv, sizeof iv, "%s - %s", fmt_n(rw[i].lo, b2, sizeof b2),
				         fmt_n(rw[i].hi, b3, sizeof b3));
				fprintf(out, "%-9s %10s  %-19s %-26s %s\n", rw[i].method,
				        fmt_n(rw[i].est, b1, sizeof b1), iv, rw[i].interval,
				        rw[i].model);
			}
			if (x->has_step && x->step.ok) {
				fprintf(out, "\nFitted against observed (stepwise):\n");
				fprintf(out, "  %-40s %9s %9s\n", "lists", "observed", "fitted");
				if (x->data.m > 5)
					fprintf(out,
					        "  (the histories with persons; the JSON has all "
					        "%d)\n",
					        (1 << x->data.m) - 1);
				for (int c = 1; c < (1 << x->data.m); c++) {
					double mu = x->step.mu[c];
					if (x->data.m > 5 && !(x->data.y[c] > 0))
						continue;
					char fb[32];
					if (mu < 0)
						snprintf(fb, sizeof fb, "(left out)");
					else
						snprintf(fb, sizeof fb, "%.1f", mu);
					fprintf(out, "  %-40s %9.0f %9s\n",
					        pattern_str(&x->data, c, pat, sizeof pat),
					        x->data.y[c], fb);
				}
				fprintf(out, "  %-40s %9s %9.1f\n", "(no list: the dark figure)",
				        "-", x->step.dark);
			}
		} else {
			fprintf(out, "No estimate.\n");
		}
		if (x->has_sens) {
			fprintf(out,
			        "\nSensitivity to linkage (stepwise): %s persons observed, "
			        "estimate %s "
			        "with the links of the last run; ",
			        fmt_n(x->nobs, b1, sizeof b1),
			        x->has_step && x->step.ok ? fmt_n(x->step.total, b2, sizeof b2)
			                                  : "-");
			fprintf(out,
			        "%s observed, estimate %s with pairs of probability >= %.2f linked "
			        "too\n",
			        fmt_n(x->sens_nobs, b1, sizeof b1),
			        x->sens_total >= 0 ? fmt_n(x->sens_total, b2, sizeof b2) : "-",
			        x->sens_min);
		}
		if (x->nwarn) {
			fprintf(out, "\nWarnings:\n");
			for (int w = 0; w < x->nwarn; w++)
				fprintf(out, "  - %s\n", x->warn[w]);
		}
	}
}

static void write_csv(FILE *out, const struct ctip_mse_result *r, int n,
                      const struct ctip_mse_opts *o)
{
	const char *hdr[] = {"stratum", "method",   "observed", "estimate", "lower",
	                     "upper",   "interval", "model",    "warnings"};
	ctip_csv_row(out, hdr, 9);
	for (int k = 0; k < n; k++) {
		const struct ctip_mse_result *x = &r[k];
		struct row rw[3];
		int nr = rows_of(x, o, rw);
		char w[16 * 404] = "";
		for (int i = 0; i < x->nwarn; i++) {
			size_t l = strlen(w);
			snprintf(w + l, sizeof w - l, "%s%s", i ? "; " : "", x->warn[i]);
		}
		if (!nr) {
			char nb[32];
			snprintf(nb, sizeof nb, "%.0f", x->nobs);
			const char *f[] = {x->stratum, "", nb, "", "", "", "", "", w};
			ctip_csv_row(out, f, 9);
		}
		for (int i = 0; i < nr; i++) {
			char nb[32], eb[32] = "", lb[32] = "", hb[32] = "";
			snprintf(nb, sizeof nb, "%.0f", x->nobs);
			if (rw[i].ok) {
				snprintf(eb, sizeof eb, "%.1f", rw[i].est);
				if (isfinite(rw[i].lo))
					snprintf(lb, sizeof lb, "%.1f", rw[i].lo);
				if (isfinite(rw[i].hi))
					snprintf(hb, sizeof hb, "%.1f", rw[i].hi);
			}
			const char *f[] = {x->stratum,
			                   rw[i].method,
			                   nb,
			                   eb,
			                   lb,
			                   hb,
			                   rw[i].ok ? rw[i].interval : "",
			                   rw[i].ok ? rw[i].model : "",
			                   w};
			ctip_csv_row(out, f, 9);
		}
	}
}

static void html_esc(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
}

static void write_html(FILE *out, const struct ctip_mse_result *r, int n,
                       const struct ctip_mse_opts *o)
{
	char b1[32], b2[32], b3[32];
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>ctip estimate: the dark figure</title><style>body{font-family:sans-serif;"
	      "max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px "
	      "solid #ccc;padding:.3em .6em;text-align:right}td.l,th.l{text-align:left}"
	      ".warn{color:#8a4b00}</style></head><body>\n<h1>The dark figure</h1>\n",
	      out);
	for (int k = 0; k < n; k++) {
		const struct ctip_mse_result *x = &r[k];
		fputs("<h2>", out);
		html_esc(out, x->stratum[0] ? x->stratum : "All persons");
		fprintf(out,
		        "</h2>\n<p>Persons observed: %s. Lists:", fmt_n(x->nobs, b1, sizeof b1));
		for (int i = 0; i < x->in.m; i++) {
			fputc(' ', out);
			html_esc(out, x->in.names[i]);
			fprintf(out, " %s", fmt_n(ctip_mse_list_total(&x->in, i), b1, sizeof b1));
			if (i + 1 < x->in.m)
				fputc(',', out);
		}
		fputs(".</p>\n", out);
		struct row rw[3];
		int nr = rows_of(x, o, rw);
		if (nr) {
			fprintf(out,
			        "<table><tr><th class=l>Method</th><th>Estimate</th><th>%.0f %% "
			        "interval</th><th class=l>Interval by</th><th class=l>Model</th>"
			        "</tr>\n",
			        100 * (1 - o->alpha));
			for (int i = 0; i < nr; i++) {
				fprintf(out, "<tr><td class=l>%s</td>", rw[i].method);
				if (!rw[i].ok) {
					fputs("<td>-</td><td></td><td class=l colspan=2>", out);
					html_esc(out, rw[i].why);
					fputs("</td></tr>\n", out);
					continue;
				}
				fprintf(out, "<td>%s</td><td>%s - %s</td><td class=l>",
				        fmt_n(rw[i].est, b1, sizeof b1),
				        fmt_n(rw[i].lo, b2, sizeof b2),
				        fmt_n(rw[i].hi, b3, sizeof b3));
				html_esc(out, rw[i].interval);
				fputs("</td><td class=l>", out);
				html_esc(out, rw[i].model);
				fputs("</td></tr>\n", out);
			}
			fputs("</table>\n", out);
		}
		if (x->nwarn) {
			fputs("<ul class=warn>\n", out);
			for (int w = 0; w < x->nwarn; w++) {
				fputs("<li>", out);
				html_esc(out, x->warn[w]);
				fputs("</li>\n", out);
			}
			fputs("</ul>\n", out);
		}
	}
	fputs("<p>Multiple systems estimation by ctip " CTIP_VERSION
	      " (docs/ESTIMATION.md).</p>\n</body></html>\n",
	      out);
}

int ctip_mse_write(FILE *out, const char *fmt, const struct ctip_mse_result *r, int n,
                   const struct ctip_mse_opts *o, json_t *provenance, ctip_err *e)
{
	if (!strcmp(fmt, "json")) {
		json_t *j = ctip_mse_json(r, n, o, provenance);
		int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		json_decref(j);
		fputc('\n', out);
		if (rc)
			return ctip_err_set(e, CTIP_EIO, "writing the JSON failed");
		return 0;
	}
	json_decref(provenance);
	if (!strcmp(fmt, "csv"))
		write_csv(out, r, n, o);
	else if (!strcmp(fmt, "html"))
		write_html(out, r, n, o);
	else
		write_text(out, r, n, o);
	return ferror(out) ? ctip_err_set(e, CTIP_EIO, "writing the output failed") : 0;
}
