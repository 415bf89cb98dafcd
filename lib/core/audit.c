/*
 * audit.c - hash-chained audit entries (see audit.h).
 */
#include "audit.h"

#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Each field goes in with its length, so that moving text between fields changes the hash. */
static void put_field(crypto_generichash_state *h, const char *v)
{
	unsigned char len[8];
	size_t n = v ? strlen(v) : 0;
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	crypto_generichash_update(h, len, sizeof(len));
	crypto_generichash_update(h, (const unsigned char *)(v ? v : ""), n);
}

void ctip_audit_hash(const struct ctip_audit_entry *a, char out[129])
{
	unsigned char digest[32];
	char id[32];
	crypto_generichash_state h;
	snprintf(id, sizeof(id), "%lld", (long long)a->id);
	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	put_field(&h, a->prev_hash);
	put_field(&h, id);
	put_field(&h, a->at);
	put_field(&h, a->actor);
	put_field(&h, a->action);
	put_field(&h, a->object);
	put_field(&h, a->detail);
	crypto_generichash_final(&h, digest, sizeof(digest));
	sodium_bin2hex(out, 129, digest, sizeof(digest));
}

int ctip_audit_each(ctip_store *s, const char *actor, const char *action,
                    const char *const *objects, int n, const char *detail, ctip_err *e)
{
	char who[96];
	if (!actor) {
		struct passwd *pw = getpwuid(getuid());
		snprintf(who, sizeof(who), "cli:%s", pw ? pw->pw_name : "unknown");
		actor = who;
	}
	struct ctip_audit_new *v = calloc((size_t)(n > 0 ? n : 1), sizeof(*v));
	if (!v)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		v[i] = (struct ctip_audit_new){actor, action, objects[i], detail};
	int rc = ctip_audit_batch(s, v, n, e);
	free(v);
	return rc;
}

int ctip_audit(ctip_store *s, const char *actor, const char *action, const char *object,
               const char *detail, ctip_err *e)
{
	return ctip_audit_each(s, actor, action, &object, 1, detail, e);
}

struct verify {
	int64_t prev_id, bad_id;
	char prev_hash[129];
	long n;
	const struct ctip_audit_head *want; /* a head recorded earlier, outside the log */
	int want_seen;
	ctip_err *e;
};

static int check_entry(void *ctx, const struct ctip_audit_entry *a)
{
	struct verify *v = ctx;
	char want[129];
	v->n++;
	if (a->id != v->prev_id + 1) {
		v->bad_id = a->id;
		return ctip_err_set(
		        v->e, CTIP_EINVAL, "entry %lld: entries %lld to %lld are missing (removed)",
		        (long long)a->id, (long long)v->prev_id + 1, (long long)a->id - 1);
	}
	if (strcmp(a->prev_hash, v->prev_hash) != 0) {
		v->bad_id = a->id;
		return ctip_err_set(v->e, CTIP_EINVAL,
		                    "entry %lld does not follow entry %lld: an entry was removed, "
		                    "inserted or altered there",
		                    (long long)a->id, (long long)v->prev_id);
	}
	ctip_audit_hash(a, want);
	if (strcmp(want, a->hash) != 0) {
		v->bad_id = a->id;
		return ctip_err_set(v->e, CTIP_EINVAL, "entry %lld was altered", (long long)a->id);
	}
	if (v->want && a->id == v->want->id) {
		v->want_seen = 1;
		if (strcmp(a->hash, v->want->hash) != 0) {
			v->bad_id = a->id;
			return ctip_err_set(
			        v->e, CTIP_EINVAL,
			        "entry %lld is not the one recorded as the head: the log "
			        "was rewritten up to there",
			        (long long)a->id);
		}
	}
	v->prev_id = a->id;
	snprintf(v->prev_hash, sizeof(v->prev_hash), "%s", a->hash);
	return CTIP_OK;
}

int ctip_audit_verify(ctip_store *s, int64_t *bad_id, long *n, ctip_err *e)
{
	return ctip_audit_verify_head(s, NULL, bad_id, n, NULL, e);
}

int ctip_audit_verify_head(ctip_store *s, const struct ctip_audit_head *want, int64_t *bad_id,
                           long *n, struct ctip_audit_head *head, ctip_err *e)
{
	struct verify v = {.e = e, .want = want};
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	int rc = s->ops->audit_each(s, NULL, check_entry, &v, e);
	*bad_id = v.bad_id;
	*n = v.n;
	if (!rc && want && !v.want_seen) {
		/* the chain that is left is intact, but shorter than it once was */
		*bad_id = v.prev_id + 1;
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "the log ends at entry %lld, but entry %lld was recorded as the "
		                  "head: entries were removed from the end",
		                  (long long)v.prev_id, (long long)want->id);
	}
	if (!rc && head) {
		head->id = v.prev_id;
		snprintf(head->hash, sizeof(head->hash), "%s", v.prev_hash);
	}
	return rc;
}

int ctip_audit_head_parse(const char *text, struct ctip_audit_head *h)
{
	char *end;
	long long id = strtoll(text, &end, 10);
	if (end == text || *end != ':' || id < 1)
		return -1;
	const char *x = end + 1;
	size_t len = strlen(x);
	if (len != 64)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", x[i]))
			return -1;
	h->id = id;
	memcpy(h->hash, x, len + 1);
	return 0;
}

