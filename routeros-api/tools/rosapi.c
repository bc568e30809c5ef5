/*
 * rosapi.c — runs one RouterOS API command and prints the reply: the
 * troubleshooting tool of the routeros-api library.
 *
 *   rosapi [-p PORT] [-u USER] [--tls verify|anonymous] [--ca FILE]
 *          [--fingerprint sha256:HEX] [--timeout SEC] [--deadline SEC]
 *          [--max-reply SIZE] [--max-sentences N] [--json]
 *          HOST COMMAND [WORD...]
 *
 * The contract (options, output formats, exit codes) is documented in
 * man/rosapi.1; keep the two in step.
 */
#include "json_out.h"
#include "routeros.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIKSTAT_VERSION
#define TIKSTAT_VERSION "0.1.0"
#endif

/* Exit statuses: a stable contract, see EXIT STATUS in rosapi(1). */
enum exit_code {
	EXIT_OK = 0,          /* answered with !done, rows or not */
	EXIT_ROUTER = 1,      /* the router answered !trap or !fatal */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_RESOLVE = 3,     /* host name not resolved */
	EXIT_REFUSED = 4,     /* refused or unreachable */
	EXIT_TIMEOUT = 5,     /* silence beyond --timeout */
	EXIT_TLS = 6,         /* TLS handshake */
	EXIT_TLS_VERIFY = 7,  /* certificate verification */
	EXIT_FINGERPRINT = 8, /* pinned fingerprint mismatch */
	EXIT_AUTH = 9,        /* wrong user name or password */
	EXIT_POLICY = 10,     /* the user lacks the api policy */
	EXIT_PROTOCOL = 11,   /* malformed or unexpected data */
	EXIT_IO = 12,         /* connection closed or socket error */
	EXIT_LOCAL = 13,      /* out of memory, stdout or the password prompt failed */
	EXIT_SIGNAL = 128,    /* plus the signal number: 130 for Ctrl-C */
};

#define PASSWORD_MAX 1024

/* At most this many commands on one command line (rosapi(1)): each is a
 * tagged command on the one session, well within ROS_MAX_COMMANDS, which
 * also counts the /cancel commands that Ctrl-C adds. */
#define MAX_COMMANDS 16

/* One command of the command line: its words, COMMAND first. */
struct command_words {
	const char *const *words;
	size_t nwords;
};

/* Written only by the signal handler; main code polls the pipe's read end
 * so a signal also wakes a poll() that started just before it arrived. */
static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t signal_count; /* signals so far: a second Ctrl-C */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;

	got_signal = sig;
	signal_count++;
	if (signal_pipe[1] >= 0) {
		ssize_t r = write(signal_pipe[1], "", 1);
		(void)r;
	}
	errno = saved;
}

struct cli {
	const char *host; /* without brackets */
	char *host_copy;  /* owns host when brackets were stripped */
	const char *user;
	unsigned port; /* 0: the default for the TLS mode */
	enum ros_tls_mode tls;
	int tls_given; /* --tls seen */
	const char *ca_file;
	char *fingerprint;           /* normalised "sha256:..." */
	const char *fingerprint_arg; /* as given, for messages */
	int timeout_ms;
	int deadline_ms;      /* --deadline: 0 none, -1 not given (the default) */
	size_t max_reply;     /* --max-reply bytes, SIZE_MAX none, 0 the default */
	size_t max_sentences; /* --max-sentences, likewise */
	int json;
	int show_fingerprint;     /* --show-fingerprint: print the certificate, no login */
	const char *const *words; /* everything after HOST */
	size_t nwords;
	struct command_words cmds[MAX_COMMANDS]; /* words split at each '/' word */
	size_t ncmds;
};

static void usage(FILE *f)
{
	fputs("Usage: rosapi [OPTION...] HOST COMMAND [WORD...] [COMMAND [WORD...]]...\n"
	      "       rosapi [-p PORT] [--timeout SEC] --show-fingerprint HOST\n"
	      "Run RouterOS API commands on HOST and print the replies.\n"
	      "\n"
	      "  -p, --port PORT         API port (default 8728, 8729 with TLS)\n"
	      "  -u, --user USER         user name (default admin)\n"
	      "      --tls verify|anonymous\n"
	      "                          use api-ssl; verify: check the certificate against\n"
	      "                          the system store or --ca; anonymous: a router without\n"
	      "                          a certificate (encrypts, does not authenticate it)\n"
	      "      --ca FILE           trust the CA certificates in FILE (implies --tls verify)\n"
	      "      --fingerprint sha256:HEX\n"
	      "                          accept only the certificate with this SHA-256\n"
	      "                          fingerprint (implies TLS); the placeholder\n"
	      "                          sha256:00 fails, naming the fingerprint presented\n"
	      "      --show-fingerprint  connect over TLS without logging in, print the\n"
	      "                          router certificate's fingerprint, subject and\n"
	      "                          validity, and exit 0\n"
	      "      --timeout SEC       give up after SEC seconds without an answer, in\n"
	      "                          connect, TLS, login or the reply (default 10,\n"
	      "                          fractions such as 0.5 allowed)\n"
	      "      --deadline SEC      give up when the reply is not complete after SEC\n"
	      "                          seconds, however steadily it arrives (default\n"
	      "                          4 x timeout, at least 30; none for streaming\n"
	      "                          commands; 0 = none)\n"
	      "      --max-reply SIZE    give up when the reply holds more than SIZE bytes\n"
	      "                          (K, M, G = 1024-based; default 32M; 0 = no limit)\n"
	      "      --max-sentences N   give up after more than N reply sentences\n"
	      "                          (default 100000; 0 = no limit)\n"
	      "      --json              print the reply as one JSON array\n"
	      "  -h, --help              show this help and exit\n"
	      "      --version           show the version and exit\n"
	      "\n"
	      "The password comes from ROS_PASSWORD, else from a prompt on the terminal,\n"
	      "else it is empty. COMMAND starts with '/'; WORDs are sent as given:\n"
	      "=key=value, ?query, .tag=X, =.proplist=name,rx-byte.\n"
	      "Each further word starting with '/' begins another COMMAND (at most 16):\n"
	      "they run at once on the one session, each sentence marked \"[N] \" with\n"
	      "its command's number (--json: \"command\":N); Ctrl-C cancels them all;\n"
	      "the limits and the deadline apply to each command.\n"
	      "\n"
	      "  rosapi 192.168.88.1 /interface/print ?name=ether1 =.proplist=name,rx-byte\n"
	      "  rosapi 192.168.88.1 /interface/monitor-traffic =interface=ether1 \\\n"
	      "         /interface/monitor-traffic =interface=ether2 /system/resource/print\n"
	      "\n"
	      "Exit status: 0 success, 1 !trap or !fatal, 2 usage, 3..12 connection\n"
	      "failures by class, 13 local error, 130 interrupted; with several commands\n"
	      "that of the first one (in command-line order) that failed; see rosapi(1).\n",
	      f);
}

