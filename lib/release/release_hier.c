/*
 * release_hier.c - the released columns (CTDC's global data set layout) and the hierarchies
 * each is generalised along: year to 5-year period, age to CTDC's bands then minor/adult,
 * country to UN M49 sub-region then region (data/geo/m49_regions.csv), province to
 * socio-economic region (data/geo/vn_regions.csv), flags to fewer flags; the top of every
 * hierarchy is "*". The mapping from ctip's codes is in docs/RELEASE.md.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "release.h"
#include "release_int.h"

/* ---- groups and levels ------------------------------------------------------------- */

static const char *const group_names[CTIP_RG_N] = {
        "yearOfRegistration", "gender",    "ageBroad",     "citizenship",   "CountryOfExploitation",
        "provinceOfOrigin",   "isExploit", "typeOfLabour", "meansOfControl"};
static const int group_levels[CTIP_RG_N] = {3, 2, 3, 4, 4, 3, 3, 2, 2};
static const char *const level_names[CTIP_RG_N][CTIP_REL_MAXLEV] = {
        {"year", "5-year period", "*"},
        {"value", "*"},
        {"CTDC age band", "minor/adult", "*"},
        {"country", "M49 sub-region", "M49 region", "*"},
        {"country", "M49 sub-region", "M49 region", "*"},
        {"province", "region", "*"},
        {"every type", "labour/sexual/other", "*"},
        {"every type", "*"},
        {"every means", "*"}};

/* Flag columns. Exploitation: bits in this order. */
enum { X_FL, X_SE, X_OTHER, X_MARRIAGE, X_MILITARY, X_ORGAN, X_SLAVERY, X_N };
static const char *const exploit_cols[] = {
        "isForcedLabour",   "isSexualExploit",  "isOtherExploit", "isSexAndLabour",
        "isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices"};
static const char *const labour_cols[] = {"Agriculture",       "Aquafarming",    "Begging",
                                          "Construction",      "DomesticWork",   "Hospitality",
                                          "IllicitActivities", "Manufacturing",  "MiningOrDrilling",
                                          "Peddling",          "Transportation", "Other"};
enum {
	L_AGRI,
	L_AQUA,
	L_BEG,
	L_CONSTR,
	L_DOMESTIC,
	L_HOSP,
	L_ILLICIT,
	L_MANUF,
	L_MINING,
	L_PEDDLING,
	L_TRANSPORT,
	L_OTHER,
	L_N
};
static const char *const control_cols[] = {"DebtBondage",
                                           "TakesEarnings",
                                           "RestrictsFinancialAccess",
                                           "Threats",
                                           "PsychologicalAbuse",
                                           "PhysicalAbuse",
                                           "SexualAbuse",
                                           "FalsePromises",
                                           "PsychoactiveSubstances",
                                           "RestrictsMovement",
                                           "RestrictsMedicalCare",
                                           "ExcessiveWorkingHours",
                                           "UsesChildren",
                                           "ThreatOfLawEnforcement",
                                           "WithholdsNecessities",
                                           "WithholdsDocuments",
                                           "Other"};
#define C_N ((int)(sizeof(control_cols) / sizeof(control_cols[0])))

const char *ctip_rel_group_name(int g)
{
	return g >= 0 && g < CTIP_RG_N ? group_names[g] : "?";
}

int ctip_rel_group_levels(int g)
{
	return g >= 0 && g < CTIP_RG_N ? group_levels[g] : 0;
}

const char *ctip_rel_level_name(int g, int l)
{
	if (g < 0 || g >= CTIP_RG_N || l < 0 || l >= group_levels[g])
		return "?";
	return level_names[g][l];
}

int ctip_rel_group_parse(const char *name)
{
	for (int g = 0; g < CTIP_RG_N; g++)
		if (!strcmp(name, group_names[g]))
			return g;
	if (!strcmp(name, "majorityStatus") || !strcmp(name, "age"))
		return CTIP_RG_AGE;
	if (!strcmp(name, "year"))
		return CTIP_RG_YEAR;
	if (!strcmp(name, "exploitation"))
		return CTIP_RG_EXPLOIT;
	for (size_t i = 0; i < sizeof(exploit_cols) / sizeof(exploit_cols[0]); i++)
		if (!strcmp(name, exploit_cols[i]))
			return CTIP_RG_EXPLOIT;
	if (!strncmp(name, "typeOfLabour", 12))
		return CTIP_RG_LABOUR;
	if (!strncmp(name, "meansOfControl", 14))
		return CTIP_RG_CONTROL;
	return -1;
}

