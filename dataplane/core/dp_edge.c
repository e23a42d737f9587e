/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path to relais-edge (dp_edge.h): per-source and total
 * budgets on the workers, the edge link on the control thread.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_hash_crc.h>
#include <rte_log.h>
#include <rte_random.h>

#include <relais/edge_proto.h>

#include "dp_ctl_access.h"
#include "dp_edge.h"
#include "dp_egress.h"
#include "dp_stats.h"
#include "dp_tx.h"

/* Exception datagrams forwarded, and edge messages read, per control step. */
#define EDGE_STEP_MAX 256

/* The control thread's side of the elink. */
static struct {
	int lfd;       /* listening socket, -1 when edge.socket is empty */
	int cfd;       /* the connected edge, -1 when none */
	bool hello;    /* the edge said HELLO: RX may flow */
	long gid;      /* edge.group */
	unsigned next; /* worker that transmits the next TX message */
	char path[108];
} elink = {.lfd = -1, .cfd = -1};

/* Keyed hash of a source, so that a spoofer cannot choose addresses that
 * share a victim's bucket (the key is random per process). */
static uint32_t exc_seed;

/* The bucket of pi's source on this lcore; a new occupant starts full. */
static struct dp_exc_bucket *source_bucket(struct dp_lcore *lc, const struct dp_pkt_info *pi)
{
	uint64_t ip[2]; /* rte_hash_crc reads 8-byte words: an aligned copy */
	uint32_t h, tag;
	struct dp_exc_bucket *b;

	memcpy(ip, pi->src_ip, sizeof(ip));
	h = rte_hash_crc(ip, sizeof(ip), exc_seed ^ pi->src_port ^ pi->family);
	b = &lc->exc[h % DP_EXC_BUCKETS];
	tag = h | 1; /* 0 marks a bucket never used */

	if (b->tag != tag) {
		b->tag = tag;
		b->tb.tokens = dp_sh.cfg->exc_burst_source;
		b->tb.last = lc->now;
	}
	return b;
}

/* See dp_edge.h. */
enum relais_drop_reason dp_edge_admit(struct dp_lcore *lc, struct rte_mbuf *m,
				      const struct dp_pkt_info *pi, uint32_t part_id)
{
	const struct dp_config *c = dp_sh.cfg;
	uint32_t total_burst = c->exc_rate_total / 10 ? c->exc_rate_total / 10 : 1;

	if (exc_seed == 0)
		return RELAIS_DROP_EDGE_DOWN; /* dp_edge_open never ran */
	if (!dp_bucket_take(&source_bucket(lc, pi)->tb, lc->now, lc->hz, c->exc_rate_source,
			    c->exc_burst_source))
		return RELAIS_DROP_EXC_RATE_SOURCE;
	if (part_id == 0 &&
	    !dp_bucket_take(&lc->exc_total, lc->now, lc->hz, c->exc_rate_total, total_burst))
		return RELAIS_DROP_EXC_RATE_TOTAL;
	dp_meta(m)->part_id = part_id;
	if (rte_ring_enqueue(dp_sh.exception, m) != 0)
		return RELAIS_DROP_EXCEPTION_FULL;
	return RELAIS_DROP_NONE;
}

/* See dp_edge.h. The mbuf holds a struct dp_addr_key, then the payload. */
void dp_edge_tx_in(struct dp_lcore *lc, struct rte_mbuf *m)
{
	struct dp_addr_key dst;

	memcpy(&dst, rte_pktmbuf_mtod(m, const void *), sizeof(dst));
	rte_pktmbuf_adj(m, sizeof(dst));
	dp_egress_send_addr(lc, m, &dst);
}

/* See dp_edge.h. */
int dp_edge_open(const char *path, long gid)
{
	int fd;

	while (exc_seed == 0)
		exc_seed = (uint32_t)rte_rand();
	if (path == NULL || path[0] == '\0')
		return 0;
	fd = dp_ctl_listen(path, gid);
	if (fd < 0)
		return fd;
	elink.lfd = fd;
	elink.gid = gid;
	snprintf(elink.path, sizeof(elink.path), "%s", path);
	return 0;
}

/* Drop the connected edge, if any. */
static void disconnect(const char *why)
{
	if (elink.cfd < 0)
		return;
	RTE_LOG(WARNING, USER1, "edge: link closed: %s\n", why);
	close(elink.cfd);
	elink.cfd = -1;
	elink.hello = false;
}

/* See dp_edge.h. */
void dp_edge_close(void)
{
	disconnect("dataplane stopping");
	if (elink.lfd >= 0) {
		close(elink.lfd);
		unlink(elink.path);
		elink.lfd = -1;
	}
}

/* See dp_edge.h. */
unsigned dp_edge_pollfds(int *fds)
{
	unsigned n = 0;

	if (elink.lfd >= 0)
		fds[n++] = elink.lfd;
	if (elink.cfd >= 0)
		fds[n++] = elink.cfd;
	return n;
}

/* See dp_edge.h. */
bool dp_edge_connected(void)
{
	return elink.cfd >= 0 && elink.hello;
}

/* Accept waiting edges: the first allowed one is kept, while it lives
 * every other is refused. */
