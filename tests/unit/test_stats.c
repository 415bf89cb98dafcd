/*
 * test_stats.c - the statistics engine (distinct counting, multi-valued dimensions, margins,
 * filters, bands), the snapshot's byte format, and disclosure control on tables whose
 * correct suppression is worked out by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "facts.h"
#include "stats.h"
#include "stats_out.h"
#include "suppress.h"

/* A blank table with given interior counts (row-major over the levels without totals),
 * margins computed as sums. */
static struct ctip_stats_table *table2(int r, int c, const int64_t *v)
{
	int nlev[2] = {r, c};
	struct ctip_stats_table *t = ctip_stats_blank(2, nlev);
	assert_non_null(t);
	for (int i = 0; i < r; i++)
		for (int j = 0; j < c; j++) {
			int64_t x = v[i * c + j];
			int cells[4][2] = {{i, j}, {i, c}, {r, j}, {r, c}};
			for (int k = 0; k < 4; k++)
				t->count[ctip_stats_cell(t, cells[k])] += x;
		}
	return t;
}

static int supp_at(const struct ctip_stats_table *t, int i, int j)
{
	int lev[2] = {i, j};
	return t->supp[ctip_stats_cell(t, lev)];
}

/* 1-D: 3 | 10 | 20, total 33. The 3 is withheld; alone on its line it would be 33-10-20,
 * so the smallest other, 10, is withheld too. The total stays. */
static void test_suppress_one_dim(void **st)
{
	int nlev[1] = {3};
	struct ctip_stats_table *t = ctip_stats_blank(1, nlev);
	int64_t v[] = {3, 10, 20, 33};
	memcpy(t->count, v, sizeof(v));
	assert_int_equal(ctip_suppress(t, 5), 2);
	assert_int_equal(t->supp[0], 1);
	assert_int_equal(t->supp[1], 2);
	assert_int_equal(t->supp[2], 0);
	assert_int_equal(t->supp[3], 0);
	assert_int_equal(ctip_suppress_attack(t, 1, NULL), 0);
	ctip_stats_free(t);
}

/* 2x2 (a single category plus Unknown per dimension):
 *        c0  c1 | T
 *   r0    2  10 | 12
 *   r1    8  30 | 38
 *   T    10  40 | 50
 * 2 is primary. Row r0: complement 10 (r0,c1). Column c0: complement 8 (r1,c0). Now row r1
 * has 8 alone: complement 30. Column c1 has 10 and 30 withheld: fine. The four interior
 * cells are withheld, margins published; no interior cell is determined (a rectangle). */
static void test_suppress_two_dim_rectangle(void **st)
{
	int64_t v[] = {2, 10, 8, 30};
	struct ctip_stats_table *t = table2(2, 2, v);
	assert_int_equal(ctip_suppress(t, 5), 4);
	assert_int_equal(supp_at(t, 0, 0), 1);
	assert_int_equal(supp_at(t, 0, 1), 2);
	assert_int_equal(supp_at(t, 1, 0), 2);
	assert_int_equal(supp_at(t, 1, 1), 2);
	assert_int_equal(supp_at(t, 0, 2), 0);
	assert_int_equal(supp_at(t, 2, 2), 0);
	assert_int_equal(ctip_suppress_attack(t, 1, NULL), 0);
	assert_int_equal(ctip_suppress_attack(t, 0, NULL), 0);
	ctip_stats_free(t);
}

/* A total under the threshold is withheld too, and then its line needs a second cell:
 *   r0: 1  1 | 2      r1: 20 30 | 50     T: 21 31 | 52
 * Primary: (0,0), (0,1), (0,T). Column c0 holds (0,0) alone -> complement (1,0) = 20;
 * column c1 -> (1,1) = 30; column T -> (1,T) = 50. Row r1 then has 20, 30, 50 withheld. */
static void test_suppress_small_margin(void **st)
{
	int64_t v[] = {1, 1, 20, 30};
	struct ctip_stats_table *t = table2(2, 2, v);
	ctip_suppress(t, 5);
	assert_int_equal(supp_at(t, 0, 2), 1);
	assert_int_equal(supp_at(t, 1, 0), 2);
	assert_int_equal(supp_at(t, 1, 1), 2);
	assert_int_equal(supp_at(t, 1, 2), 2);
	assert_int_equal(supp_at(t, 2, 0), 0);
	assert_int_equal(supp_at(t, 2, 2), 0);
	assert_int_equal(ctip_suppress_attack(t, 1, NULL), 0);
	ctip_stats_free(t);
}

