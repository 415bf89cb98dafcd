/*
 * cmd_show.c - `ctip show ID`: a person record (P12) with every case it is
 * in, or a case (C7) with every person in it; as text, or JSON with --json.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "export.h"

struct show {
	json_t *out; /* array of {case, person} pairs */
};

static int collect(void *ctx, const ctip_row *r)
{
	struct show *sh = ctx;
	json_t *pair = json_object();
	json_t *c = ctip_case_json(r), *p = ctip_person_json(r);
	char id[32];
	snprintf(id, sizeof(id), "C%lld", r->case_id);
	json_object_set_new(c, "id", json_string(id));
	snprintf(id, sizeof(id), "P%lld", r->person_id);
	json_object_set_new(p, "id", json_string(id));
	json_object_set_new(pair, "case", c);
	json_object_set_new(pair, "person", p);
	json_array_append_new(sh->out, pair);
	return 0;
}

/* A column's label: its description up to any parenthesis; in a group, the part after
 * "group: " ("trafficking event: date" -> "date"). */
static void field_label(const char *key, int in_group, char *buf, size_t n)
{
	int f = ctip_field_find(key);
	const char *h = f >= 0 ? ctip_fields[f].help : key;
	const char *colon = in_group ? strstr(h, ": ") : NULL;
	snprintf(buf, n, "%s", colon ? colon + 2 : h);
	buf[strcspn(buf, "(")] = 0;
	size_t len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = 0;
}

static const char *label(const ctip_ref *ref, const char *key, const char *v)
{
	int f = ctip_field_find(key);
	if (f < 0 || !ctip_fields[f].vocab)
		return NULL;
	const struct ctip_ref_entry *en = ctip_ref_get(ref, ctip_fields[f].vocab, v);
	return en && strcmp(en->label_en, v) ? en->label_en : NULL;
}

static void print_value(const ctip_ref *ref, const char *key, json_t *v)
{
	if (json_is_string(v)) {
		const char *l = label(ref, key, json_string_value(v));
		printf("%s%s%s%s", json_string_value(v), l ? " (" : "", l ? l : "", l ? ")" : "");
	} else if (json_is_integer(v)) {
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_boolean(v)) {
		printf("%s", json_is_true(v) ? "yes" : "no");
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			if (i)
				printf("; ");
			print_value(ref, key, x);
		}
	}
}

static void print_object(const ctip_ref *ref, json_t *o, int indent, const char *skip)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (!strcmp(k, "id") || (skip && strstr(skip, k)))
			continue;
		if (json_is_array(v) && json_array_size(v) &&
		    json_is_object(json_array_get(v, 0))) {
			size_t i;
			json_t *x;
			printf("%*s%s:\n", indent, "", k);
			json_array_foreach(v, i, x)
			{
				const char *ik;
				json_t *iv;
				printf("%*s- ", indent + 2, "");
				int first = 1;
				json_object_foreach(x, ik, iv)
				{
					char lab[64];
					field_label(ik, 1, lab, sizeof(lab));
					printf("%s%s: ", first ? "" : ", ", lab);
					print_value(ref, ik, iv);
					first = 0;
				}
				printf("\n");
			}
			continue;
		}
		char lab[64];
		field_label(k, 0, lab, sizeof(lab));
		printf("%*s%-36s ", indent, "", lab);
		print_value(ref, k, v);
		printf("\n");
	}
}

static int is_link_key(const char *k)
{
	int f = ctip_field_find(k);
	if (f >= 0)
		return ctip_fields[f].level == FL_LINK;
	return !strcmp(k, "exploitation") || !strcmp(k, "events") || !strcmp(k, "assistance") ||
	       !strcmp(k, "proceedings");
}

/* Prints only the person-level or only the in-case keys of a person object. */
static void print_person_part(const ctip_ref *ref, json_t *p, int in_case, int indent)
{
	json_t *part = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(p, k, v) if (is_link_key(k) == in_case) json_object_set(part, k, v);
	print_object(ref, part, indent, NULL);
	json_decref(part);
}