static void accept_edges(void)
{
	char who[64];
	int fd;

	if (elink.lfd < 0)
		return;
	while ((fd = accept4(elink.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (!dp_ctl_peer_allowed(fd, elink.gid, who, sizeof(who))) {
			RTE_LOG(WARNING, USER1, "edge: refusing %s: not root, our user or group\n",
				who);
			close(fd);
		} else if (elink.cfd >= 0) {
			RTE_LOG(WARNING, USER1, "edge: refusing %s: an edge is connected\n", who);
			close(fd);
		} else {
			RTE_LOG(INFO, USER1, "edge: %s connected\n", who);
			elink.cfd = fd;
			elink.hello = false;
		}
	}
}

/* Hand the edge's datagram payload/len to a worker for transmission to
 * dst (within media.allow_dst). */
static void transmit(const struct relais_addr *dst, const uint8_t *payload, uint16_t len)
{
	const struct dp_config *c = dp_sh.cfg;
	struct dp_addr_key k = {.family = dst->family, .port = dst->port};
	struct rte_mbuf *m;
	uint8_t *d;

	if (!dp_config_dst_allowed(c, dst->family, dst->ip) || dst->port == 0) {
		DP_DROP(RELAIS_DROP_NOT_FOR_US);
		return;
	}
	m = rte_pktmbuf_alloc(dp_sh.pool);
	if (m == NULL) {
		DP_DROP(RELAIS_DROP_NO_MBUF);
		return;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(sizeof(k) + len));
	if (d == NULL) {
		DP_DROP(RELAIS_DROP_OVERSIZED);
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(k.ip, dst->ip, 16);
	memcpy(d, &k, sizeof(k));
	memcpy(d + sizeof(k), payload, len);
	dp_meta(m)->kind = DP_META_EDGE_TX;
	DP_STAT_ADD(edge_tx, 1);
	dp_handoff(m, c->workers[elink.next++ % c->n_workers]);
}

/* Answer the edge's HELLO with ours. Whether the link stays. */
static bool say_hello(void)
{
	struct relais_edge_msg h = {.kind = RELAIS_EDGE_HELLO};
	uint8_t buf[RELAIS_EDGE_HDR_LEN];
	int n = relais_edge_encode(&h, buf, sizeof(buf));

	if (n < 0 || send(elink.cfd, buf, (size_t)n, MSG_DONTWAIT) != n)
		return false;
	elink.hello = true;
	return true;
}

/* Read and act on up to EDGE_STEP_MAX messages of the edge. */
static void read_edge(void)
{
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	struct relais_edge_msg m;

	for (unsigned i = 0; elink.cfd >= 0 && i < EDGE_STEP_MAX; i++) {
		ssize_t n = recv(elink.cfd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			disconnect(n == 0 ? "edge closed it" : strerror(errno));
			return;
		}
		if ((size_t)n > sizeof(buf) || relais_edge_decode(buf, (size_t)n, &m) < 0)
			disconnect("malformed message (wrong version or length)");
		else if (m.kind == RELAIS_EDGE_HELLO && !elink.hello) {
			if (!say_hello())
				disconnect("cannot answer HELLO");
		} else if (m.kind == RELAIS_EDGE_TX && elink.hello) {
			transmit(&m.addr, m.payload, m.len);
		} else if (m.kind == RELAIS_EDGE_CONSENT && elink.hello) {
			if (dp_part_consent(m.part_id, &m.addr) == 0)
				DP_STAT_ADD(edge_consents, 1);
		} else
			disconnect("unexpected message kind");
	}
}

/* Send exception datagram m (a frame from participant meta part_id) to the
 * edge as an RX message; consumes m, counting a failure. */
static void forward(struct rte_mbuf *m)
{
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	struct dp_pkt_info pi;
	struct relais_edge_msg r = {.kind = RELAIS_EDGE_RX, .part_id = dp_meta(m)->part_id};
	int n;

	if (m == NULL) /* never: the dequeue filled the first k entries */
		return;
	if (!dp_edge_connected()) {
		DP_DROP(RELAIS_DROP_EDGE_DOWN);
		rte_pktmbuf_free(m);
		return;
	}
	if (m->nb_segs != 1 || dp_parse_frame(rte_pktmbuf_mtod(m, const uint8_t *),
					      rte_pktmbuf_data_len(m), &pi) != RELAIS_DROP_NONE) {
		DP_DROP(RELAIS_DROP_TRUNCATED);
		rte_pktmbuf_free(m);
		return;
	}
	r.addr.family = pi.family;
	r.addr.port = pi.src_port;
	memcpy(r.addr.ip, pi.src_ip, 16);
	r.payload = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi.payload_off);
	r.len = pi.payload_len;
	n = relais_edge_encode(&r, buf, sizeof(buf));
	rte_pktmbuf_free(m);
	if (n < 0) {
		DP_DROP(RELAIS_DROP_OVERSIZED);
		return;
	}
	if (send(elink.cfd, buf, (size_t)n, MSG_DONTWAIT) == n) {
		DP_STAT_ADD(edge_rx, 1);
		return;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		DP_DROP(RELAIS_DROP_EXCEPTION_FULL);
	else
		disconnect(strerror(errno));
}

/* See dp_edge.h. */
void dp_edge_step(void)
{
	struct rte_mbuf *m[32] = {NULL};
	unsigned k, done = 0;

	accept_edges();
	read_edge();
	while (done < EDGE_STEP_MAX &&
	       (k = rte_ring_dequeue_burst(dp_sh.exception, (void **)m, 32, NULL)) > 0) {
		for (unsigned i = 0; i < k; i++)
			forward(m[i]);
		done += k;
	}
}
