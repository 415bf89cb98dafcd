/*
 * sealed_file.c - export files sealed to a recipient's public key (see sealed_file.h).
 */
#define _GNU_SOURCE
#include "sealed_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK   65536
#define PUB_TAG "ctip-recipient-public-1 "
#define SEC_TAG "ctip-recipient-secret-1 "

static int write_key(const char *path, const char *tag, const unsigned char *k, size_t n,
                     mode_t mode, ctip_err *e)
{
	char hex[2 * crypto_box_SECRETKEYBYTES + 1];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0)
		return ctip_err_set(
		        e, CTIP_EIO, "%s: %s%s", path, strerror(errno),
		        errno == EEXIST ? " (it is never overwritten: choose another name)" : "");
	sodium_bin2hex(hex, sizeof(hex), k, n);
	FILE *f = fdopen(fd, "w");
	int bad = !f || fprintf(f, "%s%s\n", tag, hex) < 0;
	if (f ? fclose(f) : close(fd))
		bad = 1;
	sodium_memzero(hex, sizeof(hex));
	return bad ? ctip_err_set(e, CTIP_EIO, "%s: cannot write the key", path) : CTIP_OK;
}

int ctip_recipient_keygen(const char *name, ctip_err *e)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
	char pub[4096], sec[4096];
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	snprintf(pub, sizeof(pub), "%s.pub", name);
	snprintf(sec, sizeof(sec), "%s.secret", name);
	crypto_box_keypair(pk, sk);
	int rc = write_key(sec, SEC_TAG, sk, sizeof(sk), 0600, e);
	if (!rc && (rc = write_key(pub, PUB_TAG, pk, sizeof(pk), 0644, e)))
		unlink(sec);
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

/* Reads a key file written by ctip_recipient_keygen. */
static int read_key(const char *path, const char *tag, unsigned char *k, size_t n, ctip_err *e)
{
	char line[256];
	size_t got = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return ctip_err_set(e, CTIP_EIO, "%s: %s", path, strerror(errno));
	int ok = fgets(line, sizeof(line), f) && !strncmp(line, tag, strlen(tag));
	fclose(f);
	if (ok) {
		char *h = line + strlen(tag);
		h[strcspn(h, "\r\n")] = 0;
		ok = !sodium_hex2bin(k, n, h, strlen(h), NULL, &got, NULL) && got == n;
	}
	sodium_memzero(line, sizeof(line));
	if (!ok)
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "%s: not a recipient's %s key (made by `ctip key recipient NAME`: "
		        "NAME.pub to seal, NAME.secret to open)",
		        path, strstr(tag, "public") ? "public" : "secret");
	return CTIP_OK;
}

/* ---- writing ---- */

struct wcookie {
	FILE *out;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char buf[CHUNK];
	size_t n;
	int bad;
};

static int push(struct wcookie *w, unsigned char tag)
{
	unsigned char c[CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES], len[4];
	unsigned long long cl;
	crypto_secretstream_xchacha20poly1305_push(&w->st, c, &cl, w->buf, w->n, NULL, 0, tag);
	for (int i = 0; i < 4; i++)
		len[i] = (unsigned char)(cl >> (24 - 8 * i));
	if (fwrite(len, 1, 4, w->out) != 4 || fwrite(c, 1, (size_t)cl, w->out) != cl)
		w->bad = 1;
	sodium_memzero(w->buf, w->n);
	w->n = 0;
	return w->bad ? -1 : 0;
}

static ssize_t w_write(void *cookie, const char *b, size_t n)
{
	struct wcookie *w = cookie;
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < CHUNK - w->n ? n - done : CHUNK - w->n;
		memcpy(w->buf + w->n, b + done, k);
		w->n += k;
		done += k;
		if (w->n == CHUNK && push(w, 0))
			return -1;
	}
	return (ssize_t)n;
}

static int w_close(void *cookie)
{
	struct wcookie *w = cookie;
	int rc = push(w, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	if (fflush(w->out) || ferror(w->out))
		rc = -1;
	sodium_memzero(&w->st, sizeof(w->st));
	free(w);
	return rc ? EOF : 0;
}

FILE *ctip_sealed_writer(FILE *out, const char *pub_path, char fmt, ctip_err *e)
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char sealed[crypto_box_SEALBYTES + sizeof(key)];
	unsigned char hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	if (sodium_init() < 0) {
		ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
		return NULL;
	}
	if (read_key(pub_path, PUB_TAG, pk, sizeof(pk), e))
		return NULL;
	struct wcookie *w = calloc(1, sizeof(*w));
	if (!w) {
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		return NULL;
	}
	w->out = out;
	crypto_secretstream_xchacha20poly1305_keygen(key);
	crypto_box_seal(sealed, key, sizeof(key), pk);
	crypto_secretstream_xchacha20poly1305_init_push(&w->st, hdr, key);
	sodium_memzero(key, sizeof(key));
	if (fputs(CTIP_SEALED_MAGIC, out) < 0 || fputc(fmt, out) == EOF ||
	    fwrite(sealed, 1, sizeof(sealed), out) != sizeof(sealed) ||
	    fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr)) {
		free(w);
		ctip_err_set(e, CTIP_EIO, "write error");
		return NULL;
	}
	cookie_io_functions_t io = {.write = w_write, .close = w_close};
	FILE *f = fopencookie(w, "w", io);
	if (!f) {
		free(w);
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	return f;
}

