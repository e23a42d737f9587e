/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_sdp_negotiate(): what relais accepts of a parsed offer. One
 * transport for everything (the BUNDLE group's first m-section carries the
 * ICE credentials and the DTLS fingerprint, RFC 9143 §7.2), rtcp-mux
 * everywhere, DTLS-SRTP with the offerer as DTLS client; per m-section the
 * codecs relais forwards (in the offerer's order and with the offerer's
 * payload types), their RTX, the header extensions of EDGE_SDP_EXTENSIONS
 * with the offerer's ids, the publisher's SSRCs and simulcast rids.
 */
#include <string.h>
#include <strings.h>

#include "edge_sdp.h"
#include "edge_sdp_text.h"

#define ICE_UFRAG_MIN 4
#define ICE_PWD_MIN 22
#define ICE_MAX 256

/* Whether m-section m takes part (audio or video, not already refused by
 * the offerer with port 0). */
static bool is_av(const struct edge_sdp_media *m)
{
	return m->kind != EDGE_SDP_KIND_OTHER && m->port != 0;
}

/* Whether mid is one of the BUNDLE group's. */
static bool in_bundle(const struct edge_sdp_offer *o, const char *mid)
{
	for (unsigned i = 0; i < o->n_bundle; i++)
		if (strcmp(o->bundle[i], mid) == 0)
			return true;
	return false;
}

/* The m-section of the BUNDLE group's first mid (the one whose transport
 * the group uses, of any kind but not refused with port 0), NULL if the
 * offer has no usable group. */
static const struct edge_sdp_media *bundle_tag(const struct edge_sdp_offer *o)
{
	if (!o->has_bundle || o->n_bundle == 0)
		return NULL;
	for (unsigned i = 0; i < o->n_media; i++)
		if (o->media[i].port != 0 && strcmp(o->media[i].mid, o->bundle[0]) == 0)
			return &o->media[i];
	return NULL;
}

/* The offer-wide checks: a media offer, every audio/video m-section with
 * a mid, in the BUNDLE group, rtcp-mux and DTLS-SRTP. */
static enum edge_sdp_reason check_sections(const struct edge_sdp_offer *o)
{
	unsigned n_av = 0;

	for (unsigned i = 0; i < o->n_media; i++) {
		const struct edge_sdp_media *m = &o->media[i];

		if (!is_av(m))
			continue;
		n_av++;
		if (!m->mid[0])
			return EDGE_SDP_NO_MID;
		if (!in_bundle(o, m->mid))
			return EDGE_SDP_NO_BUNDLE;
		if (!m->rtcp_mux)
			return EDGE_SDP_NO_RTCP_MUX;
		if (strcmp(m->proto, "UDP/TLS/RTP/SAVPF") != 0)
			return EDGE_SDP_NO_COMMON_SRTP_PROFILE;
	}
	return n_av ? EDGE_SDP_OK : EDGE_SDP_NOT_MEDIA_OFFER;
}

/* The transport checks on the BUNDLE tag's attributes (RFC 8839, RFC 8842:
 * the offerer must be able to be the DTLS client). */
static enum edge_sdp_reason check_transport(const struct edge_sdp_transport *t)
{
	if (!sdp_ice_string(t->ice_ufrag, ICE_UFRAG_MIN, ICE_MAX) ||
	    !sdp_ice_string(t->ice_pwd, ICE_PWD_MIN, ICE_MAX))
		return EDGE_SDP_NO_ICE_CREDENTIALS;
	if (!t->fp_value[0])
		return EDGE_SDP_NO_FINGERPRINT;
	if (strcasecmp(t->fp_algorithm, "sha-256") != 0 || strlen(t->fp_value) != 32 * 3 - 1)
		return EDGE_SDP_FINGERPRINT_ALGORITHM;
	if (t->setup == EDGE_SDP_SETUP_PASSIVE)
		return EDGE_SDP_DTLS_PASSIVE;
	if (t->setup != EDGE_SDP_SETUP_ACTPASS && t->setup != EDGE_SDP_SETUP_ACTIVE)
		return EDGE_SDP_NO_SETUP;
	return EDGE_SDP_OK;
}

/* Whether codec c is one relais forwards in an m-section of kind: the
 * clock rate (and Opus's two channels) of EDGE_SDP_CODECS, H264 only with
 * packetization-mode=1 (RFC 6184 non-interleaved). */
