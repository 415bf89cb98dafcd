/*
 * routes_stats.c - GET /api/stats?count=victims&by=gender,age_group[&where=DIM=VALUE...]
 * [&year=Y | &from=DATE&to=DATE][&age_bands=0-15,16-17,18-][&threshold=N][&raw=1]: the JSON
 * of `ctip stats` (stats_out.h). Several where=: same dimension either value, different
 * dimensions all. The snapshot stays in memory while the data version does not change
 * (store op stats_version), so a request only counts.
 *
 * What may leave (issue 10; docs/SECURITY.md, "Statistics"): small cells are always
 * suppressed, except for an analyst who asks for raw counts (raw=1). Without raw counts:
 * - threshold may only raise suppression (5 to 1000); a lower one is raw counts;
 * - a period is whole calendar years, and one year at most: from/to are widened to the
 *   years they fall in (so moving to= by a day changes nothing), and a span of several years
 *   is refused (by=year breaks every year down);
 * - the suppression pattern is not the table's own but that of the one table of all time by
 *   the query's dimensions and year, suppressed once with its margins, taken at the query's
 *   year or at its total over the years: every such answer for the same dimensions and
 *   filters is part of one consistently suppressed table, and subtracting one from another
 *   (the year from all time, one period from another) uncovers no withheld cell;
 * - custom age bands are refused (bands that differ by a year of age are a differencing).
 * Every query is audited with its filters (`stats`, or `stats-raw` for raw counts).
 *
 * Casework's counts (count=followups, assessments, contacts: stats_casework.h) are counted
 * from their own tables at each query, under the same rules (their joint table too).
 * GET /api/estimate (routes_estimate.c) takes the snapshot and the published pattern of a
 * victims table from here (srv_snap_get, srv_stats_published).
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "link.h"
#include "server.h"
#include "stats.h"
#include "stats_casework.h"
#include "stats_out.h"
#include "stats_publish.h"
#include "suppress.h"

struct wheres {
	struct ctip_stats_query *q;
	char buf[CTIP_STATS_MAXWHERE][160];
	int bad;
};

static enum MHD_Result each_arg(void *ctx, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
	struct wheres *w = ctx;
	(void)kind;
	if (strcmp(key, "where") || !value)
		return MHD_YES;
	const char *eq = strchr(value, '=');
	struct ctip_stats_query *q = w->q;
	if (!eq || eq == value || !eq[1] || q->nwhere == CTIP_STATS_MAXWHERE ||
	    strlen(value) >= sizeof(w->buf[0])) {
		w->bad = 1;
		return MHD_YES;
	}
	snprintf(w->buf[q->nwhere], sizeof(w->buf[0]), "%s", value);
	char *b = w->buf[q->nwhere];
	b[eq - value] = 0;
	int d = ctip_dim_parse(b);
	if (d < 0) {
		w->bad = 1;
		return MHD_YES;
	}
	q->where_dim[q->nwhere] = d;
	q->where_value[q->nwhere++] = b + (eq - value) + 1;
	return MHD_YES;
}

/* The snapshot, kept between requests while the data version stays the same: one copy
 * shared by the threads, freed by the last request using it after a newer one came in. */
struct srv_snap {
	ctip_facts *f;
	int refs;
};
#define shared srv_snap
static pthread_mutex_t snap_mu = PTHREAD_MUTEX_INITIALIZER;
static struct shared *snap;

void srv_snap_release(struct shared *sh)
{
	pthread_mutex_lock(&snap_mu);
	int last = --sh->refs == 0;
	pthread_mutex_unlock(&snap_mu);
	if (last) {
		ctip_facts_free(sh->f);
		free(sh);
	}
}

/* The current snapshot (every unit and dimension), from memory when still current. */
int srv_snap_get(ctip_store *s, struct shared **out, ctip_err *e)
{
	int64_t version = 0;
	int rc = s->ops->stats_version(s, &version, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&snap_mu);
	if (snap && snap->f->version == version) {
		snap->refs++;
		*out = snap;
		pthread_mutex_unlock(&snap_mu);
		return CTIP_OK;
	}
	pthread_mutex_unlock(&snap_mu);
	struct shared *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if ((rc = s->ops->stats_facts(s, -1, NULL, &sh->f, e))) {
		free(sh);
		return rc;
	}
	sh->refs = 2; /* the request's, and the cache's */
	pthread_mutex_lock(&snap_mu);
	struct shared *old = snap;
	snap = sh;
	pthread_mutex_unlock(&snap_mu);
	if (old)
		srv_snap_release(old);
	*out = sh;
	return CTIP_OK;
}

