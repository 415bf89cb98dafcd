/*
 * import_src.c - opening an agency's file for the mapped importer (import_src.h).
 *
 * A CSV file is read whole: its bytes must be checked as UTF-8 (or converted) before libcsv
 * sees them, and its separator is counted on the header line before the first row is parsed.
 * The converted text is then read through csv_read.c from memory (fmemopen), so line numbers
 * and quoting rules are those of every other CSV import.
 */
#include "import_src.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_read.h"
#include "text.h"
#include "xlsx_read.h"

struct ctip_src {
	ctip_csv *csv;
	FILE *mem;
	char *buf;
	size_t len;
	ctip_xlsx *x;
	char what[200];
};

const char *ctip_src_guess_encoding(const unsigned char *buf, size_t len, size_t bad)
{
	if ((len >= 2 &&
	     ((buf[0] == 0xFF && buf[1] == 0xFE) || (buf[0] == 0xFE && buf[1] == 0xFF))) ||
	    (bad < len && buf[bad] == 0))
		return "UTF-16";
	/* Windows-1258 writes Vietnamese with combining tone marks (0xCC 0xEC 0xD2 0xDE 0xF2) and
	 * with Đ đ Ư ư (0xD0 0xF0 0xDD 0xFD): in Latin-1 these are Ì ì Ò Þ ò Ð ð Ý ý, letters that
	 * French, Spanish, Portuguese or German text hardly uses (Ă ă Ơ ơ are not counted: they
	 * are Ã ã Õ õ of Portuguese). Bytes 0x80-0x9F are printable in the Windows code pages,
	 * controls in Latin-1. */
	static const unsigned char vi[] = {0xCC, 0xEC, 0xD2, 0xDE, 0xF2, 0xD0, 0xF0, 0xDD, 0xFD};
	long viet = 0, c1 = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] < 0x80)
			continue;
		c1 += buf[i] < 0xA0;
		viet += memchr(vi, buf[i], sizeof(vi)) != NULL;
	}
	if (viet)
		return "WINDOWS-1258";
	return c1 ? "WINDOWS-1252" : "ISO-8859-1";
}

