/*
 * store_sqlite_records.c - writing records: cases, persons (identity sealed, documents
 * and phones as blind indexes, the name index), the links between them with their victim,
 * exploitation, event, assistance and proceeding rows, and the index of what an
 * organisation may find by name through a referral (person_referred).
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

/* ---- writing rows ------------------------------------------------------------------- */

static int find_id(sqlite_store *s, enum stmt_id sid, int64_t org, const char *src, int64_t *id,
                   ctip_err *e)
{
	sqlite3_stmt *st = sq_stmt(s, sid, e);
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
	                           : sq_db_err(s, e, "find");
}

int sq_org_has_cases(ctip_store *base, int64_t org, int *has, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM cases WHERE org_id = ?)", -1,
	                       &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, "org cases");
	sqlite3_bind_int64(st, 1, org);
	*has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return CTIP_OK;
}

int sq_case_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e)
{
	return find_id((sqlite_store *)b, S_CASE_FIND, org, src, id, e);
}

int sq_person_find(ctip_store *b, int64_t org, const char *src, int64_t *id, ctip_err *e)
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
	sqlite3_stmt *st = sq_stmt(s, sid, e);
	if (!st)
		return CTIP_EDB;
	int rc = sqlite3_step(st);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return sq_db_err(s, e, "next id");
	*cached = s->in_tx ? *id + 1 : 0;
	return CTIP_OK;
}

