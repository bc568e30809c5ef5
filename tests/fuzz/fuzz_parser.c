/*
 * fuzz_parser.c — libFuzzer target for the routeros-api reply parser.
 *
 * Input layout:
 *   byte 0          bits 0-1: number of chunk sizes that follow, minus 1;
 *                   bit 2: small caps (max_word 64, max_sentence 256)
 *                   instead of max_word 4096, max_sentence 16384
 *   next 1..4 bytes chunk sizes minus 1, used in turn to cut the stream
 *   the rest        the byte stream fed to the parser
 *
 * Every completed sentence goes through every accessor, and its words are
 * re-encoded and parsed again, which must give the same words. The
 * sentences, gathered into one reply, then go through every row parser
 * (interfaces, simple queues, kid-control devices, DHCP leases), whose
 * rows are checked against the sentences they came from, whose refusals
 * must carry a bounded printable message, and whose indexes must find
 * every row's first occurrence. Any broken invariant aborts, so libFuzzer
 * reports it as a crash.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routeros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void touch(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * 31u + b[i];
	sink += h;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

/* Re-encodes s with the library's encoder, parses it again and checks the
 * words are the same. */
static void check_round_trip(const ros_sentence *s, size_t max_word, size_t max_sentence)
{
	struct ros_buf b = {0};
	size_t wc = ros_sentence_word_count(s);
	ros_parser *p;
	ros_sentence *again;
	long n;

	for (size_t i = 0; i < wc; i++) {
		struct ros_word w = ros_sentence_word(s, i);

		if (ros_buf_add_word(&b, w.data, w.len) != ROS_OK)
			goto out;
	}
	if (ros_buf_add_word(&b, "", 0) != ROS_OK)
		goto out;
	p = ros_parser_new(max_word, max_sentence);
	if (p == NULL)
		goto out;
	n = ros_parser_feed(p, b.data, b.len);
	if (n == ROS_ERR_NOMEM) {
		ros_parser_free(p);
		goto out;
	}
	CHECK(n == (long)b.len);
	again = ros_parser_take(p);
	CHECK(again != NULL);
	CHECK(ros_sentence_type(again) == ros_sentence_type(s));
	CHECK(ros_sentence_word_count(again) == wc);
	CHECK(ros_sentence_attr_count(again) == ros_sentence_attr_count(s));
	for (size_t i = 0; i < wc; i++) {
		struct ros_word a = ros_sentence_word(s, i);
		struct ros_word c = ros_sentence_word(again, i);

		CHECK(a.len == c.len);
		CHECK(a.len == 0 || memcmp(a.data, c.data, a.len) == 0);
	}
	ros_sentence_free(again);
	ros_parser_free(p);
out:
	ros_buf_free(&b);
}

/* Calls every accessor and checks what routeros.h promises. */
static void exercise(const ros_sentence *s)
{
	enum ros_reply_type t = ros_sentence_type(s);
	size_t wc = ros_sentence_word_count(s);
	size_t ac = ros_sentence_attr_count(s);
	struct ros_word w0;
	const char *v;
	size_t len;

	CHECK(t >= ROS_REPLY_RE && t <= ROS_REPLY_EMPTY);
	CHECK(ros_reply_type_name(t) != NULL);
	CHECK(wc >= 1);
	CHECK(ac < wc);
	w0 = ros_sentence_word(s, 0);
	CHECK(w0.len >= 2 && w0.data[0] == '!');

	for (size_t i = 0; i < wc; i++) {
		struct ros_word w = ros_sentence_word(s, i);

		CHECK(w.data != NULL);
		CHECK(w.data[w.len] == '\0');
		touch(w.data, w.len);
	}

	len = 1;
	v = ros_sentence_tag(s, &len);
	if (v != NULL)
		touch(v, len);
	else
		CHECK(len == 0);

	for (size_t i = 0; i < ac; i++) {
		struct ros_word k = {0}, val = {0};
		char key[4200];
		size_t glen = 0;
		const char *g;

		ros_sentence_attr_at(s, i, &k, &val);
		CHECK(k.len == 0 || k.data != NULL);
		CHECK(val.len == 0 || val.data != NULL);
		touch(k.data, k.len);
		touch(val.data, val.len);
		if (k.len >= sizeof(key) || memchr(k.data, '\0', k.len) != NULL)
			continue;
		memcpy(key, k.data, k.len);
		key[k.len] = '\0';
		/* get returns the first attribute with this key. */
		g = ros_sentence_get(s, key, &glen);
		CHECK(g != NULL);
		CHECK(g[glen] == '\0');
		for (size_t j = 0; j <= i; j++) {
			struct ros_word kj = {0}, vj = {0};

			ros_sentence_attr_at(s, j, &kj, &vj);
			if (kj.len == k.len && memcmp(kj.data, k.data, k.len) == 0) {
				CHECK(glen == vj.len);
				CHECK(glen == 0 || memcmp(g, vj.data, glen) == 0);
				break;
			}
		}
	}

	len = 0;
	v = ros_sentence_get(s, "message", &len);
	if (v != NULL)
		touch(v, len);
	v = ros_sentence_fatal_reason(s, &len);
	CHECK((v != NULL) == (t == ROS_REPLY_FATAL));
	if (v != NULL)
		touch(v, len);
}

