/*
 * cmd_company.c - `ctip company add|list|show|report|sanction add` and `ctip recruiter
 * add|list`: the register of labour-export companies and recruiters (docs/COMPANIES.md).
 * Entries are recorded as the account given by --as (its organisation is the provenance);
 * every change and every reading of recruiters' names is audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "company.h"

static int fail(ctip_store *s, const ctip_err *e)
{
	if (s) {
		s->ops->rollback(s);
		ctip_store_close(s);
	}
	return cli_fail(e);
}

/* A case counts for --org ORG when it is that organisation's, or referred to it. */
struct orgview {
	ctip_store *s;
	int64_t org;
};
static int org_sees(void *ctx, int64_t case_id, int64_t case_org)
{
	struct orgview *v = ctx;
	if (case_org == v->org)
		return 1;
	int access = CTIP_ACCESS_NONE;
	ctip_err e = {0};
	return v->s->srv && !v->s->srv->case_access(v->s, case_id, v->org, &access, &e) &&
	       access != CTIP_ACCESS_NONE;
}

static int report(struct cli *c, int argc, char **argv, int64_t only)
{
	const char *fmt = "table", *org = NULL, *path = NULL, *id = NULL;
	int raw = 0;
	const struct cli_opt o[] = {{"--format", &fmt, NULL},
	                            {"--org", &org, NULL},
	                            {"-o", &path, NULL},
	                            {"--raw", NULL, &raw},
	                            {NULL, NULL, NULL}};
	int np = cli_opts(argc, argv, 2, o, &id, 1);
	if (np < 0 || (only < 0 && np != 1) || (only >= 0 && np != 0))
		return cli_usage("company");
	if (only < 0 && cli_object_id(id, 'K', &only))
		return cli_usage("company");
	if (strcmp(fmt, "table") && strcmp(fmt, "csv") && strcmp(fmt, "json") &&
	    strcmp(fmt, "html")) {
		fprintf(stderr, "ctip: company: --format table, csv, json or html\n");
		return 2;
	}
	ctip_store *s;
	ctip_err e = {0};
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	struct orgview ov = {s, 0};
	char scope[300] = "every organisation's cases";
	if (org) {
		/* (the type, when asked for, is the store's: never freed) */
		if ((rc = s->ops->org_find(s, org, &ov.org, NULL, &e))) {
			if (rc == CTIP_ENOTFOUND)
				ctip_err_set(&e, CTIP_EINVAL,
				             "no organisation '%s' (ctip org list)", org);
			return fail(s, &e);
		}
		snprintf(scope, sizeof scope,
		         "the cases %s may see (its own and those referred to it)", org);
	}
	struct ctip_co_view v = {org ? org_sees : NULL, &ov, raw ? 0 : 5, 1, scope};
	json_t *j = NULL;
	struct cli_out out = {stdout, NULL, ""};
	char detail[400];
	snprintf(detail, sizeof detail, "%s%s%s", org ? "org=" : "all", org ? org : "",
	         raw ? " raw" : "");
	rc = ctip_company_report(s, &v, only, &j, &e);
	if (!rc)
		rc = ctip_audit(s, NULL, raw ? "company-report-raw" : "company-report", "companies",
		                detail, &e);
	if (!rc)
		rc = cli_out_open(&out, path, 1, &e);
	if (!rc)
		rc = ctip_company_write(out.f, fmt, j, &e);
	rc = cli_out_close(&out, rc, &e);
	json_decref(j);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

static int add(struct cli *c, int argc, char **argv)
{
	struct ctip_company k = {0};
	const char *as = NULL, *name = NULL;
	const struct cli_opt o[] = {{"--licence", &k.licence_no, NULL},
	                            {"--status", &k.licence_status, NULL},
	                            {"--from", &k.licence_from, NULL},
	                            {"--to", &k.licence_to, NULL},
	                            {"--address", &k.address, NULL},
	                            {"--province", &k.province, NULL},
	                            {"--source", &k.source, NULL},
	                            {"--as", &as, NULL},
	                            {NULL, NULL, NULL}};
	if (cli_opts(argc, argv, 2, o, &name, 1) != 1)
		return cli_usage("company");
	k.name = name;
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_account a;
	char prov[16];
	int64_t id = 0;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	const struct ctip_co_ops *ops = ctip_co_ops(s, &e);
	if (!ops || cli_actor(s, as, &a, &e) || ctip_company_check(s, &k, prov, &e))
		return fail(s, &e);
	k.recorded_by = a.username;
	char detail[400];
	snprintf(detail, sizeof detail, "%s licence=%s", name, k.licence_no ? k.licence_no : "");
	if (s->ops->begin(s, &e) || ops->company_add(s, &k, a.org_id, &id, &e) ||
	    s->ops->commit(s, &e) || cli_audit_as(s, &a, "company-add", "company", detail, &e))
		return fail(s, &e);
	printf("company K%lld added to the register: %s\n", (long long)id, name);
	ctip_store_close(s);
	return 0;
}

static int sanction(struct cli *c, int argc, char **argv)
{
	struct ctip_sanction x = {0};
	const char *as = NULL, *pos[2] = {NULL, NULL};
	const struct cli_opt o[] = {{"--date", &x.date, NULL},
	                            {"--authority", &x.authority, NULL},
	                            {"--decision", &x.decision, NULL},
	                            {"--as", &as, NULL},
	                            {NULL, NULL, NULL}};
	if (cli_opts(argc, argv, 2, o, pos, 2) != 2 || strcmp(pos[0], "add") ||
	    cli_object_id(pos[1], 'K', &x.company_id))
		return cli_usage("company");
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_account a;
	int64_t id = 0;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	const struct ctip_co_ops *ops = ctip_co_ops(s, &e);
	if (!ops || cli_actor(s, as, &a, &e) || ctip_sanction_check(&x, &e))
		return fail(s, &e);
	x.recorded_by = a.username;
	char obj[32], detail[300];
	snprintf(obj, sizeof obj, "K%lld", (long long)x.company_id);
	snprintf(detail, sizeof detail, "%s %s", x.date, x.authority);
	if (s->ops->begin(s, &e) || ops->sanction_add(s, &x, a.org_id, &id, &e) ||
	    s->ops->commit(s, &e) || cli_audit_as(s, &a, "company-sanction", obj, detail, &e))
		return fail(s, &e);
	printf("sanction %lld recorded for company %s\n", (long long)id, obj);
	ctip_store_close(s);
	return 0;
}

static int print_company(void *ctx, const struct ctip_company *k)
{
	(void)ctx;
	printf("K%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%ld\n", (long long)k->id, k->name,
	       k->licence_no ? k->licence_no : "-", k->licence_status ? k->licence_status : "-",
	       k->licence_from ? k->licence_from : "-", k->licence_to ? k->licence_to : "-",
	       k->province ? k->province : "-", k->sanctions);
	return 0;
}

static int list(struct cli *c, int argc, char **argv)
{
	if (cli_opts(argc, argv, 2, (const struct cli_opt[]){{NULL, NULL, NULL}}, NULL, 0) != 0)
		return cli_usage("company");
	ctip_store *s;
	ctip_err e = {0};
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	const struct ctip_co_ops *ops = ctip_co_ops(s, &e);
	printf("company\tname\tlicence\tstatus\tfrom\tto\tprovince\tsanctions\n");
	if (!ops || ops->company_list(s, 0, print_company, NULL, &e))
		return fail(s, &e);
	ctip_store_close(s);
	return 0;
}

int cmd_company(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("company");
	if (!strcmp(argv[1], "add"))
		return add(c, argc, argv);
	if (!strcmp(argv[1], "list"))
		return list(c, argc, argv);
	if (!strcmp(argv[1], "show"))
		return report(c, argc, argv, -1);
	if (!strcmp(argv[1], "report"))
		return report(c, argc, argv, 0);
	if (!strcmp(argv[1], "sanction"))
		return sanction(c, argc, argv);
	return cli_usage("company");
}

/* --- recruiters ------------------------------------------------------------------------ */

static int print_recruiter(void *ctx, const struct ctip_recruiter *r)
{
	(void)ctx;
	printf("R%lld\t%s\t%s\t%s\t%s\t%s\t%ld\n", (long long)r->id, r->kind,
	       r->name ? r->name : "-", r->company ? r->company : "-",
	       r->province ? r->province : "-", r->recorded_org ? r->recorded_org : "-", r->cases);
	return 0;
}

int cmd_recruiter(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("recruiter");
	int is_add = !strcmp(argv[1], "add");
	if (!is_add && strcmp(argv[1], "list"))
		return cli_usage("recruiter");
	const char *as = NULL, *kind = "person", *company = NULL, *province = NULL, *cases = NULL,
	           *name = NULL;
	const struct cli_opt o[] = {{"--kind", &kind, NULL},
	                            {"--company", &company, NULL},
	                            {"--province", &province, NULL},
	                            {"--cases", &cases, NULL},
	                            {"--as", &as, NULL},
	                            {NULL, NULL, NULL}};
	int np = cli_opts(argc, argv, 2, o, &name, 1);
	if (np != (is_add ? 1 : 0) || (strcmp(kind, "person") && strcmp(kind, "company")))
		return cli_usage("recruiter");
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_account a;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	const struct ctip_co_ops *ops = ctip_co_ops(s, &e);
	if (!ops || cli_actor(s, as, &a, &e))
		return fail(s, &e);
	int64_t company_org = 0;
	if (company) {
		if ((rc = s->ops->org_find(s, company, &company_org, NULL, &e))) {
			if (rc == CTIP_ENOTFOUND)
				ctip_err_set(&e, CTIP_EINVAL,
				             "no company or organisation '%s' (ctip company list)",
				             company);
			return fail(s, &e);
		}
	}
	if (!is_add) {
		printf("recruiter\tkind\tname\tcompany\tprovince\trecorded_by\tcases\n");
		if (ops->recruiter_list(s, company_org, print_recruiter, NULL, &e) ||
		    cli_audit_as(s, &a, "view", "recruiters", company ? company : "all", &e))
			return fail(s, &e);
		ctip_store_close(s);
		return 0;
	}
	int64_t ids[64];
	int n = 0;
	if (cases) {
		char buf[1024];
		snprintf(buf, sizeof buf, "%s", cases);
		for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
			if (n == 64 || cli_object_id(t, 'C', &ids[n++])) {
				ctip_store_close(s);
				return cli_usage("recruiter");
			}
	}
	if (!strcmp(kind, "company") && !company_org) {
		ctip_store_close(s);
		fprintf(stderr, "ctip: recruiter: --kind company needs --company NAME\n");
		return 2;
	}
	struct ctip_recruiter r = {
	        .kind = kind, .name = name, .province = province, .recorded_by = a.username};
	int64_t id = 0;
	if (s->ops->begin(s, &e) ||
	    ops->recruiter_add(s, &r, company_org, a.org_id, ids, n, &id, &e) ||
	    s->ops->commit(s, &e) || cli_audit_as(s, &a, "recruiter-add", "recruiter", kind, &e))
		return fail(s, &e);
	printf("recruiter R%lld recorded (%s%s)\n", (long long)id, kind,
	       !strcmp(kind, "person") ? ", name sealed" : "");
	ctip_store_close(s);
	return 0;
}
