/*
 * cli_out.c - the output file of a command (-o FILE): written to FILE.tmp
 * and renamed into place only when the command succeeded, so a failed export,
 * table or report never leaves half a file where a whole one was expected.
 * Without a path the output is standard output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_out_open(struct cli_out *o, const char *path, int open_file, ctip_err *e)
{
	o->f = stdout;
	o->path = path;
	o->tmp[0] = 0;
	if (!path)
		return CTIP_OK;
	if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", path) >= sizeof(o->tmp))
		return ctip_err_set(e, CTIP_EINVAL, "%s: path too long", path);
	o->f = NULL;
	if (open_file && !(o->f = fopen(o->tmp, "wb")))
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", o->tmp, strerror(errno));
	return CTIP_OK;
}

int cli_out_close(struct cli_out *o, int rc, ctip_err *e)
{
	if (!o->path) {
		if (fflush(stdout) && !rc)
			rc = ctip_err_set(e, CTIP_EIO, "standard output: write error");
		return rc;
	}
	if (o->f && fclose(o->f) && !rc)
		rc = ctip_err_set(e, CTIP_EIO, "%s: write error", o->tmp);
	o->f = NULL;
	if (!rc && rename(o->tmp, o->path))
		rc = ctip_err_set(e, CTIP_EIO, "%s: cannot write: %s", o->path, strerror(errno));
	if (rc)
		remove(o->tmp);
	return rc;
}
