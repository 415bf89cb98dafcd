/*
 * store_sqlite.c - the embedded store: one SQLite file in WAL mode with
 * foreign keys on. Statements are prepared once and reused; the importer
 * wraps a whole file in one transaction (begin/commit), so a failed import
 * leaves the database exactly as it was.
 *
 * Schema: lib/sql/NNNN_*.sql, applied in order by migrate(); the version
 * reached is kept in PRAGMA user_version. The audit log is a second file,
 * DB.audit, attached to every connection as `auditlog` (schema 7 on).
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uthash.h>

#include "crypto.h"
#include "store_casework.h"
#include "embedded.h"
#include "identity.h"
#include "progress.h"
#include "row_group.h"
#include "search_top.h"
#include "store_sqlite.h"
#include "store_sqlite_link.h"
#include "store_sqlite_referral.h"
#include "text.h"

/* The organisations that may see a record's identity through a referral: those a case of the
 * record was referred to (through the API or in imported data; not declined nor withdrawn) where
 * the person consented to sharing with referral organisations and to sharing the identity. Columns
 * person_id, org; a caller adds conditions on cp. Organisation ids below 2^20 (person_referred's
 * rowids are person id * 2^20 + organisation id). */
#define VIEWERS_CONSENT                                                                            \
	"cp.consent = 1 AND cp.consent_scope LIKE '%\"ShareWithReferralOrgs\"%' AND "              \
	"cp.consent_scope LIKE '%\"ShareIdentity\"%'"
#define REFERRED_VIEWERS(cond)                                                                     \
	"SELECT cp.person_id, cr.to_org_id AS org FROM case_person cp JOIN case_referral cr ON "   \
	"cr.case_id = cp.case_id WHERE " SQL_REFERRAL_LIVE(                                        \
	        "cr.status") " AND cr.to_org_id < "                                                \
	                     "1048576 AND " VIEWERS_CONSENT cond                                   \
	                     " UNION SELECT cp.person_id, rf.other_org_id FROM case_person cp "    \
	                     "JOIN referral rf ON rf.case_id = cp.case_id AND rf.direction = "     \
	                     "'out' WHERE " SQL_REFERRAL_LIVE_OR_NULL(                             \
	                             "rf.status") " AND rf.other_org_id < 1048576 "                \
	                                          "AND " VIEWERS_CONSENT cond

/* The matches of a search, unsorted: sq_search opens each identity once, keeps the first by
 * name and unpacks only those. */
#define SEARCH_HITS(ids)                                                                           \
	"SELECT p.id, o.name, p.src_record_id, p.identity, p.birth_date, p.province_era, "         \
	"p.province_code, p.org_id FROM person p JOIN organisation o ON o.id = p.org_id WHERE "    \
	"p.id IN (" ids ")"

/* Every record's documents in person_referred, at the end of a first load. */
#define REFERRED_ALL                                                                               \
	"INSERT INTO person_referred(rowid, tokens) SELECT p.id * 1048576 + v.org, "               \
	"ctip_name_doc(ctip_sortkey(p.identity, p.id), v.org, 0) FROM (" REFERRED_VIEWERS(         \
	        "") ") v JOIN person p ON p.id = v.person_id WHERE p.identity IS NOT NULL"

enum stmt_id {
	S_ORG_FIND,
	S_ORG_ADD,
	S_ORG_SET_TYPE,
	S_ORG_NAME,
	S_CASE_FIND,
	S_CASE_ADD,
	S_REF_ADD,
	S_COMMENT_ADD,
	S_PERSON_FIND,
	S_PERSON_NEXT,
	S_PERSON_ADD,
	S_PERSON_UPDATE,
	S_PERSON_IDENTITY,
	S_DOC_DEL,
	S_PHONE_DEL,
	S_NAME_DEL,
	S_CASE_NEXT,
	S_DOC_ADD,
	S_PHONE_ADD,
	S_NAME_ADD,
	S_LINK_ADD,
	S_QUALITY_ADD,
	S_REFD_DEL,
	S_REFD_ADD,
	S_SEARCH,
	S_SEARCH_ORG,
	S_VICTIM_ADD,
	S_EXPL_ADD,
	S_EVENT_ADD,
	S_ASSIST_ADD,
	S_PROC_ADD,
	S_Q_DOCS,
	S_Q_EXPL,
	S_Q_EVENTS,
	S_Q_ASSIST,
	S_Q_PROC,
	S_Q_REFS,
	S_Q_COMMENTS,
	S_ACCOUNT_ADD,
	S_AUDIT_ADD,
	S_AUDIT_LAST,
	S_AUDIT_INDEXED,
	S_SETTING_GET,
	S_SETTING_SET,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
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

struct org_node {
	char *fold;
	int64_t id;
	char *type;
	UT_hash_handle hh;
};

/* Exact spelling -> node, so that a name seen before is not folded again. */
struct org_alias {
	char *name;
	struct org_node *node;
	UT_hash_handle hh;
};

typedef struct sqlite_store {
	ctip_store base;
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	struct org_node *orgs; /* cache of organisation ids by folded name */
	struct org_alias *org_names;
	int in_tx;
	int audit_attached; /* DB.audit is attached as `auditlog` (schema 7 on) */
	char **bulk_sql;    /* CREATE INDEX and TRIGGER statements dropped by load_begin */
	int bulk_n;
	int journal_switched; /* load_begin left WAL for a rollback journal */
	int fk_off;           /* load_begin turned foreign-key checks off */
	int loading;          /* in a first load: person_referred is built at its end */
	/* the next ids of person and cases in the current transaction (0: ask the table) */
	int64_t next_person, next_case;
	/* objects named by the entries this connection appended since it last indexed the log
	 * (a search_hit entry names up to 50): indexing also starts after AUDIT_INDEX_CHUNK of
	 * them, so that a chunk stays the size it had with one entry per object */
	long audit_objects;
} sqlite_store;

static int db_err(sqlite_store *s, ctip_err *e, const char *what)
{
	return ctip_err_set(e, CTIP_EDB, "%s: %s (%s)", s->base.path, sqlite3_errmsg(s->db), what);
}

static sqlite3_stmt *stmt(sqlite_store *s, enum stmt_id id, ctip_err *e)
{
	if (!stmt_sql[id]) {
		ctip_err_set(e, CTIP_EDB, "internal error: statement %d has no SQL", (int)id);
		return NULL;
	}
	if (!s->st[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
	                                     &s->st[id], NULL) != SQLITE_OK) {
		db_err(s, e, stmt_sql[id]);
		return NULL;
	}
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A `;` list of codes as a JSON array ("A;B" -> ["A","B"]), bound as text; NULL if empty. */
static int bind_json_list(sqlite3_stmt *st, int i, const char *list)
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

#define json_list ctip_json_to_list

static int exec_done(sqlite_store *s, sqlite3_stmt *st, ctip_err *e)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int r = db_err(s, e, sqlite3_sql(st));
		sqlite3_reset(st);
		return r;
	}
	sqlite3_reset(st);
	return CTIP_OK;
}

static int exec_sql(sqlite_store *s, const char *sql, ctip_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ctip_err_set(e, CTIP_EDB, "%s: %s", s->base.path, msg ? msg : "error");
		sqlite3_free(msg);
		return CTIP_EDB;
	}
	return CTIP_OK;
}

static void org_cache_clear(sqlite_store *s)
{
	struct org_alias *a, *at;
	HASH_ITER(hh, s->org_names, a, at)
	{
		HASH_DEL(s->org_names, a);
		free(a->name);
		free(a);
	}
	struct org_node *o, *t;
	HASH_ITER(hh, s->orgs, o, t)
	{
		HASH_DEL(s->orgs, o);
		free(o->fold);
		free(o->type);
		free(o);
	}
}

static void bulk_forget(sqlite_store *s);
static int sq_commit(ctip_store *base, ctip_err *e);
static void sq_rollback(ctip_store *base);
static int sq_load_end(ctip_store *base, int ok, ctip_err *e);

static void sq_close(ctip_store *base)
{
	sqlite_store *s = (sqlite_store *)base;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	org_cache_clear(s);
	bulk_forget(s);
	sqlite3_close(s->db);
	ctip_ref_free(s->base.ref);
	ctip_crypto_free(s->base.crypto);
	free(s);
}

/* ---- schema -------------------------------------------------------------------------- */

static int sq_schema_version(ctip_store *base, int *version, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "user_version");
	*version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* Whether the registry holds any record (before version 3 they are in clear). */
static int has_records(sqlite_store *s, int *any, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            s->db, "SELECT EXISTS (SELECT 1 FROM person) OR EXISTS (SELECT 1 FROM cases)",
	            -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "migration");
	*any = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* ---- the key ---------------------------------------------------------------------- */

static int setting_get(sqlite_store *s, const char *name, char *out, size_t n, ctip_err *e)
{
	sqlite3_stmt *st = stmt(s, S_SETTING_GET, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, n, "%s", col(st, 0) ? col(st, 0) : "");
	sqlite3_reset(st);
	return rc == SQLITE_ROW    ? CTIP_OK
	       : rc == SQLITE_DONE ? CTIP_ENOTFOUND
	                           : db_err(s, e, "setting");
}

static int sq_key_needed(ctip_store *base, int *has, ctip_err *e)
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

