/*
 * fuzz_config.c — libFuzzer target for the configuration loader: the
 * input is written to a temporary file and loaded with cfg_load_flags
 * (CFG_SKIP_SECRETS: no secret files read, as tikstat and --check-config
 * as a user do). A loaded configuration must satisfy what cfg.h promises;
 * a refusal must say why, one error a line, within CFG_MAX_ERRORS.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "fuzz.h"

static char path[64];
static int fd = -1;

/* One temporary file for the whole run, rewritten for every input. */
static int prepare(void)
{
	if (fd >= 0)
		return 0;
	char tmp[] = "/tmp/fuzz_config.XXXXXX";

	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	/* Unlinked at once and opened through /proc: nothing is left behind. */
	unlink(tmp);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return 0;
}

static void check_loaded(const struct cfg *c)
{
	CHECK(c->database && c->database[0]);
	CHECK(c->cycle_start_day >= 1 && c->cycle_start_day <= 28);
	CHECK(c->commit_interval > 0);
	CHECK(c->n_listen >= 1);
	for (size_t i = 0; i < c->n_listen; i++) {
		char host[256];
		uint16_t port;

		CHECK(cfg_parse_listen(c->listen[i], host, sizeof host, &port) == 0);
	}
	for (size_t i = 0; i < c->n_routers; i++) {
		const struct cfg_router *r = &c->routers[i];

		CHECK(r->name && cfg_router(c, r->name) == r);
		CHECK(r->interval > 0 && r->timeout > 0);
		CHECK(r->n_interfaces >= 1);
		for (size_t k = 0; k < r->n_interfaces; k++)
			CHECK(r->interfaces[k] != NULL);
		if (r->mode == MODE_POLL)
			CHECK(r->host && r->host[0] && r->port != 0);
	}
}

/* A refusal: at most CFG_MAX_ERRORS error lines and the count of the
 * rest, each naming the file first (or a file it includes: an absolute
 * path). */
static void check_refused(const char *err)
{
	size_t lines = 0;

	CHECK(err[0] != '\0');
	for (const char *line = err; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		CHECK(strncmp(line, path, strlen(path)) == 0 || line[0] == '/');
		lines++;
	}
	CHECK(lines <= CFG_MAX_ERRORS + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char err[CFG_ERR_SIZE];
	struct cfg *c;

	if (prepare() < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	err[0] = '\0';
	c = cfg_load_flags(path, CFG_SKIP_SECRETS, err, sizeof err);
	if (!c) {
		check_refused(err);
		return 0;
	}
	check_loaded(c);
	cfg_free(c);
	return 0;
}
