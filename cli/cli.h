/*
 * cli.h - what the commands of the `ctip` tool share: the command table, the
 * global options and opening the store. Each command lives in cmd_NAME.c as
 * cmd_NAME(argc, argv, ctx) and returns the process exit status.
 */
#ifndef CTIP_CLI_H
#define CTIP_CLI_H

#include <stdio.h>

#include "error.h"
#include "store.h"

struct cli {
	const char *db;  /* --db, $CTIP_DB, or ./var/ctip.db */
	const char *key; /* --key, $CTIP_KEY, or NULL: the database's path + ".key" */
	char key_buf[1100];
	const char *command; /* the command running, for messages */
	/* --audit-db, $CTIP_AUDIT_DB: the registry whose audit log gets this command's entries
	 * (a standby's primary); NULL: the database's own */
	const char *audit_db;
};

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cli *c);
	const char *usage;
	const char *summary;
};

extern const struct cli_command cli_commands[];

/* Opens the database, checks that `ctip init` has been run and binds the key (identities
 * are sealed under it). Prints the error. */
int cli_open(struct cli *c, ctip_store **s);
/* cli_open for ctip serve's connections: a database out of reach is not printed but left in
 * *unavail (CTIP_EUNAVAIL), for the server to say once every 10 s however many threads fail
 * (each pool thread opens its own connection); any other failure is printed as by cli_open. */
int cli_open_server(struct cli *c, ctip_store **s, ctip_err *unavail);
/* The same without the key, for commands that never read or write identities (accounts,
 * organisations, the audit log, vocabularies): an administrator or auditor needs no key. */
int cli_open_meta(struct cli *c, ctip_store **s);
/* The key file's path: --key, $CTIP_KEY, else next to the database (DB.key). */
const char *cli_key_path(struct cli *c);
/* Prints "ctip: " + the error to stderr; returns the exit status for it. */
int cli_fail(const ctip_err *e);
/* Prints the usage of the command and returns 2. */
int cli_usage(const char *name);

/* A command's output (cli_out.c): standard output, or FILE written as FILE.tmp and renamed
 * into place only on success. open_file 0 leaves f NULL for writers that take the path (tmp)
 * themselves. cli_out_close returns rc, or the write error when rc was 0. */
struct cli_out {
	FILE *f;
	const char *path;
	char tmp[1100];
};
int cli_out_open(struct cli_out *o, const char *path, int open_file, ctip_err *e);
int cli_out_close(struct cli_out *o, int rc, ctip_err *e);

/* Casework commands' helpers (cli_casework.c). Options: each name takes a value (val) or is a
 * flag; the rest are positional (at most npos into pos). Returns their number, or -1 after
 * printing what is wrong. */
struct cli_opt {
	const char *name;
	const char **val;
	int *flag;
};
int cli_opts(int argc, char **argv, int first, const struct cli_opt *o, const char **pos, int npos);
/* "C7" or "7" (prefix 'C'), "H3" or "3" (prefix 'H'): 0, or -1 when malformed. */
int cli_object_id(const char *v, char prefix, int64_t *id);
/* The account a casework command acts as: --as USER, else $CTIP_USER. */
int cli_actor(ctip_store *s, const char *as, struct ctip_account *a, ctip_err *e);
/* An audit entry of the command line, naming the account it acted as. */
int cli_audit_as(ctip_store *s, const struct ctip_account *a, const char *action,
                 const char *object, const char *detail, ctip_err *e);
/* Closes s (when not NULL) and prints e: the exit status. */
int cli_cw_fail(ctip_store *s, const ctip_err *e);
struct ctip_cw_ops;
/* Opens the store of a casework listing with its casework operations and, when org is not
 * NULL, that organisation's id (else 0). 0, or the exit status with the store closed. */
int cli_cw_open(struct cli *c, const char *org, ctip_store **s, const struct ctip_cw_ops **ops,
                int64_t *org_id);

int cmd_init(int argc, char **argv, struct cli *c);
int cmd_import(int argc, char **argv, struct cli *c);
int cmd_export(int argc, char **argv, struct cli *c);
int cmd_search(int argc, char **argv, struct cli *c);
int cmd_show(int argc, char **argv, struct cli *c);
int cmd_demo(int argc, char **argv, struct cli *c);
int cmd_help(int argc, char **argv, struct cli *c);
int cmd_org(int argc, char **argv, struct cli *c);
int cmd_key(int argc, char **argv, struct cli *c);
int cmd_user(int argc, char **argv, struct cli *c);
int cmd_audit(int argc, char **argv, struct cli *c);
int cmd_serve(int argc, char **argv, struct cli *c);
int cmd_stats(int argc, char **argv, struct cli *c);
int cmd_figures(int argc, char **argv, struct cli *c);
int cmd_report(int argc, char **argv, struct cli *c);
int cmd_link(int argc, char **argv, struct cli *c);
int cmd_release(int argc, char **argv, struct cli *c);
/* A release for the server (cmd_release.c): kind "microdata", "aggregates" or "synthetic",
 * options as on the command line, written to path, recorded under actor and audited. Wrong
 * options: CTIP_EINVAL with the reason. */
struct cli_release_out {
	int64_t id, records;
	char sha256[65];
	char summary[2048];
};
int cli_release_make(ctip_store *s, const char *kind, int argc, char **argv, const char *path,
                     const char *actor, struct cli_release_out *out, ctip_err *e);
int cmd_link_report(int argc, char **argv, struct cli *c);
int cmd_case(int argc, char **argv, struct cli *c);
int cmd_assess(int argc, char **argv, struct cli *c);
int cmd_followup(int argc, char **argv, struct cli *c);
int cmd_contact(int argc, char **argv, struct cli *c);
int cmd_comms(int argc, char **argv, struct cli *c);
int cmd_estimate(int argc, char **argv, struct cli *c);
int cmd_company(int argc, char **argv, struct cli *c);
int cmd_recruiter(int argc, char **argv, struct cli *c);
int cmd_version(int argc, char **argv, struct cli *c);
int cmd_backup(int argc, char **argv, struct cli *c);
int cmd_restore(int argc, char **argv, struct cli *c);
int cmd_store(int argc, char **argv, struct cli *c);

#endif
