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

struct ctip_demo_opts {
	long persons;            /* rows to write, exactly */
	unsigned long long seed; /* same seed and persons => byte-identical output */
};

/* Writes `persons` person records (CSV rows, header first) in ctip's import
 * format to out and, when truth is not NULL, the CSV
 * `src_Organisation,src_RecordId,person_id` (header first, one line per
 * record) saying which records are the same real person. Same seed and
 * persons => byte-identical output on any platform. Returns 0 or a ctip code. */
int ctip_demo_generate(const struct ctip_demo_opts *o, FILE *out, FILE *truth, ctip_err *err);

#endif
