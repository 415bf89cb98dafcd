/*
 * test_demo.c - the synthetic data generator: determinism, exact row
 * counts, a well-formed CSV, a truth file that matches the records, and
 * records of one person that differ between organisations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

/* ---- running the generator into memory ---- */

struct outbuf {
	char *data, *truth;
	size_t len, tlen;
	int rc;
};

static struct outbuf run(long persons, unsigned long long seed, int with_truth)
{
	struct outbuf b = {0};
	FILE *out = open_memstream(&b.data, &b.len);
	FILE *truth = with_truth ? open_memstream(&b.truth, &b.tlen) : NULL;
	assert_non_null(out);
	struct ctip_demo_opts o = {.persons = persons, .seed = seed};
	ctip_err err;
	ctip_err_clear(&err);
	b.rc = ctip_demo_generate(&o, out, truth, &err);
	fclose(out);
	if (truth)
		fclose(truth);
	return b;
}

static void outbuf_free(struct outbuf *b)
{
	free(b->data);
	free(b->truth);
}

/* ---- a small RFC 4180 reader ---- */

struct table {
	int nrows; /* including the header */
	int *ncols;
	char ***cells;
};

static void table_free(struct table *t)
{
	for (int i = 0; i < t->nrows; i++) {
		for (int j = 0; j < t->ncols[i]; j++)
			free(t->cells[i][j]);
		free(t->cells[i]);
	}
	free(t->cells);
	free(t->ncols);
}

static struct table parse_csv(const char *s, size_t len)
{
	struct table t = {0};
	int rcap = 0;
	size_t i = 0;
	while (i < len) {
		if (t.nrows == rcap) {
			rcap = rcap ? rcap * 2 : 256;
			t.cells = realloc(t.cells, (size_t)rcap * sizeof *t.cells);
			t.ncols = realloc(t.ncols, (size_t)rcap * sizeof *t.ncols);
			assert_non_null(t.cells);
			assert_non_null(t.ncols);
		}
		int ccap = 16, nc = 0;
		char **row = malloc((size_t)ccap * sizeof *row);
		assert_non_null(row);
		for (;;) {
			size_t cap = 64, n = 0;
			char *f = malloc(cap);
			assert_non_null(f);
			if (i < len && s[i] == '"') {
				i++;
				for (;;) {
					assert_true(i < len); /* unterminated quote */
					if (s[i] == '"') {
						if (i + 1 < len && s[i + 1] == '"') {
							i += 2;
							f[n++] = '"';
						} else {
							i++;
							break;
						}
					} else {
						f[n++] = s[i++];
					}
					if (n + 1 >= cap)
						f = realloc(f, cap *= 2);
				}
			} else {
				while (i < len && s[i] != ',' && s[i] != '\n') {
					f[n++] = s[i++];
					if (n + 1 >= cap)
						f = realloc(f, cap *= 2);
				}
			}
			f[n] = 0;
			if (nc == ccap)
				row = realloc(row, (size_t)(ccap *= 2) * sizeof *row);
			row[nc++] = f;
			if (i >= len || s[i] == '\n') {
				i++;
				break;
			}
			assert_int_equal(s[i], ',');
			i++;
		}
		t.cells[t.nrows] = row;
		t.ncols[t.nrows] = nc;
		t.nrows++;
	}
	return t;
}

static int col(const struct table *t, const char *name)
{
	for (int j = 0; j < t->ncols[0]; j++)
		if (strcmp(t->cells[0][j], name) == 0)
			return j;
	return -1;
}

/* ---- tests ---- */

static void test_same_seed_identical(void **state)
{
	(void)state;
	struct outbuf a = run(3000, 12345, 1), b = run(3000, 12345, 1);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_int_equal(a.tlen, b.tlen);
	assert_memory_equal(a.truth, b.truth, a.tlen);
	/* The truth file does not change the records. */
	struct outbuf c = run(3000, 12345, 0);
	assert_int_equal(c.len, a.len);
	assert_memory_equal(c.data, a.data, a.len);
	outbuf_free(&a);
	outbuf_free(&b);
	outbuf_free(&c);
}

static void test_different_seeds_differ(void **state)
{
	(void)state;
	struct outbuf a = run(500, 1, 0), b = run(500, 2, 0);
	assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
	outbuf_free(&a);
	outbuf_free(&b);
}

static void test_row_count_and_columns(void **state)
{
	(void)state;
	static const long counts[] = {0, 1, 2, 7, 313, 5000};
	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		struct outbuf b = run(counts[k], 99 + k, 1);
		assert_int_equal(b.rc, 0);
		struct table t = parse_csv(b.data, b.len);
		assert_true(t.nrows >= 1);
		assert_int_equal(t.nrows - 1, counts[k]);
		assert_string_equal(t.cells[0][0], "src_Organisation");
		for (int i = 1; i < t.nrows; i++)
			assert_int_equal(t.ncols[i], t.ncols[0]);
		table_free(&t);
		outbuf_free(&b);
	}
}

