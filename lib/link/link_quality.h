/*
 * link_quality.h - what a linkage run says of its own quality (issue 12): the threshold that
 * maximises the F1 the model expects from its match probabilities, and the estimates `ctip
 * link report` prints (precision, recall and F1 expected from the probabilities, the weight
 * histogram, block sizes, the clerical-review workload, and the number of persons with an
 * interval), stored with the run's model as JSON.
 */
#ifndef CTIP_LINK_QUALITY_H
#define CTIP_LINK_QUALITY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "link_block.h"

/* The review band's bounds (match probability): pairs between them are uncertain; the band
 * is widened to hold the threshold (from it, when it is below LK_REVIEW_LO). */
#define LK_REVIEW_LO 0.2
#define LK_REVIEW_HI 0.9

/* The match probability from which linking the candidate pairs of weights w[0..n) gives an
 * expected F1 (expected true pairs = the sum of their probabilities) within 0.005 of the
 * largest, the lowest such, between 0.2 and 0.99; 0.9 when there are no pairs. */
double lk_auto_threshold(const float *w, size_t n);

/* The run as the report shows it. jp[k]: the probability of the k-th link that joined two
 * clusters (njoin of them; reviewers' decisions count as 1). parent: the clusters (find). */
struct lk_quality_in {
	const uint32_t *a, *b;       /* candidate pairs */
	const float *w;              /* their weights */
	const unsigned char *linked; /* whether both ended in one person */
	size_t n;
	const float *jp;
	size_t njoin;
	uint32_t *parent; /* union-find (lk_find) over nrec records: a copy is used */
	long nrec, persons;
	double threshold;
	const struct lk_block_stats *bs;
};

/* The "quality" object (NULL when out of memory). */
json_t *lk_quality(const struct lk_quality_in *q);

#endif
