/*
 * crypto.h - encryption of identities at rest (libsodium): the master key and
 * its key file, the sub-keys derived from it, AEAD sealing of values bound
 * to where they are stored, and keyed blind indexes for search.
 *
 * The master key is 32 random bytes in a key file outside the database
 * (mode 0600, created by `ctip init`). Two sub-keys are derived from it with
 * crypto_kdf: one for XChaCha20-Poly1305-IETF (AEAD), one for the keyed
 * BLAKE2b of the blind indexes; a third derives the key check value that the
 * database keeps so a wrong key is recognised. See docs/SECURITY.md.
 */
#ifndef CTIP_CRYPTO_H
#define CTIP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CTIP_KEY_BYTES 32
/* A sealed value: version byte, 24-byte nonce, ciphertext, 16-byte tag. */
#define CTIP_SEAL_OVERHEAD (1 + 24 + 16)
/* Blind index: a keyed BLAKE2b truncated to 8 bytes. */
#define CTIP_BIDX_BYTES 8
/* A name token's blind index as FTS5 text: 13 base32 characters (a-z, 2-7) and a NUL. */
#define CTIP_BIDX_TOKEN 14
/* Key check value: 32 bytes as hex, and a NUL. */
#define CTIP_KEY_CHECK 65

/* Domains of the blind indexes: equal values of different kinds never match. */
enum ctip_bidx_domain {
	CTIP_BIDX_NAME = 'n',
	CTIP_BIDX_DOCNO = 'd',
	CTIP_BIDX_PHONE = 'p',
	CTIP_BIDX_ORG = 'o',       /* name tokens scoped to an organisation */
	CTIP_BIDX_PAIR = 'q',      /* two name tokens of one record, scoped to an organisation */
	CTIP_BIDX_PSEUDONYM = 'x', /* a person record's id, for pseudonymised exports */
};

typedef struct ctip_crypto ctip_crypto;

/* Initialises libsodium (idempotent); non-zero when it cannot be used. */
int ctip_crypto_init(void);

/* Writes a new key file at path (created exclusively, mode 0600): never overwrites. */
int ctip_key_create(const char *path, ctip_err *e);
/* Loads a key file; refuses one that group or others may read, or that is malformed. */
int ctip_crypto_load(const char *path, ctip_crypto **out, ctip_err *e);
/* A context from a raw key (tests). NULL when out of memory. */
ctip_crypto *ctip_crypto_from_key(const unsigned char key[CTIP_KEY_BYTES]);
void ctip_crypto_free(ctip_crypto *c);

/* The key check value stored in the database (hex of a keyed hash of a constant under
 * its own sub-key: it reveals nothing about the other sub-keys). */
void ctip_crypto_check_value(const ctip_crypto *c, char out[CTIP_KEY_CHECK]);

/* Seals m[0..mlen) into out (mlen + CTIP_SEAL_OVERHEAD bytes), bound to ad (the place
 * it is stored: table, column, record id). */
void ctip_seal(const ctip_crypto *c, const void *m, size_t mlen, const char *ad, size_t adlen,
               unsigned char *out);
/* Opens a sealed value into out (clen - CTIP_SEAL_OVERHEAD bytes); -1 when it was altered,
 * moved to another place (ad) or sealed under another key. */
int ctip_unseal(const ctip_crypto *c, const unsigned char *in, size_t clen, const char *ad,
                size_t adlen, unsigned char *out);

/* Blind index of a normalised value (folded name token, document number, E.164 phone). */
void ctip_bidx(const ctip_crypto *c, enum ctip_bidx_domain d, const char *v, size_t n,
               unsigned char out[CTIP_BIDX_BYTES]);
/* The blind index of one folded name token as an FTS5 token. */
void ctip_bidx_token(const ctip_crypto *c, const char *tok, size_t n, char out[CTIP_BIDX_TOKEN]);
/* The blind-index tokens of a folded, space-separated string of name tokens ("nguyen van
 * duc" -> "k3... q7... 2a..."), malloc'd; NULL when out of memory. */
char *ctip_bidx_tokens(const ctip_crypto *c, const char *folded);
/* The same tokens scoped to an organisation (a keyed hash of the organisation's id and the
 * token, in another domain than names'): a record's name-index document holds them for the
 * organisations that may see it, so that a search within what one organisation sees reads
 * only that organisation's doclists. malloc'd; NULL when out of memory. */
char *ctip_bidx_org_tokens(const ctip_crypto *c, int64_t org_id, const char *folded);
/* Pair tokens, scoped to an organisation: one per two distinct tokens of a name (either
 * order), in a record's name-index document next to its scoped tokens. A search of two or
 * more tokens then reads the doclists of pairs (a few dozen records) instead of a frequent
 * family name's (thousands). malloc'd ("" for fewer than two distinct tokens). */
char *ctip_bidx_org_pairs(const ctip_crypto *c, int64_t org_id, const char *folded);
/* The tokens a search of organisation org_id requires, all of them: the scoped token of a
 * one-token query, else the pair tokens of its consecutive distinct tokens (which together
 * require every token). malloc'd; NULL when out of memory. */
char *ctip_bidx_org_query(const ctip_crypto *c, int64_t org_id, const char *folded);

/* Packing several optional text values into one message: each is a varint of its length
 * plus one (0 for NULL) and its bytes. */
size_t ctip_pack_size(const char *const *v, int n);
size_t ctip_pack(const char *const *v, int n, unsigned char *out);
/* Unpacks into n malloc'd strings (NULL where absent); -1 when malformed or out of memory. */
int ctip_unpack(const unsigned char *in, size_t len, char **v, int n);

#endif
