/*
 * main.c - the `ctip` command: global options, then one command from the
 * table below (git-style). The table is also what `ctip help` prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"

const struct cli_command cli_commands[] = {
        {"init", cmd_init, "ctip init",
         "create the database, or migrate it to this version; load the vocabularies"},
        {"import", cmd_import,
         "ctip import [--timing] [--org NAME] [--map MAP.json] [--sheet NAME] [--dry-run] "
         "[--secret-key KEY.secret] FILE...",
         "import HTCDS flat CSV (.csv), ctip JSON (.json), or an agency's own CSV or XLSX "
         "file through a mapping, each all-or-nothing"},
        {"export", cmd_export,
         "ctip export --format csv|json [-o FILE] [--identities omit|pseudonym|clear|sealed "
         "[--recipient KEY.pub]]",
         "write every record in the import format; identities left out unless stated: "
         "pseudonym (stable pseudonyms), clear, or sealed to a recipient's public key"},
        {"search", cmd_search, "ctip search [--limit N] TEXT",
         "find persons by name (any case, with or without diacritics) or document number"},
        {"show", cmd_show, "ctip show [--json] ID",
         "show a person (P12) or a case (C7) with everything linked to it"},
        {"demo", cmd_demo,
         "ctip demo generate --persons N [--seed S] [--quality good|typical|poor] "
         "[--missing-birth R] [--partial-birth R] [--missing-province R] "
         "[--address-below-province R] [--docs R] [--phones R] [--expl-dates R] "
         "[--no-diacritics R] [--capitals R] [--typos R] [--swap-order R] [--drop-middle R] "
         "[--namesakes R] -o FILE [--truth FILE] | ctip demo generate --population N --lists K "
         "[--heterogeneity H] [--seed S] "
         "[--year Y] -o FILE [--truth FILE]",
         "write a synthetic, realistic data set in the import format"},
        {"stats", cmd_stats,
         "ctip stats victims|cases|offenders|referrals|assistance --by DIM[,DIM...] "
         "[--where DIM=VALUE ...] [--year Y | --from DATE --to DATE] [--format table|csv|json] "
         "[--no-suppress] [--threshold N] [--age-bands 0-15,16-17,18-] [-o FILE]",
         "disaggregated counts with totals, margins and small-cell suppression"},
        {"report", cmd_report,
         "ctip report annual|tip|completeness --year Y [--format table|csv|json|xlsx|html] "
         "[-o FILE] [--no-suppress] [--threshold N]",
         "the national annual report, the TIP questionnaire tables, or the completeness map"},
        {"figures", cmd_figures,
         "ctip figures import FILE.csv | ctip figures check [--format json]",
         "the ledger of published figures: where they contradict each other or the registry"},
        {"link", cmd_link,
         "ctip link run [--full] [--threshold P] [--threads N] [--reuse-model] [--timing] | ctip "
         "link "
         "export --format csv "
         "[--pairs] [-o FILE] | ctip link explain A B | ctip link review [--min P] [--limit N] | "
         "ctip link decide A B same|different | ctip link retrafficked | ctip link report "
         "[--json]",
         "link the records of one person across organisations; export person keys; explain a "
         "pair; review the uncertain pairs and decide; list persons trafficked again; report "
         "the linkage's own estimate of its quality and of the number of persons"},
        {"case", cmd_case,
         "ctip case show ID [--json] | ctip case assign ID USER | ctip case stage ID STAGE "
         "[--comment TEXT] | ctip case approve APPROVAL [--reject] [--comment TEXT] | ctip "
         "case approvals [--org NAME]  (changes: --as USER)",
         "the workflow of a case: its stage, assigned caseworker and supervisors' approvals "
         "(docs/CASEWORK.md)"},
        {"assess", cmd_assess,
         "ctip assess add ID QUESTION=ANSWER... [--date DATE] --as USER | ctip assess list ID "
         "| ctip assess instrument",
         "re-trafficking risk assessments of a case: score, level and trend"},
        {"followup", cmd_followup,
         "ctip followup plan ID [--from DATE] [--months 1,3,6,12,24] --as USER | ctip followup "
         "record ID --mode MODE --outcome OUTCOME [--date DATE] [--who NAME] [--notes TEXT] "
         "--as USER | ctip followup list ID | ctip followup due [--org NAME] [--overdue] | ctip "
         "followup config --org NAME [--months LIST] [--lost-after N]",
         "the follow-up plan of a case after return, its contacts, what is due and overdue"},
        {"contact", cmd_contact,
         "ctip contact add --channel CHANNEL [--at YYYY-MM-DDTHH:MM] [--caller-type T] "
         "[--reason R] [--province P] [--caller NAME] [--notes TEXT] --as USER | ctip contact "
         "list [--org NAME] [--limit N] | ctip contact convert ID [--case CASE] --as USER",
         "hotline contacts (calls, messages, chats, web forms, walk-ins); a contact becomes a "
         "case or is attached to one"},
        {"comms", cmd_comms,
         "ctip comms import FILE.json | ctip comms add --ref REF --kind KIND --sender S "
         "--received DATE [--due DATE] [--subject T] [--in-reply-to REF] | ctip comms list "
         "[--status S] [--overdue] [--format table|csv|json] | ctip comms show REF [--format "
         "json] | ctip comms question REF NUM TEXT | ctip comms answer REF NUM TEXT | ctip "
         "comms evidence REF NUM (--figure MEASURE:PERIOD | --count COUNT [--by DIMS] [--where "
         "DIM=VALUE] [--year Y] | --ledger SOURCE | --case C12 | --document TITLE) [--label L] "
         "| ctip comms status REF STATUS | ctip comms reply REF [--format html|xlsx|json] [-o "
         "FILE] [--record]  (all: --as USER)",
         "the communications tracker: UN letters, government replies, TIP questionnaire items "
         "and requests from other countries, their questions, answers and evidence; replies "
         "with every figure computed from records and cited (docs/COMMS.md)"},
        {"release", cmd_release,
         "ctip release microdata [--k 11] [--quasi COLS] [--sensitive COLS] [--l N] [--year Y] "
         "[--max-suppress F] [--seed N] -o FILE | ctip release aggregates --by COLS [--mode "
         "k|dp] [--threshold N] [--epsilon E] [--year Y] [--format csv|json|xlsx] -o FILE | "
         "ctip release synthetic [--mode k|dp] [--k 10] [--length 4] [--epsilon E --delta D] "
         "[--year Y] -o FILE | "
         "ctip release list [--format json] | ctip release reproduce ID | ctip release budget "
         "[--epsilon E] [--dataset NAME]",
         "privacy-safe releases: k-anonymous microdata in CTDC's layout, protected tables, "
         "synthetic records from protected aggregates; "
         "the ledger of releases"},
        {"estimate", cmd_estimate,
         "ctip estimate [--histories FILE.csv | [--lists org|org_type|FILE] [--year Y | --from "
         "DATE --to DATE] [--by DIM[,DIM]] [--sensitivity]] [--method stepwise|bic|lcm|all] "
         "[--bootstrap N] [--seed S] [--alpha A] [--pthresh P] [--threads N] [--iterations N] "
         "[--format table|csv|json|html] [-o FILE]",
         "multiple systems estimation: how many victims no agency saw (the dark figure), "
         "from the overlaps of the agencies' lists"},
        {"company", cmd_company,
         "ctip company add NAME [--licence NO] [--status active|suspended|revoked|expired] "
         "[--from DATE] [--to DATE] [--address TEXT] [--province P] [--source TEXT] --as USER | "
         "ctip company list | ctip company show ID [--org NAME] [--raw] [--format F] | ctip "
         "company report [--org NAME] [--raw] [--format table|csv|json|html] [-o FILE] | ctip "
         "company sanction add ID --date DATE --authority NAME --decision TEXT --as USER",
         "the register of labour-export companies: licences, sanctions, and per company the "
         "cases, victims and exploitation types; companies with forced labour and no sanction"},
        {"recruiter", cmd_recruiter,
         "ctip recruiter add NAME [--kind person|company] [--company NAME] [--province P] "
         "[--cases C1,C2] --as USER | ctip recruiter list [--company NAME] --as USER",
         "recruiters and brokers (persons or companies) and the cases they recruited in; a "
         "person's name is sealed"},
        {"org", cmd_org, "ctip org add NAME --type TYPE",
         "register an organisation (types: ctip help vocab org_type)"},
        {"user", cmd_user,
         "ctip user add USERNAME --org NAME --role ROLE | ctip user passwd USERNAME  (password on "
         "stdin)",
         "create an account (caseworker, supervisor, analyst, auditor or admin) or give it a new "
         "password"},
        {"audit", cmd_audit,
         "ctip audit verify [--head ID:HASH] | ctip audit head | ctip audit log [--person ID]",
         "check the hash chain of the audit log (and that a head recorded elsewhere is still "
         "in it); print the head to record; show who saw what"},
        {"backup", cmd_backup,
         "ctip backup DEST [--with-key (--passphrase-file FILE | --recipient KEY.pub)] | ctip "
         "backup --verify DEST",
         "write a consistent, verifiable backup of the registry and its audit log (and, only "
         "sealed, its key) into the new directory DEST; check one"},
        {"restore", cmd_restore,
         "ctip restore SRC [--db TARGET] [--force] [--passphrase-file FILE | --secret-key "
         "KEY.secret] [--check]",
         "bring a backup back (never over a registry without --force); --check only "
         "verifies it"},
        {"store", cmd_store, "ctip store copy --to postgresql://...|FILE",
         "move this registry (--db, --key) to the other back end: SQLite to an empty "
         "PostgreSQL database, or PostgreSQL to a new SQLite file; every table with its ids, "
         "sealed values and audit log, counted on both sides, the audit chain checked"},
        {"key", cmd_key, "ctip key rotate [--new-key PATH] [--keep-old] | ctip key recipient NAME",
         "move every sealed value and keyed index to a new key (generated, or the key file "
         "PATH), which then replaces the key file; --keep-old keeps the old one as KEY.old. "
         "recipient: make a receiving organisation's key pair for sealed exports (NAME.pub, "
         "NAME.secret)"},
        {"serve", cmd_serve,
         "ctip serve [--listen ADDRESS:PORT] [--web DIR] [--threads N] [--tls-cert PEM "
         "--tls-key PEM] [--trusted-proxy ADDR[,ADDR...]] [--max-conns N] "
         "[--max-conns-per-ip N] [--timeout S] [--request-timeout S] [--release-dir DIR] "
         "[--read-only [--audit-db URL]]",
         "run the multi-agency server: JSON API under /api/, web UI at / (default "
         "127.0.0.1:8080)"},
        {"help", cmd_help, "ctip help [COMMAND | columns | vocab [NAME]]",
         "list the commands, the import columns, or a vocabulary"},
        {"version", cmd_version, "ctip version", "print the version"},
        {NULL, NULL, NULL, NULL},
};

static int usage_all(FILE *out)
{
	fprintf(out,
	        "usage: ctip [--db PATH] [--key PATH] [--audit-db PATH] COMMAND [ARGS]\n\n"
	        "ctip is a counter-trafficking case and data system.\n"
	        "The database is PATH, else $CTIP_DB, else ./var/ctip.db.\n"
	        "Identities in it are encrypted under the key file --key PATH, else $CTIP_KEY,\n"
	        "else the database's path + \".key\" (made by `ctip init`; keep it on another\n"
	        "volume in production). The audit log is the database's path + \".audit\":\n"
	        "back up all three together (ctip backup). On a read-only standby, --audit-db\n"
	        "(or $CTIP_AUDIT_DB) names its primary, whose audit log gets the entries.\n\n"
	        "Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fprintf(out, "\nSee `ctip help COMMAND` for a command's options.\n");
	return 0;
}

int cli_usage(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name)) {
			fprintf(stderr, "usage: %s\n", c->usage);
			return 2;
		}
	return 2;
}

int cli_fail(const ctip_err *e)
{
	fputs("ctip: ", stderr);
	ctip_err_print(e, stderr);
	return e->code == CTIP_EINVAL || e->code == CTIP_ENOTFOUND || e->code == CTIP_EDENIED ? 1
	                                                                                      : 3;
}

/* A key rotation interrupted between its commit and the renaming of KEY.new over KEY
 * (cmd_key.c): when KEY.new is the database's key, it is moved into place. 0 when done (the
 * store then uses it). */
