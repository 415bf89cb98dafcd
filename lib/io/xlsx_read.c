/*
 * xlsx_read.c - one sheet of an XLSX workbook, row by row (xlsx_read.h).
 *
 * The parts read: xl/workbook.xml (the sheets' names and the date system),
 * xl/_rels/workbook.xml.rels (which part holds which sheet), xl/sharedStrings.xml (the text of
 * most cells), xl/styles.xml (which cell styles are dates) and the sheet itself, which is fed
 * to expat in chunks as rows are asked for, so memory does not grow with the sheet.
 *
 * Limits against hostile files: each part's size once uncompressed is checked as declared and
 * again as read (a zip may lie about it); a document type declaration is refused (no entity
 * expansion at all); a cell longer than Excel allows or a column beyond XFD is refused.
 */
#include "xlsx_read.h"

#include <errno.h>
#include <expat.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define CHUNK 65536

struct strbuf {
	char *s;
	size_t n, cap;
};

struct xrow {
	char **c;
	int n, cap;
	long row;
};

struct ctip_xlsx {
	const char *name;
	zip_source_t *zsrc;
	zip_t *z;
	char sheet_name[256], sheet_part[512];
	int date1904;
	/* shared strings */
	char **sst;
	long nsst, capsst;
	long long sst_bytes;
	/* styles: whether cell style i is a date */
	unsigned char *xf_date;
	int nxf, capxf;
	/* the sheet being streamed */
	zip_file_t *zf;
	XML_Parser p;
	long long done, total;
	int eof;
	char *chunk;
	/* parser state */
	int in_row, in_cell, in_v, in_t, in_is, in_rph, in_si;
	int cell_col, next_col, cell_style;
	char cell_type[12];
	struct strbuf text;
	struct xrow cur;
	struct xrow *ready;
	int nready, capready, next;
	struct xrow out;
	long last_row;
	/* an error found inside a handler (stops the parser) */
	int err;
	char errmsg[300];
};

/* ---- small helpers ----------------------------------------------------------------------- */

static const char *local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static const char *attr(const char **a, const char *name)
{
	for (int i = 0; a[i]; i += 2)
		if (!strcmp(local(a[i]), name))
			return a[i + 1];
	return NULL;
}

static void fail(ctip_xlsx *x, const char *msg)
{
	if (!x->err) {
		x->err = 1;
		snprintf(x->errmsg, sizeof(x->errmsg), "%s", msg);
	}
	XML_StopParser(x->p, XML_FALSE);
}

static int sb_add(ctip_xlsx *x, struct strbuf *b, const char *s, int len, size_t max)
{
	if (b->n + (size_t)len > max) {
		fail(x, "a cell holds more text than a spreadsheet cell may (32,767 characters)");
		return -1;
	}
	if (b->n + (size_t)len + 1 > b->cap) {
		size_t cap = (b->n + (size_t)len + 1) * 2;
		char *g = realloc(b->s, cap);
		if (!g) {
			fail(x, "out of memory");
			return -1;
		}
		b->s = g;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, (size_t)len);
	b->n += (size_t)len;
	b->s[b->n] = 0;
	return 0;
}

static void no_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub,
                       int internal)
{
	(void)name, (void)sys, (void)pub, (void)internal;
	fail(ud, "a document type declaration (refused: XLSX parts have none)");
}

static XML_Parser new_parser(ctip_xlsx *x)
{
	XML_Parser p = XML_ParserCreate("UTF-8");
	if (!p)
		return NULL;
	XML_SetUserData(p, x);
	XML_SetStartDoctypeDeclHandler(p, no_doctype);
	x->p = p;
	return p;
}

