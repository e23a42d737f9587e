/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-channel codec: explicit little-endian serialisation of the
 * messages of ctl_proto.h. Bodies have one fixed size per type; decoders
 * refuse any other size (a build mismatch) and any out-of-range field.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <relais/ctl_proto.h>

struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int overflow;
};

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t pos;
	int underflow;
};

/* Append n raw bytes; marks overflow instead of writing past cap. */
static void put_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = 1;
		return;
	}
	if (w->p != NULL) /* NULL buffer: only measure */
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

/* Append an unsigned integer of `bytes` bytes, little-endian. */
static void put_le(struct wbuf *w, uint64_t v, unsigned bytes)
{
	uint8_t b[8];

	for (unsigned i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, bytes);
}

/* Take n raw bytes; marks underflow (and zero-fills dst) when short. */
static void get_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (r->underflow || r->len - r->pos < n) {
		r->underflow = 1;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p + r->pos, n);
	r->pos += n;
}

/* Take a little-endian unsigned integer of `bytes` bytes. */
static uint64_t get_le(struct rbuf *r, unsigned bytes)
{
	uint8_t b[8];
	uint64_t v = 0;

	get_bytes(r, b, bytes);
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void put_addr(struct wbuf *w, const struct relais_addr *a)
{
	put_le(w, a->family, 1);
	put_le(w, a->port, 2);
	put_bytes(w, a->ip, sizeof(a->ip));
}

static void get_addr(struct rbuf *r, struct relais_addr *a)
{
	a->family = (uint8_t)get_le(r, 1);
	a->port = (uint16_t)get_le(r, 2);
	get_bytes(r, a->ip, sizeof(a->ip));
}

static void put_key(struct wbuf *w, const struct relais_srtp_key *k)
{
	put_le(w, k->profile, 2);
	put_bytes(w, k->key, sizeof(k->key));
	put_bytes(w, k->salt, sizeof(k->salt));
}

static void get_key(struct rbuf *r, struct relais_srtp_key *k)
{
	k->profile = (uint16_t)get_le(r, 2);
	get_bytes(r, k->key, sizeof(k->key));
	get_bytes(r, k->salt, sizeof(k->salt));
}
static int key_valid(const struct relais_srtp_key *k)
{
	return relais_srtp_profile_get(k->profile) != NULL;
}

static int addr_valid(const struct relais_addr *a)
{
	return (a->family == 4 || a->family == 6) && a->port != 0;
}

/*
 * Request bodies. Each body of ctl_messages.h has a writer, a reader (the
 * writer's mirror, field by field) and a range check (NULL: every value is
 * valid), gathered in a struct req_body named req_<body>. Readers leave
 * underflow to the caller; checks return 0 or -EINVAL.
 */
struct req_body {
	void (*put)(struct wbuf *w, const struct relais_ctl_msg *m);
	void (*get)(struct rbuf *r, struct relais_ctl_msg *m);
	int (*check)(const struct relais_ctl_msg *m);
};

/* HELLO: version, NUL-terminated peer name (also the HELLO reply). */
static void put_hello(struct wbuf *w, const struct relais_ctl_hello *h)
{
	put_le(w, h->version, 4);
	put_bytes(w, h->peer_name, sizeof(h->peer_name));
}

static void get_hello(struct rbuf *r, struct relais_ctl_hello *h)
{
	h->version = (uint32_t)get_le(r, 4);
	get_bytes(r, h->peer_name, sizeof(h->peer_name));
	h->peer_name[sizeof(h->peer_name) - 1] = '\0';
}

static void put_req_hello(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_hello(w, &m->u.hello);
}

static void get_req_hello(struct rbuf *r, struct relais_ctl_msg *m)
{
	get_hello(r, &m->u.hello);
}

static const struct req_body req_hello = {put_req_hello, get_req_hello, NULL};

/* The empty body (STATS). */
static void put_req_none(struct wbuf *w, const struct relais_ctl_msg *m)
{
	(void)w;
	(void)m;
}

static void get_req_none(struct rbuf *r, struct relais_ctl_msg *m)
{
	(void)r;
	(void)m;
}

static const struct req_body req_none = {put_req_none, get_req_none, NULL};

/* A room id. */
static void put_req_room(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.room.room_id, 4);
}

