/*
 * access_rule.h - the one definition of who may see a case and whose identity (issue 11 item
 * 1): written here once, used by every back end and by the server, as C for decisions taken
 * in memory (server/access.c) and as SQL text built from the same constants for the queries
 * (store_sqlite_*.c; the PostgreSQL back end uses the same macros, which are standard SQL).
 * No migration carries a copy: the index of what an organisation may find by name
 * (person_referred) is rebuilt by the store from this definition (store_sqlite_open.c).
 *
 * The rule (docs/SECURITY.md, "What a referral organisation sees"):
 * - an organisation sees a case it owns, or one referred to it that is still live: a
 *   referral made through the API (case_referral) or found in imported data (referral,
 *   direction 'out') whose state is not one of CTIP_REFERRAL_ENDED (an imported referral
 *   whose state the data did not give is live);
 * - through such a referral it sees a person's identity only when that person consented
 *   (consent 1) with both CTIP_CONSENT_REFERRAL_ORGS and CTIP_CONSENT_IDENTITY in the scope.
 */
#ifndef CTIP_ACCESS_RULE_H
#define CTIP_ACCESS_RULE_H

/* The referral states after which the receiving organisation no longer sees the case
 * (server/routes_referrals.c moves the states; both are final), as an SQL list. */
#define CTIP_REFERRAL_ENDED "'Declined', 'Withdrawn'"

/* The consent scope codes that share an identity with a referral organisation. */
#define CTIP_CONSENT_REFERRAL_ORGS "ShareWithReferralOrgs"
#define CTIP_CONSENT_IDENTITY      "ShareIdentity"

/* ---- as SQL (arguments are SQL expressions: columns or parameters) ---- */

/* col: a referral state that is never NULL (case_referral.status) */
#define CTIP_SQL_REFERRAL_LIVE(col) col " NOT IN (" CTIP_REFERRAL_ENDED ")"
/* col: an imported state, NULL when the data did not say */
#define CTIP_SQL_REFERRAL_LIVE_OR_NULL(col) "coalesce(" col ", '') NOT IN (" CTIP_REFERRAL_ENDED ")"

/* True when case `cs` is referred, live, to organisation `org`. */
#define CTIP_SQL_CASE_REFERRED(cs, org)                                                            \
	"(EXISTS (SELECT 1 FROM case_referral WHERE case_id = " cs " AND to_org_id = " org         \
	" AND " CTIP_SQL_REFERRAL_LIVE("status") ") OR EXISTS (SELECT 1 FROM referral WHERE "      \
	                                         "case_id = " cs " AND direction = 'out' AND "     \
	                                         "other_org_id = " org                             \
	                                         " AND " CTIP_SQL_REFERRAL_LIVE_OR_NULL(           \
	                                                 "status") "))"

/* True when organisation `org` sees case `cs` owned by `owner`. */
#define CTIP_SQL_CASE_VISIBLE(cs, owner, org)                                                      \
	"(" owner " = " org " OR " CTIP_SQL_CASE_REFERRED(cs, org) ")"

/* The ids (column case_id) of the cases referred, live, to organisation `org`. */
#define CTIP_SQL_CASES_REFERRED_TO(org)                                                            \
	"SELECT case_id FROM case_referral WHERE to_org_id = " org                                 \
	" AND " CTIP_SQL_REFERRAL_LIVE("status") " UNION SELECT case_id FROM referral WHERE "      \
	                                         "other_org_id = " org " AND direction = 'out' "   \
	                                         "AND " CTIP_SQL_REFERRAL_LIVE_OR_NULL("status")

/* True when the consent of a case_person row (`consent`, and `scope`, stored as a JSON array
 * of codes: row_group.c) shares the identity with referral organisations. */
#define CTIP_SQL_SHARES_IDENTITY(consent, scope)                                                   \
	consent " = 1 AND " scope " LIKE '%\"" CTIP_CONSENT_REFERRAL_ORGS "\"%' AND " scope        \
	        " LIKE '%\"" CTIP_CONSENT_IDENTITY "\"%'"

/* The organisations that may see a record's identity through a referral: pairs (person_id,
 * org) for every live referral of a case of the record whose consent shares the identity.
 * `cond` adds conditions on cp (case_person); organisations ids below 2^20 (the index of
 * referred names keys its rows by person id * 2^20 + organisation id). */
#define CTIP_SQL_REFERRED_VIEWERS(cond)                                                            \
	"SELECT cp.person_id, cr.to_org_id AS org FROM case_person cp JOIN case_referral cr ON "   \
	"cr.case_id = cp.case_id WHERE " CTIP_SQL_REFERRAL_LIVE(                                   \
	        "cr.status") " AND cr.to_org_id < 1048576 AND " CTIP_SQL_SHARES_IDENTITY("cp."     \
	                                                                                 "consen"  \
	                                                                                 "t",      \
	                                                                                 "cp."     \
	                                                                                 "consent" \
	                                                                                 "_scope") \
	        cond " UNION SELECT cp.person_id, rf.other_org_id FROM case_person cp JOIN "       \
	             "referral rf "                                                                \
	             "ON rf.case_id = cp.case_id AND rf.direction = 'out' "                        \
	             "WHERE " CTIP_SQL_REFERRAL_LIVE_OR_NULL(                                      \
	                     "rf.status") " AND rf.other_org_id < 1048576 "                        \
	                                  "AND " CTIP_SQL_SHARES_IDENTITY("cp.consent",            \
	                                                                  "cp.consent_scope") cond

/* ---- as C, for decisions in memory ---- */

/* Whether a referral in state `status` shows its case (NULL or "": an import that did not say,
 * live). */
int ctip_referral_live(const char *status);
/* Whether a consent (1 given) with scope `scope` (codes separated by ';', or a JSON array of
 * codes as stored; NULL: none) shares the identity with referral organisations. */
int ctip_consent_shares_identity(int consent, const char *scope);
/* Whether an organisation with access `access` (enum ctip_access, store_server.h) to a case
 * sees the identity of a person of it with that consent. */
int ctip_identity_shown(int access, int consent, const char *scope);

#endif