/* Reads a whole (small) part into memory, within max bytes. -1 when it does not exist. */
static int read_part(ctip_xlsx *x, const char *part, long long max, char **out, size_t *len,
                     ctip_err *e)
{
	zip_stat_t st;
	*out = NULL;
	*len = 0;
	if (zip_stat(x->z, part, 0, &st) != 0)
		return -1;
	if ((st.valid & ZIP_STAT_SIZE) && (long long)st.size > max)
		return ctip_err_at(
		        e, CTIP_EINVAL, x->name, 0, NULL,
		        "%s is %lld MiB once uncompressed, more than the %lld MiB allowed "
		        "(a zip bomb, or a workbook to split)",
		        part, (long long)(st.size >> 20), max >> 20);
	zip_file_t *zf = zip_fopen(x->z, part, 0);
	if (!zf)
		return ctip_err_at(e, CTIP_EINVAL, x->name, 0, NULL, "%s cannot be read: %s", part,
		                   zip_strerror(x->z));
	size_t cap = (st.valid & ZIP_STAT_SIZE) ? (size_t)st.size + 1 : CHUNK;
	char *buf = malloc(cap + 1);
	size_t n = 0;
	int rc = CTIP_OK;
	if (!buf) {
		zip_fclose(zf);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (;;) {
		if (n + CHUNK > cap) {
			char *g = realloc(buf, (cap = cap * 2 + CHUNK) + 1);
			if (!g) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			buf = g;
		}
		zip_int64_t r = zip_fread(zf, buf + n, CHUNK);
		if (r < 0) {
			rc = ctip_err_at(e, CTIP_EINVAL, x->name, 0, NULL,
			                 "%s cannot be read (damaged or truncated file): %s", part,
			                 zip_file_strerror(zf));
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if ((long long)n > max) {
			rc = ctip_err_at(
			        e, CTIP_EINVAL, x->name, 0, NULL,
			        "%s is more than the %lld MiB allowed once uncompressed (a "
			        "zip bomb, or a workbook to split)",
			        part, max >> 20);
			break;
		}
	}
	zip_fclose(zf);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return CTIP_OK;
}

/* The verdict of the parse of a part (ok: XML_Parse succeeded), and the parser freed. */
static int parse_verdict(ctip_xlsx *x, const char *part, int ok, ctip_err *e)
{
	int rc = CTIP_OK;
	if (x->err)
		rc = ctip_err_at(e, !strcmp(x->errmsg, "out of memory") ? CTIP_ENOMEM : CTIP_EINVAL,
		                 x->name, 0, NULL, "%s: %s", part, x->errmsg);
	else if (!ok)
		rc = ctip_err_at(e, CTIP_EINVAL, x->name, 0, NULL,
		                 "%s: malformed XML at line %lu: %s (a damaged file: save it again "
		                 "from the spreadsheet program)",
		                 part, (unsigned long)XML_GetCurrentLineNumber(x->p),
		                 XML_ErrorString(XML_GetErrorCode(x->p)));
	XML_ParserFree(x->p);
	x->p = NULL;
	return rc;
}

/* Parses a whole part held in memory with the handlers already set on x->p. */
static int parse_all(ctip_xlsx *x, const char *part, const char *buf, size_t len, ctip_err *e)
{
	return parse_verdict(x, part, XML_Parse(x->p, buf, (int)len, XML_TRUE) == XML_STATUS_OK, e);
}

/* Parses a part as it is decompressed (the shared strings of a big workbook are never held
 * twice: once as XML, once as strings), within max bytes read. */
static int parse_part(ctip_xlsx *x, const char *part, long long max, int required,
                      XML_StartElementHandler start, XML_EndElementHandler end,
                      XML_CharacterDataHandler text, ctip_err *e)
{
	zip_stat_t st;
	if (zip_stat(x->z, part, 0, &st) != 0)
		return required ? ctip_err_at(e, CTIP_EINVAL, x->name, 0, NULL,
		                              "not an XLSX workbook: it has no %s", part)
		                : CTIP_OK;
	if ((st.valid & ZIP_STAT_SIZE) && (long long)st.size > max)
		return ctip_err_at(
		        e, CTIP_EINVAL, x->name, 0, NULL,
		        "%s is %lld MiB once uncompressed, more than the %lld MiB allowed "
		        "(a zip bomb, or a workbook to split)",
		        part, (long long)(st.size >> 20), max >> 20);
	zip_file_t *zf = zip_fopen(x->z, part, 0);
	if (!zf)
		return ctip_err_at(e, CTIP_EINVAL, x->name, 0, NULL, "%s cannot be read: %s", part,
		                   zip_strerror(x->z));
	if (!new_parser(x)) {
		zip_fclose(zf);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	XML_SetElementHandler(x->p, start, end);
	if (text)
		XML_SetCharacterDataHandler(x->p, text);
	long long n = 0;
	int rc = CTIP_OK, ok = 1;
	for (;;) {
		zip_int64_t r = zip_fread(zf, x->chunk, CHUNK);
		if (r < 0) {
			rc = ctip_err_at(e, CTIP_EINVAL, x->name, 0, NULL,
			                 "%s cannot be read (damaged or truncated file): %s", part,
			                 zip_file_strerror(zf));
			break;
		}
		if ((n += r) > max) {
			rc = ctip_err_at(
			        e, CTIP_EINVAL, x->name, 0, NULL,
			        "%s is more than the %lld MiB allowed once uncompressed (a "
			        "zip bomb, or a workbook to split)",
			        part, max >> 20);
			break;
		}
		ok = XML_Parse(x->p, x->chunk, (int)r, r == 0) == XML_STATUS_OK;
		if (!ok || x->err || r == 0)
			break;
	}
	zip_fclose(zf);
	if (rc) {
		XML_ParserFree(x->p);
		x->p = NULL;
		return rc;
	}
	return parse_verdict(x, part, ok, e);
}

/* ---- workbook: sheets and the date system -------------------------------------------------- */

struct wb {
	ctip_xlsx *x;
	const char *want;
	char rid[128];
	int found;
};

static void wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wb *w = ud;
	ctip_xlsx *x = w->x;
	const char *n = local(name);
	if (!strcmp(n, "workbookPr")) {
		const char *d = attr(a, "date1904");
		x->date1904 = d && (!strcmp(d, "1") || !strcmp(d, "true"));
	} else if (!strcmp(n, "sheet") && !w->found) {
		const char *sn = attr(a, "name"), *id = attr(a, "id");
		if (sn && id && (!w->want || !strcmp(sn, w->want))) {
			w->found = 1;
			snprintf(x->sheet_name, sizeof(x->sheet_name), "%s", sn);
			snprintf(w->rid, sizeof(w->rid), "%s", id);
		}
	}
}

static void wb_end(void *ud, const XML_Char *name)
{
	(void)ud, (void)name;
}

static void rel_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wb *w = ud;
	if (strcmp(local(name), "Relationship"))
		return;
	const char *id = attr(a, "Id"), *t = attr(a, "Target");
	if (id && t && !strcmp(id, w->rid)) {
		if (t[0] == '/')
			snprintf(w->x->sheet_part, sizeof(w->x->sheet_part), "%s", t + 1);
		else
			snprintf(w->x->sheet_part, sizeof(w->x->sheet_part), "xl/%s", t);
	}
}

/* ---- shared strings ---------------------------------------------------------------------- */

static void sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	ctip_xlsx *x = ud;
	const char *n = local(name);
	(void)a;
	if (!strcmp(n, "si")) {
		x->in_si = 1;
		x->text.n = 0;
		if (x->text.s)
			x->text.s[0] = 0;
	} else if (!strcmp(n, "rPh")) {
		x->in_rph = 1; /* phonetic guide: not part of the text */
	} else if (!strcmp(n, "t")) {
		x->in_t = 1;
	}
}

