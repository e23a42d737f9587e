/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every offer relais must refuse gets its named reason (and HTTP status),
 * never a crash: Chromium's publish offer edited to lose its fingerprint,
 * ICE credentials, setup, rtcp-mux or BUNDLE, to carry only G722/H263 or
 * packetization-mode=0 H264, plus oversized, binary and malformed inputs
 * and the limits of EDGE_SDP_MAX_*. Also the refusals of a caller's bad
 * local transport, a too-small answer buffer, and the reason list itself;
 * and what is answered rather than refused: sections rejected alone with
 * port 0 (data channel, no common codec), a data channel tagging the
 * BUNDLE group, an extension offered with a direction.
 *
 * Usage: test_sdp_refusals OFFERS_DIR
 */
#include <stdlib.h>

#define CHECK_MAIN
#include "check.h"
#include "edge_sdp.h"
#include "sdp_test_local.h"

#define BUF_CAP (EDGE_SDP_MAX_SIZE * 2)

static char base[BUF_CAP]; /* chromium_publish.sdp */
static char edited[BUF_CAP];
static struct edge_sdp_offer offer;
static struct edge_sdp_result res;
static char answer[32768];

static const struct edge_sdp_local local = SDP_TEST_LOCAL("::1");

/* Read offers_dir/name into base. Returns 0 or -1. */
static int load_base(const char *dir, const char *name)
{
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open fixture %s\n", path);
		return -1;
	}
	n = fread(base, 1, sizeof(base) - 1, f);
	fclose(f);
	base[n] = '\0';
	return 0;
}

/* Parse then negotiate len bytes (from an exact-size heap copy, so ASan
 * sees any over-read) for role. */
static enum edge_sdp_reason verdict_n(const void *text, size_t len, enum edge_sdp_role role)
{
	unsigned char *copy = malloc(len ? len : 1);
	enum edge_sdp_reason r;

	memcpy(copy, text, len);
	r = edge_sdp_parse(copy, len, &offer);
	free(copy);
	return r == EDGE_SDP_OK ? edge_sdp_negotiate(&offer, role, &res) : r;
}

/* verdict_n of a C string as a publish offer. */
static enum edge_sdp_reason verdict(const char *text)
{
	return verdict_n(text, strlen(text), EDGE_SDP_ROLE_PUBLISH);
}

/* base with every occurrence of `from` (not empty) replaced by `to`, into
 * edited. */
static const char *replace(const char *from, const char *to)
{
	const char *p = base, *hit;
	size_t n = 0, fl = strlen(from), tl = strlen(to);

	while ((hit = strstr(p, from)) != NULL && n + (size_t)(hit - p) + tl < BUF_CAP) {
		n += (size_t)snprintf(edited + n, BUF_CAP - n, "%.*s%s", (int)(hit - p), p, to);
		p = hit + fl;
	}
	snprintf(edited + n, BUF_CAP - n, "%s", p);
	return edited;
}

/* base without the lines starting with prefix, into edited. */
static const char *drop_lines(const char *prefix)
{
	const char *p = base;
	size_t n = 0, pl = strlen(prefix);

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);

		if (strncmp(p, prefix, pl) != 0) {
			memcpy(edited + n, p, len);
			n += len;
		}
		p += len;
	}
	edited[n] = '\0';
	return edited;
}

#define EXPECT(got, want, what)                                                   \
	do {                                                                      \
		enum edge_sdp_reason got_r_ = (got);                              \
		CHECKF(got_r_ == (want), "%s: got %s, want %s", (what),           \
		       edge_sdp_reason_name(got_r_), edge_sdp_reason_name(want)); \
	} while (0)

/* One edit of base and the verdict it must get: `to` replaces every
 * `from`, or with to == NULL the lines starting with `from` are dropped. */
struct edit {
	const char *from;
	const char *to;
	enum edge_sdp_reason want;
	const char *what;
};

