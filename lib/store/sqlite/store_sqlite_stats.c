/*
 * store_sqlite_stats.c - the statistics snapshot (facts.h) of a SQLite store: built from the
 * registry's clear columns in a handful of scans, saved in table stats_state, and rebuilt
 * only after a write. Every write to a table statistics read sets stats_state.stale through
 * a trigger (the WHEN clause makes it one UPDATE per transaction, not one per row; about
 * 0.2 us per inserted row otherwise, docs/BENCHMARKS.md). The tables are migration 0008's
 * (lib/sql/0008_stats.sql); the triggers are made from lib/stats/freshness.h by
 * store_sqlite_fresh.c.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "facts_build.h"
#include "figures.h"
#include "progress.h"
#include "store_sqlite.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

static int fail(ctip_store *s, ctip_err *e, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->path,
	                    sqlite3_errmsg(ctip_store_sqlite_db(s)), what);
}

static int exec(ctip_store *s, const char *sql, ctip_err *e)
{
	if (sqlite3_exec(ctip_store_sqlite_db(s), sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(s, e, "statistics");
	return CTIP_OK;
}

/* The tables are created by migration 0008 (lib/sql/0008_stats.sql; the triggers that mark
 * the snapshot stale by `ctip init`: store_sqlite_fresh.c); a database older than that is told
 * to run `ctip init`. */
static int ensure_table(ctip_store *s, const char *table, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	int found = 0;
	if (sqlite3_prepare_v2(
	            ctip_store_sqlite_db(s),
	            "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?1", -1, &st,
	            NULL) != SQLITE_OK)
		return fail(s, e, "statistics schema");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!found)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s has no table %s (a schema older than version 8): run `ctip "
		                    "init` to migrate it",
		                    s->path, table);
	return CTIP_OK;
}

static int ensure_schema(ctip_store *s, ctip_err *e)
{
	return ensure_table(s, "stats_state", e);
}

