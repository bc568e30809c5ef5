/*
 * helpers.c — what traffic accounting needs from a router: strict number
 * and duration parsing, interface counters and uptime (simple queues are
 * in queues.c, kid-control devices and DHCP leases in devices.c).
 */
#include "internal.h"

#include <stddef.h>
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
	return print_words_needed(n);
}

int ros_counters_words(const char *const *names, size_t n, const char **words, char **storage)
{
	return print_words("/interface/print", proplist_word, names, n, words, storage);
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

static int parse_row(const struct row_ctx *ctx, void *row)
{
	struct ros_iface_counters *c = row;
	const ros_sentence *s = ctx->s;
	int rc = row_string(ctx, ".id", true, &c->id);
	if (!rc)
		rc = row_string(ctx, "name", true, &c->name);
	if (!rc)
		rc = row_u64(ctx, "rx-byte", true, &c->rx_bytes);
	if (!rc)
		rc = row_u64(ctx, "tx-byte", true, &c->tx_bytes);
	if (!rc)
		rc = row_u64(ctx, "rx-packet", false, &c->rx_packets);
	if (!rc)
		rc = row_u64(ctx, "tx-packet", false, &c->tx_packets);
	c->running = row_flag(s, "running");
	c->disabled = row_flag(s, "disabled");
	return rc;
}

static void free_rows(void *v, size_t n)
{
	ros_counters_free(v, n);
}

static const struct row_kind interface_rows = {"interface", sizeof(struct ros_iface_counters),
                                               parse_row, free_rows};

int ros_counters_parse(const ros_reply *r, struct ros_iface_counters **out, size_t *n)
{
	void *v = NULL;
	int rc = rows_parse(r, &interface_rows, &v, n, NULL, 0);
	if (rc == ROS_OK)
		*out = v;
	return rc;
}

int ros_read_counters(ros_conn *c, const char *const *names, size_t n,
                      struct ros_iface_counters **out, size_t *nout)
{
	void *v = NULL;
	int rc = rows_read(c, "/interface/print", proplist_word, names, n, &interface_rows, &v,
	                   nout);
	if (rc == ROS_OK)
		*out = v;
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

/* Entry i of an index of interface rows: its name. */
static const char *name_at(const void *index, size_t i)
{
	return ((const struct ros_iface_counters *const *)index)[i]->name;
}

const struct ros_iface_counters **ros_counters_index(const struct ros_iface_counters *v, size_t n)
{
	const struct ros_iface_counters **index = NULL;
	size_t *order = rows_order(v, n, sizeof *v, offsetof(struct ros_iface_counters, name));
	if (order && (index = calloc(n ? n : 1, sizeof *index)))
		for (size_t i = 0; i < n; i++)
			index[i] = &v[order[i]];
	free(order);
	return index;
}

const struct ros_iface_counters *ros_counters_find(const struct ros_iface_counters *const *index,
                                                   size_t n, const char *name)
{
	size_t i = rows_find(index, n, name_at, name);
	return i < n ? index[i] : NULL;
}