static int sq_key_bind(ctip_store *base, ctip_crypto *c, int create, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	char want[CTIP_KEY_CHECK], have[CTIP_KEY_CHECK];
	ctip_crypto_check_value(c, want);
	int rc = setting_get(s, "key_check", have, sizeof(have), e);
	if (rc == CTIP_ENOTFOUND && create) {
		sqlite3_stmt *st = stmt(s, S_SETTING_SET, e);
		if (!st)
			return CTIP_EDB;
		sqlite3_bind_text(st, 1, "key_check", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, want, -1, SQLITE_STATIC);
		rc = exec_done(s, st, e);
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

/* ---- the audit log's own file ---------------------------------------------------------
 * From schema 7 on, the audit log is DB.audit, attached to every connection as `auditlog`:
 * its commits (the server's group commits, hundreds a second) then never change the
 * registry's file or WAL. In WAL mode every commit to a file makes each reader of that file
 * drop its page cache, and searches, which touch many pages, paid for it on every commit.
 * The file is created only by migration 7 (`ctip init`); a database of schema 7 or more
 * whose audit file is missing is refused, never given a new, empty log that would hide the
 * loss. */

#define AUDIT_SCHEMA                                                                               \
	"PRAGMA journal_mode = WAL; "                                                              \
	"CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, "             \
	"actor TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL, "                        \
	"detail TEXT NOT NULL DEFAULT '', prev_hash TEXT NOT NULL, hash TEXT NOT NULL); "          \
	"CREATE TABLE IF NOT EXISTS audit_by_object (seg INTEGER NOT NULL, object TEXT NOT NULL, " \
	"id INTEGER NOT NULL, PRIMARY KEY (seg, object, id)) WITHOUT ROWID; "                      \
	"CREATE TABLE IF NOT EXISTS audit_segment (seg INTEGER PRIMARY KEY); "                     \
	"CREATE TABLE IF NOT EXISTS audit_indexed (last INTEGER NOT NULL); "                       \
	"INSERT INTO audit_indexed SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM audit_indexed);"

/* The entries by object (`ctip audit log --person`) are indexed in arrears, in segments. An
 * index on object kept up to date entry by entry dirtied a random leaf per entry, so every
 * group commit wrote about one page per entry (0.3 ms of the server's CPU per search of 20
 * hits); sorting larger batches into one index does not help for long, as the index outgrows
 * the batch. So the appender indexes the new entries in chunks (AUDIT_INDEX_CHUNK objects)
 * into the open segment, closed at AUDIT_INDEX_EVERY rows (audit_by_object keyed by segment,
 * object, id: a segment is written near the end of the B-tree); a lookup seeks the object in
 * each segment (audit_segment) and
 * scans the entries after audit_indexed.last. audit verify checks that the index matches the
 * log (a row deleted from it would hide a view from --person). */
#define AUDIT_INDEX_EVERY 8192
#define AUDIT_INDEX_CHUNK 1024 /* indexed at a time, into the open segment (audit_catch_up) */
/* One index row per object an entry names: an entry of action search_hit names every record
 * a page of search results showed, separated by spaces (one entry per search, not per record:
 * the server's audit cost a quarter of its CPU per search before). */
/* (and an export_records entry every record an export wrote: cli/cmd_export.c) */
#define AUDIT_LIST      "action IN ('search_hit', 'export_records')"
#define AUDIT_HAS(a, o) "instr(' ' || " a " || ' ', ' ' || " o " || ' ') > 0"
#define AUDIT_NAMES(t)                                                                             \
	"CASE WHEN " t "." AUDIT_LIST " THEN length(" t ".object) - length(replace(" t             \
	".object, ' ', '')) + 1 ELSE 1 END"
#define AUDIT_CATCH_UP                                                                             \
	"INSERT INTO auditlog.audit_segment SELECT last + 1 FROM auditlog.audit_indexed WHERE "    \
	"EXISTS (SELECT 1 FROM auditlog.audit WHERE id > last); "                                  \
	"WITH RECURSIVE split(id, obj, rest) AS (SELECT id, '', object || ' ' FROM "               \
	"auditlog.audit WHERE id > (SELECT last FROM auditlog.audit_indexed) AND " AUDIT_LIST      \
	" UNION ALL SELECT id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, "   \
	"' ') + 1) FROM split WHERE rest <> '') "                                                  \
	"INSERT OR IGNORE INTO auditlog.audit_by_object SELECT (SELECT last + 1 FROM "             \
	"auditlog.audit_indexed), o, i FROM (SELECT obj AS o, id AS i FROM split WHERE obj <> '' " \
	"UNION ALL SELECT object, id FROM auditlog.audit WHERE id > (SELECT last FROM "            \
	"auditlog.audit_indexed) AND NOT " AUDIT_LIST ") ORDER BY o, i; "                          \
	"UPDATE auditlog.audit_indexed SET last = coalesce((SELECT max(id) FROM auditlog.audit), " \
	"0);"

static void audit_path(const sqlite_store *s, char *out, size_t n)
{
	snprintf(out, n, "%s.audit", s->base.path);
}

/* Creates DB.audit with its table when missing (migration 7 only). */
static int audit_create(sqlite_store *s, ctip_err *e)
{
	char path[1100];
	sqlite3 *db = NULL;
	char *msg = NULL;
	audit_path(s, path, sizeof(path));
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA busy_timeout = 10000; " AUDIT_SCHEMA, NULL, NULL,
		                  &msg);
	if (rc != SQLITE_OK)
		rc = ctip_err_set(e, CTIP_EDB, "%s: cannot create the audit log: %s", path,
		                  msg  ? msg
		                  : db ? sqlite3_errmsg(db)
		                       : "out of memory");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

/* Checkpoints per file (replaces SQLite's auto-checkpoint, one threshold for every file):
 * the registry's WAL at 1,000 pages (16 MB) as before; the audit log's at 10,000 of its 4 KiB
 * pages (40 MB), so that the audit writer checkpoints (and syncs) less often. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	(void)ctx;
	if (pages >= (strcmp(name, "auditlog") ? 1000 : 10000))
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static int audit_attach(sqlite_store *s, ctip_err *e)
{
	char path[1100];
	struct stat sb;
	sqlite3_stmt *st;
	audit_path(s, path, sizeof(path));
	if (stat(path, &sb) != 0)
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "%s: the audit log of %s is missing: restore it from the backup "
		        "together with the database (ctip does not start a new, empty "
		        "log for a database that has one: it would hide the loss)",
		        path, s->base.path);
	if (sqlite3_prepare_v2(s->db, "ATTACH ?1 AS auditlog", -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "audit log");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ctip_err_set(e, CTIP_EDB, "%s: cannot open the audit log: %s", path,
		                    sqlite3_errmsg(s->db));
	s->audit_attached = 1;
	sqlite3_wal_hook(s->db, wal_hook, NULL);
	/* room for the pages an indexing of the newest entries reads (SQLite's default is 2 MB) */
	return exec_sql(
	        s, "PRAGMA auditlog.synchronous = NORMAL; PRAGMA auditlog.cache_size = -131072", e);
}

static int count_where(sqlite_store *s, const char *sql, long *n, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "audit log");
	*n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return *n < 0 ? db_err(s, e, "audit log") : CTIP_OK;
}

/* Migration 7, first half: copies the entries of the registry's table audit into DB.audit,
 * ids and hashes unchanged, and checks that the file now holds exactly those entries; the
 * second half (0007_audit_file.sql) drops the table. The two files cannot change in one
 * atomic transaction, so each step can be run again: an interrupted init finishes the job. */
static int audit_move(sqlite_store *s, ctip_err *e)
{
	char path[1100];
	long missing, extra;
	int rc;
	audit_path(s, path, sizeof(path));
	if ((rc = audit_create(s, e)) || (!s->audit_attached && (rc = audit_attach(s, e))))
		return rc;
	if ((rc = exec_sql(s,
	                   "BEGIN IMMEDIATE; INSERT INTO auditlog.audit SELECT id, at, actor, "
	                   "action, object, detail, prev_hash, hash FROM main.audit WHERE id > "
	                   "(SELECT coalesce(max(id), 0) FROM auditlog.audit) ORDER BY "
	                   "id; " AUDIT_CATCH_UP " COMMIT",
	                   e))) {
		exec_sql(s, "ROLLBACK", NULL);
		return rc;
	}
	if ((rc = count_where(s,
	                      "SELECT count(*) FROM main.audit m WHERE NOT EXISTS (SELECT 1 FROM "
	                      "auditlog.audit a WHERE a.id = m.id AND a.hash = m.hash)",
	                      &missing, e)) ||
	    (rc = count_where(s,
	                      "SELECT count(*) FROM auditlog.audit a WHERE NOT EXISTS (SELECT 1 "
	                      "FROM main.audit m WHERE m.id = a.id AND m.hash = a.hash)",
	                      &extra, e)))
		return rc;
	if (missing || extra)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s holds %ld audit entries that %s does not (and lacks %ld of "
		                    "its): it is not this database's audit log; move it away and "
		                    "run `ctip init` again",
		                    path, extra, s->base.path, missing);
	return CTIP_OK;
}

/* Migrations are the embedded files lib/sql/NNNN_name.sql; NNNN is the version. */
static int sq_migrate(ctip_store *base, int *from, int *to, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int cur, rc;
	if ((rc = sq_schema_version(base, &cur, e)))
		return rc;
	*from = *to = cur;
	for (;;) {
		const struct ctip_embedded *next = NULL;
		int next_v = 0;
		for (const struct ctip_embedded *f = ctip_embedded; f->path; f++) {
			int v;
			if (strncmp(f->path, "lib/sql/", 8) || sscanf(f->path + 8, "%4d", &v) != 1)
				continue;
			if (v > cur && (!next || v < next_v))
				next = f, next_v = v;
		}
		if (!next)
			break;
		/* version 3 seals the records in clear: their plaintext must not stay behind in
		 * free pages (secure_delete zeroes them; the file is vacuumed after the commit) */
		int plain = 0;
		if (next_v == 3 && cur > 0 && (rc = has_records(s, &plain, e)))
			return rc;
		if (plain && !s->base.crypto)
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: no key loaded to encrypt its records",
			                    s->base.path);
		if (plain && (rc = exec_sql(s, "PRAGMA secure_delete = ON", e)))
			return rc;
		if (next_v == 7 && (rc = audit_move(s, e)))
			return rc;
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", next_v);
		if ((rc = exec_sql(s, "BEGIN IMMEDIATE", e)))
			return rc;
		if ((rc = exec_sql(s, next->data, e)) || (rc = exec_sql(s, pragma, e))) {
			char msg[sizeof(e->msg)];
			snprintf(msg, sizeof(msg), "%s", e->msg);
			ctip_err_set(e, rc, "migration %s failed: %s", next->path, msg);
			exec_sql(s, "ROLLBACK", NULL);
			return rc;
		}
		if ((rc = exec_sql(s, "COMMIT", e)))
			return rc;
		if (plain && ((rc = exec_sql(s, "VACUUM", e)) ||
		              (rc = exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", e)) ||
		              (rc = exec_sql(s, "PRAGMA secure_delete = OFF", e))))
			return rc;
		cur = next_v;
	}
	*to = cur;
	return CTIP_OK;
}

static int sq_begin(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = exec_sql(s, "BEGIN IMMEDIATE", e);
	s->in_tx = rc == CTIP_OK;
	s->next_person = s->next_case = 0;
	return rc;
}

static int sq_commit(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = exec_sql(s, "COMMIT", e);
	if (rc == CTIP_OK)
		s->in_tx = 0;
	s->next_person = s->next_case = 0;
	return rc;
}

static void bulk_forget(sqlite_store *s)
{
	for (int i = 0; i < s->bulk_n; i++)
		free(s->bulk_sql[i]);
	free(s->bulk_sql);
	s->bulk_sql = NULL;
	s->bulk_n = 0;
}

static int registry_empty(sqlite_store *s, int *empty, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT NOT EXISTS (SELECT 1 FROM cases)", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_err(s, e, "bulk");
	*empty = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return CTIP_OK;
}

static int sq_load_begin(ctip_store *base, int *active, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc, empty;
	*active = 0;
	if ((rc = registry_empty(s, &empty, e)))
		return rc;
	/* A first load writes every page: through the WAL that is twice (log, then checkpoint),
	 * through a rollback journal once, the journal holding only the few pages that existed.
	 * The switch needs the only connection; if others are open it fails and WAL stays. */
	if (empty && exec_sql(s, "PRAGMA main.journal_mode = DELETE", NULL) == CTIP_OK)
		s->journal_switched = 1;
	/* Nor are foreign keys checked row by row in a first load: every id the importer
	 * writes comes from a row it has just inserted in the same transaction. */
	if (empty && exec_sql(s, "PRAGMA foreign_keys = OFF", NULL) == CTIP_OK)
		s->fk_off = 1;
	if ((rc = exec_sql(s, "BEGIN IMMEDIATE", e)))
		goto fail;
	s->in_tx = 1;
	s->next_person = s->next_case = 0;
	if ((rc = registry_empty(s, &empty, e))) /* again, now that we hold the lock */
		goto fail;
	if (!empty)
		return CTIP_OK;
	/* every explicit index of the registry tables (the vocabulary keeps its own), rebuilt at
	 * the end in one pass each; and every trigger: those of statistics and linkage look after
	 * later edits, and cost a program run per row written (a first load of a million records
	 * took 65 s with them instead of 28 s). The load marks statistics stale once instead. */
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', "
	                       "'trigger') AND sql IS NOT NULL AND tbl_name <> 'vocab' ORDER BY "
	                       "type, name",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = db_err(s, e, "bulk");
		goto fail;
	}
	char **drop = NULL;
	int ndrop = 0;
	while (rc == CTIP_OK && sqlite3_step(st) == SQLITE_ROW) {
		char **g = realloc(s->bulk_sql, (size_t)(s->bulk_n + 1) * sizeof(*g));
		char **d = g ? realloc(drop, (size_t)(ndrop + 1) * sizeof(*d)) : NULL;
		if (g)
			s->bulk_sql = g;
		if (d)
			drop = d;
		if (!g || !d ||
		    !(g[s->bulk_n] = strdup((const char *)sqlite3_column_text(st, 2)))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		s->bulk_n++;
		/* names are the schema's own (lib/sql), plain identifiers */
		d[ndrop] = sqlite3_mprintf(
		        "DROP %s %s",
		        !strcmp((const char *)sqlite3_column_text(st, 0), "index") ? "INDEX"
		                                                                   : "TRIGGER",
		        (const char *)sqlite3_column_text(st, 1));
		if (!d[ndrop]) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		ndrop++;
	}
	sqlite3_finalize(st);
	/* the statements of the store may hold plans that use the indexes */
	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	if (rc == CTIP_OK)
		rc = exec_sql(
		        s, "UPDATE stats_state SET stale = 1, version = version + 1 WHERE id = 1",
		        e);
	for (int i = 0; i < ndrop; i++) {
		if (rc == CTIP_OK)
			rc = exec_sql(s, drop[i], e);
		sqlite3_free(drop[i]);
	}
	free(drop);
	if (rc)
		goto fail;
	*active = 1;
	s->loading = 1;
	return CTIP_OK;
fail:
	sq_load_end(base, 0, NULL);
	return rc;
}

