/* jsoncheck.c — see jsoncheck.h. */
#include "jsoncheck.h"

#include <string.h>

#include "text.h"

size_t ref_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	size_t n, i;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2, v = s[0] & 0x1Fu, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3, v = s[0] & 0x0Fu, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4, v = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

struct jp {
	const unsigned char *p, *end;
	uint32_t *cps; /* decoded code points of the last string, if non-NULL */
	size_t ncps, max;
};

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int put_cp(struct jp *j, uint32_t cp)
{
	if (j->cps) {
		if (j->ncps == j->max)
			return -1;
		j->cps[j->ncps] = cp;
	}
	j->ncps++;
	return 0;
}

/* The code point of the escape after a backslash at j->p, or -1. */
static long parse_escape(struct jp *j)
{
	unsigned char c;
	uint32_t cp = 0;

	if (j->end - j->p < 2)
		return -1;
	c = j->p[1];
	j->p += 2;
	if (c != 'u') {
		const char *esc = strchr("\"\\/bfnrt", c);

		if (!esc || !c)
			return -1;
		return (unsigned char)"\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
	}
	if (j->end - j->p < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int h = text_hex_value(j->p[k]);

		if (h < 0)
			return -1;
		cp = cp * 16 + (uint32_t)h;
	}
	j->p += 4;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return -1; /* text/ never needs surrogate pairs */
	return (long)cp;
}

static int parse_string(struct jp *j)
{
	j->ncps = 0;
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = *j->p;
		uint32_t cp;
		size_t n;

		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			long e = parse_escape(j);

			if (e < 0 || put_cp(j, (uint32_t)e) < 0)
				return -1;
			continue;
		}
		n = ref_decode(j->p, (size_t)(j->end - j->p), &cp);
		if (n == 0 || put_cp(j, cp) < 0)
			return -1; /* raw bytes must be valid UTF-8 */
		j->p += n;
	}
	return -1;
}

static int parse_value(struct jp *j, int depth);

static int parse_container(struct jp *j, int depth, unsigned char open, unsigned char close)
{
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		skip_ws(j);
		if (open == '{') {
			if (parse_string(j) < 0)
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return -1;
			j->p++;
		}
		if (parse_value(j, depth + 1) < 0)
			return -1;
		skip_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (*j->p != ',')
			return -1;
		j->p++;
	}
}

static int parse_value(struct jp *j, int depth)
{
	if (depth > 32)
		return -1;
	skip_ws(j);
	if (j->p >= j->end)
		return -1;
	if (*j->p == '{')
		return parse_container(j, depth, '{', '}');
	if (*j->p == '[')
		return parse_container(j, depth, '[', ']');
	if (*j->p == '"')
		return parse_string(j);
	return -1;
}

int json_valid(const char *text, size_t len)
{
	struct jp j = {(const unsigned char *)text, (const unsigned char *)text + len, NULL, 0, 0};

	if (parse_value(&j, 0) < 0)
		return 0;
	skip_ws(&j);
	return j.p == j.end;
}

long json_string_code_points(const char *text, size_t len, uint32_t *cps, size_t max)
{
	struct jp j = {(const unsigned char *)text, (const unsigned char *)text + len, cps, 0, max};

	if (parse_string(&j) < 0 || j.p != j.end)
		return -1;
	return (long)j.ncps;
}
