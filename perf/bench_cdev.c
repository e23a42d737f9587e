/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The crypto-only bound of the cryptodev engine: rte_cryptodev driven
 * directly, with no relais code, doing the cryptographic work the pipeline
 * does per input packet: one decrypt-verify and `fanout` encrypt-digest
 * operations, each output with its own session (its own keys), over mbufs
 * of the same sizes, enqueued and dequeued in bursts of 32.
 *
 * Device: a crypto_aesni_mb vdev of our own (the PMD the engine uses),
 * one queue pair. Sessions: for AES_CM_128_HMAC_SHA1_80/32, AES-128-CTR
 * chained with HMAC-SHA1 truncated to the tag (RFC 3711 §4.1.1, §4.2;
 * the tag covers header || payload || ROC, so the auth region is 4 bytes
 * longer than the packet); for AEAD_AES_128/256_GCM, AES-GCM with the
 * 12-byte RTP header as AAD, a 12-byte IV and a 16-byte tag (RFC 7714
 * §8.1-8.2). Keys are arbitrary bytes: the session KDF is done once per
 * context, off the packet path, and is not part of the bound.
 *
 * Inputs: groups of 32 plaintext packets are encrypted with the
 * publisher's session outside the timed region; the timed region
 * verifies and decrypts them in place with the receiver's session (same
 * keys, so every tag verifies, which is checked) and then runs the
 * fan-out encryptions over 32 output mbufs reused from burst to burst.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <relais/srtp_profile.h>

#include "bench.h"

#define CB_BURST 32u
#define CB_DRIVER "crypto_aesni_mb"
#define CB_SESSIONS (2 * BENCH_MAX_FANOUT + 64)
#define CB_IV_OFF (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define CB_RTP_HDR 12u
#define CB_ROC 4u
#define CB_MAX_POLLS (1u << 24)

/* The device and the pools (made once, on first use). */
struct cb_dev {
	int up;
	uint8_t dev_id;
	char name[RTE_CRYPTODEV_NAME_MAX_LEN];
	struct rte_mempool *sess_mp, *op_mp, *mb_mp;
	struct rte_crypto_op *ops[CB_BURST];
	struct rte_mbuf *in[CB_BURST], *out[CB_BURST];
};

/* Sessions of one profile: the publisher (encrypt, untimed), the
 * receiver (decrypt-verify) and one encrypt session per output. */
struct cb_sess {
	uint16_t profile;
	const struct relais_srtp_profile_info *pi;
	void *pub, *rcv;
	void *sub[BENCH_MAX_FANOUT];
	unsigned n_sub;
};

static struct cb_dev dev;
static struct cb_sess sess;

