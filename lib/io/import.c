/*
 * import.c - the import driver: reads rows from a CSV or JSON file, checks
 * them, writes them through the store, and commits only a file with no
 * rejected row.
 *
 * Two threads: a reader parses and validates rows (ctip_row_canon), numbers
 * the cases and person records of the file in order of appearance and checks
 * the rows of each against each other (classify), and hands them over in
 * batches to the writer, which checks them against the database, maps those
 * numbers to database ids and writes them; on two cores the slower of the two
 * sets the pace instead of their sum.
 *
 * Cases and person records may span rows; the columns of their level must
 * agree on every row. To check that on a million rows without keeping every
 * value, each case and record remembers one 32-bit hash per column of its
 * level and the line it was first seen on (a collision could only let a
 * disagreement through, never reject a good row).
 */
#include "import.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uthash.h>

#include "csv_read.h"
#include "csv_write.h"
#include "import_map.h"
#include "import_src.h"
#include "progress.h"
#include "text.h"

struct seen {
	char *key;
	int64_t id;
	long line;
	char *where; /* position in a JSON file, or NULL */
	UT_hash_handle hh;
	uint32_t hashes[]; /* per column of the level, in field order */
};

/* An organisation's name as written and its folded form, the identity of the organisation. */
struct org_fold {
	char *name, *fold;
	UT_hash_handle hh;
};

/* A (case, person record) pair already written: the key is the two ids. */
struct pair_seen {
	int64_t ids[2];
	long line;
	char *where;
	UT_hash_handle hh;
};

#define BATCH_ROWS    256
#define QUEUE_BATCHES 16

struct batch {
	int n;
	ctip_row rows[BATCH_ROWS];
};

/* Bounded queue of batches from the reader to the writer. */
struct queue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct batch *slot[QUEUE_BATCHES];
	int head, count;
	int done; /* the reader has finished */
	int stop; /* the writer failed: the reader should give up */
	/* Batches the writer is done with go back to the reader, which frees their values:
	 * memory is then freed by the thread that allocated it, without contention between
	 * the two threads on the allocator's locks. */
	struct batch *spent[QUEUE_BATCHES + 2];
	int nspent;
};

struct importer {
	struct queue *q;
	struct batch *cur; /* the reader's batch being filled */
	ctip_store *s;
	const struct ctip_import_opts *o;
	struct ctip_import_stats *st;
	ctip_diags d;
	/* reader: the cases and records of the file, keyed by folded organisation and id */
	struct seen *cases, *persons;
	struct pair_seen *links;
	long ncases, npersons;
	struct org_fold *org_folds; /* organisation name as written -> folded */
	/* writer: database id of each case and record by local id (0: not written) */
	int64_t *case_ids, *person_ids;
	long cap_case_ids, cap_person_ids;
	struct seen *fresh_orgs; /* organisations with no case in the database before this file */
	int fatal;               /* a store error: stop */
	ctip_err *e;
	/* reader: the progress bar (NULL: none), the stream whose position it shows, the
	 * position given by the mapped reader, and the rows shown in a dry run's sample */
	int pg;
	char pg_label[64];
	FILE *pf;
	long long pdone, ptotal;
	int sampled;
};

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	if (!s)
		return 0;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h | 1; /* never 0, which means empty */
}

/* The columns of each level, in field order (filled once; the table is constant). */
static int level_fields[3][CTIP_NFIELDS], level_n[3];
static pthread_once_t level_once = PTHREAD_ONCE_INIT;

static void level_init(void)
{
	for (int f = 0; f < CTIP_NFIELDS; f++) {
		int lv = (int)ctip_fields[f].level;
		level_fields[lv][level_n[lv]++] = f;
	}
}

static int level_count(enum ctip_flevel lv)
{
	pthread_once(&level_once, level_init);
	return level_n[lv];
}

static void free_seen(struct seen **h)
{
	struct seen *x, *t;
	HASH_ITER(hh, *h, x, t)
	{
		HASH_DEL(*h, x);
		free(x->key);
		free(x->where);
		free(x);
	}
}

static void free_pairs(struct pair_seen **h)
{
	struct pair_seen *x, *t;
	HASH_ITER(hh, *h, x, t)
	{
		HASH_DEL(*h, x);
		free(x->where);
		free(x);
	}
}

/* "<a>\x1f<b>": the key of a case or record within an organisation. Hand-formatted: it is
 * built three times per row, where snprintf showed in profiles. */
static char *make_key(int64_t a, const char *b)
{
	char num[24];
	int k = 0;
	uint64_t v = (uint64_t)a;
	do
		num[k++] = (char)('0' + v % 10);
	while ((v /= 10));
	size_t n = strlen(b);
	char *key = malloc((size_t)k + n + 2), *w = key;
	if (!key)
		return NULL;
	while (k)
		*w++ = num[--k];
	*w++ = '\x1f';
	memcpy(w, b, n + 1);
	return key;
}

static void where_of(long line, const char *where, char *buf, size_t n)
{
	if (line)
		snprintf(buf, n, "line %ld", line);
	else
		snprintf(buf, n, "%s", where ? where : "another row");
}

/* Compares the row's columns of level lv with those remembered in x. */
static int check_level(struct importer *im, const ctip_row *r, struct seen *x, enum ctip_flevel lv,
                       const char *what)
{
	int errs = 0, n = level_count(lv);
	for (int k = 0; k < n; k++) {
		int f = level_fields[lv][k];
		if (f == CF_SRC_CASE || fnv1a(ctip_row_get(r, f)) == x->hashes[k])
			continue;
		char at[128];
		where_of(x->line, x->where, at, sizeof(at));
		ctip_diag(&im->d, r, ctip_fields[f].name,
		          "differs from %s of the same %s: the %s columns must agree on every row",
		          at, what, what);
		errs++;
	}
	return errs;
}

static struct seen *remember(struct seen **h, char *key, int64_t id, const ctip_row *r,
                             enum ctip_flevel lv)
{
	int n = level_count(lv);
	struct seen *x = calloc(1, sizeof(*x) + (size_t)n * sizeof(uint32_t));
	if (!x)
		return NULL;
	x->key = key;
	x->id = id;
	x->line = r->line;
	x->where = r->where[0] ? strdup(r->where) : NULL;
	for (int k = 0; k < n; k++)
		x->hashes[k] = fnv1a(ctip_row_get(r, level_fields[lv][k]));
	HASH_ADD_KEYPTR(hh, *h, x->key, strlen(x->key), x);
	return x;
}

