/*
 * apibill.h — the bills' endpoints of the HTTP API (api.h's form: query
 * parameters in, status + content type + body out):
 *
 *   /api/v1/bills                 every [bill]'s state (billing_json, an
 *                                 array; the CLI's tikstat --bill --json)
 *   /api/v1/bills?router=R&interface=I
 *                                 only the bills that sum that counter
 *                                 (either parameter alone: any counter of
 *                                 router R, any counter named I); I is an
 *                                 interface or queue name, or a device's
 *                                 MAC address in any case
 *   /api/v1/bill?name=NAME        one bill (an object; tikstat --bill NAME
 *                                 --json)
 *
 * A missing name or a duplicated parameter is a 400, an unknown bill or
 * router a 404. The handlers run in any HTTP thread on its read-only store
 * handle, a snapshot transaction open; the percentile is computed afresh
 * for every request (/metrics caches it).
 */
#ifndef TIKSTAT_APIBILL_H
#define TIKSTAT_APIBILL_H

#include "api.h"

int api_bills(const struct api_ctx *c, const struct api_params *p, struct api_response *r);
int api_bill(const struct api_ctx *c, const struct api_params *p, struct api_response *r);

#endif
