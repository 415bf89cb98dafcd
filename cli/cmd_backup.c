/*
 * cmd_backup.c - `ctip backup DEST [--with-key (--passphrase-file FILE | --recipient
 * KEY.pub)]`, `ctip backup --verify DEST`, `ctip restore SRC [--db TARGET] [--force]
 * [--passphrase-file FILE | --secret-key KEY.secret] [--check]` (lib/backup/backup.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "backup.h"
#include "cli.h"

#define PASSPHRASE_MIN 12

/* The first line of FILE (- : standard input), into buf. */
static int read_passphrase(const char *file, char *buf, size_t n, ctip_err *e)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f)
		return ctip_err_set(e, CTIP_EINVAL, "%s: cannot read the passphrase", file);
	int ok = fgets(buf, (int)n, f) != NULL;
	if (f != stdin)
		fclose(f);
	buf[ok ? strcspn(buf, "\r\n") : 0] = 0;
	if (!ok || !*buf)
		return ctip_err_set(e, CTIP_EINVAL, "%s: no passphrase in it", file);
	return CTIP_OK;
}

static long long table_rows(json_t *m, const char *t)
{
	return json_integer_value(json_object_get(json_object_get(m, "tables"), t));
}

static void summary(json_t *m, FILE *out)
{
	json_t *a = json_object_get(m, "audit");
	const char *head = json_string_value(json_object_get(a, "head"));
	fprintf(out,
	        "%s registry, schema %lld, written %s: %lld organisations, %lld cases, %lld "
	        "person records, %lld accounts; audit log %lld entries, head %s\n",
	        json_string_value(json_object_get(m, "backend")),
	        (long long)json_integer_value(json_object_get(m, "schema_version")),
	        json_string_value(json_object_get(m, "created")), table_rows(m, "organisation"),
	        table_rows(m, "cases"), table_rows(m, "person"), table_rows(m, "account"),
	        (long long)json_integer_value(json_object_get(a, "entries")),
	        head && *head ? head : "(empty)");
}

static int verify_only(const char *dir)
{
	ctip_err e = {0};
	json_t *m;
	if (ctip_backup_verify(dir, &m, &e)) {
		fprintf(stderr, "ctip: backup %s is NOT intact: %s\n", dir, e.msg);
		return 1;
	}
	printf("backup %s intact: ", dir);
	summary(m, stdout);
	json_decref(m);
	return 0;
}

int cmd_backup(int argc, char **argv, struct cli *c)
{
	const char *dest = NULL, *pwfile = NULL, *recipient = NULL;
	int with_key = 0, verify = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--with-key"))
			with_key = 1;
		else if (!strcmp(argv[i], "--verify"))
			verify = 1;
		else if (!strcmp(argv[i], "--passphrase-file") && i + 1 < argc)
			pwfile = argv[++i];
		else if (!strcmp(argv[i], "--recipient") && i + 1 < argc)
			recipient = argv[++i];
		else if (argv[i][0] == '-' || dest)
			return cli_usage("backup");
		else
			dest = argv[i];
	}
	if (!dest)
		return cli_usage("backup");
	if (verify) {
		if (with_key || pwfile || recipient)
			return cli_usage("backup");
		return verify_only(dest);
	}
	if ((pwfile || recipient) && !with_key) {
		fprintf(stderr, "ctip: backup: --passphrase-file and --recipient seal the key: add "
		                "--with-key to include it\n");
		return 2;
	}
	if (with_key && !pwfile == !recipient) {
		fprintf(stderr,
		        "ctip: backup: --with-key: the key goes into a backup only sealed: give "
		        "--passphrase-file FILE (- for standard input) or --recipient KEY.pub\n");
		return 2;
	}
	ctip_err e = {0};
	char pw[1024] = "";
	if (pwfile && read_passphrase(pwfile, pw, sizeof(pw), &e))
		return cli_fail(&e);
	if (pwfile && strlen(pw) < PASSPHRASE_MIN) {
		sodium_memzero(pw, sizeof(pw));
		fprintf(stderr,
		        "ctip: backup: the passphrase is shorter than %d characters: it guards the "
		        "key of every identity in the registry\n",
		        PASSPHRASE_MIN);
		return 1;
	}
	/* with the key: check that it is this registry's (a backup with the wrong key would be
	 * found out only when it is needed) */
	ctip_store *s;
	int rc = with_key ? cli_open(c, &s) : cli_open_meta(c, &s);
	if (rc) {
		sodium_memzero(pw, sizeof(pw));
		return rc;
	}
	char detail[1200];
	snprintf(detail, sizeof(detail), "to %s%s", dest,
	         !with_key ? ""
	         : pwfile  ? ", with the key sealed with a passphrase"
	                   : ", with the key sealed to a public key");
	/* audited before the copy is taken, so the backup holds its own entry */
	if ((rc = ctip_audit(s, NULL, "backup", "registry", detail, &e))) {
		ctip_store_close(s);
		sodium_memzero(pw, sizeof(pw));
		return cli_fail(&e);
	}
	struct ctip_backup_opts o = {
	        .db = c->db,
	        .dest = dest,
	        .key_path = with_key ? cli_key_path(c) : NULL,
	        .passphrase = pwfile ? pw : NULL,
	        .recipient = recipient,
	};
	json_t *m;
	umask(077); /* the backup's files are the registry's: the owner's alone */
	rc = ctip_backup(&o, &m, &e);
	sodium_memzero(pw, sizeof(pw));
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	printf("backup of %s written to %s: ", c->db, dest);
	summary(m, stdout);
	printf("key: %s\n", !with_key ? "not included (keep the key file's own copy safe)"
	                    : pwfile  ? "included, sealed with the passphrase"
	                              : "included, sealed to the recipient's public key");
	printf("check it with: ctip backup --verify %s\n", dest);
	json_decref(m);
	return 0;
}