/* Finds or creates an organisation; type may be NULL. */
static int ensure_org(struct importer *im, const ctip_row *r, int field, const char *name,
                      const char *type, int64_t *id)
{
	char *cur = NULL;
	int rc = im->s->ops->org_find(im->s, name, id, &cur, im->e);
	if (rc == CTIP_ENOTFOUND) {
		if ((rc = im->s->ops->org_add(im->s, name, type, id, im->e)))
			return im->fatal = rc;
		im->st->orgs_created++;
		if (im->o->info) {
			ctip_progress_interrupt();
			fprintf(im->o->info, "%s: new organisation '%s'%s%s%s%s\n", im->d.file,
			        name, type ? " (" : "", type ? type : "", type ? ")" : "",
			        im->o->dry_run ? " would be created" : "");
		}
		return CTIP_OK;
	}
	if (rc)
		return im->fatal = rc;
	if (type && cur && strcmp(cur, type) != 0) {
		ctip_diag(&im->d, r, ctip_fields[field].name,
		          "organisation '%s' is registered as %s, not %s", name, cur, type);
		return CTIP_EINVAL;
	}
	if (type && !cur && (rc = im->s->ops->org_set_type(im->s, *id, type, im->e)))
		return im->fatal = rc;
	return CTIP_OK;
}

static int ensure_orgs_in(struct importer *im, const ctip_row *r)
{
	for (int f = 0; f < CTIP_NFIELDS; f++) {
		if (ctip_fields[f].type != FT_ORG || f == CF_SRC_ORG || !ctip_row_get(r, f))
			continue;
		char **it;
		int n, rc = CTIP_OK;
		if (ctip_list_split(r->v[f], &it, &n))
			return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
		for (int i = 0; i < n && !rc; i++) {
			int64_t id;
			if (it[i][0])
				rc = ensure_org(im, r, f, it[i], NULL, &id);
		}
		ctip_list_free(it, n);
		if (rc)
			return rc;
	}
	return CTIP_OK;
}

/* Whether org had no case before this import, so its cases and records need no lookup. */
static int org_is_fresh(struct importer *im, int64_t org, int *fresh)
{
	struct seen *x;
	char *key = make_key(org, "");
	if (!key)
		return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
	HASH_FIND_STR(im->fresh_orgs, key, x);
	if (!x) {
		int has, rc = im->s->ops->org_has_cases(im->s, org, &has, im->e);
		if (rc) { /* the database out of reach mid-import (a server's request) */
			free(key);
			return im->fatal = rc;
		}
		if (!(x = calloc(1, sizeof(*x)))) {
			free(key);
			return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
		}
		x->key = key;
		key = NULL;
		x->id = !has;
		HASH_ADD_KEYPTR(hh, im->fresh_orgs, x->key, strlen(x->key), x);
	}
	free(key);
	*fresh = (int)x->id;
	return CTIP_OK;
}

/* Reader side: the folded name of an organisation, remembered by its spelling. */
static const char *org_fold(struct importer *im, const char *name)
{
	struct org_fold *x;
	HASH_FIND_STR(im->org_folds, name, x);
	if (x)
		return x->fold;
	char *fold = ctip_text_fold(name), *key = strdup(name);
	if (!fold || !key || !(x = calloc(1, sizeof(*x)))) {
		free(fold);
		free(key);
		return NULL;
	}
	x->name = key;
	x->fold = fold;
	HASH_ADD_KEYPTR(hh, im->org_folds, x->name, strlen(x->name), x);
	return fold;
}

static void free_org_folds(struct org_fold **h)
{
	struct org_fold *x, *t;
	HASH_ITER(hh, *h, x, t)
	{
		HASH_DEL(*h, x);
		free(x->name);
		free(x->fold);
		free(x);
	}
}

/* Reader side: numbers the case (lv FL_CASE) or record (FL_PERSON) of row r in order of first
 * appearance, and checks that a row of one already seen agrees with its first row. Returns
 * the number of disagreements, or -1 when out of memory. */
static int classify_one(struct importer *im, ctip_row *r, const char *org, enum ctip_flevel lv)
{
	int is_case = lv == FL_CASE;
	struct seen **table = is_case ? &im->cases : &im->persons, *x;
	const char *src = r->v[is_case ? CF_SRC_CASE : CF_SRC_RECORD];
	size_t no = strlen(org), ns = strlen(src);
	char *key = malloc(no + ns + 2);
	if (!key)
		return -1;
	memcpy(key, org, no);
	key[no] = '\x1f';
	memcpy(key + no + 1, src, ns + 1);
	HASH_FIND_STR(*table, key, x);
	if (x) {
		free(key);
		if (is_case)
			r->case_lid = (long)x->id, r->case_new = 0;
		else
			r->person_lid = (long)x->id, r->person_new = 0;
		return check_level(im, r, x, lv, is_case ? "case" : "record");
	}
	long lid = is_case ? ++im->ncases : ++im->npersons;
	if (!remember(table, key, lid, r, lv)) {
		free(key);
		return -1;
	}
	if (is_case)
		r->case_lid = lid, r->case_new = 1;
	else
		r->person_lid = lid, r->person_new = 1;
	return 0;
}

/* Reader side: places a canonical row among the cases and records of the file. Non-zero
 * when the row is rejected (reported) or memory ran out (im->fatal). */
static int classify(struct importer *im, ctip_row *r)
{
	const char *org = org_fold(im, r->v[CF_SRC_ORG]);
	int errs, e2;
	if (!org || (errs = classify_one(im, r, org, FL_CASE)) < 0 ||
	    (e2 = classify_one(im, r, org, FL_PERSON)) < 0)
		return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
	errs += e2;
	int64_t pair[2] = {r->case_lid, r->person_lid};
	struct pair_seen *lk;
	HASH_FIND(hh, im->links, pair, sizeof(pair), lk);
	if (lk) {
		char at[128];
		where_of(lk->line, lk->where, at, sizeof(at));
		ctip_diag(&im->d, r, "src_RecordId",
		          "duplicate: record '%s' is already in case '%s' at %s",
		          r->v[CF_SRC_RECORD], r->v[CF_SRC_CASE], at);
		return 1;
	}
	if (!(lk = calloc(1, sizeof(*lk))))
		return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
	memcpy(lk->ids, pair, sizeof(pair));
	lk->line = r->line;
	lk->where = r->where[0] ? strdup(r->where) : NULL;
	HASH_ADD(hh, im->links, ids, sizeof(lk->ids), lk);
	return errs;
}

