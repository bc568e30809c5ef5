/*
 * devices.c — devices as RouterOS 7 tracks them (/ip/kid-control/device),
 * keyed by MAC address, and the DHCP leases (/ip/dhcp-server/lease) that
 * name them: MAC parsing, the rows, the indexes by MAC, the display name.
 */
#include "internal.h"
#include "text.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int ros_parse_mac(const char *s, size_t len, char out[18])
{
	static const char hex[] = "0123456789ABCDEF";
	char mac[18];
	/* "AA:BB:CC:DD:EE:FF": 6 pairs, 5 separators. */
	if (len != 17 || (s[2] != ':' && s[2] != '-'))
		return ROS_ERR_ARG;
	for (size_t i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = text_hex_value((unsigned char)p[0]);
		int lo = text_hex_value((unsigned char)p[1]);
		if (hi < 0 || lo < 0 || (i < 5 && p[2] != s[2]))
			return ROS_ERR_ARG;
		mac[3 * i] = hex[hi];
		mac[3 * i + 1] = hex[lo];
		mac[3 * i + 2] = i < 5 ? ':' : '\0';
	}
	memcpy(out, mac, sizeof mac);
	return ROS_OK;
}

/* Property key as a normalised MAC in *out. An absent or empty one is
 * ROW_SKIP when skip_empty, else reported. */
static int row_mac(const struct row_ctx *ctx, const char *key, bool skip_empty, char **out)
{
	size_t len = 0;
	const char *v = ros_sentence_get(ctx->s, key, &len);
	char mac[18];
	if ((!v || len == 0) && skip_empty)
		return ROW_SKIP;
	if (!v)
		return row_fail(ctx, "no %s", key);
	if (ros_parse_mac(v, len, mac) != ROS_OK) {
		char quoted[ROW_QUOTE_SIZE];
		row_quote(quoted, sizeof quoted, v, len);
		return row_fail(ctx, "%s \"%s\" is not a MAC address", key, quoted);
	}
	*out = row_dup(mac, 17);
	return *out ? ROS_OK : ROS_ERR_NOMEM;
}

/* Property key as an IPv4 or IPv6 address, or "" when absent or empty:
 * it reaches the API and the dashboard, so nothing else passes. */
static int row_ip(const struct row_ctx *ctx, const char *key, char **out)
{
	size_t len = 0;
	const char *v = ros_sentence_get(ctx->s, key, &len);
	unsigned char addr[16];
	if (!v)
		len = 0;
	/* v is NUL-terminated; an address is short and holds no NUL. */
	if (len > 0 && (len >= 64 || memchr(v, '\0', len) ||
	                (inet_pton(AF_INET, v, addr) != 1 && inet_pton(AF_INET6, v, addr) != 1))) {
		char quoted[ROW_QUOTE_SIZE];
		row_quote(quoted, sizeof quoted, v, len);
		return row_fail(ctx, "%s \"%s\" is not an IP address", key, quoted);
	}
	*out = row_dup(len ? v : "", len);
	return *out ? ROS_OK : ROS_ERR_NOMEM;
}

/* ------------------------------------------------------------------ */
/* Kid-control devices                                                 */
/* ------------------------------------------------------------------ */

static const char devices_command[] = "/ip/kid-control/device/print";
static const char devices_proplist[] =
        "=.proplist=.id,mac-address,ip-address,name,user,bytes-up,bytes-down";
const char *const ros_devices_words[2] = {devices_command, devices_proplist};

void ros_devices_free(struct ros_device_counters *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].mac);
		free(v[i].ip);
		free(v[i].name);
		free(v[i].user);
	}
	free(v);
}

static int parse_device(const struct row_ctx *ctx, void *row)
{
	struct ros_device_counters *d = row;
	int rc = row_string(ctx, ".id", true, &d->id);
	if (!rc)
		rc = row_mac(ctx, "mac-address", false, &d->mac);
	if (!rc)
		rc = row_ip(ctx, "ip-address", &d->ip);
	if (!rc)
		rc = row_string(ctx, "name", false, &d->name);
	if (!rc)
		rc = row_string(ctx, "user", false, &d->user);
	if (!rc)
		rc = row_u64(ctx, "bytes-up", true, &d->up_bytes);
	if (!rc)
		rc = row_u64(ctx, "bytes-down", true, &d->down_bytes);
	return rc;
}

static void free_devices(void *v, size_t n)
{
	ros_devices_free(v, n);
}

static const struct row_kind device_rows = {
        "kid-control device", sizeof(struct ros_device_counters), parse_device, free_devices};

int ros_devices_parse(const ros_reply *r, struct ros_device_counters **out, size_t *n, char *err,
                      size_t errsz)
{
	void *v = NULL;
	int rc = rows_parse(r, &device_rows, &v, n, err, errsz);
	if (rc == ROS_OK)
		*out = v;
	return rc;
}

