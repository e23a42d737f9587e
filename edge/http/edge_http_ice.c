/* SPDX-License-Identifier: BSD-3-Clause */
/* ICE servers as Link headers with TURN REST credentials (edge_http_ice.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "edge_http_ice.h"

/* See header. */
int edge_http_ice_url_check(const char *url)
{
	size_t n = strnlen(url, EDGE_HTTP_ICE_URL_MAX + 1);

	if (n == 0 || n > EDGE_HTTP_ICE_URL_MAX)
		return -EINVAL;
	if (strncmp(url, "stun:", 5) != 0 && strncmp(url, "turn:", 5) != 0 &&
	    strncmp(url, "turns:", 6) != 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (url[i] <= ' ' || url[i] > '~' || strchr("<>\"", url[i]))
			return -EINVAL;
	return 0;
}

/* The TURN REST password of username: base64(HMAC-SHA1(secret, username))
 * into out (at least 29 bytes). 0 or -EIO. */
static int rest_password(const struct edge_http_ice_servers *s, const char *username, char *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;

	if (HMAC(EVP_sha1(), s->secret, (int)s->secret_len, (const unsigned char *)username,
		 strlen(username), mac, &mac_len) == NULL ||
	    mac_len != 20)
		return -EIO;
	EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

/* See header. */
int edge_http_ice_link(const struct edge_http_ice_servers *s, unsigned i, uint32_t participant,
		       time_t now, char *out)
{
	char username[48], password[32];
	const char *url;
	int rc;

	if (i >= s->n_urls || s->urls[i] == NULL)
		return -EINVAL;
	url = s->urls[i];
	if (strncmp(url, "stun:", 5) == 0) {
		snprintf(out, EDGE_HTTP_ICE_LINK_MAX, "<%s>; rel=\"ice-server\"", url);
		return 0;
	}
	if (s->secret == NULL || s->secret_len == 0)
		return -EINVAL;
	snprintf(username, sizeof(username), "%lld:%u",
		 (long long)now + (s->ttl_s ? s->ttl_s : 3600), participant);
	rc = rest_password(s, username, password);
	if (rc == 0)
		snprintf(out, EDGE_HTTP_ICE_LINK_MAX,
			 "<%s>; rel=\"ice-server\"; username=\"%s\"; credential=\"%s\"; "
			 "credential-type=\"password\"",
			 url, username, password);
	OPENSSL_cleanse(password, sizeof(password));
	return rc;
}
