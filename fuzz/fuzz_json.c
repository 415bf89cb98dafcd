/* fuzz_json.c - libFuzzer target: arbitrary bytes through the JSON importer. */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, 1);
}
