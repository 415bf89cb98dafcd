/*
 * backup.h - backups of a registry, their verification and restore, and moving a registry
 * between back ends (`ctip backup`, `ctip restore`, `ctip store copy`; docs/DEPLOYMENT.md).
 *
 * A backup is a directory: manifest.json (the back end, the schema version, the rows of
 * every table, the audit log's length and head, and the size and SHA-256 of every file),
 * the data files, and, only when asked for, the key file sealed with a passphrase
 * (Argon2id, XChaCha20-Poly1305) or to a recipient's public key (sealed_file.h).
 *   SQLite:      registry.db and registry.db.audit, written by SQLite's online backup API
 *                (sqlite3_backup_*) from one read transaction over both files.
 *   PostgreSQL:  tables/NAME.copy, every table in COPY text format, read in one REPEATABLE
 *                READ, READ ONLY transaction (one snapshot): no pg_dump needed (its version
 *                must match the server's), the same connection and rights as ctip's, and
 *                the rows of each table counted and hashed as they are written.
 * The identities in a backup are sealed as they are in the registry: without the key (and
 * the key only travels sealed) a stolen backup reveals no name, document or phone.
 */
#ifndef CTIP_BACKUP_H
#define CTIP_BACKUP_H

#include <jansson.h>

#include "error.h"

#define CTIP_BACKUP_FORMAT "ctip-backup-1"

struct ctip_backup_opts {
	const char *db;         /* the registry: a SQLite file or a postgresql:// URL */
	const char *dest;       /* the backup's directory (must not exist, or be empty) */
	const char *key_path;   /* the key file to include (NULL: none) */
	const char *passphrase; /* seal the key with it, or: */
	const char *recipient;  /* to this public key (KEY.pub) */
};

/* Writes the backup; *manifest (may be NULL) gets the manifest written (json_decref it). */
int ctip_backup(const struct ctip_backup_opts *o, json_t **manifest, ctip_err *e);

/* Checks a backup: the manifest, every file's size and SHA-256, the rows of every table and
 * the audit log's hash chain up to the head the manifest names. *manifest as above. */
int ctip_backup_verify(const char *dir, json_t **manifest, ctip_err *e);

struct ctip_restore_opts {
	const char *src;        /* the backup's directory */
	const char *target;     /* a SQLite file or a postgresql:// URL */
	const char *key_out;    /* where the key goes (NULL: not restored) */
	const char *passphrase; /* opens a key sealed with a passphrase, or: */
	const char *secret_key; /* one sealed to a public key (KEY.secret) */
	int force;              /* replace a registry already at target */
};

/* Verifies the backup, then brings it back at target (refusing a target that holds a
 * registry unless force) and, when asked, the key. The caller then checks the audit chain
 * and appends the restore to it. *key_restored: whether the key file was written. */
int ctip_restore(const struct ctip_restore_opts *o, int *key_restored, ctip_err *e);

/* SQL that drops every table, view and function of the current schema (a restore with
 * --force; a store copy that failed after it made the target's schema). */
extern const char ctip_pg_drop_all[];

/* Copies the registry at from to a new, empty registry of the other back end at to (SQLite
 * to PostgreSQL: store_copy.c; PostgreSQL to a new SQLite file: store_copy_sqlite.c), table
 * by table with the ids, the sealed values and the audit log as they are; the target gets
 * ctip's schema first. Counts every table's rows on both sides at the end. The name indexes,
 * which differ between the back ends, are rebuilt under key_path. *report: {"tables": {name:
 * rows}, "audit": {"entries": n}}. */
int ctip_store_copy(const char *from, const char *to, const char *key_path, int force,
                    json_t **report, ctip_err *e);
int ctip_store_copy_to_sqlite(const char *from, const char *to, const char *key_path,
                              json_t **report, ctip_err *e);

/* The back ends' parts (backup_sqlite.c, backup_pg.c). m is the manifest being written or
 * read; files are added to m's "files" by name, relative to dir. */
int ctip_backup_sqlite(const char *db, const char *dir, json_t *m, ctip_err *e);
int ctip_backup_pg(const char *url, const char *dir, json_t *m, ctip_err *e);
int ctip_verify_sqlite(const char *dir, json_t *m, ctip_err *e);
int ctip_verify_pg(const char *dir, json_t *m, ctip_err *e);
int ctip_restore_sqlite(const char *dir, json_t *m, const char *target, int force, ctip_err *e);
int ctip_restore_pg(const char *dir, json_t *m, const char *url, int force, ctip_err *e);

/* Shared by the parts: the SHA-256 (hex) and size of a file. */
int ctip_file_sha256(const char *path, char hex[65], long long *bytes, ctip_err *e);
/* Adds {name, bytes, sha256} of dir/name to m's "files". */
int ctip_backup_add_file(json_t *m, const char *dir, const char *name, ctip_err *e);

/* A hash-chain check over audit entries given in order (as audit.c's, without a store). */
struct ctip_chain {
	long long prev_id;
	char prev_hash[129];
	long n;
};
struct ctip_audit_entry;
int ctip_chain_step(struct ctip_chain *c, const struct ctip_audit_entry *a, ctip_err *e);

#endif
