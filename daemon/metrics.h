/*
 * metrics.h — /metrics in the Prometheus text exposition format 0.0.4.
 *
 * Families (each with # HELP and # TYPE):
 *   tikstat_interface_rx_bytes_total{router,interface}   counter, accounting totals
 *   tikstat_interface_tx_bytes_total{router,interface}   counter
 *   tikstat_cycle_rx_bytes{router,interface}             gauge, current billing cycle
 *   tikstat_cycle_tx_bytes{router,interface}             gauge
 *   tikstat_quota_bytes{router}                          gauge, routers with a quota
 *   tikstat_up{router}                                   gauge 1/0, polled routers
 *   tikstat_polls_total{router}                          counter, polls tried
 *   tikstat_poll_failures_total{router,reason}           counter; every reason
 *                                                        (status_reason_name) from 0
 *   tikstat_poll_duration_seconds{router}                gauge, last successful poll
 *   tikstat_last_success_timestamp_seconds{router}       gauge, 0 = never
 *   tikstat_pushes_total{router}                         counter, routers in push mode
 *   tikstat_push_rejected_total{reason}                  counter (status_push_reject_name)
 *   tikstat_interface_up{router,interface}               gauge 1/0, read in the last poll
 *   tikstat_database_ok                                  gauge 1/0 (store_health_ok)
 *   tikstat_database_problem{problem}                    gauge 1/0: commit, prune,
 *                                                        integrity, file_deleted, file_replaced
 *   tikstat_database_last_commit_timestamp_seconds       gauge, 0 = none yet
 *   tikstat_database_commit_failures_total               counter
 *   tikstat_database_read_errors_total                   counter (store_read_errors)
 *   tikstat_bill_used_bytes{bill}                        gauge, the bill's cycle (billing.h)
 *   tikstat_bill_quota_bytes{bill}                       gauge, bills with a quota
 *   tikstat_bill_percentile_bps{bill,direction}          gauge, rx and tx, bills with a
 *                                                        percentile (cached up to
 *                                                        BILLING_CACHE_SECONDS)
 *
 * metrics.c holds the families as a table (name, type, help, which
 * labels, which samples, a value function): a new metric is one row there
 * plus its value function, and its line above.
 *
 * Label values are escaped as the format wants (\\, \", \n) and are always
 * valid UTF-8: valid UTF-8 is kept, any other byte is read as Latin-1
 * (0xE9 becomes "é"), the rule of the JSON output (jsonw.h).
 */
#ifndef TIKSTAT_METRICS_H
#define TIKSTAT_METRICS_H

#include <stdint.h>

#include "billing.h"
#include "cfg.h"
#include "jsonw.h"
#include "status.h"
#include "store.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Appends s as an escaped label value (without quotes). */
int metrics_label_value(struct text_buf *out, const char *s);

/* Appends the whole exposition for cfg, the status snapshot and, for the
 * cycle families, the store (read-only, in a transaction; NULL leaves
 * them out). now: the scrape time. 0, or -1 when out of memory. */
int metrics_render(const struct cfg *cfg, const struct status_snapshot *snap, store *db,
                   int64_t now, struct text_buf *out);

/* metrics_render with the bills' percentiles from bills (a cache for cfg;
 * NULL: computed for this scrape): a scrape every few seconds does not
 * sort a month of 5-minute samples per bill each time. */
int metrics_render_cached(const struct cfg *cfg, const struct status_snapshot *snap, store *db,
                          struct billing_cache *bills, int64_t now, struct text_buf *out);

#endif