/* Prints "rosapi: MESSAGE (see rosapi --help)" and returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rosapi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see rosapi --help)\n", stderr);
	return EXIT_USAGE;
}

/* Parses SEC ("10", "0.5", "2.25") into milliseconds, rounded to the
 * nearest one; at least 1 ms. Digits and one '.' only, so the result does
 * not depend on the locale. */
static int parse_timeout(const char *s, int *ms)
{
	long long v = 0; /* tenths of a millisecond */
	long long scale = 1000;
	const char *p = s;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX / 1000)
			return -1;
	}
	v *= 10000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			v += (*p - '0') * scale;
			scale /= 10;
		}
	if (*p || !digits)
		return -1;
	v = (v + 5) / 10;
	if (v < 1 || v > INT_MAX)
		return -1;
	*ms = (int)v;
	return 0;
}

/* Parses a count or a size: digits, and with units a K, M or G suffix
 * (1024-based, a trailing B allowed). 0 becomes SIZE_MAX (no limit). */
static int parse_bound(const char *s, int units, size_t *out)
{
	unsigned long long v = 0, mult = 1;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	if (p == s)
		return -1;
	if (units && *p) {
		const char *u = strchr("KMG", toupper((unsigned char)*p));
		if (!u)
			return -1;
		for (long i = 0; i <= u - "KMG"; i++)
			mult *= 1024;
		p++;
		if (*p == 'B' || *p == 'b')
			p++;
	}
	if (*p || v > SIZE_MAX / mult)
		return -1;
	*out = v ? (size_t)(v * mult) : SIZE_MAX;
	return 0;
}

