/*
 * cmd_report.c - `ctip report annual|tip|completeness --year Y [--format
 * table|csv|json|xlsx|html] [-o FILE] [--no-suppress] [--threshold N]`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "report.h"
#include "report_casework.h"
#include "report_estimate.h"
#include "report_link.h"
#include "report_quality.h"
#include "suppress.h"

int cmd_report(int argc, char **argv, struct cli *c)
{
	const char *fmt = "table", *path = NULL;
	int year = 0, raw = 0, threshold = CTIP_SUPPRESS_DEFAULT, rc;
	if (argc < 2 || argv[1][0] == '-')
		return cli_usage("report");
	const char *name = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-suppress")) {
			raw = 1;
			continue;
		}
		if (!v)
			return cli_usage("report");
		i++;
		if (!strcmp(a, "--year")) {
			char *end;
			long y = strtol(v, &end, 10);
			if (*end || y < 1900 || y > 2999) {
				fprintf(stderr, "ctip: --year: a year like 2023\n");
				return 2;
			}
			year = (int)y;
		} else if (!strcmp(a, "--format")) {
			fmt = v;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			path = v;
		} else if (!strcmp(a, "--threshold")) {
			threshold = atoi(v);
			if (threshold < 1 || threshold > 1000) {
				fprintf(stderr,
				        "ctip: --threshold: a whole number from 1 to 1000\n");
				return 2;
			}
		} else {
			return cli_usage("report");
		}
	}
	if (!year) {
		fprintf(stderr, "ctip: report needs --year\n");
		return cli_usage("report");
	}
	if (strcmp(name, "annual") && strcmp(name, "tip") && strcmp(name, "completeness")) {
		fprintf(stderr, "ctip: report: annual, tip or completeness\n");
		return 2;
	}
	int xlsx = !strcmp(fmt, "xlsx");
	if (strcmp(fmt, "table") && strcmp(fmt, "csv") && strcmp(fmt, "json") &&
	    strcmp(fmt, "html") && !xlsx) {
		fprintf(stderr, "ctip: report: --format table, csv, json, xlsx or html\n");
		return 2;
	}
	if (xlsx && !path) {
		fprintf(stderr, "ctip: report: --format xlsx needs -o FILE\n");
		return 2;
	}
	ctip_store *s;
	if ((rc = cli_open(c, &s)))
		return rc;
	ctip_err e = {0};
	ctip_facts *f = NULL;
	struct ctip_report *r = NULL;
	rc = s->ops->stats_facts(s, -1, NULL, &f, &e);
	if (!rc)
		rc = ctip_report_build(f, s->ref, name, year, raw, threshold, &r, &e);
	if (!rc && !strcmp(name, "annual")) /* re-trafficking, from the linkage */
		rc = ctip_report_add_retrafficked(r, f, s, &e);
	if (!rc && !strcmp(name, "tip")) /* II.4 from hotline contacts (docs/CASEWORK.md) */
		rc = ctip_report_add_contacts(r, s, s->ref, &e);
	if (!rc && !strcmp(name, "completeness")) /* rows kept with a data-quality flag */
		rc = ctip_report_add_quality(r, f, s, &e);
	if (!rc)
		ctip_report_settle(r);      /* with the victims' tables, not after the series */
	if (!rc && !strcmp(name, "annual")) /* the dark figure, last (docs/ESTIMATION.md) */
		rc = ctip_report_add_estimate(r, f, s, &e);
	if (!rc && raw)
		rc = ctip_audit(s, NULL, "stats-raw", name, "--no-suppress", &e);
	struct cli_out o = {stdout, NULL, ""};
	if (!rc)
		rc = cli_out_open(&o, path, !xlsx, &e);
	FILE *out = o.f;
	if (!rc) {
		if (xlsx)
			rc = ctip_report_xlsx(o.tmp, r, s->ref, &e);
		else if (!strcmp(fmt, "csv"))
			rc = ctip_report_csv(out, r, &e);
		else if (!strcmp(fmt, "json"))
			rc = ctip_report_json(out, r, &e);
		else if (!strcmp(fmt, "html"))
			rc = ctip_report_html(out, r, s->ref, &e);
		else
			rc = ctip_report_text(out, r, s->ref, &e);
	}
	rc = cli_out_close(&o, rc, &e);
	ctip_report_free(r);
	ctip_facts_free(f);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}