/* ------------------------------------------------------------------ */
/* The row parsers on the reply the sentences make                     */
/* ------------------------------------------------------------------ */

/* Whether a row parser refused (rc not ROS_OK); a refusal's message must
 * be set, bounded, one line of printable ASCII. */
static bool refused(int rc, const char *err)
{
	size_t len = strlen(err);

	if (rc == ROS_OK)
		return false;
	CHECK(rc == ROS_ERR_PROTOCOL || rc == ROS_ERR_NOMEM);
	if (rc == ROS_ERR_PROTOCOL) {
		CHECK(len > 0 && len < ROS_ROW_ERR_SIZE);
		for (size_t i = 0; i < len; i++)
			CHECK(err[i] >= 0x20 && err[i] < 0x7f);
	}
	return true;
}

/* The !re sentence number k (0-based) of r. */
static const ros_sentence *row_sentence(const ros_reply *r, size_t k)
{
	for (size_t i = 0; i < ros_reply_count(r); i++) {
		const ros_sentence *s = ros_reply_sentence(r, i);

		if (ros_sentence_type(s) == ROS_REPLY_RE && k-- == 0)
			return s;
	}
	abort();
}

/* A string property copied as the row parsers promise: the value's bytes,
 * or "" when the property is absent. */
static void check_copy(const ros_sentence *s, const char *key, const char *got)
{
	size_t len = 0;
	const char *v = ros_sentence_get(s, key, &len);

	CHECK(got != NULL);
	CHECK(strlen(got) == (v ? len : 0));
	CHECK(!v || memcmp(got, v, len) == 0);
}

/* Decimal digits with no overflow, independently of ros_parse_u64. */
static int decimal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
			return -1;
	}
	*out = v;
	return 0;
}

static void check_queues(const ros_reply *r)
{
	struct ros_queue_counters *v = NULL;
	const struct ros_queue_counters **index;
	char err[ROS_ROW_ERR_SIZE] = "";
	size_t n = 0;

	if (refused(ros_queues_parse(r, &v, &n, err, sizeof err), err))
		return;
	CHECK(n == ros_reply_rows(r));
	for (size_t k = 0; k < n; k++) {
		const ros_sentence *s = row_sentence(r, k);
		size_t len = 0;
		const char *bytes = ros_sentence_get(s, "bytes", &len);
		const char *slash = bytes ? memchr(bytes, '/', len) : NULL;
		uint64_t up = 0, down = 0;

		check_copy(s, ".id", v[k].id);
		check_copy(s, "name", v[k].name);
		check_copy(s, "target", v[k].target);
		check_copy(s, "comment", v[k].comment);
		CHECK(slash != NULL);
		CHECK(decimal(bytes, (size_t)(slash - bytes), &up) == 0 && up == v[k].up_bytes);
		CHECK(decimal(slash + 1, len - (size_t)(slash - bytes) - 1, &down) == 0 &&
		      down == v[k].down_bytes);
		CHECK(v[k].disabled >= -1 && v[k].disabled <= 1);
	}
	index = ros_queues_index(v, n);
	if (index) {
		for (size_t k = 0; k < n; k++) {
			const struct ros_queue_counters *hit = ros_queues_find(index, n, v[k].name);

			CHECK(hit != NULL && hit <= &v[k] && strcmp(hit->name, v[k].name) == 0);
		}
		free(index);
	}
	ros_queues_free(v, n);
}

