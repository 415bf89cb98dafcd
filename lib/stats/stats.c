/*
 * stats.c - the counting engine (stats.h): levels of each dimension, filters, and one scan
 * of a fact table that adds each row (or each distinct key) to every cell it falls in,
 * margins included, so that margins of multi-valued dimensions count distinct units.
 */
#include "stats.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"

int ctip_stats_parse_bands(const char *s, struct ctip_stats_query *q, ctip_err *e)
{
	int n = 0, prev_hi = -1;
	const char *p = s;
	while (*p) {
		char *end;
		if (n == CTIP_STATS_MAXBANDS)
			return ctip_err_set(e, CTIP_EINVAL, "--age-bands: at most %d bands",
			                    CTIP_STATS_MAXBANDS);
		long lo = strtol(p, &end, 10), hi = -1;
		if (end == p || *end != '-' || lo < 0 || lo > 150)
			goto bad;
		p = end + 1;
		if (*p >= '0' && *p <= '9') {
			hi = strtol(p, &end, 10);
			if (hi < lo || hi > 150)
				goto bad;
			p = end;
		}
		if (lo != prev_hi + 1)
			return ctip_err_set(
			        e, CTIP_EINVAL,
			        "--age-bands: bands must start at 0 and follow each other "
			        "without gap or overlap (%ld after %d)",
			        lo, prev_hi);
		q->band_lo[n] = (int)lo;
		q->band_hi[n++] = (int)hi;
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
		if (hi < 0 && *p)
			return ctip_err_set(e, CTIP_EINVAL,
			                    "--age-bands: only the last band is open");
		prev_hi = (int)hi;
	}
	if (!n)
		goto bad;
	q->nbands = n;
	return CTIP_OK;
bad:
	return ctip_err_set(e, CTIP_EINVAL,
	                    "--age-bands: expected bands like 0-15,16-17,18- (got '%s')", s);
}

int ctip_stats_parse_date(const char *s, int to, int32_t *out, ctip_err *e)
{
	ctip_date d;
	if (ctip_date_parse(s, &d, e) || d.prec == CTIP_DATE_NONE)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "'%s': expected a date YYYY, YYYY-MM or YYYY-MM-DD", s);
	if (!to)
		*out = d.y * 10000 + d.m * 100 + d.d;
	else
		*out = d.y * 10000 + (d.m ? d.m : 12) * 100 +
		       (d.d ? d.d : (d.m ? ctip_date_days_in_month(d.y, d.m) : 31));
	return CTIP_OK;
}

int ctip_stats_check(const struct ctip_stats_query *q, ctip_err *e)
{
	if (q->unit < 0 || q->unit >= CTIP_U_N)
		return ctip_err_set(e, CTIP_EINVAL, "unknown count");
	if (q->ndim < 0 || q->ndim > CTIP_STATS_MAXDIM)
		return ctip_err_set(e, CTIP_EINVAL, "at most %d dimensions", CTIP_STATS_MAXDIM);
	for (int i = 0; i < q->ndim; i++) {
		if (!ctip_unit_has_dim(q->unit, q->dim[i]))
			return ctip_err_set(e, CTIP_EINVAL, "%s cannot be broken down by %s",
			                    ctip_unit_name(q->unit), ctip_dim_name(q->dim[i]));
		for (int j = 0; j < i; j++)
			if (q->dim[j] == q->dim[i])
				return ctip_err_set(e, CTIP_EINVAL, "%s named twice",
				                    ctip_dim_name(q->dim[i]));
	}
	for (int i = 0; i < q->nwhere; i++)
		if (!ctip_unit_has_dim(q->unit, q->where_dim[i]))
			return ctip_err_set(e, CTIP_EINVAL, "%s cannot be filtered by %s",
			                    ctip_unit_name(q->unit),
			                    ctip_dim_name(q->where_dim[i]));
	if (q->from && q->to && q->from > q->to)
		return ctip_err_set(e, CTIP_EINVAL, "the period ends before it starts");
	return CTIP_OK;
}

void ctip_stats_need(const struct ctip_stats_query *q, unsigned char need[CTIP_D_N])
{
	memset(need, 0, CTIP_D_N);
	for (int i = 0; i < q->ndim; i++)
		if (q->dim[i] >= 0 && q->dim[i] < CTIP_D_N)
			need[q->dim[i]] = 1;
	for (int i = 0; i < q->nwhere; i++)
		if (q->where_dim[i] >= 0 && q->where_dim[i] < CTIP_D_N)
			need[q->where_dim[i]] = 1;
}

static const int default_lo[] = {0, 16, 18}, default_hi[] = {15, 17, -1};

static void band_label(char *buf, size_t n, int lo, int hi)
{
	if (hi < 0)
		snprintf(buf, n, "%d+", lo);
	else
		snprintf(buf, n, "%d-%d", lo, hi);
}

/* How the values of one dimension map to levels. */
struct dimmap {
	int dim, multi, nlev;
	int n;                /* entries of map */
	int *map;             /* code (or age + 1, or year - ymin + 1) -> level; index 0 unknown */
	int ymin;             /* year dimension */
	unsigned char *allow; /* where filter: by code; NULL none */
};

static char *dupe(const char *s)
{
	return strdup(s ? s : "");
}

