/*
 * risk.c - the re-trafficking risk instrument (risk.h): parsed once from the embedded data
 * files, then scored.
 */
#include "risk.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_read.h"
#include "embedded.h"

void ctip_risk_free(struct ctip_risk *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nq; i++) {
		struct ctip_risk_question *q = &r->q[i];
		for (int k = 0; k < q->na; k++) {
			free(q->a[k].code);
			free(q->a[k].label_en);
			free(q->a[k].label_vi);
		}
		free(q->a);
		free(q->code);
		free(q->label_en);
		free(q->label_vi);
	}
	for (int i = 0; i < r->nlv; i++) {
		free(r->lv[i].code);
		free(r->lv[i].label_en);
		free(r->lv[i].label_vi);
	}
	free(r->q);
	free(r->lv);
	free(r);
}

static char *dup(const char *v)
{
	return strdup(v ? v : "");
}

/* A non-negative integer field; -1 when malformed. */
static int num(const char *v)
{
	if (!v || !*v)
		return -1;
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n < 0 || n > 1000 ? -1 : (int)n;
}

static int parse_instrument(struct ctip_risk *r, const char *text, size_t len, ctip_err *e)
{
	static const char *name = "data/risk/instrument.csv";
	FILE *f = fmemopen((void *)text, len, "r");
	if (!f)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	ctip_csv *c = ctip_csv_open(f, name);
	char **v;
	int n, rc = CTIP_OK, got;
	long line;
	if (!c) {
		fclose(f);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	int header = 1;
	while (rc == CTIP_OK && (got = ctip_csv_next(c, &v, &n, &line, e)) > 0) {
		if (header) {
			header = 0;
			if (n != 6 || strcmp(v[0], "question") || strcmp(v[1], "answer"))
				rc = ctip_err_at(
				        e, CTIP_EINVAL, name, line, NULL,
				        "the header must be question,answer,score,critical,"
				        "label_en,label_vi");
			continue;
		}
		if (n != 6 || !v[0] || !v[4] || !v[5]) {
			rc = ctip_err_at(e, CTIP_EINVAL, name, line, NULL,
			                 "6 fields expected, with question and both labels");
			break;
		}
		struct ctip_risk_question *q = r->nq ? &r->q[r->nq - 1] : NULL;
		if (!v[1]) { /* a question */
			void *g = realloc(r->q, sizeof(*r->q) * (size_t)(r->nq + 1));
			if (!g) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			r->q = g;
			q = &r->q[r->nq++];
			memset(q, 0, sizeof(*q));
			q->code = dup(v[0]);
			q->label_en = dup(v[4]);
			q->label_vi = dup(v[5]);
			continue;
		}
		if (!q || strcmp(q->code, v[0])) {
			rc = ctip_err_at(
			        e, CTIP_EINVAL, name, line, "question",
			        "answer of '%s' before its question's own row (answer empty)",
			        v[0]);
			break;
		}
		int score = num(v[2]), crit = num(v[3]);
		if (score < 0 || (crit != 0 && crit != 1)) {
			rc = ctip_err_at(e, CTIP_EINVAL, name, line, "score",
			                 "score must be a whole number, critical 0 or 1");
			break;
		}
		void *g = realloc(q->a, sizeof(*q->a) * (size_t)(q->na + 1));
		if (!g) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		q->a = g;
		q->a[q->na++] =
		        (struct ctip_risk_answer){dup(v[1]), dup(v[4]), dup(v[5]), score, crit};
	}
	if (rc == CTIP_OK && got < 0)
		rc = e->code ? e->code : CTIP_EINVAL;
	for (int i = 0; rc == CTIP_OK && i < r->nq; i++)
		if (!r->q[i].na)
			rc = ctip_err_at(e, CTIP_EINVAL, name, 0, r->q[i].code,
			                 "question has no answers");
	ctip_csv_close(c);
	fclose(f);
	return rc;
}

static int parse_levels(struct ctip_risk *r, const char *text, size_t len, ctip_err *e)
{
	static const char *name = "data/risk/levels.csv";
	FILE *f = fmemopen((void *)text, len, "r");
	if (!f)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	ctip_csv *c = ctip_csv_open(f, name);
	char **v;
	int n, rc = CTIP_OK, got, header = 1;
	long line;
	if (!c) {
		fclose(f);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	while (rc == CTIP_OK && (got = ctip_csv_next(c, &v, &n, &line, e)) > 0) {
		if (header) {
			header = 0;
			if (n != 4 || strcmp(v[0], "level"))
				rc = ctip_err_at(
				        e, CTIP_EINVAL, name, line, NULL,
				        "the header must be level,min_score,label_en,label_vi");
			continue;
		}
		int min = n == 4 ? num(v[1]) : -1;
		if (min < 0 || !v[0] || !v[2] || !v[3] ||
		    (r->nlv && min <= r->lv[r->nlv - 1].min_score)) {
			rc = ctip_err_at(
			        e, CTIP_EINVAL, name, line, "min_score",
			        "a level, its whole min_score (increasing) and both labels");
			break;
		}
		void *g = realloc(r->lv, sizeof(*r->lv) * (size_t)(r->nlv + 1));
		if (!g) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		r->lv = g;
		r->lv[r->nlv++] = (struct ctip_risk_level){dup(v[0]), dup(v[2]), dup(v[3]), min};
	}
	if (rc == CTIP_OK && got < 0)
		rc = e->code ? e->code : CTIP_EINVAL;
	/* the stored levels are exactly these (migration 0017's CHECK) */
	if (rc == CTIP_OK &&
	    (r->nlv != 3 || strcmp(r->lv[0].code, "low") || strcmp(r->lv[1].code, "medium") ||
	     strcmp(r->lv[2].code, "high") || r->lv[0].min_score != 0))
		rc = ctip_err_at(
		        e, CTIP_EINVAL, name, 0, "level",
		        "the levels are low (min_score 0), medium and high, in that order");
	ctip_csv_close(c);
	fclose(f);
	return rc;
}

struct ctip_risk *ctip_risk_parse(const char *instrument, size_t ilen, const char *levels,
                                  size_t llen, ctip_err *e)
{
	struct ctip_risk *r = calloc(1, sizeof(*r));
	if (!r) {
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		return NULL;
	}
	if (parse_instrument(r, instrument, ilen, e) || parse_levels(r, levels, llen, e)) {
		ctip_risk_free(r);
		return NULL;
	}
	return r;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct ctip_risk *loaded;
static ctip_err load_err;

static void load(void)
{
	const struct ctip_embedded *i = ctip_embedded_find("data/risk/instrument.csv"),
	                           *l = ctip_embedded_find("data/risk/levels.csv");
	if (!i || !l) {
		ctip_err_set(&load_err, CTIP_EINVAL, "the risk instrument is not in this build");
		return;
	}
	loaded = ctip_risk_parse(i->data, i->len, l->data, l->len, &load_err);
}

const struct ctip_risk *ctip_risk_get(ctip_err *e)
{
	pthread_once(&once, load);
	if (!loaded && e)
		*e = load_err;
	return loaded;
}

static const struct ctip_risk_question *question(const struct ctip_risk *r, const char *code)
{
	for (int i = 0; i < r->nq; i++)
		if (!strcasecmp(r->q[i].code, code))
			return &r->q[i];
	return NULL;
}

int ctip_risk_score(const struct ctip_risk *r, json_t *answers, int *score, const char **level,
                    json_t **canon, ctip_err *e)
{
	const char *k;
	json_t *v;
	int sum = 0, critical = 0;
	if (canon)
		*canon = NULL;
	if (!json_is_object(answers))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "answers",
		                   "answers must be an object of question codes to answer codes");
	json_t *out = json_object();
	json_object_foreach(answers, k, v)
	{
		const struct ctip_risk_question *q = question(r, k);
		if (!q) {
			char list[400] = "";
			for (int i = 0; i < r->nq; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				         i ? ", " : "", r->q[i].code);
			json_decref(out);
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "answers",
			                   "unknown question '%s' (questions: %s)", k, list);
		}
		const struct ctip_risk_answer *a = NULL;
		for (int i = 0; json_is_string(v) && i < q->na && !a; i++)
			if (!strcasecmp(q->a[i].code, json_string_value(v)))
				a = &q->a[i];
		if (!a) {
			char list[300] = "";
			for (int i = 0; i < q->na; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				         i ? ", " : "", q->a[i].code);
			json_decref(out);
			return ctip_err_at(e, CTIP_EINVAL, NULL, 0, q->code,
			                   "unknown answer to %s (answers: %s)", q->code, list);
		}
		sum += a->score;
		critical |= a->critical;
		json_object_set_new(out, q->code, json_string(a->code));
	}
	int lv = 0;
	for (int i = 0; i < r->nlv; i++)
		if (sum >= r->lv[i].min_score)
			lv = i;
	if (critical)
		lv = r->nlv - 1;
	*score = sum;
	*level = r->lv[lv].code;
	if (canon)
		*canon = out;
	else
		json_decref(out);
	return CTIP_OK;
}

json_t *ctip_risk_json(const struct ctip_risk *r)
{
	json_t *qs = json_array(), *ls = json_array();
	for (int i = 0; i < r->nq; i++) {
		json_t *as = json_array();
		for (int k = 0; k < r->q[i].na; k++) {
			const struct ctip_risk_answer *a = &r->q[i].a[k];
			json_array_append_new(as, json_pack("{s:s, s:s, s:s, s:i, s:b}", "code",
			                                    a->code, "label_en", a->label_en,
			                                    "label_vi", a->label_vi, "score",
			                                    a->score, "critical", a->critical));
		}
		json_array_append_new(qs, json_pack("{s:s, s:s, s:s, s:o}", "code", r->q[i].code,
		                                    "label_en", r->q[i].label_en, "label_vi",
		                                    r->q[i].label_vi, "answers", as));
	}
	for (int i = 0; i < r->nlv; i++)
		json_array_append_new(ls, json_pack("{s:s, s:s, s:s, s:i}", "code", r->lv[i].code,
		                                    "label_en", r->lv[i].label_en, "label_vi",
		                                    r->lv[i].label_vi, "min_score",
		                                    r->lv[i].min_score));
	return json_pack("{s:o, s:o}", "questions", qs, "levels", ls);
}