/* Writer side: grows an id array to hold index lid. */
static int ids_reserve(int64_t **ids, long *cap, long lid)
{
	if (lid < *cap)
		return 0;
	long n = *cap ? *cap : 4096;
	while (n <= lid)
		n *= 2;
	int64_t *g = realloc(*ids, (size_t)n * sizeof(*g));
	if (!g)
		return -1;
	memset(g + *cap, 0, (size_t)(n - *cap) * sizeof(*g));
	*ids = g;
	*cap = n;
	return 0;
}

/* Writer side: the database id of the case (FL_CASE) or record (FL_PERSON) of row r, adding it
 * on its first row; one already in the database from an earlier import is a rejected row.
 * Returns 0, -1 for a rejected row (or one whose case or record was rejected), or a store
 * error. */
static int db_id(struct importer *im, const ctip_row *r, int64_t org, int fresh,
                 enum ctip_flevel lv, int64_t *id)
{
	ctip_store *s = im->s;
	int is_case = lv == FL_CASE, rc;
	int f = is_case ? CF_SRC_CASE : CF_SRC_RECORD;
	long lid = is_case ? r->case_lid : r->person_lid;
	int64_t **ids = is_case ? &im->case_ids : &im->person_ids;
	if (ids_reserve(ids, is_case ? &im->cap_case_ids : &im->cap_person_ids, lid))
		return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
	if (!(is_case ? r->case_new : r->person_new)) {
		*id = (*ids)[lid];
		return *id ? 0 : -1; /* its first row was rejected: already reported */
	}
	rc = fresh     ? CTIP_ENOTFOUND
	     : is_case ? s->ops->case_find(s, org, r->v[f], id, im->e)
	               : s->ops->person_find(s, org, r->v[f], id, im->e);
	if (rc == CTIP_OK) {
		ctip_diag(&im->d, r, ctip_fields[f].name,
		          "%s '%s' of '%s' is already in the database (imported before)",
		          is_case ? "case" : "record", r->v[f], r->v[CF_SRC_ORG]);
		im->st->errors++;
		return -1;
	}
	if (rc == CTIP_ENOTFOUND)
		rc = is_case ? s->ops->case_add(s, org, r, id, im->e)
		             : s->ops->person_add(s, org, r, id, im->e);
	if (rc)
		return im->fatal = rc;
	(*ids)[lid] = *id;
	if (is_case)
		im->st->cases++;
	else
		im->st->persons++;
	return 0;
}

/* One canonical row into the store. Returns non-zero only on a store failure. */
static int put_row(struct importer *im, const ctip_row *r)
{
	int64_t org, case_id, person_id;
	int rc, fresh = 0;
	ctip_store *s = im->s;

	if ((rc = ensure_org(im, r, CF_SRC_ORG, r->v[CF_SRC_ORG], r->v[CF_ORG_TYPE], &org)))
		return im->fatal ? rc : (im->st->errors++, 0);
	if ((rc = ensure_orgs_in(im, r)))
		return im->fatal ? rc : (im->st->errors++, 0);
	if ((rc = org_is_fresh(im, org, &fresh)))
		return rc;

	/* the case, then the person record (the reader has checked that they agree) */
	if ((rc = db_id(im, r, org, fresh, FL_CASE, &case_id)) ||
	    (rc = db_id(im, r, org, fresh, FL_PERSON, &person_id)))
		return rc < 0 ? 0 : rc;
	if ((rc = s->ops->link_add(s, case_id, person_id, r, im->e)))
		return im->fatal = rc;
	return 0;
}

/* Reader side: hands the current batch to the writer. Non-zero when the writer stopped. */
static int push_batch(struct importer *im)
{
	struct queue *q = im->q;
	pthread_mutex_lock(&q->mu);
	while (q->count == QUEUE_BATCHES && !q->stop)
		pthread_cond_wait(&q->not_full, &q->mu);
	int stop = q->stop;
	if (!stop) {
		q->slot[(q->head + q->count) % QUEUE_BATCHES] = im->cur;
		q->count++;
		im->cur = NULL;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->mu);
	return stop;
}

static void free_batch(struct batch *b);

/* Reader side: a batch to fill, reusing one the writer has finished with. */
static struct batch *new_batch(struct importer *im)
{
	struct queue *q = im->q;
	struct batch *b = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->nspent)
		b = q->spent[--q->nspent];
	pthread_mutex_unlock(&q->mu);
	if (!b)
		return calloc(1, sizeof(*b));
	for (int i = 0; i < b->n; i++)
		ctip_row_clear(&b->rows[i]);
	b->n = 0;
	return b;
}

/* Writer side: hands a finished batch back (or frees it if the reader has no room). */
static void spend_batch(struct importer *im, struct batch *b)
{
	struct queue *q = im->q;
	pthread_mutex_lock(&q->mu);
	if (q->nspent < (int)(sizeof(q->spent) / sizeof(*q->spent)) && !q->done) {
		q->spent[q->nspent++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&q->mu);
	free_batch(b);
}

/* Reader side: validates one raw row and queues it (the queue takes its values). */
static int take_row(struct importer *im, ctip_row *r)
{
	im->st->rows++;
	if (ctip_row_canon(r, im->s->ref, &im->d)) {
		im->st->errors++;
		return 0;
	}
	if (im->o->map && ctip_map_quality(im->o->map, r, &im->d)) {
		im->st->errors++;
		return 0;
	}
	if (classify(im, r)) {
		if (im->fatal)
			return im->fatal;
		im->st->errors++;
		return 0;
	}
	if (r->quality)
		im->st->flagged++;
	if (im->o->dry_run && im->o->info && im->sampled < 5) {
		if (!im->sampled++)
			fprintf(im->o->info, "sample of converted rows:\n");
		ctip_map_print_row(im->o->info, r);
	}
	if (im->pg && !(im->st->rows & 255))
		ctip_progress_report(im->pg_label, im->pf ? (long long)ftello(im->pf) : im->pdone,
		                     im->ptotal, NULL);
	if (!im->cur && !(im->cur = new_batch(im)))
		return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
	im->cur->rows[im->cur->n++] = *r;
	ctip_row_init(r);
	if (im->cur->n == BATCH_ROWS && push_batch(im))
		return im->fatal = CTIP_EDB; /* the writer's error is the one reported */
	return 0;
}

static void free_batch(struct batch *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->n; i++)
		ctip_row_clear(&b->rows[i]);
	free(b);
}

