/*
 * import.h - importing HTCDS flat CSV and ctip JSON files into a store.
 *
 * One file is one transaction: every row is validated (row.h) and checked
 * against the other rows of its case and of its person record, and against
 * the database; if any row is rejected nothing of the file is kept. Each
 * rejected row is reported as FILE:LINE: column: reason.
 *
 * A file without the column src_Organisation takes its organisation from
 * the options; one without src_RecordId gets record ids made of the file's
 * name and the row's place in it ("cases.csv#12"), so that importing the
 * same file twice is still caught.
 */
#ifndef CTIP_IMPORT_H
#define CTIP_IMPORT_H

#include <jansson.h>
#include <stdio.h>

#include "store.h"

struct ctip_import_opts {
	FILE *diag;      /* rejected rows are reported here (NULL: not printed) */
	FILE *info;      /* notes such as organisations created (NULL: not printed) */
	long max_print;  /* print at most this many errors (0: all) */
	const char *org; /* reporting organisation of files without src_Organisation */
	/* an agency's own file (import_map.h): read through this mapping (NULL: an XLSX file
	 * whose header names ctip columns, or HTCDS CSV / ctip JSON) */
	const struct ctip_map *map;
	const char *sheet; /* XLSX sheet (NULL: the mapping's, else the first) */
	int dry_run;       /* check everything, show a sample on info, write nothing */
	int progress;      /* a progress bar on standard error when it is a terminal */
};

struct ctip_import_stats {
	long rows, cases, persons, orgs_created, errors;
	long flagged;             /* rows kept with a data-quality flag (import_map.h) */
	int bulk;                 /* loaded into an empty registry, indexes rebuilt at the end */
	double read_cpu;          /* CPU seconds of the reader thread (parse + validate) */
	double write_cpu;         /* CPU seconds of the writer thread (checks + inserts) */
	double wall, finish_wall; /* seconds in all, and in the index rebuild + commit */
};

/* Format by extension (.csv, .json, .xlsx), else by the first bytes; with o->map, an agency's
 * CSV or XLSX file. Returns CTIP_OK, or CTIP_EINVAL
 * when rows were rejected (stats->errors of them; nothing written), or another code. */
int ctip_import_file(ctip_store *s, const char *path, const struct ctip_import_opts *o,
                     struct ctip_import_stats *st, ctip_err *e);
/* The same from an open stream; name is used in messages. */
int ctip_import_stream(ctip_store *s, FILE *f, const char *name, int json,
                       const struct ctip_import_opts *o, struct ctip_import_stats *st, ctip_err *e);

/* Imports one case, given as one element of the JSON format's "cases", inside the caller's
 * transaction (begin before; commit, or roll back on any error, after). org is the reporting
 * organisation when the case names none; a person without src_RecordId gets
 * "<src_CaseId>/<n>". Rejected input: CTIP_EINVAL with the first problem in e (field, msg).
 * *case_id gets the case's id, person_ids[i] (when not NULL, i < max_persons) each record's. */
int ctip_import_case(ctip_store *s, json_t *c, const char *org, int64_t *case_id,
                     int64_t *person_ids, int max_persons, ctip_err *e);
/* Adds one person (a JSON object of person and person-in-case fields) to the existing case
 * case_id, whose case-level columns are those of case_row; same rules as ctip_import_case. */
int ctip_import_person(ctip_store *s, const ctip_row *case_row, int64_t case_id, json_t *p,
                       int64_t *person_id, ctip_err *e);
/* Applies the person fields of JSON object p to row r (read from the store) and validates
 * the result as on import; CTIP_EINVAL with the first problem in e. */
int ctip_import_patch_person(ctip_store *s, ctip_row *r, json_t *p, ctip_err *e);

#endif
