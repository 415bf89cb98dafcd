/*
 * store_sqlite_key.c - the registry's key: the check value that tells a wrong key from
 * the right one (setting key_check), and key rotation: every sealed column, blind index and
 * name-index document rewritten under the new key in one transaction, then the file compacted
 * so that nothing sealed with the old key stays behind in free pages.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "store_casework.h"
#include "store_comms.h"
#include "rekey.h"
#include "store_sqlite_int.h"

/* ---- the key ---------------------------------------------------------------------- */

static int setting_get(sqlite_store *s, const char *name, char *out, size_t n, ctip_err *e)
{
	sqlite3_stmt *st = sq_stmt(s, S_SETTING_GET, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, n, "%s", sq_col(st, 0) ? sq_col(st, 0) : "");
	sqlite3_reset(st);
	return rc == SQLITE_ROW    ? CTIP_OK
	       : rc == SQLITE_DONE ? CTIP_ENOTFOUND
	                           : sq_db_err(s, e, "setting");
}

int sq_key_needed(ctip_store *base, int *has, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	char v[CTIP_KEY_CHECK];
	int version, rc;
	*has = 0;
	if ((rc = sq_schema_version(base, &version, e)) || version < 3)
		return rc;
	rc = setting_get(s, "key_check", v, sizeof(v), e);
	*has = rc == CTIP_OK;
	return rc == CTIP_ENOTFOUND ? CTIP_OK : rc;
}

int sq_key_bind(ctip_store *base, ctip_crypto *c, int create, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	char want[CTIP_KEY_CHECK], have[CTIP_KEY_CHECK];
	ctip_crypto_check_value(c, want);
	int rc = setting_get(s, "key_check", have, sizeof(have), e);
	if (rc == CTIP_ENOTFOUND && create) {
		sqlite3_stmt *st = sq_stmt(s, S_SETTING_SET, e);
		if (!st)
			return CTIP_EDB;
		sqlite3_bind_text(st, 1, "key_check", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, want, -1, SQLITE_STATIC);
		rc = sq_exec_done(s, st, e);
	} else if (rc == CTIP_ENOTFOUND) {
		rc = ctip_err_set(e, CTIP_EINVAL, "%s has no key check value: run `ctip init`",
		                  s->base.path);
	} else if (rc == CTIP_OK && sodium_memcmp(want, have, sizeof(want)) != 0) {
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "%s: wrong key: the key file is not the one this database was "
		                  "encrypted with (check --key or CTIP_KEY)",
		                  s->base.path);
	}
	if (rc) {
		if (c == s->base.crypto)
			s->base.crypto = NULL;
		ctip_crypto_free(c);
		return rc;
	}
	if (c != s->base.crypto)
		ctip_crypto_free(s->base.crypto);
	s->base.crypto = c;
	return CTIP_OK;
}

/* ---- key rotation ---------------------------------------------------------------------- */

