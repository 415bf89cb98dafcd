/* fuzz_xlsx.c - libFuzzer target: arbitrary bytes as an XLSX workbook, read through the
 * mapping of the seed-000-like list (tests/fixtures/agency_list.map.json). An input that is a
 * zip archive ("PK") is read as it is; any other is the XML of the sheet, then (after a NUL
 * byte) of the shared strings, then of the styles, zipped into a workbook here: mutating
 * deflated bytes mostly breaks the archive's checksums, so this reaches the XML handling. */
#include <string.h>
#include <zip.h>

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

static const char workbook[] =
        "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/"
        "spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/"
        "officeDocument/2006/relationships\"><workbookPr/><sheets><sheet name=\"List\" "
        "sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels[] =
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
        "package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"worksheet\" "
        "Target=\"worksheets/sheet1.xml\"/></Relationships>";

static int add(zip_t *z, const char *name, const void *data, size_t len)
{
	zip_source_t *s = zip_source_buffer(z, data, len, 0);
	if (!s || zip_file_add(z, name, s, ZIP_FL_OVERWRITE) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

/* The parts zipped into a workbook (malloc'd into *out), or -1. */
static int wrap(const uint8_t *data, size_t size, uint8_t **out, size_t *outlen)
{
	const uint8_t *part[3] = {data, NULL, NULL};
	size_t len[3] = {size, 0, 0};
	for (int i = 0; i < 2; i++) {
		const uint8_t *nul = part[i] ? memchr(part[i], 0, len[i]) : NULL;
		if (!nul)
			break;
		part[i + 1] = nul + 1;
		len[i + 1] = len[i] - (size_t)(nul + 1 - part[i]);
		len[i] = (size_t)(nul - part[i]);
	}
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	zip_error_fini(&ze);
	if (!z) {
		zip_source_free(src);
		return -1;
	}
	zip_source_keep(src);
	int bad = add(z, "xl/workbook.xml", workbook, sizeof(workbook) - 1) ||
	          add(z, "xl/_rels/workbook.xml.rels", rels, sizeof(rels) - 1) ||
	          add(z, "xl/worksheets/sheet1.xml", part[0], len[0]) ||
	          (part[1] && add(z, "xl/sharedStrings.xml", part[1], len[1])) ||
	          (part[2] && add(z, "xl/styles.xml", part[2], len[2]));
	if (bad || zip_close(z) < 0) {
		if (bad)
			zip_discard(z);
		zip_source_free(src);
		return -1;
	}
	zip_stat_t st;
	int rc = -1;
	if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
		*out = malloc(st.size + 1);
		if (*out && zip_source_read(src, *out, st.size) == (zip_int64_t)st.size) {
			*outlen = st.size;
			rc = 0;
		}
		zip_source_close(src);
		if (rc)
			free(*out);
	}
	zip_source_free(src);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ctip_map *map;
	ctip_err e = {0};
	if (!map && ctip_map_parse(mapping, sizeof(mapping) - 1, "fuzz.json", &map, &e))
		abort();
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		fuzz_read(data, size, "fuzz.xlsx", map);
		return 0;
	}
	uint8_t *zipped;
	size_t n;
	if (wrap(data, size, &zipped, &n) == 0) {
		fuzz_read(zipped, n, "fuzz.xlsx", map);
		free(zipped);
	}
	return 0;
}
