/* fakeproc.c — see fakeproc.h. */
#include "fakeproc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads one line from the child (10 s at most). Returns 0 or -1. */
static int read_line(struct fakeproc *fp, char *out, size_t outsz)
{
	for (;;) {
		char *nl = memchr(fp->inbuf, '\n', fp->inlen);
		if (nl) {
			size_t l = (size_t)(nl - fp->inbuf);
			size_t c = l < outsz - 1 ? l : outsz - 1;
			memcpy(out, fp->inbuf, c);
			out[c] = '\0';
			memmove(fp->inbuf, nl + 1, fp->inlen - l - 1);
			fp->inlen -= l + 1;
			return 0;
		}
		struct pollfd pfd = {.fd = fp->from_child, .events = POLLIN};
		if (poll(&pfd, 1, 10000) <= 0 || fp->inlen == sizeof fp->inbuf)
			return -1;
		ssize_t n =
		        read(fp->from_child, fp->inbuf + fp->inlen, sizeof fp->inbuf - fp->inlen);
		if (n <= 0)
			return -1;
		fp->inlen += (size_t)n;
	}
}

int fakeproc_field(const char *line, const char *key, char *out, size_t outsz)
{
	size_t kl = strlen(key);
	for (const char *p = line; (p = strstr(p, key)) != NULL; p += kl) {
		if ((p != line && p[-1] != ' ') || p[kl] != '=')
			continue;
		const char *v = p + kl + 1;
		size_t l = strcspn(v, " ");
		if (l >= outsz)
			return -1;
		memcpy(out, v, l);
		out[l] = '\0';
		return 0;
	}
	return -1;
}

static void parse_router_line(struct fakeproc *fp, const char *line)
{
	char port[16] = "";
	if (fp->count == fp->cap) {
		size_t cap = fp->cap ? fp->cap * 2 : 16;
		struct fake_router_info *n = realloc(fp->routers, cap * sizeof *n);
		if (!n)
			return;
		fp->routers = n;
		fp->cap = cap;
	}
	struct fake_router_info *r = &fp->routers[fp->count];
	memset(r, 0, sizeof *r);
	fakeproc_field(line, "name", r->name, sizeof r->name);
	fakeproc_field(line, "port", port, sizeof port);
	fakeproc_field(line, "transport", r->transport, sizeof r->transport);
	fakeproc_field(line, "flavour", r->flavour, sizeof r->flavour);
	fakeproc_field(line, "fingerprint", r->fingerprint, sizeof r->fingerprint);
	r->port = atoi(port);
	fp->count++;
}

static void spawn(struct fakeproc *fp, const char *binary, const char *const *args, int in[2],
                  int out[2])
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = binary;
	for (size_t i = 0; args && args[i] && n < 60; i++)
		argv[n++] = args[i];
	argv[n++] = "--cert-out";
	argv[n++] = fp->cert_path;
	argv[n] = NULL;
	dup2(in[0], 0);
	dup2(out[1], 1);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	execv(binary, (char *const *)argv);
	fprintf(stderr, "fakeproc: cannot run %s: %s\n", binary, strerror(errno));
	_exit(127);
}

int fakeproc_start(struct fakeproc *fp, const char *binary, const char *const *args)
{
	int in[2], out[2];
	memset(fp, 0, sizeof *fp);
	fp->pid = -1;
	signal(SIGPIPE, SIG_IGN);
	snprintf(fp->dir, sizeof fp->dir, "/tmp/tikstat-fake-XXXXXX");
	if (!mkdtemp(fp->dir) || pipe(in) || pipe(out)) {
		perror("fakeproc");
		return -1;
	}
	snprintf(fp->cert_path, sizeof fp->cert_path, "%s/cert.pem", fp->dir);
	fp->pid = fork();
	if (fp->pid == 0)
		spawn(fp, binary, args, in, out);
	close(in[0]);
	close(out[1]);
	fp->to_child = in[1];
	fp->from_child = out[0];
	char line[1024];
	while (read_line(fp, line, sizeof line) == 0) {
		if (strncmp(line, "router ", 7) == 0)
			parse_router_line(fp, line);
		else if (strncmp(line, "ready", 5) == 0)
			return 0;
	}
	fprintf(stderr, "fakeproc: %s did not report ready\n", binary);
	fakeproc_stop(fp);
	return -1;
}

int fakeproc_cmd(struct fakeproc *fp, char *reply, size_t replysz, const char *fmt, ...)
{
	char line[4096], answer[8192];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 1)
		return -1;
	line[n++] = '\n';
	if (write(fp->to_child, line, (size_t)n) != n)
		return -1;
	if (read_line(fp, answer, sizeof answer))
		return -1;
	if (reply)
		snprintf(reply, replysz, "%s", answer);
	return strncmp(answer, "ok", 2) == 0 ? 0 : -1;
}

const struct fake_router_info *fakeproc_router(const struct fakeproc *fp, const char *name)
{
	for (size_t i = 0; i < fp->count; i++)
		if (strcmp(fp->routers[i].name, name) == 0)
			return &fp->routers[i];
	return NULL;
}

void fakeproc_stop(struct fakeproc *fp)
{
	if (fp->pid > 0) {
		close(fp->to_child);
		int status;
		/* EOF on stdin ends the fake; give it 5 s, then insist. */
		for (int i = 0; i < 500; i++) {
			if (waitpid(fp->pid, &status, WNOHANG) == fp->pid) {
				fp->pid = -1;
				break;
			}
			usleep(10000);
		}
		if (fp->pid > 0) {
			kill(fp->pid, SIGKILL);
			waitpid(fp->pid, &status, 0);
		}
		close(fp->from_child);
		fp->pid = -1;
	}
	free(fp->routers);
	fp->routers = NULL;
	fp->count = fp->cap = 0;
	if (fp->dir[0]) {
		unlink(fp->cert_path);
		rmdir(fp->dir);
		fp->dir[0] = '\0';
	}
}
