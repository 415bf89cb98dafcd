/*
 * store_pg_rows.c - the records on PostgreSQL: a canonical row (row.h) written as the rows of
 * its tables, buffered in COPY's text format and sent with COPY when the transaction commits
 * (one file, one transaction: an import is all or nothing, and a million records go in as a
 * few COPY streams rather than millions of INSERTs); read back in canonical form; found by
 * search. Ids are given here, from the tables' maxima read under an exclusive lock taken by
 * the first write of a transaction, so that children can name their parents before either
 * is sent.
 *
 * The layout of a row (row_group.c), the sealing, blind indexes and name tokens
 * (identity.c) and the ranking of a search (search_top.c) are shared with the SQLite store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "identity.h"
#include "row_group.h"
#include "search_top.h"
#include "store_pg_int.h"
#include "access_rule.h"

static const char *const copy_sql[PT_COUNT] = {
        [PT_CASES] = "COPY cases (id, org_id, src_case_id, status, closure_sealed, opened, "
                     "closed, reopened) FROM STDIN",
        [PT_REFERRAL] = "COPY referral (case_id, direction, seq, other_org_id, date, reason, "
                        "status) FROM STDIN",
        [PT_COMMENT] = "COPY case_comment (case_id, seq, date, body_sealed) FROM STDIN",
        [PT_PERSON] = "COPY person (id, org_id, src_record_id, birth_date, gender, ethnicity, "
                      "province_era, province_code, province_2025, home_country, citizenship, "
                      "identity) FROM STDIN",
        [PT_DOC] = "COPY identity_doc (person_id, seq, doc_type, number_bidx, issued, expires) "
                   "FROM STDIN",
        [PT_PHONE] = "COPY phone (person_id, kind, seq, e164_bidx) FROM STDIN",
        [PT_NAME] = "COPY person_name (person_id, tokens, n_global) FROM STDIN",
        [PT_CASE_PERSON] = "COPY case_person (id, case_id, person_id, role, consent, "
                           "consent_date, consent_scope, perpetrator_roles) FROM STDIN",
        [PT_QUALITY] = "COPY quality_flag (case_person_id, flag) FROM STDIN",
        [PT_VICTIM] = "COPY victim (case_person_id, status, decision_org_type, "
                      "decided_by_org_id, status_date, certificate_kind, age_when_trafficked, "
                      "recruitment_country, recruitment_province, relationship, "
                      "recruiter_org_id, labour_industry, recruitment_methods, recruitment_apps, "
                      "control_methods, exploitation_types, sex_exploitation_types, "
                      "vulnerabilities) FROM STDIN",
        [PT_EXPL] = "COPY exploitation (case_person_id, seq, country, place_sealed, start_date, "
                    "end_date) FROM STDIN",
        [PT_EVENT] = "COPY event (case_person_id, seq, type, date, country, state, city) FROM "
                     "STDIN",
        [PT_ASSIST] = "COPY assistance (case_person_id, seq, kind, date, provider_org_id, "
                      "amount) FROM STDIN",
        [PT_PROC] = "COPY proceeding (case_person_id, seq, stage, date, article, sentence_kind, "
                    "sentence_months) FROM STDIN",
};

/* ---- COPY text format -------------------------------------------------------------------- */

static int put(struct pg_buf *b, const char *v, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return CTIP_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
	return CTIP_OK;
}

/* A field: first (no tab before it) or not; NULL (and "", as on SQLite) is \N; backslash, tab,
 * newline and carriage return escaped. */
static int put_text(struct pg_buf *b, int first, const char *v)
{
	if (!first && put(b, "\t", 1))
		return CTIP_ENOMEM;
	if (!v || !*v)
		return put(b, "\\N", 2);
	const char *run = v;
	for (const char *p = v; *p; p++) {
		const char *esc = *p == '\\'   ? "\\\\"
		                  : *p == '\t' ? "\\t"
		                  : *p == '\n' ? "\\n"
		                  : *p == '\r' ? "\\r"
		                               : NULL;
		if (!esc)
			continue;
		if (put(b, run, (size_t)(p - run)) || put(b, esc, 2))
			return CTIP_ENOMEM;
		run = p + 1;
	}
	return put(b, run, strlen(run));
}

static int put_int(struct pg_buf *b, int first, int64_t v)
{
	char n[24];
	snprintf(n, sizeof(n), "%lld", (long long)v);
	return put_text(b, first, n);
}

/* bytea in hex: \x then two digits a byte (the backslash itself escaped for COPY) */
static int put_bytea(struct pg_buf *b, const unsigned char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (put(b, "\t", 1))
		return CTIP_ENOMEM;
	if (!v)
		return put(b, "\\N", 2);
	if (put(b, "\\\\x", 3))
		return CTIP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char h[2] = {hex[v[i] >> 4], hex[v[i] & 15]};
		if (put(b, h, 2))
			return CTIP_ENOMEM;
	}
	return CTIP_OK;
}

static int put_end(pg_store *s, struct pg_buf *b)
{
	b->rows++;
	size_t before = b->len;
	int rc = put(b, "\n", 1);
	s->buffered += b->len - before;
	return rc;
}

void pg_buf_reset(pg_store *s)
{
	ctip_err ign;
	pg_flush_wait(s, &ign); /* its result is of a transaction being given up */
	for (int t = 0; t < PT_COUNT; t++) {
		free(s->buf[t].p);
		free(s->fbuf[t].p);
		memset(&s->buf[t], 0, sizeof(s->buf[t]));
		memset(&s->fbuf[t], 0, sizeof(s->fbuf[t]));
	}
	s->buffered = 0;
}

/* COPY of buffer b into target (a table, or a temporary twin of it). */
static int copy_into(pg_store *s, struct pg_buf *b, const char *sql, ctip_err *e)
{
	PGresult *r = PQexec(s->db, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		int rc = pg_fail(s, r, e, "COPY");
		PQclear(r);
		return rc;
	}
	PQclear(r);
	/* in pieces: PQputCopyData takes an int length */
	for (size_t at = 0; at < b->len;) {
		size_t n = b->len - at > (1u << 24) ? (1u << 24) : b->len - at;
		if (PQputCopyData(s->db, b->p + at, (int)n) != 1)
			return pg_fail(s, NULL, e, "COPY");
		at += n;
	}
	if (PQputCopyEnd(s->db, NULL) != 1)
		return pg_fail(s, NULL, e, "COPY");
	int rc = CTIP_OK;
	while ((r = PQgetResult(s->db))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
			rc = pg_fail(s, r, e, sql);
		PQclear(r);
	}
	return rc;
}

