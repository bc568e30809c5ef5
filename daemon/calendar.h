/*
 * calendar.h — time buckets on the configured zone's wall clock.
 *
 * Buckets (5 minutes, hour, day, month, year) start at local wall-clock
 * boundaries of the process time zone, set once with calendar_set_zone:
 * DST days have 23 or 25 hours, half-hour zones (Asia/Kolkata) start
 * their hours at :30 UTC. Times are Unix seconds. Not thread-safe while
 * calendar_set_zone runs; the other functions may run in any thread.
 */
#ifndef TIKSTAT_CALENDAR_H
#define TIKSTAT_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

/* The supported range of times: 0001-01-01 to 9999-12-31 UTC. Every
 * function taking a time clamps it into the range first, so no input
 * (INT64_MIN, INT64_MAX from a bad import row) is undefined behaviour;
 * results near the ends may lie just outside (the bucket after the last). */
#define CALENDAR_TIME_MIN INT64_C(-62135596800)
#define CALENDAR_TIME_MAX INT64_C(253402300799)

enum step { STEP_5MIN, STEP_HOUR, STEP_DAY, STEP_MONTH, STEP_YEAR, STEP_COUNT };

/* "5min", "hour", "day", "month", "year". */
const char *step_name(enum step s);
/* Parses a step name; 0 or -1. */
int step_parse(const char *name, enum step *out);

/* Sets the process time zone: an IANA name ("Europe/Berlin"), or NULL or
 * "" for the system's local time. Returns 0, or -1 if the zone is unknown
 * (no such file under the zoneinfo directory). */
int calendar_set_zone(const char *name);
/* The configured zone's name ("Europe/Berlin"); with no zone configured,
 * the system's (calendar_system_zone_name). */
const char *calendar_zone(void);

/* The system zone's name into out: the first word of etc_timezone
 * ("/etc/timezone"), else what the etc_localtime link ("/etc/localtime")
 * points at after ".../zoneinfo/", else the current offset of local time
 * as "UTC+01:00". Names are used only when tzdata has them. */
void calendar_system_zone_name(const char *etc_timezone, const char *etc_localtime, char *out,
                               size_t cap);

/* Start of the bucket of size s that contains t. */
int64_t calendar_bucket_start(enum step s, int64_t t);
/* Start of the bucket following the one that starts at start. */
int64_t calendar_bucket_next(enum step s, int64_t start);

/* The billing cycle containing t: it starts on day start_day (1..28) of a
 * month at local midnight and ends where the next one starts. */
void calendar_cycle(int64_t t, int start_day, int64_t *start, int64_t *end);

/* Local midnight of year-month-day (month 1..12); normalises overflow. */
int64_t calendar_local_midnight(int year, int month, int day);

/* Formats t as ISO 8601 with the zone's offset: 2026-03-29T03:00:00+02:00.
 * out must hold 32 bytes. */
void calendar_format(int64_t t, char out[32]);

/* Parses a date ("2026-03-01": local midnight) or an ISO 8601 time, with
 * or without seconds, with "Z" or "+HH:MM" offset, or none (local time).
 * Returns 0, or -1 when malformed. */
int calendar_parse(const char *text, int64_t *t);

/* The monotonic clock of readings, ms > 0 (0 means "unknown" in struct
 * acct_reading): CLOCK_BOOTTIME, which unlike CLOCK_MONOTONIC goes on while
 * the host is suspended, as the router's uptime does. Polled and pushed
 * readings are timed by it alike. */
int64_t calendar_reading_mono_ms(void);

/* The wall clock's second now (CLOCK_REALTIME). Not time(): on Linux it
 * reads a coarse clock whose second turns up to a tick late. */
int64_t calendar_now_s(void);

#endif
