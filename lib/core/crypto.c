/*
 * crypto.c - the key file, sub-keys, sealing and blind indexes (crypto.h).
 *
 * Choices, measured on the 2-core machine of docs/BENCHMARKS.md:
 * - XChaCha20-Poly1305-IETF rather than AES-256-GCM: AES-GCM was 0.3 us faster per
 *   short message here, but libsodium offers it only on CPUs with AES-NI, so a database
 *   moved to another machine could become unreadable; its 96-bit nonce also makes
 *   random nonces riskier. XChaCha's 192-bit nonces can be random.
 * - Nonces are random, drawn from the system 4 KiB at a time (one getrandom() per 170
 *   seals instead of one each: that call cost as much as the encryption); a forked child
 *   starts with an empty pool.
 * - Blind indexes are SipHash-2-4 (crypto_shorthash: a keyed PRF with a 64-bit output,
 *   made for short inputs), 20 times cheaper than a keyed BLAKE2b on name tokens.
 */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEAL_VERSION 1
#define NONCE_BYTES  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

/* Sub-key ids of crypto_kdf under the context "ctip-v1\0". */
enum { SUBKEY_AEAD = 1, SUBKEY_BIDX = 2, SUBKEY_CHECK = 3 };

struct ctip_crypto {
	unsigned char aead[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char bidx[crypto_shorthash_KEYBYTES];
	unsigned char check[32];
};

/* Random nonces, drawn in bulk; one pool per thread, so no lock. */
static _Thread_local unsigned char nonce_pool[NONCE_BYTES * 170];
static _Thread_local size_t nonce_left;

/* A forked child must not hand out the nonces left in its parent's pool. */
static void nonce_forget(void)
{
	nonce_left = 0;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_now(void)
{
	init_rc = sodium_init() < 0 ? -1 : 0;
	if (!init_rc)
		pthread_atfork(NULL, NULL, nonce_forget);
}

int ctip_crypto_init(void)
{
	pthread_once(&init_once, init_now);
	return init_rc;
}

static void derive(ctip_crypto *c, const unsigned char key[CTIP_KEY_BYTES])
{
	static const char ctx[crypto_kdf_CONTEXTBYTES] = "ctip-v1";
	crypto_kdf_derive_from_key(c->aead, sizeof(c->aead), SUBKEY_AEAD, ctx, key);
	crypto_kdf_derive_from_key(c->bidx, sizeof(c->bidx), SUBKEY_BIDX, ctx, key);
	crypto_kdf_derive_from_key(c->check, sizeof(c->check), SUBKEY_CHECK, ctx, key);
}

ctip_crypto *ctip_crypto_from_key(const unsigned char key[CTIP_KEY_BYTES])
{
	if (ctip_crypto_init())
		return NULL;
	ctip_crypto *c = sodium_malloc(sizeof(*c)); /* guarded, locked, wiped when freed */
	if (c)
		derive(c, key);
	return c;
}

void ctip_crypto_free(ctip_crypto *c)
{
	if (c)
		sodium_free(c);
}

int ctip_key_create(const char *path, ctip_err *e)
{
	unsigned char key[CTIP_KEY_BYTES];
	char hex[2 * CTIP_KEY_BYTES + 2];
	if (ctip_crypto_init())
		return ctip_err_set(e, CTIP_EIO, "libsodium cannot be initialised");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot create the key file: %s", path,
		                    strerror(errno));
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	size_t n = strlen(hex);
	hex[n++] = '\n';
	/* the umask may have narrowed 0600 but never widens it; make it exactly 0600 */
	int bad = fchmod(fd, 0600) != 0 || write(fd, hex, n) != (ssize_t)n || fsync(fd) != 0;
	sodium_memzero(hex, sizeof(hex));
	if (close(fd) != 0 || bad) {
		int err = errno;
		unlink(path);
		return ctip_err_set(e, CTIP_EIO, "%s: cannot write the key file: %s", path,
		                    strerror(err));
	}
	return CTIP_OK;
}

int ctip_crypto_load(const char *path, ctip_crypto **out, ctip_err *e)
{
	struct stat sb;
	char buf[2 * CTIP_KEY_BYTES + 8];
	unsigned char key[CTIP_KEY_BYTES];
	size_t klen = 0;
	*out = NULL;
	if (ctip_crypto_init())
		return ctip_err_set(e, CTIP_EIO, "libsodium cannot be initialised");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctip_err_set(e, errno == ENOENT ? CTIP_ENOTFOUND : CTIP_EIO,
		                    "%s: cannot open the key file: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ctip_err_set(e, CTIP_EINVAL, "%s: the key file is not a regular file", path);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: the key file may be read by group or others (mode %04o); "
		                    "refusing to use it: run `chmod 600 %s`",
		                    path, (unsigned)(sb.st_mode & 07777), path);
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot read the key file: %s", path,
		                    strerror(errno));
	buf[n] = 0;
	const char *end = NULL;
	int bad = sodium_hex2bin(key, sizeof(key), buf, (size_t)n, NULL, &klen, &end) != 0 ||
	          klen != sizeof(key) || strspn(end, "\r\n") != strlen(end);
	sodium_memzero(buf, sizeof(buf));
	if (bad) {
		sodium_memzero(key, sizeof(key));
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: not a ctip key file (expected 64 hexadecimal digits)",
		                    path);
	}
	*out = ctip_crypto_from_key(key);
	sodium_memzero(key, sizeof(key));
	return *out ? CTIP_OK : ctip_err_set(e, CTIP_ENOMEM, "out of memory");
}

