/*
 * import_map.c - the mapping file (parsed with jansson) and the conversion of an agency's
 * rows into ctip rows: column renaming, value translation, dates in the agency's format with
 * an explicit century rule, constant columns, the split of a name and of an address column,
 * and the data-quality checks of rows that pass validation but look wrong.
 *
 * The source (CSV in any separator and encoding, or XLSX) is opened by sheet_open.c-like code
 * at the end of this file; what a row means is decided here once per column at the header,
 * so that converting a row is a loop over bound columns.
 */
#include "import_map.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "import_src.h"
#include "text.h"

enum kind { K_COPY, K_NAME, K_ADDRESS, K_IGNORE };
enum action { A_FLAG = 1, A_REJECT = 2 };

struct value_map {
	char *from; /* folded */
	char *to;
};

struct map_col {
	char *source; /* as written in the mapping */
	char *key;    /* folded, matched against the folded header */
	enum kind kind;
	int to;             /* K_COPY: the ctip column */
	char *date_fmt;     /* K_COPY: e.g. "DD-MM-YY" (NULL: not a date) */
	char date_order[3]; /* 'D', 'M', 'Y' in the order of the format */
	int date_parts, yy,
	        pivot; /* yy: the year has two digits; pivot: years 00..pivot are 20xx */
	struct value_map *values;
	int nvalues, other_reject;
	char *prefix;
	char sep;        /* K_ADDRESS: separator of commune, district and province */
	int given_first; /* K_NAME: "given family" order instead of Vietnamese family first */
};

struct constant {
	int field;
	char *value;
};

struct ctip_map {
	char *name;
	char *encoding, *sheet;
	char sep; /* 0: detect */
	long header_row;
	struct map_col *cols;
	int ncols;
	struct constant consts[CTIP_NFIELDS];
	int nconsts;
	int q_expiry, q_birth, q_age;
	int age_min, age_max;
	unsigned char group_mapped[G_COUNT]; /* a column of the file fills one of the group */
};

const char *ctip_quality_name(unsigned flag)
{
	switch (flag) {
	case CTIP_Q_EXPIRY_BEFORE_ISSUE: return "expiry_before_issue";
	case CTIP_Q_BIRTH_AFTER_TRIP: return "birth_after_exploitation";
	case CTIP_Q_AGE_RANGE: return "age_out_of_range";
	default: return NULL;
	}
}

void ctip_map_free(ctip_map *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->ncols; i++) {
		struct map_col *c = &m->cols[i];
		free(c->source);
		free(c->key);
		free(c->date_fmt);
		free(c->prefix);
		for (int k = 0; k < c->nvalues; k++) {
			free(c->values[k].from);
			free(c->values[k].to);
		}
		free(c->values);
	}
	free(m->cols);
	for (int i = 0; i < m->nconsts; i++)
		free(m->consts[i].value);
	free(m->name);
	free(m->encoding);
	free(m->sheet);
	free(m);
}

const char *ctip_map_sheet(const ctip_map *m)
{
	return m ? m->sheet : NULL;
}

/* "DD-MM-YY", "DD/MM/YYYY", "YYYY-MM-DD", "MM-YYYY", "YYYY": the order of day, month and
 * year, and whether the year has two digits. */
static int parse_date_fmt(struct map_col *c, const char *fmt, const char *where, ctip_err *e)
{
	c->date_parts = 0;
	c->yy = 0;
	const char *p = fmt;
	while (*p) {
		char ch = (char)toupper((unsigned char)*p);
		if (ch != 'D' && ch != 'M' && ch != 'Y') {
			if (isalnum((unsigned char)*p))
				break;
			p++;
			continue;
		}
		int n = 0;
		while (toupper((unsigned char)p[n]) == ch)
			n++;
		if (c->date_parts == 3 || memchr(c->date_order, ch, (size_t)c->date_parts) ||
		    (ch == 'Y' && n != 2 && n != 4) || (ch != 'Y' && n > 2))
			break;
		if (ch == 'Y')
			c->yy = n == 2;
		c->date_order[c->date_parts++] = ch;
		p += n;
	}
	if (*p || !memchr(c->date_order, 'Y', (size_t)c->date_parts) ||
	    (memchr(c->date_order, 'D', (size_t)c->date_parts) &&
	     !memchr(c->date_order, 'M', (size_t)c->date_parts)))
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: \"date\": '%s' is not a date format (write it with DD, MM "
		                    "and YYYY or YY, e.g. \"DD-MM-YY\" or \"DD/MM/YYYY\")",
		                    where, fmt);
	return CTIP_OK;
}

static int parse_action(json_t *v, int *out, const char *where, ctip_err *e)
{
	const char *s = json_string_value(v);
	if (s && !strcmp(s, "flag"))
		*out = A_FLAG;
	else if (s && !strcmp(s, "reject"))
		*out = A_REJECT;
	else
		return ctip_err_set(e, CTIP_EINVAL, "%s: expected \"flag\" or \"reject\"", where);
	return CTIP_OK;
}

