/* fuzz_csv.c - libFuzzer target: arbitrary bytes through the CSV importer. */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, 0);
}
