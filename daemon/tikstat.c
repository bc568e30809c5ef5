/*
 * tikstat — traffic reports from the tikstat database, in the spirit of
 * vnstat, and the import of the old PHP setup's database.
 *
 *   tikstat [-c FILE | --db FILE] [-r ROUTER] [-i IFACE]
 *           [-s | -5|-h|-d|-m|-y [N] | -t [N] | --cycle | --oneline [b]]
 *           [-b|--begin T] [-e|--end T] [--json|--csv]
 *   tikstat --top devices|queues [N] [-r ROUTER] [-d|-m] [--json|--csv]
 *   tikstat -l [-r ROUTER -i IFACE] [-c FILE]
 *   tikstat --bill [NAME] [-r ROUTER] [-i COUNTER] [-c FILE] [--json] [--now T]
 *   tikstat --remove -r ROUTER -i IFACE [--force]
 *   tikstat --compact [-c FILE | --db FILE]
 *   tikstat import-legacy FILE -r ROUTER -i IFACE [-c FILE | --db FILE] [--utc]
 *   tikstat copy-db SOURCE DEST   (dbcopy.h; stop tikstatd first)
 *           [--force]
 *
 * main() is the sequence: options, settings (configuration, zone,
 * database path), then the report or the import. Exit status: 0 success,
 * 1 error, 2 usage error; one line on stderr per error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "billing.h"
#include "cfg.h"
#include "dbcopy.h"
#include "ifnames.h"
#include "jsonw.h"
#include "legacy.h"
#include "live.h"
#include "report.h"
#include "store.h"

#ifndef TIKSTAT_VERSION
#define TIKSTAT_VERSION "0.1.0"
#endif
#define DEFAULT_CONFIG "/etc/tikstat/tikstat.conf"
#define STEP_LETTERS   "5hdmy"

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV };

/* What to show: the vnStat forms. */
enum mode {
	MODE_DEFAULT, /* nothing chosen: the summary, or months for --json/--csv/--begin/--end */
	MODE_SUMMARY, /* -s */
	MODE_SERIES,  /* -5 -h -d -m -y */
	MODE_CYCLE,   /* --cycle */
	MODE_TOP,     /* -t */
	MODE_RANK,    /* --top devices|queues */
	MODE_ONELINE, /* --oneline */
	MODE_LIVE,    /* -l: the live rate from tikstatd, not the database */
	MODE_BILL,    /* --bill [NAME] */
};

/* The largest count after -5/-h/-d/-m/-y/-t (a bound on the work only). */
#define MAX_COUNT 100000

struct options {
	const char *config; /* -c, or NULL: the default (unless --db) */
	const char *db;     /* --db */
	const char *router, *iface;
	enum mode mode;
	enum step step;
	int count;   /* after -5 -h -d -m -y -t: -1 none, 0 all */
	char letter; /* the last of -5 -h -d -m -y given, or 0 */
	bool rank;   /* --top devices|queues */
	enum store_kind rank_kind;
	enum report_rank_period rank_period; /* -d today, -m (default) this cycle */
	size_t rank_limit;                   /* --top devices N */
	bool oneline_bytes;                  /* --oneline b */
	bool short_form;                     /* -s */
	bool remove;                         /* --remove */
	bool compact;                        /* --compact */
	bool force;                          /* --force */
	const char *begin, *end, *now;
	enum format format;
	/* import-legacy */
	bool import;
	const char *legacy_file;
	bool text_utc;
	const char *bill; /* --bill NAME; NULL: every bill */
};

/* What the configuration (or its absence) decides. */
struct settings {
	struct cfg *cfg; /* NULL with --db and no -c */
	const char *database;
	int64_t now;
};

/* Prints "tikstat: msg" with control bytes escaped: a name from the
 * command line or the database never reaches the terminal raw. */
