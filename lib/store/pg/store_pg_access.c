/*
 * store_pg_access.c - the access rule of lib/store/access_rule.h installed into PostgreSQL,
 * for the row-level security that isolates organisations under `ctip serve` (issue 11 items 1
 * and 3; docs/DESIGN.md, "Isolation on PostgreSQL").
 *
 * The policies read `case_access` (lib/sql/pg/0034): one row per case referred, live, to an
 * organisation, kept by statement-level triggers on the two referral tables, which call
 * ctip_case_access_redo for the pairs a statement touched; and one per case for the
 * organisation that owns it (own = true, 0036: kept by the triggers of cases, never touched
 * here), so that a child row's policy is one probe. That function and the policies of
 * the identity tables (documents, phones, name tokens: shown to a referral organisation only
 * with the person's consent) are the rule itself; they are made here from access_rule.h's SQL
 * rather than written into a migration, so the rule has one source for both back ends (as
 * SQLite's index of referred names is rebuilt from it: store_sqlite_open.c). `ctip init` runs
 * this after the migrations; when the function the database holds differs from the one this
 * ctip makes (a new rule, or a database just migrated), it is replaced, the policies made
 * again and `case_access` rebuilt from the referrals, in one transaction.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_rule.h"
#include "store_pg.h"
#include "store_pg_int.h"

/* SQL laid out as SQL: */
/* clang-format off */

/* The body of ctip_case_access_redo(orgs, cases): the pairs given are forgotten, then kept
 * again where a live referral of the case to the organisation exists. */
#define PG_REDO_BODY                                                                               \
	"\nBEGIN\n"                                                                                \
	"  DELETE FROM case_access a USING unnest(orgs, cases) k(o, c)\n"                          \
	"   WHERE a.org_id = k.o AND a.case_id = k.c AND NOT a.own;\n"                             \
	"  INSERT INTO case_access (org_id, case_id)\n"                                            \
	"  SELECT DISTINCT k.o, k.c FROM unnest(orgs, cases) k(o, c)\n"                            \
	"   WHERE k.o IS NOT NULL AND k.c IS NOT NULL\n"                                           \
	"     AND " CTIP_SQL_CASE_REFERRED("k.c", "k.o") "\n"                                      \
	"  ON CONFLICT DO NOTHING;\n"                                                              \
	"END\n"

/* The function, the identity tables' policies, the search's referred matches, the index of
 * referred names' function, and the tables refreshed from every pair a referral names, in
 * that order: one text, run in the caller's transaction. */