const char *ctip_stats_dim_vocab(int dim)
{
	switch (dim) {
	case CTIP_D_GENDER: return "gender";
	case CTIP_D_ETHNICITY: return "ethnicity";
	case CTIP_D_CITIZENSHIP:
	case CTIP_D_DEST: return "country";
	case CTIP_D_ORIGIN: return "province_2025";
	case CTIP_D_EXPLOIT: return "exploitation_type";
	case CTIP_D_INDUSTRY: return "labour_industry";
	case CTIP_D_RECRUIT: return "recruitment_method";
	case CTIP_D_CONTROL: return "control_method";
	case CTIP_D_ARTICLE: return "criminal_article";
	case CTIP_D_STAGE: return "proceeding_stage";
	case CTIP_D_STATUS: return "trafficking_status";
	case CTIP_D_ORG_TYPE: return "org_type";
	case CTIP_D_ASSIST_KIND: return "assistance_kind";
	case CTIP_D_REF_REASON: return "referral_reason";
	case CTIP_D_EVENT: return "event_type";
	case CTIP_D_RISK_LEVEL: return "risk_level";
	case CTIP_D_FOLLOWUP_OUTCOME: return "followup_outcome";
	case CTIP_D_CHANNEL: return "contact_channel";
	case CTIP_D_CALLER_TYPE: return "caller_type";
	case CTIP_D_CONTACT_REASON: return "contact_reason";
	default: return NULL;
	}
}

struct level {
	int sort; /* the vocabulary's order (stages in the order of proceedings); INT_MAX after */
	uint32_t code;
	const char *s;
};

static int cmp_level(const void *a, const void *b)
{
	const struct level *x = a, *y = b;
	if (x->sort != y->sort)
		return x->sort < y->sort ? -1 : 1;
	return strcmp(x->s, y->s);
}

/* Levels of a dictionary dimension: its values in the vocabulary's order when the query has
 * the reference data (else by code; sentence bands by severity), then Unknown. */
static int dict_levels(const ctip_facts *f, const struct ctip_stats_query *q,
                       struct ctip_stats_table *t, int k, struct dimmap *m)
{
	const struct ctip_dict *dc = &f->dict[m->dim];
	const char *vocab = q->ref ? ctip_stats_dim_vocab(m->dim) : NULL;
	int n = dc->n > 1 ? (int)dc->n - 1 : 0;
	struct level *lv = calloc((size_t)n + 1, sizeof(*lv));
	m->n = n + 1;
	m->map = calloc((size_t)n + 1, sizeof(int));
	t->label[k] = calloc((size_t)n + 1, sizeof(char *));
	if (!lv || !m->map || !t->label[k]) {
		free(lv);
		return -1;
	}
	/* sentence bands by severity (store_sqlite_stats.c names them) */
	static const char *const bands[] = {
	        "Fine",        "NonCustodialReform", "SuspendedSentence", "Prison<3y", "Prison3-7y",
	        "Prison7-15y", "Prison15-20y",       "LifeImprisonment",  "Death"};
	for (int i = 0; i < n; i++) {
		const struct ctip_ref_entry *en =
		        vocab && strcmp(vocab, "country")
		                ? ctip_ref_get(q->ref, vocab, dc->s[i + 1])
		                : NULL;
		int sort = en ? en->sort : INT_MAX;
		for (int b = 0;
		     m->dim == CTIP_D_SENTENCE && b < (int)(sizeof(bands) / sizeof(bands[0])); b++)
			if (!strcmp(bands[b], dc->s[i + 1]))
				sort = b;
		lv[i] = (struct level){sort, (uint32_t)i + 1, dc->s[i + 1]};
	}
	qsort(lv, (size_t)n, sizeof(*lv), cmp_level);
	for (int i = 0; i < n; i++) {
		if (!(t->label[k][i] = dupe(lv[i].s))) {
			free(lv);
			return -1;
		}
		m->map[lv[i].code] = i;
	}
	free(lv);
	m->map[0] = n;
	m->nlev = n + 1;
	return (t->label[k][n] = dupe("Unknown")) ? 0 : -1;
}

static int age_levels(const struct ctip_stats_query *q, struct ctip_stats_table *t, int k,
                      struct dimmap *m)
{
	int nb = q->nbands ? q->nbands : 3;
	const int *lo = q->nbands ? q->band_lo : default_lo,
	          *hi = q->nbands ? q->band_hi : default_hi;
	m->n = 201;
	m->nlev = nb + 1;
	m->map = calloc(201, sizeof(int));
	t->label[k] = calloc((size_t)nb + 1, sizeof(char *));
	if (!m->map || !t->label[k])
		return -1;
	m->map[0] = nb;
	for (int a = 0; a < 200; a++) {
		m->map[a + 1] = nb; /* ages beyond the last closed band: unknown */
		for (int b = 0; b < nb; b++)
			if (a >= lo[b] && (hi[b] < 0 || a <= hi[b]))
				m->map[a + 1] = b;
	}
	for (int b = 0; b < nb; b++) {
		char buf[32];
		band_label(buf, sizeof(buf), lo[b], hi[b]);
		if (!(t->label[k][b] = dupe(buf)))
			return -1;
	}
	return (t->label[k][nb] = dupe("Unknown")) ? 0 : -1;
}

/* Widens [*ymin, *ymax] to the years row i is counted in within the period: its date, or with
 * stages dated, the dates of its stages that pass the stage filter (allow) and its own date only
 * where the counting uses it (no stage, or a stage without a date). Dead rows are skipped: the
 * delta holds what replaced them. */
