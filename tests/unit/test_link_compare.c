/*
 * test_link_compare.c - the comparisons of record linkage: Jaro-Winkler,
 * names (order, middle names, diacritics via folding), birth dates (swaps,
 * two-digit and year-only), document numbers (transposition, misreading),
 * phones in E.164, provinces and gender, countries of exploitation; the
 * pattern of two prepared records read back level by level (lk_level).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "link_compare.h"
#include "link_prep.h"
#include "link_retraffic.h"
#include "text.h"

static double jws(const char *a, const char *b)
{
	return ctip_jaro_winkler(a, strlen(a), b, strlen(b));
}

static void test_jaro_winkler(void **state)
{
	(void)state;
	/* the textbook values */
	assert_true(jws("martha", "marhta") > 0.9610 && jws("martha", "marhta") < 0.9612);
	assert_true(jws("dwayne", "duane") > 0.8399 && jws("dwayne", "duane") < 0.8401);
	assert_true(jws("dixon", "dicksonx") > 0.8132 && jws("dixon", "dicksonx") < 0.8134);
	assert_true(jws("abc", "abc") == 1.0);
	assert_true(jws("abc", "xyz") == 0.0);
	assert_true(jws("", "abc") == 0.0);
}

static char *fold(const char *s)
{
	char *f = ctip_text_fold(s);
	assert_non_null(f);
	return f;
}

static void test_names(void **state)
{
	(void)state;
	char *a = fold("Nguyễn"), *b = fold("NGUYEN"), *c = fold("Hùng"), *d = fold("Hung"),
	     *t = fold("Hunng"), *x = fold("Trần");
	assert_int_equal(ctip_lk_name(a, b), LK_NAME_EXACT);
	assert_int_equal(ctip_lk_name(c, d), LK_NAME_EXACT);
	assert_int_equal(ctip_lk_name(c, t), LK_NAME_CLOSE);
	/* one letter deleted, replaced or two swapped in a short name is close */
	assert_int_equal(ctip_lk_name("hung", "hng"), LK_NAME_CLOSE);
	assert_int_equal(ctip_lk_name("hung", "hunh"), LK_NAME_CLOSE);
	assert_int_equal(ctip_lk_name("hung", "hugn"), LK_NAME_CLOSE);
	assert_int_equal(ctip_lk_name("lan", "lam"), LK_NAME_CLOSE);
	assert_int_equal(ctip_lk_name("hung", "hoa"), LK_NAME_DIFF);
	assert_int_equal(ctip_lk_name("an", "ai"), LK_NAME_DIFF);
	assert_int_equal(ctip_lk_name(a, x), LK_NAME_DIFF);
	assert_int_equal(ctip_lk_name(a, NULL), LK_MISSING);
	assert_int_equal(ctip_lk_name(a, ""), LK_MISSING);
	/* given name first in one record, family name first in the other */
	assert_true(ctip_lk_swapped(a, c, d, b));
	assert_false(ctip_lk_swapped(a, c, b, d));
	assert_true(ctip_lk_swapped(a, t, c, a));
	/* a dropped middle name is missing, not a disagreement */
	char *m = fold("Văn"), *m2 = fold("Van"), *m3 = fold("Thị");
	assert_int_equal(ctip_lk_middle(m, m2), LK_MID_EXACT);
	assert_int_equal(ctip_lk_middle(m, ""), LK_MISSING);
	assert_int_equal(ctip_lk_middle(m, m3), LK_MID_DIFF);
	free(a), free(b), free(c), free(d), free(t), free(x), free(m), free(m2), free(m3);
}

static int dl(const char *a, const char *b)
{
	return ctip_lk_date(ctip_lk_date_parse(a), ctip_lk_date_parse(b));
}

