/*
 * link_prep.c - preparing person records for linkage and comparing two of
 * them (see link_prep.h).
 */
#include "link_prep.h"

#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "text.h"

/* ---- arena: the strings live as long as the run ---- */

static const char *arena_dup(struct lk_arena *a, const char *s, size_t n)
{
	if (!a->block || a->used + n + 1 > a->size) {
		size_t size = n + 1 > (1u << 20) ? n + 1 : (1u << 20);
		char **bl = realloc(a->blocks, (size_t)(a->nblocks + 1) * sizeof(*bl));
		if (!bl)
			return NULL;
		a->blocks = bl;
		if (!(a->block = malloc(size)))
			return NULL;
		a->blocks[a->nblocks++] = a->block;
		a->used = 0;
		a->size = size;
	}
	char *p = a->block + a->used;
	memcpy(p, s, n);
	p[n] = 0;
	a->used += n + 1;
	return p;
}

/* ---- dictionary of strings (open addressing, FNV-1a) ---- */

static uint32_t hash_str(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int dict_grow(struct lk_dict *d)
{
	uint32_t cap = d->cap ? d->cap * 2 : 1024;
	const char **str = realloc(d->str, cap * sizeof(*str));
	if (str)
		d->str = str;
	uint32_t *len = realloc(d->len, cap * sizeof(*len));
	if (len)
		d->len = len;
	uint32_t *cf = realloc(d->cnt_fam, cap * sizeof(*cf));
	if (cf)
		d->cnt_fam = cf;
	uint32_t *cg = realloc(d->cnt_giv, cap * sizeof(*cg));
	if (cg)
		d->cnt_giv = cg;
	uint32_t *cm = realloc(d->cnt_mid, cap * sizeof(*cm));
	if (cm)
		d->cnt_mid = cm;
	uint32_t *val = realloc(d->val, cap * sizeof(*val));
	if (val)
		d->val = val;
	if (!str || !len || !cf || !cg || !cm || !val)
		return -1;
	memset(d->cnt_fam + d->cap, 0, (cap - d->cap) * sizeof(*cf));
	memset(d->cnt_giv + d->cap, 0, (cap - d->cap) * sizeof(*cg));
	memset(d->cnt_mid + d->cap, 0, (cap - d->cap) * sizeof(*cm));
	d->cap = cap;
	/* the slots stay at most half full */
	uint32_t nslot = cap * 2;
	uint32_t *slot = calloc(nslot, sizeof(*slot));
	if (!slot)
		return -1;
	for (uint32_t id = 1; id < d->n; id++) {
		uint32_t h = hash_str(d->str[id], d->len[id]) & (nslot - 1);
		while (slot[h])
			h = (h + 1) & (nslot - 1);
		slot[h] = id;
	}
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	return 0;
}

/* The id of s[0..n) (added when new); 0 on out of memory. */
static uint32_t dict_id(struct lk_dict *d, struct lk_arena *a, const char *s, size_t n)
{
	if (d->n == 0)
		d->n = 1;
	if (d->n + 1 >= d->cap && dict_grow(d))
		return 0;
	uint32_t h = hash_str(s, n) & (d->nslot - 1);
	for (; d->slot[h]; h = (h + 1) & (d->nslot - 1)) {
		uint32_t id = d->slot[h];
		if (d->len[id] == n && !memcmp(d->str[id], s, n))
			return id;
	}
	const char *p = arena_dup(a, s, n);
	if (!p)
		return 0;
	uint32_t id = d->n++;
	d->str[id] = p;
	d->len[id] = (uint32_t)n;
	d->cnt_fam[id] = d->cnt_giv[id] = d->cnt_mid[id] = 0;
	d->slot[h] = id;
	return id;
}

static void dict_free(struct lk_dict *d)
{
	free(d->str);
	free(d->len);
	free(d->cnt_fam);
	free(d->cnt_giv);
	free(d->cnt_mid);
	free(d->val);
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

uint32_t lk_dict_intern(struct lk_dict *d, struct lk_arena *a, const char *s, size_t n)
{
	return dict_id(d, a, s, n);
}

int lk_arena_adopt(struct lk_arena *a, char *block)
{
	char **bl = realloc(a->blocks, (size_t)(a->nblocks + 1) * sizeof(*bl));
	if (!bl)
		return -1;
	a->blocks = bl;
	a->blocks[a->nblocks++] = block;
	return 0;
}

void lk_data_init(struct lk_data *d)
{
	memset(d, 0, sizeof(*d));
	/* the 2008 province codes (a CCCD's 2nd and 3rd digits) in the 2025 list: the first
	 * and last fields of data/geo/provinces_2008.csv */
	const struct ctip_embedded *f = ctip_embedded_find("data/geo/provinces_2008.csv");
	const char *p = f ? strchr(f->data, '\n') : NULL;
	while (p && *++p) {
		const char *eol = strchr(p, '\n'), *last = eol ? eol : p + strlen(p);
		const char *c = last;
		while (c > p && c[-1] != ',')
			c--;
		int code = atoi(p), c25 = atoi(c);
		if (code > 0 && code < 100 && c25 > 0)
			d->cccd_prov[code] = (uint8_t)c25;
		p = eol;
	}
}

void lk_data_free(struct lk_data *d)
{
	free(d->r);
	free(d->pair_key);
	free(d->pair_cnt);
	dict_free(&d->names);
	dict_free(&d->orgs);
	dict_free(&d->raw);
	for (int i = 0; i < d->arena.nblocks; i++)
		free(d->arena.blocks[i]);
	free(d->arena.blocks);
	memset(d, 0, sizeof(*d));
}

static uint32_t name_id_fold(struct lk_data *d, const char *s, int *oom);
static uint32_t place_id_fold(struct lk_data *d, const char *s, int *oom);

/* The folded id of s, a name (tag 'n') or a place ('p'), through the raw dictionary. */
static uint32_t cached_id(struct lk_data *d, char tag, const char *s, int *oom)
{
	char key[256];
	size_t n = strlen(s);
	if (n + 1 >= sizeof(key)) /* too long to be common: folded each time */
		return tag == 'p' ? place_id_fold(d, s, oom) : name_id_fold(d, s, oom);
	key[0] = tag;
	memcpy(key + 1, s, n);
	uint32_t before = d->raw.n, rid = dict_id(&d->raw, &d->arena, key, n + 1);
	if (!rid) {
		*oom = 1;
		return 0;
	}
	if (d->raw.n > (before ? before : 1)) /* a new spelling: folded once */
		d->raw.val[rid] = tag == 'p' ? place_id_fold(d, s, oom) : name_id_fold(d, s, oom);
	return d->raw.val[rid];
}

/* The id of a name part after folding; 0 when missing. *oom set when out of memory. */
static uint32_t name_id(struct lk_data *d, const char *s, int *oom)
{
	if (!s || !*s)
		return 0;
	return cached_id(d, 'n', s, oom);
}

static uint32_t name_id_fold(struct lk_data *d, const char *s, int *oom)
{
	long n = ctip_text_fold_buf(s, d->fold, sizeof(d->fold));
	if (n <= 0)
		return 0;
	uint32_t id = dict_id(&d->names, &d->arena, d->fold, (size_t)n);
	if (!id)
		*oom = 1;
	return id;
}

/* A district or commune, folded, without the word for its kind ("Huyện Quan Sơn" and
 * "Quan Son" are one place); 0 when missing. */
static uint32_t place_id(struct lk_data *d, const char *s, int *oom)
{
	if (!s || !*s)
		return 0;
	return cached_id(d, 'p', s, oom);
}

static uint32_t place_id_fold(struct lk_data *d, const char *s, int *oom)
{
	static const char *const kinds[] = {"huyen ", "quan ",   "thi xa ",   "thanh pho ", "tp ",
	                                    "xa ",    "phuong ", "thi tran ", "tt "};
	long n = ctip_text_fold_buf(s, d->fold, sizeof(d->fold));
	if (n <= 0)
		return 0;
	const char *p = d->fold;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		size_t k = strlen(kinds[i]);
		if ((size_t)n > k && !strncmp(p, kinds[i], k)) {
			p += k;
			n -= (long)k;
			break;
		}
	}
	uint32_t id = dict_id(&d->names, &d->arena, p, (size_t)n);
	if (!id)
		*oom = 1;
	return id;
}

/* Calls f on each item of a `;` list. */
static void each_item(const char *list, void (*f)(struct lk_rec *r, const char *s, size_t n),
                      struct lk_rec *r)
{
	while (list && *list) {
		const char *end = list;
		while (*end && *end != ';') {
			if (*end == '\\' && end[1])
				end++;
			end++;
		}
		f(r, list, (size_t)(end - list));
		list = *end ? end + 1 : end;
	}
}

static void add_doc(struct lk_rec *r, const char *s, size_t n)
{
	char buf[64];
	if (r->ndoc >= LK_MAXDOC || n >= sizeof(buf))
		return;
	memcpy(buf, s, n);
	buf[n] = 0;
	struct ctip_lk_doc doc = ctip_lk_doc_norm(buf);
	if (doc.len)
		r->doc[r->ndoc++] = doc;
}

static void add_phone(struct lk_rec *r, const char *s, size_t n)
{
	char buf[64];
	if (r->nph >= LK_MAXPH || n >= sizeof(buf))
		return;
	memcpy(buf, s, n);
	buf[n] = 0;
	uint64_t p = ctip_lk_phone(buf);
	if (p)
		r->ph[r->nph++] = p;
}

/* The countries of exploitation (a `;` list), folded (a code or a name as written: "KH" and
 * "kh" are one), each once, at most LK_MAXCTRY. */
static void add_countries(struct lk_data *d, struct lk_rec *r, const char *list, int *oom)
{
	char buf[128];
	while (list && *list && r->nctry < LK_MAXCTRY) {
		size_t n = strcspn(list, ";");
		if (n > 0 && n < sizeof(buf)) {
			memcpy(buf, list, n);
			buf[n] = 0;
			uint32_t id = cached_id(d, 'c', buf, oom);
			int seen = !id;
			for (int i = 0; i < r->nctry && !seen; i++)
				seen = r->ctry[i] == id;
			if (!seen)
				r->ctry[r->nctry++] = id;
		}
		list += n;
		if (*list)
			list++;
	}
}

/* The 12-digit citizen card (CCCD) says the province where the birth was registered (its
 * first three digits: 0 and the 2008 province code), the holder's sex and century (its 4th
 * digit: 0/1 man/woman born in the 1900s, 2/3 in the 2000s) and year of birth (5th and 6th
 * digits): a record without them takes them from there, the year as a year-only date, the
 * province as its 2025 province. */
static void infer_from_cccd(const struct lk_data *d, struct lk_rec *r)
{
	for (int i = 0; i < r->ndoc; i++) {
		const char *s = r->doc[i].s;
		if (r->doc[i].len != 12)
			continue;
		int digits = 1;
		for (int j = 0; j < 12; j++)
			digits &= s[j] >= '0' && s[j] <= '9';
		int sc = s[3] - '0';
		if (!digits || sc > 3)
			continue;
		if (!r->bd.y)
			r->bd.y = (int16_t)((sc < 2 ? 1900 : 2000) + (s[4] - '0') * 10 +
			                    (s[5] - '0'));
		if (!r->gender)
			r->gender = (uint8_t)(sc % 2 ? 1 : 2);
		if (!r->prov && s[0] == '0')
			r->prov = d->cccd_prov[(s[1] - '0') * 10 + (s[2] - '0')];
		return;
	}
}

int lk_data_add(void *ctx, const struct ctip_link_input *in)
{
	struct lk_data *d = ctx;
	if (d->n == d->cap) {
		long cap = d->cap ? d->cap * 2 : 4096;
		struct lk_rec *r = realloc(d->r, (size_t)cap * sizeof(*r));
		if (!r)
			return CTIP_ENOMEM;
		d->r = r;
		d->cap = cap;
	}
	struct lk_rec *r = &d->r[d->n];
	memset(r, 0, sizeof(*r));
	int oom = 0;
	r->id = in->id;
	r->fam = name_id(d, in->family, &oom);
	r->mid = name_id(d, in->middle, &oom);
	r->giv = name_id(d, in->given, &oom);
	const char *org = in->org ? in->org : "";
	r->org = dict_id(&d->orgs, &d->arena, org, strlen(org));
	const char *src = in->src_record_id ? in->src_record_id : "";
	r->src = arena_dup(&d->arena, src, strlen(src));
	if (oom || !r->org || !r->src)
		return CTIP_ENOMEM;
	if (r->fam) {
		d->names.cnt_fam[r->fam]++;
		d->n_fam++;
	}
	if (r->giv) {
		d->names.cnt_giv[r->giv]++;
		d->n_giv++;
	}
	if (r->mid) {
		d->names.cnt_mid[r->mid]++;
		d->n_mid++;
	}
	r->district = place_id(d, in->district, &oom);
	r->commune = place_id(d, in->commune, &oom);
	add_countries(d, r, in->expl_countries, &oom);
	if (oom)
		return CTIP_ENOMEM;
	r->bd = ctip_lk_date_parse(in->birth);
	r->ex_start = ctip_lk_ordinal(in->expl_start, 0);
	r->ex_end = ctip_lk_ordinal(in->expl_end, 1);
	r->gender = (uint8_t)ctip_lk_gender(in->gender);
	r->prov = in->province_2025 ? (uint16_t)atoi(in->province_2025) : 0;
	each_item(in->docs, add_doc, r);
	infer_from_cccd(d, r);
	each_item(in->mobiles, add_phone, r);
	each_item(in->homephones, add_phone, r);
	d->n++;
	return 0;
}

static int name_level(const struct lk_dict *nd, uint32_t a, uint32_t b)
{
	if (!a || !b)
		return LK_MISSING;
	if (a == b)
		return LK_NAME_EXACT;
	return ctip_lk_name(nd->str[a], nd->str[b]);
}

lk_pat lk_compare(const struct lk_data *d, const struct lk_rec *a, const struct lk_rec *b)
{
	const struct lk_dict *nd = &d->names;
	uint32_t bf = b->fam, bg = b->giv, swapped = 0;
	if (a->fam && a->giv && bf && bg && !(a->fam == bf && a->giv == bg)) {
		if (a->fam == bg && a->giv == bf)
			swapped = 1;
		else if (a->fam != bf && ctip_lk_swapped(nd->str[a->fam], nd->str[a->giv],
		                                         nd->str[bf], nd->str[bg]))
			swapped = 1;
	}
	if (swapped) {
		uint32_t t = bf;
		bf = bg;
		bg = t;
	}
	int lv[C_N];
	lv[C_FAMILY] = name_level(nd, a->fam, bf);
	lv[C_GIVEN] = name_level(nd, a->giv, bg);
	lv[C_MIDDLE] = !a->mid || !b->mid ? LK_MISSING
	               : a->mid == b->mid ? LK_MID_EXACT
	                                  : LK_MID_DIFF;
	lv[C_BIRTH] = ctip_lk_date(a->bd, b->bd);
	lv[C_DOC] = ctip_lk_docs(a->doc, a->ndoc, b->doc, b->ndoc);
	lv[C_PHONE] = ctip_lk_phones(a->ph, a->nph, b->ph, b->nph);
	lv[C_PROV] = ctip_lk_eq(a->prov, b->prov);
	lv[C_GENDER] = ctip_lk_eq(a->gender, b->gender);
	if (a->district && b->district && a->district != b->district)
		lv[C_PLACE] = LK_PLACE_DIFF;
	else if (a->commune && b->commune)
		lv[C_PLACE] = a->commune == b->commune     ? LK_PLACE_COMMUNE
		              : a->district && b->district ? LK_PLACE_DISTRICT
		                                           : LK_PLACE_DIFF;
	else
		lv[C_PLACE] = a->district && b->district ? LK_PLACE_DISTRICT : LK_MISSING;
	lv[C_PERIOD] = ctip_lk_period(a->ex_start, a->ex_end, b->ex_start, b->ex_end);
	lv[C_COUNTRY] = ctip_lk_countries(a->ctry, a->nctry, b->ctry, b->nctry);
	lk_pat p = (lk_pat)swapped << LK_PAT_CROSSED | (lk_pat)(a->org != b->org) << LK_PAT_ORG;
	for (int c = 0; c < C_ORG; c++)
		p |= (lk_pat)lv[c] << (3 * c);
	return p;
}

static uint64_t name_pair(const struct lk_rec *r)
{
	uint32_t lo = r->fam < r->giv ? r->fam : r->giv, hi = r->fam < r->giv ? r->giv : r->fam;
	return (uint64_t)lo << 32 | hi;
}

static size_t pair_slot(const struct lk_data *d, uint64_t k)
{
	uint64_t h = k * 0x9E3779B97F4A7C15ull;
	size_t i = (size_t)(h >> 20) & (d->npair_slot - 1);
	while (d->pair_key[i] && d->pair_key[i] != k)
		i = (i + 1) & (d->npair_slot - 1);
	return i;
}

int lk_data_count_names(struct lk_data *d)
{
	size_t n = 1024;
	while (n < (size_t)d->n * 2)
		n *= 2;
	free(d->pair_key);
	free(d->pair_cnt);
	d->pair_key = calloc(n, sizeof(*d->pair_key));
	d->pair_cnt = calloc(n, sizeof(*d->pair_cnt));
	if (!d->pair_key || !d->pair_cnt)
		return -1;
	d->npair_slot = n;
	d->n_pair = 0;
	d->n_freq = d->n;
	for (long i = 0; i < d->n; i++) {
		const struct lk_rec *r = &d->r[i];
		if (!r->fam || !r->giv)
			continue;
		uint64_t k = name_pair(r);
		size_t j = pair_slot(d, k);
		d->pair_key[j] = k;
		d->pair_cnt[j]++;
		d->n_pair++;
	}
	return 0;
}

uint32_t lk_name_count(const struct lk_data *d, const struct lk_rec *r)
{
	if (!r->fam || !r->giv || !d->npair_slot)
		return 0;
	size_t j = pair_slot(d, name_pair(r));
	return d->pair_key[j] ? d->pair_cnt[j] : 0;
}

long lk_name_slot(const struct lk_data *d, const struct lk_rec *r)
{
	if (!r->fam || !r->giv || !d->npair_slot)
		return -1;
	size_t j = pair_slot(d, name_pair(r));
	return d->pair_key[j] ? (long)j : -1;
}
