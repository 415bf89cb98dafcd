/*
 * link_quality.c - a linkage run's own estimate of its quality (link_quality.h). Every figure
 * rests on the match probabilities of the candidate pairs: if they are honest (calibrated),
 * the sum of the probabilities of the linked pairs is the expected number of true pairs
 * among them, and so on. Pairs that no blocking rule made candidates are not seen: the
 * recall is that among candidate pairs, and the report says so.
 */
#include "link_quality.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "link_cluster.h"
#include "link_model.h"

enum { NBIN = 1000, TLO = 200, THI = 990 };
#define TOL 0.005

double lk_auto_threshold(const float *w, size_t n)
{
	/* probabilities in NBIN bins: count and sum of each */
	double *cnt = calloc(NBIN, sizeof(*cnt)), *sum = calloc(NBIN, sizeof(*sum)), total = 0;
	double best_t = 0.9, best_f = -1;
	if (!cnt || !sum || !n)
		goto out;
	for (size_t i = 0; i < n; i++) {
		double p = lk_prob(w[i]);
		int b = (int)(p * NBIN);
		b = b < 0 ? 0 : b >= NBIN ? NBIN - 1 : b;
		cnt[b]++;
		sum[b] += p;
		total += p;
	}
	double tp = 0, linked = 0, f1[NBIN] = {0};
	for (int b = NBIN - 1; b >= TLO; b--) {
		tp += sum[b];
		linked += cnt[b];
		f1[b] = linked + total > 0 ? 2 * tp / (linked + total) : 0;
		if (b < THI && f1[b] > best_f)
			best_f = f1[b];
	}
	/* the lowest threshold of those whose expected F1 is within TOL of the best: the curve is
	 * flat near its top, and there the links a lower threshold adds are mostly right (the
	 * model is cautious) while a person split in two is counted twice by every statistic */
	for (int b = TLO; b < THI; b++)
		if (f1[b] >= best_f - TOL) {
			best_t = (double)b / NBIN;
			break;
		}
out:
	free(cnt);
	free(sum);
	return best_t;
}

struct cp {
	uint64_t key; /* the two clusters' roots */
	float p;
};

static int cmp_cp(const void *x, const void *y)
{
	const struct cp *a = x, *b = y;
	return a->key < b->key ? -1 : a->key > b->key;
}

json_t *lk_quality(const struct lk_quality_in *q)
{
	enum { HFROM = -20, HWIDTH = 2, HN = 25 };
	long hist[HN + 2] = {0}, hlink[HN + 2] = {0};
	double tp = 0, total = 0;
	long nlinked = 0, review = 0;
	struct cp *c = NULL;
	size_t nc = 0, capc = 0;
	uint32_t *par = malloc((size_t)q->nrec * sizeof(*par) + 1);
	json_t *o = NULL;
	if (!par)
		return NULL;
	/* the review band holds the threshold: linked pairs that may be wrong, unlinked ones that
	 * may be right. A threshold below its floor (linking on to the expected persons reaches
	 * 0.1) starts it: from half of it, the pairs added (a match in 13 at 0.05 to 0.1) nearly
	 * doubled the workload (163,000 pairs against 75,000 at 1,000,000 typical records) */
	double blo = q->threshold >= LK_REVIEW_LO ? LK_REVIEW_LO : q->threshold,
	       bhi = q->threshold < LK_REVIEW_HI ? LK_REVIEW_HI : q->threshold;
	memcpy(par, q->parent, (size_t)q->nrec * sizeof(*par));
	for (size_t i = 0; i < q->n; i++) {
		double p = lk_prob(q->w[i]);
		int h = (int)floor((q->w[i] - HFROM) / HWIDTH);
		h = h < 0 ? 0 : h >= HN ? HN + 1 : h + 1; /* 0: below, HN + 1: above */
		hist[h]++;
		total += p;
		if (p >= blo && p < bhi)
			review++;
		if (q->linked[i]) {
			hlink[h]++;
			tp += p;
			nlinked++;
		} else if (p >= 0.01) { /* two persons that may be one */
			uint32_t ra = lk_find(par, q->a[i]), rb = lk_find(par, q->b[i]);
			if (nc == capc) {
				size_t cap = capc ? capc * 2 : 4096;
				struct cp *t = realloc(c, cap * sizeof(*t));
				if (!t)
					goto out;
				c = t;
				capc = cap;
			}
			c[nc++] = (struct cp){ra < rb ? (uint64_t)ra << 32 | rb
			                              : (uint64_t)rb << 32 | ra,
			                      (float)p};
		}
	}
	/* expected persons: each link that joined two clusters is wrong with 1 - p (one person
	 * more); two persons joined by candidate pairs below the threshold are one with the
	 * largest of those pairs' probabilities (one person less) */
	double expected = (double)q->persons;
	long upper = q->persons;
	long lower = upper;
	for (size_t k = 0; k < q->njoin; k++) {
		expected += 1 - q->jp[k];
		if (q->jp[k] < bhi)
			upper++; /* the join undone: the links form a forest */
	}
	if (nc)
		qsort(c, nc, sizeof(*c), cmp_cp);
	for (size_t i = 0; i < nc;) {
		size_t j = i;
		float mx = 0;
		for (; j < nc && c[j].key == c[i].key; j++)
			mx = c[j].p > mx ? c[j].p : mx;
		expected -= mx;
		i = j;
	}
	/* lower bound: every pair of the review band and above linked */
	for (size_t i = 0; i < q->n; i++) {
		if (q->linked[i] || lk_prob(q->w[i]) < blo)
			continue;
		uint32_t ra = lk_find(par, q->a[i]), rb = lk_find(par, q->b[i]);
		if (ra != rb) {
			par[rb] = ra;
			lower--;
		}
	}
	double prec = nlinked ? tp / (double)nlinked : 1, rec = total > 0 ? tp / total : 1;
	json_t *h = json_array(), *hl = json_array(), *bl = json_array(), *rp = json_object();
	for (int k = 0; k < HN + 2; k++) {
		json_array_append_new(h, json_integer(hist[k]));
		json_array_append_new(hl, json_integer(hlink[k]));
	}
	for (int k = 0; k < LK_BLOCK_BINS; k++)
		json_array_append_new(bl, json_integer(q->bs ? q->bs->blocks[k] : 0));
	for (int k = 0; k < LK_RULES; k++)
		json_object_set_new(rp, lk_rule_name[k],
		                    json_integer(q->bs ? q->bs->rule_pairs[k] : 0));
	o = json_pack("{s:f,s:f,s:f,s:f,s:I,s:I,s:f,s:I,s:I,s:I,s:{s:i,s:i,s:o,s:o},"
	              "s:{s:o,s:I,s:I,s:o},s:{s:f,s:f,s:I}}",
	              "threshold", q->threshold, "precision", prec, "recall", rec, "f1",
	              prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0, "pairs", (json_int_t)q->n,
	              "linked_pairs", (json_int_t)nlinked, "persons_expected", expected, "persons",
	              (json_int_t)q->persons, "persons_low", (json_int_t)lower, "persons_high",
	              (json_int_t)upper, "histogram", "from", HFROM, "width", HWIDTH, "pairs", h,
	              "linked", hl, "blocks", "by_size", bl, "skipped",
	              (json_int_t)(q->bs ? q->bs->skipped : 0), "name_cap",
	              (json_int_t)(q->bs ? q->bs->name_cap : 0), "pairs_by_rule", rp, "review",
	              "min", blo, "max", bhi, "pairs", (json_int_t)review);
out:
	free(c);
	free(par);
	return o;
}
