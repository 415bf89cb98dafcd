/*
 * http.c - the HTTP side of the server: JSON responses with the security
 * headers, error bodies, and reading arguments from the query string and
 * from JSON bodies with strict types (a wrong type or an unknown key is a
 * 400 naming the field).
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

int srv_tls;
int srv_read_only;
const char *srv_release_dir;

void srv_headers(void *response, int api)
{
	struct MHD_Response *rs = response;
	if (srv_tls)
		MHD_add_response_header(rs, "Strict-Transport-Security", "max-age=31536000");
	MHD_add_response_header(rs, "Content-Security-Policy",
	                        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	                        "form-action 'self'");
	MHD_add_response_header(rs, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(rs, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(rs, "X-Frame-Options", "DENY");
	MHD_add_response_header(rs, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(rs, "Cross-Origin-Resource-Policy", "same-origin");
	if (api)
		MHD_add_response_header(rs, "Cache-Control", "no-store");
}

int srv_send_text(void *conn, int status, char *text, const char *cookie)
{
	size_t len = text ? strlen(text) : 0;
	struct MHD_Response *rs = MHD_create_response_from_buffer(len, text ? text : (void *)"",
	                                                          text ? MHD_RESPMEM_MUST_FREE
	                                                               : MHD_RESPMEM_PERSISTENT);
	if (!rs) {
		free(text);
		return MHD_NO;
	}
	if (text)
		MHD_add_response_header(rs, "Content-Type", "application/json; charset=utf-8");
	srv_headers(rs, 1);
	if (cookie && *cookie)
		MHD_add_response_header(rs, "Set-Cookie", cookie);
	int ret = MHD_queue_response(conn, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return ret;
}

int srv_send_download(void *conn, int status, char *body, size_t len, const char *type,
                      const char *name, const char *cookie)
{
	struct MHD_Response *rs = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!rs) {
		free(body);
		return MHD_NO;
	}
	char disp[200];
	/* the name is ctip's own (letters, digits, '-', '.'), never the user's text */
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	MHD_add_response_header(rs, "Content-Type", type);
	MHD_add_response_header(rs, "Content-Disposition", disp);
	srv_headers(rs, 1);
	if (cookie && *cookie)
		MHD_add_response_header(rs, "Set-Cookie", cookie);
	int ret = MHD_queue_response(conn, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return ret;
}

int srv_send_json(void *conn, int status, json_t *body, const char *cookie)
{
	char *text = NULL;
	if (body && status != 204) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			status = 500;
			text = strdup("{\"error\":\"out of memory\",\"code\":\"out_of_memory\"}");
		}
	}
	return srv_send_text(conn, status, text, cookie);
}

/* The stable machine code of each error message (docs/API.md, Errors), by the message's
 * format: the web UI shows its own translation of the code (web/i18n), the English message
 * when it has none. A format not listed gets the code of its status. */
