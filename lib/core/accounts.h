/*
 * accounts.h - user accounts: roles and password hashing (Argon2id, libsodium).
 */
#ifndef CTIP_ACCOUNTS_H
#define CTIP_ACCOUNTS_H

#include "store.h"

/* 1 if role is one of caseworker, supervisor, analyst, auditor, admin. */
int ctip_role_valid(const char *role);
/* Creates an account of organisation org (which must exist) with an Argon2id hash of password.
 * Refuses passwords shorter than 10 characters. */
int ctip_account_add(ctip_store *s, const char *username, const char *org, const char *role,
                     const char *password, ctip_err *e);

/* The Argon2id hash of a new password into out (CTIP_PWHASH_LEN bytes, NUL-terminated);
 * refuses passwords shorter than 10 characters (CTIP_EINVAL, the message says so). */
#define CTIP_PWHASH_LEN 128
int ctip_password_hash(const char *password, char out[CTIP_PWHASH_LEN], ctip_err *e);

#endif
