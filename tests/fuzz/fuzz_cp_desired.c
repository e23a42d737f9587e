/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the control plane's reading of a room from Redis
 * (controlplane/cp_desired.c). The input is
 *   byte 0   max_objects of the room
 *   byte 1   chunk size hiredis's reader is fed in (0: all at once)
 *   rest     a RESP stream, read by hiredis's own reader (redisReader*)
 * and its replies go through the cp_desired API in the loader's order
 * (cp_aload.c): cp_room_begin, the three SMEMBERS replies through
 * cp_room_index, cp_room_check_total, then one HGETALL reply per kept
 * member through cp_room_object. Whatever the replies hold, nothing may
 * crash and the room must stay consistent: counts within what the indexes
 * sized, every kept refusal named, tracks and subscriptions referring to
 * valid objects, payload types in range.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <openssl/crypto.h>

#include "cp_desired.h"
#include "cp_util.h"
#include "fuzz_cp_keyring.h"
#include "fuzz_target.h"

/* The longest array an input may announce. hiredis 0.14's reader has no
 * element limit: "*2000000000" alone allocates 16 GB of element pointers,
 * an out-of-memory report that is not a bug of the code under test. */
#define FUZZ_CP_MAX_ELEMENTS 4096

struct feed {
	redisReader *rd;
	const uint8_t *p;
	size_t left, chunk;
	bool broken;
};

/* The next whole reply of the stream, feeding the reader chunk by chunk;
 * NULL at the end of the input or on a protocol error. */
static redisReply *next_reply(struct feed *f)
{
	void *reply = NULL;

	while (!f->broken) {
		if (redisReaderGetReply(f->rd, &reply) != REDIS_OK) {
			f->broken = true;
			return NULL;
		}
		if (reply != NULL)
			return reply;
		if (f->left == 0)
			return NULL;
		size_t n = f->chunk && f->chunk < f->left ? f->chunk : f->left;

		if (redisReaderFeed(f->rd, (const char *)f->p, n) != REDIS_OK)
			f->broken = true;
		f->p += n;
		f->left -= n;
	}
	return NULL;
}

/* Whether the input announces an array longer than FUZZ_CP_MAX_ELEMENTS:
 * '*' and digits anywhere (inside a string too, to stay simple). */
static bool long_array(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned long long v = 0;

		if (p[i] != '*')
			continue;
		for (size_t j = i + 1; j < n && isdigit(p[j]) && v <= FUZZ_CP_MAX_ELEMENTS; j++)
			v = v * 10 + (unsigned)(p[j] - '0');
		if (v > FUZZ_CP_MAX_ELEMENTS)
			return true;
	}
	return false;
}

/* Whether s is a NUL-terminated non-empty string within n bytes. */
static bool named(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL && s[0] != '\0';
}

/* The invariants of a loaded room (see the file comment). */
static void check_room(const struct cp_desired_cfg *cfg, const struct cp_droom *r)
{
	FUZZ_ASSERT(r->n_parts >= 0 && r->n_parts <= r->cap[0]);
	FUZZ_ASSERT(r->n_tracks >= 0 && r->n_tracks <= r->cap[1]);
	FUZZ_ASSERT(r->n_subs >= 0 && r->n_subs <= r->cap[2]);
	FUZZ_ASSERT(r->n_kept >= 0 && r->n_kept <= CP_REFUSALS_KEPT);
	FUZZ_ASSERT((uint32_t)r->n_kept <= r->n_refused);
	for (int i = 0; i < r->n_kept; i++) {
		FUZZ_ASSERT(named(r->refusals[i].obj, sizeof(r->refusals[i].obj)));
		FUZZ_ASSERT(named(r->refusals[i].why, sizeof(r->refusals[i].why)));
	}
	for (int i = 0; i < r->n_parts; i++) {
		struct relais_ctl_part m;

		FUZZ_ASSERT(r->parts[i].p.part_id != 0 && r->parts[i].p.cookie != 0);
		FUZZ_ASSERT(cp_part_keys(cfg, &r->parts[i], &m) == 0);
		OPENSSL_cleanse(&m, sizeof(m));
	}
	for (int i = 0; i < r->n_tracks; i++) {
		const struct relais_ctl_track *t = &r->tracks[i];
		bool found = false;

		for (int j = 0; j < r->n_parts; j++)
			found |= r->parts[j].p.part_id == t->part_id;
		FUZZ_ASSERT(found && t->track_id != 0 && t->clock_rate != 0);
		FUZZ_ASSERT(t->pt <= 127 || t->pt == RELAIS_PT_ANY);
	}
	for (int i = 0; i < r->n_subs; i++) {
		const struct relais_ctl_sub *s = &r->subs[i];
		bool track = false;

		for (int j = 0; j < r->n_tracks; j++)
			track |= r->tracks[j].track_id == s->track_id;
		FUZZ_ASSERT(track && s->out_ssrc != 0 && s->n_pt <= RELAIS_CTL_MAX_PT_MAP);
		for (int j = 0; j < s->n_pt; j++)
			FUZZ_ASSERT(s->pt_map[j][0] <= 127 && s->pt_map[j][1] <= 127);
	}
	FUZZ_ASSERT(cp_room_status_sig(r) != 0);
}

