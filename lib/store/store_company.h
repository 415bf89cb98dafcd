/*
 * store_company.h - the storage of the register of labour-export companies and recruiters
 * (migration 0026, docs/COMPANIES.md). A company is an organisation (the one a victim's
 * ctip_Recruiter names) with its register entry; sanctions and recruiters are recorded by an
 * organisation, with provenance. Kept apart from store.h's operations so that a back end adds
 * them on its own; SQLite's are in store_sqlite_company.c,
 * PostgreSQL's in store_pg_company.c. The rules (who sees which cases,
 * what is suppressed) are in lib/company/company.c and the server, not here.
 *
 * Strings passed to callbacks are valid during the callback only; a recruiter's sealed name
 * is opened before it is passed.
 */
#ifndef CTIP_STORE_COMPANY_H
#define CTIP_STORE_COMPANY_H

#include <stdint.h>

#include "store.h"

struct ctip_company {
	int64_t id, org_id;
	const char *name, *licence_no, *licence_status, *licence_from, *licence_to, *address,
	        *province;
	const char *recorded_org, *recorded_by, *source, *recorded_at; /* provenance */
	long sanctions;                                                /* how many */
};

struct ctip_sanction {
	int64_t id, company_id;
	const char *date, *authority, *decision, *recorded_org, *recorded_by, *recorded_at;
};

struct ctip_recruiter {
	int64_t id;
	const char *kind; /* person, company */
	const char *name; /* a person's name (opened), or the company's */
	const char *company, *province, *recorded_org, *recorded_by, *recorded_at;
	long cases;
	int64_t recorded_org_id;
	const char *case_ids; /* the linked cases' ids, "3,7" (NULL: none), as cases counts them */
};

/* A victim in a case whose recruiting company (ctip_Recruiter) is in the register. */
struct ctip_company_case {
	int64_t company_id, case_id, case_org_id, victim; /* victim: the linked person's key */
	const char *exploitation_types;                   /* JSON array of codes, or NULL */
};

struct ctip_co_ops {
	/* Adds c to the register (c->name: the organisation, created as a LabourExportCompany
	 * when unknown), recorded by organisation recorded_org and account c->recorded_by. */
	int (*company_add)(ctip_store *s, const struct ctip_company *c, int64_t recorded_org,
	                   int64_t *id, ctip_err *e);
	/* One company (id != 0; CTIP_ENOTFOUND when none) or all, by name. */
	int (*company_list)(ctip_store *s, int64_t id,
	                    int (*cb)(void *ctx, const struct ctip_company *c), void *ctx,
	                    ctip_err *e);
	int (*sanction_add)(ctip_store *s, const struct ctip_sanction *x, int64_t recorded_org,
	                    int64_t *id, ctip_err *e);
	/* A company's sanctions (0: every company's), by date. */
	int (*sanction_list)(ctip_store *s, int64_t company_id,
	                     int (*cb)(void *ctx, const struct ctip_sanction *x), void *ctx,
	                     ctip_err *e);
	/* Adds a recruiter (a person's name sealed) recruiting in cases[0..ncases). */
	int (*recruiter_add)(ctip_store *s, const struct ctip_recruiter *r, int64_t company_org,
	                     int64_t recorded_org, const int64_t *cases, int ncases, int64_t *id,
	                     ctip_err *e);
	/* Recruiters (of one company's organisation when company_org != 0). */
	int (*recruiter_list)(ctip_store *s, int64_t company_org,
	                      int (*cb)(void *ctx, const struct ctip_recruiter *r), void *ctx,
	                      ctip_err *e);
	/* Every victim of every case whose recruiting company is in the register. */
	int (*company_cases)(ctip_store *s, int (*cb)(void *ctx, const struct ctip_company_case *x),
	                     void *ctx, ctip_err *e);
};

/* The company operations of s's back end, or NULL (with the store's "not yet available"
 * error, as store_unavail.c words it) when it has none. */
const struct ctip_co_ops *ctip_co_ops(ctip_store *s, ctip_err *e);

extern const struct ctip_co_ops ctip_sqlite_co_ops, ctip_pg_co_ops;

#endif
