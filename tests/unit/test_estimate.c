/*
 * test_estimate.c - multiple systems estimation: SparseMSE's published result on the UK 2013
 * data (point estimate, the interactions and their order, the normal interval), the LP test
 * of MLE existence and the rank test of identifiability, a list overlapping no other, a
 * stratum with too few persons, the bootstrap's independence of the thread count, and the
 * distributions it rests on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "demo_population.h"
#include "facts.h"

/* ../shared/reference/mse/UKdat_5.csv (public, published with SparseMSE) */
static const char *ukdat5 = "\"LA\",\"NG\",\"PFNCA\",\"GO\",\"GP\",\"count\"\n"
                            "1,0,0,0,0,54\n0,1,0,0,0,463\n0,0,1,0,0,995\n0,0,0,1,0,695\n"
                            "0,0,0,0,1,316\n1,1,0,0,0,15\n1,0,1,0,0,19\n1,0,0,1,0,3\n"
                            "0,1,1,0,0,62\n0,1,0,1,0,19\n0,1,0,0,1,1\n0,0,1,1,0,76\n"
                            "0,0,1,0,1,11\n0,0,0,1,1,8\n1,1,1,0,0,1\n1,1,0,1,0,1\n"
                            "0,1,1,1,0,4\n1,1,1,1,0,1\n";

static int read_str(const char *s, struct ctip_mse_data *d, ctip_err *e)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");
	assert_non_null(f);
	int rc = ctip_mse_read_csv(f, "test.csv", d, e);
	fclose(f);
	return rc;
}

static void load_uk(struct ctip_mse_data *d)
{
	ctip_err e = {0};
	assert_int_equal(read_str(ukdat5, d, &e), 0);
}

static void test_ukdat5_stepwise(void **state)
{
	(void)state;
	struct ctip_mse_data d;
	struct ctip_mse_fit *f = malloc(sizeof *f);
	load_uk(&d);
	assert_int_equal(ctip_mse_nobs(&d), 2744);
	assert_int_equal(ctip_mse_stepwise(&d, 0.02, 0.05, f), 0);
	assert_true(f->ok);
	/* SparseMSE 2.0.1: 11,312.99; interval 9,884.4 - 13,027.4 */
	assert_true(fabs(f->total - 11312.99) < 0.5);
	assert_true(fabs(f->lo_normal - 9884.4) < 0.5);
	assert_true(fabs(f->hi_normal - 13027.4) < 0.5);
	const char *want[] = {"LA:NG", "NG:GP", "PFNCA:GP", "LA:PFNCA", "GO:GP", "NG:GO"};
	assert_int_equal(f->nadded, 6);
	for (int k = 0; k < 6; k++) {
		int i, j;
		char t[100];
		ctip_mse_pair(d.m, f->added[k], &i, &j);
		snprintf(t, sizeof t, "%s:%s", d.names[i], d.names[j]);
		assert_string_equal(t, want[k]);
	}
	free(f);
}

static void test_threshold_zero_is_main_effects(void **state)
{
	(void)state;
	struct ctip_mse_data d;
	struct ctip_mse_fit *f = malloc(sizeof *f);
	load_uk(&d);
	assert_int_equal(ctip_mse_stepwise(&d, 0, 0.05, f), 0);
	assert_true(f->ok);
	assert_int_equal(f->nadded, 0);
	assert_true(f->total > 13000 && f->total < 14000); /* 13,444 */
	free(f);
}

/* Three lists, every pair in the model: saturated, so a zero cell makes the MLE infinite. */
static void test_mle_does_not_exist(void **state)
{
	(void)state;
	struct ctip_mse_data d = {.m = 3};
	strcpy(d.names[0], "A");
	strcpy(d.names[1], "B");
	strcpy(d.names[2], "C");
	/* patterns: bit 0 A, bit 1 B, bit 2 C; B+C (6) empty, A+B+C (7) holds one */
	double y[8] = {0, 40, 30, 5, 20, 4, 0, 1};
	memcpy(d.y, y, sizeof y);
	assert_int_equal(ctip_mse_check(&d, 0), 0);
	assert_int_equal(ctip_mse_check(&d, 7), CTIP_MSE_INFINITE);
	/* with the zero filled the same model is fine */
	d.y[6] = 2;
	assert_int_equal(ctip_mse_check(&d, 7), 0);
}