int cmd_restore(int argc, char **argv, struct cli *c)
{
	const char *src = NULL, *pwfile = NULL, *secret = NULL;
	int force = 0, check = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = 1;
		else if (!strcmp(argv[i], "--check"))
			check = 1;
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			c->db = argv[++i];
		else if (!strcmp(argv[i], "--passphrase-file") && i + 1 < argc)
			pwfile = argv[++i];
		else if (!strcmp(argv[i], "--secret-key") && i + 1 < argc)
			secret = argv[++i];
		else if (argv[i][0] == '-' || src)
			return cli_usage("restore");
		else
			src = argv[i];
	}
	if (!src || (pwfile && secret))
		return cli_usage("restore");
	if (check)
		return verify_only(src);
	ctip_err e = {0};
	char pw[1024] = "";
	if (pwfile && read_passphrase(pwfile, pw, sizeof(pw), &e))
		return cli_fail(&e);
	const char *kp = (pwfile || secret) ? cli_key_path(c) : NULL;
	if (kp && !*kp) {
		fprintf(stderr, "ctip: restore: give --key PATH: where the restored key file goes "
		                "(a database server keeps none beside it)\n");
		return 2;
	}
	struct ctip_restore_opts o = {
	        .src = src,
	        .target = c->db,
	        .key_out = kp,
	        .passphrase = pwfile ? pw : NULL,
	        .secret_key = secret,
	        .force = force,
	};
	int key_done = 0;
	int rc = ctip_restore(&o, &key_done, &e);
	sodium_memzero(pw, sizeof(pw));
	if (rc)
		return cli_fail(&e);
	/* the restored registry: its audit chain must hold, and the restore goes into it */
	ctip_store *s;
	if ((rc = cli_open_meta(c, &s))) {
		fprintf(stderr, "ctip: restore: %s was restored but cannot be opened\n", c->db);
		return rc;
	}
	int64_t bad;
	long n;
	if (ctip_audit_verify(s, &bad, &n, &e)) {
		ctip_store_close(s);
		fprintf(stderr,
		        "ctip: restore: the restored audit log is BROKEN at entry %lld: %s\n",
		        (long long)bad, e.msg);
		return 1;
	}
	char detail[1200];
	snprintf(detail, sizeof(detail), "from %s%s", src, key_done ? ", with the key" : "");
	rc = ctip_audit(s, NULL, "restore", "registry", detail, &e);
	ctip_store_close(s);
	if (rc)
		return cli_fail(&e);
	printf("restored %s from %s: audit log intact (%ld entries before this restore)\n", c->db,
	       src, n);
	if (key_done)
		printf("key: written to %s\n", kp);
	else
		printf("key: not restored (%s)\n",
		       kp ? "the backup holds none"
		          : "give --passphrase-file or --secret-key to "
		            "restore the backup's, or put the key file in "
		            "place");
	return 0;
}

/* ctip store copy --to URL|FILE: the registry of --db moved to the other back end (an empty
 * PostgreSQL database, or a new SQLite file: lib/backup/store_copy*.c), its audit chain
 * verified there, the move audited on both. */
int cmd_store(int argc, char **argv, struct cli *c)
{
	const char *to = NULL;
	if (argc < 2 || strcmp(argv[1], "copy"))
		return cli_usage("store");
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to = argv[++i];
		else
			return cli_usage("store");
	}
	if (!to)
		return cli_usage("store");
	const char *kp = cli_key_path(c);
	if (!kp || !*kp) {
		fprintf(stderr, "ctip: store copy: give --key PATH: the registry's key (the name "
		                "index is made again on the target under it)\n");
		return 2;
	}
	ctip_err e = {0};
	json_t *rep = NULL;
	const char *from = c->db;
	int rc = ctip_store_copy(from, to, kp, 0, &rep, &e);
	if (rc)
		return cli_fail(&e);
	long long rows = 0;
	const char *t;
	json_t *v;
	json_object_foreach(json_object_get(rep, "tables"), t, v) rows += json_integer_value(v);
	long entries =
	        (long)json_integer_value(json_object_get(json_object_get(rep, "audit"), "entries"));
	json_decref(rep);
	/* the target: its audit chain must hold, and the move goes into both logs */
	ctip_store *s;
	c->db = to;
	if ((rc = cli_open_meta(c, &s))) {
		fputs("ctip: store copy: the target was written but cannot be opened\n", stderr);
		return rc;
	}
	int64_t bad;
	long n;
	if (ctip_audit_verify(s, &bad, &n, &e)) {
		ctip_store_close(s);
		fprintf(stderr,
		        "ctip: store copy: the copied audit log is BROKEN at entry %lld: %s\n",
		        (long long)bad, e.msg);
		return 1;
	}
	char detail[1200], where[1024];
	/* the target as the store names it: a URL without its password, never printed or
	 * logged */
	snprintf(where, sizeof(where), "%s", s->path);
	snprintf(detail, sizeof(detail), "copied from %s", from);
	rc = ctip_audit(s, NULL, "store-copy", "registry", detail, &e);
	ctip_store_close(s);
	c->db = from;
	if (!rc && !(rc = cli_open_meta(c, &s))) {
		snprintf(detail, sizeof(detail), "copied to %s", where);
		rc = ctip_audit(s, NULL, "store-copy", "registry", detail, &e);
		ctip_store_close(s);
	}
	if (rc)
		return cli_fail(&e);
	printf("copied %s to %s: %lld rows, every table counted on both sides; audit log intact "
	       "(%ld entries)\n",
	       from, where, rows, entries);
	return 0;
}
