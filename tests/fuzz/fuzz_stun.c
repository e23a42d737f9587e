/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: edge_stun_parse() and its checks on arbitrary bytes (every
 * recorded attribute inside the input, XOR-MAPPED-ADDRESS re-encoding to
 * the same bytes), then edge_ice_input() of an agent holding the sessions
 * the seeds were made for (make_stun_corpus.py): an answer is written only
 * for ANSWERED / ROLE_CONFLICT and then verifies with the password; any
 * other verdict leaves the sessions untouched; expiry empties the table.
 */
#include <errno.h>
#include <string.h>

#include "edge_ice.h"
#include "fuzz_target.h"

#define FUZZ_PWD "fuzzfuzzfuzzfuzzfuzzfuzz"

/* An XOR address that decodes re-encodes to the same value bytes. */
static void check_xor_address(const struct edge_stun_msg *m, const struct edge_stun_attr *a)
{
	struct edge_stun_addr addr;
	struct edge_stun_writer w;
	uint8_t out[64];
	size_t len;

	if (edge_stun_xor_address(m, a, &addr) != EDGE_STUN_OK)
		return;
	FUZZ_ASSERT(addr.family == 4 || addr.family == 6);
	edge_stun_writer_start(&w, out, sizeof(out), EDGE_STUN_BINDING_SUCCESS, m->txid);
	edge_stun_writer_xor_address(&w, &addr);
	FUZZ_ASSERT(edge_stun_writer_finish(&w, &len) == EDGE_STUN_OK);
	FUZZ_ASSERT(len == (size_t)EDGE_STUN_HEADER_LEN + 4 + a->len);
	/* Byte 0 is reserved: whatever the sender put there is not kept. */
	FUZZ_ASSERT(memcmp(out + EDGE_STUN_HEADER_LEN + 5, m->data + a->off + 1, a->len - 1) == 0);
}

/* The parser's view stays inside the input; the checks name sane reasons. */
static void fuzz_parse(const uint8_t *data, size_t size)
{
	struct edge_stun_msg m;
	enum edge_stun_reason r = edge_stun_parse(data, size, &m), fp, mi;

	FUZZ_ASSERT(r < EDGE_STUN_REASON_MAX);
	if (r != EDGE_STUN_OK)
		return;
	FUZZ_ASSERT(m.n_attrs <= EDGE_STUN_MAX_ATTRS && m.len == size);
	for (unsigned i = 0; i < m.n_attrs; i++) {
		FUZZ_ASSERT((size_t)m.attrs[i].off + m.attrs[i].len <= size);
		if (m.attrs[i].type == EDGE_STUN_ATTR_XOR_MAPPED_ADDRESS)
			check_xor_address(&m, &m.attrs[i]);
	}
	FUZZ_ASSERT(m.mi_off == 0 || m.mi_off + 24 <= size);
	FUZZ_ASSERT(m.fp_off == 0 || m.fp_off + 8 == size);
	fp = edge_stun_check_fingerprint(&m);
	mi = edge_stun_check_integrity(&m, FUZZ_PWD, strlen(FUZZ_PWD));
	FUZZ_ASSERT(fp == EDGE_STUN_OK || fp == EDGE_STUN_NO_FINGERPRINT ||
		    fp == EDGE_STUN_BAD_FINGERPRINT);
	FUZZ_ASSERT(mi == EDGE_STUN_OK || mi == EDGE_STUN_NO_INTEGRITY ||
		    mi == EDGE_STUN_BAD_INTEGRITY);
}

/* An answer the agent wrote: parses, verifies, echoes the transaction. */
static void check_answer(const uint8_t *req, const uint8_t *out, size_t len)
{
	struct edge_stun_msg m;

	FUZZ_ASSERT(edge_stun_parse(out, len, &m) == EDGE_STUN_OK);
	FUZZ_ASSERT(edge_stun_check_fingerprint(&m) == EDGE_STUN_OK);
	FUZZ_ASSERT(edge_stun_check_integrity(&m, FUZZ_PWD, strlen(FUZZ_PWD)) == EDGE_STUN_OK);
	FUZZ_ASSERT(memcmp(m.txid, req + 8, EDGE_STUN_TXID_LEN) == 0);
}

/* Neither session was touched by a refused datagram. */
static void check_untouched(const struct edge_ice_agent *agent, const struct edge_stun_addr *src)
{
	struct edge_ice_session_info info;
	uint64_t cookie;

	FUZZ_ASSERT(edge_ice_session_get(agent, "Fuzz", &info) == 0 && !info.checked);
	FUZZ_ASSERT(edge_ice_session_get(agent, "Free", &info) == 0 && !info.checked);
	FUZZ_ASSERT(edge_ice_lookup_addr(agent, src, &cookie) == -ENOENT);
}

/* One datagram through an agent with the seeds' sessions. */
static void fuzz_agent(const uint8_t *data, size_t size)
{
	struct edge_ice_params p = {.capacity = 2};
	struct edge_ice_agent *agent = edge_ice_create(&p);
	struct edge_ice_credentials fuzz = {.ufrag = "Fuzz", .pwd = FUZZ_PWD};
	struct edge_ice_credentials free_remote = {.ufrag = "Free", .pwd = FUZZ_PWD};
	struct edge_stun_addr src = {.family = size % 2 ? 6 : 4, .port = 5000, .ip = {192, 0, 2}};
	uint8_t out[EDGE_ICE_ANSWER_MAX];
	struct edge_ice_event ev;
	enum edge_ice_verdict v;
	size_t out_len = 1;
	uint64_t cookie = 0;

	FUZZ_ASSERT(agent);
	FUZZ_ASSERT(edge_ice_session_add(agent, &fuzz, "Brws", 1, 0) == 0);
	FUZZ_ASSERT(edge_ice_session_add(agent, &free_remote, NULL, 2, 0) == 0);
	v = edge_ice_input(agent, data, size, &src, 1000, out, sizeof(out), &out_len, &ev);
	FUZZ_ASSERT(v < EDGE_ICE_VERDICT_MAX && out_len <= sizeof(out));
	FUZZ_ASSERT((out_len > 0) == (v == EDGE_ICE_ANSWERED || v == EDGE_ICE_ROLE_CONFLICT));
	if (out_len > 0)
		check_answer(data, out, out_len);
	if (v == EDGE_ICE_ANSWERED) {
		FUZZ_ASSERT(ev.kind != EDGE_ICE_EVENT_NONE);
		FUZZ_ASSERT(edge_ice_lookup_addr(agent, &src, &cookie) == 0 && cookie == ev.cookie);
	} else {
		FUZZ_ASSERT(ev.kind == EDGE_ICE_EVENT_NONE);
		check_untouched(agent, &src);
	}
	FUZZ_ASSERT(edge_ice_expire(agent, 100000, NULL, NULL) == 2);
	FUZZ_ASSERT(edge_ice_session_count(agent) == 0);
	edge_ice_free(agent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(data, size);
	fuzz_agent(data, size);
	return 0;
}
