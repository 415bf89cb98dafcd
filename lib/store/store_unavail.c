/*
 * store_unavail.c - an operation a back end does not have yet: every member of the store
 * interface (store.h) as a function that fails with a clear error naming the command and the
 * back end ("ctip link: not yet available on PostgreSQL"), never a crash on a NULL pointer.
 * A back end starts from these tables (ctip_store_unavail_ops, ctip_srv_unavail_ops) and sets
 * what it implements.
 *
 * Generated once from the interface's headers; add a stub here with each new operation.
 */
#include "store_unavail.h"

#include <stdio.h>

int ctip_store_unavail(ctip_store *s, const char *op, ctip_err *e)
{
	const char *backend = s && s->ops && s->ops->name ? s->ops->name : "this back end";
	if (s && s->command)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "ctip %s: not yet available on %s (its store has no %s yet); "
		                    "run it on a SQLite registry",
		                    s->command, backend, op);
	return ctip_err_set(e, CTIP_EINVAL, "%s: %s is not yet available on %s", s ? s->path : "",
	                    op, backend);
}

static void un_close(ctip_store *s)
{
}

static int un_migrate(ctip_store *s, int *from, int *to, ctip_err *e)
{
	return ctip_store_unavail(s, "migrate", e);
}

static int un_schema_version(ctip_store *s, int *version, ctip_err *e)
{
	return ctip_store_unavail(s, "schema_version", e);
}

static int un_begin(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "begin", e);
}

static int un_load_begin(ctip_store *s, int *bulk, ctip_err *e)
{
	return ctip_store_unavail(s, "load_begin", e);
}

static int un_load_end(ctip_store *s, int ok, ctip_err *e)
{
	return ctip_store_unavail(s, "load_end", e);
}

static int un_commit(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "commit", e);
}

static void un_rollback(ctip_store *s)
{
}

static int un_ref_save(ctip_store *s, const ctip_ref *ref, ctip_err *e)
{
	return ctip_store_unavail(s, "ref_save", e);
}

static int un_ref_load(ctip_store *s, ctip_ref *ref, ctip_err *e)
{
	return ctip_store_unavail(s, "ref_load", e);
}

static int un_org_find(ctip_store *s, const char *name, int64_t *id, char **type, ctip_err *e)
{
	return ctip_store_unavail(s, "org_find", e);
}

static int un_org_add(ctip_store *s, const char *name, const char *type, int64_t *id, ctip_err *e)
{
	return ctip_store_unavail(s, "org_add", e);
}

static int un_org_set_type(ctip_store *s, int64_t id, const char *type, ctip_err *e)
{
	return ctip_store_unavail(s, "org_set_type", e);
}

static int un_org_has_cases(ctip_store *s, int64_t org_id, int *has, ctip_err *e)
{
	return ctip_store_unavail(s, "org_has_cases", e);
}

static int un_case_find(ctip_store *s, int64_t org_id, const char *src_case_id, int64_t *id,
                        ctip_err *e)
{
	return ctip_store_unavail(s, "case_find", e);
}

static int un_person_find(ctip_store *s, int64_t org_id, const char *src_record_id, int64_t *id,
                          ctip_err *e)
{
	return ctip_store_unavail(s, "person_find", e);
}

static int un_case_add(ctip_store *s, int64_t org_id, const ctip_row *r, int64_t *id, ctip_err *e)
{
	return ctip_store_unavail(s, "case_add", e);
}

static int un_person_add(ctip_store *s, int64_t org_id, const ctip_row *r, int64_t *id, ctip_err *e)
{
	return ctip_store_unavail(s, "person_add", e);
}

static int un_person_update(ctip_store *s, int64_t id, const ctip_row *r, ctip_err *e)
{
	return ctip_store_unavail(s, "person_update", e);
}

static int un_link_add(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
                       ctip_err *e)
{
	return ctip_store_unavail(s, "link_add", e);
}

static int un_quality_count(ctip_store *s, const char *flag, long *n, ctip_err *e)
{
	return ctip_store_unavail(s, "quality_count", e);
}

