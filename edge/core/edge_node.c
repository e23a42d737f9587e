/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-edge's engine (edge_session.h): the datagrams of the exception
 * path through ICE-lite and DTLS-SRTP, joins to rooms, timers, the end of
 * a session.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp_util.h"
#include "edge_session.h"

#define TIMER_MAX_MS 500

static const char *const end_names[] = {
#define EDGE_END_NAME_(sfx, name, help) name,
    EDGE_SESSION_ENDS(EDGE_END_NAME_)
#undef EDGE_END_NAME_
};

static const char *const stat_names[] = {
#define EDGE_STAT_NAME_(n, help) #n,
    EDGE_NODE_STATS(EDGE_STAT_NAME_)
#undef EDGE_STAT_NAME_
};

static const char *const signal_names[] = {
#define EDGE_SIGNAL_NAME_(sfx, st, name, msg) name,
    EDGE_SIGNAL_REFUSALS(EDGE_SIGNAL_NAME_)
#undef EDGE_SIGNAL_NAME_
};

/* See edge_session.h. */
const char *edge_session_end_name(enum edge_session_end why)
{
	return why < EDGE_END_MAX ? end_names[why] : "?";
}

/* See edge_session.h. */
const char *edge_node_stat_name(enum edge_node_stat s)
{
	return s < EDGE_STAT_MAX ? stat_names[s] : "?";
}

/* See edge_session.h. */
const char *edge_signal_refusal_name(enum edge_signal_refusal r)
{
	return r < EDGE_SIGNAL_REFUSAL_MAX ? signal_names[r] : "?";
}

/* See edge_session.h. */
int edge_node_init(struct edge_node *n, const struct edge_opts *o, char *err, size_t en)
{
	struct edge_ice_params ip = {.capacity = o->max_sessions,
				     .consent_timeout_ms = o->consent_ms};
	struct edge_dtls_params dp = {.mtu = EDGE_DTLS_DEFAULT_MTU,
				      .handshake_ms = EDGE_DTLS_DEFAULT_HANDSHAKE_MS,
				      .retransmit_ms = EDGE_DTLS_DEFAULT_RETRANSMIT_MS,
				      .max_half_open = o->max_half_open,
				      .profiles = o->n_profiles ? o->profiles : NULL,
				      .n_profiles = o->n_profiles};
	enum edge_cert_error ce = EDGE_CERT_OK;

	memset(n, 0, sizeof(*n));
	n->o = o;
	n->link.fd = -1;
	n->cert = o->dtls_cert[0] ? edge_cert_load(o->dtls_cert, o->dtls_key, &ce)
				  : edge_cert_generate("relais-edge", &ce);
	if (n->cert == NULL) {
		snprintf(err, en, "DTLS certificate: %s", edge_cert_error_help(ce));
		return -EINVAL;
	}
	dp.cert = n->cert;
	n->dtls = edge_dtls_ctx_new(&dp);
	if (n->dtls == NULL) {
		snprintf(err, en, "DTLS context: %s (an SRTP profile OpenSSL does not know?)",
			 strerror(errno));
		edge_node_fini(n);
		return -EINVAL;
	}
	n->ice = edge_ice_create(&ip);
	n->cap = o->max_sessions;
	n->s = calloc(n->cap, sizeof(*n->s));
	if (n->ice == NULL || n->s == NULL) {
		snprintf(err, en, "out of memory for %u sessions", o->max_sessions);
		edge_node_fini(n);
		return -ENOMEM;
	}
	return 0;
}

/* See edge_session.h. */
void edge_node_fini(struct edge_node *n)
{
	for (unsigned i = 0; n->s && i < n->cap; i++)
		if (n->s[i].used)
			edge_node_end(n, &n->s[i], EDGE_END_SHUTDOWN, false);
	free(n->s);
	n->s = NULL;
	edge_ice_free(n->ice);
	n->ice = NULL;
	if (n->dtls)
		edge_dtls_ctx_free(n->dtls);
	n->dtls = NULL;
	edge_cert_free(n->cert);
	n->cert = NULL;
}