int sq_case_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	int rc;
	if ((rc = next_id(s, S_CASE_NEXT, id, e)))
		return rc;
	sqlite3_stmt *st = sq_stmt(s, S_CASE_ADD, e);
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, *id);
	sqlite3_bind_int64(st, 2, org);
	sq_bind_text(st, 3, r->v[CF_SRC_CASE]);
	sq_bind_text(st, 4, r->v[CF_CAS_STATUS]);
	if ((rc = sq_bind_sealed(s, st, 5, r->v[CF_CAS_CLOSURE], "cases.closure_reason", *id, -1,
	                         e)))
		return rc;
	sq_bind_text(st, 6, r->v[CF_CAS_OPENED]);
	sq_bind_text(st, 7, r->v[CF_CAS_CLOSED]);
	sq_bind_text(st, 8, r->v[CF_CAS_REOPENED]);
	if ((rc = sq_exec_done(s, st, e)))
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
			if ((rc = sq_org_id(s, group_item(&g, 0, i), &other, e)))
				break;
			if (!(st = sq_stmt(s, S_REF_ADD, e))) {
				rc = CTIP_EDB;
				break;
			}
			sqlite3_bind_int64(st, 1, *id);
			sqlite3_bind_text(st, 2, dir ? "in" : "out", -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 3, i);
			sqlite3_bind_int64(st, 4, other);
			sq_bind_text(st, 5, group_item(&g, 1, i));
			sq_bind_text(st, 6, group_item(&g, 2, i));
			sq_bind_text(st, 7, dir ? NULL : group_item(&g, 3, i));
			rc = sq_exec_done(s, st, e);
		}
		group_close(&g);
	}
	static const int com_cols[] = {CF_COMMENT, CF_COMMENT_DATE};
	struct group g;
	if (!rc && group_open(&g, r, com_cols, 2) == CTIP_OK) {
		for (int i = 0; i < g.n && !rc; i++) {
			if (!(st = sq_stmt(s, S_COMMENT_ADD, e))) {
				rc = CTIP_EDB;
				break;
			}
			sqlite3_bind_int64(st, 1, *id);
			sqlite3_bind_int(st, 2, i);
			sq_bind_text(st, 3, group_item(&g, 1, i));
			if (!(rc = sq_bind_sealed(s, st, 4, group_item(&g, 0, i),
			                          "case_comment.body", *id, i, e)))
				rc = sq_exec_done(s, st, e);
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
		sqlite3_stmt *st = sq_stmt(s, S_PHONE_ADD, e);
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
		rc = sq_exec_done(s, st, e);
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
		if (!(st = sq_stmt(s, S_DOC_ADD, e))) {
			rc = CTIP_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_int(st, 2, i);
		sq_bind_text(st, 3, group_item(&g, 0, i));
		sqlite3_bind_blob(st, 4, bidx, sizeof(bidx), SQLITE_TRANSIENT);
		sq_bind_text(st, 5, group_item(&g, 2, i));
		sq_bind_text(st, 6, group_item(&g, 3, i));
		rc = sq_exec_done(s, st, e);
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
		sqlite3_stmt *st = sq_stmt(s, ids[i], e);
		if (!st)
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, pid);
		rc = sq_exec_done(s, st, e);
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
		return sq_db_err(s, e, "referred");
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
		rc = sq_db_err(s, e, "referred");
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
	sqlite3_stmt *st = sq_stmt(s, S_PERSON_IDENTITY, e);
	char *v[N_IDENTITY];
	int rc;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, pid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no person record P%lld", (long long)pid);
	}
	rc = sq_identity_open(s, pid, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), v,
	                      e);
	*org = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (rc)
		return rc;
	/* the document exactly as written (a contentless index deletes by its tokens) */
	char *key = name_sortkey(v[0], v[1], v[2]);
	char *tokens = key ? sq_name_doc(s, key, *org, 1) : NULL;
	free(key);
	identity_free(v);
	if (!tokens)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (*tokens && (st = sq_stmt(s, S_NAME_DEL, e))) {
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, tokens, -1, SQLITE_STATIC);
		rc = sq_exec_done(s, st, e);
	} else if (*tokens) {
		rc = CTIP_EDB;
	}
	free(tokens);
	if (rc)
		return rc;
	enum stmt_id del[] = {S_DOC_DEL, S_PHONE_DEL};
	for (int i = 0; i < 2 && !rc; i++) {
		if (!(st = sq_stmt(s, del[i], e)))
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, pid);
		rc = sq_exec_done(s, st, e);
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
		return sq_no_key(s, e);
	if (fresh ? (rc = next_id(s, S_PERSON_NEXT, id, e)) : (rc = person_clear(s, *id, &org, e)))
		return rc;
	sqlite3_stmt *st = sq_stmt(s, fresh ? S_PERSON_ADD : S_PERSON_UPDATE, e);
	if (!st)
		return CTIP_EDB;
	const char *era, *pcode, *p2025;
	ctip_province_codes(s->base.ref, r, &era, &pcode, &p2025);
	unsigned char *identity = NULL;
	int ilen = 0;
	char *sortkey = NULL;
	if ((rc = sq_identity_seal(s, *id, r, &identity, &ilen, &sortkey, e)))
		return rc;
	sqlite3_bind_int64(st, 1, org);
	sq_bind_text(st, 2, r->v[CF_SRC_RECORD]);
	sq_bind_text(st, 3, r->v[CF_BIRTH]);
	sq_bind_text(st, 4, r->v[CF_GENDER]);
	sq_bind_text(st, 5, r->v[CF_ETHNICITY]);
	sq_bind_text(st, 6, era);
	sq_bind_text(st, 7, pcode);
	sq_bind_text(st, 8, p2025);
	sq_bind_text(st, 9, r->v[CF_HOME_COUNTRY]);
	sqlite3_bind_blob(st, 11, identity, ilen, free);
	sqlite3_bind_int64(st, 12, *id);
	if (sq_bind_json_list(st, 10, r->v[CF_CITIZENSHIP]) || (rc = sq_exec_done(s, st, e)) ||
	    (rc = add_phones(s, *id, "mobile", r->v[CF_MOBILE], e)) ||
	    (rc = add_phones(s, *id, "home", r->v[CF_HOMEPHONE], e)) ||
	    (rc = add_docs(s, *id, r, e))) {
		free(sortkey);
		return rc ? rc : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}

	/* the name index: blind-index tokens of the folded names (folded once, for the sort key
	 * sealed with the identity) and of the organisation, made here, in the import's writer
	 * thread */
	char *tokens = sq_name_doc(s, sortkey, org, 1);
	free(sortkey);
	if (!tokens)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (*tokens && (st = sq_stmt(s, S_NAME_ADD, e))) {
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_text(st, 2, tokens, -1, SQLITE_STATIC);
		rc = sq_exec_done(s, st, e);
	} else if (*tokens) {
		rc = CTIP_EDB;
	}
	free(tokens);
	if (!rc && !fresh) /* a new name: its documents for referred organisations too */
		rc = referred_refresh(s, *id, e);
	return rc;
}

int sq_person_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e)
{
	return person_write((sqlite_store *)base, org, r, 1, id, e);
}

