/*
 * cmd_comms.c - `ctip comms ...`: the communications tracker (lib/comms/comms.h,
 * docs/COMMS.md) on the command line. Every command acts as an account (--as USER or
 * $CTIP_USER): communications belong to its organisation, and the reply shows a case only if
 * that organisation may see it. Writes are audited with the change (comms.c); reads here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "casework.h"
#include "comms.h"
#include "csv_write.h"
#include "facts.h"

struct opts {
	const char *as, *format, *out, *status, *file, *ref, *kind, *sender, *subject, *received,
	        *due, *in_reply_to, *figure, *count, *by, *year, *ledger, *measure, *period,
	        *case_ref, *document, *citation, *label;
	const char *where[16];
	int nwhere, overdue, record;
	const char *pos[4];
	int npos;
};

/* Options of every subcommand (each takes what it needs); --where may repeat. */
static int parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	const struct {
		const char *name;
		const char **val;
		int *flag;
	} t[] = {{"--as", &o->as, NULL},
	         {"--format", &o->format, NULL},
	         {"-o", &o->out, NULL},
	         {"--status", &o->status, NULL},
	         {"--file", &o->file, NULL},
	         {"--ref", &o->ref, NULL},
	         {"--kind", &o->kind, NULL},
	         {"--sender", &o->sender, NULL},
	         {"--subject", &o->subject, NULL},
	         {"--received", &o->received, NULL},
	         {"--due", &o->due, NULL},
	         {"--in-reply-to", &o->in_reply_to, NULL},
	         {"--figure", &o->figure, NULL},
	         {"--count", &o->count, NULL},
	         {"--by", &o->by, NULL},
	         {"--year", &o->year, NULL},
	         {"--ledger", &o->ledger, NULL},
	         {"--measure", &o->measure, NULL},
	         {"--period", &o->period, NULL},
	         {"--case", &o->case_ref, NULL},
	         {"--document", &o->document, NULL},
	         {"--citation", &o->citation, NULL},
	         {"--label", &o->label, NULL},
	         {"--overdue", NULL, &o->overdue},
	         {"--record", NULL, &o->record}};
	for (int i = 2; i < argc; i++) {
		size_t k, n = sizeof(t) / sizeof(t[0]);
		if (!strcmp(argv[i], "--where") && i + 1 < argc && o->nwhere < 16) {
			o->where[o->nwhere++] = argv[++i];
			continue;
		}
		for (k = 0; k < n && strcmp(argv[i], t[k].name); k++)
			;
		if (k < n && t[k].flag)
			*t[k].flag = 1;
		else if (k < n && i + 1 < argc)
			*t[k].val = argv[++i];
		else if (k == n && argv[i][0] != '-' && o->npos < 4)
			o->pos[o->npos++] = argv[i];
		else {
			fprintf(stderr, "ctip comms: %s %s\n", argv[i],
			        k < n ? "needs a value" : "is not an option of this command");
			return -1;
		}
	}
	return 0;
}

static int fail(ctip_store *s, ctip_err *e, struct ctip_comm *c)
{
	if (c)
		ctip_comms_clear(c);
	return cli_cw_fail(s, e);
}

static int read_audit(ctip_store *s, const struct ctip_account *a, const char *action,
                      const struct ctip_comm *c, ctip_err *e)
{
	char obj[32];
	snprintf(obj, sizeof(obj), "M%lld", (long long)c->id);
	return cli_audit_as(s, a, action, obj, c->ref, e);
}

/* A whole file (at most 16 MB) into a NUL-terminated buffer. */
static char *slurp(const char *path, ctip_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		ctip_err_at(e, CTIP_EIO, path, 0, NULL, "cannot read it (does it exist?)");
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (n + 1 == cap) {
			char *nb = cap < (16u << 20) ? realloc(b, cap *= 2) : NULL;
			if (!nb) {
				free(b);
				b = NULL;
			} else {
				b = nb;
			}
		}
	}
	fclose(f);
	if (!b)
		ctip_err_at(e, CTIP_EINVAL, path, 0, NULL,
		            "too large (16 MB at most) or no memory");
	else
		b[n] = 0;
	return b;
}