static void sst_end(void *ud, const XML_Char *name)
{
	ctip_xlsx *x = ud;
	const char *n = local(name);
	if (!strcmp(n, "t")) {
		x->in_t = 0;
	} else if (!strcmp(n, "rPh")) {
		x->in_rph = 0;
	} else if (!strcmp(n, "si") && x->in_si) {
		x->in_si = 0;
		if (x->nsst == x->capsst) {
			long cap = x->capsst ? x->capsst * 2 : 1024;
			char **g = realloc(x->sst, (size_t)cap * sizeof(*g));
			if (!g) {
				fail(x, "out of memory");
				return;
			}
			x->sst = g;
			x->capsst = cap;
		}
		/* what a string costs: its bytes, the pointer and the allocator's overhead */
		x->sst_bytes += (long long)x->text.n + 1 + (long long)sizeof(char *) + 16;
		if (x->sst_bytes > CTIP_XLSX_MAX_SHARED) {
			fail(x, "the shared strings take more memory than allowed");
			return;
		}
		char *s = strdup(x->text.s ? x->text.s : "");
		if (!s) {
			fail(x, "out of memory");
			return;
		}
		x->sst[x->nsst++] = s;
	}
}

static void sst_text(void *ud, const XML_Char *s, int len)
{
	ctip_xlsx *x = ud;
	if (x->in_si && x->in_t && !x->in_rph)
		sb_add(x, &x->text, s, len, 4 * CTIP_XLSX_MAX_CELL);
}

/* ---- styles: which cell formats are dates ---------------------------------------------- */

