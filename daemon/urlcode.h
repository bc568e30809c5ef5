/*
 * urlcode.h — percent-encoding shared by the HTTP router and the API's
 * query parser. Pure.
 */
#ifndef TIKSTAT_URLCODE_H
#define TIKSTAT_URLCODE_H

#include <stddef.h>

/* The byte that the "%XX" at s[i] (i < len, s[i] == '%') encodes, or -1
 * when it is cut short, not hex, or %00 (never a valid byte here). */
int url_percent_byte(const char *s, size_t len, size_t i);

#endif