/* The rows of a sealed column (rekey.h), resealed in batches of 256 in key order (k1, k2). */
static int reseal_column(sqlite_store *s, const ctip_crypto *next, const struct ctip_sealed_col *c,
                         long *count, long total, ctip_err *e)
{
	sqlite3_stmt *rd = NULL, *wr = NULL;
	int rc = CTIP_OK, step, more = 1, seq = c->k2 != NULL;
	int64_t k1 = INT64_MIN, k2 = INT64_MIN;
	const char *what = c->place;
	char *sel =
	        seq ? sqlite3_mprintf("SELECT \"%w\", \"%w\", \"%w\" FROM \"%w\" WHERE "
	                              "(\"%w\", \"%w\") > (?1, ?2) AND \"%w\" IS NOT NULL "
	                              "ORDER BY 1, 2 LIMIT 256",
	                              c->k1, c->k2, c->column, c->table, c->k1, c->k2, c->column)
	            : sqlite3_mprintf("SELECT \"%w\", ?2, \"%w\" FROM \"%w\" WHERE \"%w\" "
	                              "> ?1 AND \"%w\" IS NOT NULL ORDER BY 1 LIMIT 256",
	                              c->k1, c->column, c->table, c->k1, c->column);
	char *upd = seq ? sqlite3_mprintf("UPDATE \"%w\" SET \"%w\" = ?3 WHERE \"%w\" = ?1 AND "
	                                  "\"%w\" = ?2",
	                                  c->table, c->column, c->k1, c->k2)
	                : sqlite3_mprintf("UPDATE \"%w\" SET \"%w\" = ?3 WHERE \"%w\" = ?1",
	                                  c->table, c->column, c->k1);
	if (!sel || !upd) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, sel, -1, &rd, NULL) ||
	    sqlite3_prepare_v2(s->db, upd, -1, &wr, NULL)) {
		rc = sq_db_err(s, e, what);
		goto out;
	}
	while (rc == CTIP_OK && more) {
		struct {
			int64_t k1, k2;
			unsigned char *b;
			int n;
		} batch[256];
		int nb = 0;
		sqlite3_reset(rd);
		sqlite3_bind_int64(rd, 1, k1);
		sqlite3_bind_int64(rd, 2, k2);
		while (nb < 256 && (step = sqlite3_step(rd)) == SQLITE_ROW) {
			int n = sqlite3_column_bytes(rd, 2);
			batch[nb].k1 = sqlite3_column_int64(rd, 0);
			batch[nb].k2 = sqlite3_column_int64(rd, 1);
			batch[nb].n = n;
			if (!(batch[nb].b = malloc((size_t)n + 1))) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			memcpy(batch[nb].b, sqlite3_column_blob(rd, 2), (size_t)n);
			nb++;
		}
		more = nb == 256;
		if (rc == CTIP_OK && !more && step != SQLITE_DONE)
			rc = sq_db_err(s, e, what);
		sqlite3_reset(rd);
		for (int i = 0; i < nb; i++) {
			char ad[96];
			int an = place_of(ad, sizeof(ad), what, batch[i].k1,
			                  seq ? (int)batch[i].k2 : -1);
			unsigned char *out = malloc((size_t)batch[i].n + 1);
			if (rc == CTIP_OK && !out)
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			else if (rc == CTIP_OK &&
			         ctip_reseal(s->base.crypto, next, batch[i].b, (size_t)batch[i].n,
			                     ad, (size_t)an, out))
				rc = ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: the %s of %lld does not open under the current key: "
				        "nothing was changed",
				        s->base.path, what, (long long)batch[i].k1);
			if (rc == CTIP_OK) {
				sqlite3_reset(wr);
				sqlite3_bind_int64(wr, 1, batch[i].k1);
				sqlite3_bind_int64(wr, 2, batch[i].k2);
				sqlite3_bind_blob(wr, 3, out, batch[i].n, SQLITE_STATIC);
				if (sqlite3_step(wr) != SQLITE_DONE)
					rc = sq_db_err(s, e, what);
				sqlite3_reset(wr);
				(*count)++;
			}
			free(out);
			free(batch[i].b);
			k1 = batch[i].k1;
			k2 = batch[i].k2;
		}
		ctip_progress_report("rotating the key", *count, total, "values");
	}
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	sqlite3_free(sel);
	sqlite3_free(upd);
	return rc;
}

/* The blind index of each document number and phone of record pid under next: the item of
 * the opened identity v whose blind index under the current key is the stored one. */
