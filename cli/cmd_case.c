/*
 * cmd_case.c - `ctip case show|assign|stage|approve|approvals`: the workflow of a case
 * (casework.h, docs/CASEWORK.md). Changes act as an account (--as USER) and are audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "casework.h"
#include "cli.h"

static void print_work(json_t *j)
{
	json_t *x;
	size_t i;
	printf("case C%lld (%s, %s)\n",
	       (long long)json_integer_value(json_object_get(j, "case_id")),
	       json_string_value(json_object_get(j, "src_case_id")),
	       json_string_value(json_object_get(j, "org")));
	const char *st = json_string_value(json_object_get(j, "cas_Status")),
	           *as = json_string_value(json_object_get(j, "assigned_to"));
	printf("  stage      %s (cas_Status %s)\n", json_string_value(json_object_get(j, "stage")),
	       st ? st : "-");
	printf("  assigned   %s\n", as ? as : "-");
	printf("  case plan  %s\n",
	       json_is_true(json_object_get(j, "plan_approved")) ? "approved" : "not approved");
	json_t *risk = json_object_get(j, "risk");
	const char *lv = json_string_value(json_object_get(risk, "level"));
	printf("  risk       %s (trend %s)\n", lv ? lv : "not assessed",
	       json_string_value(json_object_get(risk, "trend")));
	printf("  follow-up  %s\n", json_string_value(json_object_get(j, "followup")));
	json_array_foreach(json_object_get(j, "approvals"), i, x)
	{
		const char *by = json_string_value(json_object_get(x, "decided_by"));
		printf("  approval %lld: %s %s (requested by %s%s%s)\n",
		       (long long)json_integer_value(json_object_get(x, "id")),
		       json_string_value(json_object_get(x, "kind")),
		       json_string_value(json_object_get(x, "status")),
		       json_string_value(json_object_get(x, "requested_by")),
		       by ? ", decided by " : "", by ? by : "");
	}
	json_array_foreach(json_object_get(j, "alerts"), i, x)
	        printf("  ALERT %s: %s\n", json_string_value(json_object_get(x, "kind")),
	               json_string_value(json_object_get(x, "detail")));
}

static int show(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int json = 0;
	const struct cli_opt o[] = {{"--json", NULL, &json}, {NULL, NULL, NULL}};
	int64_t id;
	if (cli_opts(argc, argv, 2, o, pos, 1) != 1 || cli_object_id(pos[0], 'C', &id))
		return cli_usage("case");
	ctip_store *s;
	ctip_err e = {0};
	json_t *j = NULL;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	char obj[32];
	snprintf(obj, sizeof(obj), "C%lld", (long long)id);
	if (ctip_cw_case_json(s, id, &j, &e) || ctip_audit(s, NULL, "view", obj, "casework", &e))
		rc = cli_cw_fail(s, &e);
	else {
		if (json) {
			char *t = json_dumps(j, JSON_INDENT(2));
			printf("%s\n", t ? t : "null");
			free(t);
		} else {
			print_work(j);
		}
		ctip_store_close(s);
	}
	json_decref(j);
	return rc;
}

static int add_pending(void *ctx, const struct ctip_cw_approval *a)
{
	printf("%lld\tC%lld\t%s\t%s\t%s\t%s\n", (long long)a->id, (long long)a->case_id, a->kind,
	       a->requested_by, a->requested_at, a->request_comment ? a->request_comment : "");
	return 0;
}

static int approvals(struct cli *c, int argc, char **argv)
{
	const char *org = NULL;
	const struct cli_opt o[] = {{"--org", &org, NULL}, {NULL, NULL, NULL}};
	if (cli_opts(argc, argv, 2, o, NULL, 0) != 0)
		return cli_usage("case");
	ctip_store *s;
	ctip_err e = {0};
	int64_t org_id;
	const struct ctip_cw_ops *ops;
	int rc = cli_cw_open(c, org, &s, &ops, &org_id);
	if (rc)
		return rc;
	printf("approval\tcase\tkind\trequested_by\trequested_at\tcomment\n");
	if (ops->approval_list(s, 0, 0, org_id, "requested", add_pending, NULL, &e) ||
	    ctip_audit(s, NULL, "view", "approvals", org ? org : "all", &e))
		return cli_cw_fail(s, &e);
	ctip_store_close(s);
	return 0;
}

int cmd_case(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("case");
	if (!strcmp(argv[1], "show"))
		return show(c, argc, argv);
	if (!strcmp(argv[1], "approvals"))
		return approvals(c, argc, argv);
	const char *as = NULL, *comment = NULL, *pos[2] = {NULL, NULL};
	int reject = 0;
	const struct cli_opt o[] = {{"--as", &as, NULL},
	                            {"--comment", &comment, NULL},
	                            {"--reject", NULL, &reject},
	                            {NULL, NULL, NULL}};
	int np = cli_opts(argc, argv, 2, o, pos, 2);
	int assign = !strcmp(argv[1], "assign"), stage = !strcmp(argv[1], "stage"),
	    approve = !strcmp(argv[1], "approve");
	int64_t id;
	if ((!assign && !stage && !approve) || np != (approve ? 1 : 2) ||
	    cli_object_id(pos[0], approve ? 'A' : 'C', &id))
		return cli_usage("case");
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_account a;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	if (cli_actor(s, as, &a, &e))
		return cli_cw_fail(s, &e);
	char obj[32], detail[300];
	snprintf(obj, sizeof(obj), "C%lld", (long long)id);
	if (assign) {
		if (ctip_cw_assign(s, &a, id, pos[1], &e))
			return cli_cw_fail(s, &e);
		snprintf(detail, sizeof(detail), "assigned to %s", pos[1]);
		rc = cli_audit_as(s, &a, "case_assign", obj, detail, &e);
		if (!rc)
			printf("case %s assigned to %s\n", obj, pos[1]);
	} else if (stage) {
		int64_t ap = 0;
		if (ctip_cw_stage(s, &a, id, pos[1], comment, &ap, &e))
			return cli_cw_fail(s, &e);
		if (ap) {
			snprintf(detail, sizeof(detail), "approval %lld requested: %s",
			         (long long)ap, pos[1]);
			rc = cli_audit_as(s, &a, "approval_request", obj, detail, &e);
			if (!rc)
				printf("case %s: approval %lld requested (%s); a supervisor "
				       "decides with "
				       "`ctip case approve %lld`\n",
				       obj, (long long)ap, pos[1], (long long)ap);
		} else {
			snprintf(detail, sizeof(detail), "stage %s", pos[1]);
			rc = cli_audit_as(s, &a, "case_stage", obj, detail, &e);
			if (!rc)
				printf("case %s moved to %s\n", obj, pos[1]);
		}
	} else {
		int64_t case_id;
		const char *kind;
		if (ctip_cw_decide(s, &a, id, !reject, comment, &case_id, &kind, &e))
			return cli_cw_fail(s, &e);
		snprintf(obj, sizeof(obj), "C%lld", (long long)case_id);
		snprintf(detail, sizeof(detail), "approval %lld %s: %s", (long long)id,
		         reject ? "rejected" : "approved", kind);
		rc = cli_audit_as(s, &a, reject ? "approval_reject" : "approval_approve", obj,
		                  detail, &e);
		if (!rc)
			printf("approval %lld (%s of case %s) %s\n", (long long)id, kind, obj,
			       reject ? "rejected" : "approved");
	}
	if (rc)
		return cli_cw_fail(s, &e);
	ctip_store_close(s);
	return 0;
}
