/*
 * risk.h - the re-trafficking risk assessment instrument: its questions, answers, scores and
 * Vietnamese and English labels are data files compiled into the binary
 * (data/risk/instrument.csv, data/risk/levels.csv; data/README.md), so that a programme can
 * change the instrument without changing code.
 *
 * The rule (docs/CASEWORK.md): the score is the sum of the scores of the answers given; the
 * level is the highest of levels.csv whose min_score the score reaches, and "high" whatever
 * the score when an answer marked critical was given (a debt to the recruiter, the
 * trafficker living nearby, earlier trafficking, the family involved). A question left
 * unanswered scores 0 and is listed as unanswered.
 */
#ifndef CTIP_RISK_H
#define CTIP_RISK_H

#include <jansson.h>

#include "error.h"

struct ctip_risk_answer {
	char *code, *label_en, *label_vi;
	int score, critical;
};

struct ctip_risk_question {
	char *code, *label_en, *label_vi;
	struct ctip_risk_answer *a;
	int na;
};

struct ctip_risk_level {
	char *code, *label_en, *label_vi;
	int min_score;
};

struct ctip_risk {
	struct ctip_risk_question *q;
	int nq;
	struct ctip_risk_level *lv; /* by min_score, ascending */
	int nlv;
};

/* The instrument compiled into the binary, loaded once (safe from any thread). NULL with e
 * set when its files are malformed (FILE:LINE). */
const struct ctip_risk *ctip_risk_get(ctip_err *e);
/* Parses an instrument from the two CSV texts (for tests); free it with ctip_risk_free. */
struct ctip_risk *ctip_risk_parse(const char *instrument, size_t ilen, const char *levels,
                                  size_t llen, ctip_err *e);
void ctip_risk_free(struct ctip_risk *r);

/* Scores answers (an object of question code -> answer code; codes compared without regard
 * to ASCII case). Unknown questions or answers are CTIP_EINVAL naming the field and the
 * valid codes. *canon (may be NULL) receives the answers with the instrument's codes. */
int ctip_risk_score(const struct ctip_risk *r, json_t *answers, int *score, const char **level,
                    json_t **canon, ctip_err *e);
/* The instrument as JSON: {"questions": [{code, label_en, label_vi, answers: [...]}],
 * "levels": [...]} */
json_t *ctip_risk_json(const struct ctip_risk *r);

#endif
