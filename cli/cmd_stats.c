/*
 * cmd_stats.c - `ctip stats COUNT --by DIM[,DIM...] [--where DIM=VALUE ...] [--year Y |
 * --from DATE --to DATE] [--format table|csv|json] [--no-suppress] [--threshold N]
 * [--age-bands 0-15,16-17,18-] [-o FILE]`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"
#include "facts.h"
#include "link.h"
#include "stats.h"
#include "stats_casework.h"
#include "stats_out.h"
#include "suppress.h"

/* Options shared with `ctip report`: fills q (not unit and dims), fmt, threshold. Returns 0,
 * or 2 after printing what was wrong. i is advanced past consumed arguments. */
int cli_stats_option(int argc, char **argv, int *i, struct ctip_stats_query *q, int *raw,
                     int *threshold, const char **fmt, const char **out);
int cli_stats_option(int argc, char **argv, int *i, struct ctip_stats_query *q, int *raw,
                     int *threshold, const char **fmt, const char **out)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	ctip_err e = {0};
	if (!strcmp(a, "--no-suppress")) {
		*raw = 1;
		return 0;
	}
	if (!v)
		return -1;
	if (!strcmp(a, "--format")) {
		*fmt = v;
	} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
		*out = v;
	} else if (!strcmp(a, "--threshold")) {
		char *end;
		long t = strtol(v, &end, 10);
		if (*end || t < 1 || t > 1000) {
			fprintf(stderr, "ctip: --threshold: a whole number from 1 to 1000\n");
			return 2;
		}
		*threshold = (int)t;
	} else if (!strcmp(a, "--year")) {
		if (ctip_stats_parse_date(v, 0, &q->from, &e) || strlen(v) != 4) {
			fprintf(stderr, "ctip: --year: a year like 2023\n");
			return 2;
		}
		q->from = q->from / 10000 * 10000;
		q->to = q->from + 1231;
	} else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
		if (ctip_stats_parse_date(v, a[2] == 't', a[2] == 't' ? &q->to : &q->from, &e)) {
			fprintf(stderr, "ctip: %s: %s\n", a, e.msg);
			return 2;
		}
		if (a[2] == 'f' && q->from % 10000 == 101)
			q->from -= 101; /* the whole year: dates known to the year only count */
	} else if (!strcmp(a, "--age-bands")) {
		if (ctip_stats_parse_bands(v, q, &e)) {
			fprintf(stderr, "ctip: %s\n", e.msg);
			return 2;
		}
	} else if (!strcmp(a, "--where")) {
		const char *eq = strchr(v, '=');
		char dim[64];
		if (!eq || eq == v || (size_t)(eq - v) >= sizeof(dim) || !eq[1]) {
			fprintf(stderr, "ctip: --where: expected DIM=VALUE, got '%s'\n", v);
			return 2;
		}
		memcpy(dim, v, (size_t)(eq - v));
		dim[eq - v] = 0;
		int d = ctip_dim_parse(dim);
		if (d < 0) {
			fprintf(stderr, "ctip: --where: no dimension '%s' (see ctip help stats)\n",
			        dim);
			return 2;
		}
		if (q->nwhere == CTIP_STATS_MAXWHERE) {
			fprintf(stderr, "ctip: at most %d --where\n", CTIP_STATS_MAXWHERE);
			return 2;
		}
		q->where_dim[q->nwhere] = d;
		q->where_value[q->nwhere++] = eq + 1;
	} else {
		return -1;
	}
	(*i)++;
	return 0;
}

static int parse_by(const char *v, struct ctip_stats_query *q)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int d = ctip_dim_parse(t);
		if (d < 0) {
			fprintf(stderr, "ctip: --by: no dimension '%s'; dimensions:", t);
			for (int k = 0; k < CTIP_D_ALL; k++)
				fprintf(stderr, " %s", ctip_dim_name(k));
			fputc('\n', stderr);
			return 2;
		}
		if (q->ndim == CTIP_STATS_MAXDIM) {
			fprintf(stderr, "ctip: --by: at most %d dimensions\n", CTIP_STATS_MAXDIM);
			return 2;
		}
		q->dim[q->ndim++] = d;
	}
	return 0;
}

