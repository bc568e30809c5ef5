/* urlcode.c — see urlcode.h. */
#include "urlcode.h"

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_percent_byte(const char *s, size_t len, size_t i)
{
	if (i + 2 >= len)
		return -1;
	int a = hex_value((unsigned char)s[i + 1]), b = hex_value((unsigned char)s[i + 2]);
	if (a < 0 || b < 0 || (a | b) == 0)
		return -1;
	return a * 16 + b;
}
