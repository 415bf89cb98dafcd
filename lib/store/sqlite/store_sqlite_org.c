/*
 * store_sqlite_org.c - organisations (found by folded name through a cache, added, typed)
 * and user accounts, the names every record and login refers to.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

void sq_org_cache_clear(sqlite_store *s)
{
	struct org_alias *a, *at;
	HASH_ITER(hh, s->org_names, a, at)
	{
		HASH_DEL(s->org_names, a);
		free(a->name);
		free(a);
	}
	struct org_node *o, *t;
	HASH_ITER(hh, s->orgs, o, t)
	{
		HASH_DEL(s->orgs, o);
		free(o->fold);
		free(o->type);
		free(o);
	}
}

/* ---- organisations ------------------------------------------------------------------- */

int sq_org_find(ctip_store *base, const char *name, int64_t *id, char **type, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	struct org_alias *a;
	HASH_FIND_STR(s->org_names, name, a);
	if (a) {
		*id = a->node->id;
		if (type)
			*type = a->node->type;
		return CTIP_OK;
	}
	char *fold = ctip_text_fold(name);
	struct org_node *o;
	if (!fold)
		return ctip_err_set(e, CTIP_EINVAL, "organisation name is not valid UTF-8");
	HASH_FIND_STR(s->orgs, fold, o);
	if (!o) {
		sqlite3_stmt *st = sq_stmt(s, S_ORG_FIND, e);
		if (!st) {
			free(fold);
			return CTIP_EDB;
		}
		sqlite3_bind_text(st, 1, fold, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(st);
			free(fold);
			return rc == SQLITE_DONE ? CTIP_ENOTFOUND : sq_db_err(s, e, "organisation");
		}
		o = calloc(1, sizeof(*o));
		if (!o) {
			free(fold);
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		o->fold = fold;
		o->id = sqlite3_column_int64(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		o->type = t ? strdup(t) : NULL;
		sqlite3_reset(st);
		HASH_ADD_KEYPTR(hh, s->orgs, o->fold, strlen(o->fold), o);
	} else {
		free(fold);
	}
	*id = o->id;
	if (type)
		*type = o->type;
	if ((a = calloc(1, sizeof(*a))) && (a->name = strdup(name))) {
		a->node = o;
		HASH_ADD_KEYPTR(hh, s->org_names, a->name, strlen(a->name), a);
	} else {
		free(a);
	}
	return CTIP_OK;
}

int sq_org_add(ctip_store *base, const char *name, const char *type, int64_t *id, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	char *fold = ctip_text_fold(name);
	sqlite3_stmt *st = fold ? sq_stmt(s, S_ORG_ADD, e) : NULL;
	int rc;
	if (!st) {
		free(fold);
		return fold ? CTIP_EDB : ctip_err_set(e, CTIP_EINVAL, "invalid organisation name");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fold, -1, SQLITE_STATIC);
	sq_bind_text(st, 3, type);
	rc = sq_exec_done(s, st, e);
	free(fold);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	return CTIP_OK;
}

int sq_org_set_type(ctip_store *base, int64_t id, const char *type, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = sq_stmt(s, S_ORG_SET_TYPE, e);
	if (!st)
		return CTIP_EDB;
	sq_bind_text(st, 1, type);
	sqlite3_bind_int64(st, 2, id);
	sq_org_cache_clear(s);
	return sq_exec_done(s, st, e);
}

int sq_org_id(sqlite_store *s, const char *name, int64_t *id, ctip_err *e)
{
	int rc = sq_org_find(&s->base, name, id, NULL, e);
	if (rc == CTIP_ENOTFOUND)
		return ctip_err_set(e, CTIP_ENOTFOUND, "organisation '%s' is not registered", name);
	return rc;
}

/* ---- accounts ------------------------------------------------------------------------ */

int sq_account_add(ctip_store *base, const char *username, int64_t org_id, const char *role,
                   const char *pw_hash, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = sq_stmt(s, S_ACCOUNT_ADD, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, org_id);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pw_hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return ctip_err_set(e, CTIP_EINVAL, "account '%s' already exists", username);
	return rc == SQLITE_DONE ? CTIP_OK : sq_db_err(s, e, "account");
}
