/*
 * link_block.c - blocking (link_block.h): the rules' keys of each record, the blocks, and
 * the candidate pairs, each once, in time close to linear in the number of records.
 */
#include "link_block.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- blocking ------------------------------------------------------------------------ */

/* The blocking rules: a pair is a candidate when some rule gives both records one key.
 * Names are taken unordered (family and given read either way), years by their last two
 * digits (two-digit years block with four-digit ones). */
enum {
	R_NAME_YEAR,  /* family, given and middle names, birth year */
	R_NAME_PROV,  /* family, given and middle names, province (no birth date needed) */
	R_DOC,        /* an identity-document number */
	R_PHONE,      /* a phone */
	R_GIVEN_DAY,  /* given name, day and month of birth, province (family name or year
	               * differ) */
	R_INIT_DATE,  /* family name, given name's initial, full birth date (given name typo) */
	R_INIT_YPROV, /* family name, given name's initial, middle name, birth year, province */
	R_NAME_DIST,  /* family and given names, district (full name and province is too common
	               * in a large registry) */
	/* Rules that need no middle name, birth date, province or document (issue 12): plain
	 * registries drop the middle name and leave out birth date or province */
	R_FG_YEAR,    /* family and given names, birth year */
	R_FG_PROV,    /* family and given names, province */
	R_FG,         /* family and given names alone, in blocks no larger than the registry's
	               * name-frequency cap (name_cap) */
	R_ONE_YPROV,  /* one name (either), birth year, province: a typo in the other name */
	R_ONE_INIT_Y, /* one name, the other's initial and length, birth year (no province) */
	R_ONE_INIT_P, /* one name, the other's initial and length, province (no birth date) */
	R_N
};
const int lk_block_bin_max[LK_BLOCK_BINS] = {1, 2, 5, 10, 20, 50, 100, 200};
const char *const lk_rule_name[LK_RULES] = {"names+middle+year",
                                            "names+middle+province",
                                            "document",
                                            "phone",
                                            "given+day+province",
                                            "family+initial+date",
                                            "family+initial+middle+year+province",
                                            "names+district",
                                            "names+year",
                                            "names+province",
                                            "names alone",
                                            "one name+year+province",
                                            "one name+initial+year",
                                            "one name+initial+province"};

/* A block larger than this is too common a value to say anything: it is skipped (its pairs
 * are found, if at all, by the other rules). */
enum { BLOCK_MAX = 200, LK_MAXKEYS = 3 };

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return h;
}

static uint64_t key3(int rule, uint64_t a, uint64_t b, uint64_t c)
{
	return mix(mix(mix(mix(0x1234567ull, (uint64_t)rule), a), b), c) | 1;
}

static uint64_t initial(const struct lk_data *d, uint32_t id)
{
	return (unsigned char)d->names.str[id][0];
}

/* What is kept of the other name when one may be mistyped: its initial. */
static uint64_t shape(const struct lk_data *d, uint32_t id)
{
	return initial(d, id);
}

static int rule_keys_raw(const struct lk_data *d, const struct lk_rec *r, int rule,
                         uint64_t k[LK_MAXKEYS]);

/* The distinct blocking keys of record r under rule; returns how many (0: not blocked). */
static int rule_keys(const struct lk_data *d, const struct lk_rec *r, int rule,
                     uint64_t k[LK_MAXKEYS])
{
	int n = rule_keys_raw(d, r, rule, k), m = 0;
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (int j = 0; j < m && !dup; j++)
			dup = k[j] == k[i];
		if (!dup)
			k[m++] = k[i];
	}
	return m;
}