/* ---- CSV ----------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static int read_csv(struct importer *im, FILE *f, const char *name)
{
	ctip_csv *c = ctip_csv_open(f, name);
	char **fl;
	int n, rc, ncols = 0, *map = NULL;
	long line;
	if (!c)
		return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
	rc = ctip_csv_next(c, &fl, &n, &line, im->e);
	if (rc <= 0) {
		ctip_row at;
		ctip_row_init(&at);
		at.line = rc < 0 ? im->e->line : 1;
		if (rc == 0 || im->e->code == CTIP_EINVAL) {
			/* an empty or malformed header is a rejected file, reported like a row */
			ctip_diag(
			        &im->d, &at, NULL, "%s",
			        rc == 0 ? "empty file: expected a header row of HTCDS column names"
			                : im->e->msg);
			im->st->errors++;
			rc = 0;
		} else {
			im->fatal = im->e->code;
		}
		ctip_csv_close(c);
		return im->fatal;
	}
	ncols = n;
	map = malloc((size_t)n * sizeof(*map));
	if (!map) {
		ctip_csv_close(c);
		return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
	}
	ctip_row hdr;
	ctip_row_init(&hdr);
	hdr.line = line;
	/* the header is one rejected row however many of its columns are wrong, and each kind of
	 * problem is listed for the first HDR_SHOWN columns only (a header of 100,000 unknown
	 * columns is one error, not 100,000 lines) */
	enum { HDR_SHOWN = 20 };
	long hdr_bad = 0, unknown = 0;
	unsigned char seen[CTIP_NFIELDS] = {0};
	long errors_before = im->st->errors;
	for (int i = 0; i < n; i++) {
		if (hdr_bad >= HDR_SHOWN) {
			/* only count what is left: no diagnostic, no allocation */
			char *clean = fl[i] ? ctip_text_clean(fl[i]) : NULL;
			int fld = clean ? ctip_field_find(clean) : -1;
			map[i] = fld;
			if (fld < 0 || seen[fld]++)
				unknown++, hdr_bad++;
			free(clean);
			continue;
		}
		char *clean = ctip_text_clean(fl[i] ? fl[i] : "");
		map[i] = clean ? ctip_field_find(clean) : -1;
		const char *sep = n == 1 && fl[i] ? strpbrk(fl[i], ";\t|") : NULL;
		if (!clean && fl[i]) {
			const char *g = ctip_src_guess_encoding((const unsigned char *)fl[i],
			                                        strlen(fl[i]), strlen(fl[i]));
			ctip_diag(&im->d, &hdr, NULL,
			          "not UTF-8; it looks like %s. Fix: convert the file (iconv -f %s "
			          "-t "
			          "UTF-8 %s > utf8.csv), or import it through a mapping naming "
			          "\"encoding\": \"%s\" (ctip import --map)",
			          g, g, name, g);
			im->st->errors++;
		} else if (map[i] < 0 && sep) {
			ctip_diag(
			        &im->d, &hdr, NULL,
			        "the header is one column holding %s: the file is separated by %s, "
			        "not ','. Fix: import it through a mapping (ctip import --map; the "
			        "separator is detected), or save it as comma-separated CSV",
			        *sep == '\t'  ? "tabs"
			        : *sep == ';' ? "';'"
			                      : "'|'",
			        *sep == '\t'  ? "tabs"
			        : *sep == ';' ? "';'"
			                      : "'|'");
			im->st->errors++;
		} else if (map[i] < 0) {
			ctip_diag(&im->d, &hdr,
			          clean ? (*clean ? clean : "(empty)") : "(invalid UTF-8)",
			          "unknown column (see `ctip help columns`)");
			im->st->errors++;
		}
		if (map[i] >= 0 && seen[map[i]]++) {
			ctip_diag(&im->d, &hdr, clean, "column appears twice in the header");
			im->st->errors++;
		}
		free(clean);
		hdr_bad = im->st->errors - errors_before;
	}
	if (unknown)
		ctip_diag(
		        &im->d, &hdr, NULL,
		        "... and %ld more unknown or repeated columns (%d columns in all): is this "
		        "an HTCDS CSV file? (`ctip help columns`; an agency's own layout is read "
		        "through a mapping, ctip import --map)",
		        unknown, n);

	int has_org = 0, has_record = 0;
	for (int i = 0; i < n; i++) {
		has_org |= map[i] == CF_SRC_ORG;
		has_record |= map[i] == CF_SRC_RECORD;
	}
	if (!has_org && !im->o->org) {
		ctip_diag(&im->d, &hdr, "src_Organisation",
		          "no such column: add it, or name the reporting organisation with --org");
		im->st->errors++;
	}
	if (im->st->errors > errors_before)
		im->st->errors = errors_before + 1; /* one rejected row: the header */
	if (im->st->errors) {
		free(map);
		ctip_csv_close(c);
		return 0;
	}
	ctip_row r;
	ctip_row_init(&r);
	while ((rc = ctip_csv_next(c, &fl, &n, &line, im->e)) > 0) {
		ctip_row_clear(&r);
		r.line = line;
		if (n != ncols) {
			im->st->rows++;
			im->st->errors++;
			ctip_diag(&im->d, &r, NULL, "row has %d fields but the header has %d%s", n,
			          ncols, n < ncols ? " (file truncated?)" : "");
			continue;
		}
		for (int i = 0; i < n; i++) {
			ctip_csv_unformula(fl[i]); /* what the exporter guarded ('=...) */
			r.v[map[i]] = fl[i];
			fl[i] = NULL; /* the row owns it now */
		}
		if (!has_org && ctip_row_set(&r, CF_SRC_ORG, im->o->org))
			return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
		if (!has_record) {
			char id[300];
			snprintf(id, sizeof(id), "%s#%ld", base_name(name), line);
			if (ctip_row_set(&r, CF_SRC_RECORD, id))
				return im->fatal =
				               ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
		}
		if (take_row(im, &r))
			break;
	}
	ctip_row_clear(&r);
	if (rc < 0 && !im->fatal) {
		/* a malformed or truncated file is a rejected row, not a crash */
		ctip_row at;
		ctip_row_init(&at);
		at.line = im->e->line;
		ctip_diag(&im->d, &at, NULL, "%s", im->e->msg);
		im->st->errors++;
	}
	free(map);
	ctip_csv_close(c);
	return im->fatal;
}

