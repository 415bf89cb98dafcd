/*
 * facts_build.c - the statistics snapshot built from rows, the same for every back end
 * (facts_build.h): what a row of each scan becomes in the fact tables. Moved out of the SQLite
 * store so that PostgreSQL's counts are the same by construction.
 */
#include "facts_build.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "progress.h"

const int ctip_fb_ncol[CTIP_FB_N] = {
        [CTIP_FB_PROC] = 8,       [CTIP_FB_VICTIMS] = 21,  [CTIP_FB_CASES] = 4,
        [CTIP_FB_OFFENDERS] = 10, [CTIP_FB_REFERRALS] = 5, [CTIP_FB_ASSISTANCE] = 12,
};

static int64_t num(const char *v)
{
	return v ? strtoll(v, NULL, 10) : 0;
}

/* Splits a JSON array of codes (as the stores write them: no escapes in codes) into r's
 * values of dimension d. The strings point into a buffer owned by the caller. */
static void json_codes(struct ctip_frow *r, int d, const char *j, char *buf, size_t cap)
{
	r->nv[d] = 0;
	if (!j)
		return;
	size_t n = strlen(j);
	if (n >= cap)
		return;
	memcpy(buf, j, n + 1);
	char *p = buf;
	while ((p = strchr(p, '"')) && r->nv[d] < CTIP_FACT_MAXV) {
		char *q = strchr(p + 1, '"');
		if (!q)
			break;
		*q = 0;
		r->v[d][r->nv[d]++] = p + 1;
		p = q + 1;
	}
}

/* Splits a `;` list the same way. */
static void semi_codes(struct ctip_frow *r, int d, const char *j, char *buf, size_t cap)
{
	r->nv[d] = 0;
	if (!j)
		return;
	size_t n = strlen(j);
	if (n >= cap)
		return;
	memcpy(buf, j, n + 1);
	for (char *save = NULL, *t = strtok_r(buf, ";", &save); t && r->nv[d] < CTIP_FACT_MAXV;
	     t = strtok_r(NULL, ";", &save))
		r->v[d][r->nv[d]++] = t;
}

static void one(struct ctip_frow *r, int d, const char *v)
{
	r->nv[d] = v && *v ? 1 : 0;
	r->v[d][0] = v;
}

/* Age in whole years at date `at` (YYYYMMDD) of someone born `birth` (a partial date). */
static int age_at(const char *birth, int32_t at)
{
	int32_t b = ctip_facts_date(birth);
	if (!b || !at)
		return -1;
	int age = at / 10000 - b / 10000;
	/* month and day known on both sides: not yet had the birthday */
	if (b % 10000 / 100 && at % 10000 / 100 && at % 10000 < b % 10000 && at % 100 && b % 100)
		age--;
	else if (b % 10000 / 100 && at % 10000 / 100 && at % 10000 / 100 < b % 10000 / 100)
		age--;
	return age >= 0 && age < 150 ? age : -1;
}

/* Per case and per defendant, what their proceedings say: stages and articles as bit sets
 * over small local tables of codes, and a defendant's sentence band. */
#define MAXCODES 32
struct codeset {
	int n;
	char *code[MAXCODES];
};

static int code_bit(struct codeset *cs, const char *c)
{
	if (!c || !*c)
		return -1;
	for (int i = 0; i < cs->n; i++)
		if (!strcmp(cs->code[i], c))
			return i;
	if (cs->n == MAXCODES)
		return -1;
	cs->code[cs->n] = strdup(c);
	return cs->code[cs->n] ? cs->n++ : -1;
}

static void mask_values(struct ctip_frow *r, int d, uint32_t mask, const struct codeset *cs)
{
	r->nv[d] = 0;
	for (int i = 0; i < cs->n; i++)
		if (mask & (1u << i))
			r->v[d][r->nv[d]++] = cs->code[i];
}

/* A stage's date: the earliest dated proceeding at that stage (of the case, or of the
 * defendant). Dates are kept for the first STAGE_DATES stage codes met (the vocabulary has 8);
 * a stage beyond, or never dated, has 0 and counts by the row's date. */
#define STAGE_DATES 8

static void mask_stages(struct ctip_frow *r, uint32_t mask, const struct codeset *cs,
                        const int32_t *dates)
{
	mask_values(r, CTIP_D_STAGE, mask, cs);
	for (int i = 0, k = 0; i < cs->n && k < r->nv[CTIP_D_STAGE]; i++)
		if (mask & (1u << i))
			r->stage_date[k++] = i < STAGE_DATES ? dates[i] : 0;
}

static void earliest(int32_t *dates, int bit, int32_t d)
{
	if (bit >= 0 && bit < STAGE_DATES && d && (!dates[bit] || d < dates[bit]))
		dates[bit] = d;
}

