/*
 * test_core.c - unit tests of the core modules: text folding, partial dates,
 * `;` lists, phone numbers, the CSV reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto.h"
#include "csv_read.h"
#include "date.h"
#include "row.h"
#include "search_top.h"
#include "text.h"

static void fold_is(const char *in, const char *want)
{
	char *f = ctip_text_fold(in);
	assert_non_null(f);
	assert_string_equal(f, want);
	free(f);
}

static void test_fold_vietnamese(void **st)
{
	fold_is("Nguyễn Văn Đức", "nguyen van duc");
	fold_is("NGUYEN VAN DUC", "nguyen van duc");
	fold_is("  Đặng   Thị  Ánh-Tuyết ", "dang thi anh tuyet");
	fold_is("ĐẶNG", "dang");
	fold_is("Thừa Thiên Huế", "thua thien hue");
	fold_is("Bà Rịa - Vũng Tàu", "ba ria vung tau");
	fold_is("H'Mông", "hmong");
	/* decomposed input (NFD) folds like precomposed */
	fold_is("Nguye\xcc\x82\xcc\x83n", "nguyen");
	fold_is("", "");
}

static void test_fold_rejects_invalid_utf8(void **st)
{
	assert_null(ctip_text_fold("abc\xff"));
	assert_null(ctip_text_clean("\xc3"));
	assert_false(ctip_utf8_valid("a\xed\xa0\x80", 4)); /* surrogate */
	assert_int_equal(ctip_utf8_invalid_at("ab\xffz", 4), 2);
	assert_true(ctip_utf8_valid("Hạnh", strlen("Hạnh")));
}

static void test_clean_is_nfc(void **st)
{
	char *c = ctip_text_clean("  Nguye\xcc\x82\xcc\x83n \t Van  ");
	assert_string_equal(c, "Nguyễn Van");
	free(c);
}

static void date_ok(const char *in, const char *want, enum ctip_date_prec p)
{
	ctip_date d;
	ctip_err e = {0};
	char buf[16];
	assert_int_equal(ctip_date_parse(in, &d, &e), CTIP_OK);
	ctip_date_format(&d, buf);
	assert_string_equal(buf, want);
	assert_int_equal(d.prec, p);
}

static void date_bad(const char *in, const char *why)
{
	ctip_date d;
	ctip_err e = {0};
	assert_int_equal(ctip_date_parse(in, &d, &e), CTIP_EINVAL);
	if (!strstr(e.msg, why))
		fail_msg("'%s': message '%s' lacks '%s'", in, e.msg, why);
}

static void test_dates(void **st)
{
	date_ok("1990", "1990", CTIP_DATE_YEAR);
	date_ok("1990-07", "1990-07", CTIP_DATE_MONTH);
	date_ok("2000-02-29", "2000-02-29", CTIP_DATE_DAY);
	date_ok("19900115", "1990-01-15", CTIP_DATE_DAY);
	date_bad("1900-02-29", "does not exist");
	date_bad("2001-02-29", "does not exist");
	date_bad("1990-13", "month 13");
	date_bad("87", "two-digit year");
	date_bad("03/04/1990", "ambiguous");
	date_bad("12.03.1990", "ambiguous");
	date_bad("yesterday", "not an ISO 8601 date");
	date_bad("1850", "out of range");
}

static void test_lists_roundtrip(void **st)
{
	char *items[] = {"a;b", "c\\d", "", "e"};
	char *j = ctip_list_join(items, 4);
	assert_string_equal(j, "a\\;b;c\\\\d;;e");
	char **out;
	int n;
	assert_int_equal(ctip_list_split(j, &out, &n), 0);
	assert_int_equal(n, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(out[i], items[i]);
	assert_int_equal(ctip_list_count(j), 4);
	ctip_list_free(out, n);
	free(j);
	assert_int_equal(ctip_list_count(""), 0);
	assert_int_equal(ctip_list_count(NULL), 0);
}

static void phone_is(const char *in, const char *want)
{
	char out[20];
	if (!want) {
		assert_int_equal(ctip_phone_e164(in, out), -1);
		return;
	}
	assert_int_equal(ctip_phone_e164(in, out), 0);
	assert_string_equal(out, want);
}

static void test_phones(void **st)
{
	phone_is("0912 345 678", "+84912345678");
	phone_is("0912.345.678", "+84912345678");
	phone_is("+84 912 345 678", "+84912345678");
	phone_is("84912345678", "+84912345678");
	phone_is("0084912345678", "+84912345678");
	phone_is("(024) 3825 1234", "+842438251234");
	phone_is("+44 20 7946 0000", "+442079460000");
	phone_is("12345", NULL);
	phone_is("0912-abc", NULL);
	phone_is("091234", NULL);
}

static void test_csv_lines(void **st)
{
	static const char data[] = "\xEF\xBB\xBF"
	                           "a,b\n1,\"x\ny\"\n\n\"q\"\"r\",2\r\n3,\"open\n";
	FILE *f = fmemopen((void *)data, sizeof(data) - 1, "r");
	ctip_csv *c = ctip_csv_open(f, "t.csv");
	char **fl;
	int n;
	long line;
	ctip_err e = {0};
	assert_int_equal(ctip_csv_next(c, &fl, &n, &line, &e), 1);
	assert_string_equal(fl[0], "a"); /* BOM dropped */
	assert_int_equal(line, 1);
	assert_int_equal(ctip_csv_next(c, &fl, &n, &line, &e), 1);
	assert_string_equal(fl[1], "x\ny");
	assert_int_equal(line, 2);
	assert_int_equal(ctip_csv_next(c, &fl, &n, &line, &e), 1);
	assert_string_equal(fl[0], "q\"r");
	assert_int_equal(line, 5); /* the blank line 4 is skipped */
	assert_true(ctip_csv_next(c, &fl, &n, &line, &e) < 0);
	assert_int_equal(e.line, 6);
	assert_non_null(strstr(e.msg, "truncated"));
	ctip_csv_close(c);
	fclose(f);
}

/* A search looks for a document number only when the query could be one: it has digits (a
 * name's letters alone are not; the lookup was a branch of every name search for nothing). */
static void test_search_doc_needs_digits(void **state)
{
	(void)state;
	unsigned char k[CTIP_KEY_BYTES];
	memset(k, 3, sizeof(k));
	ctip_crypto *c = ctip_crypto_from_key(k);
	assert_non_null(c);
	static const struct {
		const char *q;
		int doc;
	} cases[] = {{"Nguyễn Văn An", 0},
	             {"NGUYEN THI LAN", 0},
	             {"B1234567", 1},
	             {"079 301 004 399", 1},
	             {"B12", 0}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct ctip_search_q q;
		ctip_err e = {0};
		assert_int_equal(ctip_search_q_make(c, "t", cases[i].q, 0, &q, &e), CTIP_OK);
		if (q.has_doc != cases[i].doc)
			print_error("%s: has_doc %d\n", cases[i].q, q.has_doc);
		assert_int_equal(q.has_doc, cases[i].doc);
		ctip_search_q_free(&q);
	}
	ctip_crypto_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_search_doc_needs_digits),
	        cmocka_unit_test(test_fold_vietnamese),
	        cmocka_unit_test(test_fold_rejects_invalid_utf8),
	        cmocka_unit_test(test_clean_is_nfc),
	        cmocka_unit_test(test_dates),
	        cmocka_unit_test(test_lists_roundtrip),
	        cmocka_unit_test(test_phones),
	        cmocka_unit_test(test_csv_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
