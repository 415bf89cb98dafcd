/*
 * comms.h - the communications tracker (issue 15 item 2, docs/COMMS.md): UN allegation
 * letters and urgent appeals, government replies, TIP questionnaire items and requests from
 * other countries, each with its reference, sender, dates received and due, status and
 * numbered questions; each question's answer holds its text and its evidence:
 *
 *   figure    a measure of the registry for a period ("victims_identified", "2023"), computed
 *             from records when the reply is made, by the same code as `ctip figures check`
 *   stats     a saved statistics query (count, by, where, year), recomputed and suppressed
 *   ledger    figures of the ledger of published figures (source, measure, period)
 *   case      a case by reference, shown only to whom may see it
 *   document  a document by title and citation
 *
 * The rules (who may read and write, what a valid communication is, how a reply is made)
 * are here, once, for the command line and the server; the store (store_comms.h) only keeps
 * rows. A communication's questions, answers and evidence are one JSON document sealed
 * under the registry's key like other free text: an answer is typed by hand and may name
 * someone.
 */
#ifndef CTIP_COMMS_H
#define CTIP_COMMS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "facts.h"
#include "store.h"

/* days from received to due when a letter does not say (UN special procedures: 60 days) */
#define CTIP_COMMS_DUE_DAYS 60

struct ctip_comm {
	int64_t id, org_id, version;
	char org[256];
	char ref[128], kind[32], sender[300], subject[300];
	char received[11], due[11], status[16], in_reply_to[128];
	char created_by[72], created_at[24], updated_at[24];
	json_t *body; /* {"citation": ..., "questions": [{"num", "text", "answer", "evidence"}]} */
};

/* Whether actor may read / write the communications of its organisation: supervisors,
 * analysts and admins write, auditors read; caseworkers do neither. */
int ctip_comms_may_read(const struct ctip_account *actor);
int ctip_comms_may_write(const struct ctip_account *actor);

/* A communication from its JSON (an import file, a POST): validated field by field, errors
 * name the field ("questions[2].evidence[0].measure") and say what is expected; dates as
 * YYYY-MM-DD (received may be YYYY or YYYY-MM when only that is known); due defaults to
 * received + 60 days for letters that ask for a reply. c->body is set (a new reference). */
int ctip_comms_from_json(ctip_store *s, const json_t *j, struct ctip_comm *c, ctip_err *e);
/* The JSON of a communication (body included): for `comms show`, the API and exports. */
json_t *ctip_comms_json(ctip_store *s, const struct ctip_comm *c);
void ctip_comms_clear(struct ctip_comm *c);

/* Adds c for actor's organisation (c->id set); CTIP_EINVAL when the reference exists. */
int ctip_comms_add(ctip_store *s, const struct ctip_account *actor, struct ctip_comm *c,
                   ctip_err *e);
/* Replaces c (found by id) when its stored version is still c->version, else CTIP_ECONFLICT
 * (someone saved it in between: reload and redo); the version increases. */
int ctip_comms_update(ctip_store *s, const struct ctip_account *actor, struct ctip_comm *c,
                      ctip_err *e);
/* One communication of actor's organisation by id (id != 0) or reference. */
int ctip_comms_get(ctip_store *s, const struct ctip_account *actor, int64_t id, const char *ref,
                   struct ctip_comm *c, ctip_err *e);
/* Actor's organisation's communications, newest received first; status NULL: any; overdue:
 * only those past due and not answered or closed (as of today). */
int ctip_comms_list(ctip_store *s, const struct ctip_account *actor, const char *status,
                    int overdue, int (*cb)(void *ctx, const struct ctip_comm *c), void *ctx,
                    ctip_err *e);
/* Whether c is past due and still waits for a reply (today: YYYY-MM-DD). */
int ctip_comms_overdue(const struct ctip_comm *c, const char *today);

/* Edits of the body (the command line's; the server replaces the body whole). */
int ctip_comms_question_set(struct ctip_comm *c, int num, const char *text, ctip_err *e);
int ctip_comms_answer_set(struct ctip_comm *c, int num, const char *answer, ctip_err *e);
int ctip_comms_evidence_add(ctip_store *s, struct ctip_comm *c, int num, json_t *ev, ctip_err *e);

/* The reply: every question with its answer and evidence evaluated now (figures and
 * statistics computed from the snapshot f, suppressed; cases shown only where actor's
 * organisation may see them; actor NULL: the command line's operator, who sees cases by
 * reference), with provenance. Returns a new JSON object or NULL with e set. */
json_t *ctip_comms_reply(ctip_store *s, const struct ctip_account *actor, const struct ctip_comm *c,
                         const ctip_facts *f, ctip_err *e);
/* The reply as one self-contained HTML file that prints to PDF (print stylesheet). */
int ctip_comms_reply_html(FILE *out, const json_t *reply, ctip_err *e);
/* The reply's tables and figures as an XLSX workbook. */
int ctip_comms_reply_xlsx(const char *path, const json_t *reply, ctip_err *e);
/* Enters the reply's computed figures into the ledger (source "Reply to REF (computed
 * DATE)", citation "REF question N"), so `ctip figures check` compares them with what was
 * published before and with the registry. *n: figures entered. */
int ctip_comms_record(ctip_store *s, const json_t *reply, size_t *n, ctip_err *e);

#endif
