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
	/* The attack's m (docs/RELEASE.md): each attribute's probability that a true match agrees
	 * on it, from the stored linkage model where the linker has a comparison for it (see
	 * ctip_eval_link_m), else CTIP_EVAL_M_DEFAULT; 0 reads as the default. */
	double m[9];
	const char *m_source; /* "linkage model" or "defaults" (NULL: defaults) */
};

#define CTIP_EVAL_M_DEFAULT 0.95
/* The attack's posterior threshold: a record is re-identified when its best match is the true
 * record, unique, with a posterior above this. */
#define CTIP_EVAL_POSTERIOR 0.5

/* Fills m from a stored linkage model (the JSON of lk_model_json; NULL or damaged: defaults):
 * gender and province of origin from the linker's gender and province comparisons, age band
 * from its birth-date comparison (agreement within a year), the rest the default. Returns the
 * source's name. */
const char *ctip_eval_link_m(const char *model_json, double m[9]);

/* Writes path.evaluation.json and path.evaluation.html; the attack's re-identification rate
 * in *rate (may be NULL). */
int ctip_eval_write(const struct ctip_eval_in *in, const char *path, double *rate, ctip_err *e);

#endif
