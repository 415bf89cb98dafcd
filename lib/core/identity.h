/*
 * identity.h - the back-end-neutral policy of what a store keeps of a person: which fields
 * are sealed together as the identity and how (one AEAD message bound to its place), the
 * name's sort key sealed with it, the blind indexes of document numbers and phones, the
 * blind-index tokens of the name index, and the mapping of a province to its official codes.
 *
 * Every back end (store_sqlite*.c, store_pg*.c) calls these, so a registry means the same on
 * each and data moves between them unchanged: the policy is written once, here. Nothing here
 * knows SQL. `where` names the store in error messages (its path or URL).
 */
#ifndef CTIP_IDENTITY_H
#define CTIP_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "error.h"
#include "refdata.h"
#include "row.h"

/* The fields sealed together as a person's identity, in the order of the message: names,
 * address below the province, identity-document numbers and phones (as `;` lists). */
#define CTIP_IDENTITY_N 11
extern const int ctip_identity_fields[CTIP_IDENTITY_N];

/* The error of a store without a key. */
int ctip_no_key(const char *where, ctip_err *e);

/* Where a sealed value belongs, its associated data: "what:owner" or "what:owner:seq" (seq
 * -1: none) into buf; returns its length. */
int ctip_seal_place(char *buf, size_t n, const char *what, int64_t owner, int seq);

/* Seals v for its place into *out (malloc'd, *len bytes); *out is NULL when v is empty. */
int ctip_value_seal(const ctip_crypto *c, const char *where, const char *v, const char *what,
                    int64_t owner, int seq, unsigned char **out, size_t *len, ctip_err *e);
/* Opens the sealed b (n bytes; NULL: none) of a place into *out (malloc'd; NULL for NULL). */
int ctip_value_open(const ctip_crypto *c, const char *where, const void *b, size_t n,
                    const char *what, int64_t owner, int seq, char **out, ctip_err *e);

/* The sort key of a name: the folded family, given and middle names, each followed by \x01,
 * so that results sort as users read them (Đặng with Dang, not after Z). malloc'd. */
char *ctip_name_sortkey(const char *family, const char *middle, const char *given);

/* A person's identity (record pid) as one sealed message, malloc'd into *blob (*len bytes):
 * the values of ctip_identity_fields, then the name's sort key, returned in *sortkey
 * (malloc'd) when sortkey is not NULL. */
int ctip_identity_seal(const ctip_crypto *c, const char *where, int64_t pid, const ctip_row *r,
                       unsigned char **blob, int *len, char **sortkey, ctip_err *e);
/* Opens a sealed identity into m (n - CTIP_SEAL_OVERHEAD bytes); -1 when it does not open. */
int ctip_identity_unseal(const ctip_crypto *c, int64_t pid, const void *b, int n, unsigned char *m);
/* The name's sort key inside an opened identity m; -1 when m is malformed. */
int ctip_identity_key(const unsigned char *m, size_t mlen, const unsigned char **key, size_t *klen);
/* The error of an identity that does not open. */
int ctip_identity_error(const char *where, int64_t pid, ctip_err *e);
/* The one reader of a person's identity: opens the sealed b (n bytes; NULL: none) of record
 * pid into v[CTIP_IDENTITY_N] (malloc'd strings, NULL where unknown). */
int ctip_identity_open(const ctip_crypto *c, const char *where, int64_t pid, const void *b, int n,
                       char **v, ctip_err *e);
void ctip_identity_free(char **v);

/* The blind-index tokens of a name's sort key (the folded name's tokens), malloc'd. */
char *ctip_sortkey_tokens(const ctip_crypto *c, const char *key);
/* A record's document in a name index for organisation org: the blind-index tokens of its
 * name (from its sort key; when global) followed by the same tokens scoped to org, so that a
 * search within what org sees reads only org's entries (docs/DESIGN.md, Search); "" for a
 * record without a name. malloc'd; NULL when out of memory. *nglobal (when not NULL): how
 * many of its tokens, at its start, are the global ones (PostgreSQL's index of referred
 * names is made from them: lib/sql/pg/0037). */
char *ctip_name_doc(const ctip_crypto *c, const char *key, int64_t org, int global, int *nglobal);
/* The blind-index tokens of a name, malloc'd. */
char *ctip_identity_tokens(const ctip_crypto *c, const char *family, const char *middle,
                           const char *given);

/* The blind index of an identity-document number (its letters and digits, upper case) and of
 * a phone in E.164. */
int ctip_docno_bidx(const ctip_crypto *c, const char *number, unsigned char out[CTIP_BIDX_BYTES]);
void ctip_phone_bidx(const ctip_crypto *c, const char *e164, unsigned char out[CTIP_BIDX_BYTES]);

/* A row's home province as stored: its list (era), its official code in that list and the
 * code of the 2025 province containing it, from the importer's aux columns or else looked up
 * in ref; *era and *code are NULL when the province is unknown. */
void ctip_province_codes(const ctip_ref *ref, const ctip_row *r, const char **era,
                         const char **code, const char **p2025);
/* The Vietnamese label of a stored province (era, code), or code itself when unknown. */
const char *ctip_province_label(const ctip_ref *ref, const char *era, const char *code);

#endif
