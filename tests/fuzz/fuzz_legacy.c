/*
 * fuzz_legacy.c — libFuzzer target for the conversion of one row of the
 * old PHP setup's table (legacy_row_convert, what legacy_read does with
 * every row tikstat import-legacy reads from a foreign file), and for the
 * calendar functions the import then applies to the row's time.
 *
 * Input layout: byte 0 bit 0 = text_utc; then five columns (timestamp,
 * tx, rx, dtx, drx), each a type byte (% 4: integer, real, text, NULL)
 * followed by 8 bytes (integer, real) or text up to a 0xFF byte or the
 * end. Missing columns are NULL.
 */
#include <string.h>

#include "calendar.h"
#include "fuzz.h"
#include "legacy.h"

#define YEAR_9999_END INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/* Reads the next column from *d (n bytes left); text goes to buf. */
static struct legacy_value next_value(const uint8_t **d, size_t *n, char *buf, size_t bufsz)
{
	struct legacy_value v = {.type = LEGACY_OTHER};
	uint64_t raw = 0;

	if (*n == 0)
		return v;
	v.type = (enum legacy_type)((*d)[0] % 4);
	(*d)++;
	(*n)--;
	if (v.type == LEGACY_INTEGER || v.type == LEGACY_FLOAT) {
		size_t k = *n < 8 ? *n : 8;

		memcpy(&raw, *d, k);
		*d += k;
		*n -= k;
		v.i = (int64_t)raw;
		memcpy(&v.d, &raw, sizeof v.d);
	} else if (v.type == LEGACY_TEXT) {
		size_t k = 0;

		while (k < *n && (*d)[k] != 0xFF && k + 1 < bufsz)
			k++;
		memcpy(buf, *d, k);
		buf[k] = '\0';
		v.text = buf;
		*d += k;
		*n -= k;
		if (*n > 0 && (*d)[0] == 0xFF) {
			(*d)++;
			(*n)--;
		}
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool zoned;
	char text[5][256];
	struct legacy_value v[5];
	struct legacy_row row;
	const uint8_t *d = data + 1;
	size_t n;

	if (size < 1)
		return 0;
	if (!zoned) {
		/* A zone with DST, as import-legacy runs in; UTC if missing. */
		if (calendar_set_zone("Europe/Berlin") != 0)
			calendar_set_zone(NULL);
		zoned = true;
	}
	n = size - 1;
	for (int c = 0; c < 5; c++)
		v[c] = next_value(&d, &n, text[c], sizeof text[c]);
	legacy_row_convert(v, data[0] & 1, &row);
	if (row.problem)
		return 0;
	if (v[0].type == LEGACY_INTEGER)
		CHECK(row.time == v[0].i);
	if (v[0].type == LEGACY_FLOAT)
		/* Rounded down to whole seconds (doubles from 2^53 are whole). */
		CHECK(v[0].d >= 9007199254740992.0 || v[0].d <= -9007199254740992.0
		              ? (double)row.time == v[0].d
		              : (double)row.time <= v[0].d && v[0].d < (double)row.time + 1.0);
	if (v[1].type == LEGACY_INTEGER)
		CHECK(row.tx == (uint64_t)v[1].i);
	if (v[2].type == LEGACY_INTEGER)
		CHECK(row.rx == (uint64_t)v[2].i);
	/* What the import does with the time: its buckets contain it. Only
	 * checked from 1970 to 9999: beyond, calendar.c gives wrong buckets
	 * (a known overflow, issue 8 defect 6) that import-legacy must refuse
	 * before they reach the calendar. */
	if (row.time < 0 || row.time > YEAR_9999_END)
		return 0;
	for (int s = 0; s < STEP_COUNT; s++) {
		int64_t start = calendar_bucket_start((enum step)s, row.time);

		CHECK(start <= row.time);
		CHECK(calendar_bucket_next((enum step)s, start) > row.time);
	}
	return 0;
}