struct fmt {
	int id, date;
};

struct styles {
	ctip_xlsx *x;
	struct fmt fmts[512];
	int nfmts, in_xfs;
};

/* Whether an Excel number format code shows a date: d, m or y outside quotes, brackets
 * (colours, conditions) and escapes; [h]:mm and m:ss are durations, not dates. */
static int code_is_date(const char *c)
{
	int quoted = 0, seen = 0;
	for (; *c; c++) {
		if (*c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (*c == '\\' && c[1])
			c++;
		else if (*c == '[') {
			const char *e = strchr(c, ']');
			if (!e)
				break;
			c = e;
		} else if (*c == 'd' || *c == 'D' || *c == 'y' || *c == 'Y')
			seen = 1;
	}
	return seen;
}

static int builtin_date(int id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	       (id >= 50 && id <= 58);
}

static void sty_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct styles *st = ud;
	ctip_xlsx *x = st->x;
	const char *n = local(name);
	if (!strcmp(n, "numFmt") && st->nfmts < (int)(sizeof(st->fmts) / sizeof(*st->fmts))) {
		const char *id = attr(a, "numFmtId"), *code = attr(a, "formatCode");
		if (id && code) {
			st->fmts[st->nfmts].id = atoi(id);
			st->fmts[st->nfmts++].date = code_is_date(code);
		}
	} else if (!strcmp(n, "cellXfs")) {
		st->in_xfs = 1;
	} else if (!strcmp(n, "xf") && st->in_xfs) {
		if (x->nxf == x->capxf) {
			int cap = x->capxf ? x->capxf * 2 : 64;
			if (cap > 1 << 20) {
				fail(x, "more than a million cell styles");
				return;
			}
			unsigned char *g = realloc(x->xf_date, (size_t)cap);
			if (!g) {
				fail(x, "out of memory");
				return;
			}
			x->xf_date = g;
			x->capxf = cap;
		}
		const char *id = attr(a, "numFmtId");
		int fid = id ? atoi(id) : 0, date = builtin_date(fid);
		for (int i = 0; i < st->nfmts; i++)
			if (st->fmts[i].id == fid)
				date = st->fmts[i].date;
		x->xf_date[x->nxf++] = (unsigned char)date;
	}
}

static void sty_end(void *ud, const XML_Char *name)
{
	struct styles *st = ud;
	if (!strcmp(local(name), "cellXfs"))
		st->in_xfs = 0;
}

/* ---- dates ------------------------------------------------------------------------------- */

/* The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long yy = yoe + era * 400;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

int ctip_xlsx_serial_date(double serial, int date1904, char *buf)
{
	if (!(serial >= 0 && serial < 2958466)) /* up to 9999-12-31 */
		return -1;
	long long day = (long long)serial, z;
	if (date1904)
		z = day - 24107; /* 1904-01-01 is day 0 */
	else if (day == 60 || day == 0)
		return -1; /* 1900-02-29 (Lotus's mistake, kept by Excel) and 1900-01-00 */
	else
		z = day < 60 ? day - 25568 : day - 25569; /* 1899-12-31 + day, 1899-12-30 + day */
	int y, m, d;
	civil(z, &y, &m, &d);
	snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
	return 0;
}

/* ---- the sheet --------------------------------------------------------------------------- */

static int col_index(const char *ref)
{
	int c = 0, n = 0;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++) {
		c = c * 26 + (*ref - 'A' + 1);
		if (n > 3)
			return -1;
	}
	return n ? c - 1 : -1;
}

static void row_clear(struct xrow *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->c[i]);
	r->n = 0;
}

static void row_free(struct xrow *r)
{
	row_clear(r);
	free(r->c);
	r->c = NULL;
	r->cap = 0;
}

