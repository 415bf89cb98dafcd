/*
 * comms_reply.c - a communication's reply made from records (comms.h): every question with its
 * answer, and each piece of evidence evaluated at this moment. A figure is computed by the
 * code `ctip figures check` uses (figures_registry.h), a table as it leaves without raw
 * counts (stats_publish.h), a case shown only to an organisation that may see it; every
 * figure gets a citation number and the provenance of the snapshot it was computed from.
 * ctip_comms_record puts the computed figures into the ledger, so that `ctip figures check`
 * finds where a reply contradicts an earlier one or the registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casework.h"
#include "comms.h"
#include "figures.h"
#include "figures_registry.h"
#include "link.h"
#include "stats.h"
#include "stats_casework.h"
#include "stats_out.h"
#include "stats_publish.h"
#include "store_casework.h"
#include "suppress.h"

#ifndef CTIP_VERSION
#define CTIP_VERSION "unknown"
#endif

struct reply_ctx {
	ctip_store *s;
	const struct ctip_account *actor;
	const ctip_facts *f;
	struct ctip_figure *ledger; /* loaded on the first ledger evidence */
	size_t nledger;
	int ledger_loaded;
	json_t *figures; /* every computed figure, with its citation number */
	char linkage[160];
};

static void set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v ? json_string(v) : json_null());
}

static int eval_figure(struct reply_ctx *x, json_t *o, json_int_t num)
{
	const char *m = json_string_value(json_object_get(o, "measure"));
	const char *p = json_string_value(json_object_get(o, "period"));
	int64_t v = 0;
	if (ctip_figures_registry_value(x->f, m, p, &v)) {
		json_object_set_new(o, "value", json_null());
		set_str(o, "note", "no record of the registry is dated in this period");
		return CTIP_OK;
	}
	/* a figure that leaves is a cell like any other: a small one is withheld */
	int withheld = v > 0 && v < CTIP_SUPPRESS_DEFAULT;
	json_object_set_new(o, "value", withheld ? json_null() : json_integer(v));
	if (withheld)
		set_str(o, "note", "fewer than 5: withheld");
	json_t *fig = json_object();
	json_object_set_new(fig, "cite", json_integer((json_int_t)json_array_size(x->figures) + 1));
	json_object_set_new(fig, "question", json_integer(num));
	set_str(fig, "measure", m);
	set_str(fig, "period", p);
	json_object_set_new(fig, "value", withheld ? json_null() : json_integer(v));
	json_object_set(fig, "label", json_object_get(o, "label"));
	json_object_set_new(o, "cite", json_integer((json_int_t)json_array_size(x->figures) + 1));
	json_array_append_new(x->figures, fig);
	return CTIP_OK;
}

static int eval_stats(struct reply_ctx *x, json_t *o, ctip_err *e)
{
	struct ctip_stats_query q = {
	        .unit = ctip_unit_parse(json_string_value(json_object_get(o, "count"))),
	        .ref = x->s->ref};
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(o, "by"), i, d)
	{
		if (q.ndim < CTIP_STATS_MAXDIM - 1)
			q.dim[q.ndim++] = ctip_dim_parse(json_string_value(d));
	}
	char where[CTIP_STATS_MAXWHERE][160];
	json_array_foreach(json_object_get(o, "where"), i, d)
	{
		const char *w = json_string_value(d), *eq = w ? strchr(w, '=') : NULL;
		if (!eq || q.nwhere == CTIP_STATS_MAXWHERE)
			continue;
		snprintf(where[q.nwhere], sizeof(where[0]), "%.*s", (int)(eq - w), w);
		q.where_dim[q.nwhere] = ctip_dim_parse(where[q.nwhere]);
		q.where_value[q.nwhere++] = eq + 1;
	}
	int year = (int)json_integer_value(json_object_get(o, "year"));
	if (year) {
		q.from = year * 10000;
		q.to = year * 10000 + 1231;
	}
	struct ctip_stats_table *t = NULL;
	int cw = q.unit >= 0 && ctip_cw_stats_unit(q.unit);
	if (q.unit < 0 || (cw ? ctip_cw_stats_check(&q, e) : ctip_stats_check(&q, e)) ||
	    ctip_stats_published(x->s, x->f, &q, year, CTIP_SUPPRESS_DEFAULT, &t, e)) {
		/* a saved query the registry can no longer answer: said, not fatal */
		json_object_set_new(o, "table", json_null());
		set_str(o, "note", e->msg[0] ? e->msg : "this query cannot be computed");
		ctip_err_clear(e);
		return CTIP_OK;
	}
	if (q.unit == CTIP_U_VICTIMS)
		snprintf(t->linkage, sizeof(t->linkage), "%s", x->linkage);
	json_t *tj = ctip_stats_json(t, &q);
	ctip_stats_free(t);
	/* labels for a reader (the codes stay for a machine) */
	const char *part[] = {"rows", "margins"};
	for (int p = 0; p < 2; p++) {
		json_t *r;
		json_array_foreach(json_object_get(tj, part[p]), i, r)
		{
			json_t *lab = json_object();
			for (int k = 0; k < q.ndim; k++) {
				const char *dn = ctip_dim_name(q.dim[k]);
				const char *code = json_string_value(json_object_get(r, dn));
				if (code)
					json_object_set_new(lab, dn,
					                    json_string(ctip_stats_label(
					                            x->s->ref, q.dim[k], code)));
			}
			json_object_set_new(r, "labels", lab);
		}
	}
	json_object_set_new(o, "table", tj);
	return CTIP_OK;
}

