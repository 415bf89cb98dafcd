/*
 * cmd_key.c - `ctip key rotate [--new-key PATH] [--keep-old]`: every sealed value and
 * keyed index of the database moves to a new key in one transaction, then the new key
 * replaces the key file (docs/SECURITY.md, Key rotation).
 *
 * Crash safety: the new key is written to KEY.new first; the old key file stays valid
 * until the database's transaction commits, then KEY.new is renamed over KEY. A rotation
 * interrupted before the commit leaves the database under the old key (KEY.new is a
 * leftover, removed by the next rotation); one interrupted between the commit and the
 * rename is finished by the next command that opens the database (main.c, open_store).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "crypto.h"
#include "sealed_file.h"

/* Copies the key file src to dst (created exclusively, mode 0600, synced). */
static int key_copy(const char *src, const char *dst, ctip_err *e)
{
	char buf[256];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1;
	ssize_t n = in < 0 ? -1 : read(in, buf, sizeof(buf));
	int rc = CTIP_OK;
	if (in < 0 || n <= 0)
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot read the key file: %s", src,
		                  strerror(errno));
	else if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) <
	                 0 ||
	         fchmod(out, 0600) || write(out, buf, (size_t)n) != n || fsync(out))
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write the key file: %s", dst,
		                  strerror(errno));
	explicit_bzero(buf, sizeof(buf));
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && rc == CTIP_OK)
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write the key file: %s", dst,
		                  strerror(errno));
	if (rc && out >= 0)
		unlink(dst);
	return rc;
}

/* Makes a rename or link in the directory of path durable. */
static void sync_dir(const char *path)
{
	char d[1100];
	snprintf(d, sizeof(d), "%s", path);
	int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int rotate(struct cli *c, const char *given, int keep_old)
{
	const char *kp = cli_key_path(c);
	char fresh[1110], old[1110];
	snprintf(fresh, sizeof(fresh), "%s.new", kp);
	snprintf(old, sizeof(old), "%s.old", kp);
	struct stat sb;
	ctip_err e = {0};
	if (keep_old && lstat(old, &sb) == 0) {
		fprintf(stderr,
		        "ctip: %s exists: move it away first (it may be needed to read "
		        "older backups)\n",
		        old);
		return 1;
	}
	ctip_store *s;
	int rc = cli_open(c, &s); /* under the current key (finishes an interrupted rotation) */
	if (rc)
		return rc;
	/* the database opened under KEY: a KEY.new is the leftover of a rotation that never
	 * committed, which protects nothing */
	unlink(fresh);
	ctip_crypto *next = NULL;
	if ((rc = given ? key_copy(given, fresh, &e) : ctip_key_create(fresh, &e)) ||
	    (rc = ctip_crypto_load(fresh, &next, &e)))
		goto fail;
	char have[CTIP_KEY_CHECK], want[CTIP_KEY_CHECK];
	ctip_crypto_check_value(s->crypto, have);
	ctip_crypto_check_value(next, want);
	if (!strcmp(have, want)) {
		rc = ctip_err_set(&e, CTIP_EINVAL, "the new key is the current key");
		goto fail;
	}
	if (keep_old && link(kp, old)) {
		rc = ctip_err_set(&e, CTIP_EIO, "%s: cannot keep the old key: %s", old,
		                  strerror(errno));
		goto fail;
	}
	if ((rc = s->ops->key_rotate(s, next, &e))) {
		if (keep_old)
			unlink(old);
		goto fail;
	}
	next = NULL; /* the store's now */
	/* committed: the database opens only with the new key, so it replaces the old one */
	if (rename(fresh, kp)) {
		rc = ctip_err_set(&e, CTIP_EIO,
		                  "%s: cannot replace the key file (%s): the database is now "
		                  "encrypted under %s; the next ctip command that opens it moves "
		                  "that file into place",
		                  kp, strerror(errno), fresh);
		ctip_store_close(s);
		return cli_fail(&e);
	}
	sync_dir(kp);
	if ((rc = ctip_audit(s, NULL, "key_rotate", "key", keep_old ? "old key kept" : "", &e)) ||
	    (rc = s->ops->compact(s, &e))) {
		ctip_store_close(s);
		fprintf(stderr, "ctip: the key was rotated, but: ");
		return cli_fail(&e);
	}
	ctip_store_close(s);
	printf("%s: rotated to a new key in %s%s%s\n", c->db, kp,
	       keep_old ? "; the old key is kept in "
	                : " (the old key is gone: backups made "
	                  "before now need it)",
	       keep_old ? old : "");
	return 0;
fail:
	ctip_crypto_free(next);
	unlink(fresh);
	ctip_store_close(s);
	return cli_fail(&e);
}

int cmd_key(int argc, char **argv, struct cli *c)
{
	const char *given = NULL;
	int keep_old = 0;
	if (argc == 3 && !strcmp(argv[1], "recipient")) {
		/* a receiving organisation's key pair for sealed exports (sealed_file.h) */
		ctip_err e = {0};
		if (ctip_recipient_keygen(argv[2], &e))
			return cli_fail(&e);
		fprintf(stderr,
		        "%s.pub: the public key: give it to whoever sends you exports "
		        "(`ctip export --identities sealed --recipient %s.pub`)\n"
		        "%s.secret: the secret key (mode 0600): keep it, and a copy apart; only it "
		        "opens those files (`ctip import --secret-key %s.secret FILE`)\n",
		        argv[2], argv[2], argv[2], argv[2]);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "rotate"))
		return cli_usage("key");
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--new-key") && i + 1 < argc)
			given = argv[++i];
		else if (!strcmp(argv[i], "--keep-old"))
			keep_old = 1;
		else
			return cli_usage("key");
	}
	return rotate(c, given, keep_old);
}