/* The three index sets, as on_index() takes them; false when the room
 * cannot be loaded (no reply, failure). *refused: refused whole. */
static bool load_indexes(const struct cp_desired_cfg *cfg, struct cp_droom *r, struct feed *f,
			 char (*ids[3])[CP_MEMBER_MAX], int count[3], bool *refused)
{
	size_t total = 0;

	for (int k = 0; k < 3; k++) {
		redisReply *set = next_reply(f);
		int n;

		if (set == NULL)
			return false;
		if (*refused) /* the loader counts it for the log only */
			total += set->type == REDIS_REPLY_ARRAY ? set->elements : 0;
		n = *refused ? 0 : cp_room_index(cfg, r, k, set, &total);
		if (n == -E2BIG) {
			*refused = true;
		} else if (n < 0) {
			freeReplyObject(set);
			return false;
		} else if (n > 0) {
			ids[k] = calloc((size_t)n, sizeof(*ids[k]));
			FUZZ_ASSERT(ids[k] != NULL);
			for (int i = 0; i < n; i++)
				snprintf(ids[k][i], sizeof(ids[k][i]), "%s",
					 cp_room_member(set, (size_t)i));
			count[k] = n;
		}
		freeReplyObject(set);
	}
	if (cp_room_check_total(cfg, r, total) < 0)
		*refused = true;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cp_keyring kr;
	struct cp_desired_cfg cfg = {.kr = &kr};
	char(*ids[3])[CP_MEMBER_MAX] = {NULL, NULL, NULL};
	int count[3] = {0, 0, 0};
	struct feed f = {0};
	struct cp_droom r;
	bool refused = false;

	if (size < 2 || long_array(data, size))
		return 0;
	cp_log_level = -1; /* refusals are expected: not logged */
	fuzz_cp_keyring(&kr);
	cfg.max_objects = data[0];
	f.chunk = data[1];
	f.p = data + 2;
	f.left = size - 2;
	f.rd = redisReaderCreate();
	FUZZ_ASSERT(f.rd != NULL);

	cp_room_begin(&r, FUZZ_CP_ROOM, FUZZ_CP_EPOCH);
	if (load_indexes(&cfg, &r, &f, ids, count, &refused) && !refused)
		for (int k = 0; k < 3; k++)
			for (int i = 0; i < count[k]; i++) {
				redisReply *h = next_reply(&f);

				/* No reply: the loader fails the room; so do we, but the
				 * call must also take NULL. */
				cp_room_object(&cfg, &r, NULL, k, ids[k][i], h);
				freeReplyObject(h);
			}
	check_room(&cfg, &r);
	cp_room_clear_apply_refusals(&r);
	cp_room_free(&r);
	for (int k = 0; k < 3; k++)
		free(ids[k]);
	redisReaderFree(f.rd);
	return 0;
}