static void test_invalid_arguments(void **state)
{
	(void)state;
	ctip_err err;
	ctip_err_clear(&err);
	assert_int_equal(ctip_demo_generate(NULL, stdout, NULL, &err), CTIP_EINVAL);
	struct ctip_demo_opts o = {.persons = -1, .seed = 1};
	assert_int_equal(ctip_demo_generate(&o, stdout, NULL, &err), CTIP_EINVAL);
	assert_true(err.msg[0] != 0);
	o.persons = 1;
	assert_int_equal(ctip_demo_generate(&o, NULL, NULL, &err), CTIP_EINVAL);
}

static void test_truth_matches_records(void **state)
{
	(void)state;
	struct outbuf b = run(4000, 777, 1);
	assert_int_equal(b.rc, 0);
	struct table t = parse_csv(b.data, b.len);
	struct table tr = parse_csv(b.truth, b.tlen);
	assert_string_equal(tr.cells[0][0], "src_Organisation");
	assert_string_equal(tr.cells[0][1], "src_RecordId");
	assert_string_equal(tr.cells[0][2], "person_id");
	int corg = col(&t, "src_Organisation"), crec = col(&t, "src_RecordId");
	assert_true(corg >= 0 && crec >= 0);

	/* Every row's record is in the truth file, and every truth line is a
	 * record of the output: one line per distinct (organisation, record). */
	int *seen = calloc((size_t)tr.nrows, sizeof *seen);
	assert_non_null(seen);
	for (int i = 1; i < t.nrows; i++) {
		int found = 0;
		for (int j = 1; j < tr.nrows && !found; j++)
			if (strcmp(tr.cells[j][1], t.cells[i][crec]) == 0 &&
			    strcmp(tr.cells[j][0], t.cells[i][corg]) == 0) {
				found = 1;
				seen[j] = 1;
			}
		assert_true(found);
	}
	for (int j = 1; j < tr.nrows; j++) {
		assert_int_equal(tr.ncols[j], 3);
		assert_true(seen[j]);
		for (int k = j + 1; k < tr.nrows; k++) /* no record twice */
			assert_false(strcmp(tr.cells[j][1], tr.cells[k][1]) == 0 &&
			             strcmp(tr.cells[j][0], tr.cells[k][0]) == 0);
	}
	assert_true(tr.nrows - 1 <= t.nrows - 1);

	/* Some people are recorded by several organisations, and some of
	 * their records differ in name, birth date, document or phone. */
	int shared = 0, differ = 0;
	static const char *const pcols[] = {
	        "prs_SecondName",     "prs_MiddleName",  "prs_FirstName",   "prs_Birthdate",
	        "prs_IdentityNumber", "prs_MobilePhone", "prs_MailingState"};
	for (int j = 1; j < tr.nrows; j++) {
		for (int k = j + 1; k < tr.nrows; k++) {
			if (strcmp(tr.cells[j][2], tr.cells[k][2]) != 0)
				continue;
			shared++;
			/* find a row of each record and compare the person columns */
			int rj = -1, rk = -1;
			for (int i = 1; i < t.nrows && (rj < 0 || rk < 0); i++) {
				if (strcmp(t.cells[i][corg], tr.cells[j][0]) == 0 &&
				    strcmp(t.cells[i][crec], tr.cells[j][1]) == 0)
					rj = i;
				if (strcmp(t.cells[i][corg], tr.cells[k][0]) == 0 &&
				    strcmp(t.cells[i][crec], tr.cells[k][1]) == 0)
					rk = i;
			}
			assert_true(rj > 0 && rk > 0);
			for (size_t c = 0; c < sizeof pcols / sizeof pcols[0]; c++) {
				int ci = col(&t, pcols[c]);
				assert_true(ci >= 0);
				if (strcmp(t.cells[rj][ci], t.cells[rk][ci]) != 0) {
					differ++;
					break;
				}
			}
		}
	}
	assert_true(shared > 100);
	assert_true(differ > shared / 4);
	free(seen);
	table_free(&t);
	table_free(&tr);
	outbuf_free(&b);
}