/* mac is what ros_parse_mac makes of the raw value of key in s. */
static void check_mac(const ros_sentence *s, const char *key, const char *mac)
{
	size_t len = 0;
	const char *raw = ros_sentence_get(s, key, &len);
	char again[18];

	CHECK(raw != NULL && strlen(mac) == 17);
	CHECK(ros_parse_mac(raw, len, again) == ROS_OK && strcmp(again, mac) == 0);
	CHECK(ros_parse_mac(mac, 17, again) == ROS_OK && strcmp(again, mac) == 0);
}

static void check_devices(const ros_reply *r, const struct ros_lease *const *leases, size_t nl)
{
	struct ros_device_counters *v = NULL;
	const struct ros_device_counters **index;
	char err[ROS_ROW_ERR_SIZE] = "";
	unsigned char addr[16];
	size_t n = 0;

	if (refused(ros_devices_parse(r, &v, &n, err, sizeof err), err))
		return;
	CHECK(n == ros_reply_rows(r));
	for (size_t k = 0; k < n; k++) {
		const ros_sentence *s = row_sentence(r, k);
		const char *shown = ros_device_display_name(&v[k], leases, nl);

		check_copy(s, ".id", v[k].id);
		check_copy(s, "name", v[k].name);
		check_copy(s, "user", v[k].user);
		check_copy(s, "ip-address", v[k].ip);
		check_mac(s, "mac-address", v[k].mac);
		CHECK(!v[k].ip[0] || inet_pton(AF_INET, v[k].ip, addr) == 1 ||
		      inet_pton(AF_INET6, v[k].ip, addr) == 1);
		CHECK(shown != NULL);
		CHECK(shown == v[k].name || shown == v[k].mac || !v[k].name[0]);
		if (shown != v[k].name && shown != v[k].mac) {
			const struct ros_lease *l = ros_leases_find(leases, nl, v[k].mac);

			CHECK(l != NULL && shown[0] != '\0');
		}
	}
	index = ros_devices_index(v, n);
	if (index) {
		for (size_t k = 0; k < n; k++) {
			const ros_sentence *s = row_sentence(r, k);
			size_t len = 0;
			const char *raw = ros_sentence_get(s, "mac-address", &len);
			const struct ros_device_counters *hit =
			        ros_devices_find(index, n, v[k].mac);

			CHECK(hit != NULL && hit <= &v[k] && strcmp(hit->mac, v[k].mac) == 0);
			/* The router's own spelling finds it too (it has no NUL). */
			CHECK(raw != NULL && len == 17 && ros_devices_find(index, n, raw) == hit);
		}
		free(index);
	}
	ros_devices_free(v, n);
}

/* Parses the leases (NULL on refusal) and checks them. */
static struct ros_lease *check_leases(const ros_reply *r, size_t *n)
{
	struct ros_lease *v = NULL;
	char err[ROS_ROW_ERR_SIZE] = "";
	size_t k = 0;

	if (refused(ros_leases_parse(r, &v, n, err, sizeof err), err))
		return NULL;
	CHECK(*n <= ros_reply_rows(r));
	/* Rows without a MAC are left out: match the rest in order. */
	for (size_t i = 0; i < ros_reply_count(r); i++) {
		const ros_sentence *s = ros_reply_sentence(r, i);
		size_t len = 0;

		if (ros_sentence_type(s) != ROS_REPLY_RE ||
		    !ros_sentence_get(s, "mac-address", &len) || len == 0)
			continue;
		CHECK(k < *n);
		check_mac(s, "mac-address", v[k].mac);
		check_copy(s, "address", v[k].address);
		check_copy(s, "host-name", v[k].host_name);
		check_copy(s, "comment", v[k].comment);
		k++;
	}
	CHECK(k == *n);
	return v;
}

