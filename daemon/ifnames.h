/*
 * ifnames.h — words about interface names: an unambiguous list of the
 * names a router has, and the likely name a user meant. Pure (no I/O,
 * clock or globals); used by the poller, --check-config and the API.
 */
#ifndef TIKSTAT_IFNAMES_H
#define TIKSTAT_IFNAMES_H

#include <stddef.h>

/* Appends name to out (cap bytes, always NUL-terminated while cap > 0),
 * quoted ("...") when it contains a blank, comma, quote or backslash, is
 * empty, or needs escapes; valid UTF-8 is kept as is, control bytes and
 * invalid UTF-8 become \xHH. Returns the length out would have without
 * truncation. */
size_t ifnames_quote(const char *name, char *out, size_t cap);

/* The likely meant name among have[0..n) for want, written to out as a
 * hint ("did you mean ether2?" for a case or near (edit distance <= 2)
 * match, "separate names with commas: interfaces = a, b" for a name with
 * blanks whose parts are all names the router has). Returns 1 when a hint
 * was written, 0 (out = "") otherwise. */
int ifnames_suggest(const char *want, const char *const *have, size_t n, char *out, size_t cap);

/* "not on the router; it has: A, "B C", ...; HINT" for want, into out
 * (always NUL-terminated; a list that does not fit ends with "and N
 * more"). */
void ifnames_missing_message(const char *want, const char *const *have, size_t n, char *out,
                             size_t cap);

#endif