static int parse_quality(ctip_map *m, json_t *q, ctip_err *e)
{
	const char *k;
	json_t *v;
	if (!json_is_object(q))
		return ctip_err_set(e, CTIP_EINVAL, "%s: \"quality\" must be an object", m->name);
	json_object_foreach(q, k, v)
	{
		char where[300];
		snprintf(where, sizeof(where), "%s: quality.%s", m->name, k);
		int rc = CTIP_OK;
		if (!strcmp(k, "expiry_before_issue"))
			rc = parse_action(v, &m->q_expiry, where, e);
		else if (!strcmp(k, "birth_after_exploitation"))
			rc = parse_action(v, &m->q_birth, where, e);
		else if (!strcmp(k, "age")) {
			json_t *mn = json_object_get(v, "min"), *mx = json_object_get(v, "max");
			if (!json_is_object(v) || !json_is_integer(mn) || !json_is_integer(mx) ||
			    json_integer_value(mn) < 0 ||
			    json_integer_value(mx) < json_integer_value(mn) ||
			    json_integer_value(mx) > 130)
				return ctip_err_set(e, CTIP_EINVAL,
				                    "%s: expected {\"min\": 15, \"max\": 65, "
				                    "\"action\": \"flag\"}",
				                    where);
			m->age_min = (int)json_integer_value(mn);
			m->age_max = (int)json_integer_value(mx);
			json_t *a = json_object_get(v, "action");
			rc = a ? parse_action(a, &m->q_age, where, e) : (m->q_age = A_FLAG, 0);
		} else
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: unknown check (expiry_before_issue, "
			                    "birth_after_exploitation, age)",
			                    where);
		if (rc)
			return rc;
	}
	return CTIP_OK;
}

static int field_of(const char *name, const char *where, ctip_err *e)
{
	int f = name ? ctip_field_find(name) : -1;
	if (f < 0)
		ctip_err_set(e, CTIP_EINVAL,
		             "%s: '%s' is not a ctip column (see `ctip help columns`)", where,
		             name ? name : "(not a string)");
	return f;
}

static int parse_col(ctip_map *m, struct map_col *c, const char *src, json_t *v, ctip_err *e)
{
	char where[400];
	snprintf(where, sizeof(where), "%s: columns.\"%s\"", m->name, src);
	c->to = -1;
	if (!(c->source = strdup(src)) || !(c->key = ctip_text_fold(src)))
		return ctip_err_set(e, CTIP_EINVAL, "%s: not valid UTF-8", where);
	if (!c->key[0])
		return ctip_err_set(e, CTIP_EINVAL, "%s: a column name must have a letter or digit",
		                    where);
	if (json_is_null(v)) {
		c->kind = K_IGNORE;
		return CTIP_OK;
	}
	if (json_is_string(v)) {
		c->kind = K_COPY;
		return (c->to = field_of(json_string_value(v), where, e)) < 0 ? CTIP_EINVAL : 0;
	}
	if (!json_is_object(v))
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: expected a ctip column name, an object or null (left out)",
		                    where);
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x)
	{
		static const char *known[] = {"to",     "date",  "pivot",     "values", "other",
		                              "prefix", "split", "separator", "order",  "ignore"};
		int ok = 0;
		for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
			ok |= !strcmp(k, known[i]);
		if (!ok)
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: unknown key '%s' (to, date, pivot, values, other, "
			                    "prefix, split, separator, order, ignore)",
			                    where, k);
	}
	if (json_is_true(json_object_get(v, "ignore"))) {
		c->kind = K_IGNORE;
		return CTIP_OK;
	}
	const char *split = json_string_value(json_object_get(v, "split"));
	json_t *to = json_object_get(v, "to");
	if (split) {
		if (to)
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: \"split\" sets its own columns; leave out \"to\"",
			                    where);
		if (!strcmp(split, "name")) {
			c->kind = K_NAME;
			const char *o = json_string_value(json_object_get(v, "order"));
			if (o && strcmp(o, "family_first") && strcmp(o, "given_first"))
				return ctip_err_set(e, CTIP_EINVAL,
				                    "%s: \"order\": family_first or given_first",
				                    where);
			c->given_first = o && !strcmp(o, "given_first");
		} else if (!strcmp(split, "address")) {
			c->kind = K_ADDRESS;
			const char *s = json_string_value(json_object_get(v, "separator"));
			if (s && strlen(s) != 1)
				return ctip_err_set(e, CTIP_EINVAL,
				                    "%s: \"separator\" must be one character",
				                    where);
			c->sep = s ? s[0] : '-';
		} else {
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: \"split\": \"name\" (family, middle and given "
			                    "names) or \"address\" (commune - district - province)",
			                    where);
		}
		return CTIP_OK;
	}
	c->kind = K_COPY;
	if ((c->to = field_of(json_string_value(to), where, e)) < 0)
		return CTIP_EINVAL;
	const char *fmt = json_string_value(json_object_get(v, "date"));
	if (fmt) {
		if (ctip_fields[c->to].type != FT_DATE)
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: \"date\" on %s, which is not a date", where,
			                    ctip_fields[c->to].name);
		if (parse_date_fmt(c, fmt, where, e))
			return CTIP_EINVAL;
		c->date_fmt = strdup(fmt);
		json_t *p = json_object_get(v, "pivot");
		if (c->yy && !json_is_integer(p))
			return ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: a two-digit year needs a century rule: \"pivot\": N "
			        "reads years 00..N as 20xx and the others as 19xx",
			        where);
		if (p && (!json_is_integer(p) || json_integer_value(p) < 0 ||
		          json_integer_value(p) > 99))
			return ctip_err_set(e, CTIP_EINVAL, "%s: \"pivot\" is a year from 0 to 99",
			                    where);
		c->pivot = p ? (int)json_integer_value(p) : 0;
	} else if (json_object_get(v, "pivot")) {
		return ctip_err_set(e, CTIP_EINVAL, "%s: \"pivot\" without \"date\"", where);
	}
	json_t *vals = json_object_get(v, "values");
	if (vals) {
		if (!json_is_object(vals))
			return ctip_err_set(e, CTIP_EINVAL,
			                    "%s: \"values\" must be an object {\"as written\": "
			                    "\"ctip value\"}",
			                    where);
		c->values = calloc(json_object_size(vals) + 1, sizeof(*c->values));
		if (!c->values)
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		json_object_foreach(vals, k, x)
		{
			if (!json_is_string(x))
				return ctip_err_set(e, CTIP_EINVAL,
				                    "%s: values.\"%s\" must be a string", where, k);
			struct value_map *vm = &c->values[c->nvalues++];
			vm->from = ctip_text_fold(k);
			vm->to = strdup(json_string_value(x));
			if (!vm->from || !vm->to)
				return ctip_err_set(e, CTIP_EINVAL, "%s: values.\"%s\": not UTF-8",
				                    where, k);
			for (int i = 0; i + 1 < c->nvalues; i++)
				if (!strcmp(c->values[i].from, vm->from))
					return ctip_err_set(e, CTIP_EINVAL,
					                    "%s: values.\"%s\" is listed twice "
					                    "(names are compared without case and "
					                    "diacritics)",
					                    where, k);
		}
	}
	const char *other = json_string_value(json_object_get(v, "other"));
	if (other && strcmp(other, "keep") && strcmp(other, "reject"))
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: \"other\": \"keep\" (a value not in \"values\" is read as "
		                    "written) or \"reject\"",
		                    where);
	c->other_reject = other && !strcmp(other, "reject");
	const char *prefix = json_string_value(json_object_get(v, "prefix"));
	if (prefix && !(c->prefix = strdup(prefix)))
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	return CTIP_OK;
}

