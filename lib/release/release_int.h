/*
 * release_int.h - what the release modules share: the hierarchies and the CTDC columns
 * (release_hier.c) used by the microdata search (release_micro.c).
 *
 * A group's value at level 0 is a string: a year, a CTDC gender, age band, ISO country code,
 * province code, or for the flag groups the flags as a hexadecimal mask ("m1a"). "" is
 * unknown, which stays unknown at every level but the last; the last level is "*".
 */
#ifndef CTIP_RELEASE_INT_H
#define CTIP_RELEASE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "facts.h"
#include "release.h"

/* Interned strings: code = index of s. */
struct rel_sdict {
	char **s;
	uint32_t n, cap;
	uint32_t *tab, tcap; /* code + 1; 0 empty */
};
int rel_sd_intern(struct rel_sdict *d, const char *s, uint32_t *code);
void rel_sd_free(struct rel_sdict *d);
/* The code of s, or -1. */
int rel_sd_find(const struct rel_sdict *d, const char *s);
/* A group's public domain of level-0 values (not read from the data, so that a dp table's
 * rows say nothing about who is in it), interned in order into d; -1 when the group has none
 * small enough (the flag groups). Years: year_lo .. year_hi. */
int rel_domain(int g, int year_lo, int year_hi, struct rel_sdict *d);

/* The persons of the source, one per victim key (release.h): each group's level-0 value. */
struct rel_persons {
	uint32_t n;
	uint32_t *c0[CTIP_RG_N];
	struct rel_sdict d0[CTIP_RG_N];
};
/* Reads them from the snapshot's victims (year: first registered that year; 0 all). */
int rel_read_persons(const ctip_facts *f, int year, struct rel_persons *p, ctip_err *e);
void rel_persons_free(struct rel_persons *p);
/* A readable value of a group (flag masks as the set flags' names joined by '+'). */
void rel_value_label(int g, const char *v, char *out, size_t n);

/* Loads the region tables (once). */
int rel_hier_init(ctip_err *e);

/* Level-0 values of one person from the snapshot's codes: the CTDC gender of a ctip gender
 * code, the band of an age, and the flag masks. */
const char *rel_gender(const char *code);
const char *rel_age_band(int age);
unsigned rel_exploit_flag(const char *code);
unsigned rel_labour_from_exploit(const char *code);
unsigned rel_labour_from_industry(const char *code);
unsigned rel_control_flag(const char *code);

/* The value of level-0 value v of group g at level l, into out (n bytes). */
void rel_generalise(int g, int l, const char *v, char *out, size_t n);

/* The CSV header, and a group's columns for its value at level l (v "*" when suppressed). */
void rel_write_header(FILE *f);
void rel_write_group(FILE *f, int g, int l, const char *v);

#endif
