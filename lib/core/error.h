/*
 * error.h - the one error type of ctip.
 *
 * Every library function that can fail takes a `ctip_err *` and returns a
 * non-zero ctip code on failure, after filling in what went wrong and where:
 * the input file and line, the column or field, and a human-readable reason.
 * Front ends print it with ctip_err_print(); nothing below the CLI prints.
 */
#ifndef CTIP_ERROR_H
#define CTIP_ERROR_H

#include <stdarg.h>
#include <stdio.h>

enum ctip_code {
	CTIP_OK = 0,
	CTIP_EINVAL,    /* bad input: the user can fix it */
	CTIP_EIO,       /* a file could not be read or written */
	CTIP_EDB,       /* the database refused or failed */
	CTIP_ENOMEM,    /* out of memory */
	CTIP_ENOTFOUND, /* no such record */
	CTIP_EDENIED,   /* the account may not do this (its role or organisation) */
	CTIP_ECONFLICT  /* the record changed since it was read (its version): reload, redo */
};

typedef struct ctip_err {
	int code;
	char file[256]; /* input file, "" if none */
	long line;      /* 1-based line in file, 0 if none */
	char field[64]; /* column or field name, "" if none */
	char msg[512];
} ctip_err;

void ctip_err_clear(ctip_err *e);
/* Sets e (when not NULL) and returns code, so callers can `return ctip_err_set(...)`. */
int ctip_err_set(ctip_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ctip_err_setv(ctip_err *e, int code, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));
/* Same, with the position of the input that caused it. */
int ctip_err_at(ctip_err *e, int code, const char *file, long line, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Writes "FILE:LINE: field: message" (the parts that are set) and a newline. */
void ctip_err_print(const ctip_err *e, FILE *out);
const char *ctip_code_str(int code);

#endif
