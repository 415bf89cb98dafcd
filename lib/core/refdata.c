/*
 * refdata.c - reference data in uthash tables: one keyed by
 * vocabulary + folded text for lookups, one by vocabulary + code.
 */
#include "refdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "csv_read.h"
#include "embedded.h"
#include "text.h"

struct key_node {
	char *key; /* vocab '\x1f' folded text */
	struct ctip_ref_entry *en;
	UT_hash_handle hh;
};

struct code_node {
	char *key; /* vocab '\x1f' code */
	struct ctip_ref_entry *en;
	UT_hash_handle hh;
};

/* Memo of lookups by the exact text typed: the same few hundred spellings of provinces,
 * countries and codes recur on every row of a large file. */
struct memo_node {
	char *key;                       /* vocab '\x1f' text */
	const struct ctip_ref_entry *en; /* NULL: not found */
	UT_hash_handle hh;
};
#define MEMO_MAX 100000

struct ctip_ref {
	struct memo_node *memo;
	unsigned memo_n;
	struct key_node *by_text;
	struct code_node *by_code;
	struct ctip_ref_entry **all;
	int n, cap;
};

ctip_ref *ctip_ref_new(void)
{
	return calloc(1, sizeof(ctip_ref));
}

static void entry_free(struct ctip_ref_entry *en)
{
	free((char *)en->vocab);
	free((char *)en->code);
	free((char *)en->label_en);
	free((char *)en->label_vi);
	free((char *)en->aliases);
	free((char *)en->extra);
	free(en);
}

static void memo_clear(ctip_ref *r)
{
	struct memo_node *m, *mt;
	HASH_ITER(hh, r->memo, m, mt)
	{
		HASH_DEL(r->memo, m);
		free(m->key);
		free(m);
	}
	r->memo_n = 0;
}

void ctip_ref_free(ctip_ref *r)
{
	if (!r)
		return;
	memo_clear(r);
	struct key_node *k, *kt;
	HASH_ITER(hh, r->by_text, k, kt)
	{
		HASH_DEL(r->by_text, k);
		free(k->key);
		free(k);
	}
	struct code_node *c, *ct;
	HASH_ITER(hh, r->by_code, c, ct)
	{
		HASH_DEL(r->by_code, c);
		free(c->key);
		free(c);
	}
	for (int i = 0; i < r->n; i++)
		entry_free(r->all[i]);
	free(r->all);
	free(r);
}

static char *make_key(const char *vocab, const char *s)
{
	size_t a = strlen(vocab), b = strlen(s);
	char *k = malloc(a + b + 2);
	if (!k)
		return NULL;
	memcpy(k, vocab, a);
	k[a] = '\x1f';
	memcpy(k + a + 1, s, b + 1);
	return k;
}

/* Codes are matched apart from labels, exactly but for ASCII case: Vietnamese "Áo"
 * (Austria) folds to "ao", which is also Angola's code AO. */
static char *code_key(const char *text)
{
	while (*text == ' ' || *text == '\t')
		text++;
	size_t n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	char *k = malloc(n + 2);
	if (!k)
		return NULL;
	k[0] = '\x02';
	for (size_t i = 0; i < n; i++)
		k[i + 1] = (char)((text[i] >= 'A' && text[i] <= 'Z') ? text[i] + 32 : text[i]);
	k[n + 1] = 0;
	return k;
}

/* An alias in capitals and digits only (NGA, UAE, 01) is another code: Vietnamese "Nga"
 * is Russia while NGA is Nigeria's alpha-3 code. */
