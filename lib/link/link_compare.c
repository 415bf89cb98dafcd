/*
 * link_compare.c - the comparisons of record linkage (see link_compare.h).
 * Names arrive folded (text.h: no diacritics, lower case, ASCII for
 * Vietnamese), so Jaro-Winkler works on bytes.
 */
#include "link_compare.h"

#include <string.h>

double ctip_jaro_winkler(const char *a, size_t na, const char *b, size_t nb)
{
	if (!na || !nb)
		return 0.0;
	if (na == nb && !memcmp(a, b, na))
		return 1.0;
	/* names longer than this are compared on their first 64 bytes */
	unsigned char ma[64] = {0}, mb[64] = {0};
	if (na > 64)
		na = 64;
	if (nb > 64)
		nb = 64;
	size_t win = (na > nb ? na : nb) / 2;
	win = win ? win - 1 : 0;
	size_t m = 0;
	for (size_t i = 0; i < na; i++) {
		size_t lo = i > win ? i - win : 0, hi = i + win + 1 < nb ? i + win + 1 : nb;
		for (size_t j = lo; j < hi; j++)
			if (!mb[j] && a[i] == b[j]) {
				ma[i] = mb[j] = 1;
				m++;
				break;
			}
	}
	if (!m)
		return 0.0;
	size_t t = 0, k = 0;
	for (size_t i = 0; i < na; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	double md = (double)m;
	double jaro = (md / (double)na + md / (double)nb + (md - (double)t / 2.0) / md) / 3.0;
	size_t l = 0;
	while (l < 4 && l < na && l < nb && a[l] == b[l])
		l++;
	return jaro + (double)l * 0.1 * (1.0 - jaro);
}

static double jw(const char *a, const char *b)
{
	return ctip_jaro_winkler(a, strlen(a), b, strlen(b));
}

/* 1 when a and b differ by one edit: a letter deleted, added, replaced, or two neighbours
 * swapped (the typing errors of one letter; Jaro-Winkler is harsh on short names). */
static int one_edit(const char *a, size_t na, const char *b, size_t nb)
{
	if (na < nb) {
		const char *t = a;
		a = b;
		b = t;
		size_t tn = na;
		na = nb;
		nb = tn;
	}
	if (na - nb > 1)
		return 0;
	size_t i = 0;
	while (i < nb && a[i] == b[i])
		i++;
	if (na == nb + 1) /* one deleted */
		return !memcmp(a + i + 1, b + i, nb - i);
	if (i == na)
		return 1;
	if (!memcmp(a + i + 1, b + i + 1, na - i - 1)) /* replaced */
		return 1;
	return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] && /* swapped */
	       !memcmp(a + i + 2, b + i + 2, na - i - 2);
}

int ctip_lk_name(const char *a, const char *b)
{
	if (!a || !b || !*a || !*b)
		return LK_MISSING;
	if (!strcmp(a, b))
		return LK_NAME_EXACT;
	size_t na = strlen(a), nb = strlen(b);
	if (na >= 2 && nb >= 2 && na + nb >= 5 && one_edit(a, na, b, nb))
		return LK_NAME_CLOSE;
	double s = ctip_jaro_winkler(a, na, b, nb);
	return s >= 0.92 ? LK_NAME_CLOSE : s >= 0.80 ? LK_NAME_FAR : LK_NAME_DIFF;
}

int ctip_lk_swapped(const char *fa, const char *ga, const char *fb, const char *gb)
{
	if (!fa || !ga || !fb || !gb || !*fa || !*ga || !*fb || !*gb)
		return 0;
	double straight = jw(fa, fb) + jw(ga, gb);
	double crossed = jw(fa, gb) + jw(ga, fb);
	return crossed > straight + 0.05;
}

int ctip_lk_middle(const char *a, const char *b)
{
	if (!a || !b || !*a || !*b)
		return LK_MISSING;
	return strcmp(a, b) ? LK_MID_DIFF : LK_MID_EXACT;
}

/* ---- dates ------------------------------------------------------------------------ */