void ctip_crypto_check_value(const ctip_crypto *c, char out[CTIP_KEY_CHECK])
{
	static const char msg[] = "ctip key check v1";
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)msg, sizeof(msg) - 1, c->check,
	                   sizeof(c->check));
	sodium_bin2hex(out, CTIP_KEY_CHECK, h, sizeof(h));
}

static void next_nonce(unsigned char *n)
{
	if (nonce_left == 0) {
		randombytes_buf(nonce_pool, sizeof(nonce_pool));
		nonce_left = sizeof(nonce_pool) / NONCE_BYTES;
	}
	nonce_left--;
	unsigned char *p = nonce_pool + nonce_left * NONCE_BYTES;
	memcpy(n, p, NONCE_BYTES);
	sodium_memzero(p, NONCE_BYTES); /* never handed out twice */
}

/* The associated data: the version byte, then the place. */
static void seal_ad(unsigned char *buf, size_t cap, const char *ad, size_t adlen, size_t *n)
{
	buf[0] = SEAL_VERSION;
	if (adlen > cap - 1)
		adlen = cap - 1;
	memcpy(buf + 1, ad, adlen);
	*n = adlen + 1;
}

void ctip_seal(const ctip_crypto *c, const void *m, size_t mlen, const char *ad, size_t adlen,
               unsigned char *out)
{
	unsigned char a[256];
	size_t an;
	seal_ad(a, sizeof(a), ad, adlen, &an);
	out[0] = SEAL_VERSION;
	next_nonce(out + 1);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 1 + NONCE_BYTES, NULL, m, mlen, a, an,
	                                           NULL, out + 1, c->aead);
}

int ctip_unseal(const ctip_crypto *c, const unsigned char *in, size_t clen, const char *ad,
                size_t adlen, unsigned char *out)
{
	unsigned char a[256];
	size_t an;
	if (clen < CTIP_SEAL_OVERHEAD || in[0] != SEAL_VERSION)
		return -1;
	seal_ad(a, sizeof(a), ad, adlen, &an);
	return crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in + 1 + NONCE_BYTES,
	                                                  clen - 1 - NONCE_BYTES, a, an, in + 1,
	                                                  c->aead) == 0
	               ? 0
	               : -1;
}

void ctip_bidx(const ctip_crypto *c, enum ctip_bidx_domain d, const char *v, size_t n,
               unsigned char out[CTIP_BIDX_BYTES])
{
	unsigned char buf[128], *m = n + 1 <= sizeof(buf) ? buf : malloc(n + 1);
	if (!m) { /* out of memory: hash the domain and the length alone; never a match */
		memset(out, 0, CTIP_BIDX_BYTES);
		return;
	}
	m[0] = (unsigned char)d;
	memcpy(m + 1, v, n);
	crypto_shorthash(out, m, n + 1, c->bidx);
	if (m != buf)
		free(m);
}

