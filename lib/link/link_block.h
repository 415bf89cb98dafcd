/*
 * link_block.h - blocking for record linkage: a pair of records is a candidate when some
 * rule (names and birth year, names and province, a document, a phone, ...) gives both one
 * key; blocks too common to say anything are skipped. Incremental runs gather only the blocks
 * holding a new record.
 */
#ifndef CTIP_LINK_BLOCK_H
#define CTIP_LINK_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "link_prep.h"

struct lk_entry {
	uint64_t key;
	uint32_t rec;
};

/* LSD radix sort of entries by key, 16 bits a pass (*v may be replaced); -1 out of memory. */
int lk_sort_entries(struct lk_entry **v, size_t n);

/* Candidate pairs (a < b, record indices) and, once compared, their patterns. */
struct lk_pairs {
	uint32_t *a, *b;
	lk_pat *pat;
	size_t n, cap;
};

void lk_pairs_free(struct lk_pairs *p);

/* What blocking did, for `ctip link report`: blocks by size (1, 2, 3-5, 6-10, 11-20, 21-50,
 * 51-100, 101-200 records) and the blocks skipped as too common, over all rules; the pairs
 * each rule added; the largest block of the name-only rule. */
enum { LK_BLOCK_BINS = 8, LK_RULES = 14 };
struct lk_block_stats {
	long blocks[LK_BLOCK_BINS], skipped;
	long rule_pairs[LK_RULES];
	long name_cap;
};
extern const int lk_block_bin_max[LK_BLOCK_BINS];
extern const char *const lk_rule_name[LK_RULES];

/* The candidate pairs of d into out; with isnew (nnew records marked), only those holding a
 * new record; bs (may be NULL) gets the statistics. */
int lk_block(const struct lk_data *d, const unsigned char *isnew, long nnew, struct lk_pairs *out,
             struct lk_block_stats *bs, ctip_err *e);

#endif
