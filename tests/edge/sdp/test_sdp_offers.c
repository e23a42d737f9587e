/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge/sdp on real offers (tests/edge/sdp/offers, captured from Chromium
 * and aiortc by capture_offers.sh): every field a user of the parser needs
 * (ICE credentials, fingerprint, mids, directions, codecs with their PTs,
 * RTX, extension ids, SSRCs, rids), what relais accepts of each offer in
 * its role, and the answer written: the lines a browser reads, with the
 * offerer's PTs and ids, and parsed back by edge_sdp_parse(). The offers
 * are the committed fixtures: regenerating them changes the random values
 * (ufrag, fingerprint, SSRCs) checked here.
 *
 * Usage: test_sdp_offers OFFERS_DIR
 */
#include <stdlib.h>

#define CHECK_MAIN
#include "check.h"
#include "edge_sdp.h"
#include "sdp_test_local.h"

static const char *offers_dir;
static struct edge_sdp_offer offer;
static struct edge_sdp_result res;
static char answer[32768];

static const struct edge_sdp_local local = SDP_TEST_LOCAL("127.0.0.1");

/* Parse offers_dir/name into `offer` (from an exact-size heap copy);
 * returns the reason. */
static enum edge_sdp_reason load(const char *name)
{
	char path[4096];
	unsigned char *buf = malloc(EDGE_SDP_MAX_SIZE);
	size_t n;
	FILE *f;
	enum edge_sdp_reason r;

	snprintf(path, sizeof(path), "%s/%s", offers_dir, name);
	f = fopen(path, "rb");
	CHECKF(f != NULL, "cannot open fixture %s", path);
	if (!f || !buf) {
		free(buf);
		return EDGE_SDP_EMPTY;
	}
	n = fread(buf, 1, EDGE_SDP_MAX_SIZE, f);
	fclose(f);
	r = edge_sdp_parse(buf, n, &offer);
	free(buf);
	return r;
}

/* The codec of PT pt in m-section m; when not listed, an empty entry
 * (no rtpmap, PT 255) so a failed check never dereferences NULL. */
static const struct edge_sdp_codec *codec(unsigned m, unsigned pt)
{
	static const struct edge_sdp_codec none = {.pt = 255, .apt = -1};

	for (unsigned i = 0; i < offer.media[m].n_codecs; i++)
		if (offer.media[m].codecs[i].pt == pt)
			return &offer.media[m].codecs[i];
	return &none;
}

/* The offered id of the extension uri in m-section m, 0 if absent. */
static unsigned extmap_id(unsigned m, enum edge_sdp_ext e)
{
	for (unsigned i = 0; i < offer.media[m].n_extmaps; i++)
		if (offer.media[m].extmaps[i].ext == e)
			return offer.media[m].extmaps[i].id;
	return 0;
}

/* Check PT pt of m-section m is codec name/clock, with RTX PT rtx (-1: none). */
static void check_codec(unsigned m, unsigned pt, const char *name, unsigned clock, int rtx)
{
	const struct edge_sdp_codec *c = codec(m, pt),
				    *r = rtx >= 0 ? codec(m, (unsigned)rtx) : NULL;

	CHECKF(c != NULL && c->has_rtpmap, "PT %u listed with an rtpmap", pt);
	if (!c)
		return;
	CHECK_STR(c->name, name);
	CHECK_EQ(c->clock, clock, "clock rate");
	if (rtx >= 0) {
		CHECKF(r != NULL && r->pt == rtx && r->id == EDGE_SDP_CODEC_RTX &&
			   r->apt == (int)pt,
		       "PT %d is the RTX of %u", rtx, pt);
	}
}

/* Check the chosen codecs of answered m-section m: PT/RTX pairs in order. */
static void check_chosen(unsigned m, const int *pairs, unsigned n)
{
	const struct edge_sdp_answered *a = &res.media[m];

	CHECK_EQ(a->n_chosen, n, "chosen codecs");
	for (unsigned i = 0; i < n && i < a->n_chosen; i++) {
		CHECK_EQ(a->chosen[i].pt, pairs[2 * i], "chosen PT");
		CHECK_EQ(a->chosen[i].rtx_pt, pairs[2 * i + 1], "its RTX PT");
	}
}

