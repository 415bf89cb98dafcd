/*
 * release_eval.h - the evaluation report of a release (docs/RELEASE.md, "Evaluation"): how well
 * the released records preserve the source's combinations of attribute values (by length:
 * preserved, suppressed, fabricated; mean error by count size), the distributions of each
 * attribute and each pair against the source, and a linkage attack: each released record
 * matched against the registry on its released values, the share that single out one person
 * (and, for microdata, the right one). Written beside the release as FILE.evaluation.json and
 * FILE.evaluation.html (SVG charts, no script).
 */
#ifndef CTIP_RELEASE_EVAL_H
#define CTIP_RELEASE_EVAL_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define CTIP_EVAL_BLANK UINT32_MAX

/* Records as codes per attribute (CTIP_RG_N of them), CTIP_EVAL_BLANK for no value; codes
 * index label[a]. src_of[i] is the source record a released record came from (microdata), or
 * NULL (synthetic: no record comes from one person). */
struct ctip_eval_in {
	const char *kind;
	uint32_t ns, nr;
	const uint32_t *src[9], *rel[9];
	const uint32_t *src_of;
	char *const *label[9];
	uint32_t nlabel[9];
	int length; /* combinations up to this length (<= 4) */
};

/* Writes path.evaluation.json and path.evaluation.html; the attack's re-identification rate
 * in *rate (may be NULL). */
int ctip_eval_write(const struct ctip_eval_in *in, const char *path, double *rate, ctip_err *e);

#endif
