/*
 * sealed_file.h - export files encrypted to a recipient's public key (`ctip export
 * --identities sealed --recipient KEY.pub`, `ctip import --secret-key KEY.secret`), and the
 * recipient's key pair (`ctip key recipient NAME`). libsodium: a fresh secretstream key
 * (XChaCha20-Poly1305) encrypts the file in 64 KiB chunks, and that key is sealed to the
 * recipient's X25519 public key (crypto_box_seal), so only the holder of the secret key opens
 * the file, and a chunk altered, removed, reordered or cut off the end is refused.
 *
 * Layout: "CTIP-SEALED-1\n", one byte for the inner format ('c' CSV, 'j' JSON, 'k' a key
 * file in a backup, backup.h), the sealed
 * stream key (80 bytes), the stream header (24 bytes), then chunks: 4 bytes big-endian
 * length, then the ciphertext; the last chunk carries the FINAL tag.
 */
#ifndef CTIP_SEALED_FILE_H
#define CTIP_SEALED_FILE_H

#include <stdio.h>

#include "error.h"

#define CTIP_SEALED_MAGIC "CTIP-SEALED-1\n"

/* Writes a new key pair: NAME.pub (to give to whoever sends files) and NAME.secret (mode
 * 0600, kept by the recipient); neither file may exist yet. */
int ctip_recipient_keygen(const char *name, ctip_err *e);

/* A stream that encrypts what is written to it to the public key in pub_path and writes it
 * to out (left open; flushed at fclose of the returned stream, which reports a write error
 * by returning EOF). fmt: 'c' or 'j'. */
FILE *ctip_sealed_writer(FILE *out, const char *pub_path, char fmt, ctip_err *e);

/* Whether the file at path begins with CTIP_SEALED_MAGIC. */
int ctip_is_sealed(const char *path);

/* A stream of the plaintext of the sealed file at path, opened with the secret key in
 * sec_path; *fmt gets 'c' or 'j'. A read error (ferror) after an altered or cut file. */
FILE *ctip_sealed_reader(const char *path, const char *sec_path, char *fmt, ctip_err *e);

#endif