/* A and B never together: their interaction leaves cells AB and ABC out; with the other two
 * interactions there are six parameters for five cells. */
static void test_not_identifiable(void **state)
{
	(void)state;
	struct ctip_mse_data d = {.m = 3};
	double y[8] = {0, 40, 30, 0, 20, 4, 6, 0};
	memcpy(d.y, y, sizeof y);
	assert_int_equal(ctip_mse_check(&d, 7) & CTIP_MSE_UNIDENTIFIABLE, CTIP_MSE_UNIDENTIFIABLE);
	assert_int_equal(ctip_mse_check(&d, 6) & CTIP_MSE_UNIDENTIFIABLE, 0);
}

/* List C shares nobody with A or B: left out, with a warning; the estimate is A and B's
 * (Lincoln-Petersen: 100 * 80 / 20 = 400). */
static void test_list_overlapping_no_other(void **state)
{
	(void)state;
	struct ctip_mse_data d = {.m = 3};
	strcpy(d.names[0], "police");
	strcpy(d.names[1], "ngo");
	strcpy(d.names[2], "shelter");
	d.y[1] = 80;
	d.y[2] = 60;
	d.y[3] = 20;
	d.y[4] = 15;
	struct ctip_mse_opts o;
	ctip_mse_opts_default(&o);
	o.nboot = 0;
	struct ctip_mse_result *r = malloc(sizeof *r);
	ctip_err e = {0};
	assert_int_equal(ctip_mse_run(&d, "", &o, r, &e), 0);
	assert_int_equal(r->data.m, 2);
	int found = 0;
	for (int w = 0; w < r->nwarn; w++)
		found |= strstr(r->warn[w], "list shelter overlaps no other list") != NULL;
	assert_true(found);
	assert_true(r->step.ok);
	assert_true(fabs(r->step.total - 400) < 0.01);
	assert_true(r->estimated);
	assert_int_equal(r->nobs, 175);
	ctip_mse_result_free(r);
	free(r);
}

static void test_too_few_persons(void **state)
{
	(void)state;
	struct ctip_mse_data d = {.m = 3};
	d.y[1] = 5;
	d.y[2] = 4;
	d.y[3] = 2;
	d.y[5] = 1;
	struct ctip_mse_opts o;
	ctip_mse_opts_default(&o);
	struct ctip_mse_result *r = malloc(sizeof *r);
	ctip_err e = {0};
	assert_int_equal(ctip_mse_run(&d, "sex=female", &o, r, &e), 0);
	assert_false(r->estimated);
	assert_int_equal(r->nwarn, 1);
	assert_non_null(strstr(r->warn[0], "too few persons"));
	ctip_mse_result_free(r);
	free(r);
}

static void test_bootstrap_threads_and_range(void **state)
{
	(void)state;
	struct ctip_mse_data d;
	load_uk(&d);
	struct ctip_mse_boot b1, b2;
	ctip_err e = {0};
	assert_int_equal(
	        ctip_mse_bootstrap(&d, CTIP_MSE_STEPWISE, 0.02, 11312.99, 300, 7, 0.05, 1, &b1, &e),
	        0);
	assert_int_equal(
	        ctip_mse_bootstrap(&d, CTIP_MSE_STEPWISE, 0.02, 11312.99, 300, 7, 0.05, 2, &b2, &e),
	        0);
	assert_true(b1.lo == b2.lo && b1.hi == b2.hi && b1.ahat == b2.ahat);
	assert_int_equal(b1.failed, 0);
	/* SparseMSE: 8,785 - 14,700 with 1,000 replicates; generous Monte Carlo bounds */
	assert_true(b1.lo > 7500 && b1.lo < 10500);
	assert_true(b1.hi > 13000 && b1.hi < 19000);
	assert_true(b1.lo < 11312.99 && b1.hi > 11312.99);
	ctip_mse_boot_free(&b1);
	ctip_mse_boot_free(&b2);
}

