/*
 * server.c - `ctip serve`: the daemon. libmicrohttpd with a pool of threads;
 * each thread opens its own store connection on first use. A request's body
 * is gathered up to 1 MiB (beyond: 413), then /api/ goes to the route table
 * and everything else to the static files of the web UI.
 *
 * The crowd of connections: libmicrohttpd's thread pool polls its sockets with
 * epoll, so a slow or silent client costs a socket, not a thread; it bounds
 * connections in total and per address and closes idle ones. What it lacks,
 * a deadline for a request's headers and body (a client that trickles a
 * header line every few seconds is never idle), is kept here: every
 * connection is watched from its start, and from the end of each request
 * on a kept-alive one, until its request has arrived whole; the reaper thread
 * shuts down the socket of one that is late, and libmicrohttpd, reading the
 * end of the stream, closes it.
 *
 * SIGTERM or SIGINT: answer new requests 503 (the server is stopping), wait
 * for the requests in flight, stop the daemon, let the audit writer commit
 * what is queued, close the database, exit 0. Not MHD_quiesce_daemon: with
 * the thread pool on epoll (libmicrohttpd 0.9.75), a worker that wakes as
 * quiesce begins removes the listening socket from its epoll set itself, and
 * quiesce's own removal then aborts the process ("Failed to remove listen FD
 * from epoll set", seen twice in one CI run).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define MAX_STORES 256

static const struct srv_config *cfg;
static pthread_mutex_t stores_mu = PTHREAD_MUTEX_INITIALIZER;
static ctip_store *stores[MAX_STORES];
static int nstores;
static __thread ctip_store *my_store;
static pthread_mutex_t flight_mu = PTHREAD_MUTEX_INITIALIZER;
static long in_flight;
static int stopping; /* SIGTERM or SIGINT received (atomic) */

/* ---- the request deadline ---- */

struct watch {
	struct watch *prev, *next;
	int fd;
	int receiving;  /* headers or body still to come */
	double started; /* of the request being received (monotonic seconds) */
};
static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cv = PTHREAD_COND_INITIALIZER;
static struct watch watched = {&watched, &watched, -1, 0, 0};
static int reaper_stop;
static unsigned long long reaped;
static unsigned request_timeout; /* seconds */

static double now_mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct watch *w = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(w = calloc(1, sizeof(*w))))
			return; /* not watched: the idle timeout still applies */
		w->fd = ci->connect_fd;
		w->receiving = 1;
		w->started = now_mono();
		pthread_mutex_lock(&watch_mu);
		w->next = &watched;
		w->prev = watched.prev;
		watched.prev->next = w;
		watched.prev = w;
		pthread_mutex_unlock(&watch_mu);
		*socket_context = w;
	} else if (w) {
		/* called before libmicrohttpd closes the socket: the reaper, which holds
		 * watch_mu while it shuts sockets down, never touches a number reused since */
		pthread_mutex_lock(&watch_mu);
		w->prev->next = w->next;
		w->next->prev = w->prev;
		pthread_mutex_unlock(&watch_mu);
		free(w);
		*socket_context = NULL;
	}
}

/* Marks the connection's request as received whole (received 0) or a new one as begun. */
static void watch_mark(struct MHD_Connection *conn, int receiving)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct watch *w = ci ? ci->socket_context : NULL;
	if (!w)
		return;
	pthread_mutex_lock(&watch_mu);
	w->receiving = receiving;
	if (receiving)
		w->started = now_mono();
	pthread_mutex_unlock(&watch_mu);
}

/* libmicrohttpd's messages, at most 5 a minute: a crowd refused at the limits would
 * otherwise write a line per connection (and fill the log, or block on a full pipe). */
