/*
 * store_sqlite_stmt.c - the SQLite store's prepared statements (one table, enum stmt_id in
 * store_sqlite_int.h), prepared once per connection and reused, and the small helpers every
 * file of the back end uses to bind, read and run them and to report an error with the
 * database's path and message.
 */
#include <stdlib.h>

#include "store_sqlite_int.h"

const char *const sq_stmt_sql[S_COUNT] = {
        [S_ORG_FIND] = "SELECT id, type FROM organisation WHERE name_fold = ?",
        [S_ORG_ADD] = "INSERT INTO organisation(name, name_fold, type) VALUES (?, ?, ?)",
        [S_ORG_SET_TYPE] = "UPDATE organisation SET type = ? WHERE id = ?",
        [S_ORG_NAME] = "SELECT name FROM organisation WHERE id = ?",
        [S_CASE_FIND] = "SELECT id FROM cases WHERE org_id = ? AND src_case_id = ?",
        [S_CASE_NEXT] = "SELECT coalesce(max(id), 0) + 1 FROM cases",
        [S_CASE_ADD] = "INSERT INTO cases(id, org_id, src_case_id, status, closure_sealed, opened, "
                       "closed, reopened) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [S_REF_ADD] = "INSERT INTO referral(case_id, direction, seq, other_org_id, date, reason, "
                      "status) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [S_COMMENT_ADD] =
                "INSERT INTO case_comment(case_id, seq, date, body_sealed) VALUES (?, ?, ?, ?)",
        [S_PERSON_FIND] = "SELECT id FROM person WHERE org_id = ? AND src_record_id = ?",
        [S_PERSON_NEXT] = "SELECT coalesce(max(id), 0) + 1 FROM person",
        /* the insert and the update bind the same parameters */
        [S_PERSON_ADD] = "INSERT INTO person(org_id, src_record_id, birth_date, gender, "
                         "ethnicity, province_era, province_code, province_2025, home_country, "
                         "citizenship, identity, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                         "?10, ?11, ?12)",
        [S_PERSON_UPDATE] = "UPDATE person SET birth_date = ?3, gender = ?4, ethnicity = ?5, "
                            "province_era = ?6, province_code = ?7, province_2025 = ?8, "
                            "home_country = ?9, citizenship = ?10, identity = ?11 WHERE id = ?12",
        [S_PERSON_IDENTITY] = "SELECT identity, org_id FROM person WHERE id = ?",
        [S_DOC_DEL] = "DELETE FROM identity_doc WHERE person_id = ?",
        [S_PHONE_DEL] = "DELETE FROM phone WHERE person_id = ?",
        [S_NAME_DEL] =
                "INSERT INTO person_name(person_name, rowid, tokens) VALUES ('delete', ?, ?)",
        [S_DOC_ADD] = "INSERT INTO identity_doc(person_id, seq, doc_type, number_bidx, issued, "
                      "expires) VALUES (?, ?, ?, ?, ?, ?)",
        [S_PHONE_ADD] = "INSERT INTO phone(person_id, kind, seq, e164_bidx) VALUES (?, ?, ?, ?)",
        [S_NAME_ADD] = "INSERT INTO person_name(rowid, tokens) VALUES (?, ?)",
        [S_REFD_DEL] = "DELETE FROM person_referred WHERE rowid BETWEEN ?1 * 1048576 AND "
                       "?1 * 1048576 + 1048575",
        [S_REFD_ADD] = "INSERT INTO person_referred(rowid, tokens) SELECT p.id * 1048576 + v.org, "
                       "ctip_name_doc(ctip_sortkey(p.identity, p.id), v.org, 0) FROM person p, "
                       "(" REFERRED_VIEWERS(" AND cp.person_id = ?1") ") v WHERE p.id = ?1 AND "
                                                                      "p.identity IS NOT NULL",
        /* search: ?1 the FTS5 query, ?2 and ?3 the blind indexes of a document number and a
         * phone, ?4 the organisation (sq_search sorts the matches) */
        [S_SEARCH] = SEARCH_HITS("SELECT rowid FROM person_name WHERE person_name MATCH ?1 "
                                 "UNION SELECT person_id FROM identity_doc WHERE number_bidx = "
                                 "?2 UNION SELECT person_id FROM phone WHERE e164_bidx = ?3"),
        /* within what organisation ?4 sees: ?1 holds tokens scoped to it (person_name: its
         * own records; person_referred: those referred to it with consent) */
        [S_SEARCH_ORG] = SEARCH_HITS(
                "SELECT rowid FROM person_name WHERE person_name MATCH ?1 UNION SELECT rowid "
                ">> 20 FROM person_referred WHERE person_referred MATCH ?1 UNION SELECT "
                "d.person_id FROM identity_doc d JOIN person q ON q.id = d.person_id WHERE "
                "d.number_bidx = ?2 AND (q.org_id = ?4 OR EXISTS (SELECT 1 FROM "
                "person_referred WHERE rowid = q.id * 1048576 + ?4)) UNION SELECT f.person_id "
                "FROM phone f JOIN person q ON q.id = f.person_id WHERE f.e164_bidx = ?3 AND "
                "(q.org_id = ?4 OR EXISTS (SELECT 1 FROM person_referred WHERE rowid = q.id * "
                "1048576 + ?4))"),
        [S_LINK_ADD] = "INSERT INTO case_person(case_id, person_id, role, consent, consent_date, "
                       "consent_scope, perpetrator_roles) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [S_QUALITY_ADD] = "INSERT OR IGNORE INTO quality_flag(case_person_id, flag) VALUES (?, ?)",
        [S_VICTIM_ADD] =
                "INSERT INTO victim(case_person_id, status, decision_org_type, "
                "decided_by_org_id, status_date, certificate_kind, age_when_trafficked, "
                "recruitment_country, recruitment_province, relationship, "
                "recruiter_org_id, labour_industry, recruitment_methods, recruitment_apps, "
                "control_methods, exploitation_types, sex_exploitation_types, "
                "vulnerabilities) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?)",
        [S_EXPL_ADD] =
                "INSERT INTO exploitation(case_person_id, seq, country, place_sealed, start_date, "
                "end_date) VALUES (?, ?, ?, ?, ?, ?)",
        [S_EVENT_ADD] = "INSERT INTO event(case_person_id, seq, type, date, country, state, city) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [S_ASSIST_ADD] = "INSERT INTO assistance(case_person_id, seq, kind, date, provider_org_id, "
                         "amount) VALUES (?, ?, ?, ?, ?, ?)",
        [S_PROC_ADD] = "INSERT INTO proceeding(case_person_id, seq, stage, date, article, "
                       "sentence_kind, sentence_months) VALUES (?, ?, ?, ?, ?, ?, ?)",
        /* a sealed column is opened with the row's seq, selected after the fields */
        [S_Q_DOCS] = "SELECT doc_type, NULL, issued, expires FROM identity_doc WHERE person_id = ? "
                     "ORDER BY seq",
        [S_Q_EXPL] = "SELECT country, place_sealed, start_date, end_date, seq FROM exploitation "
                     "WHERE case_person_id = ? ORDER BY seq",
        [S_Q_EVENTS] = "SELECT type, date, country, state, city FROM event WHERE "
                       "case_person_id = ? ORDER BY seq",
        [S_Q_ASSIST] = "SELECT a.kind, a.date, coalesce(o.name, a.provider_text), a.amount FROM "
                       "assistance a LEFT JOIN "
                       "organisation o ON o.id = a.provider_org_id WHERE a.case_person_id = ? "
                       "ORDER BY a.seq",
        [S_Q_PROC] = "SELECT stage, date, article, sentence_kind, sentence_months FROM proceeding "
                     "WHERE case_person_id = ? ORDER BY seq",
        [S_Q_REFS] = "SELECT r.direction, o.name, r.date, r.reason, r.status FROM referral r JOIN "
                     "organisation o ON o.id = r.other_org_id WHERE r.case_id = ? ORDER BY "
                     "r.direction, r.seq",
        [S_ACCOUNT_ADD] =
                "INSERT INTO account(username, org_id, role, pw_hash) VALUES (?, ?, ?, ?)",
        [S_AUDIT_ADD] = "INSERT INTO auditlog.audit(id, at, actor, action, object, detail, "
                        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [S_AUDIT_LAST] = "SELECT id, hash FROM auditlog.audit ORDER BY id DESC LIMIT 1",
        [S_AUDIT_INDEXED] = "SELECT last FROM auditlog.audit_indexed",
        [S_Q_COMMENTS] = "SELECT body_sealed, date, seq FROM case_comment WHERE case_id = ? "
                         "ORDER BY seq",
        [S_SETTING_GET] = "SELECT value FROM setting WHERE name = ?",
        [S_SETTING_SET] = "INSERT OR REPLACE INTO setting(name, value) VALUES (?, ?)",
};

int sq_db_err(sqlite_store *s, ctip_err *e, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->base.path, sqlite3_errmsg(s->db), what);
}