static int sq_load_end(ctip_store *base, int ok, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = CTIP_OK;
	if (ok) {
		for (int i = 0; i < s->bulk_n && rc == CTIP_OK; i++)
			rc = exec_sql(s, s->bulk_sql[i], e);
		/* the documents of referred records, skipped row by row during a first load */
		if (rc == CTIP_OK && s->loading)
			rc = exec_sql(s, REFERRED_ALL, e);
		/* one segment per name index: a search looks each token up in every segment (5
		 * after a first load of 220,000 records; merged in 0.1 s, a search 15 % faster) */
		if (rc == CTIP_OK)
			rc = exec_sql(
			        s,
			        "INSERT INTO person_name(person_name) VALUES ('optimize'); "
			        "INSERT INTO person_referred(person_referred) VALUES ('optimize')",
			        e);
		for (int i = 0; i < S_COUNT; i++) {
			sqlite3_finalize(s->st[i]);
			s->st[i] = NULL;
		}
		if (rc == CTIP_OK)
			rc = sq_commit(base, e);
	}
	if (!ok || rc)
		sq_rollback(base);
	bulk_forget(s);
	s->loading = 0;
	if (s->journal_switched) {
		exec_sql(s, "PRAGMA main.journal_mode = WAL", NULL);
		s->journal_switched = 0;
	}
	if (s->fk_off) {
		exec_sql(s, "PRAGMA foreign_keys = ON", NULL);
		s->fk_off = 0;
	}
	return rc;
}

static void sq_rollback(ctip_store *base)
{
	sqlite_store *s = (sqlite_store *)base;
	bulk_forget(s);
	if (s->in_tx)
		exec_sql(s, "ROLLBACK", NULL);
	s->in_tx = 0;
	s->next_person = s->next_case = 0;
	/* ids cached during the transaction are gone with it */
	org_cache_clear(s);
}

/* ---- reference data ------------------------------------------------------------------ */

static int sq_ref_save(ctip_store *base, const ctip_ref *ref, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;
	if ((rc = exec_sql(s, "DELETE FROM vocab", e)))
		return rc;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO vocab(vocab, code, label_en, label_vi, aliases, extra, "
	                       "sort) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "vocab");
	const struct ctip_ref_entry **all;
	int n = ctip_ref_list(ref, NULL, &all);
	for (int i = 0; i < n && rc == CTIP_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, all[i]->vocab, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, all[i]->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, all[i]->label_en, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, all[i]->label_vi, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, all[i]->aliases, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, all[i]->extra, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, all[i]->sort);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_err(s, e, "vocab insert");
	}
	free(all);
	sqlite3_finalize(st);
	return rc;
}

static int sq_ref_load(ctip_store *base, ctip_ref *ref, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc = CTIP_OK;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT vocab, code, label_en, label_vi, aliases, extra, sort FROM "
	                       "vocab ORDER BY vocab, sort",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "vocab");
	while (rc == CTIP_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct ctip_ref_entry en = {
		        .vocab = (const char *)sqlite3_column_text(st, 0),
		        .code = (const char *)sqlite3_column_text(st, 1),
		        .label_en = (const char *)sqlite3_column_text(st, 2),
		        .label_vi = (const char *)sqlite3_column_text(st, 3),
		        .aliases = (const char *)sqlite3_column_text(st, 4),
		        .extra = (const char *)sqlite3_column_text(st, 5),
		        .sort = sqlite3_column_int(st, 6),
		};
		rc = ctip_ref_add(ref, &en, e);
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- organisations ------------------------------------------------------------------- */

static int sq_org_find(ctip_store *base, const char *name, int64_t *id, char **type, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	struct org_alias *a;
	HASH_FIND_STR(s->org_names, name, a);
	if (a) {
		*id = a->node->id;
		if (type)
			*type = a->node->type;
		return CTIP_OK;
	}
	char *fold = ctip_text_fold(name);
	struct org_node *o;
	if (!fold)
		return ctip_err_set(e, CTIP_EINVAL, "organisation name is not valid UTF-8");
	HASH_FIND_STR(s->orgs, fold, o);
	if (!o) {
		sqlite3_stmt *st = stmt(s, S_ORG_FIND, e);
		if (!st) {
			free(fold);
			return CTIP_EDB;
		}
		sqlite3_bind_text(st, 1, fold, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(st);
			free(fold);
			return rc == SQLITE_DONE ? CTIP_ENOTFOUND : db_err(s, e, "organisation");
		}
		o = calloc(1, sizeof(*o));
		if (!o) {
			free(fold);
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		o->fold = fold;
		o->id = sqlite3_column_int64(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		o->type = t ? strdup(t) : NULL;
		sqlite3_reset(st);
		HASH_ADD_KEYPTR(hh, s->orgs, o->fold, strlen(o->fold), o);
	} else {
		free(fold);
	}
	*id = o->id;
	if (type)
		*type = o->type;
	if ((a = calloc(1, sizeof(*a))) && (a->name = strdup(name))) {
		a->node = o;
		HASH_ADD_KEYPTR(hh, s->org_names, a->name, strlen(a->name), a);
	} else {
		free(a);
	}
	return CTIP_OK;
}

static int sq_org_add(ctip_store *base, const char *name, const char *type, int64_t *id,
                      ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	char *fold = ctip_text_fold(name);
	sqlite3_stmt *st = fold ? stmt(s, S_ORG_ADD, e) : NULL;
	int rc;
	if (!st) {
		free(fold);
		return fold ? CTIP_EDB : ctip_err_set(e, CTIP_EINVAL, "invalid organisation name");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fold, -1, SQLITE_STATIC);
	bind_text(st, 3, type);
	rc = exec_done(s, st, e);
	free(fold);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	return CTIP_OK;
}

static int sq_org_set_type(ctip_store *base, int64_t id, const char *type, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = stmt(s, S_ORG_SET_TYPE, e);
	if (!st)
		return CTIP_EDB;
	bind_text(st, 1, type);
	sqlite3_bind_int64(st, 2, id);
	org_cache_clear(s);
	return exec_done(s, st, e);
}

static int org_id(sqlite_store *s, const char *name, int64_t *id, ctip_err *e)
{
	int rc = sq_org_find(&s->base, name, id, NULL, e);
	if (rc == CTIP_ENOTFOUND)
		return ctip_err_set(e, CTIP_ENOTFOUND, "organisation '%s' is not registered", name);
	return rc;
}

/* ---- sealed values ------------------------------------------------------------------ */

/* The policy (what is sealed, how, the blind indexes and name tokens) is identity.c's, shared
 * by every back end; these bind it to this store's key, path and statements. */
#define N_IDENTITY      CTIP_IDENTITY_N
#define identity_fields ctip_identity_fields
#define place_of        ctip_seal_place
#define name_sortkey    ctip_name_sortkey
#define identity_key    ctip_identity_key
#define identity_free   ctip_identity_free

static int no_key(sqlite_store *s, ctip_err *e)
{
	return ctip_no_key(s->base.path, e);
}

/* Binds v sealed for its place (NULL when v is empty). */
static int bind_sealed(sqlite_store *s, sqlite3_stmt *st, int i, const char *v, const char *what,
                       int64_t owner, int seq, ctip_err *e)
{
	unsigned char *b;
	size_t n;
	int rc = ctip_value_seal(s->base.crypto, s->base.path, v, what, owner, seq, &b, &n, e);
	if (rc)
		return rc;
	if (b)
		sqlite3_bind_blob(st, i, b, (int)n, free);
	else
		sqlite3_bind_null(st, i);
	return CTIP_OK;
}

/* Opens column i of st, sealed for its place, into *out (malloc'd; NULL for NULL). */
static int col_unsealed(sqlite_store *s, sqlite3_stmt *st, int i, const char *what, int64_t owner,
                        int seq, char **out, ctip_err *e)
{
	const void *b = sqlite3_column_blob(st, i);
	return ctip_value_open(s->base.crypto, s->base.path, b, (size_t)sqlite3_column_bytes(st, i),
	                       what, owner, seq, out, e);
}

static int identity_seal(sqlite_store *s, int64_t pid, const ctip_row *r, unsigned char **blob,
                         int *len, char **sortkey, ctip_err *e)
{
	return ctip_identity_seal(s->base.crypto, s->base.path, pid, r, blob, len, sortkey, e);
}

static int identity_unseal(sqlite_store *s, int64_t pid, const void *b, int n, unsigned char *m)
{
	return ctip_identity_unseal(s->base.crypto, pid, b, n, m);
}

static int identity_error(sqlite_store *s, int64_t pid, ctip_err *e)
{
	return ctip_identity_error(s->base.path, pid, e);
}

static int identity_open(sqlite_store *s, int64_t pid, const void *b, int n, char **v, ctip_err *e)
{
	return ctip_identity_open(s->base.crypto, s->base.path, pid, b, n, v, e);
}

static char *name_doc(sqlite_store *s, const char *key, int64_t org, int global)
{
	return ctip_name_doc(s->base.crypto, key, org, global);
}

static char *identity_tokens(sqlite_store *s, const char *family, const char *middle,
                             const char *given)
{
	return ctip_identity_tokens(s->base.crypto, family, middle, given);
}

/* ---- writing rows ------------------------------------------------------------------- */

static int find_id(sqlite_store *s, enum stmt_id sid, int64_t org, const char *src, int64_t *id,
                   ctip_err *e)
{
	sqlite3_stmt *st = stmt(s, sid, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, org);
	sqlite3_bind_text(st, 2, src, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW    ? CTIP_OK
	       : rc == SQLITE_DONE ? CTIP_ENOTFOUND
	                           : db_err(s, e, "find");
}

static int sq_org_has_cases(ctip_store *base, int64_t org, int *has, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM cases WHERE org_id = ?)", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_err(s, e, "org cases");
	sqlite3_bind_int64(st, 1, org);
	*has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return CTIP_OK;
}

static int sq_case_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e)
{
	return find_id((sqlite_store *)b, S_CASE_FIND, org, src, id, e);
}

static int sq_person_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e)
{
	return find_id((sqlite_store *)b, S_PERSON_FIND, org, src, id, e);
}

/* The items of the columns of one group, split once. */
/* a row's repeated groups of columns (row_group.c) */
#define group       ctip_group
#define group_open  ctip_group_open
#define group_item  ctip_group_item
#define group_close ctip_group_close

/* The id the next row of a table will get (statement sid: max(id) + 1), so that a sealed
 * value can be bound to its row before the row is written. The write lock is held. */
static int next_id(sqlite_store *s, enum stmt_id sid, int64_t *id, ctip_err *e)
{
	/* within a transaction only this store writes the table: count on from the last one */
	int64_t *cached = sid == S_PERSON_NEXT ? &s->next_person : &s->next_case;
	if (s->in_tx && *cached > 0) {
		*id = (*cached)++;
		return CTIP_OK;
	}
	sqlite3_stmt *st = stmt(s, sid, e);
	if (!st)
		return CTIP_EDB;
	int rc = sqlite3_step(st);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_err(s, e, "next id");
	*cached = s->in_tx ? *id + 1 : 0;
	return CTIP_OK;
}

static int sq_case_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc;
	if ((rc = next_id(s, S_CASE_NEXT, id, e)))
		return rc;
	sqlite3_stmt *st = stmt(s, S_CASE_ADD, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, *id);
	sqlite3_bind_int64(st, 2, org);
	bind_text(st, 3, r->v[CF_SRC_CASE]);
	bind_text(st, 4, r->v[CF_CAS_STATUS]);
	if ((rc = bind_sealed(s, st, 5, r->v[CF_CAS_CLOSURE], "cases.closure_reason", *id, -1, e)))
		return rc;
	bind_text(st, 6, r->v[CF_CAS_OPENED]);
	bind_text(st, 7, r->v[CF_CAS_CLOSED]);
	bind_text(st, 8, r->v[CF_CAS_REOPENED]);
	if ((rc = exec_done(s, st, e)))
		return rc;

	static const int out_cols[] = {CF_REF_TO, CF_REF_DATE, CF_REF_REASON, CF_REF_STATUS};
	static const int in_cols[] = {CF_INREF_FROM, CF_INREF_DATE, CF_INREF_REASON};
	for (int dir = 0; dir < 2 && !rc; dir++) {
		struct group g;
		if (group_open(&g, r, dir ? in_cols : out_cols, dir ? 3 : 4)) {
			group_close(&g);
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		for (int i = 0; i < g.n && !rc; i++) {
			int64_t other;
			if ((rc = org_id(s, group_item(&g, 0, i), &other, e)))
				break;
			if (!(st = stmt(s, S_REF_ADD, e))) {
				rc = CTIP_EDB;
				break;
			}
			sqlite3_bind_int64(st, 1, *id);
			sqlite3_bind_text(st, 2, dir ? "in" : "out", -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 3, i);
			sqlite3_bind_int64(st, 4, other);
			bind_text(st, 5, group_item(&g, 1, i));
			bind_text(st, 6, group_item(&g, 2, i));
			bind_text(st, 7, dir ? NULL : group_item(&g, 3, i));
			rc = exec_done(s, st, e);
		}
		group_close(&g);
	}
	static const int com_cols[] = {CF_COMMENT, CF_COMMENT_DATE};
	struct group g;
	if (!rc && group_open(&g, r, com_cols, 2) == CTIP_OK) {
		for (int i = 0; i < g.n && !rc; i++) {
			if (!(st = stmt(s, S_COMMENT_ADD, e))) {
				rc = CTIP_EDB;
				break;
			}
			sqlite3_bind_int64(st, 1, *id);
			sqlite3_bind_int(st, 2, i);
			bind_text(st, 3, group_item(&g, 1, i));
			if (!(rc = bind_sealed(s, st, 4, group_item(&g, 0, i), "case_comment.body",
			                       *id, i, e)))
				rc = exec_done(s, st, e);
		}
		group_close(&g);
	}
	return rc;
}

/* Phones of one kind: the blind index of each (the numbers are in the sealed identity). */
static int add_phones(sqlite_store *s, int64_t pid, const char *kind, const char *list, ctip_err *e)
{
	char **it;
	int n, rc = CTIP_OK;
	if (ctip_list_split(list, &it, &n))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int i = 0; i < n && !rc; i++) {
		sqlite3_stmt *st = stmt(s, S_PHONE_ADD, e);
		unsigned char bidx[CTIP_BIDX_BYTES];
		if (!st) {
			rc = CTIP_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, i);
		ctip_phone_bidx(s->base.crypto, it[i], bidx);
		sqlite3_bind_blob(st, 4, bidx, sizeof(bidx), SQLITE_TRANSIENT);
		rc = exec_done(s, st, e);
	}
	ctip_list_free(it, n);
	return rc;
}