static int same_text(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

static int eval_ledger(struct reply_ctx *x, json_t *o, ctip_err *e)
{
	if (!x->ledger_loaded) {
		int rc = x->s->ops->figures_load(x->s, &x->ledger, &x->nledger, e);
		if (rc)
			return rc;
		x->ledger_loaded = 1;
	}
	const char *src = json_string_value(json_object_get(o, "source"));
	const char *m = json_string_value(json_object_get(o, "measure"));
	const char *p = json_string_value(json_object_get(o, "period"));
	json_t *list = json_array();
	for (size_t i = 0; i < x->nledger; i++) {
		const struct ctip_figure *g = &x->ledger[i];
		if (!same_text(g->source, src) || (m && strcmp(g->measure, m)) ||
		    (p && strcmp(g->period, p)))
			continue;
		json_t *r = json_object();
		set_str(r, "measure", g->measure);
		set_str(r, "period", g->period);
		set_str(r, "breakdown", g->breakdown);
		json_object_set_new(r, "value", json_integer(g->value));
		set_str(r, "citation", g->citation);
		set_str(r, "published", g->published);
		set_str(r, "note", g->note);
		json_array_append_new(list, r);
	}
	json_object_set_new(o, "figures", list);
	if (!json_array_size(list))
		set_str(o, "note",
		        "the ledger holds no such figure (ctip figures import adds published "
		        "ones)");
	return CTIP_OK;
}

static int eval_case(struct reply_ctx *x, json_t *o, ctip_err *e)
{
	int64_t id = json_integer_value(json_object_get(o, "case"));
	int access = CTIP_ACCESS_NONE;
	int rc = x->s->srv->case_access(x->s, id, x->actor->org_id, &access, e);
	if (rc)
		return rc;
	if (access == CTIP_ACCESS_NONE) {
		/* the same answer for another organisation's case and for none at all */
		json_object_set_new(o, "visible", json_false());
		set_str(o, "note", "a case your organisation may not see (or no such case)");
		return CTIP_OK;
	}
	json_object_set_new(o, "visible", json_true());
	const struct ctip_cw_ops *cw = ctip_cw_ops(x->s, e);
	struct ctip_cw_work w;
	if (cw && cw->work_get(x->s, id, &w, e) == CTIP_OK) {
		set_str(o, "organisation", w.org);
		set_str(o, "src_case_id", w.src_case_id);
		set_str(o, "stage", w.stage);
		set_str(o, "status", w.status[0] ? w.status : NULL);
	}
	ctip_err_clear(e);
	return CTIP_OK;
}

json_t *ctip_comms_reply(ctip_store *s, const struct ctip_account *actor, const struct ctip_comm *c,
                         const ctip_facts *f, ctip_err *e)
{
	if (!ctip_comms_may_read(actor)) {
		ctip_err_set(e, CTIP_EDENIED, "the role %s does not read communications",
		             actor ? actor->role : "(none)");
		return NULL;
	}
	struct reply_ctx x = {s, actor, f, NULL, 0, 0, json_array(), ""};
	ctip_link_provenance(s, x.linkage, sizeof(x.linkage));
	json_t *r = json_object();
	json_t *cj = ctip_comms_json(s, c);
	json_object_del(cj, "questions"); /* they follow, evaluated */
	json_object_set_new(r, "communication", cj);
	json_t *qs = json_deep_copy(json_object_get(c->body, "questions"));
	if (!qs)
		qs = json_array();
	int rc = CTIP_OK;
	size_t i, k;
	json_t *q, *ev;
	json_array_foreach(qs, i, q)
	{
		json_int_t num = json_integer_value(json_object_get(q, "num"));
		json_array_foreach(json_object_get(q, "evidence"), k, ev)
		{
			const char *kind = json_string_value(json_object_get(ev, "kind"));
			if (rc || !kind)
				break;
			if (!strcmp(kind, "figure"))
				rc = eval_figure(&x, ev, num);
			else if (!strcmp(kind, "stats"))
				rc = eval_stats(&x, ev, e);
			else if (!strcmp(kind, "ledger"))
				rc = eval_ledger(&x, ev, e);
			else if (!strcmp(kind, "case"))
				rc = eval_case(&x, ev, e);
		}
	}
	ctip_figures_free(x.ledger, x.nledger);
	if (rc) {
		json_decref(qs);
		json_decref(x.figures);
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "questions", qs);
	json_object_set_new(r, "figures", x.figures);
	/* provenance: when, from which snapshot, on which linkage, by which ctip */
	char now[24];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *pv = json_object();
	json_object_set_new(pv, "computed_at", json_string(now));
	json_object_set_new(pv, "snapshot_version", json_integer(f ? f->version : 0));
	json_object_set_new(pv, "snapshot_at", json_string(f ? f->built_at : ""));
	json_object_set_new(pv, "linkage", json_string(x.linkage));
	json_object_set_new(pv, "threshold", json_integer(CTIP_SUPPRESS_DEFAULT));
	json_object_set_new(pv, "organisation", json_string(actor->org));
	json_object_set_new(pv, "made_by", json_string(actor->username));
	json_object_set_new(pv, "ctip_version", json_string(CTIP_VERSION));
	json_object_set_new(r, "provenance", pv);
	return r;
}

int ctip_comms_record(ctip_store *s, const json_t *reply, size_t *n, ctip_err *e)
{
	json_t *figs = json_object_get(reply, "figures");
	json_t *pv = json_object_get(reply, "provenance");
	const char *ref =
	        json_string_value(json_object_get(json_object_get(reply, "communication"), "ref"));
	const char *at = json_string_value(json_object_get(pv, "computed_at"));
	size_t cnt = json_array_size(figs), k = 0;
	*n = 0;
	if (!ref || !at)
		return ctip_err_set(e, CTIP_EINVAL, "not a reply of ctip comms reply");
	struct ctip_figure *v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	char source[300], day[11];
	snprintf(day, sizeof(day), "%.10s", at);
	snprintf(source, sizeof(source), "Reply to %s (ctip, computed %s)", ref, day);
	size_t i;
	json_t *g;
	json_array_foreach(figs, i, g)
	{
		json_t *val = json_object_get(g, "value");
		if (!json_is_integer(val))
			continue; /* withheld or not computed: nothing to compare */
		char cit[300];
		snprintf(cit, sizeof(cit), "%s question %lld [%lld], snapshot version %lld", ref,
		         (long long)json_integer_value(json_object_get(g, "question")),
		         (long long)json_integer_value(json_object_get(g, "cite")),
		         (long long)json_integer_value(json_object_get(pv, "snapshot_version")));
		v[k].source = strdup(source);
		v[k].citation = strdup(cit);
		v[k].published = strdup(day);
		v[k].measure = strdup(json_string_value(json_object_get(g, "measure")));
		v[k].period = strdup(json_string_value(json_object_get(g, "period")));
		v[k].breakdown = strdup("");
		v[k].note = strdup("computed from records by ctip comms reply");
		v[k].value = json_integer_value(val);
		if (!v[k].source || !v[k].citation || !v[k].published || !v[k].measure ||
		    !v[k].period || !v[k].breakdown || !v[k].note) {
			ctip_figures_free(v, k + 1);
			return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		}
		k++;
	}
	int rc = k ? s->ops->figures_add(s, v, k, e) : CTIP_OK;
	ctip_figures_free(v, k);
	if (rc == CTIP_OK)
		*n = k;
	return rc;
}
