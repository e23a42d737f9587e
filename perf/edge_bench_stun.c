/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_bench, STUN part: the ICE-lite agent of edge/ice answering
 * Chromium-like Binding requests of live sessions (the consent-check path:
 * parse, find the session, check MESSAGE-INTEGRITY, write the answer with
 * XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT), and refusing
 * forged ones.
 *
 * The requests are encoded here, not with edge_stun's writer (RFC 8489 §5,
 * §14.5, §14.7, with OpenSSL's HMAC-SHA1 and zlib's CRC-32), in the
 * attribute order Chromium sends: USERNAME, GOOG-NETWORK-INFO (0xC057),
 * ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT.
 * Every answer is checked by this file's own decoder after its batch, out
 * of the timed region, so the figures double as a check that the answers
 * verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "edge_bench.h"
#include "edge_ice.h"

#define REQ_MAX 160
#define BATCH 1024
#define T0_MS 1000
#define MAGIC 0x2112A442u
#define HDR 20
#define FP_XOR 0x5354554eu /* "STUN", RFC 8489 §14.7 */
#define ATTR_GOOG_NETWORK_INFO 0xC057
#define TYPE_SUCCESS 0x0101
#define TYPE_REQUEST 0x0001
#define A_USERNAME 0x0006
#define A_MI 0x0008
#define A_XMA 0x0020
#define A_PRIORITY 0x0024
#define A_USE_CANDIDATE 0x0025
#define A_FINGERPRINT 0x8028
#define A_CONTROLLING 0x802A
#define HMAC_LEN 20

/* One request on the wire. */
struct request {
	uint8_t buf[REQ_MAX];
	size_t len;
};

/* A session of the agent, seen from the browser that checks it. */
struct peer {
	struct edge_ice_credentials cred; /* the session's local (relais) side */
	char remote[8];                   /* the browser's ufrag */
	struct edge_stun_addr src;        /* the browser's address */
	struct request req[EB_STUN_CASES];
};

struct eb_stun {
	struct edge_ice_agent *agent;
	unsigned n;
	unsigned next;               /* the session of the next request */
	struct eb_time first_checks; /* the nominating requests of the setup */
	struct peer *peers;
	/* one batch: answers, their lengths, verdicts and events */
	uint8_t answers[BATCH][EDGE_ICE_ANSWER_MAX];
	size_t answer_len[BATCH];
	enum edge_ice_verdict verdicts[BATCH];
	struct edge_ice_event events[BATCH];
};

static const char *const case_names[EB_STUN_CASES] = {"answered", "bad_integrity", "unknown_ufrag"};

/* See edge_bench.h. */
const char *eb_stun_case_name(enum eb_stun_case c)
{
	return (unsigned)c < EB_STUN_CASES ? case_names[c] : "?";
}

