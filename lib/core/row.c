/*
 * row.c - validation and canonical form of a row (see row.h). Every rule
 * about what a value may be lives here, so the CSV importer, the JSON
 * importer and (later) the HTTP API accept exactly the same things.
 */
#include "row.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "import_src.h"
#include "progress.h"
#include "text.h"

void ctip_row_init(ctip_row *r)
{
	memset(r, 0, sizeof(*r));
}

void ctip_row_clear(ctip_row *r)
{
	for (int i = 0; i < CTIP_NFIELDS; i++)
		free(r->v[i]);
	for (int i = 0; i < CTIP_NAUX; i++)
		free(r->aux[i]);
	ctip_row_init(r);
}

int ctip_row_set(ctip_row *r, int f, const char *s)
{
	char *c = NULL;
	if (s && !(c = strdup(s)))
		return CTIP_ENOMEM;
	free(r->v[f]);
	r->v[f] = c;
	return CTIP_OK;
}

void ctip_row_take(ctip_row *r, int f, char *s)
{
	free(r->v[f]);
	r->v[f] = s;
}

/* ---- lists ------------------------------------------------------------------------- */

/* One allocation holds the array and the unescaped text the items point into: lists are
 * split for every list cell of every row on import. */
int ctip_list_split(const char *s, char ***items, int *n)
{
	*items = NULL;
	*n = 0;
	if (!s || !*s)
		return CTIP_OK;
	int cap = 1;
	size_t len = 0;
	for (const char *p = s; *p; p++, len++)
		cap += *p == ';';
	char **it = malloc((size_t)cap * sizeof(*it) + len + 1);
	if (!it)
		return CTIP_ENOMEM;
	char *w = (char *)(it + cap);
	int k = 0;
	it[k++] = w;
	for (const char *p = s; *p; p++) {
		if (*p == '\\' && (p[1] == ';' || p[1] == '\\')) {
			*w++ = *++p;
		} else if (*p == ';') {
			*w++ = 0;
			it[k++] = w;
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
	*items = it;
	*n = k;
	return CTIP_OK;
}

void ctip_list_free(char **items, int n)
{
	(void)n;
	free(items);
}

/* Frees an array of separately allocated strings. */
static void free_strv(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *ctip_list_join(char *const *items, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += 2 * strlen(items[i] ? items[i] : "") + 1;
	char *out = malloc(len), *w = out;
	if (!out)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (i)
			*w++ = ';';
		for (const char *p = items[i] ? items[i] : ""; *p; p++) {
			if (*p == ';' || *p == '\\')
				*w++ = '\\';
			*w++ = *p;
		}
	}
	*w = 0;
	return out;
}

int ctip_list_count(const char *s)
{
	if (!s || !*s)
		return 0;
	int n = 1;
	for (const char *p = s; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == ';')
			n++;
	}
	return n;
}

/* ---- diagnostics ------------------------------------------------------------------- */

void ctip_diag(ctip_diags *d, const ctip_row *r, const char *column, const char *fmt, ...)
{
	if (d->count++ == 0) {
		va_list fa;
		va_start(fa, fmt);
		snprintf(d->first_field, sizeof(d->first_field), "%s", column ? column : "");
		vsnprintf(d->first_msg, sizeof(d->first_msg), fmt, fa);
		va_end(fa);
	}
	if (!d->out || (d->max_print && d->count > d->max_print))
		return;
	ctip_progress_interrupt(); /* not on the line of a progress bar */
	flockfile(d->out);         /* one whole line, even when the importer's two threads report */
	if (d->file)
		fprintf(d->out, "%s:", d->file);
	if (r && r->line)
		fprintf(d->out, "%ld:", r->line);
	if (r && r->where[0])
		fprintf(d->out, " %s:", r->where);
	if (column)
		fprintf(d->out, " %s:", column);
	fputc(' ', d->out);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
	funlockfile(d->out);
}

/* ---- values ------------------------------------------------------------------------ */

int ctip_phone_e164(const char *in, char *out)
{
	char digits[32];
	int n = 0, plus = 0;
	for (const char *p = in; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isdigit(c)) {
			if (n >= 30)
				return -1;
			digits[n++] = (char)c;
		} else if (c == '+' && n == 0 && !plus) {
			plus = 1;
		} else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')')) {
			return -1;
		}
	}
	digits[n] = 0;
	const char *d = digits;
	char national[32];
	if (!plus && n > 2 && d[0] == '0' && d[1] == '0') { /* 00 international prefix */
		d += 2;
	} else if (!plus && d[0] == '0') { /* Vietnamese national number: 0 + 9 or 10 digits */
		if (n != 10 && n != 11)
			return -1;
		national[0] = '8';
		national[1] = '4';
		memcpy(national + 2, d + 1, (size_t)n);
		d = national;
	} else if (!plus && !(d[0] == '8' && d[1] == '4' && (n == 11 || n == 12))) {
		return -1;
	}
	size_t len = strlen(d);
	if (len < 7 || len > 15 || d[0] == '0')
		return -1;
	out[0] = '+';
	memcpy(out + 1, d, len + 1);
	return 0;
}

