/* SPDX-License-Identifier: BSD-3-Clause */
/* Participant flows in the XDP filter's rlx_flows; see dp_xdp_flows.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_hash.h>
#include <rte_log.h>

#include "dp_xdp.h"
#include "dp_xdp_flows.h"
#include "xdp_ctl.h"

static struct {
	uint64_t gen;    /* dp_xdp_pins generation rlx_flows was synced with */
	uint64_t errors; /* failed writes */
	bool logged;     /* the first failure was logged */
} fl;

/* Count a failed write of k (op "add" or "delete"); log the first. */
static void flow_error(const char *op, const struct dp_addr_key *k, int rc)
{
	fl.errors++;
	if (fl.logged)
		return;
	fl.logged = true;
	RTE_LOG(WARNING, USER1,
		"xdp: cannot %s a participant flow (port %u) in " XDP_MAP_FLOWS
		": %s; its packets share its address's rate bucket (counted in "
		"xdp_flow_errors, logged once)\n",
		op, k->port, strerror(-rc));
}

static int family_of(const struct dp_addr_key *k)
{
	return k->family == 4 ? AF_INET : AF_INET6;
}

/* Write k into the filter's flows. */
static void put(struct xdp_ctl *x, const struct dp_addr_key *k)
{
	int rc = xdp_flow_add(x, family_of(k), k->ip, k->port);

	if (rc < 0)
		flow_error("add", k, rc);
}

/* xdp_flow_prune's keep(): is the flow a participant's address now? */
static int in_table(int family, const uint8_t *ip, uint16_t port, void *arg)
{
	struct dp_addr_key k = {.family = family == AF_INET ? 4 : 6, .port = port};

	(void)arg;
	memcpy(k.ip, ip, family == AF_INET ? 4 : 16);
	return dp_part_by_addr(&k) != NULL;
}

/* Bring rlx_flows in line with part_by_addr. */
static void resync(struct xdp_ctl *x)
{
	const void *key;
	void *data;
	uint32_t it = 0;

	xdp_flow_prune(x, in_table, NULL);
	while (dp_tab.part_by_addr != NULL &&
	       rte_hash_iterate(dp_tab.part_by_addr, &key, &data, &it) >= 0)
		put(x, key);
}

/* The open pins, synced with the table; NULL when there is no filter. */
static struct xdp_ctl *synced(void)
{
	uint64_t gen;
	struct xdp_ctl *x = dp_xdp_pins(&gen);

	if (x != NULL && gen != fl.gen) {
		fl.gen = gen;
		resync(x);
	}
	return x;
}

/* See dp_xdp_flows.h. */
void dp_xdp_flow_add(const struct dp_addr_key *k)
{
	struct xdp_ctl *x = synced();

	if (x != NULL)
		put(x, k);
}

/* See dp_xdp_flows.h. Absent already (never written, or not there after
 * a resync): nothing to do. */
void dp_xdp_flow_del(const struct dp_addr_key *k)
{
	struct xdp_ctl *x = synced();
	int rc;

	if (x == NULL)
		return;
	rc = xdp_flow_del(x, family_of(k), k->ip, k->port);
	if (rc < 0 && rc != -ENOENT)
		flow_error("delete", k, rc);
}

/* See dp_xdp_flows.h. */
void dp_xdp_flows_step(void)
{
	synced();
}

/* See dp_xdp_flows.h. */
uint64_t dp_xdp_flow_errors(void)
{
	return fl.errors;
}
