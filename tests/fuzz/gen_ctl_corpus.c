/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed generator for the fuzz_ctl target: encodes one request of every type
 * and the replies that carry a payload with the real encoder, and writes
 * each as DIR/<name>.bin. Run through tests/fuzz/make_corpus.py --ctl-gen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <relais/ctl_proto.h>

static const char *out_dir;

/* Write n bytes as out_dir/name.bin; 0 or -errno. */
static int put(const char *name, const uint8_t *b, int n)
{
	char path[4096];
	FILE *f;

	if (n < 0) {
		fprintf(stderr, "encode %s: %d\n", name, n);
		return n;
	}
	snprintf(path, sizeof(path), "%s/%s.bin", out_dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	fwrite(b, 1, (size_t)n, f);
	return fclose(f) ? -errno : 0;
}

/* A request of type t with fields filled so that it validates. */
static void fill_msg(struct relais_ctl_msg *m, unsigned t)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint16_t)t;
	m->seq = 1000 + t;
	switch (t) {
	case RELAIS_CTL_HELLO:
		m->u.hello.version = RELAIS_CTL_VERSION;
		strcpy(m->u.hello.peer_name, "fuzz");
		break;
	case RELAIS_CTL_PART_ADD:
	case RELAIS_CTL_PART_REKEY:
		m->u.part.room_id = 1;
		m->u.part.part_id = 2;
		m->u.part.addr.family = 6;
		m->u.part.addr.port = 5004;
		m->u.part.addr.ip[15] = 1;
		m->u.part.rx_key.profile = RELAIS_SRTP_AES128_CM_SHA1_80;
		m->u.part.tx_key.profile = RELAIS_SRTP_AEAD_AES_128_GCM;
		memset(m->u.part.rx_key.key, 0x11, sizeof(m->u.part.rx_key.key));
		m->u.part.fb_ssrc = 0xfeed;
		break;
	case RELAIS_CTL_TRACK_ADD:
		m->u.track.track_id = 3;
		m->u.track.part_id = 2;
		m->u.track.clock_rate = 90000;
		m->u.track.kind = RELAIS_TRACK_VIDEO;
		m->u.track.flags = RELAIS_TRACK_F_LEARN_SSRC;
		m->u.track.pt = 96;
		break;
	case RELAIS_CTL_SUB_ADD:
		m->u.sub.sub_id = 4;
		m->u.sub.part_id = 2;
		m->u.sub.track_id = 3;
		m->u.sub.out_ssrc = 0x1234;
		m->u.sub.n_pt = 2;
		m->u.sub.pt_map[0][0] = 96;
		m->u.sub.pt_map[0][1] = 100;
		m->u.sub.pt_map[1][0] = 97;
		m->u.sub.pt_map[1][1] = 101;
		break;
	case RELAIS_CTL_SUB_SWITCH:
		m->u.sw.sub_id = 4;
		m->u.sw.track_id = 5;
		break;
	case RELAIS_CTL_DUMP:
		m->u.dump.kind = RELAIS_DUMP_PARTS;
		m->u.dump.cursor = 0;
		break;
	default:
		m->u.id.id = 7;
		break;
	}
}

int main(int argc, char **argv)
{
	static uint8_t buf[RELAIS_CTL_MAX_MSG];
	static struct relais_ctl_reply r;
	struct relais_ctl_msg m;
	char name[64];
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	for (unsigned t = RELAIS_CTL_HELLO; t < RELAIS_CTL_TYPE_MAX; t++) {
		fill_msg(&m, t);
		snprintf(name, sizeof(name), "msg_%s", relais_ctl_type_name(t));
		rc |= put(name, buf, relais_ctl_encode_msg(&m, buf, sizeof(buf)));
	}
	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_HELLO;
	r.u.hello.version = RELAIS_CTL_VERSION;
	strcpy(r.u.hello.peer_name, "dataplane");
	rc |= put("reply_hello", buf, relais_ctl_encode_reply(&r, buf, sizeof(buf)));
	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_STATS;
	for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
		r.u.stats.v[i] = i * 1000003u;
	rc |= put("reply_stats", buf, relais_ctl_encode_reply(&r, buf, sizeof(buf)));
	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_TRACK_STATS;
	r.u.track_stats.track_id = 3;
	r.u.track_stats.pkts = 12345;
	rc |= put("reply_track_stats", buf, relais_ctl_encode_reply(&r, buf, sizeof(buf)));
	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_PART_ADD;
	r.status = -EEXIST;
	strcpy(r.error, "participant 2 exists");
	rc |= put("reply_error", buf, relais_ctl_encode_reply(&r, buf, sizeof(buf)));
	return rc ? 1 : 0;
}