/* Under row-level security (the server's role; the tables' owner too, the security being
 * forced) PostgreSQL refuses COPY into the table: the rows go into a temporary twin, then
 * into the table with INSERT, which the policies check row by row. */
static int copy_via_temp(pg_store *s, int t, struct pg_buf *b, ctip_err *e)
{
	const char *c = copy_sql[t] + 5, *open = strchr(c, '('), *close = strchr(c, ')');
	char table[40], cols[600], sql[1500];
	snprintf(table, sizeof(table), "%.*s", (int)(open - 1 - c), c);
	snprintf(cols, sizeof(cols), "%.*s", (int)(close - open + 1), open);
	snprintf(
	        sql, sizeof(sql),
	        "CREATE TEMP TABLE IF NOT EXISTS ctip_in_%s (LIKE %s INCLUDING DEFAULTS) ON COMMIT "
	        "DELETE ROWS",
	        table, table);
	int rc = pg_exec(s, sql, e);
	if (rc)
		return rc;
	snprintf(sql, sizeof(sql), "COPY ctip_in_%s %s FROM STDIN", table, cols);
	if ((rc = copy_into(s, b, sql, e)))
		return rc;
	snprintf(sql, sizeof(sql),
	         "INSERT INTO %s %s SELECT %.*s FROM ctip_in_%s; TRUNCATE ctip_in_%s", table, cols,
	         (int)strlen(cols) - 2, cols + 1, table, table);
	return pg_exec(s, sql, e);
}

/* The COPYs of the buffers bufs (s->buf, or s->fbuf in the background), emptied. */
static int send_bufs(pg_store *s, struct pg_buf *bufs, ctip_err *e)
{
	for (int t = 0; t < PT_COUNT; t++) {
		struct pg_buf *b = &bufs[t];
		if (!b->len)
			continue;
		int rc = s->rls ? copy_via_temp(s, t, b, e) : copy_into(s, b, copy_sql[t], e);
		if (rc)
			return rc;
		b->len = 0;
		b->rows = 0;
		/* (a period of exploitation added to a linked record is listed for linkage by the
		 * statement's trigger: store_pg_link_watch.c) */
	}
	return CTIP_OK;
}

/* set in the flusher's thread: its own queries do not wait for it */
static _Thread_local int in_flusher;

int pg_flush_wait(pg_store *s, ctip_err *e)
{
	if (!s->flushing || in_flusher)
		return CTIP_OK;
	pthread_join(s->flusher, NULL);
	s->flushing = 0;
	int rc = s->frc;
	s->frc = CTIP_OK;
	if (rc && e)
		*e = s->ferr;
	return rc;
}

int pg_flush(pg_store *s, ctip_err *e)
{
	int rc = pg_flush_wait(s, e);
	if (rc || (rc = send_bufs(s, s->buf, e)))
		return rc;
	s->buffered = 0;
	return CTIP_OK;
}

static void *flusher_main(void *arg)
{
	pg_store *s = arg;
	in_flusher = 1;
	s->frc = send_bufs(s, s->fbuf, &s->ferr);
	return NULL;
}

/* The buffers sent by a thread while the writer goes on with the next rows: on two cores the
 * server parses and stores one batch while ctip seals and encodes the next (sent in the
 * writer's own thread, a load waited for the server about as long as the server worked). The
 * previous batch is waited for first: its COPYs come before these, and a failure stops the
 * load there. */
static int flush_behind(pg_store *s, ctip_err *e)
{
	int rc = pg_flush_wait(s, e);
	if (rc)
		return rc;
	for (int t = 0; t < PT_COUNT; t++) { /* the sent buffers' memory is the next batch's */
		struct pg_buf sent = s->fbuf[t];
		s->fbuf[t] = s->buf[t];
		s->buf[t] = sent;
	}
	s->buffered = 0;
	s->frc = CTIP_OK;
	s->flushing = 1;
	if (pthread_create(&s->flusher, NULL, flusher_main, s) == 0)
		return CTIP_OK;
	s->flushing = 0;
	return send_bufs(s, s->fbuf, e); /* no thread: here, as before */
}

/* The ids of the first write of a transaction: the tables are locked against other writers
 * (readers go on) until it ends, so the maxima stay ours. */
static int ids_lock(pg_store *s, ctip_err *e)
{
	if (s->ids_locked)
		return CTIP_OK;
	if (!s->in_tx)
		return ctip_err_set(e, CTIP_EINVAL, "%s: a write outside a transaction",
		                    s->base.path);
	PGresult *r;
	int rc = pg_exec(s, "LOCK TABLE cases, person, case_person IN EXCLUSIVE MODE", e);
	/* the maxima of the whole registry, past row-level security (ctip_max_ids: 0006) */
	if (rc || (rc = pg_query(s, "SELECT * FROM ctip_max_ids()", 0, NULL, &r, e, "ids")))
		return rc;
	s->next_case = strtoll(PQgetvalue(r, 0, 0), NULL, 10) + 1;
	s->next_person = strtoll(PQgetvalue(r, 0, 1), NULL, 10) + 1;
	s->next_cp = strtoll(PQgetvalue(r, 0, 2), NULL, 10) + 1;
	PQclear(r);
	s->ids_locked = 1;
	return CTIP_OK;
}

static int after_row(pg_store *s, ctip_err *e)
{
	size_t bytes = 0; /* s->buffered counts rows' ends: whether anything waits */
	for (int t = 0; t < PT_COUNT; t++)
		bytes += s->buf[t].len;
	return bytes >= PG_FLUSH_BYTES ? flush_behind(s, e) : CTIP_OK;
}

static int nomem(ctip_err *e)
{
	return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
}

/* A sealed field (NULL when v is empty). */
static int put_sealed(pg_store *s, struct pg_buf *b, const char *v, const char *what, int64_t owner,
                      int seq, ctip_err *e)
{
	unsigned char *x;
	size_t n;
	int rc = ctip_value_seal(s->base.crypto, s->base.path, v, what, owner, seq, &x, &n, e);
	if (rc)
		return rc;
	rc = put_bytea(b, x, n);
	free(x);
	return rc ? nomem(e) : CTIP_OK;
}

static int put_json(struct pg_buf *b, const char *list)
{
	char *j;
	if (ctip_list_to_json(list, &j))
		return CTIP_ENOMEM;
	int rc = put_text(b, 0, j);
	free(j);
	return rc;
}

/* An organisation named in a field, as its id (NULL when empty). */
static int put_org(pg_store *s, struct pg_buf *b, const char *name, ctip_err *e)
{
	int64_t id;
	int rc;
	if (!name || !*name)
		return put_text(b, 0, NULL) ? nomem(e) : CTIP_OK;
	if ((rc = pg_org_id(s, name, &id, e)))
		return rc;
	return put_int(b, 0, id) ? nomem(e) : CTIP_OK;
}