static void test_dates(void **state)
{
	(void)state;
	struct ctip_lk_date d = ctip_lk_date_parse("1995-03-07");
	assert_int_equal(d.y, 1995);
	assert_int_equal(d.m, 3);
	assert_int_equal(d.d, 7);
	d = ctip_lk_date_parse("07/03/95");
	assert_int_equal(d.y, 1995);
	assert_int_equal(d.yy, 1);
	assert_int_equal(ctip_lk_date_parse("1995-13").y, 0);
	assert_int_equal(ctip_lk_date_parse("x").y, 0);
	assert_int_equal(ctip_lk_date_parse("1995-03-07x").y, 0);
	assert_int_equal(dl("1995-03-07", "1995-03-07"), LK_DATE_EXACT);
	assert_int_equal(dl("1995-03-07", "1995-07-03"), LK_DATE_CLOSE); /* day/month swap */
	assert_int_equal(dl("1995-03-07", "1996-03-07"), LK_DATE_CLOSE); /* year off by one */
	assert_int_equal(dl("1995-03-07", "07/03/95"), LK_DATE_CLOSE);   /* two-digit year */
	assert_int_equal(dl("1995-03-07", "1995"), LK_DATE_PARTIAL);     /* year only */
	assert_int_equal(dl("1995-03-07", "1995-03"), LK_DATE_PARTIAL);
	assert_int_equal(dl("1995-03", "1995-04"), LK_DATE_YEAR1);
	assert_int_equal(dl("1995", "1996-01-01"), LK_DATE_YEAR1);
	assert_int_equal(dl("1995-03-07", "1988-03-07"), LK_DATE_DIFF);
	assert_int_equal(dl("1995-03-07", ""), LK_MISSING);
	assert_int_equal(dl(NULL, "1995"), LK_MISSING);
}

static int docs(const char *a, const char *b)
{
	struct ctip_lk_doc x = ctip_lk_doc_norm(a), y = ctip_lk_doc_norm(b);
	return ctip_lk_docs(&x, 1, &y, 1);
}

static void test_documents(void **state)
{
	(void)state;
	assert_int_equal(ctip_lk_doc_norm("c 123-4567").len, 8);
	assert_string_equal(ctip_lk_doc_norm("c 123-4567").s, "C1234567");
	assert_int_equal(docs("001095012345", "001095012345"), LK_ID_EXACT);
	assert_int_equal(docs("001095012345", "001095012354"), LK_ID_CLOSE); /* transposed */
	assert_int_equal(docs("001095012345", "001095812345"), LK_ID_CLOSE); /* misread digit */
	assert_int_equal(docs("C1234567", "C12345G7"), LK_ID_CLOSE);         /* 6 read as G */
	assert_int_equal(docs("B1234567", "81234567"),
	                 LK_MISSING); /* letter vs digit: other kind */
	assert_int_equal(docs("001095012345", "001095099999"), LK_ID_DIFF);
	assert_int_equal(docs("001095012345", "123456789"), LK_MISSING); /* CCCD vs CMND */
	assert_int_equal(docs("001095012345", ""), LK_MISSING);
	/* one of several documents agrees */
	struct ctip_lk_doc a[2] = {ctip_lk_doc_norm("123456789"), ctip_lk_doc_norm("C7654321")};
	struct ctip_lk_doc b[1] = {ctip_lk_doc_norm("C7654321")};
	assert_int_equal(ctip_lk_docs(a, 2, b, 1), LK_ID_EXACT);
}

