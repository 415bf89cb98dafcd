/*
 * json_text.c - writing a JSON response as text, for the hot path (search):
 * building it as jansson values and dumping them cost more than the search's
 * own SQL for a page of results. Strings are escaped as JSON requires; bytes
 * that are not valid UTF-8 become U+FFFD, so the output is always valid JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static void put(struct srv_jtext *j, const char *s, size_t n)
{
	if (j->oom)
		return;
	if (j->n + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 4096;
		while (j->n + n + 1 > cap)
			cap *= 2;
		char *b = realloc(j->b, cap);
		if (!b) {
			j->oom = 1;
			return;
		}
		j->b = b;
		j->cap = cap;
	}
	memcpy(j->b + j->n, s, n);
	j->n += n;
	j->b[j->n] = 0;
}

void srv_jt_raw(struct srv_jtext *j, const char *s)
{
	put(j, s, strlen(s));
}

size_t srv_fmt_int(char out[24], long long v)
{
	char b[24], *w = b + sizeof(b);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do
		*--w = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--w = '-';
	size_t n = (size_t)(b + sizeof(b) - w);
	memcpy(out, w, n);
	out[n] = 0;
	return n;
}

void srv_jt_int(struct srv_jtext *j, long long v)
{
	char b[24];
	put(j, b, srv_fmt_int(b, v));
}

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
	if (!n || *p > 0xf4)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates and code points above U+10FFFF */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

void srv_jt_str(struct srv_jtext *j, const char *s)
{
	if (!s) {
		put(j, "null", 4);
		return;
	}
	put(j, "\"", 1);
	const unsigned char *p = (const unsigned char *)s, *run = p;
	while (*p) {
		const char *esc = NULL;
		char u[8];
		size_t skip = 1;
		if (*p == '"')
			esc = "\\\"";
		else if (*p == '\\')
			esc = "\\\\";
		else if (*p < 0x20) {
			snprintf(u, sizeof(u), "\\u%04x", *p);
			esc = u;
		} else if (*p >= 0x80) {
			size_t k = utf8_len(p);
			if (k)
				skip = k;
			else
				esc = "\\ufffd";
		}
		if (esc) {
			put(j, (const char *)run, (size_t)(p - run));
			put(j, esc, strlen(esc));
			p += skip;
			run = p;
		} else {
			p += skip;
		}
	}
	put(j, (const char *)run, (size_t)(p - run));
	put(j, "\"", 1);
}
