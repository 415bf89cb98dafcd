/*
 * cmd_user.c - `ctip user add USERNAME --org NAME --role ROLE` and `ctip user
 * passwd USERNAME` (a new password for an account, e.g. when its user forgot it, or the
 * demo's accounts on each `make run`); the password is read from standard input (one line),
 * never from the arguments, where other users of the machine could read it.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "accounts.h"
#include "audit.h"
#include "cli.h"

/* `ctip user passwd USERNAME`: audited as password_reset (object the user name). */
static int user_passwd(int argc, char **argv, struct cli *c)
{
	if (argc != 3 || argv[2][0] == '-')
		return cli_usage("user");
	const char *user = argv[2];
	char pw[1024];
	if (!fgets(pw, sizeof(pw), stdin)) {
		fprintf(stderr, "ctip: give the new password on standard input\n");
		return 1;
	}
	pw[strcspn(pw, "\r\n")] = 0;
	char hash[CTIP_PWHASH_LEN];
	ctip_err e = {0};
	int rc = ctip_password_hash(pw, hash, &e);
	sodium_memzero(pw, sizeof(pw));
	if (rc)
		return cli_fail(&e);
	ctip_store *s;
	if ((rc = cli_open_meta(c, &s))) {
		sodium_memzero(hash, sizeof(hash));
		return rc;
	}
	struct ctip_account a;
	if (!s->srv->account_set)
		rc = ctip_err_set(&e, CTIP_EINVAL,
		                  "this database's back end cannot change passwords yet");
	else if ((rc = s->srv->account_get(s, user, &a, &e)) == CTIP_ENOTFOUND)
		rc = ctip_err_set(&e, CTIP_ENOTFOUND, "no account '%s'", user);
	if (!rc)
		rc = s->srv->account_set(s, a.id, -1, hash, &e);
	sodium_memzero(hash, sizeof(hash));
	if (!rc)
		rc = ctip_audit(s, NULL, "password_reset", user, "", &e);
	if (!rc)
		printf("password of '%s' changed\n", user);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}

int cmd_user(int argc, char **argv, struct cli *c)
{
	const char *user = NULL, *org = NULL, *role = NULL;
	if (argc >= 2 && !strcmp(argv[1], "passwd"))
		return user_passwd(argc, argv, c);
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
