/*
 * row_group.h - how a store lays a canonical row (row.h) into tables and back, whatever the
 * back end: the repeated groups of columns (documents, referrals, events, ...) as items,
 * lists pushed back item by item, and the `;` lists of picklist columns as JSON arrays.
 */
#ifndef CTIP_ROW_GROUP_H
#define CTIP_ROW_GROUP_H

#include "row.h"

/* The items of a group of `;`-list columns of a row (up to 6): item i of column c. */
struct ctip_group {
	int nf, n;
	int cols[6];
	char **items[6];
	int counts[6];
};

/* Splits the columns cols[0..nf) of r; close it even when this fails (CTIP_ENOMEM). */
int ctip_group_open(struct ctip_group *g, const ctip_row *r, const int *cols, int nf);
/* Item i of column col, NULL when the column has fewer items. */
const char *ctip_group_item(const struct ctip_group *g, int col, int i);
void ctip_group_close(struct ctip_group *g);

/* Appends v as item `index` of the list in column f (index 0 starts it; items may be
 * empty). CTIP_ENOMEM on failure. */
int ctip_row_push_item(ctip_row *r, int f, const char *v, int index);

/* A `;` list as a JSON array of strings (malloc'd into *out; NULL for an empty list).
 * CTIP_ENOMEM on failure. */
int ctip_list_to_json(const char *list, char **out);
/* The inverse: a JSON array of strings as a `;` list (malloc'd); NULL for NULL or []. */
char *ctip_json_to_list(const char *j);

/* The multi-valued columns of the victim table, in the order both back ends store them. */
extern const int ctip_victim_lists[6];

/* Puts the clear value v of a stored scalar column into field f of r as a row holds it:
 * consent (stored 0/1) as true/false, a picklist's JSON array as a `;` list, a province code
 * as its name in the list era names (the column stored before it). CTIP_ENOMEM on failure. */
int ctip_row_put_stored(ctip_row *r, const ctip_ref *ref, int f, const char *v, const char *era);

#endif
