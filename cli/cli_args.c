/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-cli command lines -> control messages:
 *   room add|del ID
 *   part add --room R --id P --addr A:PORT --profile NAME --rx-key K --tx-key K [--fb-ssrc N]
 *     (the key literals as a batch line has them; on relais-cli's command
 *     line they come from files or stdin: include/relais/key_input.h)
 *   part rekey (same options as part add: same room, address, profile; new keys)
 *   part del ID
 *   track add --id T --part P (--ssrc N | --learn [--pt N]) --kind audio|video [--clock HZ]
 *   track del ID
 *   sub add --id S --part P --track T --ssrc OUT [--pt-map IN:OUT,...] [--ext-map IN:OUT,...]
 *   sub del ID | sub switch ID TRACK
 *   stats | track-stats ID
 * Keys are hex or base64 of master key || master salt.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli_args.h"

#define ERR(...)                               \
	do {                                   \
		snprintf(err, n, __VA_ARGS__); \
		return -EINVAL;                \
	} while (0)

/* Value of "--name" in argv, or NULL. */
static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc && argv[i] != NULL; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int has_flag(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/* Unsigned 32-bit number; -EINVAL if absent or malformed. */
static int num(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Required numeric option. */
static int need_num(int argc, char **argv, const char *name, uint32_t *out, char *err, size_t n)
{
	if (num(opt(argc, argv, name), out) < 0)
		ERR("%s: a number is required", name);
	return 0;
}

/* Decode hex (even length) into out; bytes or -1. */
static int from_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = strlen(s);

	if (len % 2 || len / 2 > cap)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		unsigned v;

		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]) ||
		    sscanf(s + i, "%2x", &v) != 1)
			return -1;
		out[i / 2] = (uint8_t)v;
	}
	return (int)(len / 2);
}

/* See cli_args.h. */
int cli_parse_key(const char *s, unsigned profile, struct relais_srtp_key *k)
{
	const struct relais_srtp_profile_info *p = relais_srtp_profile_get(profile);
	uint8_t buf[96];
	int len;

	if (p == NULL || s == NULL)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->profile = (uint16_t)profile;
	len = from_hex(s, buf, sizeof(buf));
	if (len != p->key_len + p->salt_len) {
		size_t sl = strlen(s);

		if (sl > 128 || sl % 4)
			return -EINVAL;
		len = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)sl);
		len -= (sl && s[sl - 1] == '=') + (sl > 1 && s[sl - 2] == '=');
	}
	if (len != p->key_len + p->salt_len)
		return -EINVAL;
	memcpy(k->key, buf, p->key_len);
	memcpy(k->salt, buf + p->key_len, p->salt_len);
	memset(buf, 0, sizeof(buf));
	return 0;
}

/* The SDES names of every profile, ", "-separated, into buf (truncated to
 * n bytes, always terminated). */
static void profile_names(char *buf, size_t n)
{
	const struct relais_srtp_profile_info *p;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; (p = relais_srtp_profile_at(i)) != NULL && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", p->name);
}

/* part add ... */
static int build_part(int argc, char **argv, struct relais_ctl_msg *m, char *err, size_t n)
{
	const struct relais_srtp_profile_info *p;
	struct relais_ctl_part *pt = &m->u.part;
	const char *prof = opt(argc, argv, "--profile");
	char names[256];

	m->type = RELAIS_CTL_PART_ADD;
	if (need_num(argc, argv, "--room", &pt->room_id, err, n) ||
	    need_num(argc, argv, "--id", &pt->part_id, err, n))
		return -EINVAL;
	if (relais_addr_parse(opt(argc, argv, "--addr"), &pt->addr) < 0)
		ERR("--addr: expected A.B.C.D:PORT or [IPv6]:PORT");
	p = prof ? relais_srtp_profile_by_name(prof) : NULL;
	if (p == NULL) {
		profile_names(names, sizeof(names));
		ERR("--profile: expected one of %s", names);
	}
	if (cli_parse_key(opt(argc, argv, "--rx-key"), p->id, &pt->rx_key) < 0)
		ERR("--rx-key: expected %u bytes (key||salt) in hex or base64",
		    p->key_len + p->salt_len);
	if (cli_parse_key(opt(argc, argv, "--tx-key"), p->id, &pt->tx_key) < 0)
		ERR("--tx-key: expected %u bytes (key||salt) in hex or base64",
		    p->key_len + p->salt_len);
	if (opt(argc, argv, "--fb-ssrc") && num(opt(argc, argv, "--fb-ssrc"), &pt->fb_ssrc) < 0)
		ERR("--fb-ssrc: a number is required");
	if (!opt(argc, argv, "--fb-ssrc"))
		pt->fb_ssrc = 0x52000000u | pt->part_id;
	return 0;
}

/* track add ... */
static int build_track(int argc, char **argv, struct relais_ctl_msg *m, char *err, size_t n)
{
	struct relais_ctl_track *t = &m->u.track;
	const char *kind = opt(argc, argv, "--kind");
	uint32_t v;

	m->type = RELAIS_CTL_TRACK_ADD;
	if (need_num(argc, argv, "--id", &t->track_id, err, n) ||
	    need_num(argc, argv, "--part", &t->part_id, err, n))
		return -EINVAL;
	if (kind && strcmp(kind, "audio") == 0)
		t->kind = RELAIS_TRACK_AUDIO;
	else if (kind && strcmp(kind, "video") == 0)
		t->kind = RELAIS_TRACK_VIDEO;
	else
		ERR("--kind: expected audio or video");
	t->clock_rate = t->kind == RELAIS_TRACK_AUDIO ? 48000 : 90000;
	if (opt(argc, argv, "--clock") && need_num(argc, argv, "--clock", &t->clock_rate, err, n))
		return -EINVAL;
	t->pt = RELAIS_PT_ANY;
	if (has_flag(argc, argv, "--learn")) {
		t->flags = RELAIS_TRACK_F_LEARN_SSRC;
		if (opt(argc, argv, "--pt")) {
			if (num(opt(argc, argv, "--pt"), &v) < 0 || v > 127)
				ERR("--pt: expected 0..127");
			t->pt = (uint8_t)v;
		}
	} else if (need_num(argc, argv, "--ssrc", &t->ssrc, err, n)) {
		ERR("--ssrc: required unless --learn");
	}
	return 0;
}