static int rule_keys_raw(const struct lk_data *d, const struct lk_rec *r, int rule,
                         uint64_t k[LK_MAXKEYS])
{
	uint64_t by = (uint64_t)(r->bd.y % 100), lo = r->fam < r->giv ? r->fam : r->giv,
	         hi = r->fam < r->giv ? r->giv : r->fam;
	int full = r->bd.y && r->bd.m && r->bd.d;
	switch (rule) {
	case R_NAME_YEAR:
		if (!r->fam || !r->giv || !r->bd.y)
			return 0;
		k[0] = key3(rule, lo, hi, by << 32 | r->mid);
		return 1;
	case R_NAME_PROV:
		if (!r->fam || !r->giv || !r->prov)
			return 0;
		k[0] = key3(rule, lo, hi, (uint64_t)r->prov << 32 | r->mid);
		return 1;
	case R_DOC:
		for (int i = 0; i < r->ndoc; i++) {
			uint64_t h = 0;
			for (int j = 0; j < r->doc[i].len; j++)
				h = mix(h, (unsigned char)r->doc[i].s[j]);
			k[i] = key3(rule, h, 0, 0);
		}
		return r->ndoc;
	case R_PHONE:
		for (int i = 0; i < r->nph; i++)
			k[i] = key3(rule, r->ph[i], 0, 0);
		return r->nph;
	case R_GIVEN_DAY:
		if (!r->giv || !full)
			return 0;
		k[0] = key3(rule, r->giv, (uint64_t)r->bd.m << 8 | (uint64_t)r->bd.d, r->prov);
		return 1;
	case R_INIT_DATE: /* both ways round */
		if (!r->fam || !r->giv || !full)
			return 0;
		k[0] = key3(rule, r->fam, initial(d, r->giv),
		            by * 10000u + (uint64_t)r->bd.m * 100u + (uint64_t)r->bd.d);
		k[1] = key3(rule, r->giv, initial(d, r->fam),
		            by * 10000u + (uint64_t)r->bd.m * 100u + (uint64_t)r->bd.d);
		return 2;
	case R_INIT_YPROV:
		if (!r->fam || !r->giv || !r->bd.y || !r->prov)
			return 0;
		k[0] = key3(rule, r->fam, initial(d, r->giv) << 32 | r->mid, by * 1000u + r->prov);
		k[1] = key3(rule, r->giv, initial(d, r->fam) << 32 | r->mid, by * 1000u + r->prov);
		return 2;
	case R_NAME_DIST:
		if (!r->fam || !r->giv || !r->district)
			return 0;
		k[0] = key3(rule, lo, hi, r->district);
		return 1;
	case R_FG_YEAR:
		if (!r->fam || !r->giv || !r->bd.y)
			return 0;
		k[0] = key3(rule, lo, hi, by);
		return 1;
	case R_FG_PROV:
		if (!r->fam || !r->giv || !r->prov)
			return 0;
		k[0] = key3(rule, lo, hi, r->prov);
		return 1;
	case R_FG:
		if (!r->fam || !r->giv)
			return 0;
		k[0] = key3(rule, lo, hi, 0);
		return 1;
	case R_ONE_YPROV:
		if (!r->fam || !r->giv || !r->bd.y || !r->prov)
			return 0;
		k[0] = key3(rule, r->fam, by, r->prov);
		k[1] = key3(rule, r->giv, by, r->prov);
		return 2;
	case R_ONE_INIT_Y:
		if (!r->fam || !r->giv || !r->bd.y)
			return 0;
		k[0] = key3(rule, r->fam, shape(d, r->giv), by);
		k[1] = key3(rule, r->giv, shape(d, r->fam), by);
		return 2;
	case R_ONE_INIT_P:
		if (!r->fam || !r->giv || !r->prov)
			return 0;
		k[0] = key3(rule, r->fam, shape(d, r->giv), r->prov);
		k[1] = key3(rule, r->giv, shape(d, r->fam), r->prov);
		return 2;
	default: return 0;
	}
}

/* How many keys a record may have under rule. */
static int rule_width(int rule)
{
	switch (rule) {
	case R_DOC: return LK_MAXDOC;
	case R_PHONE: return LK_MAXPH;
	case R_INIT_DATE:
	case R_INIT_YPROV:
	case R_ONE_YPROV:
	case R_ONE_INIT_Y:
	case R_ONE_INIT_P: return 2;
	default: return 1;
	}
}

/* Whether two records' key lists (ka, kb: every rule's, at off) share a key of a block not
 * skipped under a rule before rule, or one smaller than key under rule (the pair is formed
 * there). */
static int shared_before(const uint64_t *ka, const uint64_t *kb, const size_t *off, int rule,
                         uint64_t key)
{
	for (int r = 0; r <= rule; r++)
		for (size_t x = off[r]; x < off[r + 1]; x++) {
			if (!ka[x])
				continue;
			for (size_t y = off[r]; y < off[r + 1]; y++)
				if (ka[x] == kb[y] && (r < rule || ka[x] < key))
					return 1;
		}
	return 0;
}