static int finish_rotation(struct cli *c, ctip_store *s, const char *kp)
{
	char fresh[1110];
	ctip_crypto *k = NULL;
	ctip_err e = {0};
	snprintf(fresh, sizeof(fresh), "%s.new", kp);
	if (access(fresh, F_OK) || ctip_crypto_load(fresh, &k, &e) ||
	    s->ops->key_bind(s, k, 0, &e) || rename(fresh, kp))
		return -1;
	fprintf(stderr, "ctip: finished an interrupted key rotation: %s now holds the key of %s\n",
	        kp, c->db);
	return 0;
}

static int first_entry(void *ctx, const struct ctip_audit_entry *a)
{
	snprintf(ctx, 129, "%s", a->hash);
	return 1; /* only the first */
}

/* --audit-db: the registry whose log gets the audit entries of s (a standby's primary). It
 * must be the same registry: the first entries of both logs are the same. 0, or 1 after a
 * message. */
static int attach_audit(struct cli *c, ctip_store *s)
{
	ctip_err e = {0};
	ctip_store *a = NULL;
	char mine[129] = "", theirs[129] = "";
	if (ctip_store_open(c->audit_db, 0, &a, &e) || !a->ref) {
		if (a)
			ctip_err_set(&e, CTIP_EINVAL,
			             "not a ctip registry (run `ctip init` there)");
		fprintf(stderr, "ctip: --audit-db %s: ", c->audit_db);
		ctip_err_print(&e, stderr);
		ctip_store_close(a);
		return 1;
	}
	int rc = s->ops->audit_each(s, NULL, first_entry, mine, &e);
	if (rc == 0 || rc == 1)
		rc = a->ops->audit_each(a, NULL, first_entry, theirs, &e);
	if ((rc != 0 && rc != 1) || strcmp(mine, theirs)) {
		if (rc == 1 || rc == 0)
			fprintf(stderr,
			        "ctip: --audit-db %s: not the audit log of %s (their first entries "
			        "differ): name the primary of this standby\n",
			        c->audit_db, c->db);
		else {
			fprintf(stderr, "ctip: --audit-db %s: ", c->audit_db);
			ctip_err_print(&e, stderr);
		}
		ctip_store_close(a);
		return 1;
	}
	s->audit_to = a;
	return 0;
}

