/*
 * export.c - CSV and JSON output of stored rows, with the identities the user chose to
 * include (see export.h).
 */
#include "export.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "progress.h"

static json_t *scalar_json(int f, const char *v)
{
	if (ctip_fields[f].type == FT_BOOL)
		return json_boolean(!strcmp(v, "true"));
	if (ctip_fields[f].type == FT_INT)
		return json_integer(atoll(v));
	return json_string(v);
}

/* Adds the non-group columns of level lv (or both person levels) to obj. */
static void add_fields(json_t *obj, const ctip_row *r, int case_level)
{
	for (int f = 0; f < CTIP_NFIELDS; f++) {
		const struct ctip_field_def *fd = &ctip_fields[f];
		if ((fd->level == FL_CASE) != case_level || fd->group != G_NONE ||
		    !ctip_row_get(r, f))
			continue;
		if (fd->flags & CTIP_F_LIST) {
			char **it;
			int n;
			json_t *a = json_array();
			if (ctip_list_split(r->v[f], &it, &n) == 0) {
				for (int i = 0; i < n; i++)
					json_array_append_new(a, json_string(it[i]));
				ctip_list_free(it, n);
			}
			json_object_set_new(obj, fd->name, a);
		} else {
			json_object_set_new(obj, fd->name, scalar_json(f, r->v[f]));
		}
	}
	/* repeating groups become arrays of objects */
	for (int g = G_NONE + 1; g < G_COUNT; g++) {
		int is_case = g == G_OUTREF || g == G_INREF || g == G_COMMENT;
		if (is_case != case_level)
			continue;
		char **items[CTIP_NFIELDS] = {0};
		int counts[CTIP_NFIELDS] = {0}, n = 0;
		for (int f = 0; f < CTIP_NFIELDS; f++)
			if ((int)ctip_fields[f].group == g && ctip_row_get(r, f) &&
			    ctip_list_split(r->v[f], &items[f], &counts[f]) == 0 && counts[f] > n)
				n = counts[f];
		if (n) {
			json_t *a = json_array();
			for (int i = 0; i < n; i++) {
				json_t *o = json_object();
				for (int f = 0; f < CTIP_NFIELDS; f++)
					if (i < counts[f] && items[f][i][0])
						json_object_set_new(o, ctip_fields[f].name,
						                    scalar_json(f, items[f][i]));
				json_array_append_new(a, o);
			}
			json_object_set_new(obj, ctip_group_names[g], a);
		}
		for (int f = 0; f < CTIP_NFIELDS; f++)
			if (items[f])
				ctip_list_free(items[f], counts[f]);
	}
}

json_t *ctip_case_json(const ctip_row *r)
{
	json_t *o = json_object();
	add_fields(o, r, 1);
	return o;
}

json_t *ctip_person_json(const ctip_row *r)
{
	json_t *o = json_object();
	add_fields(o, r, 0);
	return o;
}

/* The fields OMIT and PSEUDONYM leave out (export.h). */
static const int left_out[] = {CF_FAMILY,       CF_MIDDLE,       CF_GIVEN,       CF_STREET,
                               CF_COMMUNE,      CF_COMMUNE_CODE, CF_DISTRICT,    CF_DISTRICT_CODE,
                               CF_DOC_TYPE,     CF_DOC_NUMBER,   CF_DOC_ISSUED,  CF_DOC_EXPIRES,
                               CF_MOBILE,       CF_HOMEPHONE,    CF_CAS_CLOSURE, CF_COMMENT,
                               CF_COMMENT_DATE, CF_EXPL_PLACE,   CF_EV_STATE,    CF_EV_CITY,
                               CF_RECRUITER};

struct exporter {
	const struct ctip_export_opts *o;
	const ctip_crypto *key;
	unsigned char salt[crypto_generichash_KEYBYTES]; /* OMIT: ids valid in this file only */
	long long last_person;
	ctip_row tmp;
	long total; /* rows to write when known (0: not), for the progress bar */
	FILE *out;
	enum ctip_format fmt;
	long n, flushed;
	json_t *cur_case, *cur_persons;
	char *cur_org, *cur_src;
};

static int flush_case(struct exporter *x)
{
	if (!x->cur_case)
		return CTIP_OK;
	json_object_set_new(x->cur_case, "persons", x->cur_persons);
	if (x->flushed++)
		fputs(",\n", x->out);
	int rc = json_dumpf(x->cur_case, x->out, JSON_PRESERVE_ORDER | JSON_COMPACT);
	json_decref(x->cur_case);
	x->cur_case = x->cur_persons = NULL;
	return rc ? CTIP_EIO : CTIP_OK;
}

