/* log.c — see log.h. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static atomic_int log_level = LOG_LEVEL_INFO;
/* Set before other threads start (log_init, log_set_output), read after. */
static char log_ident[64] = "tikstatd";
static bool log_to_syslog;
static FILE *log_out;

static const char *const level_names[] = {"error", "warning", "info", "debug"};
static const int level_priority[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

static int clamp_level(int level)
{
	if (level < LOG_LEVEL_ERROR)
		return LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_DEBUG)
		return LOG_LEVEL_DEBUG;
	return level;
}

void log_init(const char *ident, int level, bool to_syslog)
{
	int saved = errno;

	snprintf(log_ident, sizeof log_ident, "%s", ident ? ident : "tikstatd");
	atomic_store(&log_level, clamp_level(level));
	if (log_to_syslog && !to_syslog)
		closelog();
	log_to_syslog = to_syslog;
	if (to_syslog)
		openlog(log_ident, LOG_PID, LOG_DAEMON);
	errno = saved;
}

int log_level_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

const char *log_level_name(int level)
{
	if (level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG)
		return "unknown";
	return level_names[level];
}

void log_set_level(int level)
{
	atomic_store(&log_level, clamp_level(level));
}

int log_get_level(void)
{
	return atomic_load(&log_level);
}

void log_set_output(FILE *f)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = false;
	log_out = f;
}

/* Copies src into dst (size dstsz >= 8) with control bytes as \xNN; a cut
 * copy ends in "...". */
static void escape_line(char *dst, size_t dstsz, const char *src, bool cut)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	size_t room = dstsz - 4; /* keeps space for "..." and the NUL */

	for (const unsigned char *s = (const unsigned char *)src; *s; s++) {
		bool ctl = *s < 0x20 || *s == 0x7f;
		size_t need = ctl ? 4 : 1;

		if (o + need > room) {
			cut = true;
			break;
		}
		if (ctl) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[*s >> 4];
			dst[o++] = hex[*s & 15];
		} else {
			dst[o++] = (char)*s;
		}
	}
	if (cut) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* Formats one message and writes it as one line (or one syslog record).
 * errnum >= 0 appends its strerror text. */
__attribute__((format(printf, 4, 0))) static void log_emit(int level, const char *label, int errnum,
                                                           const char *fmt, va_list ap)
{
	char raw[LOG_MAX_MESSAGE];
	char msg[LOG_MAX_MESSAGE + 128];
	int saved = errno;
	int n = vsnprintf(raw, sizeof raw, fmt, ap);

	if (n < 0)
		snprintf(raw, sizeof raw, "(unformattable message: %s)", fmt);
	escape_line(msg, LOG_MAX_MESSAGE, raw, n >= (int)sizeof raw);
	if (errnum >= 0) {
		size_t len = strlen(msg);
		snprintf(msg + len, sizeof msg - len, ": %s", strerror(errnum));
	}
	if (log_to_syslog) {
		int prio = level < 0 ? LOG_CRIT : level_priority[level];

		if (level < 0)
			syslog(prio, "fatal: %s", msg);
		else
			syslog(prio, "%s", msg);
	} else {
		fprintf(log_out ? log_out : stderr, "%s: %s: %s\n", log_ident, label, msg);
		if (log_out)
			fflush(log_out);
	}
	errno = saved;
}

#define LOG_AT(level, errnum)                                                                      \
	do {                                                                                       \
		int errnum_ = (errnum);                                                            \
		va_list ap;                                                                        \
		if ((level) > atomic_load(&log_level))                                             \
			return;                                                                    \
		va_start(ap, fmt);                                                                 \
		log_emit((level), level_names[(level)], errnum_, fmt, ap);                         \
		va_end(ap);                                                                        \
	} while (0)

void log_debug(const char *fmt, ...)
{
	LOG_AT(LOG_LEVEL_DEBUG, -1);
}

void log_info(const char *fmt, ...)
{
	LOG_AT(LOG_LEVEL_INFO, -1);
}

void log_warnx(const char *fmt, ...)
{
	LOG_AT(LOG_LEVEL_WARNING, -1);
}

void log_warn(const char *fmt, ...)
{
	LOG_AT(LOG_LEVEL_WARNING, errno);
}

void log_errorx(const char *fmt, ...)
{
	LOG_AT(LOG_LEVEL_ERROR, -1);
}

void log_error(const char *fmt, ...)
{
	LOG_AT(LOG_LEVEL_ERROR, errno);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(-1, "fatal", -1, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatal(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(-1, "fatal", errnum, fmt, ap);
	va_end(ap);
	exit(1);
}