static const char *bool_canon(const char *s)
{
	static const char *yes[] = {"true", "yes", "y", "1", "x", "co", "dong y"};
	static const char *no[] = {"false", "no", "n", "0", "khong", "khong dong y"};
	char f[64];
	if (ctip_text_fold_buf(s, f, sizeof(f)) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		if (!strcmp(f, yes[i]))
			return "true";
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		if (!strcmp(f, no[i]))
			return "false";
	return NULL;
}

static int int_canon(const char *s, char *out, long max)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	long v = strtol(s, &end, 10);
	if (*end || v < 0 || v > max)
		return -1;
	snprintf(out, 24, "%ld", v);
	return 0;
}

static int amount_canon(const char *s, char *out)
{
	/* digits, optionally '.' and 1-2 decimals; thousands separators are refused because
	 * "1.500" is 1500 in Vietnamese and 1.5 in English */
	const char *p = s;
	int intd = 0, dec = -1;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (dec >= 0)
				dec++;
			else
				intd++;
		} else if (*p == '.' && dec < 0) {
			dec = 0;
		} else {
			return -1;
		}
	}
	if (!intd || dec == 0 || dec > 2 || intd > 15)
		return -1;
	while (*s == '0' && s[1] && s[1] != '.')
		s++;
	snprintf(out, 32, "%s", s);
	return 0;
}

/* Returned by canon_value when the value is already canonical: nothing to allocate. */
static char keep_marker;
#define KEEP (&keep_marker)

static char *keep_or_dup(const char *raw, const char *canonical)
{
	return strcmp(raw, canonical) == 0 ? KEEP : strdup(canonical);
}

/* Canonical form of one scalar value of column f (malloc'd, or KEEP when raw is already
 * canonical), or NULL with a reason. */
