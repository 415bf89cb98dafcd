/*
 * freshness.c - the tables and columns the statistics snapshot reads (freshness.h). The
 * columns are those the snapshot's builders select (store_sqlite_stats.c, store_pg_stats.c,
 * facts_build.c): a write of any other column (identities sealed again under a new key, a
 * comment, a consent) leaves the snapshot as it is.
 */
#include <stddef.h>

#include "freshness.h"

const struct ctip_fresh_table ctip_fresh_tables[] = {
        /* an organisation renamed or retyped changes every case it holds */
        {"organisation", CTIP_FRESH_ALL, NULL, "id, name, type", 1},
        {"cases", CTIP_FRESH_CASE, "id", "id, org_id, opened", 0},
        {"person", CTIP_FRESH_PERSON, "id",
         "id, gender, birth_date, ethnicity, citizenship, province_2025", 0},
        {"case_person", CTIP_FRESH_CASE, "case_id", "id, case_id, person_id, role", 0},
        {"victim", CTIP_FRESH_CASE_PERSON, "case_person_id",
         "case_person_id, status, status_date, age_when_trafficked, labour_industry, "
         "recruitment_methods, control_methods, exploitation_types, recruiter_org_id",
         0},
        {"exploitation", CTIP_FRESH_CASE_PERSON, "case_person_id",
         "case_person_id, seq, country, start_date", 0},
        {"assistance", CTIP_FRESH_CASE_PERSON, "case_person_id",
         "case_person_id, seq, date, kind, provider_org_id", 0},
        {"proceeding", CTIP_FRESH_CASE_PERSON, "case_person_id",
         "case_person_id, seq, stage, date, article, sentence_kind, sentence_months", 0},
        {"referral", CTIP_FRESH_CASE, "case_id", "case_id, direction, seq, date, reason", 0},
        /* the linkage of persons: counts of persons change everywhere */
        {"link_person", CTIP_FRESH_ALL, NULL, NULL, 0},
        {"event", CTIP_FRESH_CASE_PERSON, "case_person_id", "case_person_id, seq, type, date", 0},
        {NULL, 0, NULL, NULL, 0},
};
