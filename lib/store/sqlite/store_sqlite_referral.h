/*
 * store_sqlite_referral.h - the one rule of which referrals show their case to the receiving
 * organisation, as SQL for the access queries (store_sqlite_srv.c) and the index of what
 * each organisation may find by name (person_referred: store_sqlite_records.c): a referral
 * made through the API (case_referral) or found in imported data (referral, direction 'out')
 * that was neither declined nor withdrawn (migration 0013; server/routes_referrals.c moves the
 * states).
 */
#ifndef CTIP_STORE_SQLITE_REFERRAL_H
#define CTIP_STORE_SQLITE_REFERRAL_H

/* col: a status column that is never NULL (case_referral.status) */
#define SQL_REFERRAL_LIVE(col) col " NOT IN ('Declined', 'Withdrawn')"
/* col: an imported status, NULL when the data did not say */
#define SQL_REFERRAL_LIVE_OR_NULL(col) "coalesce(" col ", '') NOT IN ('Declined', 'Withdrawn')"

#endif
