/*
 * test_freshness.c - the declaration of what statistics read (lib/stats/freshness.h) is
 * complete: every column that a back end's snapshot builder reads from a table is one whose
 * UPDATE marks the snapshot (or the table is declared as "any UPDATE"). A column read but not
 * declared is a write the snapshot would miss: figures served stale until another write
 * (this test found two: a victim's recruiting company and an event's date).
 *
 * The builders' statements (SQLite's and PostgreSQL's) are read as text: FROM/JOIN give each
 * table's alias, and alias.column each column read. A declared table must be read through an
 * alias (so that no column of it goes unseen), unless any UPDATE of it counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "facts_build.h"
#include "sql_reads.h"
#include "freshness.h"
#include "store_pg.h"
#include "store_sqlite.h"

static const struct ctip_fresh_table *declared(const struct ctip_fresh_table *d, const char *t)
{
	for (; d->table; d++)
		if (!strcmp(d->table, t))
			return d;
	return NULL;
}

struct check {
	const struct ctip_fresh_table *d;
	const char *who;
	int bad;
};

static int wanted(void *ctx, const char *table)
{
	return declared(((struct check *)ctx)->d, table) != NULL;
}

static void read_col(void *ctx, const char *table, const char *column)
{
	struct check *c = ctx;
	const struct ctip_fresh_table *x = declared(c->d, table);
	if (!column) {
		if (x->columns) {
			print_error("%s: %s is read without an alias: its columns cannot be "
			            "checked\n",
			            c->who, table);
			c->bad++;
		}
	} else if (x->columns && !sql_listed(x->columns, column) &&
	           !(x->key && !strcmp(x->key, column))) {
		print_error("%s: reads %s.%s, which freshness.c does not list\n", c->who, table,
		            column);
		c->bad++;
	}
}

/* The columns read from declared tables that the declaration d misses, printed; *checked
 * counts the columns looked at. */
static int missed(const struct ctip_fresh_table *d, const char *who, const char *sql, int *checked)
{
	struct check c = {d, who, 0};
	*checked += sql_reads(sql, wanted, read_col, &c);
	return c.bad;
}

static int check_all(const struct ctip_fresh_table *d, int *checked)
{
	int bad = 0;
	const char *const *sq = ctip_sqlite_stats_reads(), *const *pg = ctip_pg_stats_reads();
	for (int i = 0; i < CTIP_FB_N; i++) {
		char who[32];
		snprintf(who, sizeof(who), "sqlite builder %d", i);
		bad += missed(d, who, sq[i], checked);
		snprintf(who, sizeof(who), "pg builder %d", i);
		bad += missed(d, who, pg[i], checked);
	}
	return bad;
}

static void test_declaration_complete(void **state)
{
	(void)state;
	int checked = 0;
	assert_int_equal(check_all(ctip_fresh_tables, &checked), 0);
	/* the statements were understood: they name many columns of declared tables */
	assert_true(checked > 100);
}

/* The check finds a column left out: the declaration less one column the builders read. */
static void test_check_can_fail(void **state)
{
	(void)state;
	struct ctip_fresh_table d[32];
	int n = 0;
	for (const struct ctip_fresh_table *t = ctip_fresh_tables; t->table && n < 31; t++)
		d[n++] = *t;
	d[n] = (struct ctip_fresh_table){0};
	for (int i = 0; i < n; i++)
		if (!strcmp(d[i].table, "event"))
			d[i].columns = "case_person_id, seq, type"; /* the date left out */
	int checked = 0;
	assert_true(check_all(d, &checked) > 0);
	for (int i = 0; i < n; i++)
		if (!strcmp(d[i].table, "victim"))
			d[i].columns = NULL; /* any UPDATE: nothing of it to miss */
	for (int i = 0; i < n; i++)
		if (!strcmp(d[i].table, "event"))
			d[i] = ctip_fresh_tables[i];
	checked = 0;
	assert_int_equal(check_all(d, &checked), 0);
}

/* Every table is declared once, with a key unless every write of it counts. */
static void test_declaration_well_formed(void **state)
{
	(void)state;
	int n = 0;
	for (const struct ctip_fresh_table *t = ctip_fresh_tables; t->table; t++, n++) {
		assert_true((t->reach == CTIP_FRESH_ALL) == (t->key == NULL));
		assert_true(!t->insert_new || t->reach == CTIP_FRESH_ALL);
		assert_ptr_equal(declared(ctip_fresh_tables, t->table), t);
	}
	assert_true(n >= 11);
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