static int rekey_numbers(sqlite_store *s, const ctip_crypto *next, int64_t pid, char **v,
                         ctip_err *e)
{
	static const char *const sel[2] = {
	        "SELECT seq, number_bidx, NULL FROM identity_doc WHERE person_id = ?",
	        "SELECT seq, e164_bidx, kind FROM phone WHERE person_id = ?"};
	static const char *const upd[2] = {
	        "UPDATE identity_doc SET number_bidx = ?3 WHERE person_id = ?1 AND seq = ?2",
	        "UPDATE phone SET e164_bidx = ?3 WHERE person_id = ?1 AND seq = ?2 AND kind = ?4"};
	int rc = CTIP_OK;
	for (int t = 0; t < 2 && rc == CTIP_OK; t++) {
		sqlite3_stmt *rd = NULL, *wr = NULL;
		if (sqlite3_prepare_v2(s->db, sel[t], -1, &rd, NULL) ||
		    sqlite3_prepare_v2(s->db, upd[t], -1, &wr, NULL)) {
			rc = sq_db_err(s, e, "key rotation");
			sqlite3_finalize(rd);
			sqlite3_finalize(wr);
			break;
		}
		/* read first, then write: an update would move the reading cursor */
		struct {
			int seq;
			char kind[8];
			unsigned char bidx[CTIP_BIDX_BYTES];
		} row[64];
		int nr = 0;
		sqlite3_bind_int64(rd, 1, pid);
		while (rc == CTIP_OK && sqlite3_step(rd) == SQLITE_ROW) {
			const char *k = sq_col(rd, 2);
			if (nr == 64) {
				rc = ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: record P%lld has more than 64 documents or phones "
				        "of a kind: nothing was changed",
				        s->base.path, (long long)pid);
				break;
			}
			if (!sqlite3_column_blob(rd, 1) ||
			    sqlite3_column_bytes(rd, 1) != CTIP_BIDX_BYTES)
				continue;
			row[nr].seq = sqlite3_column_int(rd, 0);
			snprintf(row[nr].kind, sizeof(row[nr].kind), "%s", k ? k : "");
			memcpy(row[nr].bidx, sqlite3_column_blob(rd, 1), CTIP_BIDX_BYTES);
			nr++;
		}
		sqlite3_reset(rd);
		for (int r = 0; r < nr && rc == CTIP_OK; r++) {
			const char *kind = row[r].kind;
			/* documents; phones of their kind */
			const char *list = t == 0 ? v[8] : !strcmp(kind, "home") ? v[10] : v[9];
			unsigned char b[CTIP_BIDX_BYTES];
			int found = ctip_rekey_number(s->base.crypto, next, t == 1, list,
			                              row[r].bidx, b);
			if (found < 0) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			if (found == 1) {
				rc = ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: a %s of record P%lld matches none of its sealed "
				        "values: nothing was changed",
				        s->base.path, t == 0 ? "document" : "phone",
				        (long long)pid);
				break;
			}
			sqlite3_reset(wr);
			sqlite3_bind_int64(wr, 1, pid);
			sqlite3_bind_int(wr, 2, row[r].seq);
			sqlite3_bind_blob(wr, 3, b, sizeof(b), SQLITE_TRANSIENT);
			if (t == 1)
				sqlite3_bind_text(wr, 4, kind, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(wr) != SQLITE_DONE)
				rc = sq_db_err(s, e, "key rotation");
		}
		sqlite3_finalize(rd);
		sqlite3_finalize(wr);
	}
	return rc;
}

/* Every identity resealed, and its numbers' blind indexes recomputed. */
static int rekey_identities(sqlite_store *s, const ctip_crypto *next, long *count, long total,
                            ctip_err *e)
{
	sqlite3_stmt *rd = NULL, *wr = NULL;
	int rc = CTIP_OK, more = 1;
	int64_t after = INT64_MIN;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT id, identity FROM person WHERE id > ? AND identity IS NOT "
	                       "NULL ORDER BY id LIMIT 256",
	                       -1, &rd, NULL) ||
	    sqlite3_prepare_v2(s->db, "UPDATE person SET identity = ? WHERE id = ?", -1, &wr,
	                       NULL)) {
		rc = sq_db_err(s, e, "key rotation");
		goto out;
	}
	while (rc == CTIP_OK && more) {
		int64_t ids[256];
		unsigned char *blobs[256];
		int lens[256], nb = 0;
		sqlite3_reset(rd);
		sqlite3_bind_int64(rd, 1, after);
		while (nb < 256 && sqlite3_step(rd) == SQLITE_ROW) {
			lens[nb] = sqlite3_column_bytes(rd, 1);
			ids[nb] = sqlite3_column_int64(rd, 0);
			if (!(blobs[nb] = malloc((size_t)lens[nb] + 1))) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			memcpy(blobs[nb], sqlite3_column_blob(rd, 1), (size_t)lens[nb]);
			nb++;
		}
		sqlite3_reset(rd);
		more = nb == 256;
		for (int i = 0; i < nb; i++) {
			char *v[N_IDENTITY];
			unsigned char *out = malloc((size_t)lens[i] + 1);
			if (rc == CTIP_OK && !out)
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			if (rc == CTIP_OK &&
			    !(rc = sq_identity_open(s, ids[i], blobs[i], lens[i], v, e))) {
				char ad[64];
				int an = place_of(ad, sizeof(ad), "person.identity", ids[i], -1);
				if (ctip_reseal(s->base.crypto, next, blobs[i], (size_t)lens[i], ad,
				                (size_t)an, out))
					rc = sq_identity_error(s, ids[i], e);
				else
					rc = rekey_numbers(s, next, ids[i], v, e);
				identity_free(v);
				if (rc == CTIP_OK) {
					sqlite3_reset(wr);
					sqlite3_bind_blob(wr, 1, out, lens[i], SQLITE_STATIC);
					sqlite3_bind_int64(wr, 2, ids[i]);
					if (sqlite3_step(wr) != SQLITE_DONE)
						rc = sq_db_err(s, e, "key rotation");
					sqlite3_reset(wr);
					(*count)++;
				}
			}
			free(out);
			free(blobs[i]);
			after = ids[i];
		}
		ctip_progress_report("rotating the key", *count, total, "values");
	}
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	return rc;
}

