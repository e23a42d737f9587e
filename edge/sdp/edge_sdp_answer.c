/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_sdp_write_answer(): the answer of relais, an ICE-lite (RFC 8445
 * §2.5), DTLS-passive (RFC 8842) server with one host candidate, to an
 * offer negotiated by edge_sdp_negotiate(). Every accepted m-section is in
 * the BUNDLE group and repeats the transport (ICE credentials,
 * fingerprint, setup, candidate); rejected ones have port 0 (RFC 8829
 * §5.3.1). The payload types and extension ids are the offerer's.
 * Nothing from the offer is echoed but validated tokens (mids, rids) and
 * fmtp lines (single lines by construction of the parser).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "edge_sdp.h"
#include "edge_sdp_text.h"

#define ICE_UFRAG_MIN 4
#define ICE_PWD_MIN 22
#define ICE_MAX 256
/* RFC 8445 §5.1.2.1 with type preference 126 (host), local preference
 * 65535, component 1. */
#define HOST_PRIORITY ((126u << 24) | (65535u << 8) | (256u - 1u))

static const char *const dir_names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

/* The answer being written: overflow instead of writing past cap. */
struct out {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

/* Append a formatted piece; marks overflow when it does not fit. */
__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

/* A caller's token for the answer: printable ASCII without space, 1..63. */
static bool local_token_ok(const char *s)
{
	return s && s[0] && strlen(s) < EDGE_SDP_TOKEN_LEN &&
	       strspn(s, "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`"
			 "abcdefghijklmnopqrstuvwxyz{|}~") == strlen(s);
}

/* "sha-256 AB:CD:..." with 32 bytes. */
static bool local_fingerprint_ok(const char *fp)
{
	if (!fp || strncmp(fp, "sha-256 ", 8) != 0)
		return false;
	return strlen(fp + 8) == 32 * 3 - 1 && sdp_fingerprint_ok(sdp_str(fp + 8));
}

/* The per-section sending identities of a subscribe answer. */
static bool local_sends_ok(const struct edge_sdp_local *l, const struct edge_sdp_result *res)
{
	if (res->role != EDGE_SDP_ROLE_SUBSCRIBE)
		return true;
	for (unsigned i = 0; i < res->n_media; i++) {
		const struct edge_sdp_send *s = &l->send[i];

		if (!res->media[i].accepted || s->ssrc == 0)
			continue;
		if (!local_token_ok(s->cname) || (s->stream_id && !local_token_ok(s->stream_id)) ||
		    !local_token_ok(s->track_id) || s->rtx_ssrc == s->ssrc)
			return false;
	}
	return true;
}

/* Check relais's side; *family gets 4 or 6. */
static bool local_ok(const struct edge_sdp_local *l, const struct edge_sdp_result *res, int *family)
{
	unsigned char addr[16];

	if (!l->ice_ufrag || !l->ice_pwd || !l->address || l->port == 0 ||
	    !sdp_ice_string(l->ice_ufrag, ICE_UFRAG_MIN, ICE_MAX) ||
	    !sdp_ice_string(l->ice_pwd, ICE_PWD_MIN, ICE_MAX) ||
	    !local_fingerprint_ok(l->fingerprint))
		return false;
	if (inet_pton(AF_INET, l->address, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, l->address, addr) == 1)
		*family = 6;
	else
		return false;
	return local_sends_ok(l, res);
}

/* The session part: v, o, s, t, BUNDLE of the accepted mids, ice-lite. */
static void put_session(struct out *o, const struct edge_sdp_offer *offer,
			const struct edge_sdp_result *res, const struct edge_sdp_local *l,
			int family)
{
	put(o, "v=0\r\no=- %llu 2 IN IP%d %s\r\ns=-\r\nt=0 0\r\n",
	    (unsigned long long)l->session_id, family, l->address);
	put(o, "a=group:BUNDLE");
	for (unsigned i = 0; i < res->n_media; i++)
		if (res->media[i].accepted)
			put(o, " %s", res->media[i].mid);
	put(o, "\r\na=ice-lite\r\n");
	if (offer->extmap_allow_mixed)
		put(o, "a=extmap-allow-mixed\r\n");
	if (res->role == EDGE_SDP_ROLE_SUBSCRIBE)
		put(o, "a=msid-semantic:WMS *\r\n");
}

/* A rejected m-section: port 0, the offer's kind, proto, first format. */
static void put_rejected(struct out *o, const struct edge_sdp_media *m)
{
	put(o, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n", m->kind_text, m->proto, m->first_fmt);
	if (m->mid[0])
		put(o, "a=mid:%s\r\n", m->mid);
}

/* The m-line: the chosen PTs, each followed by its RTX PT. */
static void put_m_line(struct out *o, const struct edge_sdp_answered *a,
		       const struct edge_sdp_local *l)
{
	put(o, "m=%s %u UDP/TLS/RTP/SAVPF", a->kind == EDGE_SDP_KIND_AUDIO ? "audio" : "video",
	    (unsigned)l->port);
	for (unsigned i = 0; i < a->n_chosen; i++) {
		put(o, " %u", (unsigned)a->chosen[i].pt);
		if (a->chosen[i].rtx_pt >= 0)
			put(o, " %d", a->chosen[i].rtx_pt);
	}
	put(o, "\r\n");
}

/* ICE, DTLS and mux attributes of an accepted section. */
static void put_transport(struct out *o, const struct edge_sdp_media *m,
			  const struct edge_sdp_local *l, int family)
{
	put(o, "c=IN IP%d %s\r\na=mid:%s\r\n", family, l->address, m->mid);
	put(o, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", l->ice_ufrag, l->ice_pwd);
	put(o, "a=fingerprint:%s\r\na=setup:passive\r\na=rtcp-mux\r\n", l->fingerprint);
	if (m->rtcp_rsize)
		put(o, "a=rtcp-rsize\r\n");
}

/* The rtcp-fb lines of PT pt for the fb bits kept. */
static void put_fb(struct out *o, unsigned pt, unsigned fb)
{
	static const struct {
		unsigned bit;
		const char *text;
	} fbs[] = {
	    {EDGE_SDP_FB_GOOG_REMB, "goog-remb"}, {EDGE_SDP_FB_TRANSPORT_CC, "transport-cc"},
	    {EDGE_SDP_FB_CCM_FIR, "ccm fir"},     {EDGE_SDP_FB_NACK, "nack"},
	    {EDGE_SDP_FB_NACK_PLI, "nack pli"},
	};

	for (unsigned i = 0; i < sizeof(fbs) / sizeof(fbs[0]); i++)
		if (fb & fbs[i].bit)
			put(o, "a=rtcp-fb:%u %s\r\n", pt, fbs[i].text);
}

/* rtpmap, rtcp-fb and fmtp of every chosen codec and of its RTX. */
static void put_codecs(struct out *o, const struct edge_sdp_media *m,
		       const struct edge_sdp_answered *a)
{
	for (unsigned i = 0; i < a->n_chosen; i++) {
		const struct edge_sdp_chosen *ch = &a->chosen[i];
		const struct edge_sdp_codec *c = &m->codecs[ch->offer_index];

		put(o, "a=rtpmap:%u %s/%u", (unsigned)ch->pt, c->name, (unsigned)c->clock);
		if (c->channels)
			put(o, "/%u", (unsigned)c->channels);
		put(o, "\r\n");
		put_fb(o, ch->pt, c->fb);
		if (c->fmtp[0])
			put(o, "a=fmtp:%u %s\r\n", (unsigned)ch->pt, c->fmtp);
		if (ch->rtx_pt >= 0)
			put(o, "a=rtpmap:%d rtx/%u\r\na=fmtp:%d apt=%u\r\n", ch->rtx_pt,
			    (unsigned)ch->clock, ch->rtx_pt, (unsigned)ch->pt);
	}
}

/* The negotiated extensions with the offerer's ids (and the mirror of an
 * offered direction). */
static void put_extmaps(struct out *o, const struct edge_sdp_answered *a)
{
	for (unsigned e = 0; e < EDGE_SDP_EXT_MAX; e++) {
		if (!a->ext_id[e])
			continue;
		put(o, "a=extmap:%u", (unsigned)a->ext_id[e]);
		if (a->ext_dir[e] != EDGE_SDP_DIR_SENDRECV)
			put(o, "/%s", dir_names[a->ext_dir[e]]);
		put(o, " %s\r\n", edge_sdp_ext_uri((enum edge_sdp_ext)e));
	}
}

/* Publish with simulcast: relais receives every rid the offer sends. */
static void put_simulcast(struct out *o, const struct edge_sdp_answered *a)
{
	if (a->n_rids == 0)
		return;
	for (unsigned i = 0; i < a->n_rids; i++)
		put(o, "a=rid:%s recv\r\n", a->rids[i]);
	put(o, "a=simulcast:recv ");
	for (unsigned i = 0; i < a->n_rids; i++)
		put(o, "%s%s", i ? ";" : "", a->rids[i]);
	put(o, "\r\n");
}

/* Subscribe: the msid and SSRCs (with the RTX FID group) relais sends. */
static void put_sender(struct out *o, const struct edge_sdp_send *s)
{
	const char *stream = s->stream_id ? s->stream_id : "-";

	if (s->ssrc == 0)
		return;
	put(o, "a=msid:%s %s\r\n", stream, s->track_id);
	if (s->rtx_ssrc)
		put(o, "a=ssrc-group:FID %u %u\r\n", (unsigned)s->ssrc, (unsigned)s->rtx_ssrc);
	put(o, "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s\r\n", (unsigned)s->ssrc, s->cname,
	    (unsigned)s->ssrc, stream, s->track_id);
	if (s->rtx_ssrc)
		put(o, "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s\r\n", (unsigned)s->rtx_ssrc,
		    s->cname, (unsigned)s->rtx_ssrc, stream, s->track_id);
}

/* One accepted m-section. */
static void put_accepted(struct out *o, const struct edge_sdp_media *m,
			 const struct edge_sdp_answered *a, const struct edge_sdp_local *l,
			 const struct edge_sdp_send *send, int family)
{
	put_m_line(o, a, l);
	put_transport(o, m, l, family);
	put(o, "a=%s\r\n", dir_names[a->direction]);
	put_extmaps(o, a);
	put_codecs(o, m, a);
	put_simulcast(o, a);
	if (send)
		put_sender(o, send);
	put(o, "a=candidate:1 1 udp %u %s %u typ host\r\na=end-of-candidates\r\n", HOST_PRIORITY,
	    l->address, (unsigned)l->port);
}

enum edge_sdp_reason edge_sdp_write_answer(const struct edge_sdp_offer *offer,
					   const struct edge_sdp_result *res,
					   const struct edge_sdp_local *local, char *buf,
					   size_t cap, size_t *len)
{
	struct out o = {.buf = buf, .cap = cap};
	int family = 0;

	*len = 0;
	if (cap == 0)
		return EDGE_SDP_ANSWER_TOO_LARGE;
	buf[0] = '\0';
	if (res->n_media != offer->n_media || !local_ok(local, res, &family))
		return EDGE_SDP_BAD_LOCAL;
	put_session(&o, offer, res, local, family);
	for (unsigned i = 0; i < offer->n_media; i++) {
		const struct edge_sdp_answered *a = &res->media[i];
		bool sub = res->role == EDGE_SDP_ROLE_SUBSCRIBE;

		if (a->accepted)
			put_accepted(&o, &offer->media[i], a, local, sub ? &local->send[i] : NULL,
				     family);
		else
			put_rejected(&o, &offer->media[i]);
	}
	if (o.overflow) {
		buf[0] = '\0';
		return EDGE_SDP_ANSWER_TOO_LARGE;
	}
	*len = o.len;
	return EDGE_SDP_OK;
}