/* ---- writing ------------------------------------------------------------------------------ */

int pg_case_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc;
	if ((rc = ids_lock(s, e)))
		return rc;
	*id = s->next_case++;
	struct pg_buf *b = &s->buf[PT_CASES];
	if (put_int(b, 1, *id) || put_int(b, 0, org) || put_text(b, 0, r->v[CF_SRC_CASE]) ||
	    put_text(b, 0, r->v[CF_CAS_STATUS]))
		return nomem(e);
	if ((rc = put_sealed(s, b, r->v[CF_CAS_CLOSURE], "cases.closure_reason", *id, -1, e)))
		return rc;
	if (put_text(b, 0, r->v[CF_CAS_OPENED]) || put_text(b, 0, r->v[CF_CAS_CLOSED]) ||
	    put_text(b, 0, r->v[CF_CAS_REOPENED]) || put_end(s, b))
		return nomem(e);
	static const int out_cols[] = {CF_REF_TO, CF_REF_DATE, CF_REF_REASON, CF_REF_STATUS};
	static const int in_cols[] = {CF_INREF_FROM, CF_INREF_DATE, CF_INREF_REASON};
	b = &s->buf[PT_REFERRAL];
	for (int dir = 0; dir < 2 && !rc; dir++) {
		struct ctip_group g;
		if (ctip_group_open(&g, r, dir ? in_cols : out_cols, dir ? 3 : 4)) {
			ctip_group_close(&g);
			return nomem(e);
		}
		for (int i = 0; i < g.n && !rc; i++) {
			int64_t other;
			if ((rc = pg_org_id(s, ctip_group_item(&g, 0, i), &other, e)))
				break;
			if (put_int(b, 1, *id) || put_text(b, 0, dir ? "in" : "out") ||
			    put_int(b, 0, i) || put_int(b, 0, other) ||
			    put_text(b, 0, ctip_group_item(&g, 1, i)) ||
			    put_text(b, 0, ctip_group_item(&g, 2, i)) ||
			    put_text(b, 0, dir ? NULL : ctip_group_item(&g, 3, i)) || put_end(s, b))
				rc = nomem(e);
		}
		ctip_group_close(&g);
	}
	static const int com_cols[] = {CF_COMMENT, CF_COMMENT_DATE};
	struct ctip_group g;
	b = &s->buf[PT_COMMENT];
	if (!rc && ctip_group_open(&g, r, com_cols, 2) == CTIP_OK) {
		for (int i = 0; i < g.n && !rc; i++) {
			if (put_int(b, 1, *id) || put_int(b, 0, i) ||
			    put_text(b, 0, ctip_group_item(&g, 1, i)))
				rc = nomem(e);
			else if (!(rc = put_sealed(s, b, ctip_group_item(&g, 0, i),
			                           "case_comment.body", *id, i, e)) &&
			         put_end(s, b))
				rc = nomem(e);
		}
	} else if (!rc) {
		rc = nomem(e);
	}
	ctip_group_close(&g);
	return rc ? rc : after_row(s, e);
}

/* Phones of one kind: the blind index of each (the numbers are in the sealed identity). */
static int add_phones(pg_store *s, int64_t pid, const char *kind, const char *list, ctip_err *e)
{
	char **it;
	int n, rc = CTIP_OK;
	struct pg_buf *b = &s->buf[PT_PHONE];
	if (ctip_list_split(list, &it, &n))
		return nomem(e);
	for (int i = 0; i < n && !rc; i++) {
		unsigned char bidx[CTIP_BIDX_BYTES];
		ctip_phone_bidx(s->base.crypto, it[i], bidx);
		if (put_int(b, 1, pid) || put_text(b, 0, kind) || put_int(b, 0, i) ||
		    put_bytea(b, bidx, sizeof(bidx)) || put_end(s, b))
			rc = nomem(e);
	}
	ctip_list_free(it, n);
	return rc;
}

static int add_docs(pg_store *s, int64_t pid, const ctip_row *r, ctip_err *e)
{
	static const int doc_cols[] = {CF_DOC_TYPE, CF_DOC_NUMBER, CF_DOC_ISSUED, CF_DOC_EXPIRES};
	struct ctip_group g;
	struct pg_buf *b = &s->buf[PT_DOC];
	int rc = CTIP_OK;
	if (ctip_group_open(&g, r, doc_cols, 4)) {
		ctip_group_close(&g);
		return nomem(e);
	}
	for (int i = 0; i < g.n && !rc; i++) {
		unsigned char bidx[CTIP_BIDX_BYTES];
		if (ctip_docno_bidx(s->base.crypto, ctip_group_item(&g, 1, i), bidx) ||
		    put_int(b, 1, pid) || put_int(b, 0, i) ||
		    put_text(b, 0, ctip_group_item(&g, 0, i)) || put_bytea(b, bidx, sizeof(bidx)) ||
		    put_text(b, 0, ctip_group_item(&g, 2, i)) ||
		    put_text(b, 0, ctip_group_item(&g, 3, i)) || put_end(s, b))
			rc = nomem(e);
	}
	ctip_group_close(&g);
	return rc;
}

/* The name index: the record's tokens (global and scoped to its organisation) as an array
 * literal; base32 tokens need no quoting. */
static int add_name(pg_store *s, int64_t pid, int64_t org, const char *sortkey, ctip_err *e)
{
	int nglobal;
	char *doc = ctip_name_doc(s->base.crypto, sortkey, org, 1, &nglobal);
	if (!doc)
		return nomem(e);
	int rc = CTIP_OK;
	if (*doc) {
		struct pg_buf *b = &s->buf[PT_NAME];
		for (char *p = doc; *p; p++)
			if (*p == ' ')
				*p = ',';
		if (put_int(b, 1, pid) || put(b, "\t{", 2) || put(b, doc, strlen(doc)) ||
		    put(b, "}", 1) || put_int(b, 0, nglobal) || put_end(s, b))
			rc = nomem(e);
	}
	free(doc);
	return rc;
}

