/*
 * backup.c - what backups of both back ends share (backup.h): the backup's directory, its
 * manifest, the SHA-256 of its files, the key sealed with a passphrase or to a public key,
 * the audit chain checked without a store, and the dispatch to backup_sqlite.c and
 * backup_pg.c.
 *
 * The key sealed with a passphrase: "CTIP-KEY-PASSPHRASE-1\n", the Argon2id salt (16 bytes),
 * its opslimit and memlimit (8 bytes each, big-endian), the nonce (24 bytes), then the key
 * file sealed with XChaCha20-Poly1305 (crypto_secretbox over the derived key would do as
 * well; the AEAD binds the header as associated data, so altered parameters are refused).
 * libsodium's own constructions, no hand-rolled cryptography.
 */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "sealed_file.h"
#include "store.h"

#define KEY_PW_MAGIC "CTIP-KEY-PASSPHRASE-1\n"
#define KEY_FILE_MAX 256

int ctip_file_sha256(const char *path, char hex[65], long long *bytes, ctip_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ctip_err_set(e, errno == ENOENT ? CTIP_ENOTFOUND : CTIP_EIO,
		                    "%s: cannot read: %s", path, strerror(errno));
	crypto_hash_sha256_state st;
	unsigned char buf[1 << 16], h[crypto_hash_sha256_BYTES];
	size_t n;
	*bytes = 0;
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		crypto_hash_sha256_update(&st, buf, n);
		*bytes += (long long)n;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return ctip_err_set(e, CTIP_EIO, "%s: read error", path);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	return CTIP_OK;
}

int ctip_backup_add_file(json_t *m, const char *dir, const char *name, ctip_err *e)
{
	char path[4096], hex[65];
	long long bytes;
	int rc;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((rc = ctip_file_sha256(path, hex, &bytes, e)))
		return rc;
	json_t *files = json_object_get(m, "files");
	if (!files) {
		files = json_array();
		json_object_set_new(m, "files", files);
	}
	json_array_append_new(files, json_pack("{s:s, s:I, s:s}", "name", name, "bytes",
	                                       (json_int_t)bytes, "sha256", hex));
	return CTIP_OK;
}

int ctip_chain_step(struct ctip_chain *c, const struct ctip_audit_entry *a, ctip_err *e)
{
	char want[129];
	if (a->id != c->prev_id + 1)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "audit entry %lld: entries %lld to %lld are missing",
		                    (long long)a->id, c->prev_id + 1, (long long)a->id - 1);
	if (strcmp(a->prev_hash, c->prev_hash))
		return ctip_err_set(e, CTIP_EINVAL,
		                    "audit entry %lld does not follow entry %lld: an entry was "
		                    "removed, inserted or altered there",
		                    (long long)a->id, c->prev_id);
	ctip_audit_hash(a, want);
	if (strcmp(want, a->hash))
		return ctip_err_set(e, CTIP_EINVAL, "audit entry %lld was altered",
		                    (long long)a->id);
	c->prev_id = a->id;
	snprintf(c->prev_hash, sizeof(c->prev_hash), "%s", a->hash);
	c->n++;
	return CTIP_OK;
}

/* ---- the backup's directory ------------------------------------------------------------ */

static int dest_prepare(const char *dir, ctip_err *e)
{
	if (!mkdir(dir, 0700))
		return CTIP_OK;
	if (errno != EEXIST)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot create the backup's directory: %s",
		                    dir, strerror(errno));
	DIR *d = opendir(dir);
	if (!d)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s exists and is not a directory: a backup "
		                    "goes into a new (or empty) directory",
		                    dir);
	struct dirent *de;
	int empty = 1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	if (!empty)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s is not empty: a backup goes into a new (or empty) "
		                    "directory, and never overwrites another",
		                    dir);
	return CTIP_OK;
}

static int read_small(const char *path, unsigned char *buf, size_t cap, size_t *n, ctip_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctip_err_set(e, errno == ENOENT ? CTIP_ENOTFOUND : CTIP_EIO,
		                    "%s: cannot read: %s", path, strerror(errno));
	ssize_t r = read(fd, buf, cap);
	close(fd);
	if (r < 0)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot read: %s", path, strerror(errno));
	if ((size_t)r == cap)
		return ctip_err_set(e, CTIP_EINVAL, "%s: too large for a key file", path);
	*n = (size_t)r;
	return CTIP_OK;
}

