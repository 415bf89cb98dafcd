/*
 * store_pg_names.c - the count of global tokens of the name index's rows written before
 * migration 0037 (issue 11 item 8; docs/DESIGN.md, "Search on PostgreSQL").
 *
 * The index of referred names (person_referred) is made in SQL from each record's global
 * name tokens, which come first in person_name.tokens; n_global says how many. The tokens
 * are blind (keyed hashes) and every token has the same length, so the count cannot be told
 * from the row: it is the number of words of the name, which only the sealed identity holds.
 * `ctip init` (pg_migrate) therefore opens each such record with the key and writes its
 * count; the triggers of person_name then make its rows of person_referred. Every writer of
 * person_name since 0037 gives the count itself (store_pg_rows.c, store_pg_rekey.c,
 * store_copy.c), so this runs once, over a registry migrated or restored from before it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "identity.h"
#include "progress.h"
#include "store_pg_int.h"

#define NAMES_BATCH 500

/* The counts of one batch of records (p: id, org, identity), as two array literals. */
static int batch_counts(pg_store *s, PGresult *p, char **ids, char **counts, ctip_err *e)
{
	int np = PQntuples(p);
	size_t cap = (size_t)np * 24 + 3;
	char *a = malloc(cap), *b = malloc((size_t)np * 8 + 3);
	if (!a || !b) {
		free(a);
		free(b);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	size_t al = 0, bl = 0;
	a[al++] = '{';
	b[bl++] = '{';
	int rc = CTIP_OK;
	for (int i = 0; i < np && !rc; i++) {
		int64_t pid = strtoll(PQgetvalue(p, i, 0), NULL, 10);
		int64_t org = strtoll(PQgetvalue(p, i, 1), NULL, 10);
		unsigned char *blob;
		size_t n;
		if (pg_col_bytea(p, i, 2, &blob, &n)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		unsigned char *m = n > CTIP_SEAL_OVERHEAD ? malloc(n) : NULL;
		const unsigned char *key;
		size_t klen;
		int ng = 0;
		if (!m || ctip_identity_unseal(s->base.crypto, pid, blob, (int)n, m) ||
		    ctip_identity_key(m, n - CTIP_SEAL_OVERHEAD, &key, &klen)) {
			rc = ctip_identity_error(s->base.path, pid, e);
		} else {
			char *k = malloc(klen + 1), *doc = NULL;
			if (k) {
				memcpy(k, key, klen);
				k[klen] = 0;
				doc = ctip_name_doc(s->base.crypto, k, org, 1, &ng);
				sodium_memzero(k, klen);
				free(k);
			}
			if (!doc)
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			free(doc);
		}
		if (m)
			sodium_memzero(m, n);
		free(m);
		free(blob);
		if (!rc) {
			al += (size_t)snprintf(a + al, cap - al, "%s%lld", i ? "," : "",
			                       (long long)pid);
			bl += (size_t)snprintf(b + bl, (size_t)np * 8 + 3 - bl, "%s%d",
			                       i ? "," : "", ng);
		}
	}
	a[al++] = '}';
	a[al] = 0;
	b[bl++] = '}';
	b[bl] = 0;
	if (rc) {
		free(a);
		free(b);
		return rc;
	}
	*ids = a;
	*counts = b;
	return CTIP_OK;
}

int pg_names_global(pg_store *s, ctip_err *e)
{
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT count(*) FROM person_name WHERE n_global IS NULL AND "
	                  "array_length(tokens, 1) > 0",
	                  0, NULL, &r, e, "name index");
	if (rc)
		return rc;
	long todo = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (!todo)
		return CTIP_OK;
	if (!s->base.crypto)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: the name index of %ld records was written before schema "
		                    "version 37 and must be counted again with the key: run ctip "
		                    "init with --key (or CTIP_KEY)",
		                    s->base.path, todo);
	if ((rc = pg_exec(s, "BEGIN", e)))
		return rc;
	char after[24] = "-1";
	long done = 0;
	for (int more = 1; more && !rc;) {
		const char *v[1] = {after};
		PGresult *p;
		if ((rc = pg_query(
		             s,
		             "SELECT p.id, p.org_id, p.identity FROM person p JOIN person_name n "
		             "ON n.person_id = p.id WHERE n.n_global IS NULL AND p.id > "
		             "$1::bigint AND p.identity IS NOT NULL ORDER BY p.id LIMIT 500",
		             1, v, &p, e, "name index")))
			break;
		int np = PQntuples(p);
		more = np == NAMES_BATCH;
		char *ids = NULL, *counts = NULL;
		if (np && !(rc = batch_counts(s, p, &ids, &counts, e))) {
			snprintf(after, sizeof(after), "%s", PQgetvalue(p, np - 1, 0));
			const char *w[2] = {ids, counts};
			rc = pg_query(
			        s,
			        "UPDATE person_name n SET n_global = k.c FROM unnest($1::bigint[], "
			        "$2::smallint[]) k(p, c) WHERE n.person_id = k.p",
			        2, w, NULL, e, "name index");
			done += np;
		}
		free(ids);
		free(counts);
		PQclear(p);
		ctip_progress_report("counting the name index's tokens", done, todo, "records");
	}
	ctip_progress_finish();
	if (rc) {
		pg_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	/* every row of person_name was written again: its GIN index holds the new entries in
	 * its pending list, which each search would read through until autovacuum came */
	if ((rc = pg_exec(s, "COMMIT", e)))
		return rc;
	return pg_exec(s, "VACUUM (ANALYZE) person_name, person_referred", e);
}
