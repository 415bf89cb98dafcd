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
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "facts_build.h"
#include "freshness.h"
#include "store_pg.h"
#include "store_sqlite.h"

#define MAXTOK   4096
#define MAXALIAS 64

struct tok {
	char s[64];
};

static int tokenize(const char *sql, struct tok *t)
{
	int n = 0;
	for (const char *p = sql; *p && n < MAXTOK;) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (*p == '\'') { /* a string literal: one token, never a name */
			const char *q = strchr(p + 1, '\'');
			snprintf(t[n++].s, sizeof(t->s), "'");
			p = q ? q + 1 : p + strlen(p);
		} else if (isalnum((unsigned char)*p) || *p == '_') {
			size_t k = 0;
			while ((isalnum((unsigned char)p[k]) || p[k] == '_') &&
			       k < sizeof(t->s) - 1)
				k++;
			memcpy(t[n].s, p, k);
			t[n++].s[k] = 0;
			p += k;
		} else {
			t[n].s[0] = *p++;
			t[n++].s[1] = 0;
		}
	}
	return n;
}

static int keyword(const char *w)
{
	static const char *const kw[] = {"ON",    "WHERE",  "GROUP", "ORDER", "JOIN",  "LEFT",
	                                 "INNER", "CROSS",  "USING", "LIMIT", "UNION", "AS",
	                                 "WITH",  "SELECT", "AND",   ")",     ",",     NULL};
	for (int i = 0; kw[i]; i++)
		if (!strcasecmp(w, kw[i]))
			return 1;
	return 0;
}

static const struct ctip_fresh_table *declared(const struct ctip_fresh_table *d, const char *t)
{
	for (; d->table; d++)
		if (!strcmp(d->table, t))
			return d;
	return NULL;
}

/* column is in the comma-separated list */
static int listed(const char *list, const char *column)
{
	size_t n = strlen(column);
	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!strncmp(p, column, n) && (p[n] == 0 || p[n] == ',' || p[n] == ' '))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

/* The columns read from declared tables that the declaration d misses, printed; *checked
 * counts the columns looked at. */
static int missed(const struct ctip_fresh_table *d, const char *who, const char *sql, int *checked)
{
	static struct tok t[MAXTOK];
	int n = tokenize(sql, t), bad = 0, na = 0;
	struct {
		char alias[64];
		const struct ctip_fresh_table *table;
	} al[MAXALIAS];
	for (int i = 0; i + 1 < n; i++) {
		if (strcasecmp(t[i].s, "FROM") && strcasecmp(t[i].s, "JOIN"))
			continue;
		const struct ctip_fresh_table *x = declared(d, t[i + 1].s);
		if (!x)
			continue; /* a CTE, a temporary table, a subquery */
		int j = i + 2;
		if (j < n && !strcasecmp(t[j].s, "AS"))
			j++;
		if (j < n && !keyword(t[j].s) && na < MAXALIAS) {
			snprintf(al[na].alias, sizeof(al[na].alias), "%s", t[j].s);
			al[na++].table = x;
		} else if (x->columns) {
			print_error(
			        "%s: %s is read without an alias: its columns cannot be checked\n",
			        who, x->table);
			bad++;
		}
	}
	for (int i = 0; i + 2 < n; i++) {
		if (strcmp(t[i + 1].s, "."))
			continue;
		for (int a = 0; a < na; a++)
			if (!strcmp(al[a].alias, t[i].s)) {
				const struct ctip_fresh_table *x = al[a].table;
				(*checked)++;
				if (x->columns && !listed(x->columns, t[i + 2].s) &&
				    !(x->key && !strcmp(x->key, t[i + 2].s))) {
					print_error("%s: reads %s.%s, which freshness.c does not "
					            "list\n",
					            who, x->table, t[i + 2].s);
					bad++;
				}
				break;
			}
	}
	return bad;
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