static int import(ctip_store *s, const struct ctip_account *a, const char *path, ctip_err *e)
{
	char *text = slurp(path, e);
	if (!text)
		return e->code;
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	free(text);
	if (!j)
		return ctip_err_at(e, CTIP_EINVAL, path, je.line, NULL,
		                   "not JSON: %s (one communication object, or a list of them; "
		                   "docs/COMMS.md)",
		                   je.text);
	json_t *list = json_is_array(j) ? j : NULL;
	size_t n = list ? json_array_size(list) : 1, i;
	int rc = CTIP_OK;
	for (i = 0; rc == CTIP_OK && i < n; i++) {
		struct ctip_comm c;
		rc = ctip_comms_from_json(s, list ? json_array_get(list, i) : j, &c, e);
		if (rc == CTIP_OK)
			rc = ctip_comms_add(s, a, &c, e);
		if (rc == CTIP_OK)
			fprintf(stderr, "%s: M%lld %s (%zu questions)\n", path, (long long)c.id,
			        c.ref, json_array_size(json_object_get(c.body, "questions")));
		else if (!e->file[0]) {
			/* the place in the file: which communication of a list */
			if (list) {
				char f[sizeof(e->field)];
				snprintf(f, sizeof(f), "%s", e->field);
				snprintf(e->field, sizeof(e->field), "[%zu].%.40s", i % 100000, f);
			}
			snprintf(e->file, sizeof(e->file), "%s", path);
		}
		ctip_comms_clear(&c);
	}
	json_decref(j);
	return rc;
}

static int list_row(void *ctx, const struct ctip_comm *c)
{
	const char *fmt = ctx;
	char today[11];
	ctip_cw_today(today);
	if (!strcmp(fmt, "csv")) {
		ctip_csv_row(stdout,
		             (const char *const[]){c->ref, c->kind, c->sender, c->received,
		                                   c->due[0] ? c->due : "", c->status,
		                                   ctip_comms_overdue(c, today) ? "yes" : "no",
		                                   c->subject},
		             8);
		return CTIP_OK;
	}
	printf("M%lld\t%s\t%s\t%s\t%s\t%s%s\t%s\n", (long long)c->id, c->ref, c->kind, c->received,
	       c->due[0] ? c->due : "-", c->status, ctip_comms_overdue(c, today) ? " OVERDUE" : "",
	       c->sender);
	return CTIP_OK;
}

static int list_json(void *ctx, const struct ctip_comm *c)
{
	json_t *arr = ctx;
	json_t *o = ctip_comms_json(NULL, c);
	json_object_del(o, "questions"); /* the list says what there is; show gives the rest */
	json_array_append_new(arr, o);
	return CTIP_OK;
}

static int show_text(const struct ctip_comm *c)
{
	char today[11];
	ctip_cw_today(today);
	printf("M%lld  %s  (%s)\nfrom:      %s\n", (long long)c->id, c->ref, c->kind, c->sender);
	if (c->subject[0])
		printf("subject:   %s\n", c->subject);
	printf("received:  %s\ndue:       %s%s\nstatus:    %s\n", c->received,
	       c->due[0] ? c->due : "-", ctip_comms_overdue(c, today) ? "  OVERDUE" : "",
	       c->status);
	if (c->in_reply_to[0])
		printf("reply to:  %s\n", c->in_reply_to);
	const char *cit = json_string_value(json_object_get(c->body, "citation"));
	if (cit)
		printf("source:    %s\n", cit);
	printf("version:   %lld (saved %s by %s)\n", (long long)c->version, c->updated_at,
	       c->created_by);
	size_t i, k;
	json_t *q, *ev;
	json_array_foreach(json_object_get(c->body, "questions"), i, q)
	{
		printf("\n%lld. %s\n", (long long)json_integer_value(json_object_get(q, "num")),
		       json_string_value(json_object_get(q, "text")));
		const char *ans = json_string_value(json_object_get(q, "answer"));
		printf("   answer: %s\n", ans && *ans ? ans : "(none yet)");
		json_array_foreach(json_object_get(q, "evidence"), k, ev)
		{
			char *t = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
			printf("   evidence %zu: %s\n", k + 1, t ? t : "");
			free(t);
		}
	}
	return 0;
}

