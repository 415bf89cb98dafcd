/*
 * store_sqlite_company.c - the register of companies and recruiters on SQLite
 * (store_company.h, migration 0026). Statements are prepared per call: the register is
 * written an entry at a time. A recruiter's name is sealed under the store's key, bound to
 * "recruiter.name_sealed:<id>" (key rotation re-seals it with casework's free text).
 */
#include "store_company.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "store_sqlite_sealed.h"

sqlite3 *ctip_store_sqlite_db(ctip_store *base);

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
	sqlite3_stmt *st = ctip_sqlite_prep(s, "SELECT id FROM company WHERE org_id = ?", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, org);
	int have = sqlite3_step(st) == SQLITE_ROW;
	int64_t old = have ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (have)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "company '%s' is already in the register (K%lld): add its "
		                    "sanctions with `ctip company sanction add K%lld`",
		                    c->name, (long long)old, (long long)old);
	if (c->licence_no && *c->licence_no) {
		st = ctip_sqlite_prep(
		        s,
		        "SELECT o.name FROM company k JOIN organisation o ON o.id = k.org_id "
		        "WHERE k.licence_no = ?",
		        e);
		if (!st)
			return CTIP_EDB;
		ctip_sqlite_bind_opt(st, 1, c->licence_no);
		if (sqlite3_step(st) == SQLITE_ROW) {
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "licence %s is already registered to '%s': one licence, "
			                  "one company",
			                  c->licence_no, ctip_sqlite_col(st, 0));
			sqlite3_finalize(st);
			return rc;
		}
		sqlite3_finalize(st);
	}
	st = ctip_sqlite_prep(
	        s,
	        "INSERT INTO company(org_id, licence_no, licence_status, licence_from, "
	        "licence_to, address, province, recorded_org, recorded_by, source) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, org);
	ctip_sqlite_bind_opt(st, 2, c->licence_no);
	ctip_sqlite_bind_opt(st, 3, c->licence_status);
	ctip_sqlite_bind_opt(st, 4, c->licence_from);
	ctip_sqlite_bind_opt(st, 5, c->licence_to);
	ctip_sqlite_bind_opt(st, 6, c->address);
	ctip_sqlite_bind_opt(st, 7, c->province);
	sqlite3_bind_int64(st, 8, recorded_org);
	ctip_sqlite_bind_opt(st, 9, c->recorded_by);
	ctip_sqlite_bind_opt(st, 10, c->source);
	rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : ctip_sqlite_fail(s, e, "company");
	sqlite3_finalize(st);
	if (!rc)
		*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	return rc;
}

static int company_list(ctip_store *s, int64_t id,
                        int (*cb)(void *ctx, const struct ctip_company *c), void *ctx, ctip_err *e)
{
	/* one company by its id, or the register: `?1 = 0 OR k.id = ?1` is planned as a scan of
	 * the register whatever ?1 is */
#define COMPANY_COLS                                                                               \
	"SELECT k.id, k.org_id, o.name, k.licence_no, k.licence_status, k.licence_from, "          \
	"k.licence_to, k.address, k.province, r.name, k.recorded_by, k.source, k.recorded_at, "    \
	"(SELECT count(*) FROM company_sanction x WHERE x.company_id = k.id) FROM company k JOIN " \
	"organisation o ON o.id = k.org_id JOIN organisation r ON r.id = k.recorded_org "
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s, id ? COMPANY_COLS "WHERE k.id = ?1" : COMPANY_COLS "ORDER BY o.name_fold, k.id",
	        e);
#undef COMPANY_COLS
	if (!st)
		return CTIP_EDB;
	if (id)
		sqlite3_bind_int64(st, 1, id);
	int rc = CTIP_OK, n = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_company c = {
		        .id = sqlite3_column_int64(st, 0),
		        .org_id = sqlite3_column_int64(st, 1),
		        .name = ctip_sqlite_col(st, 2),
		        .licence_no = ctip_sqlite_col(st, 3),
		        .licence_status = ctip_sqlite_col(st, 4),
		        .licence_from = ctip_sqlite_col(st, 5),
		        .licence_to = ctip_sqlite_col(st, 6),
		        .address = ctip_sqlite_col(st, 7),
		        .province = ctip_sqlite_col(st, 8),
		        .recorded_org = ctip_sqlite_col(st, 9),
		        .recorded_by = ctip_sqlite_col(st, 10),
		        .source = ctip_sqlite_col(st, 11),
		        .recorded_at = ctip_sqlite_col(st, 12),
		        .sanctions = (long)sqlite3_column_int64(st, 13),
		};
		n++;
		rc = cb(ctx, &c);
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = ctip_sqlite_fail(s, e, "company");
	sqlite3_finalize(st);
	if (!rc && id && !n)
		rc = ctip_err_set(e, CTIP_ENOTFOUND, "no company K%lld in the register",
		                  (long long)id);
	return rc;
}

