/*
 * store_pg_company.c - the register of companies and recruiters on PostgreSQL
 * (store_company.h, lib/sql/pg/0013): the same operations and answers as
 * store_sqlite_company.c. A recruiter's name is sealed by ctip under the store's key, bound to
 * "recruiter.name_sealed:<id>" as on SQLite. Under `ctip serve` row-level security (0013)
 * shows the register to every organisation, a recruiter to the organisation that recorded it
 * and to those that see a case it is linked to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_company.h"
#include "store_pg_int.h"

#define PGS(b) ((pg_store *)(b))

static int company_add(ctip_store *s, const struct ctip_company *c, int64_t recorded_org,
                       int64_t *id, ctip_err *e)
{
	int64_t org = 0;
	int rc = s->ops->org_find(s, c->name, &org, NULL, e);
	if (rc == CTIP_ENOTFOUND) {
		*e = (ctip_err){0};
		rc = s->ops->org_add(s, c->name, "LabourExportCompany", &org, e);
	}
	if (rc)
		return rc;
	PGresult *r;
	if ((rc = pg_qf(PGS(s), &r, e, "company", "SELECT id FROM company WHERE org_id = $1", "i",
	                (long long)org)))
		return rc;
	int64_t old = PQntuples(r) ? pg_id(r, 0, 0) : 0;
	PQclear(r);
	if (old)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "company '%s' is already in the register (K%lld): add its "
		                    "sanctions with `ctip company sanction add K%lld`",
		                    c->name, (long long)old, (long long)old);
	if (c->licence_no && *c->licence_no) {
		if ((rc = pg_qf(PGS(s), &r, e, "company",
		                "SELECT o.name FROM company k JOIN organisation o ON o.id = "
		                "k.org_id WHERE k.licence_no = $1",
		                "s", c->licence_no)))
			return rc;
		if (PQntuples(r))
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "licence %s is already registered to '%s': one licence, "
			                  "one company",
			                  c->licence_no, PQgetvalue(r, 0, 0));
		PQclear(r);
		if (rc)
			return rc;
	}
	if ((rc = pg_qf(PGS(s), &r, e, "company",
	                "INSERT INTO company(org_id, licence_no, licence_status, licence_from, "
	                "licence_to, address, province, recorded_org, recorded_by, source) "
	                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
	                "issssssiss", (long long)org, c->licence_no, c->licence_status,
	                c->licence_from, c->licence_to, c->address, c->province,
	                (long long)recorded_org, c->recorded_by, c->source)))
		return rc;
	*id = pg_id(r, 0, 0);
	PQclear(r);
	return CTIP_OK;
}

static int company_list(ctip_store *s, int64_t id,
                        int (*cb)(void *ctx, const struct ctip_company *c), void *ctx, ctip_err *e)
{
	PGresult *r;
	/* one company by its id, or the register: two statements, as a generic plan of
	 * `$1 = 0 OR k.id = $1` reads the whole register for one company */
#define COMPANY_COLS                                                                               \
	"SELECT k.id, k.org_id, o.name, k.licence_no, k.licence_status, k.licence_from, "          \
	"k.licence_to, k.address, k.province, ro.name, k.recorded_by, k.source, k.recorded_at, "   \
	"(SELECT count(*) FROM company_sanction x WHERE x.company_id = k.id) FROM company k JOIN " \
	"organisation o ON o.id = k.org_id JOIN organisation ro ON ro.id = k.recorded_org "
	int rc =
	        id ? pg_qf(PGS(s), &r, e, "company", COMPANY_COLS "WHERE k.id = $1", "i",
	                   (long long)id)
	           : pg_qf(PGS(s), &r, e, "company", COMPANY_COLS "ORDER BY o.name_fold, k.id", "");
#undef COMPANY_COLS
	if (rc)
		return rc;
	int n = PQntuples(r);
	for (int i = 0; i < n && !rc; i++) {
		struct ctip_company c = {
		        .id = pg_id(r, i, 0),
		        .org_id = pg_id(r, i, 1),
		        .name = pg_col(r, i, 2),
		        .licence_no = pg_col(r, i, 3),
		        .licence_status = pg_col(r, i, 4),
		        .licence_from = pg_col(r, i, 5),
		        .licence_to = pg_col(r, i, 6),
		        .address = pg_col(r, i, 7),
		        .province = pg_col(r, i, 8),
		        .recorded_org = pg_col(r, i, 9),
		        .recorded_by = pg_col(r, i, 10),
		        .source = pg_col(r, i, 11),
		        .recorded_at = pg_col(r, i, 12),
		        .sanctions = (long)pg_id(r, i, 13),
		};
		rc = cb(ctx, &c);
	}
	PQclear(r);
	if (!rc && id && !n)
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "no company K%lld in the register",
		                  (long long)id);
	return rc;
}

