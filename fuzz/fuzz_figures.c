/* fuzz_figures.c - libFuzzer target: arbitrary bytes through the ledger parser and the
 * checks (figures.h). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "figures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	struct ctip_figure *v = NULL;
	size_t n = 0;
	ctip_err e = {0};
	if (ctip_figures_parse(f, "fuzz.csv", &v, &n, &e) == CTIP_OK) {
		json_t *r = ctip_figures_check(v, n, NULL, NULL);
		json_decref(r);
		ctip_figures_free(v, n);
	}
	fclose(f);
	return 0;
}
