/*
 * json_text.c - writing a JSON response as text, for the hot path (search):
 * building it as jansson values and dumping them cost more than the search's
 * own SQL for a page of results. Strings are escaped as JSON requires; bytes
 * that are not valid UTF-8 become U+FFFD, so the output is always valid JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

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

void srv_jt_int(struct srv_jtext *j, long long v)
{
	char b[24];
	put(j, b, (size_t)snprintf(b, sizeof(b), "%lld", v));
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
			utf8proc_int32_t c;
			utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
			if (k > 0)
				skip = (size_t)k;
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
