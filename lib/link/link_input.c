/*
 * link_input.c - an opened identity as linkage reads it (link_input.h).
 */
#include "link_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

/* The fields of the identity message (identity.c, ctip_identity_fields, then the name's sort
 * key). */
enum {
	ID_FAMILY,
	ID_MIDDLE,
	ID_GIVEN,
	ID_COMMUNE = 4,
	ID_DISTRICT = 6,
	ID_DOCS = 8,
	ID_MOBILE,
	ID_HOME,
	ID_N = CTIP_IDENTITY_N + 1
};

/* Unpacks m[0..len) (crypto.h's packing) in place into v: each value is moved one byte back
 * over its length and NUL-terminated, which fits because a length takes a byte at least. -1
 * when malformed. */
static int unpack_inplace(unsigned char *m, size_t len, const char **v, int n)
{
	size_t at = 0;
	unsigned char *w = m;
	for (int i = 0; i < n; i++) {
		size_t x = 0;
		int shift = 0;
		for (;;) {
			if (at >= len || shift > 28)
				return -1;
			unsigned char b = m[at++];
			x |= (size_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		v[i] = NULL;
		if (x == 0)
			continue;
		if (x - 1 > len - at)
			return -1;
		memmove(w, m + at, x - 1);
		v[i] = (const char *)w;
		w[x - 1] = 0;
		w += x;
		at += x - 1;
	}
	return at == len ? 0 : -1;
}

int ctip_link_input_identity(const ctip_crypto *c, const char *where, const void *b, size_t n,
                             unsigned char **buf, size_t *cap, struct ctip_link_input *r,
                             ctip_err *e)
{
	if (n < CTIP_SEAL_OVERHEAD || n > (1u << 30))
		return ctip_err_set(e, CTIP_EDB, "%s: identity of P%lld is damaged", where,
		                    (long long)r->id);
	size_t ml = n - CTIP_SEAL_OVERHEAD;
	if (ml + 1 > *cap) {
		size_t nc = ml + 1 > 4096 ? ml + 1 : 4096;
		unsigned char *t = realloc(*buf, nc);
		if (!t)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		*buf = t;
		*cap = nc;
	}
	const char *v[ID_N];
	if (ctip_identity_unseal(c, r->id, b, (int)n, *buf) || unpack_inplace(*buf, ml, v, ID_N))
		return ctip_err_set(
		        e, CTIP_EDB,
		        "%s: the identity of record P%lld does not open: it was "
		        "altered or moved, or the key is not the one it was sealed with",
		        where, (long long)r->id);
	r->family = v[ID_FAMILY];
	r->middle = v[ID_MIDDLE];
	r->given = v[ID_GIVEN];
	r->docs = v[ID_DOCS];
	r->mobiles = v[ID_MOBILE];
	r->homephones = v[ID_HOME];
	r->district = v[ID_DISTRICT];
	r->commune = v[ID_COMMUNE];
	return CTIP_OK;
}