static int un_rows(ctip_store *s, const struct ctip_row_filter *flt,
                   int (*cb)(void *ctx, const ctip_row *r), void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "rows", e);
}

static int un_counts(ctip_store *s, struct ctip_counts *c, ctip_err *e)
{
	return ctip_store_unavail(s, "counts", e);
}

static int un_account_add(ctip_store *s, const char *username, int64_t org_id, const char *role,
                          const char *pw_hash, ctip_err *e)
{
	return ctip_store_unavail(s, "account_add", e);
}

static int un_person_cases(ctip_store *s, int64_t person_id, int64_t **case_ids, int *n,
                           ctip_err *e)
{
	return ctip_store_unavail(s, "person_cases", e);
}

static int un_key_needed(ctip_store *s, int *has, ctip_err *e)
{
	return ctip_store_unavail(s, "key_needed", e);
}

static int un_key_bind(ctip_store *s, ctip_crypto *c, int create, ctip_err *e)
{
	return ctip_store_unavail(s, "key_bind", e);
}

static int un_key_rotate(ctip_store *s, ctip_crypto *next, ctip_err *e)
{
	return ctip_store_unavail(s, "key_rotate", e);
}

static int un_compact(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "compact", e);
}

static int un_search(ctip_store *s, const char *query, int64_t org_id, int limit,
                     int (*cb)(void *ctx, const struct ctip_person_hit *h), void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "search", e);
}

static int un_audit_add(ctip_store *s, const struct ctip_audit_entry *a, ctip_err *e)
{
	return ctip_store_unavail(s, "audit_add", e);
}

static int un_audit_begin(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "audit_begin", e);
}

static int un_audit_each(ctip_store *s, const char *object,
                         int (*cb)(void *ctx, const struct ctip_audit_entry *a), void *ctx,
                         ctip_err *e)
{
	return ctip_store_unavail(s, "audit_each", e);
}

static int un_audit_last(ctip_store *s, int64_t *id, char hash[129], ctip_err *e)
{
	return ctip_store_unavail(s, "audit_last", e);
}

static int un_audit_index(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "audit_index", e);
}

static int un_audit_pend(ctip_store *s, const struct ctip_audit_entry *a, int64_t *pid, ctip_err *e)
{
	return ctip_store_unavail(s, "audit_pend", e);
}

static int un_audit_pend_mark(ctip_store *s, int64_t first, int64_t last, ctip_err *e)
{
	return ctip_store_unavail(s, "audit_pend_mark", e);
}

static int un_audit_pend_forget(ctip_store *s, int64_t before, ctip_err *e)
{
	return ctip_store_unavail(s, "audit_pend_forget", e);
}

static int un_audit_pend_each(ctip_store *s,
                              int (*cb)(void *ctx, int64_t pid, const struct ctip_audit_entry *a),
                              void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "audit_pend_each", e);
}

static int un_stats_facts(ctip_store *s, int unit, const unsigned char *need,
                          struct ctip_facts **out, ctip_err *e)
{
	return ctip_store_unavail(s, "stats_facts", e);
}

static int un_stats_version(ctip_store *s, int64_t *version, ctip_err *e)
{
	return ctip_store_unavail(s, "stats_version", e);
}

static int un_figures_add(ctip_store *s, const struct ctip_figure *v, size_t n, ctip_err *e)
{
	return ctip_store_unavail(s, "figures_add", e);
}

static int un_figures_load(ctip_store *s, struct ctip_figure **out, size_t *n, ctip_err *e)
{
	return ctip_store_unavail(s, "figures_load", e);
}

static int un_release_add(ctip_store *s, struct ctip_release_rec *r, double default_budget,
                          ctip_err *e)
{
	return ctip_store_unavail(s, "release_add", e);
}

static int un_release_each(ctip_store *s, int64_t id,
                           int (*cb)(void *ctx, const struct ctip_release_rec *r), void *ctx,
                           ctip_err *e)
{
	return ctip_store_unavail(s, "release_each", e);
}

static int un_release_budget(ctip_store *s, const char *dataset, double set_eps, double *budget,
                             double *spent, ctip_err *e)
{
	return ctip_store_unavail(s, "release_budget", e);
}