/* The ctip columns a mapped column fills. */
static int col_targets(const struct map_col *c, int *out)
{
	switch (c->kind) {
	case K_COPY: out[0] = c->to; return 1;
	case K_NAME: out[0] = CF_FAMILY, out[1] = CF_MIDDLE, out[2] = CF_GIVEN; return 3;
	case K_ADDRESS: out[0] = CF_COMMUNE, out[1] = CF_DISTRICT, out[2] = CF_PROVINCE; return 3;
	default: return 0;
	}
}

int ctip_map_parse(const char *text, size_t len, const char *name, ctip_map **out, ctip_err *e)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return ctip_err_at(e, CTIP_EINVAL, name, je.line, NULL, "not a JSON mapping: %s",
		                   je.text);
	ctip_map *m = calloc(1, sizeof(*m));
	int rc = CTIP_OK;
	if (!m || !(m->name = strdup(name))) {
		free(m);
		json_decref(root);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	m->q_expiry = m->q_birth = A_FLAG;
	const char *k;
	json_t *v, *cols = json_object_get(root, "columns");
	if (!json_is_object(root) || !json_is_object(cols) || !json_object_size(cols)) {
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "%s: a mapping is an object with \"columns\": {\"column as in "
		                  "the file\": \"ctip column\", ...} (docs/IMPORT_FORMAT.md)",
		                  name);
		goto out;
	}
	json_object_foreach(root, k, v)
	{
		const char *s = json_string_value(v);
		if (!strcmp(k, "columns") || !strcmp(k, "format") || !strcmp(k, "comment"))
			continue;
		if (!strcmp(k, "version")) {
			if (json_integer_value(v) != 1) {
				rc = ctip_err_set(e, CTIP_EINVAL,
				                  "%s: \"version\": only 1 is known", name);
				goto out;
			}
		} else if (!strcmp(k, "encoding") && s) {
			m->encoding = strdup(s);
		} else if (!strcmp(k, "sheet") && s) {
			m->sheet = strdup(s);
		} else if (!strcmp(k, "separator") && s) {
			if (!strcmp(s, "tab") || !strcmp(s, "\t"))
				m->sep = '\t';
			else if (strlen(s) == 1 && strchr(",;|", s[0]))
				m->sep = s[0];
			else {
				rc = ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: \"separator\": one of \",\", \";\", \"|\", \"tab\"",
				        name);
				goto out;
			}
		} else if (!strcmp(k, "header_row") && json_is_integer(v) &&
		           json_integer_value(v) >= 1 && json_integer_value(v) <= 1000) {
			m->header_row = (long)json_integer_value(v);
		} else if (!strcmp(k, "quality")) {
			if ((rc = parse_quality(m, v, e)))
				goto out;
		} else if (!strcmp(k, "constants") && json_is_object(v)) {
			const char *ck;
			json_t *cv;
			json_object_foreach(v, ck, cv)
			{
				char where[300];
				snprintf(where, sizeof(where), "%s: constants", name);
				int f = field_of(ck, where, e);
				if (f < 0) {
					rc = CTIP_EINVAL;
					goto out;
				}
				if (!json_is_string(cv)) {
					rc = ctip_err_set(e, CTIP_EINVAL,
					                  "%s: constants.%s must be a string", name,
					                  ck);
					goto out;
				}
				m->consts[m->nconsts].field = f;
				m->consts[m->nconsts++].value = strdup(json_string_value(cv));
			}
		} else {
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "%s: unknown or mistyped key '%s' (format, version, "
			                  "encoding, separator, sheet, header_row, columns, "
			                  "constants, quality)",
			                  name, k);
			goto out;
		}
	}
	m->cols = calloc(json_object_size(cols), sizeof(*m->cols));
	if (!m->cols) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach(cols, k, v)
	{
		if ((rc = parse_col(m, &m->cols[m->ncols++], k, v, e)))
			goto out;
	}
	/* every ctip column is filled from one place only */
	int owner[CTIP_NFIELDS];
	for (int f = 0; f < CTIP_NFIELDS; f++)
		owner[f] = -1;
	for (int i = 0; i < m->ncols; i++) {
		int t[3], n = col_targets(&m->cols[i], t);
		for (int j = 0; j < i; j++)
			if (!strcmp(m->cols[j].key, m->cols[i].key)) {
				rc = ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: columns \"%s\" and \"%s\" name the same column "
				        "(compared without case, diacritics and punctuation)",
				        name, m->cols[j].source, m->cols[i].source);
				goto out;
			}
		for (int j = 0; j < n; j++) {
			if (owner[t[j]] >= 0) {
				rc = ctip_err_set(e, CTIP_EINVAL,
				                  "%s: columns \"%s\" and \"%s\" both fill %s",
				                  name, m->cols[owner[t[j]]].source,
				                  m->cols[i].source, ctip_fields[t[j]].name);
				goto out;
			}
			owner[t[j]] = i;
			m->group_mapped[ctip_fields[t[j]].group] = 1;
		}
	}
	for (int i = 0; i < m->nconsts; i++)
		if (owner[m->consts[i].field] >= 0) {
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "%s: constants.%s: the column \"%s\" fills it already",
			                  name, ctip_fields[m->consts[i].field].name,
			                  m->cols[owner[m->consts[i].field]].source);
			goto out;
		}