static void bidx_token(const ctip_crypto *c, enum ctip_bidx_domain d, const char *tok, size_t n,
                       char out[CTIP_BIDX_TOKEN])
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char h[CTIP_BIDX_BYTES];
	ctip_bidx(c, d, tok, n, h);
	uint64_t x = 0;
	for (int i = 0; i < CTIP_BIDX_BYTES; i++)
		x = x << 8 | h[i];
	/* 64 bits in 13 characters of 5 bits; the first holds the top 4 */
	for (int i = CTIP_BIDX_TOKEN - 2; i >= 0; i--, x >>= 5)
		out[i] = b32[x & 31];
	out[CTIP_BIDX_TOKEN - 1] = 0;
}

void ctip_bidx_token(const ctip_crypto *c, const char *tok, size_t n, char out[CTIP_BIDX_TOKEN])
{
	bidx_token(c, CTIP_BIDX_NAME, tok, n, out);
}

/* The tokens of folded, each hashed in domain d; org_id > 0 prefixes each with the
 * organisation's id and a unit separator. */
static char *bidx_tokens(const ctip_crypto *c, enum ctip_bidx_domain d, int64_t org_id,
                         const char *folded)
{
	size_t ntok = 0;
	for (const char *p = folded; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		ntok++;
		while (*p && *p != ' ')
			p++;
	}
	char *out = malloc(ntok * CTIP_BIDX_TOKEN + 1), *w = out;
	if (!out)
		return NULL;
	char buf[256];
	int pre = org_id > 0 ? snprintf(buf, sizeof(buf), "%lld\x1f", (long long)org_id) : 0;
	for (const char *p = folded; *p;) {
		while (*p == ' ')
			p++;
		const char *t = p;
		while (*p && *p != ' ')
			p++;
		if (p == t)
			break;
		if (w != out)
			*w++ = ' ';
		size_t n = (size_t)(p - t);
		if (pre && (size_t)pre + n <= sizeof(buf)) {
			memcpy(buf + pre, t, n);
			bidx_token(c, d, buf, (size_t)pre + n, w);
		} else if (pre) { /* a token of over 200 bytes: hashed with its prefix apart */
			char *m = malloc((size_t)pre + n);
			if (!m) {
				free(out);
				return NULL;
			}
			memcpy(m, buf, (size_t)pre);
			memcpy(m + pre, t, n);
			bidx_token(c, d, m, (size_t)pre + n, w);
			free(m);
		} else {
			bidx_token(c, d, t, n, w);
		}
		w += CTIP_BIDX_TOKEN - 1;
	}
	*w = 0;
	return out;
}

char *ctip_bidx_tokens(const ctip_crypto *c, const char *folded)
{
	return bidx_tokens(c, CTIP_BIDX_NAME, 0, folded);
}

char *ctip_bidx_org_tokens(const ctip_crypto *c, int64_t org_id, const char *folded)
{
	return bidx_tokens(c, CTIP_BIDX_ORG, org_id, folded);
}

/* The distinct tokens of folded (space-separated), in order of first appearance: malloc'd
 * copies in *tok (free with tokens_free); -1 when out of memory. */
static int tokens_distinct(const char *folded, char ***tok, int *n)
{
	int cap = 8;
	*n = 0;
	if (!(*tok = malloc((size_t)cap * sizeof(**tok))))
		return -1;
	for (const char *p = folded; *p;) {
		while (*p == ' ')
			p++;
		const char *t = p;
		while (*p && *p != ' ')
			p++;
		size_t len = (size_t)(p - t);
		int dup = !len;
		for (int i = 0; i < *n && !dup; i++)
			dup = strlen((*tok)[i]) == len && !memcmp((*tok)[i], t, len);
		if (dup)
			continue;
		if (*n == cap) {
			char **g = realloc(*tok, (size_t)(cap *= 2) * sizeof(**tok));
			if (!g)
				goto oom;
			*tok = g;
		}
		if (!((*tok)[*n] = malloc(len + 1)))
			goto oom;
		memcpy((*tok)[*n], t, len);
		(*tok)[(*n)++][len] = 0;
	}
	return 0;
oom:
	while (*n)
		free((*tok)[--*n]);
	free(*tok);
	*tok = NULL;
	return -1;
}

static void tokens_free(char **tok, int n)
{
	for (int i = 0; i < n; i++)
		free(tok[i]);
	free(tok);
}