int pg_person_add(ctip_store *base, int64_t org, const ctip_row *r, int64_t *id, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc;
	if (!s->base.crypto)
		return ctip_no_key(s->base.path, e);
	if ((rc = ids_lock(s, e)))
		return rc;
	*id = s->next_person++;
	const char *era, *pcode, *p2025;
	ctip_province_codes(s->base.ref, r, &era, &pcode, &p2025);
	unsigned char *identity = NULL;
	int ilen = 0;
	char *sortkey = NULL;
	if ((rc = ctip_identity_seal(s->base.crypto, s->base.path, *id, r, &identity, &ilen,
	                             &sortkey, e)))
		return rc;
	struct pg_buf *b = &s->buf[PT_PERSON];
	if (put_int(b, 1, *id) || put_int(b, 0, org) || put_text(b, 0, r->v[CF_SRC_RECORD]) ||
	    put_text(b, 0, r->v[CF_BIRTH]) || put_text(b, 0, r->v[CF_GENDER]) ||
	    put_text(b, 0, r->v[CF_ETHNICITY]) || put_text(b, 0, era) || put_text(b, 0, pcode) ||
	    put_text(b, 0, p2025) || put_text(b, 0, r->v[CF_HOME_COUNTRY]) ||
	    put_json(b, r->v[CF_CITIZENSHIP]) || put_bytea(b, identity, (size_t)ilen) ||
	    put_end(s, b))
		rc = nomem(e);
	free(identity);
	if (!rc && !(rc = add_phones(s, *id, "mobile", r->v[CF_MOBILE], e)) &&
	    !(rc = add_phones(s, *id, "home", r->v[CF_HOMEPHONE], e)) &&
	    !(rc = add_docs(s, *id, r, e)))
		rc = add_name(s, *id, org, sortkey, e);
	free(sortkey);
	return rc ? rc : after_row(s, e);
}

/* Rewrites a record's person-level columns (all but its organisation and record id): its
 * documents, phones and name tokens are replaced (sent with the transaction's other rows). */
int pg_person_update(ctip_store *base, int64_t id, const ctip_row *r, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc;
	if (!s->base.crypto)
		return ctip_no_key(s->base.path, e);
	if (!s->in_tx)
		return ctip_err_set(e, CTIP_EINVAL, "%s: a write outside a transaction",
		                    s->base.path);
	PGresult *q;
	if ((rc = pg_qf(s, &q, e, "record", "SELECT org_id FROM person WHERE id = $1 FOR UPDATE",
	                "i", (long long)id)))
		return rc;
	if (!PQntuples(q)) {
		PQclear(q);
		return ctip_err_set(e, CTIP_ENOTFOUND, "no such record P%lld", (long long)id);
	}
	int64_t org = strtoll(PQgetvalue(q, 0, 0), NULL, 10);
	PQclear(q);
	const char *era, *pcode, *p2025;
	ctip_province_codes(s->base.ref, r, &era, &pcode, &p2025);
	unsigned char *identity = NULL;
	int ilen = 0;
	char *sortkey = NULL, *cit = NULL;
	if ((rc = ctip_identity_seal(s->base.crypto, s->base.path, id, r, &identity, &ilen,
	                             &sortkey, e)))
		return rc;
	if (ctip_list_to_json(r->v[CF_CITIZENSHIP], &cit))
		rc = nomem(e);
	if (!rc)
		rc = pg_qf(s, NULL, e, "record", "DELETE FROM identity_doc WHERE person_id = $1",
		           "i", (long long)id);
	if (!rc)
		rc = pg_qf(s, NULL, e, "record", "DELETE FROM phone WHERE person_id = $1", "i",
		           (long long)id);
	if (!rc)
		rc = pg_qf(s, NULL, e, "record", "DELETE FROM person_name WHERE person_id = $1",
		           "i", (long long)id);
	if (!rc)
		rc = pg_qf(
		        s, NULL, e, "record",
		        "UPDATE person SET birth_date = $2, gender = $3, ethnicity = $4, "
		        "province_era = $5, province_code = $6, province_2025 = $7, home_country "
		        "= $8, citizenship = $9, identity = $10, version = version + 1 WHERE id = "
		        "$1",
		        "issssssssb", (long long)id, r->v[CF_BIRTH], r->v[CF_GENDER],
		        r->v[CF_ETHNICITY], era, pcode, p2025, r->v[CF_HOME_COUNTRY], cit, identity,
		        (size_t)ilen);
	free(identity);
	free(cit);
	if (!rc && !(rc = add_phones(s, id, "mobile", r->v[CF_MOBILE], e)) &&
	    !(rc = add_phones(s, id, "home", r->v[CF_HOMEPHONE], e)) &&
	    !(rc = add_docs(s, id, r, e)))
		rc = add_name(s, id, org, sortkey, e);
	free(sortkey);
	return rc;
}

/* The items of a group into table t: owner, seq, then the columns; organisations as their
 * ids, integers as integers, column `sealed` (-1: none) sealed for the place `what`. */
static int add_group(pg_store *s, enum pg_table t, int64_t owner, const ctip_row *r,
                     const int *cols, int nf, int sealed, const char *what, ctip_err *e)
{
	struct ctip_group g;
	struct pg_buf *b = &s->buf[t];
	int rc = CTIP_OK;
	if (ctip_group_open(&g, r, cols, nf)) {
		ctip_group_close(&g);
		return nomem(e);
	}
	for (int i = 0; i < g.n && !rc; i++) {
		if (put_int(b, 1, owner) || put_int(b, 0, i)) {
			rc = nomem(e);
			break;
		}
		for (int c = 0; c < nf && !rc; c++) {
			const char *v = ctip_group_item(&g, c, i);
			if (c == sealed)
				rc = put_sealed(s, b, v, what, owner, i, e);
			else if (ctip_fields[cols[c]].type == FT_ORG)
				rc = put_org(s, b, v, e);
			else if (ctip_fields[cols[c]].type == FT_INT && v && *v)
				rc = put_int(b, 0, atoll(v)) ? nomem(e) : CTIP_OK;
			else
				rc = put_text(b, 0, v) ? nomem(e) : CTIP_OK;
		}
		if (!rc && put_end(s, b))
			rc = nomem(e);
	}
	ctip_group_close(&g);
	return rc;
}