static int sanction_add(ctip_store *s, const struct ctip_sanction *x, int64_t recorded_org,
                        int64_t *id, ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(s), &r, e, "sanction", "SELECT 1 FROM company WHERE id = $1", "i",
	               (long long)x->company_id);
	if (rc)
		return rc;
	int have = PQntuples(r) > 0;
	PQclear(r);
	if (!have)
		return ctip_err_set(e, CTIP_ENOTFOUND, "no company K%lld in the register",
		                    (long long)x->company_id);
	if ((rc = pg_qf(PGS(s), &r, e, "sanction",
	                "INSERT INTO company_sanction(company_id, date, authority, decision, "
	                "recorded_org, recorded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
	                "isssis", (long long)x->company_id, x->date, x->authority, x->decision,
	                (long long)recorded_org, x->recorded_by)))
		return rc;
	*id = pg_id(r, 0, 0);
	PQclear(r);
	return CTIP_OK;
}

static int sanction_list(ctip_store *s, int64_t company_id,
                         int (*cb)(void *ctx, const struct ctip_sanction *x), void *ctx,
                         ctip_err *e)
{
	PGresult *r;
#define SANCTION_COLS                                                                              \
	"SELECT x.id, x.company_id, x.date, x.authority, x.decision, o.name, x.recorded_by, "      \
	"x.recorded_at FROM company_sanction x JOIN organisation o ON o.id = x.recorded_org "
	int rc = company_id ? pg_qf(PGS(s), &r, e, "sanction",
	                            SANCTION_COLS "WHERE x.company_id = $1 ORDER BY x.date, x.id",
	                            "i", (long long)company_id)
	                    : pg_qf(PGS(s), &r, e, "sanction",
	                            SANCTION_COLS "ORDER BY x.company_id, x.date, x.id", "");
#undef SANCTION_COLS
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_sanction x = {.id = pg_id(r, i, 0),
		                          .company_id = pg_id(r, i, 1),
		                          .date = pg_col(r, i, 2),
		                          .authority = pg_col(r, i, 3),
		                          .decision = pg_col(r, i, 4),
		                          .recorded_org = pg_col(r, i, 5),
		                          .recorded_by = pg_col(r, i, 6),
		                          .recorded_at = pg_col(r, i, 7)};
		rc = cb(ctx, &x);
	}
	PQclear(r);
	return rc;
}

static int recruiter_add(ctip_store *s, const struct ctip_recruiter *r, int64_t company_org,
                         int64_t recorded_org, const int64_t *cases, int ncases, int64_t *id,
                         ctip_err *e)
{
	int person = !strcmp(r->kind, "person");
	if (person && !s->crypto)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: the key is not loaded: a recruiter's name is sealed under "
		                    "it (give --key or $CTIP_KEY)",
		                    s->path);
	PGresult *q;
	int rc = pg_qf(PGS(s), &q, e, "recruiter",
	               "INSERT INTO recruiter(kind, company_org, province, recorded_org, "
	               "recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
	               "szsis", r->kind, (long long)company_org, r->province,
	               (long long)recorded_org, r->recorded_by);
	if (rc)
		return rc;
	*id = pg_id(q, 0, 0);
	PQclear(q);
	if (person && (rc = pg_put_sealed(PGS(s), "recruiter", "name_sealed", *id, r->name, e)))
		return rc;
	for (int k = 0; !rc && k < ncases; k++) {
		/* a case that does not exist, or (under `ctip serve`) that the organisation does
		 * not see, is not found: the same answer for both */
		if ((rc = pg_qf(PGS(s), &q, e, "recruiter_case",
		                "INSERT INTO recruiter_case(recruiter_id, case_id) SELECT $1, id "
		                "FROM cases WHERE id = $2 ON CONFLICT DO NOTHING RETURNING case_id",
		                "ii", (long long)*id, (long long)cases[k])))
			return rc;
		int added = PQntuples(q);
		PQclear(q);
		if (!added) {
			/* twice the same case: already linked, as SQLite's INSERT OR IGNORE */
			if ((rc = pg_qf(PGS(s), &q, e, "recruiter_case",
			                "SELECT 1 FROM recruiter_case WHERE recruiter_id = $1 AND "
			                "case_id = $2",
			                "ii", (long long)*id, (long long)cases[k])))
				return rc;
			added = PQntuples(q);
			PQclear(q);
		}
		if (!added)
			rc = ctip_err_set(e, CTIP_ENOTFOUND, "no case C%lld", (long long)cases[k]);
	}
	return rc;
}