static void get_req_room(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.room.room_id = (uint32_t)get_le(r, 4);
}

static const struct req_body req_room = {put_req_room, get_req_room, NULL};

/* An object id (PART_DEL, TRACK_DEL, SUB_DEL, TRACK_STATS). */
static void put_req_id(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.id.id, 4);
}

static void get_req_id(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.id.id = (uint32_t)get_le(r, 4);
}

static const struct req_body req_id = {put_req_id, get_req_id, NULL};

/* A participant with its keys (PART_ADD, PART_REKEY). */
static void put_req_part(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.part.room_id, 4);
	put_le(w, m->u.part.part_id, 4);
	put_addr(w, &m->u.part.addr);
	put_key(w, &m->u.part.rx_key);
	put_key(w, &m->u.part.tx_key);
	put_le(w, m->u.part.fb_ssrc, 4);
	put_le(w, m->u.part.cookie, 8);
}

static void get_req_part(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.part.room_id = (uint32_t)get_le(r, 4);
	m->u.part.part_id = (uint32_t)get_le(r, 4);
	get_addr(r, &m->u.part.addr);
	get_key(r, &m->u.part.rx_key);
	get_key(r, &m->u.part.tx_key);
	m->u.part.fb_ssrc = (uint32_t)get_le(r, 4);
	m->u.part.cookie = get_le(r, 8);
}

/* Address family 4/6 with a port, both keys of a known profile. */
static int check_req_part(const struct relais_ctl_msg *m)
{
	if (!addr_valid(&m->u.part.addr) || !key_valid(&m->u.part.rx_key) ||
	    !key_valid(&m->u.part.tx_key))
		return -EINVAL;
	return 0;
}

static const struct req_body req_part = {put_req_part, get_req_part, check_req_part};

/* A published track. */
static void put_req_track(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.track.track_id, 4);
	put_le(w, m->u.track.part_id, 4);
	put_le(w, m->u.track.ssrc, 4);
	put_le(w, m->u.track.clock_rate, 4);
	put_le(w, m->u.track.kind, 1);
	put_le(w, m->u.track.flags, 1);
	put_le(w, m->u.track.pt, 1);
	put_le(w, m->u.track.cookie, 8);
}

static void get_req_track(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.track.track_id = (uint32_t)get_le(r, 4);
	m->u.track.part_id = (uint32_t)get_le(r, 4);
	m->u.track.ssrc = (uint32_t)get_le(r, 4);
	m->u.track.clock_rate = (uint32_t)get_le(r, 4);
	m->u.track.kind = (uint8_t)get_le(r, 1);
	m->u.track.flags = (uint8_t)get_le(r, 1);
	m->u.track.pt = (uint8_t)get_le(r, 1);
	m->u.track.cookie = get_le(r, 8);
}

/* Audio or video, a clock rate, known flags, PT 0..127 or any. */
static int check_req_track(const struct relais_ctl_msg *m)
{
	if (m->u.track.kind != RELAIS_TRACK_AUDIO && m->u.track.kind != RELAIS_TRACK_VIDEO)
		return -EINVAL;
	if (m->u.track.clock_rate == 0 || (m->u.track.flags & ~RELAIS_TRACK_F_LEARN_SSRC))
		return -EINVAL;
	if (m->u.track.pt != RELAIS_PT_ANY && m->u.track.pt > 127)
		return -EINVAL;
	return 0;
}

static const struct req_body req_track = {put_req_track, get_req_track, check_req_track};

/* A subscription with its PT map. */
static void put_req_sub(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.sub.sub_id, 4);
	put_le(w, m->u.sub.part_id, 4);
	put_le(w, m->u.sub.track_id, 4);
	put_le(w, m->u.sub.out_ssrc, 4);
	put_le(w, m->u.sub.n_pt, 1);
	put_bytes(w, m->u.sub.pt_map, sizeof(m->u.sub.pt_map));
	put_le(w, m->u.sub.has_ext_map, 1);
	put_bytes(w, m->u.sub.ext_map, sizeof(m->u.sub.ext_map));
	put_le(w, m->u.sub.cookie, 8);
}