int sq_person_update(ctip_store *base, int64_t id, const ctip_row *r, ctip_err *e)
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
	int rc = sq_org_id(s, name, &id, e);
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
		sqlite3_stmt *st = sq_stmt(s, sid, e);
		if (!st) {
			rc = CTIP_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, owner);
		sqlite3_bind_int(st, 2, i);
		for (int c = 0; c < nf && !rc; c++) {
			const char *v = group_item(&g, c, i);
			if (c == sealed)
				rc = sq_bind_sealed(s, st, 3 + c, v, what, owner, i, e);
			else if (ctip_fields[cols[c]].type == FT_ORG)
				rc = opt_org(s, st, 3 + c, v, e);
			else if (ctip_fields[cols[c]].type == FT_INT && v && *v)
				sqlite3_bind_int64(st, 3 + c, atoll(v));
			else
				sq_bind_text(st, 3 + c, v);
		}
		if (!rc)
			rc = sq_exec_done(s, st, e);
	}
	group_close(&g);
	return rc;
}

int sq_quality_count(ctip_store *base, const char *flag, long *n, ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st;
	const char *sql = flag ? "SELECT count(*) FROM quality_flag WHERE flag = ?"
	                       : "SELECT count(DISTINCT case_person_id) FROM quality_flag";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_db_err(s, e, sql);
	if (flag)
		sqlite3_bind_text(st, 1, flag, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? CTIP_OK : sq_db_err(s, e, sql);
}

int sq_link_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                ctip_err *e)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = sq_stmt(s, S_LINK_ADD, e);
	int rc;
	if (!st)
		return CTIP_EDB;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, person_id);
	sq_bind_text(st, 3, r->v[CF_ROLE]);
	if (ctip_row_get(r, CF_CONSENT))
		sqlite3_bind_int(st, 4, strcmp(r->v[CF_CONSENT], "true") == 0);
	sq_bind_text(st, 5, r->v[CF_CONSENT_DATE]);
	if (sq_bind_json_list(st, 6, r->v[CF_CONSENT_SCOPE]) ||
	    sq_bind_json_list(st, 7, r->v[CF_PERP_ROLE]))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if ((rc = sq_exec_done(s, st, e)))
		return rc;
	int64_t cp = sqlite3_last_insert_rowid(s->db);
	/* data-quality flags (CTIP_Q_* of import_map.h: bit i is quality_names[i]) */
	static const char *const quality_names[] = {"expiry_before_issue",
	                                            "birth_after_exploitation", "age_out_of_range"};
	for (unsigned i = 0; i < 3; i++) {
		if (!(r->quality & (1u << i)))
			continue;
		if (!(st = sq_stmt(s, S_QUALITY_ADD, e)))
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, cp);
		sqlite3_bind_text(st, 2, quality_names[i], -1, SQLITE_STATIC);
		if ((rc = sq_exec_done(s, st, e)))
			return rc;
	}

	if (!strcmp(r->v[CF_ROLE], "Victim")) {
		if (!(st = sq_stmt(s, S_VICTIM_ADD, e)))
			return CTIP_EDB;
		sqlite3_bind_int64(st, 1, cp);
		sq_bind_text(st, 2, r->v[CF_TR_STATUS]);
		sq_bind_text(st, 3, r->v[CF_TR_DECIDER_TYPE]);
		if ((rc = opt_org(s, st, 4, r->v[CF_TR_DECIDED_BY], e)))
			return rc;
		sq_bind_text(st, 5, r->v[CF_TR_DATE]);
		sq_bind_text(st, 6, r->v[CF_CERTIFICATE]);
		if (ctip_row_get(r, CF_AGE_TRAFFICKED))
			sqlite3_bind_int(st, 7, atoi(r->v[CF_AGE_TRAFFICKED]));
		sq_bind_text(st, 8, r->v[CF_RECRUIT_COUNTRY]);
		sq_bind_text(st, 9, r->v[CF_RECRUIT_PROVINCE]);
		sq_bind_text(st, 10, r->v[CF_RELATIONSHIP]);
		if ((rc = opt_org(s, st, 11, r->v[CF_RECRUITER], e)))
			return rc;
		sq_bind_text(st, 12, r->v[CF_INDUSTRY]);
		for (int k = 0; k < 6; k++)
			if (sq_bind_json_list(st, 13 + k, r->v[ctip_victim_lists[k]]))
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		if ((rc = sq_exec_done(s, st, e)))
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