/* The values of a column (not NULL), for the progress bar; 0 when they cannot be counted. */
static long count_of(sqlite_store *s, const char *table, const char *column)
{
	char *q = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE \"%w\" IS NOT NULL", table,
	                          column);
	sqlite3_stmt *st = NULL;
	long n = 0;
	if (q && sqlite3_prepare_v2(s->db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(q);
	return n;
}

int sq_key_rotate(ctip_store *base, ctip_crypto *next, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	ctip_crypto *old = s->base.crypto;
	long n = 0;
	char check[CTIP_KEY_CHECK];
	int rc;
	if (!old)
		return sq_no_key(s, e);
	/* deleted and overwritten content is zeroed (old ciphertexts and blind indexes), the
	 * commit reaches the disk before the key file is replaced */
	if ((rc = sq_exec_sql(s, "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL", e)) ||
	    (rc = sq_exec_sql(s, "BEGIN IMMEDIATE", e)))
		goto done;
	for (int i = 0; i < S_COUNT; i++) { /* the statements must see the new key's data */
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	ctip_crypto_check_value(next, check);
	/* re-sealing rewrites every identity, which the trigger of 0009 takes for a change that
	 * linkage must look at again: keep only the changes it had listed before */
	if ((rc = sq_exec_sql(s,
	                      "CREATE TEMP TABLE rotate_changed AS SELECT person_id FROM "
	                      "link_changed",
	                      e))) {
		sq_exec_sql(s, "ROLLBACK", NULL);
		goto done;
	}
	/* the values to reseal, for the progress bar */
	long total = count_of(s, "person", "identity");
	for (const struct ctip_sealed_col *c = ctip_sealed_cols; c->table; c++)
		total += count_of(s, c->table, c->column);
	/* every identity, then every sealed column (rekey.h) */
	rc = rekey_identities(s, next, &n, total, e);
	for (const struct ctip_sealed_col *c = ctip_sealed_cols; !rc && c->table; c++)
		rc = reseal_column(s, next, c, &n, total, e);
	if (rc ||
	    (rc = sq_exec_sql(s,
	                      "DELETE FROM link_changed WHERE person_id NOT IN (SELECT person_id "
	                      "FROM temp.rotate_changed); DROP TABLE temp.rotate_changed; "
	                      /* what linkage keeps under the key (0011): sealed or keyed by it,
	                       * and rebuilt by the next run; nothing of the old key stays */
	                      "DELETE FROM link_cache; DELETE FROM link_cache_extra; "
	                      "DELETE FROM link_freq; DELETE FROM link_freq_total",
	                      e))) {
		sq_exec_sql(s, "ROLLBACK", NULL);
		goto done;
	}
	/* the name indexes from the sort keys, now sealed under next (ctip_sortkey and
	 * ctip_name_doc use the bound key) */
	s->base.crypto = next;
	sqlite3_stmt *st = sq_stmt(s, S_SETTING_SET, e);
	if (!st)
		rc = CTIP_EDB;
	else {
		sqlite3_bind_text(st, 1, "key_check", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, check, -1, SQLITE_STATIC);
		rc = sq_exec_done(s, st, e);
	}
	if (rc == CTIP_OK)
		rc = sq_exec_sql(
		        s,
		        "INSERT INTO person_name(person_name) VALUES ('delete-all'); " NAMES_ALL
		        "; "
		        "DELETE FROM person_referred; " REFERRED_ALL "; "
		        "INSERT INTO person_name(person_name) VALUES ('optimize'); "
		        "INSERT INTO person_referred(person_referred) VALUES ('optimize')",
		        e);
	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	if (rc || (rc = sq_exec_sql(s, "COMMIT", e))) {
		sq_exec_sql(s, "ROLLBACK", NULL);
		s->base.crypto = old;
		goto done;
	}
	ctip_crypto_free(old);
done:
	ctip_progress_finish();
	sq_exec_sql(s, "PRAGMA secure_delete = OFF; PRAGMA synchronous = NORMAL", NULL);
	return rc;
}

/* Rewrites the file without its free pages, and empties the WAL: nothing deleted or
 * overwritten (an old key's ciphertexts and blind indexes) stays behind. */
int sq_compact(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	int rc = sq_exec_sql(s, "VACUUM", e);
	return rc ? rc : sq_exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", e);
}