static void get_req_sub(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.sub.sub_id = (uint32_t)get_le(r, 4);
	m->u.sub.part_id = (uint32_t)get_le(r, 4);
	m->u.sub.track_id = (uint32_t)get_le(r, 4);
	m->u.sub.out_ssrc = (uint32_t)get_le(r, 4);
	m->u.sub.n_pt = (uint8_t)get_le(r, 1);
	get_bytes(r, m->u.sub.pt_map, sizeof(m->u.sub.pt_map));
	m->u.sub.has_ext_map = (uint8_t)get_le(r, 1);
	get_bytes(r, m->u.sub.ext_map, sizeof(m->u.sub.ext_map));
	m->u.sub.cookie = get_le(r, 8);
}

/* At most RELAIS_CTL_MAX_PT_MAP pairs of PTs 0..127; extension ids out
 * 0..14. */
static int check_req_sub(const struct relais_ctl_msg *m)
{
	if (m->u.sub.n_pt > RELAIS_CTL_MAX_PT_MAP || m->u.sub.has_ext_map > 1)
		return -EINVAL;
	for (unsigned i = 0; i < RELAIS_CTL_EXT_IDS; i++)
		if (m->u.sub.ext_map[i] > 14)
			return -EINVAL;
	for (unsigned i = 0; i < m->u.sub.n_pt; i++)
		if (m->u.sub.pt_map[i][0] > 127 || m->u.sub.pt_map[i][1] > 127)
			return -EINVAL;
	return 0;
}

static const struct req_body req_sub = {put_req_sub, get_req_sub, check_req_sub};

/* SUB_SWITCH: a subscription and its new track. */
static void put_req_sw(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.sw.sub_id, 4);
	put_le(w, m->u.sw.track_id, 4);
}

static void get_req_sw(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.sw.sub_id = (uint32_t)get_le(r, 4);
	m->u.sw.track_id = (uint32_t)get_le(r, 4);
}

static const struct req_body req_sw = {put_req_sw, get_req_sw, NULL};

/* DUMP request: a kind and a cursor. */
static void put_req_dump(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.dump.kind, 1);
	put_le(w, m->u.dump.cursor, 4);
}

static void get_req_dump(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.dump.kind = (uint8_t)get_le(r, 1);
	m->u.dump.cursor = (uint32_t)get_le(r, 4);
}

/* A kind of enum relais_dump_kind. */
static int check_req_dump(const struct relais_ctl_msg *m)
{
	if (m->u.dump.kind < RELAIS_DUMP_ROOMS || m->u.dump.kind > RELAIS_DUMP_SUBS)
		return -EINVAL;
	return 0;
}

static const struct req_body req_dump = {put_req_dump, get_req_dump, check_req_dump};

/* OFFENDERS request: a threshold and a maximum count. */
static void put_req_offenders(struct wbuf *w, const struct relais_ctl_msg *m)
{
	put_le(w, m->u.offenders.min_total, 8);
	put_le(w, m->u.offenders.max, 1);
}

static void get_req_offenders(struct rbuf *r, struct relais_ctl_msg *m)
{
	m->u.offenders.min_total = get_le(r, 8);
	m->u.offenders.max = (uint8_t)get_le(r, 1);
}

static const struct req_body req_offenders = {put_req_offenders, get_req_offenders, NULL};

/* The request body of every type, from ctl_messages.h; NULL: unknown type. */
#define REQ_BODY_(sfx, num, name, req, rep, acc) [RELAIS_CTL_##sfx] = &req_##req,
static const struct req_body *const req_bodies[RELAIS_CTL_TYPE_MAX] = {
    RELAIS_CTL_MESSAGES(REQ_BODY_)};
#undef REQ_BODY_

/* Request body of `type`, NULL if unknown. */
static const struct req_body *req_body_of(unsigned type)
{
	return type < RELAIS_CTL_TYPE_MAX ? req_bodies[type] : NULL;
}

/* See ctl_proto.h: measured by the encoder, so size and layout never differ. */
int relais_ctl_body_size(unsigned type)
{
	const struct req_body *b = req_body_of(type);
	struct relais_ctl_msg m;
	struct wbuf w = {NULL, SIZE_MAX, 0, 0};

	if (b == NULL)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = (uint16_t)type;
	b->put(&w, &m);
	return (int)w.len;
}