static const struct {
	const char *fmt, *code;
} error_codes[] = {
        {"unknown field", "unknown_field"},
        {"%s holds ';'", "semicolon"},
        {"%s holds a NUL character", "nul_character"},
        {"%s is longer than %zu bytes", "too_long"},
        {"%s is required", "required"},
        {"%s must be a positive integer", "not_positive_integer"},
        {"%s must be a string", "not_string"},
        {"%s must be between 1 and %lld", "out_of_range"},
        {"'%s' is not a field of a person record", "unknown_field"},
        {"a case can only be created for your own organisation", "own_organisation_only"},
        {"a case cannot be referred to its own organisation", "referral_to_self"},
        {"box is in or out", "bad_box"},
        {"by: up to %d dimensions among those of ctip stats", "bad_dimension"},
        {"case_id is required", "required"},
        {"count: victims, cases, offenders, referrals or assistance", "bad_count"},
        {"date must be YYYY-MM-DD", "bad_date"},
        {"from: a date YYYY, YYYY-MM or YYYY-MM-DD", "bad_date"},
        {"give role or ctip_Role, not both", "role_twice"},
        {"internal error", "server_error"},
        {"malformed JSON: %s (line %d, column %d)", "malformed_json"},
        {"method not allowed", "method_not_allowed"},
        {"missing or wrong CSRF token", "csrf"},
        {"no organisation of that name is registered", "unknown_organisation"},
        {"no such case", "no_such_case"},
        {"no such endpoint", "no_such_endpoint"},
        {"no such item", "no_such_item"},
        {"no such person", "no_such_person"},
        {"no such person in this case", "person_not_in_case"},
        {"no such referral", "no_such_referral"},
        {"no such vocabulary", "no_such_vocabulary"},
        {"not logged in", "not_logged_in"},
        {"only the organisation that owns a case changes it", "not_owner"},
        {"only the organisation that owns a case refers it", "not_owner"},
        {"only the organisation that owns a record changes it", "not_owner"},
        {"only the receiving organisation answers a referral", "not_receiver"},
        {"out of memory", "out_of_memory"},
        {"person is required", "required"},
        {"q is longer than 200 bytes", "too_long"},
        {"q is not valid UTF-8", "not_utf8"},
        {"q is required", "required"},
        {"raw counts are for analysts only", "analysts_only"},
        {"refer a case with POST /api/referrals once it exists", "refer_after_create"},
        {"search for letters, digits, spaces and . , ' - + / only", "bad_search_text"},
        {"status is Accepted, Declined, Completed or Withdrawn", "unknown_status"},
        {"only the referring organisation withdraws a referral", "not_sender"},
        {"a referral that is %s cannot become %s", "referral_state"},
        {"the referral changed meanwhile: read it again and retry", "referral_state"},
        {"the audit log cannot be written", "audit_unavailable"},
        {"the database is not reachable now: nothing was changed; try again in a moment",
         "database_unavailable"},
        {"the audit log could not be written", "audit_unavailable"},
        {"the body must be a JSON object", "not_object"},
        {"the comment is not valid UTF-8", "not_utf8"},
        {"the request body is larger than 1 MiB", "too_large"},
        {"the server is stopping: try again in a moment", "server_stopping"},
        {"the server is out of memory", "out_of_memory"},
        {"threshold: 1 to 1000", "out_of_range"},
        {"threshold may only raise suppression (%d to 1000); a lower one is raw counts "
         "(analysts, raw=1, audited)",
         "raw_only"},
        {"age bands of one's own are raw counts (analysts, raw=1, audited): bands that differ "
         "by a year single people out",
         "raw_only"},
        {"without raw counts a period is one calendar year (year=Y): for several, break them "
         "down by=year",
         "period_one_year"},
        {"without raw counts up to %d dimensions besides year", "bad_dimension"},
        {"to: a date YYYY, YYYY-MM or YYYY-MM-DD", "bad_date"},
        {"too many failed logins: try again in %ld s", "too_many_logins"},
        {"this server is read-only (a standby): make changes on the primary", "read_only"},
        {"unknown case status", "unknown_status"},
        {"unknown field '%s'", "unknown_field"},
        {"where: DIM=VALUE with a dimension of ctip stats", "bad_where"},
        {"wrong user name or password", "bad_login"},
        {"year: like 2023", "bad_year"},
        {"your role (%s) may not do this", "role_forbidden"},
        /* accounts (routes_accounts.c) and referrals' reading (routes_referrals.c) */
        {"a user name has 1 to 64 letters, digits, '.', '_', '-', '@'", "bad_username"},
        {"unknown role '%s': caseworker, supervisor, analyst, auditor or admin", "unknown_role"},
        {"the password must have at least 10 characters", "password_too_short"},
        {"an account of that name exists", "account_exists"},
        {"no such account", "no_such_account"},
        {"disabled must be true or false", "not_boolean"},
        {"give disabled or password", "nothing_to_change"},
        {"you cannot disable your own account", "own_account"},
        {"the last administrator account cannot be disabled", "last_admin"},
        {"the old password is wrong", "wrong_password"},
        {"the new password must differ from the old one", "same_password"},
        {"this database's back end cannot manage accounts yet", "not_implemented"},
        {"only the receiving organisation marks a referral read", "not_receiver"},
};

static const char *error_code(int status, const char *fmt, const char *msg)
{
	/* "%s": a message of the library's validation, itself looked up */
	const char *key = strcmp(fmt, "%s") ? fmt : msg;
	for (size_t i = 0; i < sizeof(error_codes) / sizeof(*error_codes); i++)
		if (!strcmp(error_codes[i].fmt, key))
			return error_codes[i].code;
	if (!strcmp(fmt, "%s") && status == 400)
		return "invalid_value";
	switch (status) {
	case 401: return "not_logged_in";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "too_large";
	case 429: return "too_many_requests";
	case 501: return "not_implemented";
	default: return status >= 500 ? "server_error" : "bad_request";
	}
}