/* Identity documents: type, dates and the blind index of the number's letters and digits
 * (the numbers are in the sealed identity). */
static int add_docs(sqlite_store *s, int64_t pid, const ctip_row *r, ctip_err *e)
{
	static const int doc_cols[] = {CF_DOC_TYPE, CF_DOC_NUMBER, CF_DOC_ISSUED, CF_DOC_EXPIRES};
	struct group g;
	int rc = CTIP_OK;
	if (group_open(&g, r, doc_cols, 4)) {
		group_close(&g);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (int i = 0; i < g.n && !rc; i++) {
		sqlite3_stmt *st;
		unsigned char bidx[CTIP_BIDX_BYTES];
		if (ctip_docno_bidx(s->base.crypto, group_item(&g, 1, i), bidx)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		if (!(st = stmt(s, S_DOC_ADD, e))) {
			rc = CTIP_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_int(st, 2, i);
		bind_text(st, 3, group_item(&g, 0, i));
		sqlite3_bind_blob(st, 4, bidx, sizeof(bidx), SQLITE_TRANSIENT);
		bind_text(st, 5, group_item(&g, 2, i));
		bind_text(st, 6, group_item(&g, 3, i));
		rc = exec_done(s, st, e);
	}
	group_close(&g);
	return rc;
}

/* Rewrites record pid's documents in person_referred (one per organisation that may see its
 * identity through a referral: its name tokens scoped to that organisation) from the current
 * referrals and consents. Called whenever they, or the name, change. */
static int referred_refresh(sqlite_store *s, int64_t pid, ctip_err *e)
{
	enum stmt_id ids[2] = {S_REFD_DEL, S_REFD_ADD};
	int rc = CTIP_OK;
	for (int i = 0; i < 2 && !rc; i++) {
		sqlite3_stmt *st = stmt(s, ids[i], e);
		if (!st)
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, pid);
		rc = exec_done(s, st, e);
	}
	return rc;
}

/* For the server (store_sqlite_srv.c): after a referral of case_id is added or changes status,
 * the documents of every record in that case. */
int ctip_store_sqlite_referred_case(ctip_store *base, int64_t case_id, ctip_err *e);
int ctip_store_sqlite_referred_case(ctip_store *base, int64_t case_id, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc = CTIP_OK, step = SQLITE_DONE;
	if (sqlite3_prepare_v2(s->db, "SELECT person_id FROM case_person WHERE case_id = ?", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_err(s, e, "referred");
	sqlite3_bind_int64(st, 1, case_id);
	int64_t *pids = NULL;
	size_t n = 0, cap = 0;
	/* the ids first: the refresh writes to tables this statement reads */
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *g = realloc(pids, (cap = cap ? 2 * cap : 16) * sizeof(*g));
			if (!g) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			pids = g;
		}
		pids[n++] = sqlite3_column_int64(st, 0);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = db_err(s, e, "referred");
	sqlite3_finalize(st);
	for (size_t i = 0; i < n && rc == CTIP_OK; i++)
		rc = referred_refresh(s, pids[i], e);
	free(pids);
	return rc;
}

/* Removes what person_write adds beside the record (a person update rewrites them): its
 * documents, phones and its name-index document as it is now; *org: its organisation. */
static int person_clear(sqlite_store *s, int64_t pid, int64_t *org, ctip_err *e)
{
	sqlite3_stmt *st = stmt(s, S_PERSON_IDENTITY, e);
	char *v[N_IDENTITY];
	int rc;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, pid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no person record P%lld", (long long)pid);
	}
	rc = identity_open(s, pid, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), v, e);
	*org = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (rc)
		return rc;
	/* the document exactly as written (a contentless index deletes by its tokens) */
	char *key = name_sortkey(v[0], v[1], v[2]);
	char *tokens = key ? name_doc(s, key, *org, 1) : NULL;
	free(key);
	identity_free(v);
	if (!tokens)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (*tokens && (st = stmt(s, S_NAME_DEL, e))) {
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, tokens, -1, SQLITE_STATIC);
		rc = exec_done(s, st, e);
	} else if (*tokens) {
		rc = CTIP_EDB;
	}
	free(tokens);
	if (rc)
		return rc;
	enum stmt_id del[] = {S_DOC_DEL, S_PHONE_DEL};
	for (int i = 0; i < 2 && !rc; i++) {
		if (!(st = stmt(s, del[i], e)))
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, pid);
		rc = exec_done(s, st, e);
	}
	return rc;
}

/*
 * The one writer of a person record: its clear columns, its sealed identity (names, address,
 * document numbers, phones: identity_fields), the identity documents' and phones' rows with
 * their blind indexes, and the blind-index tokens of its names. fresh: a new record of org,
 * whose id is returned in *id; otherwise record *id gets every person column of r except its
 * organisation and record id, replacing what it had (person_update: read the row, change it,
 * write it back here). Call within a transaction.
 */
static int person_write(sqlite_store *s, int64_t org, const ctip_row *r, int fresh, int64_t *id,
                        ctip_err *e)
{
	int rc;
	if (!s->base.crypto)
		return no_key(s, e);
	if (fresh ? (rc = next_id(s, S_PERSON_NEXT, id, e)) : (rc = person_clear(s, *id, &org, e)))
		return rc;
	sqlite3_stmt *st = stmt(s, fresh ? S_PERSON_ADD : S_PERSON_UPDATE, e);
	if (!st)
		return CTIP_EDB;
	const char *era, *pcode, *p2025;
	ctip_province_codes(s->base.ref, r, &era, &pcode, &p2025);
	unsigned char *identity = NULL;
	int ilen = 0;
	char *sortkey = NULL;
	if ((rc = identity_seal(s, *id, r, &identity, &ilen, &sortkey, e)))
		return rc;
	sqlite3_bind_int64(st, 1, org);
	bind_text(st, 2, r->v[CF_SRC_RECORD]);
	bind_text(st, 3, r->v[CF_BIRTH]);
	bind_text(st, 4, r->v[CF_GENDER]);
	bind_text(st, 5, r->v[CF_ETHNICITY]);
	bind_text(st, 6, era);
	bind_text(st, 7, pcode);
	bind_text(st, 8, p2025);
	bind_text(st, 9, r->v[CF_HOME_COUNTRY]);
	sqlite3_bind_blob(st, 11, identity, ilen, free);
	sqlite3_bind_int64(st, 12, *id);
	if (bind_json_list(st, 10, r->v[CF_CITIZENSHIP]) || (rc = exec_done(s, st, e)) ||
	    (rc = add_phones(s, *id, "mobile", r->v[CF_MOBILE], e)) ||
	    (rc = add_phones(s, *id, "home", r->v[CF_HOMEPHONE], e)) ||
	    (rc = add_docs(s, *id, r, e))) {
		free(sortkey);
		return rc ? rc : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}

	/* the name index: blind-index tokens of the folded names (folded once, for the sort key
	 * sealed with the identity) and of the organisation, made here, in the import's writer
	 * thread */
	char *tokens = name_doc(s, sortkey, org, 1);
	free(sortkey);
	if (!tokens)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (*tokens && (st = stmt(s, S_NAME_ADD, e))) {
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_text(st, 2, tokens, -1, SQLITE_STATIC);
		rc = exec_done(s, st, e);
	} else if (*tokens) {
		rc = CTIP_EDB;
	}
	free(tokens);
	if (!rc && !fresh) /* a new name: its documents for referred organisations too */
		rc = referred_refresh(s, *id, e);
	return rc;
}