/*
 * Reply payloads, present only when status == 0: a writer and a reader
 * (the writer's mirror; 0, or -EBADMSG when a count differs from this
 * build's), gathered in a struct rep_body named rep_<body>.
 */
struct rep_body {
	void (*put)(struct wbuf *w, const struct relais_ctl_reply *r);
	int (*get)(struct rbuf *rb, struct relais_ctl_reply *r);
};

/* The empty payload (the replies of changes). */
static void put_rep_none(struct wbuf *w, const struct relais_ctl_reply *r)
{
	(void)w;
	(void)r;
}

static int get_rep_none(struct rbuf *rb, struct relais_ctl_reply *r)
{
	(void)rb;
	(void)r;
	return 0;
}

static const struct rep_body rep_none = {put_rep_none, get_rep_none};

/* HELLO reply: the dataplane's version and name. */
static void put_rep_hello(struct wbuf *w, const struct relais_ctl_reply *r)
{
	put_hello(w, &r->u.hello);
}

static int get_rep_hello(struct rbuf *rb, struct relais_ctl_reply *r)
{
	get_hello(rb, &r->u.hello);
	return 0;
}

static const struct rep_body rep_hello = {put_rep_hello, get_rep_hello};

/* STATS reply: the two counts of this build, then every value (stats,
 * dataplane drops, XDP drops). */
static void put_rep_stats(struct wbuf *w, const struct relais_ctl_reply *r)
{
	put_le(w, RELAIS_STAT_MAX, 4);
	put_le(w, RELAIS_DROP_MAX, 4);
	for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
		put_le(w, r->u.stats.v[i], 8);
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
		put_le(w, r->u.stats.drops[i], 8);
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
		put_le(w, r->u.stats.xdp_drops[i], 8);
}

static int get_rep_stats(struct rbuf *rb, struct relais_ctl_reply *r)
{
	if (get_le(rb, 4) != RELAIS_STAT_MAX || get_le(rb, 4) != RELAIS_DROP_MAX)
		return -EBADMSG;
	for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
		r->u.stats.v[i] = get_le(rb, 8);
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
		r->u.stats.drops[i] = get_le(rb, 8);
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
		r->u.stats.xdp_drops[i] = get_le(rb, 8);
	return 0;
}

static const struct rep_body rep_stats = {put_rep_stats, get_rep_stats};

/* TRACK_STATS reply. */
static void put_rep_track_stats(struct wbuf *w, const struct relais_ctl_reply *r)
{
	const struct relais_ctl_track_stats *ts = &r->u.track_stats;

	put_le(w, ts->track_id, 4);
	put_le(w, ts->ssrc, 4);
	put_le(w, ts->n_subs, 4);
	put_le(w, ts->pkts, 8);
	put_le(w, ts->bytes, 8);
	put_le(w, ts->drops, 8);
}

static int get_rep_track_stats(struct rbuf *rb, struct relais_ctl_reply *r)
{
	struct relais_ctl_track_stats *ts = &r->u.track_stats;

	ts->track_id = (uint32_t)get_le(rb, 4);
	ts->ssrc = (uint32_t)get_le(rb, 4);
	ts->n_subs = (uint32_t)get_le(rb, 4);
	ts->pkts = get_le(rb, 8);
	ts->bytes = get_le(rb, 8);
	ts->drops = get_le(rb, 8);
	return 0;
}

static const struct rep_body rep_track_stats = {put_rep_track_stats, get_rep_track_stats};

/* DUMP reply: kind, count, next cursor, count records. */
static void put_rep_dump(struct wbuf *w, const struct relais_ctl_reply *r)
{
	const struct relais_ctl_dump *d = &r->u.dump;
	unsigned n = d->count > RELAIS_CTL_DUMP_MAX ? RELAIS_CTL_DUMP_MAX : d->count;

	put_le(w, d->kind, 1);
	put_le(w, n, 1);
	put_le(w, d->next_cursor, 4);
	for (unsigned i = 0; i < n; i++) {
		put_le(w, d->rec[i].id, 4);
		put_le(w, d->rec[i].parent, 4);
		put_le(w, d->rec[i].aux, 4);
		put_le(w, d->rec[i].aux2, 4);
		put_le(w, d->rec[i].cookie, 8);
		put_addr(w, &d->rec[i].addr);
	}
}

