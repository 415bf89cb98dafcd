/*
 * date.c - strict ISO 8601 partial dates. Ambiguous forms (two-digit years,
 * 03/04/2019) are refused rather than guessed: a wrong guess in a birth date
 * silently splits one victim into two people.
 */
#include "date.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

int ctip_date_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return (m >= 1 && m <= 12) ? days[m - 1] : 0;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int ctip_date_parse(const char *s, ctip_date *out, ctip_err *e)
{
	memset(out, 0, sizeof(*out));
	size_t n = strlen(s);
	int y = -1, m = 0, d = 0;

	if (n == 4)
		y = digits(s, 4);
	else if (n == 7 && s[4] == '-')
		y = digits(s, 4), m = digits(s + 5, 2);
	else if (n == 10 && s[4] == '-' && s[7] == '-')
		y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	else if (n == 8 && digits(s, 8) >= 0)
		y = digits(s, 4), m = digits(s + 4, 2), d = digits(s + 6, 2);
	else if (n == 2 && digits(s, 2) >= 0)
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "two-digit year '%s' is ambiguous: write the year in full (YYYY)", s);
	else if (strchr(s, '/') || (n >= 6 && n <= 10 && s[2] == '.'))
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "'%s' is not an ISO 8601 date: day and month order is ambiguous, "
		        "write YYYY-MM-DD (or YYYY-MM, YYYY)",
		        s);
	else
		return ctip_err_set(e, CTIP_EINVAL,
		                    "'%s' is not an ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY)",
		                    s);

	if (y < 0 || m < 0 || d < 0)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "'%s' is not an ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY)",
		                    s);
	if (y < 1900 || y > 2100)
		return ctip_err_set(e, CTIP_EINVAL, "year %d in '%s' is out of range 1900-2100", y,
		                    s);
	if ((n >= 7) && (m < 1 || m > 12))
		return ctip_err_set(e, CTIP_EINVAL, "month %d in '%s' does not exist", m, s);
	if ((n == 10 || n == 8) && (d < 1 || d > ctip_date_days_in_month(y, m)))
		return ctip_err_set(e, CTIP_EINVAL, "day %d does not exist in %04d-%02d", d, y, m);

	out->y = y;
	out->m = m;
	out->d = d;
	out->prec = d ? CTIP_DATE_DAY : m ? CTIP_DATE_MONTH : CTIP_DATE_YEAR;
	return CTIP_OK;
}

static char *put_digits(char *w, int v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		w[i] = (char)('0' + v % 10);
	return w + n;
}

/* By hand rather than snprintf: every date of every imported row passes here. */
void ctip_date_format(const ctip_date *dt, char *buf)
{
	char *w = buf;
	if (dt->prec >= CTIP_DATE_YEAR)
		w = put_digits(w, dt->y, 4);
	if (dt->prec >= CTIP_DATE_MONTH) {
		*w++ = '-';
		w = put_digits(w, dt->m, 2);
	}
	if (dt->prec >= CTIP_DATE_DAY) {
		*w++ = '-';
		w = put_digits(w, dt->d, 2);
	}
	*w = 0;
}

int ctip_date_cmp(const ctip_date *a, const ctip_date *b)
{
	int ka = a->y * 10000 + a->m * 100 + a->d, kb = b->y * 10000 + b->m * 100 + b->d;
	return (ka > kb) - (ka < kb);
}

ctip_date ctip_date_today(void)
{
	/* every date of an import is compared with today: convert once a day per thread */
	static _Thread_local time_t day = -1;
	static _Thread_local ctip_date today;
	time_t t = time(NULL);
	if (t / 86400 != day) {
		struct tm tm;
		gmtime_r(&t, &tm);
		today = (ctip_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, CTIP_DATE_DAY};
		day = t / 86400;
	}
	return today;
}