/* The row as the export's choice of identities has it: r itself, or x->tmp. */
static const ctip_row *shown_row(struct exporter *x, const ctip_row *r)
{
	if (x->o->ids == CTIP_IDS_CLEAR)
		return r;
	ctip_row *t = &x->tmp;
	for (int f = 0; f < CTIP_NFIELDS; f++)
		if (ctip_row_set(t, f, r->v[f]))
			return NULL;
	for (size_t i = 0; i < sizeof(left_out) / sizeof(*left_out); i++)
		ctip_row_set(t, left_out[i], NULL);
	const char *b = ctip_row_get(r, CF_BIRTH);
	if (b && strlen(b) > 4) {
		char year[5];
		memcpy(year, b, 4);
		year[4] = 0;
		ctip_row_set(t, CF_BIRTH, year);
	}
	char id[40], hex[2 * CTIP_BIDX_BYTES + 1];
	unsigned char h[CTIP_BIDX_BYTES];
	snprintf(id, sizeof(id), "person:%lld", r->person_id);
	if (x->o->ids == CTIP_IDS_PSEUDONYM && x->key)
		ctip_bidx(x->key, CTIP_BIDX_PSEUDONYM, id, strlen(id), h);
	else
		crypto_generichash(h, sizeof(h), (const unsigned char *)id, strlen(id), x->salt,
		                   sizeof(x->salt));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(id, sizeof(id), "%c%s", x->o->ids == CTIP_IDS_PSEUDONYM ? 'X' : 'R', hex);
	return ctip_row_set(t, CF_SRC_RECORD, id) ? NULL : t;
}

static int on_row(void *ctx, const ctip_row *orig)
{
	struct exporter *x = ctx;
	if (x->o->on_person && orig->person_id != x->last_person) {
		int rc = x->o->on_person(x->o->ctx, orig->person_id);
		if (rc)
			return rc;
		x->last_person = orig->person_id;
	}
	const ctip_row *r = shown_row(x, orig);
	if (!r)
		return CTIP_ENOMEM;
	if (x->fmt == CTIP_FMT_CSV) {
		for (int f = 0; f < CTIP_NFIELDS; f++)
			ctip_csv_field(x->out, r->v[f], f == 0);
		ctip_csv_eol(x->out);
		if (!(++x->n & 1023))
			ctip_progress_report("exporting", x->n, x->total, "rows");
		return ferror(x->out) ? CTIP_EIO : CTIP_OK;
	}
	if (!x->cur_case || strcmp(x->cur_org, r->v[CF_SRC_ORG]) ||
	    strcmp(x->cur_src, r->v[CF_SRC_CASE])) {
		int rc = flush_case(x);
		if (rc)
			return rc;
		free(x->cur_org);
		free(x->cur_src);
		x->cur_org = strdup(r->v[CF_SRC_ORG]);
		x->cur_src = strdup(r->v[CF_SRC_CASE]);
		x->cur_case = ctip_case_json(r);
		x->cur_persons = json_array();
		if (!x->cur_org || !x->cur_src || !x->cur_case || !x->cur_persons)
			return CTIP_ENOMEM;
	}
	json_array_append_new(x->cur_persons, ctip_person_json(r));
	if (!(++x->n & 1023))
		ctip_progress_report("exporting", x->n, x->total, "rows");
	return CTIP_OK;
}

int ctip_export(ctip_store *s, enum ctip_format fmt, FILE *out, const struct ctip_row_filter *flt,
                long *nrows, ctip_err *e)
{
	static const struct ctip_export_opts clear = {.ids = CTIP_IDS_CLEAR};
	return ctip_export_with(s, fmt, out, flt, &clear, nrows, e);
}

int ctip_export_with(ctip_store *s, enum ctip_format fmt, FILE *out,
                     const struct ctip_row_filter *flt, const struct ctip_export_opts *o,
                     long *nrows, ctip_err *e)
{
	struct exporter x = {.out = out, .fmt = fmt, .o = o, .key = s->crypto, .last_person = -1};
	int rc;
	if (sodium_init() < 0)
		return ctip_err_set(e, CTIP_EINVAL, "libsodium failed to initialise");
	if (o->ids == CTIP_IDS_PSEUDONYM && !s->crypto)
		return ctip_err_set(
		        e, CTIP_EINVAL,
		        "--identities pseudonym needs the registry's key (the pseudonyms "
		        "are keyed by it)");
	randombytes_buf(x.salt, sizeof(x.salt));
	ctip_row_init(&x.tmp);
	struct ctip_counts cnt;
	if (!flt && s->ops->counts && s->ops->counts(s, &cnt, NULL) == CTIP_OK)
		x.total = cnt.links; /* one row per person in a case */
	if (fmt == CTIP_FMT_CSV) {
		for (int f = 0; f < CTIP_NFIELDS; f++)
			ctip_csv_field(out, ctip_fields[f].name, f == 0);
		ctip_csv_eol(out);
	} else {
		fputs("{\"format\":\"ctip-htcds\",\"version\":1,\"cases\":[\n", out);
	}
	rc = s->ops->rows(s, flt, on_row, &x, e);
	if (rc == CTIP_OK && fmt == CTIP_FMT_JSON) {
		rc = flush_case(&x);
		fputs("\n]}\n", out);
	}
	ctip_progress_finish();
	json_decref(x.cur_case);
	json_decref(x.cur_persons);
	free(x.cur_org);
	free(x.cur_src);
	ctip_row_clear(&x.tmp);
	sodium_memzero(x.salt, sizeof(x.salt));
	if (nrows)
		*nrows = x.n;
	if (rc == CTIP_EIO || (rc == CTIP_OK && (fflush(out) || ferror(out))))
		return ctip_err_set(e, CTIP_EIO, "write error");
	if (rc == CTIP_ENOMEM)
		return ctip_err_set(e, CTIP_ENOMEM, "out of memory");
	return rc;
}
