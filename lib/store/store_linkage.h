/*
 * store_linkage.h - the store interface (store.h), record linkage: what linkage reads of person
 * records, the runs it stores (keys, pairs, model, name frequencies), reviewers' decisions and the
 * prepared-record cache.
 *
 * No back end is named here: store_sqlite*.c and store_pg*.c implement these members of
 * struct ctip_store_ops. They are listed in a macro so that store.h can gather the groups
 * into the one table every caller already uses (s->ops->NAME).
 */
#ifndef CTIP_STORE_LINKAGE_H
#define CTIP_STORE_LINKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct ctip_store ctip_store;

/* What record linkage reads of a person record: names as written, identifiers as `;`
 * lists (documents as written, phones in E.164). Valid during the callback only. */
struct ctip_link_input {
	int64_t id;
	const char *org, *src_record_id;
	const char *family, *middle, *given, *birth, *gender, *province_2025;
	const char *docs, *mobiles, *homephones;
	const char *district, *commune; /* as written */
	/* the period of exploitation over the record's cases as a victim: earliest start,
	 * latest end (NULL when unknown) */
	const char *expl_start, *expl_end;
	/* the countries of exploitation over those cases, a `;` list (each once; NULL when
	 * none is known) */
	const char *expl_countries;
};

/* One scored pair of records (a < b). */
struct ctip_link_pair {
	int64_t a, b;
	float weight, probability;
	int linked;
};

/* A linkage run to store: the key of each record (ids[i] -> keys[i]), the pairs and the
 * model. An incremental run gives only the records whose key is new or changed and the pairs
 * it scored, which are added to the stored ones, and the records (touched) whose stored pairs
 * may have changed from linked to not or back. */
struct ctip_link_result {
	const int64_t *ids;
	const char *const *keys;
	long n;
	const struct ctip_link_pair *pairs;
	long npairs;
	long persons;
	const char *params; /* JSON */
	int incremental;
	long records; /* incremental: every record */
	const int64_t *touched;
	long ntouched;
	/* incremental: the records relinked, whose stored pairs this run's replace */
	const int64_t *relinked;
	long nrelinked;
	/* the name frequencies of the run (replacing the stored ones): keyed hashes and counts */
	const int64_t *freq_h;
	const uint32_t *freq_n;
	long nfreq;
	int freq_add;           /* the frequencies are added to the stored ones (which stay) */
	long freq_total[4];     /* records, with a family name, a given name, both */
	const char *freq_check; /* which key the hashes are under ("": none stored) */
};

struct ctip_link_pair_out {
	int64_t a, b;
	const char *a_org, *a_src, *b_org, *b_src, *a_key, *b_key;
	double weight, probability;
	int linked;
	int changed; /* a or b was changed since the run (link_changed): the pair is stale */
};

/* A linked person's part in one case as a victim (link_victim_cases). */
struct ctip_victim_case {
	const char *person_key;
	int64_t person_id, case_id;
	const char *org, *src_case_id, *start, *end;
};

