/*
 * store_pg_stats.c - statistics on PostgreSQL (store_stats.h): the snapshot of facts built by
 * facts_build.c from the rows of six queries (the same columns as on SQLite, so the counts
 * are the same by construction), cached in table stats_part and rebuilt after a write
 * (lib/sql/pg/0002_analytics.sql: one row per writing transaction in stats_write); the
 * ledger of published figures, the ledger of releases and the data-quality counts.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "facts_build.h"
#include "figures.h"
#include "store_pg.h"
#include "store_pg_int.h"

/* Serialises rebuilds of the snapshot (pg_advisory_lock). */
#define PG_STATS_LOCK "1668573555" /* "ctis" */

/* ---- the rows ------------------------------------------------------------------------------ */

/* Text compared as bytes (as on SQLite), whatever the database's collation. */
static const char *const scan_sql[CTIP_FB_N] = {
        [CTIP_FB_PROC] =
                "SELECT cp.case_id, cp.id, (cp.role = 'Perpetrator')::int, pr.stage, "
                "pr.article, pr.sentence_kind, pr.sentence_months, pr.date FROM proceeding pr "
                "JOIN case_person cp ON cp.id = pr.case_person_id "
                "ORDER BY pr.case_person_id, pr.seq",
        /* the key that makes victims distinct: the linked person (represented by the
         * smallest record id of its cluster), or the record while it is not linked */
        [CTIP_FB_VICTIMS] =
                "WITH lk AS (SELECT person_id, min(person_id) OVER (PARTITION BY person_key) "
                "AS k FROM link_person), "
                "xs AS (SELECT x.case_person_id, string_agg(x.country, ';' ORDER BY x.seq) "
                "AS c, min(x.start_date COLLATE \"C\") AS s FROM exploitation x GROUP BY "
                "x.case_person_id), "
                "ev AS (SELECT e.case_person_id, string_agg(e.type || '|' || "
                "coalesce(e.date, ''), ';' ORDER BY e.seq) AS t FROM event e GROUP BY "
                "e.case_person_id) "
                "SELECT coalesce(lk.k, cp.person_id), cp.case_id, o.name, o.type, c.opened, "
                "p.gender, p.birth_date, p.ethnicity, p.citizenship, p.province_2025, "
                "v.status, v.status_date, v.age_when_trafficked, v.labour_industry, "
                "v.recruitment_methods, v.control_methods, v.exploitation_types, xs.c, xs.s, "
                "ev.t, rc.name FROM case_person cp JOIN person p ON p.id = cp.person_id "
                "JOIN cases c ON c.id = cp.case_id JOIN organisation o ON o.id = c.org_id "
                "LEFT JOIN victim v ON v.case_person_id = cp.id "
                "LEFT JOIN lk ON lk.person_id = cp.person_id "
                "LEFT JOIN xs ON xs.case_person_id = cp.id "
                "LEFT JOIN ev ON ev.case_person_id = cp.id "
                "LEFT JOIN organisation rc ON rc.id = v.recruiter_org_id "
                "WHERE cp.role = 'Victim' ORDER BY 1, cp.id",
        [CTIP_FB_CASES] = "SELECT c.id, o.name, o.type, c.opened FROM cases c JOIN "
                          "organisation o ON o.id = c.org_id ORDER BY c.id",
        [CTIP_FB_OFFENDERS] =
                "SELECT cp.id, o.name, o.type, c.opened, p.gender, p.birth_date, p.ethnicity, "
                "p.citizenship, p.province_2025, c.id FROM case_person cp JOIN person p ON "
                "p.id = cp.person_id JOIN cases c ON c.id = cp.case_id JOIN organisation o "
                "ON o.id = c.org_id WHERE cp.role = 'Perpetrator' ORDER BY cp.id",
        [CTIP_FB_REFERRALS] = "SELECT r.date, o.name, o.type, r.reason, r.case_id FROM "
                              "referral r JOIN cases c ON c.id = r.case_id JOIN "
                              "organisation o ON o.id = c.org_id WHERE r.direction = 'out' "
                              "ORDER BY r.case_id, r.seq",
        /* assistance counts by the providing organisation when recorded, else the case's */
        [CTIP_FB_ASSISTANCE] =
                "SELECT a.date, a.kind, coalesce(po.name, o.name), coalesce(po.type, "
                "o.type), p.gender, p.birth_date, p.province_2025, v.status, "
                "v.exploitation_types, v.age_when_trafficked, c.opened, cp.case_id FROM "
                "assistance a JOIN case_person cp ON cp.id = a.case_person_id JOIN person p "
                "ON p.id = cp.person_id JOIN cases c ON c.id = cp.case_id JOIN organisation "
                "o ON o.id = c.org_id LEFT JOIN organisation po ON po.id = a.provider_org_id "
                "LEFT JOIN victim v ON v.case_person_id = cp.id "
                "ORDER BY a.case_person_id, a.seq",
};