/* The verdict each case must get. */
static enum edge_ice_verdict case_verdict(enum eb_stun_case c)
{
	return c == EB_STUN_ANSWERED        ? EDGE_ICE_ANSWERED
	       : c == EB_STUN_BAD_INTEGRITY ? EDGE_ICE_BAD_INTEGRITY
					    : EDGE_ICE_UNKNOWN_UFRAG;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Append attribute (type, value[len]) zero-padded to 4 and update the
 * header's length; r->len must leave room (REQ_MAX is ample). */
static void attr_put(struct request *r, unsigned type, const void *value, size_t len)
{
	uint8_t *p = r->buf + r->len;

	put16(p, type);
	put16(p + 2, (unsigned)len);
	if (len > 0) /* USE-CANDIDATE has no value (and value may be NULL) */
		memcpy(p + 4, value, len);
	memset(p + 4 + len, 0, (4 - len % 4) % 4);
	r->len += 4 + (len + 3) / 4 * 4;
	put16(r->buf + 2, (unsigned)(r->len - HDR));
}

/* HMAC-SHA1 of msg[0..len) with key (RFC 8489 §14.5), into mac[20]. */
static void hmac_sha1(const char *key, const uint8_t *msg, size_t len, uint8_t mac[HMAC_LEN])
{
	unsigned mac_len = HMAC_LEN;

	HMAC(EVP_sha1(), key, (int)strlen(key), msg, len, mac, &mac_len);
}

/* Append MESSAGE-INTEGRITY: the header's length already counts it when the
 * HMAC is taken over everything before it. */
static void integrity_put(struct request *r, const char *key)
{
	uint8_t mac[HMAC_LEN];

	put16(r->buf + 2, (unsigned)(r->len + 4 + HMAC_LEN - HDR));
	hmac_sha1(key, r->buf, r->len, mac);
	attr_put(r, A_MI, mac, HMAC_LEN);
}

/* The FINGERPRINT value of msg[0..len) (the header's length counting it). */
static uint32_t fingerprint_of(const uint8_t *msg, size_t len)
{
	return (uint32_t)crc32(0, msg, (uInt)len) ^ FP_XOR;
}

/* Append FINGERPRINT, the last attribute. */
static void fingerprint_put(struct request *r)
{
	uint8_t v[4];

	put16(r->buf + 2, (unsigned)(r->len + 8 - HDR));
	put32(v, fingerprint_of(r->buf, r->len));
	attr_put(r, A_FINGERPRINT, v, sizeof(v));
}

/* A Chromium-like Binding request: USERNAME "ufrag:remote", integrity
 * with key, transaction id from seed. */
static void request_build(struct request *r, const char *ufrag, const char *remote, const char *key,
			  uint32_t seed)
{
	char username[EDGE_ICE_UFRAG_MAX * 2 + 2];
	uint8_t tiebreaker[8], v4[4];
	int n = snprintf(username, sizeof(username), "%s:%s", ufrag, remote);

	memset(r, 0, sizeof(*r));
	put16(r->buf, TYPE_REQUEST);
	put32(r->buf + 4, MAGIC);
	for (int i = 0; i < 12; i += 4)
		put32(r->buf + 8 + i, seed * 2654435761u + (uint32_t)i);
	r->len = HDR;
	attr_put(r, A_USERNAME, username, (size_t)n);
	put32(v4, 1u << 16 | 10); /* network id 1, cost 10 */
	attr_put(r, ATTR_GOOG_NETWORK_INFO, v4, 4);
	for (int i = 0; i < 8; i++)
		tiebreaker[i] = (uint8_t)(seed >> (i % 4 * 8));
	attr_put(r, A_CONTROLLING, tiebreaker, 8);
	attr_put(r, A_USE_CANDIDATE, NULL, 0);
	put32(v4, 0x6e7f1eff); /* a host candidate's priority, as Chromium computes */
	attr_put(r, A_PRIORITY, v4, 4);
	integrity_put(r, key);
	fingerprint_put(r);
}

/* Where an attribute of this type starts in an answer, or 0 (also when
 * it or one before it runs past the end). */
static size_t answer_find(const uint8_t *a, size_t len, unsigned type)
{
	for (size_t off = HDR; off + 4 <= len; off += 4 + (get16(a + off + 2) + 3u) / 4 * 4) {
		if (off + 4 + get16(a + off + 2) > len)
			return 0;
		if (get16(a + off) == type)
			return off;
	}
	return 0;
}

/* 1 when the XOR-MAPPED-ADDRESS at off (RFC 8489 §14.2) is src (IPv4). */
static int xma_is(const uint8_t *a, size_t off, const struct edge_stun_addr *src)
{
	uint8_t ip[4];

	if (get16(a + off + 2) != 8 || a[off + 5] != 0x01)
		return 0;
	put32(ip, get32(a + off + 8) ^ MAGIC);
	return (get16(a + off + 6) ^ (MAGIC >> 16)) == src->port && memcmp(ip, src->ip, 4) == 0;
}

/* 1 when the MESSAGE-INTEGRITY at off is the HMAC with key of everything
 * before it, the length field counting up to its end. */
static int mi_is_valid(const uint8_t *a, size_t off, const char *key)
{
	uint8_t copy[EDGE_ICE_ANSWER_MAX], mac[HMAC_LEN];

	if (get16(a + off + 2) != HMAC_LEN || off > sizeof(copy))
		return 0;
	memcpy(copy, a, off);
	put16(copy + 2, (unsigned)(off + 4 + HMAC_LEN - HDR));
	hmac_sha1(key, copy, off, mac);
	return memcmp(mac, a + off + 4, HMAC_LEN) == 0;
}

/* 1 when answer a[len] is a Binding success to request req from src that
 * carries XOR-MAPPED-ADDRESS src, a MESSAGE-INTEGRITY made with key and a
 * valid FINGERPRINT as its last attribute (RFC 8489 §14.5, §14.7). */
static int answer_is_valid(const uint8_t *a, size_t len, const struct request *req,
			   const struct edge_stun_addr *src, const char *key)
{
	size_t xma, mi, fp;

	if (len < HDR + 8 || len > EDGE_ICE_ANSWER_MAX || get16(a) != TYPE_SUCCESS ||
	    get16(a + 2) != len - HDR || get32(a + 4) != MAGIC ||
	    memcmp(a + 8, req->buf + 8, 12) != 0)
		return 0;
	xma = answer_find(a, len, A_XMA);
	mi = answer_find(a, len, A_MI);
	fp = answer_find(a, len, A_FINGERPRINT);
	if (!xma || !mi || !fp || fp != len - 8 || mi != fp - 24 || xma > mi)
		return 0;
	return xma_is(a, xma, src) && mi_is_valid(a, mi, key) &&
	       get32(a + fp + 4) == fingerprint_of(a, fp);
}

/* Build session k's browser side and its requests of every case. */
static void peer_make(struct peer *p, unsigned k)
{
	char wrong_pwd[EDGE_ICE_PWD_MAX + 1], other_ufrag[EDGE_ICE_UFRAG_MAX + 1];

	snprintf(p->remote, sizeof(p->remote), "%04x", k & 0xffff);
	p->src.family = 4;
	p->src.port = (uint16_t)(50000 + k % 10000);
	p->src.ip[0] = 198;
	p->src.ip[1] = 18;
	p->src.ip[2] = (uint8_t)(k >> 8);
	p->src.ip[3] = (uint8_t)k;
	/* a forger who knows the ufrag (it travels in clear) but not the password */
	snprintf(wrong_pwd, sizeof(wrong_pwd), "%s", p->cred.pwd);
	wrong_pwd[0] = wrong_pwd[0] == 'A' ? 'B' : 'A';
	/* a ufrag of the same length that no session has */
	snprintf(other_ufrag, sizeof(other_ufrag), "%s", p->cred.ufrag);
	other_ufrag[0] = other_ufrag[0] == '+' ? '/' : '+';
	other_ufrag[1] = other_ufrag[1] == '+' ? '/' : '+';
	request_build(&p->req[EB_STUN_ANSWERED], p->cred.ufrag, p->remote, p->cred.pwd, k);
	request_build(&p->req[EB_STUN_BAD_INTEGRITY], p->cred.ufrag, p->remote, wrong_pwd, k);
	request_build(&p->req[EB_STUN_UNKNOWN_UFRAG], other_ufrag, p->remote, p->cred.pwd, k);
}

/* Feed `count` requests of case c to the agent, from session b->next on,
 * into the batch arrays; the time of these calls only is added to *t. */
static void batch_run(struct eb_stun *b, enum eb_stun_case c, unsigned count, struct eb_time *t)
{
	struct eb_time start;
	unsigned k = b->next;

	eb_time_start(&start);
	for (unsigned i = 0; i < count; i++) {
		const struct peer *p = &b->peers[k];

		b->verdicts[i] = edge_ice_input(b->agent, p->req[c].buf, p->req[c].len, &p->src,
						T0_MS + 1, b->answers[i], EDGE_ICE_ANSWER_MAX,
						&b->answer_len[i], &b->events[i]);
		k = k + 1 == b->n ? 0 : k + 1;
	}
	eb_time_add(t, &start);
}

/* Check the batch of `count` requests of case c sent from session first on:
 * the verdict, no answer and no event for a refusal; for an answer its
 * bytes, and the event (`want` for session k, its cookie k + 1). Returns
 * how many were right. */
static unsigned batch_check(const struct eb_stun *b, enum eb_stun_case c, unsigned first,
			    unsigned count, enum edge_ice_event_kind want)
{
	unsigned ok = 0, k = first;

	for (unsigned i = 0; i < count; i++) {
		const struct peer *p = &b->peers[k];
		const struct edge_ice_event *e = &b->events[i];
		int right = b->verdicts[i] == case_verdict(c);

		if (c == EB_STUN_ANSWERED)
			right = right && e->kind == want && e->cookie == k + 1u &&
				answer_is_valid(b->answers[i], b->answer_len[i], &p->req[c],
						&p->src, p->cred.pwd);
		else
			right = right && b->answer_len[i] == 0 && e->kind == EDGE_ICE_EVENT_NONE;
		ok += (unsigned)right;
		k = k + 1 == b->n ? 0 : k + 1;
	}
	return ok;
}

/* Add the sessions and nominate each from its address (one authenticated
 * USE-CANDIDATE request apiece, every answer checked). 0 or -1. */
static int sessions_setup(struct eb_stun *b)
{

	for (unsigned k = 0; k < b->n; k++) {
		struct peer *p = &b->peers[k];

		if (edge_ice_credentials_generate(&p->cred) != 0)
			return -1;
		peer_make(p, k);
		if (edge_ice_session_add(b->agent, &p->cred, p->remote, k + 1u, T0_MS) != 0)
			return -1;
	}
	for (unsigned k = 0; k < b->n; k += BATCH) {
		unsigned count = b->n - k < BATCH ? b->n - k : BATCH;

		b->next = k;
		batch_run(b, EB_STUN_ANSWERED, count, &b->first_checks);
		if (batch_check(b, EB_STUN_ANSWERED, k, count, EDGE_ICE_EVENT_NOMINATED) != count)
			return -1;
	}
	b->next = 0;
	return 0;
}

/* See edge_bench.h. The agent's capacity is relais-edge's default
 * --max-sessions, so that lookups scan the table a node has. */
struct eb_stun *eb_stun_new(unsigned n_sessions, unsigned capacity)
{
	struct edge_ice_params params = {.capacity = capacity};
	struct eb_stun *b = calloc(1, sizeof(*b));

