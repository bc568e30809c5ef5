/*
 * selftest: checks of the pure modules (MD5 and login vectors, length
 * prefixes, fragmentation, queries, uptime formats, counter arithmetic, a
 * scripted API session) run by "fakerouter --self-test".
 */
#ifndef FR_SELFTEST_H
#define FR_SELFTEST_H

/* Runs every check, prints failures and a "self-test: N passed, M failed"
 * line to stdout. Returns 0 when all passed, else 1. */
int selftest_run(void);

#endif
