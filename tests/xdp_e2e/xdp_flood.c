/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_flood: a bounded attack-traffic generator for the XDP tests. It writes
 * whole Ethernet frames on an AF_PACKET socket (so source addresses can be
 * spoofed and frames can be oversized), paced to --pps, and prints how many
 * frames it sent. Kinds:
 *   garbage    UDP payload whose first byte (80) is outside RFC 7983 ranges
 *   spoof      valid-looking RTP from --nsrc spoofed sources
 *   oversized  RTP frames of --size payload bytes (above the filter's limit)
 *   rtp        valid-looking RTP (for the token-bucket source)
 *   forged     RTP with SSRC --ssrc and a random "authentication tag":
 *              SRTP that a dataplane with the real key rejects (srtp_auth)
 *   replay     copies of real SRTP: first captures up to 64 RTP frames that
 *              leave this host on --ifname from --src to --dst port 5000
 *              (within 3 s; the participants' own, sent by relais-loadgen),
 *              then sends them again in turn (srtp_replay)
 * All but replay come from UDP port --sport (40000); RTP sequence numbers
 * count from --seq (0).
 * Usage: xdp_flood --ifname IF --dst-mac MAC --dst IP --src IP --kind K
 *                  --count N [--pps R] [--nsrc N] [--size N] [--ssrc X] [--sport P]
 *                  [--seq N]
 * Bounds: --count <= 10,000,000 and at most 30 s of sending.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 10000000ull
#define MAX_SECONDS 30
#define DPORT 5000
#define REPLAY_MAX 64     /* frames captured for --kind replay */
#define CAPTURE_SECONDS 3 /* longest capture */
#define FRAME_MAX 1514

/* The source MAC of the frames we build (and do not capture for replay). */
static const uint8_t our_mac[6] = {0x02, 0x52, 0x4c, 0x46, 0x4c, 0x44};

struct opts {
	const char *ifname, *kind;
	uint8_t dmac[6];
	uint8_t src[4], dst[4];
	uint64_t count, pps;
	unsigned nsrc, size;
	uint32_t ssrc;
	uint16_t sport, seq;
};

/* The frames --kind replay sends again. */
static uint8_t replay_frame[REPLAY_MAX][FRAME_MAX];
static size_t replay_len[REPLAY_MAX], n_replay;

/* Monotonic time in ns. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* RFC 791 §3.1 header checksum over hlen bytes. */
static uint16_t ip_csum(const uint8_t *h, size_t hlen)
{
	uint32_t s = 0;

	for (size_t i = 0; i < hlen; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Build frame number i of the flood into f; returns its length. */
static size_t build(const struct opts *o, uint64_t i, uint8_t *f)
{
	unsigned pay = !strcmp(o->kind, "oversized") ? o->size
		       : !strcmp(o->kind, "garbage") ? 100
						     : 160;
	uint8_t *ip = f + 14, *udp = ip + 20, *p = udp + 8;
	uint16_t ulen = (uint16_t)(8 + pay), tot = (uint16_t)(20 + ulen), c;

	memcpy(f, o->dmac, 6);
	memcpy(f + 6, our_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, o->src, 4);
	if (!strcmp(o->kind, "spoof"))
		ip[15] = (uint8_t)(o->src[3] + i % o->nsrc);
	memcpy(ip + 16, o->dst, 4);
	c = ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = (uint8_t)(o->sport >> 8);
	udp[1] = (uint8_t)o->sport;
	udp[2] = DPORT >> 8;
	udp[3] = DPORT & 0xff;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0; /* no UDP checksum (RFC 768, IPv4) */
	for (unsigned k = 0; k < pay; k++)
		p[k] = (uint8_t)(rand() & 0xff);
	if (!strcmp(o->kind, "garbage")) {
		p[0] = 80;
	} else { /* RTP header, RFC 3550 §5.1 */
		p[0] = 0x80;
		p[1] = 96;
		p[2] = (uint8_t)((o->seq + i) >> 8);
		p[3] = (uint8_t)(o->seq + i);
		for (int k = 0; k < 4; k++)
			p[8 + k] = (uint8_t)(o->ssrc >> (24 - 8 * k));
	}
	return 14 + (size_t)tot;
}

/* Whether frame f/n is IPv4 UDP RTP (RFC 3550 §5.1: version 2, second
 * byte not an RTCP type, RFC 5761 §4) from o->src to o->dst port DPORT,
 * sent by the host's stack (not by an xdp_flood beside us). */
static int is_rtp_to_us(const struct opts *o, const uint8_t *f, size_t n)
{
	const uint8_t *ip = f + 14, *udp, *p;

	if (n < 14 + 20 + 8 + 12 || !memcmp(f + 6, our_mac, 6) || f[12] != 0x08 || f[13] != 0x00 ||
	    (ip[0] >> 4) != 4 || ip[9] != 17 || memcmp(ip + 12, o->src, 4) ||
	    memcmp(ip + 16, o->dst, 4))
		return 0;
	udp = ip + (ip[0] & 0x0f) * 4;
	p = udp + 8;
	if (p + 12 > f + n || ((udp[2] << 8) | udp[3]) != DPORT)
		return 0;
	return (p[0] >> 6) == 2 && !(p[1] >= 192 && p[1] <= 223);
}

/* --kind replay: capture up to REPLAY_MAX RTP frames leaving on the
 * interface (PACKET_OUTGOING) within CAPTURE_SECONDS. 0, or -1 when none
 * was seen or the socket failed. */
static int capture(const struct opts *o, int ifindex)
{
	struct sockaddr_ll sa = {
	    .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex};
	struct timeval tv = {0, 100000};
	uint64_t end = now_ns() + CAPTURE_SECONDS * 1000000000ull;
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		perror("xdp_flood: capture socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (n_replay < REPLAY_MAX && now_ns() < end) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, replay_frame[n_replay], FRAME_MAX, 0,
				     (struct sockaddr *)&from, &fl);

		if (n > 0 && from.sll_pkttype == PACKET_OUTGOING &&
		    is_rtp_to_us(o, replay_frame[n_replay], (size_t)n))
			replay_len[n_replay++] = (size_t)n;
	}
	close(fd);
	if (n_replay == 0)
		fprintf(stderr, "xdp_flood: no RTP from the source to capture\n");
	return n_replay ? 0 : -1;
}

/* Parse "aa:bb:cc:dd:ee:ff". */
static int parse_mac(const char *s, uint8_t *m)
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

/* Command line into *o; -EINVAL on anything missing or out of bounds. */
static int parse(int argc, char **argv, struct opts *o)
{
	int have = 0;

	*o = (struct opts){.pps = 10000, .nsrc = 1, .size = 1400, .ssrc = 0x5eed, .sport = 40000};
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "--ifname"))
			o->ifname = v, have |= 1;
		else if (!strcmp(k, "--dst-mac") && !parse_mac(v, o->dmac))
			have |= 2;
		else if (!strcmp(k, "--dst") && inet_pton(AF_INET, v, o->dst) == 1)
			have |= 4;
		else if (!strcmp(k, "--src") && inet_pton(AF_INET, v, o->src) == 1)
			have |= 8;
		else if (!strcmp(k, "--kind"))
			o->kind = v, have |= 16;
		else if (!strcmp(k, "--count"))
			o->count = strtoull(v, NULL, 0), have |= 32;
		else if (!strcmp(k, "--pps"))
			o->pps = strtoull(v, NULL, 0);
		else if (!strcmp(k, "--nsrc"))
			o->nsrc = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(k, "--size"))
			o->size = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(k, "--ssrc"))
			o->ssrc = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(k, "--sport"))
			o->sport = (uint16_t)strtoul(v, NULL, 0);
		else if (!strcmp(k, "--seq"))
			o->seq = (uint16_t)strtoul(v, NULL, 0);
		else
			return -EINVAL;
	}
	if (have != 63 || !o->count || o->count > MAX_COUNT || !o->pps || !o->nsrc ||
	    o->nsrc > 200 || o->size < 16 || o->size > 9000)
		return -EINVAL;
	return 0;
}

