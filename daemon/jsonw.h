/*
 * jsonw.h — a small JSON writer on the shared text buffer (text/text.h).
 *
 * Pure: no I/O, no clock, no globals. Used by the report renderings of the
 * CLI and by the HTTP server, so both produce the same bytes.
 *
 * Strings are raw bytes (router interface names often are not UTF-8), and
 * every output is still valid: text.h gives the escaping rule, the same
 * for rosapi's output. JSON strings read an invalid byte as Latin-1 (0xE9
 * becomes "\u00e9"); terminal text (plain_text) writes it, and every control
 * byte, as upper-case "\xE9".
 *
 * Errors are sticky: the first allocation failure (or a writer misuse:
 * nesting deeper than JSONW_MAX_DEPTH, closing what is not open) sets
 * failed, every later call is a no-op returning -1, and the caller checks
 * once at the end. Functions return 0 or -1.
 */
#ifndef TIKSTAT_JSONW_H
#define TIKSTAT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h"

/* Appends s[0..len) escaped for a terminal, with upper-case hex ("\xE9"),
 * without quotes: the tables, CSV and messages of tikstat. */
int plain_text(struct text_buf *b, const void *s, size_t len);

/* Appends v in decimal ("%" PRIu64 / "%" PRId64 without printf: long
 * series and /metrics write numbers by the thousand). 0 or -1 (b failed). */
int jsonw_put_u64(struct text_buf *b, uint64_t v);
int jsonw_put_i64(struct text_buf *b, int64_t v);

#define JSONW_MAX_DEPTH 32

/* A JSON writer appending to a borrowed buffer. Commas and colons are
 * placed automatically: inside an object call jsonw_key before each value.
 * Output is compact (no blanks, no newline). */
struct jsonw {
	struct text_buf *out; /* borrowed */
	int depth;
	bool first[JSONW_MAX_DEPTH + 1]; /* no item yet at this depth */
	bool in_object[JSONW_MAX_DEPTH + 1];
	bool after_key;
	bool failed; /* misuse, or out failed */
};

/* Starts a writer on out (which must outlive it). */
void jsonw_init(struct jsonw *w, struct text_buf *out);
/* 0 when everything written so far succeeded and every container opened
 * was closed, else -1. */
int jsonw_finish(const struct jsonw *w);

int jsonw_object_begin(struct jsonw *w);
int jsonw_object_end(struct jsonw *w);
int jsonw_array_begin(struct jsonw *w);
int jsonw_array_end(struct jsonw *w);

/* A member name (NUL-terminated); the next call writes its value. */
int jsonw_key(struct jsonw *w, const char *key);

/* Values. */
int jsonw_string(struct jsonw *w, const char *s); /* NULL writes null */
int jsonw_string_len(struct jsonw *w, const void *s, size_t len);
int jsonw_uint(struct jsonw *w, uint64_t v);
int jsonw_int(struct jsonw *w, int64_t v);
/* v / 10^decimals with exactly that many decimals: (1234, 2) -> 12.34.
 * decimals 0..9. */
int jsonw_decimal(struct jsonw *w, uint64_t v, unsigned decimals);
int jsonw_null(struct jsonw *w);
int jsonw_bool(struct jsonw *w, bool v);

#endif
