/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The offer parser of edge_sdp.h (RFC 8866 syntax) and the names of the
 * reasons, extensions and codecs. Cursor style: the text is read line by
 * line through bounded spans, every value is copied into a fixed-size
 * field or refused by name, and nothing is read past the given length.
 * Only syntax and limits are checked here; what relais accepts is
 * edge_sdp_negotiate.c's.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "edge_sdp.h"
#include "edge_sdp_text.h"

#define NAME_(sfx, name, status, msg) name,
#define MSG_(sfx, name, status, msg) msg,
#define STATUS_(sfx, name, status, msg) status,
static const char *const reason_names[EDGE_SDP_REASON_MAX] = {EDGE_SDP_REASONS(NAME_)};
static const char *const reason_msgs[EDGE_SDP_REASON_MAX] = {EDGE_SDP_REASONS(MSG_)};
static const int reason_status[EDGE_SDP_REASON_MAX] = {EDGE_SDP_REASONS(STATUS_)};
#undef NAME_
#undef MSG_
#undef STATUS_

#define EXT_NAME_(sfx, name, uri) name,
#define EXT_URI_(sfx, name, uri) uri,
static const char *const ext_names[EDGE_SDP_EXT_MAX] = {EDGE_SDP_EXTENSIONS(EXT_NAME_)};
static const char *const ext_uris[EDGE_SDP_EXT_MAX] = {EDGE_SDP_EXTENSIONS(EXT_URI_)};
#undef EXT_NAME_
#undef EXT_URI_

#define CODEC_NAME_(sfx, name, kind, clock, ch) name,
static const char *const codec_names[EDGE_SDP_CODEC_MAX] = {EDGE_SDP_CODECS(CODEC_NAME_)};
#undef CODEC_NAME_

/* Parser state: the offer being filled, the current m-section (NULL at
 * session level) and the line number for errors. */
struct parser {
	struct edge_sdp_offer *offer;
	struct edge_sdp_media *media;
	unsigned line;
};

const char *edge_sdp_reason_name(enum edge_sdp_reason r)
{
	return (unsigned)r < EDGE_SDP_REASON_MAX ? reason_names[r] : "?";
}

const char *edge_sdp_reason_message(enum edge_sdp_reason r)
{
	return (unsigned)r < EDGE_SDP_REASON_MAX ? reason_msgs[r] : "unknown reason";
}

int edge_sdp_reason_status(enum edge_sdp_reason r)
{
	return (unsigned)r < EDGE_SDP_REASON_MAX ? reason_status[r] : 500;
}

const char *edge_sdp_ext_name(enum edge_sdp_ext e)
{
	return (unsigned)e < EDGE_SDP_EXT_MAX ? ext_names[e] : "?";
}

const char *edge_sdp_ext_uri(enum edge_sdp_ext e)
{
	return (unsigned)e < EDGE_SDP_EXT_MAX ? ext_uris[e] : "?";
}

const char *edge_sdp_codec_name(enum edge_sdp_codec_id c)
{
	if ((unsigned)c < EDGE_SDP_CODEC_MAX)
		return codec_names[c];
	return c == EDGE_SDP_CODEC_RTX ? "rtx" : "?";
}

void edge_sdp_describe(enum edge_sdp_reason r, unsigned line, char *buf, size_t cap)
{
	if (cap == 0)
		return;
	if (line)
		snprintf(buf, cap, "%s: %s (line %u)", edge_sdp_reason_name(r),
			 edge_sdp_reason_message(r), line);
	else
		snprintf(buf, cap, "%s: %s", edge_sdp_reason_name(r), edge_sdp_reason_message(r));
}

void edge_sdp_offer_wipe(struct edge_sdp_offer *offer)
{
	explicit_bzero(offer, sizeof(*offer));
}

void edge_sdp_result_wipe(struct edge_sdp_result *res)
{
	explicit_bzero(res, sizeof(*res));
}

/* The extension a uri names, EDGE_SDP_EXT_OTHER if none of ours. */
static enum edge_sdp_ext ext_of_uri(struct sdp_span uri)
{
	for (unsigned e = 0; e < EDGE_SDP_EXT_MAX; e++)
		if (sdp_eq(uri, ext_uris[e]))
			return (enum edge_sdp_ext)e;
	return EDGE_SDP_EXT_OTHER;
}