static char *canon_value(const ctip_row *r, int f, const char *raw, const ctip_ref *ref, char *why,
                         size_t whylen)
{
	const struct ctip_field_def *fd = &ctip_fields[f];
	const struct ctip_ref_entry *en;
	char buf[64];
	ctip_err e = {0};
	ctip_date dt;

	if (!ctip_utf8_valid(raw, strlen(raw))) {
		/* name the encoding the file is most likely in, and the fix */
		const char *g = ctip_src_guess_encoding((const unsigned char *)raw, strlen(raw),
		                                        strlen(raw));
		snprintf(why, whylen,
		         "invalid UTF-8 (byte %ld): the file looks like %s. Fix: convert it (iconv "
		         "-f %s -t UTF-8), or import it through a mapping naming \"encoding\": "
		         "\"%s\"",
		         ctip_utf8_invalid_at(raw, strlen(raw)) + 1, g, g, g);
		return NULL;
	}
	switch (fd->type) {
	case FT_TEXT:
	case FT_ORG: return ctip_text_is_clean(raw) ? KEEP : ctip_text_clean(raw);
	case FT_ID:
	case FT_DOCNO: {
		if (fd->type == FT_ID && ctip_text_is_clean(raw) && !strpbrk(raw, "\r\n\t"))
			return KEEP;
		char *c = ctip_text_clean(raw);
		if (c && strpbrk(c, "\r\n\t")) {
			snprintf(why, whylen, "an identifier may not contain line breaks or tabs");
			free(c);
			return NULL;
		}
		if (c && fd->type == FT_DOCNO) {
			char *norm = ctip_text_alnum_upper(c);
			int ok = norm && strlen(norm) >= 5 && strlen(norm) <= 20;
			free(norm);
			if (!ok) {
				snprintf(
				        why, whylen,
				        "'%s' is not a document number (5 to 20 letters or digits)",
				        c);
				free(c);
				return NULL;
			}
		}
		return c;
	}
	case FT_PICK:
	case FT_MULTI:
	case FT_ORGTYPE:
		if ((en = ctip_ref_lookup(ref, fd->vocab, raw)))
			return keep_or_dup(raw, en->code);
		ctip_ref_examples(ref, fd->vocab, buf, sizeof(buf));
		snprintf(why, whylen, "unknown value '%s' (expected one of: %s)", raw, buf);
		return NULL;
	case FT_COUNTRY:
	case FT_COUNTRIES:
		if ((en = ctip_ref_lookup(ref, "country", raw)))
			return keep_or_dup(raw, en->code);
		snprintf(why, whylen, "unknown country '%s' (ISO 3166 code or name)", raw);
		return NULL;
	case FT_PROVINCE: {
		const char *era = f == CF_PROVINCE ? ctip_row_get(r, CF_PROVINCE_ERA) : NULL;
		en = NULL;
		if (!era || !strcmp(era, "2008"))
			en = ctip_ref_lookup(ref, "province_2008", raw);
		if (!en && (!era || !strcmp(era, "2025")))
			en = ctip_ref_lookup(ref, "province_2025", raw);
		if (en)
			return keep_or_dup(raw, en->label_vi);
		snprintf(why, whylen, "unknown province '%s'%s%s", raw,
		         era ? " in the list of " : "", era ? era : "");
		return NULL;
	}
	case FT_ERA:
		if (!strcmp(raw, "2008") || !strcmp(raw, "2025"))
			return KEEP;
		snprintf(why, whylen, "'%s' must be 2008 (63 provinces) or 2025 (34 provinces)",
		         raw);
		return NULL;
	case FT_DATE:
		if (ctip_date_parse(raw, &dt, &e) == CTIP_OK) {
			ctip_date today = ctip_date_today();
			if (ctip_date_cmp(&dt, &today) > 0 && f != CF_DOC_EXPIRES) {
				snprintf(why, whylen, "date %s is in the future", raw);
				return NULL;
			}
			ctip_date_format(&dt, buf);
			return keep_or_dup(raw, buf);
		}
		snprintf(why, whylen, "%s", e.msg);
		return NULL;
	case FT_INT:
		if (int_canon(raw, buf, f == CF_AGE_TRAFFICKED ? 120 : 100000000) == 0)
			return keep_or_dup(raw, buf);
		snprintf(why, whylen, "'%s' is not a whole number%s", raw,
		         f == CF_AGE_TRAFFICKED ? " from 0 to 120" : "");
		return NULL;
	case FT_AMOUNT:
		if (amount_canon(raw, buf) == 0)
			return keep_or_dup(raw, buf);
		snprintf(why, whylen,
		         "'%s' is not an amount (digits, optionally '.' and 2 decimals; no "
		         "thousands separators)",
		         raw);
		return NULL;
	case FT_BOOL: {
		const char *b = bool_canon(raw);
		if (b)
			return keep_or_dup(raw, b);
		snprintf(why, whylen, "'%s' is not true or false", raw);
		return NULL;
	}
	case FT_PHONE:
		if (ctip_phone_e164(raw, buf) == 0)
			return keep_or_dup(raw, buf);
		snprintf(why, whylen, "'%s' is not a phone number", raw);
		return NULL;
	}
	snprintf(why, whylen, "unsupported column type");
	return NULL;
}

