/*
 * store_pg_triggers.c - families of triggers that ctip makes from a declaration rather than a
 * migration (the statistics' freshness: store_pg_fresh.c; record linkage's changed records:
 * store_pg_link_watch.c), installed by `ctip init` and by a restore whenever the database's
 * differ, as SQLite's are (store_sqlite_triggers.c).
 *
 * PostgreSQL keeps a trigger's definition parsed, not as written, so the text is not compared
 * with the database's: its hash is kept as the comment of an object of the family (a function,
 * a table), and the family's triggers are counted (one dropped by hand is made again). When
 * either differs, the family is dropped and made again in one transaction.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

int pg_sql_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (*len + (size_t)n + 1 > *cap) {
		size_t want = (*len + (size_t)n + 1) * 2;
		char *g = realloc(*buf, want);
		if (!g)
			return -1;
		*buf = g;
		*cap = want;
	}
	va_start(ap, fmt);
	vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
	return 0;
}

char *pg_triggers_sql(const char *drop_sql, const char *body, const char *stamp,
                      const char *comment_on, char want[PG_STAMP_MAX])
{
	unsigned char h[16];
	crypto_generichash(h, sizeof(h), (const unsigned char *)body, strlen(body), NULL, 0);
	snprintf(want, PG_STAMP_MAX, "%s ", stamp);
	sodium_bin2hex(want + strlen(want), PG_STAMP_MAX - strlen(want), h, sizeof(h));
	char *out = NULL;
	size_t len = 0, cap = 0;
	if (pg_sql_add(&out, &len, &cap, "%s;\n%sCOMMENT ON %s IS '%s'", drop_sql, body, comment_on,
	               want)) {
		free(out);
		out = NULL;
	}
	return out;
}

int pg_triggers_install(pg_store *s, const char *state_sql, const char *want, long n,
                        const char *sql, const char *then_sql, const char *what, ctip_err *e)
{
	PGresult *r;
	int rc = pg_query(s, state_sql, 0, NULL, &r, e, what);
	if (rc)
		return rc;
	int present = !strcmp(PQgetvalue(r, 0, 0), "t");
	int current = pg_col(r, 0, 1) && !strcmp(pg_col(r, 0, 1), want) &&
	              strtol(PQgetvalue(r, 0, 2), NULL, 10) == n;
	PQclear(r);
	if (current || !present) /* as this ctip makes them; or a schema before the family's */
		return CTIP_OK;
	if ((rc = pg_exec(s, "BEGIN", e)))
		return rc;
	if ((rc = pg_exec(s, sql, e)) || (then_sql && (rc = pg_exec(s, then_sql, e)))) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		pg_exec(s, "ROLLBACK", NULL);
		return ctip_err_set(e, rc, "%s: installing %s: %s; run ctip init again",
		                    s->base.path, what, msg);
	}
	return pg_exec(s, "COMMIT", e);
}
