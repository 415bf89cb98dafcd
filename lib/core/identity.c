/*
 * identity.c - the back-end-neutral policy of sealing identities, blind indexes, name-index
 * tokens, sort keys and province codes (identity.h). Moved here from store_sqlite.c unchanged
 * in what it computes, so that every back end stores the same bytes.
 */
#include "identity.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* One message per record: a seal per document or phone would cost 40 bytes and 0.6 us each. */
const int ctip_identity_fields[CTIP_IDENTITY_N] = {
        CF_FAMILY,   CF_MIDDLE,        CF_GIVEN,      CF_STREET, CF_COMMUNE,  CF_COMMUNE_CODE,
        CF_DISTRICT, CF_DISTRICT_CODE, CF_DOC_NUMBER, CF_MOBILE, CF_HOMEPHONE};
#define N_IDENTITY CTIP_IDENTITY_N

int ctip_no_key(const char *where, ctip_err *e)
{
	return ctip_err_set(e, CTIP_EINVAL,
	                    "%s: no key loaded: identities cannot be sealed or opened", where);
}

/* "what:owner" or "what:owner:seq" (identity.h). */
int ctip_seal_place(char *buf, size_t n, const char *what, int64_t owner, int seq)
{
	/* "what:owner" or "what:owner:seq", without snprintf: a search opens ~50 identities */
	char num[48], *w = num + sizeof(num);
	size_t wl = strlen(what);
	if (seq >= 0)
		for (unsigned v = (unsigned)seq, first = 1; first || v; v /= 10, first = 0)
			*--w = (char)('0' + v % 10);
	if (seq >= 0)
		*--w = ':';
	unsigned long long o =
	        owner < 0 ? 0 - (unsigned long long)owner : (unsigned long long)owner;
	for (int first = 1; first || o; o /= 10, first = 0)
		*--w = (char)('0' + o % 10);
	if (owner < 0)
		*--w = '-';
	size_t nl = (size_t)(num + sizeof(num) - w);
	if (wl + 1 + nl + 1 > n)
		return seq < 0 ? snprintf(buf, n, "%s:%lld", what, (long long)owner)
		               : snprintf(buf, n, "%s:%lld:%d", what, (long long)owner, seq);
	memcpy(buf, what, wl);
	buf[wl] = ':';
	memcpy(buf + wl + 1, w, nl);
	buf[wl + 1 + nl] = 0;
	return (int)(wl + 1 + nl);
}

int ctip_value_seal(const ctip_crypto *c, const char *where, const char *v, const char *what,
                    int64_t owner, int seq, unsigned char **out, size_t *len, ctip_err *e)
{
	*out = NULL;
	*len = 0;
	if (!v || !*v)
		return CTIP_OK;
	if (!c)
		return ctip_no_key(where, e);
	char ad[96];
	int an = ctip_seal_place(ad, sizeof(ad), what, owner, seq);
	size_t n = strlen(v);
	unsigned char *b = malloc(n + CTIP_SEAL_OVERHEAD);
	if (!b)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	ctip_seal(c, v, n, ad, (size_t)an, b);
	*out = b;
	*len = n + CTIP_SEAL_OVERHEAD;
	return CTIP_OK;
}

int ctip_value_open(const ctip_crypto *c, const char *where, const void *b, size_t n,
                    const char *what, int64_t owner, int seq, char **out, ctip_err *e)
{
	*out = NULL;
	if (!b)
		return CTIP_OK;
	if (!c)
		return ctip_no_key(where, e);
	char ad[96];
	int an = ctip_seal_place(ad, sizeof(ad), what, owner, seq);
	char *m = n >= CTIP_SEAL_OVERHEAD ? malloc(n - CTIP_SEAL_OVERHEAD + 1) : NULL;
	if (!m && n >= CTIP_SEAL_OVERHEAD)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (!m || ctip_unseal(c, b, n, ad, (size_t)an, (unsigned char *)m)) {
		free(m);
		return ctip_err_set(
		        e, CTIP_EDB,
		        "%s: the sealed value %s does not open: it was altered or moved, "
		        "or the key is not the one it was sealed with",
		        where, ad);
	}
	m[n - CTIP_SEAL_OVERHEAD] = 0;
	*out = m;
	return CTIP_OK;
}

/* The sort key of a name: the folded family, given and middle names, each followed by \x01,
 * so that results sort as users read them (Đặng with Dang, not after Z). malloc'd. */