static int sq_person_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e)
{
	return person_write((sqlite_store *)base, org, r, 1, id, e);
}

static int sq_person_update(ctip_store *base, int64_t id, const ctip_row *r, ctip_err *e)
{
	return person_write((sqlite_store *)base, 0, r, 0, &id, e);
}

static int opt_org(sqlite_store *s, sqlite3_stmt *st, int i, const char *name, ctip_err *e)
{
	int64_t id;
	if (!name || !*name) {
		sqlite3_bind_null(st, i);
		return CTIP_OK;
	}
	int rc = org_id(s, name, &id, e);
	if (!rc)
		sqlite3_bind_int64(st, i, id);
	return rc;
}

/* Writes the items of a group into table sid: owner, seq, then the columns in order;
 * columns whose field is an organisation are stored as its id, integers as integers, and
 * column `sealed` (-1: none) sealed for the place `what`. */
static int add_group(sqlite_store *s, enum stmt_id sid, int64_t owner, const ctip_row *r,
                     const int *cols, int nf, int sealed, const char *what, ctip_err *e)
{
	struct group g;
	int rc = CTIP_OK;
	if (group_open(&g, r, cols, nf)) {
		group_close(&g);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (int i = 0; i < g.n && !rc; i++) {
		sqlite3_stmt *st = stmt(s, sid, e);
		if (!st) {
			rc = CTIP_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, owner);
		sqlite3_bind_int(st, 2, i);
		for (int c = 0; c < nf && !rc; c++) {
			const char *v = group_item(&g, c, i);
			if (c == sealed)
				rc = bind_sealed(s, st, 3 + c, v, what, owner, i, e);
			else if (ctip_fields[cols[c]].type == FT_ORG)
				rc = opt_org(s, st, 3 + c, v, e);
			else if (ctip_fields[cols[c]].type == FT_INT && v && *v)
				sqlite3_bind_int64(st, 3 + c, atoll(v));
			else
				bind_text(st, 3 + c, v);
		}
		if (!rc)
			rc = exec_done(s, st, e);
	}
	group_close(&g);
	return rc;
}

static int sq_quality_count(ctip_store *base, const char *flag, long *n, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	const char *sql = flag ? "SELECT count(*) FROM quality_flag WHERE flag = ?"
	                       : "SELECT count(DISTINCT case_person_id) FROM quality_flag";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, sql);
	if (flag)
		sqlite3_bind_text(st, 1, flag, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? CTIP_OK : db_err(s, e, sql);
}

static int sq_link_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                       ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = stmt(s, S_LINK_ADD, e);
	int rc;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, person_id);
	bind_text(st, 3, r->v[CF_ROLE]);
	if (ctip_row_get(r, CF_CONSENT))
		sqlite3_bind_int(st, 4, strcmp(r->v[CF_CONSENT], "true") == 0);
	bind_text(st, 5, r->v[CF_CONSENT_DATE]);
	if (bind_json_list(st, 6, r->v[CF_CONSENT_SCOPE]) ||
	    bind_json_list(st, 7, r->v[CF_PERP_ROLE]))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if ((rc = exec_done(s, st, e)))
		return rc;
	int64_t cp = sqlite3_last_insert_rowid(s->db);
	/* data-quality flags (CTIP_Q_* of import_map.h: bit i is quality_names[i]) */
	static const char *const quality_names[] = {"expiry_before_issue",
	                                            "birth_after_exploitation", "age_out_of_range"};
	for (unsigned i = 0; i < 3; i++) {
		if (!(r->quality & (1u << i)))
			continue;
		if (!(st = stmt(s, S_QUALITY_ADD, e)))
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, cp);
		sqlite3_bind_text(st, 2, quality_names[i], -1, SQLITE_STATIC);
		if ((rc = exec_done(s, st, e)))
			return rc;
	}

	if (!strcmp(r->v[CF_ROLE], "Victim")) {
		if (!(st = stmt(s, S_VICTIM_ADD, e)))
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, cp);
		bind_text(st, 2, r->v[CF_TR_STATUS]);
		bind_text(st, 3, r->v[CF_TR_DECIDER_TYPE]);
		if ((rc = opt_org(s, st, 4, r->v[CF_TR_DECIDED_BY], e)))
			return rc;
		bind_text(st, 5, r->v[CF_TR_DATE]);
		bind_text(st, 6, r->v[CF_CERTIFICATE]);
		if (ctip_row_get(r, CF_AGE_TRAFFICKED))
			sqlite3_bind_int(st, 7, atoi(r->v[CF_AGE_TRAFFICKED]));
		bind_text(st, 8, r->v[CF_RECRUIT_COUNTRY]);
		bind_text(st, 9, r->v[CF_RECRUIT_PROVINCE]);
		bind_text(st, 10, r->v[CF_RELATIONSHIP]);
		if ((rc = opt_org(s, st, 11, r->v[CF_RECRUITER], e)))
			return rc;
		bind_text(st, 12, r->v[CF_INDUSTRY]);
		for (int k = 0; k < 6; k++)
			if (bind_json_list(st, 13 + k, r->v[ctip_victim_lists[k]]))
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		if ((rc = exec_done(s, st, e)))
			return rc;
	}
	static const int expl[] = {CF_EXPL_COUNTRY, CF_EXPL_PLACE, CF_EXPL_START, CF_EXPL_END};
	static const int ev[] = {CF_EV_TYPE, CF_EV_DATE, CF_EV_COUNTRY, CF_EV_STATE, CF_EV_CITY};
	static const int as[] = {CF_AS_KIND, CF_AS_DATE, CF_AS_PROVIDER, CF_AS_AMOUNT};
	static const int pr[] = {CF_PR_STAGE, CF_PR_DATE, CF_PR_ARTICLE, CF_PR_SENTENCE_KIND,
	                         CF_PR_SENTENCE_MONTHS};
	if ((rc = add_group(s, S_EXPL_ADD, cp, r, expl, 4, 1, "exploitation.place", e)) ||
	    (rc = add_group(s, S_EVENT_ADD, cp, r, ev, 5, -1, NULL, e)) ||
	    (rc = add_group(s, S_ASSIST_ADD, cp, r, as, 4, -1, NULL, e)) ||
	    (rc = add_group(s, S_PROC_ADD, cp, r, pr, 5, -1, NULL, e)))
		return rc;
	/* a consent to share may let the case's referred organisations see the record (a first
	 * load builds these documents at its end) */
	if (!s->loading && ctip_row_get(r, CF_CONSENT) && !strcmp(r->v[CF_CONSENT], "true"))
		return referred_refresh(s, person_id, e);
	return CTIP_OK;
}

/* ---- reading rows ------------------------------------------------------------------- */

#define push_item ctip_row_push_item

/* Runs a per-owner query and spreads its columns over the fields in cols (-1 skips); column
 * `sealed` (-1: none) is opened for the place `what` with the row's seq, selected after the
 * fields. After all rows, a group whose items are all empty in one column is reset to
 * unknown. */