int pg_link_add(ctip_store *base, int64_t case_id, int64_t person_id, const ctip_row *r,
                ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	int rc;
	if ((rc = ids_lock(s, e)))
		return rc;
	int64_t cp = s->next_cp++;
	struct pg_buf *b = &s->buf[PT_CASE_PERSON];
	const char *consent = ctip_row_get(r, CF_CONSENT)
	                              ? (strcmp(r->v[CF_CONSENT], "true") == 0 ? "1" : "0")
	                              : NULL;
	if (put_int(b, 1, cp) || put_int(b, 0, case_id) || put_int(b, 0, person_id) ||
	    put_text(b, 0, r->v[CF_ROLE]) || put_text(b, 0, consent) ||
	    put_text(b, 0, r->v[CF_CONSENT_DATE]) || put_json(b, r->v[CF_CONSENT_SCOPE]) ||
	    put_json(b, r->v[CF_PERP_ROLE]) || put_end(s, b))
		return nomem(e);
	/* data-quality flags (CTIP_Q_* of import_map.h: bit i is quality_names[i]), as on SQLite */
	static const char *const quality_names[] = {"expiry_before_issue",
	                                            "birth_after_exploitation", "age_out_of_range"};
	for (unsigned i = 0; i < 3; i++) {
		if (!(r->quality & (1u << i)))
			continue;
		b = &s->buf[PT_QUALITY];
		if (put_int(b, 1, cp) || put_text(b, 0, quality_names[i]) || put_end(s, b))
			return nomem(e);
	}
	if (!strcmp(r->v[CF_ROLE], "Victim")) {
		b = &s->buf[PT_VICTIM];
		char age[16];
		if (ctip_row_get(r, CF_AGE_TRAFFICKED))
			snprintf(age, sizeof(age), "%d", atoi(r->v[CF_AGE_TRAFFICKED]));
		if (put_int(b, 1, cp) || put_text(b, 0, r->v[CF_TR_STATUS]) ||
		    put_text(b, 0, r->v[CF_TR_DECIDER_TYPE]))
			return nomem(e);
		if ((rc = put_org(s, b, r->v[CF_TR_DECIDED_BY], e)))
			return rc;
		if (put_text(b, 0, r->v[CF_TR_DATE]) || put_text(b, 0, r->v[CF_CERTIFICATE]) ||
		    put_text(b, 0, ctip_row_get(r, CF_AGE_TRAFFICKED) ? age : NULL) ||
		    put_text(b, 0, r->v[CF_RECRUIT_COUNTRY]) ||
		    put_text(b, 0, r->v[CF_RECRUIT_PROVINCE]) ||
		    put_text(b, 0, r->v[CF_RELATIONSHIP]))
			return nomem(e);
		if ((rc = put_org(s, b, r->v[CF_RECRUITER], e)))
			return rc;
		if (put_text(b, 0, r->v[CF_INDUSTRY]))
			return nomem(e);
		for (int k = 0; k < 6; k++)
			if (put_json(b, r->v[ctip_victim_lists[k]]))
				return nomem(e);
		if (put_end(s, b))
			return nomem(e);
	}
	static const int expl[] = {CF_EXPL_COUNTRY, CF_EXPL_PLACE, CF_EXPL_START, CF_EXPL_END};
	static const int ev[] = {CF_EV_TYPE, CF_EV_DATE, CF_EV_COUNTRY, CF_EV_STATE, CF_EV_CITY};
	static const int as[] = {CF_AS_KIND, CF_AS_DATE, CF_AS_PROVIDER, CF_AS_AMOUNT};
	static const int pr[] = {CF_PR_STAGE, CF_PR_DATE, CF_PR_ARTICLE, CF_PR_SENTENCE_KIND,
	                         CF_PR_SENTENCE_MONTHS};
	if ((rc = add_group(s, PT_EXPL, cp, r, expl, 4, 1, "exploitation.place", e)) ||
	    (rc = add_group(s, PT_EVENT, cp, r, ev, 5, -1, NULL, e)) ||
	    (rc = add_group(s, PT_ASSIST, cp, r, as, 4, -1, NULL, e)) ||
	    (rc = add_group(s, PT_PROC, cp, r, pr, 5, -1, NULL, e)))
		return rc;
	return after_row(s, e);
}

/* ---- reading ------------------------------------------------------------------------------ */

/* The children of a page of rows, read with one query per table for the whole page (owner =
 * ANY of the page's ids), ordered by owner: the rows of owner x are [start, start + n). */
enum pg_child { PC_COMMENT, PC_DOC, PC_EXPL, PC_EVENT, PC_ASSIST, PC_PROC, PC_REF, PC_COUNT };

static const char *const child_sql[PC_COUNT] = {
        [PC_COMMENT] = "SELECT case_id, body_sealed, date, seq FROM case_comment WHERE case_id = "
                       "ANY ($1::bigint[]) ORDER BY case_id, seq",
        [PC_DOC] = "SELECT person_id, doc_type, NULL, issued, expires FROM identity_doc WHERE "
                   "person_id = ANY ($1::bigint[]) ORDER BY person_id, seq",
        [PC_EXPL] = "SELECT case_person_id, country, place_sealed, start_date, end_date, seq FROM "
                    "exploitation WHERE case_person_id = ANY ($1::bigint[]) ORDER BY "
                    "case_person_id, seq",
        [PC_EVENT] = "SELECT case_person_id, type, date, country, state, city FROM event WHERE "
                     "case_person_id = ANY ($1::bigint[]) ORDER BY case_person_id, seq",
        [PC_ASSIST] = "SELECT a.case_person_id, a.kind, a.date, coalesce(o.name, a.provider_text), "
                      "a.amount FROM assistance "
                      "a LEFT JOIN organisation o ON o.id = a.provider_org_id WHERE "
                      "a.case_person_id = ANY ($1::bigint[]) ORDER BY a.case_person_id, a.seq",
        [PC_PROC] = "SELECT case_person_id, stage, date, article, sentence_kind, sentence_months "
                    "FROM proceeding WHERE case_person_id = ANY ($1::bigint[]) ORDER BY "
                    "case_person_id, seq",
        [PC_REF] = "SELECT r.case_id, r.direction, o.name, r.date, r.reason, r.status FROM "
                   "referral r JOIN organisation o ON o.id = r.other_org_id WHERE r.case_id = "
                   "ANY ($1::bigint[]) ORDER BY r.case_id, r.direction, r.seq",
};

struct pg_children {
	PGresult *q[PC_COUNT];
};

static void children_free(struct pg_children *k)
{
	for (int i = 0; i < PC_COUNT; i++)
		PQclear(k->q[i]);
	memset(k, 0, sizeof(*k));
}

/* An array literal of ids: {1,2,3}. */
static char *id_array(const int64_t *ids, int n)
{
	char *a = malloc((size_t)n * 21 + 3), *w = a;
	if (!a)
		return NULL;
	*w++ = '{';
	for (int i = 0; i < n; i++)
		w += sprintf(w, i ? ",%lld" : "%lld", (long long)ids[i]);
	*w++ = '}';
	*w = 0;
	return a;
}

