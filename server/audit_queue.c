/*
 * audit_queue.c - the server's audit writer: group commit.
 *
 * A handler that shows a person's identity, changes something or logs a
 * login enqueues its entries and waits until they are committed before it
 * answers, so nothing is seen unaudited. One writer thread, with its own
 * connection, takes everything queued and appends it to the hash chain in one
 * transaction (ctip_audit_batch): at thousands of views a second, one commit
 * per view would be the bottleneck, and the chain needs one writer anyway.
 * If writing ever fails, the queue stays broken and every later request that
 * needs auditing fails (fail closed).
 *
 * A change is not audited here but in its own write transaction (srv_audit_tx): the
 * change and its entries then commit together or not at all, and a change whose entry
 * cannot be written is not kept (issue 10, item 7; lib/core/audit.c, ctip_audit_in_tx).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "server.h"

struct aq_entry {
	struct aq_entry *next;
	char *actor, *action, *object, *detail;
};

#define AQ_BATCH 4096

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER, done = PTHREAD_COND_INITIALIZER;
static struct aq_entry *head, **tail = &head;
static unsigned long long queued, committed;
static int stopping, broken, running;
static pthread_t writer;
/* the last batches not written for want of the database: [first, last] entry numbers */
#define FAILED_KEPT 64
static unsigned long long failed[FAILED_KEPT][2];
static unsigned long nfailed;

static int was_failed(unsigned long long n)
{
	for (unsigned long i = nfailed > FAILED_KEPT ? nfailed - FAILED_KEPT : 0; i < nfailed; i++)
		if (failed[i % FAILED_KEPT][0] <= n && n <= failed[i % FAILED_KEPT][1])
			return 1;
	return 0;
}
static ctip_store *store;

static void entry_free(struct aq_entry *x)
{
	free(x->actor);
	free(x->action);
	free(x->object);
	free(x->detail);
	free(x);
}

static void *writer_main(void *arg)
{
	static struct ctip_audit_new batch[AQ_BATCH];
	struct aq_entry *taken[AQ_BATCH];
	for (;;) {
		pthread_mutex_lock(&mu);
		while (!head && !stopping)
			pthread_cond_wait(&work, &mu);
		if (!head && stopping) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		int n = 0;
		while (head && n < AQ_BATCH) {
			taken[n] = head;
			head = head->next;
			n++;
		}
		if (!head)
			tail = &head;
		pthread_mutex_unlock(&mu);
		for (int i = 0; i < n; i++)
			batch[i] = (struct ctip_audit_new){taken[i]->actor, taken[i]->action,
			                                   taken[i]->object, taken[i]->detail};
		ctip_err e = {0};
		int rc = ctip_audit_batch(store, batch, n, &e);
		/* the database out of reach (a restart): nothing of the batch was written; tried
		 * again for up to 10 s, then its requests fail, and the queue goes on */
		for (int tries = 0; rc == CTIP_EUNAVAIL && tries < 50; tries++) {
			struct timespec ts = {0, 200 * 1000 * 1000};
			nanosleep(&ts, NULL);
			rc = ctip_audit_batch(store, batch, n, &e);
		}
		if (rc) {
			fprintf(stderr, "ctip serve: audit log: ");
			ctip_err_print(&e, stderr);
		}
		for (int i = 0; i < n; i++)
			entry_free(taken[i]);
		pthread_mutex_lock(&mu);
		if (rc == CTIP_EUNAVAIL) {
			failed[nfailed % FAILED_KEPT][0] = committed + 1;
			failed[nfailed % FAILED_KEPT][1] = committed + (unsigned long long)n;
			nfailed++;
		}
		committed += (unsigned long long)n;
		if (rc && rc != CTIP_EUNAVAIL)
			broken = 1;
		pthread_cond_broadcast(&done);
		pthread_mutex_unlock(&mu);
	}
}

int srv_audit_start(ctip_store *s, ctip_err *e)
{
	store = s;
	if (pthread_create(&writer, NULL, writer_main, NULL)) {
		ctip_store_close(store);
		store = NULL;
		return ctip_err_set(e, CTIP_ENOMEM, "cannot start the audit writer");
	}
	running = 1;
	return CTIP_OK;
}

void srv_audit_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&mu);
	pthread_join(writer, NULL);
	running = 0;
	/* index what is not yet indexed by object, so that lookups by person seek it */
	ctip_err e = {0};
	if (!broken && store->ops->audit_index(store, &e)) {
		fprintf(stderr, "ctip serve: audit log: ");
		ctip_err_print(&e, stderr);
	}
	ctip_store_close(store);
	store = NULL;
}

static char *dup(const char *s)
{
	return strdup(s ? s : "");
}

int srv_audit(const char *actor, const char *action, const char *const *objects, int n,
              const char *detail)
{
	if (n <= 0)
		return 0;
	struct aq_entry *first = NULL, **link = &first;
	for (int i = 0; i < n; i++) {
		struct aq_entry *x = calloc(1, sizeof(*x));
		if (!x || !(x->actor = dup(actor)) || !(x->action = dup(action)) ||
		    !(x->object = dup(objects[i])) || !(x->detail = dup(detail))) {
			if (x)
				entry_free(x);
			while (first) {
				struct aq_entry *nx = first->next;
				entry_free(first);
				first = nx;
			}
			return -1;
		}
		*link = x;
		link = &x->next;
	}
	pthread_mutex_lock(&mu);
	if (broken || stopping || !running) {
		pthread_mutex_unlock(&mu);
		while (first) {
			struct aq_entry *nx = first->next;
			entry_free(first);
			first = nx;
		}
		return -1;
	}
	*tail = first;
	tail = link;
	queued += (unsigned long long)n;
	unsigned long long mine = queued;
	pthread_cond_signal(&work);
	while (committed < mine && !broken)
		pthread_cond_wait(&done, &mu);
	int rc = broken || was_failed(mine) ? -1 : 0;
	pthread_mutex_unlock(&mu);
	return rc;
}

int srv_audit_tx(struct req *r, const char *action, const char *const *objects, int n,
                 const char *detail, ctip_err *e)
{
	struct ctip_audit_new v[8];
	if (n > 8)
		return ctip_err_set(e, CTIP_EINVAL, SRV_AUDIT_FAILED ": too many objects");
	for (int i = 0; i < n; i++)
		v[i] = (struct ctip_audit_new){r->sess.username, action, objects[i], detail};
	int rc = ctip_audit_in_tx(r->s, v, n, e);
	if (rc && strncmp(e->msg, SRV_AUDIT_FAILED, strlen(SRV_AUDIT_FAILED))) {
		char why[sizeof(e->msg)];
		snprintf(why, sizeof(why), "%s", e->msg);
		ctip_err_set(e, rc, SRV_AUDIT_FAILED ": %s", why);
	}
	return rc;
}

int srv_audit_tx1(struct req *r, const char *action, const char *kind, int64_t id,
                  const char *detail, ctip_err *e)
{
	char obj[32];
	const char *o = obj;
	snprintf(obj, sizeof(obj), "%s%lld", kind, (long long)id);
	return srv_audit_tx(r, action, &o, 1, detail, e);
}
