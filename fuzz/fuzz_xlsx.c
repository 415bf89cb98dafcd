/* fuzz_xlsx.c - libFuzzer target: arbitrary bytes as an XLSX workbook, read through the
 * mapping of the seed-000-like list (tests/fixtures/agency_list.map.json). */
#include "fuzz_map.h"

static const char mapping[] =
        "{\"header_row\": 2, \"columns\": {\"NO\": {\"to\": \"src_RecordId\"}, \"NAME\": "
        "{\"split\": \"name\"}, \"D.O.B\": {\"to\": \"prs_Birthdate\", \"date\": \"DD-MM-YY\", "
        "\"pivot\": 10}, \"POSITION\": {\"to\": \"vic_ForcedLabourIndustry\", \"values\": "
        "{\"BUOC SAT\": \"Construction\"}}, \"PASSPORT NO\": \"prs_IdentityNumber\", \"DATE OF "
        "ISSUE\": {\"to\": \"ctip_IdentityIssueDate\", \"date\": \"DD-MM-YY\", \"pivot\": 50}, "
        "\"DATE OF EXPIRY\": {\"to\": \"ctip_IdentityExpiryDate\", \"date\": \"DD-MM-YY\", "
        "\"pivot\": 50}, \"PROVINCE\": {\"split\": \"address\"}, \"NOTE\": null}, "
        "\"constants\": {\"ctip_IdentityType\": \"Passport\", \"ctip_ExploitationStart\": "
        "\"2021-03\"}, \"quality\": {\"age\": {\"min\": 18, \"max\": 65}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ctip_map *map;
	ctip_err e = {0};
	if (!map && ctip_map_parse(mapping, sizeof(mapping) - 1, "fuzz.json", &map, &e))
		abort();
	fuzz_read(data, size, "fuzz.xlsx", map);
	return 0;
}
