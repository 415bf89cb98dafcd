/*
 * test_session.c - the server's sessions and failed-login limiter
 * (server/session.c) against a clock the test moves: idle and absolute
 * expiry, logout, tokens kept only hashed, lockouts of an account with
 * backoff, and of a client address, counted separately (issue 10).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server.h"

static time_t now = 1700000000;

static time_t fake_clock(time_t *t)
{
	if (t)
		*t = now;
	return now;
}

static int setup(void **st)
{
	srv_clock = fake_clock;
	return srv_sessions_init();
}

static int teardown(void **st)
{
	srv_sessions_free();
	return 0;
}

static const struct ctip_account alice = {
        .id = 1, .org_id = 2, .username = "alice", .org = "Org A", .role = "caseworker"};

static void test_session_lifetime(void **st)
{
	char token[65];
	struct srv_session s, got;
	assert_int_equal(srv_session_new(&alice, token, &s), 0);
	assert_int_equal(strlen(token), 64);
	assert_int_equal(strlen(s.csrf), 64);
	assert_string_not_equal(s.csrf, token);
	/* only the token's hash is kept */
	assert_string_not_equal(s.token_hash, token);
	assert_int_equal(srv_session_get(token, &got), 0);
	assert_string_equal(got.username, "alice");
	assert_int_equal(got.role_bit, ROLE_CASEWORKER);
	assert_string_equal(got.csrf, s.csrf);
	/* a wrong token, or one of the wrong length, finds nothing */
	char wrong[65];
	memcpy(wrong, token, sizeof(wrong));
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	assert_int_not_equal(srv_session_get(wrong, &got), 0);
	assert_int_not_equal(srv_session_get("abc", &got), 0);
	/* used every 29 minutes, it lives up to 8 hours */
	for (int i = 0; i < 16; i++) {
		now += 29 * 60;
		assert_int_equal(srv_session_get(token, &got), 0);
	}
	now += 29 * 60; /* 8 h 12 min after login */
	assert_int_not_equal(srv_session_get(token, &got), 0);
}

static void test_session_idle_and_logout(void **st)
{
	char t1[65], t2[65];
	struct srv_session s, got;
	assert_int_equal(srv_session_new(&alice, t1, &s), 0);
	assert_int_equal(srv_session_new(&alice, t2, &s), 0);
	assert_string_not_equal(t1, t2);
	now += 31 * 60; /* idle for 31 minutes */
	assert_int_not_equal(srv_session_get(t1, &got), 0);
	assert_int_not_equal(srv_session_get(t2, &got), 0);
	char t3[65];
	assert_int_equal(srv_session_new(&alice, t3, &s), 0);
	srv_session_end(t3);
	assert_int_not_equal(srv_session_get(t3, &got), 0);
}

static void test_login_lockout(void **st)
{
	long secs[2];
	/* 4 failures: not yet; the 5th locks the account for a minute, from anywhere */
	for (int i = 0; i < 4; i++)
		assert_int_equal(srv_login_failed("bob", "10.0.0.1", secs), 0);
	assert_false(srv_login_blocked("bob", "10.0.0.9"));
	assert_int_equal(srv_login_failed("bob", "10.0.0.2", secs), SRV_LOCK_ACCOUNT);
	assert_int_equal(secs[0], 60);
	assert_int_equal(srv_login_blocked("bob", "10.0.0.9"), 60);
	/* the addresses are not locked, nor is another account */
	assert_false(srv_login_blocked("carol", "10.0.0.1"));
	now += 61;
	assert_false(srv_login_blocked("bob", "10.0.0.9"));
	/* backoff: each failure after a lockout locks again, twice as long, at most 15 min */
	long want[] = {120, 240, 480, 900, 900};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(srv_login_failed("bob", "10.0.3.1", secs), SRV_LOCK_ACCOUNT);
		assert_int_equal(secs[0], want[i]);
		now += want[i];
	}
	/* left alone for 15 minutes: not yet forgiven; for an hour: 4 free failures again */
	now += 16 * 60;
	assert_int_equal(srv_login_failed("bob", "10.0.3.2", secs), SRV_LOCK_ACCOUNT);
	now += 61 * 60;
	for (int i = 0; i < 4; i++)
		assert_int_equal(srv_login_failed("bob", "10.0.3.2", secs), 0);
	/* a success forgives too */
	srv_login_ok("bob");
	assert_int_equal(srv_login_failed("bob", "10.0.3.2", secs), 0);
	/* 20 failures from one address within 15 min lock that address, whatever the names */
	for (int i = 0; i < 19; i++) {
		char name[16];
		snprintf(name, sizeof(name), "user%d", i);
		assert_int_equal(srv_login_failed(name, "10.0.0.3", secs), 0);
	}
	assert_false(srv_login_blocked("dave", "10.0.0.3"));
	assert_int_equal(srv_login_failed("user19", "10.0.0.3", secs), SRV_LOCK_ADDRESS);
	assert_int_equal(secs[1], 900);
	assert_true(srv_login_blocked("dave", "10.0.0.3"));
	assert_false(srv_login_blocked("dave", "10.0.0.4"));
	/* IPv6: one /64 is one address */
	for (int i = 0; i < 20; i++) {
		char a[64], name[24];
		snprintf(a, sizeof(a), "2001:db8:1:2::%x", i + 1);
		snprintf(name, sizeof(name), "v6user%d", i);
		srv_login_failed(name, a, NULL);
	}
	assert_true(srv_login_blocked("dave", "2001:db8:1:2:ffff::1"));
	assert_false(srv_login_blocked("dave", "2001:db8:1:3::1"));
	/* failures of an address spread over more than 15 minutes do not add up */
	for (int i = 0; i < 30; i++) {
		char name[16];
		snprintf(name, sizeof(name), "erin%d", i);
		srv_login_failed(name, "10.0.1.1", NULL);
		now += 60;
	}
	assert_false(srv_login_blocked("nobody", "10.0.1.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_session_lifetime),
	        cmocka_unit_test(test_session_idle_and_logout),
	        cmocka_unit_test(test_login_lockout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