#define FP_SHA256                                                                             \
	"sha-256 44:DE:45:6C:F4:99:F0:EE:5E:1E:6B:96:D9:5E:EF:26:8E:51:B0:98:6D:D5:EA:6C:C5:" \
	"88:48:3B:2E:3A:E5:5B"

/* The transport refusals of the issue, and the syntax the parser refuses
 * inside a real offer. */
static const struct edit edits[] = {
    {"v=0", "v=0", EDGE_SDP_OK, "the unedited offer"},
    {"a=fingerprint:", NULL, EDGE_SDP_NO_FINGERPRINT, "no fingerprint"},
    {FP_SHA256, "sha-1 44:DE:45:6C:F4:99:F0:EE:5E:1E:6B:96:D9:5E:EF:26:8E:51:B0:98",
     EDGE_SDP_FINGERPRINT_ALGORITHM, "sha-1 fingerprint"},
    {"a=fingerprint:sha-256 44:DE", "a=fingerprint:sha-256 4:DE", EDGE_SDP_MALFORMED_LINE,
     "fingerprint not hex pairs"},
    {"a=ice-ufrag:", NULL, EDGE_SDP_NO_ICE_CREDENTIALS, "no ufrag"},
    {"a=ice-pwd:", NULL, EDGE_SDP_NO_ICE_CREDENTIALS, "no pwd"},
    {"a=ice-ufrag:sDK7", "a=ice-ufrag:s", EDGE_SDP_NO_ICE_CREDENTIALS, "ufrag shorter than 4"},
    {"a=ice-ufrag:sDK7", "a=ice-ufrag:sD;K7", EDGE_SDP_NO_ICE_CREDENTIALS, "ufrag non ice-char"},
    {"a=setup:actpass", "a=setup:passive", EDGE_SDP_DTLS_PASSIVE, "setup passive"},
    {"a=setup:actpass", "a=setup:active", EDGE_SDP_OK, "setup active"},
    {"a=setup:", NULL, EDGE_SDP_NO_SETUP, "no setup"},
    {"a=setup:actpass", "a=setup:holdconn", EDGE_SDP_NO_SETUP, "setup holdconn"},
    {"a=rtcp-mux", NULL, EDGE_SDP_NO_RTCP_MUX, "no rtcp-mux"},
    {"t=0 0\r\n", "t=0 0\r\na=ice-lite\r\n", EDGE_SDP_OFFER_ICE_LITE, "an ICE-lite offerer"},
    {"a=group:BUNDLE", NULL, EDGE_SDP_NO_BUNDLE, "no BUNDLE"},
    {"a=group:BUNDLE 0 1", "a=group:BUNDLE 0", EDGE_SDP_NO_BUNDLE, "video outside BUNDLE"},
    {"UDP/TLS/RTP/SAVPF", "RTP/AVP", EDGE_SDP_NO_COMMON_SRTP_PROFILE, "plain RTP"},
    {"UDP/TLS/RTP/SAVPF", "RTP/SAVP", EDGE_SDP_NO_COMMON_SRTP_PROFILE, "SDES-SRTP profile"},
    {"a=mid:", NULL, EDGE_SDP_NO_MID, "no mid"},
    {"a=mid:1", "a=mid:0", EDGE_SDP_DUPLICATE_MID, "duplicate mid"},
    {"a=sendonly", "a=recvonly", EDGE_SDP_WRONG_DIRECTION, "recvonly to WHIP"},
    {"a=sendonly", "a=inactive", EDGE_SDP_WRONG_DIRECTION, "inactive to WHIP"},
    {"a=sendonly", "a=sendrecv", EDGE_SDP_OK, "sendrecv to WHIP"},
    {"a=mid:0\r\n", "a=mid:0\r\n\r\n", EDGE_SDP_MALFORMED_LINE, "an empty line inside"},
    {"a=mid:0\r\n", "a=mid:0\rx\r\n", EDGE_SDP_MALFORMED_LINE, "a lone CR"},
    {"\r\n", "\n", EDGE_SDP_OK, "LF line ends"},
    {"a=mid:0\r\n",
     "a=mid:0\r\na=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host generation 0\r\n"
     "a=candidate:2 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active\r\n"
     "a=end-of-candidates\r\n",
     EDGE_SDP_OK, "the browser's candidates (ignored: ICE-lite learns the address)"},
    {"m=audio 9 ", "m=audio 65536 ", EDGE_SDP_MALFORMED_LINE, "port"},
    {"a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus", EDGE_SDP_MALFORMED_LINE, "no clock"},
    {"SAVPF 111 63", "SAVPF 111 128", EDGE_SDP_MALFORMED_LINE, "PT 128"},
    {"SAVPF 111 63", "SAVPF 111 111", EDGE_SDP_MALFORMED_LINE, "PT twice"},
    {"a=extmap:14 ", "a=extmap:15 ", EDGE_SDP_MALFORMED_LINE, "extmap id 15"},
    {"a=extmap:14 ", "a=extmap:2 ", EDGE_SDP_MALFORMED_LINE, "extmap id twice"},
    {"a=extmap:14 ", "a=extmap:14/both ", EDGE_SDP_MALFORMED_LINE, "extmap direction"},
    {"a=ssrc:2554937083 cname", "a=ssrc:4294967296 cname", EDGE_SDP_MALFORMED_LINE,
     "ssrc beyond 32 bits"},
    {"a=extmap-allow-mixed", "a=rid:q;x send", EDGE_SDP_OK, "session-level a=rid ignored"},
    {"a=msid:", "a=msid:\t", EDGE_SDP_OK, "a tab is text"},
    {"a=mid:0", "a=mid:0\x01", EDGE_SDP_NOT_TEXT, "a control byte"},
};

