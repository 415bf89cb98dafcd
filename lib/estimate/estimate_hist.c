/*
 * estimate_hist.c - capture histories: read from the CSV format of the reference data (one
 * 0/1 column per list, the count last), summed per pattern, and the few questions every
 * method asks of them (list sizes, pairwise overlaps, the order of the pairs).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "estimate.h"

int ctip_mse_read_csv(FILE *f, const char *name, struct ctip_mse_data *d, ctip_err *e)
{
	memset(d, 0, sizeof *d);
	ctip_csv *c = ctip_csv_open(f, name);
	if (!c)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory reading %s", name);
	char **fl;
	int nf, rc, ncol = 0, rows = 0;
	long line;
	while ((rc = ctip_csv_next(c, &fl, &nf, &line, e)) > 0) {
		if (!ncol) { /* the header */
			ncol = nf;
			if (nf < 3 || nf - 1 > CTIP_MSE_MAX_LISTS) {
				rc = ctip_err_at(
				        e, CTIP_EINVAL, name, line, "",
				        "%d columns: expected 2 to %d lists (one 0/1 column "
				        "each) and a count column last",
				        nf, CTIP_MSE_MAX_LISTS);
				break;
			}
			d->m = nf - 1;
			for (int i = 0; i < d->m; i++) {
				const char *s = fl[i] ? fl[i] : "";
				if (!*s) {
					rc = ctip_err_at(e, CTIP_EINVAL, name, line, "",
					                 "column %d has no list name in the header",
					                 i + 1);
					goto out;
				}
				snprintf(d->names[i], sizeof d->names[i], "%s", s);
				for (int j = 0; j < i; j++)
					if (!strcmp(d->names[i], d->names[j])) {
						rc = ctip_err_at(e, CTIP_EINVAL, name, line, s,
						                 "list named twice in the header");
						goto out;
					}
			}
			continue;
		}
		if (nf != ncol) {
			rc = ctip_err_at(e, CTIP_EINVAL, name, line, "",
			                 "%d fields where the header has %d", nf, ncol);
			break;
		}
		unsigned pat = 0;
		for (int i = 0; i < d->m; i++) {
			const char *s = fl[i] ? fl[i] : "";
			if (strcmp(s, "0") && strcmp(s, "1")) {
				rc = ctip_err_at(
				        e, CTIP_EINVAL, name, line, d->names[i],
				        "'%s' is not 0 or 1 (1: the persons of this row are on "
				        "the list)",
				        s);
				goto out;
			}
			if (*s == '1')
				pat |= 1u << i;
		}
		const char *s = fl[d->m] ? fl[d->m] : "";
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (!*s || *end || errno || v < 0 || v > 1e12 || v != floor(v)) {
			rc = ctip_err_at(e, CTIP_EINVAL, name, line, "count",
			                 "'%s' is not a whole number of persons", s);
			break;
		}
		if (!pat && v > 0) {
			rc = ctip_err_at(e, CTIP_EINVAL, name, line, "count",
			                 "a row on no list: the persons no list saw are what is "
			                 "estimated, they cannot be counted");
			break;
		}
		d->y[pat] += v;
		rows++;
	}
out:
	ctip_csv_close(c);
	if (rc < 0)
		return e->code ? e->code : CTIP_EINVAL;
	if (rc > 0)
		return rc;
	if (!ncol)
		return ctip_err_at(e, CTIP_EINVAL, name, 0, "", "empty file: expected a header");
	if (ctip_mse_nobs(d) <= 0)
		return ctip_err_at(e, CTIP_EINVAL, name, 0, "",
		                   "no persons in %d rows: nothing to estimate from", rows);
	return 0;
}

double ctip_mse_nobs(const struct ctip_mse_data *d)
{
	double n = 0;
	for (int c = 1; c < (1 << d->m); c++)
		n += d->y[c];
	return n;
}

double ctip_mse_list_total(const struct ctip_mse_data *d, int i)
{
	double n = 0;
	for (int c = 1; c < (1 << d->m); c++)
		if (c >> i & 1)
			n += d->y[c];
	return n;
}

double ctip_mse_overlap(const struct ctip_mse_data *d, int i, int j)
{
	double n = 0;
	for (int c = 1; c < (1 << d->m); c++)
		if ((c >> i & 1) && (c >> j & 1))
			n += d->y[c];
	return n;
}

int ctip_mse_npairs(int m)
{
	return m * (m - 1) / 2;
}

int ctip_mse_ntriples(int m)
{
	return m >= 4 && m <= 6 ? m * (m - 1) * (m - 2) / 6 : 0;
}

void ctip_mse_triple(int m, int t, int *i, int *j, int *k)
{
	for (int a = 0; a < m; a++)
		for (int b = a + 1; b < m; b++)
			for (int c = b + 1; c < m; c++)
				if (t-- == 0) {
					*i = a;
					*j = b;
					*k = c;
					return;
				}
	*i = *j = *k = -1;
}

int ctip_mse_term(int m, int p, int l[3])
{
	int np = ctip_mse_npairs(m);
	if (p < np) {
		ctip_mse_pair(m, p, &l[0], &l[1]);
		l[2] = -1;
		return 2;
	}
	ctip_mse_triple(m, p - np, &l[0], &l[1], &l[2]);
	return 3;
}

double ctip_mse_overlap3(const struct ctip_mse_data *d, int i, int j, int k)
{
	double n = 0;
	for (int c = 1; c < (1 << d->m); c++)
		if ((c >> i & 1) && (c >> j & 1) && (c >> k & 1))
			n += d->y[c];
	return n;
}

void ctip_mse_pair(int m, int p, int *i, int *j)
{
	for (int a = 0; a < m - 1; a++) {
		if (p < m - 1 - a) {
			*i = a;
			*j = a + 1 + p;
			return;
		}
		p -= m - 1 - a;
	}
	*i = *j = -1;
}

/* Removes list k: its persons stay, counted on the patterns of the other lists. */
void ctip_mse_drop_list(struct ctip_mse_data *d, int k)
{
	double y[CTIP_MSE_MAX_CELLS] = {0};
	for (int c = 1; c < (1 << d->m); c++) {
		unsigned lo = c & ((1u << k) - 1), hi = (unsigned)c >> (k + 1);
		y[lo | hi << k] += d->y[c];
	}
	y[0] = 0;
	memcpy(d->y, y, sizeof y);
	for (int i = k; i < d->m - 1; i++)
		memcpy(d->names[i], d->names[i + 1], sizeof d->names[i]);
	d->m--;
}

int ctip_mse_drop_uninformative(struct ctip_mse_data *d, char *why, size_t n)
{
	int dropped = 0;
	double tot = ctip_mse_nobs(d);
	if (n)
		*why = 0;
	for (int i = 0; i < d->m && d->m > 2;) {
		double t = ctip_mse_list_total(d, i);
		if (t > 0 && t < tot) {
			i++;
			continue;
		}
		size_t l = strlen(why);
		snprintf(why + l, n - l, "%slist %s dropped: %s", dropped ? "; " : "", d->names[i],
		         t > 0 ? "it holds every person (no one is outside it to compare)"
		               : "it holds no person");
		ctip_mse_drop_list(d, i);
		dropped++;
	}
	return dropped;
}
