/*
 * test_crypto.c - unit tests of lib/crypto.c: sealing and opening, tamper detection (a
 * flipped byte, another place, another key), blind indexes (deterministic, separated by
 * key and by domain), packing, and the key file (mode 0600, refused when others may read it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crypto.h"

static ctip_crypto *with_key(unsigned char fill)
{
	unsigned char k[CTIP_KEY_BYTES];
	memset(k, fill, sizeof(k));
	ctip_crypto *c = ctip_crypto_from_key(k);
	assert_non_null(c);
	return c;
}

static const char msg[] = "Lò Thị Mây, bản Nà Phìn";
static const char place[] = "person.identity:42";

static void test_seal_opens_with_same_key_and_place(void **st)
{
	ctip_crypto *c = with_key(1);
	unsigned char b[sizeof(msg) + CTIP_SEAL_OVERHEAD], out[sizeof(msg)];
	ctip_seal(c, msg, sizeof(msg), place, strlen(place), b);
	assert_null(memmem(b, sizeof(b), "Mây", strlen("Mây"))); /* not in clear */
	assert_int_equal(ctip_unseal(c, b, sizeof(b), place, strlen(place), out), 0);
	assert_memory_equal(out, msg, sizeof(msg));
	/* two seals of one value differ (random nonces) */
	unsigned char b2[sizeof(b)];
	ctip_seal(c, msg, sizeof(msg), place, strlen(place), b2);
	assert_memory_not_equal(b, b2, sizeof(b));
	ctip_crypto_free(c);
}

static void test_seal_detects_tampering(void **st)
{
	ctip_crypto *c = with_key(1), *other = with_key(2);
	unsigned char b[sizeof(msg) + CTIP_SEAL_OVERHEAD], out[sizeof(msg)];
	ctip_seal(c, msg, sizeof(msg), place, strlen(place), b);
	for (size_t i = 0; i < sizeof(b); i++) { /* every flipped byte is caught */
		b[i] ^= 0x04;
		assert_int_equal(ctip_unseal(c, b, sizeof(b), place, strlen(place), out), -1);
		b[i] ^= 0x04;
	}
	/* moved to another record or column */
	assert_int_equal(ctip_unseal(c, b, sizeof(b), "person.identity:43", 18, out), -1);
	assert_int_equal(ctip_unseal(c, b, sizeof(b), "case_comment.body:42", 20, out), -1);
	/* another key */
	assert_int_equal(ctip_unseal(other, b, sizeof(b), place, strlen(place), out), -1);
	/* truncated */
	assert_int_equal(ctip_unseal(c, b, CTIP_SEAL_OVERHEAD - 1, place, strlen(place), out), -1);
	assert_int_equal(ctip_unseal(c, b, sizeof(b) - 1, place, strlen(place), out), -1);
	/* and the untouched one still opens */
	assert_int_equal(ctip_unseal(c, b, sizeof(b), place, strlen(place), out), 0);
	ctip_crypto_free(c);
	ctip_crypto_free(other);
}

static void test_blind_index(void **st)
{
	ctip_crypto *c = with_key(1), *c2 = with_key(1), *other = with_key(2);
	unsigned char a[CTIP_BIDX_BYTES], b[CTIP_BIDX_BYTES];
	ctip_bidx(c, CTIP_BIDX_DOCNO, "038198001234", 12, a);
	ctip_bidx(c2, CTIP_BIDX_DOCNO, "038198001234", 12, b);
	assert_memory_equal(a, b, sizeof(a)); /* deterministic for one key */
	ctip_bidx(other, CTIP_BIDX_DOCNO, "038198001234", 12, b);
	assert_memory_not_equal(a, b, sizeof(a)); /* another key, another index */
	ctip_bidx(c, CTIP_BIDX_PHONE, "038198001234", 12, b);
	assert_memory_not_equal(a, b, sizeof(a)); /* domains are separate */
	ctip_bidx(c, CTIP_BIDX_DOCNO, "038198001235", 12, b);
	assert_memory_not_equal(a, b, sizeof(a));

	char t1[CTIP_BIDX_TOKEN], t2[CTIP_BIDX_TOKEN];
	ctip_bidx_token(c, "nguyen", 6, t1);
	ctip_bidx_token(c2, "nguyen", 6, t2);
	assert_string_equal(t1, t2);
	assert_int_equal(strlen(t1), CTIP_BIDX_TOKEN - 1);
	assert_int_equal(strspn(t1, "abcdefghijklmnopqrstuvwxyz234567"), CTIP_BIDX_TOKEN - 1);
	ctip_bidx_token(other, "nguyen", 6, t2);
	assert_string_not_equal(t1, t2);

	char *all = ctip_bidx_tokens(c, "  nguyen  sy hanh ");
	assert_non_null(all);
	assert_int_equal(strlen(all), 3 * (CTIP_BIDX_TOKEN - 1) + 2);
	assert_memory_equal(all, t1, CTIP_BIDX_TOKEN - 1);
	assert_null(strstr(all, "nguyen"));
	free(all);
	all = ctip_bidx_tokens(c, "");
	assert_string_equal(all, "");
	free(all);
	ctip_crypto_free(c);
	ctip_crypto_free(c2);
	ctip_crypto_free(other);
}