/* clang-format off */
#define CTIP_STORE_LINKAGE_OPS                                                                       \
	/* Streams what linkage compares of person records: all (n == 0) or those of ids[0..n),      \
	 * ordered by id. */                                                                         \
	int (*link_input)(ctip_store *s, const int64_t *ids, int n,                                  \
	                  int (*cb)(void *ctx, const struct ctip_link_input *r), void *ctx,          \
	                  ctip_err *e);                                                              \
	/* Replaces the stored linkage by a run's, or adds an incremental run's to it (inside the    \
	 * caller's transaction); either way the list of changed records is emptied. */              \
	int (*link_save)(ctip_store *s, const struct ctip_link_result *res, ctip_err *e);            \
	/* The stored person key of every linked record, in no order. */                             \
	int (*link_keys)(ctip_store *s, int (*cb)(void *ctx, int64_t id, const char *key),           \
	                 void *ctx, ctip_err *e);                                                    \
	/* The linked records changed since the last run (migration 0009). */                        \
	int (*link_changed)(ctip_store *s, int (*cb)(void *ctx, int64_t id), void *ctx,              \
	                    ctip_err *e);                                                            \
	/* The linked person of every record, by organisation and record id; the records not         \
	 * yet linked have key NULL. */                                                              \
	int (*link_persons)(ctip_store *s,                                                           \
	                    int (*cb)(void *ctx, int64_t id, const char *org, const char *src,       \
	                              const char *key),                                              \
	                    void *ctx, ctip_err *e);                                                 \
	/* The scored pairs of the last run, by a then b. */                                         \
	int (*link_pairs)(ctip_store *s, int (*cb)(void *ctx, const struct ctip_link_pair_out *p),   \
	                  void *ctx, ctip_err *e);                                                   \
	/* The stored name frequencies of the last run: cnt[i] for keyed hash h[i] (0 when none      \
	 * is stored). */                                                                            \
	int (*link_freq)(ctip_store *s, const int64_t *h, int n, uint32_t *cnt, ctip_err *e);        \
	/* The totals of those frequencies (ctip_link_result.freq_total) and the check of the        \
	 * key they are under (17 bytes); CTIP_ENOTFOUND when none are stored. */                    \
	int (*link_freq_total)(ctip_store *s, long total[4], char *check, ctip_err *e);              \
	/* Records a and b: their person keys ("" when not linked; 24 bytes each) and a              \
	 * reviewer's decision on them (1 same, 0 different, -1 none). */                            \
	int (*link_pair_state)(ctip_store *s, int64_t a, int64_t b, char *key_a, char *key_b,        \
	                       int *decision, ctip_err *e);                                          \
	/* Whether both records a and b were linked by the last run and neither changed since        \
	 * (*current 1): the server compares only such records (routes_link.c). */                   \
	int (*link_current)(ctip_store *s, int64_t a, int64_t b, int *current, ctip_err *e);         \
	/* The sealed cache of prepared records (link_cache.c): replaced by n chunks (0: dropped,    \
	 * with the list of records changed since), and read back chunk by chunk in order. */        \
	int (*link_cache_put)(ctip_store *s, const unsigned char *const *chunk, const size_t *len,   \
	                      int n, ctip_err *e);                                                   \
	int (*link_cache_get)(ctip_store *s,                                                         \
	                      int (*cb)(void *ctx, const unsigned char *chunk, size_t len,           \
	                                int index, int count),                                       \
	                      void *ctx, ctip_err *e);                                               \
	/* Every person record's id, in order, and whether it was changed since the cache was        \
	 * made or since the last run (stale = 1). */                                                \
	int (*link_cache_ids)(ctip_store *s, int (*cb)(void *ctx, int64_t id, int stale), void *ctx, \
	                      ctip_err *e);                                                          \
	/* The model of the last run (malloc'd JSON); CTIP_ENOTFOUND when linkage never ran. */      \
	int (*link_params)(ctip_store *s, char **json, ctip_err *e);                                 \
	/* Records a reviewer's decision that records a and b are (same) or are not one person       \
	 * (replacing an earlier decision on them); CTIP_ENOTFOUND when a record is missing. */      \
	int (*link_decide)(ctip_store *s, int64_t a, int64_t b, int same, const char *actor,         \
	                   ctip_err *e);                                                             \
	/* The undecided pairs whose probability is in [lo, hi), most probable first; cb returns     \
	 * non-zero to stop (CTIP_OK is then returned unless it is an error code). */                \
	int (*link_uncertain)(ctip_store *s, double lo, double hi,                                   \
	                      int (*cb)(void *ctx, const struct ctip_link_pair *p), void *ctx,       \
	                      ctip_err *e);                                                          \
	/* Every decision (a < b). */                                                                \
	int (*link_decisions)(ctip_store *s, int (*cb)(void *ctx, int64_t a, int64_t b, int same),   \
	                      void *ctx, ctip_err *e);                                               \
	/* Every victim of a case with a linked person: the person key, the case, and the period     \
	 * of exploitation recorded there (earliest start, latest end; NULL when unknown), by        \
	 * person key. */                                                                            \
	int (*link_victim_cases)(ctip_store *s,                                                      \
	                         int (*cb)(void *ctx, const struct ctip_victim_case *v), void *ctx,  \
	                         ctip_err *e);
/* clang-format on */

#endif
