/* SPDX-License-Identifier: BSD-3-Clause */
/* INI configuration of the dataplane (read by rte_cfgfile); every error names
 * the setting and, for the file, its line. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include <relais/ctl_proto.h>

#include "dp_config.h"

/* Set defaults: media port 5000, limits sized for a small node. */
void dp_config_defaults(struct dp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->media_port = 5000;
	c->prefix4 = 24;
	c->prefix6 = 64;
	c->max_participants = 65536;
	c->max_tracks = 131072;
	c->max_subs = 262144;
	c->max_subs_per_track = 16384;
	/* A 7x7 gallery with audio and video (98) plus a screen share fits;
	 * one participant still cannot draw more than 128 streams. */
	c->max_subs_per_part = 128;
	c->consent_required = true;
	c->mbufs = 32767;
	c->ring_size = 4096;
	c->tx_drain_us = 100;
	c->state_block = 4096;
	snprintf(c->ctl_socket, sizeof(c->ctl_socket), "%s", RELAIS_CTL_DEFAULT_SOCK);
	c->ctl_gid = -1;
	c->stats_gid = -1;
	c->edge_gid = -1;
	c->state_uid = -1;
	/* A browser's ICE checks and DTLS flights stay far below these. */
	c->exc_rate_source = 50;
	c->exc_burst_source = 40;
	c->exc_rate_total = 20000;
	/* docs/configuration.md, [rtcp]: far above what browsers and ffmpeg send. */
	c->nack_rate = 50;
	c->nack_burst = 100;
	c->sr_rate = 10;
	c->sr_burst = 20;
	c->neigh_entries = 4096;
	c->neigh_stale_s = 60;
	c->neigh_expire_s = 120;
	/* A client lagging a deletion or a re-key by seconds, or rejoining
	 * within a minute or two, keeps its address safe from bans. */
	c->protect_grace_s = 120;
	c->protect_former_max = 65536;
	snprintf(c->crypto_engine, sizeof(c->crypto_engine), "auto");
}

/* A group by name (or number) as a gid; 0 or -EINVAL (no such group). */
static int parse_group(const char *v, long *gid)
{
	const struct group *g = getgrnam(v);
	char *end;
	long x;

	if (g != NULL) {
		*gid = (long)g->gr_gid;
		return 0;
	}
	errno = 0;
	x = strtol(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 || x > 0x7fffffffL)
		return -EINVAL;
	*gid = x;
	return 0;
}

/* Unsigned integer in [lo, hi]; 0 or -EINVAL. */
static int parse_uint(const char *v, unsigned long lo, unsigned long hi, uint32_t *out)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 0);
	if (errno || end == v || *end != '\0' || x < lo || x > hi)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

/* "addr/len" (len optional) for family 4 or 6. */
static int parse_prefix(const char *v, int family, uint8_t *ip, uint8_t *len)
{
	char buf[64];
	char *slash;
	uint32_t l;

	snprintf(buf, sizeof(buf), "%s", v);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_uint(slash + 1, 1, family == 4 ? 32 : 128, &l) < 0)
			return -EINVAL;
		*len = (uint8_t)l;
	}
	return inet_pton(family == 4 ? AF_INET : AF_INET6, buf, ip) == 1 ? 0 : -EINVAL;
}

/* See dp_config.h. */
bool dp_config_dst_allowed(const struct dp_config *c, uint8_t family, const uint8_t *ip)
{
	if (c->n_allow_dst == 0)
		return true;
	for (unsigned i = 0; i < c->n_allow_dst; i++) {
		const struct dp_prefix *p = &c->allow_dst[i];

		if (p->family == family && dp_prefix_contains(p->ip, p->len, ip))
			return true;
	}
	return false;
}

/* media.consent: "required" or "off". 0 or -EINVAL. */
static int parse_consent(const char *v, bool *required)
{
	if (strcmp(v, "required") != 0 && strcmp(v, "off") != 0)
		return -EINVAL;
	*required = strcmp(v, "required") == 0;
	return 0;
}

/* media.allow_dst: "PREFIX[,PREFIX...]", each IPv4 or IPv6 with an
 * optional /len (default: the whole address). -EINVAL on syntax or more
 * than DP_MAX_ALLOW_DST. */
