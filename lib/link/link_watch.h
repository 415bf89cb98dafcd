/*
 * link_watch.h - what record linkage reads of the registry, written once for every back end
 * (issue 11 item 1): the tables and columns of a record's input (link_input.h), and how a
 * written row reaches the records whose input it changes.
 *
 * An incremental `ctip link run` links only the records it has not seen and those changed
 * since it saw them, which table link_changed lists (lib/link/link_incr.c). Which writes
 * change a record's input is a property of linkage, not of a back end, so it is declared here
 * and each back end makes its triggers from this table at `ctip init`, whenever the database's
 * differ (store_sqlite_link_watch.c, store_pg_link_watch.c); no migration carries a copy.
 * Only records already linked are marked: one linkage has not seen is read anyway. A column
 * linkage starts to read must be added here: tests/unit/test_link_watch.c checks this table
 * against the columns the back ends' input statements name.
 */
#ifndef CTIP_LINK_WATCH_H
#define CTIP_LINK_WATCH_H

/* How a row of a table reaches the records whose input it is part of. */
enum ctip_link_reach {
	CTIP_LINK_PERSON,      /* key is a record (person) id */
	CTIP_LINK_CASE_PERSON, /* key is a case_person id: its record */
	CTIP_LINK_ORG,         /* key is an organisation id: every record it holds */
};

struct ctip_link_watch {
	const char *table;
	enum ctip_link_reach reach;
	const char *key;     /* the row's column that reaches its records */
	const char *columns; /* an UPDATE matters when it changes one of these (comma-separated) */
	int rows;            /* an inserted or deleted row changes its record's input (a period of
	                        exploitation); else only updates do (a new record is unseen anyway,
	                        a deleted one leaves with its links) */
};

/* The tables, ending with one whose table is NULL. */
extern const struct ctip_link_watch ctip_link_watch_tables[];

/* "OLD.a <differs> NEW.a OR OLD.b ..." over the columns of a comma-separated list: the WHEN of
 * an update trigger, with the back end's operator for "differs, NULL being a value" ("IS NOT"
 * on SQLite, "IS DISTINCT FROM" on PostgreSQL). Free it; NULL when out of memory. */
char *ctip_link_watch_changed(const char *columns, const char *differs);

#endif
