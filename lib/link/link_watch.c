/*
 * link_watch.c - the tables and columns record linkage reads (link_watch.h). The columns are
 * those the back ends' input statements select (store_sqlite_link.c, store_pg_link.c): a
 * write of any other column (a consent, a comment, a case's status) leaves a record's input
 * as it was, and its prepared record in the cache stays good.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_watch.h"

const struct ctip_link_watch ctip_link_watch_tables[] = {
        /* the record itself: its source (organisation, id there), its sealed identity (names,
         * documents, phones, address), birth date, gender and province */
        {"person", CTIP_LINK_PERSON, "id",
         "id, org_id, src_record_id, identity, birth_date, gender, province_2025", 0},
        /* the periods and countries of exploitation over the record's cases */
        {"exploitation", CTIP_LINK_CASE_PERSON, "case_person_id",
         "case_person_id, start_date, end_date, country", 1},
        /* which record a person-in-case is (its periods of exploitation move with it) */
        {"case_person", CTIP_LINK_PERSON, "person_id", "id, person_id", 0},
        /* the organisation's name: records are told apart and keyed by it */
        {"organisation", CTIP_LINK_ORG, "id", "id, name", 0},
        {NULL, 0, NULL, NULL, 0},
};

char *ctip_link_watch_changed(const char *columns, const char *differs)
{
	size_t cap = 2 * strlen(columns) + 64 + 2 * strlen(columns) * (strlen(differs) + 16),
	       len = 0;
	char *w = malloc(cap);
	if (!w)
		return NULL;
	w[0] = 0;
	for (const char *p = columns; *p;) {
		size_t n = strcspn(p, ",");
		const char *a = p, *z = p + n;
		while (a < z && *a == ' ')
			a++;
		while (z > a && z[-1] == ' ')
			z--;
		len += (size_t)snprintf(w + len, cap - len, "%sOLD.%.*s %s NEW.%.*s",
		                        len ? " OR " : "", (int)(z - a), a, differs, (int)(z - a),
		                        a);
		p += n + (p[n] == ',');
	}
	return w;
}
