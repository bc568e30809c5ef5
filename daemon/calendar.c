/*
 * calendar.c — bucket boundaries with the C library's zone rules
 * (localtime_r/mktime under TZ), which read the system's tzdata.
 */
#include "calendar.h"

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char zone_name[128] = "localtime";

static const char *const step_names[STEP_COUNT] = {"5min", "hour", "day", "month", "year"};

const char *step_name(enum step s)
{
	return s < STEP_COUNT ? step_names[s] : "?";
}

int step_parse(const char *name, enum step *out)
{
	for (int i = 0; i < STEP_COUNT; i++)
		if (strcmp(name, step_names[i]) == 0) {
			*out = (enum step)i;
			return 0;
		}
	return -1;
}

/* A zone name must be a short relative path without ".." naming a tzdata
 * file: a regular file that starts with the "TZif" magic (a directory such
 * as "Europe" or a table such as "zone.tab" would make the C library fall
 * back to UTC without a word). */
static int zone_exists(const char *name)
{
	if (name[0] == '/' || strstr(name, "..") || strlen(name) > 100)
		return 0;
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char magic[4] = {0};
	size_t n = fread(magic, 1, 4, f);
	fclose(f);
	return n == 4 && memcmp(magic, "TZif", 4) == 0;
}

/* The zone name after ".../zoneinfo/" in a link target, or NULL. */
static const char *after_zoneinfo(const char *target)
{
	const char *z = strstr(target, "zoneinfo/");
	return z && z[9] ? z + 9 : NULL;
}

/* Writes "UTC+01:00" for the offset of the process's local time now. */
static void offset_name(char *out, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	long off = tm.tm_gmtoff / 60;
	long a = off < 0 ? -off : off;
	snprintf(out, cap, "UTC%c%02ld:%02ld", off < 0 ? '-' : '+', a / 60, a % 60);
}

void calendar_system_zone_name(const char *etc_timezone, const char *etc_localtime, char *out,
                               size_t cap)
{
	char line[128] = "", target[512];
	FILE *f = fopen(etc_timezone, "r");
	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, " \t\r\n")] = '\0';
	}
	if (line[0] && zone_exists(line)) {
		snprintf(out, cap, "%s", line);
		return;
	}
	ssize_t n = readlink(etc_localtime, target, sizeof target - 1);
	const char *z = NULL;
	if (n > 0) {
		target[n] = '\0';
		z = after_zoneinfo(target);
	}
	if (z && zone_exists(z))
		snprintf(out, cap, "%s", z);
	else
		offset_name(out, cap);
}

int calendar_set_zone(const char *name)
{
	if (!name || !*name) {
		unsetenv("TZ");
		tzset();
		/* Users know their zone by name, not as "localtime". */
		calendar_system_zone_name("/etc/timezone", "/etc/localtime", zone_name,
		                          sizeof zone_name);
	} else {
		if (!zone_exists(name))
			return -1;
		char tz[140];
		snprintf(tz, sizeof tz, ":%s", name);
		setenv("TZ", tz, 1);
		snprintf(zone_name, sizeof zone_name, "%s", name);
	}
	tzset();
	return 0;
}

const char *calendar_zone(void)
{
	return zone_name;
}

/* t clamped into [CALENDAR_TIME_MIN, CALENDAR_TIME_MAX]. */
static int64_t clamp(int64_t t)
{
	if (t < CALENDAR_TIME_MIN)
		return CALENDAR_TIME_MIN;
	return t > CALENDAR_TIME_MAX ? CALENDAR_TIME_MAX : t;
}

static struct tm local(int64_t t)
{
	time_t tt = (time_t)clamp(t);
	struct tm tm = {0};
	localtime_r(&tt, &tm); /* cannot fail within the range */
	return tm;
}

