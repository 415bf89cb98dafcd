/*
 * test_link_watch.c - the declaration of what record linkage reads (lib/link/link_watch.h) is
 * complete: every column a back end's input statement reads from a table is one whose UPDATE
 * lists the record as changed for the next incremental run. A column read but not declared is
 * a change linkage would never look at again: the record linked on its old values, and its
 * prepared record served from the cache, until a full run.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "link_watch.h"
#include "sql_reads.h"
#include "store_pg.h"
#include "store_sqlite.h"

static const struct ctip_link_watch *declared(const struct ctip_link_watch *d, const char *t)
{
	for (; d->table; d++)
		if (!strcmp(d->table, t))
			return d;
	return NULL;
}

struct check {
	const struct ctip_link_watch *d;
	const char *who;
	int bad;
};

/* Every table the input names is one to look at: one not declared is a miss itself. */
static int wanted(void *ctx, const char *table)
{
	(void)ctx;
	return (isalpha((unsigned char)*table) || *table == '_') && strcmp(table, "link_person") &&
	       strcmp(table, "link_changed");
}

static void read_col(void *ctx, const char *table, const char *column)
{
	struct check *c = ctx;
	const struct ctip_link_watch *x = declared(c->d, table);
	if (!x) {
		print_error("%s: reads table %s, which link_watch.c does not declare\n", c->who,
		            table);
		c->bad++;
	} else if (!column) {
		print_error("%s: %s is read without an alias: its columns cannot be checked\n",
		            c->who, table);
		c->bad++;
	} else if (!sql_listed(x->columns, column)) {
		print_error("%s: reads %s.%s, which link_watch.c does not list\n", c->who, table,
		            column);
		c->bad++;
	}
}

static int check_all(const struct ctip_link_watch *d, int *checked)
{
	struct check c = {d, NULL, 0};
	const char *const *reads[2] = {ctip_sqlite_link_reads(), ctip_pg_link_reads()};
	for (int b = 0; b < 2; b++)
		for (int i = 0; reads[b][i]; i++) {
			char who[40];
			snprintf(who, sizeof(who), "%s input statement %d", b ? "pg" : "sqlite", i);
			c.who = who;
			*checked += sql_reads(reads[b][i], wanted, read_col, &c);
		}
	return c.bad;
}

static void test_declaration_complete(void **state)
{
	(void)state;
	int checked = 0;
	assert_int_equal(check_all(ctip_link_watch_tables, &checked), 0);
	/* the statements were understood: five statements name many columns */
	assert_true(checked > 40);
}

/* The check finds a column left out (the country, which 0035 once had to add by hand), and a
 * table left out. */
static void test_check_can_fail(void **state)
{
	(void)state;
	struct ctip_link_watch d[16];
	int n = 0;
	for (const struct ctip_link_watch *t = ctip_link_watch_tables; t->table && n < 15; t++)
		d[n++] = *t;
	d[n] = (struct ctip_link_watch){0};
	for (int i = 0; i < n; i++)
		if (!strcmp(d[i].table, "exploitation"))
			d[i].columns = "case_person_id, start_date, end_date";
	int checked = 0;
	assert_true(check_all(d, &checked) > 0);
	for (int i = 0; i < n; i++)
		if (!strcmp(d[i].table, "exploitation"))
			d[i] = ctip_link_watch_tables[i];
	for (int i = 0; i < n; i++)
		if (!strcmp(d[i].table, "organisation"))
			d[i].table = "organisation_renamed";
	checked = 0;
	assert_true(check_all(d, &checked) > 0);
}

/* Every table is declared once, with its key among its columns or its reach's. */
static void test_declaration_well_formed(void **state)
{
	(void)state;
	int n = 0, rows = 0;
	for (const struct ctip_link_watch *t = ctip_link_watch_tables; t->table; t++, n++) {
		assert_non_null(t->key);
		assert_non_null(t->columns);
		assert_true(sql_listed(t->columns, t->key));
		assert_ptr_equal(declared(ctip_link_watch_tables, t->table), t);
		rows += t->rows;
	}
	assert_true(n >= 4);
	assert_int_equal(rows, 1); /* the periods of exploitation */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_declaration_complete),
	        cmocka_unit_test(test_check_can_fail),
	        cmocka_unit_test(test_declaration_well_formed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