static void print_error(const char *msg)
{
	fputs("tikstat: ", stderr);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			fprintf(stderr, "\\x%02X", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

static void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void errorf(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	print_error(msg);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[768], line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "%s (see tikstat --help)", msg);
	print_error(line);
	return EXIT_USAGE;
}

static void usage(void)
{
	fputs("usage: tikstat [options]             traffic report (default: a summary)\n"
	      "       tikstat -l [-r ROUTER -i IFACE]     the live rate, from tikstatd\n"
	      "       tikstat --remove -r ROUTER -i IFACE [--force]\n"
	      "       tikstat --compact                  rewrite the database compactly\n"
	      "       tikstat import-legacy FILE -r ROUTER -i IFACE [options]\n"
	      "       tikstat copy-db SOURCE DEST        copy a whole database into an empty\n"
	      "                                          one (a file or postgresql:// URL)\n"
	      "\n"
	      "what:\n"
	      "  -r, --router ROUTER    only this router's interfaces\n"
	      "  -i, --interface IFACE  only this interface\n"
	      "  -s, --short            today and this billing cycle only\n"
	      "  -5, --fiveminutes [N]  the last N 5-minute buckets (default 72: 6 hours)\n"
	      "  -h, --hours [N]        the last N hours (default 48)\n"
	      "  -d, --days [N]         the last N days (default 30)\n"
	      "  -m, --months [N]       the last N months (default 12)\n"
	      "  -y, --years [N]        the last N years (default: all)\n"
	      "                         (N = 0: every bucket recorded)\n"
	      "  -t, --top [N]          the N days with the most traffic (default 10, 0: all)\n"
	      "  -t, --top devices|queues [N]\n"
	      "                         a router's devices or simple queues by their traffic\n"
	      "                         in this billing cycle (-d: today), the first N\n"
	      "                         (default and at most 1000)\n"
	      "      --cycle            the current billing cycle and its quota\n"
	      "      --bill [NAME]      the bill's cycle, quota and percentile ([bill NAME]);\n"
	      "                         without NAME every bill (-r/-i: those summing it)\n"
	      "  -l                     the rate every second from tikstatd (the address\n"
	      "                         of the configuration's [http] listen); Ctrl-C: a summary\n"
	      "  -b, --begin T          from the bucket containing T (date or ISO time)\n"
	      "  -e, --end T            to T (a date: that whole day)\n"
	      "      --now T            report as if it were T (windows, estimates)\n"
	      "how:\n"
	      "      --oneline [b]      one line per interface, fields separated by ';'\n"
	      "                         (b: bytes and bytes/s, without units)\n"
	      "      --json             JSON, as the HTTP API sends it (default: months)\n"
	      "      --csv              CSV: start,rx,tx (one interface)\n"
	      "history:\n"
	      "      --remove           delete the history of -r ROUTER -i IFACE\n"
	      "      --force            --remove without asking; import-legacy into a\n"
	      "                         router or interface the configuration lacks\n"
	      "      --compact          rewrite the database without its free space and let\n"
	      "                         it shrink after each prune from now on (safe while\n"
	      "                         tikstatd runs)\n"
	      "where:\n"
	      "  -c, --config FILE      configuration (default " DEFAULT_CONFIG ")\n"
	      "      --db FILE          read this database (no configuration unless -c)\n"
	      "import-legacy:\n"
	      "      --utc              text timestamps in FILE are UTC, not local time\n"
	      "\n"
	      "      --help             show this help and exit\n"
	      "      --version          show the version and exit\n",
	      stdout);
}

enum long_only {
	OPT_CYCLE = 256,
	OPT_BEGIN,
	OPT_END,
	OPT_NOW,
	OPT_JSON,
	OPT_CSV,
	OPT_DB,
	OPT_UTC,
	OPT_ONELINE,
	OPT_REMOVE,
	OPT_COMPACT,
	OPT_FORCE,
	OPT_HELP,
	OPT_VERSION,
	OPT_BILL,
};

static const struct option long_options[] = {
        {"config", required_argument, NULL, 'c'},    {"router", required_argument, NULL, 'r'},
        {"interface", required_argument, NULL, 'i'}, {"fiveminutes", no_argument, NULL, '5'},
        {"hours", no_argument, NULL, 'h'},           {"days", no_argument, NULL, 'd'},
        {"months", no_argument, NULL, 'm'},          {"years", no_argument, NULL, 'y'},
        {"short", no_argument, NULL, 's'},           {"top", no_argument, NULL, 't'},
        {"cycle", no_argument, NULL, OPT_CYCLE},     {"begin", required_argument, NULL, 'b'},
        {"end", required_argument, NULL, 'e'},       {"oneline", no_argument, NULL, OPT_ONELINE},
        {"remove", no_argument, NULL, OPT_REMOVE},   {"compact", no_argument, NULL, OPT_COMPACT},
        {"force", no_argument, NULL, OPT_FORCE},     {"now", required_argument, NULL, OPT_NOW},
        {"json", no_argument, NULL, OPT_JSON},       {"csv", no_argument, NULL, OPT_CSV},
        {"db", required_argument, NULL, OPT_DB},     {"utc", no_argument, NULL, OPT_UTC},
        {"help", no_argument, NULL, OPT_HELP},       {"version", no_argument, NULL, OPT_VERSION},
        {"bill", no_argument, NULL, OPT_BILL},       {NULL, 0, NULL, 0},
};

/* vnStat's optional values are separate words (-d 7, --oneline b), which
 * getopt cannot express: takes argv[optind] when it is all digits (the
 * count) and advances optind. Returns 1 taken, 0 none, -1 too large. */
static int take_count(int argc, char **argv, int *count)
{
	if (optind >= argc)
		return 0;
	const char *w = argv[optind];
	if (!*w || strspn(w, "0123456789") != strlen(w))
		return 0;
	if (strlen(w) > 6 || atoi(w) > MAX_COUNT)
		return -1;
	*count = atoi(w);
	optind++;
	return 1;
}

/* --top devices|queues: takes argv[optind] when it is one of those
 * words (and a count after it) and advances optind. Returns 1 taken, 0
 * none, -1 after a usage error (a bad count). */
static int take_rank(int argc, char **argv, struct options *o)
{
	if (optind >= argc)
		return 0;
	if (strcmp(argv[optind], "devices") == 0)
		o->rank_kind = STORE_DEVICE;
	else if (strcmp(argv[optind], "queues") == 0)
		o->rank_kind = STORE_QUEUE;
	else
		return 0;
	const char *word = argv[optind++];
	int count = REPORT_RANK_MAX;
	if (take_count(argc, argv, &count) < 0 || count < 1 || count > REPORT_RANK_MAX) {
		usage_error("--top %s: N is 1 to %d", word, REPORT_RANK_MAX);
		return -1;
	}
	o->rank_limit = (size_t)count;
	return 1;
}

/* The combinations of --top devices|queues: -d or -m (its period), -r,
 * --now, --json or --csv. Returns -1 to go on, or an exit status. */
static int check_rank(struct options *o, bool window)
{
	const char *what = o->rank_kind == STORE_QUEUE ? "queues" : "devices";
	/* a letter after --top devices made the mode a series */
	if (o->mode != MODE_RANK && o->mode != MODE_SERIES)
		return usage_error("--top %s takes only -r, -d, -m, --now, --json and --csv", what);
	if (o->letter && ((o->letter != 'd' && o->letter != 'm') || o->count >= 0))
		return usage_error("--top %s: -d (today) or -m (this billing cycle), without a "
		                   "count",
		                   what);
	if (o->iface)
		return usage_error("--top %s ranks every one of a router: -i does not apply", what);
	if (window)
		return usage_error("--begin and --end do not apply to --top %s", what);
	o->rank_period = o->letter == 'd' ? REPORT_RANK_TODAY : REPORT_RANK_CYCLE;
	o->mode = MODE_RANK;
	return -1;
}

/* Checks the combinations once every option is read. Returns -1 to go
 * on, or an exit status. */
static int check_options(int argc, char **argv, struct options *o, bool window)
{
	/* "tikstat -c FILE import-legacy ...": the word after the options
	 * (getopt moved the words after the options). */
	if (!o->import && optind < argc && strcmp(argv[optind], "import-legacy") == 0) {
		o->import = true;
		optind++;
	}
	if (o->import) {
		if (optind >= argc)
			return usage_error("import-legacy: which file? (tikstat import-legacy FILE "
			                   "-r ROUTER -i IFACE)");
		o->legacy_file = argv[optind++];
		if (!o->router || !o->iface)
			return usage_error("import-legacy: name the interface to import into with "
			                   "-r ROUTER -i IFACE");
		if (o->mode != MODE_DEFAULT || window || o->now || o->format != FORMAT_TABLE ||
		    o->remove)
			return usage_error("import-legacy takes only -r, -i, -c, --db, --utc and "
			                   "--force");
	} else if (o->text_utc) {
		return usage_error("--utc belongs to import-legacy");
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (o->compact && (o->remove || o->router || o->iface || o->mode != MODE_DEFAULT ||
	                   window || o->now || o->format != FORMAT_TABLE || o->force))
		return usage_error("--compact takes only -c and --db");
	if (o->remove) {
		if (!o->router || !o->iface)
			return usage_error("--remove: name the interface with -r ROUTER -i IFACE");
		if (o->mode != MODE_DEFAULT || window || o->now || o->format != FORMAT_TABLE)
			return usage_error("--remove takes only -r, -i, -c, --db and --force");
		return -1;
	}
	if (o->force && !o->import)
		return usage_error("--force belongs to --remove and import-legacy");
	if (o->rank)
		return check_rank(o, window);
	if (o->mode == MODE_LIVE && (window || o->now || o->format != FORMAT_TABLE || o->db))
		return usage_error("-l takes only -r, -i and -c: the rate comes from tikstatd, "
		                   "not the database");
	if (o->mode == MODE_BILL && (window || o->format == FORMAT_CSV))
		return usage_error("--bill takes only a name, -r, -i, --json, --now, -c and --db");
	if (o->mode == MODE_BILL && o->bill && (o->router || o->iface))
		return usage_error("--bill NAME: -r and -i choose among every bill (--bill alone)");
	if (o->mode == MODE_DEFAULT && (o->format != FORMAT_TABLE || window))
		o->mode = MODE_SERIES; /* months: what --json, --csv and --begin always showed */
	else if (o->mode == MODE_DEFAULT)
		o->mode = MODE_SUMMARY;
	if (o->mode == MODE_CYCLE && window)
		return usage_error("--begin and --end do not apply to --cycle");
	if ((o->mode == MODE_SUMMARY || o->mode == MODE_ONELINE) && window)
		return usage_error("--begin and --end apply to -5/-h/-d/-m/-y and -t");
	if ((o->mode == MODE_SUMMARY || o->mode == MODE_ONELINE) && o->format != FORMAT_TABLE)
		return usage_error("the summary and --oneline have no JSON or CSV form: use "
		                   "-d, -m, -t or --cycle with --json or --csv");
	return -1;
}

/* Parses the command line into *o. Returns -1 to go on, or an exit status
 * (help, version, usage error). */
static int parse_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	o->step = STEP_MONTH;
	o->format = FORMAT_TABLE;
	o->count = -1;
	if (argc > 1 && strcmp(argv[1], "import-legacy") == 0) {
		o->import = true;
		argc--;
		argv++;
	}
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":c:r:i:5hdmystlb:e:", long_options, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'r': o->router = optarg; break;
		case 'i': o->iface = optarg; break;
		case '5':
		case 'h':
		case 'd':
		case 'm':
		case 'y':
			/* The letters in enum step order: 5min, hour, day, month, year. */
			/* As before: the last report form given wins. */
			o->mode = MODE_SERIES;
			o->step = (enum step)(strchr(STEP_LETTERS, c) - STEP_LETTERS);
			o->letter = (char)c;
			o->count = -1;
			if (take_count(argc, argv, &o->count) < 0)
				return usage_error("-%c: at most %d buckets", c, MAX_COUNT);
			break;
		case 't':
			o->mode = MODE_TOP;
			o->count = 10;
			o->rank = false;
			o->letter = 0; /* a letter before -t is overridden by it */
			switch (take_rank(argc, argv, o)) {
			case 0: break;
			case 1:
				o->rank = true;
				o->mode = MODE_RANK;
				continue;
			default: return EXIT_USAGE;
			}
			if (take_count(argc, argv, &o->count) < 0)
				return usage_error("-t: at most %d days", MAX_COUNT);
			break;
		case 's':
			o->mode = MODE_SUMMARY;
			o->short_form = true;
			break;
		case OPT_CYCLE: o->mode = MODE_CYCLE; break;
		case OPT_BILL:
			/* --bill NAME or --bill alone: the name is the next word
			 * unless that is an option. */
			o->mode = MODE_BILL;
			o->bill = optind < argc && argv[optind][0] != '-' ? argv[optind++] : NULL;
			break;
		case 'l': o->mode = MODE_LIVE; break;
		case OPT_ONELINE:
			o->mode = MODE_ONELINE;
			if (optind < argc && strcmp(argv[optind], "b") == 0) {
				o->oneline_bytes = true;
				optind++;
			}
			break;
		case 'b': o->begin = optarg; break;
		case 'e': o->end = optarg; break;
		case OPT_NOW: o->now = optarg; break;
		case OPT_JSON: o->format = FORMAT_JSON; break;
		case OPT_CSV: o->format = FORMAT_CSV; break;
		case OPT_DB: o->db = optarg; break;
		case OPT_UTC: o->text_utc = true; break;
		case OPT_REMOVE: o->remove = true; break;
		case OPT_COMPACT: o->compact = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_HELP: usage(); return EXIT_OK;
		case OPT_VERSION: fputs("tikstat " TIKSTAT_VERSION "\n", stdout); return EXIT_OK;
		case ':': return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			/* optopt: the unknown short option; 0 or a long option's code
			 * (given a value it takes none): name the word. */
			if (optopt > 0 && optopt < 256)
				return usage_error("unknown option -%c", optopt);
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	return check_options(argc, argv, o, o->begin || o->end);
}

/* Reads the configuration (unless --db alone), sets the zone and picks
 * the database. Returns -1 to go on, or an exit status. */
static int load_settings(const struct options *o, struct settings *st)
{
	memset(st, 0, sizeof *st);
	if (o->db && !o->config) {
		/* No configuration: the zone of TZ when it names one. */
		const char *tz = getenv("TZ");
		if (tz && *tz == ':')
			tz++;
		if (tz && *tz)
			calendar_set_zone(tz);
		else
			calendar_set_zone(NULL); /* the system zone, by its name */
		st->database = o->db;
	} else {
		const char *path = o->config ? o->config : DEFAULT_CONFIG;
		char err[CFG_ERR_SIZE];
		st->cfg = cfg_load_flags(path, CFG_SKIP_SECRETS, err, sizeof err);
		if (!st->cfg) { /* every error, one a line; the hint after the last */
			char *save = NULL, *e = strtok_r(err, "\n", &save);
			for (char *next; e; e = next) {
				next = strtok_r(NULL, "\n", &save);
				errorf("%s%s", e,
				       next || o->config ? "" : " (use -c FILE, or --db FILE)");
			}
			return EXIT_ERROR;
		}
		if (calendar_set_zone(st->cfg->timezone)) {
			errorf("%s: unknown time zone \"%s\"", path, st->cfg->timezone);
			return EXIT_ERROR;
		}
		st->database = o->db ? o->db : st->cfg->database;
	}
	st->now = (int64_t)time(NULL);
	if (o->now && calendar_parse(o->now, &st->now))
		return usage_error("--now: not a date or ISO time: \"%s\"", o->now);
	return -1;
}

/* The quota of an interface (0 = none): its router's, from the
 * configuration. A router's quota is a bill per interface: a queue or a
 * device has none. */
static uint64_t iface_quota(const struct settings *st, const struct report_iface *ifc)
{
	const struct cfg_router *r = st->cfg ? cfg_router(st->cfg, ifc->router) : NULL;
	return r && ifc->kind == STORE_IFACE ? r->quota : 0;
}

/* Writes the whole output; 0 or -1 (reported). */
static int emit(const struct text_buf *out)
{
	if (fwrite(text_buf_str(out), 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
		errorf("cannot write the report: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int cycle_start_day(const struct settings *st)
{
	return st->cfg ? st->cfg->cycle_start_day : 1;
}

static int render_cycle(store *s, const struct options *o, const struct settings *st,
                        const struct report_selection *sel, struct text_buf *out)
{
	int rc = 0;
	struct report_cycle *cy = calloc(sel->n ? sel->n : 1, sizeof *cy);
	if (!cy)
		return -1;
	for (size_t i = 0; i < sel->n && rc == 0; i++)
		rc = report_cycle_load(s, &sel->v[i], cycle_start_day(st),
		                       iface_quota(st, &sel->v[i]), st->now, &cy[i]);
	if (rc == 0 && o->format == FORMAT_JSON)
		rc = report_cycle_json(cy, sel->n, !sel->single, out);
	else if (rc == 0 && o->format == FORMAT_CSV)
		rc = report_cycle_csv(&cy[0], out);
	else if (rc == 0)
		rc = report_cycle_table(cy, sel->n, out);
	free(cy);
	return rc;
}

/* The summary (plain tikstat, -s) and --oneline. */
static int render_summary(store *s, const struct options *o, const struct settings *st,
                          const struct report_selection *sel, struct text_buf *out)
{
	int rc = 0;
	struct report_summary *su = calloc(sel->n ? sel->n : 1, sizeof *su);
	if (!su)
		return -1;
	for (size_t i = 0; i < sel->n && rc == 0; i++)
		rc = report_summary_load(s, &sel->v[i], cycle_start_day(st),
		                         iface_quota(st, &sel->v[i]), st->now, &su[i]);
	if (rc == 0 && o->mode == MODE_ONELINE)
		rc = report_oneline(su, sel->n, o->oneline_bytes, out);
	else if (rc == 0)
		rc = report_summary_table(su, sel->n, o->short_form, out);
	free(su);
	return rc;
}

/* Buckets (-5 -h -d -m -y) or top days (-t) of [from, to). */
static int render_series(store *s, const struct options *o, const struct settings *st,
                         const struct report_selection *sel, int64_t from, int64_t to,
                         struct text_buf *out)
{
	int rc = 0;
	struct report_series *se = calloc(sel->n ? sel->n : 1, sizeof *se);
	if (!se)
		return -1;
	size_t loaded = 0;
	for (; loaded < sel->n && rc == 0; loaded++)
		rc = o->mode == MODE_TOP ? report_top_load(s, &sel->v[loaded], from, to,
		                                           (size_t)o->count, st->now, &se[loaded])
		                         : report_series_load(s, &sel->v[loaded], o->step, from, to,
		                                              st->now, &se[loaded]);
	if (rc == 0 && o->format == FORMAT_JSON)
		rc = report_series_json(se, sel->n, !sel->single, out);
	else if (rc == 0 && o->format == FORMAT_CSV)
		rc = report_series_csv(&se[0], out);
	else if (rc == 0 && o->mode == MODE_TOP)
		rc = report_top_table(se, sel->n, out);
	else if (rc == 0)
		rc = report_series_table(se, sel->n, out);
	for (size_t i = 0; i < loaded; i++)
		report_series_free(&se[i]);
	free(se);
	return rc;
}

/* Renders the report for the selected interfaces into out. */
static int render(store *s, const struct options *o, const struct settings *st,
                  const struct report_selection *sel, int64_t from, int64_t to,
                  struct text_buf *out)
{
	switch (o->mode) {
	case MODE_CYCLE: return render_cycle(s, o, st, sel, out);
	case MODE_SUMMARY:
	case MODE_ONELINE: return render_summary(s, o, st, sel, out);
	default: return render_series(s, o, st, sel, from, to, out);
	}
}

/* The window of -5 -h -d -m -y (count buckets back) or of -t (every day
 * unless --begin/--end say otherwise). Returns -1 to go on, or an exit
 * status. */
static int report_window(const struct options *o, const struct settings *st, int64_t *from,
                         int64_t *to)
{
	if (o->mode != MODE_SERIES && o->mode != MODE_TOP)
		return -1;
	enum step step = o->mode == MODE_TOP ? STEP_DAY : o->step;
	int count = o->mode == MODE_TOP ? 0 : o->count;
	switch (report_range_count(step, st->now, o->begin, o->end, count, from, to)) {
	case REPORT_RANGE_OK: return -1;
	case REPORT_RANGE_BAD_BEGIN:
		return usage_error("--begin: not a date or ISO time: \"%s\"", o->begin);
	case REPORT_RANGE_BAD_END:
		return usage_error("--end: not a date or ISO time: \"%s\"", o->end);
	case REPORT_RANGE_EMPTY:
	default: return usage_error("--begin is not before --end");
	}
}

/* Appends one note naming the selected interfaces that have no reading at
 * all: often ones the router does not have (the daemon knows; the CLI only
 * sees the database). */
static void note_unread(store *s, const struct report_selection *sel, struct text_buf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < sel->n; i++) {
		struct acct_reading r;
		bool have = true;
		if (store_load_reading(s, sel->v[i].id, &r, &have) != 0 || have)
			continue;
		char q[300];
		ifnames_quote(sel->v[i].name, q, sizeof q);
		text_buf_printf(out, "%s%s/%s", n++ ? ", " : "note: no reading yet of ",
		                sel->v[i].router, q);
	}
	if (n)
		text_buf_printf(out,
		                ": %s on the router? tikstatd --check-config shows its names\n",
		                n == 1 ? "is it" : "are they");
}

/* Opens the configured database, which must exist (never creates one),
 * read-only or not; NULL after saying why (hint follows "no database at
 * PATH"). */
static store *open_existing(const struct settings *st, bool read_only, const char *hint)
{
	struct stat sb;
	/* A PostgreSQL URI is no file: the open says what is missing. */
	if (!store_path_is_url(st->database) && stat(st->database, &sb) != 0 && errno == ENOENT) {
		errorf("no database at %s%s", st->database, hint);
		return NULL;
	}
	char err[1024];
	store *s = store_open(st->database, read_only, err, sizeof err);
	if (!s)
		print_error(err);
	return s;
}

/* The routers that have counters of a kind: configured for it (with a
 * configuration) or holding some in the database (--db alone). */
struct kind_routers {
	enum store_kind kind;
	char **names; /* n, owned */
	size_t n, cap;
	bool failed;
};

static void kind_routers_add(struct kind_routers *k, const char *name)
{
	char **v = text_grow(k->names, &k->cap, k->n + 1, sizeof *v);
	char *copy = v ? strdup(name) : NULL;
	if (v)
		k->names = v;
	if (!copy) {
		k->failed = true;
		return;
	}
	k->names[k->n++] = copy;
}

static int kind_routers_seen(void *ctx, const struct store_iface *i)
{
	struct kind_routers *k = ctx;
	/* ordered by router: a router's counters are adjacent */
	if (i->kind == k->kind && (k->n == 0 || strcmp(k->names[k->n - 1], i->router) != 0))
		kind_routers_add(k, i->router);
	return k->failed ? 1 : 0;
}

static int kind_routers_find(store *s, const struct cfg *cfg, struct kind_routers *k)
{
	if (!cfg)
		return store_list_counters(s, kind_routers_seen, k) < 0 || k->failed ? -1 : 0;
	for (size_t i = 0; i < cfg->n_routers; i++) {
		const struct cfg_router *r = &cfg->routers[i];
		bool has = k->kind == STORE_QUEUE ? r->queues_all || r->n_queues > 0
		                                  : r->devices != CFG_DEVICES_NONE;
		if (has)
			kind_routers_add(k, r->name);
	}
	return k->failed ? -1 : 0;
}

static void kind_routers_free(struct kind_routers *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->names[i]);
	free(k->names);
}

/* Whether router is configured or, polled by another instance of a
 * fleet (or no longer configured), in the database. Returns -1 to go on,
 * or an exit status after saying why (an unknown router is reported as
 * not in the configuration when there is one). */
static int known_router(store *s, const struct settings *st, const char *router)
{
	if (st->cfg && cfg_router(st->cfg, router))
		return -1;
	char err[1024];
	struct report_selection sel;
	enum report_select_status rs = report_select(s, router, NULL, &sel, err, sizeof err);
	if (rs == REPORT_SELECT_OK) {
		report_selection_free(&sel);
		return -1;
	}
	if (rs == REPORT_SELECT_UNKNOWN_ROUTER && st->cfg)
		errorf("unknown router \"%s\" (not in %s)", router, st->cfg->path);
	else
		print_error(err);
	return EXIT_ERROR;
}

/* --top devices|queues: the router to rank, -r or the only one with
 * counters of the kind, into *router (a copy: caller frees). Returns -1
 * to go on, or an exit status after saying why. */
static int rank_router(store *s, const struct options *o, const struct settings *st, char **router)
{
	const char *what = o->rank_kind == STORE_QUEUE ? "queues" : "devices";
	if (o->router) {
		int known = known_router(s, st, o->router);
		if (known >= 0)
			return known;
		*router = strdup(o->router);
		return *router ? -1 : EXIT_ERROR;
	}
	struct kind_routers k = {.kind = o->rank_kind};
	int status = EXIT_ERROR;
	if (kind_routers_find(s, st->cfg, &k)) {
		print_error(k.failed ? "out of memory" : store_errmsg(s));
	} else if (k.n == 0 && st->cfg) {
		errorf("no router in %s has %s (%s)", st->cfg->path, what,
		       o->rank_kind == STORE_QUEUE ? "queues = * or a list of names"
		                                   : "devices = kid-control");
	} else if (k.n == 0) {
		errorf("no %s in %s yet: tikstatd has not recorded any", what, store_path(s));
	} else if (k.n > 1) {
		struct text_buf names = TEXT_BUF_INIT;
		for (size_t i = 0; i < k.n; i++)
			text_buf_printf(&names, "%s%s", i ? ", " : "", k.names[i]);
		status = usage_error("several routers have %s (%s): use -r", what,
		                     names.failed ? "?" : text_buf_str(&names));
		text_buf_free(&names);
	} else {
		*router = k.names[0];
		k.names[0] = NULL;
		status = -1;
	}
	kind_routers_free(&k);
	return status;
}

/* tikstat --top devices|queues: the ranking of one router's counters. */
static int run_rank(const struct options *o, const struct settings *st)
{
	store *s = open_existing(st, true, ": is tikstatd running?");
	if (!s)
		return EXIT_ERROR;
	char *router = NULL;
	struct report_rank rank = {0};
	struct text_buf out = TEXT_BUF_INIT;
	int status = EXIT_ERROR;
	if (store_begin(s)) {
		print_error(store_errmsg(s));
		goto out;
	}
	status = rank_router(s, o, st, &router);
	if (status >= 0)
		goto out;
	status = EXIT_ERROR;
	if (report_rank_load(s, router, o->rank_kind, o->rank_period, cycle_start_day(st),
	                     o->rank_limit, st->now, &rank)) {
		print_error(store_errmsg(s));
		goto out;
	}
	int rc = o->format == FORMAT_JSON  ? report_rank_json(&rank, &out)
	         : o->format == FORMAT_CSV ? report_rank_csv(&rank, &out)
	                                   : report_rank_table(&rank, &out);
	store_commit(s);
	if (rc)
		print_error("out of memory");
	else
		status = emit(&out) ? EXIT_ERROR : EXIT_OK;
out:
	report_rank_free(&rank);
	text_buf_free(&out);
	free(router);
	store_close(s);
	return status;
}

static int run_report(const struct options *o, const struct settings *st)
{
	int64_t from = 0, to = 0;
	int window = report_window(o, st, &from, &to);
	if (window >= 0)
		return window;
	store *s = open_existing(st, true, ": is tikstatd running?");
	if (!s)
		return EXIT_ERROR;
	int status = EXIT_ERROR;
	char err[1024];
	struct report_selection sel = {0};
	struct text_buf out = TEXT_BUF_INIT;
	/* One snapshot for the whole report, while tikstatd goes on writing. */
	if (store_begin(s)) {
		print_error(store_errmsg(s));
		goto out;
	}
	enum report_select_status ss = report_select(s, o->router, o->iface, &sel, err, sizeof err);
	if (ss != REPORT_SELECT_OK) {
		print_error(err);
		status = ss == REPORT_SELECT_AMBIGUOUS ? EXIT_USAGE : EXIT_ERROR;
		goto out;
	}
	if (o->format == FORMAT_CSV && sel.n != 1) {
		status =
		        usage_error("CSV holds one interface and %zu are selected: choose one with "
		                    "-r ROUTER -i IFACE",
		                    sel.n);
		goto out;
	}
	if (sel.n == 0 && o->format == FORMAT_TABLE) {
		printf("no interfaces in %s yet: tikstatd has not recorded any\n", store_path(s));
		status = EXIT_OK;
		goto out;
	}
	if (render(s, o, st, &sel, from, to, &out)) {
		print_error(out.failed ? "out of memory" : store_errmsg(s));
		goto out;
	}
	if ((o->mode == MODE_SUMMARY || o->mode == MODE_DEFAULT) && o->format == FORMAT_TABLE)
		note_unread(s, &sel, &out);
	store_commit(s);
	status = emit(&out) ? EXIT_ERROR : EXIT_OK;
out:
	text_buf_free(&out);
	report_selection_free(&sel);
	store_close(s);
	return status;
}

static void summary_line(const char *what, uint64_t n, const char *note)
{
	printf("  %-18s %" PRIu64 "%s%s\n", what, n, note && n ? "  " : "", note && n ? note : "");
}

static void print_summary(const struct options *o, const struct legacy_summary *sum,
                          const struct text_buf *names)
{
	printf("import-legacy %s -> %s (source %s)\n", o->legacy_file, text_buf_str(names),
	       sum->source);
	summary_line("rows read", sum->rows, NULL);
	summary_line("rows imported", sum->imported, NULL);
	summary_line("already imported", sum->already, "(imported before: skipped)");
	summary_line("overlap skipped", sum->overlap, "(in the time tikstatd already accounts)");
	summary_line("malformed", sum->malformed, "(unreadable time or counters: skipped)");
	if (sum->out_of_range) { /* rare: shown only when it happened */
		summary_line("out of range", sum->out_of_range,
		             "(dated before 2000 or in the future: skipped)");
		printf("  %-18s row %" PRIu64 ", time %" PRId64 "\n", "first such",
		       sum->first_out_of_range_row, sum->first_out_of_range_time);
	}
	summary_line("duplicate times", sum->stale, "(not newer than the row before: skipped)");
	summary_line("counter resets", sum->resets, NULL);
	summary_line("rejected", sum->rejected, "(above max_rate: not counted)");
	summary_line("dtx/drx differ", sum->mismatches, "(the old setup's deltas disagree)");
	char rx[16], tx[16];
	report_iec(sum->rx, rx);
	report_iec(sum->tx, tx);
	printf("  %-18s %s (%" PRIu64 " bytes)\n", "rx added", rx, sum->rx);
	printf("  %-18s %s (%" PRIu64 " bytes)\n", "tx added", tx, sum->tx);
	if (sum->imported) {
		char first[32], last[32];
		calendar_format(sum->first, first);
		calendar_format(sum->last, last);
		printf("  %-18s %s .. %s\n", "time range", first, last);
	} else {
		printf("  %-18s nothing new to import\n", "time range");
	}
	if (sum->live)
		printf("  %-18s kept: tikstatd accounts this interface\n", "last reading");
	else if (sum->continued)
		printf("  %-18s the last imported row\n", "last reading");
	else
		printf("  %-18s unchanged\n", "last reading");
	/* A reading from another source (the old setup's counters) is never
	 * compared with tikstatd's: say so, since the users of the old setup
	 * fear counting twice. */
	if (sum->imported && !sum->live)
		printf("tikstatd takes its next reading of %s as a new starting point: nothing is "
		       "counted twice\n",
		       text_buf_str(names));
}

/* "router/iface" escaped for a terminal, into *names (caller frees). */
static void iface_names(struct text_buf *names, const char *router, const char *iface)
{
	plain_text(names, router, strlen(router));
	text_buf_puts(names, "/");
	plain_text(names, iface, strlen(iface));
}

/* Whether the configuration lists router/iface (a router without an
 * interface list takes any). Writes the reason into why when it does not. */
static bool configured(const struct cfg *cfg, const char *router, const char *iface, char *why,
                       size_t whysz)
{
	const struct cfg_router *r = cfg_router(cfg, router);
	struct text_buf name = TEXT_BUF_INIT;
	bool listed = r && r->n_interfaces == 0;
	for (size_t i = 0; r && i < r->n_interfaces && !listed; i++)
		listed = strcmp(r->interfaces[i], iface) == 0;
	if (!r) {
		plain_text(&name, router, strlen(router));
		snprintf(why, whysz, "router \"%s\" is not in %s", text_buf_str(&name), cfg->path);
	} else if (!listed) {
		plain_text(&name, router, strlen(router));
		text_buf_puts(&name, "\" has no interface \"");
		plain_text(&name, iface, strlen(iface));
		snprintf(why, whysz, "router \"%s\" in %s", text_buf_str(&name), cfg->path);
	}
	text_buf_free(&name);
	return r && listed;
}

static int run_import(const struct options *o, const struct settings *st)
{
	char err[1024];
	/* The source first: a file that is not the old setup's must leave no
	 * trace, not even an empty target database. */
	if (legacy_check(o->legacy_file, err, sizeof err)) {
		print_error(err);
		return EXIT_ERROR;
	}
	char why[768];
	if (st->cfg && !configured(st->cfg, o->router, o->iface, why, sizeof why)) {
		/* A typo would start the history of an interface nobody polls. */
		if (!o->force) {
			errorf("%s: nothing imported (add --force to import into it anyway)", why);
			return EXIT_ERROR;
		}
		errorf("warning: %s (--force: importing anyway)", why);
	}
	struct stat sb;
	bool created =
	        !store_path_is_url(st->database) && stat(st->database, &sb) != 0 && errno == ENOENT;
	store *s = store_open(st->database, false, err, sizeof err);
	if (!s) {
		print_error(err);
		return EXIT_ERROR;
	}
	if (created)
		printf("created the database %s\n", st->database);
	struct legacy_import_options opt = {
	        .router = o->router,
	        .iface = o->iface,
	        .text_utc = o->text_utc,
	        .max_rate = st->cfg ? st->cfg->max_rate : 0,
	};
	struct legacy_summary sum;
	int rc = legacy_import(s, o->legacy_file, &opt, &sum, err, sizeof err);
	store_close(s);
	if (rc) {
		print_error(err);
		return EXIT_ERROR;
	}
	struct text_buf names = TEXT_BUF_INIT;
	iface_names(&names, o->router, o->iface);
	print_summary(o, &sum, &names);
	text_buf_free(&names);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

/* Asks on the terminal whether to remove; true for y or yes. */
static bool confirm(const char *names, int64_t days)
{
	printf("remove all %" PRId64 " day%s of history of %s? [y/N] ", days, days == 1 ? "" : "s",
	       names);
	fflush(stdout);
	char line[16];
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\n")] = '\0';
	return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

/* tikstat --remove -r R -i I: deletes the interface's history after
 * asking (or with --force). */
static int run_remove(const struct options *o, const struct settings *st)
{
	store *s = open_existing(st, false, "");
	if (!s)
		return EXIT_ERROR;
	int status = EXIT_ERROR;
	struct text_buf names = TEXT_BUF_INIT;
	iface_names(&names, o->router, o->iface);
	int64_t id, days = 0;
	int found = store_find_interface(s, o->router, o->iface, &id);
	if (found != 0) {
		if (found > 0)
			errorf("unknown interface \"%s\": nothing to remove", text_buf_str(&names));
		else
			print_error(store_errmsg(s));
		goto out;
	}
	if (store_history_days(s, id, &days)) {
		print_error(store_errmsg(s));
		goto out;
	}
	if (!o->force && !isatty(STDIN_FILENO)) {
		status = usage_error("--remove: standard input is not a terminal: add --force to "
		                     "remove all %" PRId64 " days of history of %s",
		                     days, text_buf_str(&names));
		goto out;
	}
	if (!o->force && !confirm(text_buf_str(&names), days)) {
		printf("nothing removed\n");
		goto out;
	}
	if (store_remove_history(s, id)) {
		print_error(store_errmsg(s));
		goto out;
	}
	printf("removed all %" PRId64 " day%s of history of %s\n"
	       "if tikstatd still accounts it, new traffic goes on being counted from its "
	       "last reading\n"
	       "(after a restart of tikstatd, its next reading is a new starting point)\n",
	       days, days == 1 ? "" : "s", text_buf_str(&names));
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
out:
	text_buf_free(&names);
	store_close(s);
	return status;
}

/* The file's size in bytes, 0 when it cannot be read. */
static uint64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && sb.st_size > 0 ? (uint64_t)sb.st_size : 0;
}

/* tikstat --compact: VACUUM into an INCREMENTAL database (store_compact),
 * the file's size before and after. */
static int run_compact(const struct settings *st)
{
	store *s = open_existing(st, false, "");
	if (!s)
		return EXIT_ERROR;
	struct store_space before;
	char a[16], b[16];
	int status = EXIT_ERROR;
	/* Before any file step: PostgreSQL's engine refuses with its reason. */
	if (!store_is_file(s)) {
		store_compact(s);
		print_error(store_errmsg(s));
		goto out;
	}
	report_iec(file_size(st->database), a);
	if (store_space(s, &before) || store_compact(s)) {
		print_error(store_errmsg(s));
		goto out;
	}
	report_iec(file_size(st->database), b);
	printf("compacted %s: %s -> %s (%" PRId64 " free pages of %" PRId64 " returned)\n"
	       "from now on it shrinks after each prune of old buckets by itself\n",
	       st->database, a, b, before.free_pages, before.pages);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
out:
	store_close(s);
	return status;
}

/* -l: the interface to show: -r and -i, or the configuration's only
 * one. NULL *iface after saying why (usage). */
static int live_interface(const struct options *o, const struct cfg *cfg, const char **router,
                          const char **iface)
{
	*router = o->router;
	*iface = o->iface;
	if (!*router && cfg->n_routers == 1)
		*router = cfg->routers[0].name;
	const struct cfg_router *r = *router ? cfg_router(cfg, *router) : NULL;
	if (!*iface && r && r->n_interfaces == 1)
		*iface = r->interfaces[0];
	if (*router && *iface)
		return -1;
	return usage_error("-l: which interface? name it with -r ROUTER -i IFACE");
}

/* The first line of the file holding auth_user's password, into *out
 * (caller wipes and frees). -1 after saying why. */
static int read_http_password(const char *path, struct text_buf *out)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f) {
		errorf("-l: cannot read auth_password_file %s: %s (tikstatd asks for it; run as a "
		       "user who may read it)",
		       path ? path : "(none)", path ? strerror(errno) : "not configured");
		return -1;
	}
	int c;
	while ((c = fgetc(f)) != EOF && c != '\n')
		text_buf_append(out, &(char){(char)c}, 1);
	fclose(f);
	if (out->len && out->data[out->len - 1] == '\r')
		out->data[--out->len] = '\0';
	return out->failed ? -1 : 0;
}

static volatile sig_atomic_t live_stop;

static void on_sigint(int sig)
{
	(void)sig;
	live_stop = 1;
}

/* tikstat -l: the live rate from the daemon at the configuration's first
 * [http] listen address (a wildcard address: this machine). */
static int run_live(const struct options *o, const struct settings *st)
{
	if (!st->cfg)
		return usage_error(
		        "-l reads tikstatd's address from the configuration: use -c FILE");
	struct live_target t = {.stall_ms = 15000};
	int status = live_interface(o, st->cfg, &t.router, &t.iface);
	if (status >= 0)
		return status;
	char host[256], port[8];
	uint16_t p = 0;
	if (st->cfg->n_listen == 0 ||
	    cfg_parse_listen(st->cfg->listen[0], host, sizeof host, &p) != 0) {
		errorf("-l: %s has no plain [http] listen address to reach tikstatd at",
		       st->cfg->path);
		return EXIT_ERROR;
	}
	if (strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	else if (strcmp(host, "::") == 0)
		snprintf(host, sizeof host, "::1");
	snprintf(port, sizeof port, "%u", (unsigned)p);
	t.host = host;
	t.port = port;
	struct text_buf password = TEXT_BUF_INIT;
	t.user = st->cfg->auth_user;
	if (t.user && read_http_password(st->cfg->auth_password_file, &password)) {
		text_buf_free(&password);
		return EXIT_ERROR;
	}
	t.password = text_buf_str(&password);
	/* No SA_RESTART: Ctrl-C ends a wait at once. */
	struct sigaction sa = {.sa_handler = on_sigint};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	status = live_run(&t, &live_stop, stdout, stderr) ? EXIT_ERROR : EXIT_OK;
	if (password.data)
		explicit_bzero(password.data, password.cap);
	text_buf_free(&password);
	return status;
}

/* The bills to show into which (indexes into cfg->bills), *n of them:
 * the one named, or every bill summing -r/-i's counter. EXIT_OK or an
 * exit status after saying why. */
static int choose_bills(const struct options *o, const struct cfg *cfg, size_t *which, size_t *n)
{
	*n = 0;
	if (o->bill) {
		const struct cfg_bill *b = cfg_bill(cfg, o->bill);
		if (!b) {
			errorf("unknown bill \"%s\": %s has %zu [bill] section%s", o->bill,
			       cfg->path, cfg->n_bills, cfg->n_bills == 1 ? "" : "s");
			return EXIT_ERROR;
		}
		which[(*n)++] = (size_t)(b - cfg->bills);
		return EXIT_OK;
	}
	/* A router this configuration lacks is in no bill (run_bill then asks
	 * the database whether it knows it). */
	for (size_t i = 0; i < cfg->n_bills; i++)
		if ((!o->router && !o->iface) ||
		    billing_includes(cfg, &cfg->bills[i], o->router, o->iface))
			which[(*n)++] = i;
	return EXIT_OK;
}

/* Loads the chosen bills and renders them: JSON as /api/v1/bills and
 * /api/v1/bill send it, a table for one bill, a line each for several. */
static int render_bills(store *s, const struct options *o, const struct settings *st,
                        const size_t *which, size_t n, struct text_buf *out)
{
	struct billing_state *v = calloc(n ? n : 1, sizeof *v);
	int rc = v ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = billing_load(s, st->cfg, &st->cfg->bills[which[i]], st->now, true, &v[i]);
	if (rc == 0 && o->format == FORMAT_JSON)
		rc = billing_json(v, n, !o->bill, out);
	else if (rc == 0 && o->bill)
		rc = billing_table(v, n, out);
	else if (rc == 0 && n == 0)
		rc = text_buf_printf(out, "no bills%s in %s\n",
		                     o->router || o->iface ? " sum it" : "", st->cfg->path) < 0
		             ? -1
		             : 0;
	else if (rc == 0)
		rc = billing_lines(v, n, out);
	free(v);
	return rc;
}

/* tikstat --bill [NAME]: the bills of the configuration, from the
 * database. */
static int run_bill(const struct options *o, const struct settings *st)
{
	if (!st->cfg)
		return usage_error("--bill: bills are [bill] sections of the configuration: use -c "
		                   "FILE");
	size_t n, *which = calloc(st->cfg->n_bills ? st->cfg->n_bills : 1, sizeof *which);
	if (!which) {
		errorf("out of memory");
		return EXIT_ERROR;
	}
	int status = choose_bills(o, st->cfg, which, &n);
	store *s = status == EXIT_OK ? open_existing(st, true, ": is tikstatd running?") : NULL;
	struct text_buf out = TEXT_BUF_INIT;
	if (status == EXIT_OK && !s)
		status = EXIT_ERROR;
	if (s && o->router && !o->bill)
		status = known_router(s, st, o->router) >= 0 ? EXIT_ERROR : EXIT_OK;
	/* One snapshot for every bill, while tikstatd goes on writing. */
	if (status == EXIT_OK && (store_begin(s) || render_bills(s, o, st, which, n, &out))) {
		print_error(out.failed ? "out of memory" : store_errmsg(s));
		status = EXIT_ERROR;
	} else if (status == EXIT_OK) {
		status = emit(&out) ? EXIT_ERROR : EXIT_OK;
	}
	text_buf_free(&out);
	store_close(s);
	free(which);
	return status;
}

/* tikstat copy-db SOURCE DEST (argv[1] is "copy-db"): dbcopy.h. */
static int run_copy_db(int argc, char **argv)
{
	if (argc != 4)
		return usage_error("copy-db: tikstat copy-db SOURCE DEST (an SQLite file or a "
		                   "postgresql:// URL each)");
	char err[1024];
	store *src = store_open(argv[2], true, err, sizeof err);
	if (!src) {
		print_error(err);
		return EXIT_ERROR;
	}
	store *dst = store_open(argv[3], false, err, sizeof err);
	if (!dst) {
		print_error(err);
		store_close(src);
		return EXIT_ERROR;
	}
	struct dbcopy_stats n;
	int status = EXIT_ERROR;
	if (dbcopy_run(src, dst, &n, err, sizeof err)) {
		print_error(err);
	} else {
		printf("copied %zu counters of %zu routers (%" PRIu64
		       " buckets, %zu last readings) "
		       "from %s to %s\n",
		       n.counters, n.routers, n.buckets, n.readings, store_path(src),
		       store_path(dst));
		status = fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
	}
	store_close(dst);
	store_close(src);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	struct settings st;
	if (argc > 1 && strcmp(argv[1], "copy-db") == 0)
		return run_copy_db(argc, argv);
	int status = parse_options(argc, argv, &o);
	if (status >= 0)
		return status;
	status = load_settings(&o, &st);
	if (status < 0)
		status = o.import              ? run_import(&o, &st)
		         : o.remove            ? run_remove(&o, &st)
		         : o.compact           ? run_compact(&st)
		         : o.mode == MODE_LIVE ? run_live(&o, &st)
		         : o.mode == MODE_BILL ? run_bill(&o, &st)
		         : o.mode == MODE_RANK ? run_rank(&o, &st)
		                               : run_report(&o, &st);
	cfg_free(st.cfg);
	return status;
}
