/*
 * row.h - one person in one case: the unit of import and export.
 *
 * A row holds one string per column of fields.h (NULL or "" = unknown).
 * ctip_row_canon() validates a row against the reference data and rewrites
 * every value into its canonical form (codes for picklists, ISO dates,
 * alpha-2 countries, E.164 phones, NFC text), so that what is stored, and
 * exported again, does not depend on how the input spelt it.
 *
 * Lists: items separated by ';'; a literal ';' or '\' inside an item is
 * written "\;" or "\\".
 */
#ifndef CTIP_ROW_H
#define CTIP_ROW_H

#include <stdio.h>

#include "error.h"
#include "fields.h"
#include "refdata.h"

/* Values derived from a canonical row by ctip_row_canon, so that the store need not derive
 * them again (on import the store runs in the other thread, and is the slower one). */
enum ctip_aux {
	AUX_PROVINCE_CODE, /* official code of prs_MailingState in its list */
	AUX_PROVINCE_2025, /* code of the 2025 province containing it */
	CTIP_NAUX
};

typedef struct ctip_row {
	char *v[CTIP_NFIELDS];
	char *aux[CTIP_NAUX]; /* NULL when not derived */
	long line;            /* line of the input where the row starts, 0 if none */
	char where[96];       /* position in a JSON input ("cases[2].persons[0]"), "" if none */
	long long case_id, person_id; /* database ids, when read from a store */
	/* set by the importer's reader: the case and record of the row numbered in the order
	 * they first appear in the file (from 1), and whether this row is their first */
	long case_lid, person_lid;
	unsigned char case_new, person_new;
	/* data-quality flags (CTIP_Q_* of import_map.h) found on the row, and those the mapping
	 * lets through flagged rather than rejected */
	unsigned quality, quality_allow;
} ctip_row;

void ctip_row_init(ctip_row *r);
void ctip_row_clear(ctip_row *r);
/* Replaces the value of column f with a copy of s (NULL allowed). */
int ctip_row_set(ctip_row *r, int f, const char *s);
/* Takes ownership of s. */
void ctip_row_take(ctip_row *r, int f, char *s);
static inline const char *ctip_row_get(const ctip_row *r, int f)
{
	return r->v[f] && r->v[f][0] ? r->v[f] : NULL;
}

/* Splits a list into unescaped items (empty items kept); *n items. The items live in the
 * array's own allocation: free with ctip_list_free, never one by one. An empty or NULL
 * string gives 0 items. */
int ctip_list_split(const char *s, char ***items, int *n);
void ctip_list_free(char **items, int n);
/* Joins items with ';', escaping. Returns a malloc'd string. */
char *ctip_list_join(char *const *items, int n);
/* Number of items in a list value. */
int ctip_list_count(const char *s);

/* Where diagnostics about rows go: printed as FILE:LINE: column: reason. */
typedef struct ctip_diags {
	FILE *out;
	const char *file;
	long count;     /* errors reported so far */
	long max_print; /* stop printing after this many (0 = no limit) */
	/* the first problem reported, for front ends that answer with one (the server) */
	char first_field[64];
	char first_msg[256];
} ctip_diags;

void ctip_diag(ctip_diags *d, const ctip_row *r, const char *column, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Validates and canonicalises r in place; reports each problem to d and returns how many
 * there were (0 = row is good). */
int ctip_row_canon(ctip_row *r, const ctip_ref *ref, ctip_diags *d);

/* The folded tokens of the family, middle and given names ("nguyen van duc"), malloc'd. */
char *ctip_row_name_tokens(const ctip_row *r);

/* Normalises a phone number to E.164 (+84... for Vietnamese national numbers) into out
 * (at least 17 bytes); returns 0 or -1 if it is not a phone number. */
int ctip_phone_e164(const char *in, char *out);

#endif