int srv_error(struct req *r, int status, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_decref(r->out);
	r->out = json_object();
	json_object_set_new(r->out, "error", json_string(msg));
	json_object_set_new(r->out, "code", json_string(error_code(status, fmt, msg)));
	if (field && *field)
		json_object_set_new(r->out, "field", json_string(field));
	return status;
}

int srv_conflict(struct req *r, const char *msg)
{
	json_decref(r->out);
	r->out = json_pack("{s:s, s:s}", "error", msg, "code", "conflict");
	return 409;
}

int srv_fail(struct req *r, const ctip_err *e)
{
	if (e && e->code == CTIP_ENOMEM)
		return srv_error(r, 503, NULL, "the server is out of memory");
	if (e && e->code == CTIP_ECONFLICT)
		return srv_conflict(r, e->msg);
	if (e && e->code == CTIP_EUNAVAIL) {
		/* an outage fails every request: said once every 10 s, with how many were refused,
		 * not once per request (a log that fills its pipe would stop the server) */
		static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
		static time_t last;
		static unsigned long quiet;
		time_t now = time(NULL);
		pthread_mutex_lock(&mu);
		if (now - last >= 10) {
			fprintf(stderr, "ctip serve: %s %s: ", r->method, r->path);
			ctip_err_print(e, stderr);
			if (quiet)
				fprintf(stderr,
				        "ctip serve: %lu more request(s) refused for the same "
				        "reason "
				        "(503) since the last message\n",
				        quiet);
			last = now;
			quiet = 0;
		} else {
			quiet++;
		}
		pthread_mutex_unlock(&mu);
		return srv_error(
		        r, 503, NULL,
		        "the database is not reachable now: nothing was changed; try again "
		        "in a moment");
	}
	if (e) {
		fprintf(stderr, "ctip serve: %s %s: ", r->method, r->path);
		ctip_err_print(e, stderr);
		if (!strncmp(e->msg, SRV_AUDIT_FAILED, strlen(SRV_AUDIT_FAILED)))
			return srv_error(r, 500, NULL,
			                 "the audit log cannot be written: nothing was changed");
	}
	return srv_error(r, 500, NULL, "internal error");
}

const char *srv_arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int srv_arg_int(struct req *r, const char *name, int64_t def, int64_t max, int64_t *v)
{
	const char *a = srv_arg(r, name);
	*v = def;
	if (!a)
		return 0;
	int64_t n = 0;
	if (!*a || strlen(a) > 18)
		return srv_error(r, 400, name, "%s must be a positive integer", name);
	for (const char *p = a; *p; p++) {
		if (*p < '0' || *p > '9')
			return srv_error(r, 400, name, "%s must be a positive integer", name);
		n = n * 10 + (*p - '0');
	}
	if (n < 1 || n > max)
		return srv_error(r, 400, name, "%s must be between 1 and %lld", name,
		                 (long long)max);
	*v = n;
	return 0;
}

int srv_only_keys(struct req *r, json_t *obj, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, k);
		if (!ok)
			return srv_error(r, 400, k, "unknown field '%s'", k);
	}
	return 0;
}

int srv_get_str(struct req *r, json_t *obj, const char *key, int required, size_t max,
                const char **v)
{
	json_t *x = json_object_get(obj, key);
	*v = NULL;
	if (!x || json_is_null(x)) {
		if (required)
			return srv_error(r, 400, key, "%s is required", key);
		return 0;
	}
	if (!json_is_string(x))
		return srv_error(r, 400, key, "%s must be a string", key);
	if (json_string_length(x) > max)
		return srv_error(r, 400, key, "%s is longer than %zu bytes", key, max);
	if (strlen(json_string_value(x)) != json_string_length(x))
		return srv_error(r, 400, key, "%s holds a NUL character", key);
	*v = json_string_value(x);
	if (required && !**v)
		return srv_error(r, 400, key, "%s is required", key);
	return 0;
}

int srv_get_int(struct req *r, json_t *obj, const char *key, int required, int64_t *v)
{
	json_t *x = json_object_get(obj, key);
	*v = 0;
	if (!x || json_is_null(x)) {
		if (required)
			return srv_error(r, 400, key, "%s is required", key);
		return 0;
	}
	if (!json_is_integer(x) || json_integer_value(x) < 1)
		return srv_error(r, 400, key, "%s must be a positive integer", key);
	*v = json_integer_value(x);
	return 0;
}

void srv_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}
