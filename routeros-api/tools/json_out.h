/*
 * json_out.h — how rosapi prints reply sentences: as JSON, or as escaped
 * plain text that is safe to send to a terminal.
 *
 * Router values are raw bytes, often not UTF-8 (WinBox writes the PC's code
 * page). Every word is escaped by the shared rule of text/text.h:
 *
 *   JSON   text_escape_json: an invalid byte B becomes \u00BB, i.e. it is
 *          read as Latin-1 (byte 0xE9 turns into "\u00e9", é); controls
 *          are escaped; the output is always valid JSON.
 *   plain  text_escape_terminal with lower-case hex: '\' becomes "\\",
 *          controls and invalid bytes "\xhh" ("caf\xe9"); valid UTF-8 is
 *          kept. A terminal never receives a raw control byte.
 *
 * Everything here is pure: output goes into a caller-supplied text buffer;
 * no I/O, no globals. Functions return 0, or -1 when memory ran out (the
 * buffer is then failed, see text.h, and its contents are to be dropped).
 */
#ifndef TIKSTAT_JSON_OUT_H
#define TIKSTAT_JSON_OUT_H

#include "routeros.h"
#include "text.h"

/* Appends one sentence as a JSON object, without a trailing newline:
 *   {"type":"re","tag":"X","attrs":{"name":"ether1","dup":["a","b"]}}
 * "tag" only when the sentence is tagged, "reason" only for !fatal. Every
 * value is a string; a key that repeats within the sentence gets an array of
 * all its values in wire order, placed where the key first appeared. */
int json_out_sentence(struct text_buf *b, const ros_sentence *s);

/* As json_out_sentence, with a "command":N member after "type" when
 * command > 0 (rosapi's number of the command the sentence answers, when
 * it runs several); command 0 adds nothing. */
int json_out_command_sentence(struct text_buf *b, const ros_sentence *s, unsigned command);

/* Appends a whole reply as one JSON array, one sentence per line, ending
 * with "]\n". r may be NULL (prints "[]\n"). */
int json_out_reply(struct text_buf *b, const ros_reply *r);

/* Appends one sentence as plain text: the reply word ("!re") on a line,
 * then every further word in wire order (attributes "=key=value", the
 * ".tag=X" word, a !fatal reason) on its own line indented by two spaces,
 * each escaped for a terminal with lower-case hex. */
int json_out_text_sentence(struct text_buf *b, const ros_sentence *s);

#endif
