/*
 * cmd_contact.c - `ctip contact add|list|convert`: hotline contacts as records of their own
 * (casework.h): anonymous unless a caller is named, notes sealed; a contact becomes a new
 * case or is attached to one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "casework.h"
#include "cli.h"

static int print_one(void *ctx, const struct ctip_cw_hotline *h)
{
	char cs[32] = "-";
	if (h->case_id)
		snprintf(cs, sizeof(cs), "C%lld", (long long)h->case_id);
	printf("H%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)h->id, h->at, h->org,
	       h->channel, h->caller_type ? h->caller_type : "-", h->reason ? h->reason : "-",
	       h->province ? h->province : "-", h->anonymous ? "anonymous" : h->caller, cs,
	       h->notes ? h->notes : "");
	return 0;
}

static int list(struct cli *c, int argc, char **argv)
{
	const char *org = NULL, *limit = NULL;
	const struct cli_opt o[] = {
	        {"--org", &org, NULL}, {"--limit", &limit, NULL}, {NULL, NULL, NULL}};
	if (cli_opts(argc, argv, 2, o, NULL, 0) != 0)
		return cli_usage("contact");
	long lim = limit ? atol(limit) : 100;
	if (lim <= 0)
		return cli_usage("contact");
	ctip_store *s;
	ctip_err e = {0};
	int64_t org_id;
	const struct ctip_cw_ops *ops;
	int rc = cli_cw_open(c, org, &s, &ops, &org_id);
	if (rc)
		return rc;
	printf("contact\tat\torganisation\tchannel\tcaller_type\treason\tprovince\tcaller\tcase\t"
	       "notes\n");
	if (ops->hotline_list(s, 0, org_id, lim, print_one, NULL, &e) ||
	    ctip_audit(s, NULL, "view", "contacts", org ? org : "all", &e))
		return cli_cw_fail(s, &e);
	ctip_store_close(s);
	return 0;
}

int cmd_contact(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("contact");
	if (!strcmp(argv[1], "list"))
		return list(c, argc, argv);
	int add = !strcmp(argv[1], "add"), convert = !strcmp(argv[1], "convert");
	const char *as = NULL, *channel = NULL, *at = NULL, *ctype = NULL, *reason = NULL,
	           *province = NULL, *caller = NULL, *notes = NULL, *case_text = NULL,
	           *pos[1] = {NULL};
	const struct cli_opt o[] = {{"--as", &as, NULL},          {"--channel", &channel, NULL},
	                            {"--at", &at, NULL},          {"--caller-type", &ctype, NULL},
	                            {"--reason", &reason, NULL},  {"--province", &province, NULL},
	                            {"--caller", &caller, NULL},  {"--notes", &notes, NULL},
	                            {"--case", &case_text, NULL}, {NULL, NULL, NULL}};
	int np = cli_opts(argc, argv, 2, o, pos, 1);
	int64_t id = 0, case_id = 0;
	if ((!add && !convert) || np != (convert ? 1 : 0) ||
	    (convert && cli_object_id(pos[0], 'H', &id)) ||
	    (case_text && cli_object_id(case_text, 'C', &case_id)))
		return cli_usage("contact");
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_account a;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	if (cli_actor(s, as, &a, &e))
		return cli_cw_fail(s, &e);
	char obj[32], detail[200];
	if (add) {
		struct ctip_cw_hotline h = {.channel = channel,
		                            .at = at,
		                            .caller_type = ctype,
		                            .reason = reason,
		                            .province = province,
		                            .caller = caller,
		                            .notes = notes,
		                            .anonymous = 1};
		if (ctip_cw_contact_add(s, &a, &h, &id, &e))
			return cli_cw_fail(s, &e);
		snprintf(obj, sizeof(obj), "H%lld", (long long)id);
		snprintf(detail, sizeof(detail), "contact %s%s", h.channel,
		         h.anonymous ? ", anonymous" : "");
		if (cli_audit_as(s, &a, "contact_add", obj, detail, &e))
			return cli_cw_fail(s, &e);
		printf("contact %s recorded (%s)\n", obj,
		       h.anonymous ? "anonymous" : "caller named");
	} else {
		int64_t out;
		if (ctip_cw_contact_convert(s, &a, id, case_id, &out, &e))
			return cli_cw_fail(s, &e);
		snprintf(obj, sizeof(obj), "H%lld", (long long)id);
		snprintf(detail, sizeof(detail), "%s case C%lld",
		         case_id ? "attached to" : "opened", (long long)out);
		if (cli_audit_as(s, &a, "contact_convert", obj, detail, &e))
			return cli_cw_fail(s, &e);
		if (!case_id) {
			snprintf(obj, sizeof(obj), "C%lld", (long long)out);
			if (cli_audit_as(s, &a, "create", obj, "from a hotline contact", &e))
				return cli_cw_fail(s, &e);
		}
		printf("contact H%lld %s case C%lld\n", (long long)id,
		       case_id ? "attached to" : "opened as", (long long)out);
	}
	ctip_store_close(s);
	return 0;
}
