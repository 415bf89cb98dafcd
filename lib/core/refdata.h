/*
 * refdata.h - reference data in memory: the vocabularies (picklists with
 * English and Vietnamese labels), ISO 3166 countries and Vietnam's provinces
 * of the 2008 and 2025 lists. Loaded from the database, which `ctip init`
 * fills from the data files in data/.
 *
 * Every lookup is by folded text (see text.h), so a value is found by its
 * code, its English or Vietnamese label or an alias, in any letter case, with
 * or without diacritics.
 *
 * Vocabulary names: the files of data/vocab/, plus "country" (code = alpha-2),
 * "province_2008" (extra = code in the 2025 list) and "province_2025".
 */
#ifndef CTIP_REFDATA_H
#define CTIP_REFDATA_H

#include "error.h"

struct ctip_ref_entry {
	const char *vocab, *code, *label_en, *label_vi, *aliases, *extra;
	int sort;
};

typedef struct ctip_ref ctip_ref;

ctip_ref *ctip_ref_new(void);
void ctip_ref_free(ctip_ref *r);
/* Adds an entry (strings are copied). Fails when a folded code, label or alias already names
 * another entry of the same vocabulary. */
int ctip_ref_add(ctip_ref *r, const struct ctip_ref_entry *en, ctip_err *e);
/* The entry whose code, label or alias folds like text, or NULL. Remembers the answer for
 * the exact text, so it is fast on repeated values but not safe to call from two threads. */
const struct ctip_ref_entry *ctip_ref_lookup(const ctip_ref *r, const char *vocab,
                                             const char *text);
/* The same without the memo: safe from any thread once loading is finished. */
const struct ctip_ref_entry *ctip_ref_find(const ctip_ref *r, const char *vocab, const char *text);
/* The entry with exactly this code, or NULL. */
const struct ctip_ref_entry *ctip_ref_get(const ctip_ref *r, const char *vocab, const char *code);
int ctip_ref_has_vocab(const ctip_ref *r, const char *vocab);
/* Entries of a vocabulary (NULL: of all) in file order; returns their number. */
int ctip_ref_list(const ctip_ref *r, const char *vocab, const struct ctip_ref_entry ***out);
/* A few codes of the vocabulary, for "expected one of ..." messages. */
void ctip_ref_examples(const ctip_ref *r, const char *vocab, char *buf, size_t n);

/* Parses one reference CSV file (a data/vocab/X.csv, countries.csv, provinces_*.csv) and adds
 * its entries; `name` is used in errors. */
int ctip_ref_load_csv(ctip_ref *r, const char *vocab, const char *data, size_t len,
                      const char *name, ctip_err *e);
/* Loads every file compiled into the binary. */
int ctip_ref_load_embedded(ctip_ref *r, ctip_err *e);

#endif
