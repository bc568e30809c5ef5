/* escape.c — strict UTF-8 and the JSON and terminal escapings; see text.h. */
#include "text.h"

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

int text_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t text_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	/* The second byte's range excludes overlong forms (E0, F0),
	 * surrogates (ED) and code points above U+10FFFF (F4). */
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0; /* a continuation byte, an overlong lead C0/C1, F5..FF */
	}
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* Whether the valid n-byte sequence at p encodes a character that must not
 * reach output raw: a C1 control (U+0080..U+009F; some terminals obey
 * them) or a line separator (U+2028, U+2029; end a JavaScript line). */
static bool sequence_unsafe(const unsigned char *p, size_t n, unsigned *cp)
{
	if (n == 2 && p[0] == 0xC2 && p[1] <= 0x9F) {
		*cp = p[1];
		return true;
	}
	if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
		*cp = 0x2000u + (p[2] - 0x80u);
		return true;
	}
	return false;
}

/* The one rule of both escapings. Sets *n to the length of the unit at p
 * (a valid UTF-8 sequence, else one byte) and says whether it must be
 * escaped: a C0 control, DEL, an invalid byte (then *cp is the byte, read
 * as Latin-1) or an unsafe sequence (then *cp is its code point). */
static bool unit_unsafe(const unsigned char *p, size_t avail, size_t *n, unsigned *cp)
{
	*n = 1;
	*cp = p[0];
	if (p[0] < 0x20 || p[0] == 0x7F)
		return true;
	size_t len = text_utf8_len(p, avail);
	if (len == 0)
		return true;
	*n = len;
	return sequence_unsafe(p, len, cp);
}

/* Appends the JSON escape \uXXXX of the BMP code point cp. */
static int append_u(struct text_buf *b, unsigned cp)
{
	char e[6] = {'\\',
	             'u',
	             hex_lower[(cp >> 12) & 15],
	             hex_lower[(cp >> 8) & 15],
	             hex_lower[(cp >> 4) & 15],
	             hex_lower[cp & 15]};
	return text_buf_append(b, e, sizeof e);
}

static int append_x(struct text_buf *b, unsigned char c, const char *hex)
{
	char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
	return text_buf_append(b, e, sizeof e);
}

static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

int text_escape_json(struct text_buf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0;
	text_buf_append(b, "\"", 1);
	while (i < len) {
		size_t n = 0;
		unsigned cp;
		while (i + n < len && json_plain(p[i + n]))
			n++;
		if (n) {
			text_buf_append(b, p + i, n);
		} else if (p[i] == '"' || p[i] == '\\') {
			char e[2] = {'\\', (char)p[i]};
			text_buf_append(b, e, 2);
			n = 1;
		} else if (unit_unsafe(p + i, len - i, &n, &cp)) {
			append_u(b, cp);
		} else {
			text_buf_append(b, p + i, n);
		}
		i += n;
	}
	return text_buf_append(b, "\"", 1);
}

int text_escape_terminal(struct text_buf *b, const void *s, size_t len, unsigned flags)
{
	const unsigned char *p = s;
	const char *hex = flags & TEXT_HEX_UPPER ? hex_upper : hex_lower;
	bool keep_backslash = flags & TEXT_KEEP_BACKSLASH;
	size_t i = 0;
	while (i < len) {
		size_t n = 0;
		unsigned cp;
		while (i + n < len && p[i + n] >= 0x20 && p[i + n] < 0x7F &&
		       (p[i + n] != '\\' || keep_backslash))
			n++;
		if (n) {
			text_buf_append(b, p + i, n);
		} else if (p[i] == '\\') {
			text_buf_append(b, "\\\\", 2);
			n = 1;
		} else if (unit_unsafe(p + i, len - i, &n, &cp)) {
			for (size_t k = 0; k < n; k++)
				append_x(b, p[i + k], hex);
		} else {
			text_buf_append(b, p + i, n);
		}
		i += n;
	}
	return b->failed ? -1 : 0;
}
