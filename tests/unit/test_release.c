/*
 * test_release.c - privacy-safe releases: the k-anonymous microdata (every class of the
 * quasi-identifiers holds k records, l distinct sensitive values with --l, a planted unique
 * person never comes out), one record per person, and the dp noise checked statistically.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "facts.h"
#include "release.h"
#include "release_agg.h"

static void add(ctip_facts *f, int64_t key, const char *date, const char *gender, int age,
                const char *cit, const char *dest, const char *province, const char *expl,
                const char *control)
{
	struct ctip_frow r = {.key = key, .date = ctip_facts_date(date), .age = age};
	ctip_err e = {0};
	const char *v[][2] = {{(const char *)(intptr_t)CTIP_D_GENDER, gender},
	                      {(const char *)(intptr_t)CTIP_D_CITIZENSHIP, cit},
	                      {(const char *)(intptr_t)CTIP_D_DEST, dest},
	                      {(const char *)(intptr_t)CTIP_D_ORIGIN, province},
	                      {(const char *)(intptr_t)CTIP_D_EXPLOIT, expl},
	                      {(const char *)(intptr_t)CTIP_D_CONTROL, control}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int d = (int)(intptr_t)v[i][0];
		if (v[i][1])
			r.v[d][r.nv[d]++] = v[i][1];
	}
	assert_int_equal(ctip_facts_add(f, CTIP_U_VICTIMS, &r, &e), 0);
}

/* 600 ordinary persons (and, homogeneous, 30 children alike) drawn from a few values, and one
 * planted person with a rare combination (Icelandic, 69, exploited in Iceland, organ removal). */
static ctip_facts *sample(int homogeneous)
{
	static const char *const gender[] = {"Feminine", "Masculine"};
	static const char *const dest[] = {"CN", "KH", "MM", "LA"};
	static const char *const prov[] = {"01", "40", "38", "79", "96"};
	static const char *const expl[] = {"ForcedLabour", "SexualExploitation", "ForcedMarriage"};
	static const char *const ctrl[] = {"DebtBondage", "FalsePromises", "PhysicalAbuse"};
	ctip_facts *f = ctip_facts_new();
	assert_non_null(f);
	uint64_t x = 7;
	for (int i = 1; i <= 600; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		unsigned r = (unsigned)(x >> 33);
		char date[16];
		snprintf(date, sizeof(date), "%d-03-01", 2019 + (int)(r % 6));
		add(f, i, date, gender[r / 7 % 2], 12 + (int)(r / 11 % 40), "VN", dest[r / 13 % 4],
		    prov[r / 17 % 5], expl[r / 19 % 3], ctrl[r / 23 % 3]);
		/* some persons in two cases: one record each all the same */
		if (i % 50 == 0)
			add(f, i, "2024-06-01", gender[r / 7 % 2], 12 + (int)(r / 11 % 40), "VN",
			    dest[r / 13 % 4], prov[r / 17 % 5], expl[r / 19 % 3], ctrl[r / 23 % 3]);
	}
	/* a class of 30 children under 9 all forced into marriage: k-anonymous, not l-diverse */
	for (int i = 0; homogeneous && i < 30; i++)
		add(f, 700 + i, "2020-04-01", "Feminine", 5, "VN", "CN", "40", "ForcedMarriage",
		    NULL);
	add(f, 999, "2021-05-05", "TransgenderMasculine", 69, "IS", "IS", "96", "OrganRemoval",
	    "UsesChildren");
	return f;
}

/* The output's lines (after the header), and the columns of the quasi-identifier groups. */
struct rows {
	char **line;
	int n;
};

