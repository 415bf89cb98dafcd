/* fuzz_map.c - libFuzzer target: arbitrary bytes as a mapping file followed (after a NUL
 * byte) by the CSV file it reads; a mapping that is accepted must read any file safely. */
#include <string.h>

#include "fuzz_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t mlen = nul ? (size_t)(nul - data) : size;
	ctip_map *map = NULL;
	ctip_err e = {0};
	if (ctip_map_parse((const char *)data, mlen, "fuzz.json", &map, &e)) {
		if (!e.msg[0])
			abort(); /* a refused mapping says why */
		return 0;
	}
	if (nul)
		fuzz_read(nul + 1, size - mlen - 1, "fuzz.csv", map);
	ctip_map_free(map);
	return 0;
}