static int parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;
	const char *p = s;

	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return -1;
	}
	if (v == 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* Accepts "sha256:AB:CD:...", "SHA256:abcd..." and a bare hex string (as
 * openssl prints it after "Fingerprint="); the library checks the digits. */
static char *normalise_fingerprint(const char *s)
{
	const char *hex = s;
	char *out;

	if (strncmp(s, "sha256:", 7) == 0 || strncmp(s, "SHA256:", 7) == 0 ||
	    strncmp(s, "sha256=", 7) == 0 || strncmp(s, "SHA256=", 7) == 0)
		hex = s + 7;
	out = malloc(strlen(hex) + 8);
	if (out) {
		memcpy(out, "sha256:", 7);
		strcpy(out + 7, hex);
	}
	return out;
}

/* True for a short pin of zeros ("sha256:00"): the README's placeholder,
 * asked to learn the router's fingerprint from the mismatch message. */
static int is_placeholder_pin(const char *fp)
{
	size_t digits = 0;
	for (const char *p = fp + 7; *p; p++) {
		if (*p == ':')
			continue;
		if (*p != '0')
			return 0;
		digits++;
	}
	return digits > 0 && digits < 64;
}

/* A well-formed pin no certificate matches (all zero), heap-allocated. */
static char *learning_pin(void)
{
	char *p = malloc(7 + 64 + 1);
	if (p) {
		memcpy(p, "sha256:", 7);
		memset(p + 7, '0', 64);
		p[7 + 64] = '\0';
	}
	return p;
}

enum opt_id {
	OPT_PORT,
	OPT_USER,
	OPT_TLS,
	OPT_CA,
	OPT_FINGERPRINT,
	OPT_TIMEOUT,
	OPT_DEADLINE,
	OPT_MAX_REPLY,
	OPT_MAX_SENTENCES,
	OPT_JSON,
	OPT_SHOW_FINGERPRINT,
	OPT_HELP,
	OPT_VERSION
};

struct opt_def {
	const char *name;
	char short_name;
	int has_arg;
	enum opt_id id;
};

static const struct opt_def opt_defs[] = {
        {"port", 'p', 1, OPT_PORT},
        {"user", 'u', 1, OPT_USER},
        {"tls", 0, 1, OPT_TLS},
        {"ca", 0, 1, OPT_CA},
        {"fingerprint", 0, 1, OPT_FINGERPRINT},
        {"timeout", 0, 1, OPT_TIMEOUT},
        {"deadline", 0, 1, OPT_DEADLINE},
        {"max-reply", 0, 1, OPT_MAX_REPLY},
        {"max-sentences", 0, 1, OPT_MAX_SENTENCES},
        {"json", 0, 0, OPT_JSON},
        {"show-fingerprint", 0, 0, OPT_SHOW_FINGERPRINT},
        {"help", 'h', 0, OPT_HELP},
        {"version", 0, 0, OPT_VERSION},
};

/* Applies one option. Returns -1 to go on, or an exit status. */
static int apply_option(struct cli *cli, enum opt_id id, const char *spelling, const char *val)
{
	switch (id) {
	case OPT_PORT:
		if (parse_port(val, &cli->port) < 0)
			return usage_error("invalid port '%s' (1..65535)", val);
		break;
	case OPT_USER:
		if (!*val)
			return usage_error("%s needs a user name", spelling);
		cli->user = val;
		break;
	case OPT_TLS:
		if (strcmp(val, "verify") == 0)
			cli->tls = ROS_TLS_VERIFY;
		else if (strcmp(val, "anonymous") == 0)
			cli->tls = ROS_TLS_ANONYMOUS;
		else
			return usage_error("--tls takes verify or anonymous, not '%s'", val);
		cli->tls_given = 1;
		break;
	case OPT_CA:
		if (!*val)
			return usage_error("%s needs a file name", spelling);
		cli->ca_file = val;
		break;
	case OPT_SHOW_FINGERPRINT: cli->show_fingerprint = 1; break;
	case OPT_FINGERPRINT:
		free(cli->fingerprint);
		cli->fingerprint = normalise_fingerprint(val);
		cli->fingerprint_arg = val;
		if (!cli->fingerprint) {
			fputs("rosapi: out of memory\n", stderr);
			return EXIT_LOCAL;
		}
		break;
	case OPT_TIMEOUT:
		if (parse_timeout(val, &cli->timeout_ms) < 0)
			return usage_error("invalid timeout '%s' (seconds, e.g. 5 or 0.5)", val);
		break;
	case OPT_DEADLINE:
		if (strcmp(val, "0") == 0)
			cli->deadline_ms = 0;
		else if (parse_timeout(val, &cli->deadline_ms) < 0)
			return usage_error(
			        "invalid deadline '%s' (seconds, e.g. 60, or 0 for none)", val);
		break;
	case OPT_MAX_REPLY:
		if (parse_bound(val, 1, &cli->max_reply) < 0)
			return usage_error("invalid size '%s' (bytes, e.g. 64M, or 0 for no limit)",
			                   val);
		break;
	case OPT_MAX_SENTENCES:
		if (parse_bound(val, 0, &cli->max_sentences) < 0)
			return usage_error("invalid count '%s' (e.g. 500000, or 0 for no limit)",
			                   val);
		break;
	case OPT_JSON: cli->json = 1; break;
	case OPT_HELP: usage(stdout); return fflush(stdout) == 0 ? EXIT_OK : EXIT_LOCAL;
	case OPT_VERSION:
		fputs("rosapi (tikstat) " TIKSTAT_VERSION "\n", stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_LOCAL;
	}
	return -1;
}

/* Splits the words after HOST into commands: each word that starts with
 * '/' begins one (attribute, query and API words start with '=', '?' or
 * '.'). The first word is a command (checked before). With several
 * commands a .tag word is refused: rosapi tags them itself, to tell their
 * replies apart. Returns -1 to go on, or an exit status. */
static int split_commands(struct cli *cli)
{
	size_t k;

	for (k = 0; k < cli->nwords; k++) {
		if (cli->words[k][0] == '/') {
			if (cli->ncmds == MAX_COMMANDS)
				return usage_error("at most %d commands on a command line",
				                   MAX_COMMANDS);
			cli->cmds[cli->ncmds].words = cli->words + k;
			cli->cmds[cli->ncmds].nwords = 0;
			cli->ncmds++;
		}
		cli->cmds[cli->ncmds - 1].nwords++;
	}
	for (k = 0; cli->ncmds > 1 && k < cli->nwords; k++)
		if (strncmp(cli->words[k], ".tag", 4) == 0 &&
		    (cli->words[k][4] == '=' || cli->words[k][4] == '\0'))
			return usage_error("'%s': with several commands rosapi tags them itself",
			                   cli->words[k]);
	return -1;
}

/* Parses argv into cli. Options may come anywhere before COMMAND; "--"
 * ends them; everything from COMMAND on is sent to the router verbatim.
 * Returns -1 to go on, or an exit status. */
static int parse_args(struct cli *cli, int argc, char **argv)
{
	int i, no_more_options = 0;
	size_t k;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct opt_def *def = NULL;
		const char *val = NULL;
		int rc;

		if (no_more_options || arg[0] != '-' || arg[1] == '\0') {
			if (!cli->host) {
				cli->host = arg;
				continue;
			}
			cli->words = (const char *const *)(argv + i);
			cli->nwords = (size_t)(argc - i);
			break;
		}
		if (strcmp(arg, "--") == 0) {
			no_more_options = 1;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);

			for (k = 0; k < sizeof opt_defs / sizeof opt_defs[0]; k++)
				if (strlen(opt_defs[k].name) == nlen &&
				    strncmp(opt_defs[k].name, name, nlen) == 0)
					def = &opt_defs[k];
			if (!def)
				return usage_error("unknown option '%s'", arg);
			if (eq && !def->has_arg)
				return usage_error("option '%s' takes no value", arg);
			if (eq)
				val = eq + 1;
		} else {
			for (k = 0; k < sizeof opt_defs / sizeof opt_defs[0]; k++)
				if (opt_defs[k].short_name && opt_defs[k].short_name == arg[1])
					def = &opt_defs[k];
			if (!def)
				return usage_error("unknown option '%s'", arg);
			if (arg[2] != '\0') {
				if (!def->has_arg)
					return usage_error("option '%s' takes no value", arg);
				val = arg + 2;
			}
		}
		if (def->has_arg && !val) {
			if (i + 1 >= argc)
				return usage_error("option '%s' needs a value", arg);
			val = argv[++i];
		}
		rc = apply_option(cli, def->id, arg, val);
		if (rc >= 0)
			return rc;
	}

	if (!cli->host)
		return usage_error(cli->show_fingerprint ? "missing HOST"
		                                         : "missing HOST and COMMAND");
	if (cli->show_fingerprint) {
		if (cli->nwords)
			return usage_error("--show-fingerprint takes no COMMAND");
		if (cli->fingerprint || cli->tls_given || cli->ca_file)
			return usage_error(
			        "--show-fingerprint cannot be combined with --fingerprint, "
			        "--tls or --ca");
		cli->fingerprint = learning_pin();
		if (!cli->fingerprint) {
			fputs("rosapi: out of memory\n", stderr);
			return EXIT_LOCAL;
		}
		cli->words = NULL;
	} else if (!cli->nwords)
		return usage_error("missing COMMAND, e.g. /system/resource/print");
	if (cli->nwords && cli->words[0][0] != '/')
		return usage_error("COMMAND must start with '/' (e.g. /interface/print), not '%s'",
		                   cli->words[0]);
	for (k = 1; k < cli->nwords; k++)
		if (cli->words[k][0] == '\0')
			return usage_error("an empty WORD would end the sentence early");
	if (cli->nwords) {
		int rc = split_commands(cli);
		if (rc >= 0)
			return rc;
	}

	if (cli->host[0] == '[') {
		size_t hl = strlen(cli->host);

		if (hl < 3 || cli->host[hl - 1] != ']')
			return usage_error("invalid HOST '%s' (use [ADDRESS] or ADDRESS for IPv6)",
			                   cli->host);
		cli->host_copy = strndup(cli->host + 1, hl - 2);
		if (!cli->host_copy) {
			fputs("rosapi: out of memory\n", stderr);
			return EXIT_LOCAL;
		}
		cli->host = cli->host_copy;
	}
	if (!cli->host[0])
		return usage_error("empty HOST");

	/* Implied and conflicting TLS modes. */
	if (cli->fingerprint && is_placeholder_pin(cli->fingerprint)) {
		/* The README's way to learn a fingerprint: a pin that cannot
		 * match, so the mismatch message names what the router presents. */
		free(cli->fingerprint);
		cli->fingerprint = learning_pin();
		if (!cli->fingerprint) {
			fputs("rosapi: out of memory\n", stderr);
			return EXIT_LOCAL;
		}
	}
	if (cli->fingerprint) {
		if (cli->tls_given)
			return usage_error("--fingerprint cannot be combined with --tls");
		if (cli->ca_file)
			return usage_error("--fingerprint cannot be combined with --ca");
		cli->tls = ROS_TLS_FINGERPRINT;
	} else if (cli->ca_file) {
		if (cli->tls_given && cli->tls != ROS_TLS_VERIFY)
			return usage_error("--ca needs --tls verify, not anonymous");
		cli->tls = ROS_TLS_VERIFY;
	}
	/* Checked here so a typo is not reported as a TLS failure, and before
	 * the password prompt. */
	if (cli->ca_file && access(cli->ca_file, R_OK) != 0)
		return usage_error("cannot read --ca file '%s': %s", cli->ca_file, strerror(errno));
	return -1;
}

