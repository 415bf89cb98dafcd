/*
 * test_risk.c - unit tests of the re-trafficking risk instrument (risk.h): the embedded
 * instrument loads with every question of docs/CASEWORK.md; the rule (sum of scores; levels
 * from levels.csv; a critical answer is high whatever the score); bad answers and malformed
 * instrument files are refused with the file, line and field. And casework's date arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casework.h"
#include "risk.h"

static int score_of(const struct ctip_risk *r, const char *json, const char **level)
{
	json_t *a = json_loads(json, 0, NULL);
	int score = -1;
	ctip_err e = {0};
	assert_non_null(a);
	int rc = ctip_risk_score(r, a, &score, level, NULL, &e);
	json_decref(a);
	return rc ? -1 : score;
}

static void test_embedded_instrument(void **st)
{
	ctip_err e = {0};
	const struct ctip_risk *r = ctip_risk_get(&e);
	assert_non_null(r);
	static const char *const want[] = {"debt",
	                                   "stigma",
	                                   "papers",
	                                   "trafficker_nearby",
	                                   "income",
	                                   "earlier_trafficking",
	                                   "family_involvement",
	                                   "health",
	                                   "dependants"};
	assert_int_equal(r->nq, 9);
	for (int i = 0; i < 9; i++) {
		assert_string_equal(r->q[i].code, want[i]);
		assert_true(r->q[i].label_vi[0] && r->q[i].label_en[0]);
		assert_true(r->q[i].na >= 2);
	}
	assert_int_equal(r->nlv, 3);
}

static void test_rule(void **st)
{
	const struct ctip_risk *r = ctip_risk_get(NULL);
	const char *level;
	assert_int_equal(score_of(r, "{}", &level), 0);
	assert_string_equal(level, "low");
	/* 1 + 3 = 4: still low; 3 + 3 = 6: medium; 3 + 3 + 3 + 2 = 11: high */
	assert_int_equal(score_of(r, "{\"debt\": \"bank\", \"income\": \"none\"}", &level), 4);
	assert_string_equal(level, "low");
	assert_int_equal(score_of(r, "{\"debt\": \"moneylender\", \"income\": \"none\"}", &level),
	                 6);
	assert_string_equal(level, "medium");
	assert_int_equal(score_of(r,
	                          "{\"debt\": \"moneylender\", \"income\": \"none\", \"stigma\": "
	                          "\"family_rejection\", \"health\": \"serious\"}",
	                          &level),
	                 11);
	assert_string_equal(level, "high");
	/* a critical answer is high whatever the score */
	assert_int_equal(score_of(r, "{\"trafficker_nearby\": \"yes\"}", &level), 4);
	assert_string_equal(level, "high");
	/* codes compared without regard to case */
	assert_int_equal(score_of(r, "{\"DEBT\": \"Recruiter\"}", &level), 4);
	assert_string_equal(level, "high");
}

static void test_bad_answers(void **st)
{
	const struct ctip_risk *r = ctip_risk_get(NULL);
	const char *level;
	int score;
	ctip_err e = {0};
	json_t *a = json_loads("{\"debt\": \"lots\"}", 0, NULL);
	assert_int_equal(ctip_risk_score(r, a, &score, &level, NULL, &e), CTIP_EINVAL);
	assert_string_equal(e.field, "debt");
	assert_non_null(strstr(e.msg, "moneylender"));
	json_decref(a);
	a = json_loads("{\"weather\": \"rain\"}", 0, NULL);
	assert_int_equal(ctip_risk_score(r, a, &score, &level, NULL, &e), CTIP_EINVAL);
	assert_non_null(strstr(e.msg, "unknown question 'weather'"));
	json_decref(a);
	a = json_loads("{\"debt\": 3}", 0, NULL);
	assert_int_equal(ctip_risk_score(r, a, &score, &level, NULL, &e), CTIP_EINVAL);
	json_decref(a);
	a = json_loads("[1]", 0, NULL);
	assert_int_equal(ctip_risk_score(r, a, &score, &level, NULL, &e), CTIP_EINVAL);
	json_decref(a);
}

static const char *LEVELS = "level,min_score,label_en,label_vi\nlow,0,Low,Thấp\nmedium,5,Medium,"
                            "Trung bình\nhigh,10,High,Cao\n";

static void test_malformed_files(void **st)
{
	ctip_err e = {0};
	const char *head = "question,answer,score,critical,label_en,label_vi\n";
	char buf[512];
	/* an answer before its question */
	snprintf(buf, sizeof(buf), "%sdebt,none,0,0,No,Không\n", head);
	assert_null(ctip_risk_parse(buf, strlen(buf), LEVELS, strlen(LEVELS), &e));
	assert_int_equal(e.line, 2);
	assert_string_equal(e.file, "data/risk/instrument.csv");
	/* a score that is not a number */
	memset(&e, 0, sizeof(e));
	snprintf(buf, sizeof(buf), "%sdebt,,,,Debt,Nợ\ndebt,none,x,0,No,Không\n", head);
	assert_null(ctip_risk_parse(buf, strlen(buf), LEVELS, strlen(LEVELS), &e));
	assert_int_equal(e.line, 3);
	assert_string_equal(e.field, "score");
	/* levels out of order */
	memset(&e, 0, sizeof(e));
	snprintf(buf, sizeof(buf), "%sdebt,,,,Debt,Nợ\ndebt,none,0,0,No,Không\n", head);
	const char *bad =
	        "level,min_score,label_en,label_vi\nlow,0,L,T\nmedium,9,M,T\nhigh,5,H,C\n";
	assert_null(ctip_risk_parse(buf, strlen(buf), bad, strlen(bad), &e));
	assert_int_equal(e.line, 4);
	/* a good one */
	memset(&e, 0, sizeof(e));
	struct ctip_risk *r = ctip_risk_parse(buf, strlen(buf), LEVELS, strlen(LEVELS), &e);
	assert_non_null(r);
	assert_int_equal(r->nq, 1);
	ctip_risk_free(r);
}

static void test_dates(void **st)
{
	char out[11];
	assert_int_equal(ctip_cw_add_months("2026-01-31", 1, out), 0);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(ctip_cw_add_months("2024-01-31", 1, out), 0);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(ctip_cw_add_months("2026-11-15", 24, out), 0);
	assert_string_equal(out, "2028-11-15");
	assert_int_equal(ctip_cw_add_days("2026-12-25", 14, out), 0);
	assert_string_equal(out, "2027-01-08");
	assert_int_equal(ctip_cw_add_days("2026-03-01", -1, out), 0);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(ctip_cw_days_between("2026-01-01", "2027-01-01"), 365);
	assert_int_equal(ctip_cw_days_between("2028-03-01", "2028-02-01"), -29);
	assert_int_equal(ctip_cw_add_days("2026-13-01", 1, out), -1);
	assert_int_equal(ctip_cw_add_days("2026-02", 1, out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_embedded_instrument),
	        cmocka_unit_test(test_rule),
	        cmocka_unit_test(test_bad_answers),
	        cmocka_unit_test(test_malformed_files),
	        cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
