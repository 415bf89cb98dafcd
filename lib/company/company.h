/*
 * company.h - the company report (docs/COMPANIES.md): per company of the register, the cases,
 * victims and exploitation types of the cases a viewer may see, its sanctions, and the
 * companies with cases of forced labour and no sanction. Counts of 1 to threshold - 1 are
 * withheld (null), as statistics are.
 */
#ifndef CTIP_COMPANY_H
#define CTIP_COMPANY_H

#include <jansson.h>
#include <stdio.h>

#include "store.h"
#include "store_company.h"

struct ctip_co_view {
	/* whether a case counts for the viewer (NULL: every case) */
	int (*visible)(void *ctx, int64_t case_id, int64_t case_org);
	void *ctx;
	int threshold;     /* 0: counts as they are (the command line's --raw) */
	int counts;        /* 0: the register only, no counts of cases (auditors, admins) */
	const char *scope; /* what the counts cover, for the reader ("cases of Org A") */
};

/* Checks and canonicalises an entry before company_add: a name, a licence status among
 * active, suspended, revoked, expired, dates YYYY-MM-DD with from <= to, a province of
 * Vietnam (its 2025 code is put in prov, which c->province then points to). The error names
 * the field. */
int ctip_company_check(ctip_store *s, struct ctip_company *c, char prov[16], ctip_err *e);
/* The same for a sanction: a date YYYY-MM-DD, an authority and a decision. */
int ctip_sanction_check(const struct ctip_sanction *x, ctip_err *e);
/* The same for a recruiter before recruiter_add: kind person (a name of 1 to 250 bytes, sealed
 * by the store) or company (its company given: has_company); a province of Vietnam, put as its
 * 2025 code in prov. */
int ctip_recruiter_check(ctip_store *s, struct ctip_recruiter *r, int has_company, char prov[16],
                         ctip_err *e);

/* The report as JSON (only_id != 0: that company alone; CTIP_ENOTFOUND when none). */
int ctip_company_report(ctip_store *s, const struct ctip_co_view *v, int64_t only_id, json_t **out,
                        ctip_err *e);
/* Written as table, csv, json or html. */
int ctip_company_write(FILE *out, const char *fmt, json_t *report, ctip_err *e);

#endif
