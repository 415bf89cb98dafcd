/*
 * routes_release.c - privacy-safe releases over the API (docs/RELEASE.md, docs/API.md):
 *
 *   POST /api/releases       {"kind": "microdata"|"aggregates"|"synthetic", "options": {...}}
 *                            analysts only; the options of `ctip release KIND` (no seed, no
 *                            file: the server chooses both); 201 with the ledger's id and hash
 *   GET  /api/releases       the ledger (analysts and auditors; never a seed or a path)
 *   GET  /api/releases/{id}  one release with its file's content (analysts only), checked
 *                            against the recorded SHA-256 before it is sent; audited
 *
 * Who: a release is national data of every organisation, protected as a whole; it is made and
 * read by the national coordinator's analysts. Caseworkers and supervisors work on their own
 * organisation's cases and get no release (they would get other organisations' data); admins
 * manage accounts, not data; auditors see the ledger (who released what) but not the files.
 * One release at a time (a million records take tens of seconds and a gigabyte): a second
 * request meanwhile gets 429. Files are kept in DB.releases/ (mode 0700).
 */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli/cli.h"
#include "server.h"

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;

/* The options each kind takes, as JSON keys and command-line flags. */
static const struct {
	const char *key, *flag;
	unsigned kinds; /* 1 microdata, 2 aggregates, 4 synthetic */
} opts[] = {
        {"k", "--k", 5},
        {"quasi", "--quasi", 1},
        {"sensitive", "--sensitive", 1},
        {"l", "--l", 1},
        {"year", "--year", 7},
        {"max_suppress", "--max-suppress", 1},
        {"by", "--by", 2},
        {"mode", "--mode", 6},
        {"threshold", "--threshold", 2},
        {"epsilon", "--epsilon", 6},
        {"delta", "--delta", 4},
        {"length", "--length", 4},
        {"format", "--format", 2},
};

static int kind_bit(const char *k)
{
	return !strcmp(k, "microdata")    ? 1
	       : !strcmp(k, "aggregates") ? 2
	       : !strcmp(k, "synthetic")  ? 4
	                                  : 0;
}

int h_release_create(struct req *r)
{
	static const char *const top[] = {"kind", "options", NULL};
	if (srv_only_keys(r, r->in, top))
		return 400;
	json_t *jk = json_object_get(r->in, "kind"), *jo = json_object_get(r->in, "options");
	const char *kind = json_string_value(jk);
	int kb = kind ? kind_bit(kind) : 0;
	if (!kb)
		return srv_error(r, 400, "kind", "kind: microdata, aggregates or synthetic");
	if (jo && !json_is_object(jo))
		return srv_error(r, 400, "options", "options: an object");
	/* the options as argv; values are short strings or numbers */
	char vals[16][64];
	char *argv[40];
	int argc = 0, nv = 0;
	const char *key;
	json_t *val;
	const char *format = "csv";
	json_object_foreach(jo, key, val)
	{
		size_t i = 0, n = sizeof(opts) / sizeof(opts[0]);
		while (i < n && (strcmp(opts[i].key, key) || !(opts[i].kinds & (unsigned)kb)))
			i++;
		if (i == n || nv == 16)
			return srv_error(r, 400, key, "options: %s is not an option of %s releases",
			                 key, kind);
		if (json_is_string(val) && strlen(json_string_value(val)) < sizeof(vals[0]))
			snprintf(vals[nv], sizeof(vals[0]), "%s", json_string_value(val));
		else if (json_is_integer(val))
			snprintf(vals[nv], sizeof(vals[0]), "%lld",
			         (long long)json_integer_value(val));
		else if (json_is_real(val))
			snprintf(vals[nv], sizeof(vals[0]), "%.17g", json_real_value(val));
		else
			return srv_error(r, 400, key,
			                 "options: %s must be a short string or a number", key);
		if (!strcmp(key, "format"))
			format = vals[nv];
		argv[argc++] = (char *)opts[i].flag;
		argv[argc++] = vals[nv++];
	}
	if (strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "xlsx"))
		return srv_error(r, 400, "format", "format: csv, json or xlsx");
	/* the file: DIR/R-<random>.<ext> (srv_release_dir: DB.releases by default) */
	char dir[1100], path[1300];
	unsigned char rnd[8];
	char hex[17];
	if (!srv_release_dir)
		return srv_error(r, 500, NULL,
		                 "the server has no directory for releases: start it with "
		                 "--release-dir DIR (or --key KEY: KEY.releases)");
	snprintf(dir, sizeof(dir), "%s", srv_release_dir);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return srv_error(r, 500, NULL, "the releases' directory cannot be made");
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(path, sizeof(path), "%s/R-%s.%.4s", dir, hex, format);
	if (pthread_mutex_trylock(&busy))
		return srv_error(r, 429, NULL, "a release is being made; try again in a minute");
	struct cli_release_out out;
	ctip_err e = {0};
	char actor[96];
	snprintf(actor, sizeof(actor), "%s", r->sess.username);
	int rc = cli_release_make(r->s, kind, argc, argv, path, actor, &out, &e);
	pthread_mutex_unlock(&busy);
	if (rc == CTIP_EINVAL)
		return srv_error(r, strstr(e.msg, "refused") ? 409 : 400, NULL, "%s", e.msg);
	if (rc)
		return srv_fail(r, &e);
	json_t *sum = json_loads(out.summary, 0, NULL);
	r->out = json_pack("{sI ss ss sI so}", "id", (json_int_t)out.id, "kind", kind, "sha256",
	                   out.sha256, "records", (json_int_t)out.records, "summary",
	                   sum ? sum : json_object());
	return r->out ? 201 : srv_error(r, 500, NULL, "out of memory");
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int list_one(void *ctx, const struct ctip_release_rec *x)
{
	json_t *sum = json_loads(x->summary, 0, NULL);
	json_t *o = json_pack("{sI ss ss ss ss sI ss ss sI ss sf sf so}", "id", (json_int_t)x->id,
	                      "at", x->at, "actor", x->actor, "kind", x->kind, "params", x->params,
	                      "data_version", (json_int_t)x->data_version, "name",
	                      base_name(x->file), "sha256", x->sha256, "records",
	                      (json_int_t)x->records, "dataset", x->dataset, "epsilon", x->epsilon,
	                      "delta", x->delta, "summary", sum ? sum : json_object());
	return o && !json_array_append_new(ctx, o) ? 0 : -1;
}

