/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's own configuration (after the EAL arguments): a small INI
 * file (rte_cfgfile) plus command-line overrides. Every error names the setting.
 * See docs/configuration.md for the operator's view.
 */
#ifndef DP_CONFIG_H
#define DP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_lcore.h>

#define DP_MAX_WORKERS 32
#define DP_MAX_RXQ 32

#define DP_MAX_ALLOW_DST 16

/* An address prefix (media.allow_dst). */
struct dp_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;    /* prefix length in bits */
	uint8_t ip[16];
};

/* Whether ip lies in the prefix net/bits (bytes of either family). Inline:
 * the egress asks it per packet (on-link or through the gateway). */
static inline bool dp_prefix_contains(const uint8_t *net, unsigned bits, const uint8_t *ip)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(net, ip, whole) != 0)
		return false;
	return rest == 0 || ((net[whole] ^ ip[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

struct dp_config {
	/* [media] */
	uint16_t media_port; /* UDP port on every address; default 5000 */
	uint8_t has_ip4, has_ip6;
	uint8_t ip4[4];
	uint8_t ip6[16];
	uint8_t prefix4, prefix6; /* on-link prefix lengths */
	uint8_t has_gw4, has_gw6;
	uint8_t gw4[4], gw6[16]; /* next hop for off-link peers */
	uint16_t vlan;           /* 0 = untagged */
	/* media.allow_dst: participants' addresses must be in one (none: any) */
	struct dp_prefix allow_dst[DP_MAX_ALLOW_DST];
	unsigned n_allow_dst;
	/* media.consent: true (required, the default) sends a participant
	 * nothing until its address consented (struct dp_part's consent);
	 * false is the operator's override. Node-level: no control message
	 * changes it. */
	bool consent_required;
	/* [lcores] */
	unsigned n_workers;
	unsigned workers[DP_MAX_WORKERS]; /* lcore ids that forward */
	unsigned n_rxq;                   /* RX queues on the port */
	unsigned rxq_lcore[DP_MAX_RXQ];   /* queue -> lcore polling it */
	/* [limits] */
	uint32_t max_participants;
	uint32_t max_tracks;
	uint32_t max_subs;
	uint32_t max_subs_per_track; /* limits.subscriptions_per_track */
	uint32_t max_subs_per_part;  /* limits.subscriptions_per_participant */
	uint32_t mbufs;
	uint32_t ring_size;
	uint16_t port_id; /* DPDK port to use; default 0 */
	/* [control] */
	char ctl_socket[108];
	long ctl_gid;           /* control.group: also allowed on ctl_socket; -1 none */
	char stats_socket[108]; /* control.stats_socket: read-only clients; "" none */
	long stats_gid;         /* control.stats_group: group of stats_socket; -1 none */
	char crypto_engine[32];
	char crypto_device[64]; /* cryptodev engine: existing device, "" = own */
	uint32_t tx_drain_us;
	/* [state]: the output index state (docs/crypto.md) */
	char state_dir[256];  /* state.dir: "" = none (restarts with unchanged keys unsafe) */
	uint32_t state_block; /* state.block: indexes reserved ahead per stream */
	/* [xdp]: the XDP filter in front of the port (docs/xdp.md) */
	char xdp_pins[256]; /* xdp.pins: its pinned maps; "" = the port interface's default */
	/* [edge]: the exception path to relais-edge (docs/webrtc.md) */
	char edge_socket[108];     /* edge.socket: "" = no edge link */
	long edge_gid;             /* edge.group; -1 none */
	uint32_t exc_rate_source;  /* edge.rate_per_source: datagrams/s per source */
	uint32_t exc_burst_source; /* edge.burst_per_source */
	uint32_t exc_rate_total;   /* edge.rate_total: datagrams/s per worker, unknown sources */
	/* [process]: whom to become after setup (dp_privs.h) */
	char run_user[64];  /* process.user: "" = stay as started */
	char run_group[64]; /* process.group: "" = the user's primary group */
	long state_uid;     /* owner state.dir must have: -1 this user (dp_privs_prepare) */
	/* [rtcp]: feedback and sender-report budgets (docs/configuration.md) */
	uint32_t nack_rate, nack_burst; /* NACKs/s forwarded per subscriber participant */
	uint32_t sr_rate, sr_burst;     /* SRs/s fanned out per published track */
	/* [neigh]: the next-hop table (docs/operations.md, "Neighbours") */
	uint32_t neigh_entries;  /* neigh.entries: table size */
	uint32_t neigh_stale_s;  /* neigh.stale_s: re-solicited when older */
	uint32_t neigh_expire_s; /* neigh.expire_s: evicted when older */
	/* [offenders]: protected sources (dp_protect.h) */
	uint32_t protect_grace_s;    /* offenders.grace_s: former addresses kept */
	uint32_t protect_former_max; /* offenders.former_max: at most this many */
};

/* Whether media may be sent to ip (family 4 or 6): in one of
 * media.allow_dst's prefixes, or anywhere when none is configured. */
bool dp_config_dst_allowed(const struct dp_config *c, uint8_t family, const uint8_t *ip);

/* Defaults for everything (no addresses). */
void dp_config_defaults(struct dp_config *c);

/*
 * Parse an INI file into c (on top of what is there), read with DPDK's
 * rte_cfgfile: "[section]" headings, "key = value" entries, '#' comments.
 * Refused: unknown settings, bad values, a repeated section, a line that is
 * none of these, a line over CFG_NAME_LEN + CFG_VALUE_LEN characters. On
 * error returns -EINVAL and writes "file:line: section.key: why" into err
 * ("file: why" when the file cannot be opened).
 */
int dp_config_load(struct dp_config *c, const char *path, char *err, size_t errlen);

/* Apply one "section.key=value" override (same rules as the file). */
int dp_config_set(struct dp_config *c, const char *assignment, char *err, size_t errlen);

/*
 * Check the config against the running EAL: at least one address, workers
 * are enabled lcores and not the main lcore, each RX queue maps to a worker.
 * Fills defaults that depend on the workers (rxq map). -EINVAL + err.
 */
int dp_config_validate(struct dp_config *c, char *err, size_t errlen);

#endif /* DP_CONFIG_H */