const char *const *ctip_pg_stats_reads(void)
{
	return scan_sql;
}

int pg_stream(pg_store *s, const char *sql, int n, const char *const *v, int binary,
              int (*row)(void *ctx, PGresult *r), void *ctx, ctip_err *e, const char *what)
{
	if (!PQsendQueryParams(s->db, sql, n, NULL, v, NULL, NULL, binary) ||
	    !PQsetSingleRowMode(s->db))
		return pg_fail(s, NULL, e, what);
	int rc = CTIP_OK;
	PGresult *r;
	while ((r = PQgetResult(s->db))) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE) {
			if (!rc)
				rc = row(ctx, r);
		} else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !rc) {
			rc = pg_fail(s, r, e, what);
		}
		PQclear(r);
	}
	return rc;
}

struct scan_ctx {
	struct ctip_fb *b;
	int which;
	ctip_err *e;
};

static int scan_row(void *ctx, PGresult *r)
{
	struct scan_ctx *x = ctx;
	const char *col[CTIP_FB_MAXCOL];
	for (int i = 0; i < ctip_fb_ncol[x->which]; i++)
		col[i] = pg_col(r, 0, i);
	return ctip_fb_row(x->b, x->which, col, x->e);
}

static int build(pg_store *s, ctip_facts *f, ctip_err *e)
{
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT (SELECT coalesce(max(id), 0) FROM cases), (SELECT "
	                  "coalesce(max(id), 0) FROM case_person)",
	                  0, NULL, &r, e, "statistics snapshot");
	if (rc)
		return rc;
	int64_t ncases = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	int64_t nlinks = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	struct scan_ctx x = {NULL, 0, e};
	if ((rc = ctip_fb_new(f, ncases, nlinks, &x.b, e)))
		return rc;
	for (x.which = 0; !rc && x.which < CTIP_FB_N; x.which++)
		rc = pg_stream(s, scan_sql[x.which], 0, NULL, 0, scan_row, &x, e,
		               "statistics snapshot");
	ctip_fb_free(x.b);
	return rc;
}

/* ---- the cache --------------------------------------------------------------------------- */

/* The data version: the saved snapshot's, one more once anything was written since. */
static int state(pg_store *s, int64_t *version, int *fresh, ctip_err *e)
{
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT version, built AND NOT EXISTS (SELECT 1 FROM stats_write) FROM "
	                  "stats_state WHERE id = 1",
	                  0, NULL, &r, e, "statistics version");
	if (rc)
		return rc;
	*version = 1; /* none built yet: the first is 1, as on SQLite (0 is "no snapshot") */
	*fresh = 0;
	if (PQntuples(r)) {
		*fresh = !strcmp(PQgetvalue(r, 0, 1), "t");
		*version = strtoll(PQgetvalue(r, 0, 0), NULL, 10) + (*fresh ? 0 : 1);
	}
	PQclear(r);
	return CTIP_OK;
}

static int pg_stats_version(ctip_store *base, int64_t *version, ctip_err *e)
{
	int fresh;
	return state((pg_store *)base, version, &fresh, e);
}

/* The parts of one unit (and the dictionaries), read in one query in binary. */
struct parts {
	PGresult *r;
};