/* ---- region tables ------------------------------------------------------------------ */

struct region {
	char code[4];
	char sub[48], reg[48];
};
static struct region *m49, *vnreg;
static int nm49, nvnreg;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

/* Lines "code,a[,b[,c]]" after the header: fields 1 and last kept as sub and reg. */
static int load_table(const char *path, struct region **out, int *n)
{
	const struct ctip_embedded *f = ctip_embedded_find(path);
	if (!f)
		return -1;
	int cap = 0;
	for (size_t i = 0; i < f->len; i++)
		cap += f->data[i] == '\n';
	struct region *v = calloc((size_t)cap + 1, sizeof(*v));
	if (!v)
		return -1;
	const char *p = strchr(f->data, '\n');
	int k = 0;
	while (p && p[1]) {
		p++;
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char line[160];
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = 0;
		char *c1 = strchr(line, ','), *last = strrchr(line, ',');
		if (c1 && k < cap) {
			*c1 = 0;
			char *c2 = strchr(c1 + 1, ',');
			if (c2)
				*c2 = 0;
			snprintf(v[k].code, sizeof(v[k].code), "%.3s", line);
			snprintf(v[k].sub, sizeof(v[k].sub), "%.47s", c1 + 1);
			snprintf(v[k].reg, sizeof(v[k].reg), "%.47s",
			         last > c1 ? last + 1 : c1 + 1);
			k++;
		}
		p = end;
	}
	*out = v;
	*n = k;
	return 0;
}

static void init_once(void)
{
	init_rc = load_table("data/geo/m49_regions.csv", &m49, &nm49) ||
	          load_table("data/geo/vn_regions.csv", &vnreg, &nvnreg);
}

int rel_hier_init(ctip_err *e)
{
	pthread_once(&once, init_once);
	if (init_rc)
		return ctip_err_set(e, CTIP_EIO,
		                    "release: the region tables (data/geo) are missing");
	return CTIP_OK;
}

static const struct region *find_region(const struct region *v, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].code, code))
			return &v[i];
	return NULL;
}

/* ---- level-0 values ----------------------------------------------------------------- */

const char *rel_gender(const char *code)
{
	if (!code || !*code)
		return "";
	if (!strcmp(code, "Feminine"))
		return "Female";
	if (!strcmp(code, "Masculine"))
		return "Male";
	if (!strcmp(code, "NonSpecifiedUnknown"))
		return "";
	return "Trans/Transgender/NonConforming";
}

const char *rel_age_band(int age)
{
	if (age < 0)
		return "";
	return age <= 8    ? "0--8"
	       : age <= 17 ? "9--17"
	       : age <= 20 ? "18--20"
	       : age <= 23 ? "21--23"
	       : age <= 26 ? "24--26"
	       : age <= 29 ? "27--29"
	       : age <= 38 ? "30--38"
	       : age <= 47 ? "39--47"
	                   : "48+";
}

unsigned rel_exploit_flag(const char *c)
{
	if (!strcmp(c, "ForcedLabour") || !strcmp(c, "ChildLabour") ||
	    !strcmp(c, "ForcedBegging") || !strcmp(c, "ForcedCriminality"))
		return 1u << X_FL;
	if (!strcmp(c, "SexualExploitation"))
		return 1u << X_SE;
	if (!strcmp(c, "ForcedMarriage"))
		return 1u << X_OTHER | 1u << X_MARRIAGE;
	if (!strcmp(c, "ForcedMilitaryByNonStateActors"))
		return 1u << X_OTHER | 1u << X_MILITARY;
	if (!strcmp(c, "OrganRemoval"))
		return 1u << X_OTHER | 1u << X_ORGAN;
	if (!strcmp(c, "Servitude"))
		return 1u << X_OTHER | 1u << X_SLAVERY;
	return 1u << X_OTHER; /* ForcedAdoption, Surrogacy, Other */
}

unsigned rel_labour_from_exploit(const char *c)
{
	if (!strcmp(c, "ForcedBegging"))
		return 1u << L_BEG;
	if (!strcmp(c, "ForcedCriminality"))
		return 1u << L_ILLICIT;
	return 0;
}

