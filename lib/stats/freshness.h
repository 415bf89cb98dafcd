/*
 * freshness.h - what the statistics snapshot (facts.h) is built from, written once for every
 * back end (issue 11 item 1): the tables and columns it reads, and how a written row reaches
 * the cases whose figures it may change.
 *
 * A snapshot is kept until the data it was built from changes. Which writes change it is a
 * property of the statistics, not of a back end, so it is declared here, and each back end
 * only makes its mechanism from this table:
 *  - SQLite (store_sqlite_fresh.c) keeps a saved snapshot and patches it: a row written records
 *    the cases it belongs to (stats_dirty), through triggers made from this table;
 *  - PostgreSQL (store_pg_fresh.c) rebuilds after any write: a statement that writes one of
 *    these tables (an UPDATE only when it sets one of the columns) leaves its transaction in
 *    stats_write, through statement-level triggers made from this table.
 * Both install their triggers at `ctip init` when they differ from what this table makes, so a
 * table or column added here reaches every registry with the next init; no migration carries
 * a copy. A table the snapshot starts to read must be added here (tests/unit/test_freshness.c
 * checks the list against the columns the snapshot's builders name).
 */
#ifndef CTIP_STATS_FRESHNESS_H
#define CTIP_STATS_FRESHNESS_H

/* How a row of a table reaches the cases it belongs to. */
enum ctip_fresh_reach {
	CTIP_FRESH_CASE,        /* key is a case id (cases.id, referral.case_id) */
	CTIP_FRESH_CASE_PERSON, /* key is a case_person id: its case */
	CTIP_FRESH_PERSON,      /* key is a person id: every case the person is in */
	CTIP_FRESH_ALL,         /* a write may change any case (organisations, linkage): rebuild */
};

struct ctip_fresh_table {
	const char *table;
	enum ctip_fresh_reach reach;
	const char *key;     /* the row's column that reaches its cases (NULL for ALL) */
	const char *columns; /* an UPDATE matters when it sets one of these (comma-separated); NULL:
	                        any UPDATE does */
	int insert_new;      /* an inserted row belongs to no case yet (an organisation): an
	                        insert changes the data version only */
};

/* The tables, ending with one whose table is NULL. */
extern const struct ctip_fresh_table ctip_fresh_tables[];

/* Writes to this many cases since the snapshot was saved make the next query rebuild it
 * rather than patch it (an import of millions of rows). */
#define CTIP_FRESH_PATCH_MAX 20000

#endif