/* The codec an rtpmap encoding name names (case-insensitive, RFC 4855). */
static enum edge_sdp_codec_id codec_of_name(struct sdp_span name)
{
	for (unsigned c = 0; c < EDGE_SDP_CODEC_MAX; c++)
		if (sdp_ieq(name, codec_names[c]))
			return (enum edge_sdp_codec_id)c;
	return sdp_ieq(name, "rtx") ? EDGE_SDP_CODEC_RTX : EDGE_SDP_CODEC_OTHER;
}

/* A token that may be echoed in an answer: printable ASCII, no space. */
static bool printable_token(struct sdp_span s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] <= ' ' || s.p[i] > '~')
			return false;
	return true;
}

/* Copy a printable token into dst (cap bytes): MALFORMED_LINE if it is not
 * one, VALUE_TOO_LONG if it does not fit. */
static enum edge_sdp_reason copy_token(struct sdp_span s, char *dst, size_t cap)
{
	if (!printable_token(s))
		return EDGE_SDP_MALFORMED_LINE;
	return sdp_copy(s, dst, cap) ? EDGE_SDP_OK : EDGE_SDP_VALUE_TOO_LONG;
}

/* The codec entry of pt in the current m-line, NULL if not listed. */
static struct edge_sdp_codec *codec_of_pt(struct edge_sdp_media *m, uint64_t pt)
{
	for (unsigned i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

/*
 * "m=<kind> <port> <proto> <fmt> ...": opens a new m-section. RTP
 * profiles list payload types 0..127 (each at most once); other
 * profiles (application) keep only their first format token.
 */
static enum edge_sdp_reason parse_m_line(struct parser *ps, struct sdp_span v)
{
	struct edge_sdp_offer *o = ps->offer;
	struct sdp_span kind, port, proto, fmt;
	struct edge_sdp_media *m;
	uint64_t n;
	enum edge_sdp_reason r;

	if (o->n_media == EDGE_SDP_MAX_MEDIA)
		return EDGE_SDP_TOO_MANY_MEDIA;
	m = ps->media = &o->media[o->n_media++];
	if (!sdp_next(&v, ' ', &kind) || !sdp_next(&v, ' ', &port) || !sdp_next(&v, ' ', &proto) ||
	    !sdp_uint(port, 65535, &n))
		return EDGE_SDP_MALFORMED_LINE;
	m->port = (uint16_t)n;
	if ((r = copy_token(kind, m->kind_text, sizeof(m->kind_text))) != EDGE_SDP_OK ||
	    (r = copy_token(proto, m->proto, sizeof(m->proto))) != EDGE_SDP_OK)
		return r;
	m->kind = sdp_eq(kind, "audio")   ? EDGE_SDP_KIND_AUDIO
		  : sdp_eq(kind, "video") ? EDGE_SDP_KIND_VIDEO
					  : EDGE_SDP_KIND_OTHER;
	if (!sdp_next(&v, ' ', &fmt))
		return EDGE_SDP_MALFORMED_LINE;
	if ((r = copy_token(fmt, m->first_fmt, sizeof(m->first_fmt))) != EDGE_SDP_OK)
		return r;
	if (!strstr(m->proto, "RTP"))
		return EDGE_SDP_OK;
	do {
		if (!sdp_uint(fmt, 127, &n) || codec_of_pt(m, n))
			return EDGE_SDP_MALFORMED_LINE;
		if (m->n_codecs == EDGE_SDP_MAX_PTS)
			return EDGE_SDP_TOO_MANY_PTS;
		m->codecs[m->n_codecs] = (struct edge_sdp_codec){.pt = (uint8_t)n, .apt = -1};
		m->codecs[m->n_codecs++].id = EDGE_SDP_CODEC_OTHER;
	} while (sdp_next(&v, ' ', &fmt));
	return EDGE_SDP_OK;
}

/* "a=rtpmap:<pt> <name>/<clock>[/<channels>]"; a PT not on the m-line is
 * ignored (RFC 8866 §6.6 ties rtpmap to the listed formats). */
static enum edge_sdp_reason parse_rtpmap(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span pt, enc, name, clock, ch;
	struct edge_sdp_codec *c;
	uint64_t n, rate, chans = 0;

	if (!sdp_next(&v, ' ', &pt) || !sdp_uint(pt, 127, &n) || !sdp_next(&v, ' ', &enc) ||
	    !sdp_next(&enc, '/', &name) || !sdp_next(&enc, '/', &clock) ||
	    !sdp_uint(clock, 10000000, &rate))
		return EDGE_SDP_MALFORMED_LINE;
	if (sdp_next(&enc, '/', &ch) && !sdp_uint(ch, 255, &chans))
		return EDGE_SDP_MALFORMED_LINE;
	c = codec_of_pt(m, n);
	if (!c)
		return EDGE_SDP_OK;
	if (!sdp_copy(name, c->name, sizeof(c->name)))
		return EDGE_SDP_VALUE_TOO_LONG;
	c->has_rtpmap = true;
	c->id = codec_of_name(name);
	c->clock = (uint32_t)rate;
	c->channels = (uint8_t)chans;
	return EDGE_SDP_OK;
}

/* The value of "apt=" in an fmtp parameter list, -1 if absent or bad. */
static int fmtp_apt(struct sdp_span params)
{
	struct sdp_span v;
	uint64_t n;

	return sdp_fmtp_param(params, "apt", &v) && sdp_uint(v, 127, &n) ? (int)n : -1;
}

/* "a=fmtp:<pt> <parameters>": kept whole (echoed in the answer). */
static enum edge_sdp_reason parse_fmtp(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span pt;
	struct edge_sdp_codec *c;
	uint64_t n;

	if (!sdp_split(&v, ' ', &pt) || !sdp_uint(pt, 127, &n))
		return EDGE_SDP_MALFORMED_LINE;
	v = sdp_trim(v);
	c = codec_of_pt(m, n);
	if (!c)
		return EDGE_SDP_OK;
	if (!sdp_copy(v, c->fmtp, sizeof(c->fmtp)))
		return EDGE_SDP_VALUE_TOO_LONG;
	c->apt = fmtp_apt(v);
	return EDGE_SDP_OK;
}

/* The enum edge_sdp_fb bit of an rtcp-fb value, 0 for others. */
static unsigned fb_bit(struct sdp_span v)
{
	struct sdp_span type, param;

	if (!sdp_next(&v, ' ', &type))
		return 0;
	if (!sdp_next(&v, ' ', &param)) {
		if (sdp_eq(type, "nack"))
			return EDGE_SDP_FB_NACK;
		if (sdp_eq(type, "goog-remb"))
			return EDGE_SDP_FB_GOOG_REMB;
		return sdp_eq(type, "transport-cc") ? EDGE_SDP_FB_TRANSPORT_CC : 0;
	}
	if (v.len != 0)
		return 0;
	if (sdp_eq(type, "nack") && sdp_eq(param, "pli"))
		return EDGE_SDP_FB_NACK_PLI;
	return sdp_eq(type, "ccm") && sdp_eq(param, "fir") ? EDGE_SDP_FB_CCM_FIR : 0;
}

/* "a=rtcp-fb:<pt>|* <type> [<param>]" (RFC 4585 §4.2). */
static enum edge_sdp_reason parse_rtcp_fb(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span pt;
	unsigned bit;
	uint64_t n = 0;
	bool all;

	if (!sdp_split(&v, ' ', &pt))
		return EDGE_SDP_MALFORMED_LINE;
	all = sdp_eq(pt, "*");
	if (!all && !sdp_uint(pt, 127, &n))
		return EDGE_SDP_MALFORMED_LINE;
	bit = fb_bit(v);
	for (unsigned i = 0; i < m->n_codecs; i++)
		if (all || m->codecs[i].pt == n)
			m->codecs[i].fb |= bit;
	return EDGE_SDP_OK;
}

/* The direction attribute named, or -1 if name is not one. */
static int direction_of(struct sdp_span name)
{
	static const char *const dirs[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (sdp_eq(name, dirs[i]))
			return (int)i;
	return -1;
}

/* "a=extmap:<id>[/<direction>] <uri> [<attributes>]" (RFC 8285 §8):
 * ids 1..14 and 16..255, each once per m-section. */
static enum edge_sdp_reason parse_extmap(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span idp, id, uri;
	struct edge_sdp_extmap *x;
	uint64_t n;

	if (!sdp_next(&v, ' ', &idp) || !sdp_next(&v, ' ', &uri))
		return EDGE_SDP_MALFORMED_LINE;
	int dir = EDGE_SDP_DIR_SENDRECV;

	if (sdp_split(&idp, '/', &id))
		dir = direction_of(idp);
	if (dir < 0 || !sdp_uint(id, 255, &n) || n == 0 || n == 15)
		return EDGE_SDP_MALFORMED_LINE;
	for (unsigned i = 0; i < m->n_extmaps; i++)
		if (m->extmaps[i].id == n)
			return EDGE_SDP_MALFORMED_LINE;
	if (m->n_extmaps == EDGE_SDP_MAX_EXTMAPS)
		return EDGE_SDP_TOO_MANY_EXTMAPS;
	x = &m->extmaps[m->n_extmaps++];
	x->id = (uint8_t)n;
	x->direction = (enum edge_sdp_direction)dir;
	x->ext = ext_of_uri(uri);
	return copy_token(uri, x->uri, sizeof(x->uri));
}

/* The entry of ssrc in m, added if new; NULL when the table is full. */
static struct edge_sdp_ssrc *ssrc_entry(struct edge_sdp_media *m, uint32_t ssrc)
{
	for (unsigned i = 0; i < m->n_ssrcs; i++)
		if (m->ssrcs[i].ssrc == ssrc)
			return &m->ssrcs[i];
	if (m->n_ssrcs == EDGE_SDP_MAX_SSRCS)
		return NULL;
	m->ssrcs[m->n_ssrcs] = (struct edge_sdp_ssrc){.ssrc = ssrc};
	return &m->ssrcs[m->n_ssrcs++];
}

/* "a=ssrc:<ssrc> <attribute>[:<value>]" (RFC 5576 §4.1); cname kept. */
static enum edge_sdp_reason parse_ssrc(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span id, attr;
	struct edge_sdp_ssrc *s;
	uint64_t n;

	if (!sdp_split(&v, ' ', &id) || !sdp_uint(id, UINT32_MAX, &n))
		return EDGE_SDP_MALFORMED_LINE;
	s = ssrc_entry(m, (uint32_t)n);
	if (!s)
		return EDGE_SDP_TOO_MANY_SSRCS;
	if (sdp_split(&v, ':', &attr) && sdp_eq(attr, "cname"))
		return copy_token(sdp_trim(v), s->cname, sizeof(s->cname));
	return EDGE_SDP_OK;
}

/* "a=ssrc-group:<semantics> <ssrc> ..." (RFC 5576 §4.2). */
static enum edge_sdp_reason parse_ssrc_group(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span sem, id;
	struct edge_sdp_ssrc_group *g;
	uint64_t n;

	if (!sdp_next(&v, ' ', &sem))
		return EDGE_SDP_MALFORMED_LINE;
	if (m->n_groups == EDGE_SDP_MAX_GROUPS)
		return EDGE_SDP_TOO_MANY_SSRCS;
	g = &m->groups[m->n_groups++];
	g->kind = sdp_eq(sem, "FID")   ? EDGE_SDP_GROUP_FID
		  : sdp_eq(sem, "SIM") ? EDGE_SDP_GROUP_SIM
				       : EDGE_SDP_GROUP_OTHER;
	while (sdp_next(&v, ' ', &id)) {
		if (!sdp_uint(id, UINT32_MAX, &n))
			return EDGE_SDP_MALFORMED_LINE;
		if (g->n == EDGE_SDP_MAX_GROUP_SSRCS)
			return EDGE_SDP_TOO_MANY_SSRCS;
		g->ssrcs[g->n++] = (uint32_t)n;
	}
	return g->n ? EDGE_SDP_OK : EDGE_SDP_MALFORMED_LINE;
}

/* A rid-id (RFC 8851 §10): letters, digits, '-' and '_'. */
static bool rid_ok(struct sdp_span s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* "a=rid:<id> send|recv [<restrictions>]" (RFC 8851 §10). */
static enum edge_sdp_reason parse_rid(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span id, dir;
	struct edge_sdp_rid *r;

	if (!sdp_next(&v, ' ', &id) || !sdp_next(&v, ' ', &dir) || !rid_ok(id) ||
	    !(sdp_eq(dir, "send") || sdp_eq(dir, "recv")))
		return EDGE_SDP_MALFORMED_LINE;
	for (unsigned i = 0; i < m->n_rids; i++)
		if (sdp_eq(id, m->rids[i].id))
			return EDGE_SDP_MALFORMED_LINE;
	if (m->n_rids == EDGE_SDP_MAX_RIDS)
		return EDGE_SDP_TOO_MANY_RIDS;
	r = &m->rids[m->n_rids++];
	r->send = sdp_eq(dir, "send");
	return sdp_copy(id, r->id, sizeof(r->id)) ? EDGE_SDP_OK : EDGE_SDP_VALUE_TOO_LONG;
}

/* "a=simulcast:send <list> [recv <list>]" (RFC 8853 §5.1): directions only;
 * the rids themselves come from a=rid. */
static enum edge_sdp_reason parse_simulcast(struct edge_sdp_media *m, struct sdp_span v)
{
	struct sdp_span dir, list;

	if (!sdp_next(&v, ' ', &dir))
		return EDGE_SDP_MALFORMED_LINE;
	do {
		if (!sdp_next(&v, ' ', &list))
			return EDGE_SDP_MALFORMED_LINE;
		if (sdp_eq(dir, "send"))
			m->simulcast_send = true;
		else if (sdp_eq(dir, "recv"))
			m->simulcast_recv = true;
		else
			return EDGE_SDP_MALFORMED_LINE;
	} while (sdp_next(&v, ' ', &dir));
	return EDGE_SDP_OK;
}

/* "a=fingerprint:<algorithm> <value>": a sha-256 one wins over others. */
static enum edge_sdp_reason parse_fingerprint(struct edge_sdp_transport *t, struct sdp_span v)
{
	struct sdp_span alg, value;

	if (!sdp_next(&v, ' ', &alg) || !sdp_next(&v, ' ', &value) || v.len ||
	    !sdp_fingerprint_ok(value))
		return EDGE_SDP_MALFORMED_LINE;
	if (t->fp_value[0] && strcasecmp(t->fp_algorithm, "sha-256") == 0)
		return EDGE_SDP_OK;
	if (!sdp_copy(alg, t->fp_algorithm, sizeof(t->fp_algorithm)) ||
	    !sdp_copy(value, t->fp_value, sizeof(t->fp_value)))
		return EDGE_SDP_VALUE_TOO_LONG;
	return printable_token(alg) ? EDGE_SDP_OK : EDGE_SDP_MALFORMED_LINE;
}

/* "a=setup:<role>" (RFC 4145 §4). */
static enum edge_sdp_reason parse_setup(struct edge_sdp_transport *t, struct sdp_span v)
{
	if (sdp_eq(v, "actpass"))
		t->setup = EDGE_SDP_SETUP_ACTPASS;
	else if (sdp_eq(v, "active"))
		t->setup = EDGE_SDP_SETUP_ACTIVE;
	else if (sdp_eq(v, "passive"))
		t->setup = EDGE_SDP_SETUP_PASSIVE;
	else if (sdp_eq(v, "holdconn"))
		t->setup = EDGE_SDP_SETUP_HOLDCONN;
	else
		return EDGE_SDP_MALFORMED_LINE;
	return EDGE_SDP_OK;
}

/* The transport attributes, at either level; *handled false for others.
 * ice-ufrag/ice-pwd are stored as given, checked by edge_sdp_negotiate. */
static enum edge_sdp_reason parse_transport(struct edge_sdp_transport *t, struct sdp_span name,
					    struct sdp_span v, bool *handled)
{
	struct sdp_span opt;

	*handled = true;
	if (sdp_eq(name, "ice-ufrag"))
		return sdp_copy(v, t->ice_ufrag, sizeof(t->ice_ufrag)) ? EDGE_SDP_OK
								       : EDGE_SDP_VALUE_TOO_LONG;
	if (sdp_eq(name, "ice-pwd"))
		return sdp_copy(v, t->ice_pwd, sizeof(t->ice_pwd)) ? EDGE_SDP_OK
								   : EDGE_SDP_VALUE_TOO_LONG;
	if (sdp_eq(name, "fingerprint"))
		return parse_fingerprint(t, v);
	if (sdp_eq(name, "setup"))
		return parse_setup(t, v);
	if (sdp_eq(name, "ice-options")) {
		while (sdp_next(&v, ' ', &opt))
			t->ice_trickle |= sdp_eq(opt, "trickle");
		return EDGE_SDP_OK;
	}
	*handled = false;
	return EDGE_SDP_OK;
}

/* "a=group:BUNDLE <mid> ..." (RFC 9143); other groups are ignored. */
static enum edge_sdp_reason parse_group(struct edge_sdp_offer *o, struct sdp_span v)
{
	struct sdp_span sem, mid;
	enum edge_sdp_reason r;

	if (!sdp_next(&v, ' ', &sem))
		return EDGE_SDP_MALFORMED_LINE;
	if (!sdp_eq(sem, "BUNDLE") || o->has_bundle)
		return EDGE_SDP_OK;
	o->has_bundle = true;
	while (sdp_next(&v, ' ', &mid)) {
		if (o->n_bundle == EDGE_SDP_BUNDLE_MAX)
			return EDGE_SDP_TOO_MANY_MEDIA;
		r = copy_token(mid, o->bundle[o->n_bundle++], EDGE_SDP_TOKEN_LEN);
		if (r != EDGE_SDP_OK)
			return r;
	}
	return EDGE_SDP_OK;
}

/* "a=mid:<token>" (RFC 8843 §9.1). */
static enum edge_sdp_reason parse_mid(struct edge_sdp_media *m, struct sdp_span v)
{
	return copy_token(v, m->mid, sizeof(m->mid));
}

/* "a=msid:<stream> [<track>]" (RFC 8830), kept as given. */
static enum edge_sdp_reason parse_msid(struct edge_sdp_media *m, struct sdp_span v)
{
	return sdp_copy(v, m->msid, sizeof(m->msid)) ? EDGE_SDP_OK : EDGE_SDP_VALUE_TOO_LONG;
}

/* The media-level attributes with a value, by name. */
static const struct {
	const char *name;
	enum edge_sdp_reason (*parse)(struct edge_sdp_media *m, struct sdp_span v);
} media_attrs[] = {
    {"mid", parse_mid},
    {"rtpmap", parse_rtpmap},
    {"fmtp", parse_fmtp},
    {"rtcp-fb", parse_rtcp_fb},
    {"extmap", parse_extmap},
    {"ssrc", parse_ssrc},
    {"ssrc-group", parse_ssrc_group},
    {"msid", parse_msid},
    {"rid", parse_rid},
    {"simulcast", parse_simulcast},
};

/* A media-level attribute other than the transport ones; unknown ones are
 * ignored. */
static enum edge_sdp_reason parse_media_attr(struct edge_sdp_media *m, struct sdp_span name,
					     struct sdp_span v)
{
	int dir = direction_of(name);

	if (dir >= 0)
		m->direction = (enum edge_sdp_direction)dir;
	else if (sdp_eq(name, "rtcp-mux"))
		m->rtcp_mux = true;
	else if (sdp_eq(name, "rtcp-rsize"))
		m->rtcp_rsize = true;
	for (size_t i = 0; i < sizeof(media_attrs) / sizeof(media_attrs[0]); i++)
		if (sdp_eq(name, media_attrs[i].name))
			return media_attrs[i].parse(m, v);
	return EDGE_SDP_OK;
}

/* "a=<name>[:<value>]" at the current level. */
static enum edge_sdp_reason parse_attribute(struct parser *ps, struct sdp_span v)
{
	struct edge_sdp_offer *o = ps->offer;
	struct edge_sdp_transport *t = ps->media ? &ps->media->transport : &o->session;
	struct sdp_span name;
	enum edge_sdp_reason r;
	bool handled;

	if (!sdp_split(&v, ':', &name)) {
		v.len = 0;
		v.p = name.p + name.len;
	}
	if (name.len == 0)
		return EDGE_SDP_MALFORMED_LINE;
	if (sdp_eq(name, "extmap-allow-mixed")) {
		o->extmap_allow_mixed = true;
		return EDGE_SDP_OK;
	}
	if (sdp_eq(name, "ice-lite") && !ps->media) {
		o->ice_lite = true;
		return EDGE_SDP_OK;
	}
	r = parse_transport(t, name, v, &handled);
	if (handled)
		return r;
	if (!ps->media)
		return sdp_eq(name, "group") ? parse_group(o, v) : EDGE_SDP_OK;
	return parse_media_attr(ps->media, name, v);
}

/* One line "<type>=<value>" (type a lowercase letter, no CR inside). */
static enum edge_sdp_reason parse_line(struct parser *ps, struct sdp_span line)
{
	struct sdp_span v;

	if (ps->line == 1)
		return sdp_eq(line, "v=0") ? EDGE_SDP_OK : EDGE_SDP_NO_VERSION;
	if (line.len < 2 || line.p[1] != '=' || line.p[0] < 'a' || line.p[0] > 'z' ||
	    memchr(line.p, '\r', line.len))
		return EDGE_SDP_MALFORMED_LINE;
	v.p = line.p + 2;
	v.len = line.len - 2;
	switch (line.p[0]) {
	case 'v':
		return EDGE_SDP_MALFORMED_LINE; /* only the first line */
	case 'm':
		return parse_m_line(ps, v);
	case 'a':
		return parse_attribute(ps, v);
	default:
		return EDGE_SDP_OK; /* o, s, t, c, b, ...: not needed */
	}
}

/* Media level overrides session level, field by field. */
static void inherit_transport(struct edge_sdp_transport *m, const struct edge_sdp_transport *s)
{
	if (!m->ice_ufrag[0])
		memcpy(m->ice_ufrag, s->ice_ufrag, sizeof(m->ice_ufrag));
	if (!m->ice_pwd[0])
		memcpy(m->ice_pwd, s->ice_pwd, sizeof(m->ice_pwd));
	if (!m->fp_value[0]) {
		memcpy(m->fp_algorithm, s->fp_algorithm, sizeof(m->fp_algorithm));
		memcpy(m->fp_value, s->fp_value, sizeof(m->fp_value));
	}
	if (m->setup == EDGE_SDP_SETUP_NONE)
		m->setup = s->setup;
	m->ice_trickle |= s->ice_trickle;
}

/* After the last line: inheritance and the mids unique. */
static enum edge_sdp_reason finish(struct edge_sdp_offer *o)
{
	for (unsigned i = 0; i < o->n_media; i++) {
		inherit_transport(&o->media[i].transport, &o->session);
		for (unsigned j = 0; j < i; j++)
			if (o->media[i].mid[0] && strcmp(o->media[i].mid, o->media[j].mid) == 0)
				return EDGE_SDP_DUPLICATE_MID;
	}
	return EDGE_SDP_OK;
}

/* Refuse NUL and control bytes other than CR, LF and TAB. */
static bool is_text(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\r' && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f)
			return false;
	return true;
}

enum edge_sdp_reason edge_sdp_parse(const uint8_t *text, size_t len, struct edge_sdp_offer *offer)
{
	struct parser ps = {.offer = offer};
	struct sdp_span rest = {(const char *)text, len}, line;
	enum edge_sdp_reason r;

	memset(offer, 0, sizeof(*offer));
	if (len == 0)
		return EDGE_SDP_EMPTY;
	if (len > EDGE_SDP_MAX_SIZE)
		return EDGE_SDP_TOO_LARGE;
	if (!is_text(text, len))
		return EDGE_SDP_NOT_TEXT;
	while (rest.len) {
		if (!sdp_split(&rest, '\n', &line))
			rest.len = 0;
		if (line.len && line.p[line.len - 1] == '\r')
			line.len--;
		ps.line++;
		if (line.len == 0 && rest.len == 0)
			break; /* the final line break */
		r = parse_line(&ps, line);
		if (r != EDGE_SDP_OK) {
			offer->error_line = ps.line;
			return r;
		}
	}
	return ps.line ? finish(offer) : EDGE_SDP_EMPTY;
}