unsigned rel_labour_from_industry(const char *c)
{
	switch (c[0]) {
	case 'A': return 1u << L_AGRI; /* fishing and aquaculture are section A too */
	case 'B': return 1u << L_MINING;
	case 'C': return 1u << L_MANUF;
	case 'F': return 1u << L_CONSTR;
	case 'G': return 1u << L_PEDDLING;
	case 'H': return 1u << L_TRANSPORT;
	case 'I': return 1u << L_HOSP;
	case 'T': return 1u << L_DOMESTIC;
	case 0: return 0;
	default: return 1u << L_OTHER;
	}
}

unsigned rel_control_flag(const char *c)
{
	static const char *const map[][2] = {
	        {"DebtBondage", "DebtBondage"},
	        {"TakesEarnings", "TakesEarnings"},
	        {"RestrictsFinancialAccess", "RestrictsFinancialAccess"},
	        {"PhysicalThreats", "Threats"},
	        {"ThreatensChildrenFamily", "Threats"},
	        {"PsychologicalAbuse", "PsychologicalAbuse"},
	        {"PhysicalAbuse", "PhysicalAbuse"},
	        {"SexualAbuse", "SexualAbuse"},
	        {"FalsePromises", "FalsePromises"},
	        {"PsychoactiveSubstance", "PsychoactiveSubstances"},
	        {"RestrictsMovement", "RestrictsMovement"},
	        {"RestrictsMedicalCare", "RestrictsMedicalCare"},
	        {"ExcessiveWorkingHours", "ExcessiveWorkingHours"},
	        {"UsesChildren", "UsesChildren"},
	        {"ThreatsLawEnforcement", "ThreatOfLawEnforcement"},
	        {"WithholdsNecessities", "WithholdsNecessities"},
	        {"WithholdsDocuments", "WithholdsDocuments"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(c, map[i][0]))
			for (int j = 0; j < C_N; j++)
				if (!strcmp(map[i][1], control_cols[j]))
					return 1u << j;
	return 1u << (C_N - 1); /* Other */
}

/* ---- generalisation ----------------------------------------------------------------- */

void rel_generalise(int g, int l, const char *v, char *out, size_t n)
{
	if (l >= group_levels[g] - 1) {
		snprintf(out, n, "*");
		return;
	}
	if (l == 0 || !*v) {
		snprintf(out, n, "%s", v);
		return;
	}
	const struct region *r;
	switch (g) {
	case CTIP_RG_YEAR: { /* l == 1 */
		int y = atoi(v) / 5 * 5;
		snprintf(out, n, "%d-%d", y, y + 4);
		return;
	}
	case CTIP_RG_AGE:
		snprintf(out, n, "%s", v[0] == '0' || v[0] == '9' ? "0--17" : "18+");
		return;
	case CTIP_RG_CITIZEN:
	case CTIP_RG_DEST:
		r = find_region(m49, nm49, v);
		snprintf(out, n, "%s", !r ? "Other" : l == 1 ? r->sub : r->reg);
		return;
	case CTIP_RG_ORIGIN:
		r = find_region(vnreg, nvnreg, v);
		snprintf(out, n, "%s", r ? r->sub : "Other");
		return;
	case CTIP_RG_EXPLOIT: { /* l == 1: the three broad flags only */
		unsigned m = (unsigned)strtoul(v + 1, NULL, 16);
		snprintf(out, n, "c%x", m & (1u << X_FL | 1u << X_SE | 1u << X_OTHER));
		return;
	}
	default: snprintf(out, n, "%s", v); return;
	}
}

/* ---- CSV -------------------------------------------------------------------------- */

void rel_write_header(FILE *f)
{
	fputs("yearOfRegistration,gender,ageBroad,majorityStatus,citizenship,CountryOfExploitation,"
	      "provinceOfOrigin",
	      f);
	for (size_t i = 0; i < sizeof(exploit_cols) / sizeof(exploit_cols[0]); i++)
		fprintf(f, ",%s", exploit_cols[i]);
	for (int i = 0; i < L_N; i++)
		fprintf(f, ",typeOfLabour%s", labour_cols[i]);
	for (int i = 0; i < C_N; i++)
		fprintf(f, ",meansOfControl%s", control_cols[i]);
	fputc('\n', f);
}

/* A text value: the region names hold no comma or quote, but quote any that would. */
static void put_text(FILE *f, const char *v)
{
	if (!strpbrk(v, ",\"\n")) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

static void put_flags(FILE *f, const char *v, int n, unsigned keep)
{
	int star = !strcmp(v, "*"), unknown = !*v;
	unsigned m = star || unknown ? 0 : (unsigned)strtoul(v + 1, NULL, 16);
	for (int i = 0; i < n; i++) {
		fputc(',', f);
		if (unknown)
			continue;
		if (star || !(keep >> i & 1))
			fputc('*', f);
		else
			fputc(m >> i & 1 ? '1' : '0', f);
	}
}

void rel_write_group(FILE *f, int g, int l, const char *v)
{
	if (g != CTIP_RG_YEAR && g < CTIP_RG_EXPLOIT)
		fputc(',', f);
	switch (g) {
	case CTIP_RG_AGE: {
		put_text(f, v);
		fputc(',', f);
		if (!strcmp(v, "*"))
			fputc('*', f);
		else if (*v)
			fputs(v[0] == '0' || v[0] == '9' ? "Minor" : "Adult", f);
		return;
	}
	case CTIP_RG_EXPLOIT: {
		/* isSexAndLabour is a column of its own in CTDC's layout: derived here */
		int star = !strcmp(v, "*"), unknown = !*v;
		unsigned m = star || unknown ? 0 : (unsigned)strtoul(v + 1, NULL, 16);
		unsigned keep = l == 0 ? ~0u : (1u << X_FL | 1u << X_SE | 1u << X_OTHER);
		for (int i = 0; i < 8; i++) {
			fputc(',', f);
			if (unknown)
				continue;
			int bit = i < 3 ? i : i == 3 ? -1 : i - 1;
			if (star || (bit >= 0 && !(keep >> bit & 1))) {
				fputc('*', f);
				continue;
			}
			int on = bit < 0 ? (m >> X_FL & 1) && (m >> X_SE & 1) : (int)(m >> bit & 1);
			fputc(on ? '1' : '0', f);
		}
		return;
	}
	case CTIP_RG_LABOUR: put_flags(f, v, L_N, ~0u); return;
	case CTIP_RG_CONTROL: put_flags(f, v, C_N, ~0u); return;
	default: put_text(f, v); return;
	}
}

void rel_value_label(int g, const char *v, char *out, size_t n)
{
	if (!*v || (v[0] != 'm' && v[0] != 'c') || g < CTIP_RG_EXPLOIT) {
		snprintf(out, n, "%s", v);
		return;
	}
	unsigned m = (unsigned)strtoul(v + 1, NULL, 16);
	const char *const *names = g == CTIP_RG_EXPLOIT  ? exploit_cols
	                           : g == CTIP_RG_LABOUR ? labour_cols
	                                                 : control_cols;
	int nn = g == CTIP_RG_EXPLOIT ? X_N : g == CTIP_RG_LABOUR ? L_N : C_N;
	size_t len = 0;
	out[0] = 0;
	for (int i = 0; i < nn && len < n; i++) {
		if (!(m >> i & 1))
			continue;
		/* exploitation bits skip the derived isSexAndLabour column */
		const char *nm = g == CTIP_RG_EXPLOIT ? names[i < 3 ? i : i + 1] : names[i];
		if (g == CTIP_RG_EXPLOIT && !strncmp(nm, "is", 2))
			nm += 2;
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "+" : "", nm);
	}
	if (!len)
		snprintf(out, n, "none");
}

int rel_domain(int g, int year_lo, int year_hi, struct rel_sdict *d)
{
	static const char *const genders[] = {"Female", "Male", "Trans/Transgender/NonConforming"};
	static const int ages[] = {0, 9, 18, 21, 24, 27, 30, 39, 48};
	uint32_t c;
	char buf[16];
	switch (g) {
	case CTIP_RG_YEAR:
		for (int y = year_lo; y <= year_hi; y++) {
			snprintf(buf, sizeof(buf), "%d", y);
			if (rel_sd_intern(d, buf, &c))
				return -1;
		}
		return 0;
	case CTIP_RG_GENDER:
		for (int i = 0; i < 3; i++)
			if (rel_sd_intern(d, genders[i], &c))
				return -1;
		return 0;
	case CTIP_RG_AGE:
		for (int i = 0; i < 9; i++)
			if (rel_sd_intern(d, rel_age_band(ages[i]), &c))
				return -1;
		return 0;
	case CTIP_RG_CITIZEN:
	case CTIP_RG_DEST:
	case CTIP_RG_ORIGIN: {
		const struct region *v = g == CTIP_RG_ORIGIN ? vnreg : m49;
		int n = g == CTIP_RG_ORIGIN ? nvnreg : nm49;
		for (int i = 0; i < n; i++)
			if (rel_sd_intern(d, v[i].code, &c))
				return -1;
		return 0;
	}
	default: return -1;
	}
}