/* Line-by-line protection is not enough: withheld cells forming two rectangles joined by
 * one cell (a bridge) have two per line, yet the bridge is determined. Rows r0..r3 and
 * columns c0..c3 (4x4, margins published):
 *   rectangle A on rows 0,1 x columns 0,1; rectangle B on rows 2,3 x columns 2,3; and the
 *   bridge (1,2)... then row 1 holds (1,0),(1,1),(1,2) and column 2 holds (1,2),(2,2),(3,2).
 * Summing rows 0 and 1 minus columns 0 and 1 leaves exactly the bridge: it is determined.
 * The exact attacker must say so; the line rule alone cannot see it. */
static void test_attack_finds_bridge(void **st)
{
	int64_t v[16];
	for (int i = 0; i < 16; i++)
		v[i] = 50 + i;
	struct ctip_stats_table *t = table2(4, 4, v);
	int cells[][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}, {3, 2}, {3, 3}, {1, 2}};
	for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++)
		t->supp[ctip_stats_cell(t, cells[k])] = 1;
	size_t cell = 0;
	assert_int_equal(ctip_suppress_attack(t, 1, &cell), 1);
	assert_int_equal(cell, ctip_stats_cell(t, cells[8]));
	/* single-unknown elimination does not find it: every line has two unknowns */
	assert_int_equal(ctip_suppress_attack(t, 0, NULL), 0);
	ctip_stats_free(t);
}

/* Elimination finds what is solvable step by step: (0,0) and (0,1) withheld in row 0,
 * (0,1) alone in column 1 -> solvable, then (0,0) from row 0. */
static void test_attack_elimination(void **st)
{
	int64_t v[] = {10, 10, 10, 10};
	struct ctip_stats_table *t = table2(2, 2, v);
	int a[2] = {0, 0}, b[2] = {0, 1};
	t->supp[ctip_stats_cell(t, a)] = 1;
	t->supp[ctip_stats_cell(t, b)] = 1;
	assert_int_equal(ctip_suppress_attack(t, 0, NULL), 2);
	assert_int_equal(ctip_suppress_attack(t, 1, NULL), 2);
	ctip_stats_free(t);
}

/* Random tables: after suppression, neither attacker determines any withheld cell, every
 * primary cell stays withheld, and no line holds exactly one withheld cell. */
static void test_suppress_random_tables(void **st)
{
	unsigned seed = 7;
	for (int round = 0; round < 60; round++) {
		int r = 2 + (int)(seed % 5), c = 2 + (int)(seed / 7 % 6);
		int64_t v[64];
		for (int i = 0; i < r * c; i++) {
			seed = seed * 1103515245u + 12345u;
			int x = (int)(seed >> 16) % 40;
			v[i] = x < 12 ? x % 6 : x; /* many small cells */
		}
		struct ctip_stats_table *t = table2(r, c, v);
		ctip_suppress(t, 5);
		assert_int_equal(ctip_suppress_attack(t, 1, NULL), 0);
		assert_int_equal(ctip_suppress_attack(t, 0, NULL), 0);
		for (size_t k = 0; k < t->ncell; k++)
			if (t->count[k] > 0 && t->count[k] < 5)
				assert_true(t->supp[k]);
		for (int i = 0; i <= r; i++) {
			int n = 0;
			for (int j = 0; j <= c; j++)
				n += supp_at(t, i, j) != 0;
			assert_true(n != 1);
		}
		for (int j = 0; j <= c; j++) {
			int n = 0;
			for (int i = 0; i <= r; i++)
				n += supp_at(t, i, j) != 0;
			assert_true(n != 1);
		}
		ctip_stats_free(t);
	}
}

/* Three dimensions: 2x2x2 with one small cell; every line of every dimension ends with zero
 * or at least two withheld cells, and the exact attacker determines none. */
static void test_suppress_three_dim(void **st)
{
	int nlev[3] = {2, 2, 2};
	struct ctip_stats_table *t = ctip_stats_blank(3, nlev);
	int64_t v[8] = {3, 20, 30, 40, 50, 60, 70, 80};
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 2; b++)
			for (int c = 0; c < 2; c++)
				for (int m = 0; m < 8; m++) {
					int lev[3] = {m & 1 ? 2 : a, m & 2 ? 2 : b, m & 4 ? 2 : c};
					t->count[ctip_stats_cell(t, lev)] += v[a * 4 + b * 2 + c];
				}
	ctip_suppress(t, 5);
	int lev0[3] = {0, 0, 0};
	assert_int_equal(t->supp[ctip_stats_cell(t, lev0)], 1);
	assert_int_equal(ctip_suppress_attack(t, 1, NULL), 0);
	assert_int_equal(ctip_suppress_attack(t, 0, NULL), 0);
	/* a 2x2x2 block of interior cells is the smallest pattern that hides the 3 */
	long n = 0;
	for (size_t k = 0; k < t->ncell; k++)
		n += t->supp[k] != 0;
	assert_true(n >= 8);
	ctip_stats_free(t);
}