	if (b == NULL || n_sessions == 0 || n_sessions > capacity)
		goto fail;
	b->n = n_sessions;
	b->peers = calloc(n_sessions, sizeof(*b->peers));
	b->agent = edge_ice_create(&params);
	if (b->peers == NULL || b->agent == NULL || sessions_setup(b) != 0)
		goto fail;
	return b;
fail:
	fprintf(stderr, "edge_bench: STUN setup with %u sessions (capacity %u) failed\n",
		n_sessions, capacity);
	eb_stun_free(b);
	return NULL;
}

/* See edge_bench.h. */
void eb_stun_round(struct eb_stun *b, enum eb_stun_case c, double secs, uint64_t max_ops,
		   struct eb_stun_round *out)
{
	uint64_t limit_ns = (uint64_t)(secs * 1e9);

	memset(out, 0, sizeof(*out));
	while (out->requests < max_ops && out->t.wall_ns < limit_ns) {
		uint64_t left = max_ops - out->requests;
		unsigned count = left < BATCH ? (unsigned)left : BATCH;
		unsigned first = b->next, ok;

		batch_run(b, c, count, &out->t);
		b->next = (unsigned)((first + count) % b->n);
		ok = batch_check(b, c, first, count, EDGE_ICE_EVENT_CONSENT);
		out->requests += count;
		out->verified += ok;
		out->wrong += count - ok;
	}
}

/* See edge_bench.h. */
void eb_stun_first_checks(const struct eb_stun *b, struct eb_time *t)
{
	*t = b->first_checks;
}

/* See edge_bench.h. */
void eb_stun_free(struct eb_stun *b)
{
	if (b == NULL)
		return;
	edge_ice_free(b->agent);
	if (b->peers != NULL)
		for (unsigned k = 0; k < b->n; k++)
			edge_ice_credentials_wipe(&b->peers[k].cred);
	free(b->peers);
	free(b);
}
