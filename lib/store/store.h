/*
 * store.h - the storage interface. The library (import, export, search,
 * show, and later stats and linkage) talks to a store only through these
 * operations; one back end implements them on an embedded SQLite file, and
 * a PostgreSQL back end implements the same table for national deployments.
 *
 * A store speaks in rows (row.h) and organisations, not in SQL: the schema is
 * the back end's business.
 */
#ifndef CTIP_STORE_H
#define CTIP_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "error.h"
#include "refdata.h"
#include "row.h"
#include "store_audit.h"
#include "store_core.h"
#include "store_linkage.h"
#include "store_search.h"
#include "store_server.h"
#include "store_stats.h"

/* The operations of a back end, grouped by concern (store_core.h, store_search.h,
 * store_audit.h, store_stats.h, store_linkage.h; the server's are struct ctip_srv_ops,
 * store_server.h). Each group is an anonymous member, so s->ops->NAME reads as before. */
struct ctip_store_ops {
	const char *name; /* the back end, in messages: "sqlite" (compared by name), "PostgreSQL" */
	struct {
		CTIP_STORE_CORE_OPS
	};
	struct {
		CTIP_STORE_SEARCH_OPS
	};
	struct {
		CTIP_STORE_AUDIT_OPS
	};
	struct {
		CTIP_STORE_STATS_OPS
	};
	struct {
		CTIP_STORE_LINKAGE_OPS
	};
};

struct ctip_store {
	const struct ctip_store_ops *ops;
	const struct ctip_srv_ops *srv;
	ctip_ref *ref;       /* loaded by ctip_store_open when the database is initialised */
	ctip_crypto *crypto; /* set by key_bind; identities cannot be read or written without */
	char path[1024];     /* a file's path or a URL (without its password), for messages */
	const char *command; /* the ctip command using it, for messages (NULL: none) */
	int schema_latest;   /* the schema version its back end migrates to (0: SQLite's) */
	/* Where audit entries are appended (NULL: to this store's own log): a read-only standby's
	 * go to its primary (--audit-db, docs/DEPLOYMENT.md). Closed with the store. */
	struct ctip_store *audit_to;
};

/* Opens the store at path: a PostgreSQL database for a "postgresql://" or "postgres://"
 * URL, anything else a SQLite file. create: make the file if missing. Loads the reference
 * data when present. */
int ctip_store_open(const char *path, int create, ctip_store **out, ctip_err *e);
void ctip_store_close(ctip_store *s);
/* Whether path names a database server (a URL) rather than a file: it then has no
 * directory to create and no neighbouring key or audit file. */
int ctip_store_is_url(const char *path);
/* The schema version this build migrates to (its newest lib/sql/NNNN_*.sql). */
int ctip_store_latest_version(void);

#endif