/* Mirror of put_rep_dump; -EBADMSG for a count above the maximum. */
static int get_rep_dump(struct rbuf *rb, struct relais_ctl_reply *r)
{
	struct relais_ctl_dump *d = &r->u.dump;

	d->kind = (uint8_t)get_le(rb, 1);
	d->count = (uint8_t)get_le(rb, 1);
	d->next_cursor = (uint32_t)get_le(rb, 4);
	if (d->count > RELAIS_CTL_DUMP_MAX)
		return -EBADMSG;
	for (unsigned i = 0; i < d->count; i++) {
		d->rec[i].id = (uint32_t)get_le(rb, 4);
		d->rec[i].parent = (uint32_t)get_le(rb, 4);
		d->rec[i].aux = (uint32_t)get_le(rb, 4);
		d->rec[i].aux2 = (uint32_t)get_le(rb, 4);
		d->rec[i].cookie = get_le(rb, 8);
		get_addr(rb, &d->rec[i].addr);
	}
	return 0;
}

static const struct rep_body rep_dump = {put_rep_dump, get_rep_dump};

/* OFFENDERS reply: count, n_tracked, count records (address, the counts
 * in RELAIS_OFFENCES order, age, protect). */
static void put_rep_offenders(struct wbuf *w, const struct relais_ctl_reply *r)
{
	const struct relais_ctl_offenders *o = &r->u.offenders;
	unsigned n = o->count > RELAIS_CTL_OFFENDERS_MAX ? RELAIS_CTL_OFFENDERS_MAX : o->count;

	put_le(w, n, 1);
	put_le(w, o->n_tracked, 4);
	for (unsigned i = 0; i < n; i++) {
		put_addr(w, &o->rec[i].addr);
		for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
			put_le(w, o->rec[i].offences[k], 8);
		put_le(w, o->rec[i].last_seen_ms, 8);
		put_le(w, o->rec[i].protect, 1);
	}
}

/* Mirror of put_rep_offenders; -EBADMSG for a count above the maximum or
 * an unknown protect value. */
static int get_rep_offenders(struct rbuf *rb, struct relais_ctl_reply *r)
{
	struct relais_ctl_offenders *o = &r->u.offenders;

	o->count = (uint8_t)get_le(rb, 1);
	o->n_tracked = (uint32_t)get_le(rb, 4);
	if (o->count > RELAIS_CTL_OFFENDERS_MAX)
		return -EBADMSG;
	for (unsigned i = 0; i < o->count; i++) {
		get_addr(rb, &o->rec[i].addr);
		for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
			o->rec[i].offences[k] = get_le(rb, 8);
		o->rec[i].last_seen_ms = get_le(rb, 8);
		o->rec[i].protect = (uint8_t)get_le(rb, 1);
		if (o->rec[i].protect >= RELAIS_PROTECT_MAX)
			return -EBADMSG;
	}
	return 0;
}

static const struct rep_body rep_offenders = {put_rep_offenders, get_rep_offenders};

/* The reply payload of every type, from ctl_messages.h; NULL: unknown. */
#define REP_BODY_(sfx, num, name, req, rep, acc) [RELAIS_CTL_##sfx] = &rep_##rep,
static const struct rep_body *const rep_bodies[RELAIS_CTL_TYPE_MAX] = {
    RELAIS_CTL_MESSAGES(REP_BODY_)};
#undef REP_BODY_

static void put_hdr(struct wbuf *w, unsigned type, uint32_t body_len, uint32_t seq)
{
	put_le(w, RELAIS_CTL_MAGIC, 4);
	put_le(w, RELAIS_CTL_VERSION, 2);
	put_le(w, type, 2);
	put_le(w, body_len, 4);
	put_le(w, seq, 4);
}

/* Read and check a header; returns the type or -errno. */
static int get_hdr(struct rbuf *r, uint32_t *body_len, uint32_t *seq)
{
	uint32_t magic, version, type;

	if (r->len < RELAIS_CTL_HDR_LEN)
		return -EPROTO;
	magic = (uint32_t)get_le(r, 4);
	version = (uint32_t)get_le(r, 2);
	type = (uint32_t)get_le(r, 2);
	*body_len = (uint32_t)get_le(r, 4);
	*seq = (uint32_t)get_le(r, 4);
	if (magic != RELAIS_CTL_MAGIC)
		return -EPROTO;
	if (version != RELAIS_CTL_VERSION)
		return -EPROTONOSUPPORT;
	if (*body_len != r->len - RELAIS_CTL_HDR_LEN)
		return -EBADMSG;
	return (int)type;
}