/* Reads the children of the page's cases, records and links. */
static int children_read(pg_store *s, const int64_t *cids, const int64_t *pids, const int64_t *cps,
                         int n, struct pg_children *k, ctip_err *e)
{
	char *arr[3] = {id_array(cids, n), id_array(pids, n), id_array(cps, n)};
	int rc = CTIP_OK;
	memset(k, 0, sizeof(*k));
	if (!arr[0] || !arr[1] || !arr[2])
		rc = nomem(e);
	if (!rc) { /* every child table in one round trip */
		const char *v[PC_COUNT][1];
		const char *const *vp[PC_COUNT];
		int np[PC_COUNT];
		for (int i = 0; i < PC_COUNT; i++) {
			v[i][0] = arr[i == PC_COMMENT || i == PC_REF ? 0 : i == PC_DOC ? 1 : 2];
			vp[i] = v[i];
			np[i] = 1;
		}
		rc = pg_query_batch(s, PC_COUNT, child_sql, np, vp, k->q, e, "read");
	}
	for (int i = 0; i < 3; i++)
		free(arr[i]);
	if (rc)
		children_free(k);
	return rc;
}

/* The rows of owner in q (ordered by owner, column 0): [*start, *start + returned). */
static int children_of(const PGresult *q, int64_t owner, int *start)
{
	int lo = 0, hi = PQntuples(q);
	while (lo < hi) { /* the first row with owner >= owner */
		int mid = (lo + hi) / 2;
		if (strtoll(PQgetvalue(q, mid, 0), NULL, 10) < owner)
			lo = mid + 1;
		else
			hi = mid;
	}
	int end = lo;
	while (end < PQntuples(q) && strtoll(PQgetvalue(q, end, 0), NULL, 10) == owner)
		end++;
	*start = lo;
	return end - lo;
}

/* The children of owner in q spread over the fields in cols (-1 skips; the owner is column 0,
 * field c column c + 1); column `sealed` (-1: none) is opened for the place `what` with the
 * row's seq, selected after the fields. A group whose items are all empty in one column is
 * reset to unknown (as on SQLite). */
static int read_group(pg_store *s, const PGresult *q, int64_t owner, ctip_row *r, const int *cols,
                      int nf, int sealed, const char *what, ctip_err *e)
{
	int start, n = children_of(q, owner, &start), rc = CTIP_OK, nonempty[8] = {0};
	for (int i = 0; i < n && !rc; i++) {
		int row = start + i;
		for (int c = 0; c < nf && !rc; c++) {
			if (cols[c] < 0)
				continue;
			char *open = NULL;
			const char *v = pg_col(q, row, c + 1);
			if (c == sealed) {
				unsigned char *b;
				size_t bn;
				if (pg_col_bytea(q, row, c + 1, &b, &bn)) {
					rc = nomem(e);
					break;
				}
				rc = ctip_value_open(s->base.crypto, s->base.path, b, bn, what,
				                     owner, atoi(PQgetvalue(q, row, nf + 1)), &open,
				                     e);
				free(b);
				if (rc)
					break;
				v = open;
			}
			nonempty[c] |= v && *v;
			if (ctip_row_push_item(r, cols[c], v ? v : "", i))
				rc = nomem(e);
			free(open);
		}
	}
	if (rc)
		return rc;
	for (int c = 0; c < nf; c++)
		if (cols[c] >= 0 && !nonempty[c])
			ctip_row_take(r, cols[c], NULL);
	return CTIP_OK;
}

