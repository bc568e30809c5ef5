/*
 * bench_http_seed — fills a database for bench_http.sh: YEARS of readings
 * every STEP seconds for router "bench", interface "ether1", ending now,
 * through the recorder as tikstatd would (simulated clock, commits once
 * per simulated day).
 *
 *   bench_http_seed PATH YEARS STEP
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "calendar.h"
#include "recorder.h"
#include "store.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench_http_seed PATH YEARS STEP\n");
		return 2;
	}
	int years = atoi(argv[2]), step = atoi(argv[3]);
	char err[512];
	calendar_set_zone("Europe/Berlin");
	store *s = store_open(argv[1], false, err, sizeof err);
	if (!s) {
		fprintf(stderr, "bench_http_seed: %s\n", err);
		return 1;
	}
	int64_t retention[STEP_COUNT] = {7 * 86400, 90 * 86400, 0, 0, 0};
	struct recorder_options ro = {.max_rate = 0, .commit_interval = 86400};
	for (int i = 0; i < STEP_COUNT; i++)
		ro.retention[i] = retention[i];
	struct recorder *r = recorder_new(s, &ro);
	int h = recorder_interface(r, "bench", "ether1");
	if (h < 0) {
		fprintf(stderr, "bench_http_seed: %s\n", store_errmsg(s));
		return 1;
	}
	int64_t end = (int64_t)time(NULL), t = end - (int64_t)years * 365 * 86400;
	struct acct_reading rd = {.has_uptime = true};
	uint64_t n = 0;
	clock_t c0 = clock();
	for (; t <= end; t += step, n++) {
		rd.time = t;
		rd.rx += 12345 + (uint64_t)(t % 1000);
		rd.tx += 2345;
		rd.uptime += (uint64_t)step;
		if (recorder_add(r, h, &rd, t, NULL) < 0) {
			fprintf(stderr, "bench_http_seed: %s\n", store_errmsg(s));
			return 1;
		}
	}
	recorder_free(r, end);
	store_close(s);
	printf("seeded %llu readings (%d years every %d s) in %.1f s\n", (unsigned long long)n,
	       years, step, (double)(clock() - c0) / CLOCKS_PER_SEC);
	return 0;
}
