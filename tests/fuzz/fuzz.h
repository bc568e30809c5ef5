/*
 * fuzz.h — what every libFuzzer target in tests/fuzz shares: the entry
 * point's prototype and CHECK, which aborts on a broken invariant so that
 * libFuzzer (and the corpus replay) reports it as a crash.
 */
#ifndef TIKSTAT_FUZZ_H
#define TIKSTAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

/* data[0..size) as a NUL-terminated string (stops at an embedded NUL, as
 * C string APIs do); NULL when out of memory. The caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		for (size_t i = 0; i < size; i++)
			s[i] = (char)data[i];
		s[size] = '\0';
	}
	return s;
}

#endif