/* Whether the answer has this exact line. */
static bool has_line(const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strstr(answer, want) != NULL;
}

/* Negotiate `offer` for role, write the answer, parse it back. */
static void answer_for(enum edge_sdp_role role)
{
	static struct edge_sdp_offer back;
	size_t len = 0;

	CHECK_EQ(edge_sdp_negotiate(&offer, role, &res), EDGE_SDP_OK, "negotiate");
	CHECK_EQ(edge_sdp_write_answer(&offer, &res, &local, answer, sizeof(answer), &len),
		 EDGE_SDP_OK, "write answer");
	CHECK_EQ(len, strlen(answer), "answer length");
	CHECK_EQ(edge_sdp_parse((const uint8_t *)answer, len, &back), EDGE_SDP_OK,
		 "our answer parses");
	CHECK_EQ(back.n_media, offer.n_media, "answer m-sections");
	CHECK(has_line("a=ice-lite") && has_line("a=setup:passive") && has_line("a=rtcp-mux"));
	CHECK(has_line("a=group:BUNDLE 0 1"));
	CHECK(has_line("a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host"));
	CHECK(has_line("a=ice-ufrag:rlAs") && has_line("a=end-of-candidates"));
	CHECK(strstr(answer, "toffset") == NULL && strstr(answer, "red/") == NULL);
	CHECK(strstr(answer, "G722") == NULL && strstr(answer, "ulpfec") == NULL);
}