/* --- the engine ----------------------------------------------------------------------- */

static void add_victim(ctip_facts *f, int64_t key, const char *date, const char *gender, int age,
                       const char *e1, const char *e2)
{
	struct ctip_frow r = {.key = key, .date = ctip_facts_date(date), .age = age};
	ctip_err e = {0};
	r.v[CTIP_D_GENDER][0] = gender;
	r.nv[CTIP_D_GENDER] = gender ? 1 : 0;
	if (e1)
		r.v[CTIP_D_EXPLOIT][r.nv[CTIP_D_EXPLOIT]++] = e1;
	if (e2)
		r.v[CTIP_D_EXPLOIT][r.nv[CTIP_D_EXPLOIT]++] = e2;
	assert_int_equal(ctip_facts_add(f, CTIP_U_VICTIMS, &r, &e), 0);
}

static ctip_facts *sample(void)
{
	ctip_facts *f = ctip_facts_new();
	/* person 1 in two cases: counted once; person 3 with two exploitation types */
	add_victim(f, 1, "2023-05-01", "Feminine", 15, "SexualExploitation", NULL);
	add_victim(f, 1, "2023-07-01", "Feminine", 15, "SexualExploitation", NULL);
	add_victim(f, 2, "2023-02-01", "Masculine", 30, "ForcedLabour", NULL);
	add_victim(f, 3, "2024", "Feminine", 17, "ForcedLabour", "ForcedCriminality");
	add_victim(f, 4, NULL, NULL, -1, NULL, NULL);
	return f;
}

static int64_t cell(const struct ctip_stats_table *t, int a, int b)
{
	int lev[2] = {a, b};
	return t->count[ctip_stats_cell(t, lev)];
}

static int level_of(const struct ctip_stats_table *t, int k, const char *label)
{
	for (int l = 0; l < t->nlev[k]; l++)
		if (!strcmp(t->label[k][l], label))
			return l;
	return -1;
}

static void test_engine_distinct_and_multi(void **st)
{
	ctip_facts *f = sample();
	struct ctip_stats_query q = {
	        .unit = CTIP_U_VICTIMS, .ndim = 2, .dim = {CTIP_D_GENDER, CTIP_D_EXPLOIT}};
	struct ctip_stats_table *t = NULL;
	ctip_err e = {0};
	assert_int_equal(ctip_stats_compute(f, &q, &t, &e), 0);
	assert_int_equal(t->records, 5);
	int fem = level_of(t, 0, "Feminine"), unk = level_of(t, 0, "Unknown");
	int fl = level_of(t, 1, "ForcedLabour"), fc = level_of(t, 1, "ForcedCriminality");
	int se = level_of(t, 1, "SexualExploitation"), eu = level_of(t, 1, "Unknown");
	int tot0 = t->nlev[0], tot1 = t->nlev[1];
	assert_true(fem >= 0 && unk == t->nlev[0] - 1 && fl >= 0 && fc >= 0 && se >= 0);
	assert_int_equal(cell(t, fem, se), 1); /* person 1 once, not twice */
	assert_int_equal(cell(t, fem, fl), 1);
	assert_int_equal(cell(t, fem, fc), 1);
	/* the Feminine margin is distinct victims (2), not the sum of its cells (3) */
	assert_int_equal(cell(t, fem, tot1), 2);
	assert_int_equal(cell(t, tot0, fl), 2);
	assert_int_equal(cell(t, unk, eu), 1); /* unknown is its own row, never dropped */
	assert_int_equal(cell(t, tot0, tot1), 4);
	assert_false(t->additive);
	ctip_stats_free(t);
	ctip_facts_free(f);
}

