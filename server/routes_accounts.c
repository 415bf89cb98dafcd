/*
 * routes_accounts.c - accounts through the API (issue 14 item 5):
 *   GET   /api/accounts              administrators: every account, with its lockout
 *   POST  /api/accounts              administrators: a new account
 *   PATCH /api/accounts/{id}         administrators: disable or enable it, reset its password
 *   POST  /api/accounts/{id}/unlock  administrators: end a lockout of failed logins
 *   POST  /api/me/password           everyone: their own password (the old one required)
 *
 * The rules an administrator cannot get round: a role is one of the five the system has
 * (ctip_role_valid), so no account gets more than those allow; nobody disables their own
 * account, and the last enabled administrator account cannot be disabled, so the system never
 * loses its last administrator. Every change is audited in the transaction that makes it
 * (account_add, account_disable, account_enable, password_reset, account_unlock,
 * password_change). Disabling an account or resetting its password ends its sessions; a
 * user's own change of password ends their other sessions. A wrong old password counts as a
 * failed login (session.c), so a stolen session cannot be used to guess it. An unlock clears
 * the account's lockout only: the lockout of a client address stays.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "server.h"

struct acc {
	int64_t id, want;
	char username[72], org[256], role[16];
	int disabled, found;
	long admins; /* enabled administrator accounts */
	json_t *list;
};

static int acc_cb(void *ctx, const struct ctip_account_item *a)
{
	struct acc *x = ctx;
	if (!strcmp(a->role, "admin") && !a->disabled)
		x->admins++;
	if (x->want && a->id == x->want) {
		x->found = 1;
		x->id = a->id;
		x->disabled = a->disabled;
		snprintf(x->username, sizeof(x->username), "%s", a->username);
		snprintf(x->org, sizeof(x->org), "%s", a->org);
		snprintf(x->role, sizeof(x->role), "%s", a->role);
	}
	if (x->list)
		json_array_append_new(x->list,
		                      json_pack("{s:I, s:s, s:s, s:s, s:b, s:I, s:s}", "id",
		                                (json_int_t)a->id, "username", a->username, "org",
		                                a->org, "role", a->role, "disabled", a->disabled,
		                                "locked_seconds",
		                                (json_int_t)srv_login_locked(a->username),
		                                "created_at", a->created_at ? a->created_at : ""));
	return 0;
}

/* The store has no accounts API (a back end without it): 501, said plainly. */
static int no_accounts(struct req *r)
{
	return srv_error(r, 501, NULL, "this database's back end cannot manage accounts yet");
}

static json_t *roles_json(void)
{
	return json_pack("[s, s, s, s, s]", "caseworker", "supervisor", "analyst", "auditor",
	                 "admin");
}

int h_accounts_list(struct req *r)
{
	if (!r->s->srv->account_list)
		return no_accounts(r);
	struct acc x = {.list = json_array()};
	ctip_err e = {0};
	if (r->s->srv->account_list(r->s, acc_cb, &x, &e)) {
		json_decref(x.list);
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:o, s:o}", "accounts", x.list, "roles", roles_json());
	return 200;
}

static int username_ok(const char *u)
{
	if (!*u || strlen(u) > 64)
		return 0;
	for (const char *p = u; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-@", *p))
			return 0;
	return 1;
}

/* Runs one change and its audit entry in a transaction; 0, or the error status set. */
static int commit_audited(struct req *r, int rc, const char *action, const char *object,
                          const char *detail, ctip_err *e)
{
	if (!rc)
		rc = srv_audit_tx(r, action, &object, 1, detail, e);
	if (!rc)
		rc = r->s->ops->commit(r->s, e);
	if (rc) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, e);
	}
	return 0;
}

