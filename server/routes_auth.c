/*
 * routes_auth.c - POST /api/login, POST /api/logout, GET /api/me.
 *
 * A login checks the Argon2id hash (libsodium); an unknown user name costs
 * the same as a wrong password, so timing does not tell which names exist.
 * Every login and failed login is audited; failures lock the account (with
 * backoff) or the client address out, separately (session.c), and each lockout
 * is audited (`login_lockout`, object the account or the address).
 */
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "server.h"

static json_t *me_body(const struct srv_session *s)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "username", s->username, "org", s->org, "role",
	                 s->role, "csrf_token", s->csrf);
}

/* A hash of a password nobody has, so that an unknown name takes as long as a known one. */
static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	unsigned char pw[16];
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str_alg(dummy, (const char *)pw, sizeof(pw),
	                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
		dummy[0] = 0;
}

int h_login(struct req *r)
{
	static const char *const keys[] = {"username", "password", NULL};
	const char *user, *pw;
	if (srv_only_keys(r, r->in, keys) || srv_get_str(r, r->in, "username", 1, 64, &user) ||
	    srv_get_str(r, r->in, "password", 1, 1024, &pw))
		return 400;
	long left = srv_login_blocked(user, r->client);
	if (left)
		return srv_error(r, 429, NULL, "too many failed logins: try again in %ld s", left);
	struct ctip_account a;
	ctip_err e = {0};
	int rc = r->s->srv->account_get(r->s, user, &a, &e);
	if (rc && rc != CTIP_ENOTFOUND)
		return srv_fail(r, &e);
	pthread_once(&dummy_once, make_dummy);
	if (!dummy[0])
		return srv_error(r, 503, NULL, "the server is out of memory");
	int ok = crypto_pwhash_str_verify(rc ? dummy : a.pw_hash, pw, strlen(pw)) == 0 && !rc &&
	         !a.disabled;
	const char *obj = user;
	if (!ok) {
		long secs[2];
		int locked = srv_login_failed(user, r->client, secs);
		srv_audit(user, "login_failed", &obj, 1, r->client);
		char detail[128];
		if (locked & SRV_LOCK_ACCOUNT) {
			snprintf(detail, sizeof(detail), "account for %ld s (from %s)", secs[0],
			         r->client);
			srv_audit(user, "login_lockout", &obj, 1, detail);
		}
		if (locked & SRV_LOCK_ADDRESS) {
			const char *ao = r->client;
			snprintf(detail, sizeof(detail), "address for %ld s", secs[1]);
			srv_audit(user, "login_lockout", &ao, 1, detail);
		}
		return srv_error(r, 401, NULL, "wrong user name or password");
	}
	srv_login_ok(user);
	char token[65];
	if (srv_session_new(&a, token, &r->sess))
		return srv_error(r, 503, NULL, "the server is out of memory");
	if (srv_audit(a.username, "login", &obj, 1, r->client)) {
		srv_session_end(token);
		return srv_error(r, 500, NULL, "the audit log cannot be written");
	}
	snprintf(r->cookie, sizeof(r->cookie),
	         "ctip_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s", token,
	         SESSION_MAX_AGE, r->tls ? "; Secure" : "");
	sodium_memzero(token, sizeof(token));
	r->out = me_body(&r->sess);
	return 200;
}

int h_logout(struct req *r)
{
	const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "ctip_session");
	if (tok)
		srv_session_end(tok);
	const char *obj = r->sess.username;
	srv_audit(r->sess.username, "logout", &obj, 1, "");
	snprintf(r->cookie, sizeof(r->cookie),
	         "ctip_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0%s",
	         r->tls ? "; Secure" : "");
	return 204;
}

int h_me(struct req *r)
{
	r->out = me_body(&r->sess);
	return 200;
}