static void year_span(const struct ctip_funit *fu, uint32_t i, int staged,
                      const unsigned char *allow, const struct ctip_stats_query *q, int *ymin,
                      int *ymax)
{
	if (fu->dead && (fu->dead[i >> 3] >> (i & 7) & 1))
		return;
	const struct ctip_fcol *sc =
	        &fu->col[staged > 0 && staged < CTIP_D_N ? staged : CTIP_D_STAGE];
	int with_stages =
	        staged > 0 && staged < CTIP_D_N && fu->has[staged] && sc->vdate && sc->off;
	uint32_t j0 = with_stages ? sc->off[i] : 0, j1 = with_stages ? sc->off[i + 1] : 0;
	for (uint32_t j = j0; j <= j1; j++) {
		int32_t dt;
		if (j < j1) { /* a stage: its date, else the row's */
			if (allow && !allow[sc->val[j]])
				continue;
			dt = sc->vdate[j] ? sc->vdate[j] : fu->date[i];
		} else if (j0 == j1 && (!with_stages || !allow || allow[0]))
			dt = fu->date[i]; /* no stage (Unknown), or stages not dated */
		else
			continue;
		if (!dt || (q->from && dt < q->from) || (q->to && dt > q->to))
			continue;
		int y = dt / 10000;
		if (*ymax < 0 || y < *ymin)
			*ymin = y;
		if (y > *ymax)
			*ymax = y;
	}
}

/* Years: every year from the first to the last in the period that has a row (counted there),
 * then Unknown. staged: the dated dimension (stage, event) counted by its dates, else -1;
 * stage_allow its filter, NULL none. */
static int year_levels(const struct ctip_funit *fu, const struct ctip_stats_query *q, int staged,
                       const unsigned char *stage_allow, struct ctip_stats_table *t, int k,
                       struct dimmap *m)
{
	int ymin = 0, ymax = -1;
	for (const struct ctip_funit *part = fu; part; part = part == fu ? fu->delta : NULL)
		for (uint32_t i = 0; i < part->n; i++)
			year_span(part, i, staged, stage_allow, q, &ymin, &ymax);
	int n = ymax < 0 ? 0 : ymax - ymin + 1;
	m->ymin = ymin;
	m->n = n + 1;
	m->nlev = n + 1;
	m->map = calloc((size_t)n + 1, sizeof(int));
	t->label[k] = calloc((size_t)n + 1, sizeof(char *));
	if (!m->map || !t->label[k])
		return -1;
	m->map[0] = n;
	for (int i = 0; i < n; i++) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%d", ymin + i);
		m->map[i + 1] = i;
		if (!(t->label[k][i] = dupe(buf)))
			return -1;
	}
	return (t->label[k][n] = dupe("Unknown")) ? 0 : -1;
}

/* Index into a dimmap for row i's single value (year and age are computed, not stored). */
static int year_index(const struct dimmap *m, int32_t date)
{
	if (!date)
		return 0;
	int i = date / 10000 - m->ymin + 1;
	return i >= 1 && i < m->n ? i : 0;
}

/* The filter of a dimension: which map indexes pass. Values are matched against the codes
 * (or level labels for year and age), and "Unknown" matches unknown. */
static int where_allow(const ctip_facts *f, const struct ctip_stats_query *q,
                       const struct ctip_stats_table *t, struct dimmap *m, int dim, ctip_err *e)
{
	int n = dim == CTIP_D_YEAR ? 0 : dim == CTIP_D_AGE ? 201 : (int)f->dict[dim].n;
	if (dim == CTIP_D_YEAR)
		return CTIP_OK; /* turned into a period by the caller */
	if (n < 1)
		n = 1;
	m->allow = calloc((size_t)n, 1);
	if (!m->allow)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int w = 0; w < q->nwhere; w++) {
		if (q->where_dim[w] != dim)
			continue;
		const char *v = q->where_value[w];
		int found = 0;
		if (!strcmp(v, "Unknown")) {
			m->allow[0] = 1;
			found = 1;
		}
		if (dim == CTIP_D_AGE) {
			/* the level label of the table's bands */
			int nb = q->nbands ? q->nbands : 3;
			const int *lo = q->nbands ? q->band_lo : default_lo;
			const int *hi = q->nbands ? q->band_hi : default_hi;
			for (int b = 0; b < nb; b++) {
				char buf[32];
				band_label(buf, sizeof(buf), lo[b], hi[b]);
				if (strcmp(buf, v))
					continue;
				found = 1;
				for (int a = lo[b]; a < 200 && (hi[b] < 0 || a <= hi[b]); a++)
					m->allow[a + 1] = 1;
			}
		} else {
			for (int c = 1; c < n; c++)
				if (!strcmp(f->dict[dim].s[c], v))
					m->allow[c] = 1, found = 1;
		}
		if (!found && dim != CTIP_D_AGE && strcmp(v, "Unknown")) {
			/* a value nobody recorded: the filter matches nothing, which is an answer
			 */
			continue;
		}
		if (!found)
			return ctip_err_set(e, CTIP_EINVAL, "%s=%s: no such age band",
			                    ctip_dim_name(dim), v);
	}
	(void)t;
	return CTIP_OK;
}

struct ctip_stats_table *ctip_stats_blank(int ndim, const int *nlev)
{
	struct ctip_stats_table *t = calloc(1, sizeof(*t));
	if (!t || ndim < 0 || ndim > CTIP_STATS_MAXDIM)
		goto fail;
	t->ndim = ndim;
	t->additive = 1;
	t->ncell = 1;
	for (int k = ndim - 1; k >= 0; k--) {
		t->nlev[k] = nlev[k];
		t->stride[k] = t->ncell;
		t->ncell *= (size_t)nlev[k] + 1;
		t->label[k] = calloc((size_t)nlev[k], sizeof(char *));
		if (!t->label[k])
			goto fail;
		for (int l = 0; l < nlev[k]; l++) {
			char buf[16];
			snprintf(buf, sizeof(buf), l == nlev[k] - 1 ? "Unknown" : "L%d", l);
			if (!(t->label[k][l] = strdup(buf)))
				goto fail;
		}
	}
	t->count = calloc(t->ncell, sizeof(int64_t));
	t->supp = calloc(t->ncell, 1);
	if (!t->count || !t->supp)
		goto fail;
	return t;
fail:
	ctip_stats_free(t);
	return NULL;
}