/* ---- an agency's CSV or XLSX file, through a mapping ------------------------------------ */

static int take_mapped(void *ctx, ctip_row *r)
{
	struct importer *im = ctx;
	int rc = take_row(im, r);
	ctip_row_clear(r);
	return rc || im->fatal;
}

static void mapped_progress(void *ctx, long long done, long long total)
{
	struct importer *im = ctx;
	im->pdone = done;
	im->ptotal = total;
}

static int read_mapped(struct importer *im, FILE *f, const char *name)
{
	struct ctip_map_read_opts mo = {.map = im->o->map,
	                                .org = im->o->org,
	                                .sheet = im->o->sheet,
	                                .describe = im->o->dry_run ? im->o->info : NULL,
	                                .d = &im->d,
	                                .rows = &im->st->rows,
	                                .errors = &im->st->errors,
	                                .take = take_mapped,
	                                .ctx = im,
	                                .progress = mapped_progress};
	im->pf = NULL;
	int rc = ctip_map_read(f, name, &mo, im->e);
	if (rc && !im->fatal)
		im->fatal = rc;
	return im->fatal;
}

/* ---- JSON ---------------------------------------------------------------------------- */

/* A scalar JSON value as text; NULL for null. Sets *bad for objects and arrays. */
static char *json_text(json_t *v, int *bad)
{
	char buf[64];
	*bad = 0;
	if (!v)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_NULL: return NULL;
	case JSON_STRING: return strdup(json_string_value(v));
	case JSON_TRUE: return strdup("true");
	case JSON_FALSE: return strdup("false");
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(buf);
	case JSON_REAL: snprintf(buf, sizeof(buf), "%.15g", json_real_value(v)); return strdup(buf);
	default: *bad = 1; return NULL;
	}
}

/* Sets the item at position index of the list in column f (filling missing items). */
static int list_put(ctip_row *r, int f, int index, const char *item)
{
	char **it;
	int n;
	if (ctip_list_split(r->v[f], &it, &n))
		return CTIP_ENOMEM;
	int m = index >= n ? index + 1 : n;
	char **v = malloc((size_t)m * sizeof(*v));
	if (!v) {
		ctip_list_free(it, n);
		return CTIP_ENOMEM;
	}
	for (int i = 0; i < m; i++)
		v[i] = i == index ? (char *)(item ? item : "") : i < n ? it[i] : "";
	char *j = ctip_list_join(v, m);
	free(v);
	ctip_list_free(it, n);
	if (!j)
		return CTIP_ENOMEM;
	ctip_row_take(r, f, j);
	return CTIP_OK;
}

/* Sets column f from a JSON value: a scalar, or an array of scalars for a list. */
static int json_field(struct importer *im, ctip_row *r, int f, json_t *v)
{
	int bad;
	if (json_is_array(v) && (ctip_fields[f].flags & CTIP_F_LIST) &&
	    ctip_fields[f].group == G_NONE) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			char *t = json_text(x, &bad);
			if (bad) {
				ctip_diag(&im->d, r, ctip_fields[f].name,
				          "item %zu must be a string", i + 1);
				return 1;
			}
			int rc = list_put(r, f, (int)i, t);
			free(t);
			if (rc)
				return -1;
		}
		return 0;
	}
	char *t = json_text(v, &bad);
	if (bad) {
		ctip_diag(&im->d, r, ctip_fields[f].name, "must be a %s",
		          (ctip_fields[f].flags & CTIP_F_LIST) ? "string or an array of strings"
		                                               : "string, number or boolean");
		return 1;
	}
	if (t && !ctip_utf8_valid(t, strlen(t))) {
		free(t);
		ctip_diag(&im->d, r, ctip_fields[f].name, "invalid UTF-8");
		return 1;
	}
	ctip_row_take(r, f, t);
	return 0;
}

static int group_of_name(const char *k)
{
	for (int g = G_NONE + 1; g < G_COUNT; g++)
		if (!strcmp(ctip_group_names[g], k))
			return g;
	return -1;
}

/* Reads the keys of obj into r: scalar columns of the allowed levels and group arrays. */
static int json_object_into(struct importer *im, ctip_row *r, json_t *obj, int case_level)
{
	const char *k;
	json_t *v;
	int errs = 0;
	json_object_foreach(obj, k, v)
	{
		if (case_level && !strcmp(k, "persons"))
			continue;
		int g = group_of_name(k);
		if (g > 0) {
			int is_case = g == G_OUTREF || g == G_INREF || g == G_COMMENT;
			if (is_case != case_level || !json_is_array(v)) {
				ctip_diag(&im->d, r, k, "%s",
				          !json_is_array(v) ? "must be an array of objects"
				          : is_case         ? "belongs to the case, not to a person"
				                    : "belongs to a person, not to the case");
				errs++;
				continue;
			}
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item)
			{
				const char *ik;
				json_t *iv;
				if (!json_is_object(item)) {
					ctip_diag(&im->d, r, k, "item %zu must be an object",
					          i + 1);
					errs++;
					continue;
				}
				json_object_foreach(item, ik, iv)
				{
					int f = ctip_field_find(ik);
					int bad;
					if (f < 0 || (int)ctip_fields[f].group != g) {
						ctip_diag(&im->d, r, ik, "unknown field in %s", k);
						errs++;
						continue;
					}
					char *t = json_text(iv, &bad);
					if (bad) {
						ctip_diag(&im->d, r, ik,
						          "must be a string, number or boolean");
						errs++;
						continue;
					}
					if (t && strchr(t, ';') && ctip_fields[f].type != FT_TEXT) {
						ctip_diag(&im->d, r, ik, "item %zu holds ';'",
						          i + 1);
						errs++;
					} else if (list_put(r, f, (int)i, t)) {
						free(t);
						return -1;
					}
					free(t);
				}
				/* every column of the group gets an item, even if empty */
				for (int f = 0; f < CTIP_NFIELDS; f++)
					if ((int)ctip_fields[f].group == g &&
					    ctip_list_count(r->v[f]) <= (int)i &&
					    list_put(r, f, (int)i, ""))
						return -1;
			}
			continue;
		}
		int f = ctip_field_find(k);
		if (f < 0) {
			ctip_diag(&im->d, r, k, "unknown field");
			errs++;
			continue;
		}
		if (ctip_fields[f].group != G_NONE) {
			ctip_diag(&im->d, r, k, "belongs in the array \"%s\"",
			          ctip_group_names[ctip_fields[f].group]);
			errs++;
			continue;
		}
		if ((ctip_fields[f].level == FL_CASE) != case_level) {
			ctip_diag(&im->d, r, k, "belongs to %s",
			          case_level ? "a person" : "the case");
			errs++;
			continue;
		}
		int rc = json_field(im, r, f, v);
		if (rc < 0)
			return -1;
		errs += rc;
	}
	return errs;
}

