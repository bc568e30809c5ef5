/* ifnames.c — see ifnames.h. */
#include "ifnames.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

#define MAX_DISTANCE 2
#define MAX_NAME     256 /* longer names are never near matches */

static bool needs_escape(unsigned char ch)
{
	return ch < 0x20 || ch == 0x7f;
}

/* Whether name must be quoted to read as one item of a comma list. */
static bool needs_quotes(const char *name)
{
	const unsigned char *p = (const unsigned char *)name, *end = p + strlen(name);
	if (p == end)
		return true;
	while (p < end) {
		size_t l = text_utf8_len(p, (size_t)(end - p));
		if (l == 0 || needs_escape(*p) || *p == ' ' || *p == ',' || *p == '"' || *p == '\\')
			return true;
		p += l;
	}
	return false;
}

/* Appends len bytes of s at *pos, counting what does not fit. */
static void put(char *out, size_t cap, size_t *pos, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++, (*pos)++)
		if (*pos + 1 < cap)
			out[*pos] = s[i];
	if (cap)
		out[*pos < cap ? *pos : cap - 1] = '\0';
}

static void puts_(char *out, size_t cap, size_t *pos, const char *s)
{
	put(out, cap, pos, s, strlen(s));
}

/* Appends name quoted as ifnames_quote describes, at *pos. */
static void put_name(char *out, size_t cap, size_t *pos, const char *name)
{
	const unsigned char *p = (const unsigned char *)name, *end = p + strlen(name);
	bool q = needs_quotes(name);
	if (q)
		put(out, cap, pos, "\"", 1);
	while (p < end) {
		size_t l = text_utf8_len(p, (size_t)(end - p));
		char esc[8];
		if (l == 0 || needs_escape(*p)) {
			snprintf(esc, sizeof esc, "\\x%02X", *p);
			puts_(out, cap, pos, esc);
			p++;
			continue;
		}
		if (*p == '"' || *p == '\\')
			put(out, cap, pos, "\\", 1);
		put(out, cap, pos, (const char *)p, l);
		p += l;
	}
	if (q)
		put(out, cap, pos, "\"", 1);
}

size_t ifnames_quote(const char *name, char *out, size_t cap)
{
	size_t pos = 0;
	if (cap)
		out[0] = '\0';
	put_name(out, cap, &pos, name);
	return pos;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Levenshtein distance of a and b ignoring ASCII case, or MAX_DISTANCE + 1
 * when it is larger (or a name is too long to compare). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > MAX_NAME || lb > MAX_NAME || (la > lb ? la - lb : lb - la) > MAX_DISTANCE)
		return MAX_DISTANCE + 1;
	size_t row[MAX_NAME + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost =
			        lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static bool has_name(const char *const *have, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(have[i]) == len && memcmp(have[i], s, len) == 0)
			return true;
	return false;
}

/* Whether want is two or more of the router's names joined by blanks. */
static bool is_joined_names(const char *want, const char *const *have, size_t n)
{
	size_t parts = 0;
	const char *p = want;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, " \t");
		if (!has_name(have, n, p, len))
			return false;
		parts++;
		p += len;
	}
	return parts >= 2;
}

/* Writes "separate names with commas: interfaces = a, b". */
static void joined_hint(const char *want, char *out, size_t cap)
{
	size_t pos = 0;
	bool first = true;
	puts_(out, cap, &pos, "separate names with commas: interfaces = ");
	for (const char *p = want; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strcspn(p, " \t");
		if (len) {
			puts_(out, cap, &pos, first ? "" : ", ");
			put(out, cap, &pos, p, len);
			first = false;
		}
		p += len;
	}
}

int ifnames_suggest(const char *want, const char *const *have, size_t n, char *out, size_t cap)
{
	if (cap)
		out[0] = '\0';
	if (is_joined_names(want, have, n)) {
		joined_hint(want, out, cap);
		return 1;
	}
	const char *best = NULL;
	size_t best_d = MAX_DISTANCE + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(want, have[i]);
		/* A name as short as the distance is no evidence of a typo. */
		if (d < best_d && (d == 0 || strlen(have[i]) > d)) {
			best = have[i];
			best_d = d;
		}
	}
	if (!best)
		return 0;
	size_t pos = 0;
	puts_(out, cap, &pos, "did you mean ");
	put_name(out, cap, &pos, best);
	puts_(out, cap, &pos, "?");
	return 1;
}

void ifnames_missing_message(const char *want, const char *const *have, size_t n, char *out,
                             size_t cap)
{
	char hint[200];
	int h = ifnames_suggest(want, have, n, hint, sizeof hint);
	/* Room kept at the end for the hint and an "and N more". */
	size_t reserve = (h ? strlen(hint) + 2 : 0) + sizeof ", and 99999 more";
	size_t pos = 0;
	if (cap == 0)
		return;
	out[0] = '\0';
	puts_(out, cap, &pos, n ? "not on the router; it has: " : "not on the router; it has none");
	size_t i;
	for (i = 0; i < n; i++) {
		char item[300];
		size_t len = ifnames_quote(have[i], item, sizeof item);
		if (len >= sizeof item || pos + 2 + len + reserve >= cap)
			break;
		puts_(out, cap, &pos, i ? ", " : "");
		puts_(out, cap, &pos, item);
	}
	if (i < n) {
		char more[40];
		snprintf(more, sizeof more, "%sand %zu more", i ? ", " : "", n - i);
		puts_(out, cap, &pos, more);
	}
	if (h) {
		puts_(out, cap, &pos, "; ");
		puts_(out, cap, &pos, hint);
	}
}
