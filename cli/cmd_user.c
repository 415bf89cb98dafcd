/*
 * cmd_user.c - `ctip user add USERNAME --org NAME --role ROLE`; the password
 * is read from standard input (one line), never from the arguments, where
 * other users of the machine could read it.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "accounts.h"
#include "audit.h"
#include "cli.h"

int cmd_user(int argc, char **argv, struct cli *c)
{
	const char *user = NULL, *org = NULL, *role = NULL;
	if (argc < 2 || strcmp(argv[1], "add"))
		return cli_usage("user");
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--org") && i + 1 < argc)
			org = argv[++i];
		else if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else if (!user && argv[i][0] != '-')
			user = argv[i];
		else
			return cli_usage("user");
	}
	if (!user || !org || !role)
		return cli_usage("user");
	char pw[1024];
	if (!fgets(pw, sizeof(pw), stdin)) {
		fprintf(stderr, "ctip: give the password on standard input\n");
		return 1;
	}
	pw[strcspn(pw, "\r\n")] = 0;
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc) {
		sodium_memzero(pw, sizeof(pw));
		return rc;
	}
	ctip_err e = {0};
	rc = ctip_account_add(s, user, org, role, pw, &e);
	sodium_memzero(pw, sizeof(pw));
	if (!rc)
		rc = ctip_audit(s, NULL, "user_add", user, role, &e);
	if (!rc)
		printf("user '%s' (%s of '%s') added\n", user, role, org);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}