static void test_distributions(void **state)
{
	(void)state;
	assert_true(fabs(ctip_qnorm(0.975) - 1.959963984540054) < 1e-12);
	assert_true(fabs(ctip_qnorm(0.001) + 3.090232306167813) < 1e-10);
	assert_true(fabs(ctip_pnorm(-1.5) - 0.0668072012688581) < 1e-12);
	assert_true(fabs(ctip_ppois_le(3, 5.5) - 0.2016991987025286) < 1e-12);
	assert_true(fabs(ctip_ppois_ge(9, 5.5) - 0.1056433221924138) < 1e-12);
	assert_true(ctip_ppois_ge(0, 2) == 1 && ctip_ppois_le(-1, 2) == 0);
	double x[] = {1, 2, 3, 4, 5};
	assert_true(fabs(ctip_quantile8(x, 5, 0.5) - 3) < 1e-12);
	/* R: quantile(1:5, 0.1, type = 8) = 1 */
	assert_true(fabs(ctip_quantile8(x, 5, 0.1) - 1) < 1e-12);
	/* type 8 at 0.25: 1/3 + 0.25 * (5 + 1/3) = 1.667 -> between x1 and x2 */
	assert_true(fabs(ctip_quantile8(x, 5, 0.25) - 1.6666666667) < 1e-9);
}

static void test_csv_errors(void **state)
{
	(void)state;
	struct ctip_mse_data d;
	ctip_err e = {0};
	assert_int_not_equal(read_str("A,B,count\n1,0,5\n1,2,3\n", &d, &e), 0);
	assert_int_equal(e.line, 3);
	assert_string_equal(e.field, "B");
	ctip_err_clear(&e);
	assert_int_not_equal(read_str("A,B,count\n1,0,five\n", &d, &e), 0);
	assert_string_equal(e.field, "count");
	ctip_err_clear(&e);
	assert_int_not_equal(read_str("A,B,count\n0,0,5\n", &d, &e), 0);
	ctip_err_clear(&e);
	assert_int_not_equal(read_str("A,count\n1,5\n", &d, &e), 0);
	ctip_err_clear(&e);
	assert_int_equal(read_str("A,B,count\n1,0,5\n1,0,3\n1,1,2\n", &d, &e), 0);
	assert_true(d.y[1] == 8 && d.y[3] == 2);
}

/* The dual LP (used) and SparseMSE's primal agree on random sparse tables and models. */
static void test_lp_dual_agrees_with_primal(void **state)
{
	(void)state;
	struct ctip_rng g;
	ctip_rng_seed(&g, 42, 0);
	int disagree = 0, infinite = 0;
	for (int t = 0; t < 300; t++) {
		struct ctip_mse_data d = {.m = 3 + t % 3};
		for (int c = 1; c < (1 << d.m); c++)
			d.y[c] = ctip_rng_unif(&g) < 0.45 ? 1 + (int)(ctip_rng_unif(&g) * 5) : 0;
		uint64_t model = 0;
		for (int p = 0; p < ctip_mse_npairs(d.m); p++)
			if (ctip_rng_unif(&g) < 0.5)
				model |= 1ULL << p;
		int a = ctip_mse_check(&d, model), b = ctip_mse_check_primal(&d, model);
		disagree += a != b;
		infinite += (a & CTIP_MSE_INFINITE) != 0;
	}
	assert_int_equal(disagree, 0);
	assert_true(infinite > 20 && infinite < 280); /* both answers were exercised */
}

static void add_row(ctip_facts *f, int64_t key, const char *date, const char *org,
                    const char *gender)
{
	struct ctip_frow r = {.key = key, .date = ctip_facts_date(date), .age = 30};
	ctip_err e = {0};
	r.v[CTIP_D_ORG_TYPE][0] = org;
	r.nv[CTIP_D_ORG_TYPE] = 1;
	r.v[CTIP_D_ORG][0] = org;
	r.nv[CTIP_D_ORG] = 1;
	r.v[CTIP_D_GENDER][0] = gender;
	r.nv[CTIP_D_GENDER] = gender ? 1 : 0;
	assert_int_equal(ctip_facts_add(f, CTIP_U_VICTIMS, &r, &e), 0);
}

/* Histories from the statistics snapshot: a person's rows make one history; strata by the
 * person's gender; a period leaves rows out; a stratum with few persons gets no number. */
