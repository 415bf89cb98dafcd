/*
 * link_prep.h - person records prepared for linkage (link.c): each record's
 * folded names as ids in one dictionary of name strings (so that most
 * comparisons are integer compares, and the frequency of each name is at
 * hand for the term-frequency adjustment), its parsed birth date, gender,
 * 2025 province code, normalised documents and phones, and the comparison
 * of two prepared records.
 */
#ifndef CTIP_LINK_PREP_H
#define CTIP_LINK_PREP_H

#include <stdint.h>

#include "error.h"
#include "link_compare.h"
#include "store.h"

/* At most this many documents, phones and countries of exploitation per record (further
 * countries are not compared: the first LK_MAXCTRY distinct ones as the store lists them). */
enum { LK_MAXDOC = 3, LK_MAXPH = 2, LK_MAXCTRY = 3 };

/* The comparisons, in the order of a pattern's 3-bit fields (bits 3c to 3c + 2). */
enum {
	C_FAMILY,
	C_GIVEN,
	C_MIDDLE,
	C_BIRTH,
	C_DOC,
	C_PHONE,
	C_PROV,
	C_GENDER,
	C_PLACE,
	C_PERIOD,
	C_COUNTRY, /* countries of exploitation */
	C_ORG,     /* the last: one bit (LK_PAT_ORG) of the pattern, never missing */
	C_N
};

struct lk_rec {
	int64_t id;
	uint32_t fam, mid, giv; /* dictionary ids, 0: missing */
	uint32_t org;           /* index in the organisation dictionary */
	uint32_t district,
	        commune; /* dictionary ids of the folded names without "huyen", "xa"... */
	const char *src; /* source record id (in the arena) */
	struct ctip_lk_date bd;
	int32_t ex_start, ex_end;  /* period of exploitation (ctip_lk_ordinal), 0 unknown */
	uint32_t ctry[LK_MAXCTRY]; /* countries of exploitation: folded, in the name dictionary */
	uint8_t gender, ndoc, nph, nctry;
	uint16_t prov;
	struct ctip_lk_doc doc[LK_MAXDOC];
	uint64_t ph[LK_MAXPH];
};

struct lk_dict {
	const char **str;
	uint32_t *len, *cnt_fam, *cnt_giv, *cnt_mid;
	uint32_t *val;   /* the raw dictionary's: the id of the string folded */
	uint32_t n, cap; /* ids 1..n-1; 0 is "missing" */
	uint32_t *slot;
	uint32_t nslot;
};

struct lk_arena {
	char *block;
	size_t used, size;
	char **blocks;
	int nblocks;
};

struct lk_data {
	struct lk_rec *r;
	long n, cap;
	struct lk_dict names, orgs;
	/* names and places as written (a tag byte, then the bytes) -> their folded id: a
	 * spelling is folded once, not once per record */
	struct lk_dict raw;
	struct lk_arena arena;
	long n_fam, n_giv, n_mid; /* records with a family, a given, a middle name (n_mid 0:
	                           * the middle name weighs by its average frequency) */
	/* records by full name (family and given, unordered): keys and counts, open addressing */
	uint64_t *pair_key;
	uint32_t *pair_cnt;
	size_t npair_slot;
	long n_pair;
	/* the records the frequencies are of (n, or the stored run's: link.c's explain) */
	long n_freq;
	char fold[1024];
	uint8_t cccd_prov[100]; /* 2008 province code (a CCCD's) -> 2025 code, 0 unknown */
};

void lk_data_init(struct lk_data *d);
void lk_data_free(struct lk_data *d);
/* The callback for the store's link_input: prepares one record. */
int lk_data_add(void *ctx, const struct ctip_link_input *in);

/* The id of s[0..n) in a dictionary (added, copied into the arena, when new); 0 when out of
 * memory. */
uint32_t lk_dict_intern(struct lk_dict *d, struct lk_arena *a, const char *s, size_t n);
/* The arena frees block (malloc'd) with the others; -1 when out of memory. */
int lk_arena_adopt(struct lk_arena *a, char *block);

/* Counts the records of each full name (after every lk_data_add); -1 when out of memory. */
int lk_data_count_names(struct lk_data *d);
/* How many records hold r's full name (family and given, either order); 0 when r lacks one. */
uint32_t lk_name_count(const struct lk_data *d, const struct lk_rec *r);
/* The slot of r's full name in the counts (pair_key, pair_cnt); -1 when r lacks one. */
long lk_name_slot(const struct lk_data *d, const struct lk_rec *r);

/* A pattern: the levels of the comparisons before C_ORG packed 3 bits each (comparison c in
 * bits 3c to 3c + 2: 33 bits for eleven), the organisation's (same 0, different 1) in bit
 * LK_PAT_ORG, and bit LK_PAT_CROSSED set when family and given names were read crossed. Read
 * it only through lk_level and lk_crossed (bench/link_oracle.py and link_loss.py decode the
 * candidate dump the same way). */
typedef uint64_t lk_pat;
enum { LK_PAT_ORG = 62, LK_PAT_CROSSED = 63 };
_Static_assert(3 * C_ORG <= LK_PAT_ORG, "the 3-bit fields run into the organisation's bit");

/* Compares two prepared records into a pattern. */
lk_pat lk_compare(const struct lk_data *d, const struct lk_rec *a, const struct lk_rec *b);

static inline int lk_level(lk_pat pattern, int c)
{
	return c == C_ORG ? (int)((pattern >> LK_PAT_ORG) & 1) : (int)((pattern >> (3 * c)) & 7);
}

static inline int lk_crossed(lk_pat pattern)
{
	return (int)(pattern >> LK_PAT_CROSSED);
}

#endif