static int sanction_add(ctip_store *s, const struct ctip_sanction *x, int64_t recorded_org,
                        int64_t *id, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(s, "SELECT 1 FROM company WHERE id = ?", e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, x->company_id);
	int have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!have)
		return ctip_err_set(e, CTIP_ENOTFOUND, "no company K%lld in the register",
		                    (long long)x->company_id);
	st = ctip_sqlite_prep(s,
	                      "INSERT INTO company_sanction(company_id, date, authority, decision, "
	                      "recorded_org, recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
	                      e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, x->company_id);
	ctip_sqlite_bind_opt(st, 2, x->date);
	ctip_sqlite_bind_opt(st, 3, x->authority);
	ctip_sqlite_bind_opt(st, 4, x->decision);
	sqlite3_bind_int64(st, 5, recorded_org);
	ctip_sqlite_bind_opt(st, 6, x->recorded_by);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : ctip_sqlite_fail(s, e, "sanction");
	sqlite3_finalize(st);
	if (!rc)
		*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	return rc;
}

static int sanction_list(ctip_store *s, int64_t company_id,
                         int (*cb)(void *ctx, const struct ctip_sanction *x), void *ctx,
                         ctip_err *e)
{
#define SANCTION_COLS                                                                              \
	"SELECT x.id, x.company_id, x.date, x.authority, x.decision, o.name, x.recorded_by, "      \
	"x.recorded_at FROM company_sanction x JOIN organisation o ON o.id = x.recorded_org "
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        company_id ? SANCTION_COLS "WHERE x.company_id = ?1 ORDER BY x.date, x.id"
	                   : SANCTION_COLS "ORDER BY x.company_id, x.date, x.id",
	        e);
#undef SANCTION_COLS
	if (!st)
		return CTIP_EDB;
	if (company_id)
		sqlite3_bind_int64(st, 1, company_id);
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_sanction x = {.id = sqlite3_column_int64(st, 0),
		                          .company_id = sqlite3_column_int64(st, 1),
		                          .date = ctip_sqlite_col(st, 2),
		                          .authority = ctip_sqlite_col(st, 3),
		                          .decision = ctip_sqlite_col(st, 4),
		                          .recorded_org = ctip_sqlite_col(st, 5),
		                          .recorded_by = ctip_sqlite_col(st, 6),
		                          .recorded_at = ctip_sqlite_col(st, 7)};
		rc = cb(ctx, &x);
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = ctip_sqlite_fail(s, e, "sanction");
	sqlite3_finalize(st);
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
	sqlite3_stmt *st =
	        ctip_sqlite_prep(s,
	                         "INSERT INTO recruiter(kind, company_org, province, recorded_org, "
	                         "recorded_by) VALUES (?, ?, ?, ?, ?)",
	                         e);
	if (!st)
		return CTIP_EDB;
	ctip_sqlite_bind_opt(st, 1, r->kind);
	if (company_org)
		sqlite3_bind_int64(st, 2, company_org);
	ctip_sqlite_bind_opt(st, 3, r->province);
	sqlite3_bind_int64(st, 4, recorded_org);
	ctip_sqlite_bind_opt(st, 5, r->recorded_by);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : ctip_sqlite_fail(s, e, "recruiter");
	sqlite3_finalize(st);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(ctip_store_sqlite_db(s));
	if (person && (rc = ctip_sqlite_put_sealed(s, "recruiter", "name_sealed", *id, r->name, e)))
		return rc;
	for (int k = 0; !rc && k < ncases; k++) {
		st = ctip_sqlite_prep(s,
		                      "INSERT OR IGNORE INTO recruiter_case(recruiter_id, case_id) "
		                      "SELECT ?1, id FROM cases WHERE id = ?2",
		                      e);
		if (!st)
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_int64(st, 2, cases[k]);
		rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK
		                                     : ctip_sqlite_fail(s, e, "recruiter_case");
		sqlite3_finalize(st);
		if (!rc && !sqlite3_changes(ctip_store_sqlite_db(s)))
			rc = ctip_err_set(e, CTIP_ENOTFOUND, "no case C%lld", (long long)cases[k]);
	}
	return rc;
}