void ctip_stats_free(struct ctip_stats_table *t)
{
	if (!t)
		return;
	for (int k = 0; k < t->ndim; k++) {
		for (int l = 0; t->label[k] && l < t->nlev[k]; l++)
			free(t->label[k][l]);
		free(t->label[k]);
	}
	free(t->count);
	free(t->supp);
	free(t);
}

int ctip_stats_drop_empty(struct ctip_stats_table *t, int k, ctip_err *e)
{
	if (k < 0 || k >= t->ndim || t->suppressed)
		return ctip_err_set(e, CTIP_EINVAL, "statistics: no dimension %d to compact", k);
	/* a level is empty when its margin (the other dimensions at their totals) is 0 */
	int lev[CTIP_STATS_MAXDIM], n = t->nlev[k], keep = 0;
	int *to = malloc(((size_t)n + 1) * sizeof(int));
	if (!to)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int j = 0; j < t->ndim; j++)
		lev[j] = t->nlev[j];
	for (int l = 0; l <= n; l++) {
		lev[k] = l;
		/* Unknown (n - 1) and the total (n) always stay */
		to[l] = l >= n - 1 || t->count[ctip_stats_cell(t, lev)] ? keep++ : -1;
	}
	size_t stride[CTIP_STATS_MAXDIM], ncell = 1;
	for (int j = t->ndim - 1; j >= 0; j--) {
		stride[j] = ncell;
		ncell *= (size_t)(j == k ? keep : t->nlev[j] + 1);
	}
	int64_t *count = calloc(ncell, sizeof(int64_t));
	if (!count) {
		free(to);
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	for (size_t c = 0; c < t->ncell; c++) {
		size_t rest = c, nc = 0;
		int drop = 0;
		for (int j = 0; j < t->ndim; j++) {
			int l = (int)(rest / t->stride[j]);
			rest %= t->stride[j];
			if (j == k && to[l] < 0)
				drop = 1;
			nc += (size_t)(j == k ? to[l] : l) * stride[j];
		}
		if (!drop)
			count[nc] = t->count[c];
	}
	for (int l = 0; l < n; l++) {
		if (to[l] < 0)
			free(t->label[k][l]);
		else
			t->label[k][to[l]] = t->label[k][l];
	}
	free(t->count);
	memset(t->supp, 0, ncell); /* not suppressed yet: all published */
	t->count = count;
	t->ncell = ncell;
	for (int j = 0; j < t->ndim; j++)
		t->stride[j] = stride[j];
	if (n > keep - 1) {
		t->dropped += n - (keep - 1);
		t->dropped_k = k;
	}
	t->nlev[k] = keep - 1;
	free(to);
	return CTIP_OK;
}

size_t ctip_stats_cell(const struct ctip_stats_table *t, const int *lev)
{
	size_t c = 0;
	for (int k = 0; k < t->ndim; k++)
		c += (size_t)lev[k] * t->stride[k];
	return c;
}

size_t ctip_stats_total_cell(const struct ctip_stats_table *t)
{
	int lev[CTIP_STATS_MAXDIM];
	for (int k = 0; k < t->ndim; k++)
		lev[k] = t->nlev[k];
	return ctip_stats_cell(t, lev);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

struct scan {
	size_t *buf;
	size_t n, cap;
};

static int buf_push(struct scan *s, size_t c)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		size_t *nb = realloc(s->buf, nc * sizeof(size_t));
		if (!nb)
			return -1;
		s->buf = nb;
		s->cap = nc;
	}
	s->buf[s->n++] = c;
	return 0;
}

/* One range of rows, whole keys only, counted into its own array (one per thread). */
struct range {
	const struct ctip_funit *fu;
	const struct ctip_stats_query *q;
	const struct dimmap *m;
	int nm, oom;
	const size_t *stride;
	uint32_t lo, hi;
	int64_t *count, records;
	int stage_m;        /* index in m of the stage dimension when stages are dated, else -1 */
	int year_k;         /* the year's position among the table's dimensions, else -1 */
	int64_t stage_rows; /* rows counted by a stage's date */
	int64_t fallback;   /* of these, stages without a date, counted by the row's date */
	int fast;           /* rows alone under their key go through a histogram (below) */
	int dense;          /* its dense dimension */
};

/* The histogram of combinations, for rows alone under their key. One dimension, the one with
 * the most values per row, is kept dense: a row is reduced to the tokens of the other
 * dimensions (the level of a single-valued one, the bit set of the levels of a multi-valued
 * one), which find a line of counters by hash, and the row adds one to that line's counter of
 * each of its levels of the dense dimension and of its total. At the end every line is spread
 * over its cells and margins. Rows share few token tuples: a million victims by control
 * method x recruitment method x exploitation type have 2,719 tuples of the last two, and a row
 * costs one probe and ~7 counters instead of a cell per combination of its values (~50). */
struct hist {
	int dense;      /* the dense dimension's position among the table's, -1 none */
	int width;      /* its levels + 1 (the total) */
	uint32_t *slot; /* hash slots: line + 1, 0 empty */
	size_t cap;     /* slots, a power of two */
	uint64_t (*key)[CTIP_STATS_MAXDIM];
	uint32_t *n; /* lines x width counters */
	size_t lines, lcap;
};