static int read_json(struct importer *im, FILE *f, const char *name)
{
	json_error_t je;
	/* a byte-order mark, as some editors write, is accepted as in CSV (jansson refuses it) */
	int c1 = getc(f);
	if (c1 == 0xEF) {
		int c2 = getc(f), c3 = getc(f);
		if (c2 != 0xBB || c3 != 0xBF) {
			ctip_diag(&im->d, NULL, NULL,
			          "invalid JSON: the file begins with byte 0xEF "
			          "but not with a UTF-8 byte-order mark");
			im->st->errors++;
			return 0;
		}
	} else if (c1 != EOF) {
		ungetc(c1, f);
	}
	json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	ctip_row r, base;
	if (!root) {
		ctip_row at;
		ctip_row_init(&at);
		at.line = je.line > 0 ? je.line : 0;
		ctip_diag(&im->d, &at, NULL, "invalid JSON: %s (column %d)", je.text, je.column);
		im->st->errors++;
		return 0;
	}
	json_t *cases = json_is_array(root) ? root : json_object_get(root, "cases");
	if (!json_is_array(cases)) {
		ctip_diag(&im->d, NULL, NULL,
		          "expected an object with an array \"cases\" (or an array of cases)");
		im->st->errors++;
		json_decref(root);
		return 0;
	}
	if (json_is_object(root)) {
		const char *k;
		json_t *v;
		json_object_foreach(root, k, v) if (strcmp(k, "cases") && strcmp(k, "format") &&
		                                    strcmp(k, "version"))
		{
			ctip_diag(&im->d, NULL, k, "unknown top-level field");
			im->st->errors++;
		}
	}
	ctip_row_init(&r);
	ctip_row_init(&base);
	size_t ci;
	json_t *c;
	json_array_foreach(cases, ci, c)
	{
		ctip_row_clear(&base);
		snprintf(base.where, sizeof(base.where), "cases[%zu]", ci);
		if (!json_is_object(c)) {
			ctip_diag(&im->d, &base, NULL, "a case must be an object");
			im->st->errors++;
			continue;
		}
		int errs = json_object_into(im, &base, c, 1);
		if (errs < 0)
			goto oom;
		json_t *persons = json_object_get(c, "persons");
		if (!json_is_array(persons) || json_array_size(persons) == 0) {
			ctip_diag(&im->d, &base, "persons", "a case needs an array of persons");
			im->st->errors++;
			continue;
		}
		size_t pi;
		json_t *p;
		json_array_foreach(persons, pi, p)
		{
			ctip_row_clear(&r);
			for (int fi = 0; fi < CTIP_NFIELDS; fi++)
				if (base.v[fi] && ctip_row_set(&r, fi, base.v[fi]))
					goto oom;
			snprintf(r.where, sizeof(r.where), "cases[%zu].persons[%zu]", ci, pi);
			if (!json_is_object(p)) {
				ctip_diag(&im->d, &r, NULL, "a person must be an object");
				im->st->errors++;
				continue;
			}
			int perrs = json_object_into(im, &r, p, 0);
			if (perrs < 0)
				goto oom;
			if (!json_object_get(c, "src_Organisation") && im->o->org &&
			    ctip_row_set(&r, CF_SRC_ORG, im->o->org))
				goto oom;
			if (!json_object_get(p, "src_RecordId")) {
				char id[300];
				snprintf(id, sizeof(id), "%s#%s", base_name(name), r.where);
				if (ctip_row_set(&r, CF_SRC_RECORD, id))
					goto oom;
			}
			if (errs + perrs) {
				im->st->rows++;
				im->st->errors++;
				continue;
			}
			if (take_row(im, &r))
				break;
		}
		if (im->fatal)
			break;
	}
	ctip_row_clear(&r);
	ctip_row_clear(&base);
	json_decref(root);
	return im->fatal;
oom:
	ctip_row_clear(&r);
	ctip_row_clear(&base);
	json_decref(root);
	return im->fatal = ctip_err_set(im->e, CTIP_ENOMEM, "out of memory");
}

/* ---- driver -------------------------------------------------------------------------- */

struct reader_args {
	struct importer *im;
	FILE *f;
	const char *name;
	int json, mapped;
	int rc;
	double cpu;
};

static double clock_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *reader_main(void *arg)
{
	struct reader_args *a = arg;
	struct importer *im = a->im;
#ifdef __linux__
	prctl(PR_SET_NAME, "ctip-reader", 0, 0, 0); /* for top and perf */
#endif
	if (im->o->progress) {
		char label[64];
		const char *b = strrchr(a->name, '/');
		snprintf(label, sizeof(label), "importing %.40s", b ? b + 1 : a->name);
		struct stat sb;
		long long total = fstat(fileno(a->f), &sb) == 0 && S_ISREG(sb.st_mode)
		                          ? (long long)sb.st_size
		                          : 0;
		im->pg = 1;
		snprintf(im->pg_label, sizeof(im->pg_label), "%s", label);
		im->ptotal = total;
		im->pf = a->f;
	}
	a->rc = a->mapped ? read_mapped(im, a->f, a->name)
	        : a->json ? read_json(im, a->f, a->name)
	                  : read_csv(im, a->f, a->name);
	if (im->pg)
		ctip_progress_finish();
	im->pg = 0;
	a->cpu = clock_of(CLOCK_THREAD_CPUTIME_ID);
	if (im->cur && !im->fatal && push_batch(im))
		a->rc = CTIP_EDB;
	free_batch(im->cur);
	im->cur = NULL;
	pthread_mutex_lock(&im->q->mu);
	im->q->done = 1;
	pthread_cond_signal(&im->q->not_empty);
	pthread_mutex_unlock(&im->q->mu);
	return NULL;
}