/* "96:100,0:0" into the sub's PT map. */
static int parse_pt_map(const char *s, struct relais_ctl_sub *sb)
{
	char buf[128];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned a, b;

		if (sb->n_pt == RELAIS_CTL_MAX_PT_MAP || sscanf(tok, "%u:%u", &a, &b) != 2 ||
		    a > 127 || b > 127)
			return -EINVAL;
		sb->pt_map[sb->n_pt][0] = (uint8_t)a;
		sb->pt_map[sb->n_pt++][1] = (uint8_t)b;
	}
	return 0;
}

/* "1:3,5:0" into the sub's header extension map (ids 1..14, out 0..14;
 * ids not listed are dropped; "" keeps none). */
static int parse_ext_map(const char *s, struct relais_ctl_sub *sb)
{
	char buf[128];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	sb->has_ext_map = 1;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned a, b;

		if (sscanf(tok, "%u:%u", &a, &b) != 2 || a < 1 || a > 14 || b > 14)
			return -EINVAL;
		sb->ext_map[a] = (uint8_t)b;
	}
	return 0;
}

/* sub add|del|switch ... */
static int build_sub(int argc, char **argv, struct relais_ctl_msg *m, char *err, size_t n)
{
	struct relais_ctl_sub *sb = &m->u.sub;

	if (strcmp(argv[1], "switch") == 0) {
		m->type = RELAIS_CTL_SUB_SWITCH;
		if (argc < 4 || num(argv[2], &m->u.sw.sub_id) || num(argv[3], &m->u.sw.track_id))
			ERR("usage: sub switch SUB_ID TRACK_ID");
		return 0;
	}
	m->type = RELAIS_CTL_SUB_ADD;
	if (need_num(argc, argv, "--id", &sb->sub_id, err, n) ||
	    need_num(argc, argv, "--part", &sb->part_id, err, n) ||
	    need_num(argc, argv, "--track", &sb->track_id, err, n) ||
	    need_num(argc, argv, "--ssrc", &sb->out_ssrc, err, n))
		return -EINVAL;
	if (opt(argc, argv, "--pt-map") && parse_pt_map(opt(argc, argv, "--pt-map"), sb) < 0)
		ERR("--pt-map: expected IN:OUT[,IN:OUT...] (at most %d pairs, PT 0..127)",
		    RELAIS_CTL_MAX_PT_MAP);
	if (opt(argc, argv, "--ext-map") && parse_ext_map(opt(argc, argv, "--ext-map"), sb) < 0)
		ERR("--ext-map: expected IN:OUT[,IN:OUT...] (ids 1..14, out 0..14, 0: dropped)");
	return 0;
}

/* See cli_args.h. */
int cli_build_msg(int argc, char **argv, struct relais_ctl_msg *m, char *err, size_t n)
{
	static const struct {
		const char *obj;
		unsigned add, del;
	} simple[] = {
	    {"room", RELAIS_CTL_ROOM_ADD, RELAIS_CTL_ROOM_DEL},
	    {"part", RELAIS_CTL_PART_ADD, RELAIS_CTL_PART_DEL},
	    {"track", RELAIS_CTL_TRACK_ADD, RELAIS_CTL_TRACK_DEL},
	    {"sub", RELAIS_CTL_SUB_ADD, RELAIS_CTL_SUB_DEL},
	};

	memset(m, 0, sizeof(*m));
	if (argc >= 1 && strcmp(argv[0], "stats") == 0) {
		m->type = RELAIS_CTL_STATS;
		return 0;
	}
	if (argc >= 2 && strcmp(argv[0], "track-stats") == 0) {
		m->type = RELAIS_CTL_TRACK_STATS;
		return num(argv[1], &m->u.id.id) < 0 ? -EINVAL : 0;
	}
	for (size_t i = 0; argc >= 2 && i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (strcmp(argv[0], simple[i].obj) != 0)
			continue;
		if (strcmp(argv[1], "del") == 0 || (i == 0 && strcmp(argv[1], "add") == 0)) {
			m->type =
			    (uint16_t)(strcmp(argv[1], "del") == 0 ? simple[i].del : simple[i].add);
			if (argc < 3 || num(argv[2], &m->u.id.id) < 0)
				ERR("usage: %s %s ID", argv[0], argv[1]);
			return 0; /* room uses u.room, same layout as u.id */
		}
		if (i == 1 && strcmp(argv[1], "rekey") == 0) {
			int rc = build_part(argc, argv, m, err, n);

			m->type = RELAIS_CTL_PART_REKEY;
			return rc;
		}
		if (i == 1 && strcmp(argv[1], "add") == 0)
			return build_part(argc, argv, m, err, n);
		if (i == 2 && strcmp(argv[1], "add") == 0)
			return build_track(argc, argv, m, err, n);
		if (i == 3)
			return build_sub(argc, argv, m, err, n);
	}
	ERR("unknown command (try: relais-cli help)");
}
