/*
 * static.c - the web UI at /: files of web/ compiled into the binary
 * (tools/embed), or read from --web DIR during development. "/" is
 * index.html; a path without an extension that is not a file is index.html
 * too (the UI's own routes). Paths with "..", backslashes, control bytes or
 * an escaped NUL are 404, as is everything missing.
 */
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "embedded.h"
#include "server.h"

static const char *mime(const char *path)
{
	static const char *const types[][2] = {
	        {".html", "text/html; charset=utf-8"},
	        {".js", "text/javascript; charset=utf-8"},
	        {".mjs", "text/javascript; charset=utf-8"},
	        {".css", "text/css; charset=utf-8"},
	        {".json", "application/json; charset=utf-8"},
	        {".svg", "image/svg+xml"},
	        {".png", "image/png"},
	        {".jpg", "image/jpeg"},
	        {".ico", "image/x-icon"},
	        {".woff2", "font/woff2"},
	        {".woff", "font/woff"},
	        {".txt", "text/plain; charset=utf-8"},
	        {".map", "application/json; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(*types); i++)
		if (!strcmp(dot, types[i][0]))
			return types[i][1];
	return "application/octet-stream";
}

static int safe(const char *p)
{
	if (p[0] != '/' || strstr(p, "..") || strstr(p, "//") || strlen(p) > 200)
		return 0;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '\\')
			return 0;
	return 1;
}

static int send_buf(struct MHD_Connection *conn, int status, const void *data, size_t len,
                    enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *rs = MHD_create_response_from_buffer(len, (void *)data, mode);
	if (!rs)
		return MHD_NO;
	MHD_add_response_header(rs, "Content-Type", type);
	MHD_add_response_header(rs, "Cache-Control", "no-cache");
	srv_headers(rs, 0);
	int ret = MHD_queue_response(conn, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return ret;
}

static int not_found(struct MHD_Connection *conn)
{
	static const char body[] = "{\"error\":\"not found\"}";
	return send_buf(conn, 404, body, sizeof(body) - 1, MHD_RESPMEM_PERSISTENT,
	                "application/json; charset=utf-8");
}

/* Reads DIR/path; NULL when it is not a regular file. */
static char *read_file(const char *dir, const char *path, size_t *len)
{
	char full[1400];
	snprintf(full, sizeof(full), "%s%s", dir, path);
	int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < 64 * 1024 * 1024 &&
	    (buf = malloc((size_t)st.st_size + 1))) {
		ssize_t n = read(fd, buf, (size_t)st.st_size);
		if (n != st.st_size) {
			free(buf);
			buf = NULL;
		} else {
			*len = (size_t)n;
		}
	}
	close(fd);
	return buf;
}

/* The file for path, embedded or from dir; 0 when found. */
static int lookup(const char *path, const char *dir, const char **data, size_t *len, char **owned)
{
	*owned = NULL;
	if (dir) {
		*owned = read_file(dir, path, len);
		*data = *owned;
		return *owned ? 0 : -1;
	}
	char key[256];
	snprintf(key, sizeof(key), "web%s", path);
	const struct ctip_embedded *f = ctip_embedded_find(key);
	if (!f)
		return -1;
	*data = f->data;
	*len = f->len;
	return 0;
}

int srv_static(void *connection, const char *path, const char *dir)
{
	struct MHD_Connection *conn = connection;
	const char *data;
	size_t len;
	char *owned;
	if (!safe(path))
		return not_found(conn);
	if (!strcmp(path, "/"))
		path = "/index.html";
	const char *last = strrchr(path, '/');
	if (lookup(path, dir, &data, &len, &owned)) {
		if (strchr(last, '.') || lookup("/index.html", dir, &data, &len, &owned))
			return not_found(conn);
		path = "/index.html";
	}
	return send_buf(conn, 200, data, len,
	                owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT, mime(path));
}