char *ctip_name_sortkey(const char *family, const char *middle, const char *given)
{
	const char *parts[3] = {family, given, middle};
	char *f[3] = {NULL, NULL, NULL}, *key = NULL;
	size_t len = 4;
	for (int i = 0; i < 3; i++) {
		if (parts[i] && *parts[i] && !(f[i] = ctip_text_fold(parts[i])))
			goto out;
		len += f[i] ? strlen(f[i]) : 0;
	}
	if (!(key = malloc(len)))
		goto out;
	char *w = key;
	for (int i = 0; i < 3; i++) {
		size_t n = f[i] ? strlen(f[i]) : 0;
		memcpy(w, f[i] ? f[i] : "", n);
		w += n;
		*w++ = '\x01';
	}
	*w = 0;
out:
	for (int i = 0; i < 3; i++)
		free(f[i]);
	return key;
}

/* A person's identity as one sealed message, malloc'd into *blob: the values of
 * identity_fields, then the name's sort key (so that search sorts its matches without
 * folding them), returned in *sortkey (malloc'd) when sortkey is not NULL. */
int ctip_identity_seal(const ctip_crypto *c, const char *where, int64_t pid, const ctip_row *r,
                       unsigned char **blob, int *len, char **sortkey, ctip_err *e)
{
	const char *v[N_IDENTITY + 1];
	char ad[64];
	if (!c)
		return ctip_no_key(where, e);
	for (int i = 0; i < N_IDENTITY; i++)
		v[i] = ctip_row_get(r, ctip_identity_fields[i]);
	char *key = ctip_name_sortkey(v[0], v[1], v[2]);
	if (!key)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	v[N_IDENTITY] = key;
	size_t n = ctip_pack_size(v, N_IDENTITY + 1);
	unsigned char *m = malloc(n + 1), *b = malloc(n + CTIP_SEAL_OVERHEAD);
	if (!m || !b) {
		free(m);
		free(b);
		free(key);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	ctip_pack(v, N_IDENTITY + 1, m);
	int an = ctip_seal_place(ad, sizeof(ad), "person.identity", pid, -1);
	ctip_seal(c, m, n, ad, (size_t)an, b);
	sodium_memzero(m, n);
	free(m);
	if (sortkey)
		*sortkey = key;
	else
		free(key);
	*blob = b;
	*len = (int)(n + CTIP_SEAL_OVERHEAD);
	return CTIP_OK;
}

/* Opens a sealed identity into m (n - CTIP_SEAL_OVERHEAD bytes); -1 when it does not open. */
int ctip_identity_unseal(const ctip_crypto *c, int64_t pid, const void *b, int n, unsigned char *m)
{
	char ad[64];
	int an = ctip_seal_place(ad, sizeof(ad), "person.identity", pid, -1);
	return n < CTIP_SEAL_OVERHEAD || ctip_unseal(c, b, (size_t)n, ad, (size_t)an, m) ? -1 : 0;
}

/* The name's sort key in an opened identity m (the field after identity_fields: each field a
 * varint of its length + 1, then its bytes); -1 when m is malformed. */
int ctip_identity_key(const unsigned char *m, size_t mlen, const unsigned char **key, size_t *klen)
{
	size_t at = 0, x = 0;
	for (int i = 0; i <= N_IDENTITY; i++) {
		int shift = 0;
		x = 0;
		for (;;) {
			if (at >= mlen || shift > 28)
				return -1;
			x |= (size_t)(m[at] & 0x7f) << shift;
			shift += 7;
			if (!(m[at++] & 0x80))
				break;
		}
		if (x == 0) { /* a NULL field; the sort key is never NULL */
			if (i == N_IDENTITY)
				return -1;
		} else if (x - 1 > mlen - at) {
			return -1;
		} else if (i < N_IDENTITY) {
			at += x - 1;
		}
	}
	*key = m + at;
	*klen = x - 1;
	return 0;
}

int ctip_identity_error(const char *where, int64_t pid, ctip_err *e)
{
	return ctip_err_set(e, CTIP_EDB,
	                    "%s: the identity of record P%lld does not open: it was altered or "
	                    "moved, or the key is not the one it was sealed with",
	                    where, (long long)pid);
}

/* The one reader of a person's identity: opens the sealed blob b of record pid into
 * v[N_IDENTITY] (malloc'd strings, NULL where unknown). */
int ctip_identity_open(const ctip_crypto *c, const char *where, int64_t pid, const void *b, int n,
                       char **v, ctip_err *e)
{
	char *all[N_IDENTITY + 1];
	for (int i = 0; i < N_IDENTITY; i++)
		v[i] = NULL;
	if (!b)
		return CTIP_OK;
	if (!c)
		return ctip_no_key(where, e);
	size_t mlen = n >= CTIP_SEAL_OVERHEAD ? (size_t)n - CTIP_SEAL_OVERHEAD : 0;
	unsigned char *m = malloc(mlen + 1);
	if (!m)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	int bad =
	        ctip_identity_unseal(c, pid, b, n, m) || ctip_unpack(m, mlen, all, N_IDENTITY + 1);
	sodium_memzero(m, mlen);
	free(m);
	if (bad)
		return ctip_identity_error(where, pid, e);
	memcpy(v, all, N_IDENTITY * sizeof(*v));
	free(all[N_IDENTITY]);
	return CTIP_OK;
}

void ctip_identity_free(char **v)
{
	for (int i = 0; i < N_IDENTITY; i++)
		free(v[i]);
}

/* The blind-index tokens of a name's sort key (its folded parts: the same tokens as the
 * folded name), malloc'd. */
char *ctip_sortkey_tokens(const ctip_crypto *c, const char *key)
{
	char *t = strdup(key);
	if (!t)
		return NULL;
	for (char *p = t; *p; p++)
		if (*p == '\x01')
			*p = ' ';
	char *tok = ctip_bidx_tokens(c, t);
	free(t);
	return tok;
}

/* A record's document in a name index for organisation org: the blind-index tokens of its
 * name (from its sort key; when global) followed by the same tokens scoped to org, so that a
 * search within what org sees reads only org's doclists (docs/DESIGN.md, Search); "" for a
 * record without a name. person_name holds both for the owning organisation, person_referred
 * the scoped ones for each organisation a case was referred to. malloc'd; NULL when out of
 * memory. */
char *ctip_name_doc(const ctip_crypto *c, const char *key, int64_t org, int global, int *nglobal)
{
	if (nglobal)
		*nglobal = 0;
	char *t = strdup(key);
	if (!t)
		return NULL;
	for (char *p = t; *p; p++)
		if (*p == '\x01')
			*p = ' ';
	char *g = global ? ctip_bidx_tokens(c, t) : NULL;
	char *o = ctip_bidx_org_tokens(c, org, t);
	char *q = ctip_bidx_org_pairs(c, org, t);
	free(t);
	char *doc = NULL;
	if (o && q && (!global || g)) {
		size_t gn = g ? strlen(g) : 0, on = strlen(o), qn = strlen(q);
		if ((doc = malloc(gn + on + qn + 3))) {
			char *w = doc;
			const char *part[3] = {g ? g : "", o, q};
			size_t len[3] = {gn, on, qn};
			for (int i = 0; i < 3; i++) {
				if (!len[i])
					continue;
				if (w != doc)
					*w++ = ' ';
				memcpy(w, part[i], len[i]);
				w += len[i];
			}
			*w = 0;
		}
		if (doc && nglobal && gn) /* one token per word, each CTIP_BIDX_TOKEN - 1 long */
			*nglobal = (int)((gn + 1) / CTIP_BIDX_TOKEN);
	}
	free(g);
	free(o);
	free(q);
	return doc;
}

/* The blind-index tokens of a name, malloc'd. */
char *ctip_identity_tokens(const ctip_crypto *c, const char *family, const char *middle,
                           const char *given)
{
	char *key = ctip_name_sortkey(family, middle, given);
	char *tok = key ? ctip_sortkey_tokens(c, key) : NULL;
	free(key);
	return tok;
}

int ctip_docno_bidx(const ctip_crypto *c, const char *number, unsigned char out[CTIP_BIDX_BYTES])
{
	char *norm = ctip_text_alnum_upper(number ? number : "");
	if (!norm)
		return -1;
	ctip_bidx(c, CTIP_BIDX_DOCNO, norm, strlen(norm), out);
	sodium_memzero(norm, strlen(norm));
	free(norm);
	return 0;
}

void ctip_phone_bidx(const ctip_crypto *c, const char *e164, unsigned char out[CTIP_BIDX_BYTES])
{
	ctip_bidx(c, CTIP_BIDX_PHONE, e164, strlen(e164), out);
}

void ctip_province_codes(const ctip_ref *ref, const ctip_row *r, const char **era,
                         const char **code, const char **p2025)
{
	const char *er = r->v[CF_PROVINCE_ERA], *pcode = r->aux[AUX_PROVINCE_CODE];
	*p2025 = r->aux[AUX_PROVINCE_2025];
	if (ctip_row_get(r, CF_PROVINCE) && er && !pcode) {
		char vocab[32];
		snprintf(vocab, sizeof(vocab), "province_%s", er);
		const struct ctip_ref_entry *en =
		        ref ? ctip_ref_find(ref, vocab, r->v[CF_PROVINCE]) : NULL;
		if (en) {
			pcode = en->code;
			*p2025 = strcmp(er, "2008") == 0 ? en->extra : en->code;
		}
	}
	*code = pcode;
	*era = pcode ? er : NULL;
}

const char *ctip_province_label(const ctip_ref *ref, const char *era, const char *code)
{
	if (!era || !code || !ref)
		return code;
	char vocab[32];
	snprintf(vocab, sizeof(vocab), "province_%s", era);
	const struct ctip_ref_entry *en = ctip_ref_get(ref, vocab, code);
	return en ? en->label_vi : code;
}