static uint64_t hist_hash(const uint64_t *k)
{
	uint64_t h = 0x9E3779B97F4A7C15u;
	for (int i = 0; i < CTIP_STATS_MAXDIM; i++) {
		h ^= k[i] + 0x9E3779B97F4A7C15u + (h << 6) + (h >> 2);
		h *= 0xFF51AFD7ED558CCDu;
	}
	return h ^ (h >> 29);
}

static int hist_grow(struct hist *h)
{
	size_t nc = h->cap ? h->cap * 2 : 4096;
	uint32_t *ns = calloc(nc, sizeof(uint32_t));
	if (!ns)
		return -1;
	for (size_t l = 0; l < h->lines; l++) {
		size_t j = hist_hash(h->key[l]) & (nc - 1);
		while (ns[j])
			j = (j + 1) & (nc - 1);
		ns[j] = (uint32_t)l + 1;
	}
	free(h->slot);
	h->slot = ns;
	h->cap = nc;
	return 0;
}

/* The counters of the line of tokens k, made when new; NULL out of memory. */
static uint32_t *hist_line(struct hist *h, const uint64_t *k)
{
	if (2 * (h->lines + 1) > h->cap && hist_grow(h))
		return NULL;
	size_t j = hist_hash(k) & (h->cap - 1);
	for (; h->slot[j]; j = (j + 1) & (h->cap - 1))
		if (!memcmp(h->key[h->slot[j] - 1], k, sizeof(h->key[0])))
			return h->n + (size_t)(h->slot[j] - 1) * (size_t)h->width;
	if (h->lines == h->lcap) {
		size_t nl = h->lcap ? h->lcap * 2 : 1024;
		void *nk = realloc(h->key, nl * sizeof(h->key[0]));
		if (!nk)
			return NULL;
		h->key = nk;
		uint32_t *nn = realloc(h->n, nl * (size_t)h->width * sizeof(uint32_t));
		if (!nn)
			return NULL;
		h->n = nn;
		h->lcap = nl;
	}
	size_t l = h->lines++;
	memcpy(h->key[l], k, sizeof(h->key[0]));
	memset(h->n + l * (size_t)h->width, 0, (size_t)h->width * sizeof(uint32_t));
	h->slot[j] = (uint32_t)l + 1;
	return h->n + l * (size_t)h->width;
}

static void hist_free(struct hist *h)
{
	free(h->slot);
	free(h->key);
	free(h->n);
}

/* Adds each line's counters to all their cells. */
static void hist_spread(const struct hist *h, const struct range *p)
{
	const struct dimmap *m = p->m;
	int ndim = p->q->ndim;
	for (size_t e = 0; e < h->lines; e++) {
		size_t off[CTIP_STATS_MAXDIM][66];
		int no[CTIP_STATS_MAXDIM];
		for (int k = 0; k < CTIP_STATS_MAXDIM; k++) {
			no[k] = 0;
			if (k >= ndim || k == h->dense) {
				off[k][no[k]++] = 0;
				continue;
			}
			uint64_t t = h->key[e][k];
			if (!m[k].multi)
				off[k][no[k]++] = (size_t)t * p->stride[k];
			else
				for (; t; t &= t - 1)
					off[k][no[k]++] = (size_t)__builtin_ctzll(t) * p->stride[k];
			off[k][no[k]++] = (size_t)m[k].nlev * p->stride[k];
		}
		const uint32_t *line = h->n + e * (size_t)h->width;
		for (int l = 0; l < h->width; l++) {
			int64_t c = line[l];
			if (!c)
				continue;
			size_t base = h->dense >= 0 ? (size_t)l * p->stride[h->dense] : 0;
			for (int a = 0; a < no[0]; a++)
				for (int b = 0; b < no[1]; b++)
					for (int c2 = 0; c2 < no[2]; c2++)
						for (int d2 = 0; d2 < no[3]; d2++)
							p->count[base + off[0][a] + off[1][b] +
							         off[2][c2] + off[3][d2]] += c;
		}
	}
}

static int in_period(const struct ctip_stats_query *q, int32_t dt)
{
	return !(q->from || q->to) ||
	       (dt && (!q->from || dt >= q->from) && (!q->to || dt <= q->to));
}

/* The stages of row i that pass the period (by their own date, else the row's) and a stage
 * filter: code and date of each, *fb those without a date. n 0 and *none 1: the row has no
 * stage (Unknown, dated by the row). Returns the number kept. */
static int dated_stages(const struct range *p, uint32_t i, uint16_t *code, int32_t *date, int *fb,
                        int *none)
{
	const struct dimmap *dm = &p->m[p->stage_m];
	const struct ctip_fcol *c = &p->fu->col[dm->dim];
	int32_t dt = p->fu->date[i];
	int n = 0;
	*fb = 0;
	*none = c->off[i] == c->off[i + 1];
	if (*none) {
		if (!in_period(p->q, dt) || (dm->allow && !dm->allow[0]))
			return 0;
		code[0] = 0;
		date[0] = dt;
		return 1;
	}
	for (uint32_t j = c->off[i]; j < c->off[i + 1] && n < CTIP_FACT_MAXV; j++) {
		int32_t d = c->vdate[j] ? c->vdate[j] : dt;
		if (!in_period(p->q, d) || (dm->allow && !dm->allow[c->val[j]]))
			continue;
		*fb += !c->vdate[j];
		code[n] = c->val[j];
		date[n++] = d;
	}
	return n;
}

