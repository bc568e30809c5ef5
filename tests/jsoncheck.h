/*
 * jsoncheck.h — an independent judge of the escaping in text/: a UTF-8
 * decoder that computes code points (not range tables, as text/escape.c
 * does) and a strict JSON validator (RFC 8259 grammar, raw bytes must be
 * valid UTF-8, no literals or numbers, as the renderers under test emit
 * none but strings and containers).
 */
#ifndef TESTS_JSONCHECK_H
#define TESTS_JSONCHECK_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (avail > 0 bytes) into *cp. Returns the
 * sequence length, or 0 when it is not valid UTF-8. */
size_t ref_decode(const unsigned char *s, size_t avail, uint32_t *cp);

/* 1 when text[0..len) is exactly one JSON value made of strings, arrays and
 * objects (plus blanks), else 0. */
int json_valid(const char *text, size_t len);

/* Decodes the one JSON string text[0..len) into code points: cps receives
 * up to max of them. Returns their number, or -1 when text is not exactly
 * one valid string or holds more than max. */
long json_string_code_points(const char *text, size_t len, uint32_t *cps, size_t max);

#endif
