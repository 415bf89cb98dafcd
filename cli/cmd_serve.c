/*
 * cmd_serve.c - `ctip serve [--listen ADDRESS:PORT] [--web DIR]`: the
 * multi-agency server (server/), on the database of --db.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server.h"
#include "store_unavail.h"

/* Every connection of the server is opened as the other commands open theirs. */
static int open_store(void *ctx, ctip_store **s)
{
	return cli_open(ctx, s);
}

int cmd_serve(int argc, char **argv, struct cli *c)
{
	struct srv_config cfg = {
	        .db = c->db, .open = open_store, .open_ctx = c, .listen = "127.0.0.1:8080"};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			cfg.listen = argv[++i];
		else if (!strcmp(argv[i], "--web") && i + 1 < argc)
			cfg.web = argv[++i];
		else if (!strcmp(argv[i], "--tls-cert") && i + 1 < argc)
			cfg.tls_cert = argv[++i];
		else if (!strcmp(argv[i], "--tls-key") && i + 1 < argc)
			cfg.tls_key = argv[++i];
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			cfg.threads = atoi(argv[++i]);
		else
			return cli_usage("serve");
	}
	/* a back end without the server's operations yet cannot serve */
	ctip_store *s = NULL;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	int can = s->srv && s->srv != &ctip_srv_unavail_ops;
	const char *backend = s->ops->name;
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