int lk_sort_entries(struct lk_entry **v, size_t n)
{
	struct lk_entry *tmp = malloc(n * sizeof(*tmp) + 1), *a = *v, *b = tmp;
	size_t *cnt = malloc(65536 * sizeof(*cnt));
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		return -1;
	}
	for (int pass = 0; pass < 4; pass++) {
		int sh = pass * 16;
		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(a[i].key >> sh) & 0xFFFF]++;
		size_t sum = 0;
		for (size_t i = 0; i < 65536; i++) {
			size_t c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[cnt[(a[i].key >> sh) & 0xFFFF]++] = a[i];
		struct lk_entry *t = a;
		a = b;
		b = t;
	}
	/* four passes: the sorted data is back in the original array */
	free(cnt);
	free(b == *v ? tmp : b);
	*v = a;
	return 0;
}

static int pairs_push(struct lk_pairs *p, uint32_t a, uint32_t b)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1 << 16;
		uint32_t *na = realloc(p->a, cap * sizeof(*na));
		if (na)
			p->a = na;
		uint32_t *nb = realloc(p->b, cap * sizeof(*nb));
		if (nb)
			p->b = nb;
		if (!na || !nb)
			return -1;
		p->cap = cap;
	}
	p->a[p->n] = a < b ? a : b;
	p->b[p->n] = a < b ? b : a;
	p->n++;
	return 0;
}

void lk_pairs_free(struct lk_pairs *p)
{
	free(p->a);
	free(p->b);
	free(p->pat);
	memset(p, 0, sizeof(*p));
}

/* The keys of a rule held by the new records of an incremental run: open addressing. */
struct keyset {
	uint64_t *k;
	size_t mask;
};

static int keyset_fill(struct keyset *ks, const struct lk_data *d, const unsigned char *isnew,
                       long nnew, int rule)
{
	size_t cap = 64;
	while (cap < (size_t)nnew * LK_MAXKEYS * 2)
		cap *= 2;
	free(ks->k);
	if (!(ks->k = calloc(cap, sizeof(*ks->k))))
		return -1;
	ks->mask = cap - 1;
	for (long i = 0; i < d->n; i++) {
		if (!isnew[i])
			continue;
		uint64_t k[LK_MAXKEYS];
		int nk = rule_keys(d, &d->r[i], rule, k);
		for (int j = 0; j < nk; j++) {
			size_t h = (size_t)(k[j] * 0x9E3779B97F4A7C15ull) & ks->mask;
			while (ks->k[h] && ks->k[h] != k[j])
				h = (h + 1) & ks->mask;
			ks->k[h] = k[j]; /* keys are odd: never 0 */
		}
	}
	return 0;
}

static int keyset_has(const struct keyset *ks, uint64_t key)
{
	size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull) & ks->mask;
	while (ks->k[h] && ks->k[h] != key)
		h = (h + 1) & ks->mask;
	return ks->k[h] == key;
}

/* The largest block of a rule: names alone up to the registry's cap (name_cap); one name with
 * the other's initial and a field, whose blocks gather many persons, up to WEAK_MAX (at
 * 100,000 poor records a cap of 200 gave 3.6 M candidate pairs, 20 gave 1.3 M for the same
 * F1, 0.861); family and given name with birth year or province (no middle name) up to
 * FG_MAX (at 1,000,000 typical records with 200 they made 19.8 M of 44 M candidate pairs; at
 * 100,000, 50 instead of 200 cut the candidate pairs by 12 % for the same F1 on every
 * profile); the others up to BLOCK_MAX. */
enum { WEAK_MAX = 20, FG_MAX = 50 };
static size_t rule_cap(int rule, size_t cap_fg)
{
	if (rule == R_FG)
		return cap_fg;
	if (rule == R_ONE_YPROV || rule == R_ONE_INIT_Y || rule == R_ONE_INIT_P)
		return WEAK_MAX;
	if (rule == R_FG_YEAR || rule == R_FG_PROV)
		return FG_MAX;
	return BLOCK_MAX;
}

/* The largest block of the name-only rule: blocks of a full name are taken from the rarest
 * up while their pairs stay within NAME_PAIRS per record, so that the rule costs linear work
 * whatever the registry's names (a rare full name is evidence by itself; a common one needs
 * another field, left to the other rules). From the counts of full names (link_prep.c). */
enum { NAME_PAIRS = 1 };
static size_t name_cap(const struct lk_data *d)
{
	enum { H = 256 };
	double pairs[H] = {0}, budget = (double)d->n * NAME_PAIRS;
	for (size_t j = 0; j < d->npair_slot; j++)
		if (d->pair_key[j]) {
			uint32_t c = d->pair_cnt[j];
			pairs[c < H ? c : H - 1] += (double)c * (c - 1) / 2;
		}
	double sum = 0;
	size_t cap = 1;
	for (size_t c = 2; c < H - 1; c++) {
		sum += pairs[c];
		if (sum > budget)
			break;
		cap = c;
	}
	return cap < BLOCK_MAX ? cap : BLOCK_MAX;
}

