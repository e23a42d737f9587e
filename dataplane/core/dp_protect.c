/* SPDX-License-Identifier: BSD-3-Clause */
/* Protected sources: the participants' addresses, now and recently; see
 * dp_protect.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "dp_protect.h"

/* The hash key: an address without port, zero-padded. */
struct prot_key {
	uint8_t family;
	uint8_t pad[3];
	uint8_t ip[16];
};

/* An address of the set, at its hash position. refs 0: a former address,
 * released at released_tsc. */
struct prot_ent {
	uint32_t refs;
	uint64_t released_tsc;
};

/* A release, in the order they happened. Stale when its address was held
 * again (refs > 0) or released again later (released_tsc differs). */
struct prot_former {
	struct prot_key k;
	uint64_t tsc;
};

static struct {
	struct rte_hash *h;
	struct prot_ent *ent;     /* by hash position */
	struct prot_former *fifo; /* ring of former_max releases */
	uint32_t former_max, head, n;
	uint64_t grace_tsc;
	uint64_t evicted;
} ps;

/* See dp_protect.h. */
int dp_protect_init(uint32_t live_max, uint32_t former_max, uint32_t grace_s)
{
	/* Every former address has its latest release in the ring, so the
	 * set never holds more than live_max + former_max addresses; the
	 * extendable table takes that many whatever the hash. */
	struct rte_hash_parameters hp = {
	    .name = "rl_protect",
	    .entries = live_max + former_max,
	    .key_len = sizeof(struct prot_key),
	    .hash_func = rte_jhash,
	    .socket_id = (int)rte_socket_id(),
	    .extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	dp_protect_fini();
	ps.h = rte_hash_create(&hp);
	ps.ent = calloc(hp.entries, sizeof(*ps.ent));
	ps.fifo = calloc(former_max, sizeof(*ps.fifo));
	if (ps.h == NULL || ps.ent == NULL || ps.fifo == NULL || former_max == 0) {
		dp_protect_fini();
		return -ENOMEM;
	}
	ps.former_max = former_max;
	ps.grace_tsc = (uint64_t)grace_s * rte_get_timer_hz();
	return 0;
}

/* See dp_protect.h. */
void dp_protect_fini(void)
{
	rte_hash_free(ps.h);
	free(ps.ent);
	free(ps.fifo);
	memset(&ps, 0, sizeof(ps));
}

/* The key of (family, ip) into *k and its position in the set: >= 0, or
 * -1 when absent or when there is no set. */
static int32_t find(uint8_t family, const uint8_t *ip, struct prot_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	memcpy(k->ip, ip, family == 4 ? 4 : 16);
	return ps.h == NULL ? -1 : rte_hash_lookup(ps.h, k);
}

/* Take the oldest release off the ring; delete its address when that
 * release is still its state. Returns true when an address was deleted. */
static bool pop_oldest(void)
{
	const struct prot_former *f = &ps.fifo[ps.head];
	int32_t pos = rte_hash_lookup(ps.h, &f->k);
	bool gone = false;

	if (pos >= 0 && ps.ent[pos].refs == 0 && ps.ent[pos].released_tsc == f->tsc) {
		rte_hash_del_key(ps.h, &f->k);
		gone = true;
	}
	ps.head = (ps.head + 1) % ps.former_max;
	ps.n--;
	return gone;
}

/* Forget the former addresses whose grace ended by now. */
static void expire(uint64_t now)
{
	while (ps.n > 0 && now - ps.fifo[ps.head].tsc >= ps.grace_tsc)
		pop_oldest();
}

/* See dp_protect.h. */
void dp_protect_hold(uint8_t family, const uint8_t *ip)
{
	struct prot_key k;
	int32_t pos = find(family, ip, &k);

	if (ps.h == NULL)
		return;
	if (pos < 0) {
		pos = rte_hash_add_key(ps.h, &k);
		if (pos < 0) { /* cannot happen by the sizing above; said loudly */
			ps.evicted++;
			RTE_LOG(ERR, USER1,
				"protect: set full: a participant's address is "
				"not protected from bans\n");
			return;
		}
		ps.ent[pos].refs = 0;
	}
	ps.ent[pos].refs++;
}

/* See dp_protect.h. */
void dp_protect_release(uint8_t family, const uint8_t *ip)
{
	uint64_t now = rte_get_timer_cycles();
	struct prot_key k;
	int32_t pos = find(family, ip, &k);

	if (pos < 0 || ps.ent[pos].refs == 0 || --ps.ent[pos].refs > 0)
		return;
	/* Stamped first: an older release of this address in the ring is
	 * stale now, and popping it must not delete the address. */
	ps.ent[pos].released_tsc = now;
	expire(now);
	if (ps.n == ps.former_max && pop_oldest())
		ps.evicted++;
	ps.fifo[(ps.head + ps.n) % ps.former_max] = (struct prot_former){k, now};
	ps.n++;
}

/* See dp_protect.h. */
enum relais_protect dp_protect_state(uint8_t family, const uint8_t *ip)
{
	struct prot_key k;
	int32_t pos;

	if (ps.h == NULL || (family != 4 && family != 6))
		return RELAIS_PROTECT_NONE;
	expire(rte_get_timer_cycles());
	pos = find(family, ip, &k);
	if (pos < 0)
		return RELAIS_PROTECT_NONE;
	return ps.ent[pos].refs ? RELAIS_PROTECT_PARTICIPANT : RELAIS_PROTECT_FORMER;
}

/* See dp_protect.h. */
void dp_protect_mark(struct relais_ctl_offenders *o)
{
	for (unsigned i = 0; i < o->count && i < RELAIS_CTL_OFFENDERS_MAX; i++)
		o->rec[i].protect =
		    (uint8_t)dp_protect_state(o->rec[i].addr.family, o->rec[i].addr.ip);
}

/* See dp_protect.h. */
uint64_t dp_protect_evicted(void)
{
	return ps.evicted;
}

/* See dp_protect.h. */
uint32_t dp_protect_count(void)
{
	if (ps.h == NULL)
		return 0;
	expire(rte_get_timer_cycles());
	return (uint32_t)rte_hash_count(ps.h);
}