/* The pair token of a and b for an organisation: one hash of both, in either order. */
static void pair_token(const ctip_crypto *c, int64_t org_id, const char *a, const char *b,
                       char out[CTIP_BIDX_TOKEN])
{
	if (strcmp(a, b) > 0) {
		const char *x = a;
		a = b;
		b = x;
	}
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%lld\x1f%s\x1f%s", (long long)org_id, a, b);
	if (n < 0 || (size_t)n >= sizeof(buf)) { /* names of over 500 bytes: hashed apart */
		size_t la = strlen(a), lb = strlen(b);
		char *m = malloc(la + lb + 48);
		if (!m) {
			memset(out, 'a',
			       CTIP_BIDX_TOKEN - 1); /* out of memory: matches nothing real */
			out[CTIP_BIDX_TOKEN - 1] = 0;
			return;
		}
		int k = snprintf(m, la + lb + 48, "%lld\x1f%s\x1f%s", (long long)org_id, a, b);
		bidx_token(c, CTIP_BIDX_PAIR, m, (size_t)k, out);
		free(m);
		return;
	}
	bidx_token(c, CTIP_BIDX_PAIR, buf, (size_t)n, out);
}

/* Space-separated tokens of the given pairs of tok (i < j when all, else i and i + 1). */
static char *pair_tokens(const ctip_crypto *c, int64_t org_id, char **tok, int n, int all)
{
	size_t np = n < 2 ? 0 : all ? (size_t)n * (size_t)(n - 1) / 2 : (size_t)n - 1;
	char *out = malloc(np * CTIP_BIDX_TOKEN + 1), *w = out;
	if (!out)
		return NULL;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n && (all || j == i + 1); j++) {
			if (w != out)
				*w++ = ' ';
			pair_token(c, org_id, tok[i], tok[j], w);
			w += CTIP_BIDX_TOKEN - 1;
		}
	*w = 0;
	return out;
}

/* The pair tokens of a name (index: every pair) or of a query (adjacent pairs; one word: its
 * own token). */
static char *org_pairs(const ctip_crypto *c, int64_t org_id, const char *folded, int query)
{
	char **tok;
	int n;
	if (tokens_distinct(folded, &tok, &n))
		return NULL;
	char *out = query && n == 1 ? ctip_bidx_org_tokens(c, org_id, tok[0])
	                            : pair_tokens(c, org_id, tok, n, !query);
	tokens_free(tok, n);
	return out;
}

char *ctip_bidx_org_pairs(const ctip_crypto *c, int64_t org_id, const char *folded)
{
	return org_pairs(c, org_id, folded, 0);
}

char *ctip_bidx_org_query(const ctip_crypto *c, int64_t org_id, const char *folded)
{
	return org_pairs(c, org_id, folded, 1);
}

/* ---- packing --------------------------------------------------------------------- */

static size_t varint_len(size_t v)
{
	size_t n = 1;
	while (v >= 0x80)
		v >>= 7, n++;
	return n;
}

size_t ctip_pack_size(const char *const *v, int n)
{
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		size_t l = v[i] ? strlen(v[i]) : 0;
		len += varint_len(v[i] ? l + 1 : 0) + l;
	}
	return len;
}

size_t ctip_pack(const char *const *v, int n, unsigned char *out)
{
	unsigned char *w = out;
	for (int i = 0; i < n; i++) {
		size_t l = v[i] ? strlen(v[i]) : 0, x = v[i] ? l + 1 : 0;
		while (x >= 0x80) {
			*w++ = (unsigned char)(x | 0x80);
			x >>= 7;
		}
		*w++ = (unsigned char)x;
		memcpy(w, v[i] ? v[i] : "", l);
		w += l;
	}
	return (size_t)(w - out);
}

int ctip_unpack(const unsigned char *in, size_t len, char **v, int n)
{
	size_t at = 0;
	for (int i = 0; i < n; i++)
		v[i] = NULL;
	for (int i = 0; i < n; i++) {
		size_t x = 0;
		int shift = 0;
		for (;;) {
			if (at >= len || shift > 28)
				goto bad;
			unsigned char b = in[at++];
			x |= (size_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		if (x == 0)
			continue;
		if (x - 1 > len - at)
			goto bad;
		if (!(v[i] = malloc(x)))
			goto bad;
		memcpy(v[i], in + at, x - 1);
		v[i][x - 1] = 0;
		at += x - 1;
	}
	if (at == len)
		return 0;
bad:
	for (int i = 0; i < n; i++) {
		free(v[i]);
		v[i] = NULL;
	}
	return -1;
}
