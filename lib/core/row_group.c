/*
 * row_group.c - canonical rows into tables and back (row_group.h), for every back end.
 */
#include "row_group.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "identity.h"

int ctip_group_open(struct ctip_group *g, const ctip_row *r, const int *cols, int nf)
{
	memset(g, 0, sizeof(*g));
	g->nf = nf;
	for (int i = 0; i < nf; i++) {
		g->cols[i] = cols[i];
		if (ctip_list_split(r->v[cols[i]], &g->items[i], &g->counts[i]))
			return CTIP_ENOMEM;
		if (g->counts[i] > g->n)
			g->n = g->counts[i];
	}
	return CTIP_OK;
}

const char *ctip_group_item(const struct ctip_group *g, int col, int i)
{
	return i < g->counts[col] ? g->items[col][i] : NULL;
}

void ctip_group_close(struct ctip_group *g)
{
	for (int i = 0; i < g->nf; i++)
		ctip_list_free(g->items[i], g->counts[i]);
}

int ctip_row_push_item(ctip_row *r, int f, const char *v, int index)
{
	char *esc = ctip_list_join((char *const *)&v, 1);
	if (!esc)
		return CTIP_ENOMEM;
	if (index == 0) {
		ctip_row_take(r, f, esc);
		return CTIP_OK;
	}
	size_t a = r->v[f] ? strlen(r->v[f]) : 0, b = strlen(esc);
	char *n = realloc(r->v[f], a + b + 2);
	if (!n) {
		free(esc);
		return CTIP_ENOMEM;
	}
	n[a] = ';';
	memcpy(n + a + 1, esc, b + 1);
	r->v[f] = n;
	free(esc);
	return CTIP_OK;
}

int ctip_list_to_json(const char *list, char **json)
{
	char **it;
	int n;
	*json = NULL;
	if (!list || !*list)
		return CTIP_OK;
	if (ctip_list_split(list, &it, &n))
		return CTIP_ENOMEM;
	size_t len = 3;
	for (int k = 0; k < n; k++)
		len += 2 * strlen(it[k]) + 3;
	char *out = malloc(len), *w = out;
	if (!out) {
		ctip_list_free(it, n);
		return CTIP_ENOMEM;
	}
	*w++ = '[';
	for (int k = 0; k < n; k++) {
		if (k)
			*w++ = ',';
		*w++ = '"';
		for (const char *p = it[k]; *p; p++) {
			if (*p == '"' || *p == '\\')
				*w++ = '\\';
			*w++ = *p;
		}
		*w++ = '"';
	}
	*w++ = ']';
	*w = 0;
	ctip_list_free(it, n);
	*json = out;
	return CTIP_OK;
}

char *ctip_json_to_list(const char *j)
{
	if (!j || j[0] != '[')
		return NULL;
	size_t cap = strlen(j) * 2 + 1, w = 0;
	char *out = malloc(cap);
	int items = 0;
	if (!out)
		return NULL;
	for (const char *p = j + 1; *p && *p != ']'; p++) {
		if (*p != '"')
			continue;
		if (items++)
			out[w++] = ';';
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (*p == ';' || *p == '\\')
				out[w++] = '\\';
			out[w++] = *p;
		}
		if (!*p)
			break;
	}
	out[w] = 0;
	if (!items) {
		free(out);
		return NULL;
	}
	return out;
}

const int ctip_victim_lists[6] = {CF_RECRUIT_METHOD, CF_RECRUIT_APPS, CF_CONTROL,
                                  CF_EXPLOITATION,   CF_SEX_TYPE,     CF_VULNERABILITY};

int ctip_row_put_stored(ctip_row *r, const ctip_ref *ref, int f, const char *v, const char *era)
{
	if (f == CF_CONSENT)
		v = atoi(v) ? "true" : "false";
	if (ctip_fields[f].flags & CTIP_F_LIST) {
		ctip_row_take(r, f, ctip_json_to_list(v));
		return CTIP_OK;
	}
	if (f == CF_PROVINCE)
		v = ctip_province_label(ref, era, v);
	return ctip_row_set(r, f, v) ? CTIP_ENOMEM : CTIP_OK;
}