static const char *const sentence_bands[] = {
        NULL,         "Fine",        "NonCustodialReform", "SuspendedSentence", "Prison<3y",
        "Prison3-7y", "Prison7-15y", "Prison15-20y",       "LifeImprisonment",  "Death"};

/* The band of a sentence, ordered by severity (a defendant's most severe counts). */
static int sentence_band(const char *kind, const char *months)
{
	if (!kind)
		return 0;
	if (!strcmp(kind, "Fine"))
		return 1;
	if (!strcmp(kind, "NonCustodialReform"))
		return 2;
	if (!strcmp(kind, "SuspendedSentence"))
		return 3;
	if (!strcmp(kind, "LifeImprisonment"))
		return 8;
	if (!strcmp(kind, "Death"))
		return 9;
	if (!strcmp(kind, "Imprisonment")) {
		if (!months)
			return 0;
		long m = strtol(months, NULL, 10);
		return m < 36 ? 4 : m < 84 ? 5 : m <= 180 ? 6 : 7;
	}
	return 0;
}

struct ctip_fb {
	ctip_facts *f;
	int64_t ncases, nlinks;
	long long scanned;                           /* rows read, for the progress bar */
	uint32_t *case_stage, *case_art, *case_expl; /* by case id */
	uint32_t *cp_stage, *cp_art;                 /* by case_person id */
	int32_t *case_sdate, *cp_sdate;              /* STAGE_DATES per case, per case_person */
	unsigned char *cp_sent;
	struct codeset stages, arts, expls;
	char buf[CTIP_D_N][2048];
};