/* The evidence an `evidence` command describes. */
static json_t *evidence_of(const struct opts *o)
{
	json_t *ev = json_object();
	if (o->label)
		json_object_set_new(ev, "label", json_string(o->label));
	if (o->figure) {
		const char *colon = strchr(o->figure, ':');
		json_object_set_new(ev, "kind", json_string("figure"));
		json_object_set_new(ev, "measure",
		                    colon ? json_stringn(o->figure, (size_t)(colon - o->figure))
		                          : json_string(o->figure));
		if (colon)
			json_object_set_new(ev, "period", json_string(colon + 1));
	} else if (o->count) {
		json_object_set_new(ev, "kind", json_string("stats"));
		json_object_set_new(ev, "count", json_string(o->count));
		if (o->by)
			json_object_set_new(ev, "by", json_string(o->by));
		json_t *w = json_array();
		for (int i = 0; i < o->nwhere; i++)
			json_array_append_new(w, json_string(o->where[i]));
		json_object_set_new(ev, "where", w);
		if (o->year)
			json_object_set_new(ev, "year", json_string(o->year));
	} else if (o->ledger) {
		json_object_set_new(ev, "kind", json_string("ledger"));
		json_object_set_new(ev, "source", json_string(o->ledger));
		if (o->measure)
			json_object_set_new(ev, "measure", json_string(o->measure));
		if (o->period)
			json_object_set_new(ev, "period", json_string(o->period));
	} else if (o->case_ref) {
		json_object_set_new(ev, "kind", json_string("case"));
		json_object_set_new(ev, "case", json_string(o->case_ref));
	} else if (o->document) {
		json_object_set_new(ev, "kind", json_string("document"));
		json_object_set_new(ev, "title", json_string(o->document));
		if (o->citation)
			json_object_set_new(ev, "citation", json_string(o->citation));
	} else {
		json_decref(ev);
		return NULL;
	}
	return ev;
}

static int reply(ctip_store *s, const struct ctip_account *a, struct ctip_comm *c,
                 const struct opts *o, ctip_err *e)
{
	const char *fmt = o->format ? o->format : "html";
	if (strcmp(fmt, "html") && strcmp(fmt, "json") && strcmp(fmt, "xlsx"))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "--format", "html, xlsx or json");
	if (!strcmp(fmt, "xlsx") && !o->out)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "-o",
		                   "an XLSX workbook is written to a file: give -o FILE.xlsx");
	ctip_facts *f = NULL;
	int rc = s->ops->stats_facts(s, -1, NULL, &f, e);
	json_t *r = rc ? NULL : ctip_comms_reply(s, a, c, f, e);
	ctip_facts_free(f);
	if (!r)
		return e->code ? e->code : CTIP_EINVAL;
	/* the reading of the records behind it is an access like any other */
	if ((rc = read_audit(s, a, "comms-reply", c, e))) {
		json_decref(r);
		return rc;
	}
	if (!strcmp(fmt, "xlsx")) {
		rc = ctip_comms_reply_xlsx(o->out, r, e);
	} else {
		FILE *out = o->out ? fopen(o->out, "w") : stdout;
		if (!out)
			rc = ctip_err_at(e, CTIP_EIO, o->out, 0, NULL, "cannot write it");
		else if (!strcmp(fmt, "html"))
			rc = ctip_comms_reply_html(out, r, e);
		else if (json_dumpf(r, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) ||
		         fputc('\n', out) < 0)
			rc = ctip_err_set(e, CTIP_EIO, "the reply could not be written");
		if (out && out != stdout && fclose(out) && !rc)
			rc = ctip_err_at(e, CTIP_EIO, o->out, 0, NULL, "cannot write it");
	}
	if (rc == CTIP_OK && o->record) {
		size_t n = 0;
		/* recorded first in the audit log: no entry, no change */
		if ((rc = read_audit(s, a, "comms-record", c, e)) == CTIP_OK &&
		    (rc = ctip_comms_record(s, r, &n, e)) == CTIP_OK)
			fprintf(stderr,
			        "%s: %zu figures entered into the ledger (ctip figures check "
			        "compares "
			        "them)\n",
			        c->ref, n);
	}
	json_decref(r);
	return rc;
}

