/*
 * demo_population.c - a population of victims of known size, seen by a few agencies, for
 * measuring multiple systems estimation against the truth (`ctip demo generate --population
 * N --lists K`, bench/estimate.sh).
 *
 * Every one of the N victims belongs to a hidden class of visibility (most are hard to see,
 * a few easy), and each agency detects each victim with its own probability scaled by the
 * class: capture probabilities are heterogeneous. Agency 2 takes referrals from agency 1: a
 * victim agency 1 detected is likelier to be detected by agency 2 (positive dependence
 * between two lists); agency 3 and 4, when there are that many, are also dependent. Only
 * detected victims are written, one record per agency that saw them, in the import format,
 * with a synthetic identity (invented names, birth date, a 12-digit document number) written
 * the same way by every agency, so that linkage recovers the persons. The truth file maps
 * each record to its person and starts with a comment line giving the population size.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "demo_population.h"
#include "estimate.h"

static const char *const org_type[] = {"Police",
                                       "SocialProtectionCentre",
                                       "NGO",
                                       "BorderGuard",
                                       "Hotline",
                                       "InternationalOrganisation",
                                       "LabourExportCompany",
                                       "OtherGovernment",
                                       "Procuracy",
                                       "Court"};
static const char *const fam[] = {"NGUYỄN", "TRẦN", "LÊ",    "PHẠM", "HOÀNG", "HUỲNH", "PHAN",
                                  "VŨ",     "VÕ",   "ĐẶNG",  "BÙI",  "ĐỖ",    "HỒ",    "NGÔ",
                                  "DƯƠNG",  "LÝ",   "GIÀNG", "THÀO", "LÒ",    "HÀ"};
static const char *const mid[] = {"THỊ", "VĂN", "HỮU", "ĐỨC", "NGỌC", "MINH", "THU", "QUANG"};
static const char *const given[] = {
        "LAN",  "HOA",  "MAI",  "HƯƠNG",  "LINH",  "TRANG", "HẰNG", "THẢO", "NGA",  "HUYỀN",
        "DUNG", "VÂN",  "YẾN",  "PHƯƠNG", "HÀ",    "NAM",   "HÙNG", "DŨNG", "TUẤN", "MINH",
        "SƠN",  "LONG", "HẢI",  "THẮNG",  "CƯỜNG", "PHÚC",  "KHOA", "BÌNH", "TÙNG", "QUÂN",
        "ANH",  "CHÂU", "DIỆP", "GIANG",  "KHÁNH", "LỆ",    "MỸ",   "NHI",  "OANH", "QUỲNH"};

#define NF (int)(sizeof fam / sizeof fam[0])
#define NM (int)(sizeof mid / sizeof mid[0])
#define NG (int)(sizeof given / sizeof given[0])

int ctip_demo_population(const struct ctip_demo_pop_opts *o, FILE *out, FILE *truth, ctip_err *e)
{
	if (o->population < 1 || o->population > 10000000)
		return ctip_err_set(e, CTIP_EINVAL, "--population: from 1 to 10,000,000 victims");
	if (o->lists < 2 || o->lists > 10)
		return ctip_err_set(e, CTIP_EINVAL, "--lists: from 2 to 10 agencies");
	if (o->year < 1990 || o->year > 2100)
		return ctip_err_set(e, CTIP_EINVAL, "--year: a year like 2024");
	struct ctip_rng g;
	ctip_rng_seed(&g, o->seed, 0x706f70); /* "pop" */
	int K = o->lists;
	/* each agency's base detection probability, 0.04 to 0.16; classes scale it */
	double base[10];
	for (int j = 0; j < K; j++)
		base[j] = 0.04 + 0.12 * ctip_rng_unif(&g);
	static const double cls_w[3] = {0.6, 0.3, 0.1}, cls_x[3] = {0.5, 1.5, 4.0};
	double hetero = o->heterogeneity >= 0 ? o->heterogeneity : 1;
	fprintf(out, "src_Organisation,org_Type,src_CaseId,ctip_CaseOpenedDate,src_RecordId,"
	             "ctip_Role,prs_SecondName,prs_MiddleName,prs_FirstName,prs_Birthdate,"
	             "prs_Gender,prs_Citizenship,ctip_IdentityType,prs_IdentityNumber\n");
	if (truth)
		fprintf(truth,
		        "# population=%ld lists=%d seed=%llu: the true number of victims, of whom "
		        "only the detected have records\nsrc_Organisation,src_RecordId,person_id\n",
		        o->population, K, o->seed);
	long records = 0, detected = 0;
	for (long i = 0; i < o->population; i++) {
		double u = ctip_rng_unif(&g);
		int c = u < cls_w[0] ? 0 : u < cls_w[0] + cls_w[1] ? 1 : 2;
		double scale = 1 + hetero * (cls_x[c] - 1);
		unsigned seen = 0;
		for (int j = 0; j < K; j++) {
			double p = base[j] * scale;
			if (j == 1 && (seen & 1))
				p *= 3; /* referred by agency 1 */
			if (j == 3 && (seen & 4))
				p *= 2;
			if (p > 0.95)
				p = 0.95;
			if (ctip_rng_unif(&g) < p)
				seen |= 1u << j;
		}
		/* the identity is drawn whether seen or not: the output for a seed does not depend
		 * on which were seen beyond the records */
		int f = (int)(ctip_rng_unif(&g) * NF), m = (int)(ctip_rng_unif(&g) * NM),
		    gv = (int)(ctip_rng_unif(&g) * NG);
		int female = ctip_rng_unif(&g) < 0.7;
		int by = 1960 + (int)(ctip_rng_unif(&g) * 45),
		    bm = 1 + (int)(ctip_rng_unif(&g) * 12), bd = 1 + (int)(ctip_rng_unif(&g) * 28);
		if (!seen)
			continue;
		detected++;
		for (int j = 0; j < K; j++) {
			if (!(seen >> j & 1))
				continue;
			int month = 1 + (int)(ctip_rng_unif(&g) * 12),
			    day = 1 + (int)(ctip_rng_unif(&g) * 28);
			records++;
			fprintf(out,
			        "Agency "
			        "%d,%s,A%d-C%ld,%d-%02d-%02d,A%d-P%ld,Victim,%s,%s,%s,%d-%02d-%02d,"
			        "%s,"
			        "VN,CCCD,001%09ld\n",
			        j + 1, org_type[j], j + 1, i + 1, o->year, month, day, j + 1, i + 1,
			        fam[f], female ? "THỊ" : mid[m], given[gv], by, bm, bd,
			        female ? "Feminine" : "Masculine", 100000000L + i);
			if (truth)
				fprintf(truth, "Agency %d,A%d-P%ld,%ld\n", j + 1, j + 1, i + 1,
				        i + 1);
		}
	}
	if (ferror(out) || (truth && ferror(truth)))
		return ctip_err_set(e, CTIP_EIO, "write error");
	if (o->detected)
		*o->detected = detected;
	if (o->records)
		*o->records = records;
	return 0;
}