/* Candidate pairs: the union of the rules' blocks, each pair once (a pair is kept by the
 * first rule that blocks it). With isnew (an incremental run), only the pairs holding a new
 * record: only the blocks holding one are gathered, whole, so that a block is skipped as too
 * large exactly when a full run would skip it. */
int lk_block(const struct lk_data *d, const unsigned char *isnew, long nnew, struct lk_pairs *out,
             struct lk_block_stats *bs, ctip_err *e)
{
	_Static_assert((int)R_N == (int)LK_RULES, "a name and statistics for each rule");
	struct lk_block_stats bs0;
	if (!bs)
		bs = &bs0;
	memset(bs, 0, sizeof(*bs));
	/* each record's keys under every rule, a block skipped as too large zeroed (keys are odd):
	 * whether a pair was formed by an earlier rule is then a few compares */
	size_t off[R_N + 1];
	off[0] = 0;
	for (int r = 0; r < R_N; r++)
		off[r + 1] = off[r] + (size_t)rule_width(r);
	const size_t nk = off[R_N];
	struct lk_entry *v = malloc((size_t)d->n * LK_MAXKEYS * sizeof(*v) + 1);
	uint64_t *rk = calloc((size_t)d->n * nk + 1, sizeof(*rk));
	struct keyset ks = {0};
	int rc = CTIP_OK;
	if (!v || !rk) {
		free(v);
		free(rk);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	size_t cap_fg = name_cap(d);
	bs->name_cap = (long)cap_fg;
	for (int rule = 0; rule < R_N; rule++) {
		size_t n = 0, before = out->n, w = (size_t)rule_width(rule), skipped = 0;
		if (isnew && keyset_fill(&ks, d, isnew, nnew, rule)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		for (long i = 0; i < d->n; i++) {
			uint64_t k[LK_MAXKEYS];
			int nkr = rule_keys(d, &d->r[i], rule, k);
			for (int j = 0; j < nkr; j++) {
				rk[(size_t)i * nk + off[rule] + (size_t)j] = k[j];
				if (!isnew || keyset_has(&ks, k[j]))
					v[n++] = (struct lk_entry){k[j], (uint32_t)i};
			}
		}
		if (lk_sort_entries(&v, n)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		/* the blocks too large first: their keys leave the records' lists */
		size_t cap = rule_cap(rule, cap_fg);
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			while (j < n && v[j].key == v[i].key)
				j++;
			if (j - i > cap) {
				skipped++;
				for (size_t x = i; x < j; x++) {
					uint64_t *k = &rk[(size_t)v[x].rec * nk + off[rule]];
					for (size_t y = 0; y < w; y++)
						if (k[y] == v[i].key)
							k[y] = 0;
				}
			}
			i = j;
		}
		bs->skipped += (long)skipped;
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			while (j < n && v[j].key == v[i].key)
				j++;
			if (j - i > cap) {
				i = j;
				continue;
			}
			int bin = 0;
			while (bin < LK_BLOCK_BINS - 1 && (int)(j - i) > lk_block_bin_max[bin])
				bin++;
			bs->blocks[bin]++;
			for (size_t x = i; x < j; x++)
				for (size_t y = x + 1; y < j; y++) {
					uint32_t a = v[x].rec, b = v[y].rec;
					if (a == b || (isnew && !isnew[a] && !isnew[b]))
						continue;
					/* formed by an earlier rule, or in a block of this one with
					 * a smaller key */
					const uint64_t *ka = &rk[(size_t)a * nk],
					               *kb = &rk[(size_t)b * nk];
					if (shared_before(ka, kb, off, rule, v[i].key))
						continue;
					if (pairs_push(out, a, b)) {
						rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
						goto done;
					}
				}
			i = j;
		}
		bs->rule_pairs[rule] = (long)(out->n - before);
		if (getenv("CTIP_LINK_DEBUG"))
			fprintf(stderr, "rule %d: %zu keys, %zu blocks skipped, %zu pairs so far\n",
			        rule, n, skipped, out->n);
	}
done:
	free(ks.k);
	free(rk);
	free(v);
	return rc;
}
