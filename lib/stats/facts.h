/*
 * facts.h - the statistics snapshot: the registry reduced to what statistics read, as
 * dictionary-encoded small integers in columns, one fact table per thing counted (a victim
 * in a case, a case, a defendant, a referral, an assistance given). Built from the store
 * (store op stats_facts), cached in the database and invalidated by any write (store op
 * stats_snapshot), and scanned in C by stats.c. Only values kept in clear are here: codes
 * of vocabularies, countries, provinces, dates, ages; never names or numbers of a person.
 */
#ifndef CTIP_FACTS_H
#define CTIP_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* What is counted. */
enum ctip_unit {
	CTIP_U_VICTIMS,    /* rows: victims in cases; counted: distinct person keys */
	CTIP_U_CASES,      /* rows: cases */
	CTIP_U_OFFENDERS,  /* rows: perpetrators (defendants) in cases */
	CTIP_U_REFERRALS,  /* rows: referrals out of a case */
	CTIP_U_ASSISTANCE, /* rows: assistance given to a victim */
	CTIP_U_N,
	/* casework's counts (docs/CASEWORK.md), not in the snapshot: counted from their own
	 * tables by stats_casework.c, so the snapshot's layout is unchanged */
	CTIP_U_FOLLOWUPS = CTIP_U_N, /* rows: follow-up contacts recorded */
	CTIP_U_ASSESSMENTS,          /* rows: risk assessments */
	CTIP_U_CONTACTS,             /* rows: hotline contacts */
	CTIP_U_ALL
};

/* The dimensions a table may be broken down by. */
enum ctip_dim {
	CTIP_D_YEAR, /* of the row's reference date; not stored: taken from date */
	CTIP_D_GENDER,
	CTIP_D_AGE, /* stored as age + 1 (0 unknown); banded at query time */
	CTIP_D_ETHNICITY,
	CTIP_D_CITIZENSHIP,
	CTIP_D_ORIGIN,      /* home province, 34-province list */
	CTIP_D_DEST,        /* countries of exploitation */
	CTIP_D_EXPLOIT,     /* exploitation types */
	CTIP_D_INDUSTRY,    /* forced-labour industry (ISIC section) */
	CTIP_D_RECRUIT,     /* recruitment methods */
	CTIP_D_CONTROL,     /* methods of control */
	CTIP_D_ARTICLE,     /* Criminal Code articles of the proceedings */
	CTIP_D_STAGE,       /* proceeding stages reached */
	CTIP_D_STATUS,      /* trafficking status */
	CTIP_D_ORG,         /* the organisation that recorded it */
	CTIP_D_ORG_TYPE,    /* its type */
	CTIP_D_SENTENCE,    /* sentence band of a defendant */
	CTIP_D_ASSIST_KIND, /* kind of assistance */
	CTIP_D_REF_REASON,  /* reason of a referral */
	CTIP_D_EVENT,       /* kinds of trafficking events recorded (return or repatriation...) */
	CTIP_D_COMPANY,     /* the recruiting company (ctip_Recruiter; docs/COMPANIES.md) */
	CTIP_D_N,
	/* casework's dimensions (of the casework counts only) */
	CTIP_D_RISK_LEVEL =
	        CTIP_D_N, /* of an assessment; of a follow-up: the case's latest by then */
	CTIP_D_FOLLOWUP_OUTCOME,
	CTIP_D_CHANNEL,     /* of a hotline contact */
	CTIP_D_CALLER_TYPE, /* of a hotline contact */
	CTIP_D_CONTACT_REASON,
	CTIP_D_ALL
};

#define CTIP_FACT_MAXV 32 /* values of one multi-valued dimension in one row */

/* One dimension of one fact table: single-valued (off NULL, val[n]) or multi-valued
 * (values of row i are val[off[i] .. off[i+1]); none means unknown). Code 0 is unknown. */
struct ctip_fcol {
	uint32_t *off;
	uint16_t *val;
	uint32_t nval;
	/* Dated dimensions only (CTIP_DIM_DATED): beside each value its date (YYYYMMDD, 0
	 * unknown), which a period or the year dimension then counts it by: for a stage, when the
	 * proceedings reached it; for an event, the event's date (the earliest of that kind) */
	int32_t *vdate;
};

/* The dimensions whose values carry their own date: stages and events. */
#define CTIP_DIM_DATED(d) ((d) == CTIP_D_STAGE || (d) == CTIP_D_EVENT)