/* Create the vdev, its pools and its queue pair. 0 or -errno. */
static int dev_open(void)
{
	struct rte_cryptodev_config conf = {.socket_id = (int)rte_socket_id(), .nb_queue_pairs = 1};
	struct rte_cryptodev_qp_conf qp = {.nb_descriptors = 256};
	int socket = (int)rte_socket_id(), id;

	snprintf(dev.name, sizeof(dev.name), "%s_bench%d", CB_DRIVER, (int)getpid());
	if (rte_vdev_init(dev.name, "max_nb_queue_pairs=1") != 0)
		return -ENODEV;
	dev.up = 1;
	if ((id = rte_cryptodev_get_dev_id(dev.name)) < 0)
		return -ENODEV;
	dev.dev_id = (uint8_t)id;
	dev.sess_mp = rte_cryptodev_sym_session_pool_create(
	    "cb_sess", CB_SESSIONS, rte_cryptodev_sym_get_private_session_size(dev.dev_id), 0, 0,
	    socket);
	dev.op_mp = rte_crypto_op_pool_create("cb_ops", RTE_CRYPTO_OP_TYPE_SYMMETRIC, 2 * CB_BURST,
					      0, 16, socket);
	dev.mb_mp = rte_pktmbuf_pool_create("cb_mbufs", 4 * CB_BURST, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (dev.sess_mp == NULL || dev.op_mp == NULL || dev.mb_mp == NULL)
		return -ENOMEM;
	if (rte_crypto_op_bulk_alloc(dev.op_mp, RTE_CRYPTO_OP_TYPE_SYMMETRIC, dev.ops, CB_BURST) !=
		CB_BURST ||
	    rte_pktmbuf_alloc_bulk(dev.mb_mp, dev.in, CB_BURST) != 0 ||
	    rte_pktmbuf_alloc_bulk(dev.mb_mp, dev.out, CB_BURST) != 0)
		return -ENOMEM;
	qp.mp_session = dev.sess_mp;
	if (rte_cryptodev_configure(dev.dev_id, &conf) != 0 ||
	    rte_cryptodev_queue_pair_setup(dev.dev_id, 0, &qp, socket) != 0 ||
	    rte_cryptodev_start(dev.dev_id) != 0)
		return -EIO;
	return 0;
}

/* A session of profile pi with key material from seed: AES-CTR +
 * HMAC-SHA1 chained (cipher then generate / verify then decipher), or
 * AES-GCM. NULL on failure. */
static void *make_session(const struct relais_srtp_profile_info *pi, uint32_t seed, int encrypt)
{
	struct rte_crypto_sym_xform c = {.type = RTE_CRYPTO_SYM_XFORM_CIPHER};
	struct rte_crypto_sym_xform a = {.type = RTE_CRYPTO_SYM_XFORM_AUTH};
	struct rte_crypto_sym_xform g = {.type = RTE_CRYPTO_SYM_XFORM_AEAD};
	struct relais_srtp_key k;
	uint8_t auth_key[20];

	bench_key_make(&k, pi->id, seed);
	if (pi->aead) {
		g.aead.op = encrypt ? RTE_CRYPTO_AEAD_OP_ENCRYPT : RTE_CRYPTO_AEAD_OP_DECRYPT;
		g.aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		g.aead.key.data = k.key;
		g.aead.key.length = pi->key_len;
		g.aead.iv.offset = CB_IV_OFF;
		g.aead.iv.length = 12;
		g.aead.digest_length = pi->rtp_tag_len;
		g.aead.aad_length = CB_RTP_HDR;
		return rte_cryptodev_sym_session_create(dev.dev_id, &g, dev.sess_mp);
	}
	memcpy(auth_key, k.key, 16);
	memcpy(auth_key + 16, k.salt, 4);
	c.cipher.op = encrypt ? RTE_CRYPTO_CIPHER_OP_ENCRYPT : RTE_CRYPTO_CIPHER_OP_DECRYPT;
	c.cipher.algo = RTE_CRYPTO_CIPHER_AES_CTR;
	c.cipher.key.data = k.key;
	c.cipher.key.length = pi->key_len;
	c.cipher.iv.offset = CB_IV_OFF;
	c.cipher.iv.length = 16;
	a.auth.op = encrypt ? RTE_CRYPTO_AUTH_OP_GENERATE : RTE_CRYPTO_AUTH_OP_VERIFY;
	a.auth.algo = RTE_CRYPTO_AUTH_SHA1_HMAC;
	a.auth.key.data = auth_key;
	a.auth.key.length = sizeof(auth_key);
	a.auth.digest_length = pi->rtp_tag_len;
	if (encrypt)
		c.next = &a;
	else
		a.next = &c;
	return rte_cryptodev_sym_session_create(dev.dev_id, encrypt ? &c : &a, dev.sess_mp);
}

/* Free every session (the device stays). */
static void sessions_free(void)
{
	for (unsigned j = 0; j < sess.n_sub; j++)
		rte_cryptodev_sym_session_free(dev.dev_id, sess.sub[j]);
	if (sess.pub)
		rte_cryptodev_sym_session_free(dev.dev_id, sess.pub);
	if (sess.rcv)
		rte_cryptodev_sym_session_free(dev.dev_id, sess.rcv);
	memset(&sess, 0, sizeof(sess));
}

/* The sessions for profile with at least fanout outputs. 0 or -errno. */
static int sessions_get(uint16_t profile, unsigned fanout)
{
	int rc;

	if (!dev.up && (rc = dev_open()) < 0) {
		fprintf(stderr, "relais-bench: cannot open a %s device for the bound: %s\n",
			CB_DRIVER, strerror(-rc));
		return rc;
	}
	if (sess.pi != NULL && sess.profile != profile)
		sessions_free();
	if (sess.pi == NULL) {
		sess.profile = profile;
		sess.pi = relais_srtp_profile_get(profile);
		if (sess.pi == NULL)
			return -EINVAL;
		sess.pub = make_session(sess.pi, 7, 1);
		sess.rcv = make_session(sess.pi, 7, 0);
		if (sess.pub == NULL || sess.rcv == NULL)
			return -ENOMEM;
	}
	while (sess.n_sub < fanout) {
		sess.sub[sess.n_sub] = make_session(sess.pi, 1000 + sess.n_sub, 1);
		if (sess.sub[sess.n_sub] == NULL)
			return -ENOMEM;
		sess.n_sub++;
	}
	return 0;
}

/* Fill op i for session s over mbuf m holding an RTP packet with payload
 * bytes; idx varies the IV per packet (RFC 3711 §4.1.1 / RFC 7714 §8.1
 * layouts: the index lands in the low bytes). */
static void op_fill(struct rte_crypto_op *op, void *s, struct rte_mbuf *m, unsigned payload,
		    uint32_t idx)
{
	struct rte_crypto_sym_op *sy = op->sym;
	uint8_t *iv = rte_crypto_op_ctod_offset(op, uint8_t *, CB_IV_OFF);
	uint32_t tag_off = CB_RTP_HDR + payload + (sess.pi->aead ? 0 : CB_ROC);

	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	rte_crypto_op_attach_sym_session(op, s);
	sy->m_src = m;
	sy->m_dst = NULL;
	memset(iv, 0x5a, 16);
	memcpy(iv + 8, &idx, sizeof(idx));
	if (sess.pi->aead) {
		sy->aead.data.offset = CB_RTP_HDR;
		sy->aead.data.length = payload;
		sy->aead.aad.data = rte_pktmbuf_mtod(m, uint8_t *);
		sy->aead.aad.phys_addr = rte_pktmbuf_iova(m);
		sy->aead.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *, tag_off);
		sy->aead.digest.phys_addr = rte_pktmbuf_iova_offset(m, tag_off);
		return;
	}
	iv[14] = iv[15] = 0; /* the block counter (RFC 3711 §4.1.1) */
	sy->cipher.data.offset = CB_RTP_HDR;
	sy->cipher.data.length = payload;
	sy->auth.data.offset = 0;
	sy->auth.data.length = CB_RTP_HDR + payload + CB_ROC;
	sy->auth.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *, tag_off);
	sy->auth.digest.phys_addr = rte_pktmbuf_iova_offset(m, tag_off);
}