/* (fmt is libmicrohttpd's: the attribute tells clang's -Wformat-nonliteral so) */
static void __attribute__((format(printf, 2, 0))) mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static double window;
	static unsigned shown, dropped;
	(void)cls;
	double t = now_mono();
	pthread_mutex_lock(&mu);
	if (t - window >= 60) {
		if (dropped)
			fprintf(stderr,
			        "ctip serve: %u more libmicrohttpd message(s) in the last "
			        "minute not shown (connections refused at the limits?)\n",
			        dropped);
		window = t;
		shown = dropped = 0;
	}
	if (shown < 5) {
		shown++;
		fputs("ctip serve: ", stderr);
		vfprintf(stderr, fmt, ap);
	} else {
		dropped++;
	}
	pthread_mutex_unlock(&mu);
}

static void *reaper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&watch_mu);
	while (!reaper_stop) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		struct timespec until = {tv.tv_sec + 1, (long)tv.tv_usec * 1000};
		pthread_cond_timedwait(&watch_cv, &watch_mu, &until);
		double late = now_mono() - (double)request_timeout;
		for (struct watch *w = watched.next; w != &watched; w = w->next)
			if (w->receiving && w->started < late) {
				shutdown(w->fd, SHUT_RDWR);
				w->receiving = 0;
				reaped++;
			}
	}
	pthread_mutex_unlock(&watch_mu);
	return NULL;
}

/* This thread's connection, opened on first use. */
static ctip_store *thread_store(ctip_err *e)
{
	if (my_store)
		return my_store;
	pthread_mutex_lock(&stores_mu);
	if (nstores == MAX_STORES)
		ctip_err_set(e, CTIP_EDB, "too many database connections");
	else if (cfg->open(cfg->open_ctx, &my_store, e) == 0)
		stores[nstores++] = my_store;
	else if (e->code != CTIP_EUNAVAIL) /* an outage's reason is in e, said by srv_fail */
		ctip_err_set(e, CTIP_EUNAVAIL, "%s: cannot open the database", cfg->db);
	/* a connection that cannot take the server's role must not serve */
	if (my_store && my_store->srv->isolate(my_store, e)) {
		fputs("ctip serve: ", stderr);
		ctip_err_print(e, stderr);
		stores[--nstores] = NULL;
		ctip_store_close(my_store);
		my_store = NULL;
	}
	if (my_store && my_store->srv->tune(my_store, e)) {
		fputs("ctip serve: ", stderr);
		ctip_err_print(e, stderr); /* slower, not wrong: carry on */
	}
	pthread_mutex_unlock(&stores_mu);
	return my_store;
}

static void flight(long d)
{
	pthread_mutex_lock(&flight_mu);
	in_flight += d;
	pthread_mutex_unlock(&flight_mu);
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "unknown");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          out, (socklen_t)n);
}

