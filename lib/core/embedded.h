/*
 * embedded.h - data files compiled into the binary by tools/embed.c
 * (vocabularies, countries, provinces, SQL migrations).
 */
#ifndef CTIP_EMBEDDED_H
#define CTIP_EMBEDDED_H

#include <stddef.h>

struct ctip_embedded {
	const char *path; /* as in the source tree, e.g. "data/vocab/gender.csv" */
	const char *data; /* NUL-terminated */
	size_t len;
};

/* Terminated by an entry whose path is NULL. */
extern const struct ctip_embedded ctip_embedded[];

/* The file at path, or NULL. */
const struct ctip_embedded *ctip_embedded_find(const char *path);

#endif