static struct rows run(const ctip_facts *f, const struct ctip_rel_opts *o,
                       struct ctip_rel_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	ctip_err e = {0};
	int rc = ctip_rel_microdata(f, o, m, r, &e);
	fclose(m);
	if (rc)
		fprintf(stderr, "%s\n", e.msg);
	assert_int_equal(rc, 0);
	struct rows out = {calloc(2000, sizeof(char *)), 0};
	char *save = NULL;
	strtok_r(buf, "\n", &save); /* header */
	for (char *t = strtok_r(NULL, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
		out.line[out.n++] = strdup(t);
	free(buf);
	return out;
}

static void rows_free(struct rows *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->line[i]);
	free(r->line);
}

/* The first ncol columns of a line (the leading quasi-identifiers). */
static void prefix(const char *line, int ncol, char *out, size_t n)
{
	int c = 0;
	size_t i = 0;
	for (; line[i] && i + 1 < n; i++) {
		if (line[i] == ',' && ++c == ncol)
			break;
		out[i] = line[i];
	}
	out[i] = 0;
}

static void test_every_class_holds_k(void **state)
{
	(void)state;
	ctip_facts *f = sample(0);
	struct ctip_rel_opts o = {.k = 11, .max_supp = 0.1, .seed = 3};
	struct ctip_rel_report r;
	struct rows rows = run(f, &o, &r);
	/* one record per person: 601 persons, however many cases */
	assert_int_equal(r.source, 601);
	assert_int_equal(r.records + r.records_supp, 601);
	assert_int_equal(rows.n, r.records);
	/* every column is a quasi-identifier: identical whole lines form the classes */
	int minc = 1 << 30;
	for (int i = 0; i < rows.n; i++) {
		int c = 0;
		for (int j = 0; j < rows.n; j++)
			c += !strcmp(rows.line[i], rows.line[j]);
		if (c < minc)
			minc = c;
	}
	assert_true(minc >= 11);
	assert_int_equal(r.min_class, minc);
	/* the planted person's rare values are nowhere */
	for (int i = 0; i < rows.n; i++) {
		assert_null(strstr(rows.line[i], ",IS,"));
		assert_null(strstr(rows.line[i], "Trans/"));
	}
	assert_true(r.pros_max <= 1.0 / 11 + 1e-9);
	assert_true(r.jour_max <= r.pros_max + 1e-9);
	assert_true(r.loss > 0 && r.loss <= 1);
	rows_free(&rows);
	ctip_facts_free(f);
}

static void test_quasi_subset_and_l_diversity(void **state)
{
	(void)state;
	ctip_facts *f = sample(1);
	/* quasi: year, gender, age (the first four columns); sensitive: the exploitation flags */
	struct ctip_rel_opts o = {.k = 5,
	                          .l = 2,
	                          .quasi = 1u << CTIP_RG_YEAR | 1u << CTIP_RG_GENDER |
	                                   1u << CTIP_RG_AGE,
	                          .sens = 1u << CTIP_RG_EXPLOIT,
	                          .max_supp = 0.1,
	                          .seed = 1};
	struct ctip_rel_report r;
	struct rows rows = run(f, &o, &r);
	assert_true(rows.n > 0);
	for (int i = 0; i < rows.n; i++) {
		char qi[256], qj[256];
		prefix(rows.line[i], 4, qi, sizeof(qi));
		int c = 0, distinct = 0;
		const char *first = NULL;
		for (int j = 0; j < rows.n; j++) {
			prefix(rows.line[j], 4, qj, sizeof(qj));
			if (strcmp(qi, qj))
				continue;
			c++;
			/* the exploitation flags: columns 8..15 */
			const char *p = rows.line[j];
			for (int k = 0; k < 7; k++)
				p = strchr(p, ',') + 1;
			if (!first)
				first = p, distinct = 1;
			else if (strncmp(first, p, 16))
				distinct = 2;
		}
		assert_true(c >= 5);
		assert_true(distinct >= 2);
	}
	rows_free(&rows);
	ctip_facts_free(f);
}

static void test_fewer_than_k_refused(void **state)
{
	(void)state;
	ctip_facts *f = ctip_facts_new();
	add(f, 1, "2023-01-01", "Feminine", 20, "VN", "CN", "01", "ForcedLabour", NULL);
	struct ctip_rel_opts o = {.k = 11, .max_supp = 0.1};
	struct ctip_rel_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	ctip_err e = {0};
	assert_int_equal(ctip_rel_microdata(f, &o, m, &r, &e), CTIP_EINVAL);
	fclose(m);
	assert_int_equal(len, 0); /* nothing written */
	free(buf);
	ctip_facts_free(f);
}

/* The geometric mechanism: mean 0, variance 2a/(1-a)^2, P(0) = (1-a)/(1+a), a = exp(-eps).
 * With 200,000 draws the bounds are several standard errors wide: never flaky, and a
 * mechanism with the wrong scale (e.g. epsilon/2 or 2 epsilon) is far outside them. */
static void test_dp_noise_distribution(void **state)
{
	(void)state;
	const double eps[] = {0.5, 1.0, 2.0};
	for (int t = 0; t < 3; t++) {
		uint64_t st = 12345 + (uint64_t)t;
		const int n = 200000;
		double sum = 0, sum2 = 0;
		long zero = 0;
		for (int i = 0; i < n; i++) {
			int64_t z = ctip_dp_geometric(&st, eps[t]);
			sum += (double)z;
			sum2 += (double)z * (double)z;
			zero += z == 0;
		}
		double a = exp(-eps[t]);
		double var = 2 * a / ((1 - a) * (1 - a));
		double mean = sum / n, v = sum2 / n - mean * mean;
		double p0 = (1 - a) / (1 + a);
		assert_true(fabs(mean) < 6 * sqrt(var / n));
		assert_true(fabs(v - var) / var < 0.05);
		assert_true(fabs((double)zero / n - p0) < 0.01);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_class_holds_k),
	        cmocka_unit_test(test_quasi_subset_and_l_diversity),
	        cmocka_unit_test(test_fewer_than_k_refused),
	        cmocka_unit_test(test_dp_noise_distribution),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
