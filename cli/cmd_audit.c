/*
 * cmd_audit.c - `ctip audit verify [--head ID:HASH]`, `ctip audit head` and
 * `ctip audit log [--person ID]`.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

static int print_entry(void *ctx, const struct ctip_audit_entry *a)
{
	long *n = ctx;
	printf("%-6lld %s  %-24s %-13s %-10s %s\n", (long long)a->id, a->at, a->actor, a->action,
	       a->object, a->detail);
	(*n)++;
	return 0;
}

int cmd_audit(int argc, char **argv, struct cli *c)
{
	if (argc < 2)
		return cli_usage("audit");
	ctip_store *s;
	ctip_err e = {0};
	int rc;
	int verify = !strcmp(argv[1], "verify"), head = !strcmp(argv[1], "head");
	if ((verify && (argc == 2 || (argc == 4 && !strcmp(argv[2], "--head")))) ||
	    (head && argc == 2)) {
		struct ctip_audit_head want, last;
		if (argc == 4 && ctip_audit_head_parse(argv[3], &want)) {
			fprintf(stderr,
			        "ctip: audit verify: --head %s: expected ID:HASH as printed "
			        "by `ctip audit head`\n",
			        argv[3]);
			return 2;
		}
		if ((rc = cli_open_meta(c, &s)))
			return rc;
		int64_t bad;
		long n;
		rc = ctip_audit_verify_head(s, argc == 4 ? &want : NULL, &bad, &n, &last, &e);
		ctip_store_close(s);
		if (rc) {
			fprintf(stderr, "ctip: audit log BROKEN at entry %lld: %s\n",
			        (long long)bad, e.msg);
			return 1;
		}
		if (head) {
			if (!last.id) {
				fprintf(stderr, "ctip: audit head: the audit log is empty\n");
				return 1;
			}
			printf("%lld:%s\n", (long long)last.id, last.hash);
			return 0;
		}
		printf("audit log intact: %ld entries", n);
		if (argc == 4)
			printf(", entry %lld is the recorded head", (long long)want.id);
		printf("\n");
		return 0;
	}
	if (!strcmp(argv[1], "log")) {
		const char *person = NULL;
		char obj[32];
		if (argc == 4 && !strcmp(argv[2], "--person")) {
			const char *p = argv[3];
			if (toupper((unsigned char)p[0]) == 'P')
				p++;
			for (const char *q = p; *q; q++)
				if (!isdigit((unsigned char)*q))
					return cli_usage("audit");
			snprintf(obj, sizeof(obj), "P%s", p);
			person = obj;
		} else if (argc != 2) {
			return cli_usage("audit");
		}
		if ((rc = cli_open_meta(c, &s)))
			return rc;
		long n = 0;
		rc = s->ops->audit_each(s, person, print_entry, &n, &e);
		ctip_store_close(s);
		if (rc)
			return cli_fail(&e);
		if (!n)
			fprintf(stderr, "no audit entries%s%s\n", person ? " for " : "",
			        person ? person : "");
		return 0;
	}
	return cli_usage("audit");
}