static const char *txt(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* --- building (the rows; what they become is facts_build.c's) -------------------------- */

/* The key that makes victims distinct: the linked person (`ctip link run`; represented by the
 * smallest record id of its cluster), or the person record while it is not linked. */
#define VICTIM_COLS                                                                                \
	"cp.case_id, o.name, o.type, c.opened, p.gender, p.birth_date, p.ethnicity, "              \
	"p.citizenship, p.province_2025, v.status, v.status_date, v.age_when_trafficked, "         \
	"v.labour_industry, v.recruitment_methods, v.control_methods, v.exploitation_types, "      \
	"(SELECT group_concat(x.country, ';') FROM exploitation x WHERE x.case_person_id = "       \
	"cp.id), "                                                                                 \
	"(SELECT min(x.start_date) FROM exploitation x WHERE x.case_person_id = cp.id), "          \
	"(SELECT group_concat(ev.type || '|' || coalesce(ev.date, ''), ';') FROM event ev "        \
	"WHERE ev.case_person_id = cp.id), "                                                       \
	"(SELECT r.name FROM organisation r WHERE r.id = v.recruiter_org_id) "                     \
	"FROM case_person cp JOIN person p ON p.id = cp.person_id "                                \
	"JOIN cases c ON c.id = cp.case_id JOIN organisation o ON o.id = c.org_id "                \
	"LEFT JOIN victim v ON v.case_person_id = cp.id "

/* The key that makes victims distinct: the linked person (`ctip link run`; represented by the
 * smallest record id of its cluster), or the person record while it is not linked. */
#define VICTIMS_SQL                                                                                \
	"WITH lk AS (SELECT person_id, min(person_id) OVER (PARTITION BY person_key) AS k "        \
	"FROM link_person) "                                                                       \
	"SELECT coalesce(lk.k, cp.person_id), " VICTIM_COLS                                        \
	"LEFT JOIN lk ON lk.person_id = cp.person_id "                                             \
	"WHERE cp.role = 'Victim' ORDER BY 1, cp.id"

/* The same key, of one record (a patch reads few). */
#define VICTIM_KEY                                                                                 \
	"coalesce((SELECT min(l2.person_id) FROM link_person l1 JOIN link_person l2 ON "           \
	"l2.person_key = l1.person_key WHERE l1.person_id = cp.person_id), cp.person_id)"

/* A patch's victims: every row of the victim keys in the delta. */
static const char *const victims_delta_sql =
        "SELECT " VICTIM_KEY ", " VICTIM_COLS
        "WHERE cp.role = 'Victim' AND cp.person_id IN (SELECT person_id FROM "
        "temp.stats_need_person) ORDER BY 1, cp.id";

#define CASES_SQL(where)                                                                           \
	"SELECT c.id, o.name, o.type, c.opened FROM cases c JOIN organisation o ON o.id = "        \
	"c.org_id " where " ORDER BY c.id"

#define OFFENDERS_SQL(and)                                                                         \
	"SELECT cp.id, o.name, o.type, c.opened, p.gender, p.birth_date, p.ethnicity, "            \
	"p.citizenship, p.province_2025, c.id FROM case_person cp JOIN person p ON p.id = "        \
	"cp.person_id JOIN cases c ON c.id = cp.case_id JOIN organisation o ON o.id = c.org_id "   \
	"WHERE cp.role = 'Perpetrator' " and                                                       \
	        " ORDER BY cp.id"

#define REFERRALS_SQL(and)                                                                         \
	"SELECT r.date, o.name, o.type, r.reason, r.case_id FROM referral r JOIN cases c ON c.id " \
	"= r.case_id JOIN organisation o ON o.id = c.org_id WHERE r.direction = 'out' " and        \
	        " ORDER BY r.case_id, r.seq"

#define ASSISTANCE_SQL(where)                                                                      \
	"SELECT a.date, a.kind, coalesce(po.name, o.name), coalesce(po.type, o.type), p.gender, "  \
	"p.birth_date, p.province_2025, v.status, v.exploitation_types, v.age_when_trafficked, "   \
	"c.opened, cp.case_id FROM assistance a JOIN case_person cp ON cp.id = a.case_person_id "  \
	"JOIN person p ON p.id = cp.person_id JOIN cases c ON c.id = cp.case_id "                  \
	"JOIN organisation o ON o.id = c.org_id "                                                  \
	"LEFT JOIN organisation po ON po.id = a.provider_org_id "                                  \
	"LEFT JOIN victim v ON v.case_person_id = cp.id " where                                    \
	" ORDER BY a.case_person_id, a.seq"

#define PROC_SQL                                                                                   \
	"SELECT cp.case_id, cp.id, cp.role = 'Perpetrator', pr.stage, pr.article, "                \
	"pr.sentence_kind, pr.sentence_months, pr.date FROM proceeding pr "                        \
	"JOIN case_person cp ON cp.id = pr.case_person_id "

/* Every row of the snapshot, by builder (facts_build.h); a patch reads the same columns of
 * fewer rows (build, below). */
static const char *const build_all[CTIP_FB_N] = {
        [CTIP_FB_PROC] = PROC_SQL,
        [CTIP_FB_VICTIMS] = VICTIMS_SQL,
        [CTIP_FB_CASES] = CASES_SQL(""),
        [CTIP_FB_OFFENDERS] = OFFENDERS_SQL(""),
        [CTIP_FB_REFERRALS] = REFERRALS_SQL(""),
        [CTIP_FB_ASSISTANCE] = ASSISTANCE_SQL(""),
};

const char *const *ctip_sqlite_stats_reads(void)
{
	return build_all;
}

static int max_id(ctip_store *s, const char *sql, int64_t *out, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, e, "statistics snapshot");
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* Runs one scan, each row handed to the builder as text columns. */
static int scan(ctip_store *s, struct ctip_fb *b, int which, const char *sql, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return fail(s, e, "statistics snapshot");
	}
	const char *col[CTIP_FB_MAXCOL];
	int n = ctip_fb_ncol[which], rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			col[i] = txt(st, i);
		rc = ctip_fb_row(b, which, col, e);
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(s, e, "statistics snapshot");
	sqlite3_finalize(st);
	return rc;
}

/* The snapshot's rows: all of them, or (delta) those of the cases in stats_delta and, for
 * victims, of the persons in temp.stats_need_person (patching, below). */
static int build(ctip_store *s, ctip_facts *f, int delta, ctip_err *e)
{
	int64_t ncases = 0, nlinks = 0;
	struct ctip_fb *b = NULL;
	int rc = max_id(s, "SELECT coalesce(max(id), 0) FROM cases", &ncases, e);
	if (!rc)
		rc = max_id(s, "SELECT coalesce(max(id), 0) FROM case_person", &nlinks, e);
	if (!rc)
		rc = ctip_fb_new(f, ncases, nlinks, &b, e);
#define IN_DELTA "cp.case_id IN (SELECT case_id FROM main.stats_delta)"
	static const char *const part[CTIP_FB_N] = {
	        [CTIP_FB_PROC] = PROC_SQL "WHERE cp.case_id IN (SELECT "
	                                  "case_id FROM temp.stats_need)",
	        [CTIP_FB_VICTIMS] = victims_delta_sql,
	        [CTIP_FB_CASES] = CASES_SQL("WHERE c.id IN (SELECT "
	                                    "case_id FROM "
	                                    "main.stats_delta)"),
	        [CTIP_FB_OFFENDERS] = OFFENDERS_SQL("AND " IN_DELTA),
	        [CTIP_FB_REFERRALS] = REFERRALS_SQL("AND r.case_id IN (SELECT case_id FROM "
	                                            "main.stats_delta)"),
	        [CTIP_FB_ASSISTANCE] = ASSISTANCE_SQL("WHERE " IN_DELTA),
	};
	for (int i = 0; !rc && i < CTIP_FB_N; i++)
		rc = scan(s, b, i, delta ? part[i] : build_all[i], e);
	ctip_fb_free(b);
	return rc;
}

/* --- the ops ------------------------------------------------------------------------- */

int ctip_sqlite_stats_version(ctip_store *s, int64_t *version, ctip_err *e)
{
	int rc = ensure_schema(s, e);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s),
	                       "SELECT version FROM stats_state WHERE id = 1", -1, &st,
	                       NULL) != SQLITE_OK)
		return fail(s, e, "statistics version");
	*version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return CTIP_OK;
}