static void test_histories_from_facts(void **state)
{
	(void)state;
	ctip_facts *f = ctip_facts_new();
	const char *orgs[] = {"Police", "NGO", "BorderGuard"};
	int64_t key = 1;
	for (int i = 0; i < 60; i++, key++) { /* 60 women on varied lists */
		int pat = 1 + i % 7;
		for (int l = 0; l < 3; l++)
			if (pat >> l & 1)
				add_row(f, key, l == 2 ? "2022-03-01" : "2023-05-01", orgs[l],
				        "Feminine");
	}
	for (int i = 0; i < 8; i++, key++) /* 8 men */
		add_row(f, key, "2023-01-01", orgs[i % 2], "Masculine");
	struct ctip_mse_reg q = {.lists = CTIP_MSE_LISTS_ORG_TYPE, .nby = 1, .by = {CTIP_D_GENDER}};
	struct ctip_mse_reg_out o;
	ctip_err e = {0};
	assert_int_equal(ctip_mse_histories(f, &q, &o, &e), 0);
	assert_int_equal(o.m, 3);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.label[0], "gender=Feminine");
	assert_int_equal((int)ctip_mse_nobs(&o.data[0]), 60);
	assert_int_equal((int)o.data[0].y[7], 8); /* on all three: i % 7 == 6 */
	assert_int_equal((int)ctip_mse_nobs(&o.data[1]), 8);
	struct ctip_mse_opts opt;
	ctip_mse_opts_default(&opt);
	opt.nboot = 0;
	struct ctip_mse_result *r = malloc(sizeof *r);
	assert_int_equal(ctip_mse_run(&o.data[1], o.label[1], &opt, r, &e), 0);
	assert_false(r->estimated);
	assert_non_null(strstr(r->warn[0], "too few persons"));
	ctip_mse_result_free(r);
	free(r);
	ctip_mse_reg_out_free(&o);
	/* 2023 only: the border guard's rows (2022) are outside */
	struct ctip_mse_reg q2 = {
	        .lists = CTIP_MSE_LISTS_ORG_TYPE, .from = 20230101, .to = 20231231};
	assert_int_equal(ctip_mse_histories(f, &q2, &o, &e), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.m, 2);
	assert_int_equal(o.persons, 8 + 60 - 60 / 7 - (60 % 7 >= 4 ? 1 : 0));
	ctip_mse_reg_out_free(&o);
	ctip_facts_free(f);
}

/* MultipleSystemsEstimation's user guide, Korea (three lists): the BIC method chooses
 * [12,23], abundance 157.1667, BIC 57.14081; the main-effects model has BIC 184.14431. */
static void test_bic_korea(void **state)
{
	(void)state;
	struct ctip_mse_data d;
	ctip_err e = {0};
	assert_int_equal(read_str("b,c,d,Count\n0,0,1,41\n0,1,0,5\n1,0,0,5\n1,1,0,54\n1,0,1,6\n"
	                          "0,1,1,0\n1,1,1,12\n",
	                          &d, &e),
	                 0);
	struct ctip_mse_fit *f = malloc(sizeof *f);
	assert_int_equal(ctip_mse_bic(&d, 0.05, f), 0);
	assert_true(f->ok);
	assert_true(f->model == 5); /* pairs (1,2) and (2,3) */
	assert_true(fabs(f->total - 157.1667) < 0.001);
	assert_true(fabs(f->bic - 57.14081) < 0.0001);
	assert_int_equal(ctip_mse_fit_model(&d, 0, 0.05, f), 0);
	assert_true(fabs(f->bic - 184.14431) < 0.0001);
	/* the ranking: [12,23] 57.14, [12,3] 58.97, [13,23] 91.90, [23,1] 138.06 */
	uint64_t top[4];
	int n = 0;
	assert_int_equal(ctip_mse_bic_top(&d, 4, top, &n), 0);
	assert_int_equal(n, 4);
	assert_true(top[0] == 5 && top[1] == 1 && top[2] == 6 && top[3] == 4);
	assert_int_equal(ctip_mse_bic_among(&d, top + 1, 3, 0.05, f), 0);
	assert_true(f->ok && f->model == 1 && fabs(f->total - 268.7778) < 0.001);
	free(f);
}

/* Three-list terms: their numbering, and a fit with them checked against the closed form of
 * the saturated model of four lists (every term but the four-list one: the dark figure is the
 * product of the counts of odd patterns over that of even ones). */