static void test_phones_codes(void **state)
{
	(void)state;
	uint64_t p = ctip_lk_phone("+84912345678");
	assert_true(p == 84912345678ull);
	assert_true(ctip_lk_phone("0912 345 678") == p);
	assert_true(ctip_lk_phone("0912.345.678") == p);
	assert_true(ctip_lk_phone("84 912 345 678") == p);
	assert_true(ctip_lk_phone("abc") == 0);
	assert_true(ctip_lk_phone("12") == 0);
	uint64_t q = ctip_lk_phone("0987654321");
	assert_int_equal(ctip_lk_phones(&p, 1, &p, 1), LK_ID_EXACT);
	assert_int_equal(ctip_lk_phones(&p, 1, &q, 1), LK_ID_DIFF);
	assert_int_equal(ctip_lk_phones(&p, 1, &q, 0), LK_MISSING);
	assert_int_equal(ctip_lk_eq(38, 38), LK_EQ_SAME);
	assert_int_equal(ctip_lk_eq(38, 1), LK_EQ_DIFF);
	assert_int_equal(ctip_lk_eq(0, 1), LK_MISSING);
	assert_int_equal(ctip_lk_gender("Feminine"), 1);
	assert_int_equal(ctip_lk_gender("Masculine"), 2);
	assert_int_equal(ctip_lk_gender("NonSpecifiedUnknown"), 0);
	assert_int_equal(ctip_lk_gender(NULL), 0);
}

static void test_period(void **state)
{
	(void)state;
	int32_t a = ctip_lk_ordinal("2021-03-05", 0), b = ctip_lk_ordinal("2021-09-30", 1);
	assert_true(a > 0 && b > a);
	assert_true(ctip_lk_ordinal("2021", 0) < a && ctip_lk_ordinal("2021", 1) > b);
	assert_int_equal(ctip_lk_ordinal("", 0), 0);
	assert_int_equal(ctip_lk_period(a, b, a, 0), LK_PER_SAME);
	assert_int_equal(ctip_lk_period(a, b, ctip_lk_ordinal("2021-06", 0), 0), LK_PER_OVERLAP);
	assert_int_equal(ctip_lk_period(a, b, ctip_lk_ordinal("2023-01-01", 0), 0),
	                 LK_PER_DISJOINT);
	assert_int_equal(ctip_lk_period(a, b, 0, 0), LK_MISSING);
}

static void test_episodes(void **state)
{
	(void)state;
	/* one episode told by three organisations (periods overlap, partial dates widened) */
	struct ctip_victim_case one[3] = {{.start = "2021", .end = "2021"},
	                                  {.start = "2021-03-01", .end = "2021-09-30"},
	                                  {.start = "2021-09", .end = NULL}};
	assert_int_equal(ctip_link_episodes(one, 3), 1);
	/* trafficked again after returning */
	struct ctip_victim_case two[3] = {{.start = NULL, .end = NULL},
	                                  {.start = "2019-05-01", .end = "2020-01-10"},
	                                  {.start = "2022-02-03", .end = "2022-06-01"}};
	assert_int_equal(ctip_link_episodes(two, 3), 2);
	assert_int_equal(ctip_link_episodes(two, 1), 0);
	/* a start the day after the end is a new episode; on the end day it is not */
	struct ctip_victim_case edge[2] = {{.start = "2020-01-01", .end = "2020-02-01"},
	                                   {.start = "2020-02-01", .end = "2020-03-01"}};
	assert_int_equal(ctip_link_episodes(edge, 2), 1);
	edge[1].start = "2020-02-02";
	assert_int_equal(ctip_link_episodes(edge, 2), 2);
}

static void test_countries(void **state)
{
	(void)state;
	const uint32_t kh[1] = {5}, cn_kh[2] = {7, 5}, vn[1] = {9}, my_th[2] = {11, 12};
	assert_int_equal(ctip_lk_countries(kh, 1, kh, 1), LK_CTRY_SHARED);
	/* one of two in common is enough (the same episode told with another country too) */
	assert_int_equal(ctip_lk_countries(cn_kh, 2, kh, 1), LK_CTRY_SHARED);
	assert_int_equal(ctip_lk_countries(kh, 1, cn_kh, 2), LK_CTRY_SHARED);
	assert_int_equal(ctip_lk_countries(kh, 1, vn, 1), LK_CTRY_DIFF);
	assert_int_equal(ctip_lk_countries(cn_kh, 2, my_th, 2), LK_CTRY_DIFF);
	/* unknown on either side: missing, never "different" */
	assert_int_equal(ctip_lk_countries(kh, 1, NULL, 0), LK_MISSING);
	assert_int_equal(ctip_lk_countries(NULL, 0, kh, 1), LK_MISSING);
	assert_int_equal(ctip_lk_countries(NULL, 0, NULL, 0), LK_MISSING);
}