sqlite3_stmt *sq_stmt(sqlite_store *s, enum stmt_id id, ctip_err *e)
{
	if (!sq_stmt_sql[id]) {
		ctip_err_set(e, CTIP_EDB, "internal error: statement %d has no SQL", (int)id);
		return NULL;
	}
	if (!s->st[id] && sqlite3_prepare_v3(s->db, sq_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
	                                     &s->st[id], NULL) != SQLITE_OK) {
		sq_db_err(s, e, sq_stmt_sql[id]);
		return NULL;
	}
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

const char *sq_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A `;` list of codes as a JSON array ("A;B" -> ["A","B"]), bound as text; NULL if empty. */
int sq_bind_json_list(sqlite3_stmt *st, int i, const char *list)
{
	char *json;
	if (ctip_list_to_json(list, &json))
		return CTIP_ENOMEM;
	if (json)
		sqlite3_bind_text(st, i, json, -1, free);
	else
		sqlite3_bind_null(st, i);
	return CTIP_OK;
}

int sq_exec_done(sqlite_store *s, sqlite3_stmt *st, ctip_err *e)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int r = sq_db_err(s, e, sqlite3_sql(st));
		sqlite3_reset(st);
		return r;
	}
	sqlite3_reset(st);
	return CTIP_OK;
}

int sq_exec_sql(sqlite_store *s, const char *sql, ctip_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ctip_err_set(e, CTIP_EDB, "%s: %s", s->base.path, msg ? msg : "error");
		sqlite3_free(msg);
		return CTIP_EDB;
	}
	return CTIP_OK;
}