int h_releases_list(struct req *r)
{
	ctip_err e = {0};
	json_t *a = json_array();
	if (!a || !r->s->ops->release_each)
		return srv_error(r, 500, NULL, "no ledger of releases");
	int rc = r->s->ops->release_each(r->s, 0, list_one, a, &e);
	if (rc) {
		json_decref(a);
		return rc < 0 ? srv_error(r, 500, NULL, "out of memory") : srv_fail(r, &e);
	}
	r->out = json_pack("{so}", "releases", a);
	return 200;
}

struct one {
	json_t *o;
	char file[1100], sha[65];
};

static int get_one(void *ctx, const struct ctip_release_rec *x)
{
	struct one *g = ctx;
	snprintf(g->file, sizeof(g->file), "%s", x->file);
	snprintf(g->sha, sizeof(g->sha), "%s", x->sha256);
	json_t *a = json_array();
	if (!a || list_one(a, x)) {
		json_decref(a);
		return -1;
	}
	g->o = json_incref(json_array_get(a, 0));
	json_decref(a);
	return 0;
}

int h_release_get(struct req *r)
{
	ctip_err e = {0};
	struct one g = {0};
	if (!r->s->ops->release_each)
		return srv_error(r, 500, NULL, "no ledger of releases");
	int rc = r->s->ops->release_each(r->s, r->id, get_one, &g, &e);
	if (rc == CTIP_ENOTFOUND)
		return srv_error(r, 404, NULL, "no such release");
	if (rc)
		return rc < 0 ? srv_error(r, 500, NULL, "out of memory") : srv_fail(r, &e);
	/* only the files the server made, in its own directory */
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s/", srv_release_dir ? srv_release_dir : "");
	FILE *f = !srv_release_dir || strncmp(g.file, dir, strlen(dir)) || strstr(g.file, "..")
	                  ? NULL
	                  : fopen(g.file, "rb");
	if (!f) {
		json_decref(g.o);
		return srv_error(r, 404, NULL,
		                 "this release's file is not kept by the server (made with the "
		                 "command line, or removed)");
	}
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	unsigned char chunk[65536], dig[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		memcpy(buf + len, chunk, n);
		len += n;
		crypto_hash_sha256_update(&st, chunk, n);
	}
	fclose(f);
	crypto_hash_sha256_final(&st, dig);
	char hex[65];
	sodium_bin2hex(hex, sizeof(hex), dig, sizeof(dig));
	if (!buf || strcmp(hex, g.sha)) {
		free(buf);
		json_decref(g.o);
		return srv_error(r, 409, NULL,
		                 "the file no longer matches its recorded SHA-256: not sent");
	}
	buf[len] = 0;
	int text = !memchr(buf, 0, len) && strncmp(buf, "PK", 2);
	if (text) {
		json_object_set_new(g.o, "content", json_stringn(buf, len));
	} else {
		size_t bl = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = malloc(bl);
		if (b64) {
			sodium_bin2base64(b64, bl, (unsigned char *)buf, len,
			                  sodium_base64_VARIANT_ORIGINAL);
			json_object_set_new(g.o, "content", json_string(b64));
			json_object_set_new(g.o, "encoding", json_string("base64"));
		}
		free(b64);
	}
	free(buf);
	char obj[32];
	snprintf(obj, sizeof(obj), "R%lld", (long long)r->id);
	const char *o = obj;
	if (srv_audit(r->sess.username, "release-download", &o, 1, g.sha)) {
		json_decref(g.o);
		return srv_error(r, 500, NULL, "the audit log could not be written");
	}
	r->out = g.o;
	return 200;
}
