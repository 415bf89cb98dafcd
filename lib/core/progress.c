/*
 * progress.c - the progress bar of long commands (progress.h). One line on standard error,
 * rewritten in place with a carriage return and cleared at the end, so that what the command
 * prints afterwards starts on a clean line.
 */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ctip_progress {
	char label[64], what[16];
	enum ctip_progress_unit unit;
	long long done, total;
	double t0, last;
	double delay; /* seconds before the first drawing */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ctip_progress_enabled(void)
{
	const char *ci = getenv("CI"), *term = getenv("TERM");
	if (ci && !strcmp(ci, "true"))
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(STDERR_FILENO);
}

ctip_progress *ctip_progress_start(const char *label, long long total, const char *what,
                                   enum ctip_progress_unit unit)
{
	if (!ctip_progress_enabled())
		return NULL;
	ctip_progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->label, sizeof(p->label), "%s", label);
	snprintf(p->what, sizeof(p->what), "%s", what ? what : "");
	p->unit = unit;
	p->total = total;
	p->t0 = now();
	/* tests set the delay to 0 so that a bar is drawn however fast the machine */
	const char *d = getenv("CTIP_PROGRESS_DELAY");
	p->delay = d ? atof(d) : 0.3;
	return p;
}

static void amount(const ctip_progress *p, long long v, char *buf, size_t n)
{
	if (p->unit == CTIP_PROGRESS_BYTES)
		snprintf(buf, n, "%.1f MiB", (double)v / 1048576.0);
	else
		snprintf(buf, n, "%lld%s%s", v, p->what[0] ? " " : "", p->what);
}

static void draw(ctip_progress *p, double t)
{
	char line[512], d[48], tot[48], rate[64] = "", left[32] = "", bar[24];
	double el = t - p->t0, r = el > 0 ? (double)p->done / el : 0;
	amount(p, p->done, d, sizeof(d));
	if (r > 0) {
		char ra[48];
		amount(p, (long long)r, ra, sizeof(ra));
		snprintf(rate, sizeof(rate), "  %s/s", ra);
	}
	if (p->total > 0) {
		long long done = p->done > p->total ? p->total : p->done;
		int w = (int)(20 * done / p->total);
		for (int i = 0; i < 20; i++)
			bar[i] = i < w ? '#' : '.';
		bar[20] = 0;
		amount(p, p->total, tot, sizeof(tot));
		if (r > 0) {
			long s = (long)((double)(p->total - done) / r + 0.5);
			snprintf(left, sizeof(left), "  %ld:%02ld left", s / 60, s % 60);
		}
		snprintf(line, sizeof(line), "%s [%s] %3d%%  %s of %s%s%s", p->label, bar,
		         (int)(100 * done / p->total), d, tot, rate, left);
	} else {
		snprintf(line, sizeof(line), "%s  %s%s  %ld s", p->label, d, rate, (long)el);
	}
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->last = t;
}

void ctip_progress_set(ctip_progress *p, long long done)
{
	if (!p)
		return;
	p->done = done;
	double t = now();
	/* work done within a third of a second shows no bar at all (no flicker) */
	if (t - p->t0 >= p->delay && t - p->last >= 0.1)
		draw(p, t);
}

void ctip_progress_add(ctip_progress *p, long long n)
{
	if (p)
		ctip_progress_set(p, p->done + n);
}

void ctip_progress_total(ctip_progress *p, long long total)
{
	if (p)
		p->total = total;
}

void ctip_progress_end(ctip_progress *p)
{
	if (!p)
		return;
	if (p->last > 0) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	free(p);
}

static pthread_mutex_t global_mu = PTHREAD_MUTEX_INITIALIZER;
static ctip_progress *global;
static int global_enabled = -1;

void ctip_progress_report(const char *label, long long done, long long total, const char *what)
{
	pthread_mutex_lock(&global_mu);
	if (global_enabled < 0)
		global_enabled = ctip_progress_enabled();
	if (global_enabled) {
		if (global && strcmp(global->label, label)) {
			ctip_progress_end(global);
			global = NULL;
		}
		if (!global)
			global = ctip_progress_start(label, total, what,
			                             what ? CTIP_PROGRESS_ITEMS
			                                  : CTIP_PROGRESS_BYTES);
		if (global) {
			global->total = total;
			ctip_progress_set(global, done);
		}
	}
	pthread_mutex_unlock(&global_mu);
}

void ctip_progress_finish(void)
{
	pthread_mutex_lock(&global_mu);
	ctip_progress_end(global);
	global = NULL;
	pthread_mutex_unlock(&global_mu);
}

void ctip_progress_interrupt(void)
{
	pthread_mutex_lock(&global_mu);
	if (global && global->last > 0) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		global->last = 1e-9; /* drawn again at the next report */
	}
	pthread_mutex_unlock(&global_mu);
}