/* Writer side: stores the queued rows until the reader is done or a store error. */
static int write_rows(struct importer *im)
{
	struct queue *q = im->q;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->count == 0 && !q->done)
			pthread_cond_wait(&q->not_empty, &q->mu);
		if (q->count == 0) {
			pthread_mutex_unlock(&q->mu);
			return 0;
		}
		struct batch *b = q->slot[q->head];
		q->head = (q->head + 1) % QUEUE_BATCHES;
		q->count--;
		pthread_cond_signal(&q->not_full);
		pthread_mutex_unlock(&q->mu);
		for (int i = 0; i < b->n && !im->fatal; i++)
			put_row(im, &b->rows[i]);
		spend_batch(im, b);
		if (im->fatal) {
			pthread_mutex_lock(&q->mu);
			q->stop = 1;
			while (q->count) { /* the reader may be waiting for room */
				free_batch(q->slot[q->head]);
				q->head = (q->head + 1) % QUEUE_BATCHES;
				q->count--;
			}
			pthread_cond_signal(&q->not_full);
			pthread_mutex_unlock(&q->mu);
			return im->fatal;
		}
	}
}

int ctip_import_stream(ctip_store *s, FILE *f, const char *name, int json,
                       const struct ctip_import_opts *o, struct ctip_import_stats *st, ctip_err *e)
{
	struct queue q = {.mu = PTHREAD_MUTEX_INITIALIZER,
	                  .not_empty = PTHREAD_COND_INITIALIZER,
	                  .not_full = PTHREAD_COND_INITIALIZER};
	struct ctip_import_stats rst = {0};
	ctip_err rerr = {0};
	struct importer im = {.q = &q, .s = s, .o = o, .st = st, .e = e};
	struct importer rim = {.q = &q, .s = s, .o = o, .st = &rst, .e = &rerr};
	int rc;
	memset(st, 0, sizeof(*st));
	im.d.out = rim.d.out = o->diag;
	im.d.file = rim.d.file = name;
	im.d.max_print = rim.d.max_print = o->max_print;
	if (!s->ref)
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: database not initialised (run `ctip init`)", s->path);
	int bulk = 0;
	double t0 = clock_of(CLOCK_MONOTONIC), cpu0 = clock_of(CLOCK_THREAD_CPUTIME_ID);
	if ((rc = s->ops->load_begin(s, &bulk, e)))
		return rc;
	size_t nl = strlen(name);
	int mapped = o->map || (nl > 5 && !strcasecmp(name + nl - 5, ".xlsx"));
	struct reader_args ra = {
	        .im = &rim, .f = f, .name = name, .json = json && !mapped, .mapped = mapped};
	pthread_t reader;
	if (pthread_create(&reader, NULL, reader_main, &ra) != 0) {
		s->ops->load_end(s, 0, NULL);
		return ctip_err_set(e, CTIP_ENOMEM, "cannot start the reader thread");
	}
	rc = write_rows(&im);
	st->write_cpu = clock_of(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	pthread_join(reader, NULL);
	st->read_cpu = ra.cpu;
	st->bulk = bulk;
	st->rows = rst.rows;
	st->errors += rst.errors;
	st->flagged = rst.flagged;
	if (!rc && ra.rc) { /* a reading failure (I/O, memory) */
		*e = rerr;
		rc = ra.rc;
	}
	free_seen(&rim.cases);
	free_seen(&rim.persons);
	free_pairs(&rim.links);
	free_org_folds(&rim.org_folds);
	free_seen(&im.fresh_orgs);
	free(im.case_ids);
	free(im.person_ids);
	while (q.nspent)
		free_batch(q.spent[--q.nspent]);
	if (rc || st->errors || o->dry_run) {
		s->ops->load_end(s, 0, NULL);
		if (rc)
			return rc;
		if (o->dry_run && !st->errors)
			return CTIP_OK;
		return ctip_err_set(e, CTIP_EINVAL,
		                    "%s: %ld row%s %s; nothing was imported from this file", name,
		                    st->errors, st->errors == 1 ? "" : "s",
		                    o->dry_run ? "would be rejected" : "rejected");
	}
	double t1 = clock_of(CLOCK_MONOTONIC);
	rc = s->ops->load_end(s, 1, e);
	st->finish_wall = clock_of(CLOCK_MONOTONIC) - t1;
	st->wall = clock_of(CLOCK_MONOTONIC) - t0;
	return rc;
}

int ctip_import_file(ctip_store *s, const char *path, const struct ctip_import_opts *o,
                     struct ctip_import_stats *st, ctip_err *e)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return ctip_err_set(e, CTIP_EIO, "%s: cannot open: %s", path, strerror(errno));
	size_t n = strlen(path);
	int json;
	if (n > 5 && !strcasecmp(path + n - 5, ".json"))
		json = 1;
	else if (n > 4 && !strcasecmp(path + n - 4, ".csv"))
		json = 0;
	else {
		int c, bom = 0;
		while ((c = getc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t' ||
		       (!bom && c == 0xEF && getc(f) == 0xBB && getc(f) == 0xBF && (bom = 1)))
			;
		json = c == '{' || c == '[';
		if (c != EOF)
			ungetc(c, f);
	}
	int rc = ctip_import_stream(s, f, path, json, o, st, e);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* ---- one case from the server ---------------------------------------------------------- */

int ctip_import_case(ctip_store *s, json_t *c, const char *org, int64_t *case_id,
                     int64_t *person_ids, int max_persons, ctip_err *e)
{
	struct ctip_import_opts o = {0};
	struct ctip_import_stats st = {0};
	struct importer im = {.s = s, .o = &o, .st = &st, .e = e};
	ctip_row base, r;
	int rc = CTIP_OK;
	*case_id = 0;
	if (!s->ref)
		return ctip_err_set(e, CTIP_EINVAL, "database not initialised (run `ctip init`)");
	if (!json_is_object(c))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, NULL, "a case must be a JSON object");
	json_t *persons = json_object_get(c, "persons");
	if (!json_is_array(persons) || json_array_size(persons) == 0)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "persons",
		                   "a case needs an array of persons");
	if (max_persons > 0 && json_array_size(persons) > (size_t)max_persons)
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, "persons",
		                   "at most %d persons in one case", max_persons);
	ctip_row_init(&base);
	ctip_row_init(&r);
	int errs = json_object_into(&im, &base, c, 1);
	if (errs < 0)
		goto oom;
	size_t pi;
	json_t *p;
	json_array_foreach(persons, pi, p)
	{
		ctip_row_clear(&r);
		for (int fi = 0; fi < CTIP_NFIELDS; fi++)
			if (base.v[fi] && ctip_row_set(&r, fi, base.v[fi]))
				goto oom;
		snprintf(r.where, sizeof(r.where), "persons[%zu]", pi);
		st.rows++;
		if (!json_is_object(p)) {
			ctip_diag(&im.d, &r, "persons", "a person must be an object");
			continue;
		}
		int perrs = json_object_into(&im, &r, p, 0);
		if (perrs < 0)
			goto oom;
		if (!ctip_row_get(&r, CF_SRC_ORG) && ctip_row_set(&r, CF_SRC_ORG, org))
			goto oom;
		if (!ctip_row_get(&r, CF_SRC_RECORD)) {
			char id[300];
			snprintf(id, sizeof(id), "%s/%zu",
			         ctip_row_get(&r, CF_SRC_CASE) ? r.v[CF_SRC_CASE] : "case", pi + 1);
			if (ctip_row_set(&r, CF_SRC_RECORD, id))
				goto oom;
		}
		if (errs + perrs || ctip_row_canon(&r, s->ref, &im.d) || classify(&im, &r)) {
			if (im.fatal)
				break;
			continue;
		}
		if (put_row(&im, &r))
			break;
		if (person_ids && (int)pi < max_persons)
			person_ids[pi] =
			        r.person_lid < im.cap_person_ids ? im.person_ids[r.person_lid] : 0;
	}
	if (im.fatal)
		rc = im.fatal;
	else if (im.d.count || st.errors)
		rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, im.d.first_field, "%s",
		                 im.d.count ? im.d.first_msg : "invalid case");
	else if (im.cap_case_ids > 1)
		*case_id = im.case_ids[1];
	goto out;