/* Writes s to f escaped for a terminal ("\xhh"). Unlike the reply's words
 * it keeps backslashes, for library messages that are already escaped. */
static void put_sanitised(FILE *f, const char *s)
{
	struct text_buf b = TEXT_BUF_INIT;

	if (text_escape_terminal(&b, s, strlen(s), TEXT_KEEP_BACKSLASH) == 0)
		fputs(text_buf_str(&b), f);
	else
		fputs("?", f); /* out of memory: a mark, never the raw bytes */
	text_buf_free(&b);
}

/* "rosapi: HOST:PORT: ", with brackets around an IPv6 address. */
static void put_endpoint(FILE *f, const struct cli *cli, unsigned port)
{
	fputs("rosapi: ", f);
	if (strchr(cli->host, ':')) {
		fputc('[', f);
		put_sanitised(f, cli->host);
		fputc(']', f);
	} else {
		put_sanitised(f, cli->host);
	}
	fprintf(f, ":%u: ", port);
}

static int exit_code_for(int status)
{
	switch (status) {
	case ROS_ERR_RESOLVE: return EXIT_RESOLVE;
	case ROS_ERR_REFUSED: return EXIT_REFUSED;
	case ROS_ERR_TIMEOUT: return EXIT_TIMEOUT;
	case ROS_ERR_TLS:
	case ROS_ERR_PORT_TLS:
	case ROS_ERR_PORT_PLAIN: return EXIT_TLS;
	case ROS_ERR_TLS_VERIFY: return EXIT_TLS_VERIFY;
	case ROS_ERR_TLS_FINGERPRINT: return EXIT_FINGERPRINT;
	case ROS_ERR_AUTH: return EXIT_AUTH;
	case ROS_ERR_POLICY: return EXIT_POLICY;
	case ROS_ERR_PROTOCOL:
	case ROS_ERR_TOO_BIG:
	case ROS_ERR_REPLY_TOO_LARGE: return EXIT_PROTOCOL;
	case ROS_ERR_IO:
	case ROS_ERR_CLOSED: return EXIT_IO;
	case ROS_ERR_TRAP:
	case ROS_ERR_FATAL: return EXIT_ROUTER;
	default: return EXIT_LOCAL; /* NOMEM, and ARG/STATE would be our bug */
	}
}

/* Reports a failed connect or command in one line on stderr and returns
 * the exit status for it. */
static int report_failure(const struct cli *cli, unsigned port, ros_conn *c, int status)
{
	const char *detail = ros_errstr(c);
	const char *fp = ros_peer_fingerprint(c);
	char ep[300];

	if (!detail || !*detail)
		detail = ros_status_name(status);
	/* The library's messages may start with the same "host:port: ". */
	if (strchr(cli->host, ':'))
		snprintf(ep, sizeof ep, "[%s]:%u: ", cli->host, port);
	else
		snprintf(ep, sizeof ep, "%s:%u: ", cli->host, port);
	if (strncmp(detail, ep, strlen(ep)) == 0)
		detail += strlen(ep);
	put_endpoint(stderr, cli, port);
	put_sanitised(stderr, detail);
	/* Hints, unless the library's message already gives them. */
	switch (status) {
	case ROS_ERR_TLS_FINGERPRINT:
	case ROS_ERR_TLS_VERIFY:
		if (fp && !strstr(detail, fp)) {
			fputs("; the router presented ", stderr);
			put_sanitised(stderr, fp);
		}
		if (fp && status == ROS_ERR_TLS_VERIFY)
			fputs(" (check it against /certificate print on the router before pinning "
			      "it with --fingerprint)",
			      stderr);
		break;
	case ROS_ERR_TLS:
		if (cli->tls != ROS_TLS_ANONYMOUS && strstr(detail, "handshake") &&
		    !strstr(detail, "anonymous"))
			fputs("; if api-ssl has no certificate, the router offers only anonymous "
			      "ciphers: try --tls anonymous",
			      stderr);
		break;
	case ROS_ERR_POLICY:
		if (!strstr(detail, "(/user group"))
			fputs("; add it: /user group set GROUP policy=...,api", stderr);
		break;
	default: break;
	}
	fputc('\n', stderr);
	return exit_code_for(status);
}

/* Reads the password from the terminal with echo off. Returns 0, or an
 * exit status (the message already printed). The terminal mode is restored
 * on every path, including a signal. */
static int prompt_password(const char *user, const char *host, char *pw, size_t size)
{
	struct termios saved, quiet;
	size_t len = 0;
	int fd, rc = 0, too_long = 0, newline = 0;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr,
		        "rosapi: cannot open /dev/tty for the password prompt: %s "
		        "(set ROS_PASSWORD)\n",
		        strerror(errno));
		return EXIT_LOCAL;
	}
	if (tcgetattr(fd, &saved) < 0) {
		fprintf(stderr, "rosapi: /dev/tty: %s\n", strerror(errno));
		close(fd);
		return EXIT_LOCAL;
	}
	{
		/* The prompt names user and host; a hostile name must not reach
		 * the terminal raw, so it is escaped like everything else. */
		FILE *tty = fdopen(dup(fd), "w");

		if (tty) {
			fputs("Password for ", tty);
			put_sanitised(tty, user);
			fputc('@', tty);
			put_sanitised(tty, host);
			fputs(": ", tty);
			fclose(tty);
		}
	}
	quiet = saved;
	quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		fprintf(stderr, "rosapi: /dev/tty: %s\n", strerror(errno));
		close(fd);
		return EXIT_LOCAL;
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
		                      {.fd = signal_pipe[0], .events = POLLIN}};
		char ch;
		ssize_t r;

		if (got_signal) {
			rc = EXIT_SIGNAL + got_signal;
			newline = 1;
			break;
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = EXIT_LOCAL;
			break;
		}
		if (got_signal)
			continue;
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(fd, &ch, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0 || ch == '\n' || ch == '\r') {
			newline = r <= 0; /* EOF: no newline was typed and echoed */
			break;
		}
		if (len + 1 < size)
			pw[len++] = ch;
		else
			too_long = 1;
	}
	pw[len] = '\0';
	tcsetattr(fd, TCSAFLUSH, &saved);
	if (newline) {
		/* ECHONL echoed no newline: end the prompt line. */
		ssize_t r = write(fd, "\n", 1);
		(void)r;
	}
	close(fd);
	if (rc == EXIT_LOCAL)
		fprintf(stderr, "rosapi: reading the password failed: %s\n", strerror(errno));
	if (rc == 0 && too_long) {
		fprintf(stderr, "rosapi: the password is longer than %zu bytes\n", size - 1);
		rc = EXIT_LOCAL;
	}
	return rc;
}

/* Prints reply sentences as they arrive, so streaming commands (such as
 * /interface/monitor-traffic without =once=) show output before their
 * never-coming !done. */
