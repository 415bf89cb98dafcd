/*
 * release_eval.c - the evaluation report of a release (release_eval.h).
 *
 * Combinations: for every set of up to `length` attributes, the released records' and the
 * source's counts of each combination of values (blank is no value): preserved (in both),
 * suppressed (in the source only: a rare combination protected), fabricated (in the release
 * only: a k release never has one, a synthetic one never has one outside the protected
 * aggregates, but may hold combinations rounded away from the source). The error of a count is
 * |released count x (source records / released records) - source count|, averaged by the size
 * of the source count (1-9, 10-99, 100-999, 1000+).
 *
 * The linkage attack: ctip's record linker's Fellegi-Sunter scoring on what a release keeps.
 * Each released record is compared with every registry person (the source generalised alike)
 * on its non-blank values; agreement on attribute a weighs log2(m_a / u_a(v)), disagreement
 * log2((1 - m_a) / (1 - u_a(v))), with m_a from the stored linkage model where the linker has a
 * comparison for the attribute (ctip_eval_link_m) and u_a(v) the share of registry persons with
 * value v (the linker's frequency adjustment, applied to every value). With one true record
 * among the candidates, a candidate's posterior is 2^W / sum of 2^W over the candidates. The
 * block is every person agreeing on all the record's values but at most one (one who disagrees
 * on two or more weighs at most (1 - m)^2 / m^2 of the best: noise); so the posterior of the
 * full agreers is 1 / (N + sum_a N_a (1 - m_a) u_a / (m_a (1 - u_a))), N of them and N_a
 * disagreeing on a only. A record is a unique match when exactly one person agrees on all
 * (the best match is unique) with a posterior above CTIP_EVAL_POSTERIOR; for microdata (whose
 * records come from persons) it is re-identified when that person is the right one. Synthetic
 * records come from no one; a unique match there is a synthetic record that happens to single
 * out one real person.
 */
#include "release_eval.h"

#include <stdlib.h>
#include <string.h>

#include "link_model.h"
#include "release.h"

#define NA 9

struct tab {
	uint64_t *key;
	uint32_t *cnt;
	uint32_t cap, n;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static int tab_add(struct tab *t, uint64_t key)
{
	if (t->n * 2 >= t->cap) {
		uint32_t nc = t->cap ? t->cap * 2 : 256;
		uint64_t *k = calloc(nc, sizeof(uint64_t));
		uint32_t *c = calloc(nc, sizeof(uint32_t));
		if (!k || !c) {
			free(k);
			free(c);
			return -1;
		}
		for (uint32_t i = 0; i < t->cap; i++)
			if (t->key[i]) {
				uint32_t s = (uint32_t)mix(t->key[i]) & (nc - 1);
				while (k[s])
					s = (s + 1) & (nc - 1);
				k[s] = t->key[i];
				c[s] = t->cnt[i];
			}
		free(t->key);
		free(t->cnt);
		t->key = k;
		t->cnt = c;
		t->cap = nc;
	}
	uint32_t s = (uint32_t)mix(key) & (t->cap - 1);
	while (t->key[s] && t->key[s] != key)
		s = (s + 1) & (t->cap - 1);
	if (!t->key[s]) {
		t->key[s] = key;
		t->n++;
	}
	t->cnt[s]++;
	return 0;
}

static uint32_t tab_get(const struct tab *t, uint64_t key)
{
	if (!t->cap)
		return 0;
	uint32_t s = (uint32_t)mix(key) & (t->cap - 1);
	while (t->key[s]) {
		if (t->key[s] == key)
			return t->cnt[s];
		s = (s + 1) & (t->cap - 1);
	}
	return 0;
}

static void tab_free(struct tab *t)
{
	free(t->key);
	free(t->cnt);
	memset(t, 0, sizeof(*t));
}

/* The key of record i's values of mask m; 0 when one of them is blank. Up to 4 attributes
 * pack 16 bits each; more (the attack's masks) fold into a hash (collisions make a match
 * look less unique, never more: the attack's rate is a lower bound only in theory). */
static uint64_t key_of(const uint32_t *const *col, uint32_t i, int m)
{
	uint64_t k = 0;
	int n = 0;
	for (int a = 0; a < NA; a++) {
		if (!(m >> a & 1))
			continue;
		uint32_t c = col[a][i];
		if (c == CTIP_EVAL_BLANK)
			return 0;
		k = n < 4 ? k << 16 | (uint64_t)(c + 1)
		          : mix(k ^ ((uint64_t)(c + 1) << 20) ^ (uint64_t)a);
		n++;
	}
	return k ? k : 1;
}

static int count(const uint32_t *const *col, uint32_t n, int m, struct tab *t)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t k = key_of(col, i, m);
		if (k && tab_add(t, k))
			return -1;
	}
	return 0;
}