static int part_read(void *ctx, int unit, int part, void **data, size_t *len, ctip_err *e)
{
	struct parts *p = ctx;
	int n = PQntuples(p->r);
	for (int i = 0; i < n; i++) {
		int u, q;
		memcpy(&u, PQgetvalue(p->r, i, 0), 4);
		memcpy(&q, PQgetvalue(p->r, i, 1), 4);
		u = (int)ntohl((uint32_t)u); /* binary results are in network order */
		q = (int)ntohl((uint32_t)q);
		if (u != unit || q != part)
			continue;
		*len = (size_t)PQgetlength(p->r, i, 2);
		if (!(*data = malloc(*len + 8)))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		memcpy(*data, PQgetvalue(p->r, i, 2), *len);
		return CTIP_OK;
	}
	return ctip_err_set(e, CTIP_EINVAL, "statistics cache: part %d of unit %d missing", part,
	                    unit);
}

/* The cached snapshot with the parts asked for (need NULL: all; unit -1: every unit), inside
 * the caller's snapshot of the database; *out NULL when a part is missing. */
static int cached(pg_store *s, int unit, const unsigned char *need, int64_t version,
                  ctip_facts **out, ctip_err *e)
{
	/* only the parts asked for: a dimension's values, offsets and dates are parts d, 100 + d
	 * and 200 + d (facts.h); keys and dates are -1 and -2 */
	char u[16], dims[CTIP_D_N * 4 + 8];
	size_t at = 0;
	dims[at++] = '{';
	for (int d = 0; d < CTIP_D_N; d++)
		if (!need || need[d])
			at += (size_t)snprintf(dims + at, sizeof(dims) - at, "%s%d",
			                       at > 1 ? "," : "", d);
	snprintf(dims + at, sizeof(dims) - at, "}");
	snprintf(u, sizeof(u), "%d", unit);
	const char *v[2] = {u, dims};
	*out = NULL;
	PGresult *r = PQexecParams(s->db,
	                           "SELECT unit, part, data FROM stats_part WHERE unit = -1 OR "
	                           "(($1::int < 0 OR unit = $1::int) AND (part IN (-1, -2) OR "
	                           "(part >= 0 AND part % 100 = ANY ($2::int[]))))",
	                           2, NULL, v, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = pg_fail(s, r, e, "statistics cache");
		PQclear(r);
		return rc;
	}
	struct parts p = {r};
	ctip_facts *f = ctip_facts_new();
	void *dicts = NULL;
	size_t dlen = 0;
	ctip_err ign = {0};
	int rc = f ? part_read(&p, -1, 0, &dicts, &dlen, &ign) : CTIP_ENOMEM;
	if (!rc)
		rc = ctip_facts_dicts_load(f, dicts, dlen, &ign);
	free(dicts);
	for (int k = 0; k < CTIP_U_N && !rc; k++)
		if (unit < 0 || k == unit)
			rc = ctip_fb_load_unit(f, k, k, need, 0, part_read, &p, &ign);
	PQclear(r);
	if (rc == CTIP_ENOMEM || ign.code == CTIP_ENOMEM) {
		ctip_facts_free(f);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	if (rc) { /* a damaged cache is rebuilt, not fatal */
		ctip_facts_free(f);
		return CTIP_OK;
	}
	f->version = version;
	*out = f;
	return CTIP_OK;
}

struct saver {
	pg_store *s;
	ctip_err *e;
};

static int save_part(void *ctx, int unit, int part, const void *data, size_t len)
{
	struct saver *sv = ctx;
	if (len > 1000000000u)
		return ctip_err_set(sv->e, CTIP_EINVAL, "statistics snapshot too large to cache");
	char u[16], p[16];
	snprintf(u, sizeof(u), "%d", unit);
	snprintf(p, sizeof(p), "%d", part);
	const char *v[3] = {u, p, len ? data : ""};
	int l[3] = {0, 0, (int)len}, bin[3] = {0, 0, 1};
	return pg_query_bin(sv->s, "INSERT INTO stats_part (unit, part, data) VALUES ($1, $2, $3)",
	                    3, v, l, bin, NULL, sv->e, "statistics cache");
}

static int save(pg_store *s, const ctip_facts *f, ctip_err *e)
{
	struct saver sv = {s, e};
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = pg_exec(s, "DELETE FROM stats_part", e);
	if (!rc)
		rc = ctip_facts_dicts_save(f, &buf, &len, e);
	if (!rc)
		rc = save_part(&sv, -1, 0, buf, len);
	free(buf);
	if (!rc)
		rc = ctip_facts_parts(f, save_part, &sv);
	if (!rc) {
		char sql[256];
		/* only the writes this snapshot saw: one committed meanwhile keeps its row */
		snprintf(sql, sizeof(sql),
		         "DELETE FROM stats_write; INSERT INTO stats_state (id, version, built) "
		         "VALUES (1, %lld, true) ON CONFLICT (id) DO UPDATE SET version = "
		         "excluded.version, built = true",
		         (long long)f->version);
		rc = pg_exec(s, sql, e);
	}
	return rc;
}

static int pg_stats_facts(ctip_store *base, int unit, const unsigned char *need, ctip_facts **out,
                          ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int64_t version = 0;
	int fresh = 0, rc;
	*out = NULL;
	ctip_facts *f = NULL;
	/* inside the caller's transaction: build from what it sees, without the cache */
	if (s->in_tx) {
		if (!(f = ctip_facts_new()))
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		f->version = -1;
		ctip_fb_stamp(f);
		if ((rc = pg_flush(s, e)) || (rc = build(s, f, e))) {
			ctip_facts_free(f);
			return rc;
		}
		*out = f;
		return CTIP_OK;
	}
	/* the state and the parts read in one snapshot of the database */
	if ((rc = pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e)))
		return rc;
	rc = state(s, &version, &fresh, e);
	if (!rc && fresh)
		rc = cached(s, unit, need, version, out, e);
	pg_exec(s, "COMMIT", NULL);
	if (rc || *out)
		return rc;
	/* rebuild, one process at a time (the others wait, then read what it saved) */
	if ((rc = pg_exec(s, "SELECT pg_advisory_lock(" PG_STATS_LOCK ")", e)))
		return rc;
	if ((rc = pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", e)))
		goto unlock;
	if ((rc = state(s, &version, &fresh, e)))
		goto rollback;
	if (fresh) {
		if ((rc = cached(s, unit, need, version, out, e)) || *out)
			goto rollback; /* built meanwhile */
	}
	if (!(f = ctip_facts_new())) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto rollback;
	}
	f->version = version;
	ctip_fb_stamp(f);
	if ((rc = build(s, f, e)))
		goto rollback;
	/* a read-only database (a standby) or role still gets its statistics, not cached */
	ctip_err ign = {0};
	if (save(s, f, &ign) || pg_exec(s, "COMMIT", &ign)) {
		pg_exec(s, "ROLLBACK", NULL);
		f->version = -1; /* not saved: never taken for current */
	}
	*out = f;
	f = NULL;
	goto unlock;
rollback:
	pg_exec(s, "ROLLBACK", NULL);
unlock:
	ctip_facts_free(f);
	pg_exec(s, "SELECT pg_advisory_unlock(" PG_STATS_LOCK ")", NULL);
	return rc;
}

/* ---- figures ------------------------------------------------------------------------------ */

static int pg_figures_add(ctip_store *base, const struct ctip_figure *v, size_t n, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc = pg_exec(s, "BEGIN", e);
	for (size_t i = 0; !rc && i < n; i++) {
		char val[24];
		snprintf(val, sizeof(val), "%lld", (long long)v[i].value);
		const char *t[8] = {v[i].source,
		                    v[i].citation,
		                    v[i].published,
		                    v[i].measure,
		                    v[i].period,
		                    v[i].breakdown,
		                    val,
		                    v[i].note ? v[i].note : ""};
		/* replaced as on SQLite (INSERT OR REPLACE): the figure takes a new place in
		 * the ledger's order */
		rc = pg_query(
		        s,
		        "DELETE FROM figure WHERE source = $1 AND citation = $2 AND measure = "
		        "$3 AND period = $4 AND breakdown = $5",
		        5, (const char *const[]){t[0], t[1], t[3], t[4], t[5]}, NULL, e, "figures");
		if (!rc)
			rc = pg_query(s,
			              "INSERT INTO figure (source, citation, published, measure, "
			              "period, breakdown, value, note) VALUES ($1, $2, $3, $4, $5, "
			              "$6, $7, $8)",
			              8, t, NULL, e, "figures");
	}
	if (rc) {
		pg_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return pg_exec(s, "COMMIT", e);
}

static int pg_figures_load(ctip_store *base, struct ctip_figure **out, size_t *n, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT source, citation, published, measure, period, breakdown, value, "
	                  "note FROM figure ORDER BY id",
	                  0, NULL, &r, e, "figures");
	if (rc)
		return rc;
	size_t cnt = (size_t)PQntuples(r);
	struct ctip_figure *v = calloc(cnt + 1, sizeof(*v));
	if (!v) {
		PQclear(r);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < cnt && !rc; i++) {
		struct ctip_figure *g = &v[i];
		char **f[] = {&g->source, &g->citation,  &g->published, &g->measure,
		              &g->period, &g->breakdown, NULL,          &g->note};
		for (int k = 0; k < 8; k++)
			if (f[k] && !(*f[k] = strdup(PQgetvalue(r, (int)i, k))))
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		g->value = strtoll(PQgetvalue(r, (int)i, 6), NULL, 10);
	}
	PQclear(r);
	if (rc) {
		ctip_figures_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return CTIP_OK;
}

/* ---- releases ---------------------------------------------------------------------------- */

/* Budget and spending of a data set, inside the caller's transaction (which holds the lock of
 * the ledger). */
static int budget_read(pg_store *s, const char *dataset, double dflt, double *budget, double *spent,
                       ctip_err *e)
{
	PGresult *r;
	const char *v[1] = {dataset};
	int rc = pg_query(s,
	                  "SELECT (SELECT epsilon FROM release_budget WHERE dataset = $1), (SELECT "
	                  "coalesce(sum(epsilon), 0) FROM release WHERE dataset = $1)",
	                  1, v, &r, e, "the ledger of releases");
	if (rc)
		return rc;
	*budget = pg_col(r, 0, 0) ? strtod(PQgetvalue(r, 0, 0), NULL) : dflt;
	*spent = strtod(PQgetvalue(r, 0, 1), NULL);
	PQclear(r);
	return CTIP_OK;
}

/* Two releases at once cannot both spend the last of a data set's epsilon: the ledger is
 * locked against other writers for the check and the insert. */
static int ledger_begin(pg_store *s, ctip_err *e)
{
	int rc = pg_exec(s, "BEGIN; LOCK TABLE release, release_budget IN SHARE ROW EXCLUSIVE MODE",
	                 e);
	if (rc)
		pg_exec(s, "ROLLBACK", NULL);
	return rc;
}

static int pg_release_add(ctip_store *base, struct ctip_release_rec *r, double default_budget,
                          ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc = ledger_begin(s, e);
	if (rc)
		return rc;
	if (r->epsilon > 0) {
		double budget, spent;
		if ((rc = budget_read(s, r->dataset, default_budget, &budget, &spent, e)))
			goto out;
		/* a little slack for the sum of floating-point epsilons */
		if (spent + r->epsilon > budget + 1e-9) {
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "release refused: epsilon %g would take data set '%s' past its "
			        "budget (%g spent of %g); hint: a smaller --epsilon, or an "
			        "administrator raises it with ctip release budget",
			        r->epsilon, r->dataset, spent, budget);
			goto out;
		}
	}
	char ver[24], rec[24], eps[40], del[40];
	snprintf(ver, sizeof(ver), "%lld", (long long)r->data_version);
	snprintf(rec, sizeof(rec), "%lld", (long long)r->records);
	snprintf(eps, sizeof(eps), "%.17g", r->epsilon);
	snprintf(del, sizeof(del), "%.17g", r->delta);
	const char *v[13] = {r->at ? r->at : "",
	                     r->actor ? r->actor : "",
	                     r->kind ? r->kind : "",
	                     r->params ? r->params : "",
	                     ver,
	                     r->seed ? r->seed : "",
	                     r->file ? r->file : "",
	                     r->sha256 ? r->sha256 : "",
	                     rec,
	                     r->dataset ? r->dataset : "",
	                     eps,
	                     del,
	                     r->summary ? r->summary : "{}"};
	PGresult *res;
	rc = pg_query(s,
	              "INSERT INTO release (at, actor, kind, params, data_version, seed, file, "
	              "sha256, records, dataset, epsilon, delta, summary) VALUES ($1, $2, $3, $4, "
	              "$5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
	              13, v, &res, e, "the ledger of releases");
	if (!rc) {
		r->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
out:
	if (rc) {
		pg_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return pg_exec(s, "COMMIT", e);
}

static int pg_release_each(ctip_store *base, int64_t id,
                           int (*cb)(void *ctx, const struct ctip_release_rec *r), void *ctx,
                           ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *v[1] = {ids};
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT id, at, actor, kind, params, data_version, seed, file, sha256, "
	                  "records, dataset, epsilon, delta, summary FROM release WHERE $1::bigint "
	                  "= 0 OR id = $1::bigint ORDER BY id",
	                  1, v, &r, e, "the ledger of releases");
	if (rc)
		return rc;
	int n = PQntuples(r);
	for (int i = 0; i < n && !rc; i++) {
		struct ctip_release_rec x = {.id = strtoll(PQgetvalue(r, i, 0), NULL, 10),
		                             .at = PQgetvalue(r, i, 1),
		                             .actor = PQgetvalue(r, i, 2),
		                             .kind = PQgetvalue(r, i, 3),
		                             .params = PQgetvalue(r, i, 4),
		                             .data_version = strtoll(PQgetvalue(r, i, 5), NULL, 10),
		                             .seed = PQgetvalue(r, i, 6),
		                             .file = PQgetvalue(r, i, 7),
		                             .sha256 = PQgetvalue(r, i, 8),
		                             .records = strtoll(PQgetvalue(r, i, 9), NULL, 10),
		                             .dataset = PQgetvalue(r, i, 10),
		                             .epsilon = strtod(PQgetvalue(r, i, 11), NULL),
		                             .delta = strtod(PQgetvalue(r, i, 12), NULL),
		                             .summary = PQgetvalue(r, i, 13)};
		rc = cb(ctx, &x);
	}
	PQclear(r);
	if (!rc && id > 0 && !n)
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "no release R%lld (see ctip release list)",
		                  (long long)id);
	return rc;
}

static int pg_release_budget(ctip_store *base, const char *dataset, double set_eps, double *budget,
                             double *spent, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc = ledger_begin(s, e);
	if (rc)
		return rc;
	if (set_eps >= 0) {
		char eps[40];
		snprintf(eps, sizeof(eps), "%.17g", set_eps);
		const char *v[2] = {dataset, eps};
		rc = pg_query(s,
		              "INSERT INTO release_budget (dataset, epsilon) VALUES ($1, $2) ON "
		              "CONFLICT (dataset) DO UPDATE SET epsilon = excluded.epsilon",
		              2, v, NULL, e, "the ledger of releases");
	}
	if (!rc)
		rc = budget_read(s, dataset, *budget, budget, spent, e);
	if (rc) {
		pg_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return pg_exec(s, "COMMIT", e);
}

/* ---- data quality -------------------------------------------------------------------------- */

static int pg_quality_count(ctip_store *base, const char *flag, long *n, ctip_err *e)
{
	PGresult *r;
	const char *v[1] = {flag};
	int rc = pg_query((pg_store *)base,
	                  flag ? "SELECT count(*) FROM quality_flag WHERE flag = $1"
	                       : "SELECT count(DISTINCT case_person_id) FROM quality_flag",
	                  flag ? 1 : 0, v, &r, e, "data-quality flags");
	if (rc)
		return rc;
	*n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return CTIP_OK;
}

void pg_stats_ops(struct ctip_store_ops *o)
{
	o->stats_facts = pg_stats_facts;
	o->stats_version = pg_stats_version;
	o->figures_add = pg_figures_add;
	o->figures_load = pg_figures_load;
	o->release_add = pg_release_add;
	o->release_each = pg_release_each;
	o->release_budget = pg_release_budget;
	o->quality_count = pg_quality_count;
}
