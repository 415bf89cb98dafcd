/*
                else if (!strcmp(argv[i], "--trusted-proxy") && i + 1 < argc) {
                        char err[256];
                        if (srv_trusted_proxies(argv[++i], err, sizeof(err))) {
                                fprintf(stderr, "ctip serve: %s\n", err);
                                return 2;
                        }
                } else {
                        size_t k = 0;
                        while (k < sizeof(nums) / sizeof(nums[0]) &&
                               (strcmp(argv[i], nums[k].name) || i + 1 >= argc))
                                k++;
                        if (k == sizeof(nums) / sizeof(nums[0]))
                                return cli_usage("serve");
                        long n = number(nums[k].name, argv[++i], nums[k].lo, nums[k].hi);
                        if (n < 0)
                                return 2;
                        *(unsigned *)(void *)((char *)&cfg + nums[k].off) = (unsigned)n;
                }
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "server.h"
#include "store_unavail.h"

/* Every connection of the server is opened as the other commands open theirs. */
static int open_store(void *ctx, ctip_store **s, ctip_err *unavail)
{
	return cli_open_server(ctx, s, unavail);
}

/* A whole number in [lo, hi] for option name; -1 (and a message) otherwise. */
static long number(const char *name, const char *v, long lo, long hi)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < lo || n > hi) {
		fprintf(stderr, "ctip serve: %s %s: expected a whole number from %ld to %ld\n",
		        name, v, lo, hi);
		return -1;
	}
	return n;
}

int cmd_serve(int argc, char **argv, struct cli *c)
{
	struct srv_config cfg = {.db = c->db,
	                         .open = open_store,
	                         .open_ctx = c,
	                         .listen = "127.0.0.1:8080",
	                         .max_conns = SRV_MAX_CONNS,
	                         .max_conns_per_ip = SRV_MAX_CONNS_PER_IP,
	                         .idle_timeout = SRV_IDLE_TIMEOUT,
	                         .request_timeout = SRV_REQUEST_TIMEOUT};
	static const struct {
		const char *name;
		long lo, hi;
		size_t off;
	} nums[] = {
	        {"--max-conns", 1, 100000, offsetof(struct srv_config, max_conns)},
	        {"--max-conns-per-ip", 0, 100000, offsetof(struct srv_config, max_conns_per_ip)},
	        {"--timeout", 1, 3600, offsetof(struct srv_config, idle_timeout)},
	        {"--request-timeout", 1, 3600, offsetof(struct srv_config, request_timeout)},
	};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			cfg.listen = argv[++i];
		else if (!strcmp(argv[i], "--web") && i + 1 < argc)
			cfg.web = argv[++i];
		else if (!strcmp(argv[i], "--tls-cert") && i + 1 < argc)
			cfg.tls_cert = argv[++i];
		else if (!strcmp(argv[i], "--tls-key") && i + 1 < argc)
			cfg.tls_key = argv[++i];
		else if (!strcmp(argv[i], "--read-only"))
			srv_read_only = 1;
		else if (!strcmp(argv[i], "--audit-db") && i + 1 < argc)
			c->audit_db = argv[++i];
		else if (!strcmp(argv[i], "--release-dir") && i + 1 < argc)
			srv_release_dir = argv[++i];
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			cfg.threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--trusted-proxy") && i + 1 < argc) {
			char err[256];
			if (srv_trusted_proxies(argv[++i], err, sizeof(err))) {
				fprintf(stderr, "ctip serve: %s\n", err);
				return 2;
			}
		} else {
			size_t k = 0;
			while (k < sizeof(nums) / sizeof(nums[0]) &&
			       (strcmp(argv[i], nums[k].name) || i + 1 >= argc))
				k++;
			if (k == sizeof(nums) / sizeof(nums[0]))
				return cli_usage("serve");
			long n = number(nums[k].name, argv[++i], nums[k].lo, nums[k].hi);
			if (n < 0)
				return 2;
			*(unsigned *)(void *)((char *)&cfg + nums[k].off) = (unsigned)n;
		}
	}
	if (cfg.max_conns_per_ip > cfg.max_conns)
		cfg.max_conns_per_ip = cfg.max_conns;
	/* the releases' files: beside the database file, or beside the key of a registry on a
	 * database server (the one file a PostgreSQL deployment of ctip keeps) */
	static char release_dir[1100];
	if (!srv_release_dir) {
		const char *base = ctip_store_is_url(c->db) ? cli_key_path(c) : c->db;
		if (base && *base) {
			snprintf(release_dir, sizeof(release_dir), "%s.releases", base);
			srv_release_dir = release_dir;
		}
	}
	/* a back end without the server's operations yet cannot serve */
	ctip_store *s = NULL;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	int can = s->srv && s->srv != &ctip_srv_unavail_ops;
	const char *backend = s->ops->name;
	if (c->audit_db && !srv_read_only) {
		ctip_store_close(s);
		fprintf(stderr, "ctip serve: --audit-db is for a read-only server (--read-only): a "
		                "server that writes audits its changes with them\n");
		return 2;
	}
	ctip_err e = {0};
	/* the role the server works as (PostgreSQL): refused here, before listening */
	if (can && s->srv->isolate(s, &e)) {
		fputs("ctip: ", stderr);
		ctip_err_print(&e, stderr);
		ctip_store_close(s);
		return 1;
	}
	/* every read is audited: a read-only server (a standby's) starts only if its audit
	 * target takes an entry, its own log or the primary's (--audit-db) */
	if (can && srv_read_only &&
	    ctip_audit(s, "server", "serve_read_only", "server", cfg.listen, &e)) {
		ctip_store_close(s);
		fprintf(stderr,
		        "ctip serve --read-only: the audit log cannot be written (%s); every read "
		        "is audited: on a standby, give --audit-db URL of its primary\n",
		        e.msg);
		return 1;
	}
	ctip_store_close(s);
	if (!can) {
		fprintf(stderr,
		        "ctip: ctip serve: not yet available on %s (its store has no server "
		        "operations yet); run it on a SQLite registry\n",
		        backend);
		return 1;
	}
	return srv_run(&cfg);
}