static int un_link_input(ctip_store *s, const int64_t *ids, int n,
                         int (*cb)(void *ctx, const struct ctip_link_input *r), void *ctx,
                         ctip_err *e)
{
	return ctip_store_unavail(s, "link_input", e);
}

static int un_link_save(ctip_store *s, const struct ctip_link_result *res, ctip_err *e)
{
	return ctip_store_unavail(s, "link_save", e);
}

static int un_link_keys(ctip_store *s, int (*cb)(void *ctx, int64_t id, const char *key), void *ctx,
                        ctip_err *e)
{
	return ctip_store_unavail(s, "link_keys", e);
}

static int un_link_changed(ctip_store *s, int (*cb)(void *ctx, int64_t id), void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "link_changed", e);
}

static int un_link_persons(ctip_store *s,
                           int (*cb)(void *ctx, int64_t id, const char *org, const char *src,
                                     const char *key),
                           void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "link_persons", e);
}

static int un_link_pairs(ctip_store *s, int (*cb)(void *ctx, const struct ctip_link_pair_out *p),
                         void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "link_pairs", e);
}

static int un_link_freq(ctip_store *s, const int64_t *h, int n, uint32_t *cnt, ctip_err *e)
{
	return ctip_store_unavail(s, "link_freq", e);
}

static int un_link_freq_total(ctip_store *s, long total[4], char *check, ctip_err *e)
{
	return ctip_store_unavail(s, "link_freq_total", e);
}

static int un_link_pair_state(ctip_store *s, int64_t a, int64_t b, char *key_a, char *key_b,
                              int *decision, ctip_err *e)
{
	return ctip_store_unavail(s, "link_pair_state", e);
}

static int un_link_current(ctip_store *s, int64_t a, int64_t b, int *current, ctip_err *e)
{
	return ctip_store_unavail(s, "link_current", e);
}

static int un_link_cache_put(ctip_store *s, const unsigned char *const *chunk, const size_t *len,
                             int n, ctip_err *e)
{
	return ctip_store_unavail(s, "link_cache_put", e);
}

static int un_link_cache_get(ctip_store *s,
                             int (*cb)(void *ctx, const unsigned char *chunk, size_t len, int index,
                                       int count),
                             void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "link_cache_get", e);
}

static int un_link_cache_ids(ctip_store *s, int (*cb)(void *ctx, int64_t id, int stale), void *ctx,
                             ctip_err *e)
{
	return ctip_store_unavail(s, "link_cache_ids", e);
}

static int un_link_params(ctip_store *s, char **json, ctip_err *e)
{
	return ctip_store_unavail(s, "link_params", e);
}

static int un_link_decide(ctip_store *s, int64_t a, int64_t b, int same, const char *actor,
                          ctip_err *e)
{
	return ctip_store_unavail(s, "link_decide", e);
}

static int un_link_uncertain(ctip_store *s, double lo, double hi,
                             int (*cb)(void *ctx, const struct ctip_link_pair *p), void *ctx,
                             ctip_err *e)
{
	return ctip_store_unavail(s, "link_uncertain", e);
}

static int un_link_decisions(ctip_store *s, int (*cb)(void *ctx, int64_t a, int64_t b, int same),
                             void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "link_decisions", e);
}

static int un_link_victim_cases(ctip_store *s,
                                int (*cb)(void *ctx, const struct ctip_victim_case *v), void *ctx,
                                ctip_err *e)
{
	return ctip_store_unavail(s, "link_victim_cases", e);
}

static int un_srv_tune(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "tune", e);
}

static void un_srv_release(ctip_store *s)
{
}

static int un_srv_read_begin(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "read_begin", e);
}

static void un_srv_read_end(ctip_store *s)
{
}

static int un_srv_isolate(ctip_store *s, ctip_err *e)
{
	return ctip_store_unavail(s, "isolate", e);
}

static void un_srv_scope(ctip_store *s, int64_t org_id)
{
}

static int un_srv_case_version(ctip_store *s, int64_t case_id, int64_t *version, ctip_err *e)
{
	return ctip_store_unavail(s, "case_version", e);
}