/* Every row of edits. */
static void test_edits(void)
{
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		const struct edit *e = &edits[i];
		const char *t = e->to ? replace(e->from, e->to) : drop_lines(e->from);

		EXPECT(verdict(t), e->want, e->what);
	}
	/* Media-level credentials override session-level ones. */
	EXPECT(verdict(replace("t=0 0\r\n", "t=0 0\r\na=ice-ufrag:sessU\r\n")), EDGE_SDP_OK,
	       "session ufrag under media ones");
	CHECK_STR(res.remote.ice_ufrag, "sDK7");
}

/* An offer of only G722 + H263, and of H264 packetization-mode 0 only. */
static void test_codecs(void)
{
	static const char g722_h263[] =
	    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v\r\n"
	    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
	    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:actpass\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 9\r\na=mid:a\r\na=sendonly\r\na=rtcp-mux\r\n"
	    "a=rtpmap:9 G722/8000\r\n"
	    "m=video 9 UDP/TLS/RTP/SAVPF 34\r\na=mid:v\r\na=sendonly\r\na=rtcp-mux\r\n"
	    "a=rtpmap:34 H263/90000\r\n";
	size_t len;

	EXPECT(verdict(g722_h263), EDGE_SDP_NO_COMMON_CODEC, "G722 + H263");
	CHECK_EQ(edge_sdp_reason_status(EDGE_SDP_NO_COMMON_CODEC), 400, "status");
	/* Opus at 8 kHz or mono is not Opus/48000/2. */
	EXPECT(verdict(replace("opus/48000/2", "opus/48000")), EDGE_SDP_OK, "video still there");
	CHECK(!res.media[0].accepted && res.media[0].rejected_why == EDGE_SDP_NO_COMMON_CODEC);
	/* Video with only H264 packetization-mode=0: rejected alone, port 0. */
	EXPECT(verdict(replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 107 108 109 114 115 "
			       "116 117 39 40 45 46 98 99 100 101 118 119 120",
			       "m=video 9 UDP/TLS/RTP/SAVPF 104 107 114 115 39 40")),
	       EDGE_SDP_OK, "audio accepted");
	CHECK(res.media[0].accepted && !res.media[1].accepted);
	CHECK_EQ(res.media[1].rejected_why, EDGE_SDP_NO_COMMON_CODEC, "video rejected");
	CHECK_EQ(edge_sdp_write_answer(&offer, &res, &local, answer, sizeof(answer), &len),
		 EDGE_SDP_OK, "answer");
	CHECK(strstr(answer, "\r\nm=video 0 UDP/TLS/RTP/SAVPF 104\r\n") != NULL);
	CHECK(strstr(answer, "a=group:BUNDLE 0\r\n") != NULL);
	CHECK(strstr(answer, "c=IN IP6 ::1\r\n") != NULL);
}

