/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine test helpers (engine_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include <relais/srtp_profile.h>

#include "engine_util.h"
#include "test_eal.h"

/* See engine_util.h. */
void eng_setup(struct eng *g, const char *prog)
{
	const char *name;

	memset(g, 0, sizeof(*g));
	if (test_eal_init(prog, NULL) != 0) {
		fprintf(stderr, "%s: EAL init failed\n", prog);
		exit(1);
	}
	name = getenv("RELAIS_CRYPTO_ENGINE");
	if (name == NULL || name[0] == '\0')
		name = "libsrtp";
	g->ops = dp_crypto_engine_find(name);
	if (g->ops == NULL || (g->e = g->ops->create(1)) == NULL) {
		fprintf(stderr, "%s: %s engine unavailable\n", prog, name);
		exit(1);
	}
	/* Tests keep raw libsrtp sessions of their own: initialise libsrtp
	 * when the engine under test does not. */
	g->own_srtp = strcmp(name, "libsrtp") != 0;
	if (g->own_srtp && srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "%s: srtp_init failed\n", prog);
		exit(1);
	}
	printf("%s: engine %s\n", prog, name);
	g->mp = test_mbuf_pool(256);
	if (g->mp == NULL) {
		fprintf(stderr, "%s: mbuf pool creation failed\n", prog);
		exit(1);
	}
}

/* See engine_util.h. */
void eng_teardown(struct eng *g)
{
	g->ops->destroy(g->e);
	if (g->own_srtp)
		srtp_shutdown();
	rte_mempool_free(g->mp);
	memset(g, 0, sizeof(*g));
	test_eal_cleanup();
}

/* See engine_util.h. */
struct dp_crypto_ctx *eng_ctx(struct eng *g, uint16_t profile, const uint8_t *key,
			      const uint8_t *salt, enum dp_crypto_dir dir)
{
	const struct relais_srtp_profile_info *p = relais_srtp_profile_get(profile);
	struct relais_srtp_key k;

	memset(&k, 0, sizeof(k));
	k.profile = profile;
	if (p != NULL) {
		memcpy(k.key, key, p->key_len);
		memcpy(k.salt, salt, p->salt_len);
	}
	return g->ops->ctx_create(g->e, &k, dir);
}

/* See engine_util.h. */
uint8_t eng_run(struct eng *g, struct dp_crypto_ctx *c, int protect, int is_rtcp, uint16_t off,
		const uint8_t *in, uint16_t len, uint8_t *out, uint16_t *out_len)
{
	return eng_run_at(g, c, protect, is_rtcp, 0, off, in, len, out, out_len);
}

/* See engine_util.h. */
uint8_t eng_run_at(struct eng *g, struct dp_crypto_ctx *c, int protect, int is_rtcp,
		   uint32_t srtcp_index, uint16_t off, const uint8_t *in, uint16_t len,
		   uint8_t *out, uint16_t *out_len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->mp);
	struct dp_crypto_op op;
	uint8_t *d;
	uint8_t drop;

	if (m == NULL || (d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(off + len))) == NULL) {
		rte_pktmbuf_free(m);
		return 0xfe;
	}
	memset(d, 0x5a, off);
	if (len > 0)
		memcpy(d + off, in, len);
	memset(&op, 0, sizeof(op));
	op.m = m;
	op.ctx = c;
	op.off = off;
	op.is_rtcp = (uint8_t)is_rtcp;
	op.srtcp_index = srtcp_index;
	if (protect)
		g->ops->protect_burst(g->e, 0, &op, 1);
	else
		g->ops->unprotect_burst(g->e, 0, &op, 1);
	drop = op.drop;
	*out_len = (uint16_t)(rte_pktmbuf_data_len(m) - off);
	memcpy(out, rte_pktmbuf_mtod_offset(m, uint8_t *, off), *out_len);
	for (uint16_t i = 0; i < off; i++)
		if (rte_pktmbuf_mtod(m, uint8_t *)[i] != 0x5a)
			drop = 0xff;
	if (rte_pktmbuf_pkt_len(m) != rte_pktmbuf_data_len(m))
		drop = 0xff;
	rte_pktmbuf_free(m);
	return drop;
}