static void sh_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	ctip_xlsx *x = ud;
	const char *n = local(name);
	if (!strcmp(n, "row")) {
		const char *r = attr(a, "r");
		long rn = r ? atol(r) : x->last_row + 1;
		if (rn <= x->last_row || rn > 1048576) {
			fail(x, "rows out of order, or beyond row 1,048,576");
			return;
		}
		x->in_row = 1;
		x->cur.row = x->last_row = rn;
		x->next_col = 0;
	} else if (!strcmp(n, "c") && x->in_row) {
		const char *r = attr(a, "r"), *t = attr(a, "t"), *s = attr(a, "s");
		int col = r ? col_index(r) : x->next_col;
		if (col < 0 || col >= CTIP_XLSX_MAX_COLUMNS) {
			fail(x, "a cell beyond column XFD");
			return;
		}
		x->in_cell = 1;
		x->cell_col = col;
		x->next_col = col + 1;
		x->cell_style = s ? atoi(s) : 0;
		snprintf(x->cell_type, sizeof(x->cell_type), "%s", t ? t : "n");
		x->text.n = 0;
		if (x->text.s)
			x->text.s[0] = 0;
	} else if (x->in_cell && !strcmp(n, "v")) {
		x->in_v = 1;
	} else if (x->in_cell && !strcmp(n, "is")) {
		x->in_is = 1;
	} else if (x->in_is && !strcmp(n, "t")) {
		x->in_t = 1;
	} else if (x->in_is && !strcmp(n, "rPh")) {
		x->in_rph = 1;
	}
}

/* The text of the cell just ended, as the caller gets it (NULL: empty). */
static char *cell_value(ctip_xlsx *x)
{
	const char *v = x->text.s ? x->text.s : "", *t = x->cell_type;
	char buf[40];
	if (!strcmp(t, "s")) {
		char *end;
		long i = strtol(v, &end, 10);
		if (end == v || *end || i < 0 || i >= x->nsst) {
			fail(x, "a cell refers to a shared string that does not exist");
			return NULL;
		}
		return x->sst[i][0] ? strdup(x->sst[i]) : NULL;
	}
	if (!*v)
		return NULL;
	if (!strcmp(t, "b"))
		return strdup(!strcmp(v, "1") ? "TRUE" : "FALSE");
	if (!strcmp(t, "d")) /* an ISO 8601 date cell: the date part */
		return strndup(v, 10);
	if (strcmp(t, "n"))
		return strdup(v); /* inlineStr, str (a formula's text), e (an error such as #N/A) */
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end)
		return strdup(v);
	if (x->cell_style >= 0 && x->cell_style < x->nxf && x->xf_date[x->cell_style] &&
	    ctip_xlsx_serial_date(d, x->date1904, buf) == 0)
		return strdup(buf);
	if (d == (double)(long long)d && d > -1e15 && d < 1e15) {
		snprintf(buf, sizeof(buf), "%lld", (long long)d);
		return strdup(buf);
	}
	snprintf(buf, sizeof(buf), "%.15g", d);
	return strdup(buf);
}

static void sh_end(void *ud, const XML_Char *name)
{
	ctip_xlsx *x = ud;
	const char *n = local(name);
	if (!strcmp(n, "v")) {
		x->in_v = 0;
	} else if (!strcmp(n, "t")) {
		x->in_t = 0;
	} else if (!strcmp(n, "rPh")) {
		x->in_rph = 0;
	} else if (!strcmp(n, "is")) {
		x->in_is = 0;
	} else if (!strcmp(n, "c") && x->in_cell) {
		x->in_cell = 0;
		char *v = cell_value(x);
		if (!v)
			return;
		struct xrow *r = &x->cur;
		if (x->cell_col >= r->cap) {
			int cap = r->cap ? r->cap : 16;
			while (cap <= x->cell_col)
				cap *= 2;
			char **g = realloc(r->c, (size_t)cap * sizeof(*g));
			if (!g) {
				free(v);
				{
					fail(x, "out of memory");
					return;
				}
			}
			memset(g + r->cap, 0, (size_t)(cap - r->cap) * sizeof(*g));
			r->c = g;
			r->cap = cap;
		}
		if (x->cell_col < r->n) {
			free(r->c[x->cell_col]); /* a cell given twice: the last one counts */
		} else {
			for (int i = r->n; i < x->cell_col; i++)
				r->c[i] = NULL;
			r->n = x->cell_col + 1;
		}
		r->c[x->cell_col] = v;
	} else if (!strcmp(n, "row") && x->in_row) {
		x->in_row = 0;
		if (!x->cur.n)
			return;
		if (x->nready == x->capready) {
			int cap = x->capready ? x->capready * 2 : 8;
			struct xrow *g = realloc(x->ready, (size_t)cap * sizeof(*g));
			if (!g) {
				fail(x, "out of memory");
				return;
			}
			x->ready = g;
			x->capready = cap;
		}
		x->ready[x->nready++] = x->cur;
		memset(&x->cur, 0, sizeof(x->cur));
	}
}