/* Chromium, publish audio + video (sendonly, VP8 first). */
static void test_chromium_publish(void)
{
	static const int video[] = {96, 97, 102, 103, 108, 109, 116, 117, 45, 46, 98, 99, 100, 101};
	const struct edge_sdp_media *a = &offer.media[0], *v = &offer.media[1];

	CHECK_EQ(load("chromium_publish.sdp"), EDGE_SDP_OK, "parse chromium_publish");
	CHECK_EQ(offer.n_media, 2, "m-sections");
	CHECK(offer.has_bundle && offer.n_bundle == 2 && offer.extmap_allow_mixed);
	CHECK_STR(a->mid, "0");
	CHECK_STR(v->mid, "1");
	CHECK_EQ(a->kind, EDGE_SDP_KIND_AUDIO, "kind");
	CHECK_EQ(v->kind, EDGE_SDP_KIND_VIDEO, "kind");
	CHECK_STR(a->transport.ice_ufrag, "sDK7");
	CHECK_EQ(strlen(a->transport.ice_pwd), 24, "ice-pwd length");
	CHECK_STR(a->transport.fp_algorithm, "sha-256");
	CHECK_STR(a->transport.fp_value, "44:DE:45:6C:F4:99:F0:EE:5E:1E:6B:96:D9:5E:EF:26:8E:51:"
					 "B0:98:6D:D5:EA:6C:C5:88:48:3B:2E:3A:E5:5B");
	CHECK_EQ(a->transport.setup, EDGE_SDP_SETUP_ACTPASS, "setup");
	CHECK(a->transport.ice_trickle);
	CHECK_EQ(a->direction, EDGE_SDP_DIR_SENDONLY, "audio direction");
	CHECK_EQ(v->direction, EDGE_SDP_DIR_SENDONLY, "video direction");
	CHECK(a->rtcp_mux && a->rtcp_rsize && v->rtcp_mux && v->rtcp_rsize);
	CHECK_STR(a->proto, "UDP/TLS/RTP/SAVPF");
	CHECK_EQ(a->n_codecs, 8, "audio PTs");
	CHECK_EQ(v->n_codecs, 23, "video PTs");
	check_codec(0, 111, "opus", 48000, -1);
	CHECK_STR(codec(0, 111)->fmtp, "minptime=10;useinbandfec=1");
	CHECK_EQ(codec(0, 111)->channels, 2, "opus channels");
	CHECK_EQ(codec(0, 111)->fb, EDGE_SDP_FB_TRANSPORT_CC, "opus rtcp-fb");
	check_codec(1, 96, "VP8", 90000, 97);
	CHECK_EQ(codec(1, 96)->fb, 0x1f, "VP8 rtcp-fb: nack, pli, fir, remb, twcc");
	check_codec(1, 102, "H264", 90000, 103);
	check_codec(1, 45, "AV1", 90000, 46);
	check_codec(1, 98, "VP9", 90000, 99);
	CHECK_EQ(extmap_id(0, EDGE_SDP_EXT_AUDIO_LEVEL), 1, "audio-level id");
	CHECK_EQ(extmap_id(0, EDGE_SDP_EXT_ABS_SEND_TIME), 2, "abs-send-time id");
	CHECK_EQ(extmap_id(0, EDGE_SDP_EXT_TRANSPORT_CC), 3, "twcc id");
	CHECK_EQ(extmap_id(0, EDGE_SDP_EXT_MID), 4, "mid id");
	CHECK_EQ(extmap_id(1, EDGE_SDP_EXT_RID), 10, "rid id");
	CHECK_EQ(extmap_id(1, EDGE_SDP_EXT_REPAIRED_RID), 11, "repaired-rid id");
	CHECK_EQ(v->n_extmaps, 11, "video extmaps (known and others)");
	CHECK_EQ(a->n_ssrcs, 1, "audio ssrcs");
	CHECK_EQ(a->ssrcs[0].ssrc, 2554937083u, "audio ssrc");
	CHECK_STR(a->ssrcs[0].cname, "0z4KC7tyAIyA+3DZ");
	CHECK_EQ(v->n_groups, 1, "video ssrc-groups");
	CHECK(v->groups[0].kind == EDGE_SDP_GROUP_FID && v->groups[0].n == 2 &&
	      v->groups[0].ssrcs[0] == 718282217u && v->groups[0].ssrcs[1] == 1425032045u);

	answer_for(EDGE_SDP_ROLE_PUBLISH);
	CHECK(res.media[0].accepted && res.media[1].accepted);
	CHECK_STR(res.remote.ice_ufrag, "sDK7");
	CHECK_EQ(res.media[0].direction, EDGE_SDP_DIR_RECVONLY, "answer direction");
	check_chosen(0, (const int[]){111, -1}, 1);
	check_chosen(1, video, 7);
	CHECK_EQ(res.media[1].chosen[0].id, EDGE_SDP_CODEC_VP8, "VP8 first");
	CHECK_EQ(res.media[0].ext_id[EDGE_SDP_EXT_AUDIO_LEVEL], 1, "answer audio-level id");
	CHECK_EQ(res.media[1].ext_id[EDGE_SDP_EXT_TRANSPORT_CC], 3, "answer twcc id");
	CHECK_EQ(res.media[1].ext_id[EDGE_SDP_EXT_AUDIO_LEVEL], 0, "no audio-level on video");
	CHECK_EQ(res.media[0].n_streams, 1, "audio streams");
	CHECK_EQ(res.media[0].streams[0].ssrc, 2554937083u, "audio stream ssrc");
	CHECK_EQ(res.media[1].n_streams, 1, "video streams (RTX folded in)");
	CHECK(res.media[1].streams[0].ssrc == 718282217u &&
	      res.media[1].streams[0].rtx_ssrc == 1425032045u);
	CHECK_EQ(res.media[1].n_rids, 0, "no simulcast");
	CHECK(has_line("m=audio 40000 UDP/TLS/RTP/SAVPF 111"));
	CHECK(has_line("m=video 40000 UDP/TLS/RTP/SAVPF 96 97 102 103 108 109 116 117 45 46 98 99 "
		       "100 101"));
	CHECK(has_line("a=recvonly") && !has_line("a=sendonly"));
	CHECK(has_line("a=rtpmap:111 opus/48000/2") &&
	      has_line("a=fmtp:111 minptime=10;useinbandfec=1"));
	CHECK(has_line("a=rtpmap:97 rtx/90000") && has_line("a=fmtp:97 apt=96"));
	CHECK(has_line("a=rtcp-fb:96 nack pli") && has_line("a=rtcp-fb:96 transport-cc"));
	CHECK(has_line("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
	CHECK(has_line("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
	CHECK(!has_line("a=rtpmap:104 H264/90000")); /* packetization-mode=0 */
	CHECK(has_line("a=extmap-allow-mixed") && has_line("a=rtcp-rsize"));
	CHECK(strstr(answer, "a=ssrc") == NULL); /* a publisher is told no SSRC */

	CHECK_EQ(edge_sdp_negotiate(&offer, EDGE_SDP_ROLE_SUBSCRIBE, &res),
		 EDGE_SDP_WRONG_DIRECTION, "a sendonly offer to WHEP");
}

/* Chromium with setCodecPreferences(H264, VP9, AV1): no VP8, H264 first,
 * the packetization-mode=0 PTs (104, 114, 39) left out. */
static void test_chromium_h264_vp9_av1(void)
{
	static const int video[] = {102, 103, 108, 109, 116, 117, 45, 46, 98, 99, 100, 101};

	CHECK_EQ(load("chromium_publish_h264_vp9_av1.sdp"), EDGE_SDP_OK, "parse h264_vp9_av1");
	CHECK_STR(offer.media[1].transport.ice_ufrag, "gthV");
	check_codec(1, 104, "H264", 90000, 107);
	CHECK(strstr(codec(1, 104)->fmtp, "packetization-mode=0") != NULL);
	check_codec(1, 100, "VP9", 90000, 101);
	CHECK_STR(codec(1, 100)->fmtp, "profile-id=2");
	CHECK(codec(1, 96)->pt == 255); /* VP8 not offered */
	answer_for(EDGE_SDP_ROLE_PUBLISH);
	check_chosen(1, video, 6);
	CHECK_EQ(res.media[1].chosen[0].id, EDGE_SDP_CODEC_H264, "H264 first");
	CHECK_EQ(res.media[1].chosen[3].id, EDGE_SDP_CODEC_AV1, "then AV1");
	CHECK_EQ(res.media[1].chosen[4].id, EDGE_SDP_CODEC_VP9, "then VP9");
	CHECK(has_line("a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;"
		       "profile-level-id=42e01f"));
	CHECK(has_line("a=fmtp:45 level-idx=5;profile=0;tier=0"));
	CHECK(res.media[1].streams[0].ssrc == 4206746732u &&
	      res.media[1].streams[0].rtx_ssrc == 2293616027u);
}

/* Chromium with 3 simulcast encodings: rids q, h, f answered recv. */
static void test_chromium_simulcast(void)
{
	const struct edge_sdp_media *v = &offer.media[1];

	CHECK_EQ(load("chromium_publish_simulcast.sdp"), EDGE_SDP_OK, "parse simulcast");
	CHECK_EQ(v->n_rids, 3, "rids");
	CHECK(v->simulcast_send && !v->simulcast_recv);
	CHECK(v->rids[0].send && v->rids[1].send && v->rids[2].send);
	CHECK_STR(v->rids[0].id, "q");
	CHECK_STR(v->rids[1].id, "h");
	CHECK_STR(v->rids[2].id, "f");
	CHECK_EQ(v->n_ssrcs, 0, "no video ssrc with rids");
	answer_for(EDGE_SDP_ROLE_PUBLISH);
	CHECK_EQ(res.media[1].n_rids, 3, "answered rids");
	CHECK_STR(res.media[1].rids[2], "f");
	CHECK_EQ(res.media[1].ext_id[EDGE_SDP_EXT_RID], 10, "rid id");
	CHECK(has_line("a=rid:q recv") && has_line("a=rid:h recv") && has_line("a=rid:f recv"));
	CHECK(has_line("a=simulcast:recv q;h;f"));
	CHECK_EQ(res.media[0].n_rids, 0, "no rids on audio");
}

/* Chromium watch (recvonly): relais answers sendonly with its SSRCs. */
static void test_chromium_watch(void)
{
	static const int video[] = {96,  97,  98,  99,  100, 101, 35, 36, 37, 38, 102,
				    103, 108, 109, 116, 117, 41,  42, 45, 46, 47, 48};
	struct edge_sdp_local l = local;

	CHECK_EQ(load("chromium_watch.sdp"), EDGE_SDP_OK, "parse watch");
	CHECK_EQ(offer.media[0].direction, EDGE_SDP_DIR_RECVONLY, "direction");
	CHECK_EQ(offer.media[1].direction, EDGE_SDP_DIR_RECVONLY, "direction");
	CHECK_EQ(offer.media[0].n_ssrcs + offer.media[1].n_ssrcs, 0, "a viewer has no SSRC");
	CHECK_EQ(offer.media[1].n_codecs, 34, "video PTs");
	CHECK_EQ(edge_sdp_negotiate(&offer, EDGE_SDP_ROLE_PUBLISH, &res), EDGE_SDP_WRONG_DIRECTION,
		 "a recvonly offer to WHIP");
	CHECK_EQ(edge_sdp_negotiate(&offer, EDGE_SDP_ROLE_SUBSCRIBE, &res), EDGE_SDP_OK,
		 "negotiate");
	check_chosen(1, video, 11);
	l.send[0] = (struct edge_sdp_send){.ssrc = 11, .cname = "c1", .track_id = "a0"};
	l.send[1] = (struct edge_sdp_send){
	    .ssrc = 22, .rtx_ssrc = 23, .cname = "c1", .stream_id = "s1", .track_id = "v0"};
	size_t len;
	CHECK_EQ(edge_sdp_write_answer(&offer, &res, &l, answer, sizeof(answer), &len), EDGE_SDP_OK,
		 "write");
	CHECK(has_line("a=sendonly") && !has_line("a=recvonly"));
	CHECK(has_line("a=msid:- a0") && has_line("a=ssrc:11 cname:c1"));
	CHECK(has_line("a=ssrc-group:FID 22 23") && has_line("a=ssrc:23 msid:s1 v0"));
	CHECK(has_line("a=msid-semantic:WMS *"));
}

/* aiortc: per-m-section ICE credentials (the BUNDLE tag's are used), no
 * rtcp-rsize, PCMU/PCMA offered and left out. */
static void test_aiortc(void)
{
	CHECK_EQ(load("aiortc_publish.sdp"), EDGE_SDP_OK, "parse aiortc_publish");
	CHECK_STR(offer.media[0].transport.ice_ufrag, "hOUy");
	CHECK_STR(offer.media[1].transport.ice_ufrag, "0Sfx");
	CHECK(!offer.media[0].rtcp_rsize && offer.media[0].rtcp_mux);
	CHECK(codec(0, 0)->pt == 0 && codec(0, 0)->id == EDGE_SDP_CODEC_OTHER);
	check_codec(0, 96, "opus", 48000, -1);
	check_codec(1, 97, "VP8", 90000, 98);
	CHECK_EQ(extmap_id(0, EDGE_SDP_EXT_MID), 1, "mid id");
	CHECK_EQ(extmap_id(0, EDGE_SDP_EXT_AUDIO_LEVEL), 2, "audio-level id");
	answer_for(EDGE_SDP_ROLE_PUBLISH);
	CHECK_STR(res.remote.ice_ufrag, "hOUy");
	check_chosen(1, (const int[]){97, 98, 99, 100, 101, 102}, 3);
	CHECK(res.media[1].streams[0].ssrc == 3151410642u &&
	      res.media[1].streams[0].rtx_ssrc == 1927404200u);
	CHECK(!has_line("a=rtcp-rsize") && !has_line("a=extmap-allow-mixed"));

	CHECK_EQ(load("aiortc_watch.sdp"), EDGE_SDP_OK, "parse aiortc_watch");
	answer_for(EDGE_SDP_ROLE_SUBSCRIBE);
	CHECK_STR(res.remote.ice_ufrag, "Wpzl");
	CHECK_EQ(res.media[1].direction, EDGE_SDP_DIR_SENDONLY, "answer direction");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OFFERS_DIR\n", argv[0]);
		return 2;
	}
	offers_dir = argv[1];
	test_chromium_publish();
	test_chromium_h264_vp9_av1();
	test_chromium_simulcast();
	test_chromium_watch();
	test_aiortc();
	return check_summary("test_sdp_offers");
}