struct len_stats {
	long src, rel, preserved, suppressed, fabricated;
};

#define NB 4
static const char *const bucket_name[NB] = {"1-9", "10-99", "100-999", "1000+"};

static int bucket(uint32_t c)
{
	return c < 10 ? 0 : c < 100 ? 1 : c < 1000 ? 2 : 3;
}

/* ---- SVG ---------------------------------------------------------------------------- */

static void svg_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

/* Horizontal paired bars: label, value a (source), value b (release), shares in [0, 1]. */
static void svg_pairs(FILE *f, const char *title, char **lab, const double *a, const double *b,
                      int n)
{
	int h = 30 + n * 26;
	fprintf(f, "<h3>");
	svg_text(f, title);
	fprintf(f, "</h3>\n<svg width=\"640\" height=\"%d\" role=\"img\">\n", h);
	double mx = 0;
	for (int i = 0; i < n; i++)
		mx = a[i] > mx ? a[i] : b[i] > mx ? b[i] : mx;
	if (mx <= 0)
		mx = 1;
	for (int i = 0; i < n; i++) {
		int y = 10 + i * 26;
		fprintf(f, "<text x=\"0\" y=\"%d\" font-size=\"11\">", y + 14);
		svg_text(f, lab[i]);
		fprintf(f,
		        "</text>\n<rect x=\"230\" y=\"%d\" width=\"%.1f\" height=\"10\" "
		        "fill=\"#4c78a8\"/>\n<rect x=\"230\" y=\"%d\" width=\"%.1f\" height=\"10\" "
		        "fill=\"#f58518\"/>\n<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%.1f%% / "
		        "%.1f%%</text>\n",
		        y + 2, 300 * a[i] / mx, y + 12, 300 * b[i] / mx,
		        236 + 300 * (a[i] > b[i] ? a[i] : b[i]) / mx, y + 16, 100 * a[i],
		        100 * b[i]);
	}
	fprintf(f, "</svg>\n");
}

const char *ctip_eval_link_m(const char *model_json, double m[9])
{
	for (int a = 0; a < NA; a++)
		m[a] = CTIP_EVAL_M_DEFAULT;
	struct lk_model md;
	double thr;
	if (!model_json || lk_model_parse(model_json, &md, &thr))
		return "defaults";
	/* agreement among the levels that are not missing; age bands agree when birth dates agree
	 * within a year */
	static const struct {
		int g, c, agree; /* agree: levels 0..agree-1 */
	} map[] = {{CTIP_RG_GENDER, C_GENDER, 1},
	           {CTIP_RG_ORIGIN, C_PROV, 1},
	           {CTIP_RG_AGE, C_BIRTH, LK_DATE_DIFF}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		double ag = 0, all = 0;
		for (int l = 0; l < lk_cmp_levels[map[i].c]; l++) {
			all += md.m[map[i].c][l];
			if (l < map[i].agree)
				ag += md.m[map[i].c][l];
		}
		if (all > 0) /* kept off 0 and 1: a weight must stay finite */
			m[map[i].g] = ag / all < 0.5 ? 0.5 : ag / all > 0.999 ? 0.999 : ag / all;
	}
	return "linkage model";
}

/* ---- the report ---------------------------------------------------------------------- */