static int parse_allow_dst(const char *v, struct dp_config *c)
{
	char buf[1024];
	char *save = NULL, *tok;

	if (snprintf(buf, sizeof(buf), "%s", v) >= (int)sizeof(buf))
		return -EINVAL;
	c->n_allow_dst = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct dp_prefix *p = &c->allow_dst[c->n_allow_dst];

		while (*tok == ' ')
			tok++;
		if (c->n_allow_dst == DP_MAX_ALLOW_DST)
			return -EINVAL;
		memset(p, 0, sizeof(*p));
		p->family = strchr(tok, ':') ? 6 : 4;
		p->len = p->family == 4 ? 32 : 128;
		if (parse_prefix(tok, p->family, p->ip, &p->len) < 0)
			return -EINVAL;
		c->n_allow_dst++;
	}
	return c->n_allow_dst ? 0 : -EINVAL;
}

/* "1,2,5-7" into list; -EINVAL on syntax or overflow. */
static int parse_lcore_list(const char *v, unsigned *list, unsigned max, unsigned *n)
{
	char buf[256];
	char *save = NULL, *tok;
	uint32_t a, b;

	snprintf(buf, sizeof(buf), "%s", v);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');

		if (dash)
			*dash = '\0';
		if (parse_uint(tok, 0, RTE_MAX_LCORE - 1, &a) < 0)
			return -EINVAL;
		b = a;
		if (dash && parse_uint(dash + 1, a, RTE_MAX_LCORE - 1, &b) < 0)
			return -EINVAL;
		for (uint32_t i = a; i <= b; i++) {
			if (*n >= max)
				return -EINVAL;
			list[(*n)++] = i;
		}
	}
	return *n ? 0 : -EINVAL;
}

/* "q@lcore,q@lcore" into the RX queue map. */
static int parse_rxq_map(struct dp_config *c, const char *v)
{
	char buf[256];
	char *save = NULL, *tok;
	uint32_t q, l;

	snprintf(buf, sizeof(buf), "%s", v);
	c->n_rxq = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *at = strchr(tok, '@');

		if (!at)
			return -EINVAL;
		*at = '\0';
		if (parse_uint(tok, 0, DP_MAX_RXQ - 1, &q) < 0 ||
		    parse_uint(at + 1, 0, RTE_MAX_LCORE - 1, &l) < 0 || q != c->n_rxq)
			return -EINVAL;
		c->rxq_lcore[c->n_rxq++] = l;
	}
	return c->n_rxq ? 0 : -EINVAL;
}