/* Writes buf to path, mode 0600, refusing an existing file. */
static int write_secret(const char *path, const unsigned char *buf, size_t n, ctip_err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot create: %s", path, strerror(errno));
	int bad = fchmod(fd, 0600) || write(fd, buf, n) != (ssize_t)n || fsync(fd);
	if (close(fd) || bad) {
		int err = errno;
		unlink(path);
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", path, strerror(err));
	}
	return CTIP_OK;
}

static void put64(unsigned char *p, unsigned long long v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static unsigned long long get64(const unsigned char *p)
{
	unsigned long long v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#define PW_HDR                                                                                     \
	(sizeof(KEY_PW_MAGIC) - 1 + crypto_pwhash_SALTBYTES + 16 +                                 \
	 crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)

static int key_seal(const struct ctip_backup_opts *o, json_t *m, ctip_err *e)
{
	unsigned char key[KEY_FILE_MAX];
	size_t n;
	char path[4096];
	int rc;
	if ((rc = read_small(o->key_path, key, sizeof(key), &n, e)))
		return rc;
	snprintf(path, sizeof(path), "%s/key.sealed", o->dest);
	if (o->recipient) {
		FILE *out = fopen(path, "wbx");
		if (!out) {
			sodium_memzero(key, sizeof(key));
			return ctip_err_set(e, CTIP_EIO, "%s: cannot create: %s", path,
			                    strerror(errno));
		}
		FILE *w = ctip_sealed_writer(out, o->recipient, 'k', e);
		rc = w ? CTIP_OK : CTIP_EINVAL;
		if (w && (fwrite(key, 1, n, w) != n || fclose(w) == EOF))
			rc = ctip_err_set(e, CTIP_EIO, "%s: write error", path);
		if (fclose(out) && !rc)
			rc = ctip_err_set(e, CTIP_EIO, "%s: write error", path);
		sodium_memzero(key, sizeof(key));
		if (rc)
			return rc;
		json_object_set_new(
		        m, "key",
		        json_pack("{s:s, s:s}", "file", "key.sealed", "sealed", "recipient"));
		return ctip_backup_add_file(m, o->dest, "key.sealed", e);
	}
	/* a passphrase: Argon2id (moderate limits: about a second and 256 MiB per guess) */
	unsigned char out[PW_HDR + KEY_FILE_MAX + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char dk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char *salt = out + sizeof(KEY_PW_MAGIC) - 1, *lim = salt + crypto_pwhash_SALTBYTES;
	unsigned char *nonce = lim + 16;
	unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE, clen;
	size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
	memcpy(out, KEY_PW_MAGIC, sizeof(KEY_PW_MAGIC) - 1);
	randombytes_buf(salt, crypto_pwhash_SALTBYTES);
	put64(lim, ops);
	put64(lim + 8, mem);
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	if (crypto_pwhash(dk, sizeof(dk), o->passphrase, strlen(o->passphrase), salt, ops, mem,
	                  crypto_pwhash_ALG_ARGON2ID13)) {
		sodium_memzero(key, sizeof(key));
		return ctip_err_set(e, CTIP_ENOMEM, "Argon2id: out of memory");
	}
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + PW_HDR, &clen, key, n, out, PW_HDR, NULL,
	                                           nonce, dk);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(dk, sizeof(dk));
	if ((rc = write_secret(path, out, PW_HDR + (size_t)clen, e)))
		return rc;
	json_object_set_new(m, "key",
	                    json_pack("{s:s, s:s}", "file", "key.sealed", "sealed", "passphrase"));
	return ctip_backup_add_file(m, o->dest, "key.sealed", e);
}

/* Opens the backup's sealed key into key (*n bytes). */
static int key_open(const char *dir, json_t *m, const struct ctip_restore_opts *o,
                    unsigned char *key, size_t cap, size_t *n, ctip_err *e)
{
	const char *how = json_string_value(json_object_get(json_object_get(m, "key"), "sealed"));
	char path[4096];
	snprintf(path, sizeof(path), "%s/key.sealed", dir);
	if (how && !strcmp(how, "recipient")) {
		char fmt = 0;
		if (!o->secret_key)
			return ctip_err_set(e, CTIP_EINVAL,
			                    "the key in %s is sealed to a public key: give the "
			                    "secret key with --secret-key KEY.secret",
			                    dir);
		FILE *r = ctip_sealed_reader(path, o->secret_key, &fmt, e);
		if (!r)
			return CTIP_EINVAL;
		*n = fread(key, 1, cap, r);
		int bad = ferror(r) || fmt != 'k' || *n == cap;
		fclose(r);
		return bad ? ctip_err_set(e, CTIP_EINVAL, "%s: altered or cut short", path) : 0;
	}
	if (!how || strcmp(how, "passphrase"))
		return ctip_err_set(e, CTIP_EINVAL, "%s/manifest.json: unknown key sealing", dir);
	if (!o->passphrase)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "the key in %s is sealed with a passphrase: give it with "
		                    "--passphrase-file FILE (- for standard input)",
		                    dir);
	unsigned char in[PW_HDR + KEY_FILE_MAX + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char dk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	size_t len;
	unsigned long long mlen;
	int rc;
	if ((rc = read_small(path, in, sizeof(in), &len, e)))
		return rc;
	const unsigned char *salt = in + sizeof(KEY_PW_MAGIC) - 1,
	                    *lim = salt + crypto_pwhash_SALTBYTES, *nonce = lim + 16;
	if (len < PW_HDR + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
	    memcmp(in, KEY_PW_MAGIC, sizeof(KEY_PW_MAGIC) - 1))
		return ctip_err_set(e, CTIP_EINVAL, "%s: not a key sealed by ctip backup", path);
	unsigned long long ops = get64(lim), mem = get64(lim + 8);
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
		return ctip_err_set(e, CTIP_EINVAL, "%s: its Argon2id limits were altered", path);
	if (crypto_pwhash(dk, sizeof(dk), o->passphrase, strlen(o->passphrase), salt, ops,
	                  (size_t)mem, crypto_pwhash_ALG_ARGON2ID13))
		return ctip_err_set(e, CTIP_ENOMEM, "Argon2id: out of memory");
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(key, &mlen, NULL, in + PW_HDR, len - PW_HDR,
	                                                in, PW_HDR, nonce, dk);
	sodium_memzero(dk, sizeof(dk));
	if (rc || mlen >= cap)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: the passphrase does not open the key (a wrong passphrase, "
		                    "or the file was altered)",
		                    path);
	*n = (size_t)mlen;
	return CTIP_OK;
}

/* Writes the backup's key to o->key_out; *made: whether a file was created (not already
 * there with the same key). */
static int key_restore(const char *dir, json_t *m, const struct ctip_restore_opts *o, int *made,
                       ctip_err *e)
{
	*made = 0;
	unsigned char key[KEY_FILE_MAX], have[KEY_FILE_MAX];
	size_t n = 0, hn = 0;
	int rc = key_open(dir, m, o, key, sizeof(key), &n, e);
	if (!rc && !read_small(o->key_out, have, sizeof(have), &hn, e)) {
		/* a key file is there already: the same key is fine, another is never replaced
		 * silently (it may be the only copy of another registry's key) */
		int same = hn == n && !sodium_memcmp(have, key, n);
		sodium_memzero(have, sizeof(have));
		if (same) {
			sodium_memzero(key, sizeof(key));
			return CTIP_OK;
		}
		if (!o->force)
			rc = ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s exists and holds another key: restore does not "
			        "overwrite it; move it away (it may be another registry's "
			        "only key), give another --key, or --force",
			        o->key_out);
		else if (unlink(o->key_out))
			rc = ctip_err_set(e, CTIP_EIO, "%s: cannot replace: %s", o->key_out,
			                  strerror(errno));
	} else if (!rc) {
		memset(e, 0, sizeof(*e));
	}
	if (!rc && !(rc = write_secret(o->key_out, key, n, e)))
		*made = 1;
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* ---- backup, verify, restore ----------------------------------------------------------- */

static int manifest_write(const char *dir, json_t *m, ctip_err *e)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(m, tmp, JSON_INDENT(2) | JSON_SORT_KEYS))
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write", tmp);
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	int bad = fd < 0 || fsync(fd);
	if (fd >= 0)
		close(fd);
	if (bad || rename(tmp, path)) {
		unlink(tmp);
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", path, strerror(errno));
	}
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d >= 0) {
		fsync(d);
		close(d);
	}
	return CTIP_OK;
}