static int read_lists(pg_store *s, const struct pg_children *k, int64_t cid, int64_t pid,
                      int64_t cp, ctip_row *r, ctip_err *e)
{
	static const int com[] = {CF_COMMENT, CF_COMMENT_DATE};
	static const int docs[] = {CF_DOC_TYPE, -1, CF_DOC_ISSUED, CF_DOC_EXPIRES};
	static const int expl[] = {CF_EXPL_COUNTRY, CF_EXPL_PLACE, CF_EXPL_START, CF_EXPL_END};
	static const int ev[] = {CF_EV_TYPE, CF_EV_DATE, CF_EV_COUNTRY, CF_EV_STATE, CF_EV_CITY};
	static const int as[] = {CF_AS_KIND, CF_AS_DATE, CF_AS_PROVIDER, CF_AS_AMOUNT};
	static const int pr[] = {CF_PR_STAGE, CF_PR_DATE, CF_PR_ARTICLE, CF_PR_SENTENCE_KIND,
	                         CF_PR_SENTENCE_MONTHS};
	int rc;
	if ((rc = read_group(s, k->q[PC_COMMENT], cid, r, com, 2, 0, "case_comment.body", e)) ||
	    (rc = read_group(s, k->q[PC_DOC], pid, r, docs, 4, -1, NULL, e)) ||
	    (rc = read_group(s, k->q[PC_EXPL], cp, r, expl, 4, 1, "exploitation.place", e)) ||
	    (rc = read_group(s, k->q[PC_EVENT], cp, r, ev, 5, -1, NULL, e)) ||
	    (rc = read_group(s, k->q[PC_ASSIST], cp, r, as, 4, -1, NULL, e)) ||
	    (rc = read_group(s, k->q[PC_PROC], cp, r, pr, 5, -1, NULL, e)))
		return rc;
	/* referrals, in then out (as SQLite orders them) */
	const PGresult *q = k->q[PC_REF];
	int start, n = children_of(q, cid, &start);
	int nin = 0, nout = 0, any_status = 0, any[2][3] = {{0}};
	for (int j = 0; j < n; j++) {
		int i = start + j, in = !strcmp(PQgetvalue(q, i, 1), "in");
		const int out_cols[] = {CF_REF_TO, CF_REF_DATE, CF_REF_REASON, CF_REF_STATUS};
		const int in_cols[] = {CF_INREF_FROM, CF_INREF_DATE, CF_INREF_REASON};
		int at = in ? nin++ : nout++;
		for (int c = 0; c < (in ? 3 : 4); c++) {
			const char *v = pg_col(q, i, 2 + c);
			if (c == 3)
				any_status |= v && *v;
			else if (c > 0)
				any[in][c] |= v && *v;
			if (ctip_row_push_item(r, in ? in_cols[c] : out_cols[c], v ? v : "", at))
				return nomem(e);
		}
	}
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

/* The columns of rows_sql, in order, as fields (-1: not a field). */
static const int scalar[] = {-1,
                             -1,
                             CF_SRC_ORG,
                             CF_ORG_TYPE,
                             CF_SRC_CASE,
                             CF_CAS_STATUS,
                             CF_CAS_OPENED,
                             CF_CAS_CLOSED,
                             CF_CAS_REOPENED,
                             -1,
                             CF_SRC_RECORD,
                             CF_ROLE,
                             CF_BIRTH,
                             CF_GENDER,
                             CF_ETHNICITY,
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
#define N_SCALAR ((int)(sizeof(scalar) / sizeof(*scalar)))

#define ROWS_SELECT                                                                                \
	"SELECT cp.id, c.id, o.name, o.type, c.src_case_id, c.status, c.opened, c.closed, "        \
	"c.reopened, p.id, p.src_record_id, cp.role, p.birth_date, p.gender, p.ethnicity, "        \
	"p.province_era, p.province_code, p.home_country, v.status, v.decision_org_type, "         \
	"dob.name, v.status_date, v.certificate_kind, v.age_when_trafficked, "                     \
	"v.recruitment_country, v.recruitment_province, v.relationship, rec.name, "                \
	"v.labour_industry, cp.consent, cp.consent_date, p.citizenship, cp.consent_scope, "        \
	"cp.perpetrator_roles, v.recruitment_methods, v.recruitment_apps, v.control_methods, "     \
	"v.exploitation_types, v.sex_exploitation_types, v.vulnerabilities, "                      \
	"p.identity, c.closure_sealed "                                                            \
	"FROM case_person cp JOIN cases c ON c.id = cp.case_id "                                   \
	"JOIN organisation o ON o.id = c.org_id JOIN person p ON p.id = cp.person_id "             \
	"LEFT JOIN victim v ON v.case_person_id = cp.id "                                          \
	"LEFT JOIN organisation dob ON dob.id = v.decided_by_org_id "                              \
	"LEFT JOIN organisation rec ON rec.id = v.recruiter_org_id "
#define ROWS_ORDER                                                                                 \
	" ORDER BY o.name COLLATE \"C\", c.src_case_id COLLATE \"C\", p.src_record_id COLLATE "    \
	"\"C\""

/* Every row, or those of a case ($1) or a record ($2): through a cursor. */
static const char *const rows_sql =
        ROWS_SELECT "WHERE ($1::bigint = 0 OR c.id = $1::bigint) AND ($2::bigint = 0 OR p.id = "
                    "$2::bigint)" ROWS_ORDER;
/* The rows of one case, or of one record: a few rows, read at once by a prepared statement
 * whose plan (by the index of the id) is kept for the session. Why not the cursor: a case
 * view is the server's most frequent read, and the cursor's statement (DECLARE, planned at
 * every call, then FETCH and CLOSE) cost three round trips and 3 ms of planning each. */
const char pg_rows_case_sql[] =
        ROWS_SELECT "WHERE c.id = $1::bigint AND ($2::bigint = 0 OR p.id = $2::bigint)" ROWS_ORDER;
static const char *const rows_person_sql =
        ROWS_SELECT "WHERE p.id = $2::bigint AND ($1::bigint = 0 OR c.id = $1::bigint)" ROWS_ORDER;

/* One row of rows_sql into r: the clear columns, then the sealed ones opened. */
static int read_row(pg_store *s, PGresult *q, int i, const struct pg_children *k, ctip_row *r,
                    ctip_err *e)
{
	for (int c = 0; c < N_SCALAR; c++) {
		const char *v = pg_col(q, i, c);
		if (scalar[c] < 0 || !v)
			continue;
		if (ctip_row_put_stored(r, s->base.ref, scalar[c], v,
		                        c ? pg_col(q, i, c - 1) : NULL))
			return nomem(e);
	}
	int64_t cid = strtoll(PQgetvalue(q, i, 1), NULL, 10),
	        pid = strtoll(PQgetvalue(q, i, 9), NULL, 10);
	r->case_id = cid;
	r->person_id = pid;
	unsigned char *b;
	size_t n;
	char *v[CTIP_IDENTITY_N], *closure;
	if (pg_col_bytea(q, i, N_SCALAR, &b, &n))
		return nomem(e);
	int rc = ctip_identity_open(s->base.crypto, s->base.path, pid, b, (int)n, v, e);
	free(b);
	if (rc)
		return rc;
	for (int f = 0; f < CTIP_IDENTITY_N; f++)
		ctip_row_take(r, ctip_identity_fields[f], v[f]);
	if (pg_col_bytea(q, i, N_SCALAR + 1, &b, &n))
		return nomem(e);
	rc = ctip_value_open(s->base.crypto, s->base.path, b, n, "cases.closure_reason", cid, -1,
	                     &closure, e);
	free(b);
	if (rc)
		return rc;
	ctip_row_take(r, CF_CAS_CLOSURE, closure);
	return read_lists(s, k, cid, pid, strtoll(PQgetvalue(q, i, 0), NULL, 10), r, e);
}

/* Rows [from, from + n) of q (n at most 500), with their children, to cb. */
static int rows_page(pg_store *s, PGresult *q, int from, int n, ctip_row *r,
                     int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e)
{
	int64_t ids[3][500];
	struct pg_children k;
	int rc = CTIP_OK;
	for (int i = 0; i < n; i++) {
		ids[0][i] = strtoll(PQgetvalue(q, from + i, 1), NULL, 10); /* case */
		ids[1][i] = strtoll(PQgetvalue(q, from + i, 9), NULL, 10); /* record */
		ids[2][i] = strtoll(PQgetvalue(q, from + i, 0), NULL, 10); /* link */
	}
	if (!n || (rc = children_read(s, ids[0], ids[1], ids[2], n, &k, e)))
		return rc;
	for (int i = 0; i < n && !rc; i++) {
		ctip_row_clear(r);
		if (!(rc = read_row(s, q, from + i, &k, r, e)))
			rc = cb(ctx, r);
	}
	children_free(&k);
	return rc;
}

int pg_rows(ctip_store *base, const struct ctip_row_filter *flt,
            int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	char a[24], b[24];
	snprintf(a, sizeof(a), "%lld", (long long)(flt ? flt->case_id : 0));
	snprintf(b, sizeof(b), "%lld", (long long)(flt ? flt->person_id : 0));
	const char *v[2] = {a, b};
	int rc;
	int own_tx = !s->in_tx;
	if (own_tx && (rc = pg_tx_begin(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e)))
		return rc;
	ctip_row r;
	ctip_row_init(&r);
	if (flt && (flt->case_id || flt->person_id)) {
		PGresult *q;
		if (!(rc = pg_query(s, flt->case_id ? pg_rows_case_sql : rows_person_sql, 2, v, &q,
		                    e, "rows"))) {
			for (int at = 0; !rc && at < PQntuples(q); at += 500)
				rc = rows_page(s, q, at,
				               PQntuples(q) - at < 500 ? PQntuples(q) - at : 500,
				               &r, cb, ctx, e);
			PQclear(q);
		}
		ctip_row_clear(&r);
		goto out;
	}
	/* a cursor: the rows stream in pages rather than all at once */
	char decl[2200];
	snprintf(decl, sizeof(decl), "DECLARE ctip_rows NO SCROLL CURSOR FOR %s", rows_sql);
	if ((rc = pg_query(s, decl, 2, v, NULL, e, "rows")))
		goto out;
	for (;;) {
		PGresult *q;
		if ((rc = pg_query(s, "FETCH 500 FROM ctip_rows", 0, NULL, &q, e, "rows")))
			break;
		int n = PQntuples(q);
		rc = rows_page(s, q, 0, n, &r, cb, ctx, e);
		PQclear(q);
		if (rc || n < 500)
			break;
	}
	ctip_row_clear(&r);
	pg_exec(s, "CLOSE ctip_rows", NULL);
out:
	if (own_tx && s->in_tx)
		pg_exec(s, rc ? "ROLLBACK" : "COMMIT", NULL);
	if (own_tx)
		s->in_tx = 0;
	return rc;
}

/* ---- search ---------------------------------------------------------------------------------- */

/* An array literal of a query's tokens ({a,b}); NULL when it has none. */
static char *token_array(const char *tokens)
{
	size_t tl = strlen(tokens);
	char *arr = tl ? malloc(tl + 3) : NULL;
	if (!arr)
		return NULL;
	snprintf(arr, tl + 3, "{%s}", tokens);
	for (char *p = arr; *p; p++)
		if (*p == ' ')
			*p = ',';
	return arr;
}

#define SEARCH_COLS                                                                                \
	"SELECT p.id, o.name, p.src_record_id, p.identity, p.birth_date, p.province_era, "         \
	"p.province_code, p.org_id FROM person p JOIN organisation o ON o.id = p.org_id "

/* The search's statement: within what an organisation sees, its own records (the tokens
 * scoped to it), and the records of cases referred to it by a live referral whose person
 * consented to share the identity with referral organisations (access.c's rule, made SQL by
 * store_pg_access.c). The referred records are found by name in the organisation's entries of
 * person_referred (0037: ctip_referred_match), and each is asked of the rule again
 * (ctip_referred_shown): the index narrows, the rule decides. The identity-document and phone
 * branches, and the referred half, are written only where the query uses them ($N for N > 0): every
 * branch brings its tables' row-level security policies into the plan, initialised at each
 * execution even when its parameter is NULL; a name's search carried about a hundred such subplans
 * (docs/BENCHMARKS.md). $1: the tokens, $2: the organisation (0: all), $3: the global
 * tokens when referred. */
static void search_sql(char *sql, size_t n, int doc, int phone, int referred)
{
	char match[2][300];
	for (int k = 0; k < 2; k++) {
		int w = snprintf(match[k], sizeof(match[k]),
		                 k ? "SELECT ctip_referred_match($3::text[], $2::bigint)"
		                   : "SELECT ctip_name_match($1::text[])");
		if (doc)
			w += snprintf(
			        match[k] + w, sizeof(match[k]) - (size_t)w,
			        " UNION SELECT person_id FROM identity_doc WHERE number_bidx = $%d",
			        doc);
		if (phone)
			snprintf(match[k] + w, sizeof(match[k]) - (size_t)w,
			         " UNION SELECT person_id FROM phone WHERE e164_bidx = $%d", phone);
	}
	int w = snprintf(sql, n,
	                 SEARCH_COLS "WHERE p.id IN (%s) AND ($2::bigint = 0 OR p.org_id = "
	                             "$2::bigint)",
	                 match[0]);
	if (referred)
		snprintf(sql + w, n - (size_t)w,
		         " UNION ALL " SEARCH_COLS
		         "WHERE p.org_id <> $2::bigint AND p.id IN (SELECT "
		         "ctip_referred_shown(ARRAY(%s), $2::bigint))",
		         match[1]);
}

int pg_search(ctip_store *base, const char *query, int64_t org, int limit,
              int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx, ctip_err *e)
{
	pg_store *s = (pg_store *)base;
	struct ctip_search_q q, q0;
	int rc = ctip_search_q_make(s->base.crypto, s->base.path, query, org, &q, e);
	if (rc)
		return rc;
	/* the records referred to the organisation are found by the global tokens (in its
	 * entries of person_referred) */
	if (org > 0 && (rc = ctip_search_q_make(s->base.crypto, s->base.path, query, 0, &q0, e))) {
		ctip_search_q_free(&q);
		return rc;
	}
	char *arr = token_array(q.tokens), *arr0 = org > 0 ? token_array(q0.tokens) : NULL,
	     orgs[24];
	if ((*q.tokens && !arr) || (org > 0 && *q0.tokens && !arr0)) {
		free(arr);
		free(arr0);
		ctip_search_q_free(&q);
		if (org > 0)
			ctip_search_q_free(&q0);
		return nomem(e);
	}
	snprintf(orgs, sizeof(orgs), "%lld", (long long)org);
	/* the parameters the statement names: the tokens, the organisation, the unscoped tokens
	 * (a search within an organisation), the document's and the phone's blind indexes */
	int referred = org > 0, np = 2, doc = 0, phone = 0;
	const char *v[5] = {arr, orgs};
	int len[5] = {0}, bin[5] = {0};
	if (referred)
		v[np++] = arr0;
	if (q.has_doc) {
		doc = np + 1;
		v[np] = (const char *)q.doc_bidx;
		len[np] = CTIP_BIDX_BYTES;
		bin[np++] = 1;
	}
	if (q.has_phone) {
		phone = np + 1;
		v[np] = (const char *)q.phone_bidx;
		len[np] = CTIP_BIDX_BYTES;
		bin[np++] = 1;
	}
	char sql[2400];
	search_sql(sql, sizeof(sql), doc, phone, referred);
	PGresult *res;
	rc = pg_query_bin(s, sql, np, v, len, bin, &res, e, "search");
	free(arr);
	free(arr0);
	ctip_search_q_free(&q);
	if (org > 0)
		ctip_search_q_free(&q0);
	if (rc)
		return rc;
	struct ctip_search_top t;
	if ((rc = ctip_search_top_init(&t, s->base.crypto, s->base.ref, s->base.path, limit, e))) {
		PQclear(res);
		return rc;
	}
	for (int i = 0; i < PQntuples(res) && !rc; i++) {
		unsigned char *b;
		size_t n;
		if (pg_col_bytea(res, i, 3, &b, &n)) {
			rc = nomem(e);
			break;
		}
		rc = ctip_search_top_add(&t, strtoll(PQgetvalue(res, i, 0), NULL, 10),
		                         strtoll(PQgetvalue(res, i, 7), NULL, 10), b, (int)n,
		                         pg_col(res, i, 1), pg_col(res, i, 2), pg_col(res, i, 4),
		                         pg_col(res, i, 5), pg_col(res, i, 6), e);
		free(b);
	}
	PQclear(res);
	if (!rc)
		rc = ctip_search_top_emit(&t, cb, ctx, e);
	ctip_search_top_free(&t);
	return rc;
}
