/*
 * fakeproc.h — runs the fake router (simulator) as a child process
 * for a test, and talks to its control channel (stdin/stdout lines).
 */
#ifndef FAKEPROC_H
#define FAKEPROC_H

#include <stddef.h>
#include <sys/types.h>

struct fake_router_info {
	char name[64];
	int port;
	char transport[16];
	char flavour[16];
	char fingerprint[128]; /* "sha256:..." for tls routers, else "" */
};

struct fakeproc {
	pid_t pid;
	int to_child;   /* the child's stdin */
	int from_child; /* the child's stdout */
	char inbuf[65536];
	size_t inlen;
	size_t count;
	size_t cap;
	struct fake_router_info *routers; /* count entries, owned */
	char dir[256];                    /* temporary directory, removed by fakeproc_stop */
	char cert_path[300];              /* the self-signed certificate (PEM) */
};

/* Starts binary with the given extra arguments (NULL-terminated) plus
 * --cert-out into a fresh temporary directory, and waits for its "ready"
 * line. Returns 0, or -1 with a message on stderr. */
int fakeproc_start(struct fakeproc *fp, const char *binary, const char *const *args);

/* Sends one control line (printf format) and reads the answer line into
 * reply (may be NULL). Returns 0 when the answer starts with "ok". */
int fakeproc_cmd(struct fakeproc *fp, char *reply, size_t replysz, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* The router named name, or NULL. */
const struct fake_router_info *fakeproc_router(const struct fakeproc *fp, const char *name);

/* Reads "key=value" from a control answer into out; 0 when found. */
int fakeproc_field(const char *line, const char *key, char *out, size_t outsz);

/* Closes the control channel, waits for the child and removes the
 * temporary directory. */
void fakeproc_stop(struct fakeproc *fp);

#endif