int ctip_backup(const struct ctip_backup_opts *o, json_t **manifest, ctip_err *e)
{
	int rc;
	int pg = ctip_store_is_url(o->db);
	if (manifest)
		*manifest = NULL;
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	if ((rc = dest_prepare(o->dest, e)))
		return rc;
	char at[32];
	time_t t = time(NULL);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:{}}", "format", CTIP_BACKUP_FORMAT,
	                      "ctip_version", CTIP_VERSION, "created", at, "backend",
	                      pg ? "postgresql" : "sqlite", "tables");
	if (!m)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	rc = pg ? ctip_backup_pg(o->db, o->dest, m, e) : ctip_backup_sqlite(o->db, o->dest, m, e);
	if (!rc && o->key_path)
		rc = key_seal(o, m, e);
	if (!rc)
		json_object_set_new(m, "key_included", json_boolean(o->key_path != NULL));
	if (!rc)
		rc = manifest_write(o->dest, m, e);
	if (!rc && manifest)
		*manifest = json_incref(m);
	json_decref(m);
	return rc;
}

int ctip_backup_verify(const char *dir, json_t **manifest, ctip_err *e)
{
	char path[4096];
	json_error_t je;
	if (manifest)
		*manifest = NULL;
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (access(path, F_OK))
		return ctip_err_set(e, CTIP_ENOTFOUND,
		                    "%s: no manifest.json: not a backup written by `ctip backup`",
		                    dir);
	json_t *m = json_load_file(path, 0, &je);
	if (!m)
		return ctip_err_set(e, CTIP_EINVAL, "%s: line %d: %s (the manifest was altered)",
		                    path, je.line, je.text);
	const char *fmt = json_string_value(json_object_get(m, "format"));
	const char *be = json_string_value(json_object_get(m, "backend"));
	json_t *files = json_object_get(m, "files");
	int rc = CTIP_OK;
	if (!fmt || strcmp(fmt, CTIP_BACKUP_FORMAT) || !be || !json_is_array(files) ||
	    !json_is_object(json_object_get(m, "tables")))
		rc = ctip_err_set(e, CTIP_EINVAL, "%s: not a manifest of format %s", path,
		                  CTIP_BACKUP_FORMAT);
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f)
	{
		if (rc)
			break;
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *want = json_string_value(json_object_get(f, "sha256"));
		json_int_t bytes = json_integer_value(json_object_get(f, "bytes"));
		char hex[65], fp[4096];
		long long have;
		if (!name || !want || strstr(name, "..") || name[0] == '/') {
			rc = ctip_err_set(e, CTIP_EINVAL, "%s: a file entry is malformed", path);
			break;
		}
		snprintf(fp, sizeof(fp), "%s/%s", dir, name);
		if ((rc = ctip_file_sha256(fp, hex, &have, e))) {
			if (rc == CTIP_ENOTFOUND)
				ctip_err_set(e, CTIP_EINVAL, "%s is missing from the backup", fp);
			rc = CTIP_EINVAL;
		} else if (have != bytes || strcmp(hex, want))
			rc = ctip_err_set(e, CTIP_EINVAL,
			                  "%s: its %s differs from the manifest's: the backup was "
			                  "altered or damaged",
			                  fp, have != bytes ? "size" : "SHA-256");
	}
	if (!rc)
		rc = !strcmp(be, "sqlite") ? ctip_verify_sqlite(dir, m, e)
		     : !strcmp(be, "postgresql")
		             ? ctip_verify_pg(dir, m, e)
		             : ctip_err_set(e, CTIP_EINVAL, "%s: unknown back end '%s'", path, be);
	if (!rc && manifest)
		*manifest = json_incref(m);
	json_decref(m);
	return rc;
}