/* The column of each group that every item must have. */
static int group_key(enum ctip_fgroup g)
{
	switch (g) {
	case G_OUTREF: return CF_REF_TO;
	case G_INREF: return CF_INREF_FROM;
	case G_COMMENT: return CF_COMMENT;
	case G_IDDOC: return CF_DOC_NUMBER;
	case G_EXPLOIT: return -1;
	case G_EVENT: return CF_EV_TYPE;
	case G_ASSIST: return CF_AS_KIND;
	case G_PROC: return CF_PR_STAGE;
	default: return -1;
	}
}

static int canon_field(ctip_row *r, int f, const ctip_ref *ref, ctip_diags *d)
{
	const struct ctip_field_def *fd = &ctip_fields[f];
	char why[600];
	const char *raw = r->v[f];
	if (ctip_blank(raw)) {
		ctip_row_take(r, f, NULL);
		return 0;
	}
	if (!(fd->flags & CTIP_F_LIST)) {
		char *c = canon_value(r, f, raw, ref, why, sizeof(why));
		if (!c) {
			ctip_diag(d, r, fd->name, "%s", why);
			return 1;
		}
		if (c != KEEP)
			ctip_row_take(r, f, *c ? c : (free(c), NULL));
		return 0;
	}
	char **items, **out;
	int n, errs = 0, k = 0;
	if (ctip_list_split(raw, &items, &n) || !(out = calloc((size_t)n + 1, sizeof(*out)))) {
		if (n)
			ctip_list_free(items, n);
		ctip_diag(d, r, fd->name, "out of memory");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char *c;
		if (ctip_blank(items[i])) {
			if (fd->group == G_NONE) /* plain multi-value: drop empty items */
				continue;
			c = strdup("");
		} else if (!(c = canon_value(r, f, items[i], ref, why, sizeof(why)))) {
			ctip_diag(d, r, fd->name, "item %d: %s", i + 1, why);
			errs++;
			continue;
		} else if (c == KEEP && !(c = strdup(items[i]))) {
			errs++;
			continue;
		}
		/* a code listed twice in a multi-valued picklist means it once */
		int dup = 0;
		if (fd->group == G_NONE)
			for (int j = 0; j < k && !dup; j++)
				dup = !strcmp(out[j], c);
		if (dup)
			free(c);
		else
			out[k++] = c;
	}
	ctip_list_free(items, n);
	/* a group whose items are all empty is unknown, not a list of empty items */
	int all_empty = 1;
	for (int i = 0; i < k; i++)
		all_empty &= !out[i][0];
	if (!errs)
		ctip_row_take(r, f, all_empty ? NULL : ctip_list_join(out, k));
	free_strv(out, k);
	return errs;
}

static int date_order(ctip_row *r, ctip_diags *d, int from, int to, int i, const char *a,
                      const char *b, const char *what)
{
	if (a && b && *a && *b &&
	    strncmp(b, a, strlen(b) < strlen(a) ? strlen(b) : strlen(a)) < 0) {
		if (i >= 0)
			ctip_diag(d, r, ctip_fields[to].name, "item %d: %s %s is before %s %s",
			          i + 1, what, b, ctip_fields[from].name, a);
		else
			ctip_diag(d, r, ctip_fields[to].name, "%s %s is before %s %s", what, b,
			          ctip_fields[from].name, a);
		return 1;
	}
	return 0;
}

static int check_group_pair(ctip_row *r, ctip_diags *d, int from, int to, const char *what)
{
	char **a, **b;
	int na, nb, errs = 0;
	if (ctip_list_split(r->v[from], &a, &na))
		return 1;
	if (ctip_list_split(r->v[to], &b, &nb)) {
		ctip_list_free(a, na);
		return 1;
	}
	for (int i = 0; i < na && i < nb; i++)
		errs += date_order(r, d, from, to, i, a[i], b[i], what);
	ctip_list_free(a, na);
	ctip_list_free(b, nb);
	return errs;
}

