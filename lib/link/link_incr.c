/*
 * link_incr.c - what makes a linkage run incremental (link_incr.h): the last run's clusters
 * read back, the records to link marked, the keys kept, and what changed to store.
 */
#include "link_incr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_block.h"

/* ---- incremental runs ------------------------------------------------------------------- */

static int prev_key(void *ctx, int64_t id, const char *key)
{
	struct lk_prev *p = ctx;
	long i = p->at + 1 < p->d->n && p->d->r[p->at + 1].id == id ? p->at + 1
	                                                            : lk_rec_index(p->d, id);
	if (i < 0 || !key)
		return 0;
	size_t n = strlen(key);
	if (n > 23)
		n = 23;
	memcpy(p->key[i], key, n);
	p->key[i][n] = 0;
	p->at = i;
	return 0;
}

static int prev_changed(void *ctx, int64_t id)
{
	struct lk_prev *p = ctx;
	long i = lk_rec_index(p->d, id);
	if (i >= 0)
		p->isnew[i] = 1;
	return 0;
}

static uint64_t key_hash(const char *k)
{
	uint64_t h = 14695981039346656037ull;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	return h;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static int u64_has(const uint64_t *v, size_t n, uint64_t k)
{
	return n && bsearch(&k, v, n, sizeof(*v), cmp_u64) != NULL;
}

/* Reads the last run's clusters into u (the decisions loaded): the records of one stored
 * person key are joined, whatever the cluster's size; the records to link are marked. */
int lk_prev_load(ctip_store *s, struct lk_prev *p, struct lk_uf *u, ctip_err *e)
{
	size_t n = (size_t)p->d->n;
	p->key = calloc(n + 1, sizeof(*p->key));
	p->isnew = calloc(n + 1, 1);
	if (!p->key || !p->isnew)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	p->at = -1;
	int rc = s->ops->link_keys(s, prev_key, p, e);
	if (!rc)
		rc = s->ops->link_changed(s, prev_changed, p, e);
	if (rc)
		return rc;
	/* a "different" decided since within one stored cluster: both records are relinked,
	 * and the decision keeps them apart */
	for (size_t k = 0; k < u->nd; k++) {
		uint32_t x = u->dx[k], y = u->dy[k];
		if (!u->dsame[k] && p->key[x][0] && !strcmp(p->key[x], p->key[y]))
			p->isnew[x] = p->isnew[y] = 1;
	}
	struct lk_entry *v = malloc(n * sizeof(*v) + 1);
	if (!v)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p->key[i][0])
			p->isnew[i] = 1;
		if (p->isnew[i])
			p->nnew++;
		else
			v[m++] = (struct lk_entry){key_hash(p->key[i]), (uint32_t)i};
	}
	if (lk_sort_entries(&v, m)) {
		free(v);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (size_t i = 1; i < m; i++)
		if (v[i].key == v[i - 1].key)
			lk_uf_join(u, v[i - 1].rec, v[i].rec, 0);
	free(v);
	return CTIP_OK;
}

void lk_prev_free(struct lk_prev *p)
{
	free(p->key);
	free(p->isnew);
}

/* The person keys of an incremental run's clusters (keys: 24 bytes by root): a cluster
 * holding records of stored clusters keeps the key of the one with the first record; a
 * cluster of new records only gets its first record's key, unless a kept key has it. */
int lk_prev_keys(const struct lk_data *d, const struct lk_prev *p, uint32_t *parent,
                 const uint32_t *first, char *keys)
{
	size_t n = (size_t)d->n, nused = 0;
	uint32_t *kf = malloc(n * sizeof(*kf) + 1);
	uint64_t *used = malloc(n * sizeof(*used) + 1);
	if (!kf || !used) {
		free(kf);
		free(used);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		kf[i] = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		if (p->isnew[i] || !p->key[i][0])
			continue;
		uint32_t r = lk_find(parent, (uint32_t)i);
		if (kf[r] == UINT32_MAX || lk_rec_before(d, (uint32_t)i, kf[r]))
			kf[r] = (uint32_t)i;
	}
	for (size_t i = 0; i < n; i++)
		if (lk_find(parent, (uint32_t)i) == i && kf[i] != UINT32_MAX) {
			memcpy(keys + i * 24, p->key[kf[i]], 24);
			used[nused++] = key_hash(p->key[kf[i]]);
		}
	qsort(used, nused, sizeof(*used), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (lk_find(parent, (uint32_t)i) == i && kf[i] == UINT32_MAX) {
			int salt = 0;
			do
				lk_person_key(d, first[i], salt++, keys + i * 24);
			while (u64_has(used, nused, key_hash(keys + i * 24)));
		}
	free(kf);
	free(used);
	return 0;
}

/* The records an incremental run stores (new key or changed) and those whose stored pairs'
 * "linked" may change: every member of a cluster holding a changed record, and every record
 * of a stored cluster that lost one. */
int lk_prev_changes(const struct lk_data *d, const struct lk_prev *p, uint32_t *parent,
                    const char *const *keyp, int64_t *ids, const char **kout, long *nout,
                    int64_t **touched, long *ntouched)
{
	size_t n = (size_t)d->n, nk = 0;
	unsigned char *rt = calloc(n + 1, 1);
	uint64_t *lost = malloc(n * sizeof(*lost) + 1);
	int64_t *t = malloc(n * sizeof(*t) + 1);
	if (!rt || !lost || !t) {
		free(rt);
		free(lost);
		free(t);
		return -1;
	}
	long m = 0, mt = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p->isnew[i] && !strcmp(keyp[i], p->key[i]))
			continue;
		ids[m] = d->r[i].id;
		kout[m++] = keyp[i];
		rt[lk_find(parent, (uint32_t)i)] = 1;
		if (p->key[i][0])
			lost[nk++] = key_hash(p->key[i]);
	}
	qsort(lost, nk, sizeof(*lost), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (rt[lk_find(parent, (uint32_t)i)] ||
		    (p->key[i][0] && u64_has(lost, nk, key_hash(p->key[i]))))
			t[mt++] = d->r[i].id;
	free(rt);
	free(lost);
	*nout = m;
	*touched = t;
	*ntouched = mt;
	return 0;
}
