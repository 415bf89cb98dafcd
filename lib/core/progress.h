/*
 * progress.h - a progress bar on standard error for long work (import, export, link run, the
 * statistics snapshot, key rotate, backup and restore, release microdata and synthetic): done
 * and total, rate and time left, redrawn at most ten
 * times a second. Shown only when standard error is a terminal and CI is not "true"; when it
 * is not shown every call is a no-op, so callers need no test of their own (as apt, git clone
 * and pg_restore behave: a bar on a terminal, nothing in a log).
 */
#ifndef CTIP_PROGRESS_H
#define CTIP_PROGRESS_H

typedef struct ctip_progress ctip_progress;

enum ctip_progress_unit { CTIP_PROGRESS_ITEMS, CTIP_PROGRESS_BYTES };

/* A bar labelled label ("importing cases.csv") counting total units (0: unknown, then no
 * percentage and no time left); what names the items ("rows"). NULL when not shown (every
 * function accepts NULL). */
ctip_progress *ctip_progress_start(const char *label, long long total, const char *what,
                                   enum ctip_progress_unit unit);
/* Whether a bar would be shown now (standard error a terminal, CI not "true"). */
int ctip_progress_enabled(void);
void ctip_progress_set(ctip_progress *p, long long done);
void ctip_progress_add(ctip_progress *p, long long n);
void ctip_progress_total(ctip_progress *p, long long total);
/* Clears the bar's line and frees p. */
void ctip_progress_end(ctip_progress *p);

/* For library code deep under a command (the statistics snapshot, a link run, key rotation,
 * export): one process-wide bar, opened by the first report of a label (or a new label),
 * closed by ctip_progress_finish. what names the items counted (NULL: bytes). Safe from any
 * thread. */
void ctip_progress_report(const char *label, long long done, long long total, const char *what);
void ctip_progress_finish(void);
/* Clears the process-wide bar's line before other output to the terminal (a rejected row, a
 * note); the bar is drawn again at its next report. */
void ctip_progress_interrupt(void);

#endif
