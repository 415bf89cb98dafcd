/*
 * csv_read.c - libcsv does the parsing; this file feeds it one physical line
 * at a time, which is how a row learns the line it started on: a row can only
 * start at the beginning of a line, and libcsv reports the end of a row while
 * the line holding its terminator is being fed.
 */
#include "csv_read.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

struct row {
	char **f;
	int n, cap;
	long line;
};

struct ctip_csv {
	FILE *in;
	const char *name;
	struct csv_parser p;
	char *buf;
	size_t bufcap;
	long lineno;    /* physical lines fed so far */
	int row_open;   /* a row has begun and not ended */
	struct row cur; /* being filled by libcsv */
	struct row *done;
	int ndone, capdone, next; /* queue of completed rows */
	struct row out;           /* handed to the caller */
	int eof, oom, started;
};

static void row_clear(struct row *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->f[i]);
	r->n = 0;
}

static void row_free(struct row *r)
{
	row_clear(r);
	free(r->f);
	r->f = NULL;
	r->cap = 0;
}

static void on_field(void *s, size_t len, void *data)
{
	ctip_csv *c = data;
	if (c->oom)
		return;
	if (c->cur.n == c->cur.cap) {
		int cap = c->cur.cap ? c->cur.cap * 2 : 64;
		char **f = realloc(c->cur.f, (size_t)cap * sizeof(*f));
		if (!f) {
			c->oom = 1;
			return;
		}
		c->cur.f = f;
		c->cur.cap = cap;
	}
	char *v = NULL;
	/* an empty field costs no allocation: most columns of a wide file are empty */
	if (len) {
		if (!(v = malloc(len + 1))) {
			c->oom = 1;
			return;
		}
		memcpy(v, s, len);
		v[len] = 0;
	}
	c->cur.f[c->cur.n++] = v;
}

static void on_row(int term, void *data)
{
	ctip_csv *c = data;
	(void)term;
	if (c->oom)
		return;
	if (c->ndone == c->capdone) {
		int cap = c->capdone ? c->capdone * 2 : 4;
		struct row *d = realloc(c->done, (size_t)cap * sizeof(*d));
		if (!d) {
			c->oom = 1;
			return;
		}
		c->done = d;
		c->capdone = cap;
	}
	c->done[c->ndone++] = c->cur;
	memset(&c->cur, 0, sizeof(c->cur));
	c->row_open = 0;
}

ctip_csv *ctip_csv_open(FILE *f, const char *name)
{
	ctip_csv *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		free(c);
		return NULL;
	}
	c->in = f;
	c->name = name;
	return c;
}

static int only_space(unsigned char ch)
{
	return ch == ' ';
}

void ctip_csv_set_delim(ctip_csv *c, char delim)
{
	csv_set_delim(&c->p, (unsigned char)delim);
	if (delim == '\t')
		csv_set_space_func(&c->p, only_space);
}

void ctip_csv_close(ctip_csv *c)
{
	if (!c)
		return;
	csv_free(&c->p);
	row_free(&c->cur);
	for (int i = c->next; i < c->ndone; i++)
		row_free(&c->done[i]);
	free(c->done);
	row_free(&c->out);
	free(c->buf);
	free(c);
}

static int parse_error(ctip_csv *c, ctip_err *e, long line)
{
	if (c->oom)
		return -ctip_err_at(e, CTIP_ENOMEM, c->name, line, NULL, "out of memory");
	return -ctip_err_at(e, CTIP_EINVAL, c->name, line, NULL,
	                    "malformed CSV: %s (a quote left open, or a quote inside an unquoted "
	                    "field)",
	                    csv_strerror(csv_error(&c->p)));
}

int ctip_csv_next(ctip_csv *c, char ***fields, int *nfields, long *line, ctip_err *e)
{
	while (c->next >= c->ndone) {
		c->next = c->ndone = 0;
		if (c->eof)
			return 0;
		ssize_t n = getline(&c->buf, &c->bufcap, c->in);
		if (n < 0) {
			if (ferror(c->in))
				return -ctip_err_at(e, CTIP_EIO, c->name, c->lineno, NULL,
				                    "read error");
			c->eof = 1;
			if (csv_fini(&c->p, on_field, on_row, c) != 0 || c->oom)
				return c->oom ? parse_error(c, e, c->lineno)
				              : -ctip_err_at(e, CTIP_EINVAL, c->name,
				                             c->cur.line ? c->cur.line : c->lineno,
				                             NULL,
				                             "file is truncated: a quoted field "
				                             "is never closed");
			continue;
		}
		char *s = c->buf;
		c->lineno++;
		if (memchr(s, 0, (size_t)n))
			/* libcsv would keep it, and the value would end there: "Ab\0C" stored as
			 * "Ab" */
			return -ctip_err_at(
			        e, CTIP_EINVAL, c->name, c->lineno, NULL,
			        "a NUL byte (\\0) in the line: not text. Fix: remove it "
			        "(tr -d '\\000'), or check that the file is CSV and not "
			        "UTF-16 or a binary file");
		if (!c->started) {
			c->started = 1;
			if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
				s += 3, n -= 3;
		}
		if (!c->row_open) {
			c->row_open = 1;
			c->cur.line = c->lineno;
		}
		if (csv_parse(&c->p, s, (size_t)n, on_field, on_row, c) != (size_t)n || c->oom)
			return parse_error(c, e, c->lineno);
		/* a blank line leaves no field behind: the next line starts the row */
		if (c->row_open && c->cur.n == 0 && c->p.pstate == 0)
			c->row_open = 0;
	}
	row_free(&c->out);
	c->out = c->done[c->next++];
	*fields = c->out.f;
	*nfields = c->out.n;
	*line = c->out.line;
	return 1;
}