int h_account_create(struct req *r)
{
	static const char *const keys[] = {"username", "org", "role", "password", NULL};
	const char *user, *org, *role, *pw;
	if (!r->s->srv->account_list)
		return no_accounts(r);
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "username", 1, 64, &user) ||
	    srv_get_str(r, r->in, "org", 1, 256, &org) ||
	    srv_get_str(r, r->in, "role", 1, 16, &role) ||
	    srv_get_str(r, r->in, "password", 1, 1024, &pw))
		return 400;
	if (!username_ok(user))
		return srv_error(r, 400, "username",
		                 "a user name has 1 to 64 letters, digits, '.', '_', '-', '@'");
	if (!ctip_role_valid(role))
		return srv_error(
		        r, 400, "role",
		        "unknown role '%s': caseworker, supervisor, analyst, auditor or admin",
		        role);
	if (strlen(pw) < 10)
		return srv_error(r, 400, "password",
		                 "the password must have at least 10 characters");
	ctip_err e = {0};
	int64_t org_id;
	int rc = r->s->ops->org_find(r->s, org, &org_id, NULL, &e);
	if (rc == CTIP_ENOTFOUND)
		return srv_error(r, 400, "org", "no organisation of that name is registered");
	if (rc)
		return srv_fail(r, &e);
	struct ctip_account old;
	rc = r->s->srv->account_get(r->s, user, &old, &e);
	if (!rc)
		return srv_error(r, 409, "username", "an account of that name exists");
	if (rc != CTIP_ENOTFOUND)
		return srv_fail(r, &e);
	char hash[CTIP_PWHASH_LEN];
	if (ctip_password_hash(pw, hash, &e)) /* before the transaction: it takes a while */
		return srv_error(r, 503, NULL, "the server is out of memory");
	char detail[300];
	snprintf(detail, sizeof(detail), "%s of %s", role, org);
	rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = r->s->ops->account_add(r->s, user, org_id, role, hash, &e);
	sodium_memzero(hash, sizeof(hash));
	int st = commit_audited(r, rc, "account_add", user, detail, &e);
	if (st)
		return st;
	struct ctip_account a;
	if (r->s->srv->account_get(r->s, user, &a, &e))
		return srv_fail(r, &e);
	r->out = json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)a.id, "username",
	                   a.username, "org", a.org, "role", a.role, "disabled", 0);
	return 201;
}

int h_account_patch(struct req *r)
{
	static const char *const keys[] = {"disabled", "password", NULL};
	const char *pw = NULL;
	if (!r->s->srv->account_list)
		return no_accounts(r);
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "password", 0, 1024, &pw))
		return 400;
	json_t *dj = json_object_get(r->in, "disabled");
	if (dj && !json_is_boolean(dj))
		return srv_error(r, 400, "disabled", "disabled must be true or false");
	int disabled = dj ? json_is_true(dj) : -1;
	if (disabled < 0 && !pw)
		return srv_error(r, 400, NULL, "give disabled or password");
	if (pw && strlen(pw) < 10)
		return srv_error(r, 400, "password",
		                 "the password must have at least 10 characters");
	ctip_err e = {0};
	char hash[CTIP_PWHASH_LEN];
	if (pw && ctip_password_hash(pw, hash, &e))
		return srv_error(r, 503, NULL, "the server is out of memory");
	struct acc x = {.want = r->id};
	/* the check of the last administrator and the change: one transaction */
	int rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = r->s->srv->account_list(r->s, acc_cb, &x, &e);
	if (rc) {
		r->s->ops->rollback(r->s);
		sodium_memzero(hash, sizeof(hash));
		return srv_fail(r, &e);
	}
	int st = 0;
	if (!x.found)
		st = srv_error(r, 404, NULL, "no such account");
	else if (disabled == 1 && !x.disabled && !strcmp(x.role, "admin") && x.admins <= 1)
		st = srv_error(r, 409, "disabled",
		               "the last administrator account cannot be disabled");
	else if (disabled == 1 && x.id == r->sess.account_id)
		st = srv_error(r, 409, "disabled", "you cannot disable your own account");
	if (st) {
		r->s->ops->rollback(r->s);
		sodium_memzero(hash, sizeof(hash));
		return st;
	}
	rc = r->s->srv->account_set(r->s, x.id, disabled, pw ? hash : NULL, &e);
	sodium_memzero(hash, sizeof(hash));
	const char *action = pw && disabled < 0 ? "password_reset"
	                     : disabled == 1    ? "account_disable"
	                                        : "account_enable";
	char detail[64] = "";
	if (pw && disabled >= 0)
		snprintf(detail, sizeof(detail), "and password_reset");
	if ((st = commit_audited(r, rc, action, x.username, detail, &e)))
		return st;
	/* a disabled account, or one whose password an administrator reset, is signed out */
	int ended = 0;
	if (disabled == 1 || pw)
		ended = srv_sessions_end_account(
		        x.id, x.id == r->sess.account_id ? r->sess.token_hash : NULL);
	r->out = json_pack("{s:I, s:s, s:s, s:s, s:b, s:i}", "id", (json_int_t)x.id, "username",
	                   x.username, "org", x.org, "role", x.role, "disabled",
	                   disabled < 0 ? x.disabled : disabled, "sessions_ended", ended);
	return 200;
}