/* Apply one key of a section; -EINVAL (bad value) or -ENOENT (unknown key). */
static int apply_kv(struct dp_config *c, const char *sec, const char *key, const char *v)
{
	uint32_t x;
	int rc = -ENOENT;

#define IS(s, k) (strcmp(sec, s) == 0 && strcmp(key, k) == 0)
#define UINT(s, k, lo, hi, field)               \
	if (IS(s, k)) {                         \
		rc = parse_uint(v, lo, hi, &x); \
		if (rc == 0)                    \
			field = x;              \
		return rc;                      \
	}
#define STR(s, k, field) \
	if (IS(s, k))    \
		return snprintf(field, sizeof(field), "%s", v) < (int)sizeof(field) ? 0 : -EINVAL;
	UINT("media", "port", 1, 65535, c->media_port)
	UINT("media", "vlan", 0, 4094, c->vlan)
	UINT("limits", "participants", 16, 1u << 26, c->max_participants)
	UINT("limits", "tracks", 16, 1u << 26, c->max_tracks)
	UINT("limits", "subscriptions", 16, 1u << 26, c->max_subs)
	UINT("limits", "subscriptions_per_track", 1, 1u << 26, c->max_subs_per_track)
	UINT("limits", "subscriptions_per_participant", 1, 1u << 20, c->max_subs_per_part)
	UINT("limits", "mbufs", 1023, 1u << 24, c->mbufs)
	UINT("limits", "ring_size", 64, 1u << 20, c->ring_size)
	UINT("control", "tx_drain_us", 1, 100000, c->tx_drain_us)
	UINT("control", "port_id", 0, RTE_MAX_ETHPORTS - 1, c->port_id)
	UINT("state", "block", 256, 16384, c->state_block)
	UINT("edge", "rate_per_source", 1, 1000000, c->exc_rate_source)
	UINT("edge", "burst_per_source", 1, 1000000, c->exc_burst_source)
	UINT("edge", "rate_total", 1, 10000000, c->exc_rate_total)
	UINT("rtcp", "nack_rate", 1, 1000000, c->nack_rate)
	UINT("rtcp", "nack_burst", 1, 1000000, c->nack_burst)
	UINT("rtcp", "sr_rate", 1, 1000000, c->sr_rate)
	UINT("rtcp", "sr_burst", 1, 1000000, c->sr_burst)
	UINT("neigh", "entries", 64, 1u << 20, c->neigh_entries)
	UINT("neigh", "stale_s", 1, 86400, c->neigh_stale_s)
	UINT("neigh", "expire_s", 2, 86400, c->neigh_expire_s)
	UINT("offenders", "grace_s", 1, 86400, c->protect_grace_s)
	UINT("offenders", "former_max", 16, 1u << 24, c->protect_former_max)
	if (IS("media", "ipv4")) {
		c->has_ip4 = 1;
		return parse_prefix(v, 4, c->ip4, &c->prefix4);
	}
	if (IS("media", "ipv6")) {
		c->has_ip6 = 1;
		return parse_prefix(v, 6, c->ip6, &c->prefix6);
	}
	if (IS("media", "allow_dst"))
		return parse_allow_dst(v, c);
	if (IS("media", "consent"))
		return parse_consent(v, &c->consent_required);
	if (IS("media", "gateway4")) {
		c->has_gw4 = 1;
		return inet_pton(AF_INET, v, c->gw4) == 1 ? 0 : -EINVAL;
	}
	if (IS("media", "gateway6")) {
		c->has_gw6 = 1;
		return inet_pton(AF_INET6, v, c->gw6) == 1 ? 0 : -EINVAL;
	}
	if (IS("lcores", "workers"))
		return parse_lcore_list(v, c->workers, DP_MAX_WORKERS, &c->n_workers);
	if (IS("lcores", "rx_queues"))
		return parse_rxq_map(c, v);
	STR("control", "socket", c->ctl_socket)
	STR("edge", "socket", c->edge_socket)
	STR("state", "dir", c->state_dir)
	STR("xdp", "pins", c->xdp_pins)
	if (IS("edge", "group"))
		return parse_group(v, &c->edge_gid);
	if (IS("control", "group"))
		return parse_group(v, &c->ctl_gid);
	if (IS("control", "stats_group"))
		return parse_group(v, &c->stats_gid);
	if (IS("process", "user"))
		return snprintf(c->run_user, sizeof(c->run_user), "%s", v) <
			       (int)sizeof(c->run_user)
			   ? 0
			   : -EINVAL;
	if (IS("process", "group"))
		return snprintf(c->run_group, sizeof(c->run_group), "%s", v) <
			       (int)sizeof(c->run_group)
			   ? 0
			   : -EINVAL;
	STR("control", "stats_socket", c->stats_socket)
	STR("control", "crypto_device", c->crypto_device)
	STR("control", "crypto_engine", c->crypto_engine)
#undef UINT
#undef STR
#undef IS
	return rc;
}

/* Trim leading/trailing blanks in place; returns the start. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Apply value v to sec.key; 0, or -EINVAL with "sec.key: why" in err. The
 * one place that words a setting's error, for the file and for -s alike.
 */
static int apply_setting(struct dp_config *c, const char *sec, const char *key, const char *v,
			 char *err, size_t errlen)
{
	int rc = apply_kv(c, sec, key, v);

	if (rc == -ENOENT)
		snprintf(err, errlen, "%s.%s: unknown setting", sec, key);
	else if (rc < 0)
		snprintf(err, errlen, "%s.%s: invalid value '%s'", sec, key, v);
	return rc < 0 ? -EINVAL : 0;
}

/* Apply "section.key=value". 0 or -EINVAL with err naming the setting. */
int dp_config_set(struct dp_config *c, const char *assignment, char *err, size_t errlen)
{
	char buf[512];
	char *eq, *dot;

	snprintf(buf, sizeof(buf), "%s", assignment);
	eq = strchr(buf, '=');
	dot = strchr(buf, '.');
	if (!eq || !dot || dot > eq) {
		snprintf(err, errlen, "'%s': expected section.key=value", assignment);
		return -EINVAL;
	}
	*eq = '\0';
	*dot = '\0';
	return apply_setting(c, trim(buf), trim(dot + 1), trim(eq + 1), err, errlen);
}

