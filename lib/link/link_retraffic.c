/*
 * link_retraffic.c - persons trafficked more than once (see link_retraffic.h).
 */
#include "link_retraffic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A date widened to a full YYYY-MM-DD: its first day (start) or last (end). */
static void widen(const char *d, int end, char out[11])
{
	size_t n = strlen(d);
	if (n >= 10) {
		memcpy(out, d, 10);
		out[10] = 0;
	} else if (n >= 7) {
		snprintf(out, 11, "%.7s-%s", d, end ? "31" : "01");
	} else {
		snprintf(out, 11, "%.4s-%s", d, end ? "12-31" : "01-01");
	}
}

int ctip_link_episodes(const struct ctip_victim_case *v, int n)
{
	int episodes = 0;
	char cur_end[11] = "";
	for (int i = 0; i < n; i++) {
		if (!v[i].start || !*v[i].start)
			continue;
		char st[11], en[11];
		widen(v[i].start, 0, st);
		widen(v[i].end && *v[i].end ? v[i].end : v[i].start, 1, en);
		if (!episodes || strcmp(st, cur_end) > 0) { /* starts after the last one ended */
			episodes++;
			memcpy(cur_end, en, sizeof(en));
		} else if (strcmp(en, cur_end) > 0) {
			memcpy(cur_end, en, sizeof(en));
		}
	}
	return episodes;
}

struct group {
	char key[32];
	struct ctip_victim_case *v;
	int n, cap;
	int (*cb)(void *ctx, const char *person_key, int episodes, const struct ctip_victim_case *v,
	          int n);
	void *ctx;
	int oom;
};

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void group_clear(struct group *g)
{
	for (int i = 0; i < g->n; i++) {
		free((char *)g->v[i].org);
		free((char *)g->v[i].src_case_id);
		free((char *)g->v[i].start);
		free((char *)g->v[i].end);
	}
	g->n = 0;
}

static int group_flush(struct group *g)
{
	int rc = 0;
	if (g->n >= 2) {
		int ep = ctip_link_episodes(g->v, g->n);
		if (ep >= 2)
			rc = g->cb(g->ctx, g->key, ep, g->v, g->n);
	}
	group_clear(g);
	return rc;
}

static int add_case(void *ctx, const struct ctip_victim_case *v)
{
	struct group *g = ctx;
	int rc;
	if (strcmp(g->key, v->person_key ? v->person_key : "")) {
		if ((rc = group_flush(g)))
			return rc;
		snprintf(g->key, sizeof(g->key), "%s", v->person_key ? v->person_key : "");
	}
	if (g->n == g->cap) {
		int cap = g->cap ? g->cap * 2 : 8;
		struct ctip_victim_case *nv = realloc(g->v, (size_t)cap * sizeof(*nv));
		if (!nv) {
			g->oom = 1;
			return CTIP_ENOMEM;
		}
		g->v = nv;
		g->cap = cap;
	}
	struct ctip_victim_case *c = &g->v[g->n++];
	*c = *v;
	c->person_key = NULL;
	c->org = dup(v->org);
	c->src_case_id = dup(v->src_case_id);
	c->start = dup(v->start);
	c->end = dup(v->end);
	if ((v->org && !c->org) || (v->src_case_id && !c->src_case_id) || (v->start && !c->start) ||
	    (v->end && !c->end)) {
		g->oom = 1;
		return CTIP_ENOMEM;
	}
	return 0;
}

int ctip_link_retrafficked(ctip_store *s,
                           int (*cb)(void *ctx, const char *person_key, int episodes,
                                     const struct ctip_victim_case *v, int n),
                           void *ctx, ctip_err *e)
{
	struct group g;
	memset(&g, 0, sizeof(g));
	g.cb = cb;
	g.ctx = ctx;
	int rc = s->ops->link_victim_cases(s, add_case, &g, e);
	if (!rc)
		rc = group_flush(&g);
	if (g.oom)
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	group_clear(&g);
	free(g.v);
	return rc;
}

struct in_year {
	int year;
	long persons, records;
};

/* Whether a later episode of v[0..n) starts in the year (the merge of ctip_link_episodes). */
static int count_in_year(void *ctx, const char *person_key, int episodes,
                         const struct ctip_victim_case *v, int n)
{
	struct in_year *y = ctx;
	int ep = 0, hit = 0;
	char cur_end[11] = "";
	for (int i = 0; i < n && !hit; i++) {
		if (!v[i].start || !*v[i].start)
			continue;
		char st[11], en[11];
		widen(v[i].start, 0, st);
		widen(v[i].end && *v[i].end ? v[i].end : v[i].start, 1, en);
		if (!ep || strcmp(st, cur_end) > 0) {
			if (++ep >= 2 && atoi(st) == y->year)
				hit = 1;
			memcpy(cur_end, en, sizeof(en));
		} else if (strcmp(en, cur_end) > 0) {
			memcpy(cur_end, en, sizeof(en));
		}
	}
	if (hit) {
		y->persons++;
		y->records += n;
	}
	return 0;
}

int ctip_link_retrafficked_in(ctip_store *s, int year, long *persons, long *records, ctip_err *e)
{
	struct in_year y = {year, 0, 0};
	int rc = ctip_link_retrafficked(s, count_in_year, &y, e);
	*persons = y.persons;
	*records = y.records;
	return rc;
}
