/* SPDX-License-Identifier: BSD-3-Clause */
/* The node's lease: register, heartbeat, sweep; see cp_lease.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "cp_lease.h"
#include "cp_util.h"

/* How long after a lease deadline the next sweep runs (Redis' expiry of
 * the key is not instantaneous; a sweep that finds the key still there
 * costs one ZRANGEBYSCORE and an EXISTS). */
#define SWEEP_MARGIN_MS 5

/* A heartbeat in flight: several may be (one per lease/3 while replies
 * are slow), each with its send time. */
struct hb_req {
	struct cp_lease *l;
	uint64_t sent;
};

/* See header. */
void cp_lease_init(struct cp_lease *l, const struct cp_node_cfg *cfg, struct cp_session *sess,
		   uint64_t now)
{
	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	l->sess = sess;
	l->ok_ms = now + (uint64_t)cfg->lease_ms;
}

/* See header. */
void cp_lease_session_up(struct cp_lease *l)
{
	l->registered = false;
	l->next_hb = 0;
	l->next_sweep = 0;
}

/* See header. */
void cp_lease_session_down(struct cp_lease *l)
{
	l->reg_inflight = l->sweep_inflight = false;
}

/* Reply to register: BUSY (another live incarnation holds the node's
 * lease) is retried every lease/3; any other refusal ends the session. */
static void on_register(struct cp_link *link, redisReply *r, void *priv)
{
	struct cp_lease *l = priv;

	(void)link;
	l->reg_inflight = false;
	if (r == NULL)
		return; /* the session ended; registration follows the next one */
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSY", 4) == 0) {
		CP_WARN("register: %s; retrying", r->str);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY) {
		CP_ERR("register: %s", r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		cp_session_drop(l->sess, "register failed");
		return;
	}
	CP_INFO("node %s registered (lease %d ms), owns %zu room(s)", l->cfg->node,
		l->cfg->lease_ms, r->elements);
	l->registered = true;
	l->fresh = true;
	l->ok_ms = l->reg_sent;
}

/* Register (docs/schema.md "register") with the current token, or a fresh
 * one after a lost lease. */
static void do_register(struct cp_lease *l)
{
	const struct cp_node_cfg *c = l->cfg;
	uint8_t tok[16];
	char lease[16], port[16], cap[16];
	const char *argv[7] = {c->node, l->token, lease, c->addr4, c->addr6, port, cap};

	if (l->token[0] == '\0') {
		RAND_bytes(tok, sizeof(tok));
		cp_hex_encode(tok, sizeof(tok), l->token);
	}
	snprintf(lease, sizeof(lease), "%d", c->lease_ms);
	snprintf(port, sizeof(port), "%d", c->port);
	snprintf(cap, sizeof(cap), "%d", c->capacity);
	l->reg_sent = cp_now_ms();
	if (cp_session_script(l->sess, CP_SC_REGISTER, 7, argv, on_register, l) == 0)
		l->reg_inflight = true;
}

/* Reply to a heartbeat: accepted moves the local lease clock to its send
 * time; refused means the lease expired or was taken over. */
static void on_heartbeat(struct cp_link *link, redisReply *r, void *priv)
{
	struct hb_req *q = priv;
	struct cp_lease *l = q->l;
	uint64_t sent = q->sent;

	(void)link;
	free(q);
	if (r == NULL || !l->registered)
		return;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->integer == 1) {
		if (sent > l->ok_ms)
			l->ok_ms = sent;
	} else if (r->type == REDIS_REPLY_ERROR) {
		/* Not a refusal (READONLY from a demoted master, LOADING,
		 * NOSCRIPT after SCRIPT FLUSH): find the master again; the
		 * local lease clock decides whether the rooms are kept. */
		CP_WARN("heartbeat: %s", r->str);
		cp_session_drop(l->sess, "heartbeat failed");
	} else {
		l->refused = true; /* the loop empties the dataplane */
	}
}