static int un_srv_case_bump(ctip_store *s, int64_t case_id, int64_t expect, int64_t *version,
                            ctip_err *e)
{
	return ctip_store_unavail(s, "case_bump", e);
}

static int un_srv_account_get(ctip_store *s, const char *username, struct ctip_account *a,
                              ctip_err *e)
{
	return ctip_store_unavail(s, "account_get", e);
}

static int un_srv_org_list(ctip_store *s, int (*cb)(void *ctx, const struct ctip_org_item *o),
                           void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "org_list", e);
}

static int un_srv_case_access(ctip_store *s, int64_t case_id, int64_t org_id, int *access,
                              ctip_err *e)
{
	return ctip_store_unavail(s, "case_access", e);
}

static int un_srv_cases_visible(ctip_store *s, int64_t org_id, const char *status, const char *text,
                                long offset, long limit, long *total,
                                int (*cb)(void *ctx, const struct ctip_case_item *c), void *ctx,
                                ctip_err *e)
{
	return ctip_store_unavail(s, "cases_visible", e);
}

static int un_srv_case_update(ctip_store *s, int64_t case_id, const ctip_row *r, ctip_err *e)
{
	return ctip_store_unavail(s, "case_update", e);
}

static int un_srv_comment_add(ctip_store *s, int64_t case_id, const char *date, const char *body,
                              ctip_err *e)
{
	return ctip_store_unavail(s, "comment_add", e);
}

static int un_srv_referral_add(ctip_store *s, const struct ctip_referral *r, int64_t *id,
                               ctip_err *e)
{
	return ctip_store_unavail(s, "referral_add", e);
}

static int un_srv_referral_list(ctip_store *s, int64_t id, int64_t case_id, int64_t org_id, int in,
                                int (*cb)(void *ctx, const struct ctip_referral *r), void *ctx,
                                ctip_err *e)
{
	return ctip_store_unavail(s, "referral_list", e);
}

static int un_srv_referral_set_status(ctip_store *s, int64_t id, const char *from,
                                      const char *status, ctip_err *e)
{
	return ctip_store_unavail(s, "referral_set_status", e);
}

static int un_srv_person_org(ctip_store *s, int64_t person_id, int64_t *org_id, ctip_err *e)
{
	return ctip_store_unavail(s, "person_org", e);
}

static int un_srv_assistance_add(ctip_store *s, int64_t case_id, int64_t person_id,
                                 const ctip_row *r, int *seq, ctip_err *e)
{
	return ctip_store_unavail(s, "assistance_add", e);
}

static int un_srv_proceeding_add(ctip_store *s, int64_t case_id, int64_t person_id,
                                 const ctip_row *r, int *seq, ctip_err *e)
{
	return ctip_store_unavail(s, "proceeding_add", e);
}

static int un_srv_event_add(ctip_store *s, int64_t case_id, int64_t person_id, const ctip_row *r,
                            int *seq, ctip_err *e)
{
	return ctip_store_unavail(s, "event_add", e);
}

static int un_srv_link_find(ctip_store *s, int64_t case_id, int64_t person_id, int64_t *link,
                            ctip_err *e)
{
	return ctip_store_unavail(s, "link_find", e);
}

static int un_srv_link_get(ctip_store *s, int64_t link, int64_t *case_id, int64_t *person_id,
                           ctip_err *e)
{
	return ctip_store_unavail(s, "link_get", e);
}

static int un_srv_item_set(ctip_store *s, int kind, int64_t link, int seq, const ctip_row *r,
                           ctip_err *e)
{
	return ctip_store_unavail(s, "item_set", e);
}

static int un_srv_person_visible_cases(ctip_store *s, int64_t person_id, int64_t org_id,
                                       int (*cb)(void *ctx, int64_t case_id, int access,
                                                 int consent, const char *scope),
                                       void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "person_visible_cases", e);
}

static int un_srv_persons_own_cases(ctip_store *s, const int64_t *person_ids, int n,
                                    int (*cb)(void *ctx, int64_t person_id, int64_t case_id),
                                    void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "persons_own_cases", e);
}

