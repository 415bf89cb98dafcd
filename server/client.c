/*
 * client.c - the client address of a request, as the login limiter and the audit log see it.
 *
 * Behind a reverse proxy every request comes from the proxy's address, so limiting failed
 * logins by address would lock out everyone behind it (issue 10). `ctip serve
 * --trusted-proxy ADDR[,ADDR...]` names the proxies whose word is taken: for a request whose
 * peer is one of them, the client is the last address of X-Forwarded-For (the one that proxy
 * appended; earlier ones are the client's own claims), else X-Real-IP. From any other peer
 * those headers are ignored, so a client cannot pick its address. A header that holds no
 * valid address leaves the proxy's own address.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "server.h"

#define MAX_PROXIES 16

static int nproxies;
static char proxies[MAX_PROXIES][INET6_ADDRSTRLEN];

/* addr in its canonical text form (inet_ntop of inet_pton) into out; 0 when valid. */
static int canon(const char *addr, size_t len, char *out, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char bin[sizeof(struct in6_addr)];
	while (len && (*addr == ' ' || *addr == '\t'))
		addr++, len--;
	while (len && (addr[len - 1] == ' ' || addr[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, addr, len);
	buf[len] = 0;
	if (inet_pton(AF_INET, buf, bin) == 1)
		return inet_ntop(AF_INET, bin, out, (socklen_t)n) ? 0 : -1;
	if (inet_pton(AF_INET6, buf, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, (socklen_t)n) ? 0 : -1;
	return -1;
}

int srv_trusted_proxies(const char *list, char *err, size_t errlen)
{
	nproxies = 0;
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (nproxies == MAX_PROXIES) {
			snprintf(err, errlen, "--trusted-proxy: at most %d addresses", MAX_PROXIES);
			return -1;
		}
		if (canon(p, len, proxies[nproxies], sizeof(proxies[0]))) {
			snprintf(err, errlen,
			         "--trusted-proxy: '%.*s' is not an IP address (give the proxy's "
			         "address as it connects, e.g. 127.0.0.1 or ::1; several: "
			         "comma-separated)",
			         (int)(len > 64 ? 64 : len), p);
			return -1;
		}
		nproxies++;
		p = c ? c + 1 : p + len;
	}
	return 0;
}

void srv_client_from_proxy(void *conn, char *client, size_t n)
{
	int trusted = 0;
	for (int i = 0; i < nproxies && !trusted; i++)
		trusted = !strcmp(client, proxies[i]);
	if (!trusted)
		return;
	const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
	if (xff) {
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		if (!canon(last, strlen(last), client, n))
			return;
	}
	const char *real = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Real-IP");
	if (real)
		canon(real, strlen(real), client, n);
}
