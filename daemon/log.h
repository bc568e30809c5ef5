/*
 * log.h — the daemon's logging, in the manner of OpenNTPD.
 *
 * One message is one line: "IDENT: LEVEL: message" on stderr (journald and
 * terminals add their own timestamps), or a syslog(3) record with the
 * matching priority. Control characters in a message are escaped (\xNN),
 * so a value read from a router or a file cannot forge a second line.
 *
 * Thread-safe: a message is formatted in a local buffer and written with a
 * single call, so lines of concurrent threads never interleave. Every
 * function keeps errno as it found it.
 *
 * Never pass a secret (password, token) to these functions: the logger
 * cannot tell a secret from any other text.
 */
#ifndef TIKSTAT_LOG_H
#define TIKSTAT_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Longest message written; longer ones are cut and end in "...". */
#define LOG_MAX_MESSAGE 1024

/* Sets the ident ("tikstatd", copied), the level (messages above it are
 * dropped; out-of-range values are clamped) and the destination. With
 * to_syslog, opens syslog with openlog(ident, LOG_PID, LOG_DAEMON).
 * Before any call, messages go to stderr as "tikstatd" at LOG_LEVEL_INFO.
 * Call it from the main thread before starting others. */
void log_init(const char *ident, int level, bool to_syslog);

/* "error", "warning", "info" or "debug" to its level; -1 if unknown.
 * Exact, lower-case names. */
int log_level_parse(const char *name);

/* The name of a level ("warning"), or "unknown". */
const char *log_level_name(int level);

/* Changes the level at any time, from any thread. */
void log_set_level(int level);

/* The current level. */
int log_get_level(void);

/* Sends stderr-style lines to f instead (NULL: back to stderr), and stops
 * using syslog. For tests that capture what was logged; call it while no
 * other thread logs. */
void log_set_output(FILE *f);

/* Messages by level. The *x variants log the text only; log_warn and
 * log_error append ": strerror(errno)". */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Logs at error level ("IDENT: fatal: message", with ": strerror(errno)"
 * for fatal) whatever the level, then exit(1). For start-up only: once
 * the daemon runs, errors are logged and handled, not fatal. */
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