static void *count_range(void *arg)
{
	struct range *p = arg;
	const struct ctip_funit *fu = p->fu;
	const struct ctip_stats_query *q = p->q;
	const struct dimmap *m = p->m;
	int64_t *count = p->count;
	struct scan sc = {0};
	struct hist hist = {.dense = p->dense, .width = p->dense >= 0 ? m[p->dense].nlev + 1 : 1};
	int64_t cur_key = 0;
	int group_rows = 0, split = 0;
	for (uint32_t i = p->lo; i <= p->hi; i++) {
		if (i == p->hi || (group_rows && fu->key[i] != cur_key)) {
			/* flush the key's cells: once per distinct cell */
			if ((group_rows > 1 || split) && sc.n > 1) {
				qsort(sc.buf, sc.n, sizeof(size_t), cmp_size);
				size_t u = 0;
				for (size_t j = 0; j < sc.n; j++)
					if (!j || sc.buf[j] != sc.buf[u - 1])
						sc.buf[u++] = sc.buf[j];
				sc.n = u;
			}
			for (size_t j = 0; j < sc.n; j++)
				count[sc.buf[j]]++;
			sc.n = 0;
			group_rows = 0;
			split = 0;
			if (i == p->hi)
				break;
		}
		if (fu->dead && (fu->dead[i >> 3] >> (i & 7) & 1))
			continue; /* replaced by the delta */
		int32_t dt = fu->date[i];
		/* stages dated: the period applies to each stage's date instead of the row's */
		uint16_t scode[CTIP_FACT_MAXV];
		int32_t sdate[CTIP_FACT_MAXV];
		int ns = 0, sfb = 0, snone = 0;
		if (p->stage_m >= 0) {
			if (!(ns = dated_stages(p, i, scode, sdate, &sfb, &snone)))
				continue;
		} else if (!in_period(q, dt))
			continue;
		/* filters */
		int pass = 1;
		for (int k = 0; k < p->nm && pass; k++) {
			const struct dimmap *dm = &m[k];
			if (!dm->allow || k == p->stage_m)
				continue;
			const struct ctip_fcol *c = &fu->col[dm->dim];
			if (!dm->multi) {
				pass = dm->allow[c->val[i]];
			} else if (c->off[i] == c->off[i + 1]) {
				pass = dm->allow[0];
			} else {
				pass = 0;
				for (uint32_t j = c->off[i]; j < c->off[i + 1] && !pass; j++)
					pass = dm->allow[c->val[j]];
			}
		}
		if (!pass)
			continue;
		p->records++;
		if (p->stage_m >= 0 && !snone) {
			p->stage_rows++;
			p->fallback += sfb > 0;
		}
		if (p->fast && !(group_rows && fu->key[i] == cur_key) &&
		    !(i + 1 < p->hi && fu->key[i + 1] == fu->key[i])) {
			uint64_t tk[CTIP_STATS_MAXDIM] = {0};
			for (int k = 0; k < q->ndim; k++) {
				const struct dimmap *dm = &m[k];
				const struct ctip_fcol *c = &fu->col[dm->dim];
				if (k == hist.dense)
					continue;
				if (dm->dim == CTIP_D_YEAR)
					tk[k] = (uint64_t)dm->map[year_index(dm, dt)];
				else if (!dm->multi)
					tk[k] = (uint64_t)
					                dm->map[c->val[i] < dm->n ? c->val[i] : 0];
				else {
					uint64_t mask = 0;
					for (uint32_t j = c->off[i]; j < c->off[i + 1]; j++)
						mask |= 1ull
						        << dm->map[c->val[j] < dm->n ? c->val[j]
						                                     : 0];
					tk[k] = mask ? mask : 1ull << (dm->nlev - 1);
				}
			}
			uint32_t *line = hist_line(&hist, tk);
			if (!line) {
				p->oom = 1;
				break;
			}
			line[hist.width - 1]++; /* the total */
			if (hist.dense >= 0) {
				const struct dimmap *dm = &m[hist.dense];
				const struct ctip_fcol *c = &fu->col[dm->dim];
				if (dm->dim == CTIP_D_YEAR)
					line[dm->map[year_index(dm, dt)]]++;
				else if (!dm->multi)
					line[dm->map[c->val[i] < dm->n ? c->val[i] : 0]]++;
				else if (c->off[i] == c->off[i + 1])
					line[dm->nlev - 1]++;
				else /* codes of a row are distinct, and so their levels */
					for (uint32_t j = c->off[i]; j < c->off[i + 1]; j++)
						line[dm->map[c->val[j] < dm->n ? c->val[j] : 0]]++;
			}
			cur_key = fu->key[i];
			group_rows++;
			continue;
		}
		/* levels of each dimension (deduplicated), plus its total */
		int lv[CTIP_STATS_MAXDIM][CTIP_FACT_MAXV + 2], nl[CTIP_STATS_MAXDIM] = {0};
		for (int k = 0; k < q->ndim; k++) {
			const struct dimmap *dm = &m[k];
			const struct ctip_fcol *c = &fu->col[dm->dim];
			nl[k] = 0;
			if (dm->dim == CTIP_D_YEAR)
				lv[k][nl[k]++] = dm->map[year_index(dm, dt)];
			else if (k == p->stage_m)
				; /* per year of the stages' dates, below */
			else if (!dm->multi)
				lv[k][nl[k]++] = dm->map[c->val[i] < dm->n ? c->val[i] : 0];
			else {
				for (uint32_t j = c->off[i];
				     j < c->off[i + 1] && nl[k] < CTIP_FACT_MAXV; j++) {
					int l = dm->map[c->val[j] < dm->n ? c->val[j] : 0], dup = 0;
					for (int x = 0; x < nl[k]; x++)
						dup |= lv[k][x] == l;
					if (!dup)
						lv[k][nl[k]++] = l;
				}
				if (!nl[k])
					lv[k][nl[k]++] = dm->nlev - 1;
			}
			lv[k][nl[k]++] = dm->nlev; /* the total */
		}
		/* Dated stages: one pass per year the kept stages fall in (all at once without a
		 * year dimension), the year and the stage levels those of that year's stages. */
		int years[CTIP_FACT_MAXV], ny = 1;
		years[0] = 0;
		if (p->stage_m >= 0 && p->year_k >= 0) {
			ny = 0;
			for (int j = 0; j < ns; j++) {
				int y = sdate[j] / 10000, dup = 0;
				for (int x = 0; x < ny; x++)
					dup |= years[x] == y;
				if (!dup)
					years[ny++] = y;
			}
		}
		/* a key on one row only (most): its cells are distinct, count them at once */
		int alone = ny == 1 && !(group_rows && fu->key[i] == cur_key) &&
		            !(i + 1 < p->hi && fu->key[i + 1] == fu->key[i]);
		split |= ny > 1;
		for (int yi = 0; yi < ny; yi++) {
			if (p->stage_m >= 0 && p->year_k >= 0) {
				const struct dimmap *ym = &m[p->year_k];
				lv[p->year_k][0] = ym->map[year_index(ym, years[yi] * 10000)];
			}
			if (p->stage_m >= 0 && p->stage_m < q->ndim) {
				const struct dimmap *dm = &m[p->stage_m];
				int k = p->stage_m;
				nl[k] = 0;
				for (int j = 0; j < ns; j++)
					if (p->year_k < 0 || sdate[j] / 10000 == years[yi])
						lv[k][nl[k]++] =
						        dm->map[scode[j] < dm->n ? scode[j] : 0];
				if (snone)
					lv[k][0] = dm->nlev - 1;
				lv[k][nl[k]++] = dm->nlev;
			}
			/* every combination, as offsets summed in nested loops (dimensions beyond
			 * ndim have the single offset 0) */
			size_t off[CTIP_STATS_MAXDIM][CTIP_FACT_MAXV + 2];
			int no[CTIP_STATS_MAXDIM];
			for (int k = 0; k < CTIP_STATS_MAXDIM; k++) {
				no[k] = k < q->ndim ? nl[k] : 1;
				for (int j = 0; j < no[k]; j++)
					off[k][j] =
					        k < q->ndim ? (size_t)lv[k][j] * p->stride[k] : 0;
			}
			for (int a = 0; a < no[0]; a++)
				for (int b = 0; b < no[1]; b++) {
					size_t ab = off[0][a] + off[1][b];
					for (int c2 = 0; c2 < no[2]; c2++) {
						size_t abc = ab + off[2][c2];
						for (int d2 = 0; d2 < no[3]; d2++) {
							size_t cell = abc + off[3][d2];
							if (alone)
								count[cell]++;
							else if (buf_push(&sc, cell)) {
								p->oom = 1;
								goto out;
							}
						}
					}
				}
		}
		cur_key = fu->key[i];
		group_rows++;
	}
	if (!p->oom)
		hist_spread(&hist, p);
out:
	free(sc.buf);
	hist_free(&hist);
	return NULL;
}

