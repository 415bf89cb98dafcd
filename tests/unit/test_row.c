/*
 * test_row.c - the reference data and row validation: every spelling a user
 * may type becomes one canonical value; every bad value is refused with its
 * column named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "refdata.h"
#include "row.h"

static ctip_ref *ref;

static int setup(void **st)
{
	ctip_err e = {0};
	ref = ctip_ref_new();
	if (ctip_ref_load_embedded(ref, &e)) {
		ctip_err_print(&e, stderr);
		return -1;
	}
	return 0;
}

static int teardown(void **st)
{
	ctip_ref_free(ref);
	return 0;
}

static void lookup_is(const char *vocab, const char *text, const char *code)
{
	const struct ctip_ref_entry *en = ctip_ref_lookup(ref, vocab, text);
	if (!code) {
		if (en)
			fail_msg("%s '%s' should be unknown, got %s", vocab, text, en->code);
		return;
	}
	if (!en)
		fail_msg("%s '%s' not found", vocab, text);
	assert_string_equal(en->code, code);
}

static void test_reference_lookups(void **st)
{
	lookup_is("gender", "nữ", "Feminine");
	lookup_is("gender", "NU", "Feminine");
	lookup_is("gender", "male", "Masculine");
	lookup_is("country", "Việt Nam", "VN");
	lookup_is("country", "viet nam", "VN");
	lookup_is("country", "VNM", "VN");
	lookup_is("country", "Campuchia", "KH");
	lookup_is("country", "Áo", "AT");  /* Áo is Austria in Vietnamese ... */
	lookup_is("country", "AO", "AO");  /* ... and AO Angola's code */
	lookup_is("country", "Nga", "RU"); /* Nga is Russia; NGA Nigeria's alpha-3 */
	lookup_is("country", "NGA", "NG");
	lookup_is("country", "vn", "VN");
	lookup_is("province_2008", "nghe an", "40");
	lookup_is("province_2008", "THỪA THIÊN HUẾ", "46");
	lookup_is("province_2008", "Sai Gon", "79");
	lookup_is("labour_industry", "F_Construction", "F_Construction");
	lookup_is("labour_industry", "construction", "F_Construction");
	lookup_is("gender", "robot", NULL);
}

static void test_provinces_map_to_2025(void **st)
{
	const struct ctip_ref_entry **all;
	int n = ctip_ref_list(ref, "province_2008", &all);
	assert_int_equal(n, 63);
	for (int i = 0; i < n; i++)
		if (!ctip_ref_get(ref, "province_2025", all[i]->extra))
			fail_msg("province %s maps to unknown 2025 code '%s'", all[i]->code,
			         all[i]->extra);
	free(all);
	assert_int_equal(ctip_ref_list(ref, "province_2025", &all), 34);
	free(all);
	/* Hà Giang became part of Tuyên Quang */
	assert_string_equal(ctip_ref_lookup(ref, "province_2008", "Hà Giang")->extra,
	                    ctip_ref_lookup(ref, "province_2025", "Tuyên Quang")->code);
}

static int canon(ctip_row *r, char *diag, size_t n)
{
	FILE *f = fmemopen(diag, n, "w");
	ctip_diags d = {.out = f, .file = "t.csv"};
	int errs = ctip_row_canon(r, ref, &d);
	fclose(f);
	return errs;
}

