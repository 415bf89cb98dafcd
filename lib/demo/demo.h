/*
 * demo.h - the synthetic data generator behind `ctip demo`.
 *
 * Writes person records in ctip's import format (one CSV row = one person
 * in one organisation's case) for made-up victims, perpetrators, witnesses
 * and family members, following the trafficking patterns of the sources:
 * construction work in Serbia and domestic work in Saudi Arabia through
 * labour-export companies, forced marriage in China, scam compounds in
 * Cambodia, Myanmar and Laos, cannabis farms and nail bars in the UK, and
 * domestic sexual exploitation. Each true person is recorded by one or more
 * organisations, each writing the name, birth date, documents, phone and
 * address its own way, so record linkage and population estimation can be
 * measured against the truth file. Everything is random: no real person.
 */
#ifndef CTIP_DEMO_H
#define CTIP_DEMO_H

#include <stdio.h>

#include "error.h"

/* Data-quality rates that replace every organisation's own (`--quality`, and one knob per
 * rate): rates are per mille; a rate not set leaves each organisation its own writing. */
enum {
	CTIP_DQ_MISSING_BIRTH,    /* birth date left out */
	CTIP_DQ_PARTIAL_BIRTH,    /* birth year only */
	CTIP_DQ_MISSING_PROVINCE, /* province left out */
	CTIP_DQ_ADDRESS_BELOW,    /* district and commune written */
	CTIP_DQ_DOCS,             /* each document the person holds written */
	CTIP_DQ_PHONES,           /* the person's phone (if any) written */
	CTIP_DQ_EXPL_DATES,       /* dates of exploitation written */
	CTIP_DQ_NO_DIACRITICS,    /* names without diacritics */
	CTIP_DQ_CAPITALS,         /* names in capitals */
	CTIP_DQ_TYPOS,            /* family and given name each mistyped */
	CTIP_DQ_SWAP_ORDER,       /* family and given name swapped */
	CTIP_DQ_DROP_MIDDLE,      /* middle name dropped */
	CTIP_DQ_NAMESAKES,        /* a new person takes the full name of an earlier one */
	CTIP_DQ_N
};
/* The knobs' option names without "--" ("missing-birth", ...), in the order above. */
extern const char *const ctip_demo_dq_name[CTIP_DQ_N];

struct ctip_demo_opts {
	long persons;                    /* rows to write, exactly */
	unsigned long long seed;         /* same seed and persons => byte-identical output */
	unsigned char dq_set[CTIP_DQ_N]; /* which rates replace the organisations' */
	unsigned short dq[CTIP_DQ_N];    /* per mille */
};

/* Sets the rates of a profile ("good", "typical": every organisation its own, "poor");
 * -1 when unknown. */
int ctip_demo_quality(struct ctip_demo_opts *o, const char *profile);

/* Writes `persons` person records (CSV rows, header first) in ctip's import
 * format to out and, when truth is not NULL, the CSV
 * `src_Organisation,src_RecordId,person_id` (header first, one line per
 * record) saying which records are the same real person. Same seed and
 * persons => byte-identical output on any platform. Returns 0 or a ctip code. */
int ctip_demo_generate(const struct ctip_demo_opts *o, FILE *out, FILE *truth, ctip_err *err);

#endif
