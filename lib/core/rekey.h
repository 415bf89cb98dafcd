/*
 * rekey.h - key rotation's policy, written once for every back end (issue 11 item 1): which
 * columns hold values sealed by ctip, and how a sealed value and a blind index move from the
 * current key to the next. A back end only reads the rows in batches and writes them back
 * (store_sqlite_key.c, store_pg_rekey.c); what it must rewrite is this table.
 *
 * Every value sealed with ctip_value_seal (identity.c) for place "PLACE:KEY1" or
 * "PLACE:KEY1:KEY2" lives in one of these columns; a new sealed column is added here and every
 * back end rotates it (tests/unit/test_rekey.c fails on a column named *_sealed that is not
 * listed, on either back end's schema). The identity of a person record (person.identity) is
 * not here: it is resealed with its blind indexes and name tokens, which each back end keeps
 * in its own index (ctip_rekey_number below is the part they share).
 */
#ifndef CTIP_REKEY_H
#define CTIP_REKEY_H

#include <stddef.h>

#include "crypto.h"

struct ctip_sealed_col {
	const char *table;
	const char *k1;     /* the row's key, the place's owner */
	const char *k2;     /* a second key, the place's seq (NULL: none) */
	const char *column; /* the sealed value (NULL allowed: not sealed yet) */
	const char *place;  /* what the value is sealed for (ctip_seal_place's "what") */
};

/* The sealed columns, ending with one whose table is NULL. */
extern const struct ctip_sealed_col ctip_sealed_cols[];

/* Reseals b (n bytes, sealed for place ad of an bytes) from key old to key next into out (n
 * bytes); -1 when it does not open under old. */
int ctip_reseal(const ctip_crypto *old, const ctip_crypto *next, const unsigned char *b, size_t n,
                const char *ad, size_t an, unsigned char *out);

/* A stored blind index moved to the next key: the item of list (an opened identity's list of
 * document numbers, phone 0, or phones, phone 1) whose blind index under old is have gives out,
 * its blind index under next. 0 when found, 1 when no item matches (the stored index is not of
 * this record's values), -1 when out of memory. */
int ctip_rekey_number(const ctip_crypto *old, const ctip_crypto *next, int phone, const char *list,
                      const unsigned char have[CTIP_BIDX_BYTES],
                      unsigned char out[CTIP_BIDX_BYTES]);

#endif
