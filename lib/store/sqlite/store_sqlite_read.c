/*
 * store_sqlite_read.c - reading records back as rows (show, export, the server's case
 * view): the filtered query over person, case and link, and the per-owner lists (documents,
 * referrals, events, ...) with sealed columns opened.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

/* ---- reading rows ------------------------------------------------------------------- */

#define push_item ctip_row_push_item

/* Runs a per-owner query and spreads its columns over the fields in cols (-1 skips); column
 * `sealed` (-1: none) is opened for the place `what` with the row's seq, selected after the
 * fields. After all rows, a group whose items are all empty in one column is reset to
 * unknown. */
static int read_group(sqlite_store *s, enum stmt_id sid, int64_t owner, ctip_row *r,
                      const int *cols, int nf, int sealed, const char *what, ctip_err *e)
{
	sqlite3_stmt *st = sq_stmt(s, sid, e);
	int n = 0, rc;
	int nonempty[8] = {0};
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, owner);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < nf; c++) {
			if (cols[c] < 0)
				continue;
			char *open = NULL;
			const char *v = sq_col(st, c);
			if (c == sealed) {
				int orc = sq_col_unsealed(s, st, c, what, owner,
				                          sqlite3_column_int(st, nf), &open, e);
				if (orc) {
					sqlite3_reset(st);
					return orc;
				}
				v = open;
			}
			nonempty[c] |= v && *v;
			int prc = push_item(r, cols[c], v ? v : "", n);
			free(open);
			if (prc)
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_err(s, e, "read");
	for (int c = 0; c < nf; c++)
		if (cols[c] >= 0 && !nonempty[c])
			ctip_row_take(r, cols[c], NULL);
	return CTIP_OK;
}

static int read_person_lists(sqlite_store *s, int64_t pid, ctip_row *r, ctip_err *e)
{
	/* the numbers and the phones come with the sealed identity (read_sealed_scalars) */
	static const int docs[] = {CF_DOC_TYPE, -1, CF_DOC_ISSUED, CF_DOC_EXPIRES};
	return read_group(s, S_Q_DOCS, pid, r, docs, 4, -1, NULL, e);
}

static int read_link_lists(sqlite_store *s, int64_t cp, ctip_row *r, ctip_err *e)
{
	static const int expl[] = {CF_EXPL_COUNTRY, CF_EXPL_PLACE, CF_EXPL_START, CF_EXPL_END};
	static const int ev[] = {CF_EV_TYPE, CF_EV_DATE, CF_EV_COUNTRY, CF_EV_STATE, CF_EV_CITY};
	static const int as[] = {CF_AS_KIND, CF_AS_DATE, CF_AS_PROVIDER, CF_AS_AMOUNT};
	static const int pr[] = {CF_PR_STAGE, CF_PR_DATE, CF_PR_ARTICLE, CF_PR_SENTENCE_KIND,
	                         CF_PR_SENTENCE_MONTHS};
	int rc;
	if ((rc = read_group(s, S_Q_EXPL, cp, r, expl, 4, 1, "exploitation.place", e)) ||
	    (rc = read_group(s, S_Q_EVENTS, cp, r, ev, 5, -1, NULL, e)) ||
	    (rc = read_group(s, S_Q_ASSIST, cp, r, as, 4, -1, NULL, e)) ||
	    (rc = read_group(s, S_Q_PROC, cp, r, pr, 5, -1, NULL, e)))
		return rc;
	return CTIP_OK;
}