static int recruiter_list(ctip_store *s, int64_t company_org,
                          int (*cb)(void *ctx, const struct ctip_recruiter *r), void *ctx,
                          ctip_err *e)
{
	PGresult *q;
#define RECRUITER_COLS                                                                             \
	"SELECT r.id, r.kind, r.name_sealed, c.name, r.province, o.name, r.recorded_by, "          \
	"r.recorded_at, (SELECT count(*) FROM recruiter_case x WHERE x.recruiter_id = r.id), "     \
	"r.recorded_org, (SELECT string_agg(case_id::text, ',' ORDER BY case_id) FROM "            \
	"recruiter_case x WHERE x.recruiter_id = r.id) FROM recruiter r LEFT JOIN organisation c " \
	"ON c.id = r.company_org JOIN organisation o ON o.id = r.recorded_org "
	int rc = company_org
	                 ? pg_qf(PGS(s), &q, e, "recruiter",
	                         RECRUITER_COLS "WHERE r.company_org = $1 ORDER BY r.id", "i",
	                         (long long)company_org)
	                 : pg_qf(PGS(s), &q, e, "recruiter", RECRUITER_COLS "ORDER BY r.id", "");
#undef RECRUITER_COLS
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(q) && !rc; i++) {
		int64_t id = pg_id(q, i, 0);
		char *name = NULL;
		ctip_err open = {0};
		if (pg_get_sealed(PGS(s), q, i, 2, "recruiter.name_sealed", id, &name, &open)) {
			rc = ctip_err_set(
			        e, open.code == CTIP_ENOMEM ? CTIP_ENOMEM : CTIP_EDB,
			        "%s: the sealed name of recruiter R%lld does not open: no "
			        "key, another key, or altered",
			        s->path, (long long)id);
			break;
		}
		struct ctip_recruiter x = {.id = id,
		                           .kind = pg_col(q, i, 1),
		                           .name = name ? name : pg_col(q, i, 3),
		                           .company = pg_col(q, i, 3),
		                           .province = pg_col(q, i, 4),
		                           .recorded_org = pg_col(q, i, 5),
		                           .recorded_by = pg_col(q, i, 6),
		                           .recorded_at = pg_col(q, i, 7),
		                           .cases = (long)pg_id(q, i, 8),
		                           .recorded_org_id = pg_id(q, i, 9),
		                           .case_ids = pg_col(q, i, 10)};
		rc = cb(ctx, &x);
		free(name);
	}
	PQclear(q);
	return rc;
}

/* Through ctip_company_cases() (0013): every registered company's victims, ids and
 * exploitation codes only, which the report filters to the viewer's cases (company.c). */
static int company_cases(ctip_store *s, int (*cb)(void *ctx, const struct ctip_company_case *x),
                         void *ctx, ctip_err *e)
{
	PGresult *r;
	int rc = pg_qf(PGS(s), &r, e, "company cases",
	               "SELECT company_id, case_id, case_org, victim, exploitation_types FROM "
	               "ctip_company_cases()",
	               "");
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		struct ctip_company_case x = {.company_id = pg_id(r, i, 0),
		                              .case_id = pg_id(r, i, 1),
		                              .case_org_id = pg_id(r, i, 2),
		                              .victim = pg_id(r, i, 3),
		                              .exploitation_types = pg_col(r, i, 4)};
		rc = cb(ctx, &x);
	}
	PQclear(r);
	return rc;
}

const struct ctip_co_ops ctip_pg_co_ops = {
        .company_add = company_add,
        .company_list = company_list,
        .sanction_add = sanction_add,
        .sanction_list = sanction_list,
        .recruiter_add = recruiter_add,
        .recruiter_list = recruiter_list,
        .company_cases = company_cases,
};
