/*
 * jsonw.h — a growable text buffer and a small JSON writer on top of it.
 *
 * Pure: no I/O, no clock, no globals. Used by the report renderings of the
 * CLI and by the HTTP server, so both produce the same bytes.
 *
 * Strings are raw bytes (router interface names often are not UTF-8), and
 * every output is still valid:
 *
 *   JSON   RFC 8259 strings. '"' and '\' are backslash-escaped; C0
 *          controls, DEL, C1 controls (U+0080..U+009F), U+2028 and U+2029
 *          become \u00XX / \u20XX (lower-case hex); a byte that is not part
 *          of a strictly valid UTF-8 sequence (no overlong forms, no
 *          surrogates, nothing above U+10FFFF) becomes \u00XX, i.e. it is
 *          read as Latin-1: byte 0xE9 turns into "\u00e9" (é). Valid UTF-8
 *          is kept as is. The same rule as rosapi's --json output.
 *   text   for terminals (jbuf_text): '\' becomes "\\"; C0 controls, DEL,
 *          the two bytes of a C1 control and every invalid byte become
 *          "\xHH" (upper-case hex: "\xE9"); valid UTF-8 is kept. A
 *          terminal never receives a raw control byte.
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

/* A growable byte buffer. Zero-initialise it (or JBUF_INIT); release with
 * jbuf_free. data is NUL-terminated once anything was appended (the NUL is
 * not counted in len); it stays NULL while nothing was. */
struct jbuf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};
#define JBUF_INIT                                                                                  \
	{                                                                                          \
		NULL, 0, 0, false                                                                  \
	}

/* Frees the memory and resets b to empty. NULL-safe. */
void jbuf_free(struct jbuf *b);
/* Empties b, keeping its memory and clearing failed. */
void jbuf_reset(struct jbuf *b);
/* The contents as a C string: "" while empty. Borrowed until b changes. */
const char *jbuf_str(const struct jbuf *b);

/* Appends len raw bytes. */
int jbuf_append(struct jbuf *b, const void *data, size_t len);
/* Appends a NUL-terminated string. */
int jbuf_puts(struct jbuf *b, const char *s);
/* Appends printf-formatted text. */
int jbuf_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n copies of byte c. */
int jbuf_fill(struct jbuf *b, char c, size_t n);
/* Appends s[0..len) escaped for a terminal (the "text" rule above), without
 * quotes. */
int jbuf_text(struct jbuf *b, const void *s, size_t len);

/* Length (1..4) of the strictly valid UTF-8 sequence starting at s[0], or
 * 0 when s[0] does not start one within avail bytes (avail > 0). */
size_t jsonw_utf8_len(const unsigned char *s, size_t avail);

#define JSONW_MAX_DEPTH 32

/* A JSON writer appending to a borrowed buffer. Commas and colons are
 * placed automatically: inside an object call jsonw_key before each value.
 * Output is compact (no blanks, no newline). */
struct jsonw {
	struct jbuf *out; /* borrowed */
	int depth;
	bool first[JSONW_MAX_DEPTH + 1]; /* no item yet at this depth */
	bool in_object[JSONW_MAX_DEPTH + 1];
	bool after_key;
	bool failed; /* misuse, or out failed */
};

/* Starts a writer on out (which must outlive it). */
void jsonw_init(struct jsonw *w, struct jbuf *out);
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

/* Appends s[0..len) as one quoted JSON string (the rule above) straight to
 * a buffer, outside any writer. */
int jbuf_json_string(struct jbuf *b, const void *s, size_t len);

#endif