/* See edge_session.h. */
struct edge_session *edge_node_session_new(struct edge_node *n)
{
	for (unsigned i = 0; i < n->cap; i++)
		if (!n->s[i].used) {
			uint32_t gen = n->s[i].gen + 1;

			memset(&n->s[i], 0, sizeof(n->s[i]));
			n->s[i].used = true;
			n->s[i].gen = gen;
			return &n->s[i];
		}
	return NULL;
}

/* See edge_session.h. */
uint64_t edge_node_cookie(const struct edge_node *n, const struct edge_session *s)
{
	return (uint64_t)s->gen << 32 | (uint64_t)(s - n->s);
}

/* The live session of an ICE cookie, or NULL. */
static struct edge_session *by_cookie(struct edge_node *n, uint64_t cookie)
{
	uint32_t i = (uint32_t)cookie;

	if (i >= n->cap || !n->s[i].used || n->s[i].gen != (uint32_t)(cookie >> 32))
		return NULL;
	return &n->s[i];
}

/* See edge_session.h. */
struct edge_session *edge_node_by_resource(struct edge_node *n, const char *id)
{
	for (unsigned i = 0; i < n->cap; i++)
		if (n->s[i].used && strcmp(n->s[i].resource, id) == 0)
			return &n->s[i];
	return NULL;
}

/* See edge_session.h. */
struct edge_session *edge_node_by_part(struct edge_node *n, uint32_t part)
{
	for (unsigned i = 0; i < n->cap; i++)
		if (n->s[i].used && n->s[i].part == part)
			return &n->s[i];
	return NULL;
}

/* relais' address from the ICE agent's. */
static struct relais_addr to_addr(const struct edge_stun_addr *a)
{
	struct relais_addr r = {.family = a->family, .port = a->port};

	memcpy(r.ip, a->ip, 16);
	return r;
}

/* The ICE agent's address from relais'. */
static struct edge_stun_addr to_stun(const struct relais_addr *a)
{
	struct edge_stun_addr r = {.family = a->family, .port = a->port};

	memcpy(r.ip, a->ip, 16);
	return r;
}

/* The join of session s: its address, keys, tracks (publish) or
 * subscriptions (watch). */
static void make_join(struct edge_node *n, struct edge_session *s, struct edge_join *j)
{
	memset(j, 0, sizeof(*j));
	j->room = s->room;
	j->part = s->part;
	j->addr = s->addr;
	j->rx = s->rx;
	j->tx = s->tx;
	if (s->role == EDGE_SDP_ROLE_SUBSCRIBE) {
		edge_node_fill_one(n, s, j);
		return;
	}
	for (unsigned i = 0; i < s->n_slots && j->n_tracks < EDGE_JOIN_MAX_TRACKS; i++) {
		const struct edge_slot *sl = &s->slots[i];
		struct edge_join_track *t = &j->tracks[j->n_tracks];

		if (!sl->accepted || sl->n_codecs == 0)
			continue;
		t->id = s->part * 16 + i;
		t->ssrc = sl->ssrc;
		t->video = sl->kind == EDGE_SDP_KIND_VIDEO;
		t->clock_rate = t->video ? 90000 : 48000;
		t->pt = sl->ssrc ? RELAIS_PT_ANY : sl->codecs[0].pt;
		j->n_tracks++;
	}
}

/* DTLS of s connected: take the keys and join the room. */
static void join(struct edge_node *n, struct edge_session *s)
{
	struct edge_dtls_keys k;
	struct edge_join j;
	char err[256];

	if (edge_dtls_keys(s->dtls, &k) < 0) {
		edge_node_end(n, s, EDGE_END_DTLS_FAILED, false);
		return;
	}
	s->rx = k.rx;
	s->tx = k.tx;
	OPENSSL_cleanse(&k, sizeof(k));
	make_join(n, s, &j);
	if (edge_rooms_join(&n->rooms, &j, err, sizeof(err)) < 0) {
		OPENSSL_cleanse(&j, sizeof(j));
		CP_LOG(CP_LOG_WARN, "participant %u: %s", s->part, err);
		edge_node_end(n, s, EDGE_END_JOIN_FAILED, false);
		return;
	}
	OPENSSL_cleanse(&j, sizeof(j));
	s->joined = true;
	n->stats[EDGE_STAT_joins]++;
	CP_LOG(CP_LOG_INFO, "participant %u joined room %u (%s)", s->part, s->room,
	       s->role == EDGE_SDP_ROLE_PUBLISH ? "publish" : "watch");
	if (s->role == EDGE_SDP_ROLE_PUBLISH)
		edge_node_fill_watchers(n, s->room);
}