static void now_utc(char at[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(at, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Appends n entries to the chain inside the caller's transaction. With pend (the write-ahead
 * copy of ctip_audit_in_tx), each entry is also kept in the registry's file and listed as
 * chained in the audit file's. */
static int append(ctip_store *s, const struct ctip_audit_new *v, int n, const char *at, int pend,
                  ctip_err *e)
{
	char prev[129], hash[129];
	int64_t last, pid = 0, first = 0;
	int rc;
	if ((rc = s->ops->audit_last(s, &last, prev, e)))
		return rc;
	for (int i = 0; i < n; i++) {
		struct ctip_audit_entry a = {
		        .id = last + 1 + i,
		        .at = at,
		        .actor = v[i].actor ? v[i].actor : "",
		        .action = v[i].action ? v[i].action : "",
		        .object = v[i].object ? v[i].object : "",
		        .detail = v[i].detail ? v[i].detail : "",
		        .prev_hash = prev,
		};
		if (pend && (rc = s->ops->audit_pend(s, &a, &pid, e)))
			return rc;
		if (!first)
			first = pid;
		ctip_audit_hash(&a, hash);
		a.hash = hash;
		if ((rc = s->ops->audit_add(s, &a, e)))
			return rc;
		memcpy(prev, hash, sizeof(prev));
	}
	if (pend && n > 0 && (rc = s->ops->audit_pend_mark(s, first, pid, e)))
		return rc;
	/* the entries of earlier transactions that the chain holds are no longer needed */
	return pend ? s->ops->audit_pend_forget(s, first, e) : CTIP_OK;
}

int ctip_audit_batch(ctip_store *s, const struct ctip_audit_new *v, int n, ctip_err *e)
{
	char at[32];
	int rc;
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	now_utc(at);
	if (s->audit_to) /* a standby's reads, audited on its primary */
		s = s->audit_to;
	if ((rc = s->ops->audit_begin(s, e)))
		return rc;
	if ((rc = append(s, v, n, at, 0, e)) || (rc = s->ops->commit(s, e))) {
		s->ops->rollback(s);
		return rc;
	}
	return CTIP_OK;
}

int ctip_audit_in_tx(ctip_store *s, const struct ctip_audit_new *v, int n, ctip_err *e)
{
	char at[32];
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	now_utc(at);
	int pend = s->ops->audit_pend && s->ops->audit_pend_mark && s->ops->audit_pend_forget;
	int rc = append(s, v, n, at, pend, e);
	if (rc) {
		char why[sizeof(e->msg)];
		snprintf(why, sizeof(why), "%s", e->msg);
		ctip_err_set(e, rc, "the audit log cannot be written (%s): the change is not kept",
		             why);
	}
	return rc;
}

/* ---- recovery ---- */

struct recover {
	ctip_store *s;
	int64_t last;
	char prev[129];
	long n;
	ctip_err *e;
};

static int recover_one(void *ctx, int64_t pid, const struct ctip_audit_entry *p)
{
	struct recover *r = ctx;
	char hash[129];
	struct ctip_audit_entry a = *p;
	a.id = ++r->last;
	a.prev_hash = r->prev;
	ctip_audit_hash(&a, hash);
	a.hash = hash;
	int rc = r->s->ops->audit_add(r->s, &a, r->e);
	if (!rc)
		rc = r->s->ops->audit_pend_mark(r->s, pid, pid, r->e);
	memcpy(r->prev, hash, sizeof(r->prev));
	r->n++;
	return rc;
}

static int count_one(void *ctx, int64_t pid, const struct ctip_audit_entry *p)
{
	(void)pid;
	(void)p;
	++*(long *)ctx;
	return CTIP_OK;
}

int ctip_audit_recover(ctip_store *s, long *n, ctip_err *e)
{
	struct recover r = {.s = s, .e = e};
	long left = 0;
	int rc;
	*n = 0;
	if (!s->ops->audit_pend_each || !s->ops->audit_pend_forget)
		return CTIP_OK;
	/* the usual case, without a lock: nothing to recover */
	if ((rc = s->ops->audit_pend_each(s, count_one, &left, e)) || !left)
		return rc;
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	/* first the chain, in the audit file alone: under its write lock, the list of what it
	 * holds is final (a writer elsewhere holds that lock until both its files committed) */
	if ((rc = s->ops->audit_begin(s, e)))
		return rc;
	if ((rc = s->ops->audit_last(s, &r.last, r.prev, e)) ||
	    (rc = s->ops->audit_pend_each(s, recover_one, &r, e)) || (rc = s->ops->commit(s, e))) {
		s->ops->rollback(s);
		return rc;
	}
	*n = r.n;
	/* then the registry's copies, in a transaction of their own: a crash between the two
	 * leaves copies the list vouches for, forgotten next time */
	if ((rc = s->ops->begin(s, e)))
		return rc;
	if ((rc = s->ops->audit_pend_forget(s, INT64_MAX, e)) || (rc = s->ops->commit(s, e)))
		s->ops->rollback(s);
	return rc;
}
