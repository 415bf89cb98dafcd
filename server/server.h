/*
 * server.h - what the parts of the HTTP server (`ctip serve`) share: the
 * request being handled, its session, the response helpers, the route
 * table's handler type, the access layer and the audit writer.
 *
 * One request is handled by one thread of libmicrohttpd's pool from start to
 * end; each thread has its own store connection (SQLite connections are not
 * shared between threads). Handlers return the HTTP status and leave the JSON
 * body in req->out.
 */
#ifndef CTIP_SERVER_H
#define CTIP_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store.h"

#define SRV_MAX_BODY (1024 * 1024)

struct srv_config {
	const char *db; /* database path (for messages) */
	/* Opens a connection to the database as the command line does (checks the schema, binds
	 * whatever the store needs); each thread and the audit writer get their own. Nonzero on
	 * failure: a database out of reach is left in *e (CTIP_EUNAVAIL) unprinted, for the
	 * server's rate-limited log; any other failure is printed by open itself. */
	int (*open)(void *ctx, ctip_store **s, ctip_err *e);
	void *open_ctx;
	const char *listen; /* "127.0.0.1:8080" */
	const char *web;    /* serve the web UI from this directory instead of the binary */
	const char *tls_cert, *tls_key; /* PEM files: serve HTTPS (cookies then Secure) */
	int threads;                    /* 0: twice the processors */
	/* The crowd of connections (docs/SECURITY.md): at most max_conns connections, and
	 * max_conns_per_ip from one address (0: no limit per address, behind a reverse proxy);
	 * a connection silent for idle_timeout seconds is closed, and one whose request's
	 * headers and body have not all arrived request_timeout seconds after it began is cut. */
	unsigned max_conns, max_conns_per_ip, idle_timeout, request_timeout;
};
#define SRV_MAX_CONNS        1000
#define SRV_MAX_CONNS_PER_IP 32
#define SRV_IDLE_TIMEOUT     15
#define SRV_REQUEST_TIMEOUT  20

int srv_run(const struct srv_config *c);

/* ---- sessions (session.c) ---- */

enum srv_role {
	ROLE_CASEWORKER = 1,
	ROLE_SUPERVISOR = 2,
	ROLE_ANALYST = 4,
	ROLE_AUDITOR = 8,
	ROLE_ADMIN = 16
};
#define ROLES_CASE (ROLE_CASEWORKER | ROLE_SUPERVISOR)
#define ROLES_ANY  31
/* the communications tracker: read by auditors too, written by the others (comms.c) */
#define ROLES_COMMS (ROLE_SUPERVISOR | ROLE_ANALYST | ROLE_ADMIN | ROLE_AUDITOR)

struct srv_session {
	char token_hash[65]; /* BLAKE2b of the cookie's token, hex: the token itself is not kept */
	char csrf[65];
	char username[72], org[256], role[16];
	int64_t account_id, org_id;
	int role_bit;
	time_t created, last;
};

/* The clock of sessions and lockouts: time() except in tests. */
extern time_t (*srv_clock)(time_t *);

int srv_sessions_init(void);
void srv_sessions_free(void);
/* A new session; token (65 bytes) receives the cookie value. */
int srv_session_new(const struct ctip_account *a, char token[65], struct srv_session *out);
/* Copies the live session of token into out (touching it); 0 when found. */
int srv_session_get(const char *token, struct srv_session *out);
void srv_session_end(const char *token);
int srv_role_bit(const char *role);
/* Failed logins, counted per account and per client address separately (session.c): the
 * seconds left of a lockout of username or of addr (0: none). */
long srv_login_blocked(const char *username, const char *addr);
/* Counts a failure; returns the lockouts it started (SRV_LOCK_* bits), the seconds of each in
 * secs[0] (account) and secs[1] (address) when not NULL. */
#define SRV_LOCK_ACCOUNT 1
#define SRV_LOCK_ADDRESS 2
int srv_login_failed(const char *username, const char *addr, long secs[2]);
void srv_login_ok(const char *username);
/* An administrator's unlock (routes_accounts.c): forgets the account's failed logins and ends
 * its lockout; returns the seconds the lockout still had. The lockout of a client address is
 * left as it is (an unlock is no way round the throttle of an address trying passwords). */
long srv_login_unlock(const char *username);
/* The seconds left of an account's lockout (0: none). */
long srv_login_locked(const char *username);
/* Ends every session of an account but the one whose token hash is keep_hash (NULL: all);
 * returns how many ended. */
int srv_sessions_end_account(int64_t account_id, const char *keep_hash);

/* ---- the client's address (client.c) ---- */

