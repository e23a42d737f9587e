/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options of relais-edge (edge_opts.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp_opts.h"
#include "cp_statusfile.h"
#include "cp_util.h"
#include "edge_ice.h"
#include "edge_opts.h"

/* Print the usage of prog. */
static void usage(const char *prog)
{
	printf(
	    "usage: %s --node ID --keyring FILE --link SOCKET --media-ip IP --http IP:PORT\n"
	    "       --token-secret FILE [options]\n"
	    "  --node ID                this node's id (as relais-controlplane --node)\n"
	    "  --keyring FILE           deployment keys (participants' keys are stored wrapped)\n"
	    "  --link SOCKET            the dataplane's edge.socket\n"
	    "  --media-ip IP            the media address browsers reach (IPv4)\n"
	    "  --media-ip6 IP           a second, IPv6, media address\n"
	    "  --media-port N           the dataplane's media.port (default 5000)\n"
	    "  --http IP:PORT           WHIP/WHEP listen address\n"
	    "  --public-url URL         this node's base URL for redirects (default http://HTTP)\n"
	    "  --tls-cert F --tls-key F serve HTTPS with this certificate and key (PEM)\n"
	    "  --cors-origin ORIGIN     Access-Control-Allow-Origin (default *)\n"
	    "  --pages DIR              serve the publish/watch pages of DIR\n"
	    "  --token-secret FILE      the JWT HS256 secret shared with the application\n"
	    "  --dtls-cert F --dtls-key F  node DTLS certificate (default: ephemeral P-256)\n"
	    "  --max-sessions N         sessions at once (default 4096, at most 65536)\n"
	    "  --max-half-open N        DTLS handshakes in progress (default 256)\n"
	    "  --status-file PATH       write the status JSON (every counter) there each second\n"
	    "  --turn-url URL           a TURN (or STUN) server for clients, sent as a Link\n"
	    "                           header with a TURN REST credential (up to 4 times)\n"
	    "  --turn-secret FILE       the TURN server's static-auth-secret\n"
	    "  --turn-ttl S             lifetime of a TURN credential (default 3600)\n"
	    "  --consent-ms N           end a session this long after its last ICE check\n"
	    "                           (default 30000, RFC 7675)\n"
	    "  --srtp-profiles LIST     DTLS-SRTP profiles, comma list, most preferred first\n"
	    "                           (default AEAD_AES_256_GCM,AEAD_AES_128_GCM,\n"
	    "                           "
	    "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32)\n" CP_OPTS_REDIS_HELP,
	    prog);
}

/* Copy a into the string option field of n bytes; -EINVAL when too long. */
static int copy(char *field, size_t n, const char *a)
{
	return snprintf(field, n, "%s", a) < (int)n ? 0 : -EINVAL;
}

/* A decimal option within lo..hi. */
static int number(const char *a, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint32_t v;

	if (cp_parse_u32(a, &v) < 0 || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* See edge_opts.h. */
int edge_opts_profiles(const char *list, uint16_t *ids, size_t cap, size_t *n, char *err, size_t en)
{
	const char *p = list;

	*n = 0;
	do {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char name[64];
		const struct relais_srtp_profile_info *info;

		if (len == 0 || len >= sizeof(name)) {
			snprintf(err, en, "empty or overlong profile name in '%s'", list);
			return -EINVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		info = relais_srtp_profile_by_name(name);
		if (info == NULL) {
			snprintf(err, en,
				 "unknown SRTP profile '%s' (relais-cli profiles lists them)",
				 name);
			return -EINVAL;
		}
		if (info->dtls_name == NULL) {
			snprintf(err, en, "SRTP profile '%s' has no DTLS-SRTP id (SDES only)",
				 name);
			return -EINVAL;
		}
		for (size_t i = 0; i < *n; i++)
			if (ids[i] == (uint16_t)info->id) {
				snprintf(err, en, "SRTP profile '%s' given twice", name);
				return -EINVAL;
			}
		if (*n == cap) {
			snprintf(err, en, "more than %zu SRTP profiles", cap);
			return -EINVAL;
		}
		ids[(*n)++] = (uint16_t)info->id;
		p = comma ? comma + 1 : NULL;
	} while (p);
	return 0;
}

/* The --srtp-profiles option of e from list; 0 or -EINVAL (printed). */
static int apply_profiles(struct edge_opts *e, const char *list)
{
	char err[160];

	if (edge_opts_profiles(list, e->profiles, RELAIS_SRTP_PROFILE_COUNT, &e->n_profiles, err,
			       sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "relais-edge: --srtp-profiles: %s\n", err);
	return -EINVAL;
}

/* Apply option o with argument a. 0, or -EINVAL. */
static int apply(struct edge_opts *e, const char *o, const char *a)
{
	uint32_t port = 0;
	int rc;
#define STR(name, field)          \
	if (strcmp(o, name) == 0) \
		return copy(field, sizeof(field), a);
	STR("node", e->node)
	STR("keyring", e->keyring)
	STR("link", e->link)
	STR("media-ip", e->media_ip4)
	STR("media-ip6", e->media_ip6)
	STR("http", e->http)
	STR("public-url", e->public_url)
	STR("tls-cert", e->tls_cert)
	STR("tls-key", e->tls_key)
	STR("cors-origin", e->cors_origin)
	STR("pages", e->pages)
	STR("token-secret", e->token_secret)
	STR("dtls-cert", e->dtls_cert)
	STR("dtls-key", e->dtls_key)
	STR("turn-secret", e->turn_secret)
#undef STR
	if (strcmp(o, "media-port") == 0) {
		rc = number(a, 1, 65535, &port);
		e->media_port = (uint16_t)port;
		return rc;
	}
	if (strcmp(o, "max-sessions") == 0)
		return number(a, 1, EDGE_ICE_CAPACITY_MAX, &e->max_sessions);
	if (strcmp(o, "max-half-open") == 0)
		return number(a, 1, 1u << 16, &e->max_half_open);
	if (strcmp(o, "consent-ms") == 0)
		return number(a, 1000, 600000, &e->consent_ms);
	if (strcmp(o, "srtp-profiles") == 0)
		return apply_profiles(e, a);
	if (strcmp(o, "turn-url") == 0) {
		if (e->n_turn_urls == EDGE_HTTP_ICE_MAX_URLS || edge_http_ice_url_check(a) < 0)
			return -EINVAL;
		return copy(e->turn_urls[e->n_turn_urls++], sizeof(e->turn_urls[0]), a);
	}
	if (strcmp(o, "turn-ttl") == 0)
		return number(a, 60, 7 * 86400, &e->turn_ttl);
	if (strcmp(o, "status-file") == 0)
		return cp_statusfile_check("relais-edge", a, e->status_file, sizeof(e->status_file),
					   geteuid());
	rc = cp_opts_redis(&e->redis, o, a);
	return rc == 0 ? 0 : -EINVAL;
}

/* Check the options that must be there and go together. 0 or -EINVAL
 * (printed). */
static int check(const struct edge_opts *e, const char *prog)
{
	if (!e->node[0] || !e->keyring[0] || !e->link[0] || !e->media_ip4[0] || !e->http[0] ||
	    !e->token_secret[0]) {
		fprintf(stderr,
			"%s: --node, --keyring, --link, --media-ip, --http and --token-secret are "
			"required\n",
			prog);
		return -EINVAL;
	}
	if (!e->tls_cert[0] != !e->tls_key[0] || !e->dtls_cert[0] != !e->dtls_key[0]) {
		fprintf(stderr, "%s: --tls-cert/--tls-key and --dtls-cert/--dtls-key go in pairs\n",
			prog);
		return -EINVAL;
	}
	for (unsigned i = 0; i < e->n_turn_urls; i++)
		if (strncmp(e->turn_urls[i], "stun:", 5) != 0 && !e->turn_secret[0]) {
			fprintf(stderr, "%s: --turn-url %s needs --turn-secret\n", prog,
				e->turn_urls[i]);
			return -EINVAL;
		}
	return 0;
}

/* See edge_opts.h. */
int edge_opts_parse(struct edge_opts *e, int argc, char **argv)
{
	memset(e, 0, sizeof(*e));
	e->media_port = 5000;
	e->max_sessions = 4096;
	e->max_half_open = 256;
	e->consent_ms = 30000;
	cp_redis_cfg_init(&e->redis);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			usage(argv[0]);
			return 1;
		}
		if (strncmp(o, "--", 2) != 0 || i + 1 == argc || apply(e, o + 2, argv[i + 1]) < 0) {
			fprintf(stderr, "%s: bad option or value: %s%s%s (see --help)\n", argv[0],
				o, i + 1 < argc ? " " : "", i + 1 < argc ? argv[i + 1] : "");
			return -EINVAL;
		}
		i++;
	}
	if (!e->public_url[0])
		snprintf(e->public_url, sizeof(e->public_url), "%s://%s",
			 e->tls_cert[0] ? "https" : "http", e->http);
	return check(e, argv[0]);
}
