/*
 * rekey.c - key rotation's policy (rekey.h): the sealed columns, and the move of one sealed
 * value or blind index from the current key to the next.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "rekey.h"
#include "row.h"
#include "text.h"

const struct ctip_sealed_col ctip_sealed_cols[] = {
        {"cases", "id", NULL, "closure_sealed", "cases.closure_reason"},
        {"case_comment", "case_id", "seq", "body_sealed", "case_comment.body"},
        {"exploitation", "case_person_id", "seq", "place_sealed", "exploitation.place"},
        /* the notes of referrals (SQLite 0025, PostgreSQL 0005) */
        {"case_referral", "id", NULL, "note_sealed", "case_referral.note"},
        /* casework's free text (SQLite 0017, PostgreSQL 0019) */
        {"case_approval", "id", NULL, "request_sealed", "case_approval.request_sealed"},
        {"case_approval", "id", NULL, "comment_sealed", "case_approval.comment_sealed"},
        {"followup_contact", "id", NULL, "notes_sealed", "followup_contact.notes_sealed"},
        {"hotline_contact", "id", NULL, "caller_sealed", "hotline_contact.caller_sealed"},
        {"hotline_contact", "id", NULL, "notes_sealed", "hotline_contact.notes_sealed"},
        /* the register's recruiters (SQLite 0026, PostgreSQL 0013) */
        {"recruiter", "id", NULL, "name_sealed", "recruiter.name_sealed"},
        /* the communications tracker's bodies (SQLite 0030, PostgreSQL 0013) */
        {"communication", "id", NULL, "body_sealed", "communication.body_sealed"},
        {NULL, NULL, NULL, NULL, NULL},
};

int ctip_reseal(const ctip_crypto *old, const ctip_crypto *next, const unsigned char *b, size_t n,
                const char *ad, size_t an, unsigned char *out)
{
	if (n < CTIP_SEAL_OVERHEAD)
		return -1;
	size_t mlen = n - CTIP_SEAL_OVERHEAD;
	unsigned char *m = malloc(mlen + 1);
	if (!m || ctip_unseal(old, b, n, ad, an, m)) {
		free(m);
		return -1;
	}
	ctip_seal(next, m, mlen, ad, an, out);
	sodium_memzero(m, mlen);
	free(m);
	return 0;
}

int ctip_rekey_number(const ctip_crypto *old, const ctip_crypto *next, int phone, const char *list,
                      const unsigned char have[CTIP_BIDX_BYTES], unsigned char out[CTIP_BIDX_BYTES])
{
	char **it = NULL;
	int n = 0, rc = 1;
	if (ctip_list_split(list, &it, &n))
		return -1;
	enum ctip_bidx_domain d = phone ? CTIP_BIDX_PHONE : CTIP_BIDX_DOCNO;
	for (int i = 0; i < n && rc == 1; i++) {
		/* documents: the numbers' letters and digits; phones: as stored (E.164) */
		char *norm = phone ? strdup(it[i]) : ctip_text_alnum_upper(it[i]);
		unsigned char a[CTIP_BIDX_BYTES];
		if (!norm) {
			rc = -1;
			break;
		}
		ctip_bidx(old, d, norm, strlen(norm), a);
		if (!sodium_memcmp(a, have, sizeof(a))) {
			ctip_bidx(next, d, norm, strlen(norm), out);
			rc = 0;
		}
		sodium_memzero(norm, strlen(norm));
		free(norm);
	}
	ctip_list_free(it, n);
	return rc;
}