static void test_triples_saturated(void **state)
{
	(void)state;
	assert_int_equal(ctip_mse_ntriples(3), 0);
	assert_int_equal(ctip_mse_ntriples(4), 4);
	assert_int_equal(ctip_mse_ntriples(5), 10);
	assert_int_equal(ctip_mse_ntriples(6), 20);
	assert_int_equal(ctip_mse_ntriples(7), 0);
	int l[3];
	assert_int_equal(ctip_mse_term(5, 10, l), 3); /* the first triple: (0,1,2) */
	assert_true(l[0] == 0 && l[1] == 1 && l[2] == 2);
	assert_int_equal(ctip_mse_term(5, 19, l), 3); /* the last: (2,3,4) */
	assert_true(l[0] == 2 && l[1] == 3 && l[2] == 4);
	assert_int_equal(ctip_mse_term(5, 9, l), 2);
	assert_true(l[0] == 3 && l[1] == 4);
	struct ctip_mse_data d = {.m = 4};
	double odd = 1, even = 1;
	for (int c = 1; c < 16; c++) {
		d.y[c] = 5 + (c * 37) % 23; /* all positive: the MLE exists */
		if (__builtin_popcount((unsigned)c) % 2)
			odd *= d.y[c];
		else
			even *= d.y[c];
	}
	struct ctip_mse_fit *f = malloc(sizeof *f);
	uint64_t sat = 0x3f | 0xfULL << 6;
	assert_int_equal(ctip_mse_check(&d, sat), 0);
	assert_int_equal(ctip_mse_fit_model(&d, sat, 0.05, f), 0);
	assert_true(f->ok);
	assert_int_equal(f->df, 0);
	assert_true(fabs(f->dark - odd / even) < 1e-6 * (odd / even));
	for (int c = 1; c < 16; c++)
		assert_true(fabs(f->mu[c] - d.y[c]) < 1e-6);
	free(f);
}

/* Four lists drawn from a model with a strong three-list interaction (lists 0, 1, 2: a
 * network that refers the same persons to three agencies): BIC over two-list models alone
 * misses it; with three-list terms it chooses the triple, with its three pairs, and the
 * estimate comes near the truth. A triple with nobody on all three lists is never chosen. */
static void test_bic_three_list_terms(void **state)
{
	(void)state;
	struct ctip_mse_data d = {.m = 4, .names = {"A", "B", "C", "D"}};
	double lam0 = log(6000), p[4] = {-1.6, -1.9, -1.4, -2.0}, u01 = 0.6, u02 = 0.5, u12 = 0.4,
	       u012 = 1.3;
	for (int c = 1; c < 16; c++) {
		double eta = lam0;
		for (int i = 0; i < 4; i++)
			if (c >> i & 1)
				eta += p[i];
		int a = c & 1, b = c >> 1 & 1, e = c >> 2 & 1;
		eta += u01 * a * b + u02 * a * e + u12 * b * e + u012 * a * b * e;
		d.y[c] = round(exp(eta)); /* the expected counts: no sampling noise */
	}
	struct ctip_mse_fit *f = malloc(sizeof *f);
	assert_int_equal(ctip_mse_bic(&d, 0.05, f), 0);
	assert_true(f->ok);
	uint64_t t012 = 1ULL << 6; /* triple 0 of four lists: (0,1,2) */
	assert_true(f->model & t012);
	/* its pairs (0,1) (0,2) (1,2): bits 0, 1, 3 */
	assert_true((f->model & 1) && (f->model & 2) && (f->model & 8));
	assert_true(fabs(f->total - (ctip_mse_nobs(&d) + 6000)) < 0.02 * 6000);
	char txt[256];
	ctip_mse_model_text(&d, f, txt, sizeof txt);
	assert_non_null(strstr(txt, "A:B:C"));
	/* nobody on lists 0, 1 and 2 together: the triple is left out */
	d.y[7] = d.y[15] = 0;
	assert_int_equal(ctip_mse_bic(&d, 0.05, f), 0);
	assert_true(f->ok);
	assert_false(f->model & t012);
	/* every chosen triple comes with its three pairs, on the UK data as well */
	load_uk(&d);
	assert_int_equal(ctip_mse_bic(&d, 0.05, f), 0);
	assert_true(f->ok);
	for (int t = 0; t < ctip_mse_ntriples(5); t++) {
		if (!(f->model >> (10 + t) & 1))
			continue;
		int l[3];
		ctip_mse_triple(5, t, &l[0], &l[1], &l[2]);
		for (int q = 0; q < 10; q++) {
			int i, j;
			ctip_mse_pair(5, q, &i, &j);
			if ((i == l[0] || i == l[1] || i == l[2]) &&
			    (j == l[0] || j == l[1] || j == l[2]))
				assert_true(f->model >> q & 1);
		}
	}
	free(f);
}

