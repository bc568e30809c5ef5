/*
 * assets.h — the dashboard's files, embedded in the daemon.
 *
 * A generated C file (CMake variable TIKSTAT_ASSETS_C; without it
 * assets_fallback.c, made by cmake/EmbedAsset.cmake from the minimal page
 * daemon/fallback/index.html) defines tikstat_assets[0..count).
 * The HTTP server serves GET / as the entry with path "/index.html"
 * (Cache-Control: no-cache) and every other path exactly as listed; paths
 * under /assets/ are fingerprinted, so they are cached for a year
 * ("public, max-age=31536000, immutable"). Each entry:
 *
 *   path          "/index.html", "/assets/app.3f2a9c.js" (absolute, no "..")
 *   content_type  the full Content-Type value ("text/html; charset=utf-8")
 *   data, len     the file's bytes
 *   gz, gz_len    the same bytes gzip-compressed, or NULL/0 when that does
 *                 not pay (sent when the client accepts gzip)
 *   etag          a strong entity tag, quotes included ("\"3f2a9c0b\""),
 *                 the same for data and gz; If-None-Match with it gives 304
 *
 * Everything is static, read-only data shared by all threads.
 */
#ifndef TIKSTAT_ASSETS_H
#define TIKSTAT_ASSETS_H

#include <stddef.h>

struct tikstat_asset {
	const char *path;
	const char *content_type;
	const unsigned char *data;
	size_t len;
	const unsigned char *gz;
	size_t gz_len;
	const char *etag;
};

extern const struct tikstat_asset tikstat_assets[];
extern const size_t tikstat_assets_count;

#endif
