/*
 * link_cache.c - the sealed cache of prepared records (see link_cache.h). Format, in host
 * byte order (the cache never leaves the machine's database): a header (magic, version,
 * counts), the name and organisation dictionaries in id order (length, bytes), then each
 * record's fields with its documents, phones and source record id (NUL-terminated, so that
 * the records point into the opened buffer). The whole is cut into chunks of at most 32 MB,
 * each sealed bound to its place and to the number of chunks.
 */
#include "link_cache.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

#define CACHE_MAGIC 0x314b434cu /* "LCK1" */
#define CACHE_CHUNK (32u << 20)
/* The layout's version: a cache of another (an older ctip's) is not read but made again.
 * 2: the countries of exploitation (ctry, nctry). */
#define CACHE_VERSION 2u

struct buf {
	unsigned char *p;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const void *v, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		while (cap < b->n + n)
			cap *= 2;
		unsigned char *t = realloc(b->p, cap);
		if (!t) {
			b->oom = 1;
			return;
		}
		b->p = t;
		b->cap = cap;
	}
	memcpy(b->p + b->n, v, n);
	b->n += n;
}

#define PUT(b, v) put(b, &(v), sizeof(v))

static void put_dict(struct buf *b, const struct lk_dict *d)
{
	uint32_t n = d->n ? d->n : 1;
	PUT(b, n);
	for (uint32_t id = 1; id < n; id++) {
		PUT(b, d->len[id]);
		put(b, d->str[id], d->len[id]);
	}
}

/* The fixed fields of a prepared record, in their order in the cache (written and read by the
 * same list, so the two cannot drift apart). */
/* (kept by hand: clang-format reflows a macro list differently on each run) */
/* clang-format off */
#define REC_FIELDS(F) \
	F(id) F(fam) F(mid) F(giv) F(org) F(district) F(commune) \
	F(bd.y) F(bd.m) F(bd.d) F(bd.yy) F(ex_start) F(ex_end) \
	F(ctry) F(nctry) F(gender) F(ndoc) F(nph) F(prov)
/* clang-format on */

static void put_rec(struct buf *b, const struct lk_rec *r)
{
#define PUT_FIELD(f) PUT(b, r->f);
	REC_FIELDS(PUT_FIELD)
#undef PUT_FIELD
	for (int i = 0; i < r->ndoc; i++) {
		PUT(b, r->doc[i].len);
		put(b, r->doc[i].s, r->doc[i].len);
	}
	for (int i = 0; i < r->nph; i++)
		PUT(b, r->ph[i]);
	uint16_t n = (uint16_t)strlen(r->src);
	PUT(b, n);
	put(b, r->src, (size_t)n + 1);
}

static int chunk_ad(char *ad, size_t size, size_t i, size_t n)
{
	return snprintf(ad, size, "link_cache:%zu/%zu", i, n);
}

int lk_cache_save(ctip_store *s, const struct lk_data *d, ctip_err *e)
{
	if (!s->crypto)
		return CTIP_OK;
	struct buf b = {0};
	uint32_t magic = CACHE_MAGIC, version = CACHE_VERSION;
	int64_t n = d->n;
	PUT(&b, magic);
	PUT(&b, version);
	PUT(&b, n);
	put_dict(&b, &d->names);
	put_dict(&b, &d->orgs);
	for (long i = 0; i < d->n; i++)
		put_rec(&b, &d->r[i]);
	size_t nchunk = b.n / CACHE_CHUNK + 1;
	unsigned char **chunk = calloc(nchunk, sizeof(*chunk));
	size_t *len = calloc(nchunk, sizeof(*len));
	int rc = CTIP_OK;
	if (b.oom || !chunk || !len) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nchunk; i++) {
		size_t at = i * CACHE_CHUNK, m = b.n - at < CACHE_CHUNK ? b.n - at : CACHE_CHUNK;
		if (!(chunk[i] = malloc(m + CTIP_SEAL_OVERHEAD))) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto out;
		}
		char ad[64];
		int an = chunk_ad(ad, sizeof(ad), i, nchunk);
		ctip_seal(s->crypto, b.p + at, m, ad, (size_t)an, chunk[i]);
		len[i] = m + CTIP_SEAL_OVERHEAD;
	}
	rc = s->ops->link_cache_put(s, (const unsigned char *const *)chunk, len, (int)nchunk, e);
out:
	for (size_t i = 0; chunk && i < nchunk; i++)
		free(chunk[i]);
	free(chunk);
	free(len);
	if (b.p)
		sodium_memzero(b.p, b.cap);
	free(b.p);
	return rc;
}