/* An extension offered with a direction is answered with its mirror. */
static void test_extmap_direction(void)
{
	size_t len;

	EXPECT(verdict(replace("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
			       "a=extmap:4/sendonly urn:ietf:params:rtp-hdrext:sdes:mid")),
	       EDGE_SDP_OK, "extmap 4/sendonly");
	CHECK_EQ(offer.media[0].extmaps[3].direction, EDGE_SDP_DIR_SENDONLY, "parsed direction");
	CHECK_EQ(res.media[1].ext_dir[EDGE_SDP_EXT_MID], EDGE_SDP_DIR_RECVONLY, "mirrored");
	CHECK_EQ(edge_sdp_write_answer(&offer, &res, &local, answer, sizeof(answer), &len),
		 EDGE_SDP_OK, "answer");
	CHECK(strstr(answer, "\r\na=extmap:4/recvonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"));
	CHECK(strstr(answer, "\r\na=extmap:3 http://www.ietf.org/") != NULL);
}

/* Application (data channel) sections: rejected with port 0; alone, the
 * offer is not a media offer. */
static void test_application(void)
{
	static const char datachannel[] =
	    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE d\r\n"
	    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\n"
	    "a=sctp-port:5000\r\n";
	size_t len;

	EXPECT(verdict(datachannel), EDGE_SDP_NOT_MEDIA_OFFER, "data channel only");
	EXPECT(verdict(replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")), EDGE_SDP_OK, "av");
	snprintf(edited + strlen(edited), BUF_CAP - strlen(edited), "%s",
		 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n");
	EXPECT(verdict(edited), EDGE_SDP_OK, "audio + video + data channel");
	CHECK(res.n_media == 3 && res.media[0].accepted && res.media[1].accepted);
	CHECK(!res.media[2].accepted && res.media[2].rejected_why == EDGE_SDP_NOT_MEDIA_OFFER);
	CHECK_EQ(edge_sdp_write_answer(&offer, &res, &local, answer, sizeof(answer), &len),
		 EDGE_SDP_OK, "answer");
	CHECK(strstr(answer, "\r\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
			     "c=IN IP4 0.0.0.0\r\na=mid:2\r\n") != NULL);
	CHECK(strstr(answer, "a=group:BUNDLE 0 1\r\n") != NULL);

	/* A data channel tagging the BUNDLE group: its transport is used. */
	replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 2 0 1");
	snprintf(edited + strlen(edited), BUF_CAP - strlen(edited), "%s",
		 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n"
		 "a=ice-ufrag:dcUf\r\na=ice-pwd:dataChannelPassword012\r\n"
		 "a=fingerprint:" FP_SHA256 "\r\na=setup:actpass\r\n");
	EXPECT(verdict(edited), EDGE_SDP_OK, "data channel first in BUNDLE");
	CHECK_STR(res.remote.ice_ufrag, "dcUf");
	CHECK(res.media[0].accepted && res.media[1].accepted && !res.media[2].accepted);
}

/* Size, binary bytes, syntax: refused by the parser, with the line. */
static void test_syntax(void)
{
	static const unsigned char dtls[] = {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};
	char *big = malloc(EDGE_SDP_MAX_SIZE + 2);
	char why[160];
	size_t n = strlen(base);

	EXPECT(verdict_n("", 0, EDGE_SDP_ROLE_PUBLISH), EDGE_SDP_EMPTY, "empty");
	EXPECT(verdict_n(dtls, sizeof(dtls), EDGE_SDP_ROLE_PUBLISH), EDGE_SDP_NOT_TEXT, "DTLS");
	EXPECT(verdict_n("v=0\r\n\0s=-\r\n", 11, EDGE_SDP_ROLE_PUBLISH), EDGE_SDP_NOT_TEXT, "NUL");
	EXPECT(verdict("s=-\r\nv=0\r\n"), EDGE_SDP_NO_VERSION, "v=0 not first");
	EXPECT(verdict("v=1\r\n"), EDGE_SDP_NO_VERSION, "version 1");
	EXPECT(verdict("v=0\r\ns=-\r\nt=0 0\r\n"), EDGE_SDP_NOT_MEDIA_OFFER, "no m-line");
	EXPECT(verdict(replace("a=mid:0\r\n", "a=mid:0\r\nthis is no sdp\r\n")),
	       EDGE_SDP_MALFORMED_LINE, "a garbage line");
	CHECK_EQ(offer.error_line, 17, "its line number");
	edge_sdp_describe(EDGE_SDP_MALFORMED_LINE, offer.error_line, why, sizeof(why));
	CHECK_STR(why, "malformed_line: malformed SDP line (line 17)");

	/* base, then 'x' up to 64 KiB + 1 bytes. */
	snprintf(big, EDGE_SDP_MAX_SIZE + 2, "%s", base);
	memset(big + n, 'x', EDGE_SDP_MAX_SIZE + 1 - n);
	EXPECT(verdict_n(big, EDGE_SDP_MAX_SIZE + 1, EDGE_SDP_ROLE_PUBLISH), EDGE_SDP_TOO_LARGE,
	       "64 KiB + 1");
	CHECK_EQ(edge_sdp_reason_status(EDGE_SDP_TOO_LARGE), 413, "413");
	/* Exactly 64 KiB of a valid offer padded with an ignored attribute. */
	big[n] = 'a';
	big[n + 1] = '=';
	big[n + 2] = 'x';
	big[EDGE_SDP_MAX_SIZE - 2] = '\r';
	big[EDGE_SDP_MAX_SIZE - 1] = '\n';
	EXPECT(verdict_n(big, EDGE_SDP_MAX_SIZE, EDGE_SDP_ROLE_PUBLISH), EDGE_SDP_OK, "64 KiB");
	free(big);
}

/* base plus `count` copies of tmpl, each '#' of copy i replaced by i + 20. */
static const char *append_n(const char *tmpl, unsigned count)
{
	size_t n;

	snprintf(edited, BUF_CAP, "%s", base);
	n = strlen(edited);
	for (unsigned i = 0; i < count; i++)
		for (const char *t = tmpl; *t && n + 4 < BUF_CAP; t++) {
			if (*t == '#')
				n += (size_t)snprintf(edited + n, BUF_CAP - n, "%u", i + 20);
			else
				edited[n++] = *t;
		}
	edited[n] = '\0';
	return edited;
}

/* The bounded tables: one past each limit is refused by name (lines
 * appended to base go into its video m-section: 11 extmaps, 2 SSRCs, 1
 * ssrc-group, no rid). */
static void test_limits(void)
{
	char ufrag[400] = "a=ice-ufrag:";

	/* 8 m-sections parse (then fail negotiation: the 6 added are not in
	 * the BUNDLE group), 9 do not. */
	EXPECT(verdict(append_n("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:m##\r\n", 6)),
	       EDGE_SDP_NO_BUNDLE, "8 m-sections");
	EXPECT(verdict(append_n("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:m##\r\n", 7)),
	       EDGE_SDP_TOO_MANY_MEDIA, "9 m-sections");
	EXPECT(verdict(append_n("a=extmap:# urn:x:#\r\n", 13)), EDGE_SDP_OK, "24 extmaps");
	EXPECT(verdict(append_n("a=extmap:# urn:x:#\r\n", 14)), EDGE_SDP_TOO_MANY_EXTMAPS,
	       "25 extmaps");
	EXPECT(verdict(append_n("a=ssrc:# cname:c#\r\n", 14)), EDGE_SDP_OK, "16 ssrcs");
	EXPECT(verdict(append_n("a=ssrc:# cname:c#\r\n", 15)), EDGE_SDP_TOO_MANY_SSRCS, "17 ssrcs");
	EXPECT(verdict(append_n("a=ssrc-group:SIM # #\r\n", 8)), EDGE_SDP_TOO_MANY_SSRCS,
	       "9 ssrc-groups");
	EXPECT(verdict(append_n("a=rid:r## send\r\n", 8)), EDGE_SDP_OK, "8 rids");
	EXPECT(verdict(append_n("a=rid:r## send\r\n", 9)), EDGE_SDP_TOO_MANY_RIDS, "9 rids");
	EXPECT(verdict(replace("a=msid:30110814", "a=msid:30110814-"
						  "0123456789012345678901234567890123456789"
						  "0123456789012345678901234567890123456789"
						  "0123456789012345678901234567890123456789")),
	       EDGE_SDP_VALUE_TOO_LONG, "msid of 200 chars");
	memset(ufrag + 12, 'u', 300);
	ufrag[312] = '\0';
	EXPECT(verdict(replace("a=ice-ufrag:sDK7", ufrag)), EDGE_SDP_VALUE_TOO_LONG,
	       "ufrag of 300 chars");
	CHECK_EQ(offer.error_line, 11, "its line");
	/* 48 PTs fit, 49 do not. */
	snprintf(ufrag, sizeof(ufrag), "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126");
	for (unsigned i = 0; i < 40; i++)
		snprintf(ufrag + strlen(ufrag), sizeof(ufrag) - strlen(ufrag), " %u", 64 + i);
	EXPECT(verdict(replace("m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", ufrag)),
	       EDGE_SDP_OK, "48 PTs");
	strcat(ufrag, " 127");
	EXPECT(verdict(replace("m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", ufrag)),
	       EDGE_SDP_TOO_MANY_PTS, "49 PTs");
}

/* The caller's side: bad local transport, too small a buffer. */
static void test_local(void)
{
	struct edge_sdp_local l = local;
	size_t len = 7;

	EXPECT(verdict(base), EDGE_SDP_OK, "offer");
	l.ice_pwd = "short";
	EXPECT(edge_sdp_write_answer(&offer, &res, &l, answer, sizeof(answer), &len),
	       EDGE_SDP_BAD_LOCAL, "short pwd");
	CHECK(len == 0 && answer[0] == '\0');
	l = local;
	l.fingerprint = "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
	EXPECT(edge_sdp_write_answer(&offer, &res, &l, answer, sizeof(answer), &len),
	       EDGE_SDP_BAD_LOCAL, "sha-1 local fingerprint");
	l = local;
	l.address = "localhost";
	EXPECT(edge_sdp_write_answer(&offer, &res, &l, answer, sizeof(answer), &len),
	       EDGE_SDP_BAD_LOCAL, "a name, not an address");
	l = local;
	l.port = 0;
	EXPECT(edge_sdp_write_answer(&offer, &res, &l, answer, sizeof(answer), &len),
	       EDGE_SDP_BAD_LOCAL, "port 0");
	EXPECT(edge_sdp_write_answer(&offer, &res, &local, answer, 200, &len),
	       EDGE_SDP_ANSWER_TOO_LARGE, "200 bytes");
	CHECK(len == 0 && answer[0] == '\0');
	EXPECT(edge_sdp_write_answer(&offer, &res, &local, answer, sizeof(answer), &len),
	       EDGE_SDP_OK, "full buffer");
	CHECK(len > 1000 && len == strlen(answer));
	/* Exactly the length + NUL fits, one byte less does not. */
	EXPECT(edge_sdp_write_answer(&offer, &res, &local, answer, len + 1, &len), EDGE_SDP_OK,
	       "exact buffer");
	EXPECT(edge_sdp_write_answer(&offer, &res, &local, answer, len, &len),
	       EDGE_SDP_ANSWER_TOO_LARGE, "one byte short");

	EXPECT(verdict(base), EDGE_SDP_OK, "offer");
	EXPECT(edge_sdp_negotiate(&offer, EDGE_SDP_ROLE_SUBSCRIBE, &res), EDGE_SDP_WRONG_DIRECTION,
	       "sendonly to WHEP");
	EXPECT(verdict(replace("a=sendonly", "a=sendrecv")), EDGE_SDP_OK, "sendrecv to WHIP");
	EXPECT(verdict_n(edited, strlen(edited), EDGE_SDP_ROLE_SUBSCRIBE), EDGE_SDP_OK,
	       "sendrecv to WHEP");
	l = local;
	l.send[1] = (struct edge_sdp_send){.ssrc = 5, .cname = "has space", .track_id = "t"};
	EXPECT(edge_sdp_write_answer(&offer, &res, &l, answer, sizeof(answer), &len),
	       EDGE_SDP_BAD_LOCAL, "cname with a space");
}

/* The reason list: unique names, a message each, 4xx for offers. */
static void test_reason_list(void)
{
	for (unsigned i = 0; i < EDGE_SDP_REASON_MAX; i++) {
		const char *name = edge_sdp_reason_name((enum edge_sdp_reason)i);
		int status = edge_sdp_reason_status((enum edge_sdp_reason)i);

		CHECKF(name[0] && edge_sdp_reason_message((enum edge_sdp_reason)i)[0],
		       "reason %u named", i);
		CHECKF(status == 200 || (status >= 400 && status < 600), "%s status %d", name,
		       status);
		for (unsigned j = 0; j < i; j++)
			CHECKF(strcmp(name, edge_sdp_reason_name((enum edge_sdp_reason)j)) != 0,
			       "%s twice", name);
	}
	CHECK_STR(edge_sdp_reason_name(EDGE_SDP_REASON_MAX), "?");
	CHECK_STR(edge_sdp_reason_name(EDGE_SDP_NO_FINGERPRINT), "no_fingerprint");
	CHECK_STR(edge_sdp_ext_name(EDGE_SDP_EXT_TRANSPORT_CC), "transport-wide-cc");
	CHECK_STR(edge_sdp_codec_name(EDGE_SDP_CODEC_RTX), "rtx");
	/* The browser's ice-pwd does not outlive its use. */
	EXPECT(verdict(base), EDGE_SDP_OK, "offer");
	CHECK(offer.media[0].transport.ice_pwd[0] && res.remote.ice_pwd[0]);
	edge_sdp_offer_wipe(&offer);
	edge_sdp_result_wipe(&res);
	CHECK(offer.media[0].transport.ice_pwd[0] == '\0' && res.remote.ice_pwd[0] == '\0');
	CHECK(offer.n_media == 0 && res.n_media == 0);
}

int main(int argc, char **argv)
{
	if (argc != 2 || load_base(argv[1], "chromium_publish.sdp") != 0) {
		fprintf(stderr, "usage: %s OFFERS_DIR\n", argv[0]);
		return 2;
	}
	test_edits();
	test_codecs();
	test_application();
	test_extmap_direction();
	test_syntax();
	test_limits();
	test_local();
	test_reason_list();
	return check_summary("test_sdp_refusals");
}