static void test_engine_filters_and_bands(void **st)
{
	ctip_facts *f = sample();
	struct ctip_stats_query q = {.unit = CTIP_U_VICTIMS, .ndim = 1, .dim = {CTIP_D_AGE}};
	struct ctip_stats_table *t = NULL;
	ctip_err e = {0};
	/* default bands: 0-15, 16-17, 18+, Unknown */
	assert_int_equal(ctip_stats_compute(f, &q, &t, &e), 0);
	assert_int_equal(t->nlev[0], 4);
	assert_string_equal(t->label[0][0], "0-15");
	assert_string_equal(t->label[0][2], "18+");
	assert_int_equal(t->count[0], 1);
	assert_int_equal(t->count[1], 1);
	assert_int_equal(t->count[2], 1);
	assert_int_equal(t->count[3], 1);
	ctip_stats_free(t);
	/* the year 2023 only (the row dated "2024" and the undated one drop out) */
	q.from = 20230000;
	q.to = 20231231;
	assert_int_equal(ctip_stats_parse_bands("0-17,18-", &q, &e), 0);
	assert_int_equal(ctip_stats_compute(f, &q, &t, &e), 0);
	assert_int_equal(t->nlev[0], 3);
	assert_int_equal(t->count[0], 1);
	assert_int_equal(t->count[1], 1);
	assert_int_equal(t->count[3], 2);
	assert_int_equal(t->records, 3);
	ctip_stats_free(t);
	/* --where on a multi-valued dimension: any of the values */
	struct ctip_stats_query w = {.unit = CTIP_U_VICTIMS,
	                             .nwhere = 1,
	                             .where_dim = {CTIP_D_EXPLOIT},
	                             .where_value = {"ForcedLabour"}};
	assert_int_equal(ctip_stats_compute(f, &w, &t, &e), 0);
	assert_int_equal(t->count[0], 2);
	ctip_stats_free(t);
	/* errors */
	assert_int_not_equal(ctip_stats_parse_bands("0-15,17-", &q, &e), 0);
	assert_int_not_equal(ctip_stats_parse_bands("x", &q, &e), 0);
	struct ctip_stats_query bad = {.unit = CTIP_U_CASES, .ndim = 1, .dim = {CTIP_D_GENDER}};
	assert_int_equal(ctip_stats_compute(f, &bad, &t, &e), CTIP_EINVAL);
	ctip_facts_free(f);
}

struct parts {
	int n, unit[256], part[256];
	void *data[256];
	size_t len[256];
};

static int keep_part(void *ctx, int unit, int part, const void *data, size_t len)
{
	struct parts *p = ctx;
	assert_true(p->n < 256);
	p->unit[p->n] = unit;
	p->part[p->n] = part;
	p->data[p->n] = malloc(len + 1);
	if (len)
		memcpy(p->data[p->n], data, len);
	p->len[p->n++] = len;
	return 0;
}

/* Loads the parts of the victims unit back, in the order the store does. */
static int load_victims(ctip_facts *g, struct parts *p, ctip_err *e)
{
	int order[] = {CTIP_PART_KEY, CTIP_PART_DATE};
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < p->n; i++)
			if (p->unit[i] == CTIP_U_VICTIMS && p->part[i] == order[k]) {
				void *d = malloc(p->len[i] + 1);
				memcpy(d, p->data[i], p->len[i]);
				if (ctip_facts_attach(g, CTIP_U_VICTIMS, order[k], d, p->len[i], e))
					return -1;
			}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < p->n; i++) {
			if (p->unit[i] != CTIP_U_VICTIMS || p->part[i] < 0 ||
			    (p->part[i] >= CTIP_PART_OFF) != pass)
				continue;
			void *d = malloc(p->len[i] + 1);
			memcpy(d, p->data[i], p->len[i]);
			if (ctip_facts_attach(g, CTIP_U_VICTIMS, p->part[i], d, p->len[i], e))
				return -1;
		}
	return 0;
}

/* Enough rows for the two-thread scan: keys on two rows each, so that the split must move
 * to a key boundary; every count is known. */