int ctip_eval_write(const struct ctip_eval_in *in, const char *path, double *rate, ctip_err *e)
{
	int L = in->length < 1 ? 1 : in->length > 4 ? 4 : in->length;
	struct len_stats ls[5] = {{0}};
	double err_sum[5][NB] = {{0}};
	long err_n[5][NB] = {{0}};
	double scale = in->nr ? (double)in->ns / (double)in->nr : 0;
	/* univariate: shares of the top values; bivariate: total variation distance */
	double tvd[NA][NA] = {{0}};
	char **ulab[NA] = {0};
	double *ua[NA] = {0}, *ub[NA] = {0};
	int un[NA] = {0};
	int rc = CTIP_OK;
	for (int m = 1; m < 1 << NA && !rc; m++) {
		int len = __builtin_popcount((unsigned)m);
		if (len > L)
			continue;
		struct tab ts = {0}, tr = {0};
		if (count(in->src, in->ns, m, &ts) || count(in->rel, in->nr, m, &tr)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			tab_free(&ts);
			tab_free(&tr);
			break;
		}
		double dist = 0;
		for (uint32_t j = 0; j < ts.cap; j++) {
			if (!ts.key[j])
				continue;
			ls[len].src++;
			uint32_t r = tab_get(&tr, ts.key[j]);
			if (r)
				ls[len].preserved++;
			else
				ls[len].suppressed++;
			int b = bucket(ts.cnt[j]);
			err_sum[len][b] += (double)r * scale > ts.cnt[j]
			                           ? (double)r * scale - ts.cnt[j]
			                           : ts.cnt[j] - (double)r * scale;
			err_n[len][b]++;
			double ps = (double)ts.cnt[j] / in->ns,
			       pr = in->nr ? (double)r / in->nr : 0;
			dist += ps > pr ? ps - pr : pr - ps;
		}
		for (uint32_t j = 0; j < tr.cap; j++) {
			if (!tr.key[j])
				continue;
			ls[len].rel++;
			if (!tab_get(&ts, tr.key[j])) {
				ls[len].fabricated++;
				dist += in->nr ? (double)tr.cnt[j] / in->nr : 0;
			}
		}
		if (len == 2) {
			int a = __builtin_ctz((unsigned)m), b = 31 - __builtin_clz((unsigned)m);
			tvd[a][b] = dist / 2;
		}
		if (len == 1) { /* the 12 most frequent values of the source, with the release's */
			int a = __builtin_ctz((unsigned)m);
			ulab[a] = calloc(13, sizeof(char *));
			ua[a] = calloc(13, sizeof(double));
			ub[a] = calloc(13, sizeof(double));
			if (!ulab[a] || !ua[a] || !ub[a]) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			} else {
				int n = 0;
				for (uint32_t j = 0; j < ts.cap; j++) {
					if (!ts.key[j])
						continue;
					/* only values the release holds: a rare value of the source
					 * named here would leak what the release protects */
					if (!tab_get(&tr, ts.key[j]))
						continue;
					double sh = (double)ts.cnt[j] / in->ns;
					int pos = n < 12 ? n++ : 12; /* slot 12: a scratch slot */
					if (pos == 12 && sh <= ua[a][11])
						continue;
					uint32_t code = (uint32_t)(ts.key[j] & 0xffff) - 1;
					ua[a][pos] = sh;
					ub[a][pos] =
					        in->nr ? (double)tab_get(&tr, ts.key[j]) / in->nr
					               : 0;
					ulab[a][pos] =
					        code < in->nlabel[a] ? in->label[a][code] : NULL;
					for (; pos > 0 && ua[a][pos - 1] < ua[a][pos]; pos--) {
						double t1 = ua[a][pos], t2 = ub[a][pos];
						char *t3 = ulab[a][pos];
						ua[a][pos] = ua[a][pos - 1];
						ub[a][pos] = ub[a][pos - 1];
						ulab[a][pos] = ulab[a][pos - 1];
						ua[a][pos - 1] = t1;
						ub[a][pos - 1] = t2;
						ulab[a][pos - 1] = t3;
					}
				}
				un[a] = n;
				for (int x = 0; x < n; x++)
					if (!ulab[a][x])
						ulab[a][x] = (char *)"?";
			}
		}
		tab_free(&ts);
		tab_free(&tr);
	}
	/* the linkage attack (see the header): one source table per pattern of non-blank
	 * attributes, and per pattern less one attribute (the block's near misses) */
	long unique = 0, correct = 0, attacked = 0;
	double post_sum = 0;
	uint32_t step =
	        in->nr > 20000 && !in->src_of ? in->nr / 20000 : 1; /* synthetic: a sample */
	int *seen = calloc(1 << NA, sizeof(int));
	struct tab *pt = calloc(1 << NA, sizeof(struct tab));
	if (!seen || !pt)
		rc = rc ? rc : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int a = 0; !rc && a < NA; a++) { /* u: each attribute's value shares */
		seen[1 << a] = 1;
		if (count(in->src, in->ns, 1 << a, &pt[1 << a]))
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; !rc && i < in->nr; i += step) {
		int m = 0;
		for (int a = 0; a < NA; a++)
			m |= (in->rel[a][i] != CTIP_EVAL_BLANK) << a;
		if (!m)
			continue;
		for (int a = -1; a < NA && !rc; a++) {
			int mm = a < 0 ? m : m & ~(1 << a);
			if ((a >= 0 && !(m >> a & 1)) || seen[mm])
				continue;
			/* mm 0: no attribute left, every person agrees */
			seen[mm] = 1;
			if (mm && count(in->src, in->ns, mm, &pt[mm]))
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		if (rc)
			break;
		attacked++;
		uint32_t n = tab_get(&pt[m], key_of(in->rel, i, m));
		if (!n)
			continue;
		double den = n;
		for (int a = 0; a < NA; a++) {
			if (!(m >> a & 1))
				continue;
			int mm = m & ~(1 << a);
			uint32_t na = mm ? tab_get(&pt[mm], key_of(in->rel, i, mm)) : in->ns;
			uint32_t nv = tab_get(&pt[1 << a], key_of(in->rel, i, 1 << a));
			double ma = in->m[a] > 0 && in->m[a] < 1 ? in->m[a] : CTIP_EVAL_M_DEFAULT;
			double u = in->ns ? (double)nv / in->ns : 0;
			if (u < 1 && na > n)
				den += (double)(na - n) * (1 - ma) * u / (ma * (1 - u));
		}
		double post = 1 / den;
		post_sum += post;
		if (n == 1 && post > CTIP_EVAL_POSTERIOR) {
			unique++;
			if (in->src_of) {
				uint32_t s = in->src_of[i];
				correct += key_of(in->src, s, m) == key_of(in->rel, i, m);
			}
		}
	}
	for (int m = 0; pt && m < 1 << NA; m++)
		tab_free(&pt[m]);
	free(pt);
	free(seen);
	double r_unique = attacked ? (double)unique / attacked : 0;
	double r_correct = attacked ? (double)correct / attacked : 0;
	if (rate)
		*rate = in->src_of ? r_correct : r_unique;
	/* JSON */
	char p[1200];
	FILE *f = NULL;
	if (!rc) {
		snprintf(p, sizeof(p), "%s.evaluation.json", path);
		if (!(f = fopen(p, "w")))
			rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write", p);
	}
	if (!rc) {
		fprintf(f,
		        "{\"kind\":\"%s\",\"source_records\":%u,\"released_records\":%u,"
		        "\"lengths\":[",
		        in->kind, in->ns, in->nr);
		for (int l = 1; l <= L; l++) {
			fprintf(f,
			        "%s{\"length\":%d,\"source\":%ld,\"released\":%ld,\"preserved\":%"
			        "ld,"
			        "\"suppressed\":%ld,\"fabricated\":%ld,\"mean_error\":{",
			        l > 1 ? "," : "", l, ls[l].src, ls[l].rel, ls[l].preserved,
			        ls[l].suppressed, ls[l].fabricated);
			for (int b = 0; b < NB; b++)
				fprintf(f, "%s\"%s\":%.3f", b ? "," : "", bucket_name[b],
				        err_n[l][b] ? err_sum[l][b] / err_n[l][b] : 0.0);
			fprintf(f, "}}");
		}
		fprintf(f, "],\"bivariate_tvd\":{");
		int first = 1;
		for (int a = 0; a < NA; a++)
			for (int b = a + 1; b < NA; b++) {
				if (L < 2)
					continue;
				fprintf(f, "%s\"%s x %s\":%.4f", first ? "" : ",",
				        ctip_rel_group_name(a), ctip_rel_group_name(b), tvd[a][b]);
				first = 0;
			}
		fprintf(f,
		        "},\"linkage_attack\":{\"records_attacked\":%ld,\"unique_matches\":%ld,"
		        "\"unique_rate\":%.6f,\"mean_posterior\":%.6f,\"posterior_threshold\":%.2f,"
		        "\"m_source\":\"%s\",\"m\":{",
		        attacked, unique, r_unique, attacked ? post_sum / attacked : 0.0,
		        CTIP_EVAL_POSTERIOR, in->m_source ? in->m_source : "defaults");
		for (int a = 0; a < NA; a++)
			fprintf(f, "%s\"%s\":%.4f", a ? "," : "", ctip_rel_group_name(a),
			        in->m[a] > 0 && in->m[a] < 1 ? in->m[a] : CTIP_EVAL_M_DEFAULT);
		fprintf(f, "}");
		if (in->src_of)
			fprintf(f, ",\"reidentified\":%ld,\"reidentification_rate\":%.6f", correct,
			        r_correct);
		fprintf(f, "}}\n");
		if (fclose(f))
			rc = ctip_err_set(e, CTIP_EIO, "%s: write error", p);
	}
	/* HTML */
	if (!rc) {
		snprintf(p, sizeof(p), "%s.evaluation.html", path);
		if (!(f = fopen(p, "w")))
			rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write", p);
	}
	if (!rc) {
		fprintf(f, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ctip release "
		           "evaluation</title><style>body{font-family:sans-serif;max-width:900px;"
		           "margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid "
		           "#ccc;padding:2px 8px;text-align:right}</style></head><body>\n");
		fprintf(f,
		        "<h1>Evaluation of a %s release</h1>\n<p>For the releasing office, not for "
		        "publication: its figures are about the source. %u source records, %u "
		        "released. Blue: source; orange: release.</p>\n",
		        in->kind, in->ns, in->nr);
		fprintf(f,
		        "<h2>Combinations of attribute values by length</h2>\n<table><tr><th>length"
		        "</th><th>source</th><th>released</th><th>preserved</th><th>suppressed</th>"
		        "<th>fabricated</th>");
		for (int b = 0; b < NB; b++)
			fprintf(f, "<th>mean error, source count %s</th>", bucket_name[b]);
		fprintf(f, "</tr>\n");
		for (int l = 1; l <= L; l++) {
			fprintf(f,
			        "<tr><td>%d</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</"
			        "td><td>%ld"
			        "</td>",
			        l, ls[l].src, ls[l].rel, ls[l].preserved, ls[l].suppressed,
			        ls[l].fabricated);
			for (int b = 0; b < NB; b++)
				fprintf(f, "<td>%.2f</td>",
				        err_n[l][b] ? err_sum[l][b] / err_n[l][b] : 0.0);
			fprintf(f, "</tr>\n");
		}
		fprintf(f, "</table>\n<svg width=\"640\" height=\"%d\" role=\"img\">\n",
		        20 + L * 40);
		for (int l = 1; l <= L; l++) {
			double tot = ls[l].src + ls[l].fabricated;
			double w1 = tot ? 500 * ls[l].preserved / tot : 0,
			       w2 = tot ? 500 * ls[l].suppressed / tot : 0,
			       w3 = tot ? 500 * ls[l].fabricated / tot : 0;
			int y = 10 + (l - 1) * 40;
			fprintf(f,
			        "<text x=\"0\" y=\"%d\" font-size=\"12\">length %d</text>"
			        "<rect x=\"70\" y=\"%d\" width=\"%.1f\" height=\"20\" "
			        "fill=\"#54a24b\"/>"
			        "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" "
			        "fill=\"#bab0ac\"/>"
			        "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" "
			        "fill=\"#e45756\"/>\n",
			        y + 15, l, y, w1, 70 + w1, y, w2, 70 + w1 + w2, y, w3);
		}
		fprintf(f, "</svg><p>green: preserved, grey: suppressed (rare in the source), red: "
		           "fabricated</p>\n<h2>Distributions of each attribute</h2>\n");
		for (int a = 0; a < NA; a++)
			if (un[a])
				svg_pairs(f, ctip_rel_group_name(a), ulab[a], ua[a], ub[a], un[a]);
		if (L >= 2) {
			fprintf(f, "<h2>Pairs of attributes: total variation distance to the "
			           "source</h2>"
			           "\n<table>");
			for (int a = 0; a < NA; a++)
				for (int b = a + 1; b < NA; b++)
					fprintf(f,
					        "<tr><td style=\"text-align:left\">%s x "
					        "%s</td><td>%.4f</td></tr>\n",
					        ctip_rel_group_name(a), ctip_rel_group_name(b),
					        tvd[a][b]);
			fprintf(f, "</table>\n");
		}
		fprintf(f,
		        "<h2>Linkage attack</h2>\n<p>Each released record (a sample of %ld) "
		        "scored by ctip's record linker (Fellegi-Sunter, m from %s) against every "
		        "registry person in its block on its released values: %ld single out one "
		        "person, the best match unique with a posterior above %.2f (%.3f%%); mean "
		        "posterior of the best %.4f",
		        attacked, in->m_source ? in->m_source : "defaults", unique,
		        CTIP_EVAL_POSTERIOR, 100 * r_unique, attacked ? post_sum / attacked : 0.0);
		if (in->src_of)
			fprintf(f, ", of which %ld the right one: re-identification rate %.3f%%",
			        correct, 100 * r_correct);
		fprintf(f, ".</p>\n</body></html>\n");
		if (fclose(f))
			rc = ctip_err_set(e, CTIP_EIO, "%s: write error", p);
	}
	for (int a = 0; a < NA; a++) {
		free(ulab[a]);
		free(ua[a]);
		free(ub[a]);
	}
	return rc;
}
