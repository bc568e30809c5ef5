/*
 * helpers.c — what traffic accounting needs from a router: strict number
 * and duration parsing, interface counters and uptime.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int ros_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0)
		return ROS_ERR_ARG;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ROS_ERR_ARG;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return ROS_ERR_ARG;
		v = v * 10 + d;
	}
	*out = v;
	return ROS_OK;
}

/* Reads digits at s[*i]; at least one, no overflow of 'limit'. */
static int read_number(const char *s, size_t len, size_t *i, uint64_t limit, uint64_t *out)
{
	size_t start = *i;
	uint64_t v = 0;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		unsigned d = (unsigned)(s[*i] - '0');
		if (v > (limit - d) / 10)
			return ROS_ERR_ARG;
		v = v * 10 + d;
		(*i)++;
	}
	if (*i == start)
		return ROS_ERR_ARG;
	*out = v;
	return ROS_OK;
}

static int add_checked(uint64_t *total, uint64_t v, uint64_t mul)
{
	if (v > (UINT64_MAX - *total) / mul)
		return ROS_ERR_ARG;
	*total += v * mul;
	return ROS_OK;
}

/* The clock part "HH:MM:SS" of the old format: hours < 24 (a day more is
 * "1d00:00:00"), minutes and seconds < 60. */
static int parse_clock(const char *s, size_t len, size_t i, uint64_t *total)
{
	uint64_t h, m, sec;
	if (read_number(s, len, &i, 23, &h) || i >= len || s[i++] != ':' ||
	    read_number(s, len, &i, 59, &m) || i >= len || s[i++] != ':' ||
	    read_number(s, len, &i, 59, &sec))
		return ROS_ERR_ARG;
	/* Fractions of a second ("00:00:01.5") carry no accounting meaning. */
	if (i < len && s[i] == '.') {
		uint64_t frac;
		i++;
		if (read_number(s, len, &i, UINT64_MAX, &frac))
			return ROS_ERR_ARG;
	}
	if (i != len)
		return ROS_ERR_ARG;
	if (add_checked(total, h, 3600) || add_checked(total, m, 60) || add_checked(total, sec, 1))
		return ROS_ERR_ARG;
	return ROS_OK;
}

int ros_parse_uptime(const char *s, size_t len, uint64_t *seconds)
{
	static const char units[] = "wdhms";
	static const uint64_t mult[] = {604800, 86400, 3600, 60, 1};
	/* A unit after the first is below its next bigger unit: 1w6d23h59m59s. */
	static const uint64_t below[] = {UINT64_MAX, 7, 24, 60, 60};
	uint64_t total = 0;
	size_t i = 0;
	int next_unit = 0; /* units must come in order, each at most once */
	if (len == 0)
		return ROS_ERR_ARG;
	while (i < len) {
		size_t mark = i;
		uint64_t v;
		if (read_number(s, len, &i, UINT64_MAX, &v))
			return ROS_ERR_ARG;
		if (i < len && s[i] == ':' && next_unit <= 2) {
			if (parse_clock(s, len, mark, &total) || total > ROS_UPTIME_MAX)
				return ROS_ERR_ARG;
			*seconds = total;
			return ROS_OK;
		}
		if (i < len && s[i] == 'm' && i + 1 < len && s[i + 1] == 's') {
			if (next_unit > 5 || (next_unit > 0 && v >= 1000))
				return ROS_ERR_ARG;
			i += 2; /* milliseconds, as in "1s500ms": below our resolution */
			next_unit = 6;
			continue;
		}
		const char *u = i < len ? strchr(units, s[i]) : NULL;
		if (!u || !*u || (int)(u - units) < next_unit)
			return ROS_ERR_ARG;
		if (next_unit > 0 && v >= below[u - units])
			return ROS_ERR_ARG;
		next_unit = (int)(u - units) + 1;
		if (add_checked(&total, v, mult[u - units]))
			return ROS_ERR_ARG;
		i++;
	}
	if (total > ROS_UPTIME_MAX)
		return ROS_ERR_ARG;
	*seconds = total;
	return ROS_OK;
}

static const char proplist_word[] =
        "=.proplist=.id,name,type,running,disabled,rx-byte,tx-byte,rx-packet,tx-packet";

size_t ros_counters_words_needed(size_t n)
{
	return 2 + n + (n > 1 ? n - 1 : 0);
}

int ros_counters_words(const char *const *names, size_t n, const char **words, char **storage)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(names[i]) + sizeof "?name=";
	char *store = malloc(bytes ? bytes : 1);
	if (!store)
		return ROS_ERR_NOMEM;
	size_t w = 0;
	char *p = store;
	words[w++] = "/interface/print";
	words[w++] = proplist_word;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		memcpy(p, "?name=", 6);
		memcpy(p + 6, names[i], l + 1);
		words[w++] = p;
		p += 6 + l + 1;
		/* RouterOS ANDs query words: fold each further name in with OR. */
		if (i > 0)
			words[w++] = "?#|";
	}
	*storage = store;
	return (int)w;
}

void ros_counters_free(struct ros_iface_counters *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].name);
	}
	free(v);
}

