/*
 * cmd_import.c - `ctip import FILE...`: each file is one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "import.h"

int cmd_import(int argc, char **argv, struct cli *c)
{
	ctip_store *s;
	int rc, failed = 0, timing = 0, first = 1;
	const char *org = NULL;
	for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
		if (!strcmp(argv[first], "--timing"))
			timing = 1;
		else if (!strcmp(argv[first], "--org") && first + 1 < argc)
			org = argv[++first];
		else
			return cli_usage("import");
	}
	if (argc <= first)
		return cli_usage("import");
	if ((rc = cli_open(c, &s)))
		return rc;
	struct ctip_import_opts o = {.diag = stderr, .info = stdout, .max_print = 200, .org = org};
	for (int i = first; i < argc; i++) {
		struct ctip_import_stats st;
		ctip_err e = {0};
		if (ctip_import_file(s, argv[i], &o, &st, &e)) {
			if (st.errors > o.max_print)
				fprintf(stderr, "%s: ... %ld more errors not shown\n", argv[i],
				        st.errors - o.max_print);
			cli_fail(&e);
			failed = e.code == CTIP_EINVAL ? 1 : 3;
			continue;
		}
		printf("%s: imported %ld rows: %ld cases, %ld person records, %ld new "
		       "organisations\n",
		       argv[i], st.rows, st.cases, st.persons, st.orgs_created);
		char detail[96];
		snprintf(detail, sizeof(detail), "%ld rows, %ld cases, %ld records", st.rows,
		         st.cases, st.persons);
		if (ctip_audit(s, NULL, "import", argv[i], detail, &e)) {
			cli_fail(&e);
			failed = 3;
		}
		if (timing)
			printf("%s: %.2f s: reader %.2f s CPU (parse, validate), writer %.2f s CPU "
			       "(checks, inserts), then %.2f s to %scommit\n",
			       argv[i], st.wall, st.read_cpu, st.write_cpu, st.finish_wall,
			       st.bulk ? "rebuild the indexes and " : "");
	}
	ctip_store_close(s);
	return failed;
}