/* mktime for a local wall-clock time; on a DST gap it moves forward. */
static int64_t from_local(int year, int mon0, int mday, int hour, int min)
{
	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = mon0;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int64_t calendar_local_midnight(int year, int month, int day)
{
	return from_local(year, month - 1, day, 0, 0);
}

/* A sub-day bucket start found by subtracting wall-clock minutes may reach
 * back across an offset change that is not a whole hour (Lord Howe's DST
 * moves by 30 minutes): then the bucket starts at the change, the first
 * instant with t's offset, found by bisection. */
static int64_t after_offset_change(int64_t candidate, int64_t t, long offset)
{
	if (local(candidate).tm_gmtoff == offset)
		return candidate;
	int64_t lo = candidate, hi = t; /* lo: other offset, hi: t's offset */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (local(mid).tm_gmtoff == offset)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int64_t calendar_bucket_start(enum step s, int64_t t)
{
	t = clamp(t);
	struct tm tm = local(t);
	switch (s) {
	case STEP_5MIN:
		/* Offsets are whole multiples of 5 minutes in every zone in use. */
		return after_offset_change(t - (tm.tm_min % 5) * 60 - tm.tm_sec, t, tm.tm_gmtoff);
	case STEP_HOUR:
		/* Subtracting keeps the repeated hour of a DST fall-back distinct. */
		return after_offset_change(t - tm.tm_min * 60 - tm.tm_sec, t, tm.tm_gmtoff);
	case STEP_DAY: return from_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, 0, 0);
	case STEP_MONTH: return from_local(tm.tm_year + 1900, tm.tm_mon, 1, 0, 0);
	default: return from_local(tm.tm_year + 1900, 0, 1, 0, 0);
	}
}

int64_t calendar_bucket_next(enum step s, int64_t start)
{
	start = clamp(start);
	/* Past the range's end the next bucket is simply later: a loop over
	 * buckets always ends. */
	switch (s) {
	case STEP_5MIN:
		return start + 300 > CALENDAR_TIME_MAX ? start + 300
		                                       : calendar_bucket_start(s, start + 300);
	case STEP_HOUR:
		return start + 3600 > CALENDAR_TIME_MAX ? start + 3600
		                                        : calendar_bucket_start(s, start + 3600);
	default: break;
	}
	struct tm tm = local(start);
	int y = tm.tm_year + 1900;
	if (s == STEP_DAY)
		return from_local(y, tm.tm_mon, tm.tm_mday + 1, 0, 0);
	if (s == STEP_MONTH)
		return from_local(y, tm.tm_mon + 1, 1, 0, 0);
	return from_local(y + 1, 0, 1, 0, 0);
}

void calendar_cycle(int64_t t, int start_day, int64_t *start, int64_t *end)
{
	t = clamp(t);
	struct tm tm = local(t);
	int y = tm.tm_year + 1900, m = tm.tm_mon;
	int64_t s = from_local(y, m, start_day, 0, 0);
	if (s > t)
		s = from_local(y, m - 1, start_day, 0, 0);
	struct tm st = local(s);
	*start = s;
	*end = from_local(st.tm_year + 1900, st.tm_mon + 1, start_day, 0, 0);
}

/* Writes v (0..99) as two digits. */
static char *two_digits(char *p, long v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void calendar_format(int64_t t, char out[32])
{
	struct tm tm = local(t);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	long year = (long)tm.tm_year + 1900;
	if (year < 0 || year > 9999 || off / 3600 > 99) {
		/* Never for a bucket of this millennium: the general form. A
		 * wide buffer first: the compiler cannot know tm's fields are small. */
		char buf[96];
		snprintf(buf, sizeof buf, "%04ld-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", year,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
		         off / 3600, off % 3600 / 60);
		memcpy(out, buf, 31);
		out[31] = '\0';
		return;
	}
	/* The same bytes by hand: a long series formats one per point, and
	 * snprintf was most of the time of its answer. */
	char *p = two_digits(two_digits(out, year / 100), year % 100);
	*p++ = '-';
	p = two_digits(p, tm.tm_mon + 1);
	*p++ = '-';
	p = two_digits(p, tm.tm_mday);
	*p++ = 'T';
	p = two_digits(p, tm.tm_hour);
	*p++ = ':';
	p = two_digits(p, tm.tm_min);
	*p++ = ':';
	p = two_digits(p, tm.tm_sec);
	*p++ = sign;
	p = two_digits(p, off / 3600);
	*p++ = ':';
	p = two_digits(p, off % 3600 / 60);
	*p = '\0';
}

/* Reads exactly n digits at *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int parse_offset(const char *p, int *off_s, int *has)
{
	*has = 0;
	if (*p == '\0')
		return 0;
	if (*p == 'Z' && p[1] == '\0') {
		*has = 1;
		*off_s = 0;
		return 0;
	}
	int oh, om = 0;
	if ((*p != '+' && *p != '-'))
		return -1;
	int sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &oh))
		return -1;
	if (*p == ':')
		p++;
	if (*p && digits(&p, 2, &om))
		return -1;
	if (*p || oh > 23 || om > 59)
		return -1;
	*has = 1;
	*off_s = sign * (oh * 3600 + om * 60);
	return 0;
}

int calendar_parse(const char *text, int64_t *t)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return -1;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	if (*p == '\0') {
		*t = calendar_local_midnight(y, mo, d);
		return 0;
	}
	if ((*p != 'T' && *p != ' ') || (p++, digits(&p, 2, &h)) || *p++ != ':' ||
	    digits(&p, 2, &mi))
		return -1;
	if (*p == ':' && (p++, digits(&p, 2, &s)))
		return -1;
	if (h > 23 || mi > 59 || s > 60)
		return -1;
	int off, has;
	if (parse_offset(p, &off, &has))
		return -1;
	if (has)
		*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
	else
		*t = from_local(y, mo - 1, d, h, mi) + s;
	return 0;
}

int64_t calendar_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t calendar_reading_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return ms > 0 ? ms : 1;
}