static void test_key_check_value(void **st)
{
	ctip_crypto *c = with_key(1), *c2 = with_key(1), *other = with_key(2);
	char a[CTIP_KEY_CHECK], b[CTIP_KEY_CHECK];
	ctip_crypto_check_value(c, a);
	ctip_crypto_check_value(c2, b);
	assert_string_equal(a, b);
	ctip_crypto_check_value(other, b);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 64);
	ctip_crypto_free(c);
	ctip_crypto_free(c2);
	ctip_crypto_free(other);
}

static void test_pack_roundtrip(void **st)
{
	char long_name[300];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	const char *v[5] = {"Nguyễn", NULL, "", long_name, "Hạnh"};
	size_t n = ctip_pack_size(v, 5);
	unsigned char *b = malloc(n);
	assert_int_equal(ctip_pack(v, 5, b), n);
	char *out[5];
	assert_int_equal(ctip_unpack(b, n, out, 5), 0);
	assert_string_equal(out[0], "Nguyễn");
	assert_null(out[1]);
	assert_string_equal(out[2], "");
	assert_string_equal(out[3], long_name);
	assert_string_equal(out[4], "Hạnh");
	for (int i = 0; i < 5; i++)
		free(out[i]);
	/* malformed: truncated, or trailing bytes */
	assert_int_equal(ctip_unpack(b, n - 1, out, 5), -1);
	assert_int_equal(ctip_unpack(b, n, out, 4), -1);
	free(b);
}

static void test_key_file(void **st)
{
	char dir[] = "/tmp/ctip-key-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	ctip_err e = {0};
	ctip_crypto *c = NULL, *c2 = NULL;
	assert_int_equal(ctip_crypto_load(path, &c, &e), CTIP_ENOTFOUND);
	assert_int_equal(ctip_key_create(path, &e), CTIP_OK);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_not_equal(ctip_key_create(path, &e), CTIP_OK); /* never overwritten */
	assert_int_equal(ctip_crypto_load(path, &c, &e), CTIP_OK);
	assert_int_equal(ctip_crypto_load(path, &c2, &e), CTIP_OK);
	char a[CTIP_KEY_CHECK], b[CTIP_KEY_CHECK];
	ctip_crypto_check_value(c, a);
	ctip_crypto_check_value(c2, b);
	assert_string_equal(a, b);
	ctip_crypto_free(c2);
	c2 = NULL;
	/* readable by the group: refused, saying why */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(ctip_crypto_load(path, &c2, &e), CTIP_EINVAL);
	assert_null(c2);
	assert_non_null(strstr(e.msg, "chmod 600"));
	/* not a key */
	assert_int_equal(chmod(path, 0600), 0);
	FILE *f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	assert_int_equal(ctip_crypto_load(path, &c2, &e), CTIP_EINVAL);
	unlink(path);
	rmdir(dir);
	ctip_crypto_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_seal_opens_with_same_key_and_place),
	        cmocka_unit_test(test_seal_detects_tampering),
	        cmocka_unit_test(test_blind_index),
	        cmocka_unit_test(test_key_check_value),
	        cmocka_unit_test(test_pack_roundtrip),
	        cmocka_unit_test(test_key_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
