/*
 * cmd_import.c - `ctip import [--map MAP.json] [--sheet NAME] [--dry-run] FILE...`: each file
 * is one transaction. With a mapping (or an .xlsx file) the agency's own layout is read
 * (import_map.h); a dry run shows how each column is mapped, a sample of converted rows and
 * every row that would be rejected, and writes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "import.h"
#include "import_map.h"
#include "sealed_file.h"

int cmd_import(int argc, char **argv, struct cli *c)
{
	ctip_store *s;
	int rc, failed = 0, timing = 0, first = 1, dry = 0;
	const char *org = NULL, *map_path = NULL, *sheet = NULL, *secret = NULL;
	for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
		if (!strcmp(argv[first], "--timing"))
			timing = 1;
		else if (!strcmp(argv[first], "--dry-run"))
			dry = 1;
		else if (!strcmp(argv[first], "--org") && first + 1 < argc)
			org = argv[++first];
		else if (!strcmp(argv[first], "--map") && first + 1 < argc)
			map_path = argv[++first];
		else if (!strcmp(argv[first], "--sheet") && first + 1 < argc)
			sheet = argv[++first];
		else if (!strcmp(argv[first], "--secret-key") && first + 1 < argc)
			secret = argv[++first];
		else
			return cli_usage("import");
	}
	if (argc <= first)
		return cli_usage("import");
	ctip_map *map = NULL;
	if (map_path) {
		ctip_err e = {0};
		if (ctip_map_load(map_path, &map, &e)) {
			cli_fail(&e);
			return e.code == CTIP_EINVAL ? 1 : 3;
		}
	}
	if ((rc = cli_open(c, &s))) {
		ctip_map_free(map);
		return rc;
	}
	struct ctip_import_opts o = {.diag = stderr,
	                             .info = stdout,
	                             .max_print = dry ? 0 : 200,
	                             .org = org,
	                             .map = map,
	                             .sheet = sheet,
	                             .dry_run = dry,
	                             .progress = 1};
	for (int i = first; i < argc; i++) {
		struct ctip_import_stats st = {0}; /* counted even when the file cannot be opened */
		ctip_err e = {0};
		if (dry)
			printf("%s: dry run: nothing will be written\n", argv[i]);
		int irc;
		if (ctip_is_sealed(argv[i])) {
			/* an export sealed to us: read through its decryption, never written out */
			char fmt = 0;
			FILE *pf = secret ? ctip_sealed_reader(argv[i], secret, &fmt, &e) : NULL;
			if (!secret)
				ctip_err_set(
				        &e, CTIP_EINVAL,
				        "%s: sealed to a recipient's public key: give the matching "
				        "secret key with --secret-key KEY.secret",
				        argv[i]);
			memset(&st, 0, sizeof(st));
			irc = pf ? ctip_import_stream(s, pf, argv[i], fmt == 'j', &o, &st, &e)
			         : e.code;
			if (pf && ferror(pf) && !irc)
				irc = ctip_err_set(&e, CTIP_EINVAL,
				                   "%s: altered or cut short: nothing imported",
				                   argv[i]);
			if (pf)
				fclose(pf);
		} else {
			irc = ctip_import_file(s, argv[i], &o, &st, &e);
		}
		if (irc) {
			if (o.max_print && st.errors > o.max_print)
				fprintf(stderr, "%s: ... %ld more errors not shown\n", argv[i],
				        st.errors - o.max_print);
			if (dry && e.code == CTIP_EINVAL)
				printf("%s: dry run: %ld rows read, %ld rejected (listed on "
				       "standard "
				       "error); nothing was written\n",
				       argv[i], st.rows, st.errors);
			cli_fail(&e);
			failed = e.code == CTIP_EINVAL ? 1 : 3;
			continue;
		}
		if (dry) {
			printf("%s: dry run: %ld rows would be imported (%ld with a data-quality "
			       "flag): %ld cases, %ld person records; nothing was written\n",
			       argv[i], st.rows, st.flagged, st.cases, st.persons);
			continue;
		}
		printf("%s: imported %ld rows: %ld cases, %ld person records, %ld new "
		       "organisations",
		       argv[i], st.rows, st.cases, st.persons, st.orgs_created);
		if (st.flagged)
			printf(", %ld rows with a data-quality flag", st.flagged);
		printf("\n");
		char detail[128];
		snprintf(detail, sizeof(detail), "%ld rows, %ld cases, %ld records%s%s", st.rows,
		         st.cases, st.persons, map_path ? ", mapping " : "",
		         map_path ? map_path : "");
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
	ctip_map_free(map);
	return failed;
}