const char ctip_pg_access_rule_sql[] =
	"CREATE OR REPLACE FUNCTION ctip_case_access_redo(orgs bigint[], cases bigint[])\n"
	"RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER\n"
	"SET search_path = public, pg_temp AS $ctip$" PG_REDO_BODY "$ctip$;\n"
	/* the refresh functions are the triggers' (SECURITY DEFINER: they call them as the
	 * owner): PostgreSQL grants EXECUTE to PUBLIC, and the server's role could otherwise
	 * rebuild every organisation's rows on demand */
	"REVOKE ALL ON FUNCTION ctip_case_access_redo(bigint[], bigint[]) FROM PUBLIC;\n"
	/* the identity rows of a person: those of the organisation's own records, and those of a
	 * record in a case referred to it whose consent shares the identity; written by the
	 * owner of the record only */
	"DO $ctip$\n"
	"DECLARE\n"
	"  app text := current_database() || '_app';\n"
	"  rule text := $r$" CTIP_SQL_SHARES_IDENTITY("cp.consent", "cp.consent_scope") "$r$;\n"
	"  t text;\n"
	"BEGIN\n"
	"  FOREACH t IN ARRAY ARRAY['identity_doc', 'phone', 'person_name'] LOOP\n"
	"    EXECUTE format('DROP POLICY IF EXISTS ctip_org ON %I', t);\n"
	"    EXECUTE format($p$CREATE POLICY ctip_org ON %I TO %I\n"
	"      USING (EXISTS (SELECT 1 FROM person p WHERE p.id = person_id\n"
	"                                              AND p.org_id = ctip_org())\n"
	"             OR EXISTS (SELECT 1 FROM case_person cp JOIN case_access a\n"
	"                                     ON a.case_id = cp.case_id\n"
	"                         WHERE cp.person_id = %I.person_id AND a.org_id = ctip_org()\n"
	"                           AND NOT a.own AND %s))\n"
	"      WITH CHECK (person_id IN (SELECT id FROM person WHERE org_id = ctip_org()))$p$,\n"
	"      t, app, t, rule);\n"
	"  END LOOP;\n"
	"END\n"
	"$ctip$;\n"
	/* Of the records ids, those whose identity organisation org sees through a referral (the
	 * search's referred part, store_pg_rows.c). As the owner: under the server's role every
	 * case_person row read would check the policies of case_person and cases again (60 ms for
	 * an organisation with 2,841 referred cases, where this takes 1). The server's role may
	 * ask it for its own organisation only. */
	"CREATE OR REPLACE FUNCTION ctip_referred_shown(ids bigint[], org bigint)\n"
	"RETURNS SETOF bigint LANGUAGE plpgsql STABLE SECURITY DEFINER\n"
	"SET search_path = public, pg_temp AS $ctip$\n"
	"DECLARE\n"
	"  app text := current_database() || '_app';\n"
	"BEGIN\n"
	"  IF (session_user = app OR current_setting('role', true) = app)\n"
	"     AND org IS DISTINCT FROM ctip_org() THEN\n"
	"    RETURN;\n"
	"  END IF;\n"
	"  RETURN QUERY SELECT DISTINCT cp.person_id FROM case_person cp\n"
	"    JOIN case_access a ON a.case_id = cp.case_id AND a.org_id = org AND NOT a.own\n"
	"   WHERE cp.person_id = ANY (ids)\n"
	"     AND " CTIP_SQL_SHARES_IDENTITY("cp.consent", "cp.consent_scope") ";\n"
	"END\n"
	"$ctip$;\n"
	"REVOKE ALL ON FUNCTION ctip_referred_shown(bigint[], bigint) FROM PUBLIC;\n"
	"DO $ctip$ BEGIN\n"
	"  EXECUTE format('GRANT EXECUTE ON FUNCTION ctip_referred_shown(bigint[], bigint) TO %I',\n"
	"                 current_database() || '_app');\n"
	"END $ctip$;\n"
	/* The index of referred names (0037) of the records given (NULL: all): for each
	 * organisation that sees a record's identity through a referral, the record's global
	 * name tokens prefixed with that organisation's id. Called by the triggers of
	 * case_access, case_person and person_name, as the owner. */
	"CREATE OR REPLACE FUNCTION ctip_person_referred_redo(persons bigint[])\n"
	"RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER\n"
	"SET search_path = public, pg_temp AS $ctip$\n"
	"BEGIN\n"
	"  IF persons IS NULL THEN\n"
	"    DELETE FROM person_referred;\n"
	"    INSERT INTO person_referred (person_id, org_id, tokens)\n"
	"    SELECT DISTINCT ON (n.person_id, a.org_id) n.person_id, a.org_id,\n"
	"           ARRAY(SELECT a.org_id || ':' || t FROM unnest(n.tokens[1:n.n_global]) t)\n"
	"      FROM case_access a JOIN case_person cp ON cp.case_id = a.case_id\n"
	"      JOIN person_name n ON n.person_id = cp.person_id\n"
	"     WHERE NOT a.own AND n.n_global > 0\n"
	"       AND " CTIP_SQL_SHARES_IDENTITY("cp.consent", "cp.consent_scope") ";\n"
	"  ELSE\n"
	"    DELETE FROM person_referred WHERE person_id = ANY (persons);\n"
	"    INSERT INTO person_referred (person_id, org_id, tokens)\n"
	"    SELECT DISTINCT ON (n.person_id, a.org_id) n.person_id, a.org_id,\n"
	"           ARRAY(SELECT a.org_id || ':' || t FROM unnest(n.tokens[1:n.n_global]) t)\n"
	"      FROM person_name n JOIN case_person cp ON cp.person_id = n.person_id\n"
	"      JOIN case_access a ON a.case_id = cp.case_id AND NOT a.own\n"
	"     WHERE n.person_id = ANY (persons) AND n.n_global > 0\n"
	"       AND " CTIP_SQL_SHARES_IDENTITY("cp.consent", "cp.consent_scope") ";\n"
	"  END IF;\n"
	"END\n"
	"$ctip$;\n"
	"REVOKE ALL ON FUNCTION ctip_person_referred_redo(bigint[]) FROM PUBLIC;\n"
	"DELETE FROM case_access WHERE NOT own;\n"
	"SELECT ctip_case_access_redo(array_agg(o), array_agg(c)) FROM\n"
	"  (SELECT to_org_id, case_id FROM case_referral UNION\n"
	"   SELECT other_org_id, case_id FROM referral WHERE direction = 'out') k(o, c);\n"
	/* a schema before 0037 has no such index (a backup restored at its version) */
	"DO $ctip$ BEGIN\n"
	"  IF to_regclass('person_referred') IS NOT NULL THEN\n"
	"    PERFORM ctip_person_referred_redo(NULL);\n"
	"  END IF;\n"
	"END $ctip$";

/* clang-format on */

int pg_access_rule(pg_store *s, ctip_err *e)
{
	/* the text's hash, kept as the function's comment: a rule changed in access_rule.h or
	 * here is installed again by the next `ctip init` */
	unsigned char h[16];
	char want[80], comment[200]; /* the statement and want, whole (gcc -Wformat-truncation) */
	crypto_generichash(h, sizeof(h), (const unsigned char *)ctip_pg_access_rule_sql,
	                   strlen(ctip_pg_access_rule_sql), NULL, 0);
	strcpy(want, "ctip access rule ");
	sodium_bin2hex(want + strlen(want), sizeof(want) - strlen(want), h, sizeof(h));
	PGresult *r;
	int rc = pg_query(s,
	                  "SELECT to_regproc('ctip_case_access_redo') IS NOT NULL, "
	                  "obj_description(to_regproc('ctip_case_access_redo'), 'pg_proc')",
	                  0, NULL, &r, e, "access rule");
	if (rc)
		return rc;
	int present = !strcmp(PQgetvalue(r, 0, 0), "t");
	int current = pg_col(r, 0, 1) && !strcmp(pg_col(r, 0, 1), want);
	PQclear(r);
	if (current || !present) /* the rule as this ctip has it; or a schema before 0034 */
		return CTIP_OK;
	snprintf(comment, sizeof(comment),
	         "COMMENT ON FUNCTION ctip_case_access_redo(bigint[], bigint[]) IS '%s'", want);
	if ((rc = pg_exec(s, "BEGIN", e)))
		return rc;
	if ((rc = pg_exec(s, "LOCK TABLE case_referral, referral IN SHARE MODE", e)) ||
	    (rc = pg_exec(s, ctip_pg_access_rule_sql, e)) || (rc = pg_exec(s, comment, e))) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		pg_exec(s, "ROLLBACK", NULL);
		return ctip_err_set(
		        e, rc,
		        "%s: installing the access rule (who sees a referred case): %s; "
		        "until it is installed the server's role sees no identity of a "
		        "referred case (run ctip init again)",
		        s->base.path, msg);
	}
	return pg_exec(s, "COMMIT", e);
}
