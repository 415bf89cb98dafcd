/*
 * figures_registry.h - the measures of the ledger of published figures (figures.h) that the
 * registry can compute itself ("victims_identified" for "2023"), from the statistics snapshot:
 * `ctip figures check` compares published figures with them, and a reply of the
 * communications tracker (comms.h) cites them. One table of what each measure counts, here.
 */
#ifndef CTIP_FIGURES_REGISTRY_H
#define CTIP_FIGURES_REGISTRY_H

#include <stdint.h>

#include "facts.h"

/* Whether the registry can compute measure. */
int ctip_figures_registry_known(const char *measure);
/* The known measures, comma-separated, for messages. */
const char *ctip_figures_registry_list(void);
/* "2023", "2023-06", "2023-Q2" or "2019/2023" into an inclusive YYYYMMDD range; -1 when
 * not such a period. */
int ctip_figures_period_range(const char *p, int32_t *from, int32_t *to);
/* The registry's value of measure in period: 0 and *value set, or -1 when the measure is
 * not known, the period malformed, or no record is dated in the period. */
int ctip_figures_registry_value(const ctip_facts *f, const char *measure, const char *period,
                                int64_t *value);

#endif
