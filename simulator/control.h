/*
 * control: the line protocol on stdin/stdout through which tests drive the
 * fake (inspect counters, inject faults). Every command line gets exactly
 * one reply line starting with "ok" or "error <message>". See README.md.
 */
#ifndef FR_CONTROL_H
#define FR_CONTROL_H

#include <stdio.h>

#include "evloop.h"
#include "server.h"
#include "wire.h"

struct control;

/* Watches fd (normally 0) for command lines and answers on out (flushed
 * after each line). If fd cannot be watched (a regular file, /dev/null),
 * its lines are executed at the first control_poll_sync call instead.
 * Returns NULL on out of memory. */
struct control *control_new(struct server *srv, struct evloop *l, int fd, FILE *out);

/* Stops watching and frees. NULL-safe. */
void control_free(struct control *c);

/* Runs the commands of an unwatchable input to its end (no-op otherwise). */
void control_poll_sync(struct control *c);

/* 1 once the input ended, a "quit" came, or the output broke. */
int control_finished(const struct control *c);

/* Executes one command line (no newline) against srv and appends the reply
 * line (with newline) to reply. Returns 1 if the line was "quit". */
int control_exec(struct server *srv, const char *line, size_t n, struct wbuf *reply);

/* Percent-decodes n bytes of s ("%20" -> space) into out (at least n+1
 * bytes, NUL-terminated). Returns the decoded length, or -1 for a bad
 * escape or an escaped NUL. */
long control_pct_decode(const char *s, size_t n, char *out);

/* Appends s percent-encoded (bytes outside [A-Za-z0-9._~*-] as %XX). */
int control_pct_encode(struct wbuf *b, const char *s);

#endif