oom:
	rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
out:
	ctip_row_clear(&r);
	ctip_row_clear(&base);
	free_seen(&im.cases);
	free_seen(&im.persons);
	free_pairs(&im.links);
	free_org_folds(&im.org_folds);
	free_seen(&im.fresh_orgs);
	free(im.case_ids);
	free(im.person_ids);
	return rc;
}

int ctip_import_person(ctip_store *s, const ctip_row *case_row, int64_t case_id, json_t *p,
                       int64_t *person_id, ctip_err *e)
{
	struct ctip_import_opts o = {0};
	struct ctip_import_stats st = {0};
	struct importer im = {.s = s, .o = &o, .st = &st, .e = e};
	ctip_row r;
	int rc = CTIP_OK;
	int64_t org;
	*person_id = 0;
	if (!json_is_object(p))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, NULL, "a person must be a JSON object");
	ctip_row_init(&r);
	for (int f = 0; f < CTIP_NFIELDS; f++)
		if (ctip_fields[f].level == FL_CASE && case_row->v[f] &&
		    ctip_row_set(&r, f, case_row->v[f])) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto out;
		}
	int errs = json_object_into(&im, &r, p, 0);
	if (errs < 0) {
		rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
		goto out;
	}
	if (!errs && !ctip_row_get(&r, CF_SRC_RECORD)) {
		char id[300];
		snprintf(id, sizeof(id), "%s/%lld", r.v[CF_SRC_CASE] ? r.v[CF_SRC_CASE] : "case",
		         (long long)time(NULL));
		if (ctip_row_set(&r, CF_SRC_RECORD, id)) {
			rc = ctip_err_set(e, CTIP_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (errs || ctip_row_canon(&r, s->ref, &im.d)) {
		rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, im.d.first_field, "%s", im.d.first_msg);
		goto out;
	}
	if ((rc = ensure_org(&im, &r, CF_SRC_ORG, r.v[CF_SRC_ORG], NULL, &org)) ||
	    (rc = ensure_orgs_in(&im, &r))) {
		if (!im.fatal)
			rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, im.d.first_field, "%s",
			                 im.d.first_msg);
		goto out;
	}
	rc = s->ops->person_find(s, org, r.v[CF_SRC_RECORD], person_id, e);
	if (rc == CTIP_OK) {
		rc = ctip_err_at(e, CTIP_EINVAL, NULL, 0, "src_RecordId",
		                 "record '%s' is already in the database", r.v[CF_SRC_RECORD]);
		goto out;
	}
	if (rc == CTIP_ENOTFOUND && !(rc = s->ops->person_add(s, org, &r, person_id, e)))
		rc = s->ops->link_add(s, case_id, *person_id, &r, e);
out:
	ctip_row_clear(&r);
	free_org_folds(&im.org_folds);
	return rc;
}

int ctip_import_patch_person(ctip_store *s, ctip_row *r, json_t *p, ctip_err *e)
{
	struct ctip_import_opts o = {0};
	struct ctip_import_stats st = {0};
	struct importer im = {.s = s, .o = &o, .st = &st, .e = e};
	/* a field given replaces the stored one (a group replaces the whole group) */
	const char *k;
	json_t *v;
	json_object_foreach(p, k, v)
	{
		int g = group_of_name(k);
		for (int f = 0; f < CTIP_NFIELDS; f++)
			if (g > 0 ? (int)ctip_fields[f].group == g
			          : !strcmp(ctip_fields[f].name, k))
				ctip_row_take(r, f, NULL);
	}
	int errs = json_object_into(&im, r, p, 0);
	if (errs < 0)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	if (errs || ctip_row_canon(r, s->ref, &im.d))
		return ctip_err_at(e, CTIP_EINVAL, NULL, 0, im.d.first_field, "%s", im.d.first_msg);
	return CTIP_OK;
}