static int read_all(FILE *f, const char *path, char **out, size_t *outlen, ctip_err *e)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	for (;;) {
		if (len + 65536 > cap) {
			if ((long long)cap >= CTIP_SRC_MAX_CSV) {
				free(buf);
				return ctip_err_at(
				        e, CTIP_EINVAL, path, 0, NULL,
				        "larger than %lld MiB: split it, or import it as HTCDS "
				        "CSV without a mapping",
				        CTIP_SRC_MAX_CSV >> 20);
			}
			size_t nc = cap ? cap * 2 : 1 << 20;
			char *g = realloc(buf, nc + 1);
			if (!g) {
				free(buf);
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
			buf = g;
			cap = nc;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return ctip_err_set(e, CTIP_EIO, "%s: read error", path);
	}
	buf[len] = 0;
	*out = buf;
	*outlen = len;
	return CTIP_OK;
}

static long line_at(const char *buf, size_t off)
{
	long line = 1;
	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

/* Converts buf from encoding enc into UTF-8 (replacing *buf). */
static int convert(char **buf, size_t *len, const char *enc, const char *path, ctip_err *e)
{
	iconv_t cd = iconv_open("UTF-8", enc);
	if (cd == (iconv_t)-1)
		return ctip_err_at(e, CTIP_EINVAL, path, 0, NULL,
		                   "the mapping's encoding '%s' is not known to iconv (`iconv -l` "
		                   "lists them; e.g. WINDOWS-1258, ISO-8859-1)",
		                   enc);
	size_t cap = *len * 3 + 16;
	char *out = malloc(cap + 1), *in = *buf, *w = out;
	size_t inleft = *len, outleft = cap;
	if (!out) {
		iconv_close(cd);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	size_t r = iconv(cd, &in, &inleft, &w, &outleft);
	if (r != (size_t)-1)
		r = iconv(cd, NULL, NULL, &w, &outleft);
	iconv_close(cd);
	if (r == (size_t)-1) {
		long line = line_at(*buf, (size_t)(in - *buf));
		free(out);
		return ctip_err_at(e, CTIP_EINVAL, path, line, NULL,
		                   "byte 0x%02X is not %s: is the mapping's \"encoding\" right?",
		                   (unsigned char)*in, enc);
	}
	*w = 0;
	free(*buf);
	*buf = out;
	*len = (size_t)(w - out);
	return CTIP_OK;
}

/* The separator the header line uses most (quoted text not counted). */
static char detect_sep(const char *buf, size_t len, long header_line)
{
	static const char cand[] = {',', ';', '\t', '|'};
	long count[4] = {0};
	const char *p = buf, *end = buf + len;
	for (long l = 1; l < header_line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	int quoted = 0;
	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		for (int k = 0; k < 4 && !quoted; k++)
			count[k] += *p == cand[k];
	}
	int best = 0;
	for (int k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}

static const char *sep_name(char c)
{
	return c == '\t' ? "tab" : c == ';' ? "';'" : c == '|' ? "'|'" : "','";
}

static int is_xlsx(const char *path, const char *buf, size_t len)
{
	size_t n = strlen(path);
	if (n > 5 && (!strcasecmp(path + n - 5, ".xlsx") || !strcasecmp(path + n - 5, ".xlsm")))
		return 1;
	return len >= 4 && !memcmp(buf, "PK\x03\x04", 4); /* a zip archive, whatever its name */
}

int ctip_src_open(FILE *f, const char *path, const struct ctip_src_opts *o, struct ctip_src **out,
                  ctip_err *e)
{
	struct ctip_src *s = calloc(1, sizeof(*s));
	int rc;
	*out = NULL;
	if (!s)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if ((rc = read_all(f, path, &s->buf, &s->len, e))) {
		free(s);
		return rc;
	}
	if (is_xlsx(path, s->buf, s->len)) {
		if ((rc = ctip_xlsx_open(s->buf, s->len, path, o->sheet, &s->x, e))) {
			ctip_src_close(s);
			return rc;
		}
		snprintf(s->what, sizeof(s->what), "XLSX, sheet '%.150s'", ctip_xlsx_sheet(s->x));
		*out = s;
		return CTIP_OK;
	}
	const char *enc = o->encoding;
	int utf8 = !enc || !strcasecmp(enc, "UTF-8") || !strcasecmp(enc, "UTF8");
	size_t skip = s->len >= 3 && !memcmp(s->buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	if (utf8) {
		long bad = ctip_utf8_invalid_at(s->buf + skip, s->len - skip);
		if (bad >= 0) {
			const char *g = ctip_src_guess_encoding((const unsigned char *)s->buf,
			                                        s->len, (size_t)bad + skip);
			long line = line_at(s->buf, (size_t)bad + skip);
			unsigned char byte = (unsigned char)s->buf[bad + skip];
			free(s->buf);
			free(s);
			if (!strcmp(g, "UTF-16"))
				return ctip_err_at(
				        e, CTIP_EINVAL, path, line, NULL,
				        "not UTF-8 but UTF-16 (a spreadsheet's \"Unicode "
				        "text\"): save it as \"CSV UTF-8\", or convert it: "
				        "iconv -f UTF-16 -t UTF-8 %s > utf8.csv",
				        path);
			return ctip_err_at(
			        e, CTIP_EINVAL, path, line, NULL,
			        "not UTF-8 (byte 0x%02X); it looks like %s. Fix: add "
			        "\"encoding\": \"%s\" to the mapping, or convert the file: "
			        "iconv -f %s -t UTF-8 %s > utf8.csv",
			        byte, g, g, g, path);
		}
	} else if ((rc = convert(&s->buf, &s->len, enc, path, e))) {
		free(s->buf);
		free(s);
		return rc;
	}
	char sep = o->sep ? o->sep : detect_sep(s->buf, s->len, o->header_row ? o->header_row : 1);
	snprintf(s->what, sizeof(s->what), "CSV, separator %s (%s), encoding %s", sep_name(sep),
	         o->sep ? "from the mapping" : "detected", utf8 ? "UTF-8" : enc);
	if (!(s->mem = fmemopen(s->buf, s->len ? s->len : 1, "r")) ||
	    !(s->csv = ctip_csv_open(s->mem, path))) {
		ctip_src_close(s);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	ctip_csv_set_delim(s->csv, sep);
	*out = s;
	return CTIP_OK;
}

int ctip_src_next(struct ctip_src *s, char ***cells, int *n, long *line, ctip_err *e)
{
	if (s->x)
		return ctip_xlsx_next(s->x, cells, n, line, e);
	if (!s->len)
		return 0;
	return ctip_csv_next(s->csv, cells, n, line, e);
}

const char *ctip_src_describe(const struct ctip_src *s)
{
	return s->what;
}

long long ctip_src_done(const struct ctip_src *s)
{
	if (s->x) {
		long long d, t;
		ctip_xlsx_progress(s->x, &d, &t);
		return d;
	}
	long pos = s->mem ? ftell(s->mem) : 0;
	return pos < 0 ? 0 : pos;
}

long long ctip_src_total(const struct ctip_src *s)
{
	if (s->x) {
		long long d, t;
		ctip_xlsx_progress(s->x, &d, &t);
		return t;
	}
	return (long long)s->len;
}

void ctip_src_close(struct ctip_src *s)
{
	if (!s)
		return;
	ctip_csv_close(s->csv);
	if (s->mem)
		fclose(s->mem);
	free(s->buf);
	ctip_xlsx_close(s->x);
	free(s);
}
