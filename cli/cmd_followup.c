/*
 * cmd_followup.c - `ctip followup plan|record|list|due|config`: the follow-up of a case after
 * return (casework.h, docs/CASEWORK.md): planned contacts, each contact recorded, what is
 * due and overdue, and an organisation's intervals and failed attempts before a case is lost
 * to follow-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "casework.h"
#include "cli.h"

static int print_due(void *ctx, const struct ctip_cw_due *d)
{
	const char *today = ctx;
	printf("C%lld\t%s\t%s\t%s\t%d\t%s\t%s\n", (long long)d->case_id, d->src_case_id, d->org,
	       d->due, d->months,
	       d->done                     ? "done"
	       : strcmp(d->due, today) < 0 ? "OVERDUE"
	                                   : "due",
	       d->assigned ? d->assigned : "-");
	return 0;
}

struct only_overdue {
	const char *today;
	long n;
};

static int print_due_filtered(void *ctx, const struct ctip_cw_due *d)
{
	struct only_overdue *o = ctx;
	o->n++;
	return print_due((void *)o->today, d);
}

static int due(struct cli *c, int argc, char **argv)
{
	const char *org = NULL;
	int overdue = 0;
	const struct cli_opt o[] = {
	        {"--org", &org, NULL}, {"--overdue", NULL, &overdue}, {NULL, NULL, NULL}};
	if (cli_opts(argc, argv, 2, o, NULL, 0) != 0)
		return cli_usage("followup");
	ctip_store *s;
	ctip_err e = {0};
	int64_t org_id;
	const struct ctip_cw_ops *ops;
	int rc = cli_cw_open(c, org, &s, &ops, &org_id);
	if (rc)
		return rc;
	char today[11], until[11];
	ctip_cw_today(today);
	/* overdue: due before today; otherwise also what falls due in the window */
	if (overdue)
		ctip_cw_add_days(today, -1, until);
	else
		ctip_cw_add_days(today, CTIP_DUE_WINDOW_DAYS, until);
	struct only_overdue oo = {today, 0};
	printf("case\tsrc_case_id\torganisation\tdue\tmonths\tstate\tassigned\n");
	if (ops->due_list(s, 0, org_id, until, print_due_filtered, &oo, &e) ||
	    ctip_audit(s, NULL, "view", "followups", overdue ? "overdue" : "due", &e))
		return cli_cw_fail(s, &e);
	ctip_store_close(s);
	return 0;
}

static int print_contact(void *ctx, const struct ctip_cw_fcontact *f)
{
	printf("contact %lld\t%s\t%s\t%s\t%s\t%s\n", (long long)f->id, f->date, f->mode, f->who,
	       f->outcome, f->notes ? f->notes : "");
	return 0;
}

static int list(struct cli *c, const char *id_text)
{
	int64_t id;
	if (cli_object_id(id_text, 'C', &id))
		return cli_usage("followup");
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_cw_work w;
	char today[11], obj[32];
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	const struct ctip_cw_ops *o = ctip_cw_ops(s, &e);
	ctip_cw_today(today);
	snprintf(obj, sizeof(obj), "C%lld", (long long)id);
	if (!o || o->work_get(s, id, &w, &e))
		return cli_cw_fail(s, &e);
	printf("case %s: follow-up %s\n", obj, w.followup);
	if (o->due_list(s, id, 0, NULL, print_due, today, &e) ||
	    o->fcontact_list(s, id, print_contact, NULL, &e) ||
	    ctip_audit(s, NULL, "view", obj, "followups", &e))
		return cli_cw_fail(s, &e);
	ctip_store_close(s);
	return 0;
}