int ctip_fb_new(ctip_facts *f, int64_t ncases, int64_t nlinks, struct ctip_fb **out, ctip_err *e)
{
	*out = NULL;
	if (ncases < 0 || ncases > CTIP_FB_MAXID || nlinks < 0 || nlinks > CTIP_FB_MAXID)
		return ctip_err_set(e, CTIP_EINVAL, "statistics: ids out of range");
	struct ctip_fb *b = calloc(1, sizeof(*b));
	if (!b)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	b->f = f;
	b->ncases = ncases;
	b->nlinks = nlinks;
	size_t nc = (size_t)ncases + 1, nl = (size_t)nlinks + 1;
	b->case_stage = calloc(nc, 4);
	b->case_art = calloc(nc, 4);
	b->case_expl = calloc(nc, 4);
	b->cp_stage = calloc(nl, 4);
	b->cp_art = calloc(nl, 4);
	b->cp_sent = calloc(nl, 1);
	b->case_sdate = calloc(nc, 4 * STAGE_DATES);
	b->cp_sdate = calloc(nl, 4 * STAGE_DATES);
	if (!b->case_stage || !b->case_art || !b->case_expl || !b->cp_stage || !b->cp_art ||
	    !b->cp_sent || !b->case_sdate || !b->cp_sdate) {
		ctip_fb_free(b);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	*out = b;
	return CTIP_OK;
}

void ctip_fb_free(struct ctip_fb *b)
{
	if (!b)
		return;
	ctip_progress_finish();
	for (int i = 0; i < b->stages.n; i++)
		free(b->stages.code[i]);
	for (int i = 0; i < b->arts.n; i++)
		free(b->arts.code[i]);
	for (int i = 0; i < b->expls.n; i++)
		free(b->expls.code[i]);
	free(b->case_stage);
	free(b->case_art);
	free(b->case_expl);
	free(b->cp_stage);
	free(b->cp_art);
	free(b->cp_sent);
	free(b->case_sdate);
	free(b->cp_sdate);
	free(b);
}

static int proc_row(struct ctip_fb *b, const char *const *c)
{
	int64_t cid = num(c[0]), cp = num(c[1]);
	int perp = (int)num(c[2]);
	int sb = code_bit(&b->stages, c[3]), ab = code_bit(&b->arts, c[4]);
	if (cid < 0 || cid > b->ncases || cp < 0 || cp > b->nlinks)
		return CTIP_OK;
	int32_t date = ctip_facts_date(c[7]);
	if (sb >= 0)
		b->case_stage[cid] |= 1u << sb;
	earliest(b->case_sdate + (size_t)cid * STAGE_DATES, sb, date);
	if (ab >= 0)
		b->case_art[cid] |= 1u << ab;
	if (perp) {
		if (sb >= 0)
			b->cp_stage[cp] |= 1u << sb;
		earliest(b->cp_sdate + (size_t)cp * STAGE_DATES, sb, date);
		if (ab >= 0)
			b->cp_art[cp] |= 1u << ab;
		int band = sentence_band(c[5], c[6]);
		if (band > b->cp_sent[cp])
			b->cp_sent[cp] = (unsigned char)band;
	}
	return CTIP_OK;
}

static int victim_row(struct ctip_fb *b, const char *const *c, ctip_err *e)
{
	struct ctip_frow r = {.key = num(c[0])};
	int64_t cid = num(c[1]);
	int32_t opened = ctip_facts_date(c[4]);
	r.case_id = cid;
	int32_t status_date = ctip_facts_date(c[11]);
	/* identified (status decided) that year; else the year the case was opened */
	r.date = status_date ? status_date : opened;
	one(&r, CTIP_D_ORG, c[2]);
	one(&r, CTIP_D_ORG_TYPE, c[3]);
	one(&r, CTIP_D_GENDER, c[5]);
	one(&r, CTIP_D_ETHNICITY, c[7]);
	json_codes(&r, CTIP_D_CITIZENSHIP, c[8], b->buf[CTIP_D_CITIZENSHIP], 2048);
	one(&r, CTIP_D_ORIGIN, c[9]);
	one(&r, CTIP_D_STATUS, c[10]);
	/* age at exploitation: as recorded, else from the birth date at the start of the first
	 * exploitation, else when the case was opened */
	if (c[12])
		r.age = (int)num(c[12]);
	else {
		int32_t at = ctip_facts_date(c[18]);
		r.age = age_at(c[6], at ? at : opened);
	}
	one(&r, CTIP_D_INDUSTRY, c[13]);
	json_codes(&r, CTIP_D_RECRUIT, c[14], b->buf[CTIP_D_RECRUIT], 2048);
	json_codes(&r, CTIP_D_CONTROL, c[15], b->buf[CTIP_D_CONTROL], 2048);
	json_codes(&r, CTIP_D_EXPLOIT, c[16], b->buf[CTIP_D_EXPLOIT], 2048);
	semi_codes(&r, CTIP_D_DEST, c[17], b->buf[CTIP_D_DEST], 2048);
	semi_codes(&r, CTIP_D_EVENT, c[19], b->buf[CTIP_D_EVENT], 2048);
	one(&r, CTIP_D_COMPANY, c[20]);                /* the recruiting company (ctip_Recruiter) */
	for (int i = 0; i < r.nv[CTIP_D_EVENT]; i++) { /* "type|date" */
		char *bar = strchr(r.v[CTIP_D_EVENT][i], '|');
		r.event_date[i] = bar ? ctip_facts_date(bar + 1) : 0;
		if (bar)
			*bar = 0;
	}
	if (cid >= 0 && cid <= b->ncases) {
		mask_stages(&r, b->case_stage[cid], &b->stages,
		            b->case_sdate + (size_t)cid * STAGE_DATES);
		mask_values(&r, CTIP_D_ARTICLE, b->case_art[cid], &b->arts);
		for (int i = 0; i < r.nv[CTIP_D_EXPLOIT]; i++) {
			int bit = code_bit(&b->expls, r.v[CTIP_D_EXPLOIT][i]);
			if (bit >= 0)
				b->case_expl[cid] |= 1u << bit;
		}
	}
	return ctip_facts_add(b->f, CTIP_U_VICTIMS, &r, e);
}

static int case_row(struct ctip_fb *b, const char *const *c, ctip_err *e)
{
	struct ctip_frow r = {.key = num(c[0])};
	r.case_id = r.key;
	r.date = ctip_facts_date(c[3]);
	one(&r, CTIP_D_ORG, c[1]);
	one(&r, CTIP_D_ORG_TYPE, c[2]);
	if (r.key >= 0 && r.key <= b->ncases) {
		mask_stages(&r, b->case_stage[r.key], &b->stages,
		            b->case_sdate + (size_t)r.key * STAGE_DATES);
		mask_values(&r, CTIP_D_ARTICLE, b->case_art[r.key], &b->arts);
		mask_values(&r, CTIP_D_EXPLOIT, b->case_expl[r.key], &b->expls);
	}
	return ctip_facts_add(b->f, CTIP_U_CASES, &r, e);
}

static int offender_row(struct ctip_fb *b, const char *const *c, ctip_err *e)
{
	struct ctip_frow r = {.key = num(c[0])};
	r.date = ctip_facts_date(c[3]);
	one(&r, CTIP_D_ORG, c[1]);
	one(&r, CTIP_D_ORG_TYPE, c[2]);
	one(&r, CTIP_D_GENDER, c[4]);
	r.age = age_at(c[5], r.date);
	one(&r, CTIP_D_ETHNICITY, c[6]);
	json_codes(&r, CTIP_D_CITIZENSHIP, c[7], b->buf[CTIP_D_CITIZENSHIP], 2048);
	one(&r, CTIP_D_ORIGIN, c[8]);
	r.case_id = num(c[9]);
	if (r.key >= 0 && r.key <= b->nlinks) {
		mask_stages(&r, b->cp_stage[r.key], &b->stages,
		            b->cp_sdate + (size_t)r.key * STAGE_DATES);
		mask_values(&r, CTIP_D_ARTICLE, b->cp_art[r.key], &b->arts);
		one(&r, CTIP_D_SENTENCE, sentence_bands[b->cp_sent[r.key]]);
	}
	return ctip_facts_add(b->f, CTIP_U_OFFENDERS, &r, e);
}

static int referral_row(struct ctip_fb *b, const char *const *c, ctip_err *e)
{
	struct ctip_frow r = {.key = b->f->u[CTIP_U_REFERRALS].n};
	r.date = ctip_facts_date(c[0]);
	one(&r, CTIP_D_ORG, c[1]);
	one(&r, CTIP_D_ORG_TYPE, c[2]);
	one(&r, CTIP_D_REF_REASON, c[3]);
	r.case_id = num(c[4]);
	return ctip_facts_add(b->f, CTIP_U_REFERRALS, &r, e);
}

static int assistance_row(struct ctip_fb *b, const char *const *c, ctip_err *e)
{
	struct ctip_frow r = {.key = b->f->u[CTIP_U_ASSISTANCE].n};
	r.date = ctip_facts_date(c[0]);
	one(&r, CTIP_D_ASSIST_KIND, c[1]);
	r.case_id = num(c[11]);
	one(&r, CTIP_D_ORG, c[2]);
	one(&r, CTIP_D_ORG_TYPE, c[3]);
	one(&r, CTIP_D_GENDER, c[4]);
	one(&r, CTIP_D_ORIGIN, c[6]);
	one(&r, CTIP_D_STATUS, c[7]);
	json_codes(&r, CTIP_D_EXPLOIT, c[8], b->buf[CTIP_D_EXPLOIT], 2048);
	r.age = c[9] ? (int)num(c[9]) : age_at(c[5], ctip_facts_date(c[10]));
	return ctip_facts_add(b->f, CTIP_U_ASSISTANCE, &r, e);
}

int ctip_fb_row(struct ctip_fb *b, int scan, const char *const *col, ctip_err *e)
{
	/* six scans of about one row per person in a case each */
	if (!(++b->scanned & 4095))
		ctip_progress_report("statistics snapshot", b->scanned,
		                     6 * (b->nlinks > b->ncases ? b->nlinks : b->ncases), "rows");
	switch (scan) {
	case CTIP_FB_PROC: return proc_row(b, col);
	case CTIP_FB_VICTIMS: return victim_row(b, col, e);
	case CTIP_FB_CASES: return case_row(b, col, e);
	case CTIP_FB_OFFENDERS: return offender_row(b, col, e);
	case CTIP_FB_REFERRALS: return referral_row(b, col, e);
	case CTIP_FB_ASSISTANCE: return assistance_row(b, col, e);
	default: return ctip_err_set(e, CTIP_EINVAL, "statistics: no scan %d", scan);
	}
}

int ctip_fb_load_unit(ctip_facts *f, int u, int stored, const unsigned char *need, int cases,
                      int (*read)(void *ctx, int unit, int part, void **data, size_t *len,
                                  ctip_err *e),
                      void *ctx, ctip_err *e)
{
	void *data = NULL;
	size_t len = 0;
	int rc = 0;
	for (int p = CTIP_PART_CASE; p < CTIP_D_N && !rc; p++) {
		int d = p;
		if (p == CTIP_PART_CASE)
			d = CTIP_PART_KEY; /* keys first */
		else if (p == CTIP_PART_KEY)
			d = CTIP_PART_CASE;
		if ((d == CTIP_PART_CASE && !cases) || (d == CTIP_PART_DATE && cases == 2))
			continue;
		if (d >= 0 && (d == CTIP_D_YEAR || !f->u[u].has[d] || (need && !need[d])))
			continue;
		if (!(rc = read(ctx, stored, d, &data, &len, e)))
			rc = ctip_facts_attach(f, u, d, data, len, e);
		if (!rc && d >= 0 && f->u[u].multi[d] &&
		    !(rc = read(ctx, stored, CTIP_PART_OFF + d, &data, &len, e)))
			rc = ctip_facts_attach(f, u, CTIP_PART_OFF + d, data, len, e);
		if (!rc && CTIP_DIM_DATED(d) &&
		    !(rc = read(ctx, stored, CTIP_PART_VDATE + d, &data, &len, e)))
			rc = ctip_facts_attach(f, u, CTIP_PART_VDATE + d, data, len, e);
	}
	return rc;
}

void ctip_fb_stamp(ctip_facts *f)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(f->built_at, sizeof(f->built_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
}