/* A database out of reach, for a caller that says it itself (unavail: ctip serve's threads):
 * 1 after closing *s and keeping e in *unavail; 0 for any other failure, to be printed. */
static int out_of_reach(ctip_store **s, const ctip_err *e, ctip_err *unavail)
{
	if (!unavail || e->code != CTIP_EUNAVAIL)
		return 0;
	ctip_store_close(*s);
	*s = NULL;
	*unavail = *e;
	return 1;
}

static int open_store(struct cli *c, ctip_store **s, int with_key, ctip_err *unavail)
{
	ctip_err e = {0};
	if (ctip_store_open(c->db, 0, s, &e))
		return out_of_reach(s, &e, unavail) ? 3 : cli_fail(&e);
	if (!(*s)->ref) {
		fprintf(stderr, "ctip: %s is not a ctip database yet: run `ctip init`\n", c->db);
		ctip_store_close(*s);
		*s = NULL;
		return 1;
	}
	int v = 0, latest = (*s)->schema_latest ? (*s)->schema_latest : ctip_store_latest_version();
	(*s)->command = c->command;
	if ((*s)->ops->schema_version(*s, &v, &e)) { /* not "run ctip init": the read failed */
		if (out_of_reach(s, &e, unavail))
			return 3;
		ctip_store_close(*s);
		*s = NULL;
		return cli_fail(&e);
	}
	if (v < latest) {
		fprintf(stderr,
		        "ctip: %s has schema version %d, this ctip needs %d: run `ctip init` to "
		        "migrate it\n",
		        c->db, v, latest);
		ctip_store_close(*s);
		*s = NULL;
		return 1;
	}
	/* audit entries that a crash left written ahead but not chained (lib/core/audit.c) */
	long recovered = 0;
	if (ctip_audit_recover(*s, &recovered, &e)) {
		if (out_of_reach(s, &e, unavail))
			return 3;
		fprintf(stderr,
		        "ctip: %s: audit entries left by a crash could not be recovered: ", c->db);
		ctip_err_print(&e, stderr);
		ctip_store_close(*s);
		*s = NULL;
		return 1;
	} else if (recovered)
		fprintf(stderr,
		        "ctip: %s: %ld audit entr%s of changes committed just before a crash "
		        "appended to the audit log\n",
		        c->db, recovered, recovered == 1 ? "y" : "ies");
	if (c->audit_db && *c->audit_db && attach_audit(c, *s)) {
		ctip_store_close(*s);
		*s = NULL;
		return 1;
	}
	if (!with_key)
		return 0;
	const char *kp = cli_key_path(c);
	ctip_crypto *k = NULL;
	if (!*kp) {
		fprintf(stderr,
		        "ctip: %s: a database server keeps no key file beside it: give the "
		        "key file with --key PATH or CTIP_KEY\n",
		        c->db);
		ctip_store_close(*s);
		*s = NULL;
		return 1;
	}
	int rc = ctip_crypto_load(kp, &k, &e);
	if (rc == CTIP_ENOTFOUND)
		ctip_err_set(&e, CTIP_EINVAL,
		             "%s: key file not found: the identities in %s are encrypted under it. "
		             "Restore it, or give its path with --key or CTIP_KEY (a new key would "
		             "not open them)",
		             kp, c->db);
	if (rc || (rc = (*s)->ops->key_bind(*s, k, 0, &e))) {
		if (rc == CTIP_EINVAL && !finish_rotation(c, *s, kp))
			return 0;
		ctip_store_close(*s);
		*s = NULL;
		return cli_fail(&e);
	}
	return 0;
}

