/*
 * store_sqlite_link.c - record linkage's storage on SQLite: streaming what
 * linkage compares of every person record (its sealed identity opened into
 * one reused buffer, without a string allocated per field), and the tables
 * of migrations 0006 (link_run, link_person, link_pair), 0009 (link_changed) and 0011
 * (link_freq, the index of pairs by b).
 */
#include "store_sqlite_link.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "link_input.h"
#include "store_sqlite.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

static int fail(ctip_store *s, ctip_err *e, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->path,
	                    sqlite3_errmsg(ctip_store_sqlite_db(s)), what);
}

static sqlite3_stmt *prep(ctip_store *s, const char *sql, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		fail(s, e, sql);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Every record, and beside it every record's period and countries of exploitation (a `;` list,
 * a country possibly more than once: lk_data_add keeps each once), both by id and merged
 * while reading (a join would build an index of the periods first: 0.6 s a million); one
 * record: looked up for it. */
static const char input_all_sql[] =
        "SELECT p.id, o.name, p.src_record_id, p.birth_date, p.gender, p.province_2025, "
        "p.identity, NULL, NULL, NULL FROM person p JOIN organisation o ON o.id = p.org_id "
        "ORDER BY p.id";
static const char periods_sql[] =
        "SELECT cp.person_id, min(x.start_date), max(coalesce(x.end_date, x.start_date)), "
        "group_concat(x.country, ';') "
        "FROM case_person cp JOIN exploitation x ON x.case_person_id = cp.id "
        "GROUP BY cp.person_id ORDER BY cp.person_id";
static const char input_one_sql[] =
        "SELECT p.id, o.name, p.src_record_id, p.birth_date, p.gender, p.province_2025, "
        "p.identity, (SELECT min(x.start_date) FROM case_person cp JOIN exploitation x ON "
        "x.case_person_id = cp.id WHERE cp.person_id = p.id), (SELECT "
        "max(coalesce(x.end_date, x.start_date)) FROM case_person cp JOIN exploitation x ON "
        "x.case_person_id = cp.id WHERE cp.person_id = p.id), (SELECT group_concat(x.country, "
        "';') FROM case_person cp JOIN exploitation x ON x.case_person_id = cp.id WHERE "
        "cp.person_id = p.id) FROM person p JOIN organisation o ON o.id = p.org_id WHERE p.id = ?";

static const char *const input_reads[] = {input_all_sql, periods_sql, input_one_sql, NULL};

const char *const *ctip_sqlite_link_reads(void)
{
	return input_reads;
}

int ctip_sq_link_input(ctip_store *s, const int64_t *ids, int n,
                       int (*cb)(void *ctx, const struct ctip_link_input *r), void *ctx,
                       ctip_err *e)
{
	if (!s->crypto)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: no key loaded: identities cannot be opened", s->path);
	sqlite3_stmt *st = prep(s, n ? input_one_sql : input_all_sql, e), *per = NULL;
	if (!st || (!n && !(per = prep(s, periods_sql, e)))) {
		sqlite3_finalize(st);
		return CTIP_EDB;
	}
	int per_step = per ? sqlite3_step(per) : SQLITE_DONE;
	unsigned char *m = NULL;
	size_t cap = 0;
	int rc = CTIP_OK;
	for (int k = 0; k < (n ? n : 1) && !rc; k++) {
		sqlite3_reset(st);
		if (n)
			sqlite3_bind_int64(st, 1, ids[k]);
		int step;
		while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
			struct ctip_link_input r;
			memset(&r, 0, sizeof(r));
			r.id = sqlite3_column_int64(st, 0);
			r.org = (const char *)sqlite3_column_text(st, 1);
			r.src_record_id = (const char *)sqlite3_column_text(st, 2);
			r.birth = (const char *)sqlite3_column_text(st, 3);
			r.gender = (const char *)sqlite3_column_text(st, 4);
			r.province_2025 = (const char *)sqlite3_column_text(st, 5);
			r.expl_start = (const char *)sqlite3_column_text(st, 7);
			r.expl_end = (const char *)sqlite3_column_text(st, 8);
			r.expl_countries = (const char *)sqlite3_column_text(st, 9);
			while (per_step == SQLITE_ROW && sqlite3_column_int64(per, 0) < r.id)
				per_step = sqlite3_step(per);
			if (per_step == SQLITE_ROW && sqlite3_column_int64(per, 0) == r.id) {
				r.expl_start = (const char *)sqlite3_column_text(per, 1);
				r.expl_end = (const char *)sqlite3_column_text(per, 2);
				r.expl_countries = (const char *)sqlite3_column_text(per, 3);
			}
			const unsigned char *b = sqlite3_column_blob(st, 6);
			if (b && (rc = ctip_link_input_identity(s->crypto, s->path, b,
			                                        (size_t)sqlite3_column_bytes(st, 6),
			                                        &m, &cap, &r, e)))
				break;
			rc = cb(ctx, &r);
		}
		if (!rc && step != SQLITE_DONE)
			rc = fail(s, e, "link input");
	}
	if (!rc && per_step != SQLITE_ROW && per_step != SQLITE_DONE)
		rc = fail(s, e, "link input: periods");
	sqlite3_finalize(per);
	if (m && cap)
		sodium_memzero(m, cap);
	free(m);
	sqlite3_finalize(st);
	return rc;
}

