/*
 * text.h - Unicode text handling for Vietnamese: validation, NFC, and the
 * "folded" form used for every comparison and search key.
 *
 * Folding = NFKD + case fold + strip combining marks (utf8proc), then đ/Đ -> d,
 * then runs of spaces and punctuation collapsed to one space, trimmed.
 * "Nguyễn Sỹ Hạnh", "NGUYEN SY HANH" and "nguyen  sy hanh" fold alike.
 */
#ifndef CTIP_TEXT_H
#define CTIP_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* 1 if s[0..len) is valid UTF-8 without NUL, else 0. */
int ctip_utf8_valid(const char *s, size_t len);
/* Byte offset of the first invalid byte, or -1 when valid. */
long ctip_utf8_invalid_at(const char *s, size_t len);
/* NFC-normalised, trimmed copy (malloc'd), internal whitespace runs -> one space. NULL on OOM
 * or invalid UTF-8. */
char *ctip_text_clean(const char *s);
/* 1 when ctip_text_clean(s) would return s unchanged (a fast check, no allocation). */
int ctip_text_is_clean(const char *s);
/* Folded copy (malloc'd); NULL on OOM or invalid UTF-8. */
char *ctip_text_fold(const char *s);
/* Folds into buf (size n); returns the length written, or -1 if it did not fit or invalid. */
long ctip_text_fold_buf(const char *s, char *buf, size_t n);
/* 1 if s is NULL or only whitespace. */
int ctip_blank(const char *s);
/* Digits and letters only, upper-cased ASCII (document numbers): "c 123-456" -> "C123456". */
char *ctip_text_alnum_upper(const char *s);

/* Writes s to out escaped for HTML text and attribute values (<, >, &, "). */
void ctip_html_escape(FILE *out, const char *s);

#endif