/* Send the flood; prints "sent N" and returns 0, or 1 on a socket error. */
static int flood(const struct opts *o, int fd, const struct sockaddr_ll *sa)
{
	static uint8_t f[9100];
	uint64_t t0 = now_ns(), sent = 0, errors = 0;

	while (sent < o->count && now_ns() - t0 < MAX_SECONDS * 1000000000ull) {
		uint64_t due = (sent * 1000000000ull) / o->pps, el = now_ns() - t0;
		size_t len;

		if (el < due) { /* ahead of schedule: sleep, leave the CPU to others */
			struct timespec ts = {0, (long)(due - el)};

			nanosleep(&ts, NULL);
			continue;
		}
		if (n_replay) {
			len = replay_len[sent % n_replay];
			memcpy(f, replay_frame[sent % n_replay], len);
		} else {
			len = build(o, sent, f);
		}
		if (sendto(fd, f, len, 0, (const struct sockaddr *)sa, sizeof(*sa)) == (ssize_t)len)
			sent++;
		else if (++errors > 1000)
			break;
	}
	printf("sent %llu %.0f pps errors %llu\n", (unsigned long long)sent,
	       sent / ((now_ns() - t0) / 1e9), (unsigned long long)errors);
	return errors > 1000;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sa = {.sll_family = AF_PACKET, .sll_halen = 6};
	struct opts o;
	int fd, rc;

	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: see the head of tests/xdp_e2e/xdp_flood.c\n");
		return 2;
	}
	sa.sll_ifindex = (int)if_nametoindex(o.ifname);
	memcpy(sa.sll_addr, o.dmac, 6);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || !sa.sll_ifindex) {
		perror("xdp_flood: AF_PACKET socket / interface");
		return 2;
	}
	srand(1);
	if (!strcmp(o.kind, "replay") && capture(&o, sa.sll_ifindex) < 0) {
		close(fd);
		return 2;
	}
	rc = flood(&o, fd, &sa);
	close(fd);
	return rc;
}