static void sh_text(void *ud, const XML_Char *s, int len)
{
	ctip_xlsx *x = ud;
	if (x->in_cell && (x->in_v || (x->in_is && x->in_t && !x->in_rph)))
		sb_add(x, &x->text, s, len, 4 * CTIP_XLSX_MAX_CELL);
}

/* ---- open, next, close ------------------------------------------------------------------ */

int ctip_xlsx_open(const void *buf, size_t len, const char *name, const char *sheet,
                   ctip_xlsx **out, ctip_err *e)
{
	ctip_xlsx *x = calloc(1, sizeof(*x));
	zip_error_t ze;
	int rc;
	*out = NULL;
	if (!x || !(x->chunk = malloc(CHUNK))) {
		free(x);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	x->name = name;
	zip_error_init(&ze);
	if (!(x->zsrc = zip_source_buffer_create(buf, len, 0, &ze)) ||
	    !(x->z = zip_open_from_source(x->zsrc, ZIP_RDONLY, &ze))) {
		rc = ctip_err_at(e, CTIP_EINVAL, name, 0, NULL,
		                 "not a readable XLSX file (%s): is it truncated, or another kind "
		                 "of file? Save it again as .xlsx, or as CSV UTF-8",
		                 zip_error_strerror(&ze));
		zip_error_fini(&ze);
		if (x->zsrc)
			zip_source_free(x->zsrc);
		x->zsrc = NULL;
		ctip_xlsx_close(x);
		return rc;
	}
	zip_error_fini(&ze);
	struct wb w = {.x = x, .want = sheet};
	struct styles *st = calloc(1, sizeof(*st));
	if (!st) {
		ctip_xlsx_close(x);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	st->x = x;
	{
		char *b;
		size_t n;
		if ((rc = read_part(x, "xl/workbook.xml", CTIP_XLSX_MAX_SHARED, &b, &n, e))) {
			if (rc == -1)
				rc = ctip_err_at(e, CTIP_EINVAL, name, 0, NULL,
				                 "not an XLSX workbook: it has no xl/workbook.xml");
			goto fail;
		}
		if (!new_parser(x)) {
			free(b);
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto fail;
		}
		XML_SetUserData(x->p, &w);
		XML_SetElementHandler(x->p, wb_start, wb_end);
		rc = parse_all(x, "xl/workbook.xml", b, n, e);
		free(b);
		if (rc)
			goto fail;
	}
	if (!w.found) {
		rc = sheet ? ctip_err_at(e, CTIP_EINVAL, name, 0, NULL,
		                         "the workbook has no sheet named '%s' (sheet names are "
		                         "case-sensitive)",
		                         sheet)
		           : ctip_err_at(e, CTIP_EINVAL, name, 0, NULL,
		                         "the workbook has no sheet");
		goto fail;
	}
	{
		char *b;
		size_t n;
		rc = read_part(x, "xl/_rels/workbook.xml.rels", CTIP_XLSX_MAX_SHARED, &b, &n, e);
		if (rc == -1) {
			rc = 0;
		} else if (rc) {
			goto fail;
		} else {
			if (!new_parser(x)) {
				free(b);
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				goto fail;
			}
			XML_SetUserData(x->p, &w);
			XML_SetElementHandler(x->p, rel_start, wb_end);
			rc = parse_all(x, "xl/_rels/workbook.xml.rels", b, n, e);
			free(b);
			if (rc)
				goto fail;
		}
	}
	if (!x->sheet_part[0])
		snprintf(x->sheet_part, sizeof(x->sheet_part), "xl/worksheets/sheet1.xml");
	if ((rc = parse_part(x, "xl/sharedStrings.xml", CTIP_XLSX_MAX_SHARED, 0, sst_start, sst_end,
	                     sst_text, e)))
		goto fail;
	{
		char *b;
		size_t n;
		rc = read_part(x, "xl/styles.xml", CTIP_XLSX_MAX_SHARED, &b, &n, e);
		if (rc == -1) {
			rc = 0;
		} else if (rc) {
			goto fail;
		} else {
			if (!new_parser(x)) {
				free(b);
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				goto fail;
			}
			XML_SetUserData(x->p, st);
			XML_SetElementHandler(x->p, sty_start, sty_end);
			rc = parse_all(x, "xl/styles.xml", b, n, e);
			free(b);
			if (rc)
				goto fail;
		}
	}
	free(st);
	st = NULL;
	zip_stat_t zs;
	if (zip_stat(x->z, x->sheet_part, 0, &zs) != 0 ||
	    !(x->zf = zip_fopen(x->z, x->sheet_part, 0))) {
		rc = ctip_err_at(e, CTIP_EINVAL, name, 0, NULL,
		                 "the sheet '%s' (%s) is missing from the workbook", x->sheet_name,
		                 x->sheet_part);
		goto fail;
	}
	x->total = (zs.valid & ZIP_STAT_SIZE) ? (long long)zs.size : 0;
	if (x->total > CTIP_XLSX_MAX_PART) {
		rc = ctip_err_at(e, CTIP_EINVAL, name, 0, NULL,
		                 "the sheet is %lld MiB once uncompressed, more than the %lld MiB "
		                 "allowed (a zip bomb, or a workbook to split)",
		                 x->total >> 20, CTIP_XLSX_MAX_PART >> 20);
		goto fail;
	}
	if (!new_parser(x)) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto fail;
	}
	XML_SetElementHandler(x->p, sh_start, sh_end);
	XML_SetCharacterDataHandler(x->p, sh_text);
	*out = x;
	return CTIP_OK;
fail:
	free(st);
	ctip_xlsx_close(x);
	return rc;
}

int ctip_xlsx_next(ctip_xlsx *x, char ***cells, int *n, long *row, ctip_err *e)
{
	while (x->next >= x->nready) {
		x->next = x->nready = 0;
		if (x->eof)
			return 0;
		zip_int64_t r = zip_fread(x->zf, x->chunk, CHUNK);
		if (r < 0)
			return -ctip_err_at(e, CTIP_EINVAL, x->name, x->last_row, NULL,
			                    "the sheet cannot be read past row %ld (damaged or "
			                    "truncated file: %s)",
			                    x->last_row, zip_file_strerror(x->zf));
		x->done += r;
		if (x->done > CTIP_XLSX_MAX_PART)
			return -ctip_err_at(e, CTIP_EINVAL, x->name, x->last_row, NULL,
			                    "the sheet is more than the %lld MiB allowed once "
			                    "uncompressed (a zip bomb, or a workbook to split)",
			                    CTIP_XLSX_MAX_PART >> 20);
		x->eof = r == 0;
		int ok = XML_Parse(x->p, x->chunk, (int)r, x->eof) == XML_STATUS_OK;
		if (x->err)
			return -ctip_err_at(
			        e, !strcmp(x->errmsg, "out of memory") ? CTIP_ENOMEM : CTIP_EINVAL,
			        x->name, x->last_row, NULL, "%s: row %ld: %s", x->sheet_part,
			        x->last_row, x->errmsg);
		if (!ok)
			return -ctip_err_at(e, CTIP_EINVAL, x->name, x->last_row, NULL,
			                    "%s: malformed XML at line %lu, after row %ld: %s (a "
			                    "damaged file: save it again from the spreadsheet "
			                    "program)",
			                    x->sheet_part,
			                    (unsigned long)XML_GetCurrentLineNumber(x->p),
			                    x->last_row, XML_ErrorString(XML_GetErrorCode(x->p)));
	}
	row_free(&x->out);
	x->out = x->ready[x->next++];
	*cells = x->out.c;
	*n = x->out.n;
	*row = x->out.row;
	return 1;
}

const char *ctip_xlsx_sheet(const ctip_xlsx *x)
{
	return x->sheet_name;
}

void ctip_xlsx_progress(const ctip_xlsx *x, long long *done, long long *total)
{
	*done = x->done;
	*total = x->total > x->done ? x->total : x->done;
}

void ctip_xlsx_close(ctip_xlsx *x)
{
	if (!x)
		return;
	if (x->p)
		XML_ParserFree(x->p);
	if (x->zf)
		zip_fclose(x->zf);
	if (x->z)
		zip_discard(x->z); /* frees its source */
	else if (x->zsrc)
		zip_source_free(x->zsrc);
	for (long i = 0; i < x->nsst; i++)
		free(x->sst[i]);
	free(x->sst);
	free(x->xf_date);
	free(x->text.s);
	row_free(&x->cur);
	for (int i = x->next; i < x->nready; i++)
		row_free(&x->ready[i]);
	free(x->ready);
	row_free(&x->out);
	free(x->chunk);
	free(x);
}
