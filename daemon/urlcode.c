/* urlcode.c — see urlcode.h. */
#include "urlcode.h"

#include "text.h"

int url_percent_byte(const char *s, size_t len, size_t i)
{
	if (i + 2 >= len)
		return -1;
	int a = text_hex_value((unsigned char)s[i + 1]);
	int b = text_hex_value((unsigned char)s[i + 2]);
	if (a < 0 || b < 0 || (a | b) == 0)
		return -1;
	return a * 16 + b;
}
