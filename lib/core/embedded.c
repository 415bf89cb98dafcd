/*
 * embedded.c - lookup of the files compiled in by tools/embed.c.
 */
#include "embedded.h"

#include <string.h>

const struct ctip_embedded *ctip_embedded_find(const char *path)
{
	for (const struct ctip_embedded *e = ctip_embedded; e->path; e++)
		if (strcmp(e->path, path) == 0)
			return e;
	return NULL;
}