/* Sets the proxies whose X-Forwarded-For / X-Real-IP are believed ("127.0.0.1,::1");
 * 0 ok, else -1 with a message in err. */
int srv_trusted_proxies(const char *list, char *err, size_t errlen);
/* client holds the peer's address; when that is a trusted proxy, replaces it with the
 * address the proxy reports (if valid). */
void srv_client_from_proxy(void *conn, char *client, size_t n);

#define SESSION_MAX_AGE 28800 /* 8 h */
#define SESSION_IDLE    1800  /* 30 min */

/* ---- a request ---- */

struct req {
	void *conn; /* struct MHD_Connection */
	const char *method, *path;
	char *body;
	size_t len;
	int too_big;
	json_t *in; /* the parsed body of a POST/PATCH (an object) */
	int have_session;
	struct srv_session sess;
	int64_t id;     /* the {id} of the path, if any */
	int64_t sub;    /* the {sub} of the path (an id within {id}), if any */
	char param[64]; /* the {name} of the path, if any */
	char client[64];
	ctip_store *s;
	json_t *out;
	char *out_text; /* or the body as JSON text (srv_jtext), sent when set; malloc'd */
	/* or a document to download (a reply as HTML or XLSX): out_doc (malloc'd, out_doc_len
	 * bytes) sent as an attachment of type out_doc_type named out_doc_name */
	char *out_doc;
	size_t out_doc_len;
	const char *out_doc_type;
	char out_doc_name[128];
	char cookie[256]; /* Set-Cookie to send, "" if none */
	int tls;
	int started; /* counted as in flight */
};

/* JSON written as text (json_text.c): append with srv_jt_*; b is malloc'd, oom set when an
 * append failed. */
struct srv_jtext {
	char *b;
	size_t n, cap;
	int oom;
};
void srv_jt_raw(struct srv_jtext *j, const char *s);
void srv_jt_int(struct srv_jtext *j, long long v);
void srv_jt_str(struct srv_jtext *j, const char *s); /* NULL: null */
/* v in decimal into out, NUL-terminated; returns the length (no printf: the hot path). */
size_t srv_fmt_int(char out[24], long long v);

/* Appends the audit entries of a change inside the request's write transaction (begun with
 * ops->begin), so that the change and its entries commit together or not at all
 * (ctip_audit_in_tx); 0, or an error in e (its message begins with SRV_AUDIT_FAILED, which
 * srv_fail answers as such) after which the caller rolls back. */
int srv_audit_tx(struct req *r, const char *action, const char *const *objects, int n,
                 const char *detail, ctip_err *e);
#define SRV_AUDIT_FAILED "the audit log cannot be written"
/* One object: kind and id ("C", 12: C12). */
int srv_audit_tx1(struct req *r, const char *action, const char *kind, int64_t id,
                  const char *detail, ctip_err *e);

