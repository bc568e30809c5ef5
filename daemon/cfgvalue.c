/*
 * cfgvalue.c — see cfgvalue.h.
 */
#include "cfgvalue.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

bool cfg_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

char *cfg_trim(char *s)
{
	size_t n;

	while (cfg_is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && cfg_is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool cfg_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			if (*s != '\t')
				return true;
	return false;
}

int cfg_parse_int(const char *s, long min, long max, long *out)
{
	long v = 0;

	/* nine digits fit a long of 32 bits: no overflow to check */
	if (!*s || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sizes and durations                                                 */
/* ------------------------------------------------------------------ */

/* "DIGITS" or "DIGITS.DIGITS" at the start of a text. */
struct decimal {
	const char *ip; /* integer digits */
	size_t n_ip;
	const char *fp; /* fraction digits */
	size_t n_fp;
};

/* Reads a decimal number; returns the text after it or NULL. */
static const char *read_decimal(const char *s, struct decimal *d)
{
	d->ip = s;
	while (*s >= '0' && *s <= '9')
		s++;
	d->n_ip = (size_t)(s - d->ip);
	d->fp = s;
	d->n_fp = 0;
	if (d->n_ip == 0)
		return NULL;
	if (*s == '.') {
		d->fp = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		d->n_fp = (size_t)(s - d->fp);
		if (d->n_fp == 0)
			return NULL;
	}
	return s;
}

/* d * mult rounded down, exactly: the fraction is folded in from its last
 * digit, floor((digit * mult + carry) / 10), which never exceeds mult.
 * mult <= 2^50. Returns 0, or -1 on overflow. */
static int scale_decimal(const struct decimal *d, uint64_t mult, uint64_t *out)
{
	uint64_t v = 0;
	uint64_t frac = 0;

	for (size_t i = 0; i < d->n_ip; i++) {
		uint64_t digit = (uint64_t)(d->ip[i] - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	if (mult != 0 && v > UINT64_MAX / mult)
		return -1;
	v *= mult;
	for (size_t i = d->n_fp; i-- > 0;)
		frac = ((uint64_t)(d->fp[i] - '0') * mult + frac) / 10;
	if (v > UINT64_MAX - frac)
		return -1;
	*out = v + frac;
	return 0;
}

/* The unit after a number: blanks may come before it, but only before
 * it. NULL when blanks end the text. */
static const char *skip_to_unit(const char *s)
{
	const char *u = s;

	while (*u == ' ' || *u == '\t')
		u++;
	return u != s && !*u ? NULL : u;
}

/* The multiplier of a size unit ("", "K", "Mi", "GB", "kib"...), or 0. */
static uint64_t size_unit(const char *u)
{
	static const char prefixes[] = "kmgtp";
	uint64_t mult = 1;
	const char *at;

	if (*u && *u != 'B' && *u != 'b') {
		at = strchr(prefixes, tolower((unsigned char)*u));
		if (!at)
			return 0;
		bool binary = u[1] == 'i';
		for (long i = 0; i <= at - prefixes; i++)
			mult *= binary ? 1024 : 1000;
		u += binary ? 2 : 1;
	}
	if (*u == 'B' || *u == 'b')
		u++;
	return *u ? 0 : mult;
}

int cfg_parse_size(const char *text, uint64_t *out)
{
	struct decimal d;
	const char *s = text ? read_decimal(text, &d) : NULL;
	uint64_t mult = 0;

	if (s && (s = skip_to_unit(s)) != NULL)
		mult = size_unit(s);
	if (mult == 0) {
		errno = EINVAL;
		return -1;
	}
	if (scale_decimal(&d, mult, out) < 0) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

/* Seconds in a duration unit ("", "s", "m", "h", "d"), or 0. */
static uint64_t duration_unit(const char *u)
{
	static const struct {
		char unit;
		uint64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};

	if (!*u)
		return 1;
	if (u[1])
		return 0;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (*u == units[i].unit)
			return units[i].seconds;
	return 0;
}

int cfg_parse_duration(const char *text, int64_t *seconds)
{
	struct decimal d;
	const char *s = text ? read_decimal(text, &d) : NULL;
	uint64_t mult = 0;
	uint64_t v;

	if (s && (s = skip_to_unit(s)) != NULL)
		mult = duration_unit(s);
	if (mult == 0) {
		errno = EINVAL;
		return -1;
	}
	if (scale_decimal(&d, mult, &v) < 0 || v > (uint64_t)INT64_MAX) {
		errno = ERANGE;
		return -1;
	}
	*seconds = (int64_t)v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hosts and listen addresses                                          */
/* ------------------------------------------------------------------ */

/* An IPv6 address, optionally with a %zone. */
static bool is_ipv6(const char *s, size_t n)
{
	char buf[64];
	struct in6_addr a;
	const char *zone = memchr(s, '%', n);

	if (zone) {
		if (zone + 1 == s + n)
			return false;
		n = (size_t)(zone - s);
	}
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/* A host name or IPv4 address: letters, digits, '-', '_', '.'. */
static bool is_host_name(const char *s, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

bool cfg_is_host(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, ':') ? is_ipv6(s, n) : is_host_name(s, n);
}

const char *cfg_listen_error(const char *text, char *host, size_t hostsz, uint16_t *port)
{
	const char *h = text;
	const char *colon;
	size_t n;
	long v;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return "missing ']' after the IPv6 address";
		if (close[1] != ':')
			return "missing ':PORT' after ']'";
		h = text + 1;
		n = (size_t)(close - h);
		colon = close + 1;
		if (!is_ipv6(h, n))
			return "invalid IPv6 address";
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return "missing ':PORT'";
		n = (size_t)(colon - text);
		if (memchr(text, ':', n))
			return "an IPv6 address needs brackets, e.g. [::1]:8085";
		if (n == 0)
			return "missing host (use * for every address)";
		if (!(n == 1 && text[0] == '*') && !is_host_name(text, n))
			return "invalid host name";
	}
	if (cfg_parse_int(colon + 1, 1, 65535, &v) < 0)
		return "the port must be 1 to 65535";
	if (n >= hostsz)
		return "host name too long";
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (uint16_t)v;
	return NULL;
}

int cfg_parse_listen(const char *text, char *host, size_t hostsz, uint16_t *port)
{
	if (!text || hostsz == 0 || cfg_listen_error(text, host, hostsz, port) != NULL) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Networks                                                            */
/* ------------------------------------------------------------------ */

const char *cfg_parse_net(const char *text, struct cfg_net *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	struct cfg_net n = {0};
	unsigned max;
	long prefix;

	if (alen == 0 || alen >= sizeof addr)
		return "not an IPv4 or IPv6 address";
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, n.addr) == 1) {
		n.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, n.addr) == 1) {
		n.family = AF_INET6;
		max = 128;
	} else {
		return "not an IPv4 or IPv6 address";
	}
	n.prefix = max;
	if (slash) {
		if (cfg_parse_int(slash + 1, 0, (long)max, &prefix) < 0)
			return max == 32 ? "the prefix must be 0 to 32"
			                 : "the prefix must be 0 to 128";
		n.prefix = (unsigned)prefix;
	}
	for (unsigned bit = n.prefix; bit < max; bit++)
		if (n.addr[bit / 8] & (0x80u >> (bit % 8)))
			return "host bits set after the prefix (write the network, e.g. "
			       "192.0.2.0/24, or the address alone)";
	*out = n;
	return NULL;
}

/* True when the first bits bits of a and b are equal. */
static bool same_bits(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xFFu << (8 - rest)) & 0xFFu) == 0;
}

bool cfg_net_contains(const struct cfg_net *n, int family, const unsigned char *addr)
{
	return n->family == family && same_bits(n->addr, addr, n->prefix);
}

bool cfg_net_overlap(const struct cfg_net *a, const struct cfg_net *b)
{
	return a->family == b->family &&
	       same_bits(a->addr, b->addr, a->prefix < b->prefix ? a->prefix : b->prefix);
}

/* ------------------------------------------------------------------ */
/* Fingerprints, strings and lists                                     */
/* ------------------------------------------------------------------ */

int cfg_parse_fingerprint(const char *text, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t digits = 0;
	size_t o = 7;

	if (strncasecmp(text, "sha256:", 7) != 0)
		return -1;
	memcpy(out, "sha256:", 7);
	for (const char *c = text + 7; *c; c++) {
		if (*c == ':')
			continue;
		if (!isxdigit((unsigned char)*c) || ++digits > 64)
			return -1;
		if (digits > 1 && digits % 2 == 1)
			out[o++] = ':';
		out[o++] = *strchr(hex, toupper((unsigned char)*c));
	}
	out[o] = '\0';
	return digits == 64 ? 0 : -1;
}

const char *cfg_dequote(const char *s, char *out, const char **end)
{
	size_t o = 0;

	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\') {
			if (s[1] != '"' && s[1] != '\\')
				return "unknown escape inside quotes (only \\\" and \\\\ are "
				       "allowed)";
			s++;
		}
		out[o++] = *s;
	}
	if (*s != '"')
		return "unterminated quote";
	out[o] = '\0';
	*end = s + 1;
	return NULL;
}

/* The name at c, quoted or plain (up to sep or the end, blanks at its
 * end removed), into out; *next becomes the position after it and the
 * blanks that follow, at sep or the end. Returns NULL or why it is
 * refused. */
static const char *list_name(const char *c, char sep, char *out, const char **next)
{
	const char *end;
	const char *why;

	if (*c == '"') {
		if ((why = cfg_dequote(c, out, &end)) != NULL)
			return why;
		c = end;
		while (cfg_is_blank(*c))
			c++;
		if (*c && *c != sep)
			return "text after the closing quote";
	} else {
		const char *stop = strchr(c, sep);
		size_t n = stop ? (size_t)(stop - c) : strlen(c);

		end = c + n;
		while (n > 0 && cfg_is_blank(c[n - 1]))
			n--;
		if (memchr(c, '"', n))
			return "'\"' inside a name (quote the whole name and write \\\" inside)";
		memcpy(out, c, n);
		out[n] = '\0';
		c = end;
	}
	if (!*out)
		return "empty name";
	if (cfg_has_control(out))
		return "control character in the name";
	*next = c;
	return NULL;
}

const char *cfg_list_entry(const char **s, char *out, bool *more)
{
	const char *c = *s;
	const char *why;

	while (cfg_is_blank(*c))
		c++;
	if ((why = list_name(c, ',', out, &c)) != NULL)
		return why;
	*more = *c == ',';
	*s = *more ? c + 1 : c;
	return NULL;
}

const char *cfg_counter_entry(const char **s, char *router, char *name, bool *more)
{
	static const char router_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                   "0123456789-_.";
	const char *c = *s;
	const char *why;
	size_t n;

	while (cfg_is_blank(*c))
		c++;
	if (!*c || *c == '+')
		return "empty entry";
	n = strspn(c, router_chars);
	if (n == 0 || c[n] != '/')
		return "expected ROUTER/COUNTER (e.g. home/ether1)";
	memcpy(router, c, n);
	router[n] = '\0';
	c += n + 1;
	while (cfg_is_blank(*c))
		c++;
	if ((why = list_name(c, '+', name, &c)) != NULL)
		return why;
	*more = *c == '+';
	*s = *more ? c + 1 : c;
	return NULL;
}

int cfg_parse_mac(const char *text, char *out)
{
	static const char hex[] = "0123456789ABCDEF";

	/* checked whole before out is written: out may be text */
	for (size_t i = 0; i < CFG_MAC_LEN - 1; i++) /* a short text fails at its NUL */
		if (i % 3 == 2 ? text[i] != ':' : !isxdigit((unsigned char)text[i]))
			return -1;
	if (text[CFG_MAC_LEN - 1])
		return -1;
	for (size_t i = 0; i < CFG_MAC_LEN - 1; i++)
		out[i] = i % 3 == 2 ? ':' : *strchr(hex, toupper((unsigned char)text[i]));
	out[CFG_MAC_LEN - 1] = '\0';
	return 0;
}

int cfg_parse_mac_typed(const char *text, char *out)
{
	char colons[CFG_MAC_LEN];
	if (strlen(text) != CFG_MAC_LEN - 1 || (text[2] != ':' && text[2] != '-'))
		return -1;
	for (size_t i = 0; i < CFG_MAC_LEN; i++) {
		bool sep = i % 3 == 2 && i < CFG_MAC_LEN - 1;
		if (sep && text[i] != text[2])
			return -1; /* one separator throughout */
		colons[i] = sep ? ':' : text[i];
	}
	return cfg_parse_mac(colons, out);
}

bool cfg_next_item(const char **s, char *out)
{
	const char *comma;
	size_t len;
	char *t;

	if (!*s)
		return false;
	comma = strchr(*s, ',');
	len = comma ? (size_t)(comma - *s) : strlen(*s);
	memcpy(out, *s, len);
	out[len] = '\0';
	*s = comma ? comma + 1 : NULL;
	t = cfg_trim(out);
	memmove(out, t, strlen(t) + 1);
	return true;
}

int cfg_parse_choice(const char *text, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(text, names[i]) == 0)
			return i;
	return -1;
}
