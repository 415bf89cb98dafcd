/*
 * date.h - partial dates: a birth date may be known to the day, the month or
 * only the year. Stored and exported as ISO 8601 "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD", whose string order is also their chronological order.
 */
#ifndef CTIP_DATE_H
#define CTIP_DATE_H

#include "error.h"

enum ctip_date_prec { CTIP_DATE_NONE = 0, CTIP_DATE_YEAR, CTIP_DATE_MONTH, CTIP_DATE_DAY };

typedef struct ctip_date {
	int y, m, d; /* m, d are 0 when not known */
	enum ctip_date_prec prec;
} ctip_date;

/* Parses ISO 8601 (extended or basic form) with year, month or day precision. On failure
 * returns CTIP_EINVAL with a reason in e->msg that says what to write instead. */
int ctip_date_parse(const char *s, ctip_date *out, ctip_err *e);
/* Canonical form into buf (at least 11 bytes); "" for NONE. */
void ctip_date_format(const ctip_date *d, char *buf);
/* Compares the earliest days the two dates may denote. */
int ctip_date_cmp(const ctip_date *a, const ctip_date *b);
int ctip_date_days_in_month(int y, int m);
/* Today in UTC. */
ctip_date ctip_date_today(void);

#endif