static int read_group(sqlite_store *s, enum stmt_id sid, int64_t owner, ctip_row *r,
                      const int *cols, int nf, int sealed, const char *what, ctip_err *e)
{
	sqlite3_stmt *st = stmt(s, sid, e);
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
			const char *v = col(st, c);
			if (c == sealed) {
				int orc = col_unsealed(s, st, c, what, owner,
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
		return db_err(s, e, "read");
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
	sqlite3_stmt *st = stmt(s, S_Q_REFS, e);
	int nin = 0, nout = 0, any_status = 0, any[2][3] = {{0}};
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int in = !strcmp(col(st, 0), "in");
		const int out_cols[] = {CF_REF_TO, CF_REF_DATE, CF_REF_REASON, CF_REF_STATUS};
		const int in_cols[] = {CF_INREF_FROM, CF_INREF_DATE, CF_INREF_REASON};
		int k = in ? nin++ : nout++;
		for (int c = 0; c < (in ? 3 : 4); c++) {
			const char *v = col(st, 1 + c);
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
		return db_err(s, e, "referrals");
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
	int rc = identity_open(s, pid, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i), v,
	                       e);
	if (rc)
		return rc;
	for (int k = 0; k < N_IDENTITY; k++)
		ctip_row_take(r, identity_fields[k], v[k]);
	if ((rc = col_unsealed(s, st, i + 1, "cases.closure_reason", cid, -1, &closure, e)))
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

static int sq_rows(ctip_store *base, const struct ctip_row_filter *flt,
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
		return db_err(s, e, "rows");
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
		return db_err(s, e, "rows");
	}
	if (sqlite3_prepare_v2(s->db, rows_sql, -1, &st, NULL) != SQLITE_OK) {
		free(ids);
		return db_err(s, e, "rows");
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
			const char *v = col(st, c);
			if (scalar[c] < 0 || !v)
				continue;
			if (ctip_row_put_stored(&r, s->base.ref, scalar[c], v,
			                        c ? col(st, c - 1) : NULL)) {
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
		rc = db_err(s, e, "rows");
	ctip_row_clear(&r);
	sqlite3_finalize(st);
	free(ids);
	return rc;
}

/* ---- search ------------------------------------------------------------------------- */

/* The query's tokens and blind indexes and the ranking of the matches are search_top.c's
 * (every back end's); this finds the candidates. */
static int sq_search(ctip_store *base, const char *query, int64_t org, int limit,
                     int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	struct ctip_search_q q;
	int rc = ctip_search_q_make(s->base.crypto, s->base.path, query, org, &q, e);
	if (rc)
		return rc;
	/* FTS5 query: every blind-index token required (base32: never an operator) */
	size_t cap = strlen(q.tokens) * 2 + 16, w = 0;
	char *match = malloc(cap);
	if (!match) {
		ctip_search_q_free(&q);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	match[0] = 0;
	for (char *save = NULL, *t = strtok_r(q.tokens, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		w += (size_t)snprintf(match + w, cap - w, "%s\"%s\"", w ? " AND " : "", t);

	/* prepared once per connection: preparing it took about as long as running it */
	sqlite3_stmt *st = stmt(s, org > 0 ? S_SEARCH_ORG : S_SEARCH, e);
	int step = SQLITE_DONE;
	struct ctip_search_top t;
	if (!st) {
		rc = CTIP_EDB;
		goto out;
	}
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	if (org > 0)
		sqlite3_bind_int64(st, 4, org);
	if (q.has_doc)
		sqlite3_bind_blob(st, 2, q.doc_bidx, sizeof(q.doc_bidx), SQLITE_STATIC);
	if (q.has_phone)
		sqlite3_bind_blob(st, 3, q.phone_bidx, sizeof(q.phone_bidx), SQLITE_STATIC);
	if ((rc = ctip_search_top_init(&t, s->base.crypto, s->base.ref, s->base.path, limit, e)))
		goto out;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = ctip_search_top_add(&t, sqlite3_column_int64(st, 0),
		                         sqlite3_column_int64(st, 7), sqlite3_column_blob(st, 3),
		                         sqlite3_column_bytes(st, 3), col(st, 1), col(st, 2),
		                         col(st, 4), col(st, 5), col(st, 6), e);
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = db_err(s, e, "search");
	sqlite3_reset(st); /* no read left open */
	if (rc == CTIP_OK)
		rc = ctip_search_top_emit(&t, cb, ctx, e);
	ctip_search_top_free(&t);
out:
	free(match);
	ctip_search_q_free(&q);
	return rc;
}

static int count_of(sqlite_store *s, const char *sql, long *out, ctip_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, sql);
	*out = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return CTIP_OK;
}

static int sq_counts(ctip_store *base, struct ctip_counts *c, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc;
	if ((rc = count_of(s, "SELECT count(*) FROM organisation", &c->orgs, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM cases", &c->cases, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM person", &c->persons, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM case_person", &c->links, e)) ||
	    (rc = count_of(s, "SELECT count(*) FROM victim", &c->victims, e)))
		return rc;
	return CTIP_OK;
}

static int sq_person_cases(ctip_store *base, int64_t pid, int64_t **ids, int *n, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int cap = 8;
	*n = 0;
	*ids = malloc((size_t)cap * sizeof(**ids));
	if (!*ids)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(
	            s->db, "SELECT case_id FROM case_person WHERE person_id = ? ORDER BY case_id",
	            -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "person cases");
	sqlite3_bind_int64(st, 1, pid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *g = realloc(*ids, (size_t)(cap *= 2) * sizeof(**ids));
			if (!g) {
				sqlite3_finalize(st);
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
			*ids = g;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return CTIP_OK;
}

/* ---- accounts and audit ------------------------------------------------------------ */

static int sq_account_add(ctip_store *base, const char *username, int64_t org_id, const char *role,
                          const char *pw_hash, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = stmt(s, S_ACCOUNT_ADD, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, org_id);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pw_hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return ctip_err_set(e, CTIP_EINVAL, "account '%s' already exists", username);
	return rc == SQLITE_DONE ? CTIP_OK : db_err(s, e, "account");
}

static int sq_audit_add(ctip_store *base, const struct ctip_audit_entry *a, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = stmt(s, S_AUDIT_ADD, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_text(st, 2, a->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->hash, -1, SQLITE_STATIC);
	s->audit_objects++;
	if (!strcmp(a->action, "search_hit") || !strcmp(a->action, "export_records"))
		for (const char *p = a->object; (p = strchr(p, ' ')); p++)
			s->audit_objects++;
	return exec_done(s, st, e);
}

static int sq_audit_begin(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	/* BEGIN IMMEDIATE would take the registry's write lock too; a deferred transaction
	 * whose first statement writes to the audit file takes that file's lock alone (and
	 * waits for it under the busy timeout: no snapshot is held yet) */
	int rc = exec_sql(s, "BEGIN; UPDATE auditlog.audit_indexed SET last = last", e);
	s->in_tx = 1;
	if (rc)
		sq_rollback(base);
	return rc;
}

static int sq_audit_each(ctip_store *base, const char *object,
                         int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx,
                         ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	int rc = CTIP_OK, step;
	if (sqlite3_prepare_v2(
	            s->db,
	            object ? "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM "
	                     "auditlog.audit WHERE id IN (SELECT b.id FROM auditlog.audit_segment "
	                     "g "
	                     "CROSS JOIN auditlog.audit_by_object b ON b.seg = g.seg AND b.object "
	                     "= ?1 "
	                     "UNION ALL SELECT id FROM auditlog.audit WHERE id > "
	                     "(SELECT last FROM auditlog.audit_indexed) AND (object = ?1 OR "
	                     "(" AUDIT_LIST " AND " AUDIT_HAS("object", "?1") "))) ORDER BY id"
	                   : "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM "
	                     "auditlog.audit ORDER BY id",
	            -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "audit");
	if (object)
		sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_audit_entry a = {
		        .id = sqlite3_column_int64(st, 0),
		        .at = col(st, 1) ? col(st, 1) : "",
		        .actor = col(st, 2) ? col(st, 2) : "",
		        .action = col(st, 3) ? col(st, 3) : "",
		        /* an entry naming several records is shown for the one asked for only */
		        .object = object       ? object
		                  : col(st, 4) ? col(st, 4)
		                               : "",
		        .detail = col(st, 5) ? col(st, 5) : "",
		        .prev_hash = col(st, 6) ? col(st, 6) : "",
		        .hash = col(st, 7) ? col(st, 7) : "",
		};
		rc = cb(ctx, &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = db_err(s, e, "audit");
	sqlite3_finalize(st);
	long off = 0;
	/* the whole log was read (audit verify): its index by object must match it */
	if (rc == CTIP_OK && !object &&
	    (rc = count_where(s,
	                      "SELECT (SELECT count(*) FROM auditlog.audit_by_object b WHERE NOT "
	                      "EXISTS (SELECT 1 FROM auditlog.audit a WHERE a.id = b.id AND "
	                      "(a.object = b.object OR (a." AUDIT_LIST " AND " AUDIT_HAS(
	                              "a.object", "b.object") ")))) + abs((SELECT "
	                                                      "coalesce(sum(" AUDIT_NAMES(
	                                                              "a") "), 0) FROM "
	                                                                   "auditlog.audit a "
	                                                                   "WHERE id <= (SELECT "
	                                                                   "last FROM "
	                                                                   "auditlog.audit_"
	                                                                   "indexed)) - (SELECT "
	                                                                   "count(*) FROM "
	                                                                   "auditlog.audit_by_"
	                                                                   "object))",
	                      &off, e)) == CTIP_OK &&
	    off)
		rc = ctip_err_set(
		        e, CTIP_EINVAL,
		        "the index of the audit log by person does not match the log (%ld "
		        "entries differ): entries may be hidden from `audit log --person`",
		        off);
	return rc;
}

struct audit_row {
	size_t off; /* of the object in the text of the objects, which may move while read */
	const char *object;
	int64_t id;
};

static int audit_row_cmp(const void *a, const void *b)
{
	const struct audit_row *x = a, *y = b;
	int c = strcmp(x->object, y->object);
	return c ? c : x->id < y->id ? -1 : x->id > y->id;
}

/* AUDIT_CATCH_UP, with the lists of search_hit entries split in C (splitting them in SQL took
 * three times as long), and in chunks: the entries after audit_indexed.last naming up to
 * `chunk` objects (0: all) go into the open segment of audit_by_object, in order of object and
 * id; a segment is closed at AUDIT_INDEX_EVERY rows. Writing 8,192 rows at once held every
 * request waiting for its audit for 25 ms or more, several times a second under load; 1,024
 * at a time take a few. Inside the appender's transaction. */
static int audit_catch_up(sqlite_store *s, long chunk, ctip_err *e)
{
	sqlite3_stmt *st = NULL;
	struct audit_row *v = NULL;
	char *text = NULL; /* the objects, NUL-separated */
	size_t n = 0, cap = 0, tn = 0, tcap = 0;
	int64_t last = 0, seg = 0, seg_rows = AUDIT_INDEX_EVERY;
	int rc = CTIP_OK, step = SQLITE_DONE;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT last, (SELECT max(seg) FROM auditlog.audit_segment) FROM "
	                       "auditlog.audit_indexed",
	                       -1, &st, NULL) ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = db_err(s, e, "audit index");
		goto out;
	}
	last = sqlite3_column_int64(st, 0);
	seg = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	if (seg) { /* the rows of the last segment: below AUDIT_INDEX_EVERY it is still open */
		if (sqlite3_prepare_v2(
		            s->db, "SELECT count(*) FROM auditlog.audit_by_object WHERE seg = ?",
		            -1, &st, NULL)) {
			rc = db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_bind_int64(st, 1, seg);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = db_err(s, e, "audit index");
			goto out;
		}
		seg_rows = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
	}
	int fresh = seg_rows >= AUDIT_INDEX_EVERY;
	if (fresh)
		seg = last + 1;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT id, " AUDIT_LIST ", object FROM auditlog.audit WHERE "
	                       "id > ? ORDER BY id",
	                       -1, &st, NULL)) {
		rc = db_err(s, e, "audit index");
		goto out;
	}
	sqlite3_bind_int64(st, 1, last);
	while ((!chunk || (long)n < chunk) && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = col(st, 2) ? col(st, 2) : "";
		size_t on = strlen(o) + 1;
		int list = sqlite3_column_int(st, 1);
		last = sqlite3_column_int64(st, 0);
		if (tn + on > tcap) {
			size_t c = tcap ? tcap * 2 : 65536;
			while (tn + on > c)
				c *= 2;
			char *g = realloc(text, c);
			if (!g)
				goto oom;
			text = g;
			tcap = c;
		}
		char *w = text + tn;
		memcpy(w, o, on);
		tn += on;
		for (char *t = w, *end = w + on - 1; t <= end;) {
			char *sp = list ? strchr(t, ' ') : NULL;
			if (sp)
				*sp = 0;
			if (*t || !list) {
				if (n == cap) {
					size_t c = cap ? cap * 2 : 4096;
					struct audit_row *g = realloc(v, c * sizeof(*v));
					if (!g)
						goto oom;
					v = g;
					cap = c;
				}
				v[n++] = (struct audit_row){(size_t)(t - text), NULL, last};
			}
			if (!sp)
				break;
			t = sp + 1;
		}
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		rc = db_err(s, e, "audit index");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!n)
		goto out;
	for (size_t i = 0; i < n; i++)
		v[i].object = text + v[i].off;
	qsort(v, n, sizeof(*v), audit_row_cmp);
	if (fresh) {
		if (sqlite3_prepare_v2(s->db, "INSERT INTO auditlog.audit_segment VALUES (?)", -1,
		                       &st, NULL)) {
			rc = db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_bind_int64(st, 1, seg);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT OR IGNORE INTO auditlog.audit_by_object VALUES (?, ?, ?)",
	                       -1, &st, NULL)) {
		rc = db_err(s, e, "audit index");
		goto out;
	}
	for (size_t i = 0; i < n && rc == CTIP_OK; i++) {
		sqlite3_bind_int64(st, 1, seg);
		sqlite3_bind_text(st, 2, v[i].object, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, v[i].id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_err(s, e, "audit index");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == CTIP_OK) {
		if (sqlite3_prepare_v2(s->db, "UPDATE auditlog.audit_indexed SET last = ?", -1, &st,
		                       NULL)) {
			rc = db_err(s, e, "audit index");
			goto out;
		}
		sqlite3_bind_int64(st, 1, last);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_err(s, e, "audit index");
	}
	goto out;
oom:
	rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
out:
	sqlite3_finalize(st);
	free(v);
	free(text);
	return rc;
}

static int sq_audit_index(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc = sq_audit_begin(base, e);
	s->audit_objects = 0;
	if (rc == CTIP_OK && (rc = audit_catch_up(s, 0, e)) == CTIP_OK)
		rc = sq_commit(base, e);
	if (rc)
		sq_rollback(base);
	return rc;
}

/* ---- audit entries written ahead (migration 0016) ---- */

static int sq_audit_pend(ctip_store *base, const struct ctip_audit_entry *a, int64_t *pid,
                         ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO main.audit_pending(at, actor, action, object, detail) "
	                       "VALUES (?, ?, ?, ?, ?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "audit pending");
	sqlite3_bind_text(st, 1, a->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->detail, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : db_err(s, e, "audit pending");
	sqlite3_finalize(st);
	*pid = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static int sq_audit_pend_mark(ctip_store *base, int64_t first, int64_t last, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            s->db,
	            "WITH RECURSIVE n(p) AS (SELECT ?1 UNION ALL SELECT p + 1 FROM n "
	            "WHERE p < ?2) INSERT INTO auditlog.audit_from_pending SELECT p FROM n",
	            -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "audit pending");
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : db_err(s, e, "audit pending");
	sqlite3_finalize(st);
	return rc;
}

static int sq_audit_pend_forget(ctip_store *base, int64_t before, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	/* the registry's copies first: committed before the audit file's list, they are never
	 * dropped while the list that vouches for them could still be lost */
	static const char *const sql[] = {
	        "DELETE FROM main.audit_pending WHERE pid < ?1 AND pid IN (SELECT pid FROM "
	        "auditlog.audit_from_pending)",
	        "DELETE FROM auditlog.audit_from_pending WHERE pid < ?1 AND pid NOT IN (SELECT pid "
	        "FROM main.audit_pending)"};
	for (int i = 0; i < 2; i++) {
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return db_err(s, e, "audit pending");
		sqlite3_bind_int64(st, 1, before);
		int rc = sqlite3_step(st) == SQLITE_DONE ? CTIP_OK : db_err(s, e, "audit pending");
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	return CTIP_OK;
}

static int sq_audit_pend_each(ctip_store *base,
                              int (*cb)(void *ctx, int64_t pid, const struct ctip_audit_entry *a),
                              void *ctx, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            s->db,
	            "SELECT pid, at, actor, action, object, detail FROM main.audit_pending "
	            "WHERE pid NOT IN (SELECT pid FROM auditlog.audit_from_pending) ORDER "
	            "BY pid",
	            -1, &st, NULL) != SQLITE_OK)
		return db_err(s, e, "audit pending");
	int rc = CTIP_OK, step;
	while (rc == CTIP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctip_audit_entry a = {.at = col(st, 1),
		                             .actor = col(st, 2),
		                             .action = col(st, 3),
		                             .object = col(st, 4),
		                             .detail = col(st, 5)};
		rc = cb(ctx, sqlite3_column_int64(st, 0), &a);
	}
	if (rc == CTIP_OK && step != SQLITE_DONE)
		rc = db_err(s, e, "audit pending");
	sqlite3_finalize(st);
	return rc;
}

static int sq_audit_last(ctip_store *base, int64_t *id, char hash[129], ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = stmt(s, S_AUDIT_LAST, e);
	if (!st)
		return CTIP_EDB;
	*id = 0;
	hash[0] = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(hash, 129, "%s", col(st, 1) ? col(st, 1) : "");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(s, e, "audit");
	/* called by the appender inside its transaction: index the entries in arrears */
	if (!(st = stmt(s, S_AUDIT_INDEXED, e)))
		return CTIP_EDB;
	rc = sqlite3_step(st);
	int64_t indexed = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_err(s, e, "audit");
	if (*id - indexed < AUDIT_INDEX_CHUNK && s->audit_objects < AUDIT_INDEX_CHUNK)
		return CTIP_OK;
	s->audit_objects = 0;
	return audit_catch_up(s, AUDIT_INDEX_CHUNK, e);
}

/* ---- key rotation ---------------------------------------------------------------------- */

/* Reseals blob b (n bytes) of place ad from key `old` to `next` into out (n bytes). */
static int reseal(const ctip_crypto *old, const ctip_crypto *next, const void *b, int n,
                  const char *ad, int an, unsigned char *out)
{
	size_t mlen = n >= CTIP_SEAL_OVERHEAD ? (size_t)n - CTIP_SEAL_OVERHEAD : 0;
	unsigned char *m = malloc(mlen + 1);
	if (!m || n < CTIP_SEAL_OVERHEAD || ctip_unseal(old, b, (size_t)n, ad, (size_t)an, m)) {
		free(m);
		return -1;
	}
	ctip_seal(next, m, mlen, ad, (size_t)an, out);
	sodium_memzero(m, mlen);
	free(m);
	return 0;
}

/* The rows of a table with a sealed column, resealed in batches of keys (k1, k2): sel reads
 * k1, k2, the blob after (?1, ?2) in key order, upd writes ?3 at key (?1, ?2). what names the
 * place (what:k1 or what:k1:k2 when seq). */
static int reseal_column(sqlite_store *s, const ctip_crypto *next, const char *sel, const char *upd,
                         const char *what, int seq, long *count, long total, ctip_err *e)
{
	sqlite3_stmt *rd = NULL, *wr = NULL;
	int rc = CTIP_OK, step, more = 1;
	int64_t k1 = INT64_MIN, k2 = INT64_MIN;
	if (sqlite3_prepare_v2(s->db, sel, -1, &rd, NULL) ||
	    sqlite3_prepare_v2(s->db, upd, -1, &wr, NULL)) {
		rc = db_err(s, e, what);
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
			rc = db_err(s, e, what);
		sqlite3_reset(rd);
		for (int i = 0; i < nb; i++) {
			char ad[96];
			int an = place_of(ad, sizeof(ad), what, batch[i].k1,
			                  seq ? (int)batch[i].k2 : -1);
			unsigned char *out = malloc((size_t)batch[i].n + 1);
			if (rc == CTIP_OK && !out)
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			else if (rc == CTIP_OK &&
			         reseal(s->base.crypto, next, batch[i].b, batch[i].n, ad, an, out))
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
					rc = db_err(s, e, what);
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
			rc = db_err(s, e, "key rotation");
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
			const char *k = col(rd, 2);
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
			/* documents: the numbers' letters and digits; phones: E.164 of their kind
			 */
			const char *list = t == 0 ? v[8] : !strcmp(kind, "home") ? v[10] : v[9];
			char **it = NULL;
			int n = 0, found = 0;
			if (ctip_list_split(list, &it, &n)) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			for (int i = 0; i < n && !found; i++) {
				char *norm = t == 0 ? ctip_text_alnum_upper(it[i]) : strdup(it[i]);
				unsigned char a[CTIP_BIDX_BYTES], b[CTIP_BIDX_BYTES];
				if (!norm) {
					rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
					break;
				}
				enum ctip_bidx_domain d =
				        t == 0 ? CTIP_BIDX_DOCNO : CTIP_BIDX_PHONE;
				ctip_bidx(s->base.crypto, d, norm, strlen(norm), a);
				if (!memcmp(a, row[r].bidx, sizeof(a))) {
					ctip_bidx(next, d, norm, strlen(norm), b);
					sqlite3_reset(wr);
					sqlite3_bind_int64(wr, 1, pid);
					sqlite3_bind_int(wr, 2, row[r].seq);
					sqlite3_bind_blob(wr, 3, b, sizeof(b), SQLITE_TRANSIENT);
					if (t == 1)
						sqlite3_bind_text(wr, 4, kind, -1,
						                  SQLITE_TRANSIENT);
					if (sqlite3_step(wr) != SQLITE_DONE)
						rc = db_err(s, e, "key rotation");
					found = 1;
				}
				sodium_memzero(norm, strlen(norm));
				free(norm);
			}
			ctip_list_free(it, n);
			if (rc == CTIP_OK && !found)
				rc = ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: a %s of record P%lld matches none of its sealed "
				        "values: nothing was changed",
				        s->base.path, t == 0 ? "document" : "phone",
				        (long long)pid);
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
		rc = db_err(s, e, "key rotation");
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
			    !(rc = identity_open(s, ids[i], blobs[i], lens[i], v, e))) {
				char ad[64];
				int an = place_of(ad, sizeof(ad), "person.identity", ids[i], -1);
				if (reseal(s->base.crypto, next, blobs[i], lens[i], ad, an, out))
					rc = identity_error(s, ids[i], e);
				else
					rc = rekey_numbers(s, next, ids[i], v, e);
				identity_free(v);
				if (rc == CTIP_OK) {
					sqlite3_reset(wr);
					sqlite3_bind_blob(wr, 1, out, lens[i], SQLITE_STATIC);
					sqlite3_bind_int64(wr, 2, ids[i]);
					if (sqlite3_step(wr) != SQLITE_DONE)
						rc = db_err(s, e, "key rotation");
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

static int sq_key_rotate(ctip_store *base, ctip_crypto *next, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	ctip_crypto *old = s->base.crypto;
	long n = 0;
	char check[CTIP_KEY_CHECK];
	int rc;
	if (!old)
		return no_key(s, e);
	/* deleted and overwritten content is zeroed (old ciphertexts and blind indexes), the
	 * commit reaches the disk before the key file is replaced */
	if ((rc = exec_sql(s, "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL", e)) ||
	    (rc = exec_sql(s, "BEGIN IMMEDIATE", e)))
		goto done;
	for (int i = 0; i < S_COUNT; i++) { /* the statements must see the new key's data */
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	ctip_crypto_check_value(next, check);
	/* re-sealing rewrites every identity, which the trigger of 0009 takes for a change that
	 * linkage must look at again: keep only the changes it had listed before */
	if ((rc = exec_sql(s,
	                   "CREATE TEMP TABLE rotate_changed AS SELECT person_id FROM "
	                   "link_changed",
	                   e))) {
		exec_sql(s, "ROLLBACK", NULL);
		goto done;
	}
	/* the values to reseal, for the progress bar */
	long total = 0;
	sqlite3_stmt *cnt;
	if (sqlite3_prepare_v2(
	            s->db,
	            "SELECT (SELECT count(*) FROM person WHERE identity IS NOT NULL) + "
	            "(SELECT count(*) FROM cases WHERE closure_sealed IS NOT NULL) + "
	            "(SELECT count(*) FROM case_comment WHERE body_sealed IS NOT NULL) + "
	            "(SELECT count(*) FROM exploitation WHERE place_sealed IS NOT NULL)",
	            -1, &cnt, NULL) == SQLITE_OK &&
	    sqlite3_step(cnt) == SQLITE_ROW)
		total = (long)sqlite3_column_int64(cnt, 0);
	sqlite3_finalize(cnt);
	if ((rc = rekey_identities(s, next, &n, total, e)) ||
	    (rc = reseal_column(s, next,
	                        "SELECT id, 0, closure_sealed FROM cases WHERE (id, 0) > (?1, ?2) "
	                        "AND closure_sealed IS NOT NULL ORDER BY id LIMIT 256",
	                        "UPDATE cases SET closure_sealed = ?3 WHERE id = ?1 AND ?2 = 0",
	                        "cases.closure_reason", 0, &n, total, e)) ||
	    (rc = reseal_column(
	             s, next,
	             "SELECT case_id, seq, body_sealed FROM case_comment WHERE (case_id, "
	             "seq) > (?1, ?2) AND body_sealed IS NOT NULL ORDER BY case_id, seq "
	             "LIMIT 256",
	             "UPDATE case_comment SET body_sealed = ?3 WHERE case_id = ?1 AND "
	             "seq = ?2",
	             "case_comment.body", 1, &n, total, e)) ||
	    (rc = reseal_column(s, next,
	                        "SELECT case_person_id, seq, place_sealed FROM exploitation WHERE "
	                        "(case_person_id, seq) > (?1, ?2) AND place_sealed IS NOT NULL "
	                        "ORDER BY case_person_id, seq LIMIT 256",
	                        "UPDATE exploitation SET place_sealed = ?3 WHERE case_person_id = "
	                        "?1 AND seq = ?2",
	                        "exploitation.place", 1, &n, total, e)) ||
	    /* the notes of referrals (0025) */
	    (rc = reseal_column(
	             s, next,
	             "SELECT id, 0, note_sealed FROM case_referral WHERE (id, 0) > "
	             "(?1, ?2) AND note_sealed IS NOT NULL ORDER BY id LIMIT 256",
	             "UPDATE case_referral SET note_sealed = ?3 WHERE id = ?1 AND ?2 = 0",
	             "case_referral.note", 0, &n, total, e)) ||
	    /* casework's free text (0017) */
	    (rc = ctip_sqlite_cw_ops.reseal(base, next, &n, e)) ||
	    (rc = exec_sql(s,
	                   "DELETE FROM link_changed WHERE person_id NOT IN (SELECT person_id "
	                   "FROM temp.rotate_changed); DROP TABLE temp.rotate_changed; "
	                   /* what linkage keeps under the key (0011): sealed or keyed by it,
	                    * and rebuilt by the next run; nothing of the old key stays */
	                   "DELETE FROM link_cache; DELETE FROM link_cache_extra; "
	                   "DELETE FROM link_freq; DELETE FROM link_freq_total",
	                   e))) {
		exec_sql(s, "ROLLBACK", NULL);
		goto done;
	}
	/* the name indexes from the sort keys, now sealed under next (ctip_sortkey and
	 * ctip_name_doc use the bound key) */
	s->base.crypto = next;
	sqlite3_stmt *st = stmt(s, S_SETTING_SET, e);
	if (!st)
		rc = CTIP_EDB;
	else {
		sqlite3_bind_text(st, 1, "key_check", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, check, -1, SQLITE_STATIC);
		rc = exec_done(s, st, e);
	}
	if (rc == CTIP_OK)
		rc = exec_sql(
		        s,
		        "INSERT INTO person_name(person_name) VALUES ('delete-all'); "
		        "INSERT INTO person_name(rowid, tokens) SELECT id, doc FROM (SELECT "
		        "id, ctip_name_doc(ctip_sortkey(identity, id), org_id, 1) AS doc FROM "
		        "person WHERE identity IS NOT NULL) WHERE doc <> ''; "
		        "DELETE FROM person_referred; " REFERRED_ALL "; "
		        "INSERT INTO person_name(person_name) VALUES ('optimize'); "
		        "INSERT INTO person_referred(person_referred) VALUES ('optimize')",
		        e);
	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	if (rc || (rc = exec_sql(s, "COMMIT", e))) {
		exec_sql(s, "ROLLBACK", NULL);
		s->base.crypto = old;
		goto done;
	}
	ctip_crypto_free(old);
done:
	ctip_progress_finish();
	exec_sql(s, "PRAGMA secure_delete = OFF; PRAGMA synchronous = NORMAL", NULL);
	return rc;
}

/* Rewrites the file without its free pages, and empties the WAL: nothing deleted or
 * overwritten (an old key's ciphertexts and blind indexes) stays behind. */
static int sq_compact(ctip_store *base, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	int rc = exec_sql(s, "VACUUM", e);
	return rc ? rc : exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", e);
}

static const struct ctip_store_ops sqlite_ops = {
        .name = "sqlite",
        .close = sq_close,
        .migrate = sq_migrate,
        .schema_version = sq_schema_version,
        .begin = sq_begin,
        .load_begin = sq_load_begin,
        .load_end = sq_load_end,
        .commit = sq_commit,
        .rollback = sq_rollback,
        .ref_save = sq_ref_save,
        .ref_load = sq_ref_load,
        .org_find = sq_org_find,
        .org_add = sq_org_add,
        .org_set_type = sq_org_set_type,
        .org_has_cases = sq_org_has_cases,
        .case_find = sq_case_find,
        .person_find = sq_person_find,
        .case_add = sq_case_add,
        .person_add = sq_person_add,
        .person_update = sq_person_update,
        .link_add = sq_link_add,
        .quality_count = sq_quality_count,
        .rows = sq_rows,
        .search = sq_search,
        .counts = sq_counts,
        .person_cases = sq_person_cases,
        .account_add = sq_account_add,
        .audit_add = sq_audit_add,
        .audit_begin = sq_audit_begin,
        .audit_each = sq_audit_each,
        .audit_last = sq_audit_last,
        .audit_index = sq_audit_index,
        .audit_pend = sq_audit_pend,
        .audit_pend_mark = sq_audit_pend_mark,
        .audit_pend_forget = sq_audit_pend_forget,
        .audit_pend_each = sq_audit_pend_each,
        .key_needed = sq_key_needed,
        .key_bind = sq_key_bind,
        .key_rotate = sq_key_rotate,
        .compact = sq_compact,
        .stats_facts = ctip_sqlite_stats_facts,
        .stats_version = ctip_sqlite_stats_version,
        .figures_add = ctip_sqlite_figures_add,
        .figures_load = ctip_sqlite_figures_load,
        .release_add = ctip_sqlite_release_add,
        .release_each = ctip_sqlite_release_each,
        .release_budget = ctip_sqlite_release_budget,
        .link_input = ctip_sq_link_input,
        .link_save = ctip_sq_link_save,
        .link_persons = ctip_sq_link_persons,
        .link_changed = ctip_sq_link_changed,
        .link_keys = ctip_sq_link_keys,
        .link_uncertain = ctip_sq_link_uncertain,
        .link_pairs = ctip_sq_link_pairs,
        .link_params = ctip_sq_link_params,
        .link_freq = ctip_sq_link_freq,
        .link_cache_put = ctip_sq_link_cache_put,
        .link_cache_get = ctip_sq_link_cache_get,
        .link_cache_ids = ctip_sq_link_cache_ids,
        .link_freq_total = ctip_sq_link_freq_total,
        .link_pair_state = ctip_sq_link_pair_state,
        .link_current = ctip_sq_link_current,
        .link_decide = ctip_sq_link_decide,
        .link_decisions = ctip_sq_link_decisions,
        .link_victim_cases = ctip_sq_link_victim_cases,
};

/* SQL function ctip_fold(text): the folded form (text.h), so that results sort as users read
 * them (Đặng with Dang, not after Z). */
static void sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	char *f = t ? ctip_text_fold(t) : NULL;
	if (f)
		sqlite3_result_text(cx, f, -1, free);
	else
		sqlite3_result_null(cx);
}

/* SQL function ctip_sortkey(identity, id): the name's sort key sealed with the identity
 * (name_sortkey), read without unpacking the rest. An identity that does not open is an
 * error. */
static void sql_sortkey(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	int64_t pid = sqlite3_value_int64(argv[1]);
	const void *b = sqlite3_value_blob(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	unsigned char buf[2048], *m = buf;
	ctip_err e = {0};
	if (!b) {
		sqlite3_result_text(cx, "\x01\x01\x01", 3, SQLITE_STATIC);
		return;
	}
	if (!s->base.crypto) {
		no_key(s, &e);
		sqlite3_result_error(cx, e.msg, -1);
		return;
	}
	size_t mlen = n >= CTIP_SEAL_OVERHEAD ? (size_t)n - CTIP_SEAL_OVERHEAD : 0;
	if (mlen > sizeof(buf) && !(m = malloc(mlen))) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	const unsigned char *key = NULL;
	size_t klen = 0;
	if (identity_unseal(s, pid, b, n, m) || identity_key(m, mlen, &key, &klen)) {
		identity_error(s, pid, &e);
		sqlite3_result_error(cx, e.msg, -1);
	} else {
		sqlite3_result_text(cx, (const char *)key, (int)klen, SQLITE_TRANSIENT);
	}
	sodium_memzero(m, mlen);
	if (m != buf)
		free(m);
}

/* SQL functions of migration 0003, which seals the records of a database in clear. */

/* ctip_seal(place, text): text sealed for its place; NULL for NULL or ''. */
static void sql_seal(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	const char *ad = (const char *)sqlite3_value_text(argv[0]);
	const char *v = (const char *)sqlite3_value_text(argv[1]);
	if (!v || !*v || !ad) {
		sqlite3_result_null(cx);
		return;
	}
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	size_t n = strlen(v);
	unsigned char *b = malloc(n + CTIP_SEAL_OVERHEAD);
	if (!b) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	ctip_seal(s->base.crypto, v, n, ad, strlen(ad), b);
	sqlite3_result_blob(cx, b, (int)(n + CTIP_SEAL_OVERHEAD), free);
}

/* ctip_seal_identity(id, the values of identity_fields in order): the sealed identity. */
static void sql_seal_identity(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	ctip_row r;
	ctip_err e = {0};
	unsigned char *b;
	int n;
	ctip_row_init(&r);
	for (int i = 0; i < N_IDENTITY; i++)
		r.v[identity_fields[i]] = (char *)sqlite3_value_text(argv[1 + i]);
	if (identity_seal(s, sqlite3_value_int64(argv[0]), &r, &b, &n, NULL, &e))
		sqlite3_result_error(cx, e.msg, -1);
	else
		sqlite3_result_blob(cx, b, n, free);
}

/* ctip_bidx(domain, normalised value): its blind index; NULL for NULL. */
static void sql_bidx(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	const char *d = (const char *)sqlite3_value_text(argv[0]);
	const char *v = (const char *)sqlite3_value_text(argv[1]);
	unsigned char h[CTIP_BIDX_BYTES];
	if (!v || !d) {
		sqlite3_result_null(cx);
		return;
	}
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	ctip_bidx(s->base.crypto, d[0] == 'p' ? CTIP_BIDX_PHONE : CTIP_BIDX_DOCNO, v, strlen(v), h);
	sqlite3_result_blob(cx, h, sizeof(h), SQLITE_TRANSIENT);
}

/* ctip_name_doc(sort key, organisation id, global): a name-index document (name_doc). */
static void sql_name_doc(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	const char *key = (const char *)sqlite3_value_text(argv[0]);
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	char *t = name_doc(s, key ? key : "", sqlite3_value_int64(argv[1]),
	                   sqlite3_value_int(argv[2]));
	if (t)
		sqlite3_result_text(cx, t, -1, free);
	else
		sqlite3_result_error_nomem(cx);
}

/* ctip_name_bidx(family, middle, given): the name index's blind-index tokens. */
static void sql_name_bidx(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite_store *s = sqlite3_user_data(cx);
	if (!s->base.crypto) {
		sqlite3_result_error(cx, "no key loaded", -1);
		return;
	}
	char *t = identity_tokens(s, (const char *)sqlite3_value_text(argv[0]),
	                          (const char *)sqlite3_value_text(argv[1]),
	                          (const char *)sqlite3_value_text(argv[2]));
	if (t)
		sqlite3_result_text(cx, t, -1, free);
	else
		sqlite3_result_error_nomem(cx);
}

int ctip_store_sqlite_open(const char *path, int create, ctip_store **out, ctip_err *e)
{
	sqlite_store *s = calloc(1, sizeof(*s));
	if (!s)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	s->base.ops = &sqlite_ops;
	snprintf(s->base.path, sizeof(s->base.path), "%s", path);
	/* one connection per store, used by one thread at a time: no per-call mutex */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		int rc = ctip_err_set(e, CTIP_EDB, "%s: cannot open database: %s%s", path,
		                      s->db ? sqlite3_errmsg(s->db) : "out of memory",
		                      create ? "" : " (run `ctip init` first)");
		sqlite3_close(s->db);
		free(s);
		return rc;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_create_function(s->db, "ctip_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                        sql_fold, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_sortkey", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_sortkey, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_seal", 2, SQLITE_UTF8, s, sql_seal, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_seal_identity", 1 + N_IDENTITY, SQLITE_UTF8, s,
	                        sql_seal_identity, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_bidx", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_bidx, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_name_doc", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_name_doc, NULL, NULL);
	sqlite3_create_function(s->db, "ctip_name_bidx", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                        sql_name_bidx, NULL, NULL);
	/* 16 KiB pages (effective when the file is created): a first load of a million records
	 * took 43 s with 4 KiB pages and 35 s with these; 64 KiB pages slowed searches. */
	int rc = exec_sql(
	        s,
	        "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
	        "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; "
	        "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -524288;",
	        e);
	int version = 0;
	ctip_err ignored = {0}; /* not a database: the first statement says so */
	if (rc == CTIP_OK && sq_schema_version(&s->base, &version, &ignored) == CTIP_OK &&
	    version >= 7)
		rc = audit_attach(s, e);
	if (rc) {
		sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return CTIP_OK;
}

/* The connection, for the server's operations (store_sqlite_srv.c). */
sqlite3 *ctip_store_sqlite_db(ctip_store *base);
sqlite3 *ctip_store_sqlite_db(ctip_store *base)
{
	return ((sqlite_store *)base)->db;
}
