/*
 * test_access_rule.c - the access rule has one definition (lib/store/access_rule.h): the C
 * that decides in memory and the SQL the queries are built from must agree on every referral
 * state and every consent. Each case is decided both ways, the SQL run by SQLite over the
 * values as stored (a state, or NULL for an import that did not say; a consent scope as a
 * JSON array).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "access_rule.h"
#include "store_server.h"

static int sql_int(sqlite3 *db, const char *sql, const char *a, int b, const char *c)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, b);
	if (c)
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_referral_states(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	static const struct {
		const char *status;
		int live;
	} cases[] = {{"Pending", 1},   {"Accepted", 1},  {"Completed", 1}, {"Declined", 0},
	             {"Withdrawn", 0}, {NULL, 1},        {"", 1},          {"Declin", 1},
	             {"declined", 1},  {"Declined'", 1}, {"Withdrawn ", 1}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int c = ctip_referral_live(cases[i].status);
		assert_int_equal(c, cases[i].live);
		/* the imported form (NULL: did not say) */
		assert_int_equal(sql_int(db, "SELECT " CTIP_SQL_REFERRAL_LIVE_OR_NULL("?1"),
		                         cases[i].status, 0, NULL),
		                 c);
		/* the API's form: never NULL */
		if (cases[i].status)
			assert_int_equal(sql_int(db, "SELECT " CTIP_SQL_REFERRAL_LIVE("?1"),
			                         cases[i].status, 0, NULL),
			                 c);
	}
	sqlite3_close(db);
}

static void test_consent(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	/* scope as a row holds it (';') and as stored (a JSON array) */
	static const struct {
		int consent;
		const char *list, *json;
		int shares;
	} cases[] = {
	        {1, "ShareWithReferralOrgs;ShareIdentity",
	         "[\"ShareWithReferralOrgs\",\"ShareIdentity\"]", 1},
	        {1, "DataProcessing;ShareIdentity;ShareWithReferralOrgs",
	         "[\"DataProcessing\",\"ShareIdentity\",\"ShareWithReferralOrgs\"]", 1},
	        {0, "ShareWithReferralOrgs;ShareIdentity",
	         "[\"ShareWithReferralOrgs\",\"ShareIdentity\"]", 0},
	        {-1, "ShareWithReferralOrgs;ShareIdentity",
	         "[\"ShareWithReferralOrgs\",\"ShareIdentity\"]", 0},
	        {1, "ShareIdentity", "[\"ShareIdentity\"]", 0},
	        {1, "ShareWithReferralOrgs", "[\"ShareWithReferralOrgs\"]", 0},
	        {1, "ShareWithReferralOrgs;ShareIdentityX",
	         "[\"ShareWithReferralOrgs\",\"ShareIdentityX\"]", 0},
	        {1, "ShareWithReferralOrgs;XShareIdentity",
	         "[\"ShareWithReferralOrgs\",\"XShareIdentity\"]", 0},
	        {1, NULL, NULL, 0},
	        {1, "", "[]", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int c = cases[i].shares;
		assert_int_equal(ctip_consent_shares_identity(cases[i].consent, cases[i].list), c);
		assert_int_equal(ctip_consent_shares_identity(cases[i].consent, cases[i].json), c);
		assert_int_equal(
		        sql_int(db, "SELECT coalesce(" CTIP_SQL_SHARES_IDENTITY("?2", "?3") ", 0)",
		                "", cases[i].consent, cases[i].json),
		        c);
		/* the owner always sees; an organisation without access never */
		assert_int_equal(
		        ctip_identity_shown(CTIP_ACCESS_OWN, cases[i].consent, cases[i].list), 1);
		assert_int_equal(
		        ctip_identity_shown(CTIP_ACCESS_NONE, cases[i].consent, cases[i].list), 0);
		assert_int_equal(
		        ctip_identity_shown(CTIP_ACCESS_REFERRAL, cases[i].consent, cases[i].list),
		        c);
	}
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_referral_states),
	        cmocka_unit_test(test_consent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