out:
	json_decref(root);
	if (rc)
		ctip_map_free(m);
	else
		*out = m;
	return rc;
}

int ctip_map_load(const char *path, ctip_map **out, ctip_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot open the mapping: %s", path,
		                    strerror(errno));
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			if (cap > (1u << 24)) {
				free(buf);
				fclose(f);
				return ctip_err_set(
				        e, CTIP_EINVAL,
				        "%s: a mapping of more than 16 MiB is not a mapping", path);
			}
			char *g = realloc(buf, cap = cap * 2 + 8192);
			if (!g) {
				free(buf);
				fclose(f);
				return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			}
			buf = g;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	int rc = bad ? ctip_err_set(e, CTIP_EIO, "%s: read error", path)
	             : ctip_map_parse(buf, len, path, out, e);
	free(buf);
	return rc;
}

/* ---- converting a row ------------------------------------------------------------------ */

/* A copy of s with ';' and '\' escaped, for one item of a list column. */
static char *list_item(const char *s)
{
	size_t n = strlen(s), extra = 0;
	for (size_t i = 0; i < n; i++)
		extra += s[i] == ';' || s[i] == '\\';
	char *o = malloc(n + extra + 1), *w = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ';' || s[i] == '\\')
			*w++ = '\\';
		*w++ = s[i];
	}
	*w = 0;
	return o;
}

/* Sets column f of r to s (a trimmed value), escaped when f is a list of one item. */
static int put(ctip_row *r, int f, const char *s)
{
	if (!s || !*s)
		return 0;
	if (ctip_fields[f].group != G_NONE) {
		char *v = list_item(s);
		if (!v)
			return -1;
		ctip_row_take(r, f, v);
		return 0;
	}
	return ctip_row_set(r, f, s);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* Reads value s in the column's date format into ISO 8601 (out, 11 bytes). An ISO date (as
 * the XLSX reader gives for a date cell) is taken as it is. */