const ctip_facts *srv_snap_facts(const struct shared *sh)
{
	return sh->f;
}

void srv_stats_free(void)
{
	pthread_mutex_lock(&snap_mu);
	struct shared *old = snap;
	snap = NULL;
	pthread_mutex_unlock(&snap_mu);
	if (old)
		srv_snap_release(old);
}

/* The period of a role without raw counts: from and to widened to whole calendar years, one
 * year at most; *year that year (0: no period). 0 ok, else a 400 was set. */
static int coarse_period(struct req *r, struct ctip_stats_query *q, int *year)
{
	*year = 0;
	if (!q->from && !q->to)
		return 0;
	int y1 = q->from / 10000, y2 = q->to / 10000;
	if (!q->from || !q->to || y1 != y2)
		return srv_error(r, 400, q->from ? "to" : "from",
		                 "without raw counts a period is one calendar year (year=Y): "
		                 "for several, break them down by=year");
	*year = y1;
	q->from = y1 * 10000; /* a date known to the year only counts as YYYY0000 */
	q->to = y1 * 10000 + 1231;
	return 0;
}

/* The audit detail of a statistics query: what was asked, and how it was answered. */
static void query_detail(struct req *r, const struct ctip_stats_query *q, int threshold, int raw,
                         char *out, size_t n)
{
	size_t k = 0;
	const char *by = srv_arg(r, "by");
	k += (size_t)snprintf(out + k, n - k, "by=%s", by ? by : "");
	for (int i = 0; i < q->nwhere && k < n; i++)
		k += (size_t)snprintf(out + k, n - k, " where=%s=%s",
		                      ctip_dim_name(q->where_dim[i]), q->where_value[i]);
	if (k < n && (q->from || q->to))
		k += (size_t)snprintf(out + k, n - k, " from=%d to=%d", (int)q->from, (int)q->to);
	const char *bands = srv_arg(r, "age_bands");
	if (k < n && bands)
		k += (size_t)snprintf(out + k, n - k, " age_bands=%s", bands);
	if (k < n)
		snprintf(out + k, n - k, raw && threshold < 1 ? " raw" : " threshold=%d",
		         threshold);
}

/* The table of q: from the snapshot f, or casework's own tables (f unused). */
static int compute(ctip_store *s, const ctip_facts *f, const struct ctip_stats_query *q,
                   struct ctip_stats_table **t, ctip_err *e)
{
	return ctip_cw_stats_unit(q->unit) ? ctip_cw_stats(s, q, t, e)
	                                   : ctip_stats_compute(f, q, t, e);
}

int srv_stats_published(ctip_store *s, const ctip_facts *f, const struct ctip_stats_query *q,
                        int year, int threshold, struct ctip_stats_table **out, ctip_err *e)
{
	/* one suppression for every way a table leaves (stats_publish.h) */
	return ctip_stats_published(s, f, q, year, threshold, out, e);
}