struct printer {
	int json;
	int stream;     /* free sentences once printed (a command that never ends) */
	size_t printed; /* sentences of the current reply already printed */
	int opened;     /* JSON: the array's "[" is out */
	int failed;     /* stdout failed: stop */
};

/* Prints the sentences of r that are not printed yet. */
static void printer_catch_up(struct printer *pr, const ros_reply *r);

/* Prints what arrived of the pending reply; a stream's printed sentences
 * are freed at once, so an endless stream runs in bounded memory. */
static void printer_pending(struct printer *pr, ros_conn *c)
{
	printer_catch_up(pr, ros_pending_reply(c));
	if (pr->stream && !pr->failed) {
		ros_pending_discard(c);
		pr->printed = 0;
	}
}

/* Writes what out holds to stdout at once and frees it; rc < 0 says that
 * formatting ran out of memory (nothing is written then). A failure stops
 * the printer. */
static void printer_write(struct printer *pr, struct text_buf *out, int rc)
{
	if (rc < 0 || out->failed) {
		fputs("rosapi: out of memory formatting the reply\n", stderr);
		pr->failed = 1;
	} else if (out->len &&
	           (fwrite(out->data, 1, out->len, stdout) != out->len || fflush(stdout) != 0)) {
		if (errno != EPIPE) /* a reader that left (| head) needs no message */
			fprintf(stderr, "rosapi: writing the reply: %s\n", strerror(errno));
		pr->failed = 1;
	}
	text_buf_free(out);
}

static void printer_catch_up(struct printer *pr, const ros_reply *r)
{
	struct text_buf out = TEXT_BUF_INIT;
	size_t n = r ? ros_reply_count(r) : 0;
	int rc = 0;

	if (pr->failed || n <= pr->printed)
		return;
	for (; pr->printed < n && rc == 0; pr->printed++) {
		const ros_sentence *s = ros_reply_sentence(r, pr->printed);

		if (pr->json) {
			rc = text_buf_append(&out, pr->opened ? ",\n  " : "[\n  ", 4);
			if (rc == 0)
				rc = json_out_sentence(&out, s);
			pr->opened = 1;
		} else {
			rc = json_out_text_sentence(&out, s);
		}
	}
	printer_write(pr, &out, rc);
}

/* Ends the output: closes the JSON array, so that even a command cut short
 * by an error or Ctrl-C leaves valid JSON. */
static void printer_finish(struct printer *pr)
{
	if (pr->failed || !pr->json || !pr->opened)
		return;
	if (fputs("\n]\n", stdout) == EOF || fflush(stdout) != 0) {
		if (errno != EPIPE)
			fprintf(stderr, "rosapi: writing the reply: %s\n", strerror(errno));
		pr->failed = 1;
	}
}

/* Values of drive() beyond the ros_status range. */
enum {
	DRIVE_SIGNAL = 1000,
	DRIVE_POLL_FAILED,
	DRIVE_OUTPUT_FAILED,
	DRIVE_GAVE_UP,
	DRIVE_LIMIT /* a command's reply went beyond --max-reply/--max-sentences */
};

/* What drive_until does after each step that left the operation running:
 * fn prints what arrived and returns 0 to go on, or a DRIVE_* value to
 * stop. */
struct step_hook {
	int (*fn)(void *arg, ros_conn *c);
	void *arg;
};

/* The hook of one command: prints its pending reply. */
static int printer_hook(void *arg, ros_conn *c)
{
	struct printer *pr = arg;

	printer_pending(pr, c);
	return pr->failed ? DRIVE_OUTPUT_FAILED : 0;
}

/* How long a cancelled command may take to confirm its interruption. */
#define CANCEL_WAIT_MS 2000

/* Runs the pending non-blocking operation of c to its end: polls the
 * socket as ros_events asks, until ros_deadline (and until stop_at when it
 * is >= 0: then DRIVE_GAVE_UP), and wakes up for a signal beyond the
 * first seen (0: any signal). With a hook, prints the sentences as they
 * arrive. Returns the final status of ros_step, or DRIVE_*. */
static int drive_until(ros_conn *c, int status, const struct step_hook *hook, int64_t stop_at,
                       sig_atomic_t seen)
{
	while (status == ROS_AGAIN) {
		struct pollfd p[2] = {{.fd = signal_pipe[0], .events = POLLIN}};
		nfds_t n = 1;
		int fd = ros_fd(c), ev = ros_events(c), wait;
		int64_t now, deadline;

		if (signal_count != seen)
			return DRIVE_SIGNAL;
		if (fd >= 0 && ev) {
			p[1].fd = fd;
			p[1].events = (short)(((ev & ROS_WANT_READ) ? POLLIN : 0) |
			                      ((ev & ROS_WANT_WRITE) ? POLLOUT : 0));
			n = 2;
		}
		now = ros_now_ms();
		deadline = ros_deadline(c);
		if (n == 1 || ros_input_pending(c))
			wait = 0; /* the library wants a step, or holds unread input */
		else if (deadline < 0)
			wait = -1;
		else if (deadline <= now)
			wait = 0;
		else if (deadline - now > INT_MAX)
			wait = INT_MAX;
		else
			wait = (int)(deadline - now);
		if (stop_at >= 0 && now >= stop_at)
			return DRIVE_GAVE_UP;
		if (stop_at >= 0 && (wait < 0 || stop_at - now < wait))
			wait = (int)(stop_at - now);
		if (poll(p, n, wait) < 0 && errno != EINTR)
			return DRIVE_POLL_FAILED;
		if (signal_count != seen)
			return DRIVE_SIGNAL;
		status = ros_step(c, ros_now_ms());
		if (status == ROS_AGAIN && hook) {
			int stop = hook->fn(hook->arg, c);
			if (stop)
				return stop;
		}
	}
	return status;
}

static int drive(ros_conn *c, int status, const struct step_hook *hook)
{
	return drive_until(c, status, hook, -1, 0);
}

/* Empties the signal pipe, so that poll() waits for a new signal. */
static void drain_signal_pipe(void)
{
	char buf[64];
	while (read(signal_pipe[0], buf, sizeof buf) > 0)
		continue;
}

/* A signal interrupted the command: asks the router to interrupt it
 * (/cancel) and waits at most CANCEL_WAIT_MS for that, printing the rows
 * that still arrive. The interruption is not an error: nothing is
 * reported; a router that does not confirm is left (the session ends
 * anyway). Another signal stops the wait. */
static void cancel_command(ros_conn *c, const struct step_hook *hook)
{
	drain_signal_pipe();
	if (ros_cancel_pending(c, ros_now_ms()) != ROS_OK)
		return;
	drive_until(c, ROS_AGAIN, hook, ros_now_ms() + CANCEL_WAIT_MS, signal_count);
}

