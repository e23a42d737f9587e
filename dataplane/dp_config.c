/* SPDX-License-Identifier: BSD-3-Clause */
/* INI configuration of the dataplane; every error names the setting. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	c->mbufs = 32767;
	c->ring_size = 4096;
	c->tx_drain_us = 100;
	snprintf(c->ctl_socket, sizeof(c->ctl_socket), "%s", RELAIS_CTL_DEFAULT_SOCK);
	snprintf(c->crypto_engine, sizeof(c->crypto_engine), "auto");
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
	UINT("media", "port", 1, 65535, c->media_port)
	UINT("media", "vlan", 0, 4094, c->vlan)
	UINT("limits", "participants", 16, 1u << 26, c->max_participants)
	UINT("limits", "tracks", 16, 1u << 26, c->max_tracks)
	UINT("limits", "subscriptions", 16, 1u << 26, c->max_subs)
	UINT("limits", "mbufs", 1023, 1u << 24, c->mbufs)
	UINT("limits", "ring_size", 64, 1u << 20, c->ring_size)
	UINT("control", "tx_drain_us", 1, 100000, c->tx_drain_us)
	UINT("control", "port_id", 0, RTE_MAX_ETHPORTS - 1, c->port_id)
	if (IS("media", "ipv4")) {
		c->has_ip4 = 1;
		return parse_prefix(v, 4, c->ip4, &c->prefix4);
	}
	if (IS("media", "ipv6")) {
		c->has_ip6 = 1;
		return parse_prefix(v, 6, c->ip6, &c->prefix6);
	}
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
	if (IS("control", "socket"))
		return snprintf(c->ctl_socket, sizeof(c->ctl_socket), "%s", v) <
			       (int)sizeof(c->ctl_socket)
			   ? 0
			   : -EINVAL;
	if (IS("control", "crypto_device"))
		return snprintf(c->crypto_device, sizeof(c->crypto_device), "%s", v) <
			       (int)sizeof(c->crypto_device)
			   ? 0
			   : -EINVAL;
	if (IS("control", "crypto_engine"))
		return snprintf(c->crypto_engine, sizeof(c->crypto_engine), "%s", v) <
			       (int)sizeof(c->crypto_engine)
			   ? 0
			   : -EINVAL;
#undef UINT
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

/* Apply "section.key=value". 0 or -EINVAL with err naming the setting. */
int dp_config_set(struct dp_config *c, const char *assignment, char *err, size_t errlen)
{
	char buf[512];
	char *eq, *dot, *key, *val;
	int rc;

	snprintf(buf, sizeof(buf), "%s", assignment);
	eq = strchr(buf, '=');
	dot = strchr(buf, '.');
	if (!eq || !dot || dot > eq) {
		snprintf(err, errlen, "'%s': expected section.key=value", assignment);
		return -EINVAL;
	}
	*eq = '\0';
	*dot = '\0';
	key = trim(dot + 1);
	val = trim(eq + 1);
	rc = apply_kv(c, trim(buf), key, val);
	if (rc == -ENOENT)
		snprintf(err, errlen, "%s.%s: unknown setting", trim(buf), key);
	else if (rc < 0)
		snprintf(err, errlen, "%s.%s: invalid value '%s'", trim(buf), key, val);
	return rc < 0 ? -EINVAL : 0;
}

/* Load an INI file: "[section]" lines, "key = value" lines, '#' comments. */
int dp_config_load(struct dp_config *c, const char *path, char *err, size_t errlen)
{
	char line[512], sec[64] = "", what[600], inner[400];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *hash = strchr(s, '#');

		lineno++;
		if (hash)
			*hash = '\0';
		s = trim(s);
		if (*s == '\0')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (!close) {
				snprintf(err, errlen, "%s:%d: unterminated section", path, lineno);
				rc = -EINVAL;
				break;
			}
			*close = '\0';
			snprintf(sec, sizeof(sec), "%s", trim(s + 1));
			continue;
		}
		snprintf(what, sizeof(what), "%s.%s", sec, s);
		rc = dp_config_set(c, what, inner, sizeof(inner));
		if (rc < 0)
			snprintf(err, errlen, "%s:%d: %s", path, lineno, inner);
	}
	fclose(f);
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
