/*
 * link_compare.h - the comparisons of record linkage (linkage step 1): each
 * compares one attribute of two person records and yields a level, from
 * exact agreement down to disagreement, or LK_MISSING when either record
 * lacks the attribute. Inputs are prepared once per record (folded names,
 * parsed dates, normalised document numbers and phones) so that comparing
 * a pair does no parsing and no allocation.
 */
#ifndef CTIP_LINK_COMPARE_H
#define CTIP_LINK_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* Levels: 0 is the strongest agreement; LK_MISSING (weight 0) when unknown. */
enum { LK_MISSING = 7 };

/* Name levels (family, given). */
enum { LK_NAME_EXACT, LK_NAME_CLOSE, LK_NAME_FAR, LK_NAME_DIFF, LK_NAME_N };
/* Middle name: exact, different (one missing counts as missing: it is often dropped). */
enum { LK_MID_EXACT, LK_MID_DIFF, LK_MID_N };
/* Birth date. */
enum { LK_DATE_EXACT, LK_DATE_CLOSE, LK_DATE_PARTIAL, LK_DATE_YEAR1, LK_DATE_DIFF, LK_DATE_N };
/* Identity documents and phones. */
enum { LK_ID_EXACT, LK_ID_CLOSE, LK_ID_DIFF, LK_ID_N };
/* Place below the province: commune (and district) / district only / different. */
enum { LK_PLACE_COMMUNE, LK_PLACE_DISTRICT, LK_PLACE_DIFF, LK_PLACE_N };
/* Period of exploitation (over a record's cases as a victim): same start / overlapping /
 * disjoint. */
enum { LK_PER_SAME, LK_PER_OVERLAP, LK_PER_DISJOINT, LK_PER_N };
/* A date as an ordinal (y * 372 + m * 31 + d: ordered, not a day count), widened to its first
 * (end = 0) or last day (end = 1) when partial; 0 when unknown. */
int32_t ctip_lk_ordinal(const char *s, int end);
int ctip_lk_period(int32_t s1, int32_t e1, int32_t s2, int32_t e2);
/* Countries of exploitation (over a record's cases as a victim, as ids: 0 is none): some
 * country in common / both known and none in common; missing when either record has none.
 * One person trafficked again may be taken to another country, so disagreement is learnt
 * (its m), not taken as proof of two persons. */
enum { LK_CTRY_SHARED, LK_CTRY_DIFF, LK_CTRY_N };
int ctip_lk_countries(const uint32_t *a, int na, const uint32_t *b, int nb);
/* Province (2025 code) and gender. */
enum { LK_EQ_SAME, LK_EQ_DIFF, LK_EQ_N };

/* Jaro-Winkler similarity of two byte strings (folded names are ASCII), in [0, 1]. */
double ctip_jaro_winkler(const char *a, size_t na, const char *b, size_t nb);

/* Level of two folded name parts (NULL or "" = missing). */
int ctip_lk_name(const char *a, const char *b);
/* Whether a record's family and given names should be read swapped against the other's:
 * 1 when JW(fa, gb) + JW(ga, fb) beats JW(fa, fb) + JW(ga, gb) clearly. */
int ctip_lk_swapped(const char *fa, const char *ga, const char *fb, const char *gb);
int ctip_lk_middle(const char *a, const char *b);

/* A birth date: year (0 unknown), month and day (0 unknown), and whether the year was
 * written with two digits (then only year % 100 is known). */
struct ctip_lk_date {
	int16_t y;
	int8_t m, d, yy;
};
/* Parses YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY, DD/MM/YY; anything else is unknown. */
struct ctip_lk_date ctip_lk_date_parse(const char *s);
int ctip_lk_date(struct ctip_lk_date a, struct ctip_lk_date b);

/* Identity-document number: upper-case letters and digits only, at most 15. */
struct ctip_lk_doc {
	char s[16];
	uint8_t len;
};
/* Normalises a document number (NULL or "" gives len 0). */
struct ctip_lk_doc ctip_lk_doc_norm(const char *s);
/* Level of two lists of documents (n each): exact if one pair is equal, close if one pair
 * differs by one transposition or one misread character, different when some pair is
 * comparable (same shape: length and kind of first character), missing otherwise. */
int ctip_lk_docs(const struct ctip_lk_doc *a, int na, const struct ctip_lk_doc *b, int nb);

/* A phone in E.164 as a number (0 when none or not a phone): "+84 912 345 678", "0912.345.678"
 * and "84912345678" all give 84912345678 (Vietnamese national numbers are assumed). */
uint64_t ctip_lk_phone(const char *s);
int ctip_lk_phones(const uint64_t *a, int na, const uint64_t *b, int nb);

/* Equality of two small codes where 0 means unknown. */
int ctip_lk_eq(int a, int b);
/* Gender code: 1 feminine, 2 masculine, 3 other; 0 unknown (and NonSpecifiedUnknown). */
int ctip_lk_gender(const char *s);

#endif