static void test_canonical_row(void **st)
{
	ctip_row r;
	char diag[4096] = "";
	ctip_row_init(&r);
	r.line = 7;
	ctip_row_set(&r, CF_SRC_ORG, "  Org  A ");
	ctip_row_set(&r, CF_SRC_RECORD, "R-1");
	ctip_row_set(&r, CF_GENDER, "female");
	ctip_row_set(&r, CF_CITIZENSHIP, "viet nam;VN;Trung Quốc");
	ctip_row_set(&r, CF_PROVINCE, "ha giang");
	ctip_row_set(&r, CF_MOBILE, "0912 345 678");
	ctip_row_set(&r, CF_BIRTH, "19900105");
	ctip_row_set(&r, CF_EXPLOITATION, "forced labour;ForcedLabour");
	ctip_row_set(&r, CF_EV_TYPE, "Recruitment;Transit");
	ctip_row_set(&r, CF_EV_DATE, "2019;");
	ctip_row_set(&r, CF_CONSENT, "có");
	assert_int_equal(canon(&r, diag, sizeof(diag)), 0);
	assert_string_equal(r.v[CF_SRC_ORG], "Org A");
	assert_string_equal(r.v[CF_GENDER], "Feminine");
	assert_string_equal(r.v[CF_CITIZENSHIP], "VN;CN"); /* duplicates dropped */
	assert_string_equal(r.v[CF_PROVINCE], "Hà Giang");
	assert_string_equal(r.v[CF_PROVINCE_ERA], "2008");
	assert_string_equal(r.v[CF_MOBILE], "+84912345678");
	assert_string_equal(r.v[CF_BIRTH], "1990-01-05");
	assert_string_equal(r.v[CF_EXPLOITATION], "ForcedLabour");
	assert_string_equal(r.v[CF_EV_DATE], "2019;");
	assert_string_equal(r.v[CF_CONSENT], "true");
	assert_string_equal(r.v[CF_ROLE], "Victim");
	assert_string_equal(r.v[CF_SRC_CASE], "R-1"); /* a row without case id is its own case */
	ctip_row_clear(&r);
}

static void expect_error(int field, const char *value, const char *msg)
{
	ctip_row r;
	char diag[4096] = "";
	ctip_row_init(&r);
	r.line = 3;
	ctip_row_set(&r, CF_SRC_ORG, "Org");
	ctip_row_set(&r, CF_SRC_RECORD, "R");
	ctip_row_set(&r, field, value);
	assert_true(canon(&r, diag, sizeof(diag)) > 0);
	char want[256];
	snprintf(want, sizeof(want), "t.csv:3: %s: ", ctip_fields[field].name);
	if (!strstr(diag, want) || !strstr(diag, msg))
		fail_msg("for %s='%s' expected '%s...%s', got: %s", ctip_fields[field].name, value,
		         want, msg, diag);
	ctip_row_clear(&r);
}

static void test_bad_values(void **st)
{
	expect_error(CF_GENDER, "robot", "unknown value 'robot'");
	expect_error(CF_BIRTH, "31/12/1990", "ambiguous");
	expect_error(CF_CITIZENSHIP, "Atlantis", "unknown country");
	expect_error(CF_PROVINCE, "Springfield", "unknown province");
	expect_error(CF_MOBILE, "12", "not a phone number");
	expect_error(CF_AGE_TRAFFICKED, "200", "whole number from 0 to 120");
	expect_error(CF_AS_AMOUNT, "1.500,00", "not an amount");
	expect_error(CF_CONSENT, "maybe", "not true or false");
	expect_error(CF_GIVEN, "Lan\xff", "invalid UTF-8");
	expect_error(CF_PERP_ROLE, "Smuggler",
	             "perpetrator context on a row whose ctip_Role is Victim");
}

static void test_groups_are_parallel(void **st)
{
	ctip_row r;
	char diag[4096] = "";
	ctip_row_init(&r);
	ctip_row_set(&r, CF_SRC_ORG, "Org");
	ctip_row_set(&r, CF_SRC_RECORD, "R");
	ctip_row_set(&r, CF_EV_TYPE, "Recruitment;Transit");
	ctip_row_set(&r, CF_EV_DATE, "2019");
	assert_true(canon(&r, diag, sizeof(diag)) > 0);
	assert_non_null(strstr(diag, "hte_Date: has 1 items but hte_Type has 2"));
	ctip_row_clear(&r);

	ctip_row_init(&r);
	ctip_row_set(&r, CF_SRC_ORG, "Org");
	ctip_row_set(&r, CF_SRC_RECORD, "R");
	ctip_row_set(&r, CF_DOC_TYPE, "CCCD");
	ctip_row_set(&r, CF_DOC_NUMBER, "001090012345");
	ctip_row_set(&r, CF_DOC_ISSUED, "2020-01-01");
	ctip_row_set(&r, CF_DOC_EXPIRES, "2019-12-31");
	assert_true(canon(&r, diag, sizeof(diag)) > 0);
	assert_non_null(strstr(diag, "expiry 2019-12-31 is before"));
	ctip_row_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reference_lookups),
	        cmocka_unit_test(test_provinces_map_to_2025),
	        cmocka_unit_test(test_canonical_row),
	        cmocka_unit_test(test_bad_values),
	        cmocka_unit_test(test_groups_are_parallel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
