/*
 * digest.c — the hashes the API needs: MD5 for the pre-6.43 login and the
 * parsing of SHA-256 certificate fingerprints.
 */
#include "internal.h"
#include "text.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

int ros_login_response(const char *password, const char *challenge_hex, size_t hex_len,
                       char out[35])
{
	unsigned char chal[64];
	if (hex_len == 0 || hex_len % 2 || hex_len / 2 > sizeof chal)
		return ROS_ERR_PROTOCOL;
	for (size_t i = 0; i < hex_len / 2; i++) {
		int hi = text_hex_value((unsigned char)challenge_hex[2 * i]),
		    lo = text_hex_value((unsigned char)challenge_hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ROS_ERR_PROTOCOL;
		chal[i] = (unsigned char)(hi << 4 | lo);
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) && EVP_DigestUpdate(ctx, "", 1) &&
	         EVP_DigestUpdate(ctx, password, strlen(password)) &&
	         EVP_DigestUpdate(ctx, chal, hex_len / 2) && EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok || mdlen != 16)
		return ROS_ERR_NOMEM;
	static const char digits[] = "0123456789abcdef";
	out[0] = '0';
	out[1] = '0';
	for (unsigned i = 0; i < 16; i++) {
		out[2 + 2 * i] = digits[md[i] >> 4];
		out[3 + 2 * i] = digits[md[i] & 15];
	}
	out[34] = '\0';
	return ROS_OK;
}

int fingerprint_parse(const char *text, unsigned char out[32])
{
	if (strncasecmp(text, "sha256:", 7) == 0)
		text += 7;
	size_t n = 0;
	int hi = -1;
	for (const char *p = text; *p; p++) {
		if (*p == ':' || *p == ' ')
			continue;
		int v = text_hex_value((unsigned char)*p);
		if (v < 0 || n == 32)
			return ROS_ERR_ARG;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return n == 32 && hi < 0 ? ROS_OK : ROS_ERR_ARG;
}
