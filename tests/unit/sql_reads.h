/*
 * sql_reads.h - which columns of which tables an SQL statement reads, from its text: for the
 * tests that check a declaration of what a module reads against the statements the back ends
 * really run (test_freshness.c: the statistics; test_link_watch.c: record linkage).
 *
 * FROM/JOIN give each table's alias, and alias.column each column read. A table of interest
 * read without an alias is reported too (its columns cannot be checked). Deliberately small:
 * the statements are ctip's own, written with an alias per table.
 */
#ifndef CTIP_TEST_SQL_READS_H
#define CTIP_TEST_SQL_READS_H

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SQL_READS_MAXTOK   4096
#define SQL_READS_MAXALIAS 64

struct sql_tok {
	char s[64];
};

static int sql_tokenize(const char *sql, struct sql_tok *t)
{
	int n = 0;
	for (const char *p = sql; *p && n < SQL_READS_MAXTOK;) {
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

static int sql_keyword(const char *w)
{
	static const char *const kw[] = {"ON",    "WHERE",  "GROUP", "ORDER", "JOIN",  "LEFT",
	                                 "INNER", "CROSS",  "USING", "LIMIT", "UNION", "AS",
	                                 "WITH",  "SELECT", "AND",   ")",     ",",     NULL};
	for (int i = 0; kw[i]; i++)
		if (!strcasecmp(w, kw[i]))
			return 1;
	return 0;
}

/* column is in the comma-separated list */
static int sql_listed(const char *list, const char *column)
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

/* For each table of sql that wanted(ctx, table) accepts: read(ctx, table, column) for every
 * column read through its alias, and read(ctx, table, NULL) when it is read without one.
 * Returns the number of read() calls. */
static int sql_reads(const char *sql, int (*wanted)(void *ctx, const char *table),
                     void (*read)(void *ctx, const char *table, const char *column), void *ctx)
{
	static struct sql_tok t[SQL_READS_MAXTOK];
	int n = sql_tokenize(sql, t), na = 0, calls = 0;
	struct {
		char alias[64], table[64];
	} al[SQL_READS_MAXALIAS];
	for (int i = 0; i + 1 < n; i++) {
		if (strcasecmp(t[i].s, "FROM") && strcasecmp(t[i].s, "JOIN"))
			continue;
		if (!wanted(ctx, t[i + 1].s))
			continue; /* a CTE, a temporary table, a subquery */
		int j = i + 2;
		if (j < n && !strcasecmp(t[j].s, "AS"))
			j++;
		if (j < n && !sql_keyword(t[j].s) && na < SQL_READS_MAXALIAS) {
			snprintf(al[na].alias, sizeof(al[na].alias), "%s", t[j].s);
			snprintf(al[na++].table, sizeof(al->table), "%s", t[i + 1].s);
		} else {
			read(ctx, t[i + 1].s, NULL);
			calls++;
		}
	}
	for (int i = 0; i + 2 < n; i++) {
		if (strcmp(t[i + 1].s, "."))
			continue;
		for (int a = 0; a < na; a++)
			if (!strcmp(al[a].alias, t[i].s)) {
				read(ctx, al[a].table, t[i + 2].s);
				calls++;
				break;
			}
	}
	return calls;
}

#endif
