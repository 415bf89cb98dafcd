/*
 * stats_out.h - a table (stats.h) written out: terminal text, CSV and JSON, each with its
 * provenance (when computed, filters, records it rests on, ctip version) and, when the
 * table was suppressed, withheld cells shown as "x" (terminal), empty (CSV) or null (JSON).
 */
#ifndef CTIP_STATS_OUT_H
#define CTIP_STATS_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "refdata.h"
#include "stats.h"

/* The English label of a dimension's code (ref may be NULL: the code itself). */
const char *ctip_stats_label(const ctip_ref *ref, int dim, const char *code);
/* The published value of a cell: -1 when withheld. */
int64_t ctip_stats_value(const struct ctip_stats_table *t, size_t cell);
/* Notes a reader needs: multi-valued dimensions, distinct counting. Writes into buf. */
void ctip_stats_notes(const struct ctip_stats_table *t, char *buf, size_t n);
/* The provenance object: computed_at, filters, records, snapshot, ctip_version. */
json_t *ctip_stats_provenance(const struct ctip_stats_table *t, const struct ctip_stats_query *q);

json_t *ctip_stats_json(const struct ctip_stats_table *t, const struct ctip_stats_query *q);
int ctip_stats_write_json(FILE *out, const struct ctip_stats_table *t,
                          const struct ctip_stats_query *q, ctip_err *e);
int ctip_stats_write_csv(FILE *out, const struct ctip_stats_table *t,
                         const struct ctip_stats_query *q, ctip_err *e);
int ctip_stats_write_text(FILE *out, const struct ctip_stats_table *t,
                          const struct ctip_stats_query *q, const ctip_ref *ref, ctip_err *e);

/* The table alone (no provenance): for reports, which state it once. */
void ctip_stats_write_body(FILE *out, const struct ctip_stats_table *t, const ctip_ref *ref);
void ctip_stats_write_csv_body(FILE *out, const struct ctip_stats_table *t);

#endif