static enum MHD_Result api(struct req *r)
{
	ctip_err e = {0};
	int status;
	if (!(r->s = thread_store(&e)))
		status = srv_fail(r, &e);
	else
		status = srv_route(r);
	if (r->out_doc && status == 200) {
		char *d = r->out_doc;
		r->out_doc = NULL;
		return (enum MHD_Result)srv_send_download(r->conn, status, d, r->out_doc_len,
		                                          r->out_doc_type, r->out_doc_name,
		                                          r->cookie);
	}
	if (r->out_text && !r->out && status != 204) {
		char *t = r->out_text;
		r->out_text = NULL;
		return (enum MHD_Result)srv_send_text(r->conn, status, t, r->cookie);
	}
	if (!r->out && status != 204)
		srv_error(r, status, NULL, "error");
	return (enum MHD_Result)srv_send_json(r->conn, status, r->out, r->cookie);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	if (!r) {
		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->started = 1;
		r->tls = srv_tls;
		flight(1);
		*con_cls = r;
		client_addr(conn, r->client, sizeof(r->client));
		srv_client_from_proxy(conn, r->client, sizeof(r->client));
		if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
			watch_mark(conn, 0);
			r->too_big = 1; /* its body, if any, is not read */
			srv_error(r, 503, NULL, "the server is stopping: try again in a moment");
			return (enum MHD_Result)srv_send_json(conn, 503, r->out, NULL);
		}
		const char *cl =
		        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > SRV_MAX_BODY) {
			watch_mark(conn, 0);
			r->too_big = 1;
			srv_error(r, 413, NULL, "the request body is larger than 1 MiB");
			return (enum MHD_Result)srv_send_json(conn, 413, r->out, NULL);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_big && r->len + *upload_size > SRV_MAX_BODY) {
			r->too_big = 1;
			free(r->body);
			r->body = NULL;
			r->len = 0;
		}
		if (!r->too_big) {
			char *g = realloc(r->body, r->len + *upload_size + 1);
			if (!g)
				return MHD_NO;
			memcpy(g + r->len, upload_data, *upload_size);
			r->body = g;
			r->len += *upload_size;
			r->body[r->len] = 0;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	watch_mark(conn, 0); /* the request has arrived whole */
	if (r->too_big) {
		srv_error(r, 413, NULL, "the request body is larger than 1 MiB");
		return (enum MHD_Result)srv_send_json(conn, 413, r->out, NULL);
	}
	if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api"))
		return api(r);
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		srv_error(r, 405, NULL, "method not allowed");
		return (enum MHD_Result)srv_send_json(conn, 405, r->out, NULL);
	}
	return (enum MHD_Result)srv_static(conn, url, cfg->web);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		watch_mark(conn, 1); /* kept alive: the next request's deadline runs from now */
	if (!r)
		return;
	if (r->started)
		flight(-1);
	json_decref(r->in);
	json_decref(r->out);
	free(r->out_text);
	free(r->out_doc);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* Unescapes %XX in the path; a NUL written so (%00) becomes a byte no route or file has, so
 * that "/index.html%00.js" is not read as "/index.html". */
static size_t unescape(void *cls, struct MHD_Connection *c, char *uri)
{
	char *w = uri;
	for (const char *p = uri; *p; p++) {
		int hi = p[0] == '%' ? hexval(p[1]) : -1, lo = hi >= 0 ? hexval(p[2]) : -1;
		if (lo >= 0) {
			int v = hi * 16 + lo;
			*w++ = v ? (char)v : '\x7f';
			p += 2;
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
	return (size_t)(w - uri);
}

/* A whole small file, NUL-terminated; NULL when unreadable. */
static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long len = ftell(f);
		if (len > 0 && len < 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 &&
		    (buf = malloc((size_t)len + 1))) {
			*n = fread(buf, 1, (size_t)len, f);
			buf[*n] = 0;
		}
	}
	fclose(f);
	return buf;
}

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -1;
	sa->sin_port = htons((uint16_t)port);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	return inet_pton(AF_INET, *host ? host : "0.0.0.0", &sa->sin_addr) == 1 ? 0 : -1;
}

static void stop_reaper(pthread_t t)
{
	pthread_mutex_lock(&watch_mu);
	reaper_stop = 1;
	pthread_cond_signal(&watch_cv);
	pthread_mutex_unlock(&watch_mu);
	pthread_join(t, NULL);
	if (reaped)
		fprintf(stderr, "ctip: %llu connection(s) cut at the request deadline (%u s)\n",
		        reaped, request_timeout);
}