static void derive(ctip_row *r, const ctip_ref *ref)
{
	for (int i = 0; i < CTIP_NAUX; i++) {
		free(r->aux[i]);
		r->aux[i] = NULL;
	}
	const char *era = r->v[CF_PROVINCE_ERA];
	if (ctip_row_get(r, CF_PROVINCE) && era) {
		const struct ctip_ref_entry *en = ctip_ref_lookup(
		        ref, strcmp(era, "2008") ? "province_2025" : "province_2008",
		        r->v[CF_PROVINCE]);
		if (en) {
			r->aux[AUX_PROVINCE_CODE] = strdup(en->code);
			r->aux[AUX_PROVINCE_2025] =
			        strdup(strcmp(era, "2008") ? en->code : en->extra);
		}
	}
}

char *ctip_row_name_tokens(const ctip_row *r)
{
	const char *parts[3] = {r->v[CF_FAMILY], r->v[CF_MIDDLE], r->v[CF_GIVEN]};
	size_t len = 4; /* three separators and the NUL */
	for (int i = 0; i < 3; i++)
		len += parts[i] ? strlen(parts[i]) : 0;
	char *name = malloc(len), *w = name;
	if (!name)
		return NULL;
	for (int i = 0; i < 3; i++)
		if (parts[i]) {
			size_t n = strlen(parts[i]);
			memcpy(w, parts[i], n);
			w += n;
			*w++ = ' ';
		}
	*w = 0;
	char *tokens = ctip_text_fold(name);
	free(name);
	return tokens;
}

/* The longest value of a field, in characters (of each item of a `;` list): identity fields
 * as docs/IMPORT_FORMAT.md ("Length limits") states; every other field 1,000 (so that no
 * field holds a megabyte). */
static long max_chars(int f)
{
	switch (f) {
	case CF_FAMILY:
	case CF_MIDDLE:
	case CF_GIVEN: return 100;
	case CF_DOC_NUMBER: return 40;
	case CF_MOBILE:
	case CF_HOMEPHONE: return 30;
	case CF_STREET: return 200;
	case CF_COMMUNE:
	case CF_DISTRICT: return 100;
	case CF_SRC_RECORD:
	case CF_SRC_CASE: return 100;
	case CF_CAS_CLOSURE: return 2000;
	case CF_COMMENT: return 20000;
	default: return 1000;
	}
}

/* Reports every value longer than its field allows; the number of them. */
static int check_lengths(ctip_row *r, ctip_diags *d)
{
	int errs = 0;
	for (int f = 0; f < CTIP_NFIELDS; f++) {
		const char *p = r->v[f];
		if (!p)
			continue;
		long max = max_chars(f), n = 0, worst = 0;
		int list = (ctip_fields[f].flags & CTIP_F_LIST) != 0;
		for (; *p; p++) {
			if (list && *p == '\\' && p[1]) {
				p++, n++;
				continue;
			}
			if (list && *p == ';') {
				n = 0;
				continue;
			}
			if (((unsigned char)*p & 0xC0) != 0x80 && ++n > worst)
				worst = n;
		}
		if (worst > max)
			ctip_diag(d, r, ctip_fields[f].name,
			          "is %ld characters long%s; at most %ld (docs/IMPORT_FORMAT.md, "
			          "Length "
			          "limits)",
			          worst, list ? " (one item)" : "", max),
			        errs++;
	}
	return errs;
}