/* Enqueue dev.ops[0..n) and poll until all are back. 0, or -EPROTO when
 * an op did not succeed (a tag did not verify), -EIO when stuck. */
static int run_burst(unsigned n)
{
	struct rte_crypto_op *done[CB_BURST];
	unsigned sent = 0, got = 0, polls = 0;
	int rc = 0;

	while (got < n && polls++ < CB_MAX_POLLS) {
		if (sent < n)
			sent += rte_cryptodev_enqueue_burst(dev.dev_id, 0, dev.ops + sent,
							    (uint16_t)(n - sent));
		unsigned k = rte_cryptodev_dequeue_burst(dev.dev_id, 0, done, (uint16_t)(n - got));

		for (unsigned i = 0; i < k; i++)
			rc |= done[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS;
		got += k;
	}
	if (got < n)
		return -EIO;
	return rc ? -EPROTO : 0;
}

/* Set the data length of the first n mbufs of ms for payload. */
static void size_mbufs(struct rte_mbuf **ms, unsigned n, unsigned payload)
{
	unsigned len = CB_RTP_HDR + payload + (sess.pi->aead ? 0 : CB_ROC) + sess.pi->rtp_tag_len;

	for (unsigned i = 0; i < n; i++) {
		rte_pktmbuf_reset(ms[i]);
		memset(rte_pktmbuf_mtod(ms[i], uint8_t *), (int)i, len);
		ms[i]->data_len = (uint16_t)len;
		ms[i]->pkt_len = len;
	}
}

/* One group of n inputs: encrypt them as the publisher (untimed), then
 * time decrypt-verify of each and fanout encryptions per input in bursts
 * of CB_BURST. Adds the timed cycles to *cycles. 0 or -errno. */
static int group(unsigned payload, unsigned fanout, unsigned n, uint32_t *idx, uint64_t *cycles)
{
	unsigned total = n * fanout, k = 0;
	uint64_t t0;
	int rc;

	for (unsigned i = 0; i < n; i++)
		op_fill(dev.ops[i], sess.pub, dev.in[i], payload, *idx + i);
	if ((rc = run_burst(n)) < 0)
		return rc;
	t0 = rte_rdtsc();
	for (unsigned i = 0; i < n; i++)
		op_fill(dev.ops[i], sess.rcv, dev.in[i], payload, *idx + i);
	rc = run_burst(n);
	for (unsigned o = 0; rc == 0 && o < total; o++) {
		/* output o: input o / fanout, subscriber o % fanout */
		op_fill(dev.ops[k], sess.sub[o % fanout], dev.out[k], payload, *idx + o / fanout);
		if (++k == CB_BURST || o + 1 == total) {
			rc = run_burst(k);
			k = 0;
		}
	}
	*cycles += rte_rdtsc() - t0;
	*idx += n;
	return rc;
}

/* See bench.h. */
int bench_cdev_bound(const struct bench_opts *o, uint16_t profile, unsigned fanout,
		     unsigned payload, struct bench_result *r)
{
	uint64_t in = 0, cycles = 0, hz = rte_get_tsc_hz();
	static uint32_t idx;
	int rc = sessions_get(profile, fanout);

	if (rc == 0) {
		size_mbufs(dev.in, CB_BURST, payload);
		size_mbufs(dev.out, CB_BURST, payload);
	}
	while (rc == 0 && in < o->max_pkts && (double)cycles < o->secs * (double)hz) {
		unsigned n = (unsigned)RTE_MIN((uint64_t)CB_BURST, o->max_pkts - in);

		rc = group(payload, fanout, n, &idx, &cycles);
		in += n;
	}
	if (rc < 0) {
		fprintf(stderr, "relais-bench: cryptodev-only bound failed: %s\n", strerror(-rc));
		return rc;
	}
	r->bound_out_per_s = cycles ? (double)(in * fanout) / bench_tsc_secs(cycles) : 0;
	return 0;
}

/* See bench.h. */
void bench_cdev_fini(void)
{
	if (dev.up)
		sessions_free();
	if (dev.ops[0])
		for (unsigned i = 0; i < CB_BURST; i++)
			rte_crypto_op_free(dev.ops[i]);
	if (dev.in[0])
		rte_pktmbuf_free_bulk(dev.in, CB_BURST);
	if (dev.out[0])
		rte_pktmbuf_free_bulk(dev.out, CB_BURST);
	if (dev.up) {
		rte_cryptodev_stop(dev.dev_id);
		rte_cryptodev_close(dev.dev_id);
		rte_vdev_uninit(dev.name);
	}
	rte_mempool_free(dev.op_mp);
	rte_mempool_free(dev.sess_mp);
	rte_mempool_free(dev.mb_mp);
	memset(&dev, 0, sizeof(dev));
}
