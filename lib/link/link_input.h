/*
 * link_input.h - what record linkage reads of an opened identity (identity.h's message), for
 * every back end's link_input (store_linkage.h): the names, place below the province, document
 * numbers and phones, unpacked in place into one reused buffer, without a string allocated per
 * field (a million records are read per run).
 */
#ifndef CTIP_LINK_INPUT_H
#define CTIP_LINK_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "error.h"
#include "store_linkage.h"

/* Opens the sealed identity b (n bytes) of record r->id into buf (grown as needed; *cap its
 * size) and points r's identity fields into it. An error names the record and the store
 * (where). */
int ctip_link_input_identity(const ctip_crypto *c, const char *where, const void *b, size_t n,
                             unsigned char **buf, size_t *cap, struct ctip_link_input *r,
                             ctip_err *e);

#endif