/* ---- reading ---- */

int ctip_is_sealed(const char *path)
{
	char m[sizeof(CTIP_SEALED_MAGIC)] = "";
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(m, 1, sizeof(m) - 1, f);
	fclose(f);
	return n == sizeof(m) - 1 && !memcmp(m, CTIP_SEALED_MAGIC, n);
}

struct rcookie {
	FILE *in;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char buf[CHUNK];
	size_t n, at;
	int final;
};

static ssize_t r_read(void *cookie, char *b, size_t n)
{
	struct rcookie *r = cookie;
	while (r->at == r->n) {
		if (r->final)
			return 0;
		unsigned char len[4], c[CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES];
		unsigned long long ml;
		unsigned char tag;
		if (fread(len, 1, 4, r->in) != 4)
			return -1; /* ends before the final chunk: cut */
		size_t cl =
		        (size_t)len[0] << 24 | (size_t)len[1] << 16 | (size_t)len[2] << 8 | len[3];
		if (cl < crypto_secretstream_xchacha20poly1305_ABYTES || cl > sizeof(c) ||
		    fread(c, 1, cl, r->in) != cl ||
		    crypto_secretstream_xchacha20poly1305_pull(&r->st, r->buf, &ml, &tag, c, cl,
		                                               NULL, 0))
			return -1;
		r->n = (size_t)ml;
		r->at = 0;
		r->final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
		if (r->final && fgetc(r->in) != EOF)
			return -1; /* something after the end */
	}
	size_t k = n < r->n - r->at ? n : r->n - r->at;
	memcpy(b, r->buf + r->at, k);
	r->at += k;
	return (ssize_t)k;
}

static int r_close(void *cookie)
{
	struct rcookie *r = cookie;
	fclose(r->in);
	sodium_memzero(r, sizeof(*r));
	free(r);
	return 0;
}

FILE *ctip_sealed_reader(const char *path, const char *sec_path, char *fmt, ctip_err *e)
{
	unsigned char sk[crypto_box_SECRETKEYBYTES], pk[crypto_box_PUBLICKEYBYTES];
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char sealed[crypto_box_SEALBYTES + sizeof(key)];
	unsigned char hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	char m[sizeof(CTIP_SEALED_MAGIC)];
	if (sodium_init() < 0) {
		ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
		return NULL;
	}
	if (read_key(sec_path, SEC_TAG, sk, sizeof(sk), e))
		return NULL;
	crypto_scalarmult_base(pk, sk);
	struct rcookie *r = calloc(1, sizeof(*r));
	FILE *in = fopen(path, "rb");
	int c = 0, ok = r && in && fread(m, 1, sizeof(m) - 1, in) == sizeof(m) - 1 &&
	                !memcmp(m, CTIP_SEALED_MAGIC, sizeof(m) - 1) && (c = fgetc(in)) != EOF &&
	                (c == 'c' || c == 'j' || c == 'k') &&
	                fread(sealed, 1, sizeof(sealed), in) == sizeof(sealed) &&
	                fread(hdr, 1, sizeof(hdr), in) == sizeof(hdr);
	int opened = ok && !crypto_box_seal_open(key, sealed, sizeof(sealed), pk, sk) &&
	             !crypto_secretstream_xchacha20poly1305_init_pull(&r->st, hdr, key);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(key, sizeof(key));
	if (!opened) {
		if (!ok)
			ctip_err_set(e, CTIP_EINVAL, "%s: not a sealed ctip export, or cut short",
			             path);
		else
			ctip_err_set(
			        e, CTIP_EINVAL,
			        "%s: this secret key does not open it (it was sealed to another "
			        "recipient's public key)",
			        path);
		if (in)
			fclose(in);
		free(r);
		return NULL;
	}
	r->in = in;
	*fmt = (char)c;
	cookie_io_functions_t io = {.read = r_read, .close = r_close};
	FILE *f = fopencookie(r, "r", io);
	if (!f) {
		r_close(r);
		ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	}
	return f;
}