static int is_code_like(const char *t)
{
	if (!*t)
		return 0;
	for (; *t; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9')))
			return 0;
	return 1;
}

/* Indexes one spelling of en; a spelling already used by the same entry is fine. */
static int index_text(ctip_ref *r, struct ctip_ref_entry *en, const char *text, int is_code,
                      ctip_err *e)
{
	char *f = is_code ? code_key(text) : ctip_text_fold(text);
	if (!f)
		return ctip_err_set(e, CTIP_EINVAL, "%s: invalid UTF-8 in '%s'", en->vocab,
		                    en->code);
	if (!*f) {
		free(f);
		return CTIP_OK;
	}
	char *key = make_key(en->vocab, f);
	free(f);
	if (!key)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	struct key_node *k;
	HASH_FIND_STR(r->by_text, key, k);
	if (k) {
		int same = k->en == en;
		free(key);
		if (same)
			return CTIP_OK;
		return ctip_err_set(e, CTIP_EINVAL, "%s: '%s' of %s also names %s", en->vocab, text,
		                    en->code, k->en->code);
	}
	k = malloc(sizeof(*k));
	if (!k) {
		free(key);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	k->key = key;
	k->en = en;
	HASH_ADD_KEYPTR(hh, r->by_text, k->key, strlen(k->key), k);
	return CTIP_OK;
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

int ctip_ref_add(ctip_ref *r, const struct ctip_ref_entry *src, ctip_err *e)
{
	if (!src->code || !*src->code)
		return ctip_err_set(e, CTIP_EINVAL, "%s: entry without a code", src->vocab);
	if (ctip_ref_get(r, src->vocab, src->code))
		return ctip_err_set(e, CTIP_EINVAL, "%s: code %s appears twice", src->vocab,
		                    src->code);
	struct ctip_ref_entry *en = calloc(1, sizeof(*en));
	if (!en)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	memo_clear(r);
	en->vocab = dup0(src->vocab);
	en->code = dup0(src->code);
	en->label_en = dup0(src->label_en && *src->label_en ? src->label_en : src->code);
	en->label_vi = dup0(src->label_vi && *src->label_vi ? src->label_vi : en->label_en);
	en->aliases = dup0(src->aliases);
	en->extra = dup0(src->extra);
	en->sort = src->sort;
	if (r->n == r->cap) {
		int cap = r->cap ? r->cap * 2 : 256;
		struct ctip_ref_entry **a = realloc(r->all, (size_t)cap * sizeof(*a));
		if (!a) {
			entry_free(en);
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		r->all = a;
		r->cap = cap;
	}
	r->all[r->n++] = en;

	struct code_node *c = malloc(sizeof(*c));
	if (!c || !(c->key = make_key(en->vocab, en->code))) {
		free(c);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	c->en = en;
	HASH_ADD_KEYPTR(hh, r->by_code, c->key, strlen(c->key), c);

	int rc;
	if ((rc = index_text(r, en, en->code, 1, e)) ||
	    (rc = index_text(r, en, en->label_en, 0, e)) ||
	    (rc = index_text(r, en, en->label_vi, 0, e)))
		return rc;
	/* aliases: ';'-separated */
	char *al = strdup(en->aliases), *save = NULL;
	if (!al)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (char *t = strtok_r(al, ";", &save); t; t = strtok_r(NULL, ";", &save))
		if ((rc = index_text(r, en, t, is_code_like(t), e)))
			break;
	free(al);
	return rc;
}

/* Looks up vocab '\x1f' [marker] text without allocating. */
static struct key_node *find_key(const ctip_ref *r, const char *vocab, int code, const char *text,
                                 size_t len)
{
	char key[600];
	size_t v = strlen(vocab), k = 0;
	if (v + len + 3 > sizeof(key))
		return NULL;
	memcpy(key, vocab, v);
	k = v;
	key[k++] = '\x1f';
	if (code)
		key[k++] = '\x02';
	memcpy(key + k, text, len);
	key[k + len] = 0;
	struct key_node *n = NULL;
	HASH_FIND(hh, r->by_text, key, k + len, n);
	return n;
}

static struct key_node *find_code(const ctip_ref *r, const char *vocab, const char *text)
{
	char buf[256];
	while (*text == ' ' || *text == '\t')
		text++;
	size_t n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n >= sizeof(buf))
		return NULL;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)((text[i] >= 'A' && text[i] <= 'Z') ? text[i] + 32 : text[i]);
	return find_key(r, vocab, 1, buf, n);
}

/* Order: a code written in capitals (NGA, VN), then names and aliases folded (Nga is Russia),
 * then a code in any case (vn). */
static const struct ctip_ref_entry *lookup(const ctip_ref *r, const char *vocab, const char *text)
{
	char buf[512];
	struct key_node *k = NULL;
	int has_lower = 0;
	long n;
	for (const char *p = text; *p; p++)
		has_lower |= *p >= 'a' && *p <= 'z';
	if (!has_lower && (k = find_code(r, vocab, text)))
		return k->en;
	if ((n = ctip_text_fold_buf(text, buf, sizeof(buf))) > 0 &&
	    (k = find_key(r, vocab, 0, buf, (size_t)n)))
		return k->en;
	k = find_code(r, vocab, text);
	return k ? k->en : NULL;
}

const struct ctip_ref_entry *ctip_ref_find(const ctip_ref *r, const char *vocab, const char *text)
{
	return lookup(r, vocab, text);
}

const struct ctip_ref_entry *ctip_ref_lookup(const ctip_ref *cr, const char *vocab,
                                             const char *text)
{
	ctip_ref *r = (ctip_ref *)cr; /* the memo is a cache: logically const */
	char key[520];
	size_t v = strlen(vocab), t = strlen(text);
	if (v + t + 2 > sizeof(key))
		return lookup(r, vocab, text);
	memcpy(key, vocab, v);
	key[v] = '\x1f';
	memcpy(key + v + 1, text, t + 1);
	struct memo_node *m;
	HASH_FIND(hh, r->memo, key, v + 1 + t, m);
	if (m)
		return m->en;
	const struct ctip_ref_entry *en = lookup(r, vocab, text);
	if (r->memo_n >= MEMO_MAX)
		memo_clear(r);
	if ((m = malloc(sizeof(*m))) && (m->key = strdup(key))) {
		m->en = en;
		HASH_ADD_KEYPTR(hh, r->memo, m->key, v + 1 + t, m);
		r->memo_n++;
	} else {
		free(m);
	}
	return en;
}

const struct ctip_ref_entry *ctip_ref_get(const ctip_ref *r, const char *vocab, const char *code)
{
	char *key = make_key(vocab, code);
	if (!key)
		return NULL;
	struct code_node *c;
	HASH_FIND_STR(r->by_code, key, c);
	free(key);
	return c ? c->en : NULL;
}

int ctip_ref_list(const ctip_ref *r, const char *vocab, const struct ctip_ref_entry ***out)
{
	int n = 0;
	*out = NULL;
	for (int i = 0; i < r->n; i++)
		n += !vocab || strcmp(r->all[i]->vocab, vocab) == 0;
	if (!n)
		return 0;
	const struct ctip_ref_entry **a = malloc((size_t)n * sizeof(*a));
	if (!a)
		return 0;
	n = 0;
	for (int i = 0; i < r->n; i++)
		if (!vocab || strcmp(r->all[i]->vocab, vocab) == 0)
			a[n++] = r->all[i];
	*out = a;
	return n;
}

int ctip_ref_has_vocab(const ctip_ref *r, const char *vocab)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->all[i]->vocab, vocab) == 0)
			return 1;
	return 0;
}