static int config(struct cli *c, int argc, char **argv)
{
	const char *org = NULL, *months = NULL, *lost = NULL;
	const struct cli_opt o[] = {{"--org", &org, NULL},
	                            {"--months", &months, NULL},
	                            {"--lost-after", &lost, NULL},
	                            {NULL, NULL, NULL}};
	if (cli_opts(argc, argv, 2, o, NULL, 0) != 0 || !org || (!months && !lost))
		return cli_usage("followup");
	ctip_store *s;
	ctip_err e = {0};
	int64_t org_id;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	if (s->ops->org_find(s, org, &org_id, NULL, &e)) {
		ctip_err_set(&e, CTIP_EINVAL, "no organisation '%s'", org);
		return cli_cw_fail(s, &e);
	}
	int la = lost ? atoi(lost) : 0;
	if (lost && la <= 0) {
		ctip_err_at(&e, CTIP_EINVAL, NULL, 0, "--lost-after",
		            "'%s' is not a number 1 to 20", lost);
		return cli_cw_fail(s, &e);
	}
	char obj[32], detail[300];
	snprintf(obj, sizeof(obj), "O%lld", (long long)org_id);
	snprintf(detail, sizeof(detail), "followup months %s, lost after %s",
	         months ? months : "unchanged", lost ? lost : "unchanged");
	if (ctip_cw_config(s, org_id, months, la, &e) ||
	    ctip_audit(s, NULL, "followup_config", obj, detail, &e))
		return cli_cw_fail(s, &e);
	printf("%s: %s\n", org, detail);
	ctip_store_close(s);
	return 0;
}

int cmd_followup(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("followup");
	if (!strcmp(argv[1], "due"))
		return due(c, argc, argv);
	if (!strcmp(argv[1], "config"))
		return config(c, argc, argv);
	if (!strcmp(argv[1], "list") && argc == 3)
		return list(c, argv[2]);
	int plan = !strcmp(argv[1], "plan"), record = !strcmp(argv[1], "record");
	const char *as = NULL, *from = NULL, *months = NULL, *date = NULL, *mode = NULL,
	           *outcome = NULL, *who = NULL, *notes = NULL, *pos[1] = {NULL};
	const struct cli_opt po[] = {{"--as", &as, NULL},
	                             {"--from", &from, NULL},
	                             {"--months", &months, NULL},
	                             {NULL, NULL, NULL}};
	const struct cli_opt ro[] = {{"--as", &as, NULL},     {"--date", &date, NULL},
	                             {"--mode", &mode, NULL}, {"--outcome", &outcome, NULL},
	                             {"--who", &who, NULL},   {"--notes", &notes, NULL},
	                             {NULL, NULL, NULL}};
	int64_t id;
	if ((!plan && !record) || cli_opts(argc, argv, 2, plan ? po : ro, pos, 1) != 1 ||
	    cli_object_id(pos[0], 'C', &id))
		return cli_usage("followup");
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
	if (plan) {
		int n;
		if (ctip_cw_plan(s, &a, id, from, months, &n, &e))
			return cli_cw_fail(s, &e);
		snprintf(detail, sizeof(detail), "follow-up plan of %d contacts", n);
		if (cli_audit_as(s, &a, "followup_plan", obj, detail, &e))
			return cli_cw_fail(s, &e);
		printf("case %s: %d follow-up contacts planned (ctip followup list %s)\n", obj, n,
		       obj);
	} else {
		struct ctip_cw_fcontact f = {.case_id = id,
		                             .date = date,
		                             .mode = mode,
		                             .who = who,
		                             .outcome = outcome,
		                             .notes = notes};
		struct ctip_cw_record_out out;
		if (ctip_cw_record(s, &a, &f, &out, &e))
			return cli_cw_fail(s, &e);
		snprintf(detail, sizeof(detail), "follow-up contact %lld: %s", (long long)out.id,
		         f.outcome);
		if (cli_audit_as(s, &a, "followup_record", obj, detail, &e))
			return cli_cw_fail(s, &e);
		printf("case %s: contact %lld recorded (%s); follow-up %s", obj, (long long)out.id,
		       f.outcome, out.followup);
		if (out.failed)
			printf(", %d failed attempt(s) in a row", out.failed);
		printf("\n");
		if (!strcmp(out.followup, "lost"))
			printf("ALERT case %s is lost to follow-up\n", obj);
	}
	ctip_store_close(s);
	return 0;
}
