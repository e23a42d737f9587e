/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_sdp_tool: edge/sdp from the command line, for the tests that hand
 * relais's answers to real WebRTC stacks (answer_accepted.sh).
 *
 *   edge_sdp_tool answer --role publish|subscribe [--address A] [--port P]
 *                 [--ufrag U] [--pwd P] [--fingerprint "sha-256 AB:.."] FILE
 *       parse FILE (an offer; "-" is stdin), negotiate, print the answer.
 *       Subscribe answers announce SSRC 1000+i (RTX 2000+i for video) on
 *       m-section i, cname "relais", msid "relais track<i>".
 *   edge_sdp_tool check --role publish|subscribe FILE
 *       print the reason name ("ok", "no_fingerprint", ...) only.
 *
 * Exit 0 when the offer is accepted, 2 when refused (the reason and its
 * message on stderr), 1 on a usage or file error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_sdp.h"
#include "sdp_test_local.h"

#define ANSWER_CAP 32768

struct options {
	const char *cmd;
	const char *file;
	enum edge_sdp_role role;
	struct edge_sdp_local local;
};

/* Read FILE ("-": stdin) into buf; returns the length or -1. One byte
 * more than EDGE_SDP_MAX_SIZE is read so an oversized offer is seen. */
static long read_offer(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, cap, f);
	if (f != stdin)
		fclose(f);
	return (long)n;
}

/* Parse argv into *o; returns 0 or -1 (usage printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	int i;

	if (argc < 3)
		goto usage;
	o->cmd = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (strcmp(k, "--role") == 0 && strcmp(v, "publish") == 0)
			o->role = EDGE_SDP_ROLE_PUBLISH;
		else if (strcmp(k, "--role") == 0 && strcmp(v, "subscribe") == 0)
			o->role = EDGE_SDP_ROLE_SUBSCRIBE;
		else if (strcmp(k, "--address") == 0)
			o->local.address = v;
		else if (strcmp(k, "--port") == 0)
			o->local.port = (uint16_t)strtoul(v, NULL, 10);
		else if (strcmp(k, "--ufrag") == 0)
			o->local.ice_ufrag = v;
		else if (strcmp(k, "--pwd") == 0)
			o->local.ice_pwd = v;
		else if (strcmp(k, "--fingerprint") == 0)
			o->local.fingerprint = v;
		else
			goto usage;
	}
	if (i != argc - 1)
		goto usage;
	o->file = argv[i];
	return 0;
usage:
	fprintf(stderr,
		"usage: %s answer|check --role publish|subscribe [--address A] "
		"[--port P] [--ufrag U] [--pwd P] [--fingerprint F] FILE\n",
		argv[0]);
	return -1;
}

/* The SSRCs a subscribe answer announces (see the file comment). */
static void fill_sends(struct edge_sdp_local *l, const struct edge_sdp_result *res)
{
	static char tracks[EDGE_SDP_MAX_MEDIA][16];

	for (unsigned i = 0; i < res->n_media; i++) {
		snprintf(tracks[i], sizeof(tracks[i]), "track%u", i);
		l->send[i] = (struct edge_sdp_send){
		    .ssrc = 1000 + i,
		    .rtx_ssrc = res->media[i].kind == EDGE_SDP_KIND_VIDEO ? 2000 + i : 0,
		    .cname = "relais",
		    .stream_id = "relais",
		    .track_id = tracks[i],
		};
	}
}

int main(int argc, char **argv)
{
	static unsigned char text[EDGE_SDP_MAX_SIZE + 1];
	static struct edge_sdp_offer offer;
	static struct edge_sdp_result res;
	static char answer[ANSWER_CAP];
	struct options o = {.local = SDP_TEST_LOCAL("127.0.0.1")};
	char why[256];
	enum edge_sdp_reason r;
	size_t len;
	long n;

	if (parse_args(argc, argv, &o) != 0)
		return 1;
	n = read_offer(o.file, text, sizeof(text));
	if (n < 0)
		return 1;
	r = edge_sdp_parse(text, (size_t)n, &offer);
	if (r == EDGE_SDP_OK)
		r = edge_sdp_negotiate(&offer, o.role, &res);
	if (strcmp(o.cmd, "check") == 0) {
		printf("%s\n", edge_sdp_reason_name(r));
		return r == EDGE_SDP_OK ? 0 : 2;
	}
	if (r == EDGE_SDP_OK) {
		fill_sends(&o.local, &res);
		r = edge_sdp_write_answer(&offer, &res, &o.local, answer, sizeof(answer), &len);
	}
	if (r != EDGE_SDP_OK) {
		edge_sdp_describe(r, offer.error_line, why, sizeof(why));
		fprintf(stderr, "refused (HTTP %d): %s\n", edge_sdp_reason_status(r), why);
		return 2;
	}
	fwrite(answer, 1, len, stdout);
	return 0;
}
