/*
 * cmd_assess.c - `ctip assess add|list|instrument`: re-trafficking risk assessments of a case
 * (risk.h: the instrument and its rule; casework.h: what a high level sets off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "casework.h"
#include "cli.h"
#include "risk.h"

static int instrument(void)
{
	ctip_err e = {0};
	const struct ctip_risk *r = ctip_risk_get(&e);
	if (!r)
		return cli_fail(&e);
	for (int i = 0; i < r->nq; i++) {
		printf("%s: %s / %s\n", r->q[i].code, r->q[i].label_en, r->q[i].label_vi);
		for (int k = 0; k < r->q[i].na; k++)
			printf("  %-14s %2d%s  %s / %s\n", r->q[i].a[k].code, r->q[i].a[k].score,
			       r->q[i].a[k].critical ? " critical" : "         ",
			       r->q[i].a[k].label_en, r->q[i].a[k].label_vi);
	}
	printf("levels:");
	for (int i = 0; i < r->nlv; i++)
		printf(" %s from %d;", r->lv[i].code, r->lv[i].min_score);
	printf(" high whatever the score when a critical answer is given\n");
	return 0;
}

struct trend {
	int n, last;
};

static int print_one(void *ctx, const struct ctip_cw_assessment *a)
{
	struct trend *t = ctx;
	printf("%lld\t%s\t%d\t%s\t%s\t%s\t%s\n", (long long)a->id, a->date, a->score, a->level,
	       !t->n                ? "first"
	       : a->score > t->last ? "rising"
	       : a->score < t->last ? "falling"
	                            : "stable",
	       a->created_by, a->answers);
	t->n++;
	t->last = a->score;
	return 0;
}

static int list(struct cli *c, const char *id_text)
{
	int64_t id;
	if (cli_object_id(id_text, 'C', &id))
		return cli_usage("assess");
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_cw_work w;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	const struct ctip_cw_ops *o = ctip_cw_ops(s, &e);
	struct trend t = {0};
	char obj[32];
	snprintf(obj, sizeof(obj), "C%lld", (long long)id);
	if (!o || o->work_get(s, id, &w, &e))
		return cli_cw_fail(s, &e);
	printf("assessment\tdate\tscore\tlevel\ttrend\tby\tanswers\n");
	if (o->assessment_list(s, id, print_one, &t, &e) ||
	    ctip_audit(s, NULL, "view", obj, "assessments", &e))
		return cli_cw_fail(s, &e);
	ctip_store_close(s);
	return 0;
}

int cmd_assess(int argc, char **argv, struct cli *c)
{
	if (argc >= 2 && !strcmp(argv[1], "instrument"))
		return instrument();
	if (argc == 3 && !strcmp(argv[1], "list"))
		return list(c, argv[2]);
	if (argc < 3 || strcmp(argv[1], "add"))
		return cli_usage("assess");
	const char *as = NULL, *date = NULL, *pos[40];
	const struct cli_opt o[] = {
	        {"--as", &as, NULL}, {"--date", &date, NULL}, {NULL, NULL, NULL}};
	int np = cli_opts(argc, argv, 2, o, pos, 40);
	int64_t id;
	if (np < 1 || cli_object_id(pos[0], 'C', &id))
		return cli_usage("assess");
	json_t *answers = json_object();
	for (int i = 1; i < np; i++) {
		const char *eq = strchr(pos[i], '=');
		if (!eq || eq == pos[i] || !eq[1]) {
			fprintf(stderr,
			        "ctip: '%s': answers are QUESTION=ANSWER (ctip assess "
			        "instrument)\n",
			        pos[i]);
			json_decref(answers);
			return 2;
		}
		char q[64];
		snprintf(q, sizeof(q), "%.*s", (int)(eq - pos[i]), pos[i]);
		json_object_set_new(answers, q, json_string(eq + 1));
	}
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_account a;
	struct ctip_cw_assess_out out;
	int rc = cli_open(c, &s);
	if (rc) {
		json_decref(answers);
		return rc;
	}
	rc = cli_actor(s, as, &a, &e) || ctip_cw_assess(s, &a, id, date, answers, &out, &e);
	json_decref(answers);
	if (rc)
		return cli_cw_fail(s, &e);
	char obj[32], detail[160];
	snprintf(obj, sizeof(obj), "C%lld", (long long)id);
	snprintf(detail, sizeof(detail), "assessment %lld: score %d, %s", (long long)out.id,
	         out.score, out.level);
	if (cli_audit_as(s, &a, "assess", obj, detail, &e))
		return cli_cw_fail(s, &e);
	printf("assessment %lld of case %s: score %d, level %s%s\n", (long long)out.id, obj,
	       out.score, out.level,
	       out.linked ? " (earlier trafficking found by record linkage)" : "");
	if (!strcmp(out.level, "high"))
		printf("ALERT high risk: %d planned follow-up contact(s) brought forward\n",
		       out.moved);
	ctip_store_close(s);
	return 0;
}