static void test_engine_two_threads(void **st)
{
	ctip_facts *f = ctip_facts_new();
	const uint32_t n = 150001;
	for (uint32_t i = 0; i < n; i++) {
		int64_t key = i / 2;
		add_victim(f, key, key % 3 ? "2023-01-01" : "2024-01-01",
		           key % 2 ? "Feminine" : "Masculine", (int)(key % 40), "ForcedLabour",
		           i % 2 ? "SexualExploitation" : NULL);
	}
	struct ctip_stats_query q = {
	        .unit = CTIP_U_VICTIMS, .ndim = 2, .dim = {CTIP_D_GENDER, CTIP_D_EXPLOIT}};
	struct ctip_stats_table *t = NULL;
	ctip_err e = {0};
	assert_int_equal(ctip_stats_compute(f, &q, &t, &e), 0);
	int64_t keys = (n + 1) / 2, fem = keys / 2, masc = keys - fem;
	int fe = level_of(t, 0, "Feminine"), ma = level_of(t, 0, "Masculine");
	int fl = level_of(t, 1, "ForcedLabour"), se = level_of(t, 1, "SexualExploitation");
	assert_int_equal(t->records, n);
	assert_int_equal(cell(t, t->nlev[0], t->nlev[1]), keys);
	assert_int_equal(cell(t, fe, t->nlev[1]), fem);
	assert_int_equal(cell(t, ma, t->nlev[1]), masc);
	assert_int_equal(cell(t, t->nlev[0], fl), keys);
	/* the last key has one row, without sexual exploitation */
	assert_int_equal(cell(t, t->nlev[0], se), keys - 1);
	ctip_stats_free(t);
	ctip_facts_free(f);
}

static void test_facts_roundtrip(void **st)
{
	ctip_facts *f = sample(), *g = ctip_facts_new();
	unsigned char *buf = NULL;
	size_t len = 0;
	ctip_err e = {0};
	struct parts p = {0};
	f->version = 42;
	assert_int_equal(ctip_facts_dicts_save(f, &buf, &len, &e), 0);
	assert_int_equal(ctip_facts_parts(f, keep_part, &p), 0);
	assert_int_equal(ctip_facts_dicts_load(g, buf, len, &e), 0);
	assert_int_equal(g->version, 42);
	assert_int_equal(load_victims(g, &p, &e), 0);
	assert_int_equal(g->u[CTIP_U_VICTIMS].n, 5);
	assert_true(ctip_facts_ready(g, CTIP_U_VICTIMS, CTIP_D_EXPLOIT));
	struct ctip_stats_query q = {
	        .unit = CTIP_U_VICTIMS, .ndim = 2, .dim = {CTIP_D_GENDER, CTIP_D_EXPLOIT}};
	struct ctip_stats_table *a = NULL, *b = NULL;
	assert_int_equal(ctip_stats_compute(f, &q, &a, &e), 0);
	assert_int_equal(ctip_stats_compute(g, &q, &b, &e), 0);
	assert_memory_equal(a->count, b->count, a->ncell * sizeof(int64_t));
	ctip_stats_free(a);
	ctip_stats_free(b);
	ctip_facts_free(g);
	/* every truncation of the dictionaries is refused, never read out of bounds */
	for (size_t cut = 0; cut < len; cut++) {
		g = ctip_facts_new();
		assert_int_not_equal(ctip_facts_dicts_load(g, buf, cut, &e), 0);
		ctip_facts_free(g);
	}
	/* a value out of its dictionary, or offsets that go backwards, are refused */
	for (int i = 0; i < p.n; i++)
		if (p.unit[i] == CTIP_U_VICTIMS && p.part[i] == CTIP_D_GENDER)
			((uint16_t *)p.data[i])[0] = 999;
	g = ctip_facts_new();
	assert_int_equal(ctip_facts_dicts_load(g, buf, len, &e), 0);
	assert_int_not_equal(load_victims(g, &p, &e), 0);
	ctip_facts_free(g);
	/* a table that needs a dimension not loaded says so */
	g = ctip_facts_new();
	assert_int_equal(ctip_facts_dicts_load(g, buf, len, &e), 0);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < p.n; i++)
			if (p.unit[i] == CTIP_U_VICTIMS &&
			    p.part[i] == (k ? CTIP_PART_DATE : CTIP_PART_KEY)) {
				void *d = malloc(p.len[i] + 1);
				memcpy(d, p.data[i], p.len[i]);
				assert_int_equal(ctip_facts_attach(g, CTIP_U_VICTIMS, p.part[i], d,
				                                   p.len[i], &e),
				                 0);
			}
	assert_int_not_equal(ctip_stats_compute(g, &q, &a, &e), 0);
	ctip_facts_free(g);
	for (int i = 0; i < p.n; i++)
		free(p.data[i]);
	free(buf);
	ctip_facts_free(f);
}

/* A snapshot built in memory whose rows have no value of a multi-valued dimension (victims
 * without proceedings or events: the server's snapshot of a new registry) still counts by it:
 * every row Unknown, not "not loaded". */