int cmd_show(int argc, char **argv, struct cli *c)
{
	int as_json = 0, i = 1;
	if (i < argc && !strcmp(argv[i], "--json"))
		as_json = 1, i++;
	if (i + 1 != argc)
		return cli_usage("show");
	const char *id = argv[i];
	char kind = (char)toupper((unsigned char)id[0]);
	const char *num = isdigit((unsigned char)id[0]) ? id : id + 1;
	char *end;
	long long n = strtoll(num, &end, 10);
	if ((kind != 'P' && kind != 'C' && !isdigit((unsigned char)id[0])) || *end || n <= 0) {
		fprintf(stderr,
		        "ctip: '%s' is not an id: write P12 for a person record, C7 for a "
		        "case\n",
		        id);
		return 2;
	}
	int is_case = kind == 'C';
	ctip_store *s;
	int rc = cli_open(c, &s);
	if (rc)
		return rc;
	struct ctip_row_filter flt = {.case_id = is_case ? n : 0, .person_id = is_case ? 0 : n};
	struct show sh = {.out = json_array()};
	ctip_err e = {0};
	if ((rc = s->ops->rows(s, &flt, collect, &sh, &e))) {
		json_decref(sh.out);
		ctip_store_close(s);
		return cli_fail(&e);
	}
	if (json_array_size(sh.out) == 0) {
		fprintf(stderr, "ctip: no %s %c%lld\n", is_case ? "case" : "person record",
		        is_case ? 'C' : 'P', n);
		json_decref(sh.out);
		ctip_store_close(s);
		return 1;
	}
	/* identifying data is shown only once its viewing is in the audit log */
	char obj[32], detail[40];
	snprintf(obj, sizeof(obj), "%c%lld", is_case ? 'C' : 'P', n);
	rc = ctip_audit(s, NULL, "view", obj, "", &e);
	for (size_t k = 0; !rc && is_case && k < json_array_size(sh.out); k++) {
		json_t *p = json_object_get(json_array_get(sh.out, k), "person");
		snprintf(detail, sizeof(detail), "in %s", obj);
		rc = ctip_audit(s, NULL, "view", json_string_value(json_object_get(p, "id")),
		                detail, &e);
	}
	if (rc) {
		json_decref(sh.out);
		ctip_store_close(s);
		return cli_fail(&e);
	}
	json_t *first = json_array_get(sh.out, 0);
	if (as_json) {
		json_t *o = json_object();
		size_t k;
		json_t *pair;
		if (is_case) {
			json_t *cs = json_deep_copy(json_object_get(first, "case")),
			       *ps = json_array();
			json_array_foreach(sh.out, k, pair)
			        json_array_append(ps, json_object_get(pair, "person"));
			json_object_set_new(cs, "persons", ps);
			json_object_set_new(o, "case", cs);
		} else {
			json_t *p = json_deep_copy(json_object_get(first, "person")),
			       *cs = json_array();
			json_array_foreach(sh.out, k, pair)
			{
				json_t *cc = json_deep_copy(json_object_get(pair, "case"));
				json_t *pp = json_object_get(pair, "person");
				const char *key;
				json_t *v;
				json_object_foreach(pp, key, v) if (is_link_key(key))
				        json_object_set(cc, key, v);
				json_array_append_new(cs, cc);
			}
			/* what belongs to a case is listed under it */
			json_t *clean = json_object();
			const char *key;
			json_t *v;
			json_object_foreach(p, key, v) if (!is_link_key(key))
			        json_object_set(clean, key, v);
			json_decref(p);
			json_object_set_new(clean, "cases", cs);
			json_object_set_new(o, "person", clean);
		}
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
		json_decref(o);
	} else if (is_case) {
		json_t *cs = json_object_get(first, "case");
		printf("Case %s\n", json_string_value(json_object_get(cs, "id")));
		print_object(s->ref, cs, 2, NULL);
		size_t k;
		json_t *pair;
		json_array_foreach(sh.out, k, pair)
		{
			json_t *p = json_object_get(pair, "person");
			printf("\nPerson %s\n", json_string_value(json_object_get(p, "id")));
			print_person_part(s->ref, p, 0, 2);
			printf("  In this case:\n");
			print_person_part(s->ref, p, 1, 4);
		}
	} else {
		json_t *p = json_object_get(first, "person");
		printf("Person %s\n", json_string_value(json_object_get(p, "id")));
		print_person_part(s->ref, p, 0, 2);
		size_t k;
		json_t *pair;
		json_array_foreach(sh.out, k, pair)
		{
			json_t *cs = json_object_get(pair, "case");
			printf("\nCase %s (%s, %s)\n", json_string_value(json_object_get(cs, "id")),
			       json_string_value(json_object_get(cs, "src_Organisation")),
			       json_string_value(json_object_get(cs, "src_CaseId")));
			print_person_part(s->ref, json_object_get(pair, "person"), 1, 2);
			print_object(s->ref, cs, 2, "src_Organisation src_CaseId");
		}
	}
	json_decref(sh.out);
	ctip_store_close(s);
	return 0;
}