int ctip_row_canon(ctip_row *r, const ctip_ref *ref, ctip_diags *d)
{
	int errs = check_lengths(r, d);
	if (errs)
		return errs; /* nothing more is read of values that long */
	/* the era decides how the province is read, so it goes first */
	errs += canon_field(r, CF_PROVINCE_ERA, ref, d);
	for (int f = 0; f < CTIP_NFIELDS; f++)
		if (f != CF_PROVINCE_ERA)
			errs += canon_field(r, f, ref, d);
	if (ctip_row_get(r, CF_PROVINCE) && !ctip_row_get(r, CF_PROVINCE_ERA)) {
		/* record which list the name was found in, so export -> import reads it the same */
		const char *era =
		        ctip_ref_lookup(ref, "province_2008", r->v[CF_PROVINCE]) ? "2008" : "2025";
		ctip_row_set(r, CF_PROVINCE_ERA, era);
	} else if (!ctip_row_get(r, CF_PROVINCE) && ctip_row_get(r, CF_PROVINCE_ERA)) {
		ctip_row_take(r, CF_PROVINCE_ERA, NULL);
	}

	for (int f = 0; f < CTIP_NFIELDS; f++)
		if ((ctip_fields[f].flags & CTIP_F_REQUIRED) && !ctip_row_get(r, f) &&
		    !(r->v[f] == NULL && errs))
			ctip_diag(d, r, ctip_fields[f].name, "required, but empty"), errs++;

	/* the columns of a group are parallel lists */
	for (int g = G_NONE + 1; g < G_COUNT; g++) {
		int n = -1, first = -1, key = group_key((enum ctip_fgroup)g);
		for (int f = 0; f < CTIP_NFIELDS; f++) {
			if ((int)ctip_fields[f].group != g || !ctip_row_get(r, f))
				continue;
			int c = ctip_list_count(r->v[f]);
			if (n < 0) {
				n = c, first = f;
			} else if (c != n) {
				ctip_diag(d, r, ctip_fields[f].name,
				          "has %d items but %s has %d: the columns of a group are "
				          "parallel lists",
				          c, ctip_fields[first].name, n);
				errs++;
			}
		}
		if (n > 0 && key >= 0) {
			char **it;
			int k;
			if (!ctip_row_get(r, key)) {
				ctip_diag(d, r, ctip_fields[key].name, "required by %s, but empty",
				          ctip_fields[first].name);
				errs++;
			} else if (ctip_list_split(r->v[key], &it, &k) == 0) {
				for (int i = 0; i < k; i++)
					if (!it[i][0]) {
						ctip_diag(d, r, ctip_fields[key].name,
						          "item %d is empty", i + 1);
						errs++;
					}
				ctip_list_free(it, k);
			}
		}
	}

	/* role-specific context */
	const char *role = ctip_row_get(r, CF_ROLE);
	if (!role) {
		ctip_row_set(r, CF_ROLE, "Victim");
		role = r->v[CF_ROLE];
	}
	int victim = !strcmp(role, "Victim"), perp = !strcmp(role, "Perpetrator");
	for (int f = CF_TR_STATUS; f <= CF_EXPL_END; f++)
		if (!victim && ctip_row_get(r, f)) {
			ctip_diag(d, r, ctip_fields[f].name,
			          "victim context on a row whose ctip_Role is %s", role);
			errs++;
		}
	if (!perp && ctip_row_get(r, CF_PERP_ROLE)) {
		ctip_diag(d, r, ctip_fields[CF_PERP_ROLE].name,
		          "perpetrator context on a row whose ctip_Role is %s", role);
		errs++;
	}

	/* dates in order */
	if (!errs) {
		errs += date_order(r, d, CF_CAS_OPENED, CF_CAS_CLOSED, -1, r->v[CF_CAS_OPENED],
		                   r->v[CF_CAS_CLOSED], "closed");
		if (r->quality_allow & 1u) {
			/* the mapping imports such a row with a data-quality flag instead */
			ctip_diags quiet = {0};
			if (check_group_pair(r, &quiet, CF_DOC_ISSUED, CF_DOC_EXPIRES, "expiry"))
				r->quality |= 1u;
		} else {
			errs += check_group_pair(r, d, CF_DOC_ISSUED, CF_DOC_EXPIRES, "expiry");
		}
		errs += check_group_pair(r, d, CF_EXPL_START, CF_EXPL_END, "end");
	}
	if (!r->v[CF_SRC_CASE] && r->v[CF_SRC_RECORD])
		ctip_row_set(r, CF_SRC_CASE, r->v[CF_SRC_RECORD]);
	if (!errs)
		derive(r, ref);
	return errs;
}
