/*
 * store_sqlite_vocab.c - the reference data (vocabularies of codes and labels, ref.h)
 * saved into and loaded from table vocab.
 */
#include <stdlib.h>

#include "store_sqlite_int.h"

/* ---- reference data ------------------------------------------------------------------ */

int sq_ref_save(ctip_store *base, const ctip_ref *ref, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;
	if ((rc = sq_exec_sql(s, "DELETE FROM vocab", e)))
		return rc;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO vocab(vocab, code, label_en, label_vi, aliases, extra, "
	                       "sort) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "vocab");
	const struct ctip_ref_entry **all;
	int n = ctip_ref_list(ref, NULL, &all);
	for (int i = 0; i < n && rc == CTIP_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, all[i]->vocab, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, all[i]->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, all[i]->label_en, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, all[i]->label_vi, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, all[i]->aliases, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, all[i]->extra, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, all[i]->sort);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sq_db_err(s, e, "vocab insert");
	}
	free(all);
	sqlite3_finalize(st);
	return rc;
}

int sq_ref_load(ctip_store *base, ctip_ref *ref, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc = CTIP_OK;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT vocab, code, label_en, label_vi, aliases, extra, sort FROM "
	                       "vocab ORDER BY vocab, sort",
	                       -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "vocab");
	while (rc == CTIP_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct ctip_ref_entry en = {
		        .vocab = (const char *)sqlite3_column_text(st, 0),
		        .code = (const char *)sqlite3_column_text(st, 1),
		        .label_en = (const char *)sqlite3_column_text(st, 2),
		        .label_vi = (const char *)sqlite3_column_text(st, 3),
		        .aliases = (const char *)sqlite3_column_text(st, 4),
		        .extra = (const char *)sqlite3_column_text(st, 5),
		        .sort = sqlite3_column_int(st, 6),
		};
		rc = ctip_ref_add(ref, &en, e);
	}
	sqlite3_finalize(st);
	return rc;
}