static int convert_date(const struct map_col *c, const char *s, char *out, char *why, size_t whylen)
{
	int iso = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	for (int i = 0; iso && i < 10; i++)
		iso = i == 4 || i == 7 || isdigit((unsigned char)s[i]);
	if (iso) {
		memcpy(out, s, 11);
		return 0;
	}
	long part[3];
	int len[3], n = 0;
	const char *p = s;
	while (*p && n < 4) {
		if (!isdigit((unsigned char)*p)) {
			if (isalpha((unsigned char)*p) || (n == 0 && p != s))
				break;
			p++;
			continue;
		}
		char *end;
		long v = strtol(p, &end, 10);
		if (n == 3 || end - p > 4) {
			n = 4;
			break;
		}
		part[n] = v;
		len[n++] = (int)(end - p);
		p = end;
	}
	if (*p || n != c->date_parts) {
		snprintf(why, whylen, "'%s' is not a date written %s", s, c->date_fmt);
		return -1;
	}
	int y = 0, m = 0, d = 0;
	for (int i = 0; i < n; i++) {
		if (c->date_order[i] == 'Y') {
			y = (int)part[i];
			if (len[i] == 2 && c->yy)
				y += y <= c->pivot ? 2000 : 1900;
			else if (len[i] != 4) {
				snprintf(why, whylen, "'%s': the year must have %d digits (%s)", s,
				         c->yy ? 2 : 4, c->date_fmt);
				return -1;
			}
		} else if (c->date_order[i] == 'M') {
			m = (int)part[i];
		} else {
			d = (int)part[i];
		}
	}
	if ((c->date_parts > 1 && (m < 1 || m > 12)) ||
	    (d && (d < 1 || d > ctip_date_days_in_month(y, m))) || (c->date_parts == 3 && !d)) {
		snprintf(why, whylen, "'%s' is not a date written %s (day %d of month %d)", s,
		         c->date_fmt, d, m);
		return -1;
	}
	if (d)
		snprintf(out, 16, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		         (unsigned)d % 100u);
	else if (m)
		snprintf(out, 16, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
	else
		snprintf(out, 16, "%04u", (unsigned)y % 10000u);
	return 0;
}

/* Splits a full name into family, middle and given names. */
static int split_name(ctip_row *r, char *s, int given_first)
{
	char *tok[64];
	int n = 0;
	for (char *save = NULL, *t = strtok_r(s, " \t", &save); t && n < 64;
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	if (!n)
		return 0;
	char *family = n > 1 ? tok[given_first ? n - 1 : 0] : NULL;
	char *given = tok[given_first ? 0 : n - 1];
	char middle[1024];
	size_t w = 0;
	middle[0] = 0;
	for (int i = 1; i < n - 1; i++)
		w += (size_t)snprintf(middle + w, w < sizeof(middle) ? sizeof(middle) - w : 0,
		                      "%s%s", w ? " " : "", tok[i]);
	if (w >= sizeof(middle))
		return -2;
	if (put(r, CF_GIVEN, given) || put(r, CF_FAMILY, family) || put(r, CF_MIDDLE, middle))
		return -1;
	return 0;
}

/* Splits "commune - district - province" from the right: the last part is the province, the
 * one before it the district, the first the commune (a shorter address fills fewer). */
static int split_address(ctip_row *r, char *s, char sep, char *why, size_t whylen)
{
	char *part[3];
	int n = 0;
	char *p = s;
	for (;;) {
		char *q = strchr(p, sep);
		if (n == 3) {
			snprintf(why, whylen,
			         "more than three parts separated by '%c' (commune %c district %c "
			         "province)",
			         sep, sep, sep);
			return 1;
		}
		if (q)
			*q = 0;
		part[n++] = trim(p);
		if (!q)
			break;
		p = q + 1;
	}
	static const int to[3] = {CF_PROVINCE, CF_DISTRICT, CF_COMMUNE};
	for (int i = 0; i < n; i++)
		if (put(r, to[i], part[n - 1 - i]))
			return -1;
	return 0;
}

struct binding {
	const struct map_col *col; /* NULL: the header names a ctip column (field) */
	int field;                 /* -1: ignored */
	char *name;                /* the header as written */
};

/* Converts one cell. Returns 0, 1 when it is rejected (reported), -1 when out of memory. */
static int convert_cell(const struct binding *b, char *cell, ctip_row *r, ctip_diags *d)
{
	const char *header = b->name;
	char *s = trim(cell), why[300], buf[16];
	if (!*s)
		return 0;
	if (!b->col)
		return put(r, b->field, s);
	const struct map_col *c = b->col;
	switch (c->kind) {
	case K_IGNORE: return 0;
	case K_NAME: {
		int rc = split_name(r, s, c->given_first);
		if (rc == -2) {
			ctip_diag(d, r, header, "a name of more than 1000 characters");
			return 1;
		}
		return rc;
	}
	case K_ADDRESS: {
		int rc = split_address(r, s, c->sep, why, sizeof(why));
		if (rc > 0)
			ctip_diag(d, r, header, "%s", why);
		return rc;
	}
	case K_COPY: break;
	}
	const char *v = s;
	if (c->nvalues) {
		char *fold = ctip_text_fold(s);
		int found = 0;
		for (int i = 0; fold && i < c->nvalues && !found; i++)
			if (!strcmp(fold, c->values[i].from))
				v = c->values[i].to, found = 1;
		free(fold);
		if (!found && c->other_reject) {
			ctip_diag(
			        d, r, header,
			        "'%s' is not among the mapping's values for this column (add it to "
			        "\"values\")",
			        s);
			return 1;
		}
	}
	if (c->date_fmt) {
		if (convert_date(c, v, buf, why, sizeof(why))) {
			ctip_diag(d, r, header, "%s", why);
			return 1;
		}
		v = buf;
	}
	if (c->prefix) {
		size_t n = strlen(c->prefix) + strlen(v) + 1;
		char *pv = malloc(n);
		if (!pv)
			return -1;
		snprintf(pv, n, "%s%s", c->prefix, v);
		int rc = put(r, c->to, pv);
		free(pv);
		return rc;
	}
	return put(r, c->to, v);
}

/* ---- quality --------------------------------------------------------------------------- */

/* The earliest ISO date among the items of list column f, or NULL (points into r). */
static void earliest(const ctip_row *r, int f, char *out)
{
	char **it;
	int n;
	if (!ctip_row_get(r, f) || ctip_list_split(r->v[f], &it, &n))
		return;
	for (int i = 0; i < n; i++)
		if (it[i][0] && (!out[0] || strcmp(it[i], out) < 0))
			snprintf(out, 11, "%s", it[i]);
	ctip_list_free(it, n);
}

static int flag_or_reject(ctip_row *r, ctip_diags *d, int action, unsigned flag, const char *col,
                          const char *msg)
{
	if (action == A_REJECT) {
		ctip_diag(d, r, col, "%s (the mapping rejects such rows: quality.%s)", msg,
		          ctip_quality_name(flag));
		return 1;
	}
	r->quality |= flag;
	return 0;
}

int ctip_map_quality(const ctip_map *m, ctip_row *r, ctip_diags *d)
{
	if (!m)
		return 0;
	int errs = 0;
	const char *birth = ctip_row_get(r, CF_BIRTH);
	char when[11] = "";
	earliest(r, CF_EXPL_START, when);
	if (!when[0])
		earliest(r, CF_EV_DATE, when);
	if (birth && when[0] && m->q_birth &&
	    strncmp(birth, when, strlen(birth) < strlen(when) ? strlen(birth) : strlen(when)) > 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "born %s, after the exploitation began (%s)", birth,
		         when);
		errs += flag_or_reject(r, d, m->q_birth, CTIP_Q_BIRTH_AFTER_TRIP, "prs_Birthdate",
		                       msg);
	} else if (m->q_age) {
		long age = -1;
		if (birth && when[0]) {
			int by = atoi(birth), wy = atoi(when);
			age = wy - by;
			/* a month and day known on both sides: not yet the birthday that year */
			if (strlen(birth) >= 7 && strlen(when) >= 7 &&
			    strcmp(when + 4, birth + 4) < 0)
				age--;
		} else if (ctip_row_get(r, CF_AGE_TRAFFICKED)) {
			age = atol(r->v[CF_AGE_TRAFFICKED]);
		}
		if (age >= 0 && (age < m->age_min || age > m->age_max)) {
			char msg[128];
			snprintf(msg, sizeof(msg), "age %ld at the exploitation, outside %d-%d",
			         age, m->age_min, m->age_max);
			errs += flag_or_reject(r, d, m->q_age, CTIP_Q_AGE_RANGE, "prs_Birthdate",
			                       msg);
		}
	}
	return errs;
}

void ctip_map_print_row(FILE *out, const ctip_row *r)
{
	fprintf(out, "  line %ld:", r->line);
	for (int f = 0; f < CTIP_NFIELDS; f++)
		if (ctip_row_get(r, f))
			fprintf(out, " %s=%s;", ctip_fields[f].name, r->v[f]);
	for (unsigned q = 1; q <= CTIP_Q_ALL; q <<= 1)
		if (r->quality & q)
			fprintf(out, " [flag: %s]", ctip_quality_name(q));
	fputc('\n', out);
}

/* ---- reading --------------------------------------------------------------------------- */

static void describe_col(FILE *o, const char *header, const struct map_col *c)
{
	fprintf(o, "  %-24s -> ", header);
	switch (c->kind) {
	case K_IGNORE: fprintf(o, "(left out)\n"); return;
	case K_NAME:
		fprintf(o, "prs_SecondName, prs_MiddleName, prs_FirstName (name split, %s first)\n",
		        c->given_first ? "given name" : "family name");
		return;
	case K_ADDRESS:
		fprintf(o,
		        "ctip_MailingCommune, prs_MailingCity, prs_MailingState (address split on "
		        "'%c': commune %c district %c province)\n",
		        c->sep, c->sep, c->sep);
		return;
	case K_COPY: break;
	}
	fprintf(o, "%s", ctip_fields[c->to].name);
	if (c->date_fmt) {
		fprintf(o, " (date %s", c->date_fmt);
		if (c->yy)
			fprintf(o, "; years 00-%02d are 20xx, %02d-99 are 19xx", c->pivot,
			        c->pivot + 1);
		fputc(')', o);
	}
	if (c->nvalues)
		fprintf(o, " (%d value%s translated; others %s)", c->nvalues,
		        c->nvalues == 1 ? "" : "s", c->other_reject ? "rejected" : "kept");
	if (c->prefix)
		fprintf(o, " (prefixed \"%s\")", c->prefix);
	fputc('\n', o);
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Binds the header's columns to the mapping. Problems are reported on the header row; the
 * number of them is returned (-1: out of memory). */
static int bind_header(const struct ctip_map_read_opts *o, char **cells, int n, long line,
                       struct binding *b, int *has_org, int *has_record)
{
	const ctip_map *m = o->map;
	ctip_row hdr;
	ctip_row_init(&hdr);
	hdr.line = line;
	int errs = 0;
	int used[CTIP_NFIELDS] = {0};
	char *found = m ? calloc((size_t)m->ncols + 1, 1) : NULL;
	if (m && !found)
		return -1;
	for (int i = 0; i < n; i++) {
		b[i].col = NULL;
		b[i].field = -1;
		if (cells[i] && !(b[i].name = strdup(cells[i]))) {
			free(found);
			return -1;
		}
		char *key = cells[i] ? ctip_text_fold(cells[i]) : NULL;
		if (cells[i] && !key) {
			ctip_diag(o->d, &hdr, "(header)", "column %d: not valid text", i + 1);
			errs++;
			continue;
		}
		if (!key || !key[0]) {
			free(key);
			continue; /* a column without a name: its cells must be empty */
		}
		if (!m) {
			char *clean = ctip_text_clean(cells[i]);
			b[i].field = clean ? ctip_field_find(clean) : -1;
			if (b[i].field < 0) {
				ctip_diag(o->d, &hdr, clean ? clean : "(header)",
				          "unknown column (see `ctip help columns`), or import the "
				          "file "
				          "with a mapping: ctip import --map MAP.json");
				errs++;
			} else if (used[b[i].field]++) {
				ctip_diag(o->d, &hdr, clean, "column appears twice in the header");
				errs++;
			}
			free(clean);
			free(key);
			continue;
		}
		int k = 0;
		while (k < m->ncols && strcmp(m->cols[k].key, key))
			k++;
		free(key);
		if (k == m->ncols) {
			ctip_diag(o->d, &hdr, cells[i],
			          "not in the mapping %s: map it, or add \"%s\": null to its "
			          "\"columns\" to leave it out",
			          m->name, cells[i]);
			errs++;
			continue;
		}
		if (found[k]++) {
			ctip_diag(o->d, &hdr, cells[i], "appears twice in the header");
			errs++;
			continue;
		}
		b[i].col = &m->cols[k];
		int t[3], nt = col_targets(&m->cols[k], t);
		for (int j = 0; j < nt; j++)
			used[t[j]] = 1;
	}
	for (int k = 0; m && k < m->ncols; k++)
		if (!found[k]) {
			ctip_diag(o->d, &hdr, m->cols[k].source,
			          "the mapping names this column but the header (row %ld) has no "
			          "such column",
			          line);
			errs++;
		}
	free(found);
	for (int i = 0; m && i < m->nconsts; i++)
		used[m->consts[i].field] = 1;
	*has_org = used[CF_SRC_ORG];
	*has_record = used[CF_SRC_RECORD];
	if (!*has_org && !o->org) {
		ctip_diag(o->d, &hdr, "src_Organisation",
		          "no column gives it: add it to the mapping's \"constants\", or name the "
		          "reporting organisation with --org");
		errs++;
	}
	if (o->describe && !errs) {
		for (int i = 0; i < n; i++) {
			if (b[i].col)
				describe_col(o->describe, cells[i], b[i].col);
			else if (b[i].field >= 0)
				fprintf(o->describe, "  %-24s -> %s\n", cells[i],
				        ctip_fields[b[i].field].name);
		}
		for (int i = 0; m && i < m->nconsts; i++)
			fprintf(o->describe, "  %-24s -> %s = \"%s\"%s\n", "(constant)",
			        ctip_fields[m->consts[i].field].name, m->consts[i].value,
			        m->group_mapped[ctip_fields[m->consts[i].field].group] &&
			                        ctip_fields[m->consts[i].field].group != G_NONE
			                ? " (on rows with the rest of its group)"
			                : "");
		if (!*has_org)
			fprintf(o->describe, "  %-24s -> src_Organisation = \"%s\" (--org)\n",
			        "(option)", o->org);
		if (!*has_record)
			fprintf(o->describe, "  %-24s -> src_RecordId = \"FILE#LINE\"\n", "(made)");
		if (m)
			fprintf(o->describe,
			        "  quality: expiry_before_issue %s, birth_after_exploitation %s, "
			        "age "
			        "%s\n",
			        m->q_expiry == A_REJECT ? "reject" : "flag",
			        m->q_birth == A_REJECT ? "reject" : "flag",
			        !m->q_age              ? "not checked"
			        : m->q_age == A_REJECT ? "outside the range: reject"
			                               : "outside the range: flag");
		if (m && m->q_age)
			fprintf(o->describe, "  age range: %d-%d at the exploitation\n", m->age_min,
			        m->age_max);
	}
	return errs;
}

/* Fills the constants of the mapping a row has not set. A constant of a group that a column of
 * the file also fills goes only on rows where that column has a value (a document type with
 * no document is not a document). */
static int apply_constants(const ctip_map *m, ctip_row *r)
{
	for (int i = 0; m && i < m->nconsts; i++) {
		int f = m->consts[i].field;
		if (ctip_row_get(r, f))
			continue;
		enum ctip_fgroup g = ctip_fields[f].group;
		int any = g == G_NONE || !m->group_mapped[g];
		for (int k = 0; k < CTIP_NFIELDS && !any; k++)
			any = k != f && ctip_fields[k].group == g && ctip_row_get(r, k);
		if (any && put(r, f, m->consts[i].value))
			return -1;
	}
	return 0;
}

int ctip_map_read(FILE *f, const char *path, const struct ctip_map_read_opts *o, ctip_err *e)
{
	const ctip_map *m = o->map;
	struct ctip_src *src = NULL;
	struct ctip_src_opts so = {.encoding = m ? m->encoding : NULL,
	                           .sep = m ? m->sep : 0,
	                           .sheet = o->sheet ? o->sheet : ctip_map_sheet(m),
	                           .header_row = m ? m->header_row : 0};
	int rc = ctip_src_open(f, path, &so, &src, e);
	if (rc) {
		if (rc != CTIP_EINVAL)
			return rc;
		/* the file cannot be read as it is: a rejected file, reported like a row */
		ctip_row at;
		ctip_row_init(&at);
		at.line = e->line;
		ctip_diag(o->d, &at, e->field[0] ? e->field : NULL, "%s", e->msg);
		(*o->errors)++;
		ctip_err_clear(e);
		return CTIP_OK;
	}
	if (o->describe)
		fprintf(o->describe, "%s: %s\n", path, ctip_src_describe(src));
	char **cells;
	int n;
	long line;
	struct binding *b = NULL;
	int ncols = 0, has_org = 0, has_record = 0;
	ctip_row r;
	ctip_row_init(&r);
	while ((rc = ctip_src_next(src, &cells, &n, &line, e)) > 0) {
		if (!b) {
			if (so.header_row && line < so.header_row)
				continue; /* title rows above the header */
			if (!(b = calloc((size_t)n + 1, sizeof(*b)))) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			ncols = n;
			int errs = bind_header(o, cells, n, line, b, &has_org, &has_record);
			if (errs < 0) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
			if (errs) {
				*o->errors += errs;
				rc = 0;
				break;
			}
			continue;
		}
		ctip_row_clear(&r);
		r.line = line;
		int bad = 0, blank = 1;
		for (int i = 0; i < n; i++)
			blank &= !cells[i] || ctip_blank(cells[i]);
		if (blank)
			continue; /* spreadsheets end with rows that only look empty */
		(*o->rows)++;
		for (int i = 0; i < n && bad >= 0; i++) {
			if (!cells[i])
				continue;
			if (i >= ncols || (!b[i].col && b[i].field < 0)) {
				if (!ctip_blank(cells[i])) {
					ctip_diag(o->d, &r, NULL,
					          "a value in column %d, which has no name in the "
					          "header",
					          i + 1);
					bad = 1;
				}
				continue;
			}
			int c = convert_cell(&b[i], cells[i], &r, o->d);
			if (c)
				bad = c;
		}
		if (bad < 0 || apply_constants(m, &r)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		if (bad) {
			(*o->errors)++;
			continue;
		}
		if (!has_org && ctip_row_set(&r, CF_SRC_ORG, o->org)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			break;
		}
		if (!has_record) {
			char id[300];
			snprintf(id, sizeof(id), "%s#%ld", base_name(path), line);
			if (ctip_row_set(&r, CF_SRC_RECORD, id)) {
				rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
				break;
			}
		}
		if (m && m->q_expiry == A_FLAG)
			r.quality_allow |= CTIP_Q_EXPIRY_BEFORE_ISSUE;
		(*o->rows)--; /* the importer counts the rows it is given */
		if (o->progress)
			o->progress(o->ctx, ctip_src_done(src), ctip_src_total(src));
		if (o->take(o->ctx, &r)) {
			rc = 0;
			break;
		}
	}
	if (rc == 0 && !b) {
		ctip_row at;
		ctip_row_init(&at);
		at.line = 1;
		ctip_diag(o->d, &at, NULL,
		          so.header_row ? "no header row: the file ends before row %ld"
		                        : "empty file: expected a header row%.0ld",
		          so.header_row);
		(*o->errors)++;
	}
	if (rc < 0) {
		if (e->code == CTIP_EINVAL) {
			/* a malformed or truncated file is a rejected row, not a crash */
			ctip_row at;
			ctip_row_init(&at);
			at.line = e->line;
			ctip_diag(o->d, &at, NULL, "%s", e->msg);
			(*o->errors)++;
			ctip_err_clear(e);
			rc = 0;
		} else {
			rc = e->code;
		}
	}
	ctip_row_clear(&r);
	for (int i = 0; b && i < ncols; i++)
		free(b[i].name);
	free(b);
	ctip_src_close(src);
	return rc;
}