static void test_engine_dimension_without_values(void **st)
{
	(void)st;
	ctip_facts *f = sample();
	ctip_err e = {0};
	int dims[] = {CTIP_D_STAGE, CTIP_D_EVENT, CTIP_D_CONTROL};
	for (int i = 0; i < 3; i++) {
		struct ctip_stats_query q = {
		        .unit = CTIP_U_VICTIMS, .ndim = 2, .dim = {dims[i], CTIP_D_YEAR}};
		struct ctip_stats_table *t = NULL;
		assert_int_equal(ctip_stats_compute(f, &q, &t, &e), 0);
		int unk[2] = {t->nlev[0] - 1, t->nlev[1]};
		assert_int_equal(t->count[ctip_stats_cell(t, unk)], 4);
		assert_int_equal(t->count[ctip_stats_total_cell(t)], 4);
		ctip_stats_free(t);
	}
	ctip_facts_free(f);
}

/* Levels without any count are left out, Unknown stays even at 0 (here 1), the cells keep
 * their values and the labels follow them. */
static void test_drop_empty_levels(void **st)
{
	(void)st;
	const int64_t v[] = {3, 4, 0, 0, 5, 6, 0, 1}; /* L0, L1 (empty), L2, Unknown */
	struct ctip_stats_table *t = table2(4, 2, v);
	ctip_err e = {0};
	assert_int_equal(ctip_stats_drop_empty(t, 0, &e), 0);
	assert_int_equal(t->nlev[0], 3);
	assert_int_equal(t->nlev[1], 2);
	assert_int_equal(t->dropped, 1);
	assert_string_equal(t->label[0][0], "L0");
	assert_string_equal(t->label[0][1], "L2");
	assert_string_equal(t->label[0][2], "Unknown");
	int a[2] = {1, 1}, b[2] = {2, 1}, tot[2] = {3, 2}, col[2] = {3, 0};
	assert_int_equal(t->count[ctip_stats_cell(t, a)], 6);
	assert_int_equal(t->count[ctip_stats_cell(t, b)], 1);
	assert_int_equal(t->count[ctip_stats_cell(t, tot)], 19);
	assert_int_equal(t->count[ctip_stats_cell(t, col)], 8);
	assert_int_equal(t->ncell, (size_t)4 * 3);
	/* the second dimension: nothing empty, nothing dropped; a bad one refused */
	assert_int_equal(ctip_stats_drop_empty(t, 1, &e), 0);
	assert_int_equal(t->nlev[1], 2);
	assert_int_equal(t->dropped, 1);
	assert_int_not_equal(ctip_stats_drop_empty(t, 2, &e), 0);
	ctip_suppress(t, 5);
	assert_int_not_equal(ctip_stats_drop_empty(t, 0, &e), 0); /* after suppression: no */
	ctip_stats_free(t);
}

static void test_json_has_null_for_withheld(void **st)
{
	ctip_facts *f = sample();
	struct ctip_stats_query q = {.unit = CTIP_U_VICTIMS, .ndim = 1, .dim = {CTIP_D_GENDER}};
	struct ctip_stats_table *t = NULL;
	ctip_err e = {0};
	assert_int_equal(ctip_stats_compute(f, &q, &t, &e), 0);
	ctip_suppress(t, 5);
	json_t *j = ctip_stats_json(t, &q);
	json_t *rows = json_object_get(j, "rows");
	assert_true(json_array_size(rows) == 3);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		assert_non_null(json_object_get(r, "gender"));
		assert_true(json_is_null(json_object_get(r, "count")));
	}
	assert_true(json_is_null(json_object_get(j, "total")));
	json_t *p = json_object_get(j, "provenance");
	assert_int_equal(json_integer_value(json_object_get(p, "records")), 5);
	assert_non_null(json_object_get(p, "ctip_version"));
	json_decref(j);
	ctip_stats_free(t);
	ctip_facts_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_suppress_one_dim),
	        cmocka_unit_test(test_suppress_two_dim_rectangle),
	        cmocka_unit_test(test_suppress_small_margin),
	        cmocka_unit_test(test_attack_finds_bridge),
	        cmocka_unit_test(test_attack_elimination),
	        cmocka_unit_test(test_suppress_random_tables),
	        cmocka_unit_test(test_suppress_three_dim),
	        cmocka_unit_test(test_engine_distinct_and_multi),
	        cmocka_unit_test(test_engine_filters_and_bands),
	        cmocka_unit_test(test_engine_two_threads),
	        cmocka_unit_test(test_facts_roundtrip),
	        cmocka_unit_test(test_json_has_null_for_withheld),
	        cmocka_unit_test(test_drop_empty_levels),
	        cmocka_unit_test(test_engine_dimension_without_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