static int read_case_lists(sqlite_store *s, int64_t case_id, ctip_row *r, ctip_err *e)
{
	static const int com[] = {CF_COMMENT, CF_COMMENT_DATE};
	int rc = read_group(s, S_Q_COMMENTS, case_id, r, com, 2, 0, "case_comment.body", e);
	if (rc)
		return rc;
	sqlite3_stmt *st = sq_stmt(s, S_Q_REFS, e);
	int nin = 0, nout = 0, any_status = 0, any[2][3] = {{0}};
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int in = !strcmp(sq_col(st, 0), "in");
		const int out_cols[] = {CF_REF_TO, CF_REF_DATE, CF_REF_REASON, CF_REF_STATUS};
		const int in_cols[] = {CF_INREF_FROM, CF_INREF_DATE, CF_INREF_REASON};
		int k = in ? nin++ : nout++;
		for (int c = 0; c < (in ? 3 : 4); c++) {
			const char *v = sq_col(st, 1 + c);
			if (c == 3)
				any_status |= v && *v;
			else if (c > 0)
				any[in][c] |= v && *v;
			if (push_item(r, in ? in_cols[c] : out_cols[c], v ? v : "", k))
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_db_err(s, e, "referrals");
	if (!any_status)
		ctip_row_take(r, CF_REF_STATUS, NULL);
	if (!any[0][1])
		ctip_row_take(r, CF_REF_DATE, NULL);
	if (!any[0][2])
		ctip_row_take(r, CF_REF_REASON, NULL);
	if (!any[1][1])
		ctip_row_take(r, CF_INREF_DATE, NULL);
	if (!any[1][2])
		ctip_row_take(r, CF_INREF_REASON, NULL);
	return CTIP_OK;
}

/* The sealed columns of a row of rows_sql, from column i on: the person's identity, the
 * case's closure reason. */
static int read_sealed_scalars(sqlite_store *s, sqlite3_stmt *st, int i, int64_t pid, int64_t cid,
                               ctip_row *r, ctip_err *e)
{
	char *v[N_IDENTITY], *closure;
	int rc = sq_identity_open(s, pid, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i),
	                          v, e);
	if (rc)
		return rc;
	for (int k = 0; k < N_IDENTITY; k++)
		ctip_row_take(r, identity_fields[k], v[k]);
	if ((rc = sq_col_unsealed(s, st, i + 1, "cases.closure_reason", cid, -1, &closure, e)))
		return rc;
	ctip_row_take(r, CF_CAS_CLOSURE, closure);
	return CTIP_OK;
}

static const char *const rows_sql =
        "SELECT cp.id, c.id, o.name, o.type, c.src_case_id, c.status, NULL, "
        "c.opened, c.closed, c.reopened, p.id, p.src_record_id, cp.role, NULL, NULL, NULL, "
        "p.birth_date, p.gender, p.ethnicity, NULL, NULL, NULL, NULL, NULL, p.province_era, "
        "p.province_code, "
        "p.home_country, v.status, v.decision_org_type, dob.name, v.status_date, "
        "v.certificate_kind, v.age_when_trafficked, v.recruitment_country, "
        "v.recruitment_province, v.relationship, rec.name, v.labour_industry, cp.consent, "
        "cp.consent_date, p.citizenship, cp.consent_scope, cp.perpetrator_roles, "
        "v.recruitment_methods, v.recruitment_apps, v.control_methods, v.exploitation_types, "
        "v.sex_exploitation_types, v.vulnerabilities, "
        /* sealed: opened by read_sealed_scalars */
        "p.identity, c.closure_sealed "
        "FROM case_person cp JOIN cases c ON c.id = cp.case_id "
        "JOIN organisation o ON o.id = c.org_id JOIN person p ON p.id = cp.person_id "
        "LEFT JOIN victim v ON v.case_person_id = cp.id "
        "LEFT JOIN organisation dob ON dob.id = v.decided_by_org_id "
        "LEFT JOIN organisation rec ON rec.id = v.recruiter_org_id "
        "WHERE cp.id = ?1";

/* The order of export, sorted on the keys alone: sorting whole rows took a gigabyte for a
 * million of them. */
static const char *const rows_order_sql =
        "SELECT cp.id FROM case_person cp JOIN cases c ON c.id = cp.case_id "
        "JOIN organisation o ON o.id = c.org_id JOIN person p ON p.id = cp.person_id "
        "WHERE (?1 = 0 OR c.id = ?1) AND (?2 = 0 OR p.id = ?2) "
        "ORDER BY o.name, c.src_case_id, p.src_record_id";

static const char *const rows_case_order_sql =
        "SELECT cp.id FROM case_person cp JOIN person p ON p.id = cp.person_id "
        "WHERE cp.case_id = ?1 AND (?2 = 0 OR p.id = ?2) ORDER BY p.src_record_id";
static const char *const rows_person_order_sql =
        "SELECT cp.id FROM case_person cp JOIN cases c ON c.id = cp.case_id "
        "JOIN organisation o ON o.id = c.org_id JOIN person p ON p.id = cp.person_id "
        "WHERE cp.person_id = ?2 AND ?1 = 0 ORDER BY o.name, c.src_case_id";