/* Send what DTLS of s has queued to its address. */
static void flush_dtls(struct edge_node *n, struct edge_session *s, const struct relais_addr *to)
{
	uint8_t buf[EDGE_DTLS_MAX_DATAGRAM];
	int len;

	while ((len = edge_dtls_output(s->dtls, buf, sizeof(buf))) > 0)
		edge_link_send(&n->link, to, buf, (size_t)len);
}

/* After DTLS input or a timer: join when connected and nominated, end
 * when over. A browser may finish DTLS before it nominates: Chromium, the
 * controlling agent facing an ICE-lite one, sends USE-CANDIDATE only once
 * its pair is selected and writable, and starts DTLS on that same
 * writable pair; the join then waits for the nomination (stun_in). */
static void dtls_progress(struct edge_node *n, struct edge_session *s)
{
	enum edge_dtls_state st = edge_dtls_state(s->dtls);

	if (st == EDGE_DTLS_CONNECTED && !s->joined && s->has_addr)
		join(n, s);
	else if (st == EDGE_DTLS_CLOSED)
		edge_node_end(n, s, EDGE_END_DTLS_CLOSED, false);
	else if (st == EDGE_DTLS_FAILED)
		edge_node_end(n, s, EDGE_END_DTLS_FAILED, false);
}

/* A DTLS datagram from src: only for the session whose ICE checked src. */
static void dtls_in(struct edge_node *n, const struct relais_edge_msg *m, uint64_t now)
{
	struct edge_stun_addr src = to_stun(&m->addr);
	struct edge_session *s = NULL;
	enum edge_dtls_reason why = EDGE_DTLS_NONE;
	uint64_t cookie;

	if (edge_ice_lookup_addr(n->ice, &src, &cookie) == 0)
		s = by_cookie(n, cookie);
	if (s == NULL) {
		n->stats[EDGE_STAT_dtls_unchecked]++;
		return;
	}
	if (s->dtls == NULL) {
		s->dtls = edge_dtls_session_new(n->dtls, s->peer_fp, now, &why);
		if (s->dtls == NULL) {
			n->stats[EDGE_STAT_dtls_refused]++;
			n->dtls_reasons[why]++;
			return;
		}
	}
	why = edge_dtls_input(s->dtls, m->payload, m->len, now);
	if (why != EDGE_DTLS_NONE)
		n->dtls_reasons[why]++; /* refused, the session unchanged */
	flush_dtls(n, s, &m->addr);
	dtls_progress(n, s);
}

/* The browser of joined session s moved to a: write its new address (the
 * control plane moves it in place in the dataplane: PART_REKEY). */
static void moved(struct edge_node *n, struct edge_session *s)
{
	struct edge_join j;
	char err[256];

	make_join(n, s, &j);
	if (edge_rooms_join(&n->rooms, &j, err, sizeof(err)) < 0) {
		CP_LOG(CP_LOG_WARN, "participant %u: move: %s", s->part, err);
		n->stats[EDGE_STAT_move_failed]++;
	} else {
		n->stats[EDGE_STAT_moves]++;
	}
	OPENSSL_cleanse(&j, sizeof(j));
}

