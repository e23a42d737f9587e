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
 *   edge_sdp_tool dump --role publish FILE
 *       print what edge_sdp_parse() read, as JSON (parser_oracle.py compares
 *       it with aiortc's reading; the ice-pwd is left out).
 *
 * Exit 0 when the offer is accepted, 2 when refused (the reason and its
 * message on stderr), 1 on a usage or file error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <relais/json_out.h>

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

/* The codecs of m: PT, rtpmap fields, apt and the kept rtcp-fb names. */
static void dump_codecs(struct json_out *j, const struct edge_sdp_media *m)
{
	static const char *const fbs[] = {"nack", "nack pli", "ccm fir", "goog-remb",
					  "transport-cc"};

	json_key(j, "codecs");
	json_arr_begin(j);
	for (unsigned i = 0; i < m->n_codecs; i++) {
		const struct edge_sdp_codec *c = &m->codecs[i];

		if (!c->has_rtpmap)
			continue;
		json_obj_begin(j);
		json_key(j, "pt");
		json_u64(j, c->pt);
		json_key(j, "name");
		json_str(j, c->name);
		json_key(j, "clock");
		json_u64(j, c->clock);
		json_key(j, "channels");
		json_u64(j, c->channels);
		json_key(j, "apt");
		json_i64(j, c->apt);
		json_key(j, "fb");
		json_arr_begin(j);
		for (unsigned b = 0; b < sizeof(fbs) / sizeof(fbs[0]); b++)
			if (c->fb & (1u << b))
				json_str(j, fbs[b]);
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* The extmaps, SSRCs and ssrc-groups of m. */
static void dump_rtp(struct json_out *j, const struct edge_sdp_media *m)
{
	json_key(j, "extmaps");
	json_arr_begin(j);
	for (unsigned i = 0; i < m->n_extmaps; i++) {
		json_arr_begin(j);
		json_u64(j, m->extmaps[i].id);
		json_str(j, m->extmaps[i].uri);
		json_arr_end(j);
	}
	json_arr_end(j);
	json_key(j, "ssrcs");
	json_arr_begin(j);
	for (unsigned i = 0; i < m->n_ssrcs; i++) {
		json_arr_begin(j);
		json_u64(j, m->ssrcs[i].ssrc);
		json_str(j, m->ssrcs[i].cname);
		json_arr_end(j);
	}
	json_arr_end(j);
	json_key(j, "groups");
	json_arr_begin(j);
	for (unsigned i = 0; i < m->n_groups; i++) {
		json_arr_begin(j);
		for (unsigned k = 0; k < m->groups[i].n; k++)
			json_u64(j, m->groups[i].ssrcs[k]);
		json_arr_end(j);
	}
	json_arr_end(j);
}

/* One m-section: kind, port, proto, mid, direction, mux, transport. */
static void dump_media(struct json_out *j, const struct edge_sdp_media *m)
{
	static const char *const dirs[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
	static const char *const setups[] = {"", "actpass", "active", "passive", "holdconn"};

	json_obj_begin(j);
	json_key(j, "kind");
	json_str(j, m->kind_text);
	json_key(j, "port");
	json_u64(j, m->port);
	json_key(j, "proto");
	json_str(j, m->proto);
	json_key(j, "mid");
	json_str(j, m->mid);
	json_key(j, "direction");
	json_str(j, dirs[m->direction]);
	json_key(j, "rtcp_mux");
	json_bool(j, m->rtcp_mux);
	json_key(j, "ufrag");
	json_str(j, m->transport.ice_ufrag);
	json_key(j, "fingerprint");
	json_arr_begin(j);
	json_str(j, m->transport.fp_algorithm);
	json_str(j, m->transport.fp_value);
	json_arr_end(j);
	json_key(j, "setup");
	json_str(j, setups[m->transport.setup]);
	dump_codecs(j, m);
	dump_rtp(j, m);
	json_obj_end(j);
}

/* The whole offer as JSON on stdout. Returns 0 or 1. */
static int dump_offer(const struct edge_sdp_offer *o)
{
	struct json_out j;

	json_out_init_file(&j, stdout, JSON_COMPACT);
	json_obj_begin(&j);
	json_key(&j, "bundle");
	json_arr_begin(&j);
	for (unsigned i = 0; i < o->n_bundle; i++)
		json_str(&j, o->bundle[i]);
	json_arr_end(&j);
	json_key(&j, "media");
	json_arr_begin(&j);
	for (unsigned i = 0; i < o->n_media; i++)
		dump_media(&j, &o->media[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	return json_out_finish(&j) == 0 && putchar('\n') != EOF ? 0 : 1;
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
	if (r == EDGE_SDP_OK && strcmp(o.cmd, "dump") == 0)
		return dump_offer(&offer);
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
