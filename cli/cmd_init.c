/*
 * cmd_init.c - `ctip init`: creates the database (and its directory), runs
 * the migrations it lacks and (re)loads the reference data compiled into the
 * binary. Running it again is harmless.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>

#include "audit.h"
#include "cli.h"

static ctip_crypto *key; /* until the store takes it */
static int key_created;
static int key_unchecked; /* the database has no key check value yet: init stores it */

/* mkdir -p of the directory part of path */
static int make_parent(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = 0;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) && errno != EEXIST ? -1 : 0;
}

/* The key: the key file when it exists, else a new one, unless the database already has
 * sealed data (a new key would never open it). The key is checked against the database
 * when the database has a key check value; init stores one otherwise. */
static int open_key(struct cli *c, ctip_store *s, ctip_err *e)
{
	const char *kp = cli_key_path(c);
	if (!*kp)
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "%s: a database server keeps no key file beside it: give the key "
		        "file with --key PATH or CTIP_KEY (init creates it when missing)",
		        c->db);
	int rc = ctip_crypto_load(kp, &key, e);
	if (rc == CTIP_ENOTFOUND) {
		int needed;
		if ((rc = s->ops->key_needed(s, &needed, e)))
			return rc;
		if (needed)
			return ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: key file not found, but %s holds encrypted "
			        "identities: restore the key file, or give its path with "
			        "--key or CTIP_KEY. No new key is made: it would not open "
			        "them",
			        kp, c->db);
		if ((rc = make_parent(kp)) || (rc = ctip_key_create(kp, e)) ||
		    (rc = ctip_crypto_load(kp, &key, e)))
			return rc < 0 ? ctip_err_set(e, CTIP_EIO,
			                             "cannot create the directory of %s", kp)
			              : rc;
		key_created = 1;
	} else if (rc) {
		return rc;
	}
	int needed;
	if ((rc = s->ops->key_needed(s, &needed, e)))
		return rc;
	if (!needed) {
		/* the migration seals records in clear with it; its check value is stored after */
		s->crypto = key;
		key = NULL;
		key_unchecked = 1;
		return CTIP_OK;
	}
	/* check it now, before anything is migrated */
	rc = s->ops->key_bind(s, key, 0, e);
	key = NULL;
	return rc;
}

int cmd_init(int argc, char **argv, struct cli *c)
{
	ctip_err e = {0};
	ctip_store *s = NULL;
	ctip_ref *ref = NULL;
	int from, to, rc;
	if (argc > 1)
		return cli_usage("init");
	if (!ctip_store_is_url(c->db) && make_parent(c->db)) {
		fprintf(stderr, "ctip: cannot create the directory of %s: %s\n", c->db,
		        strerror(errno));
		return 3;
	}
	if (!(rc = ctip_store_open(c->db, 1, &s, &e)))
		s->command = c->command;
	if (rc || (rc = open_key(c, s, &e)) || (rc = s->ops->migrate(s, &from, &to, &e)))
		goto fail;
	if (!(ref = ctip_ref_new())) {
		rc = ctip_err_set(&e, CTIP_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = ctip_ref_load_embedded(ref, &e)) || (rc = s->ops->begin(s, &e)))
		goto fail;
	rc = s->ops->ref_save(s, ref, &e);
	if (!rc && key_unchecked) /* a new key, or one for a database without a check value */
		rc = s->ops->key_bind(s, s->crypto, 1, &e);
	if (rc || (rc = s->ops->commit(s, &e))) {
		s->ops->rollback(s);
		goto fail;
	}
	/* A new registry's log begins with its creation and a random id: the first entry then
	 * names this registry alone (a standby's --audit-db must be its own primary's log, which
	 * is told by its first entry: two registries begun in the same second with the same
	 * first change had the same one). */
	if (from == 0) {
		unsigned char rnd[16];
		char id[2 * sizeof(rnd) + 1];
		if (sodium_init() < 0) {
			rc = ctip_err_set(&e, CTIP_EIO, "libsodium failed to initialise");
			goto fail;
		}
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(id, sizeof(id), rnd, sizeof(rnd));
		if ((rc = ctip_audit(s, NULL, "registry_create", "registry", id, &e)))
			goto fail;
	}
	const struct ctip_ref_entry **all;
	int n = ctip_ref_list(ref, NULL, &all), nv = 0;
	for (int i = 0; i < n; i++)
		nv += i == 0 || strcmp(all[i]->vocab, all[i - 1]->vocab) != 0;
	free(all);
	if (key_created)
		printf("%s: new key file (mode 0600); keep a copy apart from the database: without "
		       "it the identities cannot be read\n",
		       cli_key_path(c));
	if (from == to)
		printf("%s: schema version %d is current\n", c->db, to);
	else
		printf("%s: schema migrated from version %d to %d\n", c->db, from, to);
	printf("%s: %d vocabularies loaded (%d values)\n", c->db, nv, n);
	ctip_ref_free(ref);
	ctip_store_close(s);
	return 0;
fail:
	ctip_crypto_free(key);
	key = NULL;
	ctip_ref_free(ref);
	ctip_store_close(s);
	return cli_fail(&e);
}