/* Sets req->out to {"error": msg, "field": field} and returns status. */
int srv_error(struct req *r, int status, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* 500 after a store error (the detail goes to the server's log, not to the client). */
int srv_fail(struct req *r, const ctip_err *e);
/* 409 {"error": msg, "code": "conflict"}: someone else changed the record since it was read. */
int srv_conflict(struct req *r, const char *msg);
/* A query-string argument, or NULL. */
const char *srv_arg(struct req *r, const char *name);
/* Checks that the body has only keys from allowed (NULL-terminated); 400 otherwise (0 if ok). */
int srv_only_keys(struct req *r, json_t *obj, const char *const *allowed);
/* A string member: 0 ok (v may be NULL when absent and !required), else a 400 was set. */
int srv_get_str(struct req *r, json_t *obj, const char *key, int required, size_t max,
                const char **v);
int srv_get_int(struct req *r, json_t *obj, const char *key, int required, int64_t *v);
/* An integer query argument (digits only); 0 ok, else 400 set. */
int srv_arg_int(struct req *r, const char *name, int64_t def, int64_t max, int64_t *v);

/* ---- routes (routes.c, routes_*.c) ---- */

typedef int (*srv_handler)(struct req *r);

struct route {
	const char *method;
	const char *pattern; /* "/api/cases/{id}" */
	srv_handler fn;
	int roles; /* ROLE_* bits allowed (0: no session needed), and ROUTE_WIDE */
};

/* With the roles of a route: it reads the whole registry (store_server.h registry_wide). */
#define ROUTE_WIDE (1 << 30)

/* Dispatches an /api request: method, path, session, CSRF, role, then the handler. */
int srv_route(struct req *r);

int h_login(struct req *r);
int h_logout(struct req *r);
int h_me(struct req *r);
int h_orgs(struct req *r);
int h_vocab(struct req *r);
int h_cases_list(struct req *r);
int h_case_create(struct req *r);
int h_case_get(struct req *r);
int h_case_patch(struct req *r);
int h_persons_list(struct req *r);
int h_person_get(struct req *r);
int h_person_create(struct req *r);
int h_person_patch(struct req *r);
int h_referral_create(struct req *r);
int h_referrals_list(struct req *r);
int h_referral_get(struct req *r);
int h_referral_patch(struct req *r);
int h_assistance_list(struct req *r);
int h_assistance_create(struct req *r);
int h_events_list(struct req *r);
int h_event_create(struct req *r);
int h_event_get(struct req *r);
int h_event_patch(struct req *r);
int h_assistance_get(struct req *r);
int h_assistance_patch(struct req *r);
int h_proceedings_list(struct req *r);
int h_proceeding_create(struct req *r);
int h_proceeding_get(struct req *r);
int h_proceeding_patch(struct req *r);
int h_search(struct req *r);
int h_home(struct req *r);
int h_audit(struct req *r);
int h_stats(struct req *r);
int h_release_create(struct req *r);
int h_releases_list(struct req *r);
int h_release_get(struct req *r);
int h_link_review(struct req *r);
int h_link_pair(struct req *r);
int h_link_decide(struct req *r);
/* accounts (routes_accounts.c): administrators manage accounts; everyone changes their own
 * password */
int h_accounts_list(struct req *r);
int h_account_create(struct req *r);
int h_account_patch(struct req *r);
int h_account_unlock(struct req *r);
int h_password_change(struct req *r);
int h_referrals_unread(struct req *r);
int h_referral_read(struct req *r);
int h_estimate(struct req *r);
/* the register of companies (routes_companies.c) */
int h_companies_list(struct req *r);
int h_company_get(struct req *r);
int h_company_create(struct req *r);
int h_company_sanction(struct req *r);
int h_recruiters_list(struct req *r);
int h_recruiter_get(struct req *r);
int h_recruiter_create(struct req *r);
/* Frees the statistics snapshot kept between requests (at shutdown). */
void srv_stats_free(void);
/* The statistics snapshot kept between requests (every unit and dimension), rebuilt when the
 * data version changed; each srv_snap_get is paired with a srv_snap_release. */
struct srv_snap;
struct ctip_stats_query;
struct ctip_stats_table;
int srv_snap_get(ctip_store *s, struct srv_snap **out, ctip_err *e);
const struct ctip_facts *srv_snap_facts(const struct srv_snap *sh);
void srv_snap_release(struct srv_snap *sh);
/* The table of q as /api/stats publishes it to a role without raw counts: counted (from f, or
 * casework's tables), its cells withheld as in the joint table of all time by q's dimensions
 * and year, suppressed at threshold, taken at year (0: the total over the years). */
int srv_stats_published(ctip_store *s, const struct ctip_facts *f, const struct ctip_stats_query *q,
                        int year, int threshold, struct ctip_stats_table **out, ctip_err *e);

/* ---- access (access.c) ---- */

/* The requester's access to case id: CTIP_ACCESS_*; 0 ok, else an error status was set
 * (404 for a case the requester may not see, as for one that does not exist). */
int srv_case_access(struct req *r, int64_t case_id, int *access);
/* The version of a case an update names (docs/API.md): the If-Match header ("3", 3 or W/"3")
 * or the body's "version"; 0 when neither (the update applies whatever the version); -1 (and
 * the 400 answer set) when malformed or the two disagree. */
int64_t srv_wanted_version(struct req *r);
/* Whether a person's identity shows through one case: access to the case and the consent
 * given in it (person_visible_cases). */
int srv_identity_shown(int access, int consent, const char *scope);
/* Whether the identifying fields of the person in row rw may be shown with this access. */
int srv_identity_visible(int access, const ctip_row *rw);
/* Removes the identifying fields, and the free text about the person, from a person object
 * and marks it "redacted". */
void srv_redact(json_t *person);
/* The same for an assistance item or proceeding of such a person (the provider). */
void srv_redact_item(json_t *item);
/* Removes from a case object what an organisation seeing it with access may not see: for a
 * referral, the comments, the closure reason unless all_identities (every person of the case
 * shows their identity to it), and the referrals made to other organisations than org. */
void srv_case_redact(json_t *c, int access, int all_identities, const char *org);
/* The person's cases the requester sees, with the best access; 0 when none (or none that
 * shows identity when need_identity). */
int srv_person_access(struct req *r, int64_t person_id, int64_t *case_id, int *access,
                      int need_identity, ctip_err *e);

/* The requester's organisation owns case id: 0, else 404 (no access) or 403 (a referral) set
 * (casework is the owner's alone). */
int srv_case_owned(struct req *r, int64_t case_id);

/* ---- casework (routes_workflow.c, routes_assess.c, routes_followup.c, routes_contacts.c) */

int h_cw_workflow(struct req *r);
int h_cw_assign(struct req *r);
int h_cw_stage(struct req *r);
int h_cw_approvals(struct req *r);
int h_cw_approval_decide(struct req *r);
int h_cw_alerts(struct req *r);
int h_cw_instrument(struct req *r);
int h_cw_assessments(struct req *r);
int h_cw_assess(struct req *r);
int h_cw_followups(struct req *r);
int h_cw_followup_plan(struct req *r);
int h_cw_followup_record(struct req *r);
int h_cw_followups_due(struct req *r);
int h_cw_assess_patch(struct req *r);
int h_cw_followup_patch(struct req *r);
int h_cw_contacts(struct req *r);
/* ---- the communications tracker (routes_comms.c) ---- */
int h_comms_list(struct req *r);
int h_comms_add(struct req *r);
int h_comms_get(struct req *r);
int h_comms_save(struct req *r);
int h_comms_reply(struct req *r);
int h_comms_record(struct req *r);
int h_cw_contact_add(struct req *r);
int h_cw_contact_get(struct req *r);
int h_cw_contact_convert(struct req *r);
/* The session's account (username, organisation, role) for casework.h. */
void srv_cw_actor(struct req *r, struct ctip_account *a);
/* A casework error as its status: 400 (with the field), 403, 404, or 500. */
int srv_cw_error(struct req *r, const ctip_err *e);
/* A correction's hold (casework.h, ctip_cw_hold): takes the version of case r->id inside the
 * write transaction, refusing a stale copy (expect, from srv_wanted_version). */
struct srv_cw_hold {
	struct req *r;
	int64_t expect, version;
};
int srv_cw_hold_version(void *ctx, ctip_err *e);
/* A correction refused: rolls the transaction back; 409 with the version for a stale copy,
 * else as srv_cw_error. */
int srv_cw_fix_error(struct req *r, const ctip_err *e);

/* ---- cases as JSON (routes_cases.c) ---- */

/* The case as the requester may see it (access from srv_case_access), with its persons
 * (only person_id's when not 0), referrals and comments; the persons whose identity it shows
 * are audited as viewed before it is returned. 0, or an error status set. */
int srv_case_body(struct req *r, int64_t case_id, int access, int64_t person_id, json_t **out);
/* Reads the first row of a case (its case-level columns); 0, or an error status set. */
int srv_case_row(struct req *r, int64_t case_id, ctip_row *row);

/* ---- audit (audit_queue.c) ---- */

int srv_audit_start(ctip_store *s, ctip_err *e);
/* Commits the remaining entries and stops the writer. */
void srv_audit_stop(void);
/* Appends entries (one per object) and waits until they are committed; 0 ok. */
int srv_audit(const char *actor, const char *action, const char *const *objects, int n,
              const char *detail);

/* ---- static files (static.c) ---- */

/* Serves GET path from the embedded web UI or web_dir; returns an MHD result. */
int srv_static(void *conn, const char *path, const char *web_dir);

/* ---- responses (http.c) ---- */

int srv_send_json(void *conn, int status, json_t *body, const char *cookie);
/* The same with a body already written (NULL: none); takes text (malloc'd). */
int srv_send_text(void *conn, int status, char *text, const char *cookie);
/* Sends body (len bytes, freed) as a download of type, named name (Content-Disposition:
 * attachment, so that the browser saves it rather than shows it under the API's CSP). */
int srv_send_download(void *conn, int status, char *body, size_t len, const char *type,
                      const char *name, const char *cookie);
/* Security headers on every response; no-store on the API's; HSTS over TLS. */
void srv_headers(void *response, int api);
/* Whether the server speaks TLS (set once at start). */
extern int srv_tls;
/* ctip serve --read-only (set once at start): every change is refused with 403, code
 * read_only; logging in and out still work, and every read is still audited. */
extern int srv_read_only;
/* Where the server keeps the files of the releases it makes (ctip serve --release-dir; by
 * default DB.releases beside a SQLite file, KEY.releases beside the key of a registry on
 * PostgreSQL, which has no file of its own). */
extern const char *srv_release_dir;

/* Today as YYYY-MM-DD (UTC). */
void srv_today(char out[11]);

#endif
