/*
 * cmd_export.c - `ctip export --format csv|json [-o FILE] [--identities omit|pseudonym|clear|
 * sealed --recipient KEY.pub]`. What the file holds of people is a choice the user states
 * (issue 10, item 10; docs/SECURITY.md, the stolen export file): by default identities are left
 * out; `clear` writes them as they are; `sealed` writes them encrypted to a receiving
 * organisation's public key (lib/core/sealed_file.h). Standard error says what the file holds, and
 * the audit log lists every record that left (export_records entries, found by `ctip audit log
 * --person`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "export.h"
#include "sealed_file.h"

/* The person records written, for the audit. */
struct left {
	long long *ids;
	size_t n, cap;
};

static int note_person(void *ctx, long long id)
{
	struct left *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		long long *g = realloc(l->ids, cap * sizeof(*g));
		if (!g)
			return CTIP_ENOMEM;
		l->ids = g;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return CTIP_OK;
}

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* export_records entries naming the records that left, 200 to an entry. */
static int audit_left(ctip_store *s, struct left *l, const char *detail, ctip_err *e)
{
	enum { PER = 200 };
	qsort(l->ids, l->n, sizeof(*l->ids), cmp_id);
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (!k || l->ids[k - 1] != l->ids[i])
			l->ids[k++] = l->ids[i];
	l->n = k; /* a record in several cases left once */
	int nent = (int)((k + PER - 1) / PER), rc = CTIP_OK;
	char **objs = calloc((size_t)(nent ? nent : 1), sizeof(*objs));
	if (!objs)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	for (int j = 0; j < nent && !rc; j++) {
		if (!(objs[j] = malloc(PER * 22)))
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		size_t w = 0;
		for (size_t i = (size_t)j * PER; !rc && i < k && i < (size_t)(j + 1) * PER; i++)
			w += (size_t)sprintf(objs[j] + w, "%sP%lld", w ? " " : "", l->ids[i]);
	}
	if (!rc && nent)
		rc = ctip_audit_each(s, NULL, "export_records", (const char *const *)objs, nent,
		                     detail, e);
	for (int j = 0; j < nent; j++)
		free(objs[j]);
	free(objs);
	return rc;
}

int cmd_export(int argc, char **argv, struct cli *c)
{
	const char *fmt = NULL, *path = NULL, *ids = "omit", *recipient = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "--identities") && i + 1 < argc)
			ids = argv[++i];
		else if (!strcmp(argv[i], "--recipient") && i + 1 < argc)
			recipient = argv[++i];
		else
			return cli_usage("export");
	}
	if (!fmt || (strcmp(fmt, "csv") && strcmp(fmt, "json"))) {
		fprintf(stderr, "ctip: export needs --format csv or --format json\n");
		return cli_usage("export");
	}
	int sealed = !strcmp(ids, "sealed");
	struct ctip_export_opts o = {.ids = !strcmp(ids, "pseudonym")         ? CTIP_IDS_PSEUDONYM
	                                    : !strcmp(ids, "clear") || sealed ? CTIP_IDS_CLEAR
	                                                                      : CTIP_IDS_OMIT};
	if (strcmp(ids, "omit") && strcmp(ids, "pseudonym") && strcmp(ids, "clear") && !sealed) {
		fprintf(stderr,
		        "ctip: export --identities %s: expected omit (the default), "
		        "pseudonym, clear or sealed\n",
		        ids);
		return 2;
	}
	if (sealed != (recipient != NULL)) {
		fprintf(stderr,
		        sealed ? "ctip: export --identities sealed needs --recipient KEY.pub "
		                 "(the receiving organisation's public key: `ctip key "
		                 "recipient NAME` makes the pair)\n"
		               : "ctip: --recipient goes with --identities sealed\n");
		return 2;
	}
	ctip_store *s;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	ctip_err e = {0};
	long n = 0;
	struct left left = {0};
	o.on_person = note_person;
	o.ctx = &left;
	struct cli_out out;
	FILE *sf = NULL;
	if ((rc = cli_out_open(&out, path, 1, &e))) {
		ctip_store_close(s);
		return cli_fail(&e);
	}
	char detail[96];
	snprintf(detail, sizeof(detail), "%s identities=%s", fmt, ids);
	/* logged first: an export that fails half-way has still shown data */
	rc = ctip_audit(s, NULL, "export", path ? path : "-", detail, &e);
	if (!rc && sealed && !(sf = ctip_sealed_writer(out.f, recipient, fmt[0], &e)))
		rc = e.code;
	if (!rc)
		rc = ctip_export_with(s, strcmp(fmt, "csv") ? CTIP_FMT_JSON : CTIP_FMT_CSV,
		                      sf ? sf : out.f, NULL, &o, &n, &e);
	if (sf && fclose(sf) && !rc)
		rc = ctip_err_set(&e, CTIP_EIO, "write error");
	/* which records left, as far as the export got */
	ctip_err ae = {0};
	char where[1200];
	snprintf(where, sizeof(where), "%s %s", path ? path : "-", detail);
	if (left.n && audit_left(s, &left, where, &ae) && !rc) {
		e = ae;
		rc = ae.code;
	}
	free(left.ids);
	rc = cli_out_close(&out, rc, &e);
	if (!rc) {
		const char *to = path ? path : "standard output";
		if (o.ids == CTIP_IDS_OMIT)
			fprintf(stderr,
			        "%s: %ld rows of %zu person records exported without identities: "
			        "no "
			        "names, identity documents, phones, address below the province, "
			        "day "
			        "of birth or free text; record ids valid in this file only\n",
			        to, n, left.n);
		else if (o.ids == CTIP_IDS_PSEUDONYM)
			fprintf(stderr,
			        "%s: %ld rows of %zu person records exported pseudonymised: no "
			        "names, "
			        "identity documents, phones, address below the province, day of "
			        "birth "
			        "or free text; each record under a pseudonym that is the same in "
			        "every "
			        "pseudonymised export of this registry\n",
			        to, n, left.n);
		else if (sealed)
			fprintf(stderr,
			        "%s: %ld rows of %zu person records exported with their "
			        "identities, "
			        "sealed to %s: only its secret key opens the file (`ctip import "
			        "--secret-key`)\n",
			        to, n, left.n, recipient);
		else
			fprintf(stderr,
			        "%s: WARNING: %ld rows of %zu person records exported with their "
			        "identities in clear (names, identity documents, phones, "
			        "addresses): "
			        "keep the file on this machine, or use --identities sealed to send "
			        "it\n",
			        to, n, left.n);
	}
	ctip_store_close(s);
	return rc ? cli_fail(&e) : 0;
}