static void check_counters(const ros_reply *r)
{
	struct ros_iface_counters *v = NULL;
	const struct ros_iface_counters **index;
	size_t n = 0;

	if (ros_counters_parse(r, &v, &n) != ROS_OK)
		return;
	CHECK(n == ros_reply_rows(r));
	index = ros_counters_index(v, n);
	for (size_t k = 0; index && k < n; k++) {
		const struct ros_iface_counters *hit = ros_counters_find(index, n, v[k].name);

		check_copy(row_sentence(r, k), "name", v[k].name);
		CHECK(hit != NULL && hit <= &v[k] && strcmp(hit->name, v[k].name) == 0);
	}
	free(index);
	ros_counters_free(v, n);
}

/* Every row parser on r, the leases naming the devices. */
static void check_rows(const ros_reply *r)
{
	size_t nl = 0;
	struct ros_lease *leases = check_leases(r, &nl);
	const struct ros_lease **index = leases ? ros_leases_index(leases, nl) : NULL;

	check_counters(r);
	check_queues(r);
	check_devices(r, index, index ? nl : 0);
	free(index);
	ros_leases_free(leases, nl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t ntab, max_word, max_sentence, off, turn = 0;
	ros_parser *p;
	ros_reply *reply;

	if (size < 2)
		return 0;
	ntab = (size_t)(data[0] & 3u) + 1;
	if (size < 1 + ntab)
		return 0;
	max_word = (data[0] & 4u) ? 64 : 4096;
	max_sentence = (data[0] & 4u) ? 256 : 16384;

	{
		/* The codec's prefix functions on the raw stream too. */
		uint32_t len = 0;
		unsigned char enc[5];
		int k = ros_length_decode(data + 1 + ntab, size - 1 - ntab, &len);

		CHECK(k == ROS_ERR_PROTOCOL || (k >= 0 && k <= 5));
		if (k > 0) {
			size_t e = ros_length_encode(len, enc);
			uint32_t back = 0;

			CHECK(e >= 1 && e <= (size_t)k);
			CHECK(ros_length_decode(enc, e, &back) == (int)e && back == len);
		}
	}

	p = ros_parser_new(max_word, max_sentence);
	if (p == NULL)
		return 0;
	reply = ros_reply_new();
	off = 1 + ntab;
	while (off < size) {
		size_t chunk = (size_t)data[1 + turn % ntab] + 1;
		long n;
		ros_sentence *s;
		int took = 0;

		turn++;
		if (chunk > size - off)
			chunk = size - off;
		n = ros_parser_feed(p, data + off, chunk);
		if (n < 0) {
			const char *e = ros_parser_error(p);

			CHECK(n == ROS_ERR_PROTOCOL || n == ROS_ERR_TOO_BIG || n == ROS_ERR_NOMEM);
			CHECK(e != NULL && e[0] != '\0');
			touch(e, strlen(e));
			break;
		}
		CHECK((size_t)n <= chunk);
		off += (size_t)n;
		while ((s = ros_parser_take(p)) != NULL) {
			took = 1;
			exercise(s);
			check_round_trip(s, max_word, max_sentence);
			/* The reply takes s (and frees it on ROS_ERR_NOMEM). */
			if (!reply || ros_reply_add(reply, s) != ROS_OK) {
				if (!reply)
					ros_sentence_free(s);
				ros_reply_free(reply);
				reply = NULL;
			}
		}
		/* No progress without a sentence would loop forever. */
		CHECK(n > 0 || took);
	}
	ros_parser_free(p);
	if (reply)
		check_rows(reply);
	ros_reply_free(reply);
	return 0;
}