static int read_part(ctip_store *s, sqlite3_stmt *q, int unit, int part, void **data, size_t *len,
                     ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_reset(q);
	sqlite3_bind_int(q, 1, unit);
	sqlite3_bind_int(q, 2, part);
	*data = NULL;
	if (sqlite3_step(q) != SQLITE_ROW)
		return ctip_err_set(e, CTIP_EINVAL, "statistics cache: part %d of unit %d missing",
		                    part, unit);
	int64_t rowid = sqlite3_column_int64(q, 0);
	int n = sqlite3_column_int(q, 1);
	sqlite3_blob *b = NULL;
	if (n < 0 || !(*data = malloc((size_t)n + 8)))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (n && (sqlite3_blob_open(db, "main", "stats_part", "data", rowid, 0, &b) != SQLITE_OK ||
	          sqlite3_blob_read(b, *data, n, 0) != SQLITE_OK)) {
		sqlite3_blob_close(b);
		free(*data);
		*data = NULL;
		return fail(s, e, "statistics cache");
	}
	sqlite3_blob_close(b);
	*len = (size_t)n;
	return CTIP_OK;
}

/* Whether a part is stored. */
static int has_part(ctip_store *s, int unit, int part)
{
	sqlite3_stmt *st = NULL;
	int found = 0;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s),
	                       "SELECT 1 FROM stats_part WHERE unit = ?1 AND part = ?2", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, unit);
		sqlite3_bind_int(st, 2, part);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

/* Loads into f's unit u the parts stored as unit `stored`: keys, dates, the dimensions asked
 * for (need NULL: all), with case ids when `cases` (2: keys and case ids only). */