/* Encode request m; bytes written or -EINVAL / -EMSGSIZE. */
int relais_ctl_encode_msg(const struct relais_ctl_msg *m, uint8_t *buf, size_t cap)
{
	const struct req_body *b = req_body_of(m->type);
	struct wbuf w = {buf, cap, 0, 0};

	if (b == NULL || (b->check && b->check(m) != 0))
		return -EINVAL;
	put_hdr(&w, m->type, (uint32_t)relais_ctl_body_size(m->type), m->seq);
	b->put(&w, m);
	return w.overflow ? -EMSGSIZE : (int)w.len;
}

/* Decode one request datagram; 0 or -EPROTO/-EPROTONOSUPPORT/-EBADMSG/-EINVAL. */
int relais_ctl_decode_msg(const uint8_t *buf, size_t len, struct relais_ctl_msg *m)
{
	struct rbuf r = {buf, len, 0, 0};
	const struct req_body *b;
	uint32_t body_len, seq;
	int type;

	memset(m, 0, sizeof(*m));
	type = get_hdr(&r, &body_len, &seq);
	if (type < 0)
		return type;
	b = req_body_of((unsigned)type); /* NULL for replies too */
	if (b == NULL || relais_ctl_body_size((unsigned)type) != (int)body_len)
		return -EBADMSG;
	m->type = (uint16_t)type;
	m->seq = seq;
	b->get(&r, m);
	if (r.underflow)
		return -EBADMSG;
	return b->check ? b->check(m) : 0;
}

/* Encode reply r; bytes written or -EINVAL / -EMSGSIZE. */
int relais_ctl_encode_reply(const struct relais_ctl_reply *r, uint8_t *buf, size_t cap)
{
	uint8_t body[RELAIS_CTL_MAX_MSG];
	struct wbuf b = {body, sizeof(body), 0, 0};
	struct wbuf w = {buf, cap, 0, 0};
	char err[RELAIS_CTL_ERR_LEN];

	if (r->type == 0 || r->type >= RELAIS_CTL_TYPE_MAX)
		return -EINVAL;
	memset(err, 0, sizeof(err));
	memcpy(err, r->error, strnlen(r->error, sizeof(err) - 1));
	put_le(&b, (uint32_t)r->status, 4);
	put_bytes(&b, err, sizeof(err));
	if (r->status == 0)
		rep_bodies[r->type]->put(&b, r);
	if (b.overflow)
		return -EMSGSIZE;
	put_hdr(&w, r->type | RELAIS_CTL_REPLY, (uint32_t)b.len, r->seq);
	put_bytes(&w, body, b.len);
	return w.overflow ? -EMSGSIZE : (int)w.len;
}

/* Decode one reply datagram; 0 or -EPROTO/-EPROTONOSUPPORT/-EBADMSG. */
int relais_ctl_decode_reply(const uint8_t *buf, size_t len, struct relais_ctl_reply *r)
{
	struct rbuf rb = {buf, len, 0, 0};
	uint32_t body_len, seq;
	int type, rc;

	memset(r, 0, sizeof(*r));
	type = get_hdr(&rb, &body_len, &seq);
	if (type < 0)
		return type;
	if (!(type & RELAIS_CTL_REPLY))
		return -EBADMSG;
	r->type = (uint16_t)(type & ~RELAIS_CTL_REPLY);
	if (r->type == 0 || r->type >= RELAIS_CTL_TYPE_MAX)
		return -EBADMSG;
	r->seq = seq;
	r->status = (int32_t)get_le(&rb, 4);
	get_bytes(&rb, r->error, sizeof(r->error));
	r->error[sizeof(r->error) - 1] = '\0';
	rc = r->status == 0 ? rep_bodies[r->type]->get(&rb, r) : 0;
	if (rc == 0 && (rb.underflow || rb.pos != rb.len))
		rc = -EBADMSG;
	return rc;
}
