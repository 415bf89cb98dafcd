/*
 * fuzz_import.h - shared by the importers' fuzz targets: one in-memory
 * database, initialised once, into which every input is imported.
 */
#ifndef CTIP_FUZZ_IMPORT_H
#define CTIP_FUZZ_IMPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import.h"
#include "store_sqlite.h"

static ctip_store *fuzz_store(void)
{
	static ctip_store *s;
	ctip_err e = {0};
	int from, to;
	if (s)
		return s;
	if (ctip_store_sqlite_open(":memory:", 1, &s, &e) || s->ops->migrate(s, &from, &to, &e))
		abort();
	s->ref = ctip_ref_new();
	if (!s->ref || ctip_ref_load_embedded(s->ref, &e) || s->ops->ref_save(s, s->ref, &e))
		abort();
	static const unsigned char key[CTIP_KEY_BYTES] = {1}; /* identities are sealed */
	if (s->ops->key_bind(s, ctip_crypto_from_key(key), 1, &e))
		abort();
	return s;
}

static int fuzz_import(const uint8_t *data, size_t size, int json)
{
	ctip_store *s = fuzz_store();
	FILE *f = fmemopen((void *)data, size, "rb");
	struct ctip_import_opts o = {0};
	struct ctip_import_stats st;
	ctip_err e = {0};
	if (!f)
		return 0;
	int rc = ctip_import_stream(s, f, "fuzz", json, &o, &st, &e);
	/* a rejected file must report why */
	if (rc == CTIP_EINVAL && st.errors == 0)
		abort();
	fclose(f);
	return 0;
}

#endif