int ros_read_devices(ros_conn *c, struct ros_device_counters **out, size_t *nout)
{
	void *v = NULL;
	int rc = rows_read(c, devices_command, devices_proplist, NULL, 0, &device_rows, &v, nout);
	if (rc == ROS_OK)
		*out = v;
	return rc;
}

/* Entry i of an index of devices: its MAC. */
static const char *device_mac_at(const void *index, size_t i)
{
	return ((const struct ros_device_counters *const *)index)[i]->mac;
}

const struct ros_device_counters **ros_devices_index(const struct ros_device_counters *v, size_t n)
{
	const struct ros_device_counters **index = NULL;
	size_t *order = rows_order(v, n, sizeof *v, offsetof(struct ros_device_counters, mac));
	if (order && (index = calloc(n ? n : 1, sizeof *index)))
		for (size_t i = 0; i < n; i++)
			index[i] = &v[order[i]];
	free(order);
	return index;
}

/* The position of the first entry with MAC mac (any accepted form) in an
 * index sorted by the normalised MACs, or n. */
static size_t find_mac(const void *index, size_t n, index_key_fn key, const char *mac)
{
	char want[18];
	if (!mac || ros_parse_mac(mac, strlen(mac), want) != ROS_OK)
		return n;
	return rows_find(index, n, key, want);
}

const struct ros_device_counters *ros_devices_find(const struct ros_device_counters *const *index,
                                                   size_t n, const char *mac)
{
	size_t i = find_mac(index, n, device_mac_at, mac);
	return i < n ? index[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* DHCP leases                                                         */
/* ------------------------------------------------------------------ */

static const char leases_command[] = "/ip/dhcp-server/lease/print";
static const char leases_proplist[] = "=.proplist=mac-address,address,host-name,comment";
const char *const ros_leases_words[2] = {leases_command, leases_proplist};

void ros_leases_free(struct ros_lease *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].mac);
		free(v[i].address);
		free(v[i].host_name);
		free(v[i].comment);
	}
	free(v);
}

static int parse_lease(const struct row_ctx *ctx, void *row)
{
	struct ros_lease *l = row;
	int rc = row_mac(ctx, "mac-address", true, &l->mac);
	if (!rc)
		rc = row_string(ctx, "address", false, &l->address);
	if (!rc)
		rc = row_string(ctx, "host-name", false, &l->host_name);
	if (!rc)
		rc = row_string(ctx, "comment", false, &l->comment);
	return rc;
}

static void free_leases(void *v, size_t n)
{
	ros_leases_free(v, n);
}

static const struct row_kind lease_rows = {"DHCP lease", sizeof(struct ros_lease), parse_lease,
                                           free_leases};

int ros_leases_parse(const ros_reply *r, struct ros_lease **out, size_t *n, char *err, size_t errsz)
{
	void *v = NULL;
	int rc = rows_parse(r, &lease_rows, &v, n, err, errsz);
	if (rc == ROS_OK)
		*out = v;
	return rc;
}

int ros_read_leases(ros_conn *c, struct ros_lease **out, size_t *nout)
{
	void *v = NULL;
	int rc = rows_read(c, leases_command, leases_proplist, NULL, 0, &lease_rows, &v, nout);
	if (rc == ROS_OK)
		*out = v;
	return rc;
}

/* Entry i of an index of leases: its MAC. */
static const char *lease_mac_at(const void *index, size_t i)
{
	return ((const struct ros_lease *const *)index)[i]->mac;
}

const struct ros_lease **ros_leases_index(const struct ros_lease *v, size_t n)
{
	const struct ros_lease **index = NULL;
	size_t *order = rows_order(v, n, sizeof *v, offsetof(struct ros_lease, mac));
	if (order && (index = calloc(n ? n : 1, sizeof *index)))
		for (size_t i = 0; i < n; i++)
			index[i] = &v[order[i]];
	free(order);
	return index;
}

const struct ros_lease *ros_leases_find(const struct ros_lease *const *index, size_t n,
                                        const char *mac)
{
	size_t i = find_mac(index, n, lease_mac_at, mac);
	return i < n ? index[i] : NULL;
}

/* The first non-empty host-name (or comment) among the leases of index
 * from position i on that have MAC mac (they are adjacent), or NULL. */
static const char *lease_name(const struct ros_lease *const *index, size_t n, size_t i,
                              const char *mac, bool comment)
{
	for (; i < n && strcmp(index[i]->mac, mac) == 0; i++) {
		const char *v = comment ? index[i]->comment : index[i]->host_name;
		if (v[0])
			return v;
	}
	return NULL;
}

const char *ros_device_display_name(const struct ros_device_counters *d,
                                    const struct ros_lease *const *leases, size_t n)
{
	if (d->name[0])
		return d->name;
	size_t i = leases ? rows_find(leases, n, lease_mac_at, d->mac) : n;
	const char *name = lease_name(leases, n, i, d->mac, false);
	if (!name)
		name = lease_name(leases, n, i, d->mac, true);
	return name ? name : d->mac;
}