static int load_unit(ctip_store *s, sqlite3_stmt *q, ctip_facts *f, int u, int stored,
                     const unsigned char *need, int cases, ctip_err *e)
{
	void *data = NULL;
	size_t len = 0;
	int rc = 0;
	for (int p = CTIP_PART_CASE; p < CTIP_D_N && !rc; p++) {
		int d = p;
		if (p == CTIP_PART_CASE)
			d = CTIP_PART_KEY; /* keys first */
		else if (p == CTIP_PART_KEY)
			d = CTIP_PART_CASE;
		if ((d == CTIP_PART_CASE && !cases) || (d == CTIP_PART_DATE && cases == 2))
			continue;
		if (d >= 0 && (d == CTIP_D_YEAR || !f->u[u].has[d] || (need && !need[d])))
			continue;
		if (!(rc = read_part(s, q, stored, d, &data, &len, e)))
			rc = ctip_facts_attach(f, u, d, data, len, e);
		if (!rc && d >= 0 && f->u[u].multi[d] &&
		    !(rc = read_part(s, q, stored, CTIP_PART_OFF + d, &data, &len, e)))
			rc = ctip_facts_attach(f, u, CTIP_PART_OFF + d, data, len, e);
		if (!rc && CTIP_DIM_DATED(d) &&
		    !(rc = read_part(s, q, stored, CTIP_PART_VDATE + d, &data, &len, e)))
			rc = ctip_facts_attach(f, u, CTIP_PART_VDATE + d, data, len, e);
	}
	return rc;
}

enum { SNAP_FRESH, SNAP_STALE, SNAP_DIRTY };

/* The snapshot's state: saved and current, stale (to rebuild), or saved with writes since
 * (to patch). */
static int snap_state(ctip_store *s, int *state, int64_t *version, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s),
	                       "SELECT version, stale, EXISTS (SELECT 1 FROM stats_dirty) FROM "
	                       "stats_state WHERE id = 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return fail(s, e, "statistics cache");
	*state = SNAP_STALE;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		*state = sqlite3_column_int(st, 1)   ? SNAP_STALE
		         : sqlite3_column_int(st, 2) ? SNAP_DIRTY
		                                     : SNAP_FRESH;
	}
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* The cached snapshot when it is current, with the parts asked for (need NULL: all; unit -1:
 * every unit); *out NULL otherwise. The saved rows of a unit are followed by its delta (the
 * rows of the cases written since the last rebuild), less those the delta replaces. */
static int cached(ctip_store *s, int unit, const unsigned char *need, ctip_facts **out,
                  int64_t *version, int *state, ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *q = NULL;
	*out = NULL;
	int rc = snap_state(s, state, version, e);
	if (rc || *state != SNAP_FRESH)
		return rc;
	/* read the parts through a memory map: no copy into SQLite's page cache */
	sqlite3_exec(db, "PRAGMA mmap_size = 17179869184", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db,
	                       "SELECT rowid, length(data) FROM stats_part WHERE unit = ?1 AND "
	                       "part = ?2",
	                       -1, &q, NULL) != SQLITE_OK)
		return fail(s, e, "statistics cache");
	ctip_facts *f = ctip_facts_new(), *g = NULL;
	void *dicts = NULL, *data = NULL;
	size_t dlen = 0, len = 0;
	ctip_err ign = {0};
	rc = f ? read_part(s, q, -1, 0, &dicts, &dlen, &ign) : CTIP_ENOMEM;
	if (!rc)
		rc = ctip_facts_dicts_load(f, dicts, dlen, &ign);
	for (int u = 0; u < CTIP_U_N && !rc; u++) {
		if (unit >= 0 && u != unit)
			continue;
		rc = load_unit(s, q, f, u, u, need, 0, &ign);
		if (rc || !has_part(s, u + CTIP_U_N, CTIP_PART_KEY))
			continue;
		if (!(g = ctip_facts_new()))
			rc = CTIP_ENOMEM;
		if (!rc)
			rc = ctip_facts_dicts_load(g, dicts, dlen, &ign);
		if (!rc)
			rc = load_unit(s, q, g, u, u + CTIP_U_N, need, 0, &ign);
		if (!rc)
			rc = read_part(s, q, u, CTIP_PART_DEAD, &data, &len, &ign);
		if (!rc && len < ((size_t)f->u[u].n + 7) / 8)
			rc = CTIP_EINVAL;
		if (!rc)
			rc = ctip_facts_set_delta(f, u, data, g, &ign);
		else
			free(data);
		data = NULL;
		ctip_facts_free(g);
		g = NULL;
	}
	free(dicts);
	sqlite3_finalize(q);
	if (rc == CTIP_ENOMEM || ign.code == CTIP_ENOMEM) {
		ctip_facts_free(f);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	if (rc) { /* a damaged cache is rebuilt, not fatal */
		ctip_facts_free(f);
		*state = SNAP_STALE;
		return CTIP_OK;
	}
	*out = f;
	return CTIP_OK;
}