int h_account_unlock(struct req *r)
{
	if (!r->s->srv->account_list)
		return no_accounts(r);
	struct acc x = {.want = r->id};
	ctip_err e = {0};
	int rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = r->s->srv->account_list(r->s, acc_cb, &x, &e);
	if (rc) {
		r->s->ops->rollback(r->s);
		return srv_fail(r, &e);
	}
	if (!x.found) {
		r->s->ops->rollback(r->s);
		return srv_error(r, 404, NULL, "no such account");
	}
	long left = srv_login_locked(x.username);
	char detail[64];
	snprintf(detail, sizeof(detail), "lockout had %ld s", left);
	int st = commit_audited(r, 0, "account_unlock", x.username, detail, &e);
	if (st)
		return st;
	srv_login_unlock(x.username); /* once the unlock is on record */
	r->out = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)x.id, "username", x.username,
	                   "was_locked_seconds", (json_int_t)left);
	return 200;
}

int h_password_change(struct req *r)
{
	static const char *const keys[] = {"old_password", "new_password", NULL};
	const char *old, *pw;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "old_password", 1, 1024, &old) ||
	    srv_get_str(r, r->in, "new_password", 1, 1024, &pw))
		return 400;
	if (!r->s->srv->account_set)
		return no_accounts(r);
	/* the old password is a login's secret: guessing it is throttled like a login */
	long left = srv_login_blocked(r->sess.username, r->client);
	if (left)
		return srv_error(r, 429, NULL, "too many failed logins: try again in %ld s", left);
	struct ctip_account a;
	ctip_err e = {0};
	int rc = r->s->srv->account_get(r->s, r->sess.username, &a, &e);
	if (rc == CTIP_ENOTFOUND || (!rc && a.disabled))
		return srv_error(r, 401, NULL, "not logged in");
	if (rc)
		return srv_fail(r, &e);
	if (crypto_pwhash_str_verify(a.pw_hash, old, strlen(old))) {
		const char *obj = a.username;
		srv_login_failed(a.username, r->client, NULL);
		srv_audit(a.username, "password_change_failed", &obj, 1, r->client);
		return srv_error(r, 400, "old_password", "the old password is wrong");
	}
	if (strlen(pw) < 10)
		return srv_error(r, 400, "new_password",
		                 "the password must have at least 10 characters");
	if (!strcmp(old, pw))
		return srv_error(r, 400, "new_password",
		                 "the new password must differ from the old one");
	char hash[CTIP_PWHASH_LEN];
	if (ctip_password_hash(pw, hash, &e))
		return srv_error(r, 503, NULL, "the server is out of memory");
	rc = r->s->ops->begin(r->s, &e);
	if (!rc)
		rc = r->s->srv->account_set(r->s, a.id, -1, hash, &e);
	sodium_memzero(hash, sizeof(hash));
	int st = commit_audited(r, rc, "password_change", a.username, "", &e);
	if (st)
		return st;
	srv_login_ok(a.username);
	int ended = srv_sessions_end_account(a.id, r->sess.token_hash);
	r->out = json_pack("{s:i}", "sessions_ended", ended);
	return 200;
}