/* Two latent classes, 5,000 persons (the counts of one draw of the model): the posterior
 * interval holds the truth, and a seed gives the same draws. */
static void test_lcm_recovers_latent_classes(void **state)
{
	(void)state;
	struct ctip_mse_data d = {.m = 5};
	struct ctip_rng g;
	ctip_rng_seed(&g, 5, 1);
	for (int i = 0; i < 5000; i++) {
		int hi = ctip_rng_unif(&g) < 0.5;
		const double p[2][5] = {{0.15, 0.2, 0.1, 0.25, 0.15}, {0.3, 0.3, 0.3, 0.3, 0.3}};
		int c = 0;
		for (int j = 0; j < 5; j++)
			c |= (ctip_rng_unif(&g) < p[hi][j]) << j;
		d.y[c] += c != 0;
	}
	struct ctip_mse_lcm r = {.K = 10, .iters = 4000, .burnin = 1000}, r2 = r;
	ctip_err e = {0};
	assert_int_equal(ctip_mse_lcm(&d, 3, 0.05, &r, &e), 0);
	assert_int_equal(r.why[0], 0);
	assert_int_equal(r.nsamples, 3000);
	assert_true(r.lo < 5000 && r.hi > 5000);
	assert_true(r.median > 4500 && r.median < 5600);
	assert_int_equal(ctip_mse_lcm(&d, 3, 0.05, &r2, &e), 0);
	assert_true(r.median == r2.median && r.lo == r2.lo && r.hi == r2.hi);
}

/* The simulated population: only the detected are written, the truth says the total. */
static void test_demo_population(void **state)
{
	(void)state;
	char *buf = NULL, *tbuf = NULL;
	size_t len = 0, tlen = 0;
	FILE *out = open_memstream(&buf, &len), *truth = open_memstream(&tbuf, &tlen);
	long detected = 0, records = 0;
	struct ctip_demo_pop_opts o = {.population = 3000,
	                               .lists = 4,
	                               .seed = 9,
	                               .year = 2024,
	                               .heterogeneity = 1,
	                               .detected = &detected,
	                               .records = &records};
	ctip_err e = {0};
	assert_int_equal(ctip_demo_population(&o, out, truth, &e), 0);
	fclose(out);
	fclose(truth);
	assert_true(detected > 300 && detected < 3000);
	assert_true(records >= detected);
	long lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, records + 1);
	assert_int_equal(strncmp(tbuf, "# population=3000 lists=4", 25), 0);
	o.lists = 11;
	assert_int_not_equal(ctip_demo_population(&o, stdout, NULL, &e), 0);
	free(buf);
	free(tbuf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ukdat5_stepwise),
	        cmocka_unit_test(test_threshold_zero_is_main_effects),
	        cmocka_unit_test(test_mle_does_not_exist),
	        cmocka_unit_test(test_not_identifiable),
	        cmocka_unit_test(test_list_overlapping_no_other),
	        cmocka_unit_test(test_too_few_persons),
	        cmocka_unit_test(test_bootstrap_threads_and_range),
	        cmocka_unit_test(test_distributions),
	        cmocka_unit_test(test_csv_errors),
	        cmocka_unit_test(test_lp_dual_agrees_with_primal),
	        cmocka_unit_test(test_histories_from_facts),
	        cmocka_unit_test(test_bic_korea),
	        cmocka_unit_test(test_triples_saturated),
	        cmocka_unit_test(test_bic_three_list_terms),
	        cmocka_unit_test(test_lcm_recovers_latent_classes),
	        cmocka_unit_test(test_demo_population),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	ctip_mse_check_thread_done();
	return rc;
}
