/*
 * link_cluster.c - clustering of linked pairs into persons (link_cluster.h): union-find with
 * the reviewers' decisions (same: joined first; different: never in one cluster), and the
 * person key of a cluster.
 */
#include "link_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- clustering ------------------------------------------------------------------------- */

uint32_t lk_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

void lk_uf_free(struct lk_uf *u)
{
	free(u->dx);
	free(u->dy);
	free(u->dsame);
	free(u->cl_head);
	free(u->cl_next);
	free(u->cl_other);
}

/* Joins the clusters of records x and y: 1 joined, 2 already one, 0 refused (a decision
 * says they differ, or the cluster would pass max records when max > 0). */
int lk_uf_join(struct lk_uf *u, uint32_t x, uint32_t y, long max)
{
	uint32_t ra = lk_find(u->parent, x), rb = lk_find(u->parent, y);
	if (ra == rb)
		return 2;
	if (max > 0 && (long)(u->size[ra] + u->size[rb]) > max)
		return 0;
	if (u->cl_head)
		for (int32_t k = u->cl_head[ra]; k >= 0; k = u->cl_next[k])
			if (lk_find(u->parent, u->cl_other[k]) == rb)
				return 0;
	if (max > 0 && u->conflict && u->next) {
		uint32_t a0 = ra, b0 = rb;
		do {
			do {
				if (u->conflict(u->cctx, a0, b0))
					return 0;
				b0 = u->next[b0];
			} while (b0 != rb);
			a0 = u->next[a0];
		} while (a0 != ra);
	}
	if (u->next) { /* splice the two circular lists */
		uint32_t t = u->next[ra];
		u->next[ra] = u->next[rb];
		u->next[rb] = t;
	}
	if (u->size[ra] < u->size[rb]) {
		uint32_t t = ra;
		ra = rb;
		rb = t;
	}
	u->parent[rb] = ra;
	u->size[ra] += u->size[rb];
	if (lk_rec_before(u->d, u->first[rb], u->first[ra]))
		u->first[ra] = u->first[rb];
	if (u->cl_head && u->cl_head[rb] >= 0) { /* rb's list goes in front of ra's */
		int32_t k = u->cl_head[rb];
		while (u->cl_next[k] >= 0)
			k = u->cl_next[k];
		u->cl_next[k] = u->cl_head[ra];
		u->cl_head[ra] = u->cl_head[rb];
		u->cl_head[rb] = -1;
	}
	return 1;
}

long lk_rec_index(const struct lk_data *d, int64_t id)
{
	long lo = 0, hi = d->n;
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (d->r[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && d->r[lo].id == id ? lo : -1;
}

struct dec_load {
	struct lk_uf *u;
	size_t cap;
	int oom;
};

static int dec_add(void *ctx, int64_t a, int64_t b, int same)
{
	struct dec_load *dl = ctx;
	struct lk_uf *u = dl->u;
	long x = lk_rec_index(u->d, a), y = lk_rec_index(u->d, b);
	if (x < 0 || y < 0)
		return 0;
	if (u->nd == dl->cap) {
		size_t cap = dl->cap ? dl->cap * 2 : 64;
		uint32_t *nx = realloc(u->dx, cap * sizeof(*nx));
		if (nx)
			u->dx = nx;
		uint32_t *ny = realloc(u->dy, cap * sizeof(*ny));
		if (ny)
			u->dy = ny;
		unsigned char *ns = realloc(u->dsame, cap);
		if (ns)
			u->dsame = ns;
		if (!nx || !ny || !ns) {
			dl->oom = 1;
			return CTIP_ENOMEM;
		}
		dl->cap = cap;
	}
	u->dx[u->nd] = (uint32_t)x;
	u->dy[u->nd] = (uint32_t)y;
	u->dsame[u->nd++] = (unsigned char)(same != 0);
	if (!same)
		u->ncl += 2;
	return 0;
}

/* Loads the reviewers' decisions into u (its records and parent set up). */
int lk_decisions_load(ctip_store *s, struct lk_uf *u, ctip_err *e)
{
	struct dec_load dl = {u, 0, 0};
	int rc = s->ops->link_decisions(s, dec_add, &dl, e);
	if (dl.oom)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (rc || !u->ncl)
		return rc;
	size_t n = (size_t)u->d->n;
	u->cl_head = malloc(n * sizeof(*u->cl_head));
	u->cl_next = malloc(u->ncl * sizeof(*u->cl_next));
	u->cl_other = malloc(u->ncl * sizeof(*u->cl_other));
	if (!u->cl_head || !u->cl_next || !u->cl_other)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		u->cl_head[i] = -1;
	int32_t k = 0;
	for (size_t i = 0; i < u->nd; i++) {
		if (u->dsame[i])
			continue;
		uint32_t x = u->dx[i], y = u->dy[i];
		u->cl_other[k] = y;
		u->cl_next[k] = u->cl_head[x];
		u->cl_head[x] = k++;
		u->cl_other[k] = x;
		u->cl_next[k] = u->cl_head[y];
		u->cl_head[y] = k++;
	}
	return CTIP_OK;
}

/* Whether record a comes before record b by (organisation, record id). */
int lk_rec_before(const struct lk_data *d, uint32_t a, uint32_t b)
{
	int c = strcmp(d->orgs.str[d->r[a].org], d->orgs.str[d->r[b].org]);
	return c ? c < 0 : strcmp(d->r[a].src, d->r[b].src) < 0;
}

/* The person key of a cluster: from its first record by (organisation, record id), so it
 * stays while that record stays in the cluster. salt > 0 gives another key from the same
 * record (an incremental run's new cluster whose first record once began a cluster that
 * keeps its key). */
void lk_person_key(const struct lk_data *d, uint32_t rec, int salt, char out[24])
{
	uint64_t h = 14695981039346656037ull;
	const char *parts[2] = {d->orgs.str[d->r[rec].org], d->r[rec].src};
	for (int i = 0; i < 2; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0x1F) * 1099511628211ull;
	}
	if (salt)
		h = (h ^ (uint64_t)salt) * 1099511628211ull;
	snprintf(out, 24, "L%016llx", (unsigned long long)h);
}