static int setup_signals(void)
{
	struct sigaction sa;
	int i;

	if (pipe(signal_pipe) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		int fl = fcntl(signal_pipe[i], F_GETFL);

		if (fl < 0 || fcntl(signal_pipe[i], F_SETFL, fl | O_NONBLOCK) < 0 ||
		    fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC) < 0)
			return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: blocking calls return EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	/* A router or a reader of stdout that goes away must give an error,
	 * not kill the process before it can report it. */
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* The router's message of a trap answer, escaped, on one stderr line:
 * "rosapi: router error: MESSAGE", "rosapi: [N] router error: ..." for
 * command N of several (num > 0). Without a trap sentence (NULL), the
 * connection's error detail. */
static void report_trap(ros_conn *c, const ros_sentence *trap, unsigned num)
{
	const char *msg = NULL;
	size_t len = 0;
	struct text_buf b = TEXT_BUF_INIT;

	if (trap)
		msg = ros_sentence_get(trap, "message", &len);
	fputs("rosapi: ", stderr);
	if (num)
		fprintf(stderr, "[%u] ", num);
	fputs("router error: ", stderr);
	if (msg && text_escape_terminal(&b, msg, len, 0) == 0 && b.data)
		fputs(b.data, stderr);
	else
		put_sanitised(stderr, ros_errstr(c));
	fputc('\n', stderr);
	text_buf_free(&b);
}

static unsigned effective_port(const struct cli *cli)
{
	if (cli->port)
		return cli->port;
	return cli->tls == ROS_TLS_OFF ? 8728u : 8729u;
}

/* Creates the connection handle, which keeps its own copy of the password.
 * Returns NULL with *rc set to an exit status on error. */
static ros_conn *open_handle(const struct cli *cli, const char *password, int *rc)
{
	struct ros_options opt = {0};
	int status = ROS_OK;
	ros_conn *c;

	opt.host = cli->host;
	opt.port = (uint16_t)effective_port(cli);
	opt.tls = cli->tls;
	opt.ca_file = cli->ca_file;
	opt.fingerprint = cli->fingerprint;
	opt.user = cli->user;
	opt.password = password;
	opt.timeout_ms = cli->timeout_ms;
	c = ros_conn_new(&opt, &status);
	if (c) {
		ros_set_reply_limits(c, cli->max_sentences, cli->max_reply);
		return c;
	}
	if (status == ROS_ERR_ARG && cli->fingerprint)
		*rc = usage_error("invalid fingerprint '%s' (want sha256: and 64 hex digits; "
		                  "rosapi --show-fingerprint HOST shows the router's)",
		                  cli->fingerprint_arg);
	else if (status == ROS_ERR_ARG)
		*rc = usage_error("invalid connection options");
	else {
		fprintf(stderr, "rosapi: %s\n", ros_status_name(status));
		*rc = EXIT_LOCAL;
	}
	return NULL;
}

/* The last path segment of a command: "monitor-traffic" of
 * "/interface/monitor-traffic". */
static const char *command_verb(const char *cmd)
{
	const char *slash = strrchr(cmd, '/');
	return slash ? slash + 1 : cmd;
}

/* True for a word "=NAME=..." (any value) or "=NAME" . */
static int has_attr(const struct command_words *cw, const char *name)
{
	size_t nl = strlen(name);
	for (size_t k = 1; k < cw->nwords; k++) {
		const char *w = cw->words[k];
		if (w[0] == '=' && strncmp(w + 1, name, nl) == 0 &&
		    (w[1 + nl] == '=' || w[1 + nl] == '\0'))
			return 1;
	}
	return 0;
}

/* Whether COMMAND streams until cancelled, so that it gets no overall
 * deadline and its printed rows are freed: /listen, =follow=, =interval=,
 * and the monitors and tools that run until stopped unless told =once=,
 * =count= or =duration=. A guess from the words; --deadline overrides. */
static int is_streaming(const struct command_words *cw)
{
	static const char *const endless[] = {
	        "monitor-traffic", "monitor",        "torch",        "ping",
	        "traceroute",      "bandwidth-test", "sniffer-quick"};
	const char *verb = command_verb(cw->words[0]);
	if (strcmp(verb, "listen") == 0 || has_attr(cw, "follow") || has_attr(cw, "follow-only") ||
	    has_attr(cw, "interval"))
		return 1;
	for (size_t k = 0; k < sizeof endless / sizeof endless[0]; k++)
		if (strcmp(verb, endless[k]) == 0)
			return !has_attr(cw, "once") && !has_attr(cw, "count") &&
			       !has_attr(cw, "duration");
	return 0;
}

/* Applies the command's deadline of the command line to c. */
static void apply_deadline(const struct cli *cli, ros_conn *c, int streaming)
{
	int deadline = cli->deadline_ms;
	if (deadline < 0) /* not given: none for a stream, else the library's */
		deadline = streaming ? -1 : 0;
	else if (deadline == 0)
		deadline = -1;
	ros_set_command_deadline(c, deadline);
}

/* The warning of --tls anonymous, before connecting. */
static void warn_anonymous(const struct cli *cli)
{
	if (cli->tls != ROS_TLS_ANONYMOUS)
		return;
	put_endpoint(stderr, cli, effective_port(cli));
	fputs("warning: --tls anonymous encrypts but does not authenticate the router; "
	      "anyone on the path can impersonate it\n",
	      stderr);
}

/* Connects, logs in, runs the command and prints its reply. */
static int run(const struct cli *cli, ros_conn *c)
{
	int streaming = is_streaming(&cli->cmds[0]);
	struct printer pr = {.json = cli->json, .stream = streaming};
	struct step_hook hook = {printer_hook, &pr};
	unsigned port = effective_port(cli);
	ros_reply *reply;
	int status, rc = EXIT_OK;

	warn_anonymous(cli);
	status = drive(c, ros_start_connect(c, ros_now_ms()), NULL);
	apply_deadline(cli, c, streaming); /* connect keeps the library's deadline */
	if (status == ROS_OK)
		status = drive(c, ros_start_command(c, cli->words, cli->nwords, ros_now_ms()),
		               &hook);
	if (status == DRIVE_SIGNAL && ros_open_commands(c) > 0)
		cancel_command(c, &hook);

	/* The complete reply (also one ended by !fatal) holds the sentences
	 * already printed from the pending one, then the rest. */
	reply = ros_take_reply(c);
	printer_catch_up(&pr, reply);
	printer_finish(&pr);

	if (status == DRIVE_SIGNAL) {
		rc = EXIT_SIGNAL + got_signal;
	} else if (status == DRIVE_POLL_FAILED) {
		fprintf(stderr, "rosapi: poll: %s\n", strerror(errno));
		rc = EXIT_LOCAL;
	} else if (status == ROS_ERR_TRAP) {
		report_trap(c, reply ? ros_reply_trap(reply) : NULL, 0);
		rc = EXIT_ROUTER;
	} else if (status != ROS_OK && status != DRIVE_OUTPUT_FAILED) {
		rc = report_failure(cli, port, c, status);
	} else if (status == ROS_OK && !reply) {
		fputs("rosapi: the command completed without a reply\n", stderr);
		rc = EXIT_PROTOCOL;
	}
	if (pr.failed && (rc == EXIT_OK || rc == EXIT_ROUTER))
		rc = EXIT_LOCAL;
	ros_reply_free(reply);
	return rc;
}

/* ---- several commands at once: tagged commands on the one session ----
 *
 * Each command of the command line runs as a tagged command (the library
 * tags them and routes the replies); its sentences are printed as they
 * arrive, marked with its number: "[N] " before each plain line, a
 * "command":N member in JSON. */

/* One command of a run of several. */
struct job {
	const struct command_words *cw;
	unsigned num;     /* its number on the command line, from 1 */
	int streaming;    /* is_streaming: no limits on the total, no default deadline */
	ros_cmd *cmd;     /* owned by the connection (freed by ros_conn_free) */
	int status;       /* ROS_AGAIN while open (or not started), then how it ended */
	size_t sentences; /* received so far, for the reply limits */
	size_t bytes;
};

struct several {
	const struct cli *cli;
	struct job jobs[MAX_COMMANDS];
	size_t njobs;
	struct printer pr;    /* json, opened, failed: the output of all jobs */
	size_t max_sentences; /* the reply limits of one command, SIZE_MAX none */
	size_t max_bytes;
};

/* The overall deadline of a job, as ros_cmd_options.deadline_ms (0 =
 * none): --deadline, else none for a stream and the library's default
 * for a command that ends (4 x timeout, at least 30 s). */
static int job_deadline_ms(const struct cli *cli, int streaming)
{
	long long d;

	if (cli->deadline_ms >= 0)
		return cli->deadline_ms;
	if (streaming)
		return 0;
	d = 4LL * cli->timeout_ms;
	if (d < ROS_MIN_COMMAND_DEADLINE_MS)
		d = ROS_MIN_COMMAND_DEADLINE_MS;
	return d > INT_MAX ? INT_MAX : (int)d;
}

/* The size a sentence counts against --max-reply: its words' bytes. */
static size_t sentence_bytes(const ros_sentence *s)
{
	size_t n = ros_sentence_word_count(s), total = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = ros_sentence_word(s, i).len;
		total = len > SIZE_MAX - total ? SIZE_MAX : total + len;
	}
	return total;
}