static void test_same_record_same_person_columns(void **state)
{
	(void)state;
	/* A record (organisation, src_RecordId) on several rows must carry the
	 * same person columns; a case's case-level columns agree on all rows. */
	struct outbuf b = run(6000, 4242, 0);
	struct table t = parse_csv(b.data, b.len);
	int corg = col(&t, "src_Organisation"), crec = col(&t, "src_RecordId");
	int ccase = col(&t, "src_CaseId"), cfam = col(&t, "prs_SecondName");
	int cclose = col(&t, "ctip_OutgoingReferralStatus");
	assert_true(corg >= 0 && crec >= 0 && ccase >= 0 && cfam >= 0 && cclose >= 0);
	int ccomm = col(&t, "ctip_MailingCommune");
	assert_true(ccomm > cfam);
	for (int i = 1; i < t.nrows; i++) {
		for (int k = i + 1; k < t.nrows && k < i + 400; k++) {
			if (strcmp(t.cells[i][corg], t.cells[k][corg]) != 0)
				continue;
			if (strcmp(t.cells[i][ccase], t.cells[k][ccase]) == 0)
				for (int c = 0; c <= cclose; c++)
					assert_string_equal(t.cells[i][c], t.cells[k][c]);
			if (strcmp(t.cells[i][crec], t.cells[k][crec]) == 0)
				for (int c = cfam; c <= ccomm; c++)
					assert_string_equal(t.cells[i][c], t.cells[k][c]);
		}
	}
	table_free(&t);
	outbuf_free(&b);
}

static int is_date(const char *s)
{
	size_t n = strlen(s);
	if (n != 4 && n != 7 && n != 10)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (!isdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	int y = atoi(s);
	if (y < 1940 || y > 2060)
		return 0;
	if (n >= 7) {
		int m = atoi(s + 5);
		if (m < 1 || m > 12)
			return 0;
	}
	if (n == 10) {
		int d = atoi(s + 8);
		if (d < 1 || d > 31)
			return 0;
	}
	return 1;
}

static void test_dates_parse(void **state)
{
	(void)state;
	struct outbuf b = run(5000, 31337, 0);
	struct table t = parse_csv(b.data, b.len);
	int ndates = 0, ncols = 0;
	for (int j = 0; j < t.ncols[0]; j++) {
		const char *name = t.cells[0][j];
		if (!strstr(name, "Date") && !strstr(name, "Start") && !strstr(name, "End"))
			continue;
		ncols++;
		for (int i = 1; i < t.nrows; i++) {
			char buf[4096];
			snprintf(buf, sizeof buf, "%s", t.cells[i][j]);
			for (char *save = NULL, *it = strtok_r(buf, ";", &save); it;
			     it = strtok_r(NULL, ";", &save)) {
				if (!is_date(it))
					fail_msg("column %s row %d: bad date '%s'", name, i, it);
				ndates++;
			}
		}
	}
	assert_true(ncols >= 10); /* Birthdate, Opened, Closed, Status, events... */
	assert_true(ndates > 5000);
	table_free(&t);
	outbuf_free(&b);
}

static void test_list_groups_align(void **state)
{
	(void)state;
	/* Columns of a list group have the same number of items on a row
	 * (an empty cell means the whole column is unknown). */
	static const char *const groups[][5] = {
	        {"cas_ReferredOrganisation", "cas_OutgoingReferralDate",
	         "cas_ReasonForOutgoingReferral", "ctip_OutgoingReferralStatus", NULL},
	        {"ctip_IdentityType", "prs_IdentityNumber", "ctip_IdentityIssueDate",
	         "ctip_IdentityExpiryDate", NULL},
	        {"hte_Type", "hte_Date", "hte_Country", "hte_City", NULL},
	        {"ctip_AssistanceKind", "ctip_AssistanceDate", "ctip_AssistanceProvider",
	         "ctip_AssistanceAmount", NULL},
	        {"ctip_ProcStage", "ctip_ProcDate", "ctip_ProcArticle", "ctip_ProcSentenceKind",
	         "ctip_ProcSentenceMonths"}};
	struct outbuf b = run(3000, 5, 0);
	struct table t = parse_csv(b.data, b.len);
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		for (int i = 1; i < t.nrows; i++) {
			int items = -1;
			for (int c = 0; c < 5 && groups[g][c]; c++) {
				int ci = col(&t, groups[g][c]);
				assert_true(ci >= 0);
				const char *s = t.cells[i][ci];
				if (!*s)
					continue;
				int n = 1;
				for (; *s; s++)
					n += *s == ';';
				if (items < 0)
					items = n;
				assert_int_equal(n, items);
			}
		}
	}
	table_free(&t);
	outbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_same_seed_identical),
	        cmocka_unit_test(test_different_seeds_differ),
	        cmocka_unit_test(test_row_count_and_columns),
	        cmocka_unit_test(test_invalid_arguments),
	        cmocka_unit_test(test_truth_matches_records),
	        cmocka_unit_test(test_same_record_same_person_columns),
	        cmocka_unit_test(test_dates_parse),
	        cmocka_unit_test(test_list_groups_align),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
