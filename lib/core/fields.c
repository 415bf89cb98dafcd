/*
 * fields.c - the column table declared in fields.h.
 */
#include "fields.h"

#include <string.h>

#define CTIP_FIELD_DEF(e, name, type, level, group, vocab, flags, help)                            \
	{name, type, level, group, vocab, flags, help},
const struct ctip_field_def ctip_fields[CTIP_NFIELDS] = {CTIP_FIELDS(CTIP_FIELD_DEF)};
#undef CTIP_FIELD_DEF

const char *const ctip_group_names[G_COUNT] = {
        [G_NONE] = "",
        [G_OUTREF] = "referrals",
        [G_INREF] = "incoming_referrals",
        [G_COMMENT] = "comments",
        [G_IDDOC] = "identity_documents",
        [G_EXPLOIT] = "exploitation",
        [G_EVENT] = "events",
        [G_ASSIST] = "assistance",
        [G_PROC] = "proceedings",
};

int ctip_field_find(const char *name)
{
	for (int i = 0; i < CTIP_NFIELDS; i++)
		if (strcmp(ctip_fields[i].name, name) == 0)
			return i;
	return -1;
}
