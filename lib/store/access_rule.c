/*
 * access_rule.c - the access rule of access_rule.h as C: the same constants the SQL is built
 * from, so that a decision taken in memory and one taken by a query cannot differ.
 */
#include <string.h>

#include "access_rule.h"
#include "store_server.h"

/* Whether `code` is one of the codes of `list`: separated by ';' (a row's list), or quoted
 * in a JSON array (as stored). */
static int list_has(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; p && (p = strstr(p, code)); p += n) {
		char before = p == list ? 0 : p[-1], after = p[n];
		int start = before == 0 || before == ';' || before == '"';
		int end = after == 0 || after == ';' || after == '"';
		/* quoted on both sides, or unquoted on both */
		if (start && end && (before == '"') == (after == '"'))
			return 1;
	}
	return 0;
}

int ctip_referral_live(const char *status)
{
	if (!status || !*status)
		return 1;
	/* `status` is one of CTIP_REFERRAL_ENDED when it occurs there quoted */
	size_t n = strlen(status);
	for (const char *p = CTIP_REFERRAL_ENDED; (p = strchr(p, '\'')); p++) {
		if (!strncmp(p + 1, status, n) && p[1 + n] == '\'')
			return 0;
		p = strchr(p + 1, '\'');
		if (!p)
			break;
	}
	return 1;
}

int ctip_consent_shares_identity(int consent, const char *scope)
{
	return consent == 1 && list_has(scope, CTIP_CONSENT_REFERRAL_ORGS) &&
	       list_has(scope, CTIP_CONSENT_IDENTITY);
}

int ctip_identity_shown(int access, int consent, const char *scope)
{
	return access == CTIP_ACCESS_OWN ||
	       (access == CTIP_ACCESS_REFERRAL && ctip_consent_shares_identity(consent, scope));
}