/* Counts s against job's reply limits. A stream's total is not bounded
 * (what is printed is freed, as with one command); a command that ends
 * is. Returns 0, or DRIVE_LIMIT after reporting the limit. */
static int job_count(struct several *sv, struct job *job, const ros_sentence *s)
{
	size_t b = sentence_bytes(s);
	const char *what = NULL;
	size_t limit = 0;

	if (job->streaming)
		return 0;
	if (job->sentences >= sv->max_sentences) {
		what = "sentences";
		limit = sv->max_sentences;
	} else if (b > sv->max_bytes || job->bytes > sv->max_bytes - b) {
		what = "bytes";
		limit = sv->max_bytes;
	}
	if (!what) {
		job->sentences++;
		job->bytes += b; /* <= max_bytes: checked above */
		return 0;
	}
	put_endpoint(stderr, sv->cli, effective_port(sv->cli));
	fprintf(stderr, "[%u] reply too large: more than %zu %s\n", job->num, limit, what);
	job->status = ROS_ERR_REPLY_TOO_LARGE;
	return DRIVE_LIMIT;
}

/* Appends s to out as job num's: a JSON array element, or plain lines
 * each prefixed "[N] ". */
static int format_numbered(struct printer *pr, struct text_buf *out, const ros_sentence *s,
                           unsigned num)
{
	struct text_buf one = TEXT_BUF_INIT;
	char prefix[16];
	const char *p, *nl;
	int rc;

	if (pr->json) {
		text_buf_puts(out, pr->opened ? ",\n  " : "[\n  ");
		pr->opened = 1;
		return json_out_command_sentence(out, s, num);
	}
	rc = json_out_text_sentence(&one, s);
	snprintf(prefix, sizeof prefix, "[%u] ", num);
	for (p = text_buf_str(&one); rc == 0 && *p; p = nl + 1) {
		nl = strchr(p, '\n'); /* every line ends with one; the text has no other */
		if (!nl)
			break;
		text_buf_puts(out, prefix);
		rc = text_buf_append(out, p, (size_t)(nl - p + 1));
	}
	text_buf_free(&one);
	return rc;
}

/* Takes every sentence queued for job into out (its trap also reported
 * on stderr); once none is left, records how an ended job ended. Returns
 * 0, or a DRIVE_* value to stop. */
static int job_collect(struct several *sv, struct job *job, ros_conn *c, struct text_buf *out)
{
	ros_sentence *s;
	int stop = 0;

	while (!stop && (s = ros_cmd_take(job->cmd)) != NULL) {
		/* A sentence beyond the limits is not printed, as with one
		 * command, where the library drops it. */
		stop = job_count(sv, job, s);
		if (!stop && format_numbered(&sv->pr, out, s, job->num) < 0)
			stop = DRIVE_OUTPUT_FAILED;
		if (!stop && ros_sentence_type(s) == ROS_REPLY_TRAP)
			report_trap(c, s, job->num);
		ros_sentence_free(s);
	}
	if (!stop && job->status == ROS_AGAIN)
		job->status = ros_cmd_status(job->cmd);
	return stop;
}

/* Prints what arrived for every open job, in one write. Returns 0, or a
 * DRIVE_* value to stop. */
static int several_collect(void *arg, ros_conn *c)
{
	struct several *sv = arg;
	struct text_buf out = TEXT_BUF_INIT;
	int stop = 0;

	if (sv->pr.failed)
		return DRIVE_OUTPUT_FAILED;
	for (size_t i = 0; i < sv->njobs && !stop; i++)
		if (sv->jobs[i].cmd && sv->jobs[i].status == ROS_AGAIN)
			stop = job_collect(sv, &sv->jobs[i], c, &out);
	printer_write(&sv->pr, &out, stop == DRIVE_OUTPUT_FAILED ? -1 : 0);
	return sv->pr.failed ? DRIVE_OUTPUT_FAILED : stop;
}

/* Starts every job as a tagged command. Returns ROS_AGAIN, or the status
 * of the start that failed. */