int sq_rows(ctip_store *base, const struct ctip_row_filter *flt,
            int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc = CTIP_OK, step;
	static const int scalar[] = {-1,
	                             -1,
	                             CF_SRC_ORG,
	                             CF_ORG_TYPE,
	                             CF_SRC_CASE,
	                             CF_CAS_STATUS,
	                             CF_CAS_CLOSURE,
	                             CF_CAS_OPENED,
	                             CF_CAS_CLOSED,
	                             CF_CAS_REOPENED,
	                             -1,
	                             CF_SRC_RECORD,
	                             CF_ROLE,
	                             CF_FAMILY,
	                             CF_MIDDLE,
	                             CF_GIVEN,
	                             CF_BIRTH,
	                             CF_GENDER,
	                             CF_ETHNICITY,
	                             CF_STREET,
	                             CF_COMMUNE,
	                             CF_COMMUNE_CODE,
	                             CF_DISTRICT,
	                             CF_DISTRICT_CODE,
	                             CF_PROVINCE_ERA,
	                             CF_PROVINCE,
	                             CF_HOME_COUNTRY,
	                             CF_TR_STATUS,
	                             CF_TR_DECIDER_TYPE,
	                             CF_TR_DECIDED_BY,
	                             CF_TR_DATE,
	                             CF_CERTIFICATE,
	                             CF_AGE_TRAFFICKED,
	                             CF_RECRUIT_COUNTRY,
	                             CF_RECRUIT_PROVINCE,
	                             CF_RELATIONSHIP,
	                             CF_RECRUITER,
	                             CF_INDUSTRY,
	                             CF_CONSENT,
	                             CF_CONSENT_DATE,
	                             CF_CITIZENSHIP,
	                             CF_CONSENT_SCOPE,
	                             CF_PERP_ROLE,
	                             CF_RECRUIT_METHOD,
	                             CF_RECRUIT_APPS,
	                             CF_CONTROL,
	                             CF_EXPLOITATION,
	                             CF_SEX_TYPE,
	                             CF_VULNERABILITY};
	int64_t *ids = NULL;
	size_t nids = 0, cap = 0, next = 0;
	/* one case or one record: by its index, not a scan of every link */
	const char *order_sql = flt && flt->case_id     ? rows_case_order_sql
	                        : flt && flt->person_id ? rows_person_order_sql
	                                                : rows_order_sql;
	if (sqlite3_prepare_v2(s->db, order_sql, -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "rows");
	sqlite3_bind_int64(st, 1, flt ? flt->case_id : 0);
	sqlite3_bind_int64(st, 2, flt ? flt->person_id : 0);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (nids == cap) {
			int64_t *g = realloc(ids, (cap = cap ? cap * 2 : 1024) * sizeof(*ids));
			if (!g) {
				free(ids);
				sqlite3_finalize(st);
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
			ids = g;
		}
		ids[nids++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		free(ids);
		return sq_db_err(s, e, "rows");
	}
	if (sqlite3_prepare_v2(s->db, rows_sql, -1, &st, NULL) != SQLITE_OK) {
		free(ids);
		return sq_db_err(s, e, "rows");
	}
	ctip_row r;
	ctip_row_init(&r);
	step = SQLITE_DONE;
	while (rc == CTIP_OK && next < nids) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[next++]);
		if ((step = sqlite3_step(st)) != SQLITE_ROW)
			break;
		step = SQLITE_DONE;
		ctip_row_clear(&r);
		int n = (int)(sizeof(scalar) / sizeof(*scalar));
		for (int c = 0; c < n; c++) {
			const char *v = sq_col(st, c);
			if (scalar[c] < 0 || !v)
				continue;
			if (ctip_row_put_stored(&r, s->base.ref, scalar[c], v,
			                        c ? sq_col(st, c - 1) : NULL)) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
		}
		int64_t cp = sqlite3_column_int64(st, 0), cid = sqlite3_column_int64(st, 1),
		        pid = sqlite3_column_int64(st, 10);
		r.case_id = cid;
		r.person_id = pid;
		if (!rc && !(rc = read_sealed_scalars(s, st, n, pid, cid, &r, e)) &&
		    !(rc = read_case_lists(s, cid, &r, e)) &&
		    !(rc = read_person_lists(s, pid, &r, e)) &&
		    !(rc = read_link_lists(s, cp, &r, e)))
			rc = cb(ctx, &r);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = sq_db_err(s, e, "rows");
	ctip_row_clear(&r);
	sqlite3_finalize(st);
	free(ids);
	return rc;
}
