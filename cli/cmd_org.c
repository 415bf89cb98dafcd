/*
 * cmd_org.c - `ctip org add NAME --type TYPE`, `ctip org list`.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

int cmd_org(int argc, char **argv, struct cli *c)
{
	const char *type = NULL, *name = NULL;
	if (argc < 2 || strcmp(argv[1], "add"))
		return cli_usage("org");
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--type") && i + 1 < argc)
			type = argv[++i];
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			return cli_usage("org");
	}
	if (!name || !type)
		return cli_usage("org");
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	int64_t id;
	const struct ctip_ref_entry *en = ctip_ref_lookup(s->ref, "org_type", type);
	if (!en) {
		char ex[200];
		ctip_ref_examples(s->ref, "org_type", ex, sizeof(ex));
		ctip_err_set(&e, CTIP_EINVAL, "unknown organisation type '%s' (one of: %s)", type,
		             ex);
	} else if (s->ops->org_find(s, name, &id, NULL, &e) == CTIP_OK) {
		ctip_err_set(&e, CTIP_EINVAL, "organisation '%s' already exists", name);
	} else if ((rc = s->ops->org_add(s, name, en->code, &id, &e)) == CTIP_OK) {
		char obj[32];
		snprintf(obj, sizeof(obj), "O%lld", (long long)id);
		rc = ctip_audit(s, NULL, "org_add", obj, en->code, &e);
		if (!rc)
			printf("organisation O%lld '%s' (%s) added\n", (long long)id, name,
			       en->code);
	}
	ctip_store_close(s);
	return e.code ? cli_fail(&e) : 0;
}