/* Heartbeat (docs/schema.md "heartbeat") with the node's current load. */
static void do_heartbeat(struct cp_lease *l, uint32_t load)
{
	char lease[16], ld[16];
	const char *argv[4] = {l->cfg->node, l->token, lease, ld};
	struct hb_req *q = malloc(sizeof(*q));

	if (q == NULL)
		return; /* the next one is due in lease/3 */
	*q = (struct hb_req){l, cp_now_ms()};
	snprintf(lease, sizeof(lease), "%d", l->cfg->lease_ms);
	snprintf(ld, sizeof(ld), "%u", load);
	if (cp_session_script(l->sess, CP_SC_HEARTBEAT, 4, argv, on_heartbeat, q) < 0)
		free(q);
}

/* Reply to sweep {moved, ms to the next lease deadline}: the next sweep is
 * due just after that deadline if it comes before the regular period, so
 * a dead node's rooms move within ~SWEEP_MARGIN_MS of its lease running
 * out rather than up to lease/3 later. */
static void on_sweep(struct cp_link *link, redisReply *r, void *priv)
{
	struct cp_lease *l = priv;
	long long next;

	(void)link;
	l->sweep_inflight = false;
	if (r && r->type == REDIS_REPLY_ERROR)
		CP_WARN("sweep: %s", r->str);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
		return;
	if (r->element[0]->integer > 0)
		CP_INFO("sweep: moved %lld room(s) off expired nodes", r->element[0]->integer);
	next = r->element[1]->integer;
	if (next >= 0 && next + SWEEP_MARGIN_MS < l->cfg->lease_ms / 3)
		l->next_sweep = cp_now_ms() + (uint64_t)next + SWEEP_MARGIN_MS;
}

/* Run the sweep script: move rooms of nodes whose lease expired. */
static void do_sweep(struct cp_lease *l)
{
	char rl[16];
	const char *argv[1] = {rl};

	snprintf(rl, sizeof(rl), "%d", l->cfg->rate_limit);
	if (cp_session_script(l->sess, CP_SC_SWEEP, 1, argv, on_sweep, l) == 0)
		l->sweep_inflight = true;
}

/* See header. */
bool cp_lease_duties(struct cp_lease *l, uint64_t now, uint32_t load)
{
	bool hb = false;
	uint64_t period = (uint64_t)l->cfg->lease_ms / 3;

	if (now >= l->next_hb && l->registered) {
		do_heartbeat(l, load);
		l->next_hb = now + period;
		hb = true;
	} else if (now >= l->next_hb && !l->registered && !l->reg_inflight) {
		do_register(l);
		l->next_hb = now + period;
	}
	if (now >= l->next_sweep && !l->sweep_inflight) {
		do_sweep(l);
		l->next_sweep = now + period;
	}
	return hb;
}

/* See header. */
const char *cp_lease_lost_why(const struct cp_lease *l, uint64_t now)
{
	if (l->refused)
		return "heartbeat refused: the lease expired or was taken over";
	if (now >= l->ok_ms + (uint64_t)l->cfg->lease_ms)
		return "no heartbeat accepted within the lease";
	return NULL;
}

/* See header. */
void cp_lease_drop(struct cp_lease *l)
{
	l->registered = false;
	l->refused = false;
	l->token[0] = '\0';
	l->ok_ms = UINT64_MAX / 2; /* no local deadline until registered */
}

/* See header. */
void cp_lease_reregister(struct cp_lease *l)
{
	l->registered = false;
	l->next_hb = 0;
}

/* See header. */
bool cp_lease_take_fresh(struct cp_lease *l)
{
	bool f = l->fresh;

	l->fresh = false;
	return f;
}

/* See header. */
long long cp_lease_age(const struct cp_lease *l, uint64_t now)
{
	return l->registered ? (long long)(now - l->ok_ms) : -1;
}
