/*
 * release.h - privacy-safe releases of victim-level data (issue 16): k-anonymous microdata in
 * the layout of CTDC's global data set, read from the statistics snapshot (facts.h), which
 * holds no identity at all (codes, dates and ages only).
 *
 * One released record per person (the snapshot's victim key: the linked person after `ctip
 * link run`, else the person record): k counts people, not case files, so a person recorded
 * by three agencies cannot fill a class of k on their own. docs/RELEASE.md has the columns, the
 * mapping from ctip's fields, the hierarchies, the search and the risk measures.
 */
#ifndef CTIP_RELEASE_H
#define CTIP_RELEASE_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "facts.h"

/* The released attributes (a group of CTDC columns generalised together). */
enum ctip_rel_group {
	CTIP_RG_YEAR,    /* yearOfRegistration: year, 5-year period, * */
	CTIP_RG_GENDER,  /* gender: value, * */
	CTIP_RG_AGE,     /* ageBroad + majorityStatus: CTDC band, minor/adult, * */
	CTIP_RG_CITIZEN, /* citizenship: country, M49 sub-region, M49 region, * */
	CTIP_RG_DEST,    /* CountryOfExploitation: the same */
	CTIP_RG_ORIGIN,  /* provinceOfOrigin (ctip's own column): province, region, * */
	CTIP_RG_EXPLOIT, /* is... flags: all, forced labour/sexual/other, * */
	CTIP_RG_LABOUR,  /* typeOfLabour... flags: all, * */
	CTIP_RG_CONTROL, /* meansOfControl... flags: all, * */
	CTIP_RG_N
};

#define CTIP_REL_MAXLEV 4

/* The group a name designates: the group's name or any of its CSV columns; -1 when none. */
int ctip_rel_group_parse(const char *name);
const char *ctip_rel_group_name(int g);
/* The number of levels of a group's hierarchy (the last is * for every record). */
int ctip_rel_group_levels(int g);
/* The name of level l of group g ("country", "M49 sub-region", ...). */
const char *ctip_rel_level_name(int g, int l);

struct ctip_rel_opts {
	int k;                 /* >= 2 */
	int l;                 /* distinct l-diversity of each sensitive group; <= 1 off */
	unsigned quasi;        /* groups that are quasi-identifiers (bit g); 0: all not sensitive */
	unsigned sens;         /* sensitive groups (bit g) */
	int year;              /* only persons first registered that year; 0 all */
	double max_supp;       /* the search's limit: records that may be suppressed, a fraction */
	uint64_t seed;         /* the order of the released records */
	const char *eval_path; /* the evaluation report beside it (release_eval.h); NULL none */
	const char *link_model; /* the stored linkage model (JSON) for the attack; NULL none */
};

struct ctip_rel_report {
	long source;       /* persons in the source (after --year) */
	long records;      /* records released */
	long records_supp; /* records left out */
	long cells_supp;   /* quasi-identifier cells replaced by * (records released) */
	unsigned quasi;    /* the quasi-identifiers used */
	int level[CTIP_RG_N];
	long nodes, lattice; /* evaluated and total generalisation nodes */
	double loss;         /* information loss in [0, 1] (docs/RELEASE.md) */
	double loss_gen;     /* of which by generalisation */
	long classes, min_class;
	double pros_max, pros_avg, jour_max, jour_avg, marketer;
	int64_t data_version;
	double attack_rate; /* the evaluation's linkage attack: share re-identified */
};

/* Writes the microdata CSV to out and fills r. Refuses (writing nothing) when the registry
 * has fewer than k persons in scope. */
int ctip_rel_microdata(const ctip_facts *f, const struct ctip_rel_opts *o, FILE *out,
                       struct ctip_rel_report *r, ctip_err *e);

/* The snapshot's dimensions the microdata reads (to load from the cache). */
void ctip_rel_need(unsigned char need[CTIP_D_N]);

#endif