int srv_run(const struct srv_config *c)
{
	struct sockaddr_in sa;
	ctip_err e = {0};
	cfg = c;
	if (parse_listen(c->listen, &sa)) {
		fprintf(stderr, "ctip: --listen %s: expected ADDRESS:PORT (IPv4)\n", c->listen);
		return 2;
	}
	if (srv_sessions_init()) {
		fprintf(stderr, "ctip: libsodium failed to initialise\n");
		return 3;
	}
	/* the signals go to the main thread only, which waits for them below */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	ctip_store *audit_store;
	if (c->open(c->open_ctx, &audit_store, &e)) {
		if (e.code) {
			fputs("ctip: ", stderr);
			ctip_err_print(&e, stderr);
		}
		return 1;
	}
	/* the audit writer works as the server's role too (it may only append to the log) */
	if (audit_store->srv->isolate(audit_store, &e)) {
		fputs("ctip: ", stderr);
		ctip_err_print(&e, stderr);
		ctip_store_close(audit_store);
		return 1;
	}
	if (srv_audit_start(audit_store, &e)) {
		ctip_store_close(audit_store);
		fputs("ctip: ", stderr);
		ctip_err_print(&e, stderr);
		return 3;
	}
	char *cert = NULL, *key = NULL;
	if (c->tls_cert || c->tls_key) {
		size_t n;
		if (!c->tls_cert || !c->tls_key || !(cert = read_all(c->tls_cert, &n)) ||
		    !(key = read_all(c->tls_key, &n))) {
			fprintf(stderr,
			        "ctip: --tls-cert and --tls-key: readable PEM files, both\n");
			free(cert);
			srv_audit_stop();
			return 2;
		}
		srv_tls = 1;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	/* The pool: on SQLite a request is CPU work in this process (twice the cores covers the
	 * waits on the audit log). On a database server a thread mostly waits for its answers
	 * (a dozen round trips per case view): eight per core keep the cores busy
	 * (bench/server_pg.sh: 4 threads 358 case views a second, 16 468, on 2 cores). */
	long per_core = ctip_store_is_url(c->db) ? 8 : 2;
	unsigned threads = c->threads > 0 ? (unsigned)c->threads
	                                  : (unsigned)(ncpu * per_core < 4 ? 4 : ncpu * per_core);
	pthread_t reaper;
	reaper_stop = 0;
	request_timeout = c->request_timeout ? c->request_timeout : SRV_REQUEST_TIMEOUT;
	if (pthread_create(&reaper, NULL, reaper_main, NULL)) {
		fprintf(stderr, "ctip: cannot start a thread\n");
		free(cert);
		free(key);
		srv_audit_stop();
		return 1;
	}
	/* the pool's threads poll with epoll (MHD_USE_AUTO): a silent connection costs a
	 * socket, not a thread; the limits are the crowd's bounds (srv_config) */
	struct MHD_Daemon *d = MHD_start_daemon(
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                (srv_tls ? MHD_USE_TLS : 0),
	        0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
	        MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout ? c->idle_timeout : SRV_IDLE_TIMEOUT,
	        MHD_OPTION_CONNECTION_LIMIT, c->max_conns ? c->max_conns : SRV_MAX_CONNS,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->max_conns_per_ip,
	        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_NOTIFY_COMPLETED,
	        on_completed, NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	        /* the certificate options only over TLS (else the list ends here) */
	        srv_tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	        MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	if (!d) {
		stop_reaper(reaper);
		fprintf(stderr, "ctip: cannot listen on %s (in use? a bad certificate?)\n",
		        c->listen);
		free(cert);
		free(key);
		srv_audit_stop();
		return 1;
	}
	printf("ctip: serving %s://%s/ (database %s)\n", srv_tls ? "https" : "http", c->listen,
	       c->db);
	fflush(stdout);
	int sig = 0;
	sigwait(&sigs, &sig);
	fprintf(stderr, "ctip: %s: finishing the requests in flight\n",
	        sig == SIGTERM ? "SIGTERM" : "SIGINT");
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 300; i++) { /* up to 30 s */
		pthread_mutex_lock(&flight_mu);
		long n = in_flight;
		pthread_mutex_unlock(&flight_mu);
		if (n <= 0)
			break;
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(d);
	stop_reaper(reaper);
	srv_audit_stop();
	for (int i = 0; i < nstores; i++) {
		stores[i]->srv->release(stores[i]);
		ctip_store_close(stores[i]);
	}
	nstores = 0;
	srv_sessions_free();
	srv_stats_free();
	if (key)
		memset(key, 0, strlen(key));
	free(cert);
	free(key);
	fprintf(stderr, "ctip: stopped\n");
	return 0;
}