int ctip_restore(const struct ctip_restore_opts *o, int *key_restored, ctip_err *e)
{
	json_t *m;
	int rc = ctip_backup_verify(o->src, &m, e);
	*key_restored = 0;
	if (rc) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s is not restored: %s (restore from another backup)", o->src,
		                    msg);
	}
	const char *be = json_string_value(json_object_get(m, "backend"));
	int to_pg = ctip_store_is_url(o->target), from_pg = !strcmp(be, "postgresql");
	int has_key = json_is_true(json_object_get(m, "key_included"));
	if (to_pg != from_pg)
		rc = ctip_err_set(e, CTIP_EINVAL,
		                  "%s is a backup of a %s registry and %s is %s: restore it to %s, "
		                  "then move it with `ctip store copy --to %s`",
		                  o->src, from_pg ? "PostgreSQL" : "SQLite", o->target,
		                  to_pg ? "a PostgreSQL database" : "a file",
		                  from_pg ? "a PostgreSQL database" : "a file", o->target);
	/* the key first: a wrong passphrase or a key file in the way costs nothing to retry;
	 * a key file made here is removed again when the data cannot be restored */
	int want_key = has_key && o->key_out && (o->passphrase || o->secret_key), made = 0;
	if (!rc && want_key)
		rc = key_restore(o->src, m, o, &made, e);
	if (!rc)
		rc = from_pg ? ctip_restore_pg(o->src, m, o->target, o->force, e)
		             : ctip_restore_sqlite(o->src, m, o->target, o->force, e);
	if (rc && made)
		unlink(o->key_out);
	if (!rc)
		*key_restored = want_key;
	json_decref(m);
	return rc;
}
