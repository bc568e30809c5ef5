/*
 * percentile_driver — bill_percentile (daemon/bill.c) on cycles read from
 * CSV files, for the comparison with percentile_ref.py
 * (test_percentile_ref.py).
 *
 *   percentile_driver FILE...
 *
 * Each FILE (the format of percentile_ref.py):
 *   start,end,now,percentile
 *   S,E,N,P
 *   bucket,rx,tx
 *   T,RX,TX          (any number of rows, any order, repeats add up)
 * prints one line "samples rank rx_bps tx_bps max_bps".
 * Exit status 0, or 1 with a message naming the file and line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bill.h"

/* The expected header line at line 1 or 3. */
static int expect(FILE *f, const char *header)
{
	char line[128];
	return fgets(line, sizeof line, f) && strcmp(line, header) == 0 ? 0 : -1;
}

/* Reads the cycle line. */
static int read_cycle(FILE *f, int64_t *start, int64_t *end, int64_t *now, int *p)
{
	char line[128];
	int used = -1;
	if (!fgets(line, sizeof line, f))
		return -1;
	if (sscanf(line, "%" SCNd64 ",%" SCNd64 ",%" SCNd64 ",%d\n%n", start, end, now, p, &used) !=
	            4 ||
	    used != (int)strlen(line))
		return -1;
	return 0;
}

/* Adds every bucket row to s; -1 with *lineno at a bad row. */
static int read_buckets(FILE *f, struct bill_samples *s, int *lineno)
{
	char line[128];
	while (fgets(line, sizeof line, f)) {
		int64_t t;
		uint64_t rx, tx;
		int used = -1;
		++*lineno;
		if (sscanf(line, "%" SCNd64 ",%" SCNu64 ",%" SCNu64 "\n%n", &t, &rx, &tx, &used) !=
		            3 ||
		    used != (int)strlen(line))
			return -1;
		bill_samples_add(s, t, rx, tx);
	}
	return ferror(f) ? -1 : 0;
}

/* One file: its line on stdout; 0, or -1 after a message. */
static int run(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	int64_t start, end, now;
	int lineno = 3, rc = -1;
	struct bill_terms t = {.direction = BILL_BOTH};
	struct bill_samples *s = NULL;
	struct bill_percentile out;
	if (expect(f, "start,end,now,percentile\n") ||
	    read_cycle(f, &start, &end, &now, &t.percentile) || expect(f, "bucket,rx,tx\n")) {
		fprintf(stderr, "%s: lines 1-3: not the header, cycle and bucket header\n", path);
		goto out;
	}
	s = bill_samples_new(start, end, now);
	if (!s) {
		fprintf(stderr, "%s: line 2: not a cycle (or out of memory)\n", path);
		goto out;
	}
	if (read_buckets(f, s, &lineno)) {
		fprintf(stderr, "%s: line %d: not T,RX,TX\n", path, lineno);
		goto out;
	}
	if (bill_percentile(s, &t, &out)) {
		fprintf(stderr, "%s: line 2: percentile %d is not 1..99\n", path, t.percentile);
		goto out;
	}
	printf("%zu %zu %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", out.samples, out.rank, out.rx_bps,
	       out.tx_bps, out.max_bps);
	rc = 0;
out:
	bill_samples_free(s);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (run(argv[i]))
			return 1;
	return fflush(stdout) ? 1 : 0;
}