static int num(const char **p, int maxdig, int *ndig)
{
	int v = 0, n = 0;
	while (n < maxdig && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*ndig = n;
	return v;
}

struct ctip_lk_date ctip_lk_date_parse(const char *s)
{
	struct ctip_lk_date d = {0, 0, 0, 0};
	if (!s)
		return d;
	const char *p = s;
	int n1, n2, n3;
	int a = num(&p, 4, &n1);
	if (n1 == 4) { /* YYYY[-MM[-DD]] */
		int m = 0, dd = 0;
		if (*p == '-') {
			p++;
			m = num(&p, 2, &n2);
			if (!n2)
				return d;
			if (*p == '-') {
				p++;
				dd = num(&p, 2, &n3);
				if (!n3)
					return d;
			}
		}
		if (*p || a < 1000 || m > 12 || dd > 31)
			return d;
		d.y = (int16_t)a;
		d.m = (int8_t)m;
		d.d = (int8_t)dd;
		return d;
	}
	if ((n1 == 1 || n1 == 2) && (*p == '/' || *p == '.' || *p == '-')) { /* DD/MM/YY[YY] */
		char sep = *p++;
		int m = num(&p, 2, &n2);
		if (!n2 || *p != sep)
			return d;
		p++;
		int y = num(&p, 4, &n3);
		if (*p || (n3 != 2 && n3 != 4) || a < 1 || a > 31 || m < 1 || m > 12)
			return d;
		d.y = (int16_t)(n3 == 2 ? 1900 + y : y);
		d.yy = n3 == 2;
		d.m = (int8_t)m;
		d.d = (int8_t)a;
	}
	return d;
}

int ctip_lk_date(struct ctip_lk_date a, struct ctip_lk_date b)
{
	if (!a.y || !b.y)
		return LK_MISSING;
	int same_y = (a.yy || b.yy) ? a.y % 100 == b.y % 100 : a.y == b.y;
	int dy = a.y > b.y ? a.y - b.y : b.y - a.y;
	if (a.yy || b.yy)
		dy = same_y ? 0 : dy;
	int full = a.m && a.d && b.m && b.d;
	if (full) {
		if (same_y && a.m == b.m && a.d == b.d)
			return (a.yy || b.yy) ? LK_DATE_CLOSE : LK_DATE_EXACT;
		if (same_y && a.m == b.d && a.d == b.m)
			return LK_DATE_CLOSE; /* day and month swapped */
		if (dy == 1 && a.m == b.m && a.d == b.d)
			return LK_DATE_CLOSE; /* year off by one */
		return dy <= 1 ? LK_DATE_YEAR1 : LK_DATE_DIFF;
	}
	if (same_y && (!a.m || !b.m || a.m == b.m))
		return LK_DATE_PARTIAL;
	return dy <= 1 ? LK_DATE_YEAR1 : LK_DATE_DIFF;
}

/* ---- identity documents -------------------------------------------------------------- */

struct ctip_lk_doc ctip_lk_doc_norm(const char *s)
{
	struct ctip_lk_doc d;
	memset(&d, 0, sizeof(d));
	for (; s && *s && d.len < sizeof(d.s) - 1; s++) {
		char c = *s;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			d.s[d.len++] = c;
	}
	return d;
}

/* Characters read for one another on paper and by OCR, mapped to one. */
static char confusable(char c)
{
	switch (c) {
	case 'O':
	case 'Q':
	case 'D': return '0';
	case 'I':
	case 'L':
	case 'T': return '1';
	case 'Z': return '2';
	case 'S': return '5';
	case 'G': return '6';
	case 'B': return '8';
	default: return c;
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Same shape: same length, and both start with a digit or both with a letter. */
static int comparable(const struct ctip_lk_doc *a, const struct ctip_lk_doc *b)
{
	return a->len && a->len == b->len && is_digit(a->s[0]) == is_digit(b->s[0]);
}

/* 1 when a and b (same length) differ by one substitution or one adjacent transposition, or
 * only by confusable characters. */
static int doc_close(const struct ctip_lk_doc *a, const struct ctip_lk_doc *b)
{
	int diff = 0, first = -1, conf = 0;
	for (int i = 0; i < a->len; i++)
		if (a->s[i] != b->s[i]) {
			if (confusable(a->s[i]) == confusable(b->s[i])) {
				conf++;
				continue;
			}
			if (first < 0)
				first = i;
			diff++;
		}
	if (diff == 0)
		return conf <= 2;
	if (diff == 1)
		return conf == 0;
	if (diff == 2 && !conf && first + 1 < a->len)
		return a->s[first] == b->s[first + 1] && a->s[first + 1] == b->s[first] &&
		       !memcmp(a->s + first + 2, b->s + first + 2, (size_t)(a->len - first - 2));
	return 0;
}

int ctip_lk_docs(const struct ctip_lk_doc *a, int na, const struct ctip_lk_doc *b, int nb)
{
	int best = LK_MISSING;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++) {
			if (!comparable(&a[i], &b[j]))
				continue;
			if (!memcmp(a[i].s, b[j].s, a[i].len))
				return LK_ID_EXACT;
			int l = doc_close(&a[i], &b[j]) ? LK_ID_CLOSE : LK_ID_DIFF;
			if (l < best)
				best = l;
		}
	return best;
}

/* ---- phones, codes -------------------------------------------------------------------- */

uint64_t ctip_lk_phone(const char *s)
{
	char d[20];
	int n = 0, plus = 0;
	for (; s && *s; s++) {
		if (*s == '+' && !n)
			plus = 1;
		else if (is_digit(*s)) {
			if (n >= 16)
				return 0;
			d[n++] = *s;
		} else if (*s != ' ' && *s != '.' && *s != '-' && *s != '(' && *s != ')')
			return 0;
	}
	if (n < 7)
		return 0;
	uint64_t v = 0;
	int i = 0;
	if (!plus && d[0] == '0') { /* national: 0 then the subscriber number */
		v = 84;
		i = 1;
	}
	for (; i < n; i++)
		v = v * 10 + (uint64_t)(d[i] - '0');
	return v;
}

int ctip_lk_phones(const uint64_t *a, int na, const uint64_t *b, int nb)
{
	int best = LK_MISSING;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++) {
			if (!a[i] || !b[j])
				continue;
			if (a[i] == b[j])
				return LK_ID_EXACT;
			best = LK_ID_DIFF;
		}
	return best;
}

int ctip_lk_eq(int a, int b)
{
	if (!a || !b)
		return LK_MISSING;
	return a == b ? LK_EQ_SAME : LK_EQ_DIFF;
}

int ctip_lk_gender(const char *s)
{
	if (!s)
		return 0;
	if (!strcmp(s, "Feminine"))
		return 1;
	if (!strcmp(s, "Masculine"))
		return 2;
	if (!strcmp(s, "NonSpecifiedUnknown") || !*s)
		return 0;
	return 3;
}

int32_t ctip_lk_ordinal(const char *s, int end)
{
	struct ctip_lk_date d = ctip_lk_date_parse(s);
	if (!d.y)
		return 0;
	int m = d.m ? d.m : end ? 12 : 1, day = d.d ? d.d : end ? 31 : 1;
	return (int32_t)d.y * 372 + m * 31 + day;
}

int ctip_lk_period(int32_t s1, int32_t e1, int32_t s2, int32_t e2)
{
	if (!s1 || !s2)
		return LK_MISSING;
	if (e1 < s1)
		e1 = s1;
	if (e2 < s2)
		e2 = s2;
	if (s1 == s2)
		return LK_PER_SAME;
	return s1 <= e2 && s2 <= e1 ? LK_PER_OVERLAP : LK_PER_DISJOINT;
}

int ctip_lk_countries(const uint32_t *a, int na, const uint32_t *b, int nb)
{
	if (na <= 0 || nb <= 0)
		return LK_MISSING;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (a[i] == b[j])
				return LK_CTRY_SHARED;
	return LK_CTRY_DIFF;
}