struct saver {
	ctip_store *s;
	sqlite3_stmt *ins;
	ctip_err *e;
	int unit_offset; /* CTIP_U_N for a delta */
};

static int save_part(void *ctx, int unit, int part, const void *data, size_t len)
{
	struct saver *sv = ctx;
	if (len > 2000000000u)
		return ctip_err_set(sv->e, CTIP_EINVAL, "statistics snapshot too large to cache");
	sqlite3_reset(sv->ins);
	sqlite3_bind_int(sv->ins, 1, unit < 0 ? unit : unit + sv->unit_offset);
	sqlite3_bind_int(sv->ins, 2, part);
	sqlite3_bind_blob(sv->ins, 3, len ? data : "", (int)len, SQLITE_STATIC);
	if (sqlite3_step(sv->ins) != SQLITE_DONE)
		return fail(sv->s, sv->e, "statistics cache");
	return CTIP_OK;
}

/* Saves f whole (offset 0, after a rebuild) or as the delta (offset CTIP_U_N), and the
 * dictionaries with f's version. */
static int save_as(ctip_store *s, const ctip_facts *f, int offset, ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	struct saver sv = {s, NULL, e, offset};
	unsigned char *buf = NULL;
	size_t len = 0;
	char del[128];
	snprintf(del, sizeof(del), "DELETE FROM stats_part WHERE %s",
	         offset ? "unit >= 5 OR unit = -1" : "1");
	int rc = exec(s, del, e);
	if (!rc &&
	    sqlite3_prepare_v2(db, "INSERT INTO stats_part (unit, part, data) VALUES (?1, ?2, ?3)",
	                       -1, &sv.ins, NULL) != SQLITE_OK)
		rc = fail(s, e, "statistics cache");
	if (!rc)
		rc = ctip_facts_dicts_save(f, &buf, &len, e);
	if (!rc)
		rc = save_part(&sv, -1, 0, buf, len);
	free(buf);
	if (!rc)
		rc = ctip_facts_parts(f, save_part, &sv);
	sqlite3_finalize(sv.ins);
	if (!rc) {
		char sql[200];
		snprintf(
		        sql, sizeof(sql),
		        "UPDATE stats_state SET version = %lld, stale = 0, ndirty = 0 WHERE id = 1",
		        (long long)f->version);
		rc = exec(s, sql, e);
	}
	if (!rc)
		rc = exec(s, "DELETE FROM stats_dirty", e);
	if (!rc && !offset)
		rc = exec(s, "DELETE FROM stats_delta; DELETE FROM stats_delta_key", e);
	return rc;
}

/* --- patching -------------------------------------------------------------------------
 * After writes to a few cases (stats_dirty), the saved snapshot is kept and a delta is
 * computed beside it: the rows of every case written since the last rebuild (stats_delta,
 * cumulative) and, for victims, every row of every victim key (linked person) those cases
 * had or have (stats_delta_key), since a person is counted once over all their rows, which
 * must then all be on one side. The saved rows these replace are marked in a bit set per
 * unit (part CTIP_PART_DEAD); a query reads the saved rows alive and then the delta
 * (cached()). When the delta would pass PATCH_MAX cases (or a twentieth of the registry) the
 * snapshot is rebuilt whole instead. */
#define PATCH_MAX 20000

/* A bit set over the values of a query (ids), sized by the largest. */
static int id_bits(ctip_store *s, const char *sql, unsigned char **bits, size_t *nbits, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db = ctip_store_sqlite_db(s);
	*bits = NULL;
	*nbits = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, e, "statistics patch");
	int rc = 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		int64_t v = sqlite3_column_int64(st, 0);
		if (v < 0 || v > 200000000)
			continue;
		if ((size_t)v >= *nbits) {
			size_t nb = (size_t)v + 1 + (size_t)v / 2 + 1024;
			unsigned char *b = realloc(*bits, (nb + 7) / 8);
			if (!b) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			memset(b + (*nbits + 7) / 8, 0, (nb + 7) / 8 - (*nbits + 7) / 8);
			*bits = b;
			*nbits = nb;
		}
		(*bits)[v >> 3] |= (unsigned char)(1u << (v & 7));
	}
	sqlite3_finalize(st);
	return rc;
}

