/*
 * routes_misc.c - GET /api/orgs (for the referral form: the organisations that have an
 * account, not every name the data registered, such as recruiters) and
 * GET /api/vocab/NAME (a vocabulary with its English and Vietnamese labels).
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int add_org(void *ctx, const struct ctip_org_item *o)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)o->id, "name",
	                                     o->name, "type", o->type));
	return 0;
}

int h_orgs(struct req *r)
{
	ctip_err e = {0};
	json_t *a = json_array();
	if (r->s->srv->org_list(r->s, add_org, a, &e)) {
		json_decref(a);
		return srv_fail(r, &e);
	}
	r->out = json_pack("{s:o}", "orgs", a);
	return 200;
}

int h_vocab(struct req *r)
{
	const struct ctip_ref_entry **all = NULL;
	if (!r->s->ref || !ctip_ref_has_vocab(r->s->ref, r->param))
		return srv_error(r, 404, NULL, "no such vocabulary");
	int n = ctip_ref_list(r->s->ref, r->param, &all);
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "code", all[i]->code, "en",
		                                   all[i]->label_en, "vi", all[i]->label_vi));
	free(all);
	r->out = json_pack("{s:s, s:o}", "vocab", r->param, "values", a);
	return 200;
}