int cmd_stats(int argc, char **argv, struct cli *c)
{
	struct ctip_stats_query q = {.unit = -1};
	int raw = 0, threshold = CTIP_SUPPRESS_DEFAULT, rc;
	const char *fmt = "table", *path = NULL;
	if (argc < 2)
		return cli_usage("stats");
	q.unit = ctip_unit_parse(argv[1]);
	if (q.unit < 0) {
		fprintf(stderr,
		        "ctip: stats: COUNT is one of victims, cases, offenders, referrals, "
		        "assistance, followups, assessments, contacts\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--by") && i + 1 < argc) {
			if ((rc = parse_by(argv[++i], &q)))
				return rc;
			continue;
		}
		rc = cli_stats_option(argc, argv, &i, &q, &raw, &threshold, &fmt, &path);
		if (rc > 0)
			return rc;
		if (rc < 0)
			return cli_usage("stats");
	}
	if (strcmp(fmt, "table") && strcmp(fmt, "csv") && strcmp(fmt, "json")) {
		fprintf(stderr, "ctip: stats: --format table, csv or json\n");
		return 2;
	}
	ctip_err e = {0};
	int casework = ctip_cw_stats_unit(q.unit);
	if (casework ? ctip_cw_stats_check(&q, &e) : ctip_stats_check(&q, &e)) {
		fprintf(stderr, "ctip: stats: %s\n", e.msg);
		return 2;
	}
	/* CTIP_STATS_TIMING=1: where the time goes, on stderr */
	int timing = getenv("CTIP_STATS_TIMING") != NULL;
	struct timespec t0, t1, t2, t3, t4;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ctip_store *s;
	if ((rc = cli_open(c, &s)))
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	q.ref = s->ref;
	ctip_facts *f = NULL;
	struct ctip_stats_table *t = NULL;
	unsigned char need[CTIP_D_N];
	ctip_stats_need(&q, need);
	/* casework's counts are counted from their own tables (stats_casework.h) */
	rc = casework ? CTIP_OK : s->ops->stats_facts(s, q.unit, need, &f, &e);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (!rc)
		rc = casework ? ctip_cw_stats(s, &q, &t, &e) : ctip_stats_compute(f, &q, &t, &e);
	clock_gettime(CLOCK_MONOTONIC, &t3);
	if (!rc && !raw)
		ctip_suppress(t, threshold);
	if (!rc && q.unit == CTIP_U_VICTIMS)
		ctip_link_provenance(s, t->linkage, sizeof(t->linkage));
	clock_gettime(CLOCK_MONOTONIC, &t4);
#define MS(a, b)                                                                                   \
	((double)((b).tv_sec - (a).tv_sec) * 1e3 + (double)((b).tv_nsec - (a).tv_nsec) / 1e6)
	if (timing)
		fprintf(stderr, "open %.1f ms, snapshot %.1f ms, count %.1f ms, suppress %.1f ms\n",
		        MS(t0, t1), MS(t1, t2), MS(t2, t3), MS(t3, t4));
#undef MS
	/* raw counts are logged: they may single people out; so is a threshold below the
	 * default, which publishes cells the server withholds from every role without raw
	 * counts. The command line is the trusted local operator's, who holds the database and
	 * its key: its periods and bands are not coarsened as the server's are (docs/SECURITY.md,
	 * "Statistics"). */
	char lowered[48];
	snprintf(lowered, sizeof(lowered), "--threshold %d", threshold);
	if (!rc && (raw || threshold < CTIP_SUPPRESS_DEFAULT))
		rc = ctip_audit(s, NULL, "stats-raw", ctip_unit_name(q.unit),
		                raw ? "--no-suppress" : lowered, &e);
	struct cli_out o = {stdout, NULL, ""};
	if (!rc)
		rc = cli_out_open(&o, path, 1, &e);
	FILE *out = o.f;
	if (!rc)
		rc = !strcmp(fmt, "json")  ? ctip_stats_write_json(out, t, &q, &e)
		     : !strcmp(fmt, "csv") ? ctip_stats_write_csv(out, t, &q, &e)
		                           : ctip_stats_write_text(out, t, &q, s->ref, &e);
	rc = cli_out_close(&o, rc, &e);
	ctip_stats_free(t);
	ctip_facts_free(f);
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}