/* One prepared record. */
static void prep(struct lk_data *d, int64_t id, const char *org, const char *fam, const char *giv,
                 const char *birth, const char *start, const char *countries)
{
	struct ctip_link_input in;
	memset(&in, 0, sizeof(in));
	in.id = id;
	in.org = org;
	in.src_record_id = "r";
	in.family = fam;
	in.given = giv;
	in.birth = birth;
	in.gender = "Feminine";
	in.province_2025 = "40";
	in.expl_start = start;
	in.expl_countries = countries;
	assert_int_equal(lk_data_add(d, &in), 0);
}

static void test_pattern(void **state)
{
	(void)state;
	struct lk_data d;
	lk_data_init(&d);
	prep(&d, 1, "A", "Lò", "Mai", "1990-02-03", "2021-03", "KH;CN;KH"); /* KH once */
	prep(&d, 2, "B", "Mai", "Lò", "1990-02-03", "2021-03", " cn ");     /* crossed names */
	prep(&d, 3, "A", "Lò", "Mai", "1990", "2019-01", "VN");
	prep(&d, 4, "B", "Lò", "Mai", NULL, NULL, NULL);
	prep(&d, 5, "A", "Lò", "Mai", NULL, NULL, ";;");
	assert_int_equal(d.r[0].nctry, 2);
	assert_int_equal(d.r[1].nctry, 1);
	assert_int_equal(d.r[4].nctry, 0);

	/* every level read back where it was put, the country's beside the others */
	lk_pat p = lk_compare(&d, &d.r[0], &d.r[1]);
	assert_int_equal(lk_level(p, C_FAMILY), LK_NAME_EXACT);
	assert_int_equal(lk_level(p, C_GIVEN), LK_NAME_EXACT);
	assert_int_equal(lk_level(p, C_MIDDLE), LK_MISSING);
	assert_int_equal(lk_level(p, C_BIRTH), LK_DATE_EXACT);
	assert_int_equal(lk_level(p, C_DOC), LK_MISSING);
	assert_int_equal(lk_level(p, C_PROV), LK_EQ_SAME);
	assert_int_equal(lk_level(p, C_PERIOD), LK_PER_SAME);
	assert_int_equal(lk_level(p, C_COUNTRY), LK_CTRY_SHARED);
	assert_int_equal(lk_level(p, C_ORG), 1);
	assert_int_equal(lk_crossed(p), 1);

	p = lk_compare(&d, &d.r[0], &d.r[2]);
	assert_int_equal(lk_level(p, C_PERIOD), LK_PER_DISJOINT);
	assert_int_equal(lk_level(p, C_COUNTRY), LK_CTRY_DIFF);
	assert_int_equal(lk_level(p, C_ORG), 0);
	assert_int_equal(lk_crossed(p), 0);
	assert_int_equal(lk_level(p, C_BIRTH), LK_DATE_PARTIAL);

	/* unknown countries: missing, whatever the other record holds */
	p = lk_compare(&d, &d.r[0], &d.r[3]);
	assert_int_equal(lk_level(p, C_COUNTRY), LK_MISSING);
	assert_int_equal(lk_level(p, C_PERIOD), LK_MISSING);
	p = lk_compare(&d, &d.r[4], &d.r[2]);
	assert_int_equal(lk_level(p, C_COUNTRY), LK_MISSING);
	lk_data_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_jaro_winkler), cmocka_unit_test(test_names),
	        cmocka_unit_test(test_dates),        cmocka_unit_test(test_documents),
	        cmocka_unit_test(test_phones_codes), cmocka_unit_test(test_episodes),
	        cmocka_unit_test(test_period),       cmocka_unit_test(test_countries),
	        cmocka_unit_test(test_pattern),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