static int exec(ctip_store *s, const char *sql, ctip_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(ctip_store_sqlite_db(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
		ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->path, msg ? msg : "?", sql);
		sqlite3_free(msg);
		return CTIP_EDB;
	}
	return CTIP_OK;
}

/* An incremental run's flags of the stored pairs: a pair of records is linked when both
 * have one person key. Every pair whose flag may change has a touched record as its a (the
 * smaller id), because the run touches every member of a cluster that changed, so the
 * primary key finds them. */
static int relink_touched(ctip_store *s, const struct ctip_link_result *res, ctip_err *e)
{
	int rc;
	if ((rc = exec(s,
	               "CREATE TEMP TABLE IF NOT EXISTS link_touched(id INTEGER PRIMARY KEY); "
	               "DELETE FROM temp.link_touched;",
	               e)))
		return rc;
	sqlite3_stmt *st = prep(s, "INSERT OR IGNORE INTO temp.link_touched(id) VALUES (?)", e);
	if (!st)
		return CTIP_EDB;
	for (long i = 0; i < res->ntouched && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, res->touched[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = fail(s, e, "link_touched");
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = exec(s,
		          "UPDATE link_pair SET linked = coalesce((SELECT la.person_key = "
		          "lb.person_key FROM link_person la, link_person lb WHERE la.person_id = "
		          "link_pair.a AND lb.person_id = link_pair.b), 0) "
		          "WHERE a IN (SELECT id FROM temp.link_touched); "
		          "DELETE FROM temp.link_touched;",
		          e);
	return rc;
}

/* An incremental run scores again every pair of the records it relinks: their stored pairs
 * (where they are a or b) go, so that a changed record's old pairs are neither kept nor
 * offered for review. */
static int drop_relinked(ctip_store *s, const struct ctip_link_result *res, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, "DELETE FROM link_pair WHERE a = ?1", e);
	sqlite3_stmt *st2 = NULL;
	if (st)
		st2 = prep(s, "DELETE FROM link_pair WHERE b = ?1", e);
	if (!st || !st2) {
		sqlite3_finalize(st);
		return CTIP_EDB;
	}
	int rc = CTIP_OK;
	for (long i = 0; i < res->nrelinked && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_reset(st2);
		sqlite3_bind_int64(st, 1, res->relinked[i]);
		sqlite3_bind_int64(st2, 1, res->relinked[i]);
		if (sqlite3_step(st) != SQLITE_DONE || sqlite3_step(st2) != SQLITE_DONE)
			rc = fail(s, e, "link_pair of relinked records");
	}
	sqlite3_finalize(st);
	sqlite3_finalize(st2);
	return rc;
}

/* The run's name frequencies replace the stored ones, or (an incremental run's) are added to
 * them. */
static int save_freq(ctip_store *s, const struct ctip_link_result *res, ctip_err *e)
{
	int rc = CTIP_OK;
	sqlite3_stmt *st;
	if (res->freq_add)
		goto add;
	if ((rc = exec(s, "DELETE FROM link_freq; DELETE FROM link_freq_total;", e)) ||
	    !res->freq_check || !res->freq_check[0])
		return rc;
	st = prep(s,
	          "INSERT INTO link_freq_total(records, family, given, full, "
	          "key_check) VALUES (?, ?, ?, ?, ?)",
	          e);
	if (!st)
		return CTIP_EDB;
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(st, i + 1, res->freq_total[i]);
	sqlite3_bind_text(st, 5, res->freq_check, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(s, e, "link_freq_total");
	sqlite3_finalize(st);
	if (rc)
		return rc;
add:
	if (!(st = prep(s, "INSERT OR IGNORE INTO link_freq(h, n) VALUES (?, ?)", e)))
		return CTIP_EDB;
	for (long i = 0; i < res->nfreq && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, res->freq_h[i]);
		sqlite3_bind_int64(st, 2, res->freq_n[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = fail(s, e, "link_freq");
	}
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_freq(ctip_store *s, const int64_t *h, int n, uint32_t *cnt, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, "SELECT n FROM link_freq WHERE h = ?", e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK;
	for (int i = 0; i < n && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, h[i]);
		int step = sqlite3_step(st);
		cnt[i] = step == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = fail(s, e, "link_freq");
	}
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_freq_total(ctip_store *s, long total[4], char *check, ctip_err *e)
{
	sqlite3_stmt *st = prep(
	        s, "SELECT records, family, given, full, key_check FROM link_freq_total LIMIT 1",
	        e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		for (int i = 0; i < 4; i++)
			total[i] = (long)sqlite3_column_int64(st, i);
		const char *k = (const char *)sqlite3_column_text(st, 4);
		snprintf(check, 17, "%s", k ? k : "");
	} else if (step == SQLITE_DONE) {
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "no stored name frequencies");
	} else {
		rc = fail(s, e, "link_freq_total");
	}
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_cache_put(ctip_store *s, const unsigned char *const *chunk, const size_t *len,
                           int n, ctip_err *e)
{
	int rc = exec(s, "DELETE FROM link_cache; DELETE FROM link_cache_extra;", e);
	if (rc || !n)
		return rc;
	sqlite3_stmt *st = prep(s, "INSERT INTO link_cache(seq, data) VALUES (?, ?)", e);
	if (!st)
		return CTIP_EDB;
	for (int i = 0; i < n && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_blob64(st, 2, chunk[i], len[i], SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = fail(s, e, "link_cache");
	}
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_cache_get(ctip_store *s,
                           int (*cb)(void *ctx, const unsigned char *chunk, size_t len, int index,
                                     int count),
                           void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(
	        s, "SELECT data, (SELECT count(*) FROM link_cache) FROM link_cache ORDER BY seq",
	        e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step, i = 0;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), i++,
		        sqlite3_column_int(st, 1));
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link_cache");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_cache_ids(ctip_store *s, int (*cb)(void *ctx, int64_t id, int stale), void *ctx,
                           ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "SELECT p.id, EXISTS (SELECT 1 FROM link_changed c WHERE "
	                        "c.person_id = p.id) OR EXISTS (SELECT 1 FROM link_cache_extra x "
	                        "WHERE x.person_id = p.id) FROM person p ORDER BY p.id",
	                        e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1));
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link cache ids");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_pair_state(ctip_store *s, int64_t a, int64_t b, char *key_a, char *key_b,
                            int *decision, ctip_err *e)
{
	sqlite3_stmt *st =
	        prep(s,
	             "SELECT (SELECT person_key FROM link_person WHERE person_id = ?1), (SELECT "
	             "person_key FROM link_person WHERE person_id = ?2), (SELECT same FROM "
	             "link_decision WHERE a = min(?1, ?2) AND b = max(?1, ?2))",
	             e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	int rc = CTIP_OK;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *ka = (const char *)sqlite3_column_text(st, 0);
		const char *kb = (const char *)sqlite3_column_text(st, 1);
		snprintf(key_a, 24, "%s", ka ? ka : "");
		snprintf(key_b, 24, "%s", kb ? kb : "");
		*decision =
		        sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
	} else {
		rc = fail(s, e, "link pair state");
	}
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_current(ctip_store *s, int64_t a, int64_t b, int *current, ctip_err *e)
{
	sqlite3_stmt *st =
	        prep(s,
	             "SELECT (SELECT count(*) FROM link_person WHERE person_id IN (?1, ?2)) "
	             "= 2 AND NOT EXISTS (SELECT 1 FROM link_changed WHERE person_id IN "
	             "(?1, ?2))",
	             e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	int rc = CTIP_OK;
	if (sqlite3_step(st) == SQLITE_ROW)
		*current = sqlite3_column_int(st, 0) && a != b;
	else
		rc = fail(s, e, "link current");
	sqlite3_finalize(st);
	return rc;
}

/* The statistics triggers of link_person (store_sqlite_fresh.c) run a program per key
 * written, a third of a million-record run's save; while the keys are written they are set aside
 * (their SQL kept in *sql, n of them) and the snapshot is marked stale once, if any key changed. */
static int stats_triggers_off(ctip_store *s, char ***sql, int *n, ctip_err *e)
{
	*sql = NULL;
	*n = 0;
	sqlite3_stmt *st = prep(s,
	                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
	                        "tbl_name = 'link_person' AND name LIKE 'stats_stale_%'",
	                        e);
	if (!st)
		return CTIP_EDB;
	char **v = NULL, **names = NULL;
	int rc = CTIP_OK, k = 0;
	while (rc == CTIP_OK && sqlite3_step(st) == SQLITE_ROW) {
		char **g = realloc(v, (size_t)(k + 1) * sizeof(*g));
		char **h = g ? realloc(names, (size_t)(k + 1) * sizeof(*h)) : NULL;
		if (g)
			v = g;
		if (h)
			names = h;
		if (!g || !h ||
		    !(v[k] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 1))) ||
		    !(names[k] = sqlite3_mprintf("DROP TRIGGER \"%w\"",
		                                 (const char *)sqlite3_column_text(st, 0)))) {
			if (g && h)
				sqlite3_free(v[k]); /* the trigger whose DROP could not be made */
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		k++;
	}
	sqlite3_finalize(st);
	for (int i = 0; i < k; i++) {
		if (rc == CTIP_OK)
			rc = exec(s, names[i], e);
		sqlite3_free(names[i]);
	}
	free(names);
	*sql = v;
	*n = k;
	return rc;
}

/* Puts the triggers back; changed: whether any key was written. */
static int stats_triggers_on(ctip_store *s, char **sql, int n, int changed, ctip_err *e)
{
	int rc = changed ? exec(s,
	                        "UPDATE stats_state SET stale = 1, version = version + 1 WHERE "
	                        "id = 1",
	                        e)
	                 : CTIP_OK;
	for (int i = 0; i < n; i++) {
		if (rc == CTIP_OK)
			rc = exec(s, sql[i], e);
		sqlite3_free(sql[i]);
	}
	free(sql);
	return rc;
}

int ctip_sq_link_save(ctip_store *s, const struct ctip_link_result *res, ctip_err *e)
{
	int rc;
	if ((rc = exec(s,
	               res->incremental ? "INSERT OR IGNORE INTO link_cache_extra(person_id) "
	                                  "SELECT person_id FROM link_changed; "
	                                  "DELETE FROM link_changed;"
	                                /* the index by b is built once, after the pairs */
	                                /* every record gets its key below: the keys that
	                                 * stay are not written again */
	                                : "DROP INDEX IF EXISTS link_pair_b; "
	                                  "DELETE FROM link_pair; DELETE FROM link_changed;",
	               e)))
		return rc;
	if (res->incremental && (rc = drop_relinked(s, res, e)))
		return rc;
	if ((rc = save_freq(s, res, e)))
		return rc;
	char **trig;
	int ntrig, changed = 0;
	if ((rc = stats_triggers_off(s, &trig, &ntrig, e))) {
		stats_triggers_on(s, trig, ntrig, 0, NULL);
		return rc;
	}
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *st =
	        prep(s,
	             "INSERT INTO link_person(person_id, person_key) VALUES (?, ?) ON "
	             "CONFLICT(person_id) DO UPDATE SET person_key = excluded.person_key "
	             "WHERE person_key != excluded.person_key",
	             e);
	if (!st)
		rc = CTIP_EDB;
	for (long i = 0; i < res->n && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, res->ids[i]);
		sqlite3_bind_text(st, 2, res->keys[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = fail(s, e, "link_person");
		else if (sqlite3_changes(db))
			changed = 1;
	}
	sqlite3_finalize(st);
	int rc2 = stats_triggers_on(s, trig, ntrig, changed, rc ? NULL : e);
	if (rc || (rc = rc2))
		return rc;
	if (!(st = prep(s,
	                "INSERT OR REPLACE INTO link_pair(a, b, weight, probability, linked) "
	                "VALUES (?, ?, ?, ?, ?)",
	                e)))
		return CTIP_EDB;
	for (long i = 0; i < res->npairs && !rc; i++) {
		const struct ctip_link_pair *p = &res->pairs[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, p->a);
		sqlite3_bind_int64(st, 2, p->b);
		sqlite3_bind_double(st, 3, (double)p->weight);
		sqlite3_bind_double(st, 4, (double)p->probability);
		sqlite3_bind_int(st, 5, p->linked);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = fail(s, e, "link_pair");
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (res->incremental && (rc = relink_touched(s, res, e)))
		return rc;
	if (!res->incremental &&
	    (rc = exec(s, "CREATE INDEX IF NOT EXISTS link_pair_b ON link_pair(b)", e)))
		return rc;
	/* an incremental run's pairs are those it added to the last run's */
	if (!(st = prep(s,
	                "INSERT INTO link_run(at, records, pairs, persons, params) VALUES "
	                "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2 + coalesce((SELECT pairs "
	                "FROM link_run WHERE ?5 ORDER BY id DESC LIMIT 1), 0), ?3, ?4)",
	                e)))
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, res->incremental ? res->records : res->n);
	sqlite3_bind_int64(st, 2, res->npairs);
	sqlite3_bind_int(st, 5, res->incremental);
	sqlite3_bind_int64(st, 3, res->persons);
	sqlite3_bind_text(st, 4, res->params, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(s, e, "link_run");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_uncertain(ctip_store *s, double lo, double hi,
                           int (*cb)(void *ctx, const struct ctip_link_pair *p), void *ctx,
                           ctip_err *e)
{
	sqlite3_stmt *st =
	        prep(s,
	             "SELECT x.a, x.b, x.weight, x.probability, x.linked FROM link_pair x "
	             "WHERE x.probability >= ?1 AND x.probability < ?2 AND NOT EXISTS "
	             "(SELECT 1 FROM link_decision d WHERE d.a = x.a AND d.b = x.b) "
	             "AND NOT EXISTS (SELECT 1 FROM link_changed c WHERE c.person_id IN "
	             "(x.a, x.b)) ORDER BY x.probability DESC, x.a, x.b",
	             e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_double(st, 1, lo);
	sqlite3_bind_double(st, 2, hi);
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_link_pair p = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		                           (float)sqlite3_column_double(st, 2),
		                           (float)sqlite3_column_double(st, 3),
		                           sqlite3_column_int(st, 4)};
		rc = cb(ctx, &p);
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link uncertain");
	sqlite3_finalize(st);
	return rc > CTIP_ENOTFOUND ? CTIP_OK : rc;
}

int ctip_sq_link_keys(ctip_store *s, int (*cb)(void *ctx, int64_t id, const char *key), void *ctx,
                      ctip_err *e)
{
	sqlite3_stmt *st = prep(s, "SELECT person_id, person_key FROM link_person", e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link keys");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_changed(ctip_store *s, int (*cb)(void *ctx, int64_t id), void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, "SELECT person_id FROM link_changed ORDER BY person_id", e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, sqlite3_column_int64(st, 0));
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link changed");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_persons(ctip_store *s,
                         int (*cb)(void *ctx, int64_t id, const char *org, const char *src,
                                   const char *key),
                         void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(s,
	                        "SELECT p.id, o.name, p.src_record_id, l.person_key FROM person p "
	                        "JOIN organisation o ON o.id = p.org_id "
	                        "LEFT JOIN link_person l ON l.person_id = p.id "
	                        "ORDER BY o.name, p.src_record_id",
	                        e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
		        (const char *)sqlite3_column_text(st, 2),
		        (const char *)sqlite3_column_text(st, 3));
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link persons");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_pairs(ctip_store *s, int (*cb)(void *ctx, const struct ctip_link_pair_out *p),
                       void *ctx, ctip_err *e)
{
	sqlite3_stmt *st =
	        prep(s,
	             "SELECT x.a, x.b, oa.name, pa.src_record_id, ob.name, pb.src_record_id, "
	             "la.person_key, lb.person_key, x.weight, x.probability, x.linked, "
	             "EXISTS (SELECT 1 FROM link_changed c WHERE c.person_id IN (x.a, x.b)) "
	             "FROM link_pair x "
	             "JOIN person pa ON pa.id = x.a JOIN organisation oa ON oa.id = pa.org_id "
	             "JOIN person pb ON pb.id = x.b JOIN organisation ob ON ob.id = pb.org_id "
	             "LEFT JOIN link_person la ON la.person_id = x.a "
	             "LEFT JOIN link_person lb ON lb.person_id = x.b ORDER BY x.a, x.b",
	             e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_link_pair_out p = {
		        .a = sqlite3_column_int64(st, 0),
		        .b = sqlite3_column_int64(st, 1),
		        .a_org = (const char *)sqlite3_column_text(st, 2),
		        .a_src = (const char *)sqlite3_column_text(st, 3),
		        .b_org = (const char *)sqlite3_column_text(st, 4),
		        .b_src = (const char *)sqlite3_column_text(st, 5),
		        .a_key = (const char *)sqlite3_column_text(st, 6),
		        .b_key = (const char *)sqlite3_column_text(st, 7),
		        .weight = sqlite3_column_double(st, 8),
		        .probability = sqlite3_column_double(st, 9),
		        .linked = sqlite3_column_int(st, 10),
		        .changed = sqlite3_column_int(st, 11),
		};
		rc = cb(ctx, &p);
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link pairs");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_params(ctip_store *s, char **json, ctip_err *e)
{
	*json = NULL;
	sqlite3_stmt *st = prep(s, "SELECT params FROM link_run ORDER BY id DESC LIMIT 1", e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (!(*json = strdup(v ? v : "{}")))
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "no linkage yet: run `ctip link run`");
	} else {
		rc = fail(s, e, "link params");
	}
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_decide(ctip_store *s, int64_t a, int64_t b, int same, const char *actor,
                        ctip_err *e)
{
	if (a == b)
		return ctip_err_set(e, CTIP_EINVAL, "a record is always its own person");
	if (a > b) {
		int64_t t = a;
		a = b;
		b = t;
	}
	sqlite3_stmt *st = prep(s, "SELECT count(*) FROM person WHERE id IN (?, ?)", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (n < 0)
		return fail(s, e, "link decide");
	if (n != 2)
		return ctip_err_set(e, CTIP_ENOTFOUND, "no person record P%lld",
		                    (long long)(n == 1 ? b : a));
	if (!(st = prep(s,
	                "INSERT OR REPLACE INTO link_decision(a, b, same, decided_by, decided_at) "
	                "VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
	                e)))
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int(st, 3, same ? 1 : 0);
	sqlite3_bind_text(st, 4, actor ? actor : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : fail(s, e, "link decide");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_decisions(ctip_store *s, int (*cb)(void *ctx, int64_t a, int64_t b, int same),
                           void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(s, "SELECT a, b, same FROM link_decision ORDER BY a, b", e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		        sqlite3_column_int(st, 2));
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "link decisions");
	sqlite3_finalize(st);
	return rc;
}

int ctip_sq_link_victim_cases(ctip_store *s, int (*cb)(void *ctx, const struct ctip_victim_case *v),
                              void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = prep(
	        s,
	        "SELECT l.person_key, cp.person_id, c.id, o.name, c.src_case_id, "
	        "min(x.start_date), max(coalesce(x.end_date, x.start_date)) FROM case_person cp "
	        "JOIN link_person l ON l.person_id = cp.person_id JOIN cases c ON c.id = "
	        "cp.case_id "
	        "JOIN organisation o ON o.id = c.org_id "
	        "LEFT JOIN exploitation x ON x.case_person_id = cp.id "
	        "WHERE cp.role = 'Victim' GROUP BY cp.id ORDER BY l.person_key, 6, c.id",
	        e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_victim_case v = {
		        .person_key = (const char *)sqlite3_column_text(st, 0),
		        .person_id = sqlite3_column_int64(st, 1),
		        .case_id = sqlite3_column_int64(st, 2),
		        .org = (const char *)sqlite3_column_text(st, 3),
		        .src_case_id = (const char *)sqlite3_column_text(st, 4),
		        .start = (const char *)sqlite3_column_text(st, 5),
		        .end = (const char *)sqlite3_column_text(st, 6),
		};
		rc = cb(ctx, &v);
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "victim cases");
	sqlite3_finalize(st);
	return rc;
}