static int un_srv_persons_visible_cases(ctip_store *s, const int64_t *person_ids, int n,
                                        int64_t org_id,
                                        int (*cb)(void *ctx, int64_t person_id, int64_t case_id,
                                                  int access, int consent, const char *scope),
                                        void *ctx, ctip_err *e)
{
	return ctip_store_unavail(s, "persons_visible_cases", e);
}

const struct ctip_store_ops ctip_store_unavail_ops = {
        .name = NULL,
        .close = un_close,
        .migrate = un_migrate,
        .schema_version = un_schema_version,
        .begin = un_begin,
        .load_begin = un_load_begin,
        .load_end = un_load_end,
        .commit = un_commit,
        .rollback = un_rollback,
        .ref_save = un_ref_save,
        .ref_load = un_ref_load,
        .org_find = un_org_find,
        .org_add = un_org_add,
        .org_set_type = un_org_set_type,
        .org_has_cases = un_org_has_cases,
        .case_find = un_case_find,
        .person_find = un_person_find,
        .case_add = un_case_add,
        .person_add = un_person_add,
        .person_update = un_person_update,
        .link_add = un_link_add,
        .quality_count = un_quality_count,
        .rows = un_rows,
        .counts = un_counts,
        .account_add = un_account_add,
        .person_cases = un_person_cases,
        .key_needed = un_key_needed,
        .key_bind = un_key_bind,
        .key_rotate = un_key_rotate,
        .compact = un_compact,
        .search = un_search,
        .audit_add = un_audit_add,
        .audit_begin = un_audit_begin,
        .audit_each = un_audit_each,
        .audit_last = un_audit_last,
        .audit_index = un_audit_index,
        .audit_pend = un_audit_pend,
        .audit_pend_mark = un_audit_pend_mark,
        .audit_pend_forget = un_audit_pend_forget,
        .audit_pend_each = un_audit_pend_each,
        .stats_facts = un_stats_facts,
        .stats_version = un_stats_version,
        .figures_add = un_figures_add,
        .figures_load = un_figures_load,
        .release_add = un_release_add,
        .release_each = un_release_each,
        .release_budget = un_release_budget,
        .link_input = un_link_input,
        .link_save = un_link_save,
        .link_keys = un_link_keys,
        .link_changed = un_link_changed,
        .link_persons = un_link_persons,
        .link_pairs = un_link_pairs,
        .link_freq = un_link_freq,
        .link_freq_total = un_link_freq_total,
        .link_pair_state = un_link_pair_state,
        .link_current = un_link_current,
        .link_cache_put = un_link_cache_put,
        .link_cache_get = un_link_cache_get,
        .link_cache_ids = un_link_cache_ids,
        .link_params = un_link_params,
        .link_decide = un_link_decide,
        .link_uncertain = un_link_uncertain,
        .link_decisions = un_link_decisions,
        .link_victim_cases = un_link_victim_cases,
};

const struct ctip_srv_ops ctip_srv_unavail_ops = {
        .tune = un_srv_tune,
        .release = un_srv_release,
        .read_begin = un_srv_read_begin,
        .read_end = un_srv_read_end,
        .scope = un_srv_scope,
        .isolate = un_srv_isolate,
        .case_version = un_srv_case_version,
        .case_bump = un_srv_case_bump,
        .account_get = un_srv_account_get,
        .org_list = un_srv_org_list,
        .case_access = un_srv_case_access,
        .cases_visible = un_srv_cases_visible,
        .case_update = un_srv_case_update,
        .comment_add = un_srv_comment_add,
        .referral_add = un_srv_referral_add,
        .referral_list = un_srv_referral_list,
        .referral_set_status = un_srv_referral_set_status,
        .person_org = un_srv_person_org,
        .assistance_add = un_srv_assistance_add,
        .proceeding_add = un_srv_proceeding_add,
        .event_add = un_srv_event_add,
        .link_find = un_srv_link_find,
        .link_get = un_srv_link_get,
        .item_set = un_srv_item_set,
        .person_visible_cases = un_srv_person_visible_cases,
        .persons_own_cases = un_srv_persons_own_cases,
        .persons_visible_cases = un_srv_persons_visible_cases,
};
