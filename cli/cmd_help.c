/*
 * cmd_help.c - `ctip help`: the commands, the import columns, the vocabularies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fields.h"

static const char *type_name(enum ctip_ftype t)
{
	switch (t) {
	case FT_TEXT: return "text";
	case FT_ID: return "id";
	case FT_ORGTYPE: return "picklist";
	case FT_PICK: return "picklist";
	case FT_MULTI: return "picklist;...";
	case FT_DATE: return "date";
	case FT_INT: return "integer";
	case FT_AMOUNT: return "amount";
	case FT_BOOL: return "true/false";
	case FT_COUNTRY: return "country";
	case FT_COUNTRIES: return "country;...";
	case FT_PROVINCE: return "province";
	case FT_ERA: return "2008|2025";
	case FT_ORG: return "organisation";
	case FT_PHONE: return "phone;...";
	case FT_DOCNO: return "document no.";
	}
	return "?";
}

static void columns(void)
{
	static const char *const level[] = {"case", "person", "in case"};
	printf("Columns of the import format (one row = one person in one case).\n"
	       "Lists: items separated by ';' (write \\; for a literal ;). Columns of a group\n"
	       "are parallel lists. Dates: YYYY-MM-DD, YYYY-MM or YYYY.\n\n");
	printf("%-40s %-13s %-8s %-19s %s\n", "column", "type", "level", "group/vocabulary",
	       "meaning");
	for (int f = 0; f < CTIP_NFIELDS; f++) {
		const struct ctip_field_def *fd = &ctip_fields[f];
		printf("%-40s %-13s %-8s %-19s %s%s\n", fd->name, type_name(fd->type),
		       level[fd->level],
		       fd->group   ? ctip_group_names[fd->group]
		       : fd->vocab ? fd->vocab
		                   : "",
		       fd->help, (fd->flags & CTIP_F_REQUIRED) ? " (required)" : "");
	}
}

static int vocab(struct cli *c, const char *name)
{
	ctip_store *s;
	int rc = cli_open_meta(c, &s);
	if (rc)
		return rc;
	const struct ctip_ref_entry **all;
	int n = ctip_ref_list(s->ref, name, &all);
	const char *last = "";
	for (int i = 0; i < n; i++) {
		if (!name && !strcmp(last, all[i]->vocab))
			continue;
		if (!name)
			printf("%s\n", all[i]->vocab);
		else
			printf("%-40s %-40s %s\n", all[i]->code, all[i]->label_en,
			       all[i]->label_vi);
		last = all[i]->vocab;
	}
	free(all);
	ctip_store_close(s);
	if (name && !n) {
		fprintf(stderr, "ctip: no vocabulary '%s'; `ctip help vocab` lists them\n", name);
		return 1;
	}
	return 0;
}

int cmd_help(int argc, char **argv, struct cli *c)
{
	if (argc < 2) {
		printf("usage: ctip [--db PATH] COMMAND [ARGS]\n\nCommands:\n");
		for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++)
			printf("  %-8s %s\n", cmd->name, cmd->summary);
		printf("\n  ctip help columns       the columns of the import format\n"
		       "  ctip help vocab [NAME]  the vocabularies, or the values of one\n");
		return 0;
	}
	if (!strcmp(argv[1], "columns")) {
		columns();
		return 0;
	}
	if (!strcmp(argv[1], "vocab"))
		return vocab(c, argc > 2 ? argv[2] : NULL);
	for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[1])) {
			printf("usage: %s\n\n%s\n", cmd->usage, cmd->summary);
			return 0;
		}
	fprintf(stderr, "ctip: no help for '%s'\n", argv[1]);
	return 2;
}
