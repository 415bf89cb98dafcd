/*
 * report_casework.c - the TIP questionnaire's II.4 hotline tables from hotline contacts
 * (report_casework.h): contacts are records of their own, so the hotline's work is counted
 * from them, not only from the cases hotlines opened.
 */
#include "report_casework.h"

#include <stdio.h>
#include <string.h>

#include "stats_casework.h"
#include "suppress.h"

int ctip_report_add_contacts(struct ctip_report *r, ctip_store *s, const ctip_ref *ref, ctip_err *e)
{
	static const struct {
		const char *title;
		int dim;
	} tables[] = {{"II.4 Hotline: contacts (calls, messages, chats, web forms, walk-ins), by "
	               "channel",
	               CTIP_D_CHANNEL},
	              {"II.4 Hotline: contacts by reason", CTIP_D_CONTACT_REASON},
	              {"II.4 Hotline: contacts by caller type", CTIP_D_CALLER_TYPE}};
	/* with the other II.4 tables (ctip_report_settle moves them before II.5) */
	for (int k = 0; r->slot < 0 && k < r->nbuilt; k++)
		if (!strncmp(r->s[k].title, "II.5", 4))
			r->slot = k;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (r->n >= CTIP_REPORT_MAX)
			return ctip_err_set(e, CTIP_EINVAL, "too many sections in the report");
		struct ctip_report_section *sec = &r->s[r->n];
		memset(sec, 0, sizeof(*sec));
		snprintf(sec->title, sizeof(sec->title), "%s", tables[i].title);
		sec->q.unit = CTIP_U_CONTACTS;
		sec->q.ndim = 1;
		sec->q.dim[0] = tables[i].dim;
		sec->q.ref = ref;
		if (r->year) {
			sec->q.from = r->year * 10000;
			sec->q.to = r->year * 10000 + 1231;
		}
		int rc = ctip_cw_stats(s, &sec->q, &sec->t, e);
		if (rc)
			return rc;
		r->n++;
		if (!r->raw)
			ctip_suppress(sec->t, r->threshold);
	}
	return CTIP_OK;
}