int cli_open(struct cli *c, ctip_store **s)
{
	return open_store(c, s, 1, NULL);
}

int cli_open_server(struct cli *c, ctip_store **s, ctip_err *unavail)
{
	return open_store(c, s, 1, unavail);
}

int cli_open_meta(struct cli *c, ctip_store **s)
{
	return open_store(c, s, 0, NULL);
}

const char *cli_key_path(struct cli *c)
{
	if (c->key && *c->key)
		return c->key;
	if (ctip_store_is_url(c->db)) /* no file beside a server: --key or CTIP_KEY */
		return "";
	snprintf(c->key_buf, sizeof(c->key_buf), "%s.key", c->db);
	return c->key_buf;
}

int cmd_version(int argc, char **argv, struct cli *c)
{
	printf("ctip %s\n", CTIP_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c = {.db = getenv("CTIP_DB"),
	                .key = getenv("CTIP_KEY"),
	                .audit_db = getenv("CTIP_AUDIT_DB")};
	int i = 1;
	if (!c.db || !*c.db)
		c.db = "./var/ctip.db";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			c.db = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			c.db = argv[i] + 5;
		} else if (!strcmp(argv[i], "--audit-db") && i + 1 < argc) {
			c.audit_db = argv[++i];
		} else if (!strncmp(argv[i], "--audit-db=", 11)) {
			c.audit_db = argv[i] + 11;
		} else if (!strcmp(argv[i], "--key") && i + 1 < argc) {
			c.key = argv[++i];
		} else if (!strncmp(argv[i], "--key=", 6)) {
			c.key = argv[i] + 6;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			return usage_all(stdout);
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(0, NULL, &c);
		} else {
			fprintf(stderr, "ctip: unknown option '%s'\n", argv[i]);
			usage_all(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage_all(stderr);
		return 2;
	}
	for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[i]))
			return c.command = cmd->name, cmd->fn(argc - i, argv + i, &c);
	fprintf(stderr, "ctip: '%s' is not a ctip command; see `ctip help`\n", argv[i]);
	return 2;
}
