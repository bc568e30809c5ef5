/*
 * api: what one RouterOS API session does with each command sentence.
 * Pure: it reads and changes the model, takes the time as a parameter and
 * hands every reply sentence (fully encoded) to an output callback. The
 * server owns sockets, TLS and faults; this module owns the protocol.
 */
#ifndef FR_API_H
#define FR_API_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "wire.h"

/* Receives one encoded reply sentence (length-prefixed words + the final
 * zero-length word). The bytes are only valid during the call. */
struct api_out {
	void (*sentence)(void *ctx, const unsigned char *p, size_t n);
	void *ctx;
};

enum { API_CONTINUE = 0, API_CLOSE = 1 };

struct api_session;

/* Starts a session on router r (borrowed; must outlive the session) with
 * the flavour r has now. challenge: the 16 random bytes a pre-6.43 router
 * hands out. interval_ms: period of streaming monitors. NULL on OOM. */
struct api_session *api_session_new(struct model_router *r, const unsigned char challenge[16],
                                    int64_t interval_ms);

/* Frees the session (running monitors end silently). NULL-safe. */
void api_session_free(struct api_session *s);

/* Handles one command sentence of n words at now_ms; replies go to out.
 * Returns API_CLOSE when the session must end once the replies are sent
 * (/quit), else API_CONTINUE. */
int api_session_handle(struct api_session *s, const struct wire_word *words, size_t n,
                       int64_t now_ms, const struct api_out *out);

/* Aligns the session's streaming monitors from now on: their rows after
 * the first go out when the wall clock is a multiple of interval_ms (whole
 * seconds for the default 1000), not interval_ms after the command, so that
 * a client knows when each row was produced (fakerouter --monitor-align).
 * wall_minus_now_ms: the wall clock minus the now_ms clock, rounded down;
 * call again with a fresh value before each handle or tick to follow a
 * clock that is stepped or slewed. */
void api_session_align(struct api_session *s, int64_t wall_minus_now_ms);

/* The first time after now_ms (strictly later) at which now_ms +
 * wall_minus_now_ms is a multiple of period_ms (> 0). Pure; the caller
 * keeps the sum within int64_t. */
int64_t api_aligned_after(int64_t now_ms, int64_t wall_minus_now_ms, int64_t period_ms);

/* Earliest time a streaming monitor wants to send; INT64_MAX if none. */
int64_t api_session_next_due(const struct api_session *s);

/* Sends what streaming monitors owe at now_ms and schedules their next
 * rows. Pass an out whose callback discards to skip rows (stalled router). */
void api_session_tick(struct api_session *s, int64_t now_ms, const struct api_out *out);

/* 1 once a login succeeded. */
int api_session_logged_in(const struct api_session *s);

/* Writes the pre-6.43 login response "00" + hex(MD5(0x00 password
 * challenge)) for the given challenge bytes into out (35 bytes incl. NUL). */
void api_login_response(const char *password, const unsigned char *challenge, size_t clen,
                        char out[35]);

#endif
