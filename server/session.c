/*
 * session.c - login sessions and the failed-login limiter, in memory.
 *
 * A session is found by its cookie: a 32-byte random token (libsodium) sent
 * as hex. Only its BLAKE2b hash is kept, so a dump of the server's memory
 * does not hand out live sessions. Each session has its own CSRF token,
 * expires 30 minutes after its last use and 8 hours after login, and ends on
 * logout. Restarting the server ends every session.
 *
 * Failed logins are counted per user name and per client address, separately
 * (issue 10): an account is throttled with backoff - its 5th failure in a row
 * locks it for 1 minute, and each failure after a lockout locks it again for
 * twice as long (2, 4, 8 minutes, at most 15) until a login succeeds or it is
 * left alone for an hour; an address is locked for 15 minutes after 20
 * failures within 15 minutes (whatever the names tried). So a crowd of wrong
 * passwords against one account from many addresses locks that account only,
 * and one address trying many accounts locks that address only; behind a
 * reverse proxy the address is the proxy's report of it (client.c).
 */
#include <arpa/inet.h>
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
	time_t first, last, blocked_until;
	int count;
	int level; /* an account's lockouts since its last success: the next lasts 60 s << level */
	UT_hash_handle hh;
};

#define ACCOUNT_FREE  5    /* failures in a row before an account's first lockout */
#define ACCOUNT_BLOCK 60   /* its first lockout, s; doubled by each further one */
#define ADDR_MAX      20   /* failures from one address within FAIL_WINDOW */
#define FAIL_WINDOW   900  /* s */
#define FORGIVE       3600 /* s an account is left alone to be forgiven its failures */
#define FAIL_BLOCK    900  /* an address's lockout, and the longest of an account, s */

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
	if (now - f->last > (f->key[0] == 'u' ? FORGIVE : FAIL_WINDOW) && now >= f->blocked_until) {
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

/* Bounds the table against a flood of made-up user names or addresses (a name or address
 * beyond it is not counted; the other limit still holds). */
#define FAIL_NODES_MAX 200000

static struct fail_node *fail_find(const char *kind, const char *v, int create)
{
	char key[300];
	struct fail_node *f;
	snprintf(key, sizeof(key), "%s%s", kind, v);
	HASH_FIND_STR(fails, key, f);
	if (!f && create && HASH_COUNT(fails) < (kind[0] == 'a' ? 2 : 1) * FAIL_NODES_MAX &&
	    (f = calloc(1, sizeof(*f)))) {
		memcpy(f->key, key, sizeof(key));
		HASH_ADD_STR(fails, key, f);
	}
	return f;
}

/* The key of an address: an IPv6 address counts by its /64 (one subscriber's network
 * hands out as many addresses as it likes), IPv4 by itself. */
static const char *addr_key(const char *addr, char out[INET6_ADDRSTRLEN])
{
	struct in6_addr a;
	if (!strchr(addr, ':') || inet_pton(AF_INET6, addr, &a) != 1)
		return addr;
	memset(a.s6_addr + 8, 0, 8);
	return inet_ntop(AF_INET6, &a, out, INET6_ADDRSTRLEN) ? out : addr;
}

long srv_login_blocked(const char *username, const char *addr)
{
	char k[INET6_ADDRSTRLEN];
	addr = addr_key(addr, k);
	time_t now = srv_clock(NULL);
	pthread_mutex_lock(&mu);
	struct fail_node *u = fail_find("u:", username, 0), *a = fail_find("a:", addr, 0);
	long left = 0;
	if (u && now < u->blocked_until)
		left = (long)(u->blocked_until - now);
	if (a && now < a->blocked_until && (long)(a->blocked_until - now) > left)
		left = (long)(a->blocked_until - now);
	pthread_mutex_unlock(&mu);
	return left;
}

/* An account: free failures, then a lockout per failure, each twice the last. */
static long account_failure(struct fail_node *f, time_t now)
{
	if (!f)
		return 0;
	if (f->last && now - f->last > FORGIVE && now >= f->blocked_until) {
		f->count = 0; /* left alone long enough: forgiven */
		f->level = 0;
	}
	f->last = now;
	if (++f->count < ACCOUNT_FREE)
		return 0;
	long secs = (long)ACCOUNT_BLOCK << (f->level < 5 ? f->level : 5);
	if (secs > FAIL_BLOCK)
		secs = FAIL_BLOCK;
	f->level++;
	f->blocked_until = now + secs;
	return secs;
}

/* An address: ADDR_MAX failures within FAIL_WINDOW lock it for FAIL_BLOCK. */
static long address_failure(struct fail_node *f, time_t now)
{
	if (!f)
		return 0;
	if (now - f->first > FAIL_WINDOW) {
		f->first = now;
		f->count = 0;
	}
	f->last = now;
	if (++f->count < ADDR_MAX)
		return 0;
	f->blocked_until = now + FAIL_BLOCK;
	f->count = 0;
	f->first = now;
	return FAIL_BLOCK;
}

int srv_login_failed(const char *username, const char *addr, long secs[2])
{
	char k[INET6_ADDRSTRLEN];
	addr = addr_key(addr, k);
	time_t now = srv_clock(NULL);
	pthread_mutex_lock(&mu);
	sweep(now);
	long su = account_failure(fail_find("u:", username, 1), now);
	long sa = address_failure(fail_find("a:", addr, 1), now);
	pthread_mutex_unlock(&mu);
	if (secs) {
		secs[0] = su;
		secs[1] = sa;
	}
	return (su ? SRV_LOCK_ACCOUNT : 0) | (sa ? SRV_LOCK_ADDRESS : 0);
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

int srv_sessions_end_account(int64_t account_id, const char *keep_hash)
{
	int n = 0;
	pthread_mutex_lock(&mu);
	struct sess_node *next;
	for (struct sess_node *x = sessions; x; x = next) {
		next = x->hh.next;
		if (x->s.account_id != account_id ||
		    (keep_hash && !strcmp(x->s.token_hash, keep_hash)))
			continue;
		HASH_DEL(sessions, x);
		free(x);
		n++;
	}
	pthread_mutex_unlock(&mu);
	return n;
}

long srv_login_unlock(const char *username)
{
	long left = 0;
	pthread_mutex_lock(&mu);
	struct fail_node *u = fail_find("u:", username, 0);
	if (u) {
		time_t now = srv_clock(NULL);
		left = now < u->blocked_until ? (long)(u->blocked_until - now) : 0;
		HASH_DEL(fails, u);
		free(u);
	}
	pthread_mutex_unlock(&mu);
	return left;
}

long srv_login_locked(const char *username)
{
	long left = 0;
	pthread_mutex_lock(&mu);
	struct fail_node *u = fail_find("u:", username, 0);
	time_t now = srv_clock(NULL);
	if (u && now < u->blocked_until)
		left = (long)(u->blocked_until - now);
	pthread_mutex_unlock(&mu);
	return left;
}