/* ---- loading ---------------------------------------------------------------------------- */

/* Each chunk is opened into one buffer as it comes, bound to its index and to the number of
 * chunks (one missing, added or moved does not open). */
struct opening {
	const ctip_crypto *c;
	struct buf b;
	int bad;
};

static int open_chunk(void *ctx, const unsigned char *chunk, size_t len, int index, int count)
{
	struct opening *o = ctx;
	if (o->bad || len < CTIP_SEAL_OVERHEAD)
		return o->bad = 1, 0;
	size_t m = len - CTIP_SEAL_OVERHEAD;
	if (o->b.n + m > o->b.cap) {
		size_t cap = o->b.cap ? o->b.cap : (size_t)count * CACHE_CHUNK;
		while (cap < o->b.n + m)
			cap *= 2;
		unsigned char *t = realloc(o->b.p, cap);
		if (!t)
			return o->b.oom = 1, CTIP_ENOMEM;
		o->b.p = t;
		o->b.cap = cap;
	}
	char ad[64];
	int an = chunk_ad(ad, sizeof(ad), (size_t)index, (size_t)count);
	if (ctip_unseal(o->c, chunk, len, ad, (size_t)an, o->b.p + o->b.n))
		return o->bad = 1, 0; /* another key, altered: disposable */
	o->b.n += m;
	return 0;
}

struct rd {
	const unsigned char *p, *end;
	int bad;
};

static void get(struct rd *r, void *v, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p, n);
	r->p += n;
}

#define GET(r, v) get(r, &(v), sizeof(v))

static int get_dict(struct rd *r, struct lk_dict *d, struct lk_arena *a)
{
	uint32_t n;
	GET(r, n);
	for (uint32_t id = 1; id < n && !r->bad; id++) {
		uint32_t len;
		GET(r, len);
		if (r->bad || (size_t)(r->end - r->p) < len)
			return r->bad = 1, 0;
		uint32_t got = lk_dict_intern(d, a, (const char *)r->p, len);
		if (!got)
			return -1;
		if (got != id) /* a duplicate */
			return r->bad = 1, 0;
		r->p += len;
	}
	return 0;
}

static void get_rec(struct rd *r, struct lk_rec *x, uint32_t nnames, uint32_t norgs)
{
	memset(x, 0, sizeof(*x));
#define GET_FIELD(f) GET(r, x->f);
	REC_FIELDS(GET_FIELD)
#undef GET_FIELD
	int bad_ctry = x->nctry > LK_MAXCTRY;
	for (int i = 0; i < x->nctry && !bad_ctry; i++)
		bad_ctry = !x->ctry[i] || x->ctry[i] >= nnames;
	if (bad_ctry || x->ndoc > LK_MAXDOC || x->nph > LK_MAXPH || x->fam >= nnames ||
	    x->mid >= nnames || x->giv >= nnames || x->district >= nnames || x->commune >= nnames ||
	    !x->org || x->org >= norgs) {
		r->bad = 1;
		return;
	}
	for (int i = 0; i < x->ndoc; i++) {
		GET(r, x->doc[i].len);
		if (x->doc[i].len >= sizeof(x->doc[i].s)) {
			r->bad = 1;
			return;
		}
		get(r, x->doc[i].s, x->doc[i].len);
	}
	for (int i = 0; i < x->nph; i++)
		GET(r, x->ph[i]);
	uint16_t n;
	GET(r, n);
	if (r->bad || (size_t)(r->end - r->p) < (size_t)n + 1 || r->p[n]) {
		r->bad = 1;
		return;
	}
	x->src = (const char *)r->p;
	r->p += n + 1;
}

struct ids {
	const struct lk_rec *base;
	long nbase, at;
	unsigned char *keep; /* base record i is kept */
	int64_t *read;       /* ids to read from the registry */
	long nread, cap;
	int oom;
};

static int take_id(void *ctx, int64_t id, int stale)
{
	struct ids *x = ctx;
	while (x->at < x->nbase && x->base[x->at].id < id)
		x->at++; /* deleted since */
	if (!stale && x->at < x->nbase && x->base[x->at].id == id) {
		x->keep[x->at++] = 1;
		return 0;
	}
	if (x->nread == x->cap) {
		long cap = x->cap ? x->cap * 2 : 1024;
		int64_t *t = realloc(x->read, (size_t)cap * sizeof(*t));
		if (!t)
			return x->oom = 1, CTIP_ENOMEM;
		x->read = t;
		x->cap = cap;
	}
	x->read[x->nread++] = id;
	return 0;
}

