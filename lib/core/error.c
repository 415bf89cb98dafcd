/*
 * error.c - filling in and printing ctip_err.
 */
#include "error.h"

#include <string.h>

void ctip_err_clear(ctip_err *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

int ctip_err_setv(ctip_err *e, int code, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return code;
}

int ctip_err_set(ctip_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctip_err_setv(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int ctip_err_at(ctip_err *e, int code, const char *file, long line, const char *field,
                const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return code;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	ctip_err_setv(e, code, fmt, ap);
	va_end(ap);
	return code;
}

void ctip_err_print(const ctip_err *e, FILE *out)
{
	if (e->file[0]) {
		fputs(e->file, out);
		if (e->line > 0)
			fprintf(out, ":%ld", e->line);
		fputs(": ", out);
	}
	if (e->field[0])
		fprintf(out, "%s: ", e->field);
	fprintf(out, "%s\n", e->msg[0] ? e->msg : ctip_code_str(e->code));
}

const char *ctip_code_str(int code)
{
	switch (code) {
	case CTIP_OK: return "ok";
	case CTIP_EINVAL: return "invalid input";
	case CTIP_EIO: return "input/output error";
	case CTIP_EDB: return "database error";
	case CTIP_ENOMEM: return "out of memory";
	case CTIP_ENOTFOUND: return "not found";
	case CTIP_EDENIED: return "not allowed";
	case CTIP_ECONFLICT: return "changed by someone else";
	case CTIP_EUNAVAIL: return "database unavailable";
	}
	return "unknown error";
}
