/*
 * accounts.c - creating accounts; the password is hashed with libsodium's
 * crypto_pwhash_str (Argon2id, its interactive limits) and never stored.
 */
#include "accounts.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

static const char *const roles[] = {"caseworker", "supervisor", "analyst", "auditor", "admin"};

int ctip_role_valid(const char *role)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(*roles); i++)
		if (!strcmp(role, roles[i]))
			return 1;
	return 0;
}

int ctip_account_add(ctip_store *s, const char *username, const char *org, const char *role,
                     const char *password, ctip_err *e)
{
	char hash[CTIP_PWHASH_LEN];
	int64_t org_id;
	if (!*username || strlen(username) > 64)
		return ctip_err_set(e, CTIP_EINVAL, "a user name has 1 to 64 characters");
	for (const char *p = username; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-@", *p))
			return ctip_err_set(
			        e, CTIP_EINVAL,
			        "user name '%s': letters, digits, '.', '_', '-', '@' only",
			        username);
	if (!ctip_role_valid(role))
		return ctip_err_set(e, CTIP_EINVAL,
		                    "unknown role '%s' (caseworker, supervisor, analyst, auditor, "
		                    "admin)",
		                    role);
	if (strlen(password) < 10)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "the password must have at least 10 characters");
	int rc = s->ops->org_find(s, org, &org_id, NULL, e);
	if (rc == CTIP_ENOTFOUND)
		return ctip_err_set(e, CTIP_ENOTFOUND,
		                    "no organisation '%s' (add it with `ctip org add`)", org);
	if (rc || (rc = ctip_password_hash(password, hash, e)))
		return rc;
	return s->ops->account_add(s, username, org_id, role, hash, e);
}

int ctip_password_hash(const char *password, char out[CTIP_PWHASH_LEN], ctip_err *e)
{
	_Static_assert(CTIP_PWHASH_LEN >= crypto_pwhash_STRBYTES, "room for the hash");
	if (strlen(password) < 10)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "the password must have at least 10 characters");
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	if (crypto_pwhash_str_alg(out, password, strlen(password),
	                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory hashing the password");
	return CTIP_OK;
}
