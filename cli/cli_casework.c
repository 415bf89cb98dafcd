/*
 * cli_casework.c - what the casework commands (case, assess, followup, contact) share: their
 * options, case and contact ids, the account a command acts as (--as USER or $CTIP_USER:
 * casework's rules are an account's, casework.h), and their audit entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "store_casework.h"

int cli_opts(int argc, char **argv, int first, const struct cli_opt *o, const char **pos, int npos)
{
	int np = 0;
	for (int i = first; i < argc; i++) {
		const struct cli_opt *x = NULL;
		for (const struct cli_opt *k = o; k && k->name; k++)
			if (!strcmp(argv[i], k->name))
				x = k;
		if (x && x->flag) {
			*x->flag = 1;
		} else if (x && i + 1 < argc) {
			*x->val = argv[++i];
		} else if (!x && argv[i][0] != '-' && np < npos) {
			pos[np++] = argv[i];
		} else {
			fprintf(stderr, "ctip: %s %s\n", argv[i],
			        x ? "needs a value" : "is not an option of this command");
			return -1;
		}
	}
	return np;
}

int cli_object_id(const char *v, char prefix, int64_t *id)
{
	if (!v)
		return -1;
	if (*v == prefix || *v == prefix + ('a' - 'A'))
		v++;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || x <= 0)
		return -1;
	*id = x;
	return 0;
}

int cli_actor(ctip_store *s, const char *as, struct ctip_account *a, ctip_err *e)
{
	if (!as || !*as)
		as = getenv("CTIP_USER");
	if (!as || !*as)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "--as",
		                   "give the account you act as: --as USERNAME (or $CTIP_USER); "
		                   "casework's rules depend on its organisation and role");
	int rc = s->srv->account_get(s, as, a, e);
	if (rc == CTIP_ENOTFOUND)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "--as",
		                   "no account '%s' (ctip user add creates one)", as);
	if (rc == CTIP_OK && a->disabled)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "--as", "account '%s' is disabled", as);
	return rc;
}

int cli_audit_as(ctip_store *s, const struct ctip_account *a, const char *action,
                 const char *object, const char *detail, ctip_err *e)
{
	char d[600];
	snprintf(d, sizeof(d), "%s%sas %s", detail ? detail : "", detail && *detail ? "; " : "",
	         a ? a->username : "-");
	return ctip_audit(s, NULL, action, object, d, e);
}

int cli_cw_fail(ctip_store *s, const ctip_err *e)
{
	if (s)
		ctip_store_close(s);
	return cli_fail(e);
}

int cli_cw_open(struct cli *c, const char *org, ctip_store **s, const struct ctip_cw_ops **ops,
                int64_t *org_id)
{
	ctip_err e = {0};
	*org_id = 0;
	int rc = cli_open(c, s);
	if (rc)
		return rc;
	if (!(*ops = ctip_cw_ops(*s, &e)))
		return cli_cw_fail(*s, &e);
	if (org && (*s)->ops->org_find(*s, org, org_id, NULL, &e)) {
		ctip_err_set(&e, CTIP_EINVAL, "no organisation '%s'", org);
		return cli_cw_fail(*s, &e);
	}
	return 0;
}