int lk_cache_load(ctip_store *s, struct lk_data *d, long *ncached, long *nread, ctip_err *e)
{
	*ncached = *nread = 0;
	if (!s->crypto)
		return 1;
	struct opening o = {.c = s->crypto};
	struct ids x = {0};
	struct lk_rec *fresh = NULL;
	int rc = s->ops->link_cache_get(s, open_chunk, &o, e);
	struct buf b = o.b;
	if (rc || b.oom || o.bad || !b.n) {
		rc = rc ? rc : b.oom ? ctip_err_set(e, CTIP_ENOMEM, "out of memory") : 1;
		goto out;
	}
	/* unusable (1: d left empty, every record read) until it is read through: a cache of
	 * another layout or cut short must not load as an empty one */
	rc = 1;
	struct rd r = {b.p, b.p + b.n, 0};
	uint32_t magic, version;
	int64_t n;
	GET(&r, magic);
	GET(&r, version);
	GET(&r, n);
	if (r.bad || magic != CACHE_MAGIC || version != CACHE_VERSION || n < 0 || n > 0xFFFFFFF0LL)
		goto out;
	if (get_dict(&r, &d->names, &d->arena) || get_dict(&r, &d->orgs, &d->arena)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	if (r.bad || !(d->r = malloc((size_t)(n + 1024) * sizeof(*d->r))) ||
	    !(x.keep = calloc((size_t)n + 1, 1))) {
		rc = r.bad ? 1 : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	d->cap = (long)n + 1024;
	uint32_t nnames = d->names.n ? d->names.n : 1, norgs = d->orgs.n ? d->orgs.n : 1;
	for (int64_t i = 0; i < n && !r.bad; i++) {
		get_rec(&r, &d->r[i], nnames, norgs);
		if (i && d->r[i].id <= d->r[i - 1].id)
			r.bad = 1;
	}
	if (r.bad || r.p != r.end)
		goto out;
	d->n = (long)n;
	/* which records stay, which are read again (added or changed since) */
	x.base = d->r;
	x.nbase = (long)n;
	if ((rc = s->ops->link_cache_ids(s, take_id, &x, e))) {
		if (x.oom)
			ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	/* the records read again are appended, then merged by id with those kept */
	for (long i = 0; i < x.nread; i += 4096) {
		int m = (int)(x.nread - i < 4096 ? x.nread - i : 4096);
		if ((rc = s->ops->link_input(s, x.read + i, m, lk_data_add, d, e))) {
			if (rc == CTIP_ENOMEM)
				ctip_err_set(e, rc, "out of memory");
			goto out;
		}
	}
	long nf = d->n - (long)n, kept = 0;
	if (!(fresh = malloc((size_t)nf * sizeof(*fresh) + 1))) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(fresh, d->r + n, (size_t)nf * sizeof(*fresh));
	for (long i = 0; i < (long)n; i++)
		if (x.keep[i])
			d->r[kept++] = d->r[i];
	long i = kept - 1, j = nf - 1, k = kept + nf - 1;
	while (j >= 0) /* from the back: the kept ones move up at most nf places */
		d->r[k--] = i >= 0 && d->r[i].id > fresh[j].id ? d->r[i--] : fresh[j--];
	d->n = kept + nf;
	/* the opened buffer holds the cached records' source ids: the arena keeps it */
	if (lk_arena_adopt(&d->arena, (char *)b.p)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	b.p = NULL;
	/* the counts of the names, as lk_data_add makes them */
	if (d->names.cap) {
		memset(d->names.cnt_fam, 0, d->names.cap * sizeof(uint32_t));
		memset(d->names.cnt_giv, 0, d->names.cap * sizeof(uint32_t));
		memset(d->names.cnt_mid, 0, d->names.cap * sizeof(uint32_t));
	}
	d->n_fam = d->n_giv = d->n_mid = 0;
	for (long q = 0; q < d->n; q++) {
		const struct lk_rec *t = &d->r[q];
		if (t->fam)
			d->names.cnt_fam[t->fam]++, d->n_fam++;
		if (t->giv)
			d->names.cnt_giv[t->giv]++, d->n_giv++;
		if (t->mid)
			d->names.cnt_mid[t->mid]++, d->n_mid++;
	}
	*ncached = kept;
	*nread = x.nread;
	rc = 0;
out:
	if (rc == 1) { /* unusable: d as it was (empty) */
		lk_data_free(d);
		lk_data_init(d);
	}
	if (b.p) {
		sodium_memzero(b.p, b.cap);
		free(b.p);
	}
	free(fresh);
	free(x.keep);
	free(x.read);
	return rc;
}