/*
 * The file is read by DPDK's rte_cfgfile ("[section]", "key = value", '#'
 * comments). rte_cfgfile keeps no line numbers and skips lines it does not
 * understand, so this file reads the lines once more, the way rte_cfgfile
 * does, to refuse such lines and to name the line of an error.
 */
#define CFG_FLAGS (CFG_FLAG_GLOBAL_SECTION | CFG_FLAG_EMPTY_VALUES)
#define CFG_LINE_BUF (CFG_NAME_LEN + CFG_VALUE_LEN + 4) /* rte_cfgfile's line buffer */

enum cfg_line {
	CFG_LINE_BLANK,   /* empty or comment */
	CFG_LINE_SECTION, /* "[name]" */
	CFG_LINE_ENTRY,   /* "key = value" */
	CFG_LINE_UNTERMINATED,
	CFG_LINE_STRAY, /* neither: rte_cfgfile would skip it unread */
	CFG_LINE_LONG,
};

static const char *const cfg_line_why[] = {
    [CFG_LINE_UNTERMINATED] = "unterminated section",
    [CFG_LINE_STRAY] = "expected '[section]' or 'key = value'",
    [CFG_LINE_LONG] = "line too long",
};

/* What rte_cfgfile_load_with_params makes of one line read by fgets. */
static enum cfg_line classify(char *line)
{
	size_t len = strlen(line);
	char *hash = strchr(line, '#'), *s;

	if (len >= CFG_LINE_BUF - 1 && line[len - 1] != '\n')
		return CFG_LINE_LONG;
	if (hash && (hash == line || hash[-1] != '\\'))
		*hash = '\0';
	s = trim(line);
	if (*s == '\0')
		return CFG_LINE_BLANK;
	if (*s == '[')
		return strchr(s, ']') ? CFG_LINE_SECTION : CFG_LINE_UNTERMINATED;
	return strchr(s, '=') ? CFG_LINE_ENTRY : CFG_LINE_STRAY;
}

/*
 * Read path line by line as rte_cfgfile does, numbering sections as it does
 * (0 is "GLOBAL", the entries before any heading). With sec >= 0, returns the
 * line of entry ent of section sec (ent -1: the section's heading). With
 * sec -1, returns the first line rte_cfgfile would fail on or skip, its
 * kind in *kind. 0 when there is no such line; -errno if path cannot be read.
 */
static int scan_lines(const char *path, int sec, int ent, enum cfg_line *kind)
{
	char line[CFG_LINE_BUF];
	int lineno = 0, cur_sec = 0, cur_ent = 0, found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		enum cfg_line k = classify(line);

		lineno++;
		if (k == CFG_LINE_SECTION) {
			cur_sec++;
			cur_ent = 0;
			if (cur_sec == sec && ent < 0)
				found = lineno;
		} else if (k == CFG_LINE_ENTRY) {
			if (cur_sec == sec && cur_ent == ent)
				found = lineno;
			cur_ent++;
		} else if (k != CFG_LINE_BLANK && sec < 0) {
			*kind = k;
			found = lineno;
		}
	}
	fclose(f);
	return found;
}

/* Index of the first section named like section s (s itself if none). */
static int first_section(struct rte_cfgfile *cfg, int s, const char *name)
{
	char other[CFG_NAME_LEN];

	for (int t = 1; t < s; t++)
		if (rte_cfgfile_section_num_entries_by_index(cfg, other, t) >= 0 &&
		    strcmp(other, name) == 0)
			return t;
	return s;
}

/*
 * Apply the entries of section s, in file order. A repeated section is
 * refused (rte_cfgfile looks up by name the first one only). 0 or -EINVAL
 * with "path:line: why" in err.
 */