static int start_jobs(struct several *sv, ros_conn *c)
{
	for (size_t i = 0; i < sv->njobs; i++) {
		struct job *job = &sv->jobs[i];
		struct ros_cmd_options opt = {.deadline_ms =
		                                      job_deadline_ms(sv->cli, job->streaming)};
		int st = ros_cmd_start(c, job->cw->words, job->cw->nwords, &opt, ros_now_ms(),
		                       &job->cmd);
		if (st != ROS_AGAIN)
			return st;
	}
	return ROS_AGAIN;
}

/* A signal interrupted the run: asks the router to interrupt every open
 * job (/cancel =tag=) and waits at most CANCEL_WAIT_MS for that, printing
 * what still arrives (each cancelled job's !done). As for one command,
 * the interruptions are not errors and another signal stops the wait. */
static void cancel_jobs(struct several *sv, ros_conn *c, const struct step_hook *hook)
{
	drain_signal_pipe();
	for (size_t i = 0; i < sv->njobs; i++)
		if (sv->jobs[i].cmd && sv->jobs[i].status == ROS_AGAIN)
			ros_cancel(c, sv->jobs[i].cmd, ros_now_ms());
	drive_until(c, ROS_AGAIN, hook, ros_now_ms() + CANCEL_WAIT_MS, signal_count);
	several_collect(sv, c); /* the hook saw no step that ended the wait */
}

/* The exit status of the first job, in command-line order, that failed,
 * else EXIT_OK. Cancelled and unfinished jobs did not fail. */
static int first_failure(const struct several *sv)
{
	for (size_t i = 0; i < sv->njobs; i++) {
		int st = sv->jobs[i].status;
		if (st != ROS_AGAIN && st != ROS_OK && st != ROS_CANCELLED)
			return exit_code_for(st);
	}
	return EXIT_OK;
}

/* The run ended with status (of drive, no signal): prints what is left,
 * reports a connection failure once (every open job ended with it) and
 * returns the exit status. */
static int several_outcome(struct several *sv, ros_conn *c, int status)
{
	if (status == DRIVE_POLL_FAILED) {
		fprintf(stderr, "rosapi: poll: %s\n", strerror(errno));
		return EXIT_LOCAL;
	}
	if (status == ROS_OK || status < 0)
		several_collect(sv, c); /* what a failed connection had queued, too */
	if (status < 0) {
		report_failure(sv->cli, effective_port(sv->cli), c, status);
		for (size_t i = 0; i < sv->njobs; i++)
			if (sv->jobs[i].status == ROS_AGAIN)
				sv->jobs[i].status = status;
	}
	return first_failure(sv);
}

/* Connects, logs in, runs every command of the command line at once and
 * prints their replies as they arrive; ends when all ended, or at a
 * signal (then cancels them all). */
static int run_several(const struct cli *cli, ros_conn *c)
{
	struct several sv = {.cli = cli, .njobs = cli->ncmds, .pr = {.json = cli->json}};
	struct step_hook hook = {several_collect, &sv};
	int status, rc;

	sv.max_sentences =
	        cli->max_sentences ? cli->max_sentences : ROS_DEFAULT_MAX_REPLY_SENTENCES;
	sv.max_bytes = cli->max_reply ? cli->max_reply : ROS_DEFAULT_MAX_REPLY_BYTES;
	for (size_t i = 0; i < sv.njobs; i++) {
		sv.jobs[i].cw = &cli->cmds[i];
		sv.jobs[i].num = (unsigned)i + 1;
		sv.jobs[i].streaming = is_streaming(&cli->cmds[i]);
		sv.jobs[i].status = ROS_AGAIN;
	}
	/* The library's limits bound a command's queue, i.e. what one step
	 * read (every step's sentences are taken): the defaults guard memory,
	 * and the command line's limits are counted here, on the total. */
	ros_set_reply_limits(c, 0, 0);
	warn_anonymous(cli);
	status = drive(c, ros_start_connect(c, ros_now_ms()), NULL);
	if (status == ROS_OK)
		status = start_jobs(&sv, c);
	if (status == ROS_AGAIN)
		status = drive(c, ROS_AGAIN, &hook);
	if (status == DRIVE_SIGNAL) {
		rc = first_failure(&sv); /* a failure before the signal wins */
		cancel_jobs(&sv, c, &hook);
		if (rc == EXIT_OK)
			rc = EXIT_SIGNAL + got_signal;
	} else {
		rc = several_outcome(&sv, c, status);
	}
	printer_finish(&sv.pr);
	if (sv.pr.failed && (rc == EXIT_OK || rc == EXIT_ROUTER))
		rc = EXIT_LOCAL;
	return rc;
}

/* --show-fingerprint: connects with a pin nothing matches, so the
 * handshake ends before the login, and prints what the router presented.
 * 0 when it presented a certificate, else the failure's exit status. */
static int show_fingerprint(const struct cli *cli, ros_conn *c)
{
	int status = ros_connect(c);
	const char *fp = ros_peer_fingerprint(c);
	if (status != ROS_ERR_TLS_FINGERPRINT || !fp)
		return report_failure(cli, effective_port(cli), c,
		                      status == ROS_OK ? ROS_ERR_PROTOCOL : status);
	printf("%s\n", fp);
	if (ros_peer_certificate(c)) {
		put_sanitised(stdout, ros_peer_certificate(c));
		fputc('\n', stdout);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_LOCAL;
}

int main(int argc, char **argv)
{
	struct cli cli = {.user = "admin", .timeout_ms = 10000, .deadline_ms = -1};
	char pw[PASSWORD_MAX + 1];
	const char *password;
	ros_conn *c;
	int rc;

	rc = parse_args(&cli, argc, argv);
	if (rc >= 0)
		goto out;
	if (setup_signals() < 0) {
		fprintf(stderr, "rosapi: cannot set up signal handling: %s\n", strerror(errno));
		rc = EXIT_LOCAL;
		goto out;
	}

	pw[0] = '\0';
	/* --show-fingerprint never logs in: the handshake stops at the pin. */
	password = cli.show_fingerprint ? "" : getenv("ROS_PASSWORD");
	if (!password && isatty(STDIN_FILENO)) {
		rc = prompt_password(cli.user, cli.host, pw, sizeof pw);
		if (rc != 0) {
			explicit_bzero(pw, sizeof pw);
			goto out;
		}
	}
	if (!password)
		password = pw;

	c = open_handle(&cli, password, &rc);
	explicit_bzero(pw, sizeof pw);
	if (c && cli.show_fingerprint) {
		rc = show_fingerprint(&cli, c);
		ros_conn_free(c);
	} else if (c) {
		rc = cli.ncmds > 1 ? run_several(&cli, c) : run(&cli, c);
		/* Also on a signal: close cleanly (best-effort /quit). */
		ros_conn_free(c);
	}
out:
	free(cli.host_copy);
	free(cli.fingerprint);
	return rc;
}
