/*
 * checkcfg.h — tikstatd --check-config: connect to every polled router,
 * log in, read each configured interface once and print what was seen,
 * or exactly what failed with a hint at the usual cause.
 */
#ifndef TIKSTAT_CHECKCFG_H
#define TIKSTAT_CHECKCFG_H

#include <stdio.h>

#include "cfg.h"

/* The usual cause of a failure with status (a negative enum ros_status)
 * in tls mode, in words a router admin acts on (a static string). */
const char *checkcfg_hint(int status, enum ros_tls_mode tls);

/* Prints the report to out. Returns 0 when every router answered with
 * every configured interface, 1 otherwise. */
int checkcfg_run(const struct cfg *cfg, FILE *out);

#endif
