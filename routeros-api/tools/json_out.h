/*
 * json_out.h — how rosapi prints reply sentences: as JSON, or as escaped
 * plain text that is safe to send to a terminal.
 *
 * Router values are raw bytes, often not UTF-8 (WinBox writes the PC's code
 * page). Both formats decode UTF-8 strictly (no overlong forms, no
 * surrogates, nothing above U+10FFFF) and treat every byte that is not part
 * of a valid sequence on its own:
 *
 *   JSON   RFC 8259 strings. '"' and '\' are backslash-escaped; C0 controls,
 *          DEL, C1 controls (U+0080..U+009F), U+2028 and U+2029 become
 *          \u00XX / \u20XX; an invalid byte B becomes \u00BB, i.e. it is read
 *          as Latin-1 (byte 0xE9 turns into "\u00e9", é). The output is
 *          always valid JSON and pure ASCII except for valid UTF-8 kept as is.
 *   plain  '\' becomes "\\"; C0 controls, DEL, the bytes of C1 controls and
 *          invalid bytes become "\xHH" (lower-case hex); valid UTF-8 is kept.
 *          A terminal never receives a raw control byte.
 *
 * Everything here is pure: output goes into a caller-supplied growable
 * buffer; no I/O, no globals. Functions return 0, or -1 when memory ran out
 * (the buffer then keeps what it held before the failing call).
 */
#ifndef TIKSTAT_JSON_OUT_H
#define TIKSTAT_JSON_OUT_H

#include <stddef.h>

#include "routeros.h"

/* A growable text buffer. Zero-initialise it; release with
 * json_out_buf_free. data is NUL-terminated once anything was appended
 * (the NUL is not counted in len). */
struct json_out_buf {
	char *data;
	size_t len;
	size_t cap;
};

void json_out_buf_free(struct json_out_buf *b);

/* Appends len raw bytes. */
int json_out_append(struct json_out_buf *b, const void *data, size_t len);

/* Length (1..4) of the strictly valid UTF-8 sequence starting at s[0], or 0
 * when s[0] does not start one within avail bytes (avail > 0). */
size_t json_out_utf8_len(const unsigned char *s, size_t avail);

/* Appends s[0..len) as one quoted JSON string, escaped as described above. */
int json_out_string(struct json_out_buf *b, const void *s, size_t len);

/* Appends s[0..len) escaped for plain-text output (no quotes). */
int json_out_text(struct json_out_buf *b, const void *s, size_t len);

/* Appends one sentence as a JSON object, without a trailing newline:
 *   {"type":"re","tag":"X","attrs":{"name":"ether1","dup":["a","b"]}}
 * "tag" only when the sentence is tagged, "reason" only for !fatal. Every
 * value is a string; a key that repeats within the sentence gets an array of
 * all its values in wire order, placed where the key first appeared. */
int json_out_sentence(struct json_out_buf *b, const ros_sentence *s);

/* Appends a whole reply as one JSON array, one sentence per line, ending
 * with "]\n". r may be NULL (prints "[]\n"). */
int json_out_reply(struct json_out_buf *b, const ros_reply *r);

/* Appends one sentence as plain text: the reply word ("!re") on a line,
 * then every further word in wire order (attributes "=key=value", the
 * ".tag=X" word, a !fatal reason) on its own line indented by two spaces,
 * each escaped with json_out_text. */
int json_out_text_sentence(struct json_out_buf *b, const ros_sentence *s);

#endif
