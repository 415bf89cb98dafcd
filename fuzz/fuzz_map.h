/*
 * fuzz_map.h - shared by the fuzz targets of an agency's own files (import_map.h): rows read
 * through a mapping are validated and checked as the importer does, without a database.
 */
#ifndef CTIP_FUZZ_MAP_H
#define CTIP_FUZZ_MAP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import_map.h"

struct fuzz_ctx {
	ctip_ref *ref;
	const ctip_map *map;
	ctip_diags *d;
};

static ctip_ref *fuzz_ref(void)
{
	static ctip_ref *ref;
	ctip_err e = {0};
	if (!ref && (!(ref = ctip_ref_new()) || ctip_ref_load_embedded(ref, &e)))
		abort();
	return ref;
}

static int fuzz_take(void *ctx, ctip_row *r)
{
	struct fuzz_ctx *c = ctx;
	if (!ctip_row_canon(r, c->ref, c->d))
		ctip_map_quality(c->map, r, c->d);
	ctip_row_clear(r);
	return 0;
}

/* Reads data as the file path through map; a rejected file must say why. */
static void fuzz_read(const uint8_t *data, size_t size, const char *path, const ctip_map *map)
{
	FILE *f = fmemopen((void *)data, size ? size : 1, "rb");
	if (!f)
		return;
	ctip_diags d = {.file = path};
	struct fuzz_ctx c = {fuzz_ref(), map, &d};
	long rows = 0, errors = 0;
	struct ctip_map_read_opts o = {.map = map,
	                               .org = "Fuzz",
	                               .d = &d,
	                               .rows = &rows,
	                               .errors = &errors,
	                               .take = fuzz_take,
	                               .ctx = &c};
	ctip_err e = {0};
	int rc = ctip_map_read(f, path, &o, &e);
	if (rc == CTIP_OK && errors && !d.count)
		abort();
	fclose(f);
}

#endif