static char *dup_bytes(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* "true"/"false" (also "yes"/"no") → 1/0; absent → -1. */
static int flag(const ros_sentence *s, const char *key)
{
	size_t len;
	const char *v = ros_sentence_get(s, key, &len);
	if (!v)
		return -1;
	return (len == 4 && !memcmp(v, "true", 4)) || (len == 3 && !memcmp(v, "yes", 3));
}

/* Parses a counter attribute; absent optional ones are 0. */
static int counter(const ros_sentence *s, const char *key, bool required, uint64_t *out)
{
	size_t len;
	const char *v = ros_sentence_get(s, key, &len);
	*out = 0;
	if (!v)
		return required ? ROS_ERR_PROTOCOL : ROS_OK;
	return ros_parse_u64(v, len, out) ? ROS_ERR_PROTOCOL : ROS_OK;
}

static int parse_row(const ros_sentence *s, struct ros_iface_counters *c)
{
	size_t idl, nl;
	const char *id = ros_sentence_get(s, ".id", &idl);
	const char *name = ros_sentence_get(s, "name", &nl);
	if (!id || !name || memchr(name, '\0', nl))
		return ROS_ERR_PROTOCOL;
	if (counter(s, "rx-byte", true, &c->rx_bytes) ||
	    counter(s, "tx-byte", true, &c->tx_bytes) ||
	    counter(s, "rx-packet", false, &c->rx_packets) ||
	    counter(s, "tx-packet", false, &c->tx_packets))
		return ROS_ERR_PROTOCOL;
	c->running = flag(s, "running");
	c->disabled = flag(s, "disabled");
	c->id = dup_bytes(id, idl);
	c->name = dup_bytes(name, nl);
	return c->id && c->name ? ROS_OK : ROS_ERR_NOMEM;
}

int ros_counters_parse(const ros_reply *r, struct ros_iface_counters **out, size_t *n)
{
	size_t rows = ros_reply_rows(r), k = 0;
	struct ros_iface_counters *v = calloc(rows ? rows : 1, sizeof *v);
	if (!v)
		return ROS_ERR_NOMEM;
	for (size_t i = 0; i < ros_reply_count(r); i++) {
		const ros_sentence *s = ros_reply_sentence(r, i);
		if (ros_sentence_type(s) != ROS_REPLY_RE)
			continue;
		int rc = parse_row(s, &v[k]);
		k++;
		if (rc) {
			ros_counters_free(v, k);
			return rc;
		}
	}
	*out = v;
	*n = k;
	return ROS_OK;
}

int ros_read_counters(ros_conn *c, const char *const *names, size_t n,
                      struct ros_iface_counters **out, size_t *nout)
{
	const char **words = malloc(ros_counters_words_needed(n) * sizeof *words);
	char *storage = NULL;
	ros_reply *r = NULL;
	if (!words)
		return ROS_ERR_NOMEM;
	int rc = ros_counters_words(names, n, words, &storage);
	if (rc >= 0)
		rc = ros_command(c, words, (size_t)rc, &r);
	if (rc == ROS_OK)
		rc = ros_counters_parse(r, out, nout);
	ros_reply_free(r);
	free(storage);
	free(words);
	return rc;
}

const char *const ros_uptime_words[2] = {"/system/resource/print", "=.proplist=uptime"};

int ros_uptime_parse(const ros_reply *r, uint64_t *seconds)
{
	for (size_t i = 0; i < ros_reply_count(r); i++) {
		const ros_sentence *s = ros_reply_sentence(r, i);
		size_t len;
		const char *v = ros_sentence_get(s, "uptime", &len);
		if (ros_sentence_type(s) == ROS_REPLY_RE && v)
			return ros_parse_uptime(v, len, seconds) ? ROS_ERR_PROTOCOL : ROS_OK;
	}
	return ROS_ERR_PROTOCOL;
}

int ros_read_uptime(ros_conn *c, uint64_t *seconds)
{
	ros_reply *r = NULL;
	int rc = ros_command(c, ros_uptime_words, 2, &r);
	if (rc == ROS_OK)
		rc = ros_uptime_parse(r, seconds);
	ros_reply_free(r);
	return rc;
}

/* Rows by name, equal names in reply order (the first one counts). */
static int row_order(const void *a, const void *b)
{
	const struct ros_iface_counters *x = *(const struct ros_iface_counters *const *)a;
	const struct ros_iface_counters *y = *(const struct ros_iface_counters *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x > y) - (x < y);
}

static int name_vs_row(const void *key, const void *row)
{
	return strcmp(key, (*(const struct ros_iface_counters *const *)row)->name);
}

const struct ros_iface_counters **ros_counters_index(const struct ros_iface_counters *v, size_t n)
{
	const struct ros_iface_counters **index = calloc(n ? n : 1, sizeof *index);
	if (!index)
		return NULL;
	for (size_t i = 0; i < n; i++)
		index[i] = &v[i];
	qsort(index, n, sizeof *index, row_order);
	return index;
}

const struct ros_iface_counters *ros_counters_find(const struct ros_iface_counters *const *index,
                                                   size_t n, const char *name)
{
	const struct ros_iface_counters *const *hit =
	        bsearch(name, index, n, sizeof *index, name_vs_row);
	if (!hit)
		return NULL;
	while (hit > index && strcmp(hit[-1]->name, name) == 0)
		hit--;
	return *hit;
}
