/*
 * session.c - login sessions and the failed-login limiter, in memory.
 *
 * A session is found by its cookie: a 32-byte random token (libsodium) sent
 * as hex. Only its BLAKE2b hash is kept, so a dump of the server's memory
 * does not hand out live sessions. Each session has its own CSRF token,
 * expires 30 minutes after its last use and 8 hours after login, and ends on
 * logout. Restarting the server ends every session.
 *
 * Failed logins are counted per user name and per client address: 5 within
 * 15 minutes lock that name or address out for 15 minutes (429).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <uthash.h>

#include "server.h"

struct sess_node {
	struct srv_session s;
	UT_hash_handle hh;
};

struct fail_node {
	char key[300]; /* "u:" + user name or "a:" + address */
	time_t first, blocked_until;
	int count;
	UT_hash_handle hh;
};

#define FAIL_MAX    5
#define FAIL_WINDOW 900
#define FAIL_BLOCK  900

/* The clock (tests set their own). */
time_t (*srv_clock)(time_t *) = time;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct sess_node *sessions;
static struct fail_node *fails;

int srv_sessions_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void srv_sessions_free(void)
{
	pthread_mutex_lock(&mu);
	struct sess_node *x, *t;
	HASH_ITER(hh, sessions, x, t)
	{
		HASH_DEL(sessions, x);
		sodium_memzero(x, sizeof(*x));
		free(x);
	}
	struct fail_node *f, *ft;
	HASH_ITER(hh, fails, f, ft)
	{
		HASH_DEL(fails, f);
		free(f);
	}
	pthread_mutex_unlock(&mu);
}

int srv_role_bit(const char *role)
{
	static const char *const names[] = {"caseworker", "supervisor", "analyst", "auditor",
	                                    "admin"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(role, names[i]))
			return 1 << i;
	return 0;
}

static void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static void random_hex(char out[65])
{
	unsigned char b[32];
	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, 65, b, sizeof(b));
	sodium_memzero(b, sizeof(b));
}

/* Drops expired sessions; called with the lock held, at most once a minute. */
static void sweep(time_t now)
{
	static time_t last;
	if (now - last < 60)
		return;
	last = now;
	struct sess_node *x, *t;
	HASH_ITER(hh, sessions, x, t)
	if (now - x->s.last > SESSION_IDLE || now - x->s.created > SESSION_MAX_AGE) {
		HASH_DEL(sessions, x);
		free(x);
	}
	struct fail_node *f, *ft;
	HASH_ITER(hh, fails, f, ft)
	if (now - f->first > FAIL_WINDOW && now >= f->blocked_until) {
		HASH_DEL(fails, f);
		free(f);
	}
}

int srv_session_new(const struct ctip_account *a, char token[65], struct srv_session *out)
{
	struct sess_node *x = calloc(1, sizeof(*x));
	if (!x)
		return -1;
	random_hex(token);
	token_hash(token, x->s.token_hash);
	random_hex(x->s.csrf);
	snprintf(x->s.username, sizeof(x->s.username), "%s", a->username);
	snprintf(x->s.org, sizeof(x->s.org), "%s", a->org);
	snprintf(x->s.role, sizeof(x->s.role), "%s", a->role);
	x->s.account_id = a->id;
	x->s.org_id = a->org_id;
	x->s.role_bit = srv_role_bit(a->role);
	x->s.created = x->s.last = srv_clock(NULL);
	*out = x->s;
	pthread_mutex_lock(&mu);
	sweep(x->s.created);
	HASH_ADD_STR(sessions, s.token_hash, x);
	pthread_mutex_unlock(&mu);
	return 0;
}

int srv_session_get(const char *token, struct srv_session *out)
{
	char h[65];
	struct sess_node *x;
	if (strlen(token) != 64)
		return -1;
	token_hash(token, h);
	time_t now = srv_clock(NULL);
	int found = -1;
	pthread_mutex_lock(&mu);
	HASH_FIND_STR(sessions, h, x);
	if (x && (now - x->s.last > SESSION_IDLE || now - x->s.created > SESSION_MAX_AGE)) {
		HASH_DEL(sessions, x);
		free(x);
		x = NULL;
	}
	if (x) {
		x->s.last = now;
		*out = x->s;
		found = 0;
	}
	pthread_mutex_unlock(&mu);
	return found;
}

void srv_session_end(const char *token)
{
	char h[65];
	struct sess_node *x;
	if (strlen(token) != 64)
		return;
	token_hash(token, h);
	pthread_mutex_lock(&mu);
	HASH_FIND_STR(sessions, h, x);
	if (x) {
		HASH_DEL(sessions, x);
		free(x);
	}
	pthread_mutex_unlock(&mu);
}

/* Bounds the table against a flood of made-up user names; addresses still count (a flood
 * from one address is locked out after 5 tries anyway). */
#define FAIL_NODES_MAX 200000

static struct fail_node *fail_find(const char *kind, const char *v, int create)
{
	char key[300];
	struct fail_node *f;
	snprintf(key, sizeof(key), "%s%s", kind, v);
	HASH_FIND_STR(fails, key, f);
	if (!f && create && (kind[0] == 'a' || HASH_COUNT(fails) < FAIL_NODES_MAX) &&
	    (f = calloc(1, sizeof(*f)))) {
		memcpy(f->key, key, sizeof(key));
		HASH_ADD_STR(fails, key, f);
	}
	return f;
}

int srv_login_blocked(const char *username, const char *addr)
{
	time_t now = srv_clock(NULL);
	pthread_mutex_lock(&mu);
	struct fail_node *u = fail_find("u:", username, 0), *a = fail_find("a:", addr, 0);
	int blocked = (u && now < u->blocked_until) || (a && now < a->blocked_until);
	pthread_mutex_unlock(&mu);
	return blocked;
}

static void count_failure(struct fail_node *f, time_t now)
{
	if (!f)
		return;
	if (now - f->first > FAIL_WINDOW) {
		f->first = now;
		f->count = 0;
	}
	if (++f->count >= FAIL_MAX) {
		f->blocked_until = now + FAIL_BLOCK;
		f->count = 0;
		f->first = now;
	}
}

void srv_login_failed(const char *username, const char *addr)
{
	time_t now = srv_clock(NULL);
	pthread_mutex_lock(&mu);
	sweep(now);
	count_failure(fail_find("u:", username, 1), now);
	count_failure(fail_find("a:", addr, 1), now);
	pthread_mutex_unlock(&mu);
}

void srv_login_ok(const char *username)
{
	pthread_mutex_lock(&mu);
	struct fail_node *u = fail_find("u:", username, 0);
	if (u && srv_clock(NULL) >= u->blocked_until) {
		HASH_DEL(fails, u);
		free(u);
	}
	pthread_mutex_unlock(&mu);
}