static int bit_of(const unsigned char *bits, size_t nbits, int64_t v)
{
	return v >= 0 && (size_t)v < nbits && (bits[v >> 3] >> (v & 7) & 1);
}

static int count_of(ctip_store *s, const char *sql, int64_t *n, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, e, "statistics patch");
	*n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* Patches the saved snapshot (inside the caller's write transaction); *patched 0 when the
 * delta would be too large (the caller rebuilds). */
static int patch(ctip_store *s, int64_t version, int *patched, ctip_err *e)
{
	sqlite3 *db = ctip_store_sqlite_db(s);
	sqlite3_stmt *q = NULL, *ins = NULL;
	ctip_facts *base = NULL, *g = NULL;
	unsigned char *dirty = NULL, *bits = NULL, *dead = NULL;
	size_t ndirty = 0, nbits = 0;
	void *dicts = NULL;
	size_t dlen = 0;
	int64_t ncase = 0, nkey = 0, total = 0;
	*patched = 0;
	int rc = sqlite3_prepare_v2(db,
	                            "SELECT rowid, length(data) FROM stats_part WHERE unit = ?1 "
	                            "AND part = ?2",
	                            -1, &q, NULL) != SQLITE_OK
	                 ? fail(s, e, "statistics patch")
	                 : 0;
	/* the victim keys the written cases had: from the saved rows of those cases */
	if (!rc)
		rc = id_bits(s, "SELECT case_id FROM stats_dirty", &dirty, &ndirty, e);
	if (!rc && !(base = ctip_facts_new()))
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (!rc && read_part(s, q, -1, 0, &dicts, &dlen, e))
		rc = CTIP_EINVAL;
	unsigned char none[CTIP_D_N] = {0};
	if (!rc && (ctip_facts_dicts_load(base, dicts, dlen, e) ||
	            load_unit(s, q, base, CTIP_U_VICTIMS, CTIP_U_VICTIMS, none, 2, e)))
		rc = CTIP_EINVAL;
	if (!rc && sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO stats_delta_key (key) VALUES (?1)",
	                              -1, &ins, NULL) != SQLITE_OK)
		rc = fail(s, e, "statistics patch");
	const struct ctip_funit *bv = base ? &base->u[CTIP_U_VICTIMS] : NULL;
	for (uint32_t i = 0; !rc && bv && i < bv->n; i++)
		if (bit_of(dirty, ndirty, bv->cid[i])) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, bv->key[i]);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = fail(s, e, "statistics patch");
		}
	sqlite3_finalize(ins);
	/* ... and have now; the cases join the delta */
	if (!rc)
		rc = exec(s,
		          "INSERT OR IGNORE INTO stats_delta_key (key) SELECT " VICTIM_KEY
		          " FROM case_person cp WHERE cp.role = 'Victim' AND cp.case_id IN (SELECT "
		          "case_id FROM stats_dirty); "
		          "INSERT OR IGNORE INTO stats_delta (case_id) SELECT case_id FROM "
		          "stats_dirty; DELETE FROM stats_dirty",
		          e);
	if (!rc)
		rc = count_of(s, "SELECT count(*) FROM stats_delta", &ncase, e);
	if (!rc)
		rc = count_of(s, "SELECT count(*) FROM stats_delta_key", &nkey, e);
	if (!rc)
		rc = count_of(s, "SELECT count(*) FROM cases", &total, e);
	if (rc || ncase > PATCH_MAX || nkey > PATCH_MAX || ncase > total / 20 + 100 ||
	    nkey > total / 20 + 100)
		goto done;
	/* the persons of those keys (a linked person is several records), the cases to read
	 * proceedings of */
	rc = exec(
	        s,
	        "CREATE TEMP TABLE IF NOT EXISTS stats_need_person (person_id INTEGER PRIMARY "
	        "KEY); CREATE TEMP TABLE IF NOT EXISTS stats_need (case_id INTEGER PRIMARY KEY); "
	        "DELETE FROM temp.stats_need_person; DELETE FROM temp.stats_need; "
	        "INSERT OR IGNORE INTO temp.stats_need_person SELECT key FROM stats_delta_key; "
	        "INSERT OR IGNORE INTO temp.stats_need_person SELECT l2.person_id FROM "
	        "stats_delta_key d JOIN link_person l1 ON l1.person_id = d.key JOIN link_person l2 "
	        "ON l2.person_key = l1.person_key; "
	        "INSERT OR IGNORE INTO temp.stats_need SELECT case_id FROM stats_delta; "
	        "INSERT OR IGNORE INTO temp.stats_need SELECT cp.case_id FROM case_person cp WHERE "
	        "cp.role = 'Victim' AND cp.person_id IN (SELECT person_id FROM "
	        "temp.stats_need_person)",
	        e);
	if (!rc && (!(g = ctip_facts_new()) || ctip_facts_dicts_load(g, dicts, dlen, e) ||
	            ctip_facts_dicts_index(g, e)))
		rc = g ? CTIP_EINVAL : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (!rc) {
		g->version = version;
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(g->built_at, sizeof(g->built_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		rc = build(s, g, 1, e);
	}
	if (!rc)
		rc = save_as(s, g, CTIP_U_N, e);
	/* the saved rows replaced: of the delta's keys (victims), of its cases (the rest) */
	for (int u = 0; u < CTIP_U_N && !rc; u++) {
		/* the victims' keys and case ids are loaded already */
		ctip_facts *b = u == CTIP_U_VICTIMS ? base : ctip_facts_new();
		if (!b || (b != base && (ctip_facts_dicts_load(b, dicts, dlen, e) ||
		                         load_unit(s, q, b, u, u, none, 2, e)))) {
			rc = b ? CTIP_EINVAL : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			if (b != base)
				ctip_facts_free(b);
			break;
		}
		free(bits);
		rc = id_bits(s,
		             u == CTIP_U_VICTIMS ? "SELECT key FROM stats_delta_key"
		                                 : "SELECT case_id FROM stats_delta",
		             &bits, &nbits, e);
		const struct ctip_funit *bu = &b->u[u];
		size_t nd = ((size_t)bu->n + 7) / 8;
		free(dead);
		if (!rc && !(dead = calloc(nd + 1, 1)))
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		for (uint32_t i = 0; !rc && i < bu->n; i++)
			if (bit_of(bits, nbits, u == CTIP_U_VICTIMS ? bu->key[i] : bu->cid[i]))
				dead[i >> 3] |= (unsigned char)(1u << (i & 7));
		if (!rc) {
			sqlite3_stmt *st = NULL;
			if (sqlite3_prepare_v2(
			            db,
			            "INSERT OR REPLACE INTO stats_part (unit, part, data) "
			            "VALUES (?1, ?2, ?3)",
			            -1, &st, NULL) != SQLITE_OK)
				rc = fail(s, e, "statistics patch");
			else {
				sqlite3_bind_int(st, 1, u);
				sqlite3_bind_int(st, 2, CTIP_PART_DEAD);
				sqlite3_bind_blob(st, 3, dead, (int)nd, SQLITE_STATIC);
				if (sqlite3_step(st) != SQLITE_DONE)
					rc = fail(s, e, "statistics patch");
			}
			sqlite3_finalize(st);
		}
		if (b != base)
			ctip_facts_free(b);
	}
	if (!rc)
		*patched = 1;
done:
	if (e->code == CTIP_EINVAL && !*patched && rc == CTIP_EINVAL) {
		/* a damaged cache: rebuilt by the caller */
		memset(e, 0, sizeof(*e));
		rc = 0;
	}
	sqlite3_finalize(q);
	ctip_facts_free(base);
	ctip_facts_free(g);
	free(dirty);
	free(bits);
	free(dead);
	free(dicts);
	return rc;
}

int ctip_sqlite_stats_facts(ctip_store *s, int unit, const unsigned char *need, ctip_facts **out,
                            ctip_err *e)
{
	int64_t version = 0;
	int state = SNAP_STALE;
	/* inside the caller's transaction: build from what it sees, without the cache */
	if (!sqlite3_get_autocommit(ctip_store_sqlite_db(s))) {
		ctip_facts *f = ctip_facts_new();
		if (!f)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		int rc = build(s, f, 0, e);
		if (rc) {
			ctip_facts_free(f);
			return rc;
		}
		*out = f;
		return CTIP_OK;
	}
	int rc = ensure_schema(s, e);
	if (!rc)
		rc = cached(s, unit, need, out, &version, &state, e);
	if (rc || *out)
		return rc;
	/* Patch or rebuild under the write lock, so no write slips between the scans and the
	 * save. A read-only database still gets its statistics, just not cached. */
	int locked = exec(s, "BEGIN IMMEDIATE", NULL) == CTIP_OK;
	if (!locked && (rc = exec(s, "BEGIN", e)))
		return rc;
	if ((rc = cached(s, unit, need, out, &version, &state, e)) || *out) { /* built meanwhile */
		exec(s, "ROLLBACK", NULL);
		return rc;
	}
	if (locked && state == SNAP_DIRTY) {
		int patched = 0;
		rc = patch(s, version, &patched, e);
		if (!rc && patched) {
			if ((rc = exec(s, "COMMIT", e)))
				return rc;
			if ((rc = cached(s, unit, need, out, &version, &state, e)) || *out)
				return rc;
			/* written meanwhile: rebuild below */
			if (exec(s, "BEGIN IMMEDIATE", NULL))
				locked = 0, rc = exec(s, "BEGIN", e);
			if (rc)
				return rc;
		} else if (rc) {
			exec(s, "ROLLBACK", NULL);
			return rc;
		}
	}
	ctip_facts *f = ctip_facts_new();
	if (!f) {
		exec(s, "ROLLBACK", NULL);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	f->version = locked ? version + 1 : -1; /* not saved: never taken for current */
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(f->built_at, sizeof(f->built_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = build(s, f, 0, e);
	if (!rc && locked)
		rc = save_as(s, f, 0, e);
	if (rc) {
		exec(s, "ROLLBACK", NULL);
		ctip_facts_free(f);
		return rc;
	}
	if ((rc = exec(s, "COMMIT", e))) {
		ctip_facts_free(f);
		return rc;
	}
	*out = f;
	return CTIP_OK;
}

/* --- the ledger of published figures (figures.h) -------------------------------------- */

static int ensure_figures(ctip_store *s, ctip_err *e)
{
	return ensure_table(s, "figure", e);
}

int ctip_sqlite_figures_add(ctip_store *s, const struct ctip_figure *v, size_t n, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = exec(s, "BEGIN IMMEDIATE", e);
	if (rc)
		return rc;
	rc = ensure_figures(s, e);
	if (!rc && sqlite3_prepare_v2(ctip_store_sqlite_db(s),
	                              "INSERT OR REPLACE INTO figure (source, citation, published, "
	                              "measure, period, breakdown, value, note) VALUES "
	                              "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                              -1, &st, NULL) != SQLITE_OK)
		rc = fail(s, e, "figures");
	for (size_t i = 0; !rc && i < n; i++) {
		const char *t[] = {v[i].source,  v[i].citation, v[i].published,
		                   v[i].measure, v[i].period,   v[i].breakdown};
		sqlite3_reset(st);
		for (int k = 0; k < 6; k++)
			sqlite3_bind_text(st, k + 1, t[k], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, v[i].value);
		sqlite3_bind_text(st, 8, v[i].note ? v[i].note : "", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = fail(s, e, "figures");
	}
	sqlite3_finalize(st);
	if (rc) {
		exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return exec(s, "COMMIT", e);
}

int ctip_sqlite_figures_load(ctip_store *s, struct ctip_figure **out, size_t *n, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	size_t cnt = 0, cap = 0;
	struct ctip_figure *v = NULL;
	int rc = ensure_figures(s, e);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(ctip_store_sqlite_db(s),
	                       "SELECT source, citation, published, measure, period, breakdown, "
	                       "value, note FROM figure ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return fail(s, e, "figures");
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct ctip_figure *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			v = nv;
			cap = nc;
		}
		struct ctip_figure *g = &v[cnt++];
		char **f[] = {&g->source, &g->citation,  &g->published, &g->measure,
		              &g->period, &g->breakdown, NULL,          &g->note};
		memset(g, 0, sizeof(*g));
		for (int k = 0; k < 8; k++)
			if (f[k] && !(*f[k] = strdup(txt(st, k) ? txt(st, k) : "")))
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		g->value = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	if (rc) {
		ctip_figures_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return CTIP_OK;
}
