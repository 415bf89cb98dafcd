/*
 * test_import_map.c - the pieces of importing an agency's own file that e2e tests see only
 * through whole files: Excel serial dates in both date systems, the guess of a file's
 * encoding, and the refusal of mappings that would read data wrongly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "import_map.h"
#include "import_src.h"
#include "xlsx_read.h"

static void date_is(double serial, int d1904, const char *want)
{
	char buf[16] = "";
	assert_int_equal(ctip_xlsx_serial_date(serial, d1904, buf), 0);
	assert_string_equal(buf, want);
}

static void test_serial_dates(void **st)
{
	(void)st;
	date_is(1, 0, "1900-01-01");
	date_is(59, 0, "1900-02-28");
	date_is(61, 0, "1900-03-01"); /* after Excel's 1900-02-29, which does not exist */
	date_is(25569, 0, "1970-01-01");
	date_is(31929, 0, "1987-06-01");
	date_is(45000.75, 0, "2023-03-15"); /* the time of day is dropped */
	date_is(0, 1, "1904-01-01");
	date_is(45000 - 1462, 1, "2023-03-15");
	char buf[16];
	assert_int_equal(ctip_xlsx_serial_date(60, 0, buf), -1);
	assert_int_equal(ctip_xlsx_serial_date(-1, 0, buf), -1);
	assert_int_equal(ctip_xlsx_serial_date(3e6, 0, buf), -1);
}

static void test_encoding_guess(void **st)
{
	(void)st;
	/* "Nguyễn Văn Đức" in Windows-1258: base letters, combining tone marks, Đ */
	const unsigned char w1258[] = "Nguy\xea\xde"
	                              "n V\xe3n \xd0\xfa\xf2"
	                              "c";
	assert_string_equal(ctip_src_guess_encoding(w1258, sizeof(w1258) - 1, 4), "WINDOWS-1258");
	const unsigned char l1[] = "Jos\xe9 Garc\xed"
	                           "a, M\xfc"
	                           "ller";
	assert_string_equal(ctip_src_guess_encoding(l1, sizeof(l1) - 1, 3), "ISO-8859-1");
	const unsigned char w1252[] = "\x93quoted\x94 caf\xe9";
	assert_string_equal(ctip_src_guess_encoding(w1252, sizeof(w1252) - 1, 0), "WINDOWS-1252");
	const unsigned char u16[] = "\xff\xfeN\0O\0";
	assert_string_equal(ctip_src_guess_encoding(u16, 6, 0), "UTF-16");
}

static void refused(const char *json, const char *why)
{
	ctip_map *m = NULL;
	ctip_err e = {0};
	int rc = ctip_map_parse(json, strlen(json), "m.json", &m, &e);
	if (rc == CTIP_OK || !strstr(e.msg, why))
		fail_msg("mapping %s: wanted an error with '%s', got '%s'", json, why, e.msg);
	assert_null(m);
}

static void test_mapping_refusals(void **st)
{
	(void)st;
	refused("{\"columns\": {\"A\": \"prs_Nope\"}}", "'prs_Nope' is not a ctip column");
	refused("{\"columns\": {\"D\": {\"to\": \"prs_Birthdate\", \"date\": \"DD-MM-YY\"}}}",
	        "a two-digit year needs a century rule");
	refused("{\"columns\": {\"D\": {\"to\": \"prs_Birthdate\", \"date\": \"DD-QQ\"}}}",
	        "is not a date format");
	refused("{\"columns\": {\"D\": {\"to\": \"prs_FirstName\", \"date\": \"YYYY\"}}}",
	        "which is not a date");
	refused("{\"columns\": {\"A\": \"prs_FirstName\", \"B\": {\"split\": \"name\"}}}",
	        "both fill prs_FirstName");
	refused("{\"columns\": {\"Name\": \"prs_FirstName\", \"NAME \": \"prs_SecondName\"}}",
	        "name the same column");
	refused("{\"columns\": {\"A\": \"prs_FirstName\"}, \"constants\": {\"prs_FirstName\": "
	        "\"X\"}}",
	        "fills it already");
	refused("{\"columns\": {\"A\": \"prs_FirstName\", \"A\": \"prs_SecondName\"}}",
	        "duplicate");
	refused("{\"columns\": {\"A\": \"prs_FirstName\"}, \"quality\": {\"age\": {\"min\": 70, "
	        "\"max\": 10}}}",
	        "expected {\"min\"");
	refused("{\"columns\": {\"A\": \"prs_FirstName\"}, \"separator\": \"::\"}",
	        "\"separator\": one of");
	refused("{\"colums\": {}}", "a mapping is an object with \"columns\"");
	ctip_map *m = NULL;
	ctip_err e = {0};
	const char *ok = "{\"columns\": {\"A\": {\"to\": \"prs_Birthdate\", \"date\": "
	                 "\"DD/MM/YY\", \"pivot\": 20}, \"B\": null}, \"sheet\": \"S\"}";
	assert_int_equal(ctip_map_parse(ok, strlen(ok), "m.json", &m, &e), CTIP_OK);
	assert_string_equal(ctip_map_sheet(m), "S");
	ctip_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_serial_dates),
	        cmocka_unit_test(test_encoding_guess),
	        cmocka_unit_test(test_mapping_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