static int apply_section(struct dp_config *c, struct rte_cfgfile *cfg, int s, const char *path,
			 char *err, size_t errlen)
{
	char name[CFG_NAME_LEN], inner[400];
	int n = rte_cfgfile_section_num_entries_by_index(cfg, name, s), first, rc = 0;
	struct rte_cfgfile_entry *e;

	first = s == 0 ? 0 : first_section(cfg, s, name);
	if (first != s) {
		snprintf(err, errlen, "%s:%d: [%s]: duplicate section (first at line %d)", path,
			 scan_lines(path, s, -1, NULL), name, scan_lines(path, first, -1, NULL));
		return -EINVAL;
	}
	if (n <= 0)
		return 0;
	e = calloc((size_t)n, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -EINVAL;
	}
	n = rte_cfgfile_section_entries_by_index(cfg, s, name, e, n);
	for (int i = 0; i < n && rc == 0; i++) {
		if (strlen(e[i].value) >= CFG_VALUE_LEN - 1) {
			snprintf(inner, sizeof(inner), "%s.%s: value too long", name, e[i].name);
			rc = -EINVAL;
		} else {
			/* Section 0 holds what precedes any heading: no section. */
			rc = apply_setting(c, s == 0 ? "" : name, e[i].name, e[i].value, inner,
					   sizeof(inner));
		}
		if (rc < 0)
			snprintf(err, errlen, "%s:%d: %s", path, scan_lines(path, s, i, NULL),
				 inner);
	}
	free(e);
	return rc;
}

/* Load an INI file through rte_cfgfile; see the header. */
int dp_config_load(struct dp_config *c, const char *path, char *err, size_t errlen)
{
	static const struct rte_cfgfile_parameters params = {.comment_character = '#'};
	struct rte_cfgfile *cfg;
	enum cfg_line kind = CFG_LINE_BLANK;
	int rc = scan_lines(path, -1, -1, &kind), nsec;

	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return -EINVAL;
	}
	if (rc > 0) {
		snprintf(err, errlen, "%s:%d: %s", path, rc, cfg_line_why[kind]);
		return -EINVAL;
	}
	cfg = rte_cfgfile_load_with_params(path, CFG_FLAGS, &params);
	if (!cfg) {
		snprintf(err, errlen, "%s: cannot be read as a configuration file", path);
		return -EINVAL;
	}
	nsec = rte_cfgfile_num_sections(cfg, NULL, 0);
	for (int s = 0; s < nsec && rc == 0; s++)
		rc = apply_section(c, cfg, s, path, err, errlen);
	rte_cfgfile_close(cfg);
	return rc;
}

/* Is lcore l one of the workers? */
static int is_worker(const struct dp_config *c, unsigned l)
{
	for (unsigned i = 0; i < c->n_workers; i++)
		if (c->workers[i] == l)
			return 1;
	return 0;
}

/* Cross-check against EAL; fill the default RX queue map. */
int dp_config_validate(struct dp_config *c, char *err, size_t errlen)
{
	if (!c->has_ip4 && !c->has_ip6) {
		snprintf(err, errlen,
			 "media.ipv4/media.ipv6: at least one media address is needed");
		return -EINVAL;
	}
	if (c->n_workers == 0) {
		/* Default: every enabled lcore except the main one. */
		unsigned l;

		RTE_LCORE_FOREACH_WORKER(l)
		{
			if (c->n_workers < DP_MAX_WORKERS)
				c->workers[c->n_workers++] = l;
		}
		if (c->n_workers == 0) {
			snprintf(err, errlen,
				 "lcores.workers: EAL gave no worker lcore "
				 "(use -l/--lcores with at least 2 lcores)");
			return -EINVAL;
		}
	}
	for (unsigned i = 0; i < c->n_workers; i++) {
		if (!rte_lcore_is_enabled(c->workers[i]) || c->workers[i] == rte_get_main_lcore()) {
			snprintf(err, errlen, "lcores.workers: lcore %u is %s", c->workers[i],
				 c->workers[i] == rte_get_main_lcore()
				     ? "the main lcore (it runs the control channel)"
				     : "not enabled in EAL (-l/--lcores)");
			return -EINVAL;
		}
	}
	if (c->neigh_expire_s <= c->neigh_stale_s) {
		snprintf(err, errlen, "neigh.expire_s: %u must exceed neigh.stale_s (%u)",
			 c->neigh_expire_s, c->neigh_stale_s);
		return -EINVAL;
	}
	if (c->n_rxq == 0) {
		c->n_rxq = 1;
		c->rxq_lcore[0] = c->workers[0];
	}
	for (unsigned q = 0; q < c->n_rxq; q++) {
		if (!is_worker(c, c->rxq_lcore[q])) {
			snprintf(err, errlen,
				 "lcores.rx_queues: queue %u is mapped to lcore %u, "
				 "which is not in lcores.workers",
				 q, c->rxq_lcore[q]);
			return -EINVAL;
		}
	}
	return 0;
}