static int recruiter_list(ctip_store *s, int64_t company_org,
                          int (*cb)(void *ctx, const struct ctip_recruiter *r), void *ctx,
                          ctip_err *e)
{
#define RECRUITER_COLS                                                                             \
	"SELECT r.id, r.kind, r.name_sealed, c.name, r.province, o.name, r.recorded_by, "          \
	"r.recorded_at, (SELECT count(*) FROM recruiter_case x WHERE x.recruiter_id = r.id), "     \
	"r.recorded_org, (SELECT group_concat(case_id) FROM (SELECT case_id FROM recruiter_case "  \
	"x WHERE x.recruiter_id = r.id ORDER BY case_id)) FROM recruiter r LEFT JOIN "             \
	"organisation c ON c.id = r.company_org JOIN organisation o ON o.id = r.recorded_org "
	sqlite3_stmt *st = ctip_sqlite_prep(s,
	                                    company_org ? RECRUITER_COLS
	                                            "WHERE r.company_org = ?1 ORDER BY r.id"
	                                                : RECRUITER_COLS "ORDER BY r.id",
	                                    e);
#undef RECRUITER_COLS
	if (!st)
		return CTIP_EDB;
	if (company_org)
		sqlite3_bind_int64(st, 1, company_org);
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		char *name = NULL;
		ctip_err open = {0};
		if (ctip_sqlite_get_sealed(s, st, 2, "recruiter.name_sealed", id, &name, &open)) {
			rc = ctip_err_set(
			        e, open.code == CTIP_ENOMEM ? CTIP_ENOMEM : CTIP_EDB,
			        "%s: the sealed name of recruiter R%lld does not open: no "
			        "key, another key, or altered",
			        s->path, (long long)id);
			break;
		}
		struct ctip_recruiter r = {.id = id,
		                           .kind = ctip_sqlite_col(st, 1),
		                           .name = name ? name : ctip_sqlite_col(st, 3),
		                           .company = ctip_sqlite_col(st, 3),
		                           .province = ctip_sqlite_col(st, 4),
		                           .recorded_org = ctip_sqlite_col(st, 5),
		                           .recorded_by = ctip_sqlite_col(st, 6),
		                           .recorded_at = ctip_sqlite_col(st, 7),
		                           .cases = (long)sqlite3_column_int64(st, 8),
		                           .recorded_org_id = sqlite3_column_int64(st, 9),
		                           .case_ids = ctip_sqlite_col(st, 10)};
		rc = cb(ctx, &r);
		free(name);
	}
	sqlite3_finalize(st);
	return rc;
}

static int company_cases(ctip_store *s, int (*cb)(void *ctx, const struct ctip_company_case *x),
                         void *ctx, ctip_err *e)
{
	sqlite3_stmt *st = ctip_sqlite_prep(
	        s,
	        "WITH lk AS (SELECT person_id, min(person_id) OVER (PARTITION BY "
	        "person_key) AS k FROM link_person) "
	        "SELECT k.id, cp.case_id, c.org_id, coalesce(lk.k, cp.person_id), "
	        "v.exploitation_types FROM company k JOIN victim v ON v.recruiter_org_id = "
	        "k.org_id JOIN case_person cp ON cp.id = v.case_person_id JOIN cases c ON "
	        "c.id = cp.case_id LEFT JOIN lk ON lk.person_id = cp.person_id WHERE "
	        "cp.role = 'Victim' ORDER BY k.id, cp.case_id",
	        e);
	if (!st)
		return CTIP_EDB;
	int rc = CTIP_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_company_case x = {.company_id = sqlite3_column_int64(st, 0),
		                              .case_id = sqlite3_column_int64(st, 1),
		                              .case_org_id = sqlite3_column_int64(st, 2),
		                              .victim = sqlite3_column_int64(st, 3),
		                              .exploitation_types = ctip_sqlite_col(st, 4)};
		rc = cb(ctx, &x);
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = ctip_sqlite_fail(s, e, "company cases");
	sqlite3_finalize(st);
	return rc;
}

const struct ctip_co_ops ctip_sqlite_co_ops = {
        .company_add = company_add,
        .company_list = company_list,
        .sanction_add = sanction_add,
        .sanction_list = sanction_list,
        .recruiter_add = recruiter_add,
        .recruiter_list = recruiter_list,
        .company_cases = company_cases,
};
