/*
 * figures_registry.c - the measures of the ledger the registry computes (figures_registry.h):
 * what each counts (a unit of the snapshot, filtered to one value of one dimension), and
 * its value for a period. Moved from cli/cmd_figures.c so that the communications tracker's
 * replies cite exactly what `ctip figures check` compares.
 */
#include "figures_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "stats.h"

/* Measures the registry can compute: what is counted and how it is filtered. */
static const struct {
	const char *measure;
	int unit, dim;
	const char *value;
} registry_measures[] = {
        {"victims_identified", CTIP_U_VICTIMS, CTIP_D_STATUS, "ActualVictimOfTrafficking"},
        {"victims_detected", CTIP_U_VICTIMS, -1, NULL},
        {"cases_denounced", CTIP_U_CASES, CTIP_D_STAGE, "Denounced"},
        {"cases_verified", CTIP_U_CASES, CTIP_D_STAGE, "Verified"},
        {"cases_investigated", CTIP_U_CASES, CTIP_D_STAGE, "Investigated"},
        {"cases_prosecuted", CTIP_U_CASES, CTIP_D_STAGE, "Prosecuted"},
        {"cases_tried", CTIP_U_CASES, CTIP_D_STAGE, "Tried"},
        {"offenders_investigated", CTIP_U_OFFENDERS, CTIP_D_STAGE, "Investigated"},
        {"defendants_prosecuted", CTIP_U_OFFENDERS, CTIP_D_STAGE, "Prosecuted"},
        {"defendants_tried", CTIP_U_OFFENDERS, CTIP_D_STAGE, "Tried"},
        {"defendants_convicted", CTIP_U_OFFENDERS, CTIP_D_STAGE, "Convicted"},
        {"hotline_contacts", CTIP_U_CASES, CTIP_D_ORG_TYPE, "Hotline"},
};

/* "2023", "2023-06", "2023-Q2", "2019/2023" into an inclusive YYYYMMDD range */
int ctip_figures_period_range(const char *p, int32_t *from, int32_t *to)
{
	if (!p || !ctip_figures_valid_period(p))
		return -1;
	int y = atoi(p);
	if (strlen(p) == 4) {
		*from = y * 10000;
		*to = y * 10000 + 1231;
	} else if (p[4] == '-' && p[5] == 'Q') {
		int q = p[6] - '0';
		*from = y * 10000 + (q * 3 - 2) * 100;
		*to = y * 10000 + q * 300 + 31;
	} else if (p[4] == '-') {
		int m = atoi(p + 5);
		*from = y * 10000 + m * 100;
		*to = y * 10000 + m * 100 + 31;
	} else if (p[4] == '/') {
		*from = y * 10000;
		*to = atoi(p + 5) * 10000 + 1231;
	} else {
		return -1;
	}
	return 0;
}

int ctip_figures_registry_value(const ctip_facts *f, const char *measure, const char *period,
                                int64_t *value)
{
	for (size_t i = 0; i < sizeof(registry_measures) / sizeof(registry_measures[0]); i++) {
		if (strcmp(registry_measures[i].measure, measure))
			continue;
		struct ctip_stats_query q = {.unit = registry_measures[i].unit};
		struct ctip_stats_table *t = NULL;
		ctip_err e = {0};
		if (!f || ctip_figures_period_range(period, &q.from, &q.to))
			return -1;
		/* nothing recorded in the period: no comparison */
		if (ctip_stats_compute(f, &q, &t, &e))
			return -1;
		int64_t any = t->records;
		ctip_stats_free(t);
		if (!any)
			return -1;
		if (registry_measures[i].dim >= 0) {
			q.nwhere = 1;
			q.where_dim[0] = registry_measures[i].dim;
			q.where_value[0] = registry_measures[i].value;
		}
		if (ctip_stats_compute(f, &q, &t, &e))
			return -1;
		*value = t->count[0];
		ctip_stats_free(t);
		return 0;
	}
	return -1;
}

int ctip_figures_registry_known(const char *measure)
{
	for (size_t i = 0; i < sizeof(registry_measures) / sizeof(registry_measures[0]); i++)
		if (!strcmp(registry_measures[i].measure, measure))
			return 1;
	return 0;
}

const char *ctip_figures_registry_list(void)
{
	static char buf[1024];
	if (!buf[0])
		for (size_t i = 0; i < sizeof(registry_measures) / sizeof(registry_measures[0]);
		     i++) {
			size_t n = strlen(buf);
			snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "",
			         registry_measures[i].measure);
		}
	return buf;
}