/* A STUN datagram: answer an authenticated check, follow nominations. */
static void stun_in(struct edge_node *n, const struct relais_edge_msg *m, uint64_t now)
{
	struct edge_stun_addr src = to_stun(&m->addr);
	uint8_t out[EDGE_ICE_ANSWER_MAX];
	struct edge_ice_event ev = {0};
	struct edge_session *s;
	size_t olen = 0;
	enum edge_ice_verdict v =
	    edge_ice_input(n->ice, m->payload, m->len, &src, now, out, sizeof(out), &olen, &ev);

	n->ice_verdicts[v]++;
	if (olen > 0) {
		edge_link_send(&n->link, &m->addr, out, olen);
		n->stats[EDGE_STAT_stun_answered]++;
	} else {
		n->stats[EDGE_STAT_stun_dropped]++;
	}
	if (ev.kind == EDGE_ICE_EVENT_NONE || (s = by_cookie(n, ev.cookie)) == NULL)
		return;
	/* An authenticated check answered: the address consents (RFC 7675). */
	if (olen > 0 && s->part != 0 && edge_link_consent(&n->link, &m->addr, s->part) == 0)
		n->stats[EDGE_STAT_consents]++;
	if (ev.kind != EDGE_ICE_EVENT_NOMINATED)
		return;
	s->addr = to_addr(&ev.addr);
	s->has_addr = true;
	if (s->joined && ev.moved)
		moved(n, s);
	else if (!s->joined && s->dtls && edge_dtls_state(s->dtls) == EDGE_DTLS_CONNECTED)
		join(n, s); /* DTLS was done first (dtls_progress) */
}

/* See edge_session.h. */
void edge_node_datagram(struct edge_node *n, const struct relais_edge_msg *m, uint64_t now_ms)
{
	n->stats[EDGE_STAT_datagrams]++;
	if (m->len > 0 && m->payload[0] <= 3)
		stun_in(n, m, now_ms);
	else if (m->len > 0 && m->payload[0] >= 20 && m->payload[0] <= 63)
		dtls_in(n, m, now_ms);
	else
		n->stats[EDGE_STAT_ignored]++;
}

/* ICE expiry callback: the session's consent lapsed or never came. */
static void expired(void *arg, uint64_t cookie, const char *ufrag, enum edge_ice_expiry why)
{
	struct edge_node *n = arg;
	struct edge_session *s = by_cookie(n, cookie);

	(void)ufrag;
	if (s != NULL)
		edge_node_end(n, s,
			      why == EDGE_ICE_EXPIRY_NEVER_CHECKED ? EDGE_END_NEVER_CHECKED
								   : EDGE_END_CONSENT_LAPSED,
			      false);
}

/* See edge_session.h. */
int edge_node_timers(struct edge_node *n, uint64_t now_ms)
{
	uint64_t next = now_ms + TIMER_MAX_MS;

	edge_ice_expire(n->ice, now_ms, expired, n);
	for (unsigned i = 0; i < n->cap; i++) {
		struct edge_session *s = &n->s[i];
		uint64_t t;

		if (!s->used || s->dtls == NULL)
			continue;
		t = edge_dtls_next_timeout(s->dtls, now_ms);
		if (t <= now_ms) {
			edge_dtls_handle_timeout(s->dtls, now_ms);
			if (s->has_addr)
				flush_dtls(n, s, &s->addr);
			dtls_progress(n, s);
			continue;
		}
		if (t < next)
			next = t;
	}
	return (int)(next - now_ms);
}

/* See edge_session.h. */
void edge_node_end(struct edge_node *n, struct edge_session *s, enum edge_session_end why,
		   bool by_http)
{
	bool was_publisher = s->joined && s->role == EDGE_SDP_ROLE_PUBLISH;
	uint32_t room = s->room;

	CP_LOG(CP_LOG_INFO, "participant %u of room %u: session ended: %s", s->part, s->room,
	       edge_session_end_name(why));
	n->ends[why]++;
	if (s->dtls) {
		edge_dtls_close(s->dtls); /* no-op when DTLS ended already */
		n->dtls_reasons[edge_dtls_reason(s->dtls)]++;
		if (s->has_addr)
			flush_dtls(n, s, &s->addr);
		edge_dtls_session_free(s->dtls);
	}
	if (s->joined)
		edge_rooms_leave(&n->rooms, s->room, s->part);
	edge_ice_session_delete(n->ice, s->cred.ufrag);
	if (!by_http && n->http && s->resource[0])
		edge_http_forget(n->http, s->resource);
	edge_ice_credentials_wipe(&s->cred);
	OPENSSL_cleanse(&s->rx, sizeof(s->rx));
	OPENSSL_cleanse(&s->tx, sizeof(s->tx));
	s->used = false;
	s->joined = false;
	s->dtls = NULL;
	if (was_publisher && why != EDGE_END_SHUTDOWN)
		edge_node_fill_watchers(n, room);
}
