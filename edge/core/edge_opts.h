/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options of relais-edge (docs/webrtc.md, "Running relais-edge"). */
#ifndef EDGE_OPTS_H
#define EDGE_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include <relais/srtp_profile.h>

#include "cp_redis.h"
#include "edge_http_ice.h"

struct edge_opts {
	char node[33];        /* this node's id, as relais-controlplane --node */
	char keyring[256];    /* deployment keys: participants' keys are stored wrapped */
	char link[108];       /* the dataplane's edge.socket */
	char media_ip4[64];   /* the media address browsers reach (host candidate) */
	char media_ip6[64];   /* optional second candidate */
	uint16_t media_port;  /* the dataplane's media.port */
	char http[64];        /* WHIP/WHEP listen address "ip:port" */
	char public_url[256]; /* this node's WHIP/WHEP base URL, for redirects to it */
	char tls_cert[256];   /* HTTPS when both are given */
	char tls_key[256];
	char cors_origin[256];  /* "" = "*" */
	char pages[256];        /* directory of the publish/watch pages, "" = none */
	char token_secret[256]; /* file with the JWT HS256 shared secret */
	char dtls_cert[256];    /* node certificate (PEM); "" = ephemeral P-256 */
	char dtls_key[256];
	uint32_t max_sessions;  /* sessions (joins in progress and joined) */
	uint32_t max_half_open; /* DTLS handshakes in progress */
	uint32_t consent_ms;    /* consent lapse: a session ends this long after its last check */
	/* --srtp-profiles: DTLS-SRTP profiles (enum relais_srtp_profile), most
	 * preferred first; n_profiles 0 = the DTLS context's default order. */
	uint16_t profiles[RELAIS_SRTP_PROFILE_COUNT];
	size_t n_profiles;
	char status_file[256]; /* status JSON rewritten every second, "" = none */
	/* --turn-url (repeatable), --turn-secret, --turn-ttl: ICE servers for
	 * clients, as Link headers (docs/webrtc.md, TURN) */
	char turn_urls[EDGE_HTTP_ICE_MAX_URLS][EDGE_HTTP_ICE_URL_MAX + 1];
	unsigned n_turn_urls;
	char turn_secret[256];
	uint32_t turn_ttl;
	struct cp_redis_cfg redis;
};

/* Defaults, environment (RELAIS_REDIS...), then argv. 0, 1 (help printed)
 * or -EINVAL (message printed). */
int edge_opts_parse(struct edge_opts *o, int argc, char **argv);

/* Parse a --srtp-profiles list: relais profile names (any form of
 * relais_srtp_profile_by_name) separated by commas, most preferred first,
 * into ids[0..*n) (cap entries). 0, or -EINVAL with the reason in err: an
 * empty list or name, an unknown name, a profile without a DTLS-SRTP id, a
 * name given twice, more than cap names. */
int edge_opts_profiles(const char *list, uint16_t *ids, size_t cap, size_t *n, char *err,
		       size_t en);

#endif /* EDGE_OPTS_H */
