/*
 * text.h — bytes to text: a growable buffer, strict UTF-8, and the one
 * escaping rule that keeps router bytes from reaching a terminal or a JSON
 * client raw. Shared by routeros-api (rosapi) and the daemon (tikstat,
 * tikstatd); depends on nothing but libc.
 *
 * Pure: no I/O, no clock, no globals.
 *
 * Router strings are raw bytes (WinBox writes the PC's code page, so names
 * are often not UTF-8). UTF-8 is decoded strictly (no overlong forms, no
 * surrogates, nothing above U+10FFFF); a byte that is not part of a valid
 * sequence stands on its own. Two outputs, one rule for what is unsafe:
 *
 *   JSON      RFC 8259 strings. '"' and '\' are backslash-escaped; C0
 *             controls, DEL, C1 controls (U+0080..U+009F), U+2028 and
 *             U+2029 become \u00XX / \u20XX (lower-case hex); an invalid
 *             byte B becomes \u00BB, i.e. it is read as Latin-1 (byte 0xE9
 *             turns into "\u00e9", é). Valid UTF-8 is kept as is, so the
 *             output is valid JSON, ASCII but for that UTF-8.
 *   terminal  '\' becomes "\\" (unless TEXT_KEEP_BACKSLASH); C0 controls,
 *             DEL, every byte of a C1 control, of U+2028 and of U+2029, and
 *             every invalid byte become "\xHH" (hex case by flag); valid
 *             UTF-8 is kept. A terminal never receives a raw control byte.
 *
 * Buffer errors are sticky: the first allocation failure (or a size beyond
 * TEXT_MAX_BYTES) sets failed; every later call is then a no-op returning
 * -1, so a caller may append many pieces and check once at the end.
 * Functions return 0 or -1.
 */
#ifndef TIKSTAT_TEXT_H
#define TIKSTAT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No buffer or array grown here exceeds this many bytes. */
#define TEXT_MAX_BYTES ((size_t)PTRDIFF_MAX)

/* A growable byte buffer. Zero-initialise it (or TEXT_BUF_INIT); release
 * with text_buf_free. data is NUL-terminated once anything was appended
 * (the NUL is not counted in len); it stays NULL while nothing was. */
struct text_buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};
#define TEXT_BUF_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0, false                                                                  \
	}

/* Frees the memory and resets b to empty. NULL-safe. */
void text_buf_free(struct text_buf *b);
/* Empties b, keeping its memory and clearing failed. */
void text_buf_reset(struct text_buf *b);
/* The contents as a C string: "" while empty. Borrowed until b changes. */
const char *text_buf_str(const struct text_buf *b);

/* Appends len raw bytes. */
int text_buf_append(struct text_buf *b, const void *data, size_t len);
/* Appends a NUL-terminated string. */
int text_buf_puts(struct text_buf *b, const char *s);
/* Appends printf-formatted text. */
int text_buf_printf(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n copies of byte c. */
int text_buf_fill(struct text_buf *b, char c, size_t n);

/* Makes room for need elements of elem bytes each (need, elem > 0) in arr,
 * an array of *cap elements allocated with malloc (or NULL with *cap 0).
 * Returns the array, moved or not, with *cap >= need: capacity at least
 * doubles, so n appends cost O(n), and a first allocation holds about 256
 * bytes. Returns NULL, with arr and *cap unchanged and still the caller's,
 * when need * elem exceeds TEXT_MAX_BYTES or memory ran out. */
void *text_grow(void *arr, size_t *cap, size_t need, size_t elem);

/* Binary search in base, n elements of elem bytes sorted by cmp: the
 * first index whose element does not order before key (cmp(key, element)
 * <= 0), or n; *found tells whether it equals key. O(log n). Where the
 * element goes when it is not there: insert at that index. */
size_t text_lower_bound(const void *key, const void *base, size_t n, size_t elem,
                        int (*cmp)(const void *key, const void *element), bool *found);

/* The value 0..15 of the hex digit c (either case), or -1. */
int text_hex_value(unsigned char c);

/* Length (1..4) of the strictly valid UTF-8 sequence starting at s[0], or
 * 0 when s[0] does not start one within avail bytes (avail > 0). */
size_t text_utf8_len(const unsigned char *s, size_t avail);

/* Appends s[0..len) as one quoted JSON string (the JSON rule above). */
int text_escape_json(struct text_buf *b, const void *s, size_t len);

/* Flags of text_escape_terminal. */
enum {
	TEXT_HEX_UPPER = 1,      /* "\xE9" rather than "\xe9" */
	TEXT_KEEP_BACKSLASH = 2, /* for text that is escaped already */
};

/* Appends s[0..len) escaped for a terminal (the terminal rule above),
 * without quotes. flags: TEXT_HEX_UPPER, TEXT_KEEP_BACKSLASH or 0. */
int text_escape_terminal(struct text_buf *b, const void *s, size_t len, unsigned flags);

#endif