int h_stats(struct req *r)
{
	struct ctip_stats_query q = {0};
	struct wheres w = {&q, {{0}}, 0};
	ctip_err e = {0};
	const char *count = srv_arg(r, "count"), *by = srv_arg(r, "by"), *v;
	if (!count || (q.unit = ctip_unit_parse(count)) < 0)
		return srv_error(r, 400, "count",
		                 "count: victims, cases, offenders, referrals, assistance, "
		                 "followups, assessments or contacts");
	if (by && *by) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", by);
		for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t;
		     t = strtok_r(NULL, ",", &sv)) {
			int d = ctip_dim_parse(t);
			if (d < 0 || q.ndim == CTIP_STATS_MAXDIM)
				return srv_error(r, 400, "by",
				                 "by: up to %d dimensions among those of "
				                 "ctip stats",
				                 CTIP_STATS_MAXDIM);
			q.dim[q.ndim++] = d;
		}
	}
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_arg, &w);
	if (w.bad)
		return srv_error(r, 400, "where",
		                 "where: DIM=VALUE with a dimension of ctip stats");
	if ((v = srv_arg(r, "year"))) {
		if (strlen(v) != 4 || ctip_stats_parse_date(v, 0, &q.from, &e))
			return srv_error(r, 400, "year", "year: like 2023");
		q.from = q.from / 10000 * 10000;
		q.to = q.from + 1231;
	}
	if ((v = srv_arg(r, "from")) && ctip_stats_parse_date(v, 0, &q.from, &e))
		return srv_error(r, 400, "from", "from: a date YYYY, YYYY-MM or YYYY-MM-DD");
	if ((v = srv_arg(r, "to")) && ctip_stats_parse_date(v, 1, &q.to, &e))
		return srv_error(r, 400, "to", "to: a date YYYY, YYYY-MM or YYYY-MM-DD");
	if ((v = srv_arg(r, "age_bands")) && ctip_stats_parse_bands(v, &q, &e))
		return srv_error(r, 400, "age_bands", "%s", e.msg);
	int64_t threshold = CTIP_SUPPRESS_DEFAULT;
	if (srv_arg_int(r, "threshold", CTIP_SUPPRESS_DEFAULT, 1000, &threshold))
		return 400;
	if (threshold < 1)
		return srv_error(r, 400, "threshold", "threshold: 1 to 1000");
	v = srv_arg(r, "raw");
	int raw = v && !strcmp(v, "1");
	if (raw && r->sess.role_bit != ROLE_ANALYST)
		return srv_error(r, 403, "raw", "raw counts are for analysts only");
	/* raw=1 without a threshold: nothing suppressed; with one: suppressed at it */
	int raw_threshold = raw && srv_arg(r, "threshold");
	int year = 0;
	if (!raw) {
		if (threshold < CTIP_SUPPRESS_DEFAULT)
			return srv_error(
			        r, 403, "threshold",
			        "threshold may only raise suppression (%d to 1000); a lower "
			        "one is raw counts (analysts, raw=1, audited)",
			        CTIP_SUPPRESS_DEFAULT);
		if (q.nbands)
			return srv_error(r, 403, "age_bands",
			                 "age bands of one's own are raw counts (analysts, raw=1, "
			                 "audited): bands that differ by a year single people out");
		if (coarse_period(r, &q, &year))
			return 400;
		int has_year = 0;
		for (int d = 0; d < q.ndim; d++)
			has_year |= q.dim[d] == CTIP_D_YEAR;
		if (!has_year && q.ndim == CTIP_STATS_MAXDIM)
			return srv_error(r, 400, "by",
			                 "without raw counts up to %d dimensions besides year",
			                 CTIP_STATS_MAXDIM - 1);
	}
	int casework = ctip_cw_stats_unit(q.unit);
	if (casework ? ctip_cw_stats_check(&q, &e) : ctip_stats_check(&q, &e))
		return srv_error(r, 400, NULL, "%s", e.msg);
	/* the snapshot has its own transaction (and may rebuild the cache): not the request's */
	r->s->srv->read_end(r->s);
	q.ref = r->s->ref;
	struct shared *sh = NULL;
	struct ctip_stats_table *t = NULL;
	/* casework's counts come from their own tables at each query (stats_casework.h) */
	if (!casework && srv_snap_get(r->s, &sh, &e))
		return srv_fail(r, &e);
	int rc = raw ? compute(r->s, sh ? sh->f : NULL, &q, &t, &e)
	             : srv_stats_published(r->s, sh ? sh->f : NULL, &q, year, (int)threshold, &t,
	                                   &e);
	if (rc) {
		if (sh)
			srv_snap_release(sh);
		return e.code == CTIP_EINVAL ? srv_error(r, 400, NULL, "%s", e.msg)
		                             : srv_fail(r, &e);
	}
	if (q.unit == CTIP_U_VICTIMS)
		ctip_link_provenance(r->s, t->linkage, sizeof(t->linkage));
	if (raw && raw_threshold)
		ctip_suppress(t, (int)threshold);
	/* every query, with its filters: which tables left, and how */
	char detail[1024];
	const char *obj = ctip_unit_name(q.unit);
	query_detail(r, &q, raw && !raw_threshold ? 0 : (int)threshold, raw, detail,
	             sizeof(detail));
	if (srv_audit(r->sess.username, raw ? "stats-raw" : "stats", &obj, 1, detail)) {
		ctip_stats_free(t);
		if (sh)
			srv_snap_release(sh);
		return srv_error(r, 500, NULL, "the audit log could not be written");
	}
	r->out = ctip_stats_json(t, &q);
	ctip_stats_free(t);
	if (sh)
		srv_snap_release(sh);
	return 200;
}