static bool codec_usable(const struct edge_sdp_codec *c, enum edge_sdp_kind kind)
{
#define CODEC_SPEC_(sfx, name, k, clock, ch) {k, clock, ch},
	static const struct {
		enum edge_sdp_kind kind;
		uint32_t clock;
		uint8_t channels;
	} specs[EDGE_SDP_CODEC_MAX] = {EDGE_SDP_CODECS(CODEC_SPEC_)};
#undef CODEC_SPEC_
	struct sdp_span pm;

	if ((unsigned)c->id >= EDGE_SDP_CODEC_MAX || specs[c->id].kind != kind ||
	    specs[c->id].clock != c->clock || specs[c->id].channels != c->channels)
		return false;
	return c->id != EDGE_SDP_CODEC_H264 ||
	       (sdp_fmtp_param(sdp_str(c->fmtp), "packetization-mode", &pm) && sdp_eq(pm, "1"));
}

/* Whether a codec like c (same codec; for H264 the same profile-level-id,
 * for the others the same fmtp) is already chosen: one PT each. */
static bool already_chosen(const struct edge_sdp_media *m, const struct edge_sdp_answered *a,
			   const struct edge_sdp_codec *c)
{
	struct sdp_span p1 = {"", 0}, p2 = {"", 0};

	for (unsigned i = 0; i < a->n_chosen; i++) {
		const struct edge_sdp_codec *o = &m->codecs[a->chosen[i].offer_index];

		if (o->id != c->id)
			continue;
		if (c->id == EDGE_SDP_CODEC_OPUS)
			return true;
		if (c->id != EDGE_SDP_CODEC_H264 && strcmp(o->fmtp, c->fmtp) == 0)
			return true;
		if (c->id == EDGE_SDP_CODEC_H264) {
			sdp_fmtp_param(sdp_str(o->fmtp), "profile-level-id", &p1);
			sdp_fmtp_param(sdp_str(c->fmtp), "profile-level-id", &p2);
			if (p1.len == p2.len && strncasecmp(p1.p, p2.p, p1.len) == 0)
				return true;
		}
	}
	return false;
}

/* The PT of the RTX whose apt is pt (same clock), -1 if none offered. */
static int rtx_of(const struct edge_sdp_media *m, const struct edge_sdp_codec *c)
{
	for (unsigned i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].id == EDGE_SDP_CODEC_RTX && m->codecs[i].apt == c->pt &&
		    m->codecs[i].clock == c->clock)
			return m->codecs[i].pt;
	return -1;
}

/* The codecs of m relais takes, in the offerer's order, into a. */
static void choose_codecs(const struct edge_sdp_media *m, struct edge_sdp_answered *a)
{
	for (unsigned i = 0; i < m->n_codecs && a->n_chosen < EDGE_SDP_MAX_CHOSEN; i++) {
		const struct edge_sdp_codec *c = &m->codecs[i];
		struct edge_sdp_chosen *ch;

		if (!c->has_rtpmap || !codec_usable(c, m->kind) || already_chosen(m, a, c))
			continue;
		ch = &a->chosen[a->n_chosen++];
		ch->id = c->id;
		ch->offer_index = (uint8_t)i;
		ch->pt = c->pt;
		ch->clock = c->clock;
		ch->rtx_pt = m->kind == EDGE_SDP_KIND_VIDEO ? rtx_of(m, c) : -1;
	}
}

/* The FID partner (RTX) of ssrc in m, 0 if none; *is_rtx set when ssrc is
 * itself the RTX of another. */
static uint32_t fid_partner(const struct edge_sdp_media *m, uint32_t ssrc, bool *is_rtx)
{
	*is_rtx = false;
	for (unsigned i = 0; i < m->n_groups; i++) {
		const struct edge_sdp_ssrc_group *g = &m->groups[i];

		if (g->kind != EDGE_SDP_GROUP_FID || g->n != 2)
			continue;
		if (g->ssrcs[1] == ssrc)
			*is_rtx = true;
		if (g->ssrcs[0] == ssrc)
			return g->ssrcs[1];
	}
	return 0;
}

