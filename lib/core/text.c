/*
 * text.c - Unicode via utf8proc. The only hand-made mapping is đ/Đ -> d:
 * U+0111/U+0110 have no Unicode decomposition (the stroke is not a combining
 * mark), so no normalisation form turns them into d, yet every Vietnamese
 * user typing without diacritics writes "d".
 */
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int ctip_utf8_valid(const char *s, size_t len)
{
	return ctip_utf8_invalid_at(s, len) < 0;
}

long ctip_utf8_invalid_at(const char *s, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t i = 0;
	while (i < len) {
		utf8proc_int32_t cp;
		if (p[i] < 0x80) {
			if (p[i] == 0)
				return (long)i;
			i++;
			continue;
		}
		utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n < 0 || cp < 0)
			return (long)i;
		i += (size_t)n;
	}
	return -1;
}

int ctip_blank(const char *s)
{
	if (!s)
		return 1;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* Collapses whitespace runs (and, when punct, punctuation too) into one space, trims. In place. */
static void squeeze(char *s, int punct)
{
	char *w = s;
	int space = 1; /* drop leading */
	for (char *r = s; *r; r++) {
		unsigned char c = (unsigned char)*r;
		int sep = isspace(c) || (punct && c < 0x80 && ispunct(c) && c != '\'');
		if (punct && c == '\'')
			continue; /* H'Mông, Hmong */
		if (sep) {
			if (!space)
				*w++ = ' ';
			space = 1;
		} else {
			*w++ = (char)c;
			space = 0;
		}
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = 0;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* True when s is certainly NFC already: every code point is below U+0300 (Latin, no
 * combining marks) or in Latin Extended Additional (U+1E00-U+1EFF, where the precomposed
 * Vietnamese letters live). Both ranges hold only starters that are primary composites, so
 * NFC leaves them as they are; anything else goes through utf8proc. */
static int is_nfc_latin(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	while (*p) {
		utf8proc_int32_t cp;
		if (*p < 0x80) {
			p++;
			continue;
		}
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0 || !(cp < 0x300 || (cp >= 0x1E00 && cp <= 0x1EFF)))
			return 0;
		p += n;
	}
	return 1;
}

int ctip_text_is_clean(const char *s)
{
	size_t n = strlen(s);
	if (!n || isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))
		return n == 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (isspace((unsigned char)s[i]) &&
		    (s[i] != ' ' || isspace((unsigned char)s[i + 1])))
			return 0;
	return ctip_utf8_valid(s, n) && is_nfc_latin(s);
}

char *ctip_text_clean(const char *s)
{
	if (!s || !ctip_utf8_valid(s, strlen(s)))
		return NULL;
	char *out = is_nfc_latin(s) ? strdup(s) : (char *)utf8proc_NFC((const utf8proc_uint8_t *)s);
	if (out)
		squeeze(out, 0);
	return out;
}

static utf8proc_int32_t fold_dstroke(utf8proc_int32_t c, void *data)
{
	(void)data;
	return (c == 0x0111 || c == 0x0110) ? 'd' : c;
}

char *ctip_text_fold(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	if (!s || !ctip_utf8_valid(s, strlen(s)))
		return NULL;
	if (is_ascii(s)) { /* no marks to strip: lower case is the whole fold */
		char *o = strdup(s);
		if (!o)
			return NULL;
		for (char *p = o; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		squeeze(o, 1);
		return o;
	}
	utf8proc_ssize_t n = utf8proc_map_custom((const utf8proc_uint8_t *)s, 0, &out,
	                                         UTF8PROC_NULLTERM | UTF8PROC_STABLE |
	                                                 UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
	                                                 UTF8PROC_STRIPMARK | UTF8PROC_COMPOSE,
	                                         fold_dstroke, NULL);
	if (n < 0)
		return NULL;
	squeeze((char *)out, 1);
	return (char *)out;
}

long ctip_text_fold_buf(const char *s, char *buf, size_t n)
{
	size_t len = 0;
	if (s && is_ascii(s) && (len = strlen(s)) < n) {
		for (size_t i = 0; i <= len; i++)
			buf[i] = (char)tolower((unsigned char)s[i]);
		squeeze(buf, 1);
		return (long)strlen(buf);
	}
	char *f = ctip_text_fold(s);
	if (!f)
		return -1;
	len = strlen(f);
	if (len + 1 > n) {
		free(f);
		return -1;
	}
	memcpy(buf, f, len + 1);
	free(f);
	return (long)len;
}

char *ctip_text_alnum_upper(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *out = malloc(n + 1), *w = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (isalnum((unsigned char)s[i]))
			*w++ = (char)toupper((unsigned char)s[i]);
	*w = 0;
	return out;
}

void ctip_html_escape(FILE *out, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
}
