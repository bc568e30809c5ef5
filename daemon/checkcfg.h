/*
 * checkcfg.h — tikstatd --check-config: connect to every polled router,
 * log in, read each configured interface once and print what was seen,
 * or exactly what failed with a hint at the usual cause.
 */
#ifndef TIKSTAT_CHECKCFG_H
#define TIKSTAT_CHECKCFG_H

#include <stdio.h>

#include "cfg.h"

/* Prints the report to out. Returns 0 when every router answered with
 * every configured interface, 1 otherwise. */
int checkcfg_run(const struct cfg *cfg, FILE *out);

#endif