int cmd_comms(int argc, char **argv, struct cli *cl)
{
	struct opts o;
	if (argc < 2 || parse(argc, argv, &o))
		return cli_usage("comms");
	const char *sub = argv[1];
	static const char *const subs[] = {"import", "add",      "list",   "show",  "question",
	                                   "answer", "evidence", "status", "reply", NULL};
	int known = 0;
	for (int i = 0; subs[i]; i++)
		known |= !strcmp(sub, subs[i]);
	if (!known)
		return cli_usage("comms");
	ctip_store *s;
	ctip_err e = {0};
	struct ctip_account a;
	int rc = cli_open(cl, &s);
	if (rc)
		return rc;
	if (cli_actor(s, o.as, &a, &e))
		return fail(s, &e, NULL);
	if (!strcmp(sub, "import")) {
		if (o.npos != 1)
			return cli_cw_fail(
			        s, &(ctip_err){CTIP_EINVAL, "", 0, "FILE",
			                       "give the file: ctip comms import FILE.json"});
		if (import(s, &a, o.pos[0], &e))
			return fail(s, &e, NULL);
		ctip_store_close(s);
		return 0;
	}
	if (!strcmp(sub, "add")) {
		json_t *j = json_object();
		const char *k[][2] = {{"ref", o.ref},           {"kind", o.kind},
		                      {"sender", o.sender},     {"subject", o.subject},
		                      {"received", o.received}, {"due", o.due},
		                      {"status", o.status},     {"in_reply_to", o.in_reply_to},
		                      {"citation", o.citation}};
		for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
			if (k[i][1])
				json_object_set_new(j, k[i][0], json_string(k[i][1]));
		struct ctip_comm c;
		rc = ctip_comms_from_json(s, j, &c, &e);
		json_decref(j);
		if (rc || (rc = ctip_comms_add(s, &a, &c, &e)))
			return fail(s, &e, &c);
		printf("M%lld\n", (long long)c.id);
		ctip_comms_clear(&c);
		ctip_store_close(s);
		return 0;
	}
	if (!strcmp(sub, "list")) {
		const char *fmt = o.format ? o.format : "table";
		json_t *arr = NULL;
		if (!strcmp(fmt, "json"))
			arr = json_array();
		else if (!strcmp(fmt, "csv"))
			ctip_csv_row(stdout,
			             (const char *const[]){"ref", "kind", "sender", "received",
			                                   "due", "status", "overdue", "subject"},
			             8);
		else if (!strcmp(fmt, "table"))
			printf("id\tref\tkind\treceived\tdue\tstatus\tsender\n");
		else
			return cli_cw_fail(s, &(ctip_err){CTIP_EINVAL, "", 0, "--format",
			                                  "table, csv or json"});
		rc = ctip_comms_list(s, &a, o.status, o.overdue, arr ? list_json : list_row,
		                     arr ? (void *)arr : (void *)fmt, &e);
		if (!rc)
			rc = cli_audit_as(s, &a, "view", "communications",
			                  o.overdue ? "overdue" : (o.status ? o.status : "all"),
			                  &e);
		if (!rc && arr) {
			json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			putchar('\n');
		}
		json_decref(arr);
		if (rc)
			return fail(s, &e, NULL);
		ctip_store_close(s);
		return 0;
	}
	/* the rest name one communication by reference (or Mid) */
	if (o.npos < 1)
		return cli_cw_fail(s, &(ctip_err){CTIP_EINVAL, "", 0, "REF",
		                                  "name the communication by its reference, e.g. "
		                                  "\"AL VNM 1/2025\" (ctip comms list)"});
	struct ctip_comm c;
	int64_t id = 0;
	if (o.pos[0][0] == 'M' && cli_object_id(o.pos[0], 'M', &id) == 0)
		rc = ctip_comms_get(s, &a, id, NULL, &c, &e);
	else
		rc = ctip_comms_get(s, &a, 0, o.pos[0], &c, &e);
	if (rc)
		return fail(s, &e, NULL);
	int change = 0;
	if (!strcmp(sub, "show")) {
		if ((rc = read_audit(s, &a, "comms-show", &c, &e)))
			return fail(s, &e, &c);
		if (o.format && !strcmp(o.format, "json")) {
			json_t *j = ctip_comms_json(s, &c);
			json_dumpf(j, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			putchar('\n');
			json_decref(j);
		} else {
			show_text(&c);
		}
	} else if (!strcmp(sub, "question")) {
		change = 1;
		rc = o.npos != 3
		             ? ctip_err_set(&e, CTIP_EINVAL,
		                            "give the number and the text: ctip comms question REF "
		                            "NUM TEXT")
		             : ctip_comms_question_set(&c, atoi(o.pos[1]), o.pos[2], &e);
	} else if (!strcmp(sub, "answer")) {
		change = 1;
		char *text = NULL;
		if (o.file && o.npos == 2)
			text = slurp(o.file, &e);
		if (o.npos == 3)
			rc = ctip_comms_answer_set(&c, atoi(o.pos[1]), o.pos[2], &e);
		else if (text)
			rc = ctip_comms_answer_set(&c, atoi(o.pos[1]), text, &e);
		else if (!e.code)
			rc = ctip_err_set(
			        &e, CTIP_EINVAL,
			        "give the number and the text: ctip comms answer REF NUM TEXT "
			        "(or --file FILE)");
		else
			rc = e.code;
		free(text);
	} else if (!strcmp(sub, "evidence")) {
		change = 1;
		json_t *ev = evidence_of(&o);
		if (o.npos != 2 || !ev)
			rc = ctip_err_set(
			        &e, CTIP_EINVAL,
			        "give the question and one of --figure MEASURE:PERIOD, --count "
			        "COUNT [--by DIMS] [--where DIM=VALUE] [--year Y], --ledger "
			        "SOURCE [--measure M] [--period P], --case C12, --document "
			        "TITLE [--citation C]");
		else
			rc = ctip_comms_evidence_add(s, &c, atoi(o.pos[1]), ev, &e);
		json_decref(ev);
	} else if (!strcmp(sub, "status")) {
		change = 1;
		json_t *j = ctip_comms_json(s, &c);
		struct ctip_comm n;
		if (o.npos != 2) {
			rc = ctip_err_set(&e, CTIP_EINVAL,
			                  "give the status: ctip comms status REF STATUS");
		} else {
			json_object_set_new(j, "status", json_string(o.pos[1]));
			if ((rc = ctip_comms_from_json(s, j, &n, &e)) == CTIP_OK) {
				snprintf(c.status, sizeof(c.status), "%s", n.status);
				ctip_comms_clear(&n);
			}
		}
		json_decref(j);
	} else if (!strcmp(sub, "reply")) {
		rc = reply(s, &a, &c, &o, &e);
	}
	if (rc == CTIP_OK && change)
		rc = ctip_comms_update(s, &a, &c, &e);
	if (rc)
		return fail(s, &e, &c);
	ctip_comms_clear(&c);
	ctip_store_close(s);
	return 0;
}
