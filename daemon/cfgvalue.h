/*
 * cfgvalue.h — the values of tikstat.conf, parsed from text: integers with
 * a range, sizes, durations, listen addresses, hosts, networks, TLS
 * fingerprints, MAC addresses, quoted strings and name lists.
 *
 * Pure functions: no files, no globals, no allocation; thread-safe. The
 * configuration loader (cfg.c) reads the file and reports errors with
 * these; the CLI and the HTTP code parse the same values with them.
 */
#ifndef TIKSTAT_CFGVALUE_H
#define TIKSTAT_CFGVALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of a normalised MAC address, "AA:BB:CC:DD:EE:FF" and its NUL. */
#define CFG_MAC_LEN 18

/* Bytes of a normalised fingerprint, "sha256:AB:CD:...:EF" and its NUL. */
#define CFG_FINGERPRINT_LEN (7 + 32 * 3)

/* One ADDR[/PREFIX] of push_allow_from: an IPv4 (4 bytes) or IPv6 (16
 * bytes) network, host bits zero. */
struct cfg_net {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order, the first 4 for AF_INET */
	unsigned prefix;        /* 0..32 or 0..128; a bare address is /32 or /128 */
};

/* Blank: space, tab, CR, VT, FF (a line's ends and a list's separators). */
bool cfg_is_blank(char c);

/* Removes blanks at both ends of s, in place; returns the new start. */
char *cfg_trim(char *s);

/* True when s holds a control byte other than tab. */
bool cfg_has_control(const char *s);

/* Parses a decimal integer from min to max: digits only (no sign, no
 * blanks), at most 9 of them. Returns 0, or -1 leaving *out alone. */
int cfg_parse_int(const char *s, long min, long max, long *out);

/* Value parsers (0 or -1):
 * sizes "500G", "1.5T", "100M", "1024" (bytes; K M G T P = powers of 1000,
 * Ki Mi Gi Ti Pi = powers of 1024; an optional trailing B/b is accepted);
 * rates the same in bits/s ("100M" = 10^8 bit/s); durations "10", "10s",
 * "5m", "2h", "7d". */
int cfg_parse_size(const char *text, uint64_t *out);
int cfg_parse_duration(const char *text, int64_t *seconds);
/* Details of the two above: a decimal fraction is allowed and the result
 * rounded down ("1.5K" = 1500, "1.5m" = 90 s); blanks may separate the
 * number and its unit ("500 GB"); no sign, no leading or trailing blanks.
 * On -1, errno is EINVAL (malformed) or ERANGE (above UINT64_MAX bytes or
 * INT64_MAX seconds); *out is left alone. */

/* Splits one listen entry, "host:port", "[v6addr]:port" or "*:port",
 * into host (without brackets; "*" for every address) and port (1..65535).
 * Returns 0, or -1 with errno EINVAL when malformed or host does not fit
 * in hostsz bytes. cfg_load has checked every cfg->listen entry with it. */
int cfg_parse_listen(const char *text, char *host, size_t hostsz, uint16_t *port);

/* cfg_parse_listen that says why: NULL, or the reason text is refused (a
 * static string). */
const char *cfg_listen_error(const char *text, char *host, size_t hostsz, uint16_t *port);

/* True for a host to connect to: a name or IPv4 address (letters, digits,
 * '-', '_', '.'; at most 253), or an IPv6 address without brackets and
 * with an optional %zone. */
bool cfg_is_host(const char *s);

/* Parses one push_allow_from entry, "ADDR" or "ADDR/PREFIX" (IPv4 or
 * IPv6, no blanks). Returns NULL with *out set, or the reason it is
 * refused (a static string; host bits set under the prefix are refused:
 * "192.0.2.7/24" is ambiguous). */
const char *cfg_parse_net(const char *text, struct cfg_net *out);

/* True when the address addr (4 bytes for AF_INET, 16 for AF_INET6) of
 * family lies in n. Families must be equal: the caller maps an
 * IPv4-mapped IPv6 peer (::ffff:A.B.C.D) to AF_INET first. */
bool cfg_net_contains(const struct cfg_net *n, int family, const unsigned char *addr);

/* True when a and b share an address (same family, and the shorter
 * prefix's network holds the other's). */
bool cfg_net_overlap(const struct cfg_net *a, const struct cfg_net *b);

/* "sha256:" (any case) and 64 hex digits, colons anywhere, into out as
 * "sha256:AB:CD:..." (CFG_FINGERPRINT_LEN bytes). Returns 0 or -1. */
int cfg_parse_fingerprint(const char *text, char *out);

/* Decodes the double-quoted string at s (s[0] == '"') into out, which
 * holds strlen(s) bytes; *end receives the position after the closing
 * quote. Only \" and \\ are escapes. Returns NULL or the reason it is
 * malformed (a static string, never quoting the text). */
const char *cfg_dequote(const char *s, char *out, const char **end);

/* Reads the entry of a name list (interfaces) at *s: blanks, a quoted or
 * plain name, blanks, then a comma (*more = true) or the end. Stores the
 * name in out (strlen(*s) + 1 bytes) and moves *s past it. Returns NULL,
 * or the reason the entry is refused (a static string). */
const char *cfg_list_entry(const char **s, char *out, bool *more);

/* Reads the entry of a bill's counter list at *s: blanks, ROUTER (letters,
 * digits, '-', '_', '.'), '/', blanks, a quoted or plain COUNTER (as a name
 * of interfaces, a plain one ending at '+'), blanks, then '+' (*more =
 * true) or the end. Stores ROUTER in router and COUNTER in name (each
 * strlen(*s) + 1 bytes) and moves *s past the entry. Returns NULL, or the
 * reason the entry is refused (a static string; *s does not move). */
const char *cfg_counter_entry(const char **s, char *router, char *name, bool *more);

/* A MAC address, "AA:BB:CC:DD:EE:FF" (any case), into out as upper case
 * (CFG_MAC_LEN bytes; out may be text). Returns 0, or -1 leaving out
 * alone. */
int cfg_parse_mac(const char *text, char *out);
/* The same for a MAC as people type it in a query (-i, interface=): its
 * bytes separated by ':' or by '-', the same throughout. out: CFG_MAC_LEN
 * bytes, upper case with colons. 0, or -1. */
int cfg_parse_mac_typed(const char *text, char *out);

/* The next entry of a comma list at *s (NULL: the list is done) copied
 * into out (strlen(*s) + 1 bytes) without blanks around it; *s moves past
 * its comma, or becomes NULL after the last entry. Returns false when *s
 * was NULL. Quotes mean nothing here (listen, push_allow_from). */
bool cfg_next_item(const char **s, char *out);

/* The index of text in the NULL-terminated list names, or -1. */
int cfg_parse_choice(const char *text, const char *const *names);

#endif