struct ctip_funit {
	uint32_t n, cap;
	int64_t *key;  /* distinct-count key; rows with equal keys are adjacent */
	int32_t *date; /* YYYYMMDD of the reference date (MM, DD 00 when not known); 0 unknown */
	uint32_t *cid; /* the case of each row (to patch the snapshot; loaded only for that) */
	unsigned char has[CTIP_D_N], multi[CTIP_D_N];
	struct ctip_fcol col[CTIP_D_N];
	/* After a patch (store_sqlite_stats.c): the saved rows replaced (a bit per row; NULL
	 * none), and the rows that replace them, with the same columns; counted after the saved
	 * rows alive. A victim key's rows are all saved or all in the delta. */
	unsigned char *dead;
	struct ctip_funit *delta;
};

/* Values of a dimension: s[0] is NULL (unknown); codes are indexes. */
struct ctip_dict {
	uint32_t n, cap;
	char **s;
	void *index; /* while building */
};

typedef struct ctip_facts {
	int64_t version; /* data version the snapshot was built from */
	char built_at[24];
	struct ctip_dict dict[CTIP_D_N];
	struct ctip_funit u[CTIP_U_N];
} ctip_facts;

/* One row being added: key, date, and per dimension its values (strings; NULL or "" is
 * unknown). For CTIP_D_AGE, age (-1 unknown). */
struct ctip_frow {
	int64_t key, case_id;
	int32_t date;
	int age;
	int nv[CTIP_D_N];
	const char *v[CTIP_D_N][CTIP_FACT_MAXV];
	int32_t stage_date[CTIP_FACT_MAXV]; /* of v[CTIP_D_STAGE][i]; 0 unknown */
	int32_t event_date[CTIP_FACT_MAXV]; /* of v[CTIP_D_EVENT][i]; 0 unknown */
};

const char *ctip_unit_name(int unit);
int ctip_unit_parse(const char *name); /* -1 when unknown */
const char *ctip_dim_name(int dim);
int ctip_dim_parse(const char *name); /* -1 when unknown */
/* Whether the unit has the dimension (e.g. cases have no gender). */
int ctip_unit_has_dim(int unit, int dim);
/* Whether the dimension may hold several values in one row of the unit. */
int ctip_unit_dim_multi(int unit, int dim);

ctip_facts *ctip_facts_new(void);
void ctip_facts_free(ctip_facts *f);
/* Adds a row; values beyond CTIP_FACT_MAXV are dropped by the caller. */
int ctip_facts_add(ctip_facts *f, int unit, const struct ctip_frow *r, ctip_err *e);
/* The code of a string in a dimension's dictionary (0 when absent or unknown). */
uint16_t ctip_facts_code(const ctip_facts *f, int dim, const char *s);
/* Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a prefix of a longer text) into YYYYMMDD; 0 when
 * not a date. */
int32_t ctip_facts_date(const char *s);

/* The cache: the snapshot as parts (arrays), so that a table reads only what it needs.
 * A part of a unit is its keys, its dates, a dimension's values (part = dim) or a
 * multi-valued dimension's offsets (CTIP_PART_OFF + dim), or the stages' dates
 * (CTIP_PART_VDATE + a dated dimension). The dictionaries (with version and
 * build time) are one more part, saved and loaded on their own. */
#define CTIP_PART_KEY   (-1)
#define CTIP_PART_DATE  (-2)
#define CTIP_PART_CASE  (-3) /* the rows' case ids */
#define CTIP_PART_DEAD  (-4) /* a bit per row replaced by the delta (store_sqlite_stats.c) */
#define CTIP_PART_OFF   100
#define CTIP_PART_VDATE 200 /* + a dated dimension: its values' dates, after the offsets */
int ctip_facts_parts(const ctip_facts *f,
                     int (*cb)(void *ctx, int unit, int part, const void *data, size_t len),
                     void *ctx);
int ctip_facts_dicts_save(const ctip_facts *f, unsigned char **buf, size_t *len, ctip_err *e);
int ctip_facts_dicts_load(ctip_facts *f, const unsigned char *buf, size_t len, ctip_err *e);
/* Takes over data (malloc'd) as the part, after checking it: keys first, then dates, a
 * dimension's values before its offsets. Frees data when it refuses it. */
int ctip_facts_attach(ctip_facts *f, int unit, int part, void *data, size_t len, ctip_err *e);
/* Makes loaded dictionaries extensible by ctip_facts_add (their lookup index). */
int ctip_facts_dicts_index(ctip_facts *f, ctip_err *e);
/* Gives f's unit the delta: g's rows of the unit (moved out of g; its codes are f's, the same
 * dictionaries, and it has every column f has) and dead, which f takes over. */
int ctip_facts_set_delta(ctip_facts *f, int unit, unsigned char *dead, ctip_facts *g, ctip_err *e);
/* Whether the unit's rows and the dimension (-1: none) are in memory. */
int ctip_facts_ready(const ctip_facts *f, int unit, int dim);

#endif
