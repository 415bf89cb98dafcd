/*
 * store.c - choosing a back end and loading the reference data a store holds.
 */
#include "store.h"

#include <stdio.h>
#include <string.h>

#include "embedded.h"
#include "store_casework.h"
#include "store_comms.h"
#include "store_company.h"
#include "store_lists.h"
#include "store_pg.h"
#include "store_sqlite.h"
#include "store_unavail.h"

int ctip_store_is_url(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

int ctip_store_open(const char *path, int create, ctip_store **out, ctip_err *e)
{
	int rc, version = 0;
	*out = NULL;
	if (ctip_store_is_url(path)) {
		if ((rc = ctip_store_pg_open(path, create, out, e)))
			return rc;
	} else {
		if ((rc = ctip_store_sqlite_open(path, create, out, e)))
			return rc;
		(*out)->srv = &ctip_sqlite_srv_ops;
	}
	ctip_store *s = *out;
	if ((rc = s->ops->schema_version(s, &version, e)))
		goto fail;
	if (version > 0) {
		if (!(s->ref = ctip_ref_new())) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto fail;
		}
		if ((rc = s->ops->ref_load(s, s->ref, e)))
			goto fail;
	}
	return CTIP_OK;
fail:
	s->ops->close(s);
	*out = NULL;
	return rc;
}

void ctip_store_close(ctip_store *s)
{
	if (!s)
		return;
	ctip_store_close(s->audit_to);
	s->audit_to = NULL;
	s->ops->close(s);
}

int ctip_store_latest_version(void)
{
	int latest = 0, v;
	for (const struct ctip_embedded *f = ctip_embedded; f->path; f++)
		if (!strncmp(f->path, "lib/sql/", 8) && sscanf(f->path + 8, "%4d", &v) == 1 &&
		    v > latest)
			latest = v;
	return latest;
}

const struct ctip_cw_ops *ctip_cw_ops(ctip_store *s, ctip_err *e)
{
	const char *name = s->ops && s->ops->name ? s->ops->name : "unknown";
	if (!strcmp(name, "sqlite"))
		return &ctip_sqlite_cw_ops;
	if (!strcmp(name, "PostgreSQL"))
		return &ctip_pg_cw_ops;
	ctip_err_set(e, CTIP_EINVAL, "casework is not available on the %s back end yet", name);
	return NULL;
}

const struct ctip_co_ops *ctip_co_ops(ctip_store *s, ctip_err *e)
{
	const char *name = s->ops && s->ops->name ? s->ops->name : "";
	if (!strcmp(name, "sqlite"))
		return &ctip_sqlite_co_ops;
	if (!strcmp(name, "PostgreSQL"))
		return &ctip_pg_co_ops;
	ctip_store_unavail(s, "company register", e);
	return NULL;
}

const struct ctip_comms_ops *ctip_comms_store(ctip_store *s, ctip_err *e)
{
	const char *name = s->ops && s->ops->name ? s->ops->name : "";
	if (!strcmp(name, "sqlite"))
		return &ctip_sqlite_comms_ops;
	if (!strcmp(name, "PostgreSQL"))
		return &ctip_pg_comms_ops;
	ctip_store_unavail(s, "communications tracker", e);
	return NULL;
}

const struct ctip_list_ops *ctip_list_ops(ctip_store *s, ctip_err *e)
{
	const char *name = s->ops && s->ops->name ? s->ops->name : "unknown";
	if (!strcmp(name, "sqlite"))
		return &ctip_sqlite_list_ops;
	if (!strcmp(name, "PostgreSQL"))
		return &ctip_pg_list_ops;
	ctip_err_set(e, CTIP_EINVAL, "the server's lists are not available on the %s back end yet",
	             name);
	return NULL;
}