int ctip_stats_compute(const ctip_facts *f, const struct ctip_stats_query *q0,
                       struct ctip_stats_table **out, ctip_err *e)
{
	int rc = ctip_stats_check(q0, e);
	if (rc)
		return rc;
	struct ctip_stats_query q = *q0;
	/* year=Y filters become the period */
	for (int w = 0; w < q.nwhere; w++)
		if (q.where_dim[w] == CTIP_D_YEAR) {
			int32_t a, b;
			if ((rc = ctip_stats_parse_date(q.where_value[w], 0, &a, e)) ||
			    (rc = ctip_stats_parse_date(q.where_value[w], 1, &b, e)))
				return rc;
			if (!q.from || a > q.from)
				q.from = a / 10000 * 10000;
			if (!q.to || b < q.to)
				q.to = b;
		}
	const struct ctip_funit *fu = &f->u[q.unit];
	unsigned char need[CTIP_D_N];
	ctip_stats_need(&q, need);
	for (int d = -1; d < CTIP_D_N; d++)
		if ((d < 0 || need[d]) && !ctip_facts_ready(f, q.unit, d))
			return ctip_err_set(e, CTIP_EINVAL, "statistics: %s not loaded",
			                    d < 0 ? "rows" : ctip_dim_name(d));
	struct ctip_stats_table *t = calloc(1, sizeof(*t));
	struct dimmap m[CTIP_STATS_MAXDIM + CTIP_STATS_MAXWHERE];
	int nm = 0;
	memset(m, 0, sizeof(m));
	if (!t)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	t->unit = q.unit;
	t->ndim = q.ndim;
	t->additive = q.unit != CTIP_U_VICTIMS; /* distinct persons: not additive in general */
	t->data_version = f->version;
	snprintf(t->snapshot_at, sizeof(t->snapshot_at), "%s", f->built_at);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(t->computed_at, sizeof(t->computed_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* the table's dimensions, then one map per other filtered dimension */
	for (int k = 0; k < q.ndim; k++) {
		struct dimmap *dm = &m[nm++];
		dm->dim = q.dim[k];
		t->dim[k] = q.dim[k];
		dm->multi = ctip_unit_dim_multi(q.unit, dm->dim);
		if (dm->multi)
			t->additive = 0;
		int r2 = dm->dim == CTIP_D_YEAR  ? 0 /* after the filters, below */
		         : dm->dim == CTIP_D_AGE ? age_levels(&q, t, k, dm)
		                                 : dict_levels(f, &q, t, k, dm);
		if (r2) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		t->nlev[k] = dm->nlev;
	}
	for (int w = 0; w < q.nwhere; w++) {
		int d = q.where_dim[w], have = -1;
		for (int i = 0; i < nm; i++)
			if (m[i].dim == d)
				have = i;
		if (have < 0) {
			have = nm++;
			m[have].dim = d;
			m[have].multi = ctip_unit_dim_multi(q.unit, d);
		}
		if (!m[have].allow && (rc = where_allow(f, &q, t, &m[have], d, e)))
			goto done;
	}
	/* Stages are counted in the year the proceedings reached them, events in the year they
	 * happened: with a period or by year, the value's own date replaces the row's
	 * (store_sqlite_stats.c dates them). One dated dimension a table: the stage if there is
	 * one, else the event. */
	int stage_m = -1, year_k = -1;
	for (int i = 0; i < nm; i++)
		if (m[i].dim == CTIP_D_STAGE || (m[i].dim == CTIP_D_EVENT && stage_m < 0))
			stage_m = i;
	for (int k = 0; k < q.ndim; k++)
		if (q.dim[k] == CTIP_D_YEAR)
			year_k = k;
	/* the years, once the filter is known: those the dated values are counted in */
	if (year_k >= 0) {
		if (year_levels(fu, &q, stage_m >= 0 ? m[stage_m].dim : -1,
		                stage_m >= 0 ? m[stage_m].allow : NULL, t, year_k, &m[year_k])) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto done;
		}
		t->nlev[year_k] = m[year_k].nlev;
	}
	if (stage_m >= 0 && !q.from && !q.to && year_k < 0)
		stage_m = -1;
	t->stage_dated = stage_m >= 0;
	t->dated_dim = stage_m >= 0 ? m[stage_m].dim : -1;
	/* the histogram: without dated stages, and levels of multi-valued dimensions as bits */
	int fast = stage_m < 0, dense = -1;
	double most = 0;
	for (int k = 0; k < q.ndim; k++) {
		const struct ctip_fcol *c = &fu->col[m[k].dim];
		/* many values a row, else many levels; more than 64 levels never in a token */
		double per_row = m[k].multi && fu->n ? (double)c->nval / fu->n : 1;
		if (m[k].multi && m[k].nlev > 64)
			per_row += 1000;
		if (dense < 0 || per_row > most || (per_row == most && m[k].nlev > m[dense].nlev))
			dense = k, most = per_row;
	}
	for (int k = 0; k < q.ndim; k++)
		if (k != dense && m[k].multi && m[k].nlev > 64)
			fast = 0;
	t->ncell = 1;
	for (int k = q.ndim - 1; k >= 0; k--) {
		t->stride[k] = t->ncell;
		if (t->ncell > (size_t)50000000 / ((size_t)t->nlev[k] + 1)) {
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "table too large (over 50 million cells)");
			goto done;
		}
		t->ncell *= (size_t)t->nlev[k] + 1;
	}
	t->count = calloc(t->ncell, sizeof(int64_t));
	t->supp = calloc(t->ncell, 1);
	if (!t->count || !t->supp) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto done;
	}
	/* the scan: two threads over halves split at a key boundary, when it is worth it; the
	 * delta after the first half */
	struct range rg[3];
	int nr = fu->n >= 100000 && t->ncell <= 4000000 ? 2 : 1;
	uint32_t mid = fu->n / 2;
	while (mid > 0 && mid < fu->n && fu->key[mid] == fu->key[mid - 1])
		mid++;
	struct range r0 = {.fu = fu,
	                   .q = &q,
	                   .m = m,
	                   .nm = nm,
	                   .stride = t->stride,
	                   .stage_m = stage_m,
	                   .year_k = year_k,
	                   .fast = fast,
	                   .dense = dense};
	rg[0] = rg[1] = rg[2] = r0;
	rg[0].hi = nr == 2 ? mid : fu->n;
	rg[0].count = t->count;
	rg[1].lo = mid;
	rg[1].hi = fu->n;
	pthread_t th;
	int threaded = 0;
	if (nr == 2) {
		rg[1].count = calloc(t->ncell, sizeof(int64_t));
		threaded = rg[1].count && !pthread_create(&th, NULL, count_range, &rg[1]);
		if (!threaded) { /* one thread, the whole table */
			free(rg[1].count);
			nr = 1;
			rg[0].hi = fu->n;
		}
	}
	count_range(&rg[0]);
	if (fu->delta) {
		rg[2].fu = fu->delta;
		rg[2].hi = fu->delta->n;
		rg[2].count = t->count;
		count_range(&rg[2]);
	}
	if (threaded) {
		pthread_join(th, NULL);
		for (size_t c = 0; c < t->ncell; c++)
			t->count[c] += rg[1].count[c];
		free(rg[1].count);
	}
	for (int r = 0; r < 3; r++) {
		if (r == 1 && nr < 2)
			continue;
		t->records += rg[r].records;
		t->stage_rows += rg[r].stage_rows;
		t->stage_fallback += rg[r].fallback;
		if (rg[r].oom)
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
done:
	for (int i = 0; i < nm; i++) {
		free(m[i].map);
		free(m[i].allow);
	}
	if (rc) {
		ctip_stats_free(t);
		return rc;
	}
	*out = t;
	return CTIP_OK;
}