void ctip_ref_examples(const ctip_ref *r, const char *vocab, char *buf, size_t n)
{
	size_t used = 0;
	int shown = 0, total = 0;
	buf[0] = 0;
	for (int i = 0; i < r->n; i++) {
		if (strcmp(r->all[i]->vocab, vocab) != 0)
			continue;
		total++;
		if (shown < 8 && used + strlen(r->all[i]->code) + 8 < n) {
			used += (size_t)snprintf(buf + used, n - used, "%s%s", shown ? ", " : "",
			                         r->all[i]->code);
			shown++;
		}
	}
	if (total > shown && used + 16 < n)
		snprintf(buf + used, n - used, ", ... (%d in all)", total);
}

/* Column layouts differ between the vocabulary files and the geography files, so
 * columns are found by name. */
int ctip_ref_load_csv(ctip_ref *r, const char *vocab, const char *data, size_t len,
                      const char *name, ctip_err *e)
{
	FILE *f = fmemopen((void *)data, len, "r");
	if (!f)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot read", name);
	ctip_csv *c = ctip_csv_open(f, name);
	char **fl;
	int n, rc = CTIP_OK, sort = 0;
	long line;
	int col_code = -1, col_en = -1, col_vi = -1, col_alias = -1, col_extra = -1;
	if (!c) {
		fclose(f);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	int got = ctip_csv_next(c, &fl, &n, &line, e);
	if (got <= 0) {
		rc = got < 0 ? e->code : ctip_err_at(e, CTIP_EINVAL, name, 1, NULL, "empty file");
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (!fl[i])
			fl[i] = strdup(""); /* the reader leaves empty fields NULL */
	for (int i = 0; i < n; i++) {
		if (!strcmp(fl[i], "code"))
			col_code = i;
		else if (!strcmp(fl[i], "label_en") || !strcmp(fl[i], "name_en"))
			col_en = i;
		else if (!strcmp(fl[i], "label_vi") || !strcmp(fl[i], "name_vi"))
			col_vi = i;
		else if (!strcmp(fl[i], "aliases"))
			col_alias = i;
		else if (!strcmp(fl[i], "code_2025"))
			col_extra = i;
	}
	if (col_code < 0 || col_en < 0 || col_vi < 0) {
		rc = ctip_err_at(e, CTIP_EINVAL, name, 1, NULL,
		                 "header must name code, label_en/name_en and label_vi/name_vi");
		goto out;
	}
	while ((got = ctip_csv_next(c, &fl, &n, &line, e)) > 0) {
		for (int i = 0; i < n; i++)
			if (!fl[i] && !(fl[i] = strdup(""))) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				goto out;
			}
		if (n <= col_code || n <= col_en || n <= col_vi) {
			rc = ctip_err_at(e, CTIP_EINVAL, name, line, NULL, "too few columns");
			goto out;
		}
		struct ctip_ref_entry en = {
		        .vocab = vocab,
		        .code = fl[col_code],
		        .label_en = fl[col_en],
		        .label_vi = fl[col_vi],
		        .aliases = col_alias >= 0 && col_alias < n ? fl[col_alias] : "",
		        .extra = col_extra >= 0 && col_extra < n ? fl[col_extra] : "",
		        .sort = sort,
		};
		sort++;
		if ((rc = ctip_ref_add(r, &en, e))) {
			char msg[sizeof(e->msg)];
			snprintf(msg, sizeof(msg), "%s", e->msg);
			ctip_err_at(e, rc, name, line, NULL, "%s", msg);
			goto out;
		}
	}
	if (got < 0)
		rc = e->code;
out:
	ctip_csv_close(c);
	fclose(f);
	return rc;
}

/* "data/vocab/gender.csv" -> "gender"; "data/geo/countries.csv" -> "country"; ... */
static int vocab_of_path(const char *path, char *buf, size_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(path, "data/vocab/", 11) == 0) {
		size_t len = strlen(base);
		if (len < 5 || strcmp(base + len - 4, ".csv") != 0 || len - 4 >= n)
			return 0;
		memcpy(buf, base, len - 4);
		buf[len - 4] = 0;
		return 1;
	}
	if (!strcmp(path, "data/geo/countries.csv"))
		return snprintf(buf, n, "country"), 1;
	if (!strcmp(path, "data/geo/provinces_2008.csv"))
		return snprintf(buf, n, "province_2008"), 1;
	if (!strcmp(path, "data/geo/provinces_2025.csv"))
		return snprintf(buf, n, "province_2025"), 1;
	return 0;
}

int ctip_ref_load_embedded(ctip_ref *r, ctip_err *e)
{
	char vocab[64];
	for (const struct ctip_embedded *f = ctip_embedded; f->path; f++) {
		if (!vocab_of_path(f->path, vocab, sizeof(vocab)))
			continue;
		int rc = ctip_ref_load_csv(r, vocab, f->data, f->len, f->path, e);
		if (rc)
			return rc;
	}
	return CTIP_OK;
}