/* A publisher's streams (SSRC + RTX SSRC) and simulcast rids, into a. */
static void take_streams(const struct edge_sdp_media *m, struct edge_sdp_answered *a)
{
	bool is_rtx;

	for (unsigned i = 0; i < m->n_ssrcs; i++) {
		uint32_t rtx = fid_partner(m, m->ssrcs[i].ssrc, &is_rtx);

		if (is_rtx)
			continue;
		a->streams[a->n_streams].ssrc = m->ssrcs[i].ssrc;
		a->streams[a->n_streams++].rtx_ssrc = rtx;
	}
	if (!m->simulcast_send)
		return;
	for (unsigned i = 0; i < m->n_rids; i++)
		if (m->rids[i].send)
			memcpy(a->rids[a->n_rids++], m->rids[i].id, EDGE_SDP_TOKEN_LEN);
}

/* The answer's direction for an offered one, or -1 when role cannot use
 * it (a publisher must send, a viewer must receive). */
static int answer_direction(enum edge_sdp_direction offered, enum edge_sdp_role role)
{
	if (role == EDGE_SDP_ROLE_PUBLISH)
		return offered == EDGE_SDP_DIR_SENDONLY || offered == EDGE_SDP_DIR_SENDRECV
			   ? EDGE_SDP_DIR_RECVONLY
			   : -1;
	return offered == EDGE_SDP_DIR_RECVONLY || offered == EDGE_SDP_DIR_SENDRECV
		   ? EDGE_SDP_DIR_SENDONLY
		   : -1;
}

/* The answer's direction of an extension offered with d (RFC 8285 §7). */
static enum edge_sdp_direction mirror(enum edge_sdp_direction d)
{
	if (d == EDGE_SDP_DIR_SENDONLY)
		return EDGE_SDP_DIR_RECVONLY;
	return d == EDGE_SDP_DIR_RECVONLY ? EDGE_SDP_DIR_SENDONLY : d;
}

/* Answer one m-section into a: accepted, or rejected with the reason. */
static void answer_section(const struct edge_sdp_media *m, enum edge_sdp_role role,
			   struct edge_sdp_answered *a)
{
	int dir = answer_direction(m->direction, role);

	a->kind = m->kind;
	memcpy(a->mid, m->mid, sizeof(a->mid));
	a->direction = EDGE_SDP_DIR_INACTIVE;
	if (!is_av(m)) {
		a->rejected_why = EDGE_SDP_NOT_MEDIA_OFFER;
		return;
	}
	if (dir < 0) {
		a->rejected_why = EDGE_SDP_WRONG_DIRECTION;
		return;
	}
	choose_codecs(m, a);
	if (a->n_chosen == 0) {
		a->rejected_why = EDGE_SDP_NO_COMMON_CODEC;
		return;
	}
	for (unsigned i = 0; i < m->n_extmaps; i++) {
		const struct edge_sdp_extmap *x = &m->extmaps[i];

		if (x->ext < EDGE_SDP_EXT_MAX && a->ext_id[x->ext] == 0) {
			a->ext_id[x->ext] = x->id;
			a->ext_dir[x->ext] = mirror(x->direction);
		}
	}
	if (role == EDGE_SDP_ROLE_PUBLISH)
		take_streams(m, a);
	a->direction = (enum edge_sdp_direction)dir;
	a->accepted = true;
	a->rejected_why = EDGE_SDP_OK;
}

enum edge_sdp_reason edge_sdp_negotiate(const struct edge_sdp_offer *offer, enum edge_sdp_role role,
					struct edge_sdp_result *res)
{
	const struct edge_sdp_media *tag;
	enum edge_sdp_reason r, first = EDGE_SDP_OK;
	bool any = false;

	memset(res, 0, sizeof(*res));
	res->role = role;
	r = check_sections(offer);
	if (r != EDGE_SDP_OK)
		return r;
	tag = bundle_tag(offer);
	if (!tag)
		return EDGE_SDP_NO_BUNDLE;
	if (offer->ice_lite)
		return EDGE_SDP_OFFER_ICE_LITE;
	r = check_transport(&tag->transport);
	if (r != EDGE_SDP_OK)
		return r;
	res->remote = tag->transport;
	res->n_media = offer->n_media;
	for (unsigned i = 0; i < offer->n_media; i++) {
		answer_section(&offer->media[i], role, &res->media[i]);
		any |= res->media[i].accepted;
		if (first == EDGE_SDP_OK && is_av(&offer->media[i]))
			first = res->media[i].rejected_why;
	}
	return any ? EDGE_SDP_OK : first;
}
